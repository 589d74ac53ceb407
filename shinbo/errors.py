"""Exceptions raised by :mod:`shinbo`.

Every error a user can provoke with bad input is a subclass of :class:`ValueError`, so
``except ValueError`` catches all of them, and each message names the parameter, the value
that was given and what is allowed.
"""

from __future__ import annotations

__all__ = [
    "ShinboError",
    "InvalidParameterError",
    "InvalidDataError",
    "SignalLoadError",
    "NonFiniteError",
]


class ShinboError(ValueError):
    """Base class of every error raised by :mod:`shinbo` for bad input or bad numerics."""


class InvalidParameterError(ShinboError):
    """A parameter (rank, T, alpha, an option name, ...) is outside what is allowed."""


class InvalidDataError(ShinboError):
    """A data array (X, W0, H0, a signal) has the wrong shape, sign or values."""


class SignalLoadError(ShinboError):
    """A recording could not be read or does not hold a usable signal."""


class NonFiniteError(ShinboError):
    """A computation produced NaN or Inf; the result is refused rather than returned."""
