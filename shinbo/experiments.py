"""The one place that runs "SHINBO vs the MU baselines", on a signal or on synthetic matrices.

The command line, the app's Run and Benchmark pages and ``benchmarks/`` all call these
functions, so they can never disagree about what a comparison is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import analysis, metrics, spectral
from .bilevel import fit_shinbo
from .errors import InvalidParameterError
from .nmf import FitResult, IterationInfo, fit_mu, initialize, normalize_columns
from .signals import synthetic_nmf

__all__ = ["MethodSpec", "default_methods", "ProgressEvent", "run_methods", "MethodAnalysis",
           "SignalAnalysis", "analyze_signal", "analyze_components", "synthetic_study", "summarize_study",
           "DEMO_RANK", "toy_problem", "load_study", "STUDY_TABLES"]

DEMO_RANK = 4


@dataclass
class MethodSpec:
    """A method to run: ``kind`` "shinbo" or "mu", a display ``name`` and its keyword arguments."""

    name: str
    kind: str
    params: dict = field(default_factory=dict)

    def fit(self, X, rank, *, seed=None, callback=None) -> FitResult:
        if self.kind == "shinbo":
            return fit_shinbo(X, rank, seed=seed, callback=callback, **self.params)
        if self.kind == "mu":
            return fit_mu(X, rank, seed=seed, callback=callback, **self.params)
        raise InvalidParameterError(f"method kind must be 'shinbo' or 'mu'; got {self.kind!r}")


def mu_name(lam) -> str:
    return f"MU λ={float(lam):g}"


def default_methods(baselines=(0.0, 0.1, 0.5), shinbo_params: dict | None = None,
                    mu_params: dict | None = None) -> list[MethodSpec]:
    """SHINBO followed by one fixed-λ MU per value in ``baselines``.

    ``mu_params`` (e.g. ``gamma``, ``max_iter``, ``tol``) are shared by the baselines; the
    conventions that matter for a fair comparison (``gamma``, ``tol``, ``init``) are taken
    from ``shinbo_params`` unless given.
    """
    sp = dict(shinbo_params or {})
    # the baselines share the conventions that make a comparison fair; SHINBO-only options
    # (T, alpha, lambda0, outer, holdout, warm_start, step) stay with SHINBO
    shared = {k: sp[k] for k in ("gamma", "tol", "init", "dtype", "backend") if k in sp}
    if "max_iter" in sp:
        shared["max_iter"] = sp["max_iter"]
    shared.update(mu_params or {})
    methods = [MethodSpec("SHINBO", "shinbo", sp)]
    for lam in baselines:
        methods.append(MethodSpec(mu_name(lam), "mu", dict(shared, lam=float(lam))))
    return methods


@dataclass
class ProgressEvent:
    """Progress of a multi-method run: which method, which iteration."""

    method: str
    method_index: int
    n_methods: int
    info: IterationInfo | None  # None when a method starts or ends
    stage: str                  # "start", "iteration", "done"


def run_methods(X, rank, methods: list[MethodSpec], *, seed=None,
                progress: Callable[[ProgressEvent], Any] | None = None) -> list[FitResult]:
    """Fit every method on X in turn; ``progress`` may return False to stop (the rest are skipped)."""
    results = []
    cancelled = False
    for k, spec in enumerate(methods):
        if cancelled:
            break
        if progress is not None and progress(ProgressEvent(spec.name, k, len(methods), None, "start")) is False:
            break

        def cb(info, spec=spec, k=k):
            nonlocal cancelled
            if progress is None:
                return True
            go = progress(ProgressEvent(spec.name, k, len(methods), info, "iteration"))
            if go is False:
                cancelled = True
            return go

        res = spec.fit(X, rank, seed=seed, callback=cb)
        res.config["name"] = spec.name
        results.append(res)
        if progress is not None:
            progress(ProgressEvent(spec.name, k, len(methods), None, "done"))
    return results


# --------------------------------------------------------------------------------------
# A recording
# --------------------------------------------------------------------------------------

@dataclass
class MethodAnalysis:
    """One method's factorization of a recording, and what its components say."""

    name: str
    result: FitResult
    components: np.ndarray          # (r, N) time signals
    envsi: np.ndarray               # (r,) ENVSI of each component (nan without a fault frequency)
    kurtosis: np.ndarray            # (r,) envelope kurtosis
    soi: analysis.SoiChoice
    soi_peak_hz: float
    spectra: list                   # EnvelopeSpectrum per component (up to max_hz)

    @property
    def soi_envsi(self) -> float:
        return float(self.envsi[self.soi.index]) if np.isfinite(self.envsi[self.soi.index]) else float("nan")


@dataclass
class SignalAnalysis:
    """A whole comparison on one recording."""

    spectrogram: spectral.Spectrogram
    fs: float
    fault_hz: float | None
    raw_envsi: float
    raw_peak_hz: float
    raw_spectrum: analysis.EnvelopeSpectrum
    methods: list[MethodAnalysis]
    settings: dict

    @property
    def results(self) -> list[FitResult]:
        """The fits, in method order (as :attr:`MatrixAnalysis.results`)."""
        return [m.result for m in self.methods]


def analyze_components(S: spectral.Spectrogram, res: FitResult, fault_hz, *, name="", reconstruction="wiener",
                       peak_band=(20.0, 500.0), max_hz=None, envsi_kwargs=None) -> MethodAnalysis:
    """Component signals, envelope spectra, ENVSI and the SOI of one factorization."""
    envsi_kwargs = envsi_kwargs or {}
    if reconstruction == "wiener":
        comps = spectral.wiener_components(S, res.W, res.H)
    elif reconstruction == "wfilter":
        comps = spectral.wfilter_components(S, res.W)
    else:
        raise InvalidParameterError(f"reconstruction must be 'wiener' or 'wfilter'; got {reconstruction!r}")
    specs = [analysis.envelope_spectrum(c, S.fs) for c in comps]
    env = np.array([analysis.envsi(sp, fault_hz, **envsi_kwargs) if fault_hz else np.nan for sp in specs])
    kurt = np.array([analysis.envelope_kurtosis(c) for c in comps])
    soi = analysis.select_soi(comps, S.fs, fault_hz, **envsi_kwargs)
    peak, _ = analysis.dominant_peak(specs[soi.index], peak_band)
    hi = max_hz or (max(peak_band[1], (envsi_kwargs.get("harmonics", 3) + 1) * (fault_hz or 0)))
    cut = [analysis.EnvelopeSpectrum(sp.freqs[sp.freqs <= hi], sp.amplitude[sp.freqs <= hi]) for sp in specs]
    return MethodAnalysis(name=name or res.method, result=res, components=comps, envsi=env, kurtosis=kurt,
                          soi=soi, soi_peak_hz=peak, spectra=cut)


def analyze_signal(x, fs: float, *, rank: int = DEMO_RANK, fault_hz: float | None = None,
                   methods: list[MethodSpec] | None = None, nfft: int = spectral.DEFAULT_NFFT,
                   hop: int = spectral.DEFAULT_HOP, window: str = "hann", seed: int | None = 0,
                   reconstruction: str = "wiener", peak_band=(20.0, 500.0), envsi_kwargs: dict | None = None,
                   progress: Callable[[ProgressEvent], Any] | None = None,
                   spectrogram: spectral.Spectrogram | None = None) -> SignalAnalysis:
    """Spectrogram → every method → component signals → envelope spectra, ENVSI, SOI.

    Parameters
    ----------
    x : array (N,)
        The recording.
    fs : float
        Sampling rate, Hz.
    rank : int, default 4
        Number of components (the paper uses 4 on its bearing recording).
    fault_hz : float or None
        The fault frequency to score ENVSI at; without it, ENVSI is nan and the SOI is
        chosen by envelope kurtosis.
    methods : list of MethodSpec, default :func:`default_methods`
    nfft, hop, window : STFT parameters (see :func:`shinbo.spectral.spectrogram`).
    seed : int or None, default 0
    reconstruction : {"wiener", "wfilter"}, default "wiener"
    peak_band : (float, float), Hz, default (20, 500)
        Where the dominant envelope peak is looked for.
    envsi_kwargs : dict, optional
        ``harmonics``, ``tol``, ``method`` for :func:`shinbo.analysis.envsi`.
    progress : callable(ProgressEvent), optional
    spectrogram : Spectrogram, optional
        Reuse one already computed from ``x`` with the same parameters.
    """
    envsi_kwargs = envsi_kwargs or {}
    S = spectrogram if spectrogram is not None else spectral.spectrogram(x, fs, nfft=nfft, hop=hop, window=window)
    methods = default_methods() if methods is None else methods
    raw_spec = analysis.envelope_spectrum(x, fs)
    raw_envsi = analysis.envsi(raw_spec, fault_hz, **envsi_kwargs) if fault_hz else float("nan")
    raw_peak, _ = analysis.dominant_peak(raw_spec, peak_band)
    t0 = time.perf_counter()
    results = run_methods(S.X, rank, methods, seed=seed, progress=progress)
    out = [analyze_components(S, res, fault_hz, name=spec.name, reconstruction=reconstruction,
                              peak_band=peak_band, envsi_kwargs=envsi_kwargs)
           for spec, res in zip(methods, results)]
    hi = max(peak_band[1], (envsi_kwargs.get("harmonics", 3) + 1) * (fault_hz or 0))
    keep = raw_spec.freqs <= hi
    settings = dict(rank=rank, fault_hz=fault_hz, nfft=S.nfft, hop=S.hop, window=S.window, seed=seed,
                    reconstruction=reconstruction, peak_band=list(peak_band), envsi=envsi_kwargs,
                    seconds=time.perf_counter() - t0)
    return SignalAnalysis(spectrogram=S, fs=fs, fault_hz=fault_hz, raw_envsi=raw_envsi, raw_peak_hz=raw_peak,
                          raw_spectrum=analysis.EnvelopeSpectrum(raw_spec.freqs[keep], raw_spec.amplitude[keep]),
                          methods=out, settings=settings)


# --------------------------------------------------------------------------------------
# The paper's synthetic protocol
# --------------------------------------------------------------------------------------

def synthetic_study(*, m=100, n=70, r=3, w_zeros=0.1, h_zeros=0.7, noises=(0.0,), seeds=range(5),
                    methods: list[MethodSpec] | None = None,
                    progress: Callable[[dict], Any] | None = None) -> list[dict]:
    """Monte Carlo over seeds and noise levels; one row per (noise, seed, method).

    Each row: ``method``, ``noise``, ``seed``, ``sir_h``, ``sir_w`` (medians over components,
    dB), ``sparsity`` (% near-zero entries of H), ``hoyer`` (mean over rows), ``n_iter``,
    ``converged``, ``seconds``, ``final_lambdas``. The data seed and the method seed are the
    same number, so every method sees the same matrix and the same initialization.
    ``progress(dict)`` is called after each fit (keys ``done``, ``total``, ``row``) and may
    return False to stop.
    """
    methods = default_methods() if methods is None else methods
    seeds = list(seeds)
    noises = list(noises)
    total = len(seeds) * len(noises) * len(methods)
    rows = []
    for noise in noises:
        for s in seeds:
            data = synthetic_nmf(m, n, r, w_zeros=w_zeros, h_zeros=h_zeros, noise=noise, seed=s)
            for spec in methods:
                res = spec.fit(data.X, r, seed=s)
                row = dict(method=spec.name, noise=float(noise), seed=int(s),
                           sir_h=metrics.sir_h(data.H, res.H).median,
                           sir_w=metrics.sir_w(data.W, res.W).median,
                           sparsity=metrics.sparsity_zeros(res.H),
                           hoyer=float(np.mean(metrics.hoyer(res.H))),
                           n_iter=res.n_iter, converged=bool(res.converged), seconds=res.seconds,
                           final_lambdas=res.lambdas.tolist())
                rows.append(row)
                if progress is not None and progress(dict(done=len(rows), total=total, row=row)) is False:
                    return rows
    return rows


def summarize_study(rows: list[dict], keys=("sir_h", "sir_w", "sparsity", "seconds")) -> list[dict]:
    """Median (and IQR) of each metric per (method, noise), in the order methods first appear,
    with the number of runs and (when the rows say) how many converged."""
    out = []
    groups: dict = {}
    for row in rows:
        groups.setdefault((row["method"], row["noise"]), []).append(row)
    for (method, noise), rs in groups.items():
        entry = dict(method=method, noise=noise, runs=len(rs))
        for k in keys:
            v = np.array([r[k] for r in rs], dtype=np.float64)
            entry[k] = float(np.median(v))
            entry[k + "_iqr"] = float(np.subtract(*np.percentile(v, [75, 25])))
        if "converged" in rs[0]:
            entry["converged"] = sum(bool(r["converged"]) for r in rs)
        out.append(entry)
    return out


# --------------------------------------------------------------------------------------
# Synthetic matrices with ground truth, and tables for display
# --------------------------------------------------------------------------------------

@dataclass
class MatrixAnalysis:
    """Every method on one matrix with known factors."""

    X: np.ndarray
    W_true: np.ndarray | None
    H_true: np.ndarray | None
    results: list[FitResult]
    names: list[str]


def analyze_matrix(X, rank, *, methods: list[MethodSpec] | None = None, W_true=None, H_true=None, seed=0,
                   progress=None) -> MatrixAnalysis:
    """Fit every method on a matrix (e.g. :func:`shinbo.synthetic_nmf`), keeping the truth for SIR."""
    methods = default_methods() if methods is None else methods
    results = run_methods(X, rank, methods, seed=seed, progress=progress)
    return MatrixAnalysis(np.asarray(X), W_true, H_true, results, [m.name for m in methods[:len(results)]])


def comparison_table(obj, *, soi_truth=None) -> list[dict]:
    """One row per method: what the Inspect page and the CLI show.

    For a :class:`SignalAnalysis`: SOI component (1-based), its ENVSI, the rule that chose it,
    its dominant envelope peak, IS divergence, Sparsity(H), Hoyer, iterations, seconds. For a
    :class:`MatrixAnalysis` with truth: SIR_H and SIR_W (median dB) as well.
    """
    rows = []
    if isinstance(obj, SignalAnalysis):
        for m in obj.methods:
            r = m.result
            rows.append({"method": m.name, "SOI component": m.soi.index + 1, "SOI rule": m.soi.rule,
                         "SOI ENVSI": m.soi_envsi, "SOI peak (Hz)": m.soi_peak_hz,
                         "IS divergence": r.objective, "Sparsity(H) %": metrics.sparsity_zeros(r.H),
                         "Hoyer(H)": float(np.mean(metrics.hoyer(r.H))), "iterations": r.n_iter,
                         "converged": r.converged, "stopped": r.stopped, "seconds": r.seconds})
        return rows
    for name, r in zip(obj.names, obj.results):
        row = {"method": name, "IS divergence": r.objective, "Sparsity(H) %": metrics.sparsity_zeros(r.H),
               "Hoyer(H)": float(np.mean(metrics.hoyer(r.H))), "iterations": r.n_iter, "converged": r.converged,
               "stopped": r.stopped, "seconds": r.seconds}
        if obj.H_true is not None:
            row["SIR_H (dB)"] = metrics.sir_h(obj.H_true, r.H).median
        if obj.W_true is not None:
            row["SIR_W (dB)"] = metrics.sir_w(obj.W_true, r.W).median
        rows.append(row)
    return rows


# the direction in which each column of comparison_table is better
BETTER = {"SOI ENVSI": "max", "IS divergence": "min", "Sparsity(H) %": "max", "Hoyer(H)": "max",
          "SIR_H (dB)": "max", "SIR_W (dB)": "max", "seconds": "min"}


def best_rows(rows: list[dict]) -> dict:
    """For each column of :data:`BETTER` present, the index of the best row."""
    out = {}
    for key, how in BETTER.items():
        vals = [(i, r[key]) for i, r in enumerate(rows) if key in r and r[key] is not None and np.isfinite(r[key])]
        if vals:
            out[key] = (max if how == "max" else min)(vals, key=lambda t: t[1])[0]
    return out


def sensitivity_grid(T_values=(1, 2, 4, 8), alphas=(1.0, 10.0, 100.0, 1000.0), *, seeds=range(3), noise=0.0,
                     m=100, n=70, r=3, w_zeros=0.1, h_zeros=0.7, shinbo_params: dict | None = None,
                     progress: Callable[[dict], Any] | None = None) -> dict:
    """SHINBO's median SIR_H (dB) and mean final λ over seeds for each (T, α) on the synthetic protocol.

    Returns ``{"T": [...], "alpha": [...], "sir_h": (len T, len α), "final_lambda": (len T, len α)}``.
    """
    T_values, alphas, seeds = list(T_values), list(alphas), list(seeds)
    sir = np.full((len(T_values), len(alphas)), np.nan)
    lam = np.full_like(sir, np.nan)
    data = [synthetic_nmf(m, n, r, w_zeros=w_zeros, h_zeros=h_zeros, noise=noise, seed=s) for s in seeds]
    total, done = sir.size * len(seeds), 0
    for i, T in enumerate(T_values):
        for j, a in enumerate(alphas):
            vals, lams = [], []
            for s, d in zip(seeds, data):
                res = fit_shinbo(d.X, r, T=T, alpha=a, seed=s, **(shinbo_params or {}))
                vals.append(metrics.sir_h(d.H, res.H).median)
                lams.append(float(np.mean(res.lambdas)))
                done += 1
                if progress is not None and progress(dict(done=done, total=total, T=T, alpha=a)) is False:
                    return dict(T=T_values, alpha=alphas, sir_h=sir, final_lambda=lam)
            sir[i, j] = np.median(vals)
            lam[i, j] = np.mean(lams)
    return dict(T=T_values, alpha=alphas, sir_h=sir, final_lambda=lam)


def paired_wins(rows: list[dict], metrics=("sir_h",), reference: str = "SHINBO") -> list[dict]:
    """Per noise level, paired on the seed: ``reference`` minus the best other method.

    The best other method of a seed is the one with the highest ``metrics[0]``; for each
    metric m the median of the differences is ``median_<m>_difference``, and ``shinbo_wins``
    counts the seeds where the reference is ahead on ``metrics[0]``.
    """
    out = []
    for noise in sorted({r["noise"] for r in rows}):
        by_seed: dict = {}
        for r in rows:
            if r["noise"] == noise:
                by_seed.setdefault(r["seed"], {})[r["method"]] = r
        diffs = {m: [] for m in metrics}
        for d in by_seed.values():
            others = [r for k, r in d.items() if k != reference]
            if reference in d and others:
                best = max(others, key=lambda r: r[metrics[0]])
                for m in metrics:
                    diffs[m].append(d[reference][m] - best[m])
        first = diffs[metrics[0]]
        if first:
            entry = dict(noise=noise, seeds=len(first))
            entry.update({f"median_{m}_difference": float(np.median(diffs[m])) for m in metrics})
            entry["shinbo_wins"] = int(np.sum(np.array(first) > 0))
            out.append(entry)
    return out


def toy_problem(seed: int = 0, *, m: int = 40, n: int = 30, r: int = 3, noise: float = 0.05):
    """A small problem to watch one row's T-step dynamics on (the app's Learn page).

    Returns ``(X, W, H)``: a synthetic X (:func:`shinbo.synthetic_nmf`) divided by its mean, and
    its NNDSVDa initialization with unit-ℓ1 columns of W, i.e. the state SHINBO's first inner
    steps start from.
    """
    toy = synthetic_nmf(m, n, r, noise=noise, seed=seed)
    X = toy.X / toy.X.mean()
    W, H = normalize_columns(*initialize(X, r, "nndsvda"))
    return X, W, H


STUDY_TABLES = {"synthetic_summary": "Synthetic protocol (medians over seeds)",
                "synthetic_paired": "Paired per seed: SHINBO minus the best fixed-λ baseline",
                "ablation_summary": "Ablations", "sensitivity": "Sensitivity to T and α",
                "bearing_summary": "Bearing data (simulator and CWRU)"}


def load_study(results_dir) -> dict:
    """The tables ``benchmarks/reproduce.py`` wrote (``{name: list of dict}``), numbers parsed.

    Missing files are left out; an empty dict means no study has been run there.
    """
    import csv
    from pathlib import Path

    out = {}
    for name in STUDY_TABLES:
        path = Path(results_dir) / f"{name}.csv"
        if not path.is_file():
            continue
        rows = []
        with path.open(newline="") as f:
            for r in csv.DictReader(f):
                parsed = {}
                for k, v in r.items():
                    try:
                        parsed[k] = float(v) if v not in ("", "True", "False") else v
                    except ValueError:
                        parsed[k] = v
                rows.append(parsed)
        out[name] = rows
    return out
