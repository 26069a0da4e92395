"""The public API: documented, exported, and exercised by at least one test."""

from __future__ import annotations

import inspect
import pkgutil
from pathlib import Path

import pytest

import rnnlib

TESTS = Path(__file__).parent
TEST_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_*.py")
                      if p.name != Path(__file__).name)
MODULES = [m.name for m in pkgutil.iter_modules(rnnlib.__path__) if not m.name.startswith("_")]


def _public(module_name: str) -> list[str]:
    module = __import__(f"rnnlib.{module_name}", fromlist=["_"])
    return [name for name, obj in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__]


PUBLIC = sorted({(m, n) for m in MODULES for n in _public(m)})


def test_all_names_resolve():
    for name in rnnlib.__all__:
        assert hasattr(rnnlib, name), name


@pytest.mark.parametrize("module,name", PUBLIC, ids=lambda v: str(v))
def test_public_names_have_docstrings_and_tests(module, name):
    obj = getattr(__import__(f"rnnlib.{module}", fromlist=["_"]), name)
    assert inspect.getdoc(obj), f"rnnlib.{module}.{name} has no docstring"
    assert name in TEST_TEXT, f"rnnlib.{module}.{name} is not used by any test"


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_a_docstring(module):
    assert __import__(f"rnnlib.{module}", fromlist=["_"]).__doc__
