"""A stand-in police.uk for fetch tests: archives and API answers served by pytest-httpserver."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pandas as pd
import shapely
from werkzeug import Request, Response

from csp_dash.fetch.api import CATEGORIES
from csp_dash.fetch.http import Client

SLUGS = {name: slug for slug, name in CATEGORIES.items()}


def fast_client(httpserver, **kw) -> Client:
    """A client aimed at the test server, with tiny waits so tests stay quick."""
    opts = dict(api_url=httpserver.url_for("/api"), archive_url=httpserver.url_for("/archive"),
                rate=1000.0, backoff=0.001, retries=3, timeout=5.0)
    return Client(**(opts | kw))


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def ranged(data: bytes):
    """A handler serving bytes with HTTP Range support (206 for 'bytes=N-')."""
    def handler(request: Request) -> Response:
        rng = request.headers.get("Range", "")
        if rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                return Response(status=416)
            return Response(data[start:], status=206, content_type="application/zip", headers={
                "Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"})
        return Response(data, content_type="application/zip")
    return handler


def read_rows(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def api_crime(i: int, r: dict) -> dict:
    """A CSV row in the API's crimes-street shape."""
    located = bool(r["Longitude"])
    return {
        "category": SLUGS[r["Crime type"]],
        "location_type": "Force",
        "location": {"latitude": r["Latitude"], "longitude": r["Longitude"],
                     "street": {"id": i, "name": r["Location"]}} if located else None,
        "context": r["Context"],
        "outcome_status": {"category": r["Last outcome category"], "date": r["Month"]}
        if r["Last outcome category"] else None,
        "persistent_id": r["Crime ID"],
        "id": 1000 + i,
        "location_subtype": "",
        "month": r["Month"],
    }


def _polygon(text: str):
    pts = [tuple(float(v) for v in p.split(",")) for p in text.split(":")]
    return shapely.Polygon([(lng, lat) for lat, lng in pts])


class FakeApi:
    """crimes-street/all-crime by polygon (503 above `limit` crimes), crimes-no-location."""

    def __init__(self, rows: pd.DataFrame, limit: int = 10_000, get_limit: int = 4094):
        self.rows, self.limit, self.get_limit = rows.reset_index(drop=True), limit, get_limit
        self.calls: list[tuple[str, int]] = []  # (method, crimes answered or status)
        self.lon = pd.to_numeric(self.rows["Longitude"], errors="coerce").to_numpy()
        self.lat = pd.to_numeric(self.rows["Latitude"], errors="coerce").to_numpy()

    def street(self, request: Request) -> Response:
        if request.method == "GET" and len(request.url) > self.get_limit:
            self.calls.append(("GET", 400))
            return Response("URI too long", status=400)
        args = request.form if request.method == "POST" else request.args
        poly, month = _polygon(args["poly"]), args["date"]
        ok = ~pd.isna(self.lon)
        inside = pd.Series(False, index=self.rows.index)
        inside[ok] = shapely.intersects_xy(poly, self.lon[ok], self.lat[ok])
        hit = self.rows[inside & (self.rows["Month"] == month)]
        if len(hit) > self.limit:
            self.calls.append((request.method, 503))
            return Response("too many", status=503)
        self.calls.append((request.method, len(hit)))
        return _json([api_crime(i, r) for i, r in hit.iterrows()])

    def no_location(self, request: Request) -> Response:
        month = request.args["date"]
        hit = self.rows[(self.rows["Longitude"] == "") & (self.rows["Month"] == month)]
        return _json([api_crime(i, r) for i, r in hit.iterrows()])

    def serve(self, httpserver, months: list[str], last_updated: str = "2018-02-01",
              street=None) -> None:
        httpserver.expect_request("/api/crimes-street/all-crime").respond_with_handler(
            street or self.street)
        httpserver.expect_request("/api/crimes-no-location").respond_with_handler(self.no_location)
        httpserver.expect_request("/api/crime-last-updated").respond_with_json(
            {"date": last_updated})
        httpserver.expect_request("/api/crimes-street-dates").respond_with_json(
            [{"date": m, "stop-and-search": []} for m in sorted(months, reverse=True)])


def _json(obj) -> Response:
    return Response(json.dumps(obj), content_type="application/json")


def csv_of(rows: list[dict]) -> bytes:
    from tests.policeuk_files import HEADER

    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, HEADER, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode()
