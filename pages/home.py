import streamlit as st

from pages import state

st.title("SHINBO Explorer")
st.markdown(
    """
**SHINBO** (Sparse Hyperparametric Itakura–Saito NMF via Bi-level Optimization, arXiv 2502.17123)
factorizes a power spectrogram **X ≈ W H** under the Itakura–Saito divergence, with one ℓ1 sparsity
penalty **λₗ** per row of **H**, and tunes those penalties automatically: an outer problem moves λ by
projected gradient descent, using hypergradients computed in forward mode through **T** multiplicative
steps of each row. The aim is to pull a weak, sparse, periodic signal (a rolling-bearing fault) out of
stronger, broader noise, judged by **ENVSI** on the component's envelope spectrum.

Here you can load or simulate a recording, tune r, T and α, watch the λ adapt while the factorization
runs, and compare SHINBO side by side with the fixed-penalty MU baselines (λ = 0, 0.1, 0.5).
"""
)
st.image("assets/shinbo-overview.svg", caption="The bi-level loop: W update, T row steps with sensitivities, λ step.")

st.subheader("Start in three clicks")
st.markdown("1. **Load the demo**: a simulated outer-race fault at 107.3 Hz, hidden under shaft harmonics and noise\n"
            "2. **Run** SHINBO and the baselines\n"
            "3. **Inspect** the comparison, plot beside plot")
if st.button("Load the demo and go to Run", type="primary", key="home_demo"):
    state.load_demo()
    st.switch_page("pages/run.py")

rec = state.signal()
if rec is not None:
    st.success(f"Loaded: {rec['name']}")
st.caption("Other sources (your own WAV/MAT/CSV/NPY upload, the simulator's sliders, the paper's synthetic "
           "matrices) are on the Signal page. The Learn page shows the mathematics with a live toy problem.")
