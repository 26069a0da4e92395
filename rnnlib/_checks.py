"""Argument checks shared by rnnlib's modules (private).

Each check raises a ``TypeError`` or ``ValueError`` whose message names the argument
and says what was expected, so that a bad call fails at the call, not deep in torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch


def check_int(value: Any, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_number(value: Any, name: str, *, minimum: float | None = None,
                 strict: bool = False) -> float:
    """Return ``value`` as a float, or raise if it is not a real number in range."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        op = ">" if strict else ">="
        raise ValueError(f"{name} must be {op} {minimum}, got {value}")
    return value


def as_float_array(data: Any, name: str, *, ndim: tuple[int, ...] = (1, 2),
                   allow_empty: bool = False) -> np.ndarray:
    """Convert array-like ``data`` to a float64 NumPy array and check it.

    Accepts NumPy arrays, torch tensors, lists, pandas Series and DataFrames.
    Raises on non-numeric columns, NaN or infinite values, a wrong number of
    dimensions, or (unless ``allow_empty``) an empty array.
    """
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy()
    elif isinstance(data, pd.DataFrame):
        bad = [str(c) for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])
               or pd.api.types.is_bool_dtype(data[c])]
        if bad:
            raise TypeError(f"{name} has non-numeric columns {bad}; select or encode them first")
        data = data.to_numpy(dtype=np.float64)
    elif isinstance(data, pd.Series):
        if not pd.api.types.is_numeric_dtype(data) or pd.api.types.is_bool_dtype(data):
            raise TypeError(f"{name} must be numeric, got a Series of dtype {data.dtype}")
        data = data.to_numpy(dtype=np.float64)
    elif isinstance(data, (str, bytes, dict)) or data is None:
        raise TypeError(f"{name} must be array-like numbers, got {type(data).__name__}")
    try:
        arr = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must hold numbers only: {exc}") from None
    if arr.ndim not in ndim:
        want = " or ".join(f"{d}-D" for d in ndim)
        raise ValueError(f"{name} must be {want}, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        n_bad = int(np.sum(~np.isfinite(arr)))
        raise ValueError(f"{name} holds {n_bad} NaN or infinite values; fill or drop them first")
    return arr
