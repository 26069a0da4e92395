"""Price files and the price cache (private to :mod:`rnnlib.stocks`).

How the bytes of a price CSV become a checked OHLCV frame (every error names the file and
the line), how a download is given up after a timeout without delaying the interpreter's
exit, and how the cache file is locked and replaced whole so that no update is lost.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import queue
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import filelock
import numpy as np
import pandas as pd

PRICE_COLUMNS = ("Open", "High", "Low", "Close", "Volume")
# The first bytes of compressed files, which are no CSV text.
_COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"PK\x03\x04", "zip (or .xlsx)"), (b"\xfd7zXZ\x00", "xz"))


def _is_missing(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _one_date(value: Any) -> pd.Timestamp:
    """``value`` as a tz-naive Timestamp (a tz-aware one: its local date), NaT if it is none."""
    if _is_missing(value):
        return pd.NaT
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    if pd.isna(stamp):
        return pd.NaT
    return stamp.tz_localize(None).normalize() if stamp.tzinfo is not None else stamp


def _parse_dates(values: pd.Series) -> pd.DatetimeIndex:
    """The dates in ``values``, NaT where one is missing or not a date.

    A tz-aware date (``2020-01-02 00:00:00-05:00``) becomes its local calendar date
    (``2020-01-02``): the offset is dropped and the wall-clock date kept, for each value with
    its own offset where they differ (a change to daylight saving time).
    """
    try:
        with warnings.catch_warnings():
            # pandas warns (mixed offsets, formats it cannot infer) where it then guesses per
            # value; such columns are parsed value by value below instead.
            warnings.simplefilter("error")
            parsed = pd.to_datetime(values, errors="coerce")
    except (ValueError, TypeError, OverflowError, Warning):
        parsed = None
    if parsed is not None and isinstance(parsed.dtype, pd.DatetimeTZDtype):
        return pd.DatetimeIndex(parsed).tz_localize(None).normalize()
    if parsed is not None and pd.api.types.is_datetime64_dtype(parsed.dtype):
        return pd.DatetimeIndex(parsed)
    return pd.DatetimeIndex([_one_date(v) for v in values])


def _check_prices(frame: pd.DataFrame, origin: str,
                  lines: Sequence[int] | None = None) -> pd.DataFrame:
    """Validate and normalise an OHLCV frame: a sorted, unique, tz-naive DatetimeIndex named
    Date, float columns, prices and volumes that are present, finite and >= 0.

    ``lines[i]`` is the line of row ``i`` in the file ``origin``; errors name it (else the
    row's number and date)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{origin} did not give a DataFrame but {type(frame).__name__}")
    if frame.empty:
        raise ValueError(f"{origin} holds no rows")
    frame = frame.copy()

    def where(i: int) -> str:
        if lines is not None:
            return f"{origin}, line {lines[i]}"
        if isinstance(frame.index, pd.DatetimeIndex):
            return f"{origin}, row {i + 1} ({frame.index[i].date()})"
        return f"{origin}, row {i + 1}"

    frame.index = _date_index(frame, origin, where)
    missing = [c for c in PRICE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{origin} lacks the columns {missing}; expected {list(PRICE_COLUMNS)}")
    _check_values(frame, where)
    repeated = np.flatnonzero(frame.index.duplicated())
    if repeated.size:
        j = int(repeated[0])
        i = int(np.flatnonzero(frame.index == frame.index[j])[0])
        raise ValueError(f"{origin} has duplicate dates: {frame.index[j].date()} at "
                         f"{where(i).removeprefix(origin + ', ')} and at "
                         f"{where(j).removeprefix(origin + ', ')}")
    return frame.sort_index()


def _date_index(frame: pd.DataFrame, origin: str,
                where: Callable[[int], str]) -> pd.DatetimeIndex:
    """The tz-naive dates of ``frame``'s rows, from its DatetimeIndex or its Date column
    (removed from ``frame``); ``where(i)`` names row ``i`` in errors."""
    if isinstance(frame.index, pd.DatetimeIndex):
        dates = frame.index
        if dates.tz is not None:
            dates = dates.tz_localize(None).normalize()
        bad = np.flatnonzero(dates.isna())
        if bad.size:
            raise ValueError(f"{where(int(bad[0]))}: no date")
        return pd.DatetimeIndex(dates, name="Date")
    if "Date" in frame.columns:
        raw = frame.pop("Date")
    elif frame.index.name == "Date":
        raw = frame.index.to_series()
    else:
        raise ValueError(f"{origin} has no Date column (columns: {list(frame.columns)})")
    dates = _parse_dates(raw)
    bad = np.flatnonzero(dates.isna())
    if bad.size:
        i, value = int(bad[0]), raw.iloc[int(bad[0])]
        if _is_missing(value):
            raise ValueError(f"{where(i)}: no date in the Date column")
        raise ValueError(f"{where(i)}: the Date column does not hold dates: {value!r} is not a "
                         f"date such as '2020-01-02'")
    return pd.DatetimeIndex(dates, name="Date")


def _check_values(frame: pd.DataFrame, where: Callable[[int], str]) -> None:
    """Turn every column of ``frame`` into float64 in place; the prices and volumes must be
    present, finite and >= 0. ``where(i)`` names row ``i`` in errors."""
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_numeric_dtype(values):
            frame[col] = values.astype(np.float64)
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        bad = np.flatnonzero(numbers.isna().to_numpy() & values.notna().to_numpy())
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"{where(i)}: column {col!r} is not numeric: {values.iloc[i]!r}")
        frame[col] = numbers.astype(np.float64)
    prices = frame[list(PRICE_COLUMNS)].to_numpy()
    checks = (
        (np.isnan(prices), "no value in {cols}; fill or drop that row"),
        (np.isinf(prices), "{col!r} is {value}, not a finite number"),
        (prices < 0, ("{col!r} is negative ({value:g}); prices and volumes must be >= 0 "
                      "(0 marks a day without trading)")),
    )
    for mask, message in checks:
        rows = np.flatnonzero(mask.any(axis=1))
        if rows.size:
            i = int(rows[0])
            cols = [c for c, m in zip(PRICE_COLUMNS, mask[i]) if m]
            text = message.format(cols=cols, col=cols[0], value=frame[cols[0]].iloc[i])
            more = f" ({rows.size} such rows)" if rows.size > 1 else ""
            raise ValueError(f"{where(i)}: {text}{more}")


def _decode(data: bytes, origin: str) -> str:
    """The text of a CSV file's bytes (UTF-8, with or without a byte-order mark)."""
    for magic, kind in _COMPRESSED:
        if data.startswith(magic):
            raise ValueError(f"{origin} is a {kind} file, not CSV text (it starts with the bytes "
                             f"{magic.hex(' ')}); decompress it (e.g. gunzip) or download "
                             f"the CSV again")
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise ValueError(f"{origin}, line {line}: byte {body[exc.start]:#04x} is not UTF-8 text; "
                         f"a price CSV is plain text (is the file compressed, or a "
                         f"spreadsheet?)") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ValueError(f"{origin}, line {line}: a NUL byte; a price CSV is plain text")
    return text


def _row_lines(text: str, origin: str) -> list[int]:
    """The line number (1-based, the header is line 1) of each data row of CSV ``text``.

    Blank lines are skipped, as pandas skips them; a row whose number of fields differs from
    the header's is an error that names its line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 0
    rows: list[int] = []
    try:
        for record in reader:
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if header is None:
                header, header_line = record, reader.line_num
            elif len(record) != len(header):
                raise ValueError(
                    f"{origin}, line {reader.line_num}: {len(record)} fields, but the header "
                    f"(line {header_line}: {','.join(header)}) has {len(header)}")
            else:
                rows.append(reader.line_num)
    except csv.Error as exc:
        raise ValueError(f"{origin}, line {reader.line_num}: not a CSV row ({exc})") from None
    return rows


def _parse_price_csv(data: bytes, origin: str, *, complete: bool) -> pd.DataFrame:
    """Read and check the bytes of a price CSV (see :func:`_check_prices`).

    ``complete``: the file is known to be whole (a snapshot whose SHA-256 was checked); else
    a last line without a newline is an error, since that is what a cut-off file looks like.
    """
    text = _decode(data, origin)
    if not text.strip():
        raise ValueError(f"{origin} is not a readable price CSV: it is empty")
    if not complete and not text.endswith(("\n", "\r")):
        lines = io.StringIO(text, newline="").readlines()
        raise ValueError(
            f"{origin}: line {len(lines)}, the last line ({lines[-1][-40:]!r}), does not end "
            f"with a newline, so the file looks cut off. Download or copy it again; if that "
            f"line is complete, add a newline at the end of the file")
    rows = _row_lines(text, origin)
    try:
        raw = pd.read_csv(io.StringIO(text), dtype={"Date": str})
    except (pd.errors.EmptyDataError, pd.errors.ParserError, ValueError) as exc:
        raise ValueError(f"{origin} is not a readable price CSV: {exc}") from None
    return _check_prices(raw, origin, rows if len(rows) == len(raw) else None)


def _fetch(symbol: str, start: pd.Timestamp | None, end: pd.Timestamp | None,
           timeout: float) -> pd.DataFrame:
    """``FinanceDataReader.DataReader(symbol, start, end)``, given up after ``timeout`` s.

    The call runs in a daemon thread, so a download that hangs is abandoned, and delays
    neither this function beyond ``timeout`` nor the interpreter's exit."""
    try:
        import FinanceDataReader as fdr
    except ImportError as exc:
        raise RuntimeError("FinanceDataReader is not installed "
                           "(pip install finance-datareader)") from exc
    answer: queue.SimpleQueue = queue.SimpleQueue()

    def call() -> None:
        try:
            answer.put((True, fdr.DataReader(symbol, start, end)))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            answer.put((False, exc))

    threading.Thread(target=call, name=f"rnnlib-fetch-{symbol}", daemon=True).start()
    try:
        ok, value = answer.get(timeout=timeout)
    except queue.Empty:
        raise RuntimeError(f"FinanceDataReader did not answer within {timeout:g} s") from None
    if not ok:
        raise value
    return value


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


@contextlib.contextmanager
def _cache_lock(path: Path, wait: float) -> Iterator[None]:
    """Hold the lock ``<path>.lock`` (a :class:`filelock.FileLock`) for reading, fetching,
    merging and writing the cache file ``path``, so two processes lose no update.

    Waits at most ``wait`` seconds, then raises ``TimeoutError``. The empty lock file stays
    in the folder (removing it while another process waits on it would be unsafe). A folder
    that cannot be written is not locked: nothing will be written there."""
    lock_path = path.with_name(path.name + ".lock")
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(path.parent, os.W_OK):
        yield
        return
    try:
        with filelock.FileLock(str(lock_path), timeout=wait):
            yield
    except filelock.Timeout:
        raise TimeoutError(
            f"another process is updating {path} (it holds the lock {lock_path}) and did "
            f"not finish within {wait:g} s; try again later (a lock whose process has "
            f"ended is released by the system, so the file itself does no harm)") from None


def _file_state(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size
