"""Chapter 8: the benchmark's protocol on the yearly sunspots 1700-1987 (Zhang 2003's split).

Top: the years, one row per fit. The two validation folds choose the hyperparameters inside
the training years 1700-1920: fold 1 fits on 1700-1860 and validates on 1861-1890, fold 2
fits on 1700-1890 and validates on 1891-1920. The last row refits the chosen setting on
1700-1920 and forecasts the 67 test years 1921-1987 one step ahead, once.
Bottom: the search, the same for every model family: 2 scales (the raw numbers y_t and the
square root u_t = 2(sqrt(1 + y_t) - 1)) x the validation MSE read every 10 epochs up to 100
x 5 seeds, trained side by side as one model (gradient boosting: boosting rounds for epochs,
and one member, as its trees draw no seed). The (scale, epochs) of lowest validation MSE,
averaged over both folds and the seeds, is chosen, refitted on 1700-1920 and forecasts the
test years.
"""

from __future__ import annotations

from _draw import arrow, band, box, canvas, line, text

# The chapter's years and sizes (tests/test_diagram_data.py checks them against it).
FIRST_YEAR, LAST_YEAR = 1700, 1987
LAST_TRAIN = 1920
FOLDS = ((1860, 1890), (1890, 1920))  # (last year fitted, last year validated)
N_SEEDS = 5
EPOCHS, EVERY = 100, 10
SCALES = ("raw", "sqrt")

LABELS = {
    "fold_1": "fold 1", "fold_2": "fold 2", "test": "test",
    "r_fold_1": "1861–1890", "r_fold_2": "1891–1920", "r_test": "1921–1987, once",
    "y1700": "1700", "y1860": "1860", "y1890": "1890", "y1920": "1920", "y1987": "1987",
    "year": "year",
    "k_fit": "fit", "k_valid": "validation", "k_test": "test", "k_unused": "not used",
    "search": "the search, the same for every model family",
    "scale_raw": "raw $y_t$", "scale_sqrt": "square root $u_t$",
    "u_t": r"$u_t = 2(\sqrt{1+y_t}-1)$, the square-root scale",
    "e10": "10", "e20": "20", "e30": "30", "e40": "40", "e50": "50", "e60": "60",
    "e70": "70", "e80": "80", "e90": "90", "e100": "100",
    "epochs": "epochs",
    "seeds": "× 5 seeds, trained as one model",
    "cell": "each cell: the validation MSE, mean of both folds and the 5 seeds",
    "rounds": "gradient boosting: boosting rounds for epochs, and no seeds",
    "choose": "choose (scale, epochs)",
    "lowest": "of lowest mean MSE",
    "refit": "refit on 1700–1920",
    "forecast": "forecast 1921–1987",
    "once": "one step ahead, once",
}

X0, X1 = 0.95, 5.0  # the years on the page
CELL_W, CELL_H = 0.27, 0.3  # the search's cells
GX, GY = 1.3, 1.58  # the grid's left edge and the centre of its first row
STACK = 0.055  # how far each seed's sheet lies behind the one before


def _x(year: float) -> float:
    """The page position of the start of ``year``."""
    return X0 + (year - FIRST_YEAR) * (X1 - X0) / (LAST_YEAR + 1 - FIRST_YEAR)


def rows() -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Every row of the top: (its key, [(first year, last year, fill), ...])."""
    found = []
    for k, (fitted, validated) in enumerate(FOLDS, start=1):
        parts = [(FIRST_YEAR, fitted, "train"), (fitted + 1, validated, "valid")]
        if validated < LAST_YEAR:
            parts.append((validated + 1, LAST_YEAR, "unused"))
        found.append((f"fold_{k}", parts))
    found.append(("test", [(FIRST_YEAR, LAST_TRAIN, "train"),
                           (LAST_TRAIN + 1, LAST_YEAR, "test")]))
    return found


def checkpoints() -> list[int]:
    """The epochs at which the validation MSE is read: EVERY, 2 EVERY, ..., EPOCHS."""
    return list(range(EVERY, EPOCHS + 1, EVERY))


def _grid(ax, labels) -> tuple[float, float]:
    """The search: one row per scale, one column per checkpoint, a sheet per seed behind.
    Returns the right edge of the last sheet and the height of the first row."""
    n_cols, n_rows = len(checkpoints()), len(SCALES)
    width = n_cols * CELL_W
    top, bottom = GY + CELL_H / 2, GY - (n_rows - 0.5) * CELL_H
    for k in reversed(range(1, N_SEEDS)):  # the other seeds' sheets
        d = k * STACK
        band(ax, GX + d, bottom + d, GX + width + d, top + d, fill="paper", edge="muted",
             lw=0.6)
    for row, scale in enumerate(SCALES):
        y = GY - row * CELL_H
        for col in range(n_cols):
            x = GX + col * CELL_W
            band(ax, x, y - CELL_H / 2, x + CELL_W, y + CELL_H / 2, fill="valid",
                 edge="muted", lw=0.6)
        text(ax, GX - 0.1, y, labels[f"scale_{scale}"], ha="right")
    for col, epoch in enumerate(checkpoints()):
        text(ax, GX + (col + 0.5) * CELL_W, bottom - 0.17, labels[f"e{epoch}"],
             color="muted", size=10)
    text(ax, GX - 0.1, bottom - 0.17, labels["epochs"], color="muted", ha="right", size=10)
    d = (N_SEEDS - 1) * STACK
    text(ax, GX + width + d, top + d + 0.16, labels["seeds"], color="muted", ha="right",
         size=10)
    return GX + width + d, GY


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 4.63)
    # Top: the two folds and the test, on one axis of years.
    ys, h = [4.38, 4.05, 3.72], 0.24
    for y, (key, parts) in zip(ys, rows()):
        text(ax, 0.08, y, labels[key], ha="left")
        for first, last, fill in parts:
            band(ax, _x(first), y - h / 2, _x(last + 1), y + h / 2, fill=fill, edge="muted",
                 lw=0.6)
        text(ax, X1 + 0.12, y, labels[f"r_{key}"], ha="left", size=10)
    # The test years lie right of this line: no fit sees them before the end.
    line(ax, [_x(LAST_TRAIN + 1)] * 2, [ys[-1] - h / 2 - 0.06, ys[0] + h / 2 + 0.06],
         color="ink", lw=1.4)
    ya = 3.44
    line(ax, [X0, X1], [ya, ya], color="muted", lw=1.0)
    for year in (FIRST_YEAR, *(fitted for fitted, _ in FOLDS), LAST_TRAIN, LAST_YEAR):
        xt = _x(year + 0.5)
        line(ax, [xt, xt], [ya, ya - 0.06], color="muted", lw=1.0)
        text(ax, xt, ya - 0.19, labels[f"y{year}"], color="muted", size=10)
    text(ax, 0.08, ya - 0.19, labels["year"], color="muted", ha="left", size=10)
    ky = 2.91  # the key to the fills
    for k, (fill, key) in enumerate(zip(["train", "valid", "test", "unused"],
                                        ["k_fit", "k_valid", "k_test", "k_unused"])):
        x = 0.1 + 1.6 * k
        band(ax, x, ky - 0.09, x + 0.3, ky + 0.09, fill=fill, edge="muted", lw=0.6)
        text(ax, x + 0.38, ky, labels[key], ha="left", size=10)
    line(ax, [0.08, 6.52], [2.68, 2.68], color="unused", lw=1.2)
    # Bottom: the search on both folds, then the choice, the refit and the forecasts.
    text(ax, 0.08, 2.45, labels["search"], ha="left")
    right, first_row = _grid(ax, labels)
    for y, key in [(0.68, "u_t"), (0.44, "cell"), (0.2, "rounds")]:
        text(ax, 0.08, y, labels[key], color="muted", ha="left", size=10)
    bx, bw = 5.6, 1.84
    steps = [(first_row, "panel", "choose", "lowest"), (0.94, "train", "refit", None),
             (0.36, "test", "forecast", "once")]
    bottom_of = None
    for y, fill, key, sub in steps:
        tall = 0.5 if sub else 0.32
        box(ax, bx, y, bw, tall, fill=fill, edge="muted")
        if sub:
            text(ax, bx, y + 0.11, labels[key])
            text(ax, bx, y - 0.12, labels[sub], size=10)
        else:
            text(ax, bx, y, labels[key])
        if bottom_of is not None:
            arrow(ax, (bx, bottom_of), (bx, y + tall / 2), color="ink")
        bottom_of = y - tall / 2
    arrow(ax, (right + 0.08, first_row), (bx - bw / 2, first_row), color="ink")
    return fig
