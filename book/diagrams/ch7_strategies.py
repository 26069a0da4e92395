"""Chapter 7: three ways to forecast H steps ahead from the window of the last w values
y_{t_0-w+1}, ..., y_{t_0}.

(a) Recursive (``recursive_windows``): one one-step model, called H times; each time the
window slides one step and ends with the forecast just made, so an error feeds into every
later step.
(b) Direct, multi-output (``WindowRegressor`` with H outputs, trained on
``make_horizon_windows``): the LSTM encoder reads the window once and a linear head turns its
last hidden state h into all H forecasts at once.
(c) Sequence to sequence (``Seq2Seq``): the encoder's final state (h, c) starts a decoder
unrolled over the H steps; step j reads the value before it, the true y_{t_0+j-1} in training
with teacher forcing, its own forecast when free running (and always y_{t_0} at step 1).

Steps 1, 2, 3 and H are drawn in (a), steps 1, 2 and H in (c); the windows are drawn
shorter than w.
"""

from __future__ import annotations

from _draw import arrow, band, box, canvas, line, text

LABELS = {
    "title_a": "(a) recursive: one one-step model, called $H$ times",
    "title_b": "(b) direct, multi-output: all $H$ forecasts from one reading",
    "title_c": "(c) sequence to sequence: an encoder, then a decoder over the $H$ steps",
    "window": r"$y_{t_0-w+1}, \dots, y_{t_0}$",
    "slides": "each window: one step later, ending with the forecasts made so far",
    "model": "model",
    "yhat_1": r"$\hat y_{t_0+1 \mid t_0}$",
    "yhat_2": r"$\hat y_{t_0+2 \mid t_0}$",
    "yhat_3": r"$\hat y_{t_0+3 \mid t_0}$",
    "yhat_H": r"$\hat y_{t_0+H \mid t_0}$",
    "yhat_H1": r"$\hat y_{t_0+H-1 \mid t_0}$",
    "vdots": "⋮",
    "more": "⋯",
    "errors": "errors feed into\nevery later step",
    "encoder_lstm": "LSTM encoder",
    "h": "$h$",
    "head": "linear head",
    "head_outputs": "$H$ outputs",
    "direct_note": "one output per step $j$, all sharing the encoder",
    "direct_note2": "(one model per $j$ is the classic direct strategy)",
    "encoder": "encoder",
    "hc": "$h, c$",
    "decoder": "decoder",
    "teacher": "teacher forcing (training):",
    "free": "free running (forecasting):",
    "y_0": "$y_{t_0}$", "y_1": "$y_{t_0+1}$", "y_H1": "$y_{t_0+H-1}$",
}

CELL, N_CELLS = 0.2, 6  # a window's cells: width, how many drawn (w is longer)
X0 = 0.3                # where the windows start


def window(ax, x0, y, n_forecast=0, n=N_CELLS, h=0.2):
    """A window of ``n`` cells from ``x0``: true values, then ``n_forecast`` forecasts."""
    for k in range(n):
        forecast = k >= n - n_forecast
        band(ax, x0 + k * CELL, y - h / 2, x0 + (k + 1) * CELL, y + h / 2, fill="paper",
             edge="output" if forecast else "input", lw=1.6 if forecast else 1.0)


def panel_recursive(ax, labels, top):
    """(a): one row per step, the window sliding one cell to the right at each."""
    text(ax, 0.08, top, labels["title_a"], ha="left")
    pitch, bw, bh = 0.42, 0.8, 0.28
    steps = [(1, "yhat_1"), (2, "yhat_2"), (3, "yhat_3"), (5, "yhat_H")]  # (offset, label)
    y1 = top - 0.68
    bx = X0 + (N_CELLS + 5) * CELL + 0.3 + bw / 2    # the model's column
    ox = bx + bw / 2 + 0.3                           # the outputs' left edge
    text(ax, X0 + N_CELLS * CELL / 2, y1 + 0.3, labels["window"], color="input", size=10)
    ys = []
    for row, (offset, key) in enumerate(steps):
        y = y1 - row * pitch - (0.3 if row == len(steps) - 1 else 0)
        ys.append(y)
        start = X0 + (offset - 1) * CELL
        window(ax, start, y, n_forecast=min(offset - 1, N_CELLS - 2))
        arrow(ax, (start + N_CELLS * CELL + 0.04, y), (bx - bw / 2, y), color="input")
        box(ax, bx, y, bw, bh, labels["model"])
        arrow(ax, (bx + bw / 2, y), (ox - 0.05, y), color="output")
        text(ax, ox, y, labels[key], color="output", ha="left")
    # Feed back: each forecast becomes the last value of the next window.
    xo = ox + 0.25
    for row in range(len(steps) - 1):
        y, y_next = ys[row], ys[row + 1]
        offset_next = steps[row + 1][0]
        cell_x = X0 + (offset_next - 1 + N_CELLS - 0.5) * CELL
        mid = y - pitch / 2
        if row == len(steps) - 2:  # from the steps not drawn, after the ellipsis
            text(ax, ox + 0.25, (y + y_next) / 2 + 0.06, labels["vdots"], color="output")
            text(ax, X0 + (offset_next + 1.5) * CELL, (y + y_next) / 2 + 0.06,
                 labels["vdots"], color="muted")
            y, mid = (y + y_next) / 2 - 0.06, y_next + pitch / 2
            arrow(ax, (xo, y), (cell_x, y_next + 0.1), color="output",
                  path=[(xo, mid), (cell_x, mid)])
            continue
        arrow(ax, (xo, y - 0.15), (cell_x, y_next + 0.1), color="output",
              path=[(xo, mid), (cell_x, mid)])
    text(ax, ox + 0.95, (ys[1] + ys[2]) / 2, labels["errors"], color="output", ha="left",
         linespacing=1.4)
    text(ax, 0.08, ys[-1] - 0.36, labels["slides"], color="muted", ha="left", size=10)
    return ys[-1] - 0.5


def panel_direct(ax, labels, top):
    """(b): the encoder reads the window once, a linear head gives all H forecasts."""
    text(ax, 0.08, top, labels["title_b"], ha="left")
    y = top - 0.75
    window(ax, X0, y)
    text(ax, X0 + N_CELLS * CELL / 2, y + 0.3, labels["window"], color="input", size=10)
    ex, ew, bh = X0 + N_CELLS * CELL + 0.35 + 0.65, 1.3, 0.4
    arrow(ax, (X0 + N_CELLS * CELL + 0.04, y), (ex - ew / 2, y), color="input")
    box(ax, ex, y, ew, bh, labels["encoder_lstm"])
    hx, hw = ex + ew / 2 + 0.55 + 0.6, 1.2
    arrow(ax, (ex + ew / 2, y), (hx - hw / 2, y), color="state", lw=2.0)
    text(ax, ex + ew / 2 + 0.27, y + 0.17, labels["h"], color="state")
    box(ax, hx, y, hw, bh + 0.15, labels["head"], va="bottom")
    text(ax, hx, y - 0.06, labels["head_outputs"], va="top", size=10)
    # One output per step, all at once.
    ox, outs = hx + hw / 2 + 0.55, [("yhat_1", 0.42), ("yhat_2", 0.14), ("yhat_H", -0.42)]
    for key, dy in outs:
        arrow(ax, (hx + hw / 2, y), (ox - 0.05, y + dy), color="output")
        text(ax, ox, y + dy, labels[key], color="output", ha="left")
    text(ax, ox + 0.25, y - 0.12, labels["vdots"], color="output")
    note = y - 0.7
    text(ax, 0.08, note, labels["direct_note"], color="muted", ha="left", size=10)
    text(ax, 0.08, note - 0.24, labels["direct_note2"], color="muted", ha="left", size=10)
    return note - 0.45


def panel_seq2seq(ax, labels, top):
    """(c): encoder, then the decoder unrolled over the steps, with its two inputs."""
    text(ax, 0.08, top, labels["title_c"], ha="left")
    y = top - 0.85
    n = 4
    window(ax, X0, y, n=n)
    text(ax, X0 + n * CELL / 2 + 0.1, y + 0.3, labels["window"], color="input", size=10)
    ex, ew, bh = X0 + n * CELL + 0.25 + 0.4, 0.8, 0.36
    arrow(ax, (X0 + n * CELL + 0.04, y), (ex - ew / 2, y), color="input")
    box(ax, ex, y, ew, bh, labels["encoder"])
    xs, dw = [3.05, 4.35, 5.95], 0.8
    arrow(ax, (ex + ew / 2, y), (xs[0] - dw / 2, y), color="state", lw=2.0)
    text(ax, (ex + ew / 2 + xs[0] - dw / 2) / 2, y + 0.18, labels["hc"], color="state")
    rows = (y - 0.55, y - 0.85)  # teacher forcing, free running
    inputs = [("y_0", "y_0"), ("y_1", "yhat_1"), ("y_H1", "yhat_H1")]
    outputs = ["yhat_1", "yhat_2", "yhat_H"]
    for k, x in enumerate(xs):
        box(ax, x, y, dw, bh, labels["decoder"])
        if k:
            start = xs[k - 1] + dw / 2
            if k == len(xs) - 1:  # the steps not drawn
                line(ax, [start, start + 0.25], [y, y], color="state", lw=2.0)
                text(ax, (start + x - dw / 2) / 2, y, labels["more"], color="state")
                start = x - dw / 2 - 0.3
            arrow(ax, (start, y), (x - dw / 2, y), color="state", lw=2.0)
        arrow(ax, (x, y + bh / 2), (x, y + 0.45), color="output")
        text(ax, x, y + 0.6, labels[outputs[k]], color="output")
        arrow(ax, (x, rows[0] + 0.13), (x, y - bh / 2), color="input")
        teacher, free = inputs[k]
        text(ax, x, rows[0], labels[teacher], color="input")
        text(ax, x, rows[1], labels[free], color="input" if teacher == free else "output")
    text(ax, X0 - 0.22, rows[0], labels["teacher"], color="input", ha="left", size=10)
    text(ax, X0 - 0.22, rows[1], labels["free"], color="output", ha="left", size=10)
    text(ax, (xs[-2] + xs[-1]) / 2, rows[0], labels["more"], color="input")
    text(ax, (xs[-2] + xs[-1]) / 2, rows[1], labels["more"], color="output")
    return rows[1]


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 6.95)
    bottom = panel_recursive(ax, labels, 6.77)
    line(ax, [0.08, 6.52], [bottom + 0.12, bottom + 0.12], color="unused", lw=1.2)
    bottom = panel_direct(ax, labels, bottom - 0.12)
    line(ax, [0.08, 6.52], [bottom + 0.12, bottom + 0.12], color="unused", lw=1.2)
    panel_seq2seq(ax, labels, bottom - 0.12)
    return fig
