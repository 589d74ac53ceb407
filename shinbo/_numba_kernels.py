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


@njit(parallel=True, cache=True, fastmath=False, nogil=True)
def row_pass(Xt, Wt, H, row, lam, T, gamma, floor, has_mask, Mt, n_valid, pen, p, eps, tiny, h_out, gs):
    """T steps of row ``row`` for every column; h_out[j] = h_T, gs[j] = g_T[j] * s_T[j]."""
    n, m = Xt.shape
    r = Wt.shape[0]
    bs = 32
    nblocks = (n + bs - 1) // bs
    for b in prange(nblocks):
        c = np.empty(m, dtype=np.float64)
        for j in range(b * bs, min(n, (b + 1) * bs)):
            for i in range(m):
                acc = 0.0
                for k in range(r):
                    if k != row:
                        acc += Wt[k, i] * H[k, j]
                c[i] = acc
            h = np.float64(H[row, j])
            s = 0.0
            for t in range(T):
                P = 0.0
                Q = 0.0
                dP = 0.0
                dQ = 0.0
                for i in range(m):
                    w = np.float64(Wt[row, i])
                    v = c[i] + w * h
                    if v < floor:
                        v = floor
                    iv = 1.0 / v
                    x = np.float64(Xt[j, i])
                    if has_mask:
                        mk = np.float64(Mt[j, i])
                        x = x * mk
                        ivm = iv * mk
                    else:
                        ivm = iv
                    xv2 = x * iv * iv
                    P += w * xv2
                    Q += w * ivm
                    dP += w * w * (xv2 * iv)
                    dQ += w * w * (ivm * iv)
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
            # g_T[j] = dR/dh_j at h_T: mean IS over the validation entries (all without mask)
            g = 0.0
            for i in range(m):
                w = np.float64(Wt[row, i])
                v = c[i] + w * h
                if v < floor:
                    v = floor
                iv = 1.0 / v
                x = np.float64(Xt[j, i])
                gi = iv - x * iv * iv
                if has_mask:
                    gi = gi * (1.0 - np.float64(Mt[j, i]))
                g += w * gi
            h_out[j] = h
            gs[j] = (g / n_valid) * s


@njit(parallel=True, cache=True, fastmath=False, nogil=True)
def update_h(Xt, W, H, lam, gamma, floor, has_mask, Mt, pen, p, eps, tiny, H_out):
    """Joint penalized IS-MU update of all rows of H."""
    n, m = Xt.shape
    r = W.shape[1]
    bs = 32
    nblocks = (n + bs - 1) // bs
    for b in prange(nblocks):
        P = np.empty(r, dtype=np.float64)
        Q = np.empty(r, dtype=np.float64)
        for j in range(b * bs, min(n, (b + 1) * bs)):
            for k in range(r):
                P[k] = 0.0
                Q[k] = 0.0
            for i in range(m):
                v = 0.0
                for k in range(r):
                    v += np.float64(W[i, k]) * np.float64(H[k, j])
                if v < floor:
                    v = floor
                iv = 1.0 / v
                x = np.float64(Xt[j, i])
                if has_mask:
                    mk = np.float64(Mt[j, i])
                    x = x * mk
                    ivm = iv * mk
                else:
                    ivm = iv
                xv2 = x * iv * iv
                for k in range(r):
                    wk = np.float64(W[i, k])
                    P[k] += wk * xv2
                    Q[k] += wk * ivm
            for k in range(r):
                hk = np.float64(H[k, j])
                pk = max(P[k], tiny)
                qk = max(Q[k] + lam[k] * _d1(hk, pen, p, eps), tiny)
                H_out[k, j] = hk * _powg(pk / qk, gamma)


@njit(parallel=True, cache=True, fastmath=False, nogil=True)
def w_sums(Xt, W, H, floor, has_mask, Mt, num, den):
    """Partial sums per chunk: num[c] = (X V^-2) H^T, den[c] = V^-1 H^T over chunk c's columns."""
    n, m = Xt.shape
    r = W.shape[1]
    nch = num.shape[0]
    for ch in prange(nch):
        j0 = (n * ch) // nch
        j1 = (n * (ch + 1)) // nch
        for i in range(m):
            for k in range(r):
                num[ch, i, k] = 0.0
                den[ch, i, k] = 0.0
        for j in range(j0, j1):
            for i in range(m):
                v = 0.0
                for k in range(r):
                    v += np.float64(W[i, k]) * np.float64(H[k, j])
                if v < floor:
                    v = floor
                iv = 1.0 / v
                x = np.float64(Xt[j, i])
                if has_mask:
                    mk = np.float64(Mt[j, i])
                    x = x * mk
                    iv2 = iv * mk
                else:
                    iv2 = iv
                xv2 = x * iv * iv
                for k in range(r):
                    hk = np.float64(H[k, j])
                    num[ch, i, k] += xv2 * hk
                    den[ch, i, k] += iv2 * hk


@njit(parallel=True, cache=True, fastmath=False, nogil=True)
def divergence_columns(Xt, W, H, floor, has_mask, Mt, tot, trn):
    """Per column: tot[j] = Σ_i D_IS(x|v), trn[j] = the same over training entries."""
    n, m = Xt.shape
    r = W.shape[1]
    for j in prange(n):
        a = 0.0
        b = 0.0
        for i in range(m):
            v = 0.0
            for k in range(r):
                v += np.float64(W[i, k]) * np.float64(H[k, j])
            if v < floor:
                v = floor
            q = np.float64(Xt[j, i]) / v
            d = q - math.log(q) - 1.0
            a += d
            if has_mask:
                b += d * np.float64(Mt[j, i])
        tot[j] = a
        trn[j] = b if has_mask else a


@njit(cache=True)
def _power(num, den, W, gamma, tiny, W_out):
    nch, m, r = num.shape
    for i in range(m):
        for k in range(r):
            a = 0.0
            b = 0.0
            for c in range(nch):
                a += num[c, i, k]
                b += den[c, i, k]
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
        update_h(self.Xt, np.ascontiguousarray(W), np.ascontiguousarray(H), np.asarray(lam, np.float64),
                 float(gamma), self.floor, self.has_mask, self.Mt, self.penalty, self.p, self.eps,
                 self.tiny, out)
        return out

    def update_w(self, W, H, gamma):
        m, r = W.shape
        num = np.empty((N_CHUNKS, m, r))
        den = np.empty((N_CHUNKS, m, r))
        W = np.ascontiguousarray(W)
        w_sums(self.Xt, W, np.ascontiguousarray(H), self.floor, self.has_mask, self.Mt, num, den)
        out = np.empty_like(W)
        _power(num, den, W, float(gamma), self.tiny, out)
        return out

    def divergences(self, W, H):
        divergence_columns(self.Xt, np.ascontiguousarray(W), np.ascontiguousarray(H), self.floor,
                           self.has_mask, self.Mt, self._tot, self._trn)
        total = float(self._tot.sum())
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
