"""Chapter 5: the rolling-origin evaluation of section 6.

Top: the split that chose the number of epochs (fit 1711-1968, validation 1969-1988), then
one row per forecast origin t_0 = 1928, 1948, 1968, 1988 (``rolling_origins`` with steps of
20 years): the scaling, the AR model and both LSTMs are fitted on the years up to t_0 and
the next H = 20 years are forecast. Bottom: the two kinds of forecast made at every origin,
one step ahead from the true values and recursively from t_0 with the forecasts fed back.
"""

from __future__ import annotations

from _draw import arrow, band, canvas, line, text

LABELS = {
    "epochs": "choose epochs",
    "t0_1": "$t_0 = 1928$", "t0_2": "$t_0 = 1948$", "t0_3": "$t_0 = 1968$",
    "t0_4": "$t_0 = 1988$",
    "r_epochs": "LSTMs only; the epochs",
    "r_epochs2": "used at every origin",
    "r_1": "1929–1948", "r_2": "1949–1968", "r_3": "1969–1988 (validation)",
    "r_4": "1989–2008 (clean test)",
    "y1711": "1711", "y1800": "1800", "y1900": "1900", "y2008": "2008",
    "year": "year",
    "k_train": "fitted: scaling, AR($p$), both LSTMs",
    "k_test": "forecast from $t_0$, $H = 20$ years",
    "k_valid": "validation: the epochs chosen",
    "k_unused": "not used",
    "one_step": r"one step ahead: $\hat y_{t+1 \mid t}$",
    "recursive": r"recursive: $\hat y_{t_0+j \mid t_0}$",
    "y_row": "$y_t$", "yhat_row": r"$\hat y_t$",
    "c0": "$t_0$", "c1": "$t_0{+}1$", "c2": "$t_0{+}2$", "c3": "$t_0{+}3$",
    "more": "⋯",
    "true_in": "each from the true values before it",
    "fed_back": "all from $t_0$, each forecast fed back",
}

FIRST, LAST = 1711, 2008  # the years of the series (after the 12-year mean's first 11)
X0, X1 = 1.25, 4.7        # where they lie on the page
ORIGINS = (1928, 1948, 1968, 1988)
HORIZON = 20


def _x(year: float) -> float:
    """The page position of the start of ``year``."""
    return X0 + (year - FIRST) * (X1 - X0) / (LAST + 1 - FIRST)


def _row(ax, y, parts, h=0.26):
    """One split: ``parts`` is a list of (first year, last year, fill)."""
    for first, last, fill in parts:
        band(ax, _x(first), y - h / 2, _x(last + 1), y + h / 2, fill=fill, edge="muted", lw=0.6)


def _mini(ax, labels, x0, y, recursive):
    """One forecast period in close-up: true values (top) and forecasts (bottom)."""
    cw, gap, h, dy = 0.42, 0.2, 0.26, 0.56
    xs = [x0 + k * (cw + gap) for k in range(4)]
    for k, x in enumerate(xs):
        band(ax, x, y - h / 2, x + cw, y + h / 2, fill="train" if k == 0 else "test",
             edge="muted", lw=0.6)
        text(ax, x + cw / 2, y - dy - h / 2 - 0.17, labels[f"c{k}"], color="muted", size=10)
        if k:
            band(ax, x, y - dy - h / 2, x + cw, y - dy + h / 2, fill="paper", edge="output")
    text(ax, xs[-1] + cw + 0.2, y, labels["more"], color="muted")
    text(ax, xs[-1] + cw + 0.2, y - dy, labels["more"], color="output")
    for k in range(3):
        start = (xs[k] + cw / 2, y - h / 2)
        end = (xs[k + 1] + cw / 2 - 0.06, y - dy + h / 2)
        if recursive and k:
            arrow(ax, (xs[k] + cw, y - dy), (xs[k + 1], y - dy), color="output")
        else:
            arrow(ax, start, end, color="input")


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 5.0)
    # The split that chose the epochs, then one row per origin.
    rows = [4.7, 4.17, 3.77, 3.37, 2.97]
    text(ax, 0.08, rows[0], labels["epochs"], ha="left", size=10)
    _row(ax, rows[0], [(FIRST, 1968, "train"), (1969, 1988, "valid"), (1989, LAST, "unused")])
    text(ax, X1 + 0.12, rows[0] + 0.1, labels["r_epochs"], ha="left", size=10)
    text(ax, X1 + 0.12, rows[0] - 0.1, labels["r_epochs2"], ha="left", size=10)
    line(ax, [0.08, 6.52], [4.43, 4.43], color="unused", lw=1.2)
    for k, (y, origin) in enumerate(zip(rows[1:], ORIGINS), start=1):
        text(ax, 0.08, y, labels[f"t0_{k}"], ha="left")
        parts = [(FIRST, origin, "train"), (origin + 1, origin + HORIZON, "test")]
        if origin + HORIZON < LAST:
            parts.append((origin + HORIZON + 1, LAST, "unused"))
        _row(ax, y, parts)
        line(ax, [_x(origin + 1)] * 2, [y - 0.19, y + 0.19], color="ink", lw=1.4)
        text(ax, X1 + 0.12, y, labels[f"r_{k}"], ha="left", size=10)
    # The time axis.
    ya = 2.66
    line(ax, [X0, X1], [ya, ya], color="muted", lw=1.0)
    for year in (1711, 1800, 1900, 2008):
        xt = _x(year + 0.5)
        line(ax, [xt, xt], [ya, ya - 0.06], color="muted", lw=1.0)
        text(ax, xt, ya - 0.19, labels[f"y{year}"], color="muted", size=10)
    text(ax, X1 + 0.3, ya - 0.19, labels["year"], color="muted", ha="left", size=10)
    # The key to the fills.
    for (x, y), fill, key in zip([(0.1, 2.14), (3.4, 2.14), (0.1, 1.86), (3.4, 1.86)],
                                 ["train", "test", "valid", "unused"],
                                 ["k_train", "k_test", "k_valid", "k_unused"]):
        band(ax, x, y - 0.09, x + 0.3, y + 0.09, fill=fill, edge="muted", lw=0.6)
        text(ax, x + 0.38, y, labels[key], ha="left", size=10)
    line(ax, [0.08, 6.52], [1.7, 1.7], color="unused", lw=1.2)
    # At every origin: one step ahead from the true values, or recursively from t_0.
    for x0, key, sub, colour, recursive in [
            (0.55, "one_step", "true_in", "input", False),
            (3.85, "recursive", "fed_back", "output", True)]:
        text(ax, x0 - 0.05, 1.53, labels[key], ha="left", size=10)
        text(ax, x0 - 0.05, 1.3, labels[sub], color=colour, ha="left", size=10)
        _mini(ax, labels, x0, 1.0, recursive)
    text(ax, 0.08, 1.0, labels["y_row"], ha="left")
    text(ax, 0.08, 0.44, labels["yhat_row"], color="output", ha="left")
    return fig
