"""Checks of the GitHub Actions workflow that instructors copy: actionlint passes and the
job installs the CPU wheel of torch, then runs the README's commands."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BOOK_WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
CPU_INDEX = "--index-url https://download.pytorch.org/whl/cpu"


def _actionlint() -> str | None:
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def _runs(path: Path) -> list[str]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [step["run"] for job in workflow["jobs"].values()
            for step in job["steps"] if "run" in step]


def test_workflows_pass_actionlint():
    assert WORKFLOWS, "no workflow files in .github/workflows"
    actionlint = _actionlint()
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install -r requirements.txt)")
    result = subprocess.run([actionlint, "-no-color", *map(str, WORKFLOWS)], check=False,
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"


def test_book_workflow_installs_cpu_torch_then_tests_and_builds():
    runs = _runs(BOOK_WORKFLOW)
    commands = [line.strip() for run in runs for line in run.splitlines() if line.strip()]
    torch = [i for i, c in enumerate(commands) if "pip install torch==" in c]
    assert torch, f"no step installs torch: {commands}"
    assert CPU_INDEX in commands[torch[0]], f"torch not from the CPU index: {commands[torch[0]]}"
    assert ".venv/bin/python" in commands[torch[0]], "torch must go into the venv make uses"
    for target in ("make test", "make book"):
        assert target in commands, f"no step runs `{target}`: {commands}"
    order = [torch[0], commands.index("make test"), commands.index("make book")]
    assert order == sorted(order), f"steps out of order (torch, test, book): {commands}"
