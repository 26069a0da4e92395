"""Chapter 3: truncated BPTT. The series is cut into chunks of K steps; the hidden state is
carried across each border, the gradient flows back only inside its chunk and is cut
(detached) at the border, and each chunk makes one optimizer step."""

from __future__ import annotations

from _draw import arrow, band, box, canvas, line, text

LABELS = {
    "chunk_1": "chunk 1 ($K$ steps)", "chunk_2": "chunk 2", "chunk_3": "chunk 3",
    "first_1": "$1$", "last_1": "$K$",
    "first_2": "$K+1$", "last_2": "$2K$",
    "first_3": "$2K+1$", "last_3": "$3K$",
    "h_0": "$h_0 = 0$",
    "carried": "carried",
    "detach": "detach",
    "step": "one optimizer step",
    "legend_state": "hidden state: carried forward, the whole history",
    "legend_grad": "gradient: back through its own chunk only",
    "legend_cut": "detach after each update: the graph is cut here",
    "legend_reset": "each epoch starts again from $h_0 = 0$",
}

K_DRAWN = 4  # steps drawn per chunk


def cross(ax, x, y, size=0.09):
    """A cut mark: an X in the cut colour."""
    line(ax, [x - size, x + size], [y - size, y + size], color="cut", lw=2.2)
    line(ax, [x - size, x + size], [y + size, y - size], color="cut", lw=2.2)


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 3.75)
    row, lane = 2.8, 2.1                 # the cells' centre line; the gradient lane
    cell, pitch, border = 0.28, 0.4, 0.85  # cell size, step spacing, last-to-first distance
    span = (K_DRAWN - 1) * pitch
    starts = [0.95 + c * (span + border) for c in range(3)]
    # Reset: the first chunk starts from h_0 = 0.
    text(ax, 0.32, row + 0.3, labels["h_0"], color="state")
    arrow(ax, (0.2, row), (starts[0] - cell / 2, row), color="state", lw=2.0)
    for c, x0 in enumerate(starts, start=1):
        x1 = x0 + span
        band(ax, x0 - 0.27, lane - 0.55, x1 + 0.27, row + 0.75, fill="panel")
        text(ax, (x0 + x1) / 2, row + 0.58, labels[f"chunk_{c}"], color="muted")
        text(ax, x0, row + 0.3, labels[f"first_{c}"], size=10)
        text(ax, x1, row + 0.3, labels[f"last_{c}"], size=10)
        for i in range(K_DRAWN):
            x = x0 + i * pitch
            box(ax, x, row, cell, cell, edge="state", fill="paper", rounded=False)
            if i:
                arrow(ax, (x - pitch + cell / 2, row), (x - cell / 2, row), lw=1.1)
        # The gradient goes back from the chunk's last step to its first, and no further.
        arrow(ax, (x1 + cell / 2, lane), (x0 - cell / 2, lane), color="grad", lw=1.8)
        line(ax, [x1, x1], [row - cell / 2, lane], color="grad", lw=1.0, ls=":")
        line(ax, [x0, x0], [row - cell / 2, lane], color="grad", lw=1.0, ls=":")
        text(ax, (x0 + x1) / 2, lane - 0.3, labels["step"], color="muted", size=10)
        if c < 3:  # the border to the next chunk: state carried, gradient cut
            nxt = x1 + border
            mid = (x1 + nxt) / 2
            arrow(ax, (x1 + cell / 2, row), (nxt - cell / 2, row), color="state", lw=2.0)
            text(ax, mid, row - 0.3, labels["carried"], color="state", size=10)
            cross(ax, mid, lane)
            text(ax, mid, lane - 0.3, labels["detach"], color="cut", size=10)
    # Legend.
    ly, lx = 1.15, 0.35
    arrow(ax, (lx, ly), (lx + 0.45, ly), color="state", lw=2.0)
    text(ax, lx + 0.6, ly, labels["legend_state"], color="state", ha="left")
    arrow(ax, (lx + 0.45, ly - 0.3), (lx, ly - 0.3), color="grad", lw=1.8)
    text(ax, lx + 0.6, ly - 0.3, labels["legend_grad"], color="grad", ha="left")
    cross(ax, lx + 0.22, ly - 0.6)
    text(ax, lx + 0.6, ly - 0.6, labels["legend_cut"], color="cut", ha="left")
    text(ax, lx + 0.6, ly - 0.9, labels["legend_reset"], color="muted", ha="left")
    return fig
