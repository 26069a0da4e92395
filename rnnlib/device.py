"""Where does the code run, and how is a run made reproducible?

The book runs unchanged on a laptop CPU, a CUDA GPU (Colab) or an Apple GPU (MPS).
``get_device()`` picks the best one found; the environment variable ``RNNLIB_DEVICE``
(``cpu``, ``cuda``, ``cuda:1`` or ``mps``) overrides that choice, e.g. to force the CPU.
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


def _parse(text: str, source: str) -> torch.device:
    """``"cuda"``, ``"cuda:1"``, ``"mps"``, ``"cpu"`` (any case) as a device, if it is here."""
    kind, _, index = text.strip().lower().partition(":")
    if kind not in _KNOWN or (index and not index.isdigit()) or (index and kind == "cpu"):
        raise ValueError(f"{source} must be one of {', '.join(_KNOWN)}, optionally with a "
                         f"device number such as 'cuda:1'; got {text!r}")
    if not _available(kind):
        raise ValueError(
            f"{source} asks for device {text!r}, but {kind} is not available on this machine; "
            f"use 'cpu' or unset {ENV_VAR} for the automatic choice")
    if index and kind == "cuda" and int(index) >= torch.cuda.device_count():
        raise ValueError(f"{source} asks for device {text!r}, but this machine has "
                         f"{torch.cuda.device_count()} CUDA device(s), numbered from 0")
    return torch.device(kind, int(index)) if index else torch.device(kind)


def _resolve_device(device: str | torch.device | None, argument: str = "device"
                   ) -> torch.device:
    """The device that ``device`` names, checked; ``None`` gives :func:`get_device`'s
    automatic choice. Errors name ``argument``, the caller's parameter (``device`` for
    :func:`rnnlib.train.fit`, ``name`` for :func:`get_device`).
    """
    if device is None:
        env = os.environ.get(ENV_VAR, "").strip()
        if env:
            return _parse(env, f"environment variable {ENV_VAR}")
        for kind in ("cuda", "mps"):
            if _available(kind):
                return torch.device(kind)
        return torch.device("cpu")
    if isinstance(device, torch.device):
        return _parse(str(device), argument)
    if not isinstance(device, str):
        raise TypeError(f"{argument} must be a str such as 'cpu' or 'cuda:0', a "
                        f"torch.device or None; got {type(device).__name__}")
    return _parse(device, argument)


def get_device(name: str | torch.device | None = None) -> torch.device:
    """Return the device to compute on.

    Order of choice: the ``name`` argument, else the ``RNNLIB_DEVICE`` environment
    variable, else CUDA if available, then Apple MPS, else the CPU.

    Args:
        name: ``"cpu"``, ``"cuda"``, ``"cuda:N"`` (the N-th GPU) or ``"mps"``
            (case-insensitive), a ``torch.device``, or ``None`` for the automatic choice.
            ``RNNLIB_DEVICE`` takes the same strings.

    Returns:
        A ``torch.device``.

    Raises:
        TypeError: if ``name`` is not a string, a device or ``None``.
        ValueError: if the requested device is unknown or not available here (the message
            names ``name`` or the environment variable, whichever asked for it).

    Used in chapters 1, 2, 3, 4, 5, 6, 7 and 8.
    """
    return _resolve_device(name, "name")


def seed_everything(seed: int, *, threads: int | None = 1,
                    deterministic: bool | None = None) -> None:
    """Seed Python's ``random``, NumPy and torch (CPU, CUDA and MPS) with ``seed``, and set
    the number of CPU threads torch computes with.

    The book's models are tiny: splitting each small matrix product across CPU threads
    costs more than it saves, many times more on a busy 2-core machine, so by default torch
    is set to one thread. Results
    can differ in the last digits between thread counts, since sums are then added in
    another order. On a GPU the setting only affects the CPU side.

    Seeds make a run repeatable on the CPU. On a GPU, some kernels (cuDNN's, and atomic
    additions in backward passes) may still add numbers in a different order from run to
    run; ``deterministic=True`` asks torch for deterministic algorithms everywhere
    (``torch.use_deterministic_algorithms``, cuDNN's deterministic mode without
    benchmarking, and the cuBLAS workspace setting CUDA needs for it), at some cost in
    speed. An operation that has no deterministic version then raises an error instead of
    differing silently.

    Args:
        seed: a non-negative integer below 2**32.
        threads: CPU threads for torch (>= 1), or ``None`` to leave the setting alone.
        deterministic: ``True`` to switch deterministic algorithms on, ``False`` to switch
            them off, ``None`` (default) to leave the setting alone.

    Raises:
        TypeError: if ``seed`` or ``threads`` is not an int, or ``deterministic`` not a
            bool or ``None``.
        ValueError: if ``seed`` is negative or too large for NumPy, or ``threads < 1``.

    Used in chapters 1, 2, 3, 4, 5, 6, 7 and 8.
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
    if deterministic is not None:
        if not isinstance(deterministic, bool):
            raise TypeError(f"deterministic must be True, False or None, "
                            f"got {type(deterministic).__name__}")
        if deterministic:
            # cuBLAS reads this when it starts; set before the first CUDA matrix product.
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(deterministic)
        torch.backends.cudnn.deterministic = deterministic
        torch.backends.cudnn.benchmark = False
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
