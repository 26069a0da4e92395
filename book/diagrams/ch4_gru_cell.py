"""Chapter 4: one step of a GRU cell in torch's form, as the chapter writes it.

h_t = (1 - z_t) ⊙ h~_t + z_t ⊙ h_{t-1} along the top; the reset gate r_t multiplies
W_hn h_{t-1} + b_hn, after the product, before x_t's part is added and tanh is taken.
"""

from __future__ import annotations

from _draw import arrow, band, box, canvas, line, node, state_line, text

LABELS = {
    "h_prev": "$h_{t-1}$",
    "h_t": "$h_t$",
    "x_t": "$x_t$",
    "top": r"hidden state: a mix of $h_{t-1}$ and $\tilde h_t$, weighted by $z_t$",
    "sigma": r"$\sigma$",
    "tanh": r"$\tanh$",
    "times": r"$\odot$",
    "plus": "$+$",
    "one_minus": "$1 -$",
    "z_t": "$z_t$",
    "r_t": "$r_t$",
    "one_minus_z": "$1 - z_t$",
    "h_tilde": r"$\tilde h_t$",
    "W_hn": r"$W_{hn} h_{t-1} + b_{hn}$",
    "W_xn": r"$W_{xn} x_t + b_{xn}$",
    "update": "update gate",
    "reset": "reset gate",
    "candidate": "candidate",
    "kept": r"$z_t \odot h_{t-1}$",
    "new": r"$(1 - z_t) \odot \tilde h_t$",
}


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 4.65)
    top, mix, cand, gy = 3.7, 3.1, 2.45, 1.7  # heights: state line, (1-z)⊙h~, candidate, gates
    hy, xy = 1.12, 0.78                       # the h_{t-1} line and the x_t line
    gw, gh = 0.5, 0.46
    xz, xr, xhn, xxn, xo = 1.55, 2.45, 3.45, 4.7, 5.6  # columns
    xs = (xhn + xxn) / 2                     # the + inside the candidate
    band(ax, 0.85, 0.2, 6.12, 4.1, fill="panel", edge="muted")
    # h_{t-1} along the top, and down to the gates and the candidate.
    text(ax, 0.12, top, labels["h_prev"], color="state", ha="left")
    state_line(ax, top, 0.72, [(xz, labels["times"]), (xo, labels["plus"])], 6.25)
    text(ax, 6.3, top, labels["h_t"], color="state", ha="left")
    text(ax, 3.45, 4.4, labels["top"], color="state", size=10)
    text(ax, 3.3, top + 0.2, labels["kept"], color="state", size=10)
    node(ax, 1.05, top, r=0.045, edge="state", fill="state")
    line(ax, [1.05, 1.05, xhn], [top, hy, hy], color="state", lw=1.5)
    # x_t from below.
    text(ax, 0.12, xy, labels["x_t"], color="input", ha="left")
    line(ax, [0.5, xxn], [xy, xy], color="input", lw=1.5)
    # The update and reset gates read both.
    for x, key, word in ((xz, "z_t", "update"), (xr, "r_t", "reset")):
        node(ax, x - 0.1, hy, r=0.04, edge="state", fill="state")
        arrow(ax, (x - 0.1, hy), (x - 0.1, gy - gh / 2), color="state")
        node(ax, x + 0.1, xy, r=0.04, edge="input", fill="input")
        arrow(ax, (x + 0.1, xy), (x + 0.1, gy - gh / 2), color="input")
        box(ax, x, gy, gw, gh, labels["sigma"], fill="paper")
    text(ax, xz, 0.42, labels["update"], color="muted", size=10)
    text(ax, xr + 0.1, 0.42, labels["reset"], color="muted", size=10)
    # z_t keeps h_{t-1}; 1 - z_t lets the candidate in.
    arrow(ax, (xz, gy + gh / 2), (xz, top - 0.16))
    text(ax, xz - 0.08, 2.3, labels["z_t"], ha="right")
    node(ax, xz, mix, r=0.04, edge="ink", fill="ink")
    box(ax, 2.45, mix, 0.5, 0.34, labels["one_minus"], fill="paper")
    line(ax, [xz, 2.2], [mix, mix])
    arrow(ax, (2.7, mix), (xo - 0.16, mix))
    text(ax, 3.2, mix + 0.16, labels["one_minus_z"])
    node(ax, xo, mix, labels["times"])
    arrow(ax, (xo, mix + 0.16), (xo, top - 0.16))
    # The candidate: r_t scales W_hn h_{t-1} + b_hn, then x_t's part is added, then tanh.
    box(ax, xhn, gy, 1.05, gh, labels["W_hn"], fill="paper", size=10)
    arrow(ax, (xhn, hy), (xhn, gy - gh / 2), color="state")
    box(ax, xxn, gy, 0.95, gh, labels["W_xn"], fill="paper", size=10)
    arrow(ax, (xxn, xy), (xxn, gy - gh / 2), color="input")
    node(ax, xhn, cand, labels["times"])
    arrow(ax, (xhn, gy + gh / 2), (xhn, cand - 0.16))
    arrow(ax, (xr, gy + gh / 2), (xhn - 0.16, cand), path=[(xr, cand)])
    text(ax, xr - 0.08, 2.2, labels["r_t"], ha="right")
    node(ax, xxn, cand, labels["plus"])
    arrow(ax, (xhn + 0.16, cand), (xxn - 0.16, cand))
    arrow(ax, (xxn, gy + gh / 2), (xxn, cand - 0.16))
    box(ax, xo, cand, 0.56, 0.36, labels["tanh"], fill="paper")
    arrow(ax, (xxn + 0.16, cand), (xo - 0.28, cand))
    arrow(ax, (xo, cand + 0.18), (xo, mix - 0.16))
    text(ax, xo + 0.08, 2.8, labels["h_tilde"], ha="left")
    text(ax, xs, 0.42, labels["candidate"], color="muted", size=10)
    text(ax, xo - 0.08, 3.42, labels["new"], ha="right", size=10)
    return fig
