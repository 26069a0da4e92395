"""Drawing primitives shared by the book's diagrams (book/diagrams/ch*.py).

A diagram is a matplotlib figure whose axes fill it, with one data unit per inch: a box at
``(x, y)`` of width ``w`` is ``w`` inches wide on the page. Text is set at 10 pt or more
and written into the SVG as paths, so the picture looks the same in every browser. The
figure has an opaque white background, so it reads the same on the site's light and dark
pages (where the theme sets images on a light card), in Colab's dark theme and in GitHub's.

Every colour comes from ``PALETTE``; tests/test_diagrams.py checks that each one used for
text has a contrast of at least 4.5:1 (WCAG AA) against the background.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

# One meaning per colour, in every diagram.
PALETTE = {
    "paper": "#ffffff",   # background
    "ink": "#1b1b1b",     # text, outlines, the forward pass
    "muted": "#555555",   # secondary text, shapes, time axes
    "panel": "#eef2f7",   # fill of boxes (cells, layers)
    "input": "#1f5fa8",   # inputs x_t and input weights
    "state": "#1b6e35",   # hidden and cell states h_t, c_t (what is carried)
    "output": "#6a3d9a",  # outputs, predictions, losses
    "grad": "#a04000",    # gradients, the backward pass
    "cut": "#b3261e",     # what is cut, detached or leaks
    "train": "#d6e4f5",   # fill: training data
    "valid": "#fbe3c8",   # fill: validation data
    "test": "#e9d8f3",    # fill: test data
    "unused": "#f2f2f2",  # fill: data not used
}
TEXT_COLOURS = ("ink", "muted", "input", "state", "output", "grad", "cut")
FILLS = ("paper", "panel", "train", "valid", "test", "unused")
FONT_SIZE = 11  # pt; never below 10
RC = {
    "svg.fonttype": "path",
    "svg.hashsalt": "rnn-book-diagrams",  # fixed ids, so a rebuild gives the same bytes
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": FONT_SIZE,
}

# DejaVu Sans has no Hangul: a Korean diagram's text is set in NanumGothic, which the
# koreanize-matplotlib package ships (requirements.txt pins it, so every machine draws the
# same bytes), with DejaVu Sans behind it. NanumGothic comes first because the words of a
# label with math in it are set by mathtext in the first family only.
# Language -> (font family, package, font file).
LANGUAGE_FONTS = {"ko": ("NanumGothic", "koreanize_matplotlib", "fonts/NanumGothic.ttf")}


@contextmanager
def language(code: str | None) -> Iterator[None]:
    """Draw in ``code``'s language: its font, then DejaVu Sans (``None``: English)."""
    if code is None:
        yield
        return
    if code not in LANGUAGE_FONTS:
        raise ValueError(f"language={code!r}: expected None or one of {sorted(LANGUAGE_FONTS)}")
    family, package, file = LANGUAGE_FONTS[code]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} (its {family} font draws the {code} diagrams): "
                                  "pip install -r requirements.txt")
    font_manager.fontManager.addfont(str(Path(spec.submodule_search_locations[0]) / file))
    english = RC["font.family"]
    RC["font.family"] = [family, english]
    try:
        yield
    finally:
        RC["font.family"] = english


def colour(name: str) -> str:
    """A palette colour by name (``"ink"``, ``"grad"``, ...) or a literal ``#rrggbb``."""
    return PALETTE.get(name, name)


def canvas(width: float, height: float) -> tuple[Figure, plt.Axes]:
    """A ``width`` x ``height`` inch figure with axes in inches, origin bottom left."""
    with plt.rc_context(RC):
        fig = plt.figure(figsize=(width, height), facecolor=PALETTE["paper"])
        ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def text(ax: plt.Axes, x: float, y: float, s: str, *, color: str = "ink",
         size: float = FONT_SIZE, ha: str = "center", va: str = "center", **kw) -> None:
    """Text centred on ``(x, y)`` unless ``ha``/``va`` say otherwise."""
    if size < 10:
        raise ValueError(f"size={size} pt: the book sets no text below 10 pt")
    with plt.rc_context(RC):
        ax.text(x, y, s, color=colour(color), fontsize=size, ha=ha, va=va, zorder=5, **kw)


def box(ax: plt.Axes, x: float, y: float, w: float, h: float, s: str = "", *,
        edge: str = "ink", fill: str = "panel", color: str = "ink", lw: float = 1.2,
        ls: str = "-", rounded: bool = True, size: float = FONT_SIZE, **kw) -> None:
    """A box centred on ``(x, y)``, ``w`` x ``h`` inches, with ``s`` written in it."""
    style = "round,pad=0,rounding_size=0.08" if rounded else "square,pad=0"
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=style,
                                ec=colour(edge), fc=colour(fill), lw=lw, ls=ls, zorder=2))
    if s:
        text(ax, x, y, s, color=color, size=size, **kw)


def band(ax: plt.Axes, x0: float, y0: float, x1: float, y1: float, *, fill: str = "panel",
         edge: str = "none", lw: float = 1.0, hatch: str | None = None) -> None:
    """A plain rectangle from ``(x0, y0)`` to ``(x1, y1)``: a stretch of data on a time axis."""
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fc=colour(fill), ec=colour(edge),
                           lw=lw, hatch=hatch, zorder=1))


def node(ax: plt.Axes, x: float, y: float, s: str = "", *, r: float = 0.16,
         edge: str = "ink", fill: str = "paper", color: str = "ink", lw: float = 1.2,
         size: float = FONT_SIZE) -> None:
    """A circle of radius ``r`` centred on ``(x, y)``: an operation such as + or ⊙."""
    ax.add_patch(Circle((x, y), r, ec=colour(edge), fc=colour(fill), lw=lw, zorder=3))
    if s:
        text(ax, x, y, s, color=color, size=size)


def arrow(ax: plt.Axes, start: Sequence[float], end: Sequence[float], *, color: str = "ink",
          lw: float = 1.3, ls: str = "-", rad: float = 0.0, head: str = "-|>",
          shrink: float = 0.0, path: Sequence[Sequence[float]] | None = None) -> None:
    """An arrow from ``start`` to ``end``: straight, bent by ``rad`` (an arc), or along the
    corner points ``path`` (a polyline whose last segment carries the head)."""
    points = [tuple(start), *(tuple(p) for p in path or ()), tuple(end)]
    for a, b in itertools.pairwise(points[:-1]):
        ax.plot([a[0], b[0]], [a[1], b[1]], color=colour(color), lw=lw, ls=ls, zorder=1,
                solid_capstyle="butt")
    ax.add_patch(FancyArrowPatch(
        points[-2], points[-1], arrowstyle=f"{head},head_length=0.35,head_width=0.18"
        if head != "-" else "-", connectionstyle=f"arc3,rad={rad}", color=colour(color),
        lw=lw, ls=ls, shrinkA=shrink if len(points) == 2 else 0, shrinkB=shrink,
        mutation_scale=12, zorder=4))


def state_line(ax: plt.Axes, y: float, x0: float, stops: Sequence[tuple[float, str]],
               x1: float, *, r: float = 0.16, lw: float = 3.2) -> None:
    """The thick state path of a gated cell (chapter 4): from ``x0`` to ``x1`` at height
    ``y``, through one operation node per ``(x, symbol)`` of ``stops``."""
    start = x0
    for x, symbol in stops:
        arrow(ax, (start, y), (x - r - 0.01, y), color="state", lw=lw)
        node(ax, x, y, symbol, r=r, edge="state")
        start = x + r + 0.01
    arrow(ax, (start, y), (x1, y), color="state", lw=lw)


def line(ax: plt.Axes, xs: Sequence[float], ys: Sequence[float], *, color: str = "ink",
         lw: float = 1.2, ls: str = "-") -> None:
    """A plain polyline (no head)."""
    ax.plot(list(xs), list(ys), color=colour(color), lw=lw, ls=ls, zorder=1)


def svg_bytes(fig: Figure) -> bytes:
    """The figure as SVG, byte for byte the same on every run (no date, fixed ids)."""
    buffer = io.BytesIO()
    with plt.rc_context(RC):
        fig.savefig(buffer, format="svg", facecolor=fig.get_facecolor(),
                    metadata={"Date": None, "Creator": "book/diagrams (matplotlib)"})
    plt.close(fig)
    return buffer.getvalue()


def png_preview(fig: Figure, path: Path, dpi: int = 110) -> None:
    """A PNG of the figure, to look at while drawing (not committed)."""
    with plt.rc_context(RC):
        fig.savefig(path, format="png", dpi=dpi, facecolor=fig.get_facecolor())
