"""Which rnnlib names each chapter notebook uses, read from its code cells (not a test file).

A chapter uses a name when it imports it (``from rnnlib import fit``) or, for a module it
imports whole (``from rnnlib import bptt``), when it reads an attribute of that module
(``bptt.backward``). tests/test_api.py compares this with the chapters that every public
name's docstring lists, and tests/test_book.py checks the import convention with it.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import re
from functools import cache
from pathlib import Path

import rnnlib

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MODULES = {m.name for m in pkgutil.iter_modules(rnnlib.__path__) if not m.name.startswith("_")}


def chapter_number(path: Path) -> int:
    """The chapter of ``notebooks/NN_name.ipynb``: NN as an int."""
    return int(path.name[:2])


def code_cells(path: Path) -> list[str]:
    """The code cells' sources, with IPython magics and shell lines blanked out."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [re.sub(r"^(\s*)[%!].*$", r"\1pass", "".join(c["source"]), flags=re.MULTILINE)
            for c in nb["cells"] if c["cell_type"] == "code"]


@cache
def rnnlib_imports(path: Path) -> list[tuple[str, list[str]]]:
    """Every import of rnnlib in the notebook: ``(module, names)`` per statement, with
    ``module`` the dotted name after ``from`` (``"rnnlib"``, ``"rnnlib.cells"``) or the
    name after ``import``."""
    found = []
    for source in code_cells(path):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rnnlib"):
                found.append((node.module, [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                found += [(a.name, []) for a in node.names if a.name.startswith("rnnlib")]
    return found


@cache
def used_names(path: Path) -> frozenset[str]:
    """The rnnlib names the notebook uses, as ``"fit"`` or, for a module imported whole,
    ``"bptt.backward"``."""
    names, modules = set(), set()
    for module, imported in rnnlib_imports(path):
        for name in imported:
            (modules if module == "rnnlib" and name in MODULES else names).add(name)
    for source in code_cells(path):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in modules:
                names.add(f"{node.value.id}.{node.attr}")
    return frozenset(names)


def chapters_using(module: str, name: str) -> set[int]:
    """The chapters whose notebooks use ``rnnlib.<module>.<name>``."""
    return {chapter_number(p) for p in NOTEBOOKS
            if name in used_names(p) or f"{module}.{name}" in used_names(p)}
