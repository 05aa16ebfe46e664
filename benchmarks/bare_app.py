"""The floor for bench_step_latency: a bare Streamlit page whose → button only changes a line of text.

    streamlit run benchmarks/bare_app.py

Same server, same browser, same config as the app: whatever this page costs per keypress
(websocket round trip, script rerun, React render) the app cannot beat.
"""

import streamlit as st

st.session_state.setdefault("step", 0)


def _next() -> None:
    st.session_state["step"] += 1


st.button("Next →", key="next", on_click=_next, shortcut="Right", type="primary")
st.latex(rf"\text{{step}} = {st.session_state['step']}")
