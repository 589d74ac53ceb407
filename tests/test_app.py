"""The Streamlit app through streamlit.testing: every page, the demo flow, bad input."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["pages/home.py", "pages/signal.py", "pages/run.py", "pages/inspect.py", "pages/benchmark.py", "pages/learn.py"]


def _app():
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)


def _button(at, label):
    matches = [b for b in at.button if b.label == label]
    assert matches, [b.label for b in at.button]
    return matches[0]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_a_fresh_session(page):
    at = _app()
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    if page in ("pages/run.py", "pages/inspect.py"):
        assert at.info, "a fresh session should be told what to do"


def _demo_run(at, max_iter=25, baselines=None):
    at.run()
    at.button(key="home_demo").click().run()
    assert not at.exception
    assert at.title[0].value == "Run"
    at.number_input(key="w_max_iter").set_value(max_iter).run()
    if baselines is not None:
        at.multiselect(key="w_baselines").set_value(baselines).run()
    at.button(key="run_go").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def test_demo_flow_load_run_inspect():
    at = _demo_run(_app())
    assert any("finished in" in s.value for s in at.success)
    at.switch_page("pages/inspect.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    methods = list(table["method"])
    assert methods[0] == "SHINBO" and "MU λ=0" in methods and len(methods) == 4
    assert table["SOI ENVSI"].between(0, 1).all() and (table["iterations"] <= 25).all()
    assert len(at.get("plotly_chart")) >= 5
    assert at.get("audio")


def test_inspect_downloads_and_config_round_trip():
    at = _demo_run(_app(), max_iter=10, baselines=[0.0])
    at.switch_page("pages/inspect.py").run()
    labels = [d.label for d in at.get("download_button")]
    assert {"Results (NPZ)", "Metrics (CSV)", "Configuration (JSON)", "Download figure"} <= set(labels)
    # a configuration saved from Inspect loads back on Run
    at.switch_page("pages/run.py").run()
    cfg = {"rank": 3, "T": 2, "alpha": 7.5, "max_iter": 12, "baselines": [0.1]}
    at.file_uploader(key="cfg_upload").set_value(("c.json", json.dumps(cfg).encode(), "application/json")).run()
    _button(at, "Apply configuration").click().run()
    assert not at.exception and not at.error
    assert at.number_input(key="w_rank").value == 3 and at.number_input(key="w_alpha").value == 7.5
    # a broken one is refused and nothing is lost
    at.file_uploader(key="cfg_upload").set_value(("c.json", b"{not json", "application/json")).run()
    _button(at, "Apply configuration").click().run()
    assert any("not valid JSON" in e.value for e in at.error)
    assert at.number_input(key="w_rank").value == 3


def test_corrupt_upload_shows_an_error_and_keeps_the_loaded_signal():
    at = _app()
    at.run()
    at.button(key="home_demo").click().run()
    at.switch_page("pages/signal.py").run()
    assert any("demo" in h.value for h in at.subheader)
    at.file_uploader(key="upload").set_value(("broken.wav", b"RIFF\x00\x00junk-not-audio", "audio/wav")).run()
    assert not at.exception
    assert any("could not read broken.wav as audio" in e.value for e in at.error)
    assert any("demo" in h.value for h in at.subheader), "the previous signal must survive a bad upload"


def test_good_upload_is_loaded_with_its_channels(tmp_path):
    import io

    buf = io.BytesIO()
    np.save(buf, np.random.default_rng(0).standard_normal((6000, 2)))
    at = _app()
    at.run()
    at.switch_page("pages/signal.py").run()
    at.file_uploader(key="upload").set_value(("two.npy", buf.getvalue(), "application/octet-stream")).run()
    assert at.selectbox(key="up_channel").options == ["channel 0", "channel 1"]
    at.number_input(key="up_fs_two.npy").set_value(12000.0).run()
    at.button(key="up_use").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("two.npy" in h.value for h in at.subheader)


def test_cwru_upload_prefills_fs_and_rpm(cwru_dir):
    from tests.conftest import cwru_file

    path = cwru_file(cwru_dir, "130_OR007-6_0_12k_DE.mat")
    at = _app()
    at.run()
    at.switch_page("pages/signal.py").run()
    at.file_uploader(key="upload").set_value((path.name, path.read_bytes(), "application/octet-stream")).run()
    assert at.selectbox(key="up_channel").value == "X130_DE_time"
    assert at.number_input(key=f"up_fs_{path.name}").value == 12000.0
    assert at.number_input(key=f"up_rpm_{path.name}").value == 1796.0
    at.button(key="up_use").click().run()
    assert not at.exception and not at.error
    assert any("X130_DE_time" in h.value for h in at.subheader)


def test_synthetic_matrix_flow_shows_sir():
    at = _app()
    at.run()
    at.switch_page("pages/signal.py").run()
    _button(at, "Generate").click().run()
    assert not at.exception
    at.switch_page("pages/run.py").run()
    at.number_input(key="w_max_iter").set_value(40).run()
    at.button(key="run_go").click().run()
    assert not at.exception and not at.error
    at.switch_page("pages/inspect.py").run()
    table = at.dataframe[0].value
    assert "SIR_H (dB)" in table.columns and "SIR_W (dB)" in table.columns
    assert np.isfinite(table["SIR_H (dB)"]).all()


def test_benchmark_page_runs_a_small_study():
    at = _app()
    at.run()
    at.switch_page("pages/benchmark.py").run()
    at.slider(key="bm_seeds").set_value(1).run()
    at.multiselect(key="bm_noise").set_value([0.05]).run()
    at.button(key="bm_go").click().run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value["runs"].tolist() == [1, 1, 1, 1]
    assert len(at.get("plotly_chart")) >= 2


def test_learn_page_forward_mode_matches_finite_difference():
    at = _app()
    at.run()
    at.switch_page("pages/learn.py").run()
    assert not at.exception
    rel = float(at.metric[2].value)
    assert rel < 1e-5
    at.slider(key="lt_T").set_value(8).run()
    assert float(at.metric[2].value) < 1e-5


def test_benchmark_page_shows_the_saved_study():
    at = _app()
    at.run()
    at.switch_page("pages/benchmark.py").run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    assert tables and "sir_h" in tables[0].columns and set(tables[0]["method"]) >= {"SHINBO", "MU λ=0"}
