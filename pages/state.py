"""Session-state helpers shared by the pages: the loaded signal, the run registry, cached work.

Everything here is UI glue; the computations are calls into ``shinbo``.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import streamlit as st

import shinbo
from shinbo import analysis, bearings, kernels, signals, spectral

SIGNAL = "signal"
RUNS = "runs"
CONFIG = "run_config"

DEFAULT_CONFIG = dict(rank=4, T=4, alpha=shinbo.bilevel.DEFAULT_ALPHA, max_iter=shinbo.bilevel.DEFAULT_MAX_ITER,
                      tol=1e-6, init="nndsvda", lambda0="uniform", gamma=1.0, outer="reconstruction", seed=0,
                      baselines=[0.0, 0.1, 0.5], holdout=0.2, warm_start=0, step="fixed")


@st.cache_resource(show_spinner=False)
def _warm_up():
    # compile (or load from the on-disk cache) the Numba kernels while the visitor reads the page
    return kernels.warm_up_async()


def init() -> None:
    """Defaults for a fresh session; start the kernel warm-up."""
    st.session_state.setdefault(SIGNAL, None)
    st.session_state.setdefault(RUNS, {})
    st.session_state.setdefault(CONFIG, dict(DEFAULT_CONFIG))
    _warm_up()


def signal():
    return st.session_state.get(SIGNAL)


def set_signal(record: dict) -> None:
    st.session_state[SIGNAL] = record


def runs() -> dict:
    return st.session_state.setdefault(RUNS, {})


def add_run(registry: dict, record: dict) -> str:
    """Store a run under a unique name in ``registry`` (the dict from :func:`runs`).

    Plain dict work only: it must not touch ``st.*`` because it runs right after Streamlit
    interrupted the script (Stop), when any Streamlit call would end the script at once.
    """
    base = record.get("name") or f"run {len(registry) + 1}"
    name, k = base, 2
    while name in registry:
        name, k = f"{base} ({k})", k + 1
    record["name"] = name
    record["created"] = _dt.datetime.now().strftime("%H:%M:%S")
    registry[name] = record  # a new key: the newest run is the registry's last entry
    return name


def last_run_name() -> str | None:
    reg = runs()
    return next(reversed(reg)) if reg else None


def demo_record() -> dict:
    """The built-in demo: the bearing simulator's default."""
    sim = signals.simulate_bearing()
    return recording_record(sim.x, sim.fs, "demo: simulated outer-race fault", rpm=sim.rpm, fault_hz=sim.fault_hz,
                            fault_name="simulated fault (107.3 Hz)", soi=sim.soi, params=sim.params)


def recording_record(x, fs, name, *, rpm=None, fault_hz=None, fault_name=None, soi=None, params=None,
                     notes=None, bearing="cwru-de") -> dict:
    return dict(kind="signal", x=np.asarray(x, dtype=np.float64), fs=float(fs), name=name, rpm=rpm,
                fault_hz=fault_hz, fault_name=fault_name, soi=soi, params=params or {}, notes=notes or [],
                bearing=bearing, nfft=spectral.DEFAULT_NFFT, hop=spectral.DEFAULT_HOP, window="hann")


def matrix_record(data: shinbo.SyntheticData, params: dict) -> dict:
    return dict(kind="matrix", X=data.X, W_true=data.W, H_true=data.H, name="synthetic matrix "
                f"{data.X.shape[0]}×{data.X.shape[1]}, r={data.W.shape[1]}, ε={data.noise:g}", params=params)


def set_rank(r: int) -> None:
    """Make r the Run page's rank (and forget the widget's own value)."""
    st.session_state[CONFIG]["rank"] = int(r)
    st.session_state.pop("w_rank", None)


def load_demo() -> None:
    set_signal(demo_record())


@st.cache_data(show_spinner="Computing the spectrogram…", max_entries=8)
def cached_spectrogram(x: np.ndarray, fs: float, nfft: int, hop: int, window: str) -> spectral.Spectrogram:
    return spectral.spectrogram(x, fs, nfft=nfft, hop=hop, window=window)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_envelope(x: np.ndarray, fs: float) -> analysis.EnvelopeSpectrum:
    return analysis.envelope_spectrum(x, fs, max_hz=2000.0)


def require_signal(kind: str | None = None):
    """The loaded signal, or a friendly stop with the way to get one."""
    rec = signal()
    if rec is None or (kind and rec["kind"] != kind):
        st.info("No signal is loaded yet. Load the built-in demo, or pick a source on the **Signal** page.")
        c1, c2 = st.columns(2)
        if c1.button("Load the demo signal", key="need_demo", type="primary"):
            load_demo()
            st.rerun()
        c2.page_link("pages/signal.py", label="Go to the Signal page", icon=":material/graphic_eq:")
        st.stop()
    return rec


def fault_markers(rec: dict) -> dict:
    """BPFO/BPFI/BSF/FTF lines for the envelope plots, when the shaft speed is known."""
    if not rec.get("rpm"):
        return {}
    try:
        f = bearings.fault_frequencies(rec["rpm"], rec.get("bearing", "cwru-de"))
    except ValueError:
        return {}
    return {"BPFO": f["bpfo"], "BPFI": f["bpfi"], "2·BSF": f["2bsf"], "FTF": f["ftf"]}


def show_error(exc: Exception) -> None:
    st.error(f"{exc}", icon=":material/error:")
