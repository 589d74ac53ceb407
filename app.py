"""SHINBO Explorer: the entry point declares the pages (nothing else)."""

import streamlit as st

from pages import state

st.set_page_config(page_title="SHINBO Explorer", page_icon="🔩", layout="wide")
state.init()

pg = st.navigation([
    st.Page("pages/home.py", title="Home", icon="🏠", default=True),
    st.Page("pages/signal.py", title="Signal", icon="📈"),
    st.Page("pages/run.py", title="Run", icon="▶️"),
    st.Page("pages/inspect.py", title="Inspect", icon="🔍"),
    st.Page("pages/benchmark.py", title="Benchmark", icon="📊"),
    st.Page("pages/learn.py", title="Learn", icon="🎓"),
])
pg.run()
