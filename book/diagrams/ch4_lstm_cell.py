"""Chapter 4: one step of an LSTM cell, its three gates, its candidate and its two states.

The cell state runs along the top, changed only by a product with f_t and a sum with
i_t ⊙ g_t; the gates and the candidate read x_t and h_{t-1} from the bottom.
"""

from __future__ import annotations

from _draw import arrow, band, box, canvas, line, node, state_line, text

LABELS = {
    "c_prev": "$c_{t-1}$",
    "c_t": "$c_t$",
    "h_prev": "$h_{t-1}$",
    "h_t": "$h_t$",
    "x_t": "$x_t$",
    "highway": "cell state: scaled by $f_t$, added to, never squashed",
    "sigma": r"$\sigma$",
    "tanh": r"$\tanh$",
    "times": r"$\odot$",
    "plus": "$+$",
    "f_t": "$f_t$",
    "i_t": "$i_t$",
    "g_t": "$g_t$",
    "o_t": "$o_t$",
    "forget": "forget gate",
    "input": "input gate",
    "candidate": "candidate",
    "output": "output gate",
    "kept": r"$f_t \odot c_{t-1}$",
    "written": r"$i_t \odot g_t$",
    "squashed": r"$\tanh(c_t)$",
}


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 4.3)
    top, gy, bus = 3.45, 1.75, 1.05   # cell-state line, gate boxes, input bus
    gw, gh = 0.56, 0.46               # gate box size
    xf, xi, xg, xo, xh = 1.65, 2.7, 3.8, 4.7, 5.45  # columns: f, i, g, o, output
    xp = (xi + xg) / 2                # the + on the cell-state line, above i ⊙ g
    mid = 2.6                         # height of i ⊙ g and of tanh(c_t)
    # The cell.
    band(ax, 0.85, 0.62, 6.12, 3.72, fill="panel", edge="muted")
    # The cell-state highway along the top.
    text(ax, 0.12, top, labels["c_prev"], color="state", ha="left")
    state_line(ax, top, 0.62, [(xf, labels["times"]), (xp, labels["plus"])], 6.25)
    text(ax, 6.3, top, labels["c_t"], color="state", ha="left")
    text(ax, 3.45, 4.0, labels["highway"], color="state", size=10)
    text(ax, (xf + xp) / 2, top - 0.22, labels["kept"], color="state", size=10)
    # Inputs: h_{t-1} from the left, x_t from below, joined into one bus.
    text(ax, 0.12, bus, labels["h_prev"], color="state", ha="left")
    line(ax, [0.7, 1.1], [bus, bus], color="state", lw=1.5)
    text(ax, 1.1, 0.2, labels["x_t"], color="input")
    line(ax, [1.1, 1.1], [0.38, bus], color="input", lw=1.5)
    node(ax, 1.1, bus, r=0.045, edge="ink", fill="ink")
    line(ax, [1.1, xo], [bus, bus], color="ink", lw=1.5)
    # Three gates and the candidate.
    for x, key, fn, word in ((xf, "f_t", "sigma", "forget"), (xi, "i_t", "sigma", "input"),
                             (xg, "g_t", "tanh", "candidate"), (xo, "o_t", "sigma", "output")):
        arrow(ax, (x, bus), (x, gy - gh / 2))
        box(ax, x, gy, gw, gh, labels[fn], fill="paper")
        text(ax, x, 0.8, labels[word], color="muted", size=10)
    # f_t scales the old memory.
    arrow(ax, (xf, gy + gh / 2), (xf, top - 0.16))
    text(ax, xf + 0.08, 2.45, labels["f_t"], ha="left")
    # i_t ⊙ g_t is added to it.
    node(ax, xp, mid, labels["times"])
    arrow(ax, (xi, gy + gh / 2), (xp - 0.16, mid), path=[(xi, mid)])
    arrow(ax, (xg, gy + gh / 2), (xp + 0.16, mid), path=[(xg, mid)])
    text(ax, xi - 0.08, 2.2, labels["i_t"], ha="right")
    text(ax, xg + 0.08, 2.2, labels["g_t"], ha="left")
    arrow(ax, (xp, mid + 0.16), (xp, top - 0.16))
    text(ax, xp + 0.08, 3.0, labels["written"], ha="left", size=10)
    # h_t = o_t ⊙ tanh(c_t), out to the right.
    box(ax, xh, mid, 0.56, 0.36, labels["tanh"], fill="paper", edge="muted")
    arrow(ax, (xh, top), (xh, mid + 0.18), color="state")
    node(ax, xh, gy, labels["times"])
    arrow(ax, (xh, mid - 0.18), (xh, gy + 0.16))
    text(ax, xh + 0.08, 2.12, labels["squashed"], ha="left", size=10)
    arrow(ax, (xo + gw / 2, gy), (xh - 0.16, gy))
    text(ax, (xo + gw / 2 + xh - 0.16) / 2, gy + 0.17, labels["o_t"])
    arrow(ax, (xh, gy - 0.16), (6.25, bus), color="state", path=[(xh, bus)])
    text(ax, 6.3, bus, labels["h_t"], color="state", ha="left")
    return fig
