"""Checks of the book's structure: notebooks are clean, consistent and listed in the TOC."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml
from chapter_usage import code_cells, rnnlib_imports

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")
VERSION = re.search(r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(encoding="utf-8"),
                    re.MULTILINE).group(1)


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [ch["file"] for ch in part.get("chapters", [])]
    return files


def test_there_are_notebooks():
    assert NOTEBOOKS, "no chapter notebooks found"


def test_repository_url_is_a_github_repo():
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", REPO_URL)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    for cell in _load(path)["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name}: a code cell has outputs"
            assert cell.get("execution_count") is None, f"{path.name}: execution counts kept"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_colab_badge_and_install_cell_use_the_configured_url(path):
    nb = _load(path)
    first_md = "".join(nb["cells"][0]["source"])
    owner_repo = REPO_URL.removeprefix("https://github.com/")
    badge = (f"https://colab.research.google.com/github/{owner_repo}/blob/{BRANCH}/"
             f"notebooks/{path.name}")
    assert badge in first_md, f"{path.name}: the first cell lacks the Colab badge {badge}"
    urls = re.findall(r"https://colab\.research\.google\.com/github/[^)\s]+", first_md)
    assert urls == [badge]
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
    install = "".join(cell["source"])
    assert 'if "google.colab" in sys.modules:' in install, "install cell must run only in Colab"
    release = f"git+{REPO_URL}@v{VERSION}"
    assert re.findall(r"git\+https://[^\s\"'#]+", install) == [release], (
        f"{path.name}: the install cell must install the release v{VERSION} of "
        f"pyproject.toml from {REPO_URL}")
    assert re.search(r'os\.environ\.get\(\s*"RNNLIB_INSTALL"', install), (
        f"{path.name}: RNNLIB_INSTALL must be able to replace the install spec (make test-colab)")
    assert cell["metadata"].get("tags") == ["remove-cell"], (
        f"{path.name}: the install cell must be tagged remove-cell, so web pages do not show it")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_seeded_uses_rnnlib_and_asserts(path):
    code = "\n".join(_code(_load(path)))
    assert "from rnnlib" in code or "import rnnlib" in code
    assert "seed_everything(" in code
    assert "get_device()" in code
    assert re.search(r"^\s*assert\b", code, re.MULTILINE), f"{path.name} has no assert"
    assert "tqdm" not in code, "use rnnlib.fit's progress handling, not tqdm directly"


def test_every_notebook_is_in_the_toc_and_every_toc_file_exists():
    files = _toc_files()
    for path in NOTEBOOKS:
        assert f"notebooks/{path.stem}" in files, f"{path.name} is not in _toc.yml"
    for f in files:
        assert any((ROOT / f"{f}{ext}").exists() for ext in (".md", ".ipynb")), f


def test_no_machine_paths_in_tracked_text():
    # The checkout's own location, and home folders, must never be baked into a file.
    bad = re.compile("|".join([re.escape(str(ROOT) + "/"), r"/(?:root|home/\w+)/",
                               r"C:\\\\Users"]))
    for path in [*NOTEBOOKS, *ROOT.glob("book/*.md"), *ROOT.glob("rnnlib/*.py")]:
        assert not bad.search(path.read_text(encoding="utf-8")), path.name


MAX_CELL_LINES = 30


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_are_short(path):
    sizes = [len([line for line in code.splitlines() if line.strip()])
             for code in _code(_load(path))]
    long = [(i, n) for i, n in enumerate(sizes) if n > MAX_CELL_LINES]
    assert not long, (f"{path.name}: code cells (index, non-blank lines) over "
                      f"{MAX_CELL_LINES} lines: {long}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_rnnlib_is_imported_one_way(path):
    # `from rnnlib import name` (or a module the chapter studies whole, `from rnnlib import
    # bptt`), never `import rnnlib...` or `from rnnlib.module import name`.
    other = [module for module, _ in rnnlib_imports(path) if module != "rnnlib"]
    assert not other, f"{path.name} imports rnnlib as {other}; use `from rnnlib import ...`"
    assert rnnlib_imports(path), f"{path.name} does not import rnnlib"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_thread_settings_and_no_sliced_or_private_source(path):
    code = "\n".join(code_cells(path))
    assert "set_num_threads" not in code, f"{path.name}: seed_everything sets the threads"
    for call in re.findall(r"getsource\(([^)]*)\)", code):
        assert re.fullmatch(r"[A-Za-z]\w*(\.[A-Za-z]\w*)*", call), (
            f"{path.name}: inspect.getsource({call}) shows a private name")
    shown = re.findall(r"^(.*getsource\(.*)$", code, re.MULTILINE)
    for line in shown:
        assert re.fullmatch(r"\s*print\(inspect\.getsource\([\w.]+\)\)\s*", line), (
            f"{path.name}: print library source whole, as print(inspect.getsource(f)): {line!r}")


def _code_cells_with_metadata(path: Path) -> list[tuple[str, dict]]:
    sources = code_cells(path)
    cells = [c for c in _load(path)["cells"] if c["cell_type"] == "code"]
    return [(src, cell.get("metadata", {})) for src, cell in zip(sources, cells)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_assert_shows_its_values(path):
    """A failing assert must say what it compared: a message that formats values."""
    bare = []
    for src in code_cells(path):
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Assert) and not (
                    isinstance(node.msg, ast.JoinedStr)
                    and any(isinstance(v, ast.FormattedValue) for v in node.msg.values)):
                bare.append(ast.unparse(node)[:90])
    assert not bare, f"{path.name}: asserts without an f-string message showing the values: {bare}"


_MAKES_FIGURE = re.compile(r"\bplt\.(subplots|figure)\(|\bplot_(forecast|losses)\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_is_captioned_sized_and_shown_once(path):
    """Each figure is shown by its own cell (`plt.show()`, once), which carries a numbered
    caption, a name to cite and alt text; it fits the page column (6.6 in at 100 dpi is
    660 px) and no text in it is set below 10 pt."""
    problems = []
    for i, (src, meta) in enumerate(_code_cells_with_metadata(path)):
        shows = src.count("plt.show()")
        if _MAKES_FIGURE.search(src) and shows != 1:
            problems.append(f"code cell {i} makes a figure but calls plt.show() {shows} times")
        if shows:
            fig = meta.get("mystnb", {}).get("figure", {})
            alt = meta.get("mystnb", {}).get("image", {}).get("alt", "")
            if not (fig.get("caption") and fig.get("name", "").startswith("fig-") and alt):
                problems.append(f"code cell {i} shows a figure without mystnb figure.caption, "
                                f"figure.name 'fig-...' and image.alt")
        for width in re.findall(r"figsize=\(\s*([\d.]+)", src):
            if float(width) > 6.6:
                problems.append(f"code cell {i}: figsize width {width} in > 6.6 in")
        for size in re.findall(r"fontsize=([\d.]+)", src):
            if float(size) < 10:
                problems.append(f"code cell {i}: fontsize={size} < 10 pt")
    assert not problems, f"{path.name}: " + "; ".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_that_draw_fold_their_code_on_the_web(path):
    """A cell that shows a figure only draws it: the web page folds its code (tag
    ``hide-input``: the reader sees the figure and can open the code), the notebook keeps
    it open (no ``jupyter.source_hidden``), and what the reader must see (glue, asserts)
    is in a cell of its own."""
    problems = []
    for i, (src, meta) in enumerate(_code_cells_with_metadata(path)):
        if "plt.show()" not in src:
            continue
        if "hide-input" not in meta.get("tags", []):
            problems.append(f"code cell {i} shows a figure without the tag hide-input")
        if meta.get("jupyter", {}).get("source_hidden"):
            problems.append(f"code cell {i} is folded in the notebook too (source_hidden)")
        if re.search(r"^\s*assert\b|\bglue\(", src, re.MULTILINE):
            problems.append(f"code cell {i} draws and also asserts or glues: split it")
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_figure_names_are_unique():
    """Names of result plots (cell metadata) and of diagrams ({figure} directives) alike."""
    names = [meta["mystnb"]["figure"]["name"] for path in NOTEBOOKS
             for _, meta in _code_cells_with_metadata(path)
             if meta.get("mystnb", {}).get("figure", {}).get("name")]
    names += [name for path in NOTEBOOKS for cell in _load(path)["cells"]
              if cell["cell_type"] == "markdown"
              for name in re.findall(r"^:name: *(fig-\S+)", "".join(cell["source"]),
                                         re.MULTILINE)]
    assert len(names) == len(set(names)), f"duplicate figure names: {sorted(names)}"


def test_the_release_version_is_written_once():
    import rnnlib

    assert rnnlib.__version__ == VERSION, (
        f"rnnlib.__version__ {rnnlib.__version__} != pyproject.toml's version {VERSION}")


def test_reference_labels_are_the_author_year_citations():
    """The reference list's labels read as the text cites: [Bengio et al., 1994]."""
    import sys

    from pybtex.database import parse_file

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from author_year_labels import AuthorYearLabels

    assert CONFIG["sphinx"]["config"]["bibtex_default_style"] == "author_year_labels"
    assert CONFIG["sphinx"]["config"]["bibtex_reference_style"] == "author_year"
    entries = parse_file(ROOT / "book" / "references.bib").entries
    labels = dict(zip(entries, AuthorYearLabels().format_labels(entries.values())))
    assert labels["elman1990"] == "Elman, 1990"
    assert labels["hochreiter1997"] == "Hochreiter and Schmidhuber, 1997"
    assert labels["bengio1994"] == "Bengio et al., 1994"
    # A surname may have two capitalised words (Ben Taieb); the rest as the text cites it.
    pattern = re.compile(r"[A-Z][\w'-]+(?: [A-Z][\w'-]+)?( and [\w' -]+| et al\.)?, \d{4}[a-z]?")
    assert labels["taieb2012"] == "Ben Taieb et al., 2012"
    assert all(pattern.fullmatch(label) for label in labels.values()), labels
