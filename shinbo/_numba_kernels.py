"""The fused Numba kernels behind :mod:`shinbo.kernels` (import only through it).

Layout: X is stored transposed (n, m) so that a column of X is contiguous; W is passed
as (m, r) for the W update and as its transpose (r, m) for the row kernels. Every loop is
over columns j (``prange``), and every sum over j is written per column (or per fixed
chunk of columns) and added up afterwards in a fixed order, so results do not depend on
the number of threads. Sums over i are accumulated in float64 for either storage dtype.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

N_CHUNKS = 16  # fixed, so the W update's partial sums do not depend on the thread count


@njit(cache=True, fastmath=False, inline="always")
def _d1(h, pen, p, eps):
    if pen == 0:
        return 1.0
    if pen == 1:
        return p * (h + eps) ** (p - 1.0)
    return 1.0 / (h + eps)


@njit(cache=True, fastmath=False, inline="always")
def _d2(h, pen, p, eps):
    if pen == 0:
        return 0.0
    if pen == 1:
        return p * (p - 1.0) * (h + eps) ** (p - 2.0)
    return -1.0 / ((h + eps) * (h + eps))


@njit(cache=True, fastmath=False, inline="always")
def _powg(u, gamma):
    if gamma == 1.0:
        return u
    if gamma == 0.5:
        return math.sqrt(u)
    return u ** gamma


# 'reassoc' lets LLVM vectorize the sums over i (it may add in another order: results agree
# with the numpy reference to ~1e-15, which itself sums in BLAS order); no 'nnan'/'ninf', so
# NaN and Inf keep their IEEE meaning, and no 'contract', so no FMA changes the rounding.
_FM = {"reassoc"}


@njit(parallel=True, cache=True, fastmath=_FM)
def row_pass(Xt, Wt, H, row, lam, T, gamma, floor, has_mask, Mt, n_valid, pen, p, eps, tiny, h_out, gs):
    """T steps of row ``row`` for every column; h_out[j] = h_T, gs[j] = g_T[j] * s_T[j]."""
    n, m = Xt.shape
    r = Wt.shape[0]
    bs = 32
    nblocks = (n + bs - 1) // bs
    for b in prange(nblocks):
        c = np.empty(m, dtype=np.float64)
        w = np.empty(m, dtype=np.float64)
        x = np.empty(m, dtype=np.float64)
        mk = np.ones(m, dtype=np.float64)
        for i in range(m):
            w[i] = Wt[row, i]
        for j in range(b * bs, min(n, (b + 1) * bs)):
            for i in range(m):
                c[i] = 0.0
                x[i] = Xt[j, i]
            for k in range(r):
                if k != row:
                    hk = np.float64(H[k, j])
                    for i in range(m):
                        c[i] += Wt[k, i] * hk
            if has_mask:
                for i in range(m):
                    mk[i] = Mt[j, i]
            h = np.float64(H[row, j])
            s = 0.0
            for t in range(T):
                P = 0.0
                Q = 0.0
                dP = 0.0
                dQ = 0.0
                for i in range(m):
                    wi = w[i]
                    v = max(c[i] + wi * h, floor)
                    iv = 1.0 / v
                    ivm = iv * mk[i]
                    xv2 = x[i] * ivm * iv
                    P += wi * xv2
                    Q += wi * ivm
                    dP += wi * wi * (xv2 * iv)
                    dQ += wi * wi * (ivm * iv)
                d1 = _d1(h, pen, p, eps)
                P = max(P, tiny)
                Q = max(Q + lam * d1, tiny)
                dP = -2.0 * dP
                dQ = -dQ + lam * _d2(h, pen, p, eps)
                ug = _powg(P / Q, gamma)
                phi = h * ug
                A = ug + gamma * phi * (dP / P - dQ / Q)
                bb = -gamma * phi * d1 / Q
                s = A * s + bb
                h = phi
            # g_T[j] = dR/dh_j at h_T: mean IS over the validation entries (all entries without a mask)
            g = 0.0
            for i in range(m):
                wi = w[i]
                v = max(c[i] + wi * h, floor)
                iv = 1.0 / v
                g += wi * ((iv - x[i] * iv * iv) * (1.0 - mk[i] if has_mask else 1.0))
            h_out[j] = h
            gs[j] = (g / n_valid) * s


@njit(cache=True, fastmath=_FM, inline="always")
def _column_model(Wt, H, j, v, floor):
    """v[i] = max((W H)[i, j], floor)."""
    r, m = Wt.shape
    for i in range(m):
        v[i] = 0.0
    for k in range(r):
        hk = np.float64(H[k, j])
        for i in range(m):
            v[i] += Wt[k, i] * hk
    for i in range(m):
        v[i] = max(v[i], floor)


@njit(cache=True, fastmath=_FM, inline="always")
def _mu_column(Xt, Wt, H, j, floor, has_mask, Mt, v, a, q):
    """Column j of the two IS-MU terms: a = M ⊙ X ⊙ V^-2, q = M ⊙ V^-1 (v receives V)."""
    _column_model(Wt, H, j, v, floor)
    for i in range(v.shape[0]):
        iv = 1.0 / v[i]
        mi = np.float64(Mt[j, i]) if has_mask else 1.0
        q[i] = iv * mi
        a[i] = np.float64(Xt[j, i]) * q[i] * iv


@njit(parallel=True, cache=True, fastmath=_FM)
def update_h(Xt, Wt, H, lam, gamma, floor, has_mask, Mt, pen, p, eps, tiny, H_out):
    """Joint penalized IS-MU update of all rows of H."""
    n, m = Xt.shape
    r = Wt.shape[0]
    bs = 32
    nblocks = (n + bs - 1) // bs
    for b in prange(nblocks):
        v = np.empty(m, dtype=np.float64)
        a = np.empty(m, dtype=np.float64)   # X V^-2 (masked)
        q = np.empty(m, dtype=np.float64)   # V^-1 (masked)
        for j in range(b * bs, min(n, (b + 1) * bs)):
            _mu_column(Xt, Wt, H, j, floor, has_mask, Mt, v, a, q)
            for k in range(r):
                P = 0.0
                Q = 0.0
                for i in range(m):
                    P += Wt[k, i] * a[i]
                    Q += Wt[k, i] * q[i]
                hk = np.float64(H[k, j])
                pk = max(P, tiny)
                qk = max(Q + lam[k] * _d1(hk, pen, p, eps), tiny)
                H_out[k, j] = hk * _powg(pk / qk, gamma)


@njit(parallel=True, cache=True, fastmath=_FM)
def w_sums(Xt, Wt, H, floor, has_mask, Mt, num, den):
    """Partial sums per chunk: num[c, k] = ((X V^-2) H^T)[:, k], den[c, k] = (V^-1 H^T)[:, k] over chunk c."""
    n, m = Xt.shape
    r = Wt.shape[0]
    nch = num.shape[0]
    for ch in prange(nch):
        j0 = (n * ch) // nch
        j1 = (n * (ch + 1)) // nch
        v = np.empty(m, dtype=np.float64)
        a = np.empty(m, dtype=np.float64)
        q = np.empty(m, dtype=np.float64)
        for k in range(r):
            for i in range(m):
                num[ch, k, i] = 0.0
                den[ch, k, i] = 0.0
        for j in range(j0, j1):
            _mu_column(Xt, Wt, H, j, floor, has_mask, Mt, v, a, q)
            for k in range(r):
                hk = np.float64(H[k, j])
                for i in range(m):
                    num[ch, k, i] += a[i] * hk
                    den[ch, k, i] += q[i] * hk


@njit(parallel=True, cache=True, fastmath=_FM)
def divergence_columns(Xt, Wt, H, floor, has_mask, Mt, tot, trn):
    """Per column: tot[j] = Σ_i D_IS(x|v), trn[j] = the same over training entries.

    Σ log(x/v) is taken as the log of products of 16 ratios at a time (one log instead of 16;
    x and v are floored at 1e-10 relative, so 16 ratios cannot leave the double range unless
    the data span > 1e19 — then that block falls back to one log per entry).
    """
    n, m = Xt.shape
    for j in prange(n):
        v = np.empty(m, dtype=np.float64)
        _column_model(Wt, H, j, v, floor)
        a = 0.0   # Σ q - 1 over all entries
        la = 0.0  # Σ log q over all entries
        b = 0.0
        lb = 0.0
        for i0 in range(0, m, 16):
            i1 = min(m, i0 + 16)
            prod = 1.0
            prodm = 1.0
            for i in range(i0, i1):
                q = np.float64(Xt[j, i]) / v[i]
                a += q - 1.0
                prod *= q
                if has_mask and Mt[j, i] != 0:
                    b += q - 1.0
                    prodm *= q
            if prod > 1e-300 and prod < 1e300:
                la += math.log(prod)
            else:
                for i in range(i0, i1):
                    la += math.log(np.float64(Xt[j, i]) / v[i])
            if has_mask:
                if prodm > 1e-300 and prodm < 1e300:
                    lb += math.log(prodm)
                else:
                    for i in range(i0, i1):
                        if Mt[j, i] != 0:
                            lb += math.log(np.float64(Xt[j, i]) / v[i])
        tot[j] = a - la
        trn[j] = (b - lb) if has_mask else (a - la)


@njit(cache=True)
def _power(num, den, W, gamma, tiny, W_out):
    nch, r, m = num.shape
    for i in range(m):
        for k in range(r):
            a = 0.0
            b = 0.0
            for c in range(nch):
                a += num[c, k, i]
                b += den[c, k, i]
            W_out[i, k] = np.float64(W[i, k]) * _powg(a / max(b, tiny), gamma)


class Backend:
    """The fused kernels behind the interface of :class:`shinbo.kernels._NumpyBackend`."""

    name = "numba"

    def __init__(self, X, train, valid, floor, penalty, p, eps):
        self.dtype = X.dtype
        self.Xt = np.ascontiguousarray(X.T)
        self.has_mask = train is not None
        self.Mt = (np.ascontiguousarray(train.T) if self.has_mask
                   else np.zeros((1, 1), dtype=X.dtype))
        self.n_valid = float(X.size if valid is None else valid.sum())
        self.floor = float(floor)
        self.penalty, self.p, self.eps = int(penalty), float(p), float(eps)
        self.tiny = float(np.finfo(X.dtype).tiny)
        n = X.shape[1]
        self._h = np.empty(n, dtype=np.float64)
        self._gs = np.empty(n, dtype=np.float64)
        self._tot = np.empty(n, dtype=np.float64)
        self._trn = np.empty(n, dtype=np.float64)

    def row_pass(self, W, H, row, lam, T, gamma):
        Wt = np.ascontiguousarray(W.T)
        H = np.ascontiguousarray(H)
        row_pass(self.Xt, Wt, H, int(row), float(lam), int(T), float(gamma), self.floor, self.has_mask,
                 self.Mt, self.n_valid, self.penalty, self.p, self.eps, self.tiny, self._h, self._gs)
        return self._h.astype(self.dtype), float(self._gs.sum())

    def update_h(self, W, H, lam, gamma):
        out = np.empty_like(H)
        update_h(self.Xt, np.ascontiguousarray(W.T), np.ascontiguousarray(H), np.asarray(lam, np.float64),
                 float(gamma), self.floor, self.has_mask, self.Mt, self.penalty, self.p, self.eps,
                 self.tiny, out)
        return out

    def update_w(self, W, H, gamma):
        m, r = W.shape
        num = np.empty((N_CHUNKS, r, m))
        den = np.empty((N_CHUNKS, r, m))
        W = np.ascontiguousarray(W)
        w_sums(self.Xt, np.ascontiguousarray(W.T), np.ascontiguousarray(H), self.floor, self.has_mask, self.Mt,
               num, den)
        out = np.empty_like(W)
        _power(num, den, W, float(gamma), self.tiny, out)
        return out

    def divergences(self, W, H):
        divergence_columns(self.Xt, np.ascontiguousarray(W.T), np.ascontiguousarray(H), self.floor,
                           self.has_mask, self.Mt, self._tot, self._trn)
        total = float(self._tot.sum())
        if not self.has_mask:
            return total, total, total
        train = float(self._trn.sum())
        return total, train, total - train


def warm_up() -> None:
    """Compile (or load from the on-disk cache) every kernel for float64 and float32."""
    for dt in (np.float64, np.float32):
        X = np.full((4, 3), 1.0, dtype=dt)
        W = np.full((4, 2), 0.5, dtype=dt)
        H = np.full((2, 3), 1.0, dtype=dt)
        for mask in (None, np.ones_like(X)):
            be = Backend(X, mask, mask, 1e-10, 0, 0.5, 1e-3)
            be.row_pass(W, H, 0, 0.1, 2, 1.0)
            be.update_h(W, H, np.zeros(2), 1.0)
            be.update_w(W, H, 1.0)
            be.divergences(W, H)
