"""Where does the code run, and how is a run made reproducible?

The book runs unchanged on a laptop CPU, a CUDA GPU (Colab) or an Apple GPU (MPS).
``get_device()`` picks the best one found; the environment variable ``RNNLIB_DEVICE``
(``cpu``, ``cuda`` or ``mps``) overrides that choice, e.g. to force the CPU.
``seed_everything(seed)``, the first call of every chapter, seeds every random number
generator and sets the number of CPU threads torch uses for the book's small models.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

ENV_VAR = "RNNLIB_DEVICE"
_KNOWN = ("cpu", "cuda", "mps")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def _available(kind: str) -> bool:
    if kind == "cpu":
        return True
    if kind == "cuda":
        return torch.cuda.is_available()
    return _mps_available()


def get_device(name: str | None = None) -> torch.device:
    """Return the device to compute on.

    Order of choice: the ``name`` argument, else the ``RNNLIB_DEVICE`` environment
    variable, else CUDA if available, then Apple MPS, else the CPU.

    Args:
        name: ``"cpu"``, ``"cuda"`` or ``"mps"`` (case-insensitive), or ``None`` for the
            automatic choice.

    Returns:
        A ``torch.device``.

    Raises:
        TypeError: if ``name`` is not a string or ``None``.
        ValueError: if the requested device is unknown or not available here.

    Used in chapters 1, 2, 3, 4, 5 and 6.
    """
    source = "name"
    if name is None:
        name = os.environ.get(ENV_VAR) or None
        source = f"environment variable {ENV_VAR}"
    if name is None:
        for kind in ("cuda", "mps"):
            if _available(kind):
                return torch.device(kind)
        return torch.device("cpu")
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'cpu' or None, got {type(name).__name__}")
    kind = name.strip().lower()
    if kind not in _KNOWN:
        raise ValueError(f"{source} must be one of {', '.join(_KNOWN)}; got {name!r}")
    if not _available(kind):
        raise ValueError(
            f"{source} asks for device {kind!r}, but it is not available on this machine; "
            f"use 'cpu' or unset {ENV_VAR} for the automatic choice"
        )
    return torch.device(kind)


def seed_everything(seed: int, *, threads: int | None = 1) -> None:
    """Seed Python's ``random``, NumPy and torch (CPU, CUDA and MPS) with ``seed``, and set
    the number of CPU threads torch computes with.

    The book's models are tiny: splitting each small matrix product across CPU threads
    costs more than it saves, many times more on a busy 2-core machine, so by default torch
    is set to one thread. Results
    can differ in the last digits between thread counts, since sums are then added in
    another order. On a GPU the setting only affects the CPU side.

    Args:
        seed: a non-negative integer below 2**32.
        threads: CPU threads for torch (>= 1), or ``None`` to leave the setting alone.

    Raises:
        TypeError: if ``seed`` or ``threads`` is not an int.
        ValueError: if ``seed`` is negative or too large for NumPy, or ``threads < 1``.

    Used in chapters 1, 2, 3, 4, 5 and 6.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    if threads is not None:
        if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)):
            raise TypeError(f"threads must be an int or None, got {type(threads).__name__}")
        if threads < 1:
            raise ValueError(f"threads must be >= 1 or None, got {threads}")
        if torch.get_num_threads() != threads:
            torch.set_num_threads(int(threads))
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
