"""SHINBO: Sparse Hyperparametric Itakura-Saito NMF via Bi-level Optimization (arXiv 2502.17123).

The pipeline reads like the package: ``io`` (load a recording) → ``spectral`` (STFT power
spectrogram, component signals) → ``nmf`` / ``bilevel`` (fixed-λ MU baselines and SHINBO)
→ ``analysis`` (envelope spectra, ENVSI, bearing kinematics) → ``metrics`` → ``plots``.
Nothing here imports Streamlit.
"""

from .errors import (InvalidDataError, InvalidParameterError, NonFiniteError, ShinboError,
                     SignalLoadError)
from .nmf import FitResult, IterationInfo, fit_mu, initialize, normalize_columns, penalized_objective
from .bilevel import (finite_difference_hypergradient, fit_shinbo, inner_row_steps, inner_row_trajectory,
                      outer_objective, row_hypergradient)
from .kernels import fast_available, set_num_threads
from .signals import SimulatedSignal, SyntheticData, simulate_bearing, synthetic_nmf

__version__ = "0.1.0"

__all__ = [
    "fit_shinbo", "fit_mu", "inner_row_steps", "inner_row_trajectory", "row_hypergradient",
    "finite_difference_hypergradient",
    "outer_objective", "initialize", "normalize_columns", "penalized_objective",
    "FitResult", "IterationInfo", "SyntheticData", "synthetic_nmf", "SimulatedSignal", "simulate_bearing",
    "set_num_threads", "fast_available",
    "ShinboError", "InvalidParameterError", "InvalidDataError", "SignalLoadError", "NonFiniteError",
]
