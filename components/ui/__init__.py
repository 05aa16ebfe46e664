"""The Streamlit UI: the only code that calls ``st.*``.

``state`` owns every ``st.session_state`` key and the address bar; the other modules draw one part
of the page each from the lab model and the view builders.
"""
