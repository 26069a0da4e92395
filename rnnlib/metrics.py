"""Forecast accuracy metrics and the naive forecasts every model must beat.

Following Hyndman & Athanasopoulos (*Forecasting: Principles and Practice*):
RMSE and MAE in the data's units, MASE scaled by the in-sample naive (or seasonal
naive) error, so that MASE < 1 means better than that naive forecast on the training
data. Inputs may be NumPy arrays, torch tensors, lists or pandas Series.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from rnnlib._checks import as_float_array, check_int


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    a = as_float_array(y_true, "y_true").ravel()
    b = as_float_array(y_pred, "y_pred").ravel()
    if a.shape != b.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {a.size} "
                         f"and {b.size}")
    return a, b


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error of ``y_pred`` against ``y_true`` (same length)."""
    a, b = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((a - b) ** 2)))


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error of ``y_pred`` against ``y_true`` (same length)."""
    a, b = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a - b)))


def mase(y_true: Any, y_pred: Any, y_train: Any, season: int = 1) -> float:
    """Mean absolute scaled error.

    The MAE of the forecast divided by the mean absolute error of the one-step
    (seasonal) naive forecast on the training series ``y_train``.

    Args:
        y_true, y_pred: the test values and their forecasts, same length.
        y_train: the training series, shape ``(time,)``, longer than ``season``.
        season: 1 for the naive scaling, m for the seasonal naive one.
    """
    a, b = _pair(y_true, y_pred)
    train = as_float_array(y_train, "y_train", ndim=(1,))
    season = check_int(season, "season", minimum=1)
    if len(train) <= season:
        raise ValueError(f"y_train needs more than season={season} values, got {len(train)}")
    scale = np.mean(np.abs(train[season:] - train[:-season]))
    if scale == 0:
        raise ValueError("y_train is constant at lag season, so MASE is undefined")
    return float(np.mean(np.abs(a - b)) / scale)


def directional_accuracy(y_true: Any, y_pred: Any, y_prev: Any) -> float:
    """Share of steps where the forecast moves the same way as the truth from ``y_prev``.

    Args:
        y_true: the actual values, shape ``(n,)``.
        y_pred: the forecasts, shape ``(n,)``.
        y_prev: the last known value before each forecast, shape ``(n,)``.

    Returns:
        A fraction in [0, 1]; 0.5 is what a coin flip scores. Steps where the truth
        does not move are left out.
    """
    a, b = _pair(y_true, y_pred)
    prev = as_float_array(y_prev, "y_prev").ravel()
    if prev.shape != a.shape:
        raise ValueError(f"y_prev must have the length of y_true ({a.size}), got {prev.size}")
    moved = a != prev
    if not moved.any():
        raise ValueError("y_true never differs from y_prev, so direction is undefined")
    return float(np.mean(np.sign(a - prev)[moved] == np.sign(b - prev)[moved]))


def naive_forecast(history: Any, horizon: int = 1) -> np.ndarray:
    """Repeat the last observed value ``horizon`` times: shape ``(horizon,)``."""
    h = as_float_array(history, "history", ndim=(1,))
    horizon = check_int(horizon, "horizon", minimum=1)
    return np.full(horizon, h[-1])


def seasonal_naive_forecast(history: Any, season: int, horizon: int = 1) -> np.ndarray:
    """Repeat the last full season: the forecast for step k is ``history[-season + (k-1) % season]``.

    Returns:
        Shape ``(horizon,)``.
    """
    h = as_float_array(history, "history", ndim=(1,))
    season = check_int(season, "season", minimum=1)
    horizon = check_int(horizon, "horizon", minimum=1)
    if len(h) < season:
        raise ValueError(f"history needs at least season={season} values, got {len(h)}")
    last = h[-season:]
    return last[np.arange(horizon) % season]


def drift_forecast(history: Any, horizon: int = 1) -> np.ndarray:
    """The last value plus the average change so far, times the steps ahead (FPP's drift).

    Returns:
        Shape ``(horizon,)``.
    """
    h = as_float_array(history, "history", ndim=(1,))
    horizon = check_int(horizon, "horizon", minimum=1)
    if len(h) < 2:
        raise ValueError("history needs at least 2 values for a drift")
    slope = (h[-1] - h[0]) / (len(h) - 1)
    return h[-1] + slope * np.arange(1, horizon + 1)


def one_step_baseline(series: Any, n_test: int,
                      method: Literal["naive", "seasonal", "drift"] = "naive",
                      season: int | None = None) -> np.ndarray:
    """One-step-ahead baseline forecasts of the last ``n_test`` values of ``series``.

    Each forecast uses only the values before it (a rolling origin), as a model that
    is refitted every step would.

    Returns:
        Shape ``(n_test,)``, aligned with ``series[-n_test:]``.
    """
    s = as_float_array(series, "series", ndim=(1,))
    n_test = check_int(n_test, "n_test", minimum=1)
    if method not in ("naive", "seasonal", "drift"):
        raise ValueError(f"method must be 'naive', 'seasonal' or 'drift', got {method!r}")
    if method == "seasonal":
        if season is None:
            raise ValueError("method='seasonal' needs season")
        season = check_int(season, "season", minimum=1)
    need = {"naive": 1, "seasonal": season or 1, "drift": 2}[method]
    if len(s) - n_test < need:
        raise ValueError(f"series has {len(s)} values: too few before the last {n_test} "
                         f"for the {method} baseline")
    origins = np.arange(len(s) - n_test, len(s))
    if method == "naive":
        return s[origins - 1]
    if method == "seasonal":
        return s[origins - season]
    return s[origins - 1] + (s[origins - 1] - s[0]) / (origins - 1)


def forecast_table(y_true: Any, forecasts: Mapping[str, Any], *, y_train: Any,
                   season: int = 1, y_prev: Any = None) -> pd.DataFrame:
    """RMSE, MAE and MASE (and, with ``y_prev``, directional accuracy) of several forecasts
    of the same values, one row per forecast.

    Args:
        y_true: the actual values, shape ``(n,)``.
        forecasts: name -> forecast of ``y_true``, each shape ``(n,)``.
        y_train: the training series, shape ``(time,)``, to scale MASE by its in-sample
            (seasonal) naive error.
        season: the MASE scaling's lag, as in :func:`mase`.
        y_prev: the last value known before each forecast, shape ``(n,)``; if given, a
            ``directional accuracy`` column is added. It is NaN for a forecast that never
            moves away from ``y_prev`` (the random walk predicts no direction, so it cannot
            be right or wrong about one); otherwise 0.5 is what a coin flip scores.

    Returns:
        A DataFrame indexed by forecast name with columns ``RMSE``, ``MAE``, ``MASE``
        (and ``directional accuracy``).
    """
    if not isinstance(forecasts, Mapping) or not forecasts:
        raise TypeError("forecasts must be a non-empty mapping of name -> forecast")
    truth = as_float_array(y_true, "y_true").ravel()
    prev = None
    if y_prev is not None:
        prev = as_float_array(y_prev, "y_prev").ravel()
        if prev.shape != truth.shape:
            raise ValueError(f"y_prev must have the length of y_true ({truth.size}), "
                             f"got {prev.size}")
    rows = {}
    for name, fc in forecasts.items():
        pred = as_float_array(fc, f"forecasts[{name!r}]").ravel()
        if pred.shape != truth.shape:
            raise ValueError(f"forecasts[{name!r}] has {pred.size} values, y_true has "
                             f"{truth.size}")
        row = {"RMSE": rmse(truth, pred), "MAE": mae(truth, pred),
               "MASE": mase(truth, pred, y_train, season)}
        if prev is not None:
            row["directional accuracy"] = (math.nan if np.all(pred == prev)
                                           else directional_accuracy(truth, pred, prev))
        rows[str(name)] = row
    return pd.DataFrame.from_dict(rows, orient="index")
