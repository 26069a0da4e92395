"""How does a series become training data? Split by time, scale, cut windows, batch.

The leak-free path is the short one::

    train, test = time_split(series, test_size=20)
    scaler, (train_s, test_s) = scale_split(train, test)   # fitted on train only
    x, y = make_windows(train_s, lookback=32)              # (n, 32, features), (n, features)
    batches = Minibatches(x, y, batch_size=64, seed=0)     # shuffled, reproducible

:class:`TimeSeriesDataset` is the same windows as a lazy torch ``Dataset``, and
:func:`window_dates` names the last input date and the target date of every window.
:func:`make_horizon_windows` cuts windows with the next ``horizon`` values as targets, for
forecasters that predict several steps at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from torch.utils.data import BatchSampler, Dataset, RandomSampler

from rnnlib._checks import as_float_array, check_int, check_time_index


def _n_rows(size: float, n: int, name: str) -> int:
    """A size given as a count (int >= 1) or a fraction (0 < float < 1) of ``n`` rows."""
    if isinstance(size, bool) or not isinstance(size, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be an int (rows) or a float fraction, got "
                        f"{type(size).__name__}")
    if isinstance(size, (float, np.floating)):
        if not 0.0 < size < 1.0:
            raise ValueError(f"{name} as a fraction must be between 0 and 1, got {size}")
        return max(1, round(float(size) * n))
    if size < 1:
        raise ValueError(f"{name} must be >= 1 row, got {size}")
    return int(size)


def time_split(data: Any, test_size: float, val_size: float = 0) -> tuple:
    """Split ``data`` along its first (time) axis, keeping the order.

    The last ``test_size`` rows form the test part; with ``val_size``, the rows just
    before them form a validation part. Nothing is shuffled.

    Args:
        data: a NumPy array, torch tensor, pandas Series or DataFrame, time first.
        test_size: rows in the test part (int) or its fraction of all rows (float).
        val_size: rows (or fraction) in the validation part; 0 for none.

    Returns:
        ``(train, test)``, or ``(train, val, test)`` when ``val_size`` is not 0; each
        of the same type as ``data``.

    Raises:
        ValueError: if a Series' or DataFrame's dates (or numeric index) are not strictly
            increasing, since "the last rows" would then not be the latest; or if the sizes
            leave no training rows.

    Used in chapters 1, 5 and 6.
    """
    if not hasattr(data, "__len__") or not hasattr(data, "__getitem__") or isinstance(data, str):
        raise TypeError(f"data must be an array, tensor, Series or DataFrame, "
                        f"got {type(data).__name__}")
    if isinstance(data, (pd.Series, pd.DataFrame)):
        check_time_index(data.index, "data's index")
    n = len(data)
    n_test = _n_rows(test_size, n, "test_size")
    n_val = 0 if (not isinstance(val_size, bool) and val_size == 0) else _n_rows(
        val_size, n, "val_size")
    if n_test + n_val >= n:
        raise ValueError(f"test_size ({n_test}) + val_size ({n_val}) rows leave no training "
                         f"rows out of {n}")
    take = (lambda a, b: data.iloc[a:b]) if isinstance(data, (pd.Series, pd.DataFrame)) \
        else (lambda a, b: data[a:b])
    cut_val, cut_test = n - n_test - n_val, n - n_test
    train, test = take(0, cut_val), take(cut_test, n)
    if n_val:
        return train, take(cut_val, cut_test), test
    return train, test


class Scaler:
    """Per-feature scaling fitted on one array (the training part) and applied to others.

    ``kind="minmax"`` maps the fitted minimum and maximum to 0 and 1;
    ``kind="standard"`` subtracts the mean and divides by the standard deviation.
    Constant features are left unscaled (divided by 1).

    Attributes (after ``fit``):
        center_: per-feature value mapped to 0 (minimum or mean), shape ``(features,)``.
        scale_: per-feature divisor (range or standard deviation), shape ``(features,)``.
        n_fitted_: the number of rows it was fitted on.

    Used in chapters 6, 7 and 8.
    """

    def __init__(self, kind: Literal["minmax", "standard"] = "minmax") -> None:
        if kind not in ("minmax", "standard"):
            raise ValueError(f"kind must be 'minmax' or 'standard', got {kind!r}")
        self.kind = kind
        self.center_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.n_fitted_: int = 0

    def fit(self, data: Any) -> Scaler:
        """Learn the statistics of ``data``: shape ``(time,)`` or ``(time, features)``."""
        arr = as_float_array(data, "data")
        arr2 = arr.reshape(len(arr), -1)
        if self.kind == "minmax":
            center, spread = arr2.min(axis=0), arr2.max(axis=0) - arr2.min(axis=0)
        else:
            center, spread = arr2.mean(axis=0), arr2.std(axis=0)
        self.center_ = center
        self.scale_ = np.where(spread > 0, spread, 1.0)
        self.n_fitted_ = len(arr2)
        self._ndim = arr.ndim
        return self

    def _check(self, data: Any, name: str) -> tuple[np.ndarray, Any]:
        if self.center_ is None:
            raise RuntimeError("this Scaler is not fitted yet: call fit(train) first")
        arr = as_float_array(data, name)
        arr2 = arr.reshape(len(arr), -1)
        if arr2.shape[1] != len(self.center_):
            raise ValueError(f"{name} has {arr2.shape[1]} features, the scaler was fitted on "
                             f"{len(self.center_)}")
        return arr2, arr.shape

    def transform(self, data: Any) -> np.ndarray:
        """Scale ``data`` (same features as fitted); returns float32 of ``data``'s shape."""
        arr2, shape = self._check(data, "data")
        return ((arr2 - self.center_) / self.scale_).reshape(shape).astype(np.float32)

    def inverse_transform(self, data: Any, feature: int | None = None) -> np.ndarray:
        """Undo the scaling. With ``feature``, ``data`` holds only that feature's column
        (e.g. a forecast of the target), shape ``(n,)`` or ``(n, 1)``."""
        if feature is None:
            arr2, shape = self._check(data, "data")
            return (arr2 * self.scale_ + self.center_).reshape(shape)
        if self.center_ is None:
            raise RuntimeError("this Scaler is not fitted yet: call fit(train) first")
        feature = check_int(feature, "feature", minimum=0)
        if feature >= len(self.center_):
            raise ValueError(f"feature must be < {len(self.center_)}, got {feature}")
        arr = as_float_array(data, "data")
        return arr * self.scale_[feature] + self.center_[feature]

    def fit_transform(self, data: Any) -> np.ndarray:
        """``fit(data)`` then ``transform(data)``."""
        return self.fit(data).transform(data)


def scale_split(train: Any, *others: Any,
                kind: Literal["minmax", "standard"] = "minmax") -> tuple[Scaler, tuple]:
    """Fit a :class:`Scaler` on ``train`` only and apply it to ``train`` and ``others``.

    Returns:
        ``(scaler, (train_scaled, *others_scaled))``: float32 arrays.

    Used in chapters 5 and 6.
    """
    scaler = Scaler(kind).fit(train)
    return scaler, tuple(scaler.transform(part) for part in (train, *others))


class TimeSeriesDataset(Dataset):
    """Sliding look-back windows over a series, as a torch ``Dataset``.

    Item ``i`` is ``(x, y)`` with ``x = ts[i : i + lookback]``, shape
    ``(lookback, features)``, and

    * ``target="window"``: ``y = ts[i + shift : i + lookback + shift]``, the window moved
      ``shift`` steps ahead, shape ``(lookback, n_targets)`` (a target at every step);
    * ``target="last"``: ``y = ts[i + lookback - 1 + shift]``, the value ``shift`` steps
      after the window's end, shape ``(n_targets,)``.

    Args:
        ts: the series, shape ``(time,)`` or ``(time, features)``; numbers, no NaN.
        lookback: window length (>= 1).
        shift: forecast distance in steps (>= 1).
        target: ``"window"`` or ``"last"``.
        target_cols: feature indices to predict (default: all features).

    Used in no chapter.
    """

    def __init__(self, ts: Any, lookback: int, shift: int = 1,
                 target: Literal["window", "last"] = "window",
                 target_cols: list[int] | None = None) -> None:
        arr = as_float_array(ts, "ts")
        if arr.ndim == 1:
            arr = arr[:, None]
        self.lookback = check_int(lookback, "lookback", minimum=1)
        self.shift = check_int(shift, "shift", minimum=1)
        if target not in ("window", "last"):
            raise ValueError(f"target must be 'window' or 'last', got {target!r}")
        self.target = target
        if len(arr) < self.lookback + self.shift:
            raise ValueError(f"ts has {len(arr)} steps, too few for lookback={self.lookback} "
                             f"plus shift={self.shift}")
        cols = list(range(arr.shape[1])) if target_cols is None else list(target_cols)
        for c in cols:
            check_int(c, "target_cols entry", minimum=0)
            if c >= arr.shape[1]:
                raise ValueError(f"target_cols entry {c} is out of range for "
                                 f"{arr.shape[1]} features")
        self.target_cols = cols
        self.data = torch.tensor(arr, dtype=torch.float32)  # a copy: arr may be read-only

    def __len__(self) -> int:
        return len(self.data) - self.lookback - self.shift + 1

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        if not -len(self) <= i < len(self):
            raise IndexError(f"index {i} out of range for {len(self)} windows")
        i = i % len(self)
        x = self.data[i:i + self.lookback]
        if self.target == "window":
            y = self.data[i + self.shift:i + self.lookback + self.shift, self.target_cols]
        else:
            y = self.data[i + self.lookback - 1 + self.shift, self.target_cols]
        return x, y


def make_windows(ts: Any, lookback: int, shift: int = 1,
                 target: Literal["window", "last"] = "last",
                 target_cols: list[int] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """All windows of :class:`TimeSeriesDataset` stacked into two tensors.

    Returns:
        ``(x, y)`` with ``x`` of shape ``(n_windows, lookback, features)`` and ``y`` of
        shape ``(n_windows, n_targets)`` (``target="last"``) or
        ``(n_windows, lookback, n_targets)`` (``target="window"``).

    Used in chapters 5, 6 and 8.
    """
    ds = TimeSeriesDataset(ts, lookback, shift, target, target_cols)
    idx = torch.arange(len(ds))
    x = ds.data[idx[:, None] + torch.arange(ds.lookback)]
    if target == "window":
        y = ds.data[idx[:, None] + ds.shift + torch.arange(ds.lookback)][..., ds.target_cols]
    else:
        y = ds.data[idx + ds.lookback - 1 + ds.shift][:, ds.target_cols]
    return x, y


def make_horizon_windows(ts: Any, lookback: int, horizon: int,
                         target_col: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Every look-back window with the next ``horizon`` values of one column after it.

    Window ``i`` reads rows ``i .. i + lookback - 1`` (its *origin* is row
    ``i + lookback - 1``) and its targets are rows ``i + lookback .. i + lookback + horizon
    - 1`` of column ``target_col``: the data of a multi-step (direct or
    sequence-to-sequence) forecaster. Only windows whose whole horizon lies in ``ts`` are
    made, so windows over a test period need the ``lookback - 1`` rows before it too.

    Args:
        ts: the series, shape ``(time,)`` or ``(time, features)``; numbers, no NaN.
        lookback: window length (>= 1).
        horizon: steps ahead to predict (>= 1).
        target_col: the column whose future values are the targets.

    Returns:
        ``(x, y)``: ``x`` of shape ``(n_windows, lookback, features)`` and ``y`` of shape
        ``(n_windows, horizon)``, with ``n_windows = len(ts) - lookback - horizon + 1``;
        ``y[:, 0]`` is ``make_windows``' one-step target.

    Used in chapter 7.
    """
    horizon = check_int(horizon, "horizon", minimum=1)
    ds = TimeSeriesDataset(ts, lookback, 1, "last")
    if len(ds.data) < ds.lookback + horizon:
        raise ValueError(f"ts has {len(ds.data)} steps, too few for lookback={ds.lookback} "
                         f"plus horizon={horizon}")
    col = check_int(target_col, "target_col", minimum=0)
    if col >= ds.data.shape[1]:
        raise ValueError(f"target_col {col} is out of range for {ds.data.shape[1]} features")
    starts = torch.arange(len(ds.data) - ds.lookback - horizon + 1)
    x = ds.data[starts[:, None] + torch.arange(ds.lookback)]
    y = ds.data[starts[:, None] + ds.lookback + torch.arange(horizon), col]
    return x, y


def window_dates(index: Any, lookback: int, shift: int = 1) -> tuple[pd.Index, pd.Index]:
    """The last input date and the target date of each window of ``make_windows``.

    Window ``i`` of :func:`rnnlib.windows.make_windows` (``target="last"``) reads rows
    ``i .. i + lookback - 1`` and predicts row ``i + lookback - 1 + shift``.

    Args:
        index: the dates (or positions) of the rows, e.g. ``features.index``; strictly
            increasing.
        lookback: window length (>= 1).
        shift: forecast distance in rows (>= 1).

    Returns:
        ``(last_input, target)``: two indexes of length ``len(index) - lookback - shift + 1``.

    Used in chapter 6.
    """
    if isinstance(index, (str, bytes)) or not hasattr(index, "__len__"):
        raise TypeError(f"index must be an index or array of dates, got {type(index).__name__}")
    idx = pd.Index(index)
    check_time_index(idx, "index")
    lookback = check_int(lookback, "lookback", minimum=1)
    shift = check_int(shift, "shift", minimum=1)
    n = len(idx) - lookback - shift + 1
    if n < 1:
        raise ValueError(f"index has {len(idx)} rows, too few for lookback={lookback} "
                         f"plus shift={shift}")
    return idx[lookback - 1:lookback - 1 + n], idx[lookback - 1 + shift:]


class Minibatches:
    """Shuffled minibatches of ``(x, y)``, in a new order every epoch, reproducible.

    Iterating gives ``(x[idx], y[idx])`` for consecutive batches of a random permutation of
    the rows (the last batch may be smaller); every new iteration (epoch) draws a new
    permutation from a generator seeded with ``seed``, so the same seed gives the same
    batches epoch after epoch, whatever else uses torch's global random numbers. Each batch
    is one indexing operation, not ``batch_size`` single-row fetches. Pass it to
    :func:`rnnlib.train.fit` as ``train_data``.

    Args:
        x: inputs, a tensor with one row per example, e.g. ``(n, lookback, features)``.
        y: targets, a tensor with the same number of rows, e.g. ``(n, targets)``.
        batch_size: rows per batch (>= 1).
        seed: seed of the shuffling generator (>= 0).

    Raises:
        TypeError: if ``x`` or ``y`` is not a tensor, or ``batch_size`` or ``seed`` not an int.
        ValueError: if ``x`` is empty, the row counts differ, or a size is out of range.

    Used in chapters 4, 5, 6 and 7.
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int, *,
                 seed: int = 0) -> None:
        for name, t in (("x", x), ("y", y)):
            if not isinstance(t, torch.Tensor):
                raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
            if t.dim() == 0:
                raise ValueError(f"{name} must have one row per example, got a 0-d tensor")
        if len(x) == 0:
            raise ValueError("x must hold at least one row")
        if len(x) != len(y):
            raise ValueError(f"x has {len(x)} rows but y has {len(y)}")
        self.x, self.y = x, y
        self.batch_size = check_int(batch_size, "batch_size", minimum=1)
        generator = torch.Generator().manual_seed(check_int(seed, "seed", minimum=0))
        self._order = BatchSampler(RandomSampler(range(len(x)), generator=generator),
                                   self.batch_size, drop_last=False)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for idx in self._order:
            yield self.x[idx], self.y[idx]

    def __len__(self) -> int:
        return len(self._order)
