"""Data to learn on: the paper's synthetic matrices and a bearing-fault vibration simulator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_int, check_real

__all__ = ["SyntheticData", "synthetic_nmf", "SimulatedSignal", "simulate_bearing"]


@dataclass
class SyntheticData:
    """A synthetic factorization problem with its ground truth."""

    X: np.ndarray        # (m, n) observed, nonnegative
    W: np.ndarray        # (m, r) true spectral profiles
    H: np.ndarray        # (r, n) true activations
    noise: float
    seed: int | None


def synthetic_nmf(m: int = 100, n: int = 70, r: int = 3, *, w_zeros: float = 0.1, h_zeros: float = 0.7,
                  noise: float = 0.0, seed: int | None = None) -> SyntheticData:
    """The paper's synthetic protocol: X = |W H + ε · rms(W H) · G|.

    W and H have i.i.d. U[0, 1] entries, of which a fraction ``w_zeros`` (of W) and
    ``h_zeros`` (of H) are set to zero at random positions; every row of H and column of W
    keeps at least one nonzero entry. Noise: G is standard Gaussian, scaled by ε = ``noise``
    times the root mean square of W H, and the absolute value keeps X nonnegative
    (the paper uses ε ∈ {0, 0.01, 0.05, 0.1}).

    Parameters
    ----------
    m, n, r : int, default 100, 70, 3
        Size of X and the rank of the truth.
    w_zeros, h_zeros : float in [0, 1), default 0.1, 0.7
        Fraction of zero entries of W and H.
    noise : float ≥ 0, default 0
        ε, relative to rms(W H).
    seed : int or None

    Examples
    --------
    >>> d = synthetic_nmf(seed=0)
    >>> d.X.shape, d.W.shape, d.H.shape
    ((100, 70), (100, 3), (3, 70))
    """
    m = check_int(m, "m", low=2)
    n = check_int(n, "n", low=2)
    r = check_int(r, "r", low=1, high=min(m, n))
    w_zeros = check_real(w_zeros, "w_zeros", low=0.0, high=0.99)
    h_zeros = check_real(h_zeros, "h_zeros", low=0.0, high=0.99)
    noise = check_real(noise, "noise", low=0.0, high=10.0)
    rng = np.random.default_rng(seed)
    W = rng.random((m, r))
    H = rng.random((r, n))
    W[rng.random((m, r)) < w_zeros] = 0.0
    H[rng.random((r, n)) < h_zeros] = 0.0
    for l in range(r):  # keep every component present
        if not W[:, l].any():
            W[rng.integers(m), l] = rng.random() + 0.1
        if not H[l].any():
            H[l, rng.integers(n)] = rng.random() + 0.1
    V = W @ H
    X = V
    if noise > 0:
        X = np.abs(V + noise * np.sqrt(np.mean(V ** 2)) * rng.standard_normal(V.shape))
    return SyntheticData(X=X, W=W, H=H, noise=noise, seed=seed)


@dataclass
class SimulatedSignal:
    """A simulated bearing vibration with its ground truth.

    Attributes
    ----------
    x : array (N,)
        The recording: fault + shaft harmonics + noise.
    soi : array (N,)
        The clean signal of interest (the fault's impulse responses alone).
    fs : float
        Sampling rate, Hz.
    fault_hz : float
        Mean impulse rate, Hz.
    rpm : float
        Shaft speed, rpm.
    params : dict
        Every parameter of the simulation.
    """

    x: np.ndarray
    soi: np.ndarray
    fs: float
    fault_hz: float
    rpm: float
    params: dict


def simulate_bearing(*, fs: float = 51200.0, duration: float = 2.0, rpm: float = 1796.0,
                     fault_hz: float = 107.3, slip: float = 0.01, resonance_hz: float = 12000.0,
                     damping: float = 0.04, impulse_amplitude: float = 1.0, snr_db: float = -6.0,
                     noise_color: float = 1.0, shaft_amplitude: float = 2.0, shaft_harmonics: int = 5,
                     impulsive_noise: float = 0.0, impulsive_rate: float = 3.0,
                     seed: int | None = 0) -> SimulatedSignal:
    """Simulate a rolling bearing with a localized fault (Antoni & Randall's model).

    * **Fault**: impulses at ``fault_hz`` whose spacing jitters by ``slip`` (relative std,
      1-2 % on real bearings), amplitudes ±10 %, each exciting a structural resonance at
      ``resonance_hz`` with damping ratio ``damping``: ``exp(−2π ζ f_r t) sin(2π f_r t)``.
    * **Shaft**: ``shaft_harmonics`` sinusoids at k · rpm/60 with amplitude
      ``shaft_amplitude / k`` (strong, low frequency, not impulsive).
    * **Noise**: Gaussian, broadband, at ``snr_db`` = 10 log10(P_fault / P_noise). With
      ``noise_color`` > 0 it is low-pass shaped (a first-order filter at fs/4 mixed with
      white noise in that proportion), so it is stronger and broader than the fault band,
      as in the paper's recording.
    * **Impulsive noise** (optional, ``impulsive_noise`` > 0): Student-t (3 degrees of
      freedom) bursts at random times, ``impulsive_rate`` per second on average, each a
      decaying broadband burst with peak ``impulsive_noise`` × the fault's peak.

    The default (2 s at 51.2 kHz, fault at 107.3 Hz, the BPFO of CWRU file 130, at
    −6 dB in a band around 12 kHz, under strong shaft harmonics and low-pass noise) is
    the project's built-in demo: the fault is invisible in the raw envelope spectrum
    (ENVSI ≈ 0.001, dominated by the shaft) and clear in the clean SOI's (≈ 0.9).

    Parameters
    ----------
    fs : float, Hz, default 51200
    duration : float, s, default 2
    rpm : float, default 1796
    fault_hz : float, Hz, default 107.3
    slip : float in [0, 0.1], default 0.01
    resonance_hz : float, Hz, default 12000 (must be below 0.49 fs)
    damping : float in (0, 0.5], default 0.04
    impulse_amplitude : float, default 1
    snr_db : float, dB, default −6
    noise_color : float in [0, 1], default 1
    shaft_amplitude : float, default 2 (× impulse_amplitude)
    shaft_harmonics : int, default 5
    impulsive_noise : float ≥ 0, default 0
    impulsive_rate : float, bursts per second, default 3
    seed : int or None, default 0

    Returns
    -------
    SimulatedSignal

    Examples
    --------
    >>> sim = simulate_bearing(duration=1.0)
    >>> sim.x.shape, sim.fs
    ((51200,), 51200.0)
    """
    fs = check_real(fs, "fs", low=1000.0, high=1e6)
    duration = check_real(duration, "duration", low=0.05, high=120.0)
    rpm = check_real(rpm, "rpm", low=1.0, high=1e5)
    fault_hz = check_real(fault_hz, "fault_hz", low=0.5, high=fs / 20)
    slip = check_real(slip, "slip", low=0.0, high=0.1)
    resonance_hz = check_real(resonance_hz, "resonance_hz", low=10.0, high=0.49 * fs)
    damping = check_real(damping, "damping", low=0.0, high=0.5, low_open=True)
    impulse_amplitude = check_real(impulse_amplitude, "impulse_amplitude", low=0.0, low_open=True)
    snr_db = check_real(snr_db, "snr_db", low=-60.0, high=60.0)
    noise_color = check_real(noise_color, "noise_color", low=0.0, high=1.0)
    shaft_amplitude = check_real(shaft_amplitude, "shaft_amplitude", low=0.0)
    shaft_harmonics = check_int(shaft_harmonics, "shaft_harmonics", low=0, high=50)
    impulsive_noise = check_real(impulsive_noise, "impulsive_noise", low=0.0)
    impulsive_rate = check_real(impulsive_rate, "impulsive_rate", low=0.0, high=1000.0)
    params = dict(fs=fs, duration=duration, rpm=rpm, fault_hz=fault_hz, slip=slip,
                  resonance_hz=resonance_hz, damping=damping, impulse_amplitude=impulse_amplitude,
                  snr_db=snr_db, noise_color=noise_color, shaft_amplitude=shaft_amplitude,
                  shaft_harmonics=shaft_harmonics, impulsive_noise=impulsive_noise,
                  impulsive_rate=impulsive_rate, seed=seed)
    rng = np.random.default_rng(seed)
    N = int(round(fs * duration))
    t = np.arange(N) / fs

    # the fault: a jittered impulse train convolved with a decaying resonance
    period = 1.0 / fault_hz
    times = []
    tk = rng.uniform(0, period)
    while tk < duration:
        times.append(tk)
        tk += period * (1.0 + slip * rng.standard_normal())
    train = np.zeros(N)
    idx = np.minimum((np.array(times) * fs).astype(int), N - 1)
    np.add.at(train, idx, impulse_amplitude * (1.0 + 0.1 * rng.standard_normal(idx.size)))
    L = int(min(N, max(16, 8.0 / (2 * np.pi * damping * resonance_hz) * fs)))
    tau = np.arange(L) / fs
    ir = np.exp(-2 * np.pi * damping * resonance_hz * tau) * np.sin(2 * np.pi * resonance_hz * tau)
    soi = np.convolve(train, ir)[:N]

    fr = rpm / 60.0
    shaft = np.zeros(N)
    for k in range(1, shaft_harmonics + 1):
        if k * fr < fs / 2:
            shaft += shaft_amplitude * impulse_amplitude / k * np.sin(2 * np.pi * k * fr * t + rng.uniform(0, 2 * np.pi))

    white = rng.standard_normal(N)
    if noise_color > 0:
        b, a = _lowpass(fs / 4, fs)
        from scipy.signal import lfilter
        colored = lfilter(b, a, rng.standard_normal(N))
        colored /= colored.std()
        noise = np.sqrt(1 - noise_color) * white + np.sqrt(noise_color) * colored
    else:
        noise = white
    p_soi = float(np.mean(soi ** 2))
    noise *= np.sqrt(p_soi / 10 ** (snr_db / 10)) / noise.std()

    x = soi + shaft + noise
    if impulsive_noise > 0 and impulsive_rate > 0:
        n_bursts = rng.poisson(impulsive_rate * duration)
        peak = np.abs(soi).max()
        Lb = int(0.002 * fs)
        env = np.exp(-np.arange(Lb) / (0.0005 * fs))
        for _ in range(n_bursts):
            s0 = rng.integers(0, max(1, N - Lb))
            burst = rng.standard_t(3, Lb) * env
            x[s0:s0 + Lb] += impulsive_noise * peak * burst / max(np.abs(burst).max(), 1e-12)
    return SimulatedSignal(x=x, soi=soi, fs=fs, fault_hz=fault_hz, rpm=rpm, params=params)


def _lowpass(fc, fs):
    from scipy.signal import butter
    return butter(1, fc / (fs / 2))
