from pathlib import Path

import pandas as pd
import streamlit as st

import shinbo
from pages import state
from shinbo import experiments, plots

state.init()
st.title("Benchmark: the paper's synthetic protocol")
st.markdown("X = W H (+ noise ε·rms·N(0,1), folded to stay nonnegative) with m = 100, n = 70, r = 3, 10 % zeros in W "
            "and 70 % in H. Every method sees the same matrix and initialization for a given seed. All seeds are "
            "shown, good and bad.")

c1, c2, c3 = st.columns(3)
n_seeds = c1.slider("Seeds (Monte Carlo runs per noise level)", 1, 30, 5, key="bm_seeds")
noises = c2.multiselect("Noise levels ε", [0.0, 0.01, 0.05, 0.1], default=[0.0, 0.01, 0.05, 0.1], key="bm_noise")
lams = c3.multiselect("MU baselines λ", [0.0, 0.1, 0.5], default=[0.0, 0.1, 0.5], key="bm_lams")
cfg = st.session_state[state.CONFIG]
st.caption(f"SHINBO uses T={cfg['T']}, α={cfg['alpha']:g}, γ={cfg['gamma']:g}, outer={cfg['outer']} from the Run page; "
           "up to 3000 iterations each.")

if st.button("Run the Monte Carlo study", type="primary", key="bm_go"):
    if not noises:
        st.error("Choose at least one noise level.")
    else:
        methods = experiments.default_methods(lams, dict(T=cfg["T"], alpha=cfg["alpha"], gamma=cfg["gamma"],
                                                         outer=cfg["outer"], max_iter=3000))
        bar = st.progress(0.0, text="starting…")

        def progress(p):
            row = p["row"]
            bar.progress(p["done"] / p["total"], text=f"{p['done']}/{p['total']} fits · {row['method']} · ε={row['noise']:g} "
                                                      f"· seed {row['seed']} · SIR_H {row['sir_h']:.1f} dB")
        try:
            rows = experiments.synthetic_study(noises=noises, seeds=range(n_seeds), methods=methods, progress=progress)
            st.session_state["bm_rows"] = rows
        except shinbo.ShinboError as exc:
            state.show_error(exc)

rows = st.session_state.get("bm_rows")
if rows:
    st.plotly_chart(plots.study_boxes(rows, "sir_h", title="SIR_H per seed (dB, median over components)", y_title="dB"),
                    key="bm_sir")
    st.plotly_chart(plots.study_boxes(rows, "sparsity", title="Sparsity(H): % of entries below 1e-3·max(H)", y_title="%"),
                    key="bm_sp")
    summary = experiments.summarize_study(rows)
    st.dataframe(pd.DataFrame(summary), hide_index=True, key="bm_table")
    wins = experiments.paired_wins(rows)
    if wins:
        st.dataframe(pd.DataFrame(wins), hide_index=True, key="bm_wins")
        st.caption("Paired per seed: SHINBO's SIR_H minus the best fixed-λ baseline's on the same matrix.")

st.divider()
st.subheader("Sensitivity to T and α")
g1, g2 = st.columns(2)
Ts = g1.multiselect("T", [1, 2, 4, 8], default=[1, 2, 4, 8], key="sens_T")
alphas = g2.multiselect("α", [0.1, 1.0, 10.0, 30.0, 100.0, 300.0, 1000.0], default=[1.0, 10.0, 100.0, 1000.0], key="sens_a")
if st.button("Run the T × α grid (3 seeds, ε = 0)", key="sens_go"):
    if not Ts or not alphas:
        st.error("Choose at least one T and one α.")
    else:
        bar2 = st.progress(0.0, text="starting…")
        grid = experiments.sensitivity_grid(sorted(Ts), sorted(alphas), seeds=range(3),
                                            shinbo_params=dict(gamma=cfg["gamma"], max_iter=3000),
                                            progress=lambda p: bar2.progress(p["done"] / p["total"],
                                                                             text=f"T={p['T']}, α={p['alpha']:g}"))
        st.session_state["sens_grid"] = grid
grid = st.session_state.get("sens_grid")
if grid:
    c1, c2 = st.columns(2)
    c1.plotly_chart(plots.sensitivity_heatmap(grid["sir_h"], grid["T"], grid["alpha"]), key="sens_sir")
    c2.plotly_chart(plots.sensitivity_heatmap(grid["final_lambda"], grid["T"], grid["alpha"], title="Mean final λ",
                                              colorbar="λ"), key="sens_lam")

st.divider()
st.subheader("The full study")
study = experiments.load_study(Path(__file__).resolve().parents[1] / "benchmarks" / "results")
if not study:
    st.info("No saved study yet: run `python benchmarks/reproduce.py` (about 6 minutes) to fill benchmarks/results/.")
else:
    st.caption("Saved by `python benchmarks/reproduce.py` (20 seeds per noise level, ablations, the T × α grid, the "
               "bearing simulator and the CWRU recordings); docs/RESULTS.md states which claims of the paper it "
               "reproduces.")
    for name, title in experiments.STUDY_TABLES.items():
        if name in study:
            with st.expander(title, expanded=name == "synthetic_summary"):
                st.dataframe(pd.DataFrame(study[name]), hide_index=True, key=f"study_{name}")
