"""The lab model: configuration and its URL form, presets, one user's Lab and its history.

Plain Python over ``engine`` (numpy only): no Streamlit, plotly or pandas, so a notebook or a test
drives a whole lab without a page.
"""
