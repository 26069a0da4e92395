"""Choosing the compute device and seeding every random number generator.

The book runs unchanged on a laptop CPU, a CUDA GPU (Colab) or an Apple GPU (MPS).
``get_device()`` picks the best one found; the environment variable ``RNNLIB_DEVICE``
(``cpu``, ``cuda`` or ``mps``) overrides that choice, e.g. to force the CPU.
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


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy and torch (CPU, CUDA and MPS) with ``seed``.

    Args:
        seed: a non-negative integer below 2**32.

    Raises:
        TypeError: if ``seed`` is not an int.
        ValueError: if ``seed`` is negative or too large for NumPy.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
