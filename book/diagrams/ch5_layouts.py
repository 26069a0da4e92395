"""Chapter 5: the two ways the chapter feeds the training series to the same LSTM.

(a) Stateful (``fit_stateful``): the series is one stream (batch of one), cut along time
into chunks of K steps read in order; the state is carried from chunk to chunk but
detached, so each chunk's gradient stays inside it; one update per chunk.
(b) Look-back windows (``make_windows`` + ``Minibatches``): every window of w steps,
each one step later than the last, with the next value as its target, shuffled into
minibatches of B windows, each read from a zero state; one update per minibatch.
"""

from __future__ import annotations

from _draw import arrow, band, box, canvas, line, node, text

LABELS = {
    "title_a": "(a) stateful: the training series as one stream ($B = 1$), read in order",
    "title_b": "(b) look-back windows: every window of $w$ steps, shuffled into minibatches",
    "zero": "0",
    "h0": "$h_0 = c_0 = 0$",
    "chunk_1": "chunk 1", "chunk_2": "chunk 2", "chunk_last": "last chunk",
    "x_c1": r"$x_1 \,\cdots\, x_K$",
    "x_c2": r"$x_{K+1} \,\cdots\, x_{2K}$",
    "x_cl": r"$\cdots\, x_{N-1}$",
    "y_c1": r"$y_2 \,\cdots\, y_{K+1}$",
    "y_c2": r"$y_{K+2} \,\cdots\, y_{2K+1}$",
    "y_cl": r"$\cdots\, y_N$",
    "h_K": "$h_K, c_K$",
    "more": "⋯",
    "detach": "detached",
    "update_1": "update 1",
    "update_2": "update 2",
    "update_last": "last update",
    "grad": "gradient: back $K$ steps at most",
    "footer_a": "next epoch: again from $h_0 = c_0 = 0$, chunk 1",
    "x_w1": r"$x_1 \,\cdots\, x_w$",
    "x_w2": r"$x_2 \,\cdots\, x_{w+1}$",
    "x_w3": r"$x_3 \,\cdots\, x_{w+2}$",
    "x_wl": r"$x_{N-w} \,\cdots\, x_{N-1}$",
    "y_w1": "$y_{w+1}$", "y_w2": "$y_{w+2}$", "y_w3": "$y_{w+3}$", "y_wl": "$y_N$",
    "vdots": "⋮",
    "windows": "windows, each one step later",
    "shuffle": "shuffle",
    "batch": "one minibatch",
    "w_steps": "$w$ steps",
    "y_b1": "$y_{w+87}$", "y_b2": "$y_{w+3}$", "y_b3": "$y_N$", "y_b4": "$y_{w+152}$",
    "B_rows": "$B$ windows: one update",
    "footer_b": "every window from $h_0 = c_0 = 0$; a new shuffle every epoch",
}


def _chunk(ax, labels, x0, w, y, key_x, key_y, key_name, key_update):
    """One chunk of the stream: inputs in the box, targets above, its gradient below."""
    h = 0.42
    box(ax, x0 + w / 2, y, w, h, labels[key_x], fill="train", edge="input", color="input",
        rounded=False, size=10)
    text(ax, x0 + w / 2, y + h / 2 + 0.18, labels[key_y], color="output", size=10)
    text(ax, x0 + w / 2, y + h / 2 + 0.48, labels[key_name], color="muted", size=10)
    arrow(ax, (x0 + w - 0.05, y - h / 2 - 0.14), (x0 + 0.02, y - h / 2 - 0.14), color="grad")
    text(ax, x0 + w / 2, y - h / 2 - 0.34, labels[key_update], color="grad", size=10)


def _window(ax, x0, y, length, *, cell=0.2, h=0.24, s="", labels=None):
    """A window read from a zero state: the state node, the inputs, the target cell."""
    node(ax, x0, y, labels["zero"], r=0.1, edge="state", color="state", size=10)
    band(ax, x0 + 0.1, y - h / 2, x0 + 0.1 + length, y + h / 2, fill="train", edge="input")
    if s:
        text(ax, x0 + 0.1 + length / 2, y, s, color="input", size=10)
    band(ax, x0 + 0.1 + length, y - h / 2, x0 + 0.1 + length + cell, y + h / 2,
         fill="paper", edge="output", lw=1.2)


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 5.2)
    # (a) Stateful: one stream in chunks of K steps, the state carried, detached between.
    text(ax, 0.08, 5.02, labels["title_a"], ha="left")
    y = 3.92
    text(ax, 0.08, y + 0.16, labels["h0"], color="state", ha="left")
    arrow(ax, (0.12, y), (1.1, y), color="state")
    _chunk(ax, labels, 1.1, 1.15, y, "x_c1", "y_c1", "chunk_1", "update_1")
    arrow(ax, (2.25, y), (3.05, y), color="state")
    text(ax, 2.65, y + 0.16, labels["h_K"], color="state", size=10)
    _chunk(ax, labels, 3.05, 1.45, y, "x_c2", "y_c2", "chunk_2", "update_2")
    arrow(ax, (4.5, y), (4.85, y), color="state", head="-")
    text(ax, 5.0, y, labels["more"], color="state")
    arrow(ax, (5.15, y), (5.45, y), color="state")
    _chunk(ax, labels, 5.45, 1.05, y, "x_cl", "y_cl", "chunk_last", "update_last")
    # The detach: the state goes on, the gradient of a chunk stops at its first step.
    for xb in (3.05, 5.45):
        line(ax, [xb, xb], [y - 0.5, y - 0.21], color="cut", lw=1.8)
    text(ax, 2.99, y - 0.36, labels["detach"], color="cut", size=10, ha="right")
    text(ax, 0.08, 3.12, labels["grad"], color="grad", size=10, ha="left")
    text(ax, 0.08, 2.86, labels["footer_a"], color="muted", size=10, ha="left")
    line(ax, [0.08, 6.52], [2.64, 2.64], color="unused", lw=1.2)
    # (b) Look-back windows: every window of w steps, each from a zero state, shuffled.
    text(ax, 0.08, 2.42, labels["title_b"], ha="left")
    length, rows = 1.55, [1.92, 1.6, 1.28, 0.78]
    xs = [0.2, 0.4, 0.6, 1.0]
    for k, (key_x, key_y) in enumerate([("x_w1", "y_w1"), ("x_w2", "y_w2"),
                                        ("x_w3", "y_w3"), ("x_wl", "y_wl")]):
        _window(ax, xs[k], rows[k], length, s=labels[key_x], labels=labels)
        text(ax, xs[k] + 0.1 + length + 0.26, rows[k], labels[key_y], color="output",
             ha="left", size=10)
    text(ax, 1.0, 1.04, labels["vdots"], color="muted")
    text(ax, 0.2, 0.4, labels["windows"], color="muted", size=10, ha="left")
    # The shuffle into one minibatch: B rows, each a whole window of w steps.
    arrow(ax, (3.3, 1.35), (3.95, 1.35), color="muted")
    text(ax, 3.62, 1.53, labels["shuffle"], color="muted", size=10)
    bx, blen = 4.15, 1.35
    text(ax, bx + 0.1 + blen / 2, 2.16, labels["batch"], color="muted", size=10)
    arrow(ax, (bx + 0.1, 1.95), (bx + 0.1 + blen, 1.95), color="muted", head="<|-|>", lw=1.0)
    text(ax, bx + 0.1 + blen / 2, 1.78, labels["w_steps"], color="muted", size=10)
    for yb, key in zip([1.56, 1.28, 1.0, 0.6], ["y_b1", "y_b2", "y_b3", "y_b4"]):
        _window(ax, bx, yb, blen, labels=labels)
        text(ax, bx + 0.1 + blen + 0.26, yb, labels[key], color="output", ha="left", size=10)
    text(ax, bx + 0.8, 0.82, labels["vdots"], color="muted")
    text(ax, bx + 0.1 + blen / 2, 0.3, labels["B_rows"], color="muted", size=10)
    text(ax, 0.08, 0.06, labels["footer_b"], color="muted", size=10, ha="left", va="bottom")
    return fig
