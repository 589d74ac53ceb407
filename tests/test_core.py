"""The numerical core: hypergradients, the baselines against scikit-learn, monotonicity, invariants."""

import warnings

import numpy as np
import pytest

import shinbo
from shinbo.nmf import FLOOR, normalize_columns, penalized_objective, update_h, update_w


def _problem(seed, m=30, n=24, r=3):
    rng = np.random.default_rng(seed)
    W = rng.random((m, r)) + 0.05
    H = rng.random((r, n)) + 0.05
    X = (W @ H) * rng.gamma(2.0, 0.5, size=(m, n))  # positive, noisy around WH
    W0 = rng.random((m, r)) + 0.1
    H0 = rng.random((r, n)) + 0.1
    return X, W0, H0


@pytest.mark.parametrize("gamma", [1.0, 0.5])
@pytest.mark.parametrize("T", [1, 4, 8])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hypergradient_matches_central_difference(gamma, T, seed):
    X, W, H = _problem(seed)
    rng = np.random.default_rng(100 + seed)
    for row in range(W.shape[1]):
        lam = float(rng.uniform(0.05, 1.0))
        _, s, grad = shinbo.row_hypergradient(X, W, H, row, lam, T, gamma)

        def R(l):
            h, _ = shinbo.inner_row_steps(X, W, H, row, l, T, gamma)
            H2 = H.copy()
            H2[row] = h
            return shinbo.outer_objective(X, W, H2)

        delta = 1e-5 * max(lam, 1e-2)
        fd = (R(lam + delta) - R(lam - delta)) / (2 * delta)
        assert abs(grad - fd) <= 1e-5 * abs(fd), (row, grad, fd)


@pytest.mark.parametrize("gamma", [1.0, 0.5])
def test_sensitivity_matches_finite_difference_per_entry(gamma):
    X, W, H = _problem(7)
    lam, T, row, d = 0.4, 4, 1, 1e-6
    _, s = shinbo.inner_row_steps(X, W, H, row, lam, T, gamma)
    hp, _ = shinbo.inner_row_steps(X, W, H, row, lam + d, T, gamma)
    hm, _ = shinbo.inner_row_steps(X, W, H, row, lam - d, T, gamma)
    np.testing.assert_allclose(s, (hp - hm) / (2 * d), rtol=1e-5, atol=1e-12 * np.abs(s).max())


def test_trajectory_ends_where_inner_row_steps_ends():
    X, W, H = _problem(3)
    hs, ss = shinbo.inner_row_trajectory(X, W, H, 2, 0.2, 5, 1.0)
    h, s = shinbo.inner_row_steps(X, W, H, 2, 0.2, 5, 1.0)
    assert hs.shape == (6, X.shape[1]) and ss.shape == (6, X.shape[1])
    np.testing.assert_array_equal(hs[0], H[2])
    np.testing.assert_array_equal(ss[0], 0.0)
    np.testing.assert_array_equal(hs[-1], h)
    np.testing.assert_array_equal(ss[-1], s)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_fit_mu_reproduces_scikit_learn_is_mu(seed, backend):
    from sklearn.decomposition import NMF

    rng = np.random.default_rng(seed)
    m, n, r = 40, 33, 4
    X = rng.random((m, n)) * 3 + 0.05
    W0 = rng.random((m, r)) + 0.1
    H0 = rng.random((r, n)) + 0.1
    sk = NMF(r, beta_loss="itakura-saito", solver="mu", init="custom", max_iter=50, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's ConvergenceWarning for max_iter reached
        Wsk = sk.fit_transform(X, W=W0.copy(), H=H0.copy())
    ref = Wsk @ sk.components_
    res = shinbo.fit_mu(X * 1000.0, r, lam=0.0, gamma=0.5, max_iter=50, tol=0,
                        W0=W0 * 10.0, H0=H0 * 100.0, backend=backend)  # scale must not matter
    assert res.n_iter == 50
    ours = res.W @ res.H / 1000.0
    assert np.linalg.norm(ours - ref) <= 1e-6 * np.linalg.norm(ref)
    assert np.abs(ours - ref).max() <= 1e-6 * np.abs(ref).max()


def test_normalization_does_not_change_the_lambda_zero_trajectory():
    X, W0, H0 = _problem(4)
    a = shinbo.fit_mu(X, 3, gamma=1.0, max_iter=20, tol=0, W0=W0, H0=H0, backend="numpy")
    # the same iterations written out plainly, without normalization
    W, H = W0.copy(), H0.copy()
    for _ in range(20):
        W = update_w(X, W, H, 1.0, FLOOR * X.mean())
        H = update_h(X, W, H, 0.0, 1.0, FLOOR * X.mean())
    np.testing.assert_allclose(a.W @ a.H, W @ H, rtol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mm_steps_never_increase_the_penalized_objective(seed):
    X, W, H = _problem(seed)
    X = X / X.mean()
    W, H = normalize_columns(W, H)
    lam = np.array([0.05, 0.3, 1.0])
    for _ in range(15):
        before = penalized_objective(X, W, H, lam)
        W = update_w(X, W, H, 0.5)
        after_w = penalized_objective(X, W, H, lam)
        assert after_w <= before * (1 + 1e-12)
        for row in range(3):
            h, _ = shinbo.inner_row_steps(X, W, H, row, lam[row], 1, 0.5)
            H2 = H.copy()
            H2[row] = h
            new = penalized_objective(X, W, H2, lam)
            assert new <= penalized_objective(X, W, H, lam) * (1 + 1e-12)
            H = H2
        before_h = penalized_objective(X, W, H, lam)
        Hj = update_h(X, W, H, lam, 0.5)
        assert penalized_objective(X, W, Hj, lam) <= before_h * (1 + 1e-12)
        W, H = normalize_columns(W, H)  # changes the penalty's value by itself


def test_whole_iterations_with_lambda_zero_are_monotone():
    X, W0, H0 = _problem(5)
    res = shinbo.fit_mu(X, 3, gamma=0.5, lam=0.0, max_iter=60, tol=0, W0=W0, H0=H0)
    obj = res.history["objective"]
    assert np.all(np.diff(obj) <= 1e-12 * obj[:-1])
    res = shinbo.fit_shinbo(X, 3, gamma=0.5, alpha=0.0, lambda0=0.0, max_iter=60, tol=0, W0=W0, H0=H0)
    obj = res.history["objective"]
    assert np.all(np.diff(obj) <= 1e-12 * obj[:-1])


@pytest.mark.parametrize("outer", ["reconstruction", "holdout"])
@pytest.mark.parametrize("gamma", [1.0, 0.5])
def test_lambdas_stay_in_bounds_factors_finite_and_nonnegative(outer, gamma):
    data = shinbo.synthetic_nmf(seed=3, noise=0.05)
    res = shinbo.fit_shinbo(data.X, 3, alpha=50.0, lambda_max=0.8, gamma=gamma, outer=outer,
                            max_iter=80, seed=1)
    lam = res.history["lambdas"]
    assert lam.shape == (res.n_iter, 3) and res.history["hypergradients"].shape == (res.n_iter, 3)
    assert lam.min() >= 0.0 and lam.max() <= 0.8
    for A in (res.W, res.H, res.lambdas):
        assert np.all(np.isfinite(A)) and A.min() >= 0
    for key in ("objective", "penalized_objective", "outer", "seconds"):
        assert res.history[key].shape == (res.n_iter,) and np.all(np.isfinite(res.history[key]))
    assert np.all(np.diff(res.history["seconds"]) >= 0)


def test_large_lambda_is_clipped_at_lambda_max():
    data = shinbo.synthetic_nmf(seed=2)
    res = shinbo.fit_shinbo(data.X, 3, alpha=1e6, lambda0=[0.1, 0.2, 0.3], lambda_max=0.5,
                            max_iter=5, tol=0, seed=0)
    assert res.history["lambdas"].max() <= 0.5 and res.history["lambdas"].min() >= 0.0


@pytest.mark.parametrize("fit", [shinbo.fit_shinbo, shinbo.fit_mu])
@pytest.mark.parametrize("init", ["random", "nndsvda"])
def test_fixed_seed_is_bit_identical(fit, init):
    data = shinbo.synthetic_nmf(seed=5, noise=0.01)
    a = fit(data.X, 3, init=init, seed=11, max_iter=40)
    b = fit(data.X, 3, init=init, seed=11, max_iter=40)
    np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(a.H, b.H)
    np.testing.assert_array_equal(a.history["lambdas"], b.history["lambdas"])
    np.testing.assert_array_equal(a.history["objective"], b.history["objective"])


def test_different_seeds_differ_for_random_init():
    data = shinbo.synthetic_nmf(seed=5)
    a = shinbo.fit_shinbo(data.X, 3, init="random", seed=1, max_iter=5)
    b = shinbo.fit_shinbo(data.X, 3, init="random", seed=2, max_iter=5)
    assert not np.array_equal(a.H, b.H)


def test_reconstruction_is_in_the_units_of_x():
    data = shinbo.synthetic_nmf(seed=1, noise=0.01)
    X = data.X * 1e6
    res = shinbo.fit_mu(X, 3, seed=0)
    assert abs((res.W @ res.H).mean() / X.mean() - 1) < 0.2
    np.testing.assert_allclose(res.W.sum(axis=0), 1.0)


@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_paper_protocol_runs_to_convergence_without_warnings(noise):
    data = shinbo.synthetic_nmf(m=100, n=70, r=3, w_zeros=0.1, h_zeros=0.7, noise=noise, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            runs = [shinbo.fit_shinbo(data.X, 3, seed=0, max_iter=3000)]
            runs += [shinbo.fit_mu(data.X, 3, lam=lam, seed=0, max_iter=3000) for lam in (0.0, 0.1, 0.5)]
    for res in runs:
        assert res.converged and not res.stopped, (res.method, res.config, res.n_iter)
        assert np.all(np.isfinite(res.W)) and np.all(np.isfinite(res.H))


def test_zeros_in_x_are_legal_and_never_produce_nan():
    data = shinbo.synthetic_nmf(seed=4)
    X = data.X.copy()
    X[:, :5] = 0.0
    X[10:20] = 0.0
    with np.errstate(all="raise"):
        res = shinbo.fit_shinbo(X, 3, seed=0, max_iter=50)
        mu = shinbo.fit_mu(X, 3, seed=0, max_iter=50, init="nndsvd")
    for r in (res, mu):
        assert np.all(np.isfinite(r.W)) and np.all(np.isfinite(r.H))
        assert np.all(np.isfinite(r.history["objective"]))


def test_callback_receives_progress_and_can_stop():
    data = shinbo.synthetic_nmf(seed=0)
    seen = []

    def cb(info):
        seen.append(info)
        return info.iteration < 3

    res = shinbo.fit_shinbo(data.X, 3, seed=0, callback=cb, max_iter=100, tol=0)
    assert res.stopped and not res.converged and res.n_iter == 3
    assert [i.iteration for i in seen] == [1, 2, 3]
    assert seen[-1].lambdas.shape == (3,) and seen[-1].elapsed >= seen[0].elapsed
    assert res.history["objective"].shape == (3,)
    np.testing.assert_array_equal(res.history["lambdas"][-1], seen[-1].lambdas)


def test_adapt_iters_freezes_lambda_after_k_iterations():
    data = shinbo.synthetic_nmf(seed=1, noise=0.05)
    res = shinbo.fit_shinbo(data.X, 3, seed=0, adapt_iters=5, max_iter=30, tol=0)
    L = res.history["lambdas"]
    assert not np.allclose(L[0], L[4]) or not np.allclose(L[0], res.config["lambda_initial"])
    np.testing.assert_array_equal(L[5:], np.broadcast_to(L[4], L[5:].shape))


def test_normalized_step_moves_lambda_by_at_most_alpha():
    data = shinbo.synthetic_nmf(seed=2, noise=0.01)
    res = shinbo.fit_shinbo(data.X, 3, seed=0, step="normalized", alpha=0.03, max_iter=40, tol=0)
    L = np.vstack([res.config["lambda_initial"], res.history["lambdas"]])
    steps = np.abs(np.diff(L, axis=0))
    assert steps.max() <= 0.03 * (1 / np.sqrt(0.1)) + 1e-12  # RMSprop: |g|/sqrt(EMA g²) <= 1/sqrt(0.1)
    assert steps[0].max() <= 0.03 + 1e-12                    # first step: exactly α·sign(g) or clipped
    assert steps.sum() > 0


def test_warm_start_starts_from_the_mu_solution():
    data = shinbo.synthetic_nmf(seed=3, noise=0.01)
    warm = shinbo.fit_mu(data.X, 3, lam=0.0, max_iter=25, tol=0)
    a = shinbo.fit_shinbo(data.X, 3, seed=4, warm_start=25, max_iter=10, tol=0)
    b = shinbo.fit_shinbo(data.X, 3, seed=4, W0=warm.W, H0=warm.H, max_iter=10, tol=0)
    assert a.n_iter == 10 and a.config["warm_start"] == 25
    np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(a.H, b.H)
    with pytest.raises(shinbo.InvalidParameterError, match="warm_start must be an integer >= 0"):
        shinbo.fit_shinbo(data.X, 3, warm_start=-1)
    with pytest.raises(shinbo.InvalidParameterError, match="step must be one of 'fixed', 'normalized'"):
        shinbo.fit_shinbo(data.X, 3, step="adam")


@pytest.mark.parametrize("penalty", ["lp", "log"])
@pytest.mark.parametrize("gamma", [1.0, 0.5])
def test_diversity_penalty_hypergradient_matches_finite_difference(penalty, gamma):
    # the recurrence's J'' term, checked through the reference kernel directly
    from shinbo.kernels import PENALTIES, outer_gradient_numpy, other_rows, row_steps_numpy, is_divergence_numpy

    X, W, H = _problem(8)
    code, p, eps, lam, T, row = PENALTIES[penalty], 0.5, 1e-2, 0.2, 4, 1
    C = other_rows(W, H, row)
    h, s = row_steps_numpy(X, C, W[:, row], H[row], lam, T, gamma, 1e-12, penalty=code, p=p, eps=eps)
    grad = float(outer_gradient_numpy(X, C, W[:, row], h, 1e-12) @ s)

    def R(l):
        hh, _ = row_steps_numpy(X, C, W[:, row], H[row], l, T, gamma, 1e-12, penalty=code, p=p, eps=eps)
        H2 = H.copy()
        H2[row] = hh
        return is_divergence_numpy(X, W, H2, 1e-12) / X.size

    d = 1e-6
    fd = (R(lam + d) - R(lam - d)) / (2 * d)
    assert abs(grad - fd) <= 1e-5 * abs(fd)


def test_a_non_finite_objective_is_refused_not_returned(monkeypatch):
    from shinbo import kernels as k

    real = k._NumpyBackend.divergences

    def broken(self, W, H):
        total, train, valid = real(self, W, H)
        return float("nan"), train, valid

    monkeypatch.setattr(k._NumpyBackend, "divergences", broken)
    data = shinbo.synthetic_nmf(seed=0)
    with pytest.raises(shinbo.NonFiniteError, match="non-finite objective at iteration 1"):
        shinbo.fit_shinbo(data.X, 3, seed=0, backend="numpy", max_iter=5)
    with pytest.raises(ValueError):
        shinbo.fit_mu(data.X, 3, backend="numpy", max_iter=5)
