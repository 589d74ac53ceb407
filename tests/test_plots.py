"""Figure builders: data in, go.Figure out, without Streamlit."""

import numpy as np
import plotly.graph_objects as go

import shinbo
from shinbo import experiments, plots, signals, spectral


def test_decimation_keeps_every_bucket_extreme():
    x = np.sin(np.arange(100_000) / 50.0)
    x[12345] = 9.0
    x[67890] = -7.0
    idx, y = plots.decimate_minmax(x, 2000)
    assert y.size <= 2000 and 9.0 in y and -7.0 in y
    assert np.all(np.diff(idx) >= 0)


def test_signal_figures():
    sim = signals.simulate_bearing(duration=0.5)
    S = spectral.spectrogram(sim.x, sim.fs)
    f = plots.waveform(sim.x, sim.fs, overlay=sim.soi)
    assert isinstance(f, go.Figure) and len(f.data) == 2 and len(f.data[0].x) <= 4000
    f = plots.spectrogram_heatmap(S.X, S.freqs, S.times, max_frames=50)
    assert f.data[0].z.shape[1] <= 50 and np.nanmax(f.data[0].z) == 0.0
    from shinbo import analysis
    env = analysis.envelope_spectrum(sim.x, sim.fs)
    f = plots.envelope_spectrum(env.freqs, env.amplitude, fault_hz=107.3, envsi=0.5, markers={"BPFI": 160.0})
    assert "ENVSI 0.500" in f.layout.title.text
    assert len([s for s in f.layout.shapes]) >= 3 * 2 + 1  # 3 windows + 3 lines + the BPFI marker


def test_comparison_figures_have_one_panel_per_method():
    sim = signals.simulate_bearing(duration=0.5)
    methods = experiments.default_methods([0.0], dict(max_iter=5))
    res = experiments.analyze_signal(sim.x, sim.fs, rank=3, fault_hz=sim.fault_hz, methods=methods)
    S = res.spectrogram
    assert len(plots.h_rows_grid(res.methods, S.times).data) == 2 * 3
    assert len(plots.w_columns_grid(res.methods, S.freqs).data) == 2 * 3
    assert len(plots.lambda_grid(res.methods).data) == 2 * 3
    assert len(plots.envelope_grid(res.methods, sim.fault_hz).data) == 2 * 3
    f = plots.reconstruction_pair(S.X, [m.result.W @ m.result.H for m in res.methods], S.freqs, S.times,
                                  names=["X", "a", "b"])
    assert len(f.data) == 3


def test_study_figures():
    rows = experiments.synthetic_study(seeds=range(2), noises=(0.0, 0.05),
                                       methods=experiments.default_methods([0.0], dict(max_iter=30)))
    f = plots.study_boxes(rows, "sir_h")
    assert len(f.data) == 2 and len(f.data[0].y) == 4
    grid = experiments.sensitivity_grid((1, 2), (10.0,), seeds=range(1), shinbo_params=dict(max_iter=20))
    f = plots.sensitivity_heatmap(grid["sir_h"], grid["T"], grid["alpha"])
    assert f.data[0].z.shape == (2, 1) and np.all(np.isfinite(f.data[0].z))
    X, W, H = np.random.default_rng(0).random((20, 10)) + 0.1, np.random.default_rng(1).random((20, 2)), np.ones((2, 10))
    hs, ss = shinbo.inner_row_trajectory(X, W, H, 0, 0.1, 3)
    assert len(plots.row_trajectory(hs, ss).data) == 2 * 6
