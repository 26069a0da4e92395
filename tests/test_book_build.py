"""`make book` never serves a stale page: a change in rnnlib reaches every built page.

Sphinx rebuilds only the pages whose source changed, so a notebook that imports a changed
module would keep its old output. The Makefile's ``BOOK_FLAGS`` (``--all``) make every build
execute every page again. This test builds a one-page book twice with those flags, changing
only a module the page imports, and checks that the second build shows the new value.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
FLAGS = re.search(r"^BOOK_FLAGS := (.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"),
                  re.MULTILINE).group(1).split()

CONFIG = """title: stale check
execute:
  execute_notebooks: force
sphinx:
  config:
    suppress_warnings: ["mystnb.unknown_mime_type"]
"""


def _build(book: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(book))
    result = subprocess.run([JUPYTER_BOOK, "build", book, *FLAGS], env=env, check=False,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return (book / "_build" / "html" / "page.html").read_text(encoding="utf-8")


@pytest.mark.skipif(not JUPYTER_BOOK.exists(), reason="jupyter-book is not installed")
def test_a_changed_module_reaches_the_built_page(tmp_path):
    assert "--all" in FLAGS, f"BOOK_FLAGS {FLAGS} would keep stale pages"
    (tmp_path / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: page\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Page"),
                nbformat.v4.new_code_cell("import helper\nprint('value:', helper.VALUE)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "page.ipynb")
    (tmp_path / "helper.py").write_text('VALUE = "first-build"\n', encoding="utf-8")
    assert "value: first-build" in _build(tmp_path)
    (tmp_path / "helper.py").write_text('VALUE = "second-build"\n', encoding="utf-8")
    page = _build(tmp_path)
    assert "value: second-build" in page and "first-build" not in page, (
        "the second build kept the page's old output")
