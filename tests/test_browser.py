"""End to end: the real app in Debian's Chromium, every page on the demo data, no error element."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from csp_dash.ui.nav import available_pages

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db: str):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent: `apt-get install -y chromium` (make test does it as root)")
    pytest.importorskip("playwright")
    port = _free_port()
    env = {**os.environ, "CSP_DASH_DB_URL": demo_db}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start: {proc.stderr.read().decode()[-2000:]}")
    yield base
    proc.terminate()
    proc.wait(timeout=20)
    proc.stderr.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("page", [p for p in available_pages()], ids=lambda p: p[3])
def test_page_renders_without_error(server, browser, page):
    _, title, _, url = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    # The default page lives at the root; Streamlit serves it under no other path.
    tab.goto(f"{server}/" if url == "overview" else f"{server}/{url}")
    tab.wait_for_selector("h1", timeout=120_000)
    # Wait until the script run ends (the status widget shows while it runs).
    tab.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    tab.wait_for_timeout(1500)
    tab.screenshot(path=str(SHOTS / f"{url}.png"), full_page=True)
    errors = tab.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()
    body = tab.inner_text("body")
    assert "synthetic demo data" in body
    assert "Page not found" not in body
    nav = tab.locator('[data-testid="stSidebarNav"]').inner_text()
    assert title in nav
    tab.close()
