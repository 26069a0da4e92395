"""Run every chapter the way Google Colab runs it (``make test-colab``; not a pytest file).

Colab has no checkout of this repository: a reader opens one notebook, and its first code
cell (``if "google.colab" in sys.modules: %pip install ...``) installs rnnlib into a Python
that already holds torch, NumPy, pandas and the rest. This script rebuilds that situation:

1. build rnnlib's wheel from this checkout;
2. make a fresh virtual environment with torch 2.13.0 and whatever pip resolves today for
   rnnlib's other dependencies (its lower bounds, as in ``pyproject.toml``), plus pytest,
   nbval and ipykernel to run the notebooks; no rnnlib;
3. copy each notebook alone into an empty folder and run it with nbval, with a fake
   ``google.colab`` module imported at start-up, so the install cell itself runs; the
   environment variable ``RNNLIB_INSTALL`` points that cell at the wheel of step 1;
4. compare ``pip freeze`` before and after: installing rnnlib must not change the version of
   any package that was already there (Colab's own torch, NumPy, pandas ...).

The price data must come from inside rnnlib: no ``RNNLIB_DATA_DIR``, and an empty cache
folder. Usage: ``python tests/colab_check.py [notebook ...]`` (default: every chapter).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "_build" / "colab"
TORCH = "torch==2.13.0"
RUNNER = ["pytest", "nbval", "ipykernel"]  # what runs the notebooks, pinned by constraints
FAKE_COLAB = {
    "google/colab/__init__.py": '"""Stands in for Colab\'s own module (make test-colab)."""\n',
    # Colab imports google.colab before any cell runs; so does every Python started here.
    "sitecustomize.py": "import google.colab  # noqa: F401\n",
}


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("$", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def freeze(python: Path) -> dict[str, str]:
    out = subprocess.run([python, "-m", "pip", "freeze", "--all"], check=True,
                         capture_output=True, text=True).stdout
    pins = {}
    for line in out.splitlines():
        name, sep, version = line.partition("==")
        if not sep:  # "name @ file://..." for a local wheel
            name, _, version = line.partition(" @ ")
        pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def build_env(wheel_dir: Path, venv: Path) -> Path:
    shutil.rmtree(wheel_dir, ignore_errors=True)
    print("Building rnnlib's wheel", flush=True)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheel_dir, ROOT])
    wheel = next(wheel_dir.glob("rnnlib-*.whl"))
    shutil.rmtree(venv, ignore_errors=True)
    print(f"Making a Colab-like environment in {venv.relative_to(ROOT)}", flush=True)
    run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    with zipfile.ZipFile(wheel) as whl:  # the wheel's Requires-Dist: pyproject's bounds
        meta = whl.read(next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA")))
    deps = re.findall(r"^Requires-Dist: ([^;\n]+)$", meta.decode(), re.MULTILINE)
    others = [d.strip() for d in deps if not d.startswith("torch")]
    run([python, "-m", "pip", "install", "--quiet", TORCH, *RUNNER,
         "-c", ROOT / "constraints.txt"])
    run([python, "-m", "pip", "install", "--quiet", *others])
    return wheel


def run_notebook(python: Path, notebook: Path, wheel: Path, fake: Path) -> tuple[bool, float]:
    folder = WORK / "run" / notebook.stem
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(notebook, folder / notebook.name)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RNNLIB_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PYTHONPATH=str(fake), RNNLIB_INSTALL=f"{wheel}[stocks]",
               RNNLIB_PROGRESS="summary", XDG_CACHE_HOME=str(folder / "cache"),
               PYTHONHASHSEED="0")
    start = time.perf_counter()
    result = subprocess.run([python, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
                             "-q", "-p", "no:cacheprovider", notebook.name],
                            check=False, cwd=folder, env=env, capture_output=True,
                            text=True)
    seconds = time.perf_counter() - start
    tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-40:])
    if result.returncode != 0:
        print(tail, flush=True)
    return result.returncode == 0, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    notebooks = [p.resolve() for p in args.notebooks] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    venv = WORK / "venv"
    wheel = build_env(WORK / "dist", venv)
    python = venv / "bin" / "python"
    fake = WORK / "fake-colab"
    for rel, text in FAKE_COLAB.items():
        (fake / rel).parent.mkdir(parents=True, exist_ok=True)
        (fake / rel).write_text(text, encoding="utf-8")
    before = freeze(python)
    assert "rnnlib" not in before, "the Colab-like environment must start without rnnlib"
    shown = ("torch", "numpy", "pandas", "matplotlib", "scikit-learn", "statsmodels", "tqdm")
    print("before rnnlib:", ", ".join(f"{n}=={before.get(n)}" for n in shown), flush=True)
    results = {}
    for notebook in notebooks:
        print(f"Running {notebook.name} alone, as Colab would", flush=True)
        results[notebook.name] = run_notebook(python, notebook, wheel, fake)
    after = freeze(python)
    changed = {n: (v, after.get(n)) for n, v in before.items() if after.get(n) != v}
    added = sorted(set(after) - set(before))
    print("\nchapter | result | seconds")
    for name, (ok, seconds) in results.items():
        print(f"{name} | {'passed' if ok else 'FAILED'} | {seconds:.0f}")
    print(f"\ninstalled by the notebooks' install cell: {', '.join(added) or 'nothing'}")
    print(f"packages whose version the install changed: {changed or 'none'}")
    problems = [n for n, (ok, _) in results.items() if not ok]
    if "rnnlib" not in added:
        problems.append("the install cell did not install rnnlib")
    if changed:
        problems.append(f"installing rnnlib changed {sorted(changed)}")
    if problems:
        print("test-colab FAILED:", "; ".join(problems))
        return 1
    print(f"test-colab passed: {len(results)} of {len(results)} chapters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
