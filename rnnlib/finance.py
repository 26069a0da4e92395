"""Stock prices as forecasting data: cleaning, features, returns and honest evaluation.

Daily OHLCV frames (``Open, High, Low, Close, Volume`` indexed by date, as
:func:`rnnlib.data.load_stock` returns them) are turned into model features that are
free of the price level, forecasts of log returns are turned back into prices, and
forecasts are scored against the random walk the way the efficient-market view
suggests they should be::

    clean = drop_halted_days(prices)
    feats = ohlcv_features(clean)             # (time, 4), row t uses days t-1 and t only
    result = walk_forward(forecaster, n_obs, initial=n_train, horizon=100)
    forecast_table(actual, {"model": fc, "random walk": rw}, y_prev=..., y_train=...)

(``forecast_table`` lives in :mod:`rnnlib.metrics`: every chapter scores forecasts with it.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rnnlib._checks import as_float_array, check_int, check_number
from rnnlib.data import PRICE_COLUMNS
from rnnlib.metrics import rmse
from rnnlib.windows import rolling_origins

FEATURE_COLUMNS = ("log_return", "intraday", "range", "volume_change")


def _check_frame(frame: Any, name: str, columns: tuple[str, ...] = PRICE_COLUMNS) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {missing}; expected {list(columns)}")
    if frame.empty:
        raise ValueError(f"{name} has no rows")
    for col in columns:
        if not pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(
                frame[col]):
            raise TypeError(f"{name}[{col!r}] must be numeric, got dtype {frame[col].dtype}")
        if not np.all(np.isfinite(frame[col].to_numpy(dtype=np.float64))):
            raise ValueError(f"{name}[{col!r}] holds NaN or infinite values")


def drop_halted_days(frame: pd.DataFrame) -> pd.DataFrame:
    """Remove the rows of days without trading.

    Exchanges publish a row for a halted day with ``Volume`` 0 and ``Open``, ``High``,
    ``Low`` 0, and the previous close carried forward as ``Close``. No price was set
    that day, so the row is not an observation; a price of 0 is never a real one.

    Args:
        frame: daily prices with columns ``Open, High, Low, Close, Volume``.

    Returns:
        A copy of ``frame`` without the rows where ``Volume`` or any of ``Open``,
        ``High``, ``Low`` is 0.
    """
    _check_frame(frame, "frame")
    halted = (frame["Volume"] == 0) | (frame[["Open", "High", "Low"]] == 0).any(axis=1)
    if (frame.loc[~halted, ["Open", "High", "Low", "Close"]] <= 0).any().any():
        raise ValueError("frame holds non-positive prices on days with trading")
    return frame.loc[~halted].copy()


def adjust_volume_for_split(frame: pd.DataFrame, split_date: str | pd.Timestamp,
                            ratio: float) -> pd.DataFrame:
    """Express the volume before a stock split in post-split shares.

    Price histories are usually split-adjusted while volumes are not: before a 50:1
    split, each old share counts as 50 new ones, so the old volume is multiplied by 50.

    Args:
        frame: daily prices indexed by a ``DatetimeIndex``, with a ``Volume`` column.
        split_date: the first trading day on the new share count.
        ratio: new shares per old share (> 0), e.g. 50 for a 50:1 split.

    Returns:
        A copy of ``frame`` with ``Volume`` multiplied by ``ratio`` on dates before
        ``split_date``.
    """
    _check_frame(frame, "frame", ("Volume",))
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise TypeError(f"frame must have a DatetimeIndex, got {type(frame.index).__name__}")
    if not isinstance(split_date, (str, pd.Timestamp)):
        raise TypeError(f"split_date must be a date string or Timestamp, "
                        f"got {type(split_date).__name__}")
    try:
        when = pd.Timestamp(split_date)
    except ValueError:
        raise ValueError(f"split_date must be a date such as '2018-05-04', "
                         f"got {split_date!r}") from None
    if pd.isna(when):
        raise ValueError(f"split_date must be a date such as '2018-05-04', got {split_date!r}")
    ratio = check_number(ratio, "ratio", minimum=0.0, strict=True)
    out = frame.copy()
    out["Volume"] = out["Volume"].astype(np.float64)
    out.loc[out.index < when, "Volume"] *= ratio
    return out


def log_returns(prices: Any) -> Any:
    """Daily log returns ``r_t = log(p_t / p_{t-1})``.

    Args:
        prices: strictly positive prices, shape ``(time,)``: a pandas Series or an
            array-like with at least 2 values.

    Returns:
        Shape ``(time - 1,)``: a Series indexed by the later date of each pair when
        ``prices`` is a Series, else a float64 NumPy array.
    """
    arr = as_float_array(prices, "prices", ndim=(1,))
    if len(arr) < 2:
        raise ValueError(f"prices needs at least 2 values, got {len(arr)}")
    if np.any(arr <= 0):
        raise ValueError("prices must be strictly positive (drop halted days first)")
    r = np.diff(np.log(arr))
    if isinstance(prices, pd.Series):
        return pd.Series(r, index=prices.index[1:], name="log_return")
    return r


def ohlcv_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Scale-free daily features from an OHLCV frame, for a model of returns.

    For day ``t`` (``O, H, L, C, V`` its open, high, low, close and volume):

    * ``log_return`` ``= log(C_t / C_{t-1})``, the close-to-close return;
    * ``intraday`` ``= log(C_t / O_t)``, the move from the open to the close;
    * ``range`` ``= log(H_t / L_t)``, the day's high-low range (a volatility proxy);
    * ``volume_change`` ``= log(V_t / V_{t-1})``.

    Row ``t`` uses days ``t-1`` and ``t`` only, so a window of rows ending at ``t``
    knows nothing after day ``t``. None of the features depends on the price level.

    Args:
        frame: daily prices with positive ``Open, High, Low, Close, Volume`` (drop halted
            days first), in time order, at least 2 rows.

    Returns:
        A float64 DataFrame of shape ``(time - 1, 4)`` with the columns
        :data:`FEATURE_COLUMNS`, indexed like ``frame`` without its first row.
    """
    _check_frame(frame, "frame")
    if len(frame) < 2:
        raise ValueError(f"frame needs at least 2 rows, got {len(frame)}")
    if isinstance(frame.index, pd.DatetimeIndex) and not frame.index.is_monotonic_increasing:
        raise ValueError("frame must be sorted by date")
    for col in PRICE_COLUMNS:
        if (frame[col] <= 0).any():
            first = frame.index[(frame[col] <= 0).to_numpy()][0]
            raise ValueError(f"frame[{col!r}] must be positive, but is {frame[col][first]} on "
                             f"{first}; drop halted days first (drop_halted_days)")
    if (frame["High"] < frame["Low"]).any():
        raise ValueError("frame has days with High below Low")
    o, h, lo, c, v = (np.log(frame[col].to_numpy(dtype=np.float64)) for col in PRICE_COLUMNS)
    out = pd.DataFrame({
        "log_return": c[1:] - c[:-1],
        "intraday": c[1:] - o[1:],
        "range": h[1:] - lo[1:],
        "volume_change": v[1:] - v[:-1],
    }, index=frame.index[1:])
    return out


def window_dates(index: Any, lookback: int, shift: int = 1) -> tuple[pd.Index, pd.Index]:
    """The last input date and the target date of each window of ``make_windows``.

    Window ``i`` of :func:`rnnlib.windows.make_windows` (``target="last"``) reads rows
    ``i .. i + lookback - 1`` and predicts row ``i + lookback - 1 + shift``.

    Args:
        index: the dates (or positions) of the rows, e.g. ``features.index``.
        lookback: window length (>= 1).
        shift: forecast distance in rows (>= 1).

    Returns:
        ``(last_input, target)``: two indexes of length ``len(index) - lookback - shift + 1``.
    """
    if isinstance(index, (str, bytes)) or not hasattr(index, "__len__"):
        raise TypeError(f"index must be an index or array of dates, got {type(index).__name__}")
    idx = pd.Index(index)
    lookback = check_int(lookback, "lookback", minimum=1)
    shift = check_int(shift, "shift", minimum=1)
    n = len(idx) - lookback - shift + 1
    if n < 1:
        raise ValueError(f"index has {len(idx)} rows, too few for lookback={lookback} "
                         f"plus shift={shift}")
    return idx[lookback - 1:lookback - 1 + n], idx[lookback - 1 + shift:]


def price_from_log_return(prev_price: Any, log_return: Any) -> np.ndarray:
    """Turn forecasts of log returns into forecasts of prices: ``p_{t-1} * exp(r_t)``.

    Args:
        prev_price: the last known prices, shape ``(n,)``, positive.
        log_return: the forecast log returns, shape ``(n,)`` (or ``(n, 1)``).

    Returns:
        Price forecasts, float64 of shape ``(n,)``.
    """
    p = as_float_array(prev_price, "prev_price").ravel()
    r = as_float_array(log_return, "log_return").ravel()
    if p.shape != r.shape:
        raise ValueError(f"prev_price and log_return must have the same length, "
                         f"got {p.size} and {r.size}")
    if np.any(p <= 0):
        raise ValueError("prev_price must be positive")
    return p * np.exp(r)


@dataclass
class WalkForward:
    """The result of :func:`walk_forward`.

    Attributes:
        origins: the first position of each test block, shape ``(blocks,)``.
        positions: the position of every forecast, shape ``(n,)``.
        forecasts: the forecasts, shape ``(n,)``, aligned with ``positions``.
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
        fc = as_float_array(forecaster(train, test), "forecaster's output").ravel()
        want = test.stop - test.start
        if len(fc) != want:
            raise ValueError(f"forecaster returned {len(fc)} forecasts for the block "
                             f"{test.start}..{test.stop - 1} of {want} positions")
        origins.append(test.start)
        positions.append(np.arange(test.start, test.stop))
        forecasts.append(fc)
    return WalkForward(np.asarray(origins), np.concatenate(positions),
                       np.concatenate(forecasts))


def lag_profile(forecast: Any, actual: Any, max_lag: int = 3) -> pd.DataFrame:
    """How closely a forecast follows the actual series shifted by 0, 1, ... days.

    Compares ``forecast[t]`` with ``actual[t - k]`` for ``k = 0 .. max_lag`` over the same
    ``t`` (the last ``n - max_lag`` steps). A forecast that is mostly yesterday's value
    is closest at ``k = 1``, not at ``k = 0``.

    Args:
        forecast: forecasts, shape ``(n,)``.
        actual: the actual values at the same steps, shape ``(n,)``.
        max_lag: the largest shift (>= 1, < n - 1).

    Returns:
        A DataFrame indexed by ``lag`` with the columns ``correlation`` and ``RMSE``.
    """
    fc, act = (as_float_array(a, name, ndim=(1,)) for a, name in
               ((forecast, "forecast"), (actual, "actual")))
    if fc.shape != act.shape:
        raise ValueError(f"forecast and actual must have the same length, got {fc.size} "
                         f"and {act.size}")
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
    """
    a = as_float_array(errors_a, "errors_a", ndim=(1,))
    b = as_float_array(errors_b, "errors_b", ndim=(1,))
    if a.shape != b.shape:
        raise ValueError(f"errors_a and errors_b must have the same length, got {a.size} "
                         f"and {b.size}")
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
