"""benchmarks/reproduce.py --quick runs and writes finite results (it does not check who wins)."""

import csv
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_study_writes_every_output(tmp_path):
    out = tmp_path / "results"
    docs = tmp_path / "RESULTS.md"
    p = subprocess.run([sys.executable, "benchmarks/reproduce.py", "--quick", "--out", str(out), "--docs", str(docs)],
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "done in" in p.stderr
    for name in ("synthetic.csv", "synthetic_summary.csv", "synthetic_paired.csv", "ablation.csv",
                 "ablation_summary.csv", "sensitivity.csv", "bearing.csv", "bearing_summary.csv", "summary.md",
                 "synthetic_sir_h.html", "sensitivity_sir_h.html", "lambda_trajectories.html"):
        assert (out / name).stat().st_size > 0, name
    for name, cols in (("synthetic_summary.csv", ("sir_h", "sir_w", "sparsity", "seconds")),
                       ("ablation_summary.csv", ("sir_h", "sparsity")),
                       ("sensitivity.csv", ("median_sir_h",)),
                       ("bearing_summary.csv", ("soi_envsi", "raw_envsi", "best_band_envsi"))):
        rows = list(csv.DictReader((out / name).open()))
        assert rows, name
        for r in rows:
            for c in cols:
                assert math.isfinite(float(r[c])), (name, c, r)
    text = docs.read_text()
    assert "What the paper claims" in text and "SIR_H > 40 dB" in text and "| SHINBO |" in text
