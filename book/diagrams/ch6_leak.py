"""Chapter 6: what leaks in the notes' recipe, flaws 1 and 2, and the fix.

One time axis over the notes' rows (targets from March 2010 to November 2021). Flaw 1: the
scalers are fitted on all rows, so the later test period (the last fifth of the rows, as a
chronological split would keep it) shapes them. Flaw 2: ``train_test_split(test_size=0.8,
shuffle=False)`` puts the first fifth in ``xTr``, which is never trained on, and the rest in
``xTe``, on which the model is both trained and evaluated. The fix: split by time, fit the
model and the scalers on the earlier part only. Positions are the chapter's rows: 2885
rows, ``xTr`` the first 577, the chronological test part the last 577.
"""

from __future__ import annotations

from _draw import arrow, band, canvas, line, text

LABELS = {
    "scalers": "notes' scalers",
    "split": "notes' split",
    "fix": "the fix",
    "all_rows": "fitted on all rows",
    "test_period": "the later test period",
    "leaks": "leaks into the scalers",
    "xtr": "\"train\" (xTr)",
    "xte": "\"test\" (xTe)",
    "never": "never trained on",
    "same_rows": "trained on and evaluated on: the same rows",
    "train": "train: model and scalers fitted here",
    "test": "test",
    "y2012": "2012",
    "y2014": "2014",
    "y2016": "2016",
    "y2018": "2018",
    "y2020": "2020",
    "key_train": "training data",
    "key_test": "test data",
    "key_unused": "not used",
    "key_leak": "leak",
}

N_ROWS, XTR_END, FIT_END = 2885, 577, 2308  # the notes' rows, xTr, a chronological split
YEARS = {"y2012": 449, "y2014": 944, "y2016": 1437, "y2018": 1926, "y2020": 2416}
X0, X1 = 1.45, 6.45


def xpos(row: float) -> float:
    """Inches from the left for one of the notes' rows."""
    return X0 + (X1 - X0) * row / N_ROWS


def right_edge(fig, ax) -> float:
    """Where the last text drawn ends, in inches from the left."""
    box = ax.texts[-1].get_window_extent(fig.canvas.get_renderer())
    return box.x1 / fig.dpi


def _split_row(ax, y: float, h: float, name: str, cut: float,
               left: tuple[str, str, float, str], right: tuple[str, str, float, str]) -> None:
    """A bar named ``name`` split at ``cut``: each side is (fill, edge, width, text)."""
    text(ax, 1.3, y, name, ha="right")
    for (fill, edge, lw, _), (a, b) in zip((left, right), ((X0, cut), (cut, X1))):
        band(ax, a, y - h / 2, b, y + h / 2, fill=fill, edge=edge, lw=lw)
    for (*_, s), (a, b) in zip((left, right), ((X0, cut), (cut, X1))):
        text(ax, (a + b) / 2, y, s, size=10)


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 3.65)
    h = 0.34
    # Flaw 1: the scalers are fitted on every row, the later test period included.
    y = 2.85
    text(ax, 1.3, y, labels["scalers"], ha="right")
    band(ax, X0, y - h / 2, X1, y + h / 2, fill="train", edge="muted", lw=0.6)
    band(ax, xpos(FIT_END), y - h / 2, X1, y + h / 2, fill="none", edge="cut", lw=1.4,
         hatch="///")
    text(ax, (X0 + xpos(FIT_END)) / 2, y, labels["all_rows"], size=10)
    text(ax, X1, y + h / 2 + 0.36, labels["test_period"], color="cut", ha="right", size=10)
    text(ax, X1, y + h / 2 + 0.14, labels["leaks"], color="cut", ha="right", size=10)
    # Flaw 2: "train" is never trained on; "test" is trained on and evaluated on.
    y = 1.95
    _split_row(ax, y, h, labels["split"], xpos(XTR_END), ("unused", "muted", 0.6, labels["xtr"]),
               ("test", "cut", 1.4, labels["xte"]))
    yb = y - h / 2 - 0.1
    text(ax, X0, yb - 0.14, labels["never"], color="muted", ha="left", size=10)
    line(ax, [xpos(XTR_END) + 0.02, xpos(XTR_END) + 0.02, X1, X1], [yb + 0.04, yb, yb, yb + 0.04],
         color="cut", lw=1.2)
    text(ax, X1, yb - 0.14, labels["same_rows"], color="cut", ha="right", size=10)
    # The fix: split by time; the model and the scalers see the training part only.
    y = 1.05
    _split_row(ax, y, h, labels["fix"], xpos(FIT_END), ("train", "muted", 0.6, labels["train"]),
               ("test", "output", 1.0, labels["test"]))
    # The chronological boundary, through flaw 1 and the fix.
    for y0, y1 in ((1.95 + h / 2, 2.85 + h / 2), (1.05 - h / 2, 1.05 + h / 2 + 0.2)):
        line(ax, [xpos(FIT_END)] * 2, [y0, y1], color="muted", lw=0.8, ls="--")
    # The time axis.
    ya = 0.6
    line(ax, [X0, X1], [ya, ya], color="muted")
    arrow(ax, (X1, ya), (X1 + 0.12, ya), color="muted", lw=1.0)
    for key, row in YEARS.items():
        line(ax, [xpos(row)] * 2, [ya, ya - 0.06], color="muted")
        text(ax, xpos(row), ya - 0.18, labels[key], color="muted", size=10)
    # Key of the fills.
    yk, xk = 0.12, X0
    for fill, key, edge, hatch in (("train", "key_train", "muted", None),
                                   ("test", "key_test", "output", None),
                                   ("unused", "key_unused", "muted", None),
                                   ("paper", "key_leak", "cut", "///")):
        band(ax, xk, yk - 0.08, xk + 0.25, yk + 0.08, fill=fill, edge=edge, lw=0.8, hatch=hatch)
        text(ax, xk + 0.32, yk, labels[key], ha="left", size=10)
        xk = right_edge(fig, ax) + 0.3
    return fig
