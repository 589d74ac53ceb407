"""Envelope analysis: squared-envelope spectra, ENVSI, dominant peaks, kurtosis, and the SOI rule.

ENVSI (Hebda-Sobkowicz, Zimroz, Wyłomańska et al.), design note §7: the share of the
squared envelope spectrum's energy that lies at the first M1 harmonics of the fault
frequency f_c,

    ENVSI = Σ_{i=1..M1} Σ_{|f − i f_c| ≤ tol·i f_c} E(f)²  /  Σ_{f_lo ≤ f ≤ (M1 + ½) f_c} E(f)²,

E the amplitude spectrum of the squared Hilbert envelope with its mean removed. The
harmonic windows are summed, not their highest bin, because real bearings slip by 1-2 %
and a fault frequency never falls on a bin; the highest-bin variant is available as
``method="highest-bin"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal as sps

from ._validation import check_choice, check_int, check_real
from .errors import InvalidDataError, InvalidParameterError

__all__ = ["squared_envelope", "envelope_spectrum", "envsi", "dominant_peak", "envelope_kurtosis",
           "SoiChoice", "select_soi", "EnvelopeSpectrum", "BandChoice", "best_band_envsi"]


@dataclass
class EnvelopeSpectrum:
    """Amplitude spectrum of the squared envelope: ``freqs`` (Hz) and ``amplitude``."""

    freqs: np.ndarray
    amplitude: np.ndarray


def _signal(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 8:
        raise InvalidDataError(f"a 1-D signal of at least 8 samples is needed; got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise InvalidDataError("the signal must be finite")
    return x


def squared_envelope(x) -> np.ndarray:
    """|analytic signal|² (Hilbert transform), the squared envelope of ``x``."""
    a = sps.hilbert(_signal(x))
    return a.real ** 2 + a.imag ** 2


def envelope_spectrum(x, fs: float, *, max_hz: float | None = None) -> EnvelopeSpectrum:
    """Amplitude spectrum of the squared envelope (mean removed), ``|FFT| / N``.

    Parameters
    ----------
    x : array (N,)
    fs : float
        Sampling rate in Hz.
    max_hz : float, optional
        Keep only frequencies up to this (the fault band of interest is a few hundred Hz).
    """
    fs = check_real(fs, "fs (sampling rate, Hz)", low=0.0, low_open=True)
    env = squared_envelope(x)
    env = env - env.mean()
    A = np.abs(np.fft.rfft(env)) / env.size
    f = np.fft.rfftfreq(env.size, 1.0 / fs)
    if max_hz is not None:
        keep = f <= max_hz
        f, A = f[keep], A[keep]
    return EnvelopeSpectrum(f, A)


def envsi(spec: EnvelopeSpectrum, fault_hz: float, *, harmonics: int = 3, tol: float = 0.02,
          f_lo: float | None = None, method: str = "window") -> float:
    """ENVSI of an envelope spectrum at ``fault_hz`` (see the module docstring).

    Parameters
    ----------
    spec : EnvelopeSpectrum
    fault_hz : float
        Fault frequency f_c in Hz.
    harmonics : int, default 3
        M1, the number of harmonics counted.
    tol : float, default 0.02
        Half-width of each harmonic's window, relative to the harmonic's frequency.
    f_lo : float, optional
        Lower end of the reference band; default the first bin above 0 Hz.
    method : {"window", "highest-bin"}, default "window"
        Sum each harmonic's window, or take only its highest bin.

    Returns
    -------
    float in [0, 1] (0 when the reference band holds no energy).

    Examples
    --------
    >>> import numpy as np
    >>> fs = 10000.0; t = np.arange(40000) / fs
    >>> x = np.sin(2 * np.pi * 2000 * t) * (1 + np.cos(2 * np.pi * 50 * t))
    >>> round(envsi(envelope_spectrum(x, fs), 50.0), 3)
    1.0
    """
    fault_hz = check_real(fault_hz, "fault_hz", low=0.0, low_open=True)
    harmonics = check_int(harmonics, "harmonics", low=1)
    tol = check_real(tol, "tol", low=0.0, high=0.5)
    check_choice(method, "method", ("window", "highest-bin"))
    f, E = spec.freqs, spec.amplitude
    lo = f[1] if f_lo is None else check_real(f_lo, "f_lo", low=0.0)
    E2 = E ** 2
    band = (f >= lo) & (f <= (harmonics + 0.5) * fault_hz)
    den = float(E2[band].sum())
    if den <= 0:
        return 0.0
    num = 0.0
    used = np.zeros(f.size, dtype=bool)
    for i in range(1, harmonics + 1):
        c = i * fault_hz
        win = (np.abs(f - c) <= tol * c) & band & ~used  # overlapping windows counted once
        if not win.any():
            # window narrower than a bin: the nearest bin stands for it
            k = int(np.argmin(np.abs(f - c)))
            win = np.zeros(f.size, dtype=bool)
            if band[k] and not used[k]:
                win[k] = True
        if not win.any():
            continue
        num += float(E2[win].max() if method == "highest-bin" else E2[win].sum())
        used |= win
    return float(min(max(num / den, 0.0), 1.0))


def dominant_peak(spec: EnvelopeSpectrum, band=(20.0, 500.0)) -> tuple[float, float]:
    """Frequency (Hz) and amplitude of the highest envelope-spectrum bin within ``band``."""
    lo, hi = float(band[0]), float(band[1])
    if not (0 <= lo < hi):
        raise InvalidParameterError(f"band must be (low, high) with 0 <= low < high; got {band!r}")
    sel = (spec.freqs >= lo) & (spec.freqs <= hi)
    if not sel.any():
        raise InvalidParameterError(f"band {band!r} Hz holds no bin of the envelope spectrum "
                                    f"(0 … {spec.freqs[-1]:.1f} Hz)")
    k = int(np.argmax(np.where(sel, spec.amplitude, -np.inf)))
    return float(spec.freqs[k]), float(spec.amplitude[k])


def envelope_kurtosis(x) -> float:
    """Kurtosis (Pearson, E[(e − μ)⁴]/σ⁴) of the amplitude envelope |analytic signal|.

    Impulsive components score high; for Gaussian noise the value is about 3.2.
    """
    x = _signal(x)
    peak = float(np.abs(x).max())
    if not peak > 0:
        return 0.0
    a = sps.hilbert(x / peak)  # kurtosis is scale-free; this keeps e⁴ of a quiet component representable
    e = np.abs(a)
    e = e - e.mean()
    sd = float(np.sqrt(np.mean(e ** 2)))
    if not (sd > 0 and np.isfinite(sd)):
        return 0.0
    z = e / sd  # standardize first: a near-silent component must not under- or overflow e⁴
    k = float(np.mean(z ** 4))
    return k if np.isfinite(k) else 0.0


@dataclass
class SoiChoice:
    """Which component is the signal of interest, by which rule, and every component's score."""

    index: int
    rule: str          # "envsi" or "kurtosis"
    scores: np.ndarray
    description: str


def select_soi(components, fs: float, fault_hz: float | None = None, **envsi_kwargs) -> SoiChoice:
    """Pick the signal-of-interest component (design note §8).

    With a fault frequency, the component whose envelope spectrum has the highest ENVSI;
    without one, the component with the highest envelope kurtosis.

    Parameters
    ----------
    components : array (r, N)
        Component time signals (e.g. from :func:`shinbo.spectral.wiener_components`).
    fs : float
    fault_hz : float or None
    **envsi_kwargs
        Passed to :func:`envsi` (harmonics, tol, method).
    """
    comps = np.atleast_2d(np.asarray(components, dtype=np.float64))
    if fault_hz is not None:
        scores = np.array([envsi(envelope_spectrum(c, fs), fault_hz, **envsi_kwargs) for c in comps])
        k = int(np.argmax(scores))
        return SoiChoice(k, "envsi", scores,
                         f"component {k + 1}: highest ENVSI ({scores[k]:.3f}) at {fault_hz:.2f} Hz")
    scores = np.array([envelope_kurtosis(c) for c in comps])
    k = int(np.argmax(scores))
    return SoiChoice(k, "kurtosis", scores,
                     f"component {k + 1}: highest envelope kurtosis ({scores[k]:.2f}); no fault frequency given")


@dataclass
class BandChoice:
    """The frequency band whose band-passed signal has the highest ENVSI (a classical baseline)."""

    envsi: float
    low_hz: float
    high_hz: float
    level: int
    scores: list  # (level, low, high, envsi) for every band tried


def best_band_envsi(x, fs: float, fault_hz: float, *, levels: int = 4, nfft: int = 256, hop: int = 64,
                    **envsi_kwargs) -> BandChoice:
    """The best fixed band by ENVSI over a dyadic filter bank (a kurtogram-like search).

    Level k splits 0 … fs/2 into 2^k equal bands (k = 1 … ``levels``); each band is kept by
    a rectangular mask on the STFT, inverted, and scored by ENVSI at ``fault_hz``. This is
    the informative-frequency-band baseline against which NMF's components are judged:
    what a careful analyst would get by band-pass filtering alone (Antoni's fast kurtogram
    picks bands the same way, by kurtosis instead of ENVSI).
    """
    from .spectral import spectrogram

    levels = check_int(levels, "levels", low=1, high=8)
    S = spectrogram(x, fs, nfft=nfft, hop=hop)
    f = S.freqs
    best = None
    scores = []
    for k in range(1, levels + 1):
        edges = np.linspace(0.0, fs / 2, 2 ** k + 1)
        for lo, hi in zip(edges[:-1], edges[1:]):
            mask = ((f >= lo) & (f < hi)) if hi < fs / 2 else (f >= lo)
            if not mask.any():
                continue
            y = S.inverse(mask[:, None] * S.Z)
            if not np.any(y):
                continue
            e = envsi(envelope_spectrum(y, fs), fault_hz, **envsi_kwargs)
            scores.append((k, float(lo), float(hi), e))
            if best is None or e > best[3]:
                best = (k, float(lo), float(hi), e)
    if best is None:
        raise InvalidDataError("no band of the signal carries energy")
    return BandChoice(envsi=best[3], low_hz=best[1], high_hz=best[2], level=best[0], scores=scores)
