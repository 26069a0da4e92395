"""Everything about stock prices: loading them, cleaning them, and features.

Daily OHLCV frames (``Open, High, Low, Close, Volume`` indexed by date) come from
:func:`load_stock`. By default it reads the price snapshots that ship inside rnnlib
(:data:`SNAPSHOTS`: Samsung Electronics and Starbucks; their provenance is in
``rnnlib/snapshots/README.md``), so a chapter gives the same numbers on every machine,
offline. ``source="live"`` downloads with FinanceDataReader instead (the ``[stocks]`` extra)
and keeps a copy in :func:`data_dir`, updated under a file lock (``<symbol>.csv.lock``) so
that processes sharing the folder lose no update; ``source="csv"`` reads a reader's own
``<symbol>.csv`` from :func:`data_dir` (the environment variable ``RNNLIB_DATA_DIR``, default
a per-user cache folder). Whatever the source, the prices are checked: a cut-off, compressed
or malformed file, a missing, non-numeric or negative value is a ``ValueError`` that names
the file and line, and tz-aware dates become their local calendar date. Frames are cleaned
(:func:`drop_halted_days`, :func:`adjust_volume_for_split`), turned into model features that
are free of the price level (:func:`log_returns`, :func:`ohlcv_features`), and forecasts of
log returns are turned back into prices (:func:`price_from_log_return`)::

    prices = drop_halted_days(load_stock("005930", "2010-01-04", "2021-11-23"))
    feats = ohlcv_features(prices)            # (time, 4), row t uses days t-1 and t only

Forecasts are then judged with :mod:`rnnlib.evaluation` (against the random walk of
:func:`rnnlib.forecast.one_step_baseline`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from rnnlib._checks import (
    as_float_array,
    as_timestamp,
    check_number,
    check_time_index,
    paired_arrays,
)
from rnnlib._price_files import (
    PRICE_COLUMNS,
    _cache_lock,
    _check_prices,
    _fetch,
    _file_state,
    _parse_price_csv,
    _save_atomically,
)

DATA_DIR_ENV = "RNNLIB_DATA_DIR"
FEATURE_COLUMNS = ("log_return", "intraday", "range", "volume_change")
# A snapshot "covers" a date range when its first and last rows fall within this many
# calendar days of the requested ends (weekends and holidays have no rows).
_COVER_SLACK = pd.Timedelta(days=7)
# The live cache is re-downloaded when two of its consecutive dates in the requested range
# lie further apart than this: longer than any holiday break of the exchanges involved.
_CACHE_GAP = pd.Timedelta(days=21)
# The price snapshots shipped in rnnlib/snapshots/: symbol -> SHA-256 of <symbol>.csv, as
# listed (with where each file comes from) in rnnlib/snapshots/README.md.
SNAPSHOTS = {
    "005930": "850b18ed4d69b9ac8be2b30b918a7ec4adaca2eeb883a2496e9233b788a6d198",
    "SBUX": "4293b10a3bc217bcc3bd02dd2032b0e1224a61c75bf943cb909aca9a65cb093c",
}
SOURCES = ("snapshot", "csv", "live")
# source="live" waits for another process's update of the same cache file (which holds the
# lock for at most its own fetch timeout plus a read and a write) this many seconds beyond
# its own timeout, then gives up with a TimeoutError.
_LOCK_MARGIN = 60.0


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


def _covers(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None,
            *, whole: bool = False) -> bool:
    """Whether ``frame``'s first and last dates reach ``start`` and ``end``; with ``whole``,
    also that no two consecutive dates between them lie more than :data:`_CACHE_GAP` apart
    (a cache filled by two downloads of different periods has a hole between them)."""
    if start is not None and frame.index[0] > start + _COVER_SLACK:
        return False
    if end is not None and frame.index[-1] < end - _COVER_SLACK:
        return False
    dates = frame.index[(frame.index >= (start or frame.index[0]) - _COVER_SLACK)
                        & (frame.index <= (end or frame.index[-1]) + _COVER_SLACK)]
    return not whole or len(dates) < 2 or bool((dates[1:] - dates[:-1]).max() <= _CACHE_GAP)


def _date_arg(stamp: pd.Timestamp | None) -> str:
    if stamp is None:
        return "None"
    return repr(str(stamp.date()) if stamp == stamp.normalize() else stamp.isoformat())


def _shortfall(frame: pd.DataFrame, symbol: str, start: pd.Timestamp | None,
               end: pd.Timestamp | None, source: str) -> str:
    """How ``frame`` falls short of ``start``..``end``, and the call that reads what it has."""
    first, last = frame.index[0], frame.index[-1]
    gaps = []
    if start is not None and first > start + _COVER_SLACK:
        gaps.append(f"starts {(first - start).days} days after the requested start "
                    f"({start.date()})")
        start = first
    if end is not None and last < end - _COVER_SLACK:
        gaps.append(f"ends {(end - last).days} days before the requested end ({end.date()})")
        end = last
    if not gaps:
        return (f"it covers the requested dates; load_stock({symbol!r}, start={_date_arg(start)}, "
                f"end={_date_arg(end)}, source={source!r}) reads them")
    if frame.loc[start:end].empty:
        return f"it {' and '.join(gaps)}, so it holds none of the requested dates"
    return (f"it {' and '.join(gaps)}; load_stock({symbol!r}, start={_date_arg(start)}, "
            f"end={_date_arg(end)}, source={source!r}) reads what it has")


def load_stock(symbol: str, start: str | pd.Timestamp | None = None,
               end: str | pd.Timestamp | None = None, *,
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
      ``timeout`` seconds (a download that hangs is abandoned and does not delay the
      interpreter's exit). What it returns is checked, merged into
      ``<data_dir()>/<symbol>.csv`` and served from there while that file covers the
      requested dates. The read, download, merge and (atomic) write hold the lock
      ``<symbol>.csv.lock``, so processes that update the same file lose no rows.

    Every file and download is checked. A CSV must be UTF-8 text whose last line ends with a
    newline (else it looks cut off); each row needs a date and ``Open, High, Low, Close,
    Volume`` values that are numbers >= 0 (0 marks a halted day, see
    :func:`drop_halted_days`). Tz-aware dates (``2020-01-02 00:00:00-05:00``) become their
    local calendar date, each with its own offset; so do tz-aware ``start`` and ``end``.

    Args:
        symbol: a ticker as FinanceDataReader knows it, e.g. ``"005930"`` or ``"SBUX"``.
        start: first date, e.g. ``"2010-01-04"``; ``None`` for the earliest available.
        end: last date; ``None`` for the latest available.
        source: ``"snapshot"``, ``"csv"`` or ``"live"``, see above.
        timeout: seconds to wait for FinanceDataReader (``source="live"`` only).

    Returns:
        A DataFrame indexed by ``Date`` (tz-naive, sorted, unique) with float columns
        ``Open, High, Low, Close, Volume`` and any others the source gives
        (``Change``, ``Adj Close``).

    Raises:
        TypeError / ValueError: for bad arguments; a malformed, cut-off, compressed or
            non-UTF-8 CSV, or a missing, non-numeric or negative value (the message names
            the file and line, or the download and date); or dates the chosen source does
            not cover (the message says which it covers, how many days short it falls, and
            the call that reads what it has).
        FileNotFoundError: ``source="csv"`` and there is no such file.
        RuntimeError: ``source="live"`` and the prices could not be downloaded (the message
            says what is on disk and the call that would read it offline).
        TimeoutError: ``source="live"`` and another process kept the cache file locked for
            more than ``timeout`` + 60 s.

    Used in chapter 6.
    """
    if not isinstance(symbol, str):
        raise TypeError(f"symbol must be a ticker string such as '005930', "
                        f"got {type(symbol).__name__}")
    if not symbol.strip() or any(c in symbol for c in "/\\"):
        raise ValueError(f"symbol must be a ticker string such as '005930', got {symbol!r}")
    start_ts, end_ts = (None if value is None else as_timestamp(value, name)
                        for value, name in ((start, "start"), (end, "end")))
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
            f"FinanceDataReader. Offline, "
            f"{_shortfall(frame, symbol, start_ts, end_ts, source)}.")
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
    # Checked by its hash, so whole (SBUX.csv ends without a newline, as shipped).
    return _parse_price_csv(data, f"rnnlib's snapshot {symbol}.csv", complete=True)


def _read_csv(path: Path) -> pd.DataFrame:
    return _parse_price_csv(path.read_bytes(), str(path), complete=False)


def _fetch_failed(symbol: str, start: pd.Timestamp | None, end: pd.Timestamp | None,
                  path: Path, cached: pd.DataFrame | None, exc: Exception) -> str:
    """The message of a failed download: what is on disk, and how to read it offline."""
    head = f"Could not fetch prices for {symbol!r} ({exc})."
    if cached is not None:
        return (f"{head} On disk, {path} holds {cached.index[0].date()} to "
                f"{cached.index[-1].date()}: {_shortfall(cached, symbol, start, end, 'live')} "
                f"without the network.")
    shipped = ""
    if symbol in SNAPSHOTS:
        with contextlib.suppress(ValueError, OSError):
            snap = _read_snapshot(symbol, path)
            shipped = (f" rnnlib's snapshot of {symbol!r} holds {snap.index[0].date()} to "
                       f"{snap.index[-1].date()}: "
                       f"{_shortfall(snap, symbol, start, end, 'snapshot')}.")
    own = (f"source='csv' reads your own CSV with columns Date, {', '.join(PRICE_COLUMNS)} at "
           f"{path} (the environment variable {DATA_DIR_ENV} sets its folder).")
    if shipped:
        return f"{head}{shipped} Or save your own prices: {own}"
    return (f"{head} Without a network, source='snapshot' reads the copies shipped with rnnlib "
            f"({', '.join(SNAPSHOTS)}), and {own}")


def _load_live(symbol: str, start: pd.Timestamp | None, end: pd.Timestamp | None,
               timeout: float, path: Path) -> pd.DataFrame:
    """FinanceDataReader, with ``path`` as a cache that is read when it covers the dates.

    A cache that covers them is read without the lock (it is only ever replaced whole);
    otherwise the lock is taken and the file read again, since another process may have
    updated it meanwhile, before the download, the merge and the write."""
    state = _file_state(path)
    cached = _read_csv(path) if state is not None else None
    if cached is not None and _covers(cached, start, end, whole=True):
        return _clip(cached, start, end, symbol)
    with _cache_lock(path, timeout + _LOCK_MARGIN):
        now = _file_state(path)
        if now != state:
            cached = _read_csv(path) if now is not None else None
            if cached is not None and _covers(cached, start, end, whole=True):
                return _clip(cached, start, end, symbol)
        try:
            fetched = _check_prices(_fetch(symbol, start, end, timeout),
                                    f"FinanceDataReader for {symbol!r}")
        except Exception as exc:  # noqa: BLE001 - any network/parse failure is reported alike
            raise RuntimeError(_fetch_failed(symbol, start, end, path, cached, exc)) from None
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
    check_time_index(frame.index, f"{name}'s index")
    for col in columns:
        as_float_array(frame[col], f"{name}[{col!r}]", ndim=(1,))


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
        split_date: the first trading day on the new share count (read in the time zone
            of ``frame``'s dates, if they carry one).
        ratio: new shares per old share (> 0), e.g. 50 for a 50:1 split.

    Returns:
        A copy of ``frame`` with ``Volume`` multiplied by ``ratio`` on dates before
        ``split_date``.

    Used in chapter 6.
    """
    _check_frame(frame, "frame", ("Volume",))
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise TypeError(f"frame must have a DatetimeIndex, got {type(frame.index).__name__}")
    when = as_timestamp(split_date, "split_date", frame.index)
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
    if isinstance(prices, pd.Series):
        check_time_index(prices.index, "prices' index")
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
            days first), indexed by strictly increasing dates, at least 2 rows.

    Returns:
        A float64 DataFrame of shape ``(time - 1, 4)`` with the columns
        :data:`FEATURE_COLUMNS`, indexed like ``frame`` without its first row.

    Used in chapter 6.
    """
    _check_frame(frame, "frame")
    if len(frame) < 2:
        raise ValueError(f"frame needs at least 2 rows, got {len(frame)}")
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
    p, r = (a.ravel() for a in paired_arrays(prev_price, log_return,
                                            ("prev_price", "log_return")))
    if np.any(p <= 0):
        raise ValueError("prev_price must be positive")
    return p * np.exp(r)
