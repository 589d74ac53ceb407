"""``python -m shinbo analyze | synth | simulate``: the headless front end.

Bad input exits with code 2 and one line on stderr; progress goes to stderr; results to
stdout (a table) and optionally to JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from . import bearings, experiments, io, signals
from .bilevel import DEFAULT_ALPHA, DEFAULT_MAX_ITER
from .errors import ShinboError

__all__ = ["main"]


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump
        raise _UsageError(f"{self.prog}: {message}")


class _Progress:
    """A throttled one-line progress report on stderr."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.every = 0.2 if self.tty else 2.0  # a log file gets a line every 2 s, a terminal a live line
        self.last = 0.0

    def __call__(self, ev):
        now = time.perf_counter()
        if ev.stage == "start" or (ev.stage == "iteration" and now - self.last < self.every):
            return True
        self.last = now
        if ev.stage == "done":
            msg = f"[{ev.method_index + 1}/{ev.n_methods}] {ev.method}: done"
        else:
            i = ev.info
            msg = (f"[{ev.method_index + 1}/{ev.n_methods}] {ev.method}: iteration {i.iteration}/{i.max_iter}"
                   f"  objective {i.objective:.5f}  {i.elapsed:.1f} s")
        if self.tty:
            self.stream.write("\r" + msg.ljust(78) + ("\n" if ev.stage == "done" else ""))
        else:
            self.stream.write(msg + "\n")
        self.stream.flush()
        return True


def _floats(text: str, what: str) -> list[float]:
    if text.strip() == "":
        return []
    try:
        vals = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise _UsageError(f"{what} must be comma-separated numbers, e.g. 0,0.1,0.5; got {text!r}") from None
    if any(v < 0 or not np.isfinite(v) for v in vals):
        raise _UsageError(f"{what} must be finite and >= 0; got {text!r}")
    return vals


def _shinbo_params(a) -> dict:
    return dict(T=a.T, alpha=a.alpha, max_iter=a.max_iter, gamma=a.gamma, outer=a.outer)


def _jsonable(v):
    if isinstance(v, np.ndarray):
        return [_jsonable(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (np.floating, float)):
        v = float(v)
        return v if np.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


def _table(headers, rows) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _warm_kernels():
    from . import kernels
    if not kernels.fast_loaded():  # first use in this process: compiling (or loading the cache) takes a moment
        print("# preparing the fast kernels (compiled once, then cached)", file=sys.stderr)
    kernels.fast_available()


def cmd_analyze(a) -> int:
    sig = io.load_signal(a.path, channel=a.channel, fs=a.fs, nfft=a.nfft, hop=a.hop)
    _warm_kernels()
    rpm = a.rpm if a.rpm is not None else sig.rpm
    fault_hz = bearings.resolve_fault(a.fault, rpm, a.bearing) if a.fault is not None else None
    for note in sig.notes:
        print(f"# {note}", file=sys.stderr)
    methods = experiments.default_methods(_floats(a.baselines, "--baselines"), _shinbo_params(a))
    res = experiments.analyze_signal(sig.samples, sig.fs, rank=a.rank, fault_hz=fault_hz, methods=methods,
                                     nfft=a.nfft, hop=a.hop, seed=a.seed, progress=_Progress())
    print(f"{sig.source} [{sig.channel}]  fs {sig.fs:g} Hz  {sig.duration:.2f} s"
          + (f"  {rpm:g} rpm" if rpm else "")
          + (f"  fault {a.fault} = {fault_hz:.2f} Hz" if fault_hz else "  no fault frequency: SOI by envelope kurtosis"))
    print(f"raw signal: ENVSI {res.raw_envsi:.3f}  dominant envelope peak {res.raw_peak_hz:.1f} Hz")
    rows = []
    for m in res.methods:
        rows.append([m.name, m.soi.index + 1, f"{m.soi_envsi:.3f}", f"{m.soi_peak_hz:.1f}",
                     f"{m.result.objective:.5f}", m.result.n_iter, f"{m.result.seconds:.2f}"])
    print(_table(["method", "SOI", "SOI ENVSI", "peak Hz", "IS div", "iters", "seconds"], rows))
    if a.json:
        out = {
            "source": sig.source, "channel": sig.channel, "fs": sig.fs, "rpm": rpm,
            "fault": {"name": a.fault, "hz": fault_hz},
            "raw": {"envsi": res.raw_envsi, "peak_hz": res.raw_peak_hz},
            "settings": res.settings,
            "methods": [{"name": m.name, "soi": m.soi.index, "soi_rule": m.soi.rule, "soi_envsi": m.soi_envsi,
                         "soi_peak_hz": m.soi_peak_hz, "envsi": m.envsi, "kurtosis": m.kurtosis,
                         "lambdas": m.result.lambdas, "n_iter": m.result.n_iter,
                         "converged": m.result.converged, "objective": m.result.objective,
                         "seconds": m.result.seconds, "config": m.result.config} for m in res.methods],
        }
        Path(a.json).write_text(json.dumps(_jsonable(out), indent=2))
        print(f"# wrote {a.json}", file=sys.stderr)
    return 0


def cmd_synth(a) -> int:
    _warm_kernels()
    methods = experiments.default_methods(_floats(a.baselines, "--baselines"), _shinbo_params(a))
    noises = _floats(a.noise, "--noise")

    def progress(p):
        sys.stderr.write(f"\r{p['done']}/{p['total']} fits ({p['row']['method']}, noise {p['row']['noise']:g}, "
                         f"seed {p['row']['seed']})".ljust(78))
        sys.stderr.flush()

    rows = experiments.synthetic_study(m=a.m, n=a.n, r=a.r, w_zeros=a.w_zeros, h_zeros=a.h_zeros, noises=noises,
                                       seeds=range(a.seed, a.seed + a.seeds), methods=methods, progress=progress)
    sys.stderr.write("\n")
    summary = experiments.summarize_study(rows)
    print(_table(["method", "noise", "runs", "SIR_H dB", "SIR_W dB", "Sparsity(H) %", "seconds"],
                 [[s["method"], f"{s['noise']:g}", s["runs"], f"{s['sir_h']:.2f}", f"{s['sir_w']:.2f}",
                   f"{s['sparsity']:.1f}", f"{s['seconds']:.3f}"] for s in summary]))
    if a.json:
        Path(a.json).write_text(json.dumps(_jsonable({"summary": summary, "runs": rows}), indent=2))
        print(f"# wrote {a.json}", file=sys.stderr)
    return 0


def cmd_simulate(a) -> int:
    import soundfile as sf
    out = Path(a.out)
    if out.suffix.lower() not in (".wav", ".flac"):
        raise _UsageError(f"--out must end in .wav or .flac; got {out.name!r}")
    sim = signals.simulate_bearing(fs=a.fs, duration=a.duration, rpm=a.rpm, fault_hz=a.fault_hz, slip=a.slip,
                                   resonance_hz=a.resonance_hz, damping=a.damping, snr_db=a.snr_db,
                                   shaft_amplitude=a.shaft_amplitude, impulsive_noise=a.impulsive_noise,
                                   seed=a.seed)
    if not out.parent.exists():
        raise _UsageError(f"the folder of --out does not exist: {out.parent}")
    sf.write(out, sim.x.astype(np.float32), int(round(sim.fs)), subtype="FLOAT" if out.suffix.lower() == ".wav" else "PCM_24")
    truth = out.with_name(out.stem + "_truth.npz")
    np.savez_compressed(truth, x=sim.x, soi=sim.soi, fs=sim.fs, fault_hz=sim.fault_hz, rpm=sim.rpm,
                        params=json.dumps(sim.params))
    print(f"wrote {out} ({sim.x.size} samples at {sim.fs:g} Hz, fault {sim.fault_hz:g} Hz, SNR {sim.params['snr_db']:g} dB)"
          f" and {truth}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m shinbo", description="SHINBO: sparse hyperparametric IS-NMF by bi-level optimization")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    def fit_options(q, max_iter):
        q.add_argument("--rank", type=int, default=experiments.DEMO_RANK, help="number of components r (default 4)")
        q.add_argument("--T", type=int, default=4, help="inner MU steps per row (default 4)")
        q.add_argument("--alpha", type=float, default=DEFAULT_ALPHA, help=f"λ step size (default {DEFAULT_ALPHA})")
        q.add_argument("--gamma", type=float, default=1.0, help="MU exponent: 1 (paper) or 0.5 (MM)")
        q.add_argument("--outer", default="reconstruction", help="reconstruction | holdout")
        q.add_argument("--max-iter", type=int, default=max_iter, dest="max_iter")
        q.add_argument("--baselines", default="0,0.1,0.5", help="fixed λ of the MU baselines (comma-separated)")
        q.add_argument("--json", default=None, help="write the results as JSON here")

    q = sub.add_parser("analyze", help="run SHINBO and the MU baselines on a recording")
    q.add_argument("path")
    q.add_argument("--channel", default=None, help="channel/variable/column (CWRU: DE, FE, BA)")
    q.add_argument("--fs", type=float, default=None, help="sampling rate in Hz (if the file does not say)")
    q.add_argument("--rpm", type=float, default=None, help="shaft speed (CWRU files say it)")
    q.add_argument("--bearing", default="cwru-de", choices=sorted(bearings.PRESETS), help="bearing geometry preset")
    q.add_argument("--fault", default=None, help="bpfo | bpfi | bsf | 2bsf | ftf | a frequency in Hz")
    q.add_argument("--nfft", type=int, default=512)
    q.add_argument("--hop", type=int, default=128)
    q.add_argument("--seed", type=int, default=0)
    fit_options(q, DEFAULT_MAX_ITER)
    q.set_defaults(func=cmd_analyze)

    q = sub.add_parser("synth", help="the paper's synthetic experiment (Monte Carlo over seeds)")
    q.add_argument("--m", type=int, default=100)
    q.add_argument("--n", type=int, default=70)
    q.add_argument("--r", type=int, default=3)
    q.add_argument("--w-zeros", type=float, default=0.1, dest="w_zeros")
    q.add_argument("--h-zeros", type=float, default=0.7, dest="h_zeros")
    q.add_argument("--noise", default="0", help="noise level(s) ε, comma-separated, e.g. 0,0.01,0.05,0.1")
    q.add_argument("--seeds", type=int, default=5, help="number of seeds")
    q.add_argument("--seed", type=int, default=0, help="first seed")
    fit_options(q, 3000)
    q.set_defaults(func=cmd_synth)

    q = sub.add_parser("simulate", help="write a simulated bearing recording (WAV/FLAC) and its ground truth")
    q.add_argument("--out", required=True)
    d = signals.simulate_bearing.__kwdefaults__
    for name in ("fs", "duration", "rpm", "fault_hz", "slip", "resonance_hz", "damping", "snr_db",
                 "shaft_amplitude", "impulsive_noise"):
        q.add_argument("--" + name.replace("_", "-"), type=float, default=d[name], dest=name,
                       help=f"default {d[name]:g}")
    q.add_argument("--seed", type=int, default=0)
    q.set_defaults(func=cmd_simulate)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            raise _UsageError("python -m shinbo: choose a command: analyze, synth or simulate (see --help)")
        return args.func(args)
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ShinboError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: still one line, no traceback
        print(f"internal error ({type(exc).__name__}): {exc}", file=sys.stderr)
        return 1
