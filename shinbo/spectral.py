"""STFT power spectrograms and the way back: component time signals from a factorization.

Uses :class:`scipy.signal.ShortTimeFFT`, whose inverse with the canonical dual window
reconstructs the input exactly, so the Wiener components of design note §8 add up to the
signal they came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal as sps

from ._validation import check_choice, check_int, check_real
from .errors import InvalidDataError, InvalidParameterError

__all__ = ["Spectrogram", "spectrogram", "wiener_components", "wfilter_components",
           "min_signal_length", "WINDOWS"]

WINDOWS = ("hann", "hamming", "blackman", "boxcar")
DEFAULT_NFFT = 512   # 257 frequency bins, as in the paper; 20 ms at 25.6 kHz, 10 ms at 50 kHz
DEFAULT_HOP = 128    # 75 % overlap
MIN_FRAMES = 4


@dataclass
class Spectrogram:
    """A power spectrogram X = |Z|² with what it takes to invert it.

    Attributes
    ----------
    freqs : array (m,)
        Bin centre frequencies in Hz, 0 … fs/2.
    times : array (n,)
        Frame centre times in seconds.
    Z : complex array (m, n)
        The STFT.
    X : array (m, n)
        Power |Z|², the matrix SHINBO factorizes.
    fs : float
        Sampling rate in Hz.
    nfft, hop : int
        Window length (= FFT length) and hop, in samples.
    window : str
    n_samples : int
        Length of the signal it came from.
    """

    freqs: np.ndarray
    times: np.ndarray
    Z: np.ndarray
    X: np.ndarray
    fs: float
    nfft: int
    hop: int
    window: str
    n_samples: int

    def _stft(self) -> sps.ShortTimeFFT:
        return _make_stft(self.fs, self.nfft, self.hop, self.window)

    def inverse(self, Z: np.ndarray) -> np.ndarray:
        """Time signal (length ``n_samples``) of an STFT ``Z`` of this spectrogram's shape."""
        return self._stft().istft(Z, k1=self.n_samples)


def _make_stft(fs, nfft, hop, window) -> sps.ShortTimeFFT:
    win = sps.get_window(window, nfft, fftbins=True)
    return sps.ShortTimeFFT(win, hop=hop, fs=fs, fft_mode="onesided", scale_to=None)


def min_signal_length(nfft: int = DEFAULT_NFFT, hop: int = DEFAULT_HOP) -> int:
    """Shortest signal (samples) accepted: enough for ``MIN_FRAMES`` full STFT windows."""
    return nfft + (MIN_FRAMES - 1) * hop


def spectrogram(x, fs: float, *, nfft: int = DEFAULT_NFFT, hop: int = DEFAULT_HOP,
                window: str = "hann") -> Spectrogram:
    """STFT power spectrogram of a 1-D signal.

    Parameters
    ----------
    x : array (N,)
        Samples (any unit; vibration is usually in g or m/s²).
    fs : float
        Sampling rate in Hz, > 0.
    nfft : int, default 512
        Window length and FFT size in samples (even, ≥ 16); ``nfft // 2 + 1`` frequency bins
        (257 by default, as in the paper). At 12-50 kHz that is a 10-43 ms window, short
        enough to resolve the 5-10 ms spacing of bearing-fault impulses in time.
    hop : int, default 128
        Samples between frames, 1 ≤ hop ≤ nfft.
    window : {"hann", "hamming", "blackman", "boxcar"}, default "hann"

    Returns
    -------
    Spectrogram

    Examples
    --------
    >>> import numpy as np
    >>> S = spectrogram(np.random.default_rng(0).standard_normal(25600), 25600.0)
    >>> S.X.shape[0]
    257
    """
    fs = check_real(fs, "fs (sampling rate, Hz)", low=0.0, low_open=True)
    nfft = check_int(nfft, "nfft", low=16, high=1 << 16)
    if nfft % 2:
        raise InvalidParameterError(f"nfft must be even; got {nfft}")
    hop = check_int(hop, "hop", low=1, high=nfft)
    check_choice(window, "window", WINDOWS)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise InvalidDataError(f"the signal must be 1-D; got shape {x.shape}")
    need = min_signal_length(nfft, hop)
    if x.size < need:
        raise InvalidDataError(f"the signal has {x.size} samples; at least {need} are needed for "
                               f"{MIN_FRAMES} STFT windows (nfft={nfft}, hop={hop})")
    if not np.all(np.isfinite(x)):
        i = int(np.argmax(~np.isfinite(x)))
        raise InvalidDataError(f"the signal must be finite; sample {i} is {x[i]}")
    stft = _make_stft(fs, nfft, hop, window)
    Z = stft.stft(x)
    X = (Z.real ** 2 + Z.imag ** 2)
    return Spectrogram(freqs=stft.f, times=stft.t(x.size), Z=Z, X=X, fs=fs, nfft=nfft, hop=hop,
                       window=window, n_samples=x.size)


def _check_factors(S: Spectrogram, W, H):
    W = np.asarray(W, dtype=np.float64)
    H = np.asarray(H, dtype=np.float64)
    m, n = S.X.shape
    if W.ndim != 2 or H.ndim != 2 or W.shape[0] != m or H.shape[1] != n or W.shape[1] != H.shape[0]:
        raise InvalidDataError(f"W {W.shape} and H {H.shape} do not fit the spectrogram {S.X.shape}")
    return W, H


def wiener_components(S: Spectrogram, W, H) -> np.ndarray:
    """Component time signals by Wiener masks: ``x_l = istft((w_l h_lᵀ / W H) ⊙ Z)``.

    IS-NMF is the maximum-likelihood fit of a sum of Gaussian components with variances
    ``w_l h_lᵀ``, so this is each component's MMSE estimate (Févotte et al. 2009). The
    masks add up to one, so ``sum(x_l) == x`` up to rounding.

    Returns
    -------
    array (r, N)
    """
    W, H = _check_factors(S, W, H)
    V = W @ H
    tiny = np.finfo(np.float64).tiny
    r = W.shape[1]
    # where the model is exactly zero, split Z evenly so the masks still sum to one
    dead = V <= tiny
    Vs = np.where(dead, 1.0, V)
    out = np.empty((r, S.n_samples))
    for l in range(r):
        mask = np.where(dead, 1.0 / r, np.outer(W[:, l], H[l]) / Vs)
        out[l] = S.inverse(mask * S.Z)
    return out


def wfilter_components(S: Spectrogram, W) -> np.ndarray:
    """Component signals by W-column filtering: ``x_l = istft((w_l / max w_l) ⊙ Z)``.

    The spectral profile as a zero-phase filter (Wodecki et al., NMF-based informative
    frequency band selection). These do not sum to x. Returns an array (r, N).
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != S.X.shape[0]:
        raise InvalidDataError(f"W must have {S.X.shape[0]} rows (one per frequency bin); got shape {W.shape}")
    out = np.empty((W.shape[1], S.n_samples))
    for l in range(W.shape[1]):
        peak = W[:, l].max()
        filt = W[:, l] / peak if peak > 0 else np.zeros_like(W[:, l])
        out[l] = S.inverse(filt[:, None] * S.Z)
    return out
