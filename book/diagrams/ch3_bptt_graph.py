"""Chapter 3: the graph of BPTT over three steps, forward (ink) and backward (gradients).

Each step's loss sends gradient down to its own hidden state; delta_t adds that to what
comes back from delta_{t+1} through J_{t+1}^T.
"""

from __future__ import annotations

from _draw import arrow, box, canvas, text

LABELS = {
    "x_a": "$x_{t-1}$", "x_b": "$x_t$", "x_c": "$x_{t+1}$",
    "h_a": "$h_{t-1}$", "h_b": "$h_t$", "h_c": "$h_{t+1}$",
    "y_a": r"$\hat y_{t-1}$", "y_b": r"$\hat y_t$", "y_c": r"$\hat y_{t+1}$",
    "L_a": r"$\mathcal{L}_{t-1}$", "L_b": r"$\mathcal{L}_t$", "L_c": r"$\mathcal{L}_{t+1}$",
    "d_a": r"$\delta_{t-1}$", "d_b": r"$\delta_t$", "d_c": r"$\delta_{t+1}$",
    "J_b": "$J_t$", "J_c": "$J_{t+1}$",
    "back_b": r"$J_t^\top \delta_t$", "back_c": r"$J_{t+1}^\top \delta_{t+1}$",
    "dL_dy": r"$\partial \mathcal{L}_t / \partial \hat y_t$",
    "to_h": r"$W_{hy}^\top\, \partial \mathcal{L}_t / \partial \hat y_t$",
    "more": "…",
    "forward": "forward pass",
    "backward": "backward pass: gradients",
    "recursion": (r"$\delta_t = W_{hy}^\top\, \partial \mathcal{L}_t / \partial \hat y_t"
                  r" + J_{t+1}^\top \delta_{t+1}$"),
    "product": (r"$\partial h_t / \partial h_s = J_t\, J_{t-1} \cdots J_{s+1}$,"
                r"   $J_t = \partial h_t / \partial h_{t-1}$"),
}


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 4.9)
    xs = [1.2, 3.3, 5.4]                     # columns of the steps t-1, t, t+1
    yh, yy, yl, yx = 2.05, 3.1, 4.05, 1.3    # rows: h, y-hat, loss, x
    hw, hh = 0.8, 0.5                        # hidden-state box
    ow, oh = 0.6, 0.4                        # prediction and loss boxes
    off = 0.13                               # forward left of centre, backward right
    f_y, b_y = yh + 0.1, yh - 0.12           # forward and backward lines between boxes
    keys = ("a", "b", "c")
    # Legend.
    arrow(ax, (0.2, 4.72), (0.65, 4.72))
    text(ax, 0.75, 4.72, labels["forward"], ha="left")
    arrow(ax, (2.55, 4.72), (3.0, 4.72), color="grad")
    text(ax, 3.1, 4.72, labels["backward"], color="grad", ha="left")
    for k, x in zip(keys, xs):
        box(ax, x, yh, hw, hh, labels[f"h_{k}"], edge="state", color="state")
        box(ax, x, yy, ow, oh, labels[f"y_{k}"], edge="output", fill="paper", color="output")
        box(ax, x, yl, ow, oh, labels[f"L_{k}"], edge="output", fill="paper", color="output")
        text(ax, x - off, yx - 0.17, labels[f"x_{k}"], color="input")
        # Forward: x -> h -> y-hat -> loss.
        arrow(ax, (x - off, yx), (x - off, yh - hh / 2))
        arrow(ax, (x - off, yh + hh / 2), (x - off, yy - oh / 2))
        arrow(ax, (x - off, yy + oh / 2), (x - off, yl - oh / 2))
        # Backward: loss -> y-hat -> h, and delta at h.
        arrow(ax, (x + off, yl - oh / 2), (x + off, yy + oh / 2), color="grad")
        arrow(ax, (x + off, yy - oh / 2), (x + off, yh + hh / 2), color="grad")
        text(ax, x + off + 0.05, yh - hh / 2 - 0.2, labels[f"d_{k}"], color="grad", ha="left")
    # The labels of the backward path at step t.
    xt = xs[1]
    text(ax, xt + off + 0.1, (yl + yy) / 2, labels["dL_dy"], color="grad", ha="left")
    text(ax, xt + off + 0.1, (yy + yh) / 2 + 0.05, labels["to_h"], color="grad", ha="left")
    # Between the steps: h_{t-1} -> h_t forward, delta back through J^T.
    for i in (1, 2):
        left, right = xs[i - 1] + hw / 2, xs[i] - hw / 2
        mid = (left + right) / 2
        arrow(ax, (left, f_y), (right, f_y))
        text(ax, mid, f_y + 0.17, labels[f"J_{keys[i]}"])
        arrow(ax, (right, b_y), (left, b_y), color="grad")
        text(ax, mid, b_y - 0.2, labels[f"back_{keys[i]}"], color="grad")
    # The ends: from h_{t-2} and on to h_T.
    left_end, right_end = xs[0] - hw / 2, xs[2] + hw / 2
    arrow(ax, (0.35, f_y), (left_end, f_y))
    arrow(ax, (left_end, b_y), (0.35, b_y), color="grad")
    text(ax, 0.2, yh, labels["more"])
    arrow(ax, (right_end, f_y), (6.25, f_y))
    arrow(ax, (6.25, b_y), (right_end, b_y), color="grad")
    text(ax, 6.42, yh, labels["more"])
    # The equations the picture draws.
    text(ax, 3.3, 0.62, labels["recursion"], color="grad")
    text(ax, 3.3, 0.22, labels["product"])
    return fig
