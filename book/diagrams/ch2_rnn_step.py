"""Chapter 2: one step of the Elman RNN, h_t = tanh(a_t) and its head, with tensor shapes."""

from __future__ import annotations

from _draw import arrow, box, canvas, node, text

LABELS = {
    "eq_a": r"$a_t = W_{xh} x_t + b_{xh} + W_{hh} h_{t-1} + b_{hh}$",
    "eq_h": r"$h_t = \tanh(a_t), \quad \hat y_t = W_{hy} h_t + b_y$",
    "x_t": "$x_t$",
    "h_prev": "$h_{t-1}$",
    "h_t": "$h_t$",
    "a_t": "$a_t$",
    "y_t": r"$\hat y_t$",
    "W_xh": "$W_{xh}$", "W_hh": "$W_{hh}$", "W_hy": "$W_{hy}$",
    "b_xh": "$b_{xh}$", "b_hh": "$b_{hh}$", "b_y": "$b_y$",
    "plus": "+",
    "tanh": "tanh",
    "from_prev": "from step $t-1$",
    "to_next": "to step $t+1$",
    "s_x": "(batch, $n_x$)",
    "s_h": "(batch, $n_h$)",
    "s_y": "(batch, $n_y$)",
    "s_Wxh": "($n_h$, $n_x$)",
    "s_Whh": "($n_h$, $n_h$)",
    "s_Why": "($n_y$, $n_h$)",
    "s_b": "($n_h$,)",
    "s_by": "($n_y$,)",
}


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 4.3)
    small = {"color": "muted", "size": 10}
    cy, bw, bh, r = 2.0, 0.62, 0.5, 0.16    # the state line, weight boxes, sum nodes
    whh, sx, tx, hx = 1.45, 2.95, 4.3, 5.35  # W_hh, the sum, tanh, the head's branch point
    # The equations this picture draws.
    text(ax, 0.15, 4.0, labels["eq_a"], ha="left")
    text(ax, 0.15, 3.6, labels["eq_h"], ha="left")
    # h_{t-1} comes in from the left and goes through W_hh.
    text(ax, 0.35, cy, labels["h_prev"], color="state")
    text(ax, 0.6, cy - 0.3, labels["s_h"], **small)
    text(ax, 0.6, cy - 0.55, labels["from_prev"], **small)
    arrow(ax, (0.62, cy), (whh - bw / 2, cy), color="state")
    box(ax, whh, cy, bw, bh, labels["W_hh"], color="state", edge="state")
    text(ax, whh, cy + bh / 2 + 0.17, labels["s_Whh"], **small)
    arrow(ax, (whh + bw / 2, cy), (sx - r, cy), color="state")
    text(ax, (whh + bw / 2 + sx - r) / 2, cy - 0.2, labels["s_h"], **small)
    # x_t comes in from below and goes through W_xh.
    text(ax, sx, 0.22, labels["x_t"], color="input")
    arrow(ax, (sx, 0.4), (sx, 1.0 - bh / 2), color="input")
    text(ax, sx + 0.1, 0.55, labels["s_x"], ha="left", **small)
    box(ax, sx, 1.0, bw, bh, labels["W_xh"], color="input", edge="input")
    text(ax, sx - bw / 2 - 0.1, 1.0, labels["s_Wxh"], ha="right", **small)
    arrow(ax, (sx, 1.0 + bh / 2), (sx, cy - r), color="input")
    text(ax, sx + 0.1, 1.48, labels["s_h"], ha="left", **small)
    # The two biases join the sum.
    node(ax, sx, cy, labels["plus"], r=r)
    for name, dx in (("b_xh", -0.35), ("b_hh", 0.35)):
        text(ax, sx + dx, 2.75, labels[name])
        text(ax, sx + dx, 3.05, labels["s_b"], **small)
        arrow(ax, (sx + dx * 0.85, 2.6), (sx + dx * 0.3, cy + r * 0.9))
    # a_t through tanh gives h_t.
    arrow(ax, (sx + r, cy), (tx - bw / 2, cy))
    text(ax, (sx + r + tx - bw / 2) / 2, cy + 0.17, labels["a_t"])
    text(ax, (sx + r + tx - bw / 2) / 2, cy - 0.2, labels["s_h"], **small)
    box(ax, tx, cy, bw, bh, labels["tanh"])
    arrow(ax, (tx + bw / 2, cy), (6.25, cy), color="state")
    text(ax, (tx + bw / 2 + hx) / 2, cy + 0.17, labels["h_t"], color="state")
    text(ax, 6.5, cy - 0.2, labels["s_h"], ha="right", **small)
    text(ax, 6.5, cy - 0.45, labels["to_next"], ha="right", **small)
    # The head: W_hy h_t + b_y.
    hy = 2.8
    arrow(ax, (hx, cy), (hx, hy - bh / 2), color="state")
    box(ax, hx, hy, bw, bh, labels["W_hy"], color="output", edge="output")
    text(ax, hx + bw / 2 + 0.1, hy, labels["s_Why"], ha="left", **small)
    py = 3.45
    arrow(ax, (hx, hy + bh / 2), (hx, py - r), color="output")
    node(ax, hx, py, labels["plus"], r=r)
    text(ax, hx - 0.75, py, labels["b_y"])
    text(ax, hx - 0.75, py - 0.28, labels["s_by"], **small)
    arrow(ax, (hx - 0.6, py), (hx - r, py))
    arrow(ax, (hx, py + r), (hx, 3.9), color="output")
    text(ax, hx, 4.08, labels["y_t"], color="output")
    text(ax, hx + 0.1, 3.72, labels["s_y"], ha="left", **small)
    return fig
