"""Each cached query keeps at most CSP_DASH_CACHE_ENTRIES results (ui/cache.py): a room picking
many periods and areas cannot grow the app's memory without bound within the cache's TTL."""

from __future__ import annotations

import pytest

from csp_dash.ui.cache import cached


@pytest.fixture
def url(engine, monkeypatch) -> str:
    """The app's database (the data version keys every cached query)."""
    out = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CSP_DASH_DB_URL", out)
    return out


def test_a_cached_query_keeps_the_set_number_of_results(url, monkeypatch):
    monkeypatch.setenv("CSP_DASH_CACHE_ENTRIES", "3")
    made: list[int] = []

    @cached
    def square(url: str, n: int) -> int:
        made.append(n)
        return n * n

    try:
        assert [square(url, n) for n in range(4)] == [0, 1, 4, 9]  # 0 is dropped for 3
        assert (square(url, 3), square(url, 2), square(url, 1)) == (9, 4, 1)  # still held
        assert made == [0, 1, 2, 3]
        assert square(url, 0) == 0  # made again: it had been dropped
        assert made == [0, 1, 2, 3, 0]
    finally:
        square.clear()


def test_a_query_may_set_its_own_bound(url):
    made: list[int] = []

    @cached(max_entries=1)
    def twice(url: str, n: int) -> int:
        made.append(n)
        return 2 * n

    try:
        assert (twice(url, 1), twice(url, 2), twice(url, 2), twice(url, 1)) == (2, 4, 4, 2)
        assert made == [1, 2, 1]
    finally:
        twice.clear()
