"""One HTTP client for police.uk: a rate cap, back-off on 429, timeouts and plain errors.

requests (already a dependency of the environment, well kept, synchronous like the rest of
CSP Dash) does the HTTP; this module adds the politeness police.uk asks for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from csp_dash import config
from csp_dash.fetch.errors import FetchCancelled, FetchError, NotPublished

USER_AGENT = "csp-dash (Community Safety Partnership dashboard)"


@dataclass
class Client:
    api_url: str = ""
    archive_url: str = ""
    rate: float = 10.0  # requests a second at most; police.uk allows 15 with bursts of 30
    backoff: float = 1.0  # first wait after a 429 or a timeout, doubled each retry
    retries: int = 5
    timeout: float = 60.0
    cancel: threading.Event | None = None
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)
    requests_made: int = 0
    _last: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.api_url = (self.api_url or config.get("police_api_url")).rstrip("/")
        self.archive_url = (self.archive_url or config.get("police_archive_url")).rstrip("/")
        self.session.headers["User-Agent"] = USER_AGENT

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise FetchCancelled("cancelled; nothing was loaded")

    def _throttle(self) -> None:
        with self._lock:
            wait = self._last + 1.0 / self.rate - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            self._last = time.monotonic()

    def request(self, method: str, url: str, *, ok_statuses: tuple[int, ...] = (200,),
                **kwargs) -> requests.Response:
        """Send, waiting out 429s and timeouts; raise FetchError for anything else unusable.

        Statuses in ok_statuses are returned for the caller to handle (e.g. 503, 400, 206).
        """
        delay = self.backoff
        for attempt in range(self.retries + 1):
            self.check_cancel()
            self._throttle()
            self.requests_made += 1
            try:
                resp = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except requests.Timeout:
                if attempt == self.retries:
                    raise FetchError(f"{url}: no answer within {self.timeout:g} s after "
                                     f"{attempt + 1} tries; police.uk may be down, try later") from None
                self.sleep(delay)
                delay *= 2
                continue
            except requests.ConnectionError as exc:
                raise FetchError(f"{url}: cannot connect ({_reason(exc)}). Is the network up, "
                                 "and is the police.uk address setting right?") from None
            if resp.status_code == 429 and attempt < self.retries:
                self.sleep(_retry_after(resp, delay))
                delay *= 2
                continue
            if resp.status_code in ok_statuses:
                return resp
            if resp.status_code == 404:
                raise NotPublished(f"{url}: not found (404); police.uk has not published it (yet)")
            if resp.status_code == 429:
                raise FetchError(f"{url}: police.uk still refuses after {self.retries} waits "
                                 "(429 too many requests); try again later")
            raise FetchError(f"{url}: police.uk answered {resp.status_code} {resp.reason}")
        raise AssertionError("unreachable")

    def api_json(self, path: str, params: dict | None = None) -> object:
        url = f"{self.api_url}/{path}"
        resp = self.request("GET", url, params=params)
        return _json(resp, url)


def _json(resp: requests.Response, url: str) -> object:
    try:
        return resp.json()
    except ValueError:
        raise FetchError(f"{url}: the answer is not JSON (starts {resp.text[:60]!r})") from None


def _retry_after(resp: requests.Response, default: float) -> float:
    try:
        return min(float(resp.headers.get("Retry-After", default)), 60.0)
    except ValueError:
        return default


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 160 else text[:157] + "..."
