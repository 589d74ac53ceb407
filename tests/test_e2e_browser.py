"""End to end in a real browser: the real Streamlit server, Debian's Chromium, Playwright for Python.

Clicks through Home → Load the demo → Run → Inspect and checks that the metrics table and a
Plotly chart are on the page; saves a screenshot to tests/artifacts/.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
ARTIFACTS = ROOT / "tests" / "artifacts"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's Chromium is not installed (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc, timeout=90.0):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("streamlit did not become healthy")


def test_demo_run_inspect_in_chromium():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.address", "127.0.0.1", "--server.port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        _wait_healthy(url, proc)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                              "--disable-component-update", "--disable-sync", "--no-first-run"])
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url, wait_until="domcontentloaded")
                page.get_by_role("button", name="Load the demo and go to Run").click(timeout=60_000)
                page.get_by_role("button", name="Run SHINBO and the baselines").click(timeout=60_000)
                page.get_by_text("finished in").wait_for(timeout=240_000)
                page.screenshot(path=str(ARTIFACTS / "e2e-run.png"), full_page=True)
                page.get_by_role("link", name="Inspect this run side by side").click(timeout=30_000)
                page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
                page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
                page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
                assert page.locator('[data-testid="stDataFrame"]').count() >= 1
                assert page.locator(".js-plotly-plot").count() >= 3
                assert page.get_by_text("Signal-of-interest component").count() >= 1
                page.wait_for_timeout(1000)
                page.screenshot(path=str(ARTIFACTS / "e2e-inspect.png"), full_page=True)
                assert page.locator('[data-testid="stException"]').count() == 0

                # Stop ends a long run cleanly and keeps what it computed
                page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Run").click()
                box = page.get_by_label("max iterations")
                box.fill("20000")
                box.press("Enter")
                page.wait_for_timeout(1000)
                page.get_by_text("More settings").click()
                tol = page.get_by_label("tolerance")
                tol.fill("0")  # tol = 0: no early convergence, so the run is still going when Stop is pressed
                tol.press("Enter")
                page.wait_for_timeout(1500)
                page.get_by_role("button", name="Run SHINBO and the baselines").click()
                page.get_by_text("SHINBO: iteration").first.wait_for(timeout=60_000)
                page.wait_for_timeout(1500)
                # our Stop button (not the toolbar's "Stop" of Streamlit itself)
                page.locator('[data-testid="stButton"]').get_by_role("button", name="Stop", exact=True).click()
                page.get_by_text("stopped early").wait_for(timeout=60_000)
                page.screenshot(path=str(ARTIFACTS / "e2e-stopped.png"), full_page=True)
                assert page.locator('[data-testid="stException"]').count() == 0
            finally:
                browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
