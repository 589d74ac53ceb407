"""Speed and memory of SHINBO and the MU baselines against scikit-learn, measured in one process.

    python benchmarks/bench_speed.py [--reps 7] [--iters 20] [--no-scaling]

1. The paper's real-data size (m = 257, n = 1782, r = 4, T = 4, float64) on a spectrogram of
   the bearing simulator: per-iteration time of scikit-learn's IS-MU, our fit_mu (fast path
   and numpy reference) and fit_shinbo (fast path and numpy reference), interleaved over
   repetitions, medians reported, each as a ratio to scikit-learn; float32 too.
2. A scaling run (m = 1025, n = 20 000, r = 8, T = 4, a few iterations): seconds per
   iteration, element-steps per second (m·n·r·T per second) and peak extra memory relative
   to the size of X (tracemalloc, which sees numpy's buffers; Numba's small per-block
   buffers are not seen, so the process's peak RSS growth is printed beside it).

No test runner and no assertion on time: the figures are printed as measured.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import shinbo  # noqa: E402
from shinbo import kernels, signals, spectral  # noqa: E402


def paper_size_matrix(m_bins=257, n_frames=1782):
    nfft = 2 * (m_bins - 1)
    hop = 128
    fs = 51200.0
    duration = (n_frames * hop + nfft) / fs + 0.01
    sim = signals.simulate_bearing(fs=fs, duration=duration, seed=0)
    S = spectral.spectrogram(sim.x, fs, nfft=nfft, hop=hop)
    return S.X[:, :n_frames].copy()


def sklearn_runner(X, r, W0, H0):
    from sklearn.decomposition import NMF

    def run(iters):
        model = NMF(r, beta_loss="itakura-saito", solver="mu", init="custom", max_iter=iters, tol=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit_transform(X, W=W0.copy(), H=H0.copy())
        return None
    return run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--iters", type=int, default=40)
    ap.add_argument("--no-scaling", action="store_true")
    ap.add_argument("--scaling-iters", type=int, default=3)
    a = ap.parse_args(argv)

    fast = kernels.fast_available()
    import numba
    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
          f"fast path {'on' if fast else 'OFF'}, {numba.get_num_threads()} threads")
    X = paper_size_matrix()
    m, n = X.shape
    r, T = 4, 4
    Xs = np.maximum(X, 1e-10 * X.mean())  # scikit-learn refuses zeros for IS
    W0, H0 = shinbo.initialize(Xs, r, "nndsvda")
    print(f"# X: {m} x {n} spectrogram of the simulator, r = {r}, T = {T}; per iteration = a {a.iters}-iteration fit / "
          f"{a.iters} (set-up included), {a.reps} interleaved repetitions, median")

    def ours(fit, **kw):
        return lambda iters: fit(Xs, r, W0=W0, H0=H0, max_iter=iters, tol=0, **kw)

    cases = {
        "scikit-learn IS-MU": sklearn_runner(Xs, r, W0, H0),
        "fit_mu (fast path)": ours(shinbo.fit_mu, backend="auto"),
        "fit_mu (numpy reference)": ours(shinbo.fit_mu, backend="numpy"),
        "fit_shinbo (fast path)": ours(shinbo.fit_shinbo, T=T, backend="auto"),
        "fit_shinbo (numpy reference)": ours(shinbo.fit_shinbo, T=T, backend="numpy"),
        "fit_shinbo (fast, float32)": ours(shinbo.fit_shinbo, T=T, backend="auto", dtype="float32"),
        "fit_mu (fast, float32)": ours(shinbo.fit_mu, backend="auto", dtype="float32"),
    }
    for fn in cases.values():  # warm-up: JIT, caches, BLAS threads
        fn(2)
    # per iteration = a whole fit of a.iters iterations / a.iters, set-up (validation, copies) included
    # for every method alike; for our fits the median in-loop iteration time (history["seconds"]) too
    times = {k: [] for k in cases}
    inloop = {k: [] for k in cases}
    for _ in range(a.reps):
        for k, fn in cases.items():
            time.sleep(0.2)  # let the previous case's worker threads (BLAS spins after a call) go idle
            t0 = time.perf_counter()
            res = fn(a.iters)
            times[k].append((time.perf_counter() - t0) / a.iters)
            if res is not None:
                inloop[k].append(float(np.median(np.diff(res.history["seconds"]))))
    ref = statistics.median(times["scikit-learn IS-MU"])
    print()
    print(f"{'method':32s} {'ms / iteration':>15s} {'ratio to sklearn':>17s} {'in-loop ms':>11s}")
    for k, v in times.items():
        med = statistics.median(v)
        loop = f"{statistics.median(inloop[k]) * 1e3:11.2f}" if inloop[k] else f"{'':11s}"
        print(f"{k:32s} {med * 1e3:15.2f} {med / ref:17.2f} {loop}")

    if a.no_scaling:
        return 0
    m2, n2, r2 = 1025, 20000, 8
    print()
    print(f"# scaling run: m = {m2}, n = {n2}, r = {r2}, T = {T}, {a.scaling_iters} iterations")
    rng = np.random.default_rng(0)
    Xb = (rng.random((m2, r2)) @ rng.random((r2, n2))) * rng.gamma(1.0, 1.0, (m2, n2))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    res = shinbo.fit_shinbo(Xb, r2, T=T, max_iter=a.scaling_iters, tol=0, seed=0)
    dt = (time.perf_counter() - t0) / res.n_iter
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    steps = m2 * n2 * r2 * T
    print(f"seconds per iteration          {dt:10.3f}   (includes validation, init and the first-iteration set-up)")
    print(f"element-steps per second       {steps / dt / 1e6:10.1f} million  (m·n·r·T = {steps / 1e6:.0f} million per iteration)")
    print(f"peak extra memory (tracemalloc) {peak / Xb.nbytes:9.2f} × the size of X ({Xb.nbytes / 2**20:.0f} MB)")
    print(f"peak RSS growth                {(rss1 - rss0) * 1024 / Xb.nbytes:10.2f} × the size of X")
    return 0


if __name__ == "__main__":
    sys.exit(main())
