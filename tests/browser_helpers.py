"""Serve the real app for browser tests: Debian's Chromium, Streamlit on a free local port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served_app(db_url: str, port: int | None = None, extra_args: tuple[str, ...] = (),
               env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `streamlit run app.py` against db_url; yields the base URL.

    `extra_args` (e.g. --secrets.files for sign-in) and `env` are added for the app."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent: `apt-get install -y chromium` (make test does it as root)")
    pytest.importorskip("playwright")
    port = port or free_port()
    # A served app freezes its long-lived objects as in production (conftest turns it off for
    # AppTest, which runs in the test's own process).
    env = {**os.environ, "CSP_DASH_FREEZE_GC": "1", **(env or {}), "CSP_DASH_DB_URL": db_url}
    # Its log goes to a file, never a pipe: a pipe nobody reads fills (64 KB of logged
    # tracebacks from closed browser tabs) and the server then blocks on its next write.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1", *extra_args],
        env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            proc.kill()
            log.seek(0)
            pytest.fail(f"streamlit did not start: {log.read().decode()[-2000:]}")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


RUN_ENDED_JS = "!document.querySelector('[data-testid=\"stStatusWidget\"]')"
CHARTS_DRAWN_JS = ("Array.from(document.querySelectorAll('[data-testid=\"stMain\"] .vega-embed'))"
                   ".every(e => e.querySelector('svg'))")


def settle(tab, charts: bool = True) -> None:
    """Wait for the run to end and the charts to draw, then a moment more: a run the last
    action asked for may not have begun yet, and maps draw after their run ends."""
    tab.wait_for_selector("h1", timeout=120_000)
    tab.wait_for_function(RUN_ENDED_JS, timeout=120_000)
    if charts:
        tab.wait_for_function(CHARTS_DRAWN_JS, timeout=60_000)
    tab.wait_for_timeout(1500)
