"""Headline wording and ordering."""

import math

import pandas as pd
import pytest

from csp_dash.analysis.narrative import (
    ALL_CRIME_LABEL,
    ASB_LABEL,
    headline_sentence,
    headlines,
)


def _z(cur, prev):
    return 2 * (math.sqrt(cur) - math.sqrt(prev))


def test_rise_fall_and_no_significant_change():
    # 4,210 -> 4,467: +257 = +6.104%, z = 3.90 (significant)
    assert (
        headline_sentence("Violence and sexual offences", 4467, 4210, True)
        == "Violence and sexual offences rose 6.1% (4,210 to 4,467), a significant increase."
    )
    # 820 -> 722: -98 = -11.95%, z = -3.53 (significant)
    assert (
        headline_sentence("Burglary", 722, 820, True)
        == "Burglary fell 12.0% (820 to 722), a significant decrease."
    )
    # 290 -> 281: -3.10%, z = -0.53 (not significant)
    assert (
        headline_sentence("Drugs", 281, 290, False)
        == "Drugs fell 3.1% (290 to 281): no significant change."
    )
    # significance defaults to |z| > 2 from the counts: 81 -> 121 gives z = 4
    assert headline_sentence("Robbery", 121, 81).endswith("a significant increase.")
    assert headline_sentence("Robbery", 100, 81).endswith(": no significant change.")  # z = 2


def test_zero_before_absent_and_unchanged():
    assert (
        headline_sentence("Robbery", 12, 0, True)
        == "Robbery: 12 against none in the comparison period."
    )
    assert (
        headline_sentence("Bicycle theft", 0, 0, False)
        == "Bicycle theft: none recorded in either period."
    )
    assert (
        headline_sentence("Drugs", 290, 290, False)
        == "Drugs: no change (290 in both periods)."
    )


def _yoy() -> pd.DataFrame:
    rows = [
        ("Anti-social behaviour", 5200, 5000),
        ("Bicycle theft", 0, 0),
        ("Burglary", 722, 820),  # -98, z -3.53
        ("Criminal damage and arson", 1500, 1400),  # +100, z 2.63
        ("Drugs", 281, 290),  # not significant
        ("Other theft", 900, 1000),  # -100, z -3.25
        ("Public order", 700, 600),  # +100, z 3.92
        ("Robbery", 12, 0),  # +12, z 6.93
        ("Shoplifting", 1300, 1100),  # +200, z 5.80
        ("Vehicle crime", 480, 600),  # -120, z -5.17
        ("Violence and sexual offences", 4467, 4210),  # +257, z 3.90
    ]
    return pd.DataFrame(rows, columns=["category", "current", "previous"])


def test_headlines_order_and_all_crime_excludes_asb():
    yoy = _yoy()
    themes = pd.DataFrame(
        {"theme": ["Violence", "Drugs"], "current": [4479, 281], "previous": [4210, 290]}
    )
    items = headlines(yoy, "category", themes=themes)
    kinds = [i["kind"] for i in items]
    assert kinds == ["all_crime", "asb", "theme", "theme"] + ["category"] * 6

    all_crime = items[0]
    # every row but ASB: 0+722+1500+281+900+700+12+1300+480+4467 = 10,362
    # against 0+820+1400+290+1000+600+0+1100+600+4210 = 10,020; +342 = +3.413%
    assert all_crime["label"] == ALL_CRIME_LABEL == "All crime (excluding anti-social behaviour)"
    assert (all_crime["current"], all_crime["previous"]) == (10362, 10020)
    assert all_crime["change"] == 342
    assert all_crime["pct"] == pytest.approx(342 / 10020 * 100)
    assert all_crime["z"] == pytest.approx(_z(10362, 10020))
    assert all_crime["sentence"].startswith(
        "All crime (excluding anti-social behaviour) rose 3.4% (10,020 to 10,362)"
    )

    asb = items[1]
    assert asb["label"] == ASB_LABEL and (asb["current"], asb["previous"]) == (5200, 5000)
    assert asb["sentence"].startswith("Anti-social behaviour incidents rose 4.0% (5,000 to 5,200)")

    assert [i["label"] for i in items[2:4]] == ["Violence", "Drugs"]
    # risers by change in count: Violence and sexual offences +257, Shoplifting +200,
    # then Public order and Criminal damage tie on +100 -> larger z (Public order) wins.
    # Robbery (+12) misses the top 3. Fallers: Vehicle crime -120, Other theft -100, Burglary -98.
    # Drugs would be skipped anyway: it repeats a theme label and is not significant.
    assert [i["label"] for i in items[4:]] == [
        "Violence and sexual offences",
        "Shoplifting",
        "Public order",
        "Vehicle crime",
        "Other theft",
        "Burglary",
    ]
    burglary = items[-1]
    assert burglary["sentence"] == "Burglary fell 12.0% (820 to 722), a significant decrease."
    assert burglary["significant"] and burglary["direction"] == "decrease"


def test_headlines_explicit_all_crime_zero_previous_and_theme_dedupe():
    yoy = pd.DataFrame(
        {"category": ["Robbery", "Drugs"], "current": [12, 400], "previous": [0, 300]}
    )
    items = headlines(
        yoy,
        all_crime_row={"current": 5000, "previous": 5000},
        top_n=3,
        themes=pd.DataFrame({"theme": ["Drugs"], "current": [400], "previous": [300]}),
    )
    assert items[0]["sentence"] == (
        "All crime (excluding anti-social behaviour): no change (5,000 in both periods)."
    )
    # no ASB row in the data: no ASB headline
    assert "asb" not in [i["kind"] for i in items]
    robbery = items[-1]
    assert robbery["label"] == "Robbery" and robbery["pct"] is None
    assert robbery["sentence"] == "Robbery: 12 against none in the comparison period."
    # Drugs is a significant riser (z = 2(20 - 17.32) = 5.36) but already shown as a theme
    assert [i["label"] for i in items if i["kind"] == "category"] == ["Robbery"]
