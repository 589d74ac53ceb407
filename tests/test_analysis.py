"""Spectrograms and their inverse, envelope analysis, ENVSI, kinematics, metrics and the simulator."""

import numpy as np
import pytest

import shinbo
from shinbo import analysis, bearings, metrics, signals, spectral
from shinbo.errors import InvalidDataError, InvalidParameterError


def test_spectrogram_defaults_give_257_bins_and_power():
    x = np.random.default_rng(0).standard_normal(20000)
    S = spectral.spectrogram(x, 25600.0)
    assert S.X.shape[0] == 257 and S.freqs[-1] == pytest.approx(12800.0)
    np.testing.assert_allclose(S.X, np.abs(S.Z) ** 2)
    assert S.times.shape == (S.X.shape[1],)


@pytest.mark.parametrize("nfft, hop, window", [(512, 128, "hann"), (256, 64, "hamming"), (1024, 512, "blackman")])
def test_wiener_components_sum_back_to_the_signal(nfft, hop, window):
    sim = signals.simulate_bearing(duration=0.5, seed=3)
    S = spectral.spectrogram(sim.x, sim.fs, nfft=nfft, hop=hop, window=window)
    np.testing.assert_allclose(S.inverse(S.Z), sim.x, atol=1e-9 * np.abs(sim.x).max())
    rng = np.random.default_rng(1)
    W = rng.random((S.X.shape[0], 3))
    H = rng.random((3, S.X.shape[1]))
    comps = spectral.wiener_components(S, W, H)
    assert comps.shape == (3, sim.x.size)
    np.testing.assert_allclose(comps.sum(axis=0), sim.x, atol=1e-9 * np.abs(sim.x).max())


def test_wiener_component_of_a_perfect_band_split_recovers_the_band():
    fs = 8000.0
    t = np.arange(16000) / fs
    low, high = np.sin(2 * np.pi * 300 * t), 0.5 * np.sin(2 * np.pi * 3000 * t)
    S = spectral.spectrogram(low + high, fs, nfft=256, hop=64)
    W = np.stack([(S.freqs < 1500).astype(float), (S.freqs >= 1500).astype(float)], axis=1) + 1e-12
    H = np.ones((2, S.X.shape[1]))
    comps = spectral.wiener_components(S, W, H)
    mid = slice(1000, -1000)
    assert np.corrcoef(comps[0][mid], low[mid])[0, 1] > 0.999
    assert np.corrcoef(comps[1][mid], high[mid])[0, 1] > 0.999
    filt = spectral.wfilter_components(S, W)
    assert np.corrcoef(filt[1][mid], high[mid])[0, 1] > 0.999


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(nfft=511), "nfft must be even"), (dict(nfft=8), "nfft must be an integer in"),
    (dict(hop=0), "hop must be an integer in"), (dict(hop=1024), r"hop must be an integer in \[1, 512\]"),
    (dict(window="kaiser"), "window must be one of"),
])
def test_spectrogram_bad_parameters(kwargs, pattern):
    with pytest.raises(InvalidParameterError, match=pattern):
        spectral.spectrogram(np.ones(5000), 1000.0, **kwargs)


def test_spectrogram_bad_signals():
    with pytest.raises(InvalidDataError, match="at least 896 are needed"):
        spectral.spectrogram(np.ones(800), 1000.0)
    with pytest.raises(InvalidParameterError, match=r"fs \(sampling rate, Hz\) must be a finite number > 0"):
        spectral.spectrogram(np.ones(5000), 0.0)
    with pytest.raises(InvalidDataError, match="sample 7 is nan"):
        spectral.spectrogram(np.where(np.arange(5000) == 7, np.nan, 1.0), 1000.0)


def _am(fs=10000.0, fc=50.0, n=40000, carrier=2000.0):
    t = np.arange(n) / fs
    return np.sin(2 * np.pi * carrier * t) * (1 + np.cos(2 * np.pi * fc * t)), fs


def test_envelope_spectrum_of_an_am_signal_peaks_at_the_modulation():
    x, fs = _am()
    spec = analysis.envelope_spectrum(x, fs)
    f, a = analysis.dominant_peak(spec, (20, 500))
    assert f == pytest.approx(50.0, abs=0.5)


def test_envsi_by_hand():
    # a spectrum with energy 3 at the 3 harmonics' windows and 1 elsewhere in the band
    f = np.arange(0, 1001, 1.0)
    E = np.zeros_like(f)
    E[[100, 200, 300]] = 1.0       # harmonics of 100 Hz: E² = 1 each
    E[150] = 1.0                   # off-harmonic: E² = 1
    E[400] = 5.0                   # outside (M1 + 1/2) f_c = 350 Hz: not counted
    spec = analysis.EnvelopeSpectrum(f, E)
    assert analysis.envsi(spec, 100.0) == pytest.approx(3.0 / 4.0)
    # the ±2 % window of the 3rd harmonic (294-306 Hz) sums bins; the highest-bin version does not
    E2 = E.copy()
    E2[303] = 1.0
    spec2 = analysis.EnvelopeSpectrum(f, E2)
    assert analysis.envsi(spec2, 100.0) == pytest.approx(4.0 / 5.0)
    assert analysis.envsi(spec2, 100.0, method="highest-bin") == pytest.approx(3.0 / 5.0)
    assert analysis.envsi(spec, 100.0, harmonics=1) == pytest.approx(1.0 / 2.0)  # band 1..150 Hz


def test_envsi_window_sum_is_robust_to_slip_where_highest_bin_is_not():
    res = {}
    for slip in (0.0, 0.02):
        sim = signals.simulate_bearing(fs=25000.0, duration=4.0, fault_hz=107.3, slip=slip, snr_db=60,
                                       shaft_amplitude=0.0, seed=1)
        spec = analysis.envelope_spectrum(sim.soi, sim.fs)
        res[slip] = (analysis.envsi(spec, 107.3), analysis.envsi(spec, 107.3, method="highest-bin"))
    # a clean train with ±10 % amplitude jitter: the window sum stays near 0.9-0.95 at any slip,
    # the highest bin loses a third at 0 % slip and half at 2 %
    assert res[0.0][0] > 0.9 and res[0.02][0] > 0.85
    assert res[0.0][1] < 0.75 * res[0.0][0] and res[0.02][1] < 0.6 * res[0.02][0]


def test_envsi_bounds_and_bad_parameters():
    x, fs = _am()
    spec = analysis.envelope_spectrum(x, fs)
    assert 0.0 <= analysis.envsi(spec, 37.0) <= 1.0
    with pytest.raises(InvalidParameterError, match="fault_hz must be a finite number > 0"):
        analysis.envsi(spec, 0.0)
    with pytest.raises(InvalidParameterError, match="method must be one of 'window', 'highest-bin'"):
        analysis.envsi(spec, 50.0, method="max")
    with pytest.raises(InvalidParameterError, match="band"):
        analysis.dominant_peak(spec, (600, 100))


def test_kurtosis_and_soi_rules():
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(20000)
    imp = signals.simulate_bearing(fs=20000.0, duration=1.0, resonance_hz=5000.0, snr_db=40, shaft_amplitude=0, seed=2).soi
    assert analysis.envelope_kurtosis(imp) > 2 * analysis.envelope_kurtosis(noise)
    assert 2.5 < analysis.envelope_kurtosis(noise) < 4.0
    choice = analysis.select_soi([noise, imp / imp.std()], 20000.0)
    assert choice.index == 1 and choice.rule == "kurtosis" and "no fault frequency" in choice.description
    choice = analysis.select_soi([noise, imp], 20000.0, fault_hz=107.3)
    assert choice.index == 1 and choice.rule == "envsi" and choice.scores[1] > 0.8


def test_fault_frequencies_match_the_cwru_multipliers():
    fr = 1796 / 60
    de = bearings.fault_frequencies(1796, "cwru-de")
    assert de["bpfi"] / fr == pytest.approx(5.4152, rel=1e-4)
    assert de["bpfo"] / fr == pytest.approx(3.5848, rel=1e-4)
    assert de["ftf"] / fr == pytest.approx(0.39828, rel=1e-4)
    assert de["2bsf"] / fr == pytest.approx(4.7135, rel=1e-4)  # CWRU's "BSF" column is 2·BSF
    fe = bearings.fault_frequencies(1796, "cwru-fe")
    assert fe["bpfi"] / fr == pytest.approx(4.9469, rel=1e-4)
    assert fe["bpfo"] / fr == pytest.approx(3.0530, rel=1e-4)
    assert fe["ftf"] / fr == pytest.approx(0.3817, rel=1e-3)
    assert fe["2bsf"] / fr == pytest.approx(3.9874, rel=1e-4)
    assert de["bpfo"] == pytest.approx(107.3, abs=0.05)
    assert bearings.bpfi(1797) == pytest.approx(162.2, abs=0.05)


def test_kinematics_from_geometry_and_bad_geometry():
    g = bearings.BearingGeometry(8, 10.0, 50.0, 15.0)
    rho = 10 / 50 * np.cos(np.radians(15))
    assert bearings.bpfo(600, g) == pytest.approx(8 * 10 / 2 * (1 - rho))
    assert bearings.bsf(600, g) == pytest.approx(50 * 10 / 20 * (1 - rho ** 2))
    with pytest.raises(InvalidParameterError, match="must be smaller than pitch_diameter"):
        bearings.BearingGeometry(8, 60.0, 50.0)
    with pytest.raises(InvalidParameterError, match="bearing must be one of 'cwru-de', 'cwru-fe'"):
        bearings.bpfo(1000, "skf")
    with pytest.raises(InvalidParameterError, match="needs the shaft speed"):
        bearings.resolve_fault("bpfo", None)
    with pytest.raises(InvalidParameterError, match="fault must be one of"):
        bearings.resolve_fault("outer", 1000)
    assert bearings.resolve_fault("123.5") == 123.5


def test_sir_by_hand():
    H = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 2.0]])
    est = np.array([[0.0, 0.0, 1.0], [3.0, 4.0, 0.5]])  # permuted; row 2 carries an error
    res = metrics.sir(H, est)
    assert res.permutation.tolist() == [1, 0]
    a = np.array([0.6, 0.8, 0.0])
    b = np.array([3.0, 4.0, 0.5]) / np.linalg.norm([3.0, 4.0, 0.5])
    expected = 10 * np.log10(1.0 / np.sum((a - b) ** 2))
    assert res.per_component[0] == pytest.approx(expected)
    assert res.per_component[1] == metrics.MAX_SIR_DB
    assert res.median == pytest.approx(np.median([expected, metrics.MAX_SIR_DB]))
    assert metrics.sir_w(H.T, est.T).per_component[0] == pytest.approx(expected)


def test_sparsity_measures_by_hand():
    H = np.array([[1.0, 0.0, 0.0, 0.0005], [1.0, 1.0, 1.0, 1.0]])
    assert metrics.sparsity_zeros(H) == pytest.approx(100 * 3 / 8)
    h = metrics.hoyer(H)
    l1, l2 = 1.0005, np.sqrt(1 + 0.0005 ** 2)
    assert h[0] == pytest.approx((2 - l1 / l2) / (2 - 1))
    assert h[1] == pytest.approx(0.0)
    assert metrics.hoyer(np.zeros((1, 4)))[0] == 1.0


def test_synthetic_protocol_shapes_zero_fractions_and_noise():
    d = shinbo.synthetic_nmf(seed=0)
    assert d.X.shape == (100, 70) and abs(np.mean(d.H == 0) - 0.7) < 0.05 and abs(np.mean(d.W == 0) - 0.1) < 0.04
    np.testing.assert_allclose(d.X, d.W @ d.H)
    dn = shinbo.synthetic_nmf(seed=0, noise=0.1)
    rel = np.sqrt(np.mean((dn.X - d.X) ** 2)) / np.sqrt(np.mean(d.X ** 2))
    assert 0.05 < rel < 0.12 and dn.X.min() >= 0
    np.testing.assert_array_equal(shinbo.synthetic_nmf(seed=4).X, shinbo.synthetic_nmf(seed=4).X)


def test_simulator_default_demo_hides_the_fault_in_the_raw_envelope():
    sim = signals.simulate_bearing()
    raw = analysis.envsi(analysis.envelope_spectrum(sim.x, sim.fs), sim.fault_hz)
    clean = analysis.envsi(analysis.envelope_spectrum(sim.soi, sim.fs), sim.fault_hz)
    assert clean > 0.9
    assert raw < 0.2 * clean
    # fault impulses are weaker than the noise
    assert np.mean(sim.soi ** 2) < np.mean((sim.x - sim.soi) ** 2)
    np.testing.assert_array_equal(sim.x, signals.simulate_bearing().x)


def test_simulator_impulsive_noise_and_bad_parameters():
    a = signals.simulate_bearing(duration=1.0, impulsive_noise=5.0, seed=1)
    b = signals.simulate_bearing(duration=1.0, impulsive_noise=0.0, seed=1)
    assert analysis.envelope_kurtosis(a.x) > analysis.envelope_kurtosis(b.x)
    with pytest.raises(InvalidParameterError, match="resonance_hz"):
        signals.simulate_bearing(fs=10000.0, resonance_hz=6000.0)
    with pytest.raises(InvalidParameterError, match="slip"):
        signals.simulate_bearing(slip=0.5)


def test_sir_with_fewer_or_more_estimated_components():
    H = np.array([[1.0, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0]])
    more = metrics.sir(H, np.vstack([H, np.ones((1, 4))]))
    assert more.per_component.tolist() == [metrics.MAX_SIR_DB] * 3 and 3 not in more.permutation
    fewer = metrics.sir(H, H[:2])
    assert fewer.per_component.tolist() == [metrics.MAX_SIR_DB, metrics.MAX_SIR_DB, 0.0]
    assert fewer.permutation.tolist() == [0, 1, -1]


def test_best_band_finds_the_resonance_band_of_the_fault():
    sim = signals.simulate_bearing(duration=1.0, snr_db=-6, seed=4)
    band = analysis.best_band_envsi(sim.x, sim.fs, sim.fault_hz)
    raw = analysis.envsi(analysis.envelope_spectrum(sim.x, sim.fs), sim.fault_hz)
    assert band.low_hz <= 12000.0 <= band.high_hz or band.high_hz - band.low_hz < 4000
    assert band.envsi > raw and band.envsi == max(s[3] for s in band.scores)
    assert len(band.scores) == 2 + 4 + 8 + 16


def test_kurtosis_of_a_near_silent_or_silent_component_is_finite():
    x = np.sin(np.arange(4000) / 7.0)
    assert np.isfinite(analysis.envelope_kurtosis(x * 1e-160))
    assert analysis.envelope_kurtosis(x * 1e-160) == pytest.approx(analysis.envelope_kurtosis(x), rel=1e-6)
    assert analysis.envelope_kurtosis(np.zeros(4000)) == 0.0


def test_study_summary_and_paired_comparison_by_hand():
    from shinbo import experiments

    rows = [dict(method=m, noise=0.0, seed=s, sir_h=v, sparsity=sp, seconds=1.0, converged=c)
            for m, s, v, sp, c in [("SHINBO", 0, 30.0, 70.0, True), ("MU λ=0", 0, 20.0, 60.0, True),
                                   ("MU λ=0.1", 0, 25.0, 65.0, False),
                                   ("SHINBO", 1, 10.0, 50.0, True), ("MU λ=0", 1, 12.0, 55.0, True),
                                   ("MU λ=0.1", 1, 11.0, 40.0, True)]]
    summary = experiments.summarize_study(rows, keys=("sir_h",))
    assert [(s["method"], s["runs"], s["sir_h"], s["converged"]) for s in summary] == [
        ("SHINBO", 2, 20.0, 2), ("MU λ=0", 2, 16.0, 2), ("MU λ=0.1", 2, 18.0, 1)]
    (p,) = experiments.paired_wins(rows, metrics=("sir_h", "sparsity"))
    # seed 0: best other is MU λ=0.1 (25): +5 dB, +5 %; seed 1: MU λ=0 (12): -2 dB, -5 %
    assert p["seeds"] == 2 and p["shinbo_wins"] == 1
    assert p["median_sir_h_difference"] == pytest.approx(1.5)
    assert p["median_sparsity_difference"] == pytest.approx(0.0)


def test_table_csv_formats_floats_only_when_asked():
    from shinbo import export

    rows = [{"a": 1.23456789, "b": "x"}, {"a": 2, "c": True}]
    assert export.table_csv(rows).splitlines() == ["a,b,c", "1.23456789,x,", "2,,True"]
    assert export.table_csv(rows, float_format="{:.3g}").splitlines()[1] == "1.23,x,"
