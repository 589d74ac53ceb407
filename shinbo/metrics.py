"""Separation and sparsity metrics (design note §7).

* SIR of estimated rows of H (or columns of W) against the truth, after normalizing each to
  unit ℓ2 norm and matching components by the permutation of least total squared error
  (Hungarian algorithm): ``SIR = 10 log10(‖h‖² / ‖h − ĥ‖²)`` dB.
* Sparsity(H): the share (%) of entries below ``1e-3 · max(H)``, and Hoyer's measure
  ``(√n − ‖h‖₁/‖h‖₂) / (√n − 1)`` per row (0 dense … 1 one nonzero).
* ENVSI lives in :mod:`shinbo.analysis`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from .errors import InvalidDataError

__all__ = ["SirResult", "sir", "sir_h", "sir_w", "sparsity_zeros", "hoyer", "MAX_SIR_DB"]

MAX_SIR_DB = 300.0  # an exact match is reported as this, never as inf


@dataclass
class SirResult:
    """Per-component SIR (dB, in the order of the true components), their median, the matching."""

    per_component: np.ndarray
    median: float
    permutation: np.ndarray   # permutation[k] = estimated component matched to true component k (-1: none)


def _unit_rows(A):
    norms = np.linalg.norm(A, axis=1, keepdims=True)
    return np.divide(A, norms, out=np.zeros_like(A), where=norms > 0)


def sir(true, est) -> SirResult:
    """SIR of the rows of ``est`` (r2, n) against the rows of ``true`` (r1, n).

    Components are matched by the assignment of least total squared error between unit-ℓ2
    rows; with r2 ≠ r1 only min(r1, r2) pairs are matched, and a true component left
    without a partner scores 0 dB (as if estimated by zero).

    Examples
    --------
    >>> import numpy as np
    >>> H = np.array([[1.0, 0, 0, 1], [0, 1, 1, 0]])
    >>> res = sir(H, H[::-1] * 3)   # a permutation and a scale do not matter
    >>> res.permutation.tolist(), res.median
    ([1, 0], 300.0)
    """
    A = np.asarray(true, dtype=np.float64)
    B = np.asarray(est, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[1]:
        raise InvalidDataError(f"true and estimated components must be 2-D with the same length; got {A.shape} and {B.shape}")
    A, B = _unit_rows(A), _unit_rows(B)
    # cost[k, l] = ||a_k - b_l||^2
    cost = (A ** 2).sum(1)[:, None] + (B ** 2).sum(1)[None, :] - 2 * A @ B.T
    rows, cols = linear_sum_assignment(np.maximum(cost, 0))
    perm = np.full(A.shape[0], -1, dtype=int)
    perm[rows] = cols
    vals = np.zeros(A.shape[0])
    for k in range(A.shape[0]):
        sig = float(np.sum(A[k] ** 2))
        if sig == 0 or perm[k] < 0:
            continue
        err = float(np.sum((A[k] - B[perm[k]]) ** 2))
        vals[k] = MAX_SIR_DB if err == 0 else min(10 * np.log10(sig / err), MAX_SIR_DB)
    return SirResult(per_component=vals, median=float(np.median(vals)), permutation=perm)


def sir_h(H_true, H_est) -> SirResult:
    """SIR of the rows of H."""
    return sir(H_true, H_est)


def sir_w(W_true, W_est) -> SirResult:
    """SIR of the columns of W."""
    return sir(np.asarray(W_true).T, np.asarray(W_est).T)


def sparsity_zeros(H, rel: float = 1e-3) -> float:
    """Share of entries of H below ``rel · max(H)``, in % (100 for an all-zero H)."""
    H = np.asarray(H, dtype=np.float64)
    top = H.max() if H.size else 0.0
    if top <= 0:
        return 100.0
    return float(100.0 * np.mean(H < rel * top))


def hoyer(H) -> np.ndarray:
    """Hoyer's sparsity ``(√n − ‖h‖₁/‖h‖₂)/(√n − 1)`` of each row (1.0 for an all-zero row).

    Examples
    --------
    >>> hoyer([[1.0, 0, 0, 0], [1.0, 1, 1, 1]]).tolist()
    [1.0, 0.0]
    """
    H = np.atleast_2d(np.asarray(H, dtype=np.float64))
    n = H.shape[1]
    if n < 2:
        raise InvalidDataError("Hoyer's measure needs rows of at least 2 entries")
    l1 = np.abs(H).sum(1)
    l2 = np.linalg.norm(H, axis=1)
    ratio = np.divide(l1, l2, out=np.ones_like(l1), where=l2 > 0)
    return np.clip((np.sqrt(n) - ratio) / (np.sqrt(n) - 1), 0.0, 1.0)
