"""Argument checks shared by rnnlib's modules (private).

Each check raises a ``TypeError`` or ``ValueError`` whose message names the argument
and says what was expected, so that a bad call fails at the call, not deep in torch,
NumPy or pandas. Three contracts are shared by every public function:

* **array-like of numbers** (:func:`as_float_array`): NumPy arrays, torch tensors (any
  device, any real dtype, bfloat16 included), lists and tuples, pandas Series and
  DataFrames of integers or real floats become a float64 array. Booleans, complex numbers,
  dates and times, strings, objects and meta tensors are refused, never silently
  converted; so are NaN and infinite values.
* **time index** (:func:`check_time_index`): the dates (or positions) of a series are
  strictly increasing, so "before" and "after" mean what they say; a date compared with
  them is read in their time zone (:func:`as_timestamp`).
* **predictions vs targets** (:func:`paired_arrays`, :func:`check_loss_shapes`): a
  forecast and what it forecasts have the same shape (a column ``(n, 1)`` counts as
  ``(n,)``), and the same index when both are pandas objects; nothing is broadcast or
  flattened into a different pairing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

# NumPy dtype kinds accepted as numbers: signed and unsigned integers, real floats.
_NUMBER_KINDS = "iuf"
_KIND_NAMES = {"b": "booleans", "c": "complex numbers", "M": "dates (datetime64)",
               "m": "time spans (timedelta64)", "O": "Python objects", "U": "strings",
               "S": "bytes", "V": "raw records"}


def check_int(value: Any, name: str, *, minimum: int | None = None,
              maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise if it is not an integer in
    ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
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


def _not_numbers(name: str, what: str) -> TypeError:
    return TypeError(f"{name} must hold real numbers (integers or floats), got {what}; "
                     f"convert it explicitly first")


def _tensor_to_numpy(data: torch.Tensor, name: str) -> np.ndarray:
    if data.device.type == "meta":
        raise ValueError(f"{name} is a meta tensor: it has a shape {tuple(data.shape)} but no "
                         f"values")
    if data.dtype == torch.bool or data.is_complex():
        raise _not_numbers(name, f"a tensor of dtype {data.dtype}")
    if data.layout != torch.strided:
        data = data.to_dense()
    # float64 on the torch side: bfloat16 (and some unsigned ints) have no NumPy twin.
    return data.detach().cpu().resolve_conj().resolve_neg().double().numpy()


def _pandas_to_numpy(data: pd.Series | pd.DataFrame, name: str) -> np.ndarray:
    def bad(dtype: Any) -> bool:
        return (not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
                or pd.api.types.is_complex_dtype(dtype))

    if isinstance(data, pd.DataFrame):
        cols = {str(c): str(data[c].dtype) for c in data.columns if bad(data[c].dtype)}
        if cols:
            raise TypeError(f"{name} has non-numeric columns {list(cols)} (dtypes "
                            f"{list(cols.values())}); select or encode them first (booleans, "
                            f"complex numbers and dates count as non-numeric)")
    elif bad(data.dtype):
        raise _not_numbers(name, f"a Series of dtype {data.dtype}")
    return data.to_numpy(dtype=np.float64, na_value=np.nan)


def as_float_array(data: Any, name: str, *, ndim: tuple[int, ...] = (1, 2),
                   allow_empty: bool = False) -> np.ndarray:
    """Convert array-like ``data`` to a float64 NumPy array: the *array-like* contract.

    Accepted: NumPy arrays, torch tensors (on any device, detached and copied to the CPU),
    lists and tuples, pandas Series and DataFrames, holding integers or real floats
    (float16 and bfloat16 included). Refused with a ``TypeError`` naming ``name``: booleans,
    complex numbers, datetime64/timedelta64, strings and other objects, ragged lists,
    ``None``, dicts and sets. Refused with a ``ValueError``: meta tensors, a wrong number of
    dimensions, NaN or infinite values, and (unless ``allow_empty``) no values at all.
    """
    if isinstance(data, torch.Tensor):
        arr = _tensor_to_numpy(data, name)
    elif isinstance(data, (pd.Series, pd.DataFrame)):
        arr = _pandas_to_numpy(data, name)
    elif data is None or isinstance(data, (str, bytes, dict, set, frozenset)):
        raise TypeError(f"{name} must be array-like numbers, got {type(data).__name__}")
    else:
        try:
            arr = np.asarray(data)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be array-like numbers with rows of equal length: "
                            f"{exc}") from None
        if arr.dtype.kind == "O":  # e.g. a list of tensors or Decimals: look again
            try:
                arr = np.array(arr.tolist())
            except (TypeError, ValueError):
                pass
    if arr.dtype.kind not in _NUMBER_KINDS:
        what = _KIND_NAMES.get(arr.dtype.kind, f"dtype {arr.dtype}")
        raise _not_numbers(name, f"{what} (dtype {arr.dtype})")
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim not in ndim:
        want = " or ".join(f"{d}-D" for d in ndim)
        raise ValueError(f"{name} must be {want}, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        n_bad = int(np.sum(~np.isfinite(arr)))
        first = np.argwhere(~np.isfinite(arr))[0]
        where = tuple(int(i) for i in first) if arr.ndim > 1 else int(first[0])
        raise ValueError(f"{name} holds {n_bad} NaN or infinite values (the first at position "
                         f"{where}); fill or drop them first")
    return arr


def check_time_index(index: Any, name: str) -> None:
    """Raise unless ``index`` (dates or positions of a series) is strictly increasing:
    the *time index* contract.

    Dates (``DatetimeIndex``, ``PeriodIndex``, ``TimedeltaIndex``) and numbers are checked:
    no missing entries, sorted, no entry twice. Other indexes (labels such as strings)
    carry no order and are left alone.
    """
    if not isinstance(index, pd.Index):
        return
    ordered = isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex, pd.TimedeltaIndex)) or (
        pd.api.types.is_numeric_dtype(index.dtype) and not pd.api.types.is_bool_dtype(index))
    if not ordered or len(index) < 2:
        return
    if index.hasnans:
        raise ValueError(f"{name} has {int(index.isna().sum())} missing dates (NaT or NaN)")
    if not index.is_monotonic_increasing:
        pos = int(np.argmax(index[1:] < index[:-1])) + 1
        raise ValueError(f"{name} is not sorted in time: {index[pos]} (position {pos}) comes "
                         f"after {index[pos - 1]}; sort it first (e.g. .sort_index())")
    if not index.is_unique:
        pos = int(np.argmax(index[1:] == index[:-1])) + 1
        raise ValueError(f"{name} holds {index[pos]} twice (positions {pos - 1} and {pos}); "
                         f"drop or merge the duplicates first")


def as_timestamp(value: Any, name: str, index: pd.DatetimeIndex | None = None) -> pd.Timestamp:
    """``value`` (a date string or Timestamp) as a Timestamp in the time zone of ``index``.

    A naive date compared with a time-zone-aware index is read as a wall-clock time in the
    index's zone; an aware date compared with a naive index (or with none) becomes its local
    calendar date, as daily prices are indexed. So a date means the same day on both sides.
    """
    if isinstance(value, bool) or not isinstance(value, (str, pd.Timestamp, np.datetime64)) \
            and not hasattr(value, "year"):
        raise TypeError(f"{name} must be a date string such as '2018-05-04' or a Timestamp, "
                        f"got {type(value).__name__}")
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a date such as '2018-05-04', got {value!r}") from None
    if pd.isna(ts):
        raise ValueError(f"{name} must be a date such as '2018-05-04', got {value!r}")
    tz = getattr(index, "tz", None)
    if tz is not None:
        return ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz)
    return ts.tz_localize(None).normalize() if ts.tzinfo is not None else ts


def squeeze_column(arr: np.ndarray) -> np.ndarray:
    """``arr`` with a column ``(n, 1)`` read as ``(n,)``; any other shape unchanged."""
    return arr[:, 0] if arr.ndim == 2 and arr.shape[1] == 1 else arr


def paired_arrays(y_true: Any, y_pred: Any, names: tuple[str, str] = ("y_true", "y_pred"),
                  *, ndim: tuple[int, ...] = (1, 2)) -> tuple[np.ndarray, np.ndarray]:
    """Two array-likes that must describe the same values: the *predictions vs targets*
    contract.

    Both become float64 arrays (:func:`as_float_array`). A column ``(n, 1)`` is read as
    ``(n,)``; otherwise the shapes must be equal, so no value is paired with one it does
    not forecast. When both are pandas objects, their indexes must be equal too.

    Returns:
        The two arrays, each of the common shape.
    """
    a = squeeze_column(as_float_array(y_true, names[0], ndim=ndim))
    b = squeeze_column(as_float_array(y_pred, names[1], ndim=ndim))
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} has shape {a.shape} but {names[1]} has shape {b.shape}; "
                         f"they must match (a column (n, 1) counts as (n,)), so that values "
                         f"are paired position by position as meant")
    both_pandas = all(isinstance(v, (pd.Series, pd.DataFrame)) for v in (y_true, y_pred))
    if both_pandas and not y_true.index.equals(y_pred.index):
        raise ValueError(f"{names[0]} and {names[1]} are indexed by different dates or labels; "
                         f"align them first (e.g. {names[1]}.reindex({names[0]}.index))")
    return a, b


# torch's losses that compare predictions and targets element by element (and broadcast
# silently when their shapes differ).
ELEMENTWISE_LOSSES = (nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss)


def check_loss_shapes(pred: torch.Tensor, target: torch.Tensor, loss_fn: Any,
                      where: str) -> None:
    """Raise when an element-wise loss would broadcast ``pred`` against ``target``."""
    if loss_fn is not None and not isinstance(loss_fn, ELEMENTWISE_LOSSES):
        return
    if not isinstance(pred, torch.Tensor) or not isinstance(target, torch.Tensor):
        return
    if pred.shape != target.shape:
        raise ValueError(
            f"{where}: the model's predictions have shape {tuple(pred.shape)} but the targets "
            f"y have shape {tuple(target.shape)}; the loss would broadcast them and pair "
            f"values that do not belong together. Give y the shape of the predictions "
            f"(e.g. y.unsqueeze(-1) or y.view_as(prediction)).")
