"""The book's diagrams: drawn by code (book/diagrams/), committed as SVG (book/figures/),
each shown once beside the text it explains, with alt text, a caption and a citation.

* The committed SVG is byte for byte what its module draws (``make diagrams`` writes it), so
  no picture is edited by hand or left behind by its code. This needs the pinned matplotlib
  (requirements.txt): other versions write other bytes, so ``make test-oldest`` leaves this
  file out.
* Every text a diagram shows comes from its ``LABELS`` dict, the one place of its words;
  every label is used. The Korean drawing (``NAME.ko.svg``) takes each label's translation
  from book/locale/ko/LC_MESSAGES/diagrams.po and passes the same checks.
* Text is 10 pt or more, inside the picture and not on top of other text; every colour of
  text has a contrast of 4.5:1 or more against the background and every fill (WCAG AA).
* Every chapter page has a diagram, the book at least seven.
"""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import matplotlib
import pytest
from chapter_usage import NOTEBOOKS, ROOT, chapter_number
from matplotlib.text import Text

matplotlib.use("Agg")
sys.path.insert(0, str(ROOT / "book" / "diagrams"))
import _draw
import book_diagrams as build

DIAGRAMS = build.diagrams()
NAMES = list(DIAGRAMS)
# Every drawing: (diagram, language), None for English.
DRAWINGS = list(itertools.product(NAMES, build.LANGUAGES))
MIN_DIAGRAMS = 7
COLUMN_INCHES = 6.6
FIGURE = re.compile(r"```\{figure\} \.\./book/figures/(?P<file>[\w-]+)\.svg\n(?P<body>.*?)\n```",
                    re.DOTALL)


def _figures_in_notebooks() -> dict[str, tuple[Path, dict[str, str], str]]:
    """Every ``{figure}`` directive showing a diagram: name -> (notebook, options, caption)."""
    import json

    found: dict[str, tuple[Path, dict[str, str], str]] = {}
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        for match in FIGURE.finditer(text):
            options = dict(re.findall(r"^:(\w+): *(.*)$", match["body"], re.MULTILINE))
            caption = re.sub(r"^:\w+:.*$", "", match["body"], flags=re.MULTILINE).strip()
            assert match["file"] not in found, f"{match['file']}.svg is shown twice"
            found[match["file"]] = (path, options, caption)
    return found


SHOWN = _figures_in_notebooks()


def _drawn(name: str, labels: dict[str, str] | None = None, code: str | None = None):
    """The diagram drawn with ``labels`` (its own, or language ``code``'s, by default), and
    its visible texts."""
    module = DIAGRAMS[name]
    if labels is None:
        labels = module.LABELS if code is None else build.translated_labels(module, code)
    with _draw.language(code):
        fig = module.draw(dict(labels))
        fig.canvas.draw()
    return fig, [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _drawn_with_sentinels(name: str):
    sentinels = {key: f"[{key}]" for key in DIAGRAMS[name].LABELS}
    return (*_drawn(name, sentinels), sentinels)


def _luminance(hex_colour: str) -> float:
    rgb = matplotlib.colors.to_rgb(hex_colour)
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1 (same) to 21 (black on white)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_matches_wcag_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_enough_diagrams_and_one_in_every_chapter():
    assert len(DIAGRAMS) >= MIN_DIAGRAMS, f"{len(DIAGRAMS)} diagrams, want >= {MIN_DIAGRAMS}"
    chapters = {chapter_number(p) for p in NOTEBOOKS}
    drawn = {int(re.match(r"ch(\d+)_", n)[1]) for n in DIAGRAMS}
    assert chapters <= drawn, f"chapters without a diagram: {sorted(chapters - drawn)}"


@pytest.mark.parametrize("name, code", DRAWINGS)
def test_committed_svg_is_what_the_code_draws(name, code):
    committed = build.svg_path(name, code)
    assert committed.is_file(), f"book/figures/{committed.name} missing: run `make diagrams`"
    assert committed.read_bytes() == build.render(DIAGRAMS[name], code=code), (
        f"book/figures/{committed.name} differs from what book/diagrams/{name}.py draws "
        f"(with the {code or 'English'} labels): run `make diagrams` and commit both")


def test_every_svg_has_its_code():
    svgs = {p.name for p in build.FIGURES.glob("*.svg")}
    drawn = {build.svg_path(name, code).name for name, code in DRAWINGS}
    assert svgs == drawn, (f"SVGs without a module: {sorted(svgs - drawn)}; "
                           f"drawings without an SVG: {sorted(drawn - svgs)}")


@pytest.mark.parametrize("name, code", DRAWINGS)
def test_svg_scales_and_has_an_opaque_background(name, code):
    svg = build.svg_path(name, code).read_text(encoding="utf-8")
    width = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg)[1])
    assert width <= COLUMN_INCHES * 72 + 0.01, f"{name}: {width} pt wider than the column"
    assert re.search(r'<svg[^>]* viewBox="0 0 [\d. ]+"', svg), f"{name}: no viewBox"
    background = re.search(r'<g id="patch_1">\s*<path d="[^"]*" style="([^"]*)"', svg)
    assert background and "fill: #ffffff" in background[1], (
        f"{name}: the first shape is not an opaque white background: {background}")
    assert "<image" not in svg, f"{name}: a raster image inside the SVG"


@pytest.mark.parametrize("name", NAMES)
def test_every_text_comes_from_the_labels(name):
    module = DIAGRAMS[name]
    labels = module.LABELS
    assert labels and all(isinstance(v, str) and v.strip() for v in labels.values()), (
        f"{name}: LABELS must map keys to non-empty strings")
    fig, texts, sentinels = _drawn_with_sentinels(name)
    typed = [t.get_text() for t in texts
             if not any(s in t.get_text() for s in sentinels.values())]
    assert not typed, f"{name}: texts not from LABELS (put them there): {typed}"
    shown = " ".join(t.get_text() for t in texts)
    unused = [k for k, s in sentinels.items() if s not in shown]
    assert not unused, f"{name}: labels never drawn: {unused}"
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("name, code", DRAWINGS)
def test_text_is_large_enough_inside_and_apart(name, code):
    fig, texts = _drawn(name, code=code)
    width = fig.get_size_inches()[0]
    assert width <= COLUMN_INCHES, f"{name}: {width} in wide, the column is {COLUMN_INCHES} in"
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 10]
    assert not small, f"{name}: text below 10 pt: {small}"
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    cut = [s for s, b in boxes if b.x0 < page.x0 - 0.5 or b.y0 < page.y0 - 0.5
           or b.x1 > page.x1 + 0.5 or b.y1 > page.y1 + 0.5]
    assert not cut, f"{name}: text cut at the edge of the picture: {cut}"
    overlapping = []
    for (s1, b1), (s2, b2) in itertools.combinations(boxes, 2):
        w = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
        h = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
        smaller = min(b1.width * b1.height, b2.width * b2.height)
        if w > 0 and h > 0 and w * h > 0.15 * smaller:
            overlapping.append((s1, s2))
    assert not overlapping, f"{name}: texts on top of each other: {overlapping}"
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("name", NAMES)
def test_text_colours_come_from_the_palette(name):
    allowed = {matplotlib.colors.to_hex(_draw.PALETTE[c]) for c in _draw.TEXT_COLOURS}
    fig, texts, _ = _drawn_with_sentinels(name)
    stray = {matplotlib.colors.to_hex(t.get_color()) for t in texts} - allowed
    assert not stray, f"{name}: text colours outside the palette's text colours: {stray}"
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize(("text_colour", "fill"),
                         list(itertools.product(_draw.TEXT_COLOURS, _draw.FILLS)))
def test_palette_text_reads_on_every_fill(text_colour, fill):
    ratio = contrast(_draw.PALETTE[text_colour], _draw.PALETTE[fill])
    assert ratio >= 4.5, f"{text_colour} on {fill}: contrast {ratio:.2f} < 4.5 (WCAG AA)"


@pytest.mark.parametrize("name", NAMES)
def test_shown_once_in_its_chapter_with_alt_caption_and_citation(name):
    assert name in SHOWN, (f"book/figures/{name}.svg is not shown by any chapter: add a "
                           "```{figure} ../book/figures/" + name + ".svg``` directive")
    path, options, caption = SHOWN[name]
    chapter = int(re.match(r"ch(\d+)_", name)[1])
    assert chapter_number(path) == chapter, f"{name} is shown in {path.name}"
    label = options.get("name", "")
    assert label.startswith(f"fig-ch{chapter}-"), (
        f"{name}: :name: {label!r}, want fig-ch{chapter}-...")
    alt = options.get("alt", "")
    assert len(alt.split()) >= 12, f"{name}: alt text too short to describe it: {alt!r}"
    assert len(caption.split()) >= 8, f"{name}: the caption should say what to see: {caption!r}"
    text = path.read_text(encoding="utf-8")
    assert "{numref}`" + label + "`" in text, f"{name}: the text never cites {{numref}}`{label}`"


def test_every_figure_directive_shows_a_diagram_that_exists():
    missing = [n for n in SHOWN if n not in DIAGRAMS]
    assert not missing, f"figures pointing at SVGs no module draws: {missing}"
