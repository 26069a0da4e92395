"""Data sets used in the book: a sine wave, yearly sunspots and daily stock prices.

Stock prices come from FinanceDataReader when the network allows. Offline (CI, the
book build) they are read from ``<symbol>.csv`` in the data directory, set by the
environment variable ``RNNLIB_DATA_DIR`` (default: a per-user cache folder).
"""

from __future__ import annotations

import concurrent.futures
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from rnnlib._checks import check_int, check_number

DATA_DIR_ENV = "RNNLIB_DATA_DIR"
PRICE_COLUMNS = ("Open", "High", "Low", "Close", "Volume")
# A snapshot "covers" a date range when its first and last rows fall within this many
# calendar days of the requested ends (weekends and holidays have no rows).
_COVER_SLACK = pd.Timedelta(days=7)


def sine_wave(n_points: int = 200, step: float = 0.1, *, amplitude: float = 1.0,
              phase: float = 0.0, noise_std: float = 0.0,
              seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``amplitude * sin(t + phase)`` (plus optional Gaussian noise).

    Args:
        n_points: number of samples (>= 2).
        step: spacing of the time points t = 0, step, 2*step, ... (> 0).
        amplitude: amplitude of the wave.
        phase: phase shift in radians.
        noise_std: standard deviation of added Gaussian noise (>= 0).
        seed: seed for the noise, for reproducibility.

    Returns:
        ``(t, y)``: two float32 arrays of shape ``(n_points,)``.
    """
    n_points = check_int(n_points, "n_points", minimum=2)
    step = check_number(step, "step", minimum=0.0, strict=True)
    amplitude = check_number(amplitude, "amplitude")
    phase = check_number(phase, "phase")
    noise_std = check_number(noise_std, "noise_std", minimum=0.0)
    if seed is not None:
        seed = check_int(seed, "seed", minimum=0)
    t = np.arange(n_points, dtype=np.float64) * step
    y = amplitude * np.sin(t + phase)
    if noise_std > 0:
        y = y + np.random.default_rng(seed).normal(0.0, noise_std, size=n_points)
    return t.astype(np.float32), y.astype(np.float32)


def load_sunspots() -> pd.DataFrame:
    """Yearly mean sunspot numbers 1700-2008, from statsmodels' bundled data set.

    Returns:
        A DataFrame with one float column ``SUNACTIVITY`` (309 rows) and a
        ``DatetimeIndex`` named ``year`` of year starts with frequency ``YS``.
    """
    import statsmodels.api as sm

    raw = sm.datasets.sunspots.load_pandas().data
    index = pd.date_range(start=f"{int(raw['YEAR'].iloc[0])}-01-01", periods=len(raw),
                          freq="YS", name="year")
    return pd.DataFrame({"SUNACTIVITY": raw["SUNACTIVITY"].to_numpy(dtype=np.float64)},
                        index=index)


def data_dir() -> Path:
    """The folder where price snapshots are read and cached.

    ``RNNLIB_DATA_DIR`` if set (and not empty), else ``~/.cache/rnnlib``
    (``$XDG_CACHE_HOME/rnnlib`` where that is set).
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
               timeout: float = 20.0) -> pd.DataFrame:
    """Daily prices of ``symbol`` between ``start`` and ``end`` (inclusive).

    Reads ``<data_dir()>/<symbol>.csv`` when it covers the requested dates (with no
    dates given, any such file does). Otherwise
    asks FinanceDataReader (giving up after ``timeout`` seconds), checks what it got,
    merges it into that CSV (written atomically) and returns it.

    Args:
        symbol: a ticker as FinanceDataReader knows it, e.g. ``"005930"`` or ``"SBUX"``.
        start: first date, e.g. ``"2010-01-04"``; ``None`` for the earliest available.
        end: last date; ``None`` for the latest available.
        timeout: seconds to wait for FinanceDataReader.

    Returns:
        A DataFrame indexed by ``Date`` (sorted, unique) with float columns
        ``Open, High, Low, Close, Volume`` and any others the source gives
        (``Change``, ``Adj Close``).

    Raises:
        TypeError / ValueError: for bad arguments or a malformed CSV.
        RuntimeError: if the data is neither on disk nor downloadable; the message
            says which CSV file to provide.
    """
    if not isinstance(symbol, str):
        raise TypeError(f"symbol must be a ticker string such as '005930', "
                        f"got {type(symbol).__name__}")
    if not symbol.strip() or any(c in symbol for c in "/\\"):
        raise ValueError(f"symbol must be a ticker string such as '005930', got {symbol!r}")
    start_ts, end_ts = _to_timestamp(start, "start"), _to_timestamp(end, "end")
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        raise ValueError(f"start ({start}) must not be after end ({end})")
    timeout = check_number(timeout, "timeout", minimum=0.0, strict=True)
    path = data_dir() / f"{symbol}.csv"

    cached = None
    if path.is_file():
        try:
            raw = pd.read_csv(path)
        except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
            raise ValueError(f"{path} is not a readable price CSV: {exc}") from None
        cached = _check_prices(raw, f"{path.name}")
        if _covers(cached, start_ts, end_ts):
            return _clip(cached, start_ts, end_ts, symbol)
    try:
        fetched = _check_prices(_fetch(symbol, start_ts, end_ts, timeout),
                                f"FinanceDataReader for {symbol!r}")
    except Exception as exc:  # noqa: BLE001 - any network/parse failure is reported alike
        raise RuntimeError(
            f"Could not fetch prices for {symbol!r} ({exc}). Save them as a CSV with columns "
            f"Date, {', '.join(PRICE_COLUMNS)} at {path} (or point the environment variable "
            f"{DATA_DIR_ENV} at a folder holding {symbol}.csv)."
        ) from None
    merged = fetched if cached is None else pd.concat(
        [cached[~cached.index.isin(fetched.index)], fetched]).sort_index()
    try:
        _save_atomically(merged, path)
    except OSError:
        pass  # a read-only data folder still serves what was fetched
    return _clip(merged, start_ts, end_ts, symbol)


def _clip(frame: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None,
          symbol: str) -> pd.DataFrame:
    out = frame.loc[start:end]
    if out.empty:
        raise ValueError(f"no prices for {symbol!r} between {start} and {end}")
    return out.copy()
