"""Pure view builders: lab state → LaTeX formulas, notations, tables and plotly figures.

No Streamlit: every function returns a value (a string, a DataFrame, a figure) that ``components.ui``
draws, and every number in it comes from ``engine`` through ``components.model``.
"""
