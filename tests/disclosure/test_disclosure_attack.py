"""The attacker of issue 11: collect every figure the public may see of a sensitive dataset
(the release the CLI prints, the Domestic abuse page's tiles and tables for every period end,
length and area, the Priorities evidence for every period end and layer) through the functions
the pages call, and solve the linear system: no suppressed cell may be determined.

Before the fix the same attacker recovered 941 of 941 hidden cells on the demo (differencing
12-month tiles across period ends); see the closing note of issue 11.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csp_dash.analysis.periods import comparison_window, window
from csp_dash.db.engine import make_engine
from csp_dash.disclosure.public_figures import public_window_sums
from csp_dash.disclosure.published import Release, public_release
from csp_dash.disclosure.release import OUTSIDE, TOTAL, period_view, protect
from tests.disclosure_attacker import LinearAttacker, recovered

SOURCE = "police_da/domestic"
LENGTHS = [3, 6, 12, 24, 36, 60]  # the sidebar's period lengths (ui.filters.LENGTHS)


def _months_of(w, months):
    return [m for m in months if pd.Timestamp(w[0]) <= m <= pd.Timestamp(w[1])]


def _release_figures(att: LinearAttacker, rel: Release) -> None:
    """What `csp-dash partner release` prints: visible cells and totals."""
    for row in [*rel.table.index, TOTAL]:
        s = rel.series(row)
        for m, v in s.dropna().items():
            att.add_sum(row, [m], v)
        total = rel.display().at[row, TOTAL]
        if not rel.protected.hidden.at[row, TOTAL]:
            att.add_sum(row, rel.months, float(total.replace(",", "")))


def _windows(months) -> list[tuple]:
    """Every (period, comparison) pair the sidebar offers: each length, each period end."""
    out = []
    for length in LENGTHS:
        for end in months:
            cur = window(end.date(), length)
            out.append((cur, comparison_window(cur)[0]))
    return out


def _page_figures(att: LinearAttacker, rel: Release) -> None:
    """The Domestic abuse page in the public view: tiles (the period and its comparison)
    and the estate table, for every area it offers, every period end and length."""
    areas = [("all", None)] + [("estate", c) for c in rel.names] + [("estate", None)]
    months = rel.months
    windows = [w for pair in _windows(months) for w in pair]
    spans = [_months_of(w, months) for w in windows]
    for layer, area in areas:
        shown = rel.public_series(layer, area)
        row = rel.row_for(layer, area)
        terms = [(row, 1.0)] if row else [(TOTAL, 1.0), (OUTSIDE, -1.0)]
        for ms, v in zip(spans, public_window_sums(shown, windows), strict=True):
            if v is not None and ms:
                att.add_sum(terms, ms, v)
    for length in (12, 60):  # the estate table: visible cells and visible period totals
        for end in months[length - 1:]:
            ms = _months_of(window(end.date(), length), months)
            view = period_view(rel.protected, ms, rel.label)
            for r, text in view["Period total"].items():
                if text != rel.label:
                    att.add_sum(r, ms, float(text.replace(",", "")))


def _attack(rel: Release) -> tuple[int, int]:
    att = LinearAttacker(list(rel.table.index), rel.months)
    _release_figures(att, rel)
    _page_figures(att, rel)
    return recovered(att, rel.table, rel.protected.hidden)


@pytest.fixture(scope="module")
def demo_release(demo_db):
    eng = make_engine(demo_db)
    yield eng, public_release(eng, SOURCE, 5, "[c]")
    eng.dispose()


def test_demo_release_is_sensitive_and_hides_cells(demo_release):
    _, rel = demo_release
    assert rel.sensitive
    assert int(rel.protected.hidden.to_numpy()[:-1, :-1].sum()) > 100


def test_attacker_recovers_nothing_on_the_demo(demo_release):
    _, rel = demo_release
    got, hidden = _attack(rel)
    assert hidden > 100
    assert got == 0, f"{got} of {hidden} hidden cells recovered"


def test_priorities_evidence_adds_nothing(demo_release):
    """A candidate linked to the DA dataset: every period end, the whole area, estates and
    smaller layers. Its figures must be release figures, and nothing smaller is shown."""
    from csp_dash.priorities.proposals import propose_from_data

    eng, rel = demo_release
    cands = pd.DataFrame([{"candidate_id": "da", "name": "Domestic abuse",
                           "series_kind": "dataset", "series_value": SOURCE}])
    att = LinearAttacker(list(rel.table.index), rel.months)
    _release_figures(att, rel)
    estates = list(rel.names)[:3]
    for end in rel.months[11::3]:
        cur = window(end.date(), 12)
        prev, _ = comparison_window(cur)
        for layer, area, row in [("all", None, TOTAL)] + [("estate", e, rel.names[e])
                                                          for e in estates]:
            facts = propose_from_data(eng, cands, end.date(), layer=layer, area=area).facts
            for w, col in ((cur, "current"), (prev, "previous")):
                v = facts.at["da", col]
                if not np.isnan(v):
                    assert v == rel.window_sum(row, *w)  # only ever a release figure
                    att.add_sum(row, _months_of(w, rel.months), v)
        for layer in ("lsoa", "ward"):  # no release rows: nothing at all
            facts = propose_from_data(eng, cands, end.date(), layer=layer,
                                      area=_first_area(eng, layer)).facts
            assert np.isnan(facts.at["da", "current"])
    got, hidden = recovered(att, rel.table, rel.protected.hidden)
    assert got == 0


def _first_area(eng, layer):
    from csp_dash.db.queries import area_options

    return next(iter(area_options(eng, layer)))


def test_analyst_priorities_keep_true_counts(demo_release):
    from csp_dash.priorities.proposals import propose_from_data

    eng, rel = demo_release
    cands = pd.DataFrame([{"candidate_id": "da", "name": "DA", "series_kind": "dataset",
                           "series_value": SOURCE}])
    end = rel.months[-1].date()
    lsoa = _first_area(eng, "lsoa")
    facts = propose_from_data(eng, cands, end, layer="lsoa", area=lsoa, public=False).facts
    assert not np.isnan(facts.at["da", "current"])


def _crafted(seed: int) -> Release:
    """Many small cells: 15 estates x 48 months of Poisson(2.5) counts, a busy remainder."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2021-01-01", periods=48, freq="MS")
    names = {f"E{i:02d}": f"Estate {i:02d}" for i in range(15)}
    table = pd.DataFrame(rng.poisson(2.5, (15, 48)), index=list(names.values()), columns=months)
    table.loc[OUTSIDE] = rng.poisson(40, 48)
    return Release("crafted", True, table, protect(table, 5, "[c]"), names)


@pytest.mark.parametrize("seed", [1, 2])
def test_attacker_recovers_nothing_on_a_crafted_dataset_with_many_small_cells(seed):
    rel = _crafted(seed)
    got, hidden = _attack(rel)
    assert hidden > 300  # most estate cells are small
    assert got == 0, f"{got} of {hidden} hidden cells recovered"


def test_the_attacker_is_real_a_window_sum_over_a_hidden_month_gives_it_away():
    """The attack that worked before the fix: two 12-month windows a month apart, one hidden
    month inside each, the other end visible: the difference gives the hidden month."""
    rel = _crafted(3)
    att = LinearAttacker(list(rel.table.index), rel.months)
    _release_figures(att, rel)
    row = rel.table.index[0]
    for end in rel.months[11:]:  # the old page published these sums
        ms = _months_of(window(end.date(), 12), rel.months)
        att.add_sum(row, ms, float(rel.table.loc[row, ms].sum()))
    got, _ = recovered(att, rel.table, rel.protected.hidden)
    assert got > 10
