"""Chapter 6: the walk-forward evaluation of the returns LSTM, one row per fit.

The first row is the fit with early stopping (the model "fitted once", which also forecasts
the whole test part); each later row is one forecast origin, where
the same model is fine-tuned on the most recent windows before the origin (a stretch of
fixed length that slides forward) and then forecasts the block of test days up to the next
origin. Positions are the chapter's trading days (rows of ``features``): the split of
``time_split(features, test_size=0.2, val_size=0.1)``, four blocks of ``ceil(586 / 4)``
test days, ``RECENT = 750`` windows. The years before 2016 are drawn compressed.
"""

from __future__ import annotations

import itertools

from _draw import arrow, band, canvas, line, text

LABELS = {
    "train_part": "training part",
    "val_part": "validation",
    "test_part": "test part",
    "fit": "fit once",
    "origin_1": "origin 1",
    "origin_2": "origin 2",
    "origin_3": "origin 3",
    "origin_4": "origin 4",
    "fit_train": "fit the model and the scaler",
    "early_stop": "early stop",
    "forecast_all": "forecast all test days",
    "fine_tune": "fine-tune on recent windows",
    "forecast": "forecast the block",
    "slides": "the stretch slides on, over past test days",
    "carried": "same model",
    "y2010": "2010",
    "y2016": "2016",
    "y2017": "2017",
    "y2018": "2018",
    "y2019": "2019",
    "y2020": "2020",
    "y2021": "2021",
    "time": "trading days",
    "key_fit": "fitted on",
    "key_valid": "early stopping",
    "key_test": "forecast",
    "key_unused": "not used",
}

# Trading days of the chapter's features (2010-01-05 to 2021-11-23).
END, TRAIN_END, VAL_END = 2931, 2052, 2345
ORIGINS = (2345, 2492, 2639, 2786)  # first day of each test block
RECENT = 750  # windows fine-tuned on at each origin, one target day each
YEARS = {"y2016": 1486, "y2017": 1732, "y2018": 1975, "y2019": 2216, "y2020": 2462,
         "y2021": 2710}
BREAK = 1486  # days before this are drawn compressed
X0, X1, XB = 1.3, 6.45, 1.8  # axis start and end, and where the compressed part ends


def xpos(day: float) -> float:
    """Inches from the left for a trading day."""
    if day <= BREAK:
        return X0 + (XB - X0) * day / BREAK
    return XB + 0.08 + (X1 - XB - 0.08) * (day - BREAK) / (END - BREAK)


def right_edge(fig, ax) -> float:
    """Where the last text drawn ends, in inches from the left."""
    box = ax.texts[-1].get_window_extent(fig.canvas.get_renderer())
    return box.x1 / fig.dpi


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 3.75)
    rows = [3.0, 2.5, 2.05, 1.6, 1.15]  # row centres: the fit, then origins 1 to 4
    h = 0.32
    # Part names over the axis, with the part boundaries as dashed lines through all rows.
    top = rows[0] + h / 2
    text(ax, (X0 + xpos(TRAIN_END)) / 2, 3.45, labels["train_part"], color="muted")
    text(ax, (xpos(TRAIN_END) + xpos(VAL_END)) / 2, 3.45, labels["val_part"], color="muted")
    text(ax, (xpos(VAL_END) + X1) / 2, 3.45, labels["test_part"], color="muted")
    for day in (TRAIN_END, VAL_END):
        line(ax, [xpos(day)] * 2, [rows[-1] - h / 2 - 0.05, top + 0.2], color="muted",
             lw=0.8, ls="--")
    # Row 0: fit on the training part, early stopping on the validation part.
    y = rows[0]
    text(ax, 1.15, y, labels["fit"], ha="right")
    band(ax, X0, y - h / 2, xpos(TRAIN_END), y + h / 2, fill="train", edge="muted", lw=0.6)
    band(ax, xpos(TRAIN_END), y - h / 2, xpos(VAL_END), y + h / 2, fill="valid", edge="muted",
         lw=0.6)
    band(ax, xpos(VAL_END), y - h / 2, X1, y + h / 2, fill="test", edge="output", lw=1.0)
    text(ax, (X0 + xpos(TRAIN_END)) / 2, y, labels["fit_train"], size=10)
    text(ax, (xpos(VAL_END) + X1) / 2, y, labels["forecast_all"], color="output", size=10)
    text(ax, (xpos(TRAIN_END) + xpos(VAL_END)) / 2, y, labels["early_stop"], size=10)
    # Rows 1 to 4: fine-tune on the recent windows, forecast the next block.
    for k, (y, origin) in enumerate(zip(rows[1:], ORIGINS), start=1):
        stop = ORIGINS[k] if k < len(ORIGINS) else END
        text(ax, 1.15, y, labels[f"origin_{k}"], ha="right")
        band(ax, X0, y - h / 2, xpos(origin - RECENT), y + h / 2, fill="unused",
             edge="muted", lw=0.6)
        band(ax, xpos(origin - RECENT), y - h / 2, xpos(origin), y + h / 2, fill="train",
             edge="muted", lw=0.6)
        band(ax, xpos(origin), y - h / 2, xpos(stop), y + h / 2, fill="test", edge="output",
             lw=1.0)
        band(ax, xpos(stop), y - h / 2, X1, y + h / 2, fill="unused", edge="muted", lw=0.6)
    mid1 = (xpos(ORIGINS[0] - RECENT) + xpos(ORIGINS[0])) / 2
    text(ax, mid1, rows[1], labels["fine_tune"], size=10)
    text(ax, xpos(ORIGINS[1]) + 0.06, rows[1], labels["forecast"], color="output", ha="left",
         size=10)
    text(ax, (xpos(ORIGINS[3] - RECENT) + xpos(ORIGINS[3])) / 2, rows[4] - h / 2 - 0.17,
         labels["slides"], color="muted", size=10)
    # The model is carried from each row to the next.
    for a, b in itertools.pairwise(rows):
        arrow(ax, (0.2, a - 0.1), (0.2, b + 0.1), color="ink", lw=1.0)
    text(ax, 0.28, (rows[0] + rows[1]) / 2, labels["carried"], ha="left", color="muted",
         size=10)
    # The time axis, broken where the early years are compressed.
    ya = 0.55
    line(ax, [X0, XB], [ya, ya], color="muted")
    line(ax, [XB + 0.08, X1], [ya, ya], color="muted")
    for xb in (XB, XB + 0.08):
        line(ax, [xb - 0.04, xb + 0.04], [ya - 0.07, ya + 0.07], color="muted")
    for key, day in [("y2010", 0), *YEARS.items()]:
        x = xpos(day)
        line(ax, [x, x], [ya, ya - 0.06], color="muted")
        text(ax, x, ya - 0.18, labels[key], color="muted", size=10)
    arrow(ax, (X1, ya), (X1 + 0.12, ya), color="muted", lw=1.0)
    text(ax, 1.15, ya, labels["time"], color="muted", ha="right", size=10)
    # Key of the fills.
    yk, xk = 0.1, 1.3
    for fill, key, edge in (("train", "key_fit", "muted"), ("valid", "key_valid", "muted"),
                            ("test", "key_test", "output"), ("unused", "key_unused", "muted")):
        band(ax, xk, yk - 0.08, xk + 0.25, yk + 0.08, fill=fill, edge=edge, lw=0.6)
        text(ax, xk + 0.32, yk, labels[key], ha="left", size=10)
        xk = right_edge(fig, ax) + 0.3
    return fig
