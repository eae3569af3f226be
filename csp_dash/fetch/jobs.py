"""A fetch on its own thread, with progress to poll and a cancel switch (for the Data page)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine

from csp_dash.fetch.district import DistrictSpec
from csp_dash.fetch.errors import FetchCancelled, FetchError
from csp_dash.fetch.http import Client
from csp_dash.fetch.police import FetchReport, fetch_police


class FetchJob:
    def __init__(self, engine: Engine, spec: DistrictSpec, months: list[str], route: str,
                 client: Client | None = None, cache_dir: Path | None = None):
        self.cancel_event = threading.Event()
        self.client = client or Client()
        self.client.cancel = self.cancel_event
        self.step: tuple[int, int, str] = (0, 1, "Starting")
        self.report: FetchReport | None = None
        self.error: str | None = None
        self.cancelled = False
        self.done = threading.Event()
        self._args = (engine, spec, months, route, cache_dir)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        engine, spec, months, route, cache_dir = self._args
        try:
            self.report = fetch_police(engine, spec, months, route, self.client, cache_dir,
                                       progress=lambda d, t, m: setattr(self, "step", (d, t, m)))
        except FetchCancelled:
            self.cancelled = True
        except FetchError as exc:
            self.error = str(exc)
        except Exception as exc:  # shown on the page rather than lost with the thread
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.done.set()

    def cancel(self) -> None:
        self.cancel_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)
