"""Draw the book's diagrams into book/figures/ as SVG, or check that they are up to date.

    python book/diagrams/book_diagrams.py              write book/figures/NAME.svg for every diagram
    python book/diagrams/book_diagrams.py --check      fail if a committed SVG differs from its code
    python book/diagrams/book_diagrams.py --png DIR    also write NAME.png previews into DIR

``make diagrams`` runs the first; tests/test_diagrams.py does what ``--check`` does.

One diagram is one module ``book/diagrams/chN_name.py`` with two names:

* ``LABELS``: every text the picture shows, in one dict (the Korean edition translates it);
* ``draw(labels) -> Figure``: the picture, drawn with the primitives of ``_draw.py`` and
  with no text that does not come from ``labels``.

Its SVG is ``book/figures/chN_name.svg``, shown in chapter N by a ``{figure}`` directive.
Each translated edition has its own drawing, ``chN_name.<language>.svg`` (Sphinx shows it
in that edition in place of the English one), with the labels of the catalog
``book/locale/<language>/LC_MESSAGES/diagrams.po``, whose messages have ``chN_name.key``
as their context (book/translations.py writes them).
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
FIGURES = HERE.parent / "figures"
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _draw import language, png_preview, svg_bytes

LOCALE = HERE.parents[1] / "book" / "locale"
# The translated editions' languages; English (None) is drawn from LABELS alone.
LANGUAGES = (None, "ko")


def diagrams() -> dict[str, ModuleType]:
    """Every diagram module, by name (``ch1_unrolled``), in chapter order."""
    found = {}
    for path in sorted(HERE.glob("ch[0-9]*_*.py")):
        module = importlib.import_module(path.stem)
        for attr in ("LABELS", "draw"):
            if not hasattr(module, attr):
                raise AttributeError(f"{path.name} has no {attr}: see book_diagrams.py's docstring")
        found[path.stem] = module
    return found


def translated_labels(module: ModuleType, code: str) -> dict[str, str]:
    """The diagram's labels in language ``code``: each label's translation in the catalog,
    or the English label where there is none (only math, or not yet translated)."""
    from babel.messages.pofile import read_po

    with (LOCALE / code / "LC_MESSAGES" / "diagrams.po").open("rb") as f:
        catalog = read_po(f)
    labels = dict(module.LABELS)
    for key, label in labels.items():
        message = catalog.get(label, context=f"{module.__name__}.{key}")
        if message is not None and message.string and not message.fuzzy:
            labels[key] = message.string
    return labels


def svg_path(name: str, code: str | None = None) -> Path:
    """Where the diagram's SVG in language ``code`` is committed."""
    return FIGURES / (f"{name}.svg" if code is None else f"{name}.{code}.svg")


def render(module: ModuleType, labels: dict[str, str] | None = None,
           preview: Path | None = None, code: str | None = None) -> bytes:
    """The SVG of one diagram, with its own labels unless ``labels`` replaces them, or with
    those of language ``code``."""
    if labels is None:
        labels = module.LABELS if code is None else translated_labels(module, code)
    with language(code):
        fig = module.draw(dict(labels))
        if preview is not None:
            png_preview(fig, preview)
        return svg_bytes(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--png", type=Path, help="folder for PNG previews")
    parser.add_argument("names", nargs="*", help="only these diagrams")
    args = parser.parse_args(argv)
    stale = []
    for (name, module), code in itertools.product(diagrams().items(), LANGUAGES):
        if args.names and name not in args.names:
            continue
        target = svg_path(name, code)
        preview = None
        if args.png:
            args.png.mkdir(parents=True, exist_ok=True)
            preview = args.png / target.with_suffix(".png").name
        svg = render(module, preview=preview, code=code)
        if args.check:
            if not target.is_file() or target.read_bytes() != svg:
                stale.append(target.name)
            continue
        FIGURES.mkdir(exist_ok=True)
        if not target.is_file() or target.read_bytes() != svg:
            target.write_bytes(svg)
            print(f"wrote {target.relative_to(HERE.parents[1])}")
    if stale:
        print("out of date (run `make diagrams`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
