"""Chapter 2: the batch_first layout (batch, time, features) of an nn.RNN's input, the slice
x[:, t] one step reads, and the shapes of the two outputs, output and h_n."""

from __future__ import annotations

from _draw import box, canvas, line, text

LABELS = {
    "x_title": "input x: (batch, time, features)",
    "out_title": "output: (batch, time, $n_h$)",
    "out_sub": "the top layer's $h_t$ at every step",
    "hn_title": "h_n: ($D$, batch, $n_h$)",
    "hn_sub": "every layer, last step",
    "batch": "batch ($B$)",
    "step": "step",
    "layer": "layer",
    "features": "features ($n_x$)",
    "hidden": "$n_h$",
    "col_1": "1", "col_2": "2", "col_more": "…", "col_t": "$t$", "col_T": "$T$",
    "layer_1": "1", "layer_D": "$D$",
    "slice": "x[:, t]",
    "slice_is": "$= x_t$, what step $t$ reads",
    "slice_shape": "(batch, $n_x$)",
    "same": "output[:, -1] = h_n[-1]",
}
C, DX, DY = 0.34, 0.22, 0.16   # a cell's side and the depth offset of the feature axis


def block(ax, x0, y0, cols, rows, hi, hi_colour):
    """A (rows x cols) grid of cells seen from the front, its depth drawn in outline; the
    columns in ``hi`` are outlined in ``hi_colour``. Returns the cells' centres by column."""
    x1, y1 = x0 + cols * C, y0 + rows * C
    for k in range(cols + 1):                       # the top face
        line(ax, [x0 + k * C, x0 + k * C + DX], [y1, y1 + DY], color="muted", lw=1.0)
    for j in range(rows + 1):                       # the right face
        line(ax, [x1, x1 + DX], [y0 + j * C, y0 + j * C + DY], color="muted", lw=1.0)
    line(ax, [x0 + DX, x1 + DX, x1 + DX], [y1 + DY, y1 + DY, y0 + DY], color="muted", lw=1.0)
    centres = []
    for k in range(cols):
        xc = x0 + (k + 0.5) * C
        centres.append(xc)
        for j in range(rows):
            box(ax, xc, y0 + (j + 0.5) * C, C, C, rounded=False, lw=1.0,
                fill="panel" if k in hi else "paper", edge=hi_colour if k in hi else "muted")
    for k in hi:
        xa = x0 + k * C
        box(ax, xa + C / 2, (y0 + y1) / 2, C, rows * C, rounded=False, fill="none",
            edge=hi_colour, lw=2.4)
        line(ax, [xa, xa + DX, xa + C + DX, xa + C], [y1, y1 + DY, y1 + DY, y1],
             color=hi_colour, lw=2.0)
    return centres


def draw(labels: dict[str, str]):
    fig, ax = canvas(6.6, 4.9)
    small = {"color": "muted", "size": 10}
    mono = {"family": "DejaVu Sans Mono"}
    cols = ["col_1", "col_2", "col_more", "col_t", "col_more", "col_T"]
    rows = 3
    # The input block, with the slice of step t.
    x0, y0 = 0.95, 2.95
    text(ax, 0.15, 4.7, labels["x_title"], ha="left")
    xs = block(ax, x0, y0, len(cols), rows, [3], "input")
    for xc, name in zip(xs, cols):
        text(ax, xc + DX / 2, y0 + rows * C + DY + 0.17, labels[name], **small)
    text(ax, x0 - 0.1, y0 + rows * C + DY + 0.17, labels["step"], ha="right", **small)
    text(ax, x0 - 0.2, y0 + rows * C / 2, labels["batch"], rotation=90, **small)
    right = x0 + len(cols) * C + DX
    text(ax, right + 0.08, y0 + rows * C + DY / 2 + 0.04, labels["features"], ha="left",
         **small)
    text(ax, right + 0.35, 3.62, labels["slice"], ha="left", color="input", **mono)
    text(ax, right + 0.35, 3.3, labels["slice_is"], ha="left", color="input")
    text(ax, right + 0.35, 3.0, labels["slice_shape"], ha="left", **small)
    # nn.RNN's output: the top layer at every step.
    y0 = 0.6
    text(ax, 0.15, 2.5, labels["out_title"], ha="left")
    text(ax, 0.15, 2.22, labels["out_sub"], ha="left", **small)
    xs = block(ax, x0, y0, len(cols), rows, [len(cols) - 1], "state")
    for xc, name in zip(xs, cols):
        text(ax, xc + DX / 2, y0 + rows * C + DY + 0.17, labels[name], **small)
    text(ax, x0 - 0.1, y0 + rows * C + DY + 0.17, labels["step"], ha="right", **small)
    text(ax, x0 - 0.2, y0 + rows * C / 2, labels["batch"], rotation=90, **small)
    text(ax, x0 + len(cols) * C + DX + 0.08, y0 + rows * C + DY / 2 + 0.04,
         labels["hidden"], ha="left", **small)
    # h_n: every layer at the last step.
    hx = 4.75
    text(ax, 4.2, 2.5, labels["hn_title"], ha="left")
    text(ax, 4.2, 2.22, labels["hn_sub"], ha="left", **small)
    ls = block(ax, hx, y0, 2, rows, [1], "state")
    for xc, name in zip(ls, ["layer_1", "layer_D"]):
        text(ax, xc + DX / 2, y0 + rows * C + DY + 0.17, labels[name], **small)
    text(ax, hx - 0.1, y0 + rows * C + DY + 0.17, labels["layer"], ha="right", **small)
    text(ax, hx + 2 * C + DX + 0.08, y0 + rows * C + DY / 2 + 0.04, labels["hidden"],
         ha="left", **small)
    # The last column of output is the top layer of h_n.
    line(ax, [xs[-1], xs[-1], ls[-1], ls[-1]], [y0, 0.38, 0.38, y0], color="state", ls="--")
    text(ax, (xs[-1] + ls[-1]) / 2, 0.17, labels["same"], color="state", **mono)
    return fig
