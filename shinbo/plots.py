"""Plotly figure builders: data in, ``go.Figure`` out (no Streamlit, testable on their own).

Large inputs are decimated for display only (a waveform by min/max per pixel column, a
spectrogram by averaging frames), so a page stays responsive with long recordings.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

__all__ = ["waveform", "spectrogram_heatmap", "envelope_spectrum", "lambda_history", "objective_history",
           "h_rows", "w_columns", "reconstruction_pair", "envelope_grid", "h_rows_grid", "rows_grid", "w_columns_grid",
           "lambda_grid", "study_boxes", "sensitivity_heatmap", "row_trajectory", "COLORS", "decimate_minmax"]

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
_LAYOUT = dict(template="plotly_white", margin=dict(l=50, r=20, t=50, b=40))


def _fig(**kw) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(**_LAYOUT, **kw)
    return fig


def decimate_minmax(x, max_points: int = 4000):
    """Indices and values that keep each bucket's min and max: a faithful picture of a long trace."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    if n <= max_points:
        return np.arange(n), x
    buckets = max(1, max_points // 2)
    edges = np.linspace(0, n, buckets + 1).astype(int)
    idx = []
    for a, b in zip(edges[:-1], edges[1:]):
        seg = x[a:b]
        i, j = a + int(np.argmin(seg)), a + int(np.argmax(seg))
        idx.extend(sorted((i, j)))
    idx = np.array(idx)
    return idx, x[idx]


def waveform(x, fs: float, *, title: str = "Waveform", max_points: int = 4000, name: str = "signal",
             overlay=None, overlay_name: str = "clean SOI") -> go.Figure:
    """The signal over time (s), min/max-decimated to ``max_points`` for display."""
    idx, y = decimate_minmax(x, max_points)
    fig = _fig(title=title, xaxis_title="time (s)", yaxis_title="amplitude", height=280)
    fig.add_trace(go.Scattergl(x=idx / fs, y=y, mode="lines", name=name, line=dict(width=1, color=COLORS[0])))
    if overlay is not None:
        idx2, y2 = decimate_minmax(overlay, max_points)
        fig.add_trace(go.Scattergl(x=idx2 / fs, y=y2, mode="lines", name=overlay_name,
                                   line=dict(width=1, color=COLORS[1])))
    return fig


def _db(X, floor_db=-120.0):
    X = np.asarray(X, dtype=np.float64)
    top = X.max() if X.size and X.max() > 0 else 1.0
    return np.maximum(10 * np.log10(np.maximum(X, 1e-300) / top), floor_db)


def _thin_frames(X, times, max_frames):
    n = X.shape[1]
    if n <= max_frames:
        return X, times
    k = int(np.ceil(n / max_frames))
    cut = (n // k) * k
    Xd = X[:, :cut].reshape(X.shape[0], -1, k).mean(axis=2)
    return Xd, times[:cut].reshape(-1, k).mean(axis=1)


def spectrogram_heatmap(X, freqs, times, *, title: str = "Power spectrogram (dB)", dynamic_range_db: float = 80.0,
                        max_frames: int = 1200, zmin=None, zmax=None, height: int = 360) -> go.Figure:
    """X in dB relative to its maximum, frequency (Hz) over time (s)."""
    Xd, td = _thin_frames(np.asarray(X), np.asarray(times), max_frames)
    Z = _db(Xd, -dynamic_range_db)
    fig = _fig(title=title, xaxis_title="time (s)", yaxis_title="frequency (Hz)", height=height)
    fig.add_trace(go.Heatmap(z=Z, x=td, y=freqs, colorscale="Viridis", zmin=zmin if zmin is not None else -dynamic_range_db,
                             zmax=zmax if zmax is not None else 0, colorbar=dict(title="dB")))
    return fig


def _harmonic_lines(fig, fault_hz, harmonics, row=None, col=None, tol=0.02):
    if not fault_hz:
        return
    for i in range(1, harmonics + 1):
        kw = dict(row=row, col=col) if row is not None else {}
        fig.add_vrect(x0=i * fault_hz * (1 - tol), x1=i * fault_hz * (1 + tol), fillcolor="#d62728", opacity=0.12,
                      line_width=0, **kw)
        fig.add_vline(x=i * fault_hz, line=dict(color="#d62728", width=1, dash="dot"), **kw)


def envelope_spectrum(freqs, amplitude, *, fault_hz=None, harmonics: int = 3, title: str = "Squared-envelope spectrum",
                      name: str = "envelope spectrum", max_hz=None, envsi=None, height: int = 300,
                      markers: dict | None = None) -> go.Figure:
    """Envelope spectrum with the fault frequency's harmonics (and their ±2 % windows) marked.

    ``markers`` maps a label (e.g. "BPFI") to a frequency in Hz, drawn as extra lines.
    """
    f = np.asarray(freqs)
    a = np.asarray(amplitude)
    hi = max_hz or (fault_hz * (harmonics + 1) if fault_hz else 500.0)
    keep = f <= hi
    label = title + (f" · ENVSI {envsi:.3f}" if envsi is not None and np.isfinite(envsi) else "")
    fig = _fig(title=label, xaxis_title="frequency (Hz)", yaxis_title="amplitude", height=height)
    fig.add_trace(go.Scatter(x=f[keep], y=a[keep], mode="lines", name=name, line=dict(width=1, color=COLORS[0])))
    _harmonic_lines(fig, fault_hz, harmonics)
    for k, (lab, hz) in enumerate((markers or {}).items()):
        if hz and hz <= hi:
            fig.add_vline(x=hz, line=dict(color=COLORS[(k + 2) % len(COLORS)], width=1, dash="dash"),
                          annotation_text=lab, annotation_position="top")
    return fig


def lambda_history(lambdas, *, title: str = "λ per row of H", x=None, height: int = 300) -> go.Figure:
    """One line per row: λ_l over outer iterations. ``lambdas`` is (n_iter, r)."""
    L = np.atleast_2d(np.asarray(lambdas, dtype=np.float64))
    it = np.arange(1, L.shape[0] + 1) if x is None else np.asarray(x)
    fig = _fig(title=title, xaxis_title="outer iteration", yaxis_title="λ", height=height)
    for l in range(L.shape[1]):
        fig.add_trace(go.Scatter(x=it, y=L[:, l], mode="lines", name=f"λ{l + 1}", line=dict(color=COLORS[l % len(COLORS)])))
    return fig


def objective_history(curves: dict, *, title: str = "Mean IS divergence", log_y: bool = True, height: int = 300) -> go.Figure:
    """One line per method: ``{name: objective array}``."""
    fig = _fig(title=title, xaxis_title="outer iteration", yaxis_title="D_IS / (m n)", height=height)
    for k, (name, y) in enumerate(curves.items()):
        y = np.asarray(y)
        fig.add_trace(go.Scatter(x=np.arange(1, y.size + 1), y=y, mode="lines", name=name,
                                 line=dict(color=COLORS[k % len(COLORS)])))
    if log_y:
        fig.update_yaxes(type="log")
    return fig


def h_rows(H, times, *, title: str = "Rows of H (activations)", highlight=None, height_per_row: int = 90) -> go.Figure:
    """Small multiples: one panel per row of H over time."""
    H = np.atleast_2d(np.asarray(H))
    r = H.shape[0]
    fig = make_subplots(rows=r, cols=1, shared_xaxes=True, vertical_spacing=0.02,
                        subplot_titles=[f"h{l + 1}" + (" (SOI)" if l == highlight else "") for l in range(r)])
    for l in range(r):
        fig.add_trace(go.Scattergl(x=times, y=H[l], mode="lines", line=dict(width=1, color=COLORS[l % len(COLORS)]),
                                   showlegend=False), row=l + 1, col=1)
    fig.update_layout(**_LAYOUT, title=title, height=60 + height_per_row * r)
    fig.update_xaxes(title_text="time (s)", row=r, col=1)
    return fig


def w_columns(W, freqs, *, title: str = "Columns of W (spectral profiles)", db: bool = True, highlight=None,
              height: int = 300) -> go.Figure:
    """Each w_l over frequency (dB of its own maximum)."""
    W = np.asarray(W)
    fig = _fig(title=title, xaxis_title="frequency (Hz)", yaxis_title="dB" if db else "weight", height=height)
    for l in range(W.shape[1]):
        y = _db(W[:, l], -80) if db else W[:, l]
        fig.add_trace(go.Scatter(x=freqs, y=y, mode="lines", name=f"w{l + 1}" + (" (SOI)" if l == highlight else ""),
                                 line=dict(color=COLORS[l % len(COLORS)], width=3 if l == highlight else 1.5)))
    return fig


def reconstruction_pair(X, WH, freqs, times, *, names=("X", "W H"), dynamic_range_db: float = 80.0,
                        max_frames: int = 400) -> go.Figure:
    """X beside one or more models W H (``WH`` an array or a list), same dB scale, shared axes."""
    models = list(WH) if isinstance(WH, (list, tuple)) else [WH]
    top = float(np.max(X))
    panels = [X] + models
    fig = make_subplots(rows=1, cols=len(panels), shared_yaxes=True, shared_xaxes=True,
                        subplot_titles=list(names)[:len(panels)], horizontal_spacing=0.02)
    for k, A in enumerate(panels):
        Ad, td = _thin_frames(np.asarray(A), np.asarray(times), max_frames)
        Z = np.maximum(10 * np.log10(np.maximum(Ad, 1e-300) / top), -dynamic_range_db)
        fig.add_trace(go.Heatmap(z=Z, x=td, y=freqs, colorscale="Viridis", zmin=-dynamic_range_db, zmax=0,
                                 showscale=(k == len(panels) - 1), colorbar=dict(title="dB")), row=1, col=k + 1)
    fig.update_layout(**_LAYOUT, height=340, title="X and the reconstructions W H (dB of max X)")
    fig.update_xaxes(title_text="time (s)")
    fig.update_yaxes(title_text="frequency (Hz)", row=1, col=1)
    return fig


def _grid(n_rows, names, shared_y=True, row_titles=None, height_per_row=120):
    fig = make_subplots(rows=n_rows, cols=len(names), shared_xaxes=True, shared_yaxes=shared_y,
                        column_titles=list(names), row_titles=row_titles, horizontal_spacing=0.02,
                        vertical_spacing=0.03)
    fig.update_layout(**_LAYOUT, height=80 + height_per_row * n_rows, showlegend=False)
    return fig


def envelope_grid(analyses, fault_hz=None, *, harmonics: int = 3, max_hz=None) -> go.Figure:
    """Components (rows) × methods (columns): envelope spectra with shared axes, SOI in red.

    ``analyses`` are :class:`shinbo.experiments.MethodAnalysis` objects.
    """
    r = max(len(a.spectra) for a in analyses)
    fig = _grid(r, [a.name for a in analyses], shared_y=False, row_titles=[f"c{l + 1}" for l in range(r)])
    hi = max_hz or (fault_hz * (harmonics + 1) if fault_hz else 500.0)
    for c, a in enumerate(analyses):
        for l, sp in enumerate(a.spectra):
            keep = sp.freqs <= hi
            soi = l == a.soi.index
            fig.add_trace(go.Scatter(x=sp.freqs[keep], y=sp.amplitude[keep], mode="lines",
                                     line=dict(width=1.5 if soi else 1, color="#d62728" if soi else COLORS[0]),
                                     name=f"{a.name} c{l + 1}"), row=l + 1, col=c + 1)
            if fault_hz:
                label = f"ENVSI {a.envsi[l]:.2f}" + (" ★" if soi else "")
                fig.add_annotation(text=label, xref=f"x{'' if (l * len(analyses) + c) == 0 else l * len(analyses) + c + 1} domain",
                                   yref=f"y{'' if (l * len(analyses) + c) == 0 else l * len(analyses) + c + 1} domain",
                                   x=0.98, y=0.95, showarrow=False, font=dict(size=11, color="#d62728" if soi else "#444"))
                for i in range(1, harmonics + 1):
                    fig.add_vline(x=i * fault_hz, line=dict(color="#d62728", width=0.8, dash="dot"), row=l + 1, col=c + 1)
    fig.update_xaxes(title_text="Hz", row=r)
    fig.update_layout(title="Envelope spectra of the components (★ = SOI)")
    return fig


def rows_grid(H_list, names, x, *, highlight=None, title="Rows of H", x_title="time (s)") -> go.Figure:
    """Rows of several H matrices as small multiples: one column per matrix, shared axes per row.

    Each matrix is scaled by its own maximum; ``highlight[c]`` is the row drawn in red in column c.
    """
    r = max(np.asarray(H).shape[0] for H in H_list)
    fig = _grid(r, names, shared_y=True, row_titles=[f"h{l + 1}" for l in range(r)])
    for c, H in enumerate(H_list):
        H = np.asarray(H)
        top = max(float(H.max()), 1e-300)
        for l in range(H.shape[0]):
            red = highlight is not None and highlight[c] == l
            fig.add_trace(go.Scattergl(x=x, y=H[l] / top, mode="lines",
                                       line=dict(width=1, color="#d62728" if red else COLORS[l % len(COLORS)])),
                          row=l + 1, col=c + 1)
    fig.update_xaxes(title_text=x_title, row=r)
    fig.update_layout(title=title)
    return fig


def h_rows_grid(analyses, times) -> go.Figure:
    """Rows of H as small multiples, methods side by side, shared axes per row, SOI in red."""
    return rows_grid([a.result.H for a in analyses], [a.name for a in analyses], times,
                     highlight=[a.soi.index for a in analyses],
                     title="Rows of H (scaled by each method's max; SOI in red)")


def w_columns_grid(analyses, freqs) -> go.Figure:
    """Columns of W over frequency, one panel per method, shared axes."""
    fig = _grid(1, [a.name for a in analyses], shared_y=True, height_per_row=260)
    for c, a in enumerate(analyses):
        W = a.result.W
        for l in range(W.shape[1]):
            soi = l == a.soi.index
            fig.add_trace(go.Scatter(x=freqs, y=_db(W[:, l], -80), mode="lines", name=f"w{l + 1}",
                                     line=dict(width=2.5 if soi else 1, color="#d62728" if soi else COLORS[l % len(COLORS)])),
                          row=1, col=c + 1)
    fig.update_xaxes(title_text="Hz")
    fig.update_yaxes(title_text="dB", row=1, col=1)
    fig.update_layout(title="Columns of W (dB of each column's max; SOI in red)")
    return fig


def lambda_grid(analyses) -> go.Figure:
    """λ over iterations for each method (fixed λ are flat lines), shared axes."""
    fig = _grid(1, [a.name for a in analyses], shared_y=True, height_per_row=240)
    for c, a in enumerate(analyses):
        L = a.result.history["lambdas"]
        for l in range(L.shape[1]):
            fig.add_trace(go.Scatter(x=np.arange(1, L.shape[0] + 1), y=L[:, l], mode="lines", name=f"λ{l + 1}",
                                     line=dict(color=COLORS[l % len(COLORS)], width=2.5 if l == a.soi.index else 1)),
                          row=1, col=c + 1)
    fig.update_xaxes(title_text="iteration")
    fig.update_yaxes(title_text="λ", row=1, col=1)
    fig.update_layout(title="λ per row over the outer iterations")
    return fig


def study_boxes(rows, metric: str = "sir_h", *, title=None, y_title=None) -> go.Figure:
    """Box plots of a metric per method, grouped by noise level (``rows`` from synthetic_study)."""
    methods = list(dict.fromkeys(r["method"] for r in rows))
    fig = _fig(title=title or metric, yaxis_title=y_title or metric, xaxis_title="noise ε", boxmode="group", height=360)
    for k, m in enumerate(methods):
        rs = [r for r in rows if r["method"] == m]
        fig.add_trace(go.Box(x=[f"{r['noise']:g}" for r in rs], y=[r[metric] for r in rs], name=m,
                             marker_color=COLORS[k % len(COLORS)], boxpoints="all", jitter=0.3, pointpos=0))
    return fig


def sensitivity_heatmap(values, T_values, alpha_values, *, title="Median SIR_H (dB)", colorbar="dB") -> go.Figure:
    """A T × α grid of a metric; ``values`` is (len(T_values), len(alpha_values))."""
    V = np.asarray(values, dtype=np.float64)
    fig = _fig(title=title, xaxis_title="α", yaxis_title="T", height=340)
    fig.add_trace(go.Heatmap(z=V, x=[f"{a:g}" for a in alpha_values], y=[str(t) for t in T_values],
                             colorscale="Viridis", colorbar=dict(title=colorbar),
                             text=np.round(V, 1), texttemplate="%{text}"))
    return fig


def row_trajectory(hs, ss, *, columns=None, title="T-step trajectory of h and s = dh/dλ") -> go.Figure:
    """The iterates h_t and s_t (t = 0..T) of a few entries of one row."""
    hs = np.asarray(hs)
    ss = np.asarray(ss)
    T = hs.shape[0] - 1
    cols = list(range(min(6, hs.shape[1]))) if columns is None else list(columns)
    fig = make_subplots(rows=1, cols=2, subplot_titles=["h_t (entries of the row)", "s_t = dh_t/dλ"])
    for k, j in enumerate(cols):
        c = COLORS[k % len(COLORS)]
        fig.add_trace(go.Scatter(x=np.arange(T + 1), y=hs[:, j], mode="lines+markers", name=f"j={j}",
                                 line=dict(color=c)), row=1, col=1)
        fig.add_trace(go.Scatter(x=np.arange(T + 1), y=ss[:, j], mode="lines+markers", name=f"j={j}",
                                 line=dict(color=c), showlegend=False), row=1, col=2)
    fig.update_xaxes(title_text="step t")
    fig.update_layout(**_LAYOUT, title=title, height=320)
    return fig
