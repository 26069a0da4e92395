"""Chapter 7: how every multi-step forecast is scored, on the yearly sunspots 1700-2008.

Top: one row per origin year 1928, 1948, 1968, 1988. At each, the years up to 20 years
before it are the fit years (every model and the scaling are fitted there, once), the 20
years up to it are the calibration years and the 20 years after it the test years.
Bottom: the last row in close-up. The forecast origins t_0 = 1968, ..., 1977 each forecast
H = 11 calibration years (the calibration errors, for each step ahead j); t_0 = 1988, ...,
1997 the test years. Each forecast reads the last w = 24 true values up to its t_0.
"""

from __future__ import annotations

from _draw import band, canvas, line, text

# The chapter's years and sizes (tests/test_diagram_data.py checks them against it).
FIRST_YEAR, LAST_YEAR = 1700, 2008
ORIGINS = (1928, 1948, 1968, 1988)
N_CAL = N_TEST = 20
HORIZON = 11
LOOKBACK = 24
CLOSE_UP = ORIGINS[-1]  # the origin drawn in close-up
N_FROM = N_TEST - HORIZON + 1  # forecast origins t_0 in a part of N_TEST (= N_CAL) years

LABELS = {
    "row_1": "origin 1928", "row_2": "origin 1948", "row_3": "origin 1968",
    "row_4": "origin 1988",
    "y1700": "1700", "y1800": "1800", "y1900": "1900", "y2008": "2008",
    "year": "year",
    "k_fit": "fit", "k_cal": "calibration", "k_test": "test", "k_unused": "not used",
    "fit": "fit", "cal": "calibration", "test": "test",
    "window": "$w = 24$ true values",
    "forecasts": "$H = 11$ forecasts",
    "cal_first": "$t_0 = 1968$", "cal_last": "$t_0 = 1977$",
    "test_first": "$t_0 = 1988$", "test_last": "$t_0 = 1997$",
    "vdots": "⋮",
    "cal_note": "10 origins: calibration errors, per $j$",
    "test_note": "10 origins: test forecasts, scored per $j$",
    "c1945": "1945", "c1968": "1968", "c1988": "1988", "c2008": "2008",
    "note": "every model is fitted once, on the fit years; then, its parameters frozen,",
    "note2": "each forecast from an origin $t_0$ reads the true values up to $y_{t_0}$",
}

X0, X1 = 1.2, 4.7    # the whole series on the page
XC0, XC1 = 1.5, 6.3  # the close-up
FIRST_SHOWN = CLOSE_UP - N_CAL - LOOKBACK + 1  # the first year the close-up shows


def _x(year: float) -> float:
    """The page position of the start of ``year`` on the top time axis."""
    return X0 + (year - FIRST_YEAR) * (X1 - X0) / (LAST_YEAR + 1 - FIRST_YEAR)


def _xc(year: float) -> float:
    """The page position of the start of ``year`` in the close-up."""
    return XC0 + (year - FIRST_SHOWN) * (XC1 - XC0) / (LAST_YEAR + 1 - FIRST_SHOWN)


def parts(origin: int) -> list[tuple[int, int, str]]:
    """The years of one row: (first year, last year, fill) of fit, calibration, test, rest."""
    found = [(FIRST_YEAR, origin - N_CAL, "train"), (origin - N_CAL + 1, origin, "valid"),
             (origin + 1, origin + N_TEST, "test")]
    if origin + N_TEST < LAST_YEAR:
        found.append((origin + N_TEST + 1, LAST_YEAR, "unused"))
    return found


def _forecast_row(ax, y, t0, h=0.22):
    """One origin in the close-up: its window of true values, then its H forecasts."""
    band(ax, _xc(t0 - LOOKBACK + 1), y - 0.05, _xc(t0 + 1), y + 0.05, fill="paper",
         edge="input", lw=1.2)
    band(ax, _xc(t0 + 1), y - h / 2, _xc(t0 + HORIZON + 1), y + h / 2, fill="paper",
         edge="output", lw=1.4)
    for year in range(t0 + 2, t0 + HORIZON + 1):  # one cell per step ahead j
        line(ax, [_xc(year)] * 2, [y - h / 2, y + h / 2], color="output", lw=0.6)


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 5.6)
    # Top: one row per origin, and the key of the fills beside them.
    rows, h = [5.35, 5.03, 4.71, 4.39], 0.24
    for k, (y, origin) in enumerate(zip(rows, ORIGINS), start=1):
        text(ax, 0.08, y, labels[f"row_{k}"], ha="left")
        for first, last, fill in parts(origin):
            band(ax, _x(first), y - h / 2, _x(last + 1), y + h / 2, fill=fill, edge="muted",
                 lw=0.6)
    for y, fill, key in zip(rows, ["train", "valid", "test", "unused"],
                            ["k_fit", "k_cal", "k_test", "k_unused"]):
        band(ax, 5.0, y - 0.09, 5.3, y + 0.09, fill=fill, edge="muted", lw=0.6)
        text(ax, 5.38, y, labels[key], ha="left", size=10)
    ya = 4.11
    line(ax, [X0, X1], [ya, ya], color="muted", lw=1.0)
    for year in (1700, 1800, 1900, 2008):
        xt = _x(year + 0.5)
        line(ax, [xt, xt], [ya, ya - 0.06], color="muted", lw=1.0)
        text(ax, xt, ya - 0.19, labels[f"y{year}"], color="muted", size=10)
    text(ax, 0.08, ya - 0.19, labels["year"], color="muted", ha="left", size=10)
    # The last row, drawn larger below.
    top = 3.47
    for x_row, x_close in [(_x(FIRST_SHOWN), XC0), (_x(LAST_YEAR + 1), XC1)]:
        line(ax, [x_row, x_row, x_close], [rows[-1] - h / 2, ya + 0.02, top], color="muted",
             lw=0.8, ls=":")
    hy = top - 0.14
    for first, last, fill in parts(CLOSE_UP):
        first = max(first, FIRST_SHOWN)
        band(ax, _xc(first), hy - 0.14, _xc(last + 1), hy + 0.14, fill=fill, edge="muted",
             lw=0.6)
    text(ax, (XC0 + _xc(CLOSE_UP - N_CAL + 1)) / 2, hy, labels["fit"], size=10)
    text(ax, (_xc(CLOSE_UP - N_CAL + 1) + _xc(CLOSE_UP + 1)) / 2, hy, labels["cal"], size=10)
    text(ax, (_xc(CLOSE_UP + 1) + XC1) / 2, hy, labels["test"], size=10)
    # The forecast origins: the first and last of each part, an ellipsis between.
    cal = CLOSE_UP - N_CAL
    groups = [(2.85, cal, "cal_first", "cal_last", "cal_note"),
              (1.82, CLOSE_UP, "test_first", "test_last", "test_note")]
    bottom = 0.8
    for y, first, key_first, key_last, key_note in groups:
        last = first + N_FROM - 1
        for yr, t0, key in [(y, first, key_first), (y - 0.5, last, key_last)]:
            _forecast_row(ax, yr, t0)
            text(ax, XC0 - 0.1, yr, labels[key], ha="right")
        text(ax, XC0 - 0.45, y - 0.22, labels["vdots"], color="muted")
        text(ax, _xc(first + 5), y - 0.22, labels["vdots"], color="muted")
        text(ax, 0.08, y - 0.8, labels[key_note], color="muted", ha="left", size=10)
    for year in (cal + 1, CLOSE_UP + 1):  # where the parts meet
        line(ax, [_xc(year)] * 2, [bottom + 0.05, hy - 0.14], color="muted", lw=0.8, ls="--")
    text(ax, _xc(cal + 1) - 0.08, groups[0][0] + 0.2, labels["window"], color="input",
         ha="right", size=10)
    text(ax, _xc(cal + 1) + 0.08, groups[0][0] + 0.2, labels["forecasts"], color="output",
         ha="left", size=10)
    # The close-up's time axis.
    line(ax, [XC0, XC1], [bottom, bottom], color="muted", lw=1.0)
    for year in (FIRST_SHOWN, cal, CLOSE_UP, LAST_YEAR):
        xt = _xc(year + 0.5)
        line(ax, [xt, xt], [bottom, bottom - 0.06], color="muted", lw=1.0)
        text(ax, xt, bottom - 0.19, labels[f"c{year}"], color="muted", size=10)
    text(ax, 0.08, 0.38, labels["note"], ha="left", size=10)
    text(ax, 0.08, 0.14, labels["note2"], ha="left", size=10)
    return fig
