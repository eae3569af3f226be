"""A saved view: the page's url path and the query parameters that reopen it exactly.

The address bar already holds every shared filter and page control (docs/architecture.md,
"Links that reopen a view"), so a view is the page plus its query string, minus the
parameters that belong to the presenter or to a participant's link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode

# Parameters that are not part of the view: meeting mode itself, and a workshop token
# (a participant's credential must never be saved into a pack).
NOT_VIEW = frozenset({"present", "pack", "slide", "t", "embed", "embed_options"})
PAGE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,60}$")
MAX_QUERY = 4000
MAX_TITLE = 200


@dataclass(frozen=True)
class View:
    page: str  # the page's url path, e.g. "trends"
    params: tuple[tuple[str, str], ...]  # in a stable order

    @property
    def query(self) -> str:
        return urlencode(self.params, quote_via=quote)

    def link(self, *, pack: int | None = None, slide: int | None = None,
             present: bool = False) -> str:
        """A relative link reopening the view, in meeting mode when `present`."""
        extra = [("present", "1")] if present else []
        if pack is not None:
            extra.append(("pack", str(pack)))
        if slide is not None:
            extra.append(("slide", str(slide)))
        query = urlencode((*self.params, *extra), quote_via=quote)
        return f"{self.page}?{query}" if query else self.page


def make_view(page: str, params: Mapping[str, str | Iterable[str]],
              pages: Iterable[str]) -> View:
    """The view of `page` with these query parameters (a list value is a repeated parameter,
    as Streamlit writes a bound multiselect); ValueError for an unknown page or an oversized
    query (a pack stores only what a link could carry)."""
    if not PAGE_PATTERN.match(page or "") or page not in set(pages):
        raise ValueError(f"'{page}' is not a page of CSP Dash.")
    pairs = []
    for key in sorted(params):
        if key in NOT_VIEW:
            continue
        value = params[key]
        for v in [value] if isinstance(value, str) else value:
            pairs.append((str(key), str(v)))
    view = View(page, tuple(pairs))
    if len(view.query) > MAX_QUERY:
        raise ValueError("This view's link is too long to save in a pack.")
    return view


def parse_view(page: str, query: str, pages: Iterable[str]) -> View:
    """A stored view back from its page and query string (validated again)."""
    params: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(key, []).append(value)
    return make_view(page, params, pages)


def clean_title(title: str) -> str:
    """A slide or pack title: one line, trimmed; ValueError when empty."""
    text = " ".join(str(title or "").split())[:MAX_TITLE]
    if not text:
        raise ValueError("Give it a name.")
    return text
