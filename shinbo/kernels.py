"""Row-step, H-update and W-update kernels: a plain numpy reference and a fused fast path.

The numpy functions are the reference implementation: one full-matrix temporary per
operation, written to be read next to the design note (§2, §3, §5). The fast path is Numba
(``@njit(parallel=True, cache=True)``, in :mod:`shinbo._numba_kernels`): it loops over
columns of X, and for each column runs all T row steps while the column (m values) sits in
cache, with the sensitivity recurrence fused in, so X is read once per row instead of ~8
times per step, and the loop is parallel over columns (the Jacobian of a row step is
diagonal, design note §6). Its only fast-math flag is ``reassoc``, which lets LLVM
vectorize the sums over the m rows of a column by adding them in another order: the fast
path then agrees with the reference (which sums in BLAS's own order) to ~1e-15, held to
1e-10 relative by the tests. No ``nnan``/``ninf``/``contract``: NaN and Inf keep their IEEE
meaning and no FMA changes the rounding. (With ``fastmath=False`` the row kernel, where
SHINBO spends its time, ran 4.2× slower here: 3.5 ms instead of 0.84 ms per row at
m = 257, n = 1782, T = 4.)

Numba was chosen over Cython/C extensions because it needs no compiler toolchain at
install time, caches compiled code on disk, and keeps the kernels in Python syntax beside
their reference. If Numba is missing or a kernel fails to compile, :func:`fast_available`
returns False, one :class:`RuntimeWarning` is issued, and every caller falls back to the
numpy reference.

All kernels take X already floored (no zeros) and a positive ``floor`` for V = W H.
Masks: ``train`` (weights of the inner problem, None = all ones) and ``valid`` (weights
of the outer objective, None = all ones), ``n_valid`` their count.

Penalties J (design note §2; Rao & Kreutz-Delgado diversity measures), coded as ints so
that Numba can branch on them:

====  ==================  =====================  ==========================
code  name                J(h)                   J'(h)
====  ==================  =====================  ==========================
0     ``"l1"``            h                      1
1     ``"lp"``            (h + eps)^p, 0<p<1     p (h + eps)^(p-1)
2     ``"log"``           log(h + eps)           1 / (h + eps)
====  ==================  =====================  ==========================
"""

from __future__ import annotations

import os
import threading
import warnings

import numpy as np

PENALTIES = {"l1": 0, "lp": 1, "log": 2}


# --------------------------------------------------------------------------------------
# Penalty helpers (numpy)
# --------------------------------------------------------------------------------------

def penalty_value(h: np.ndarray, code: int, p: float, eps: float) -> float:
    """J(h) summed over the entries of ``h``."""
    if code == 0:
        return float(h.sum())
    if code == 1:
        return float(((h + eps) ** p).sum())
    return float(np.log(h + eps).sum())


def _penalty_d1(h, code, p, eps):
    if code == 0:
        return np.ones_like(h)
    if code == 1:
        return p * (h + eps) ** (p - 1.0)
    return 1.0 / (h + eps)


def _penalty_d2(h, code, p, eps):
    if code == 0:
        return np.zeros_like(h)
    if code == 1:
        return p * (p - 1.0) * (h + eps) ** (p - 2.0)
    return -1.0 / (h + eps) ** 2


def _pow(u, gamma):
    if gamma == 1.0:
        return u
    if gamma == 0.5:
        return np.sqrt(u)
    return u ** gamma


# --------------------------------------------------------------------------------------
# numpy reference
# --------------------------------------------------------------------------------------

def other_rows(W: np.ndarray, H: np.ndarray, row: int) -> np.ndarray:
    """C = sum over k != row of w_k h_k^T (the other components' part of V)."""
    r = W.shape[1]
    if r == 1:
        return np.zeros((W.shape[0], H.shape[1]), dtype=W.dtype)
    keep = np.arange(r) != row
    return W[:, keep] @ H[keep]


def row_steps_numpy(X, C, w, h0, lam, T, gamma, floor, train=None, *,
                    penalty=0, p=0.5, eps=1e-3, trajectory=False):
    """T penalized MU steps of one row with the forward-mode sensitivity (reference).

    Returns ``(h_T, s_T)``, or with ``trajectory=True`` the arrays ``(hs, ss)`` of shape
    (T + 1, n) holding h_0..h_T and s_0..s_T.
    """
    tiny = np.finfo(X.dtype).tiny
    w = w.astype(X.dtype, copy=False)
    w2 = w * w
    h = h0.astype(X.dtype, copy=True)
    s = np.zeros_like(h)
    hs, ss = [h.copy()], [s.copy()]
    XM = X if train is None else X * train
    for _ in range(T):
        V = np.maximum(C + np.outer(w, h), floor)
        Vi = 1.0 / V
        XV2 = XM * Vi * Vi
        ViM = Vi if train is None else Vi * train
        d1 = _penalty_d1(h, penalty, p, eps)
        P = np.maximum(w @ XV2, tiny)
        Q = np.maximum(w @ ViM + lam * d1, tiny)
        dP = -2.0 * (w2 @ (XV2 * Vi))
        dQ = -(w2 @ (ViM * Vi)) + lam * _penalty_d2(h, penalty, p, eps)
        phi = h * _pow(P / Q, gamma)
        A = _pow(P / Q, gamma) + gamma * phi * (dP / P - dQ / Q)
        b = -gamma * phi * d1 / Q
        s = A * s + b
        h = phi
        if trajectory:
            hs.append(h.copy())
            ss.append(s.copy())
    if trajectory:
        return np.array(hs), np.array(ss)
    return h, s


def outer_gradient_numpy(X, C, w, h, floor, valid=None, n_valid=None):
    """g = dR/dh for R = (sum of IS divergence over the ``valid`` entries) / n_valid."""
    V = np.maximum(C + np.outer(w, h), floor)
    Vi = 1.0 / V
    G = Vi - X * Vi * Vi
    if valid is not None:
        G = G * valid
    n_valid = X.size if n_valid is None else n_valid
    return (w @ G) / n_valid


def row_pass_numpy(X, W, H, row, lam, T, gamma, floor, train=None, valid=None, n_valid=None,
                   penalty=0, p=0.5, eps=1e-3):
    """One SHINBO row: T steps, then the hypergradient <g_T, s_T>. Returns (h_T, grad)."""
    C = other_rows(W, H, row)
    w = W[:, row]
    h, s = row_steps_numpy(X, C, w, H[row], lam, T, gamma, floor, train,
                           penalty=penalty, p=p, eps=eps)
    g = outer_gradient_numpy(X, C, w, h, floor, valid, n_valid)
    return h, float(g @ s)


def _mu_terms(X, W, H, floor, train):
    """The two matrices every IS-MU update needs: M ⊙ X ⊙ V^-2 and M ⊙ V^-1 (M the training mask)."""
    Vi = 1.0 / np.maximum(W @ H, floor)
    XV2 = X * Vi * Vi
    if train is not None:
        XV2 = XV2 * train
        Vi = Vi * train
    return XV2, Vi


def update_h_numpy(X, W, H, lam, gamma, floor, train=None, *, penalty=0, p=0.5, eps=1e-3):
    """Joint penalized IS-MU update of all rows of H (the MU baselines). Returns new H."""
    tiny = np.finfo(X.dtype).tiny
    XV2, Vi = _mu_terms(X, W, H, floor, train)
    P = np.maximum(W.T @ XV2, tiny)
    Q = np.maximum(W.T @ Vi + lam[:, None] * _penalty_d1(H, penalty, p, eps), tiny)
    return H * _pow(P / Q, gamma)


def update_w_numpy(X, W, H, gamma, floor, train=None):
    """IS-MU update of W (design note §5). Returns new W."""
    tiny = np.finfo(X.dtype).tiny
    XV2, Vi = _mu_terms(X, W, H, floor, train)
    num = XV2 @ H.T
    den = np.maximum(Vi @ H.T, tiny)
    return W * _pow(num / den, gamma)


def is_divergence_numpy(X, W, H, floor, weights=None):
    """Sum of D_IS(X | max(WH, floor)) over the entries (weighted by 0/1 ``weights``)."""
    V = np.maximum(W @ H, floor)
    ratio = X / V
    D = ratio - np.log(ratio) - 1.0
    if weights is not None:
        D = D * weights
    return float(D.sum(dtype=np.float64))


# --------------------------------------------------------------------------------------
# Numba fast path
# --------------------------------------------------------------------------------------

_fast = None          # module with compiled kernels, or False when unavailable
_fast_lock = threading.Lock()
_warned = False


def _load_fast():
    global _fast, _warned
    with _fast_lock:
        if _fast is None:
            if os.environ.get("SHINBO_DISABLE_NUMBA"):
                _fast = False
                return _fast
            try:
                from . import _numba_kernels as mod
                mod.warm_up()
                _fast = mod
            except Exception as exc:  # any import or compile failure: numpy it is
                _fast = False
                if not _warned:
                    _warned = True
                    warnings.warn(f"shinbo: the Numba fast path is unavailable ({type(exc).__name__}: {exc}); "
                                  "using the numpy reference kernels", RuntimeWarning, stacklevel=3)
    return _fast


def fast_loaded() -> bool:
    """True once the fast kernels have been compiled or loaded in this process (no work done)."""
    return bool(_fast)


def fast_available() -> bool:
    """True when the Numba kernels import and compile (compiling them on first call)."""
    return bool(_load_fast())


def warm_up_async() -> threading.Thread:
    """Compile (or load from cache) the fast kernels in a background thread."""
    t = threading.Thread(target=_load_fast, name="shinbo-warm-up", daemon=True)
    t.start()
    return t


def set_num_threads(n: int | None) -> int:
    """Threads the fast path uses (None: all cores; capped at the cores Numba sees). Returns the count.

    Results do not depend on it (every sum is taken in a fixed order). No effect on the
    numpy reference, which uses BLAS's own threads.
    """
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
        from .errors import InvalidParameterError
        raise InvalidParameterError(f"the thread count must be an integer >= 1 or None; got {n!r}")
    mod = _load_fast()
    if not mod:
        return 1
    import numba
    top = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(min(int(top if n is None else n), top))
    return numba.get_num_threads()


def get_backend(backend: str):
    """Resolve 'auto' | 'numba' | 'numpy' to a kernel namespace."""
    if backend == "numpy":
        return _NumpyBackend
    mod = _load_fast()
    if mod:
        return mod.Backend
    return _NumpyBackend


class _NumpyBackend:
    """The reference kernels behind the interface the fit loop uses."""

    name = "numpy"

    def __init__(self, X, train, valid, floor, penalty, p, eps):
        self.X, self.train, self.valid, self.floor = X, train, valid, floor
        self.n_valid = X.size if valid is None else int(valid.sum())
        self.penalty, self.p, self.eps = penalty, p, eps

    def row_pass(self, W, H, row, lam, T, gamma):
        return row_pass_numpy(self.X, W, H, row, lam, T, gamma, self.floor, self.train,
                              self.valid, self.n_valid, self.penalty, self.p, self.eps)

    def update_h(self, W, H, lam, gamma):
        return update_h_numpy(self.X, W, H, lam, gamma, self.floor, self.train,
                              penalty=self.penalty, p=self.p, eps=self.eps)

    def update_w(self, W, H, gamma):
        return update_w_numpy(self.X, W, H, gamma, self.floor, self.train)

    def divergences(self, W, H):
        """(sum IS over all entries, over training entries, over validation entries)."""
        total = is_divergence_numpy(self.X, W, H, self.floor)
        if self.train is None:
            return total, total, total
        tr = is_divergence_numpy(self.X, W, H, self.floor, self.train)
        return total, tr, total - tr
