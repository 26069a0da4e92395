"""Everything about stock prices: loading them, cleaning them, and features.

Daily OHLCV frames (``Open, High, Low, Close, Volume`` indexed by date) come from
:func:`load_stock`. By default it reads the price snapshots that ship inside rnnlib
(:data:`SNAPSHOTS`: Samsung Electronics and Starbucks; their provenance is in
``rnnlib/snapshots/README.md``), so a chapter gives the same numbers on every machine,
offline. ``source="live"`` downloads with FinanceDataReader instead (the ``[stocks]`` extra)
and keeps a copy in :func:`data_dir`; ``source="csv"`` reads a reader's own
``<symbol>.csv`` from :func:`data_dir` (the environment variable ``RNNLIB_DATA_DIR``, default
a per-user cache folder). Frames are cleaned (:func:`drop_halted_days`,
:func:`adjust_volume_for_split`), turned into model features that are free of the price
level (:func:`log_returns`, :func:`ohlcv_features`), and forecasts of log returns are turned
back into prices (:func:`price_from_log_return`)::

    prices = drop_halted_days(load_stock("005930", "2010-01-04", "2021-11-23"))
    feats = ohlcv_features(prices)            # (time, 4), row t uses days t-1 and t only

Forecasts are then judged with :mod:`rnnlib.evaluation` (against the random walk of
:func:`rnnlib.forecast.one_step_baseline`).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from rnnlib._checks import as_float_array, check_number

DATA_DIR_ENV = "RNNLIB_DATA_DIR"
PRICE_COLUMNS = ("Open", "High", "Low", "Close", "Volume")
FEATURE_COLUMNS = ("log_return", "intraday", "range", "volume_change")
# A snapshot "covers" a date range when its first and last rows fall within this many
# calendar days of the requested ends (weekends and holidays have no rows).
_COVER_SLACK = pd.Timedelta(days=7)
# The price snapshots shipped in rnnlib/snapshots/: symbol -> SHA-256 of <symbol>.csv, as
# listed (with where each file comes from) in rnnlib/snapshots/README.md.
SNAPSHOTS = {
    "005930": "850b18ed4d69b9ac8be2b30b918a7ec4adaca2eeb883a2496e9233b788a6d198",
    "SBUX": "4293b10a3bc217bcc3bd02dd2032b0e1224a61c75bf943cb909aca9a65cb093c",
}
SOURCES = ("snapshot", "csv", "live")


# --- Loading and caching ---


def data_dir() -> Path:
    """The folder where price snapshots are read and cached.

    ``RNNLIB_DATA_DIR`` if set (and not empty), else ``~/.cache/rnnlib``
    (``$XDG_CACHE_HOME/rnnlib`` where that is set).

    Used in no chapter.
    """
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "rnnlib"


def _to_timestamp(value: str | pd.Timestamp | None, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        raise ValueError(f"{name} must be a date such as '2010-01-04' or None, got an empty "
                         f"string")
    if not isinstance(value, (str, pd.Timestamp)) and not hasattr(value, "year"):
        raise TypeError(f"{name} must be a date string such as '2010-01-04', "
                        f"got {type(value).__name__}")
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a date such as '2010-01-04', got {value!r}") from None


def _check_prices(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Validate and normalise an OHLCV frame: a sorted, unique DatetimeIndex named Date,
    float prices, float volume."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{origin} did not give a DataFrame but {type(frame).__name__}")
    if frame.empty:
        raise ValueError(f"{origin} returned no rows")
    frame = frame.copy()
    if not isinstance(frame.index, pd.DatetimeIndex):
        if "Date" not in frame.columns:
            raise ValueError(f"{origin} has no Date column (columns: {list(frame.columns)})")
        frame = frame.set_index("Date")
        try:
            frame.index = pd.DatetimeIndex(pd.to_datetime(frame.index))
        except (ValueError, TypeError):
            raise ValueError(f"{origin}: the Date column does not hold dates") from None
    frame.index.name = "Date"
    missing = [c for c in PRICE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{origin} lacks the columns {missing}; expected {list(PRICE_COLUMNS)}")
    for col in frame.columns:
        try:
            frame[col] = pd.to_numeric(frame[col]).astype(np.float64)
        except (ValueError, TypeError):
            raise ValueError(f"{origin}: column {col!r} is not numeric") from None
    if frame.index.hasnans:
        raise ValueError(f"{origin} has rows without a date")
    gaps = {c: int(frame[c].isna().sum()) for c in PRICE_COLUMNS if frame[c].isna().any()}
    if gaps:
        raise ValueError(f"{origin} has missing values in {gaps}; fill or drop those rows")
    if frame.index.has_duplicates:
        raise ValueError(f"{origin} has duplicate dates")
    return frame.sort_index()


def _covers(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None) -> bool:
    if start is not None and frame.index[0] > start + _COVER_SLACK:
        return False
    return end is None or frame.index[-1] >= end - _COVER_SLACK


def _fetch(symbol: str, start: pd.Timestamp | None, end: pd.Timestamp | None,
           timeout: float) -> pd.DataFrame:
    try:
        import FinanceDataReader as fdr
    except ImportError as exc:
        raise RuntimeError("FinanceDataReader is not installed "
                           "(pip install finance-datareader)") from exc
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(fdr.DataReader, symbol, start, end)
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        raise RuntimeError(f"FinanceDataReader did not answer within {timeout:g} s") from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _save_atomically(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` through a temporary file, so no half file is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            frame.to_csv(fh, index_label="Date")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_stock(symbol: str, start: str | None = None, end: str | None = None, *,
               source: Literal["snapshot", "csv", "live"] = "snapshot",
               timeout: float = 20.0) -> pd.DataFrame:
    """Daily prices of ``symbol`` between ``start`` and ``end`` (inclusive).

    Three sources, chosen by ``source``:

    - ``"snapshot"`` (default): the copy that ships inside rnnlib, for the symbols in
      :data:`SNAPSHOTS` (``"005930"``, Samsung Electronics to 2024-12-16; ``"SBUX"``,
      Starbucks 2019-12-11 to 2020-12-10). Offline, and the same numbers everywhere; the
      file's SHA-256 is checked.
    - ``"csv"``: your own ``<data_dir()>/<symbol>.csv`` (columns ``Date, Open, High,
      Low, Close, Volume``), e.g. with ``RNNLIB_DATA_DIR`` pointing at its folder. Offline.
    - ``"live"``: FinanceDataReader (``pip install "rnnlib[stocks]"``), giving up after
      ``timeout`` seconds. What it returns is checked, merged into
      ``<data_dir()>/<symbol>.csv`` (written atomically) and served from there while that
      file covers the requested dates.

    Args:
        symbol: a ticker as FinanceDataReader knows it, e.g. ``"005930"`` or ``"SBUX"``.
        start: first date, e.g. ``"2010-01-04"``; ``None`` for the earliest available.
        end: last date; ``None`` for the latest available.
        source: ``"snapshot"``, ``"csv"`` or ``"live"``, see above.
        timeout: seconds to wait for FinanceDataReader (``source="live"`` only).

    Returns:
        A DataFrame indexed by ``Date`` (sorted, unique) with float columns
        ``Open, High, Low, Close, Volume`` and any others the source gives
        (``Change``, ``Adj Close``).

    Raises:
        TypeError / ValueError: for bad arguments, a malformed CSV, or dates the chosen
            source does not cover (the message says which dates it covers).
        FileNotFoundError: ``source="csv"`` and there is no such file.
        RuntimeError: ``source="live"`` and the prices could not be downloaded.

    Used in chapter 6.
    """
    if not isinstance(symbol, str):
        raise TypeError(f"symbol must be a ticker string such as '005930', "
                        f"got {type(symbol).__name__}")
    if not symbol.strip() or any(c in symbol for c in "/\\"):
        raise ValueError(f"symbol must be a ticker string such as '005930', got {symbol!r}")
    start_ts, end_ts = _to_timestamp(start, "start"), _to_timestamp(end, "end")
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        raise ValueError(f"start ({start}) must not be after end ({end})")
    if not isinstance(source, str) or source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    timeout = check_number(timeout, "timeout", minimum=0.0, strict=True)
    path = data_dir() / f"{symbol}.csv"
    if source == "live":
        return _load_live(symbol, start_ts, end_ts, timeout, path)
    if source == "snapshot":
        frame, origin = _read_snapshot(symbol, path), f"rnnlib's snapshot of {symbol!r}"
    elif path.is_file():
        frame, origin = _read_csv(path), str(path)
    else:
        raise FileNotFoundError(f"no file {path} (source='csv' reads <symbol>.csv from "
                                f"data_dir(); set {DATA_DIR_ENV} to the folder that holds it)")
    if not _covers(frame, start_ts, end_ts):
        raise ValueError(
            f"{origin} covers {frame.index[0].date()} to {frame.index[-1].date()}, not "
            f"{_span(start_ts, end_ts)}; source='live' downloads the prices with "
            f"FinanceDataReader")
    return _clip(frame, start_ts, end_ts, symbol)


def _span(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    first = "the earliest date" if start is None else str(start.date())
    return f"{first} to {'the latest date' if end is None else end.date()}"


def _read_snapshot(symbol: str, path: Path) -> pd.DataFrame:
    if symbol not in SNAPSHOTS:
        raise ValueError(
            f"rnnlib ships no price snapshot of {symbol!r} (it ships {', '.join(SNAPSHOTS)}); "
            f"source='live' downloads it with FinanceDataReader, source='csv' reads {path}")
    data = resources.files("rnnlib").joinpath("snapshots", f"{symbol}.csv").read_bytes()
    if hashlib.sha256(data).hexdigest() != SNAPSHOTS[symbol]:
        raise ValueError(f"rnnlib's snapshot {symbol}.csv has been changed (its SHA-256 differs "
                         f"from rnnlib.stocks.SNAPSHOTS); reinstall rnnlib")
    return _check_prices(pd.read_csv(io.BytesIO(data)), f"rnnlib's snapshot {symbol}.csv")


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path)
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        raise ValueError(f"{path} is not a readable price CSV: {exc}") from None
    return _check_prices(raw, f"{path.name}")


def _load_live(symbol: str, start: pd.Timestamp | None, end: pd.Timestamp | None,
               timeout: float, path: Path) -> pd.DataFrame:
    """FinanceDataReader, with ``path`` as a cache that is read when it covers the dates."""
    cached = _read_csv(path) if path.is_file() else None
    if cached is not None and _covers(cached, start, end):
        return _clip(cached, start, end, symbol)
    try:
        fetched = _check_prices(_fetch(symbol, start, end, timeout),
                                f"FinanceDataReader for {symbol!r}")
    except Exception as exc:  # noqa: BLE001 - any network/parse failure is reported alike
        raise RuntimeError(
            f"Could not fetch prices for {symbol!r} ({exc}). Without a network, "
            f"source='snapshot' reads the copies shipped with rnnlib ({', '.join(SNAPSHOTS)}), "
            f"and source='csv' reads your own CSV with columns Date, "
            f"{', '.join(PRICE_COLUMNS)} at {path} (the environment variable {DATA_DIR_ENV} "
            f"sets its folder)."
        ) from None
    merged = fetched if cached is None else pd.concat(
        [cached[~cached.index.isin(fetched.index)], fetched]).sort_index()
    try:
        _save_atomically(merged, path)
    except OSError:
        pass  # a read-only data folder still serves what was fetched
    return _clip(merged, start, end, symbol)


def _clip(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None,
          symbol: str) -> pd.DataFrame:
    out = frame.loc[start:end]
    if out.empty:
        raise ValueError(f"no prices for {symbol!r} between {start} and {end}")
    return out.copy()


# --- Cleaning and features ---


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

    Used in chapter 6.
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

    Used in chapter 6.
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
    """Daily log returns ``R_t = log(p_t / p_{t-1})`` (the book's notation page).

    Args:
        prices: strictly positive prices, shape ``(time,)``: a pandas Series or an
            array-like with at least 2 values.

    Returns:
        Shape ``(time - 1,)``: a Series indexed by the later date of each pair when
        ``prices`` is a Series, else a float64 NumPy array.

    Used in no chapter.
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

    For day ``t`` (``open_t, high_t, low_t, close_t, vol_t`` its prices and volume):

    * ``log_return`` ``= log(close_t / close_{t-1})``, the close-to-close return;
    * ``intraday`` ``= log(close_t / open_t)``, the move from the open to the close;
    * ``range`` ``= log(high_t / low_t)``, the day's high-low range (a volatility proxy);
    * ``volume_change`` ``= log(vol_t / vol_{t-1})``.

    Row ``t`` uses days ``t-1`` and ``t`` only, so a window of rows ending at ``t``
    knows nothing after day ``t``. None of the features depends on the price level.

    Args:
        frame: daily prices with positive ``Open, High, Low, Close, Volume`` (drop halted
            days first), in time order, at least 2 rows.

    Returns:
        A float64 DataFrame of shape ``(time - 1, 4)`` with the columns
        :data:`FEATURE_COLUMNS`, indexed like ``frame`` without its first row.

    Used in chapter 6.
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


def price_from_log_return(prev_price: Any, log_return: Any) -> np.ndarray:
    """Turn forecasts of log returns into forecasts of prices: ``p_{t-1} * exp(R_t)``.

    Args:
        prev_price: the last known prices, shape ``(n,)``, positive.
        log_return: the forecast log returns, shape ``(n,)`` (or ``(n, 1)``).

    Returns:
        Price forecasts, float64 of shape ``(n,)``.

    Used in chapter 6.
    """
    p = as_float_array(prev_price, "prev_price").ravel()
    r = as_float_array(log_return, "log_return").ravel()
    if p.shape != r.shape:
        raise ValueError(f"prev_price and log_return must have the same length, "
                         f"got {p.size} and {r.size}")
    if np.any(p <= 0):
        raise ValueError("prev_price must be positive")
    return p * np.exp(r)
