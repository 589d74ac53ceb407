"""Penalized Itakura-Saito NMF with multiplicative updates, and the conventions every fit shares.

The MU baselines of the paper (fixed λ = 0, 0.1, 0.5) live here as :func:`fit_mu`; SHINBO
(:func:`shinbo.fit_shinbo`, in :mod:`shinbo.bilevel`) runs through the same loop,
:func:`_run`, so that the two differ only in how H is updated and whether λ moves:

* X is divided by its mean μ and floored at ``FLOOR`` (= 1e-10 in those units); V = W H is
  floored at the same value, so no log and no division ever sees a zero.
* Every column of W has unit ℓ1 norm after each W update (the matching row of H is
  rescaled), so ``λ_l Σ_j h_lj`` does not depend on the recording's units. A W0/H0 given
  by the caller is rescaled the same way on entry. H is multiplied back by μ at the end,
  so ``W @ H`` approximates the X that was passed. With λ = 0 none of this changes the
  trajectory of ``W @ H``: IS-MU factors are invariant to the scale of X and to a
  diagonal rescaling between W and H.
* One iteration = one W update (IS-MU, same γ), then the H update, then the record.
* Stopping rule: the change of the penalized objective between two iterations, relative
  to its value after the first iteration, ``|F_{k-1} - F_k| / F_1``, falls below ``tol``
  (scikit-learn's rule; relative to F_1 rather than F_{k-1} because on exact data
  F → 0 and a ratio of two vanishing numbers never settles). A change, not a decrease:
  SHINBO moves λ, so F need not decrease monotonically.

References
----------
C. Févotte, N. Bertin, J.-L. Durrieu, "Nonnegative matrix factorization with the
Itakura-Saito divergence", Neural Computation 21(3), 2009.
C. Févotte, J. Idier, "Algorithms for nonnegative matrix factorization with the
β-divergence", Neural Computation 23(9), 2011 (the MM exponent γ = 1/2 for IS).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import kernels
from ._validation import (check_choice, check_dtype, check_factor, check_int, check_matrix,
                          check_per_row, check_real)
from .errors import InvalidParameterError, NonFiniteError

__all__ = ["FitResult", "IterationInfo", "fit_mu", "initialize", "normalize_columns",
           "update_w", "update_h", "penalized_objective", "FLOOR"]

FLOOR = 1e-10
INITS = ("nndsvd", "nndsvda", "random")
PENALTY_NAMES = tuple(kernels.PENALTIES)
BACKENDS = ("auto", "numba", "numpy")
DEFAULT_MU_MAX_ITER = 500


@dataclass
class IterationInfo:
    """What a ``callback`` receives once per outer iteration."""

    iteration: int
    max_iter: int
    objective: float            # mean IS divergence D_IS(X | WH) / (m n)
    penalized_objective: float  # (D_IS on training entries + Σ λ_l J(h_l)) / (m n)
    lambdas: np.ndarray         # current λ (copy)
    hypergradients: np.ndarray  # this iteration's ∂R/∂λ (zeros for fixed λ)
    elapsed: float              # seconds since the fit started


@dataclass
class FitResult:
    """The outcome of :func:`fit_mu` or :func:`shinbo.fit_shinbo`.

    Attributes
    ----------
    W : ndarray (m, r)
        Spectral profiles, each column of unit ℓ1 norm.
    H : ndarray (r, n)
        Activations, in the units of the X that was passed (``W @ H ≈ X``).
    lambdas : ndarray (r,)
        Final per-row penalties (in the normalized units of the design note).
    n_iter : int
        Outer iterations done.
    converged : bool
        The stopping rule was met before ``max_iter``.
    stopped : bool
        The callback returned False (the fit was cancelled; history is kept).
    history : dict of ndarray
        ``objective`` (n_iter,), ``penalized_objective`` (n_iter,), ``outer`` (n_iter,),
        ``lambdas`` (n_iter, r), ``hypergradients`` (n_iter, r), ``seconds`` (n_iter,)
        cumulative.
    method : str
        ``"shinbo"`` or ``"mu"``.
    config : dict
        The parameters of the fit, enough to repeat it.
    """

    W: np.ndarray
    H: np.ndarray
    lambdas: np.ndarray
    n_iter: int
    converged: bool
    stopped: bool
    history: dict
    method: str
    config: dict = field(default_factory=dict)

    @property
    def reconstruction(self) -> np.ndarray:
        """W @ H, the model of X."""
        return self.W @ self.H

    @property
    def seconds(self) -> float:
        """Total wall-clock seconds of the fit."""
        s = self.history["seconds"]
        return float(s[-1]) if len(s) else 0.0

    @property
    def objective(self) -> float:
        """Final mean IS divergence."""
        o = self.history["objective"]
        return float(o[-1]) if len(o) else float("nan")


# --------------------------------------------------------------------------------------
# Building blocks (public: the tests and the Learn page use them)
# --------------------------------------------------------------------------------------

def normalize_columns(W: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale each column of W to unit ℓ1 norm and the matching row of H inversely.

    W H is unchanged. A column that is entirely zero is left alone.
    """
    norms = W.sum(axis=0)
    ok = norms > 0
    W = W.copy()
    H = H.copy()
    W[:, ok] /= norms[ok]
    H[ok] *= norms[ok, None]
    return W, H


def update_w(X: np.ndarray, W: np.ndarray, H: np.ndarray, gamma: float = 1.0,
             floor: float = FLOOR) -> np.ndarray:
    """One IS multiplicative update of W with H fixed.

    ``W ← W ⊙ [((X ⊙ V^-2) Hᵀ) / (V^-1 Hᵀ)]^γ`` with V = max(W H, floor). With γ = 1/2 it is
    a majorization-minimization step and never increases D_IS (Févotte & Idier 2011).
    """
    return kernels.update_w_numpy(X, W, H, gamma, floor)


def update_h(X: np.ndarray, W: np.ndarray, H: np.ndarray, lam, gamma: float = 1.0,
             floor: float = FLOOR) -> np.ndarray:
    """One joint penalized IS-MU update of all rows of H (the MU baselines' H step).

    ``H ← H ⊙ [(Wᵀ(X ⊙ V^-2)) / (Wᵀ V^-1 + λ 1ᵀ)]^γ``; λ a scalar or one value per row.
    """
    lam = np.broadcast_to(np.asarray(lam, dtype=X.dtype), (W.shape[1],)).copy()
    return kernels.update_h_numpy(X, W, H, lam, gamma, floor)


def penalized_objective(X: np.ndarray, W: np.ndarray, H: np.ndarray, lam,
                        floor: float = FLOOR) -> float:
    """``D_IS(X | WH) + Σ_l λ_l Σ_j h_lj`` (the inner problem's objective, ℓ1 penalty, total)."""
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), (W.shape[1],))
    return kernels.is_divergence_numpy(X, W, H, floor) + float(lam @ H.sum(axis=1))


def _svd(X: np.ndarray, k: int):
    # exact economy SVD while it is cheap, else a (deterministic) randomized range finder
    if X.shape[0] * X.shape[1] <= 4_000_000:
        U, S, Vt = np.linalg.svd(X, full_matrices=False)
        return U[:, :k], S[:k], Vt[:k]
    rng = np.random.default_rng(0)
    Q = X @ rng.standard_normal((X.shape[1], k + 10)).astype(X.dtype)
    for _ in range(4):
        Q, _ = np.linalg.qr(Q)
        Q, _ = np.linalg.qr(X @ (X.T @ Q))
    B = Q.T @ X
    Ub, S, Vt = np.linalg.svd(B, full_matrices=False)
    return (Q @ Ub)[:, :k], S[:k], Vt[:k]


def initialize(X: np.ndarray, rank: int, init: str = "nndsvda",
               rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Initial W (m, r), H (r, n) for X, by NNDSVD(a) (Boutsidis & Gallopoulos 2008) or random.

    ``"nndsvda"`` fills NNDSVD's zeros with mean(X) (zeros would be frozen by MU);
    ``"random"`` draws |N(0, 1)| · sqrt(mean(X)/r) from ``rng``, as scikit-learn does.
    """
    check_choice(init, "init", INITS)
    m, n = X.shape
    if init == "random":
        rng = np.random.default_rng() if rng is None else rng
        avg = np.sqrt(X.mean() / rank)
        H = np.abs(avg * rng.standard_normal((rank, n))).astype(X.dtype)
        W = np.abs(avg * rng.standard_normal((m, rank))).astype(X.dtype)
        return W, H
    U, S, Vt = _svd(X, rank)
    W = np.zeros((m, rank), dtype=X.dtype)
    H = np.zeros((rank, n), dtype=X.dtype)
    W[:, 0] = np.sqrt(S[0]) * np.abs(U[:, 0])
    H[0] = np.sqrt(S[0]) * np.abs(Vt[0])
    for j in range(1, rank):
        x, y = U[:, j], Vt[j]
        xp, xn = np.maximum(x, 0), np.maximum(-x, 0)
        yp, yn = np.maximum(y, 0), np.maximum(-y, 0)
        nxp, nyp = np.linalg.norm(xp), np.linalg.norm(yp)
        nxn, nyn = np.linalg.norm(xn), np.linalg.norm(yn)
        mp, mn_ = nxp * nyp, nxn * nyn
        if mp > mn_:
            u, v, sig = xp / max(nxp, 1e-300), yp / max(nyp, 1e-300), mp
        else:
            u, v, sig = xn / max(nxn, 1e-300), yn / max(nyn, 1e-300), mn_
        lbd = np.sqrt(S[j] * sig)
        W[:, j] = lbd * u
        H[j] = lbd * v
    eps = 1e-6
    W[W < eps] = 0
    H[H < eps] = 0
    if init == "nndsvda":
        avg = X.mean()
        W[W == 0] = avg
        H[H == 0] = avg
    return W, H


# --------------------------------------------------------------------------------------
# The shared loop
# --------------------------------------------------------------------------------------

@dataclass
class _Problem:
    """Validated, normalized input shared by fit_mu and fit_shinbo."""

    X: np.ndarray            # X / mean, floored
    scale: float             # the mean μ
    W: np.ndarray
    H: np.ndarray
    train: np.ndarray | None  # holdout mask (1 = training entry) or None
    valid: np.ndarray | None
    rng_lambda: np.random.Generator
    dtype: np.dtype


def _prepare(X, rank, *, init, seed, W0, H0, dtype, holdout=None) -> _Problem:
    dtype = check_dtype(dtype)
    X = check_matrix(X, "X", dtype=dtype)
    m, n = X.shape
    rank = check_int(rank, "rank", low=1, high=min(m, n))
    check_choice(init, "init", INITS)
    if seed is not None:
        seed = check_int(seed, "seed", low=0)
    if (W0 is None) != (H0 is None):
        raise InvalidParameterError("W0 and H0 must be given together (both or neither); got only "
                                    + ("W0" if H0 is None else "H0"))
    scale = float(X.mean(dtype=np.float64))
    # X is already our own copy: normalize and floor it in place (no second m×n array)
    Xn = X
    Xn /= dtype.type(scale)
    np.maximum(Xn, dtype.type(FLOOR), out=Xn)
    # independent streams: init, λ0, holdout mask
    ss_init, ss_lam, ss_mask = np.random.SeedSequence(seed).spawn(3)
    if W0 is not None:
        W = check_factor(W0, "W0", (m, rank), dtype)
        H = check_factor(H0, "H0", (rank, n), dtype) / dtype.type(scale)
    else:
        W, H = initialize(Xn, rank, init, np.random.default_rng(ss_init))
    W, H = normalize_columns(W.astype(dtype, copy=False), H.astype(dtype, copy=False))
    train = valid = None
    if holdout is not None:
        rng = np.random.default_rng(ss_mask)
        hidden = rng.random((m, n)) < holdout
        if not hidden.any() or hidden.all():
            raise InvalidParameterError(f"holdout={holdout:g} hides {int(hidden.sum())} of {m * n} entries; "
                                        "it must hide at least one entry and keep at least one")
        train = (~hidden).astype(dtype)
        valid = hidden.astype(dtype)
    return _Problem(Xn, scale, W, H, train, valid, np.random.default_rng(ss_lam), dtype)


def _check_common(max_iter, tol, gamma, T=1):
    max_iter = check_int(max_iter, "max_iter", low=1)
    tol = check_real(tol, "tol", low=0.0)
    gamma = check_real(gamma, "gamma", low=0.0, high=1.0, low_open=True)
    T = check_int(T, "T", low=1)
    return max_iter, tol, gamma, T


def _check_penalty(penalty, p, eps):
    check_choice(penalty, "penalty", PENALTY_NAMES)
    p = check_real(p, "p", low=0.0, high=1.0, low_open=True)
    eps = check_real(eps, "penalty_eps", low=0.0, low_open=True)
    return kernels.PENALTIES[penalty], p, eps


def _run(prob: _Problem, lam: np.ndarray, *, max_iter, tol, gamma, h_step, callback, method,
         config, backend, penalty=0, p=0.5, eps=1e-3) -> FitResult:
    """The outer loop both fits share. ``h_step(kern, W, H, lam) -> (H, lam, hypergradients)``."""
    check_choice(backend, "backend", BACKENDS)
    if callback is not None and not callable(callback):
        raise InvalidParameterError(f"callback must be callable or None; got {type(callback).__name__}")
    backend_cls = kernels.get_backend(backend)  # may compile the fast kernels once: not part of the fit's time
    t0 = time.perf_counter()
    kern = backend_cls(prob.X, prob.train, prob.valid, prob.dtype.type(FLOOR), penalty, p, eps)
    W, H = prob.W, prob.H
    m, n = prob.X.shape
    r = W.shape[1]
    mn = float(m * n)
    n_valid = float(prob.valid.sum()) if prob.valid is not None else mn
    hist = {k: [] for k in ("objective", "penalized_objective", "outer", "lambdas",
                            "hypergradients", "seconds")}
    converged = stopped = False
    prev = first = None
    it = 0
    # entries below sqrt(tiny) are flushed to zero (MU keeps a zero a zero): the product of
    # two surviving entries cannot underflow, and no subnormal slows the kernels
    zero_below = prob.dtype.type(np.sqrt(np.finfo(prob.dtype).tiny))
    for it in range(1, max_iter + 1):
        W = kern.update_w(W, H, gamma)
        W[W < zero_below] = 0
        W, H = normalize_columns(W, H)
        H, lam, grads = h_step(kern, W, H, lam)
        H[H < zero_below] = 0
        total, train_sum, valid_sum = kern.divergences(W, H)
        pen = sum(float(lam[l]) * kernels.penalty_value(H[l], penalty, p, eps) for l in range(r))
        F = (train_sum + pen) / mn
        obj = total / mn
        if not (np.isfinite(F) and np.isfinite(obj) and np.all(np.isfinite(lam))):
            raise NonFiniteError(f"the {method} fit produced a non-finite objective at iteration {it} "
                                 f"(objective={obj}, penalized={F}); try gamma=0.5 or a smaller alpha")
        hist["objective"].append(obj)
        hist["penalized_objective"].append(F)
        hist["outer"].append(valid_sum / n_valid if prob.valid is not None else obj)
        hist["lambdas"].append(lam.astype(np.float64, copy=True))
        hist["hypergradients"].append(np.asarray(grads, dtype=np.float64).copy())
        elapsed = time.perf_counter() - t0
        hist["seconds"].append(elapsed)
        if first is None:
            first = F
        elif tol > 0 and abs(prev - F) <= tol * abs(first):
            converged = True
        prev = F
        if callback is not None:
            info = IterationInfo(it, max_iter, obj, F, lam.astype(np.float64, copy=True),
                                 hist["hypergradients"][-1], elapsed)
            if callback(info) is False:
                stopped = not converged
                break
        if converged:
            break
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(H))):
        raise NonFiniteError(f"the {method} fit produced non-finite factors; try gamma=0.5")
    history = {k: np.array(v, dtype=np.float64) for k, v in hist.items()}
    if not history["lambdas"].size:
        history["lambdas"] = history["lambdas"].reshape(0, r)
        history["hypergradients"] = history["hypergradients"].reshape(0, r)
    H_out = (H * prob.dtype.type(prob.scale)).astype(prob.dtype, copy=False)
    config = dict(config, backend=kern.name)
    return FitResult(W=W, H=H_out, lambdas=lam.astype(np.float64, copy=True), n_iter=it,
                     converged=converged, stopped=stopped, history=history, method=method,
                     config=config)


def fit_mu(X, rank, *, lam=0.0, gamma=1.0, max_iter=DEFAULT_MU_MAX_ITER, tol=1e-6, init="nndsvda",
           seed=None, W0=None, H0=None, callback: Callable[[IterationInfo], Any] | None = None,
           inner_steps=1, h_update="joint", penalty="l1", p=0.5, penalty_eps=1e-3,
           dtype="float64", backend="auto") -> FitResult:
    r"""IS-NMF by multiplicative updates with a fixed ℓ1 penalty per row of H (the MU baselines).

    Solves, with the conventions of :mod:`shinbo.nmf` (X divided by its mean, unit-ℓ1
    columns of W, floors at 1e-10),

    .. math::

        \min_{W, H \ge 0}\; D_{IS}(X \mid WH) + \sum_l \lambda_l \sum_j h_{lj},
        \qquad D_{IS}(X\mid V) = \sum_{ij} \frac{X_{ij}}{V_{ij}} - \log\frac{X_{ij}}{V_{ij}} - 1,

    by alternating the IS-MU update of W and the penalized update of H

    .. math::

        H \leftarrow H \odot \left[\frac{W^\top (X \odot V^{-2})}{W^\top V^{-1} + \lambda 1^\top}\right]^\gamma .

    These are the fixed-penalty baselines of Chen et al. (SHINBO, arXiv 2502.17123), which
    compare λ = 0, 0.1 and 0.5. With λ = 0 and γ = 1/2 the trajectory of ``W @ H`` is that
    of scikit-learn's ``NMF(beta_loss="itakura-saito", solver="mu")`` (tested).

    Parameters
    ----------
    X : array (m, n)
        Nonnegative power spectrogram (frequencies × frames). Zeros are allowed (floored).
    rank : int
        Number of components r, 1 ≤ r ≤ min(m, n).
    lam : float or array (r,), default 0.0
        ℓ1 penalty, one value for all rows or one per row, ≥ 0 (normalized units).
    gamma : float in (0, 1], default 1.0
        Exponent of the multiplicative update: 1 is the classical heuristic MU (the
        paper's), 1/2 the majorization-minimization exponent (monotone).
    max_iter : int, default 500
        Outer iterations at most.
    tol : float, default 1e-6
        Stop when ``|F_{k-1} - F_k| / F_1`` (F the penalized objective) is below ``tol``;
        0 runs all ``max_iter`` iterations.
    init : {"nndsvda", "nndsvd", "random"}, default "nndsvda"
    seed : int or None
        Seeds the random init; a fixed seed makes runs bit-identical.
    W0, H0 : arrays (m, r), (r, n), optional
        Initial factors (both or neither); rescaled as described above.
    callback : callable(IterationInfo) -> bool or None, optional
        Called after each iteration; return False to stop (``stopped=True``).
    inner_steps : int, default 1
        H updates per W update (SHINBO does T of them; for the ablation).
    h_update : {"joint", "rows"}, default "joint"
        "joint" updates all rows of H at once (standard MU, as scikit-learn); "rows"
        updates one row at a time with the others fixed, as SHINBO's inner problem does.
    penalty : {"l1", "lp", "log"}, default "l1"
        Row penalty J (see :mod:`shinbo.kernels`); ``p`` and ``penalty_eps`` parametrize it.
    dtype : {"float64", "float32"}, default "float64"
    backend : {"auto", "numba", "numpy"}, default "auto"
        "auto" uses the fused Numba kernels when they compile, else the numpy reference.

    Returns
    -------
    FitResult
        ``method="mu"``; ``history["hypergradients"]`` is zero.

    Examples
    --------
    >>> import shinbo
    >>> data = shinbo.synthetic_nmf(seed=0)
    >>> res = shinbo.fit_mu(data.X, 3, lam=0.1, seed=0)
    >>> res.W.shape, res.H.shape
    ((100, 3), (3, 70))
    """
    max_iter, tol, gamma, inner_steps = _check_common(max_iter, tol, gamma, inner_steps)
    check_choice(h_update, "h_update", ("joint", "rows"))
    pcode, p, penalty_eps = _check_penalty(penalty, p, penalty_eps)
    prob = _prepare(X, rank, init=init, seed=seed, W0=W0, H0=H0, dtype=dtype)
    r = prob.W.shape[1]
    lam_arr = check_per_row(lam, "lam", r).astype(prob.dtype)
    zeros = np.zeros(r)

    def h_step(kern, W, H, lam_):
        if h_update == "joint":
            for _ in range(inner_steps):
                H = kern.update_h(W, H, lam_, gamma)
            return H, lam_, zeros
        # one row at a time, its T steps before the next row, as in SHINBO's inner problem
        H = H.copy()
        for l in range(r):
            H[l], _ = kern.row_pass(W, H, l, lam_[l], inner_steps, gamma)
        return H, lam_, zeros

    config = dict(method="mu", rank=r, lam=lam_arr.tolist(), gamma=gamma, max_iter=max_iter, tol=tol,
                  init=init, seed=seed, inner_steps=inner_steps, h_update=h_update, penalty=penalty,
                  p=p, penalty_eps=penalty_eps, dtype=prob.dtype.name)
    return _run(prob, lam_arr, max_iter=max_iter, tol=tol, gamma=gamma, h_step=h_step,
                callback=callback, method="mu", config=config, backend=backend,
                penalty=pcode, p=p, eps=penalty_eps)
