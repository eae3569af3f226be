"""The palette: WCAG contrast computed as WCAG 2.1 defines it, and colours that must be told
apart stay apart under simulated colour-vision deficiency (docs/methods.md, "Colours")."""

from __future__ import annotations

from itertools import combinations

import pandas as pd
import pytest

from csp_dash import palette
from csp_dash.ui import charts
from csp_dash.ui.hotspots import charts as hotspot_charts

coloraide = pytest.importorskip("coloraide")
Color = coloraide.Color

DEFICIENCIES = ["protan", "deutan", "tritan"]  # dichromacy, Machado et al. 2009 at severity 1


def _seen(colour: str, deficiency: str | None):
    c = Color(colour)
    if deficiency:
        c = c.filter(deficiency, method="machado")
    return c.convert("srgb").clip()


def _delta_e(a: str, b: str, deficiency: str | None) -> float:
    return _seen(a, deficiency).delta_e(_seen(b, deficiency), method="2000")


def _closest(colours: list[str], deficiency: str | None) -> float:
    return min(_delta_e(a, b, deficiency) for a, b in combinations(colours, 2))


# -- contrast: hand-computed WCAG 2.1 examples -------------------------------------------


def test_contrast_extremes_and_symmetry():
    assert palette.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert palette.contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert palette.contrast_ratio("#777", "#777777") == pytest.approx(1.0)


def test_contrast_matches_hand_computation():
    # #767676: 118/255 = 0.462745; ((0.462745 + 0.055) / 1.055) ** 2.4 = 0.181164 for each
    # channel, so L = 0.181164 and (1.05) / (0.181164 + 0.05) = 4.5423.
    assert palette.relative_luminance("#767676") == pytest.approx(0.181164, abs=1e-6)
    assert palette.contrast_ratio("#767676") == pytest.approx(4.5423, abs=1e-4)
    # #828180: channels 0.223228, 0.219526, 0.215861 (the same formula);
    # L = 0.2126*0.223228 + 0.7152*0.219526 + 0.0722*0.215861 = 0.220049; 1.05/0.270049 = 3.888
    # (the 3.88:1).
    assert palette.contrast_ratio("#828180") == pytest.approx(3.888, abs=1e-3)
    # Pure red: L = 0.2126, (1.05) / (0.2626) = 3.998.
    assert palette.contrast_ratio("#FF0000") == pytest.approx(3.998, abs=1e-3)


def test_contrast_refuses_what_is_not_a_colour():
    with pytest.raises(ValueError, match="not a hex colour"):
        palette.contrast_ratio("grey")


def test_text_colours_meet_wcag_aa_on_white():
    for name in ("MUTED_TEXT", "TEXT", "AXIS_TEXT", "EVENT", "LIMIT"):
        ratio = palette.contrast_ratio(getattr(palette, name))
        assert ratio >= palette.MIN_TEXT_CONTRAST, (name, ratio)
    # The caption grey the issue measured fails, so the check can fail.
    assert palette.contrast_ratio("#828180") < palette.MIN_TEXT_CONTRAST


# -- colour-vision deficiency --------------------------------------------------------------


def test_the_simulation_and_delta_e_behave_as_published():
    # Sharma, Wu and Dalal (2005) CIEDE2000 test data, pair 1: 2.0425.
    # (coloraide computes CIEDE2000 in CIELAB under D65, so the pair is given there.)
    a, b = Color("lab-d65", [50.0, 2.6772, -79.7751]), Color("lab-d65", [50.0, 0.0, -82.7485])
    assert a.delta_e(b, method="2000") == pytest.approx(2.0425, abs=1e-4)
    # Red and green, plain to most, collapse under deuteranopia.
    assert _delta_e("#FF0000", "#00AA00", None) > 40
    assert _delta_e("#D62728", "#2CA02C", "deutan") < 20


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_spc_colours_stay_apart(deficiency):
    shown = [charts.VARIATION_COLOURS[k] for k in charts.VARIATION_LABELS]
    assert _closest(shown, deficiency) >= palette.MIN_DELTA_E


def test_the_old_spc_colours_failed_under_deuteranopia():
    """The colours before issue 16: improvement and special cause merge for a deuteranope."""
    old = ["#9e9e9e", "#1f77b4", "#f28e2b", "#7b4ea3"]
    assert _closest(old, "deutan") < palette.MIN_DELTA_E


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_comparison_own_line_stands_apart_from_every_comparator(deficiency):
    table = pd.DataFrame(
        {
            "area": ["This partnership: X"] * 2 + [f"Peer {i}" for i in range(8) for _ in (0, 1)],
            "year_end": list(pd.to_datetime(["2024-01-01", "2024-02-01"])) * 9,
            "rate": [float(i) for i in range(18)],
            "count": list(range(18)),
            "is_local": [True] * 2 + [False] * 16,
        }
    )
    spec = charts.comparison_chart(table, "rate", "Rate").to_dict()
    scale = spec["encoding"]["color"]["scale"]
    colour = dict(zip(scale["domain"], scale["range"], strict=True))
    own = colour["This partnership: X"]
    assert own == palette.OWN
    for area, c in colour.items():
        if area != "This partnership: X":
            assert _delta_e(own, c, deficiency) >= palette.MIN_DELTA_E, (area, c)
    # The first comparators (as many as the palette has) are told apart from each other too.
    assert _closest(palette.OTHERS, deficiency) >= 5


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_estate_profile_lines_stay_apart(deficiency):
    assert _delta_e(hotspot_charts.AREA, hotspot_charts.DISTRICT, deficiency) >= 12


def _over_white(colour: str, opacity: float) -> str:
    return palette.hex_of(
        tuple(round(c * opacity + 255 * (1 - opacity)) for c in palette.rgb(colour))
    )


def test_streamlit_captions_meet_wcag_aa():
    """Streamlit draws st.caption in the theme's text colour at 60% opacity (measured in the
    browser: stCaptionContainer has opacity 0.6), over the white page."""
    import tomllib
    from pathlib import Path

    theme = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    for key in ("textColor", "codeTextColor"):  # captions and the inline code inside them
        colour = theme["theme"][key]
        assert palette.contrast_ratio(_over_white(colour, 0.6)) >= palette.MIN_TEXT_CONTRAST, key
    # Streamlit's default text colour failed the same check (the issue's #828180).
    assert _over_white("#2F2D2B", 0.6) == "#828180"
    assert palette.contrast_ratio(_over_white("#2F2D2B", 0.6)) < palette.MIN_TEXT_CONTRAST
