"""Debian's nginx in front of two replicas on one PostgreSQL schema, in Chromium.

The replicas are started by deploy/run_replicas.sh and nginx runs deploy/nginx-csp-dash.conf
(its ports and log path rewritten for this machine), as a foreground child of the test. Each
browser context carries the sticky cookie for one replica, as nginx would have given it, and
nginx's log (`upstream=`) proves which replica served each websocket.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from csp_dash.access import tokens
from csp_dash.analysis.scoring import ScoringModel
from csp_dash.ingest.police import ingest_police
from csp_dash.priorities.workshop.sessions import open_workshop
from csp_dash.priorities.workshop.submissions import submissions
from tests.browser_helpers import ARGS, CHROMIUM, ROOT, SHOTS, free_port
from tests.policeuk_files import month_rows, write_street_csv

pytestmark = [pytest.mark.slow, pytest.mark.browser]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SECRET = "replica-test-workshop-secret"
REPLICAS = ("csp_replica_1", "csp_replica_2")
PARTICIPANTS = 4  # two on each replica


def _free_pair() -> int:
    """A port whose next port is free too (run_replicas.sh numbers them in a row)."""
    for _ in range(50):
        port = free_port()
        try:
            import socket

            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no two free ports in a row")


def _wait_healthy(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} stopped (exit {proc.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"{what} did not answer at {url}")


def _nginx_conf(tmp: Path, listen: int, first: int) -> Path:
    site = (ROOT / "deploy" / "nginx-csp-dash.conf").read_text()
    site = (site.replace("127.0.0.1:8501", f"127.0.0.1:{first}")
                .replace("127.0.0.1:8502", f"127.0.0.1:{first + 1}")
                .replace("listen 80;", f"listen 127.0.0.1:{listen};")
                .replace("/var/log/nginx/csp-dash.log", str(tmp / "access.log")))
    assert f"127.0.0.1:{first + 1}" in site and str(tmp / "access.log") in site
    temps = "\n".join(f"    {k}_temp_path {tmp / k};" for k in
                      ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers write uploads into tmp
    conf = tmp / "nginx.conf"
    conf.write_text(f"{user}daemon off;\nworker_processes 1;\npid {tmp / 'nginx.pid'};\n"
                    f"error_log {tmp / 'error.log'};\nevents {{ worker_connections 512; }}\n"
                    f"http {{\n{temps}\n{site}\n}}\n")
    return conf


@pytest.fixture
def cluster(engine, tmp_path: Path):
    if not Path(NGINX).exists():
        pytest.skip("nginx is absent: `apt-get install -y nginx` (scripts/test.sh does it as root)")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent")
    pytest.importorskip("playwright")
    url = engine.url.render_as_string(hide_password=False)
    ingest_police(engine, [write_street_csv(tmp_path / "police", m, month_rows(m, 4))
                           for m in ("2024-01", "2024-02", "2024-03")])
    cands = pd.DataFrame({"candidate_id": ["a", "b"], "name": ["Violence", "Drugs"],
                          "link": ["theme: Violence", "theme: Drugs"]})
    empty = pd.DataFrame(index=pd.Index([], name="candidate_id"))
    wid = open_workshop(engine, 2026, "Two replicas", cands, empty, empty, ScoringModel(),
                        ("physical", "capacity"))

    first, listen = _free_pair(), free_port()
    env = {**os.environ, "PYTHON": sys.executable, "PYTHONPATH": str(ROOT),
           "CSP_DASH_DB_URL": url, "CSP_DASH_WORKSHOP_SECRET": SECRET,
           "STREAMLIT_SERVER_COOKIE_SECRET": "replica-test-cookie-secret",
           "CSP_DASH_ALLOW_NO_AUTH": "1",  # a test on 127.0.0.1 only (local mode: analyst)
           "CSP_DASH_CACHE_TTL": "3600",  # far longer than the test: only the version refreshes
           "CSP_DASH_REPLICA_LOGS": str(tmp_path / "replica-logs")}
    replicas = subprocess.Popen(["bash", str(ROOT / "deploy" / "run_replicas.sh"), "2", str(first)],
                                env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    nginx = None
    try:
        for port in (first, first + 1):
            _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", replicas, f"replica :{port}")
        conf = _nginx_conf(tmp_path, listen, first)
        nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path), "-e",
                                  str(tmp_path / "error.log")], stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{listen}"
        _wait_healthy(f"{base}/_stcore/health", nginx, "nginx")
        yield {"base": base, "url": url, "engine": engine, "wid": wid, "tmp": tmp_path,
               "ports": {REPLICAS[0]: first, REPLICAS[1]: first + 1}}
    finally:
        if nginx is not None:
            nginx.send_signal(signal.SIGQUIT)  # graceful stop of the nginx we started
            nginx.wait(timeout=20)
        replicas.terminate()  # run_replicas.sh stops its replicas on TERM
        replicas.wait(timeout=30)


def _context(browser, base: str, replica: str):
    ctx = browser.new_context(viewport={"width": 1300, "height": 1000})
    ctx.add_cookies([{"name": "csp_replica", "value": replica, "url": base}])
    return ctx


def _idle(tab) -> None:
    tab.wait_for_timeout(400)
    tab.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')",
                          timeout=120_000)


def _score(tab, base: str, token: str, name: str, org: str) -> None:
    tab.goto(f"{base}/workshop?t={token}")
    tab.get_by_label("Your name").fill(name, timeout=120_000)
    tab.get_by_label("Your name").press("Tab")
    org_box = tab.locator('[data-testid="stSelectbox"]').filter(has_text="Organisation")
    org_box.click()
    tab.get_by_role("option", name=org, exact=True).click()
    tab.get_by_role("button", name="Start scoring").click()
    radios = tab.locator('[data-testid="stRadio"]')
    radios.first.wait_for(timeout=120_000)
    _idle(tab)
    for i in range(radios.count()):
        radios.nth(i).locator("label").nth(2).click()  # the third level: 3
    # A radio tapped just before Submit can reach the server after it (the page then asks
    # about a blank question): let the last tap land first.
    tab.wait_for_timeout(400)
    tab.get_by_role("button", name=re.compile("^Submit my scores")).click()
    tab.get_by_text("Stored: your scores for", exact=False).first.wait_for(timeout=120_000)


def _metric(tab, label: str) -> str:
    box = tab.locator('[data-testid="stMetric"]').filter(has_text=label)
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def _period_options(tab) -> list[str]:
    box = tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Period ending")
    box.click()
    tab.get_by_role("option").first.wait_for(timeout=30_000)
    names = tab.get_by_role("option").all_inner_texts()
    tab.keyboard.press("Escape")
    _idle(tab)
    return [n.strip() for n in names]


def _served_by(log: Path, ports: dict[str, int]) -> dict[str, int]:
    """Websocket sessions per replica, from nginx's log."""
    lines = [ln for ln in log.read_text().splitlines() if "/_stcore/stream" in ln]
    return {r: sum(f"upstream=127.0.0.1:{p}" in ln for ln in lines) for r, p in ports.items()}


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_two_replicas_behind_nginx(cluster):
    from playwright.sync_api import sync_playwright

    base, wid, ports = cluster["base"], cluster["wid"], cluster["ports"]

    # A browser without the cookie is given one; with it, it is not given another.
    with urllib.request.urlopen(f"{base}/", timeout=10) as fresh:
        given = fresh.headers.get("Set-Cookie", "")
    assert re.match(r"csp_replica=csp_replica_[12];", given), given
    with urllib.request.urlopen(urllib.request.Request(
            f"{base}/", headers={"Cookie": "csp_replica=csp_replica_2"}), timeout=10) as again:
        assert again.headers.get("Set-Cookie") is None
        assert again.headers.get("X-CSP-Replica") == "csp_replica_2"

    token = tokens.make_token(SECRET, wid, int(time.time()) + 3600)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # The facilitator's view open on each replica before anyone scores.
        facilitators = {}
        for r in REPLICAS:
            tab = _context(browser, base, r).new_page()
            tab.goto(f"{base}/workshop?w={wid}")
            tab.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
            assert _metric(tab, "Submissions") == "0"
            facilitators[r] = tab

        for i in range(PARTICIPANTS):
            tab = _context(browser, base, REPLICAS[i % 2]).new_page()
            _score(tab, base, token, f"Partner {i}", "Police" if i % 2 else "Fire and rescue")
            tab.context.close()

        # Every submission stored once, and the live view on either replica counts them all.
        stored = submissions(cluster["engine"], wid)
        heads = stored.drop_duplicates("submission_id")
        assert sorted(heads["name"]) == [f"Partner {i}" for i in range(PARTICIPANTS)]
        for r, tab in facilitators.items():
            tab.wait_for_function(
                "[...document.querySelectorAll('[data-testid=\"stMetric\"]')].some(m => "
                f"m.innerText.includes('Submissions') && m.innerText.includes('{PARTICIPANTS}'))",
                timeout=60_000)
            assert _metric(tab, "Participants") == str(PARTICIPANTS), r
            tab.screenshot(path=str(SHOTS / f"replicas-facilitator-{r}.png"), full_page=True)

        # An upload through replica 1 shows on replica 2 at its next run, not after the TTL.
        other = facilitators[REPLICAS[1]]
        other.goto(f"{base}/")  # the Overview
        other.get_by_text("Period ending").first.wait_for(timeout=120_000)
        _idle(other)
        assert "Apr 2024" not in _period_options(other)
        loader = facilitators[REPLICAS[0]]
        loader.goto(f"{base}/data")
        loader.wait_for_selector("h1", timeout=120_000)
        _idle(loader)
        loader.get_by_role("tab", name="police.uk files").click()
        april = write_street_csv(cluster["tmp"] / "upload", "2024-04", month_rows("2024-04", 4))
        loader.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
            str(april))
        _idle(loader)
        loader.get_by_text(re.compile(r"^\d+(\.\d+)?KB$")).first.wait_for(timeout=120_000)
        _idle(loader)
        loader.get_by_role("button", name="Load police.uk files").click(timeout=120_000)
        loader.wait_for_function("document.body.innerText.includes('rows loaded')",
                                 timeout=120_000)
        assert "Apr 2024" in _period_options(loader)  # the loading replica, as before

        # Replica 2's next run, in the same session: any interaction, here the period length.
        other.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
            has_text="Period length").click()
        other.get_by_role("option", name="24 months").click()
        _idle(other)
        assert "Apr 2024" in _period_options(other)
        other.screenshot(path=str(SHOTS / "replicas-other-after-upload.png"), full_page=True)
        browser.close()

    served = _served_by(cluster["tmp"] / "access.log", ports)
    # Each replica served its facilitator and half of the participants, at least.
    assert all(n >= 1 + PARTICIPANTS // 2 for n in served.values()), served
