"""Progress display: a tqdm bar in a live notebook, a compact summary elsewhere.

A live reader sees a bar. When the book is built or the tests run, a bar would be
saved into the page as widget JSON or hundreds of refreshes, so only a few summary
lines are printed. ``RNNLIB_PROGRESS`` (``bar`` / ``1`` or ``summary`` / ``0``)
decides explicitly; the book and test commands set it to ``summary``.
"""

from __future__ import annotations

import os
import sys

ENV_VAR = "RNNLIB_PROGRESS"
_ON = {"1", "bar", "on", "true", "yes"}
_OFF = {"0", "summary", "off", "false", "no"}


def show_bar() -> bool:
    """Whether to draw a live progress bar (see the module docstring for the rule)."""
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    if value:
        raise ValueError(f"environment variable {ENV_VAR} must be 'bar' or 'summary', "
                         f"got {value!r}")
    if os.environ.get("CI"):
        return False
    # Kernels started by a live front end (JupyterLab, Colab, VS Code) get these;
    # nbclient, used by the book build and nbval, does not.
    live = ("JPY_SESSION_NAME", "COLAB_RELEASE_TAG", "VSCODE_PID")
    return any(os.environ.get(v) for v in live) or "google.colab" in sys.modules \
        or sys.stderr.isatty()
