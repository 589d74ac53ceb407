import time

import numpy as np
import streamlit as st

import shinbo
from pages import state
from shinbo import experiments, export, plots

try:  # Streamlit interrupts a running script by raising these at its next st.* call
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException
    _INTERRUPTS = (RerunException, StopException)
except ImportError:  # pragma: no cover - other Streamlit versions
    _INTERRUPTS = ()

state.init()
st.title("Run")
rec = state.require_signal()
cfg = st.session_state[state.CONFIG]
st.caption(f"Signal: **{rec['name']}**" + (f" · fault {rec['fault_name']} = {rec['fault_hz']:.2f} Hz"
                                           if rec.get("fault_hz") else ""))

with st.expander("Load a saved configuration (JSON from the Inspect page)"):
    cf = st.file_uploader("Configuration", type=["json"], key="cfg_upload")
    if cf is not None and st.button("Apply configuration", key="cfg_apply"):
        try:
            cfg.update(export.parse_config_json(cf.getvalue().decode("utf-8", errors="replace")))
            for k in list(st.session_state):
                if k.startswith("w_"):
                    del st.session_state[k]
            st.rerun()
        except shinbo.ShinboError as exc:
            state.show_error(exc)

max_rank = min(rec["X"].shape) if rec["kind"] == "matrix" else 12
c1, c2, c3, c4 = st.columns(4)
rank = c1.number_input("r (components)", 1, max_rank, min(int(cfg["rank"]), max_rank), key="w_rank")
T = c2.number_input("T (inner steps per row)", 1, 20, int(cfg["T"]), key="w_T")
alpha = c3.number_input("α (λ step size)", 0.0, 1e6, float(cfg["alpha"]), format="%g", key="w_alpha")
max_iter = c4.number_input("max iterations", 1, 20000, int(cfg["max_iter"]), key="w_max_iter")
with st.expander("More settings"):
    d1, d2, d3, d4 = st.columns(4)
    tol = d1.number_input("tolerance", 0.0, 1.0, float(cfg["tol"]), format="%g", key="w_tol")
    init = d2.selectbox("init", ["nndsvda", "nndsvd", "random"], index=["nndsvda", "nndsvd", "random"].index(cfg["init"]),
                        key="w_init")
    lam_mode = d3.selectbox("λ0", ["uniform U[0,1]", "one value"],
                            index=0 if cfg["lambda0"] == "uniform" else 1, key="w_lam_mode")
    lam_value = d3.number_input("λ0 value", 0.0, 10.0, 0.1 if cfg["lambda0"] == "uniform" else float(np.mean(cfg["lambda0"])),
                                key="w_lam_value", disabled=lam_mode.startswith("uniform"))
    gamma = d4.selectbox("γ (MU exponent)", [1.0, 0.5], index=[1.0, 0.5].index(float(cfg["gamma"])),
                         format_func=lambda g: "1 (paper)" if g == 1.0 else "1/2 (monotone MM)", key="w_gamma")
    e1, e2, e3 = st.columns(3)
    outer = e1.selectbox("outer objective", ["reconstruction", "holdout"],
                         index=["reconstruction", "holdout"].index(cfg["outer"]), key="w_outer")
    holdout = e2.slider("holdout fraction", 0.05, 0.5, float(cfg.get("holdout", 0.2)), 0.05, key="w_holdout",
                        disabled=outer != "holdout")
    seed = e3.number_input("seed", 0, 1_000_000, int(cfg["seed"]), key="w_seed")
    f1, f2 = st.columns(2)
    warm = f1.number_input("warm start: joint MU iterations before SHINBO (0 = the paper)", 0, 5000,
                           int(cfg.get("warm_start", 0)), key="w_warm")
    step = f2.selectbox("λ step", ["fixed", "normalized"], index=["fixed", "normalized"].index(cfg.get("step", "fixed")),
                        format_func=lambda s: "fixed: λ − α·∂R/∂λ (the paper)" if s == "fixed"
                        else "normalized: α = largest λ change per iteration", key="w_step")
b1, b2 = st.columns([3, 1])
baselines = b1.multiselect("MU baselines (fixed λ)", [0.0, 0.1, 0.5], default=[b for b in cfg["baselines"] if b in (0.0, 0.1, 0.5)],
                           key="w_baselines")
custom = b2.number_input("custom λ (0 = none)", 0.0, 10.0, 0.0, format="%g", key="w_custom")
lams = sorted(set(baselines) | ({custom} if custom > 0 else set()))
run_name = st.text_input("Run name", f"run {len(state.runs()) + 1}")  # no key: the default advances

config = dict(rank=int(rank), T=int(T), alpha=float(alpha), max_iter=int(max_iter), tol=float(tol), init=init,
              lambda0="uniform" if lam_mode.startswith("uniform") else float(lam_value), gamma=float(gamma),
              outer=outer, seed=int(seed), baselines=lams, holdout=float(holdout), warm_start=int(warm), step=step)
st.session_state[state.CONFIG] = config

go_col, stop_col = st.columns([1, 1])
go = go_col.button("Run SHINBO and the baselines", type="primary", key="run_go")
stop_col.button("Stop", key="run_stop", help="Ends the run cleanly and keeps what was computed")


class LiveProgress:
    """The fit callback: progress bars, numbers and the λ curves, redrawn at most ~10 % of the time."""

    BAR_EVERY = 0.3    # s between progress-bar updates
    CHART_EVERY = 1.0  # s between redraws of the λ curves (each one also costs the browser a re-render)

    def __init__(self, n_methods):
        self.bar_main = st.progress(0.0, text="SHINBO: starting…")
        self.bar_base = st.progress(0.0, text="Baselines: waiting for SHINBO") if n_methods > 1 else None
        self.chart = st.empty()
        self.interrupt = None
        self.last_bar = self.last_chart = time.perf_counter()
        self.chart_cost = 0.0
        self.lams = []

    def __call__(self, ev):
        if self.interrupt is not None:
            return False
        try:
            self._show(ev)
        except _INTERRUPTS as exc:  # Stop (or another widget) was clicked: end cleanly, keep the result
            self.interrupt = exc
            return False
        return True

    def _show(self, ev):
        if ev.stage != "iteration":
            if ev.stage == "done" and ev.method_index == 0:
                self.bar_main.progress(1.0, text="SHINBO: done")
                self.chart.plotly_chart(plots.lambda_history(np.array(self.lams), title="λ per row"), key="live_final")
            return
        info = ev.info
        frac = min(info.iteration / info.max_iter, 1.0)
        text = (f"{ev.method}: iteration {info.iteration}/{info.max_iter} · objective {info.objective:.5f} · "
                f"{info.elapsed:.1f} s")
        now = time.perf_counter()
        if ev.method_index == 0:
            self.lams.append(info.lambdas)
            if now - self.last_bar >= self.BAR_EVERY:
                self.bar_main.progress(frac, text=text)
                self.last_bar = now
            if now - self.last_chart >= max(self.CHART_EVERY, 20 * self.chart_cost):
                self.chart.plotly_chart(plots.lambda_history(np.array(self.lams), title="λ per row (live)"),
                                        key=f"live_{len(self.lams)}")
                self.last_chart = time.perf_counter()
                self.chart_cost = self.last_chart - now
        elif self.bar_base is not None and now - self.last_bar >= self.BAR_EVERY:
            overall = (ev.method_index - 1 + frac) / (ev.n_methods - 1)
            self.bar_base.progress(min(overall, 1.0), text=text)
            self.last_bar = now


if go:
    methods = experiments.default_methods(
        lams, dict(T=config["T"], alpha=config["alpha"], max_iter=config["max_iter"], tol=config["tol"],
                   init=config["init"], lambda0=config["lambda0"], gamma=config["gamma"], outer=config["outer"],
                   holdout=config["holdout"], warm_start=config["warm_start"], step=config["step"]))
    registry = state.runs()  # taken before the run: after a Stop no st.* call may be made
    live = LiveProgress(len(methods))
    t0 = time.perf_counter()
    try:
        if rec["kind"] == "matrix":
            result = experiments.analyze_matrix(rec["X"], config["rank"], methods=methods, W_true=rec["W_true"],
                                                H_true=rec["H_true"], seed=config["seed"], progress=live)
            n_done = len(result.results)
        else:
            S = state.cached_spectrogram(rec["x"], rec["fs"], rec["nfft"], rec["hop"], rec["window"])
            result = experiments.analyze_signal(rec["x"], rec["fs"], rank=config["rank"], fault_hz=rec.get("fault_hz"),
                                                methods=methods, seed=config["seed"], progress=live, spectrogram=S)
            n_done = len(result.methods)
    except shinbo.ShinboError as exc:
        state.show_error(exc)
        result = None
    if result is not None and n_done:
        state.add_run(registry, dict(name=run_name, kind=rec["kind"], config=config, result=result, signal=rec["name"],
                                     seconds=time.perf_counter() - t0, stopped=live.interrupt is not None))
    if live.interrupt is not None:
        raise live.interrupt  # let Streamlit carry on with the click that stopped us

last = state.last_run_name()
if last:
    run = state.runs()[last]
    res = run["result"]
    table = experiments.comparison_table(res)
    st.success(f"**{last}** finished in {run['seconds']:.1f} s" + (" (stopped early; what was computed is kept)"
                                                                      if run["stopped"] else ""))
    c1, c2 = st.columns(2)
    c1.plotly_chart(plots.lambda_history(res.results[0].history["lambdas"], title="SHINBO: λ per row"), key="run_lam")
    c2.plotly_chart(plots.objective_history({t["method"]: r.history["objective"] for t, r in zip(table, res.results)}),
                    key="run_obj")
    st.dataframe(table, hide_index=True)
    st.page_link("pages/inspect.py", label="Inspect this run side by side →", icon=":material/search:")
