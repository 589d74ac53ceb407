"""Checks at the library's boundary: one function per kind of argument.

Each raises an :mod:`shinbo.errors` exception whose message says which parameter is
wrong, what it was, and what is allowed.
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import numpy as np

from .errors import InvalidDataError, InvalidParameterError

_DTYPES = {"float64": np.float64, "float32": np.float32}


def check_dtype(dtype: Any) -> np.dtype:
    """Return the numpy dtype for ``dtype`` ('float64' or 'float32')."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.name not in _DTYPES:
        raise InvalidParameterError(f"dtype must be 'float64' or 'float32'; got {dtype!r}")
    return dt


def _where(mask: np.ndarray) -> str:
    idx = np.argwhere(mask)
    first = tuple(int(i) for i in idx[0])
    return f"{len(idx)} entries, first at index {first}"


def check_matrix(X: Any, name: str = "X", *, dtype=np.float64, allow_zero_matrix=False) -> np.ndarray:
    """A finite, nonnegative, non-empty 2-D array, converted to ``dtype`` (a copy)."""
    try:
        A = np.array(X, dtype=dtype, copy=True)
    except (TypeError, ValueError) as exc:
        raise InvalidDataError(f"{name} must be a numeric 2-D array; could not convert it: {exc}") from None
    if A.ndim != 2:
        raise InvalidDataError(f"{name} must be 2-D (frequencies x frames); got an array with {A.ndim} dimension(s), shape {A.shape}")
    if A.size == 0:
        raise InvalidDataError(f"{name} must not be empty; got shape {A.shape}")
    bad = ~np.isfinite(A)
    if bad.any():
        raise InvalidDataError(f"{name} must be finite; it has NaN or Inf in {_where(bad)}")
    neg = A < 0
    if neg.any():
        raise InvalidDataError(f"{name} must be nonnegative; it has negative values in {_where(neg)} (min {A.min():.3g})")
    if not allow_zero_matrix and not A.any():
        raise InvalidDataError(f"{name} must not be all zero (there is nothing to factorize)")
    return A


def check_int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (bool refused) in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
            value = int(value)
        else:
            raise InvalidParameterError(f"{name} must be an integer{_range(low, high)}; got {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidParameterError(f"{name} must be an integer{_range(low, high)}; got {value}")
    return value


def check_real(value: Any, name: str, *, low: float | None = None, high: float | None = None,
               low_open: bool = False) -> float:
    """A finite real in [low, high] (or (low, high] with ``low_open``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(f"{name} must be a finite number{_range(low, high, low_open)}; got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise InvalidParameterError(f"{name} must be a finite number{_range(low, high, low_open)}; got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        raise InvalidParameterError(f"{name} must be a finite number{_range(low, high, low_open)}; got {value:g}")
    if high is not None and value > high:
        raise InvalidParameterError(f"{name} must be a finite number{_range(low, high, low_open)}; got {value:g}")
    return value


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise InvalidParameterError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def check_factor(A: Any, name: str, shape: tuple[int, int], dtype) -> np.ndarray:
    """An initial factor W0 or H0 of exactly ``shape``, finite and nonnegative."""
    A = check_matrix(A, name, dtype=dtype, allow_zero_matrix=True)
    if A.shape != shape:
        raise InvalidDataError(f"{name} must have shape {shape}; got {A.shape}")
    if not A.any():
        raise InvalidDataError(f"{name} must not be all zero (multiplicative updates cannot leave zero)")
    return A


def check_per_row(value: Any, name: str, rank: int, *, low: float = 0.0, high: float | None = None) -> np.ndarray:
    """A scalar or one value per row (length ``rank``), finite, in [low, high]."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a number or {rank} numbers (one per row of H); got {value!r}") from None
    if arr.ndim == 0:
        arr = np.full(rank, float(arr))
    if arr.shape != (rank,):
        raise InvalidParameterError(f"{name} must be a number or {rank} numbers (one per row of H); got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(f"{name} must be finite; got {arr.tolist()}")
    if np.any(arr < low) or (high is not None and np.any(arr > high)):
        allowed = f"[{low:g}, {high:g}]" if high is not None else f"[{low:g}, inf)"
        raise InvalidParameterError(f"{name} must lie in {allowed}; got {arr.tolist()}")
    return arr


def _range(low, high, low_open=False) -> str:
    lb = "(" if low_open else "["
    if low is not None and high is not None:
        return f" in {lb}{low:g}, {high:g}]"
    if low is not None:
        return f" {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f" <= {high:g}"
    return ""
