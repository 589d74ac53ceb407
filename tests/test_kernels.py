"""The fused Numba fast path equals the numpy reference; float32; threads; the fallback without Numba."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import shinbo
from shinbo import kernels

pytestmark = pytest.mark.skipif(not kernels.fast_available(), reason="Numba kernels unavailable on this machine")
ROOT = Path(__file__).resolve().parents[1]

SHAPES = [(37, 45, 3), (64, 33, 1), (129, 100, 4), (20, 257, 2)]  # n not a multiple of the 32-column blocks


def _rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / max(np.abs(a).max(), 1e-300))


def _data(m, n, r, seed=0):
    d = shinbo.synthetic_nmf(m, n, r, h_zeros=0.3, noise=0.05, seed=seed)
    return d.X


@pytest.mark.parametrize("m, n, r", SHAPES)
@pytest.mark.parametrize("gamma", [1.0, 0.5])
@pytest.mark.parametrize("T", [1, 4])
@pytest.mark.parametrize("outer", ["reconstruction", "holdout"])
def test_fast_shinbo_equals_reference_float64(m, n, r, gamma, T, outer):
    X = _data(m, n, r)
    kw = dict(T=T, gamma=gamma, outer=outer, seed=3, max_iter=15, tol=0)
    a = shinbo.fit_shinbo(X, r, backend="numpy", **kw)
    b = shinbo.fit_shinbo(X, r, backend="numba", **kw)
    assert a.config["backend"] == "numpy" and b.config["backend"] == "numba"
    assert _rel(a.W @ a.H, b.W @ b.H) <= 1e-10
    assert _rel(a.history["objective"], b.history["objective"]) <= 1e-10
    assert _rel(a.history["hypergradients"], b.history["hypergradients"]) <= 1e-10
    np.testing.assert_allclose(a.history["lambdas"], b.history["lambdas"], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("m, n, r", SHAPES)
@pytest.mark.parametrize("gamma", [1.0, 0.5])
@pytest.mark.parametrize("kw", [dict(lam=0.2), dict(lam=0.0, inner_steps=3),
                                dict(lam=0.1, h_update="rows", inner_steps=2)])
def test_fast_mu_equals_reference_float64(m, n, r, gamma, kw):
    X = _data(m, n, r, seed=1)
    a = shinbo.fit_mu(X, r, gamma=gamma, max_iter=15, tol=0, backend="numpy", **kw)
    b = shinbo.fit_mu(X, r, gamma=gamma, max_iter=15, tol=0, backend="numba", **kw)
    assert _rel(a.W @ a.H, b.W @ b.H) <= 1e-10
    assert _rel(a.history["objective"], b.history["objective"]) <= 1e-10


@pytest.mark.parametrize("penalty", ["lp", "log"])
def test_fast_path_other_penalties(penalty):
    X = _data(40, 50, 3, seed=2)
    kw = dict(penalty=penalty, seed=0, max_iter=10, tol=0, alpha=10.0)
    a = shinbo.fit_shinbo(X, 3, backend="numpy", **kw)
    b = shinbo.fit_shinbo(X, 3, backend="numba", **kw)
    assert _rel(a.W @ a.H, b.W @ b.H) <= 1e-10


@pytest.mark.parametrize("m, n, r", SHAPES[:3])
@pytest.mark.parametrize("gamma", [1.0, 0.5])
def test_float32_matches_float64_and_its_reference(m, n, r, gamma):
    X = _data(m, n, r, seed=4)
    kw = dict(gamma=gamma, seed=1, max_iter=30, tol=0)
    d64 = shinbo.fit_shinbo(X, r, **kw)
    f32 = shinbo.fit_shinbo(X, r, dtype="float32", **kw)
    r32 = shinbo.fit_shinbo(X, r, dtype="float32", backend="numpy", **kw)
    assert f32.W.dtype == np.float32 and f32.H.dtype == np.float32
    assert abs(f32.objective - d64.objective) <= 1e-3 * d64.objective
    assert abs(r32.objective - f32.objective) <= 1e-3 * r32.objective
    assert _rel(r32.W @ r32.H, f32.W @ f32.H) <= 1e-3
    mu32 = shinbo.fit_mu(X, r, dtype="float32", gamma=gamma, max_iter=30, tol=0)
    mu64 = shinbo.fit_mu(X, r, gamma=gamma, max_iter=30, tol=0)
    assert abs(mu32.objective - mu64.objective) <= 1e-3 * mu64.objective


def test_thread_count_does_not_change_results():
    X = _data(129, 300, 4, seed=5)
    try:
        assert shinbo.set_num_threads(1) == 1
        one = shinbo.fit_shinbo(X, 4, seed=0, max_iter=10, tol=0)
        shinbo.set_num_threads(None)
        many = shinbo.fit_shinbo(X, 4, seed=0, max_iter=10, tol=0)
    finally:
        shinbo.set_num_threads(None)
    np.testing.assert_array_equal(one.W, many.W)
    np.testing.assert_array_equal(one.H, many.H)
    with pytest.raises(shinbo.InvalidParameterError, match="thread count"):
        shinbo.set_num_threads(0)


def test_without_numba_everything_falls_back_with_one_warning():
    code = (
        "import sys, warnings\n"
        "sys.modules['numba'] = None\n"
        "import shinbo\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    d = shinbo.synthetic_nmf(seed=0)\n"
        "    a = shinbo.fit_shinbo(d.X, 3, seed=0, max_iter=5)\n"
        "    b = shinbo.fit_mu(d.X, 3, seed=0, max_iter=5)\n"
        "msgs = [str(x.message) for x in w if issubclass(x.category, RuntimeWarning)]\n"
        "assert len(msgs) == 1 and 'numpy reference' in msgs[0], msgs\n"
        "assert a.config['backend'] == 'numpy' and b.config['backend'] == 'numpy'\n"
        "print('ok')\n"
    )
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr
