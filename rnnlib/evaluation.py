"""How is a forecast judged? Error measures, tables, rolling origins and tests.

Following Hyndman & Athanasopoulos (*Forecasting: Principles and Practice*):

* **errors**: :func:`rmse` and :func:`mae` in the data's units, :func:`mase` scaled by the
  in-sample naive (or seasonal naive) error, so that MASE < 1 means better than that naive
  forecast on the training data; :func:`directional_accuracy` for up-or-down calls;
* **one table** of them for several forecasts of the same values: :func:`forecast_table`;
* **evaluation schemes** that never let a model see its test data: :func:`rolling_origins`
  (train on everything before an origin, test on the next steps) and :func:`walk_forward`
  (every test position forecast once, with refits between blocks);
* **is a difference real?** :func:`diebold_mariano` tests two forecasts' accuracy, and
  :func:`lag_profile` shows a forecast that only copies the last value.

The forecasts themselves, naive baselines included, come from :mod:`rnnlib.forecast`.
Inputs may be NumPy arrays, torch tensors, lists or pandas Series.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rnnlib._checks import as_float_array, check_int, paired_arrays, squeeze_column


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """The predictions-vs-targets contract (``rnnlib._checks.paired_arrays``), flattened."""
    a, b = paired_arrays(y_true, y_pred)
    return a.ravel(), b.ravel()


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error of ``y_pred`` against ``y_true``.

    Both have the same shape, ``(n,)`` or ``(n, outputs)`` (a column ``(n, 1)`` counts as
    ``(n,)``), and the same index if both are pandas objects; anything else is a
    ``ValueError``, never a silent pairing of misaligned values.

    Used in chapters 1, 6 and 7.
    """
    a, b = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((a - b) ** 2)))


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error of ``y_pred`` against ``y_true`` (same shapes, as in :func:`rmse`).

    Used in no chapter.
    """
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

    Used in no chapter.
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

    Used in no chapter.
    """
    a, b = _pair(y_true, y_pred)
    prev = paired_arrays(y_true, y_prev, ("y_true", "y_prev"))[1].ravel()
    moved = a != prev
    if not moved.any():
        raise ValueError("y_true never differs from y_prev, so direction is undefined")
    return float(np.mean(np.sign(a - prev)[moved] == np.sign(b - prev)[moved]))


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

    Used in chapters 5 and 6.
    """
    if not isinstance(forecasts, Mapping) or not forecasts:
        raise TypeError("forecasts must be a non-empty mapping of name -> forecast")
    names = [str(name) for name in forecasts]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        keys = [k for k in forecasts if str(k) in twice]
        raise ValueError(f"forecasts has keys {keys} that name the same row {twice}; "
                         f"the table would keep only one of them")
    truth = as_float_array(y_true, "y_true").ravel()
    prev = None
    if y_prev is not None:
        prev = paired_arrays(y_true, y_prev, ("y_true", "y_prev"))[1].ravel()
    rows = {}
    for name, fc in forecasts.items():
        pred = paired_arrays(y_true, fc, ("y_true", f"forecasts[{name!r}]"))[1].ravel()
        row = {"RMSE": rmse(truth, pred), "MAE": mae(truth, pred),
               "MASE": mase(truth, pred, y_train, season)}
        if prev is not None:
            row["directional accuracy"] = (math.nan if np.all(pred == prev)
                                           else directional_accuracy(truth, pred, prev))
        rows[str(name)] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def rolling_origins(n_obs: int, *, initial: int, horizon: int = 1,
                    step: int = 1) -> list[tuple[slice, slice]]:
    """Forecast origins for a rolling-origin (walk-forward) evaluation.

    The first origin trains on ``initial`` observations and tests on the next ``horizon``;
    each later origin moves ``step`` observations on, until the test part would run
    past ``n_obs``. Training data always ends before its test data starts.

    Args:
        n_obs: length of the series.
        initial: observations before the first origin (>= 1).
        horizon: test observations per origin (>= 1).
        step: observations between consecutive origins (>= 1).

    Returns:
        A list of ``(train, test)`` slices: ``series[train]`` is ``series[:origin]`` and
        ``series[test]`` is ``series[origin:origin + horizon]``.

    Used in chapter 5.
    """
    n_obs = check_int(n_obs, "n_obs", minimum=2)
    initial = check_int(initial, "initial", minimum=1)
    horizon = check_int(horizon, "horizon", minimum=1)
    step = check_int(step, "step", minimum=1)
    if initial + horizon > n_obs:
        raise ValueError(f"initial ({initial}) + horizon ({horizon}) exceeds n_obs ({n_obs})")
    return [(slice(0, o), slice(o, o + horizon))
            for o in range(initial, n_obs - horizon + 1, step)]


@dataclass
class WalkForward:
    """The result of :func:`walk_forward`.

    Attributes:
        origins: the first position of each test block, shape ``(blocks,)``.
        positions: the position of every forecast, shape ``(n,)``.
        forecasts: the forecasts, shape ``(n,)``, aligned with ``positions``.

    Used in no chapter.
    """

    origins: np.ndarray
    positions: np.ndarray
    forecasts: np.ndarray


def walk_forward(forecaster: Callable[[slice, slice], Any], n_obs: int, *, initial: int,
                 horizon: int) -> WalkForward:
    """A rolling-origin (walk-forward) evaluation in consecutive blocks.

    The positions ``initial .. n_obs - 1`` are cut into blocks of ``horizon`` (the last
    one shorter if they do not divide evenly). For each block, ``forecaster`` is called
    with the slice of everything before it and the block's slice; it may refit or
    fine-tune on the first and must return one forecast per position of the second.
    Every position after ``initial`` is forecast exactly once, by a model that saw only
    earlier positions (Hyndman and Athanasopoulos's *evaluation on a rolling forecasting
    origin*, with origins ``horizon`` apart).

    Args:
        forecaster: ``forecaster(train, test) -> forecasts`` with ``train = slice(0,
            origin)`` and ``test = slice(origin, origin + block)``; returns an
            array-like of shape ``(block,)``.
        n_obs: number of positions (e.g. windows or days).
        initial: the first forecast position (>= 1).
        horizon: block length, the number of steps between refits (>= 1).

    Returns:
        A :class:`WalkForward` with ``n_obs - initial`` forecasts.

    Used in chapter 6.
    """
    if not callable(forecaster):
        raise TypeError("forecaster must be callable as forecaster(train, test)")
    n_obs = check_int(n_obs, "n_obs", minimum=2)
    initial = check_int(initial, "initial", minimum=1)
    horizon = check_int(horizon, "horizon", minimum=1)
    if initial >= n_obs:
        raise ValueError(f"initial ({initial}) must be below n_obs ({n_obs})")
    blocks = rolling_origins(n_obs, initial=initial, horizon=min(horizon, n_obs - initial),
                             step=horizon)
    end = blocks[-1][1].stop
    if end < n_obs:  # a shorter last block covers the rest
        blocks.append((slice(0, end), slice(end, n_obs)))
    origins, positions, forecasts = [], [], []
    for train, test in blocks:
        fc = squeeze_column(as_float_array(forecaster(train, test), "forecaster's output"))
        want = test.stop - test.start
        if fc.shape != (want,):
            raise ValueError(f"forecaster returned forecasts of shape {fc.shape} for the block "
                             f"{test.start}..{test.stop - 1}; expected ({want},), one per "
                             f"position")
        origins.append(test.start)
        positions.append(np.arange(test.start, test.stop))
        forecasts.append(fc)
    return WalkForward(np.asarray(origins), np.concatenate(positions),
                       np.concatenate(forecasts))


def diebold_mariano(errors_a: Any, errors_b: Any, power: int = 2) -> tuple[float, float]:
    """Test whether two one-step forecasts are equally accurate (Diebold and Mariano).

    With the loss differential ``d_t = |e_a,t|^power - |e_b,t|^power``, the statistic is
    ``mean(d) / sqrt(var(d) / n)``, compared with the standard normal distribution.
    A negative statistic favours forecast ``a``. For one-step forecasts the
    differentials are taken as uncorrelated (no long-run variance correction).

    Args:
        errors_a, errors_b: forecast errors of the same steps, shape ``(n,)``, n >= 3.
        power: 2 for squared errors, 1 for absolute errors.

    Returns:
        ``(statistic, p_value)`` with the two-sided p-value.

    Used in chapters 6 and 8.
    """
    a, b = paired_arrays(errors_a, errors_b, ("errors_a", "errors_b"), ndim=(1,))
    if len(a) < 3:
        raise ValueError(f"need at least 3 errors, got {len(a)}")
    power = check_int(power, "power", minimum=1)
    if power > 2:
        raise ValueError(f"power must be 1 or 2, got {power}")
    d = np.abs(a) ** power - np.abs(b) ** power
    sd = d.std(ddof=1)
    if sd == 0:
        raise ValueError("the two forecasts have identical losses at every step")
    stat = float(d.mean() / (sd / math.sqrt(len(d))))
    return stat, float(math.erfc(abs(stat) / math.sqrt(2.0)))


def lag_profile(forecast: Any, actual: Any, max_lag: int = 3) -> pd.DataFrame:
    """How closely a forecast follows the actual series shifted by 0, 1, ... days.

    Compares ``forecast[t]`` with ``actual[t - lag]`` for ``lag = 0 .. max_lag`` over the same
    ``t`` (the last ``n - max_lag`` steps). A forecast that is mostly yesterday's value
    is closest at ``lag = 1``, not at ``lag = 0``.

    Args:
        forecast: forecasts, shape ``(n,)``.
        actual: the actual values at the same steps, shape ``(n,)``.
        max_lag: the largest shift (>= 1, < n - 1).

    Returns:
        A DataFrame indexed by ``lag`` with the columns ``correlation`` and ``RMSE``.

    Used in chapter 6.
    """
    act, fc = paired_arrays(actual, forecast, ("actual", "forecast"), ndim=(1,))
    max_lag = check_int(max_lag, "max_lag", minimum=1)
    n = len(fc)
    if n - max_lag < 2:
        raise ValueError(f"max_lag ({max_lag}) leaves fewer than 2 of {n} steps to compare")
    f = fc[max_lag:]
    rows = []
    for k in range(max_lag + 1):
        a = act[max_lag - k:n - k]
        rows.append({"lag": k, "correlation": float(np.corrcoef(f, a)[0, 1]),
                     "RMSE": rmse(a, f)})
    return pd.DataFrame(rows).set_index("lag")
