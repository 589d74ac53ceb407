"""Bad input to the fits gets a ValueError subclass that names the parameter, the value and what is allowed."""

import numpy as np
import pytest

import shinbo
from shinbo.errors import InvalidDataError, InvalidParameterError, ShinboError

GOOD = np.random.default_rng(0).random((12, 10)) + 0.1


def _fits():
    return [shinbo.fit_shinbo, shinbo.fit_mu]


@pytest.mark.parametrize("fit", _fits())
@pytest.mark.parametrize("X, words", [
    (np.ones(5), ["X", "2-D", "1 dimension"]),
    (np.ones((2, 3, 4)), ["X", "2-D"]),
    (np.ones((0, 4)), ["X", "empty"]),
    (np.where(np.eye(12, 10) > 0, np.nan, 1.0), ["X", "finite", "NaN", "(0, 0)"]),
    (np.where(np.arange(120).reshape(12, 10) == 37, np.inf, 1.0), ["X", "finite", "(3, 7)"]),
    (GOOD - 0.5, ["X", "nonnegative"]),
    (np.zeros((12, 10)), ["X", "all zero"]),
    ([["a", "b"], ["c", "d"]], ["X", "numeric"]),
])
def test_bad_x(fit, X, words):
    with pytest.raises(InvalidDataError) as exc:
        fit(X, 2)
    for w in words:
        assert w in str(exc.value)


@pytest.mark.parametrize("fit", _fits())
@pytest.mark.parametrize("rank", [0, -1, 11, 2.5, "3", None, True])
def test_bad_rank(fit, rank):
    with pytest.raises(InvalidParameterError, match=r"rank must be an integer in \[1, 10\]"):
        fit(GOOD, rank)


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(T=0), r"T must be an integer >= 1; got 0"),
    (dict(T=2.5), r"T must be an integer >= 1; got 2.5"),
    (dict(alpha=-1.0), r"alpha must be a finite number >= 0; got -1"),
    (dict(alpha=float("nan")), r"alpha must be a finite number >= 0; got nan"),
    (dict(alpha=float("inf")), r"alpha must be a finite number"),
    (dict(max_iter=0), r"max_iter must be an integer >= 1; got 0"),
    (dict(tol=-1e-3), r"tol must be a finite number >= 0; got -0.001"),
    (dict(init="svd"), r"init must be one of 'nndsvd', 'nndsvda', 'random'; got 'svd'"),
    (dict(outer="validation"), r"outer must be one of 'reconstruction', 'holdout'; got 'validation'"),
    (dict(gamma=0.0), r"gamma must be a finite number in \(0, 1\]; got 0"),
    (dict(gamma=1.5), r"gamma must be a finite number in \(0, 1\]; got 1.5"),
    (dict(lambda0="gauss"), r"lambda0 must be one of 'uniform'; got 'gauss'"),
    (dict(lambda0=[0.1, 0.2, 0.3]), r"lambda0 must be a number or 2 numbers"),
    (dict(lambda0=-0.1), r"lambda0 must lie in \[0, 10\]"),
    (dict(outer="holdout", holdout=1.0), r"holdout must be a fraction in \(0, 1\)"),
    (dict(outer="holdout", holdout=0.0), r"holdout must be a finite number in \(0, 1\]"),
    (dict(seed=-3), r"seed must be an integer >= 0; got -3"),
    (dict(callback=5), r"callback must be callable"),
    (dict(dtype="int8"), r"dtype must be 'float64' or 'float32'"),
    (dict(backend="cuda"), r"backend must be one of"),
    (dict(penalty="l2"), r"penalty must be one of 'l1', 'lp', 'log'"),
])
def test_bad_shinbo_parameters(kwargs, pattern):
    with pytest.raises(InvalidParameterError, match=pattern):
        shinbo.fit_shinbo(GOOD, 2, max_iter=kwargs.pop("max_iter", 3), **kwargs)


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(lam=-0.5), r"lam must lie in \[0, inf\); got \[-0.5, -0.5\]"),
    (dict(lam=[0.1]), r"lam must be a number or 2 numbers"),
    (dict(lam=float("nan")), r"lam must be finite"),
    (dict(max_iter=-2), r"max_iter must be an integer >= 1; got -2"),
    (dict(h_update="gs"), r"h_update must be one of 'joint', 'rows'"),
    (dict(inner_steps=0), r"T must be an integer >= 1; got 0"),
])
def test_bad_mu_parameters(kwargs, pattern):
    with pytest.raises(InvalidParameterError, match=pattern):
        shinbo.fit_mu(GOOD, 2, **kwargs)


@pytest.mark.parametrize("fit", _fits())
@pytest.mark.parametrize("W0, H0, exc, pattern", [
    (np.ones((12, 3)), np.ones((2, 10)), InvalidDataError, r"W0 must have shape \(12, 2\); got \(12, 3\)"),
    (np.ones((12, 2)), np.ones((2, 9)), InvalidDataError, r"H0 must have shape \(2, 10\); got \(2, 9\)"),
    (-np.ones((12, 2)), np.ones((2, 10)), InvalidDataError, r"W0 must be nonnegative"),
    (np.ones((12, 2)), -np.ones((2, 10)), InvalidDataError, r"H0 must be nonnegative"),
    (np.ones((12, 2)), np.full((2, 10), np.nan), InvalidDataError, r"H0 must be finite"),
    (np.zeros((12, 2)), np.ones((2, 10)), InvalidDataError, r"W0 must not be all zero"),
    (np.ones((12, 2)), None, InvalidParameterError, r"W0 and H0 must be given together"),
])
def test_bad_initial_factors(fit, W0, H0, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fit(GOOD, 2, W0=W0, H0=H0)


def test_every_error_is_a_value_error():
    assert issubclass(ShinboError, ValueError)
    for cls in (InvalidDataError, InvalidParameterError, shinbo.SignalLoadError, shinbo.NonFiniteError):
        assert issubclass(cls, ShinboError)


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(row=3), r"row must be an integer in \[0, 1\]; got 3"),
    (dict(lam=-1.0), r"lam must be a finite number >= 0"),
    (dict(T=0), r"T must be an integer >= 1"),
])
def test_bad_building_block_arguments(kwargs, pattern):
    W = np.ones((12, 2))
    H = np.ones((2, 10))
    args = dict(row=0, lam=0.1, T=2)
    args.update(kwargs)
    with pytest.raises(InvalidParameterError, match=pattern):
        shinbo.inner_row_steps(GOOD, W, H, **args)
    with pytest.raises(InvalidDataError, match="do not fit X"):
        shinbo.inner_row_steps(GOOD, np.ones((11, 2)), H, 0, 0.1, 2)
