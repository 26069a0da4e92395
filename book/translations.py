"""The book's translations: its gettext catalogs and the configuration of a translated build.

    python book/translations.py update        extract the English messages, update book/locale/
                                              (and the glued words of the last `make book`)
    python book/translations.py config ko     print the Korean build's _config.yml

``make translations`` runs the first (see CONTRIBUTING.md, "The Korean edition: updating a
translation"); ``make book`` runs the second and builds the Korean site into
``_build/html/ko/``.

The catalogs are Sphinx's own (``book/locale/ko/LC_MESSAGES/<page>.po``, one per page),
``diagrams.po`` for the diagrams' labels and ``glue.po`` for the words a notebook computes
and glues into its text (a date, a model's name, a verdict). The English text stays the
only source: one message is one paragraph, heading, list item, table cell, caption or alt
text of a page, and the Korean build executes the same notebooks and swaps each message for
its translation.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from myst_nb.core.variables import format_plain_text

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "book" / "locale"
DIAGRAMS = ROOT / "book" / "diagrams"
BIN = Path(sys.executable).parent
# Units after a glued number (a measured time) are not words to translate.
UNITS = {"s", "ms", "us", "min", "h", "MB", "GB", "kB"}
# Where `make book` leaves each notebook's glue data (myst-nb's <page>.glue.json).
EXECUTED = ROOT / "_build" / "jupyter_execute"

# What a translated build changes in _config.yml, per language. Everything else (the
# notebooks, their execution, the extensions) is the English book's.
EDITIONS = {
    "ko": {
        "title": "시계열 예측을 위한 순환 신경망",
        "author": "rnnlib 저자들",
        "html": {
            "extra_footer": (
                '<p>본문과 그림: <a href="https://creativecommons.org/licenses/by/4.0/">'
                "CC BY 4.0</a>. 코드(rnnlib, 노트북의 코드 셀): MIT 라이선스. 저장소의 "
                "LICENSE를 보세요.</p>\n"
            ),
        },
        # The Colab button opens the Korean notebook that the build writes into the site
        # (ko/_sources/, see book/_ext/editions.py), published on the gh-pages branch.
        # Binder needs the repository's requirements, which that branch lacks.
        "repository": {"branch": "gh-pages", "path_to_book": "ko/_sources"},
        "launch_buttons": {"binderhub_url": ""},
        "sphinx": {"config": {"language": "ko"}},
    },
}


def _merge(base: dict, changes: dict) -> dict:
    """``base`` with ``changes`` written over it, nested dicts merged key by key."""
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def book_config(changes: dict | None = None) -> dict:
    """The English ``_config.yml`` with ``changes`` merged in, ready to be written anywhere:
    jupyter-book reads ``local_extensions`` relative to the config file, so they become
    absolute paths."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config = _merge(config, changes or {})
    local = config.get("sphinx", {}).get("local_extensions", {})
    for name, path in local.items():
        local[name] = str((ROOT / path).resolve())
    return config


def edition_config(language: str) -> str:
    """The ``_config.yml`` of the ``language`` edition, as YAML text."""
    if language not in EDITIONS:
        raise ValueError(f"language={language!r}: expected one of {sorted(EDITIONS)}")
    return yaml.safe_dump(book_config(EDITIONS[language]), allow_unicode=True, sort_keys=False)


def math_free(text: str) -> str:
    """``text`` without its ``$...$`` math: what is left to translate in a diagram label."""
    return re.sub(r"\$[^$]*\$", "", text)


def diagram_messages() -> Catalog:
    """Every diagram label with words in it, with the diagram and key as its context."""
    sys.path.insert(0, str(DIAGRAMS))
    from book_diagrams import diagrams

    catalog = Catalog(fuzzy=False)
    for name, module in diagrams().items():
        for key, label in module.LABELS.items():
            if re.search(r"[A-Za-z]", math_free(label)):
                catalog.add(label, context=f"{name}.{key}", locations=[(f"{name}.py", 0)])
    return catalog


def figure_messages(path: Path) -> list[str]:
    """The captions and alt texts a notebook keeps in its cells' ``mystnb`` metadata: the
    gettext builder, which does not execute the notebooks, never sees their figures."""
    found = []
    for cell in nbformat.read(path, as_version=4).cells:
        meta = cell.get("metadata", {}).get("mystnb", {})
        caption = meta.get("figure", {}).get("caption")
        alt = meta.get("image", {}).get("alt")
        found += [text for text in (caption, alt) if text]
    return found


def glued_words(executed: Path = EXECUTED) -> list[tuple[str, str]]:
    """``(page, text)`` for every glued value of the last English build that shows words
    (two Latin letters in a row, units aside): the texts ``glue.po`` translates."""
    import json

    found = []
    for path in sorted(executed.rglob("*.glue.json")):
        page = path.relative_to(executed).as_posix().removesuffix(".glue.json")
        for output in json.loads(path.read_text(encoding="utf-8")).values():
            plain = output.get("data", {}).get("text/plain")
            text = format_plain_text(plain, "s") if plain else ""
            words = set(re.findall(r"[A-Za-z]+", text)) - UNITS
            if any(len(w) > 1 for w in words) and (page, text) not in found:
                found.append((page, text))
    return found


def update_glue(language: str, executed: Path = EXECUTED) -> None:
    """Bring ``glue.po`` up to the glued words of the last build: new ones untranslated, gone
    ones removed. Without a build (no ``_build/jupyter_execute``) it is left as it is."""
    if not executed.is_dir():
        print(f"no {executed.relative_to(ROOT)}: run `make book` first to update glue.po")
        return
    path = LOCALE / language / "LC_MESSAGES" / "glue.po"
    old = {}
    if path.is_file():
        with path.open("rb") as f:
            old = {(m.context, m.id): m.string for m in read_po(f) if m.id}
    catalog = Catalog(locale=language, fuzzy=False)
    for page, text in glued_words(executed):
        catalog.add(text, old.get((page, text), ""), context=page)
    if {(m.context, m.id): m.string for m in catalog if m.id} == old:
        return  # unchanged: keep the file (and its date) as it is
    with path.open("wb") as f:
        write_po(f, catalog, width=0)


def extract(pot_dir: Path) -> None:
    """Write one ``.pot`` per page (and ``diagrams.pot``) into ``pot_dir``."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "_config.yml"
        changes = {"execute": {"execute_notebooks": "off"},
                   "sphinx": {"config": {"gettext_compact": False, "gettext_location": False}}}
        config.write_text(yaml.safe_dump(book_config(changes)), encoding="utf-8")
        # Without execution every glue role warns that its value is missing: only the
        # messages matter here, so the output is shown only if the build fails.
        run = subprocess.run(
            [str(BIN / "jupyter-book"), "build", str(ROOT), "--config", str(config),
             "--path-output", tmp, "--builder", "custom", "--custom-builder", "gettext",
             "--all", "--quiet"], check=False, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"extracting the messages failed:\n{run.stdout}{run.stderr}")
        built = Path(tmp) / "_build" / "gettext"
        for pot in built.rglob("*.pot"):
            target = pot_dir / pot.relative_to(built)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pot.read_bytes())
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        pot = pot_dir / "notebooks" / f"{notebook.stem}.pot"
        with pot.open("rb") as f:
            catalog = read_po(f)
        for text in figure_messages(notebook):
            catalog.add(text, locations=[(f"notebooks/{notebook.name}", 0)])
        with pot.open("wb") as f:
            write_po(f, catalog, width=0, omit_header=False)
    with (pot_dir / "diagrams.pot").open("wb") as f:
        write_po(f, diagram_messages(), width=0)


def update(languages: list[str]) -> None:
    """Extract the English messages and merge them into each language's catalogs: a new
    message arrives untranslated, a changed one fuzzy, and the tests fail on both."""
    with tempfile.TemporaryDirectory() as tmp:
        extract(Path(tmp))
        for language in languages:
            subprocess.run(
                [str(BIN / "sphinx-intl"), "update", "-p", tmp, "-d", str(LOCALE),
                 "-l", language, "-w", "0"], check=True)
            update_glue(language)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="extract the English messages, update book/locale/")
    config = sub.add_parser("config", help="print a translated edition's _config.yml")
    config.add_argument("language", choices=sorted(EDITIONS))
    args = parser.parse_args(argv)
    if args.command == "update":
        update(sorted(EDITIONS))
    else:
        sys.stdout.write(edition_config(args.language))
    return 0


if __name__ == "__main__":
    sys.exit(main())
