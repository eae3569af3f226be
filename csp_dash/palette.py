"""Every chart colour in one place, chosen to stay apart for colour-blind viewers, and the
WCAG 2.1 contrast ratio that text colours are checked with (docs/methods.md, "Colours").

Lines and points use the Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008)
and Paul Tol's wine; tests/test_palette.py simulates deuteranopia, protanopia and tritanopia
(Machado, Oliveira and Fernandes 2009) and requires a CIEDE2000 difference of at least
MIN_DELTA_E between colours that must be told apart.
"""

from __future__ import annotations

#: Okabe-Ito (2008), by its own names.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
WINE = "#882255"  # Paul Tol's "muted" wine: apart from blue and orange for every viewer

#: A CIEDE2000 difference this large is plain at a glance (1 is just noticeable).
MIN_DELTA_E = 12.0
#: WCAG 2.1 AA: normal text against its background.
MIN_TEXT_CONTRAST = 4.5

# SPC (NHS "Making Data Count" roles): blue improvement, orange concern, a purple for special
# cause with no direction set, light grey for common cause.
SPC = {
    "common": "#BBBBBB",
    "improvement": OKABE_ITO["blue"],
    "concern": OKABE_ITO["orange"],
    "neutral": WINE,
}
SPC_NOT_JUDGED = "#E4E4E4"  # baseline months of the DA chart: not judged, paler than common

#: This partnership's line in comparisons, and the comparators' lines in turn (vermillion's
#: neighbours, orange and yellow, are left out: they merge with it under deuteranopia).
OWN = OKABE_ITO["vermillion"]
OTHERS = [OKABE_ITO["blue"], OKABE_ITO["black"], OKABE_ITO["sky blue"],
          OKABE_ITO["bluish green"], OKABE_ITO["reddish purple"], "#999999"]  # fmt: skip

DISTRICT = "#6B6B6B"  # the district beside one of its areas
BAR = "#9ECAE1"  # monthly bars under the darker line
BAR_PALE = "#C6DBEF"
LINE = "#08519C"
SHADE = "#ECECEC"  # a fixed baseline's months behind an SPC chart
EVENT = "#B22222"  # declared events: rules and their labels (6.7:1 on white)
LIMIT = "#555555"  # SPC mean and limits
PATH = "#BDBDBD"  # the thin line joining SPC points
TARGET = OKABE_ITO["bluish green"]
#: Grey text (captions, notes, sources): 7.0:1 on white, where #828180 was 3.88:1.
MUTED_TEXT = "#595959"
TEXT = "#1B1B1B"
AXIS_TEXT = "#3D3D3D"  # axis labels and legends: 10.9:1 on white


def _channel(c: int) -> float:
    """An sRGB channel (0-255) to linear light (WCAG 2.1 definition of relative luminance)."""
    s = c / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def rgb(colour: str) -> tuple[int, int, int]:
    """'#RRGGBB' or '#RGB' to (r, g, b)."""
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    if len(h) != 6:
        raise ValueError(f"not a hex colour: {colour!r}")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def relative_luminance(colour: str) -> float:
    r, g, b = (_channel(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str, bg: str = "#FFFFFF") -> float:
    """WCAG 2.1 contrast ratio (L1 + 0.05) / (L2 + 0.05), lighter over darker: 1 to 21."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def others(n: int) -> list[str]:
    """Colours for n comparator lines (repeating beyond the palette; each stays apart from
    OWN)."""
    return [OTHERS[i % len(OTHERS)] for i in range(n)]


def hex_of(rgb_triple: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb_triple[:3])
