"""The public API: documented, exported, tested, and telling which chapters use it."""

from __future__ import annotations

import ast
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from chapter_usage import NOTEBOOKS, chapters_using

import rnnlib

TESTS = Path(__file__).parent
TEST_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_*.py")
                      if p.name != Path(__file__).name)
MODULES = [m.name for m in pkgutil.iter_modules(rnnlib.__path__) if not m.name.startswith("_")]
USED_IN = re.compile(r"Used in (no chapter|chapter \d+|chapters (\d+, )*\d+ and \d+)\.")
MAX_BODY_LINES = 50


def _public(module_name: str) -> list[str]:
    module = __import__(f"rnnlib.{module_name}", fromlist=["_"])
    return [name for name, obj in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__]


PUBLIC = sorted({(m, n) for m in MODULES for n in _public(m)})


def test_all_names_resolve():
    for name in rnnlib.__all__:
        assert hasattr(rnnlib, name), name


def test_every_public_name_is_exported_from_the_package():
    # Except the modules a chapter studies whole (``from rnnlib import bptt``).
    whole = {"bptt"}
    missing = [f"{m}.{n}" for m, n in PUBLIC if m not in whole and n not in rnnlib.__all__]
    assert not missing, f"not importable as `from rnnlib import ...`: {missing}"


@pytest.mark.parametrize("module,name", PUBLIC, ids=lambda v: str(v))
def test_public_names_have_docstrings_and_tests(module, name):
    obj = getattr(__import__(f"rnnlib.{module}", fromlist=["_"]), name)
    assert inspect.getdoc(obj), f"rnnlib.{module}.{name} has no docstring"
    assert name in TEST_TEXT, f"rnnlib.{module}.{name} is not used by any test"


@pytest.mark.parametrize("module,name", PUBLIC, ids=lambda v: str(v))
def test_docstring_ends_with_the_chapters_that_use_the_name(module, name):
    doc = inspect.getdoc(getattr(__import__(f"rnnlib.{module}", fromlist=["_"]), name))
    last = " ".join(doc.strip().split("\n\n")[-1].split())
    assert USED_IN.fullmatch(last), (
        f"rnnlib.{module}.{name}: the docstring must end with a paragraph such as "
        f"'Used in chapters 5 and 6.' (or 'Used in no chapter.'), got {last!r}")
    listed = {int(n) for n in re.findall(r"\d+", last)}
    using = chapters_using(module, name)
    assert listed == using, (
        f"rnnlib.{module}.{name}: the docstring lists chapters {sorted(listed)}, but the "
        f"notebooks that use it are chapters {sorted(using)}")
    assert using <= {int(p.name[:2]) for p in NOTEBOOKS}


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_a_docstring_and_is_on_the_package_map(module):
    assert __import__(f"rnnlib.{module}", fromlist=["_"]).__doc__
    assert f"``{module}``" in rnnlib.__doc__, f"rnnlib's docstring does not map {module}"


def test_no_function_body_is_longer_than_50_lines():
    too_long = []
    for path in Path(rnnlib.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                if body and body[-1].end_lineno - body[0].lineno + 1 > MAX_BODY_LINES:
                    too_long.append(f"{path.name}:{node.name} "
                                    f"({body[-1].end_lineno - body[0].lineno + 1} lines)")
    assert not too_long, f"function bodies over {MAX_BODY_LINES} lines: {too_long}"
