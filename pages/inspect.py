import numpy as np
import pandas as pd
import streamlit as st

from pages import state
from shinbo import experiments, export, plots

state.init()
st.title("Inspect")
reg = state.runs()
if not reg:
    st.info("No run yet. Load a signal and start a run on the **Run** page (the demo takes a few seconds).")
    st.page_link("pages/run.py", label="Go to Run", icon=":material/play_arrow:")
    st.stop()

names = list(reg)
run_name = st.selectbox("Run", names, index=len(names) - 1, key="insp_run")
run = reg[run_name]
res = run["result"]
cfg = run["config"]
st.caption(f"Signal: {run['signal']} · r={cfg['rank']}, T={cfg['T']}, α={cfg['alpha']:g}, γ={cfg['gamma']:g}, "
           f"outer={cfg['outer']}, seed={cfg['seed']} · {run['seconds']:.1f} s" + (" · stopped early" if run["stopped"] else ""))

full_table = experiments.comparison_table(res)
all_methods = [r["method"] for r in full_table]
shown = st.multiselect("Show beside SHINBO", all_methods[1:], default=all_methods[1:], key=f"insp_methods_{run_name}")
keep = [0] + [i for i, m in enumerate(all_methods) if m in shown]
table = [full_table[i] for i in keep]

# the table, best values in bold green
best = experiments.best_rows(table)
df = pd.DataFrame(table)


def _mark(col):
    i = best.get(col.name)
    return ["font-weight: bold; color: #2ca02c" if k == i else "" for k in range(len(col))]


fmt = {c: "{:.3f}" for c in df.columns if df[c].dtype.kind == "f"}
st.dataframe(df.style.apply(_mark).format(fmt), hide_index=True, key="metrics_table")
st.caption("Best value of each column in green. ENVSI: 3 harmonics of the fault frequency, ±2 % windows "
           "(design note §7). Sparsity(H): % of entries below 1e-3·max(H).")

downloads = {}
if run["kind"] == "matrix":
    results = [res.results[i] for i in keep]
    n = res.X.shape[1]
    x = np.arange(n)
    H_list = ([res.H_true] if res.H_true is not None else []) + [r.H for r in results]
    labels = (["truth"] if res.H_true is not None else []) + [table[i]["method"] for i in range(len(results))]
    figs = {
        "H rows": plots.rows_grid(H_list, labels, x, title="Rows of H (each scaled by its max)", x_title="column j"),
        "λ history": plots.lambda_history(results[0].history["lambdas"], title="SHINBO: λ per row"),
        "objective": plots.objective_history({t["method"]: r.history["objective"] for t, r in zip(table, results)}),
    }
    figs["X vs WH"] = plots.reconstruction_pair(res.X, [r.W @ r.H for r in results], np.arange(res.X.shape[0]), x,
                                                names=["X"] + [t["method"] for t in table])
else:
    methods = [res.methods[i] for i in keep]
    S = res.spectrogram
    soi_text = "; ".join(f"{m.name}: {m.soi.description}" for m in methods)
    st.info(f"Signal-of-interest component — {soi_text}")
    fault = res.fault_hz
    if fault:
        st.caption(f"Raw signal for reference: ENVSI {res.raw_envsi:.3f}, dominant envelope peak {res.raw_peak_hz:.1f} Hz "
                   f"(fault {fault:.2f} Hz).")
    others = [m.name for m in methods[1:]]
    pick = st.selectbox("Reconstruction beside SHINBO's", others, key=f"insp_recon_{run_name}") if others else None
    shown_models = [methods[0]] + ([methods[1:][others.index(pick)]] if pick else [])
    figs = {
        "X vs WH": plots.reconstruction_pair(S.X, [m.result.W @ m.result.H for m in shown_models], S.freqs, S.times,
                                             names=["X"] + [f"W H ({m.name})" for m in shown_models]),
        "λ history": plots.lambda_grid(methods),
        "H rows": plots.h_rows_grid(methods, S.times),
        "W columns": plots.w_columns_grid(methods, S.freqs),
        "envelope spectra": plots.envelope_grid(methods, fault),
    }

for k, (title, fig) in enumerate(figs.items()):
    st.plotly_chart(fig, key=f"insp_fig_{k}")

if run["kind"] == "signal":
    st.subheader("Listen to the components")
    c1, c2 = st.columns(2)
    who = c1.selectbox("Method", [m.name for m in methods], key=f"insp_audio_m_{run_name}")
    m = methods[[x.name for x in methods].index(who)]
    comp = c2.selectbox("Component", list(range(1, m.components.shape[0] + 1)), index=m.soi.index, key=f"insp_audio_c_{run_name}_{who}",
                        format_func=lambda c: f"{c}" + (" (SOI)" if c - 1 == m.soi.index else ""))
    y = m.components[comp - 1]
    st.audio(y / max(np.abs(y).max(), 1e-12), sample_rate=int(round(res.fs)))

st.subheader("Downloads")
c1, c2, c3, c4 = st.columns(4)
c1.download_button("Results (NPZ)", export.results_npz(res.results, [r["method"] for r in full_table], cfg),
                   f"{run_name}.npz", mime="application/octet-stream", key="dl_npz")
c2.download_button("Metrics (CSV)", export.table_csv(full_table), f"{run_name}-metrics.csv", mime="text/csv",
                   key="dl_csv")
c3.download_button("Configuration (JSON)", export.config_json(cfg), f"{run_name}-config.json",
                   mime="application/json", key="dl_cfg")
which = c4.selectbox("Figure as interactive HTML", list(figs), key=f"dl_fig_pick_{run_name}")
c4.download_button("Download figure", figs[which].to_html(include_plotlyjs="cdn"), f"{run_name}-{which}.html",
                   mime="text/html", key="dl_fig")
