"""Does SHINBO do what the paper claims? A reproducible study against the fixed-λ baselines.

    python benchmarks/reproduce.py            # the full study (~10 minutes on 2 cores)
    python benchmarks/reproduce.py --quick    # a small version for CI (~1 minute)

Writes CSV tables, a Markdown summary and Plotly HTML figures to ``benchmarks/results/``
(``--out``) and regenerates ``docs/RESULTS.md`` (``--docs``). Progress goes to stderr.
Every number comes from a run in this process: nothing is typed in by hand.

Sections: (1) the paper's synthetic protocol, SHINBO vs MU λ ∈ {0, 0.1, 0.5}, noise
ε ∈ {0, 0.01, 0.05, 0.1}, Monte Carlo over seeds, with a paired per-seed comparison;
(2) ablations; (3) sensitivity to T and α; (4) bearing data: the simulator across SNRs and
the real CWRU recordings (skipped when absent), beside the raw envelope and the best fixed
band by ENVSI.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import shinbo  # noqa: E402
from shinbo import analysis, bearings, experiments, export, io, metrics, plots, signals  # noqa: E402
from shinbo.experiments import MethodSpec  # noqa: E402

T_DEFAULT = 4


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Progress:
    def __init__(self, total, label):
        self.total, self.done, self.label, self.t0 = total, 0, label, time.perf_counter()

    def step(self, what=""):
        self.done += 1
        el = time.perf_counter() - self.t0
        eta = el / self.done * (self.total - self.done)
        sys.stderr.write(f"\r[{self.label}] {self.done}/{self.total} {what[:40]:40s} {el:6.1f} s, ~{eta:5.0f} s left")
        sys.stderr.flush()
        if self.done == self.total:
            sys.stderr.write("\n")


def write_csv(path: Path, rows: list[dict]):
    if rows:
        path.write_text(export.table_csv(rows, float_format="{:.6g}"))


def md_table(rows: list[dict], cols: list[str], fmt: dict | None = None) -> str:
    fmt = fmt or {}
    out = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c, "")
            if isinstance(v, float):
                v = fmt.get(c, "{:.2f}").format(v) if np.isfinite(v) else "n/a"
            cells.append(str(v))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# 1. The paper's synthetic protocol
# --------------------------------------------------------------------------------------

def synthetic_rows(variants: dict, noises, seeds, label, max_iter=3000) -> list[dict]:
    """variants: name -> f(data, seed, memo) -> FitResult (memo holds earlier results of this seed)."""
    rows = []
    prog = Progress(len(variants) * len(noises) * len(seeds), label)
    for noise in noises:
        for s in seeds:
            data = shinbo.synthetic_nmf(noise=noise, seed=s)
            memo = {}
            for name, fn in variants.items():
                res = fn(data, s, memo)
                memo[name] = res
                rows.append(dict(method=name, noise=noise, seed=s, sir_h=metrics.sir_h(data.H, res.H).median,
                                 sir_w=metrics.sir_w(data.W, res.W).median, sparsity=metrics.sparsity_zeros(res.H),
                                 hoyer=float(np.mean(metrics.hoyer(res.H))), n_iter=res.n_iter,
                                 converged=res.converged, seconds=res.seconds,
                                 final_lambda_mean=float(np.mean(res.lambdas))))
                prog.step(f"{name}, ε={noise:g}, seed {s}")
    return rows


def summarize(rows):
    return experiments.summarize_study(rows, keys=("sir_h", "sir_w", "sparsity", "n_iter", "seconds"))


def mu(lam, **kw):
    return lambda d, s, memo: shinbo.fit_mu(d.X, 3, lam=lam, seed=s, **dict(dict(max_iter=3000), **kw))


def sh(**kw):
    return lambda d, s, memo: shinbo.fit_shinbo(d.X, 3, seed=s, max_iter=3000, **kw)


# --------------------------------------------------------------------------------------
# 4. Bearing data
# --------------------------------------------------------------------------------------

def bearing_methods(max_iter):
    return [MethodSpec("SHINBO", "shinbo", dict(max_iter=max_iter)),
            MethodSpec("SHINBO warm start", "shinbo", dict(max_iter=max_iter, warm_start=50, alpha=10.0)),
            MethodSpec("MU λ=0", "mu", dict(lam=0.0, max_iter=max_iter)),
            MethodSpec("MU λ=0.1", "mu", dict(lam=0.1, max_iter=max_iter)),
            MethodSpec("MU λ=0.5", "mu", dict(lam=0.5, max_iter=max_iter))]


def bearing_case(label, x, fs, fault_hz, seed, max_iter, truth_soi=None):
    res = experiments.analyze_signal(x, fs, rank=4, fault_hz=fault_hz, methods=bearing_methods(max_iter), seed=seed)
    band = analysis.best_band_envsi(x, fs, fault_hz)
    rows = []
    base = dict(case=label, seed=seed, fault_hz=fault_hz, raw_envsi=res.raw_envsi, raw_peak_hz=res.raw_peak_hz,
                best_band_envsi=band.envsi, best_band=f"{band.low_hz:.0f}-{band.high_hz:.0f} Hz")
    if truth_soi is not None:
        base["clean_soi_envsi"] = analysis.envsi(analysis.envelope_spectrum(truth_soi, fs), fault_hz)
    for m in res.methods:
        rows.append(dict(base, method=m.name, soi=m.soi.index + 1, soi_envsi=m.soi_envsi, soi_peak_hz=m.soi_peak_hz,
                         peak_error_pct=100 * abs(m.soi_peak_hz - fault_hz) / fault_hz, n_iter=m.result.n_iter,
                         seconds=m.result.seconds))
    return rows, res


# --------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a small version (CI)")
    ap.add_argument("--seeds", type=int, default=None, help="Monte Carlo seeds (default 20, quick 3)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--docs", default=str(ROOT / "docs" / "RESULTS.md"))
    ap.add_argument("--no-real", action="store_true", help="skip the CWRU recordings")
    a = ap.parse_args(argv)
    quick = a.quick
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    n_seeds = a.seeds or (3 if quick else 20)
    seeds = list(range(n_seeds))
    noises = [0.0, 0.05] if quick else [0.0, 0.01, 0.05, 0.1]
    figs = {}

    # 1. synthetic
    variants = {"SHINBO": sh(), "MU λ=0": mu(0.0), "MU λ=0.1": mu(0.1), "MU λ=0.5": mu(0.5)}
    syn = synthetic_rows(variants, noises, seeds, "synthetic")
    syn_sum = summarize(syn)
    syn_pair = experiments.paired_wins(syn, metrics=("sir_h", "sparsity"))
    write_csv(out / "synthetic.csv", syn)
    write_csv(out / "synthetic_summary.csv", syn_sum)
    write_csv(out / "synthetic_paired.csv", syn_pair)
    figs["synthetic_sir_h"] = plots.study_boxes(syn, "sir_h", title="SIR_H per seed (dB)", y_title="dB")
    figs["synthetic_sparsity"] = plots.study_boxes(syn, "sparsity", title="Sparsity(H) (% below 1e-3·max)", y_title="%")

    # 2. ablation
    abl_noises = [0.05] if quick else [0.0, 0.05]
    abl_seeds = seeds[:2] if quick else seeds
    ablations = {
        "SHINBO (paper: γ=1, ℓ1, T=4, α=100)": sh(),
        "MU λ=0.1 (joint, fixed)": mu(0.1),
        "MU λ=0, all 3000 iterations (no stopping rule)": mu(0.0, tol=0.0),
        "MU rows, T=4, λ=0.1 fixed (inner loop only)": mu(0.1, h_update="rows", inner_steps=T_DEFAULT),
        "SHINBO α=0 (λ fixed at λ0 ~ U[0,1])": sh(alpha=0.0),
        "MU rows, T=4, λ = SHINBO's final λ (values, not path)":
            lambda d, s, memo: shinbo.fit_mu(d.X, 3, lam=memo["SHINBO (paper: γ=1, ℓ1, T=4, α=100)"].lambdas,
                                             h_update="rows", inner_steps=T_DEFAULT, seed=s, max_iter=3000),
        "SHINBO outer=holdout": sh(outer="holdout"),
        "SHINBO γ=1/2": sh(gamma=0.5),
        "SHINBO penalty ℓp (p=1/2)": sh(penalty="lp", p=0.5),
        "SHINBO penalty log (Gaussian entropy)": sh(penalty="log"),
        "SHINBO normalized step α=0.05": sh(step="normalized", alpha=0.05),
        "SHINBO warm start 50, α=10": sh(warm_start=50, alpha=10.0),
        "SHINBO λ adapts for 20 iterations only": sh(adapt_iters=20),
    }
    abl = synthetic_rows(ablations, abl_noises, abl_seeds, "ablation")
    abl_sum = summarize(abl)
    write_csv(out / "ablation.csv", abl)
    write_csv(out / "ablation_summary.csv", abl_sum)

    # 3. sensitivity
    Ts = [1, 4] if quick else [1, 2, 4, 8]
    alphas = [10.0, 100.0] if quick else [1.0, 10.0, 30.0, 100.0, 300.0, 1000.0]
    sens_seeds = seeds[:1] if quick else seeds[:5]
    prog = Progress(len(Ts) * len(alphas) * len(sens_seeds), "sensitivity")
    grid = experiments.sensitivity_grid(Ts, alphas, seeds=sens_seeds, shinbo_params=dict(max_iter=3000),
                                        progress=lambda p: prog.step(f"T={p['T']}, α={p['alpha']:g}"))
    sens_rows = [dict(T=T, alpha=al, median_sir_h=float(grid["sir_h"][i, j]), mean_final_lambda=float(grid["final_lambda"][i, j]))
                 for i, T in enumerate(Ts) for j, al in enumerate(alphas)]
    write_csv(out / "sensitivity.csv", sens_rows)
    figs["sensitivity_sir_h"] = plots.sensitivity_heatmap(grid["sir_h"], Ts, alphas)
    figs["sensitivity_lambda"] = plots.sensitivity_heatmap(grid["final_lambda"], Ts, alphas, title="Mean final λ",
                                                           colorbar="λ")
    d0 = shinbo.synthetic_nmf(seed=0)
    traj = shinbo.fit_shinbo(d0.X, 3, seed=0, max_iter=3000)
    figs["lambda_trajectories"] = plots.lambda_history(traj.history["lambdas"], title="λ per row, synthetic seed 0")

    # 4. bearing data
    bear_iter = 60 if quick else 300
    snrs = [-6.0] if quick else [-12.0, -9.0, -6.0, -3.0, 0.0]
    sim_seeds = [0] if quick else [0, 1, 2]
    cases = [(f"simulator SNR {s:g} dB", dict(snr_db=s)) for s in snrs]
    if not quick:
        cases.append(("simulator SNR -6 dB + impulsive noise", dict(snr_db=-6.0, impulsive_noise=5.0)))
    bear = []
    prog = Progress(len(cases) * len(sim_seeds), "bearing (simulator)")
    for label, kw in cases:
        for s in sim_seeds:
            sim = signals.simulate_bearing(seed=s, **kw)
            rows, _ = bearing_case(label, sim.x, sim.fs, sim.fault_hz, s, bear_iter, truth_soi=sim.soi)
            bear += rows
            prog.step(f"{label}, seed {s}")
    real = []
    ddir = io.data_dir()
    if ddir is not None and not a.no_real and not quick:
        files = [("130_OR007-6_0_12k_DE.mat", "bpfo"), ("105_IR007_0_12k_DE.mat", "bpfi"), ("097_Normal_0_48k.mat", "bpfo")]
        prog = Progress(len(files), "bearing (CWRU)")
        for name, fault in files:
            p = ddir / name
            if not p.exists():
                prog.step(f"{name} missing")
                continue
            sig = io.load_signal(p)
            fc = bearings.fault_frequencies(sig.rpm, "cwru-de")[fault]
            rows, _ = bearing_case(f"CWRU {name} ({fault.upper()})", sig.samples, sig.fs, fc, 0, bear_iter)
            real += rows
            prog.step(name)
    elif ddir is None:
        log("CWRU recordings not found (set SHINBO_DATA_DIR): the real-data section is skipped")
    write_csv(out / "bearing.csv", bear + real)
    bear_sum = []
    for (case, method) in dict.fromkeys((r["case"], r["method"]) for r in bear + real):
        rs = [r for r in bear + real if r["case"] == case and r["method"] == method]
        e = dict(case=case, method=method, runs=len(rs))
        for k in ("soi_envsi", "peak_error_pct", "raw_envsi", "best_band_envsi", "seconds"):
            e[k] = float(np.median([r[k] for r in rs]))
        if "clean_soi_envsi" in rs[0]:
            e["clean_soi_envsi"] = float(np.median([r["clean_soi_envsi"] for r in rs]))
        bear_sum.append(e)
    write_csv(out / "bearing_summary.csv", bear_sum)

    for name, fig in figs.items():
        fig.write_html(out / f"{name}.html", include_plotlyjs="cdn")

    elapsed = time.perf_counter() - t_start
    write_docs(Path(a.docs), out, quick=quick, n_seeds=n_seeds, noises=noises, syn_sum=syn_sum, syn_pair=syn_pair,
               abl_sum=abl_sum, sens_rows=sens_rows, bear_sum=bear_sum, elapsed=elapsed, real=bool(real))
    log(f"done in {elapsed:.0f} s; results in {out}, summary in {a.docs}")
    return 0


def claim_lines(syn_sum, syn_pair, bear_sum):
    get = {(r["method"], r["noise"]): r for r in syn_sum}
    lines = []
    s0 = get.get(("SHINBO", 0.0))
    if s0:
        ok = s0["sir_h"] > 40
        lines.append(f"- **SIR_H > 40 dB on the noiseless protocol**: {'reproduced' if ok else 'not reproduced'} "
                     f"(median {s0['sir_h']:.1f} dB, IQR {s0['sir_h_iqr']:.1f}).")
        ok = s0["sparsity"] > 65
        lines.append(f"- **Sparsity(H) > 65 %**: {'reproduced' if ok else 'not reproduced'} "
                     f"(median {s0['sparsity']:.1f} % of entries below 1e-3·max(H), noiseless; the true H has 70 %).")
    for p in syn_pair:
        best = max((get[(b, p["noise"])] for b in ("MU λ=0", "MU λ=0.1", "MU λ=0.5") if (b, p["noise"]) in get),
                   key=lambda r: r["sir_h"])
        sh_ = get[("SHINBO", p["noise"])]
        rel = 100 * (sh_["sir_h"] - best["sir_h"]) / abs(best["sir_h"]) if best["sir_h"] else float("nan")
        verdict = "≥ +10 %: reproduced" if rel >= 10 else ("better, by less than 10 %" if rel > 0 else "not reproduced")
        lines.append(f"- **≈ 10 % better SIR than the best fixed-λ MU**, ε = {p['noise']:g}: {verdict} "
                     f"(SHINBO {sh_['sir_h']:.1f} dB vs {best['method']} {best['sir_h']:.1f} dB, {rel:+.0f} %; "
                     f"paired median difference {p['median_sir_h_difference']:+.1f} dB, SHINBO wins "
                     f"{p['shinbo_wins']}/{p['seeds']} seeds).")
    demo = [b for b in bear_sum if b["case"] == "simulator SNR -6 dB"]
    if demo:
        by = {b["method"]: b for b in demo}
        mus = [b for b in demo if b["method"].startswith("MU")]
        best_mu = max(mus, key=lambda b: b["soi_envsi"])
        for name in ("SHINBO", "SHINBO warm start"):
            if name not in by:
                continue
            r = by[name]
            ok = r["soi_envsi"] >= 0.77 and r["soi_envsi"] > best_mu["soi_envsi"]
            lines.append(f"- **ENVSI > 0.77 on a bearing case** (the demo's simulator settings, SNR −6 dB, median over "
                         f"{r['runs']} simulator seeds), {name}: {'reproduced' if ok else 'not reproduced'} "
                         f"(ENVSI {r['soi_envsi']:.3f}; best MU: {best_mu['method']} {best_mu['soi_envsi']:.3f}; "
                         f"raw signal {r['raw_envsi']:.3f}; best fixed band {r['best_band_envsi']:.3f}).")
    real = [b for b in bear_sum if b["case"].startswith("CWRU") and "Normal" not in b["case"]]
    for case in dict.fromkeys(b["case"] for b in real):
        rs = [b for b in real if b["case"] == case]
        best = max(rs, key=lambda b: b["soi_envsi"])
        lines.append(f"- **{case}**: best NMF component ENVSI {best['soi_envsi']:.3f} ({best['method']}), "
                     f"SHINBO {next(b['soi_envsi'] for b in rs if b['method'] == 'SHINBO'):.3f}, "
                     f"raw envelope {rs[0]['raw_envsi']:.3f}, best fixed band {rs[0]['best_band_envsi']:.3f}.")
    return lines


def change_lines(abl_sum, bear_sum):
    """The options this project added, each against the paper's default, from the tables above."""
    paper = "SHINBO (paper: γ=1, ℓ1, T=4, α=100)"
    get = {(r["method"], r["noise"]): r for r in abl_sum}
    noises = sorted({r["noise"] for r in abl_sum})
    lines = ["- The defaults stay the paper's method (reconstruction outer objective, fixed step, cold start, "
             "ℓ1, γ = 1). α = 100 comes from the sensitivity table: the hypergradient of a *mean* divergence is "
             "of order 1e-3–1e-2, so an α of order 0.1–1 barely moves λ, and λ0 ~ U[0, 1] then stays a random "
             "fixed penalty (compare \"SHINBO α=0\").",
             "- Each option below is available, documented and tested, and off by default; here each is set against "
             "the paper's setting (median SIR_H in dB, option vs paper):"]
    for name in [m for m in dict.fromkeys(r["method"] for r in abl_sum) if m.startswith("SHINBO") and m != paper
                 and not m.startswith("SHINBO α=0")]:
        cells = []
        for e in noises:
            if (name, e) in get and (paper, e) in get:
                cells.append(f"ε={e:g}: {get[(name, e)]['sir_h']:.1f} vs {get[(paper, e)]['sir_h']:.1f}")
        lines.append(f"  - {name}: " + "; ".join(cells))
    demo = {b["method"]: b for b in bear_sum if b["case"] == "simulator SNR -6 dB"}
    if "SHINBO warm start" in demo and "SHINBO" in demo:
        others = [b for b in bear_sum if b["method"] in ("SHINBO", "SHINBO warm start") and b["case"].startswith("simulator")]
        wins = sum(1 for c in dict.fromkeys(b["case"] for b in others)
                   if next(b["soi_envsi"] for b in others if b["case"] == c and b["method"] == "SHINBO warm start")
                   > next(b["soi_envsi"] for b in others if b["case"] == c and b["method"] == "SHINBO"))
        n_cases = len(dict.fromkeys(b["case"] for b in others))
        lines.append(f"- On the bearing simulator the warm start (50 joint MU iterations, then α = 10) gives ENVSI "
                     f"{demo['SHINBO warm start']['soi_envsi']:.3f} vs {demo['SHINBO']['soi_envsi']:.3f} at the demo's "
                     f"SNR, and is better in {wins} of {n_cases} simulator cases: it is offered in the app's Run page "
                     "(\"warm start\"), not made the default.")
    return lines


def write_docs(path: Path, out: Path, *, quick, n_seeds, noises, syn_sum, syn_pair, abl_sum, sens_rows, bear_sum,
               elapsed, real):
    path.parent.mkdir(parents=True, exist_ok=True)
    import numba
    rel_out = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    cmd = "python benchmarks/reproduce.py" + (" --quick" if quick else "")
    f1 = {"sir_h": "{:.1f}", "sir_h_iqr": "{:.1f}", "sir_w": "{:.1f}", "sir_w_iqr": "{:.1f}", "sparsity": "{:.1f}",
          "sparsity_iqr": "{:.1f}", "n_iter": "{:.0f}", "n_iter_iqr": "{:.0f}", "seconds": "{:.3f}", "seconds_iqr": "{:.3f}"}
    text = f"""# Does SHINBO do what the paper claims?

Generated by `{cmd}` on {datetime.date.today().isoformat()} ({platform.machine()}, numpy {np.__version__},
numba {numba.__version__}) in {elapsed:.0f} s. {"**This is the quick version (few seeds): rerun without --quick for the full tables.**" if quick else ""}
Every number below is recomputed by that command; CSV tables and interactive figures are in `{rel_out}/`.

## What the paper claims, and what this project finds

{chr(10).join(claim_lines(syn_sum, syn_pair, bear_sum))}

## 1. The paper's synthetic protocol

X = W H + ε·rms(WH)·N(0, 1) (absolute value), m = 100, n = 70, r = 3, 10 % zeros in W, 70 % in H;
{n_seeds} seeds per noise level (data seed = initialization seed, the same for every method);
SHINBO with its defaults (T = 4, α = 100, λ0 ~ U[0, 1], γ = 1, reconstruction outer objective),
every method up to 3000 iterations with tol = 1e-6. Medians with IQR.

{md_table(syn_sum, ["method", "noise", "runs", "sir_h", "sir_h_iqr", "sir_w", "sir_w_iqr", "sparsity", "sparsity_iqr", "n_iter", "converged", "seconds"], f1)}

Paired per seed, SHINBO minus the best fixed-λ baseline on the same matrix:

{md_table(syn_pair, ["noise", "seeds", "median_sir_h_difference", "median_sparsity_difference", "shinbo_wins"])}

Note on the protocol: with r = 3 and 70 % zeros in H, a third of the columns of H are entirely
zero, so a third of the columns of X are zero (floored at 1e-10·mean). IS-NMF must drive the
model to the floor there, which slows MU's convergence a lot; the row-wise T-step inner loop of
SHINBO reaches those zeros much faster, which is much of its advantage on the noiseless data.

## 2. Ablations (the paper's "next checks")

{md_table(abl_sum, ["method", "noise", "runs", "sir_h", "sir_h_iqr", "sir_w", "sparsity", "n_iter", "converged", "seconds"], f1)}

Reading it: "MU λ=0, all 3000 iterations" shows what the stopping rule (|ΔF| < 1e-6·F_1,
shared by every method) costs the baseline; "MU rows, T=4, λ fixed" separates the inner-loop effect (T row-wise steps per W step)
from the tuning; "λ = SHINBO's final λ" asks whether the learned values or the path matter;
holdout, γ = 1/2, the diversity penalties, the normalized step and the warm start are the
options this project adds (each has a documented default equal to the paper's method).

## 3. Sensitivity to T and α (noiseless, median SIR_H over seeds)

{md_table(sens_rows, ["T", "alpha", "median_sir_h", "mean_final_lambda"], {"alpha": "{:g}", "median_sir_h": "{:.1f}", "mean_final_lambda": "{:.3f}"})}

## 4. Bearing data

ENVSI (3 harmonics, ±2 % windows) of the SOI component (highest ENVSI among the r = 4 Wiener
components) and its dominant envelope peak's error vs the fault frequency, beside the raw signal's
ENVSI and the best fixed band by ENVSI over a dyadic filter bank (what band-pass filtering alone
achieves). Simulator: the built-in demo's parameters at several SNRs, seeds 0-2, medians.
{"" if real else "The CWRU recordings were not available to this run (set SHINBO_DATA_DIR)."}

{md_table(bear_sum, ["case", "method", "runs", "soi_envsi", "peak_error_pct", "raw_envsi", "best_band_envsi", "seconds"] + (["clean_soi_envsi"] if any("clean_soi_envsi" in r for r in bear_sum) else []), {"soi_envsi": "{:.3f}", "raw_envsi": "{:.3f}", "best_band_envsi": "{:.3f}", "clean_soi_envsi": "{:.3f}", "peak_error_pct": "{:.2f}", "seconds": "{:.2f}"})}

## What changed in the method because of this study

{chr(10).join(change_lines(abl_sum, bear_sum))}
"""
    path.write_text(text)
    (out / "summary.md").write_text(text)


if __name__ == "__main__":
    sys.exit(main())
