"""Chapter 5: the middle way between one stateful stream and shuffled windows.

One long recording x_1 ... x_N is cut into B contiguous streams of N/B steps each; the
streams are stacked as the rows of one batch of shape (batch, time); the batch is read in
chunks of K steps (the same K columns of every row at once). Each row carries its own state
from chunk to chunk, B states at once (h has shape (batch, n_h)); the gradient of a chunk
stays inside it (detached at every chunk border), and each chunk of the whole batch is one
update. Nothing in it is a number of the chapter's.
"""

from __future__ import annotations

from _draw import arrow, band, canvas, line, text

LABELS = {
    "title": "one long recording $x_1, \\dots, x_N$, cut into $B$ contiguous streams",
    "stream_1": "stream 1", "stream_2": "stream 2", "stream_B": "stream $B$",
    "range_1": r"$x_1 \,\cdots\, x_{N/B}$",
    "range_2": r"$x_{N/B+1} \,\cdots\, x_{2N/B}$",
    "range_B": r"$x_{N-N/B+1} \,\cdots\, x_N$",
    "more": "⋯",
    "vdots": "⋮",
    "stack": "stacked as rows: one batch of shape (batch, time) $=$ ($B$, $N/B$)",
    "h_0": "$h_0 = 0$",
    "chunk_1": "chunk 1", "chunk_2": "chunk 2", "chunk_last": "last chunk",
    "steps_1": r"$1 \,\cdots\, K$",
    "steps_2": r"$K+1 \,\cdots\, 2K$",
    "steps_last": r"$\cdots\, N/B$",
    "h_K": "$h_K$",
    "h_2K": "$h_{2K}$",
    "update_1": "update 1", "update_2": "update 2", "update_last": "last update",
    "detach": "detached",
    "legend_state": "state: each row carries its own $h$, all $B$ at once: (batch, $n_h$)",
    "legend_grad": "gradient: back through its own chunk only; one update per chunk of the batch",
    "legend_cut": "detached at every chunk border",
}

ROWS = (2.42, 2.08, 1.56)    # rows drawn: stream 1, stream 2, stream B (a gap for the rest)
ROW_H = 0.24


def cross(ax, x, y, size=0.08):
    """A cut mark: an X in the cut colour (as in ch3_truncated)."""
    line(ax, [x - size, x + size], [y - size, y + size], color="cut", lw=2.2)
    line(ax, [x - size, x + size], [y + size, y - size], color="cut", lw=2.2)


def _series(ax, labels, y):
    """The recording as one strip, cut into stream 1, stream 2, ..., stream B."""
    h = 0.34
    pieces = [(0.25, 2.05, "stream_1", "range_1"), (2.05, 3.85, "stream_2", "range_2"),
              (4.5, 6.4, "stream_B", "range_B")]
    for x0, x1, key, key_range in pieces:
        band(ax, x0, y - h / 2, x1, y + h / 2, fill="train", edge="input", lw=1.2)
        text(ax, (x0 + x1) / 2, y, labels[key], color="input", size=10)
        text(ax, (x0 + x1) / 2, y - h / 2 - 0.17, labels[key_range], color="input", size=10)
    band(ax, 3.85, y - h / 2, 4.5, y + h / 2, fill="unused", edge="input", lw=1.2)
    text(ax, 4.175, y, labels["more"], color="input")
    for xb in (2.05, 3.85, 4.5):  # where the recording is cut into streams
        line(ax, [xb, xb], [y - h / 2 - 0.06, y + h / 2 + 0.06], color="ink", lw=2.0)


def _chunk(ax, labels, x0, x1, key_name, key_steps, key_update):
    """One chunk: the same K columns of every row, its gradient lane and its update."""
    band(ax, x0 - 0.1, 0.9, x1 + 0.1, 3.17, fill="panel")
    text(ax, (x0 + x1) / 2, 3.0, labels[key_name], color="muted", size=10)
    text(ax, (x0 + x1) / 2, 2.74, labels[key_steps], size=10)
    for y in ROWS:
        band(ax, x0, y - ROW_H / 2, x1, y + ROW_H / 2, fill="train", edge="input", lw=1.2)
    text(ax, (x0 + x1) / 2, 1.83, labels["vdots"], color="input")
    arrow(ax, (x1, 1.24), (x0, 1.24), color="grad", lw=1.8)
    text(ax, (x0 + x1) / 2, 1.03, labels[key_update], color="grad", size=10)


def _carry(ax, xa, xb, *, dots=False, labels=None):
    """Every row's state handed from one chunk to the next (through a gap if ``dots``)."""
    for y in ROWS:
        if dots:
            mid = (xa + xb) / 2
            arrow(ax, (xa, y), (mid - 0.14, y), color="state", lw=2.0, head="-")
            text(ax, mid, y, labels["more"], color="state", size=10)
            arrow(ax, (mid + 0.14, y), (xb, y), color="state", lw=2.0)
        else:
            arrow(ax, (xa, y), (xb, y), color="state", lw=2.0)


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 4.75)
    text(ax, 0.08, 4.6, labels["title"], ha="left")
    _series(ax, labels, 4.16)
    # The streams become the rows of one batch.
    arrow(ax, (0.45, 3.62), (0.45, 2.62), color="muted")
    text(ax, 0.62, 3.4, labels["stack"], color="muted", size=10, ha="left")
    for y, key in zip(ROWS, ("stream_1", "stream_2", "stream_B")):
        text(ax, 0.08, y, labels[key], color="input", size=10, ha="left")
    text(ax, 0.45, 1.83, labels["vdots"], color="input")
    # Chunks of K columns, read left to right; every row starts from a zero state.
    c1, c2, cl = (1.6, 2.6), (3.45, 4.45), (5.4, 6.4)
    text(ax, 1.22, 2.74, labels["h_0"], color="state", size=10)
    _carry(ax, 0.98, c1[0])
    _chunk(ax, labels, *c1, "chunk_1", "steps_1", "update_1")
    _carry(ax, c1[1], c2[0])
    _chunk(ax, labels, *c2, "chunk_2", "steps_2", "update_2")
    _carry(ax, c2[1], cl[0], dots=True, labels=labels)
    _chunk(ax, labels, *cl, "chunk_last", "steps_last", "update_last")
    text(ax, (c1[1] + c2[0]) / 2, 2.66, labels["h_K"], color="state", size=10)
    text(ax, (c2[1] + cl[0]) / 2, 2.66, labels["h_2K"], color="state", size=10)
    # The gradient of a chunk stops at its border: the state goes on, detached.
    for xa, xb in ((c1[1], c2[0]), (c2[1], cl[0])):
        cross(ax, (xa + xb) / 2, 1.24)
        text(ax, (xa + xb) / 2, 1.03, labels["detach"], color="cut", size=10)
    # Legend.
    lx, ly = 0.15, 0.66
    arrow(ax, (lx, ly), (lx + 0.45, ly), color="state", lw=2.0)
    text(ax, lx + 0.6, ly, labels["legend_state"], color="state", ha="left", size=10)
    arrow(ax, (lx + 0.45, ly - 0.27), (lx, ly - 0.27), color="grad", lw=1.8)
    text(ax, lx + 0.6, ly - 0.27, labels["legend_grad"], color="grad", ha="left", size=10)
    cross(ax, lx + 0.22, ly - 0.54)
    text(ax, lx + 0.6, ly - 0.54, labels["legend_cut"], color="cut", ha="left", size=10)
    return fig
