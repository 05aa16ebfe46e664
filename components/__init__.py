"""Everything the user sees, in three layers whose imports point one way (ui → views → model → engine):

- ``components.model``: the lab model (configuration and its link, presets, one user's Lab and its
  history); plain Python over the engine, no Streamlit, plotly or pandas.
- ``components.views``: pure view builders, state → LaTeX formulas, notations, tables and plotly figures.
- ``components.ui``: the Streamlit UI, the only code that calls ``st.*``; ``components.ui.state`` owns
  every ``st.session_state`` key.

``tests/test_layers.py`` fails on an upward import or an import cycle.
"""
