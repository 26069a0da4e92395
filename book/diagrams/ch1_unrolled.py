"""Chapter 1: an RNN in its folded loop form and unrolled over three time steps."""

from __future__ import annotations

from _draw import arrow, box, canvas, line, text

LABELS = {
    "folded": "folded",
    "unrolled": "unrolled over time",
    "unfold": "unfold",
    "cell": "cell",
    "x_t": "$x_t$",
    "h_t": "$h_t$",
    "y_t": r"$\hat y_t$",
    "h_0": "$h_0$",
    "x_1": "$x_1$", "x_2": "$x_2$", "x_3": "$x_3$",
    "h_1": "$h_1$", "h_2": "$h_2$", "h_3": "$h_3$",
    "y_1": r"$\hat y_1$", "y_2": r"$\hat y_2$", "y_3": r"$\hat y_3$",
    "W_xh": "$W_{xh}$", "W_hh": "$W_{hh}$", "W_hy": "$W_{hy}$",
    "more": "…",
    "shared": "the same $W_{xh}$, $W_{hh}$, $W_{hy}$ at every step",
}


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 3.3)
    cy, w, h = 1.8, 0.75, 0.55  # cells' centre line and size
    # Folded form: one cell whose output state comes back as its next input.
    fx = 1.2
    text(ax, fx, 3.15, labels["folded"], color="muted")
    box(ax, fx, cy, w, h, labels["cell"])
    arrow(ax, (fx, 0.75), (fx, cy - h / 2), color="input")
    text(ax, fx, 0.58, labels["x_t"], color="input")
    text(ax, fx - 0.08, 1.15, labels["W_xh"], color="input", ha="right", size=10)
    arrow(ax, (fx, cy + h / 2), (fx, 2.7), color="output")
    text(ax, fx, 2.88, labels["y_t"], color="output")
    text(ax, fx + 0.08, 2.4, labels["W_hy"], color="output", ha="left", size=10)
    # The loop: h_t leaves on the right and comes back in at the bottom, beside x_t.
    lx, ly, back = fx + w / 2 + 0.3, cy - h / 2 - 0.3, fx + 0.22
    arrow(ax, (fx + w / 2, cy), (back, cy - h / 2), color="state",
          path=[(lx, cy), (lx, ly), (back, ly)])
    text(ax, fx + w / 2 + 0.15, cy + 0.16, labels["h_t"], color="state")
    text(ax, lx + 0.06, (cy + ly) / 2, labels["W_hh"], color="state", ha="left", size=10)
    # The unfolding.
    arrow(ax, (2.2, cy), (2.6, cy), color="muted", lw=1.0)
    text(ax, 2.4, cy + 0.2, labels["unfold"], color="muted", size=10)
    # Unrolled: the same cell at t = 1, 2, 3.
    text(ax, 4.65, 3.15, labels["unrolled"], color="muted")
    xs = [3.52, 4.7, 5.88]
    text(ax, 2.85, cy, labels["h_0"], color="state")
    prev = 3.02
    for k, x in enumerate(xs, start=1):
        box(ax, x, cy, w, h, labels["cell"])
        arrow(ax, (prev, cy), (x - w / 2, cy), color="state")
        if k > 1:
            text(ax, (prev + x - w / 2) / 2, cy + 0.16, labels[f"h_{k - 1}"], color="state")
            text(ax, (prev + x - w / 2) / 2, cy - 0.17, labels["W_hh"], color="state", size=10)
        arrow(ax, (x, 0.75), (x, cy - h / 2), color="input")
        text(ax, x, 0.58, labels[f"x_{k}"], color="input")
        text(ax, x + 0.08, 1.15, labels["W_xh"], color="input", ha="left", size=10)
        arrow(ax, (x, cy + h / 2), (x, 2.7), color="output")
        text(ax, x, 2.88, labels[f"y_{k}"], color="output")
        text(ax, x + 0.08, 2.4, labels["W_hy"], color="output", ha="left", size=10)
        prev = x + w / 2
    line(ax, [prev, prev + 0.12], [cy, cy], color="state")
    text(ax, prev + 0.24, cy, labels["more"], color="state")
    text(ax, prev + 0.16, cy + 0.16, labels[f"h_{len(xs)}"], color="state")
    text(ax, 3.3, 0.12, labels["shared"], color="muted", va="bottom")
    return fig
