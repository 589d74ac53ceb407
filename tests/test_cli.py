"""The command line: analyze, synth, simulate; exit code 2 and one line for bad input."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from shinbo import bearings
from shinbo.cli import main
from tests.conftest import cwru_file

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "shinbo", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_simulate_then_analyze_round_trip(tmp_path):
    wav = tmp_path / "sim.wav"
    p = _cli("simulate", "--out", str(wav), "--duration", "1.0")
    assert p.returncode == 0, p.stderr
    assert wav.exists() and (tmp_path / "sim_truth.npz").exists()
    truth = np.load(tmp_path / "sim_truth.npz")
    x, fs = sf.read(wav)
    assert fs == 51200 and x.size == truth["soi"].size
    np.testing.assert_allclose(x, truth["x"], atol=1e-6 * np.abs(truth["x"]).max())
    out = tmp_path / "a.json"
    p = _cli("analyze", str(wav), "--fault", "107.3", "--max-iter", "20", "--baselines", "0", "--json", str(out))
    assert p.returncode == 0, p.stderr
    assert "SOI ENVSI" in p.stdout and "raw signal: ENVSI" in p.stdout
    assert "iteration" in p.stderr  # progress went to stderr
    res = json.loads(out.read_text())
    assert res["fault"]["hz"] == 107.3 and 0 <= res["raw"]["envsi"] <= 1
    names = [m["name"] for m in res["methods"]]
    assert names == ["SHINBO", "MU λ=0"]
    for m in res["methods"]:
        assert 0 <= m["soi"] < 4 and len(m["envsi"]) == 4 and len(m["lambdas"]) == 4
        assert m["n_iter"] <= 20 and m["seconds"] > 0 and m["soi_envsi"] == max(m["envsi"])


def test_synth_prints_medians_and_writes_json(tmp_path):
    out = tmp_path / "s.json"
    rc = main(["synth", "--seeds", "2", "--noise", "0,0.05", "--baselines", "0,0.5", "--max-iter", "200",
               "--json", str(out)])
    assert rc == 0
    data = json.loads(out.read_text())
    assert {(s["method"], s["noise"]) for s in data["summary"]} == {
        (m, e) for m in ("SHINBO", "MU λ=0", "MU λ=0.5") for e in (0.0, 0.05)}
    assert len(data["runs"]) == 12
    for s in data["summary"]:
        assert np.isfinite(s["sir_h"]) and 0 <= s["sparsity"] <= 100 and s["seconds"] > 0


@pytest.mark.parametrize("args, words", [
    (["analyze", "missing.wav"], "no such file"),
    (["analyze", "README.md"], "unknown format '.md'"),
    (["analyze", "x.wav", "--rank", "abc"], "invalid int value"),
    (["synth", "--noise", "a,b"], "--noise must be comma-separated numbers"),
    (["synth", "--baselines", "-1"], "--baselines must be finite and >= 0"),
    (["synth", "--seeds", "1", "--T", "0"], "T must be an integer >= 1; got 0"),
    (["synth", "--seeds", "1", "--alpha", "-2"], "alpha must be a finite number >= 0"),
    (["simulate", "--out", "x.mp3"], "--out must end in .wav or .flac"),
    (["simulate", "--out", "/nonexistent/dir/x.wav"], "the folder of --out does not exist"),
    (["simulate", "--out", "x.wav", "--slip", "0.9"], "slip must be a finite number in [0, 0.1]"),
    ([], "choose a command"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_line(args, words):
    p = _cli(*args, timeout=120)
    assert p.returncode == 2, (p.returncode, p.stderr)
    lines = [ln for ln in p.stderr.strip().splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(lines) == 1, p.stderr
    assert words in lines[0] and "Traceback" not in p.stderr


def test_analyze_bad_rank_exits_2(tmp_path):
    wav = tmp_path / "s.wav"
    assert main(["simulate", "--out", str(wav), "--duration", "0.5"]) == 0
    p = _cli("analyze", str(wav), "--rank", "0")
    assert p.returncode == 2 and "rank must be an integer in [1, 203]; got 0" in p.stderr
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize("name, fault", [("130_OR007-6_0_12k_DE.mat", "bpfo"), ("105_IR007_0_12k_DE.mat", "bpfi")])
def test_real_recordings_raw_peak_and_analyze_finds_the_fault(cwru_dir, tmp_path, name, fault):
    from shinbo import analysis, io

    path = cwru_file(cwru_dir, name)
    sig = io.load_signal(path)
    assert sig.fs == 12000.0 and sig.rpm is not None and sig.channel.endswith("_DE_time")
    fc = bearings.fault_frequencies(sig.rpm, "cwru-de")[fault]
    peak, _ = analysis.dominant_peak(analysis.envelope_spectrum(sig.samples, sig.fs), (20.0, 500.0))
    assert abs(peak - fc) <= 0.02 * fc, (peak, fc)

    out = tmp_path / "r.json"
    p = _cli("analyze", str(path), "--fault", fault, "--max-iter", "100", "--json", str(out))
    assert p.returncode == 0, p.stderr
    res = json.loads(out.read_text())
    assert res["fault"]["hz"] == pytest.approx(fc)
    assert abs(res["raw"]["peak_hz"] - fc) <= 0.02 * fc
    for m in res["methods"]:
        assert 0 <= m["soi"] < 4 and m["soi_envsi"] is not None and 0 < m["soi_envsi"] <= 1
    shinbo_entry = res["methods"][0]
    assert shinbo_entry["name"] == "SHINBO"
    assert abs(shinbo_entry["soi_peak_hz"] - fc) <= 0.02 * fc, shinbo_entry
