"""SHINBO Explorer: the entry point declares the pages (nothing else)."""

import streamlit as st

from pages import state

st.set_page_config(page_title="SHINBO Explorer", page_icon=":material/settings:", layout="wide")
state.init()

pg = st.navigation([
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/signal.py", title="Signal", icon=":material/graphic_eq:"),
    st.Page("pages/run.py", title="Run", icon=":material/play_arrow:"),
    st.Page("pages/inspect.py", title="Inspect", icon=":material/search:"),
    st.Page("pages/benchmark.py", title="Benchmark", icon=":material/bar_chart:"),
    st.Page("pages/learn.py", title="Learn", icon=":material/school:"),
])
try:
    pg.run()
except Exception as exc:  # a last safety net: a message, never a traceback (Streamlit's reruns are not Exceptions)
    st.error(f"Something went wrong: {exc}. The loaded signal and earlier runs are kept; "
             "please report this with the steps that led to it.", icon=":material/error:")
