"""How does a number computed in a chapter get into the chapter's text?

A number in the prose that comes from a computation is never typed: the cell that computes
it *glues* it under a name, and the text writes ``{glue:text}`name``` where the number
belongs. Jupyter Book (myst-nb) replaces the role by the glued text when it builds the
page, so the page always shows what the code computed on that build.

:func:`glue` stores the text in the cell's output exactly as ``myst_nb.glue(name, text,
display=False)`` does, without importing myst-nb: in Colab, where myst-nb is not installed,
the call still runs, shows nothing and returns the text.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["glue"]

# myst-nb reads these two: the MIME prefix of a glued value that is not displayed, and the
# output metadata that names it (myst_nb/ext/glue/__init__.py, myst-nb 1.x).
_GLUE_PREFIX = "application/papermill.record/"
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def glue(name: str, value: Any, fmt: str = "{}") -> str:
    """Store ``fmt.format(value)`` under ``name`` for the text of the page, and return it.

    Args:
        name: the key the prose uses, ``{glue:text}`name```: a letter, then letters, digits,
            ``_`` or ``-``. The book prefixes it with the chapter, ``"ch1_rnn_rmse"``.
        value: anything ``fmt`` can format: a number, a string, a NumPy or torch scalar.
        fmt: a ``str.format`` pattern with one field, e.g. ``"{:.4f}"``, ``"{:,.0f}"`` or
            ``"{:.1%}"``.

    Returns:
        The formatted text, so that a cell can print or assert on exactly what the page shows.

    Raises:
        TypeError: ``name`` or ``fmt`` is not a string.
        ValueError: ``name`` is not a valid key, or ``fmt`` does not format ``value``.

    Used in chapters 1, 2, 3, 4, 5, 6, 7 and 8.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if not _NAME.fullmatch(name):
        raise ValueError(f"name must be a letter followed by letters, digits, '_' or '-', "
                         f"got {name!r}")
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a str such as '{{:.3f}}', got {type(fmt).__name__}")
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        value = value.item()                   # a NumPy or torch scalar: format the number
    try:
        text = fmt.format(value)
    except (ValueError, TypeError, IndexError, KeyError) as err:
        raise ValueError(f"fmt {fmt!r} cannot format value {value!r} "
                         f"({type(value).__name__}): {err}") from None
    _store(name, text)
    return text


def _store(name: str, text: str) -> None:
    """Write the glue output into the running notebook cell, if there is one."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:                        # plain Python without IPython: nothing to store
        return
    if get_ipython() is None:
        return
    # myst-nb reads text/plain back with ast.literal_eval (to strip a string's quotes), so
    # it gets the repr: "1,120" would otherwise come back as the tuple (1, 120), and "0.0080"
    # as 0.008. This is what myst_nb.glue stores for a str.
    display({_GLUE_PREFIX + "text/plain": repr(text)}, raw=True,
            metadata={"scrapbook": {"name": name, "mime_prefix": _GLUE_PREFIX}})
