"""Tests of rnnlib.data: the sine wave, sunspots, the data folder and the stock loader.

The stock loader is tested offline: FinanceDataReader is replaced by a fake module, and
the price snapshot (005930.csv) is read from the folder in RNNLIB_DATA_DIR when the test
command provides one.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rnnlib.data as data_module
from rnnlib.data import DATA_DIR_ENV, data_dir, load_stock, load_sunspots, sine_wave

SNAPSHOT_DIR = os.environ.get(DATA_DIR_ENV, "").strip()
needs_snapshot = pytest.mark.skipif(
    not SNAPSHOT_DIR or not (Path(SNAPSHOT_DIR) / "005930.csv").is_file(),
    reason="needs the price snapshots (005930.csv) in RNNLIB_DATA_DIR")


# ---------------------------------------------------------------- helpers

def _frame(start: str = "2020-01-02", periods: int = 5, first: float = 100.0) -> pd.DataFrame:
    """What FinanceDataReader returns: OHLCV indexed by a DatetimeIndex named Date."""
    index = pd.bdate_range(start, periods=periods, name="Date")
    close = first + np.arange(periods, dtype=float)
    return pd.DataFrame({"Open": close - 0.5, "High": close + 1.0, "Low": close - 1.0,
                         "Close": close, "Volume": np.arange(1, periods + 1) * 1000},
                        index=index)


def _fake_fdr(monkeypatch, reader) -> list:
    """Install a fake FinanceDataReader whose DataReader is ``reader``; return its calls."""
    calls = []

    def DataReader(symbol, start=None, end=None):
        calls.append((symbol, start, end))
        return reader(symbol, start, end)

    module = types.ModuleType("FinanceDataReader")
    module.DataReader = DataReader
    monkeypatch.setitem(sys.modules, "FinanceDataReader", module)
    return calls


def _offline(monkeypatch) -> list:
    def fail(*args):
        raise ConnectionError("no network in tests")
    return _fake_fdr(monkeypatch, fail)


@pytest.fixture
def tmp_data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    return tmp_path


# ---------------------------------------------------------------- sine_wave

def test_sine_wave_values_shapes_and_types():
    t, y = sine_wave(5, 0.5)
    assert t.shape == y.shape == (5,) and t.dtype == y.dtype == np.float32
    np.testing.assert_allclose(t, [0.0, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(y, np.sin(t), rtol=1e-6)
    _, y2 = sine_wave(5, 0.5, amplitude=2.0, phase=np.pi / 2)
    np.testing.assert_allclose(y2, 2.0 * np.cos(t), atol=1e-6)


def test_sine_wave_noise_is_seeded():
    _, a = sine_wave(50, noise_std=0.1, seed=1)
    _, b = sine_wave(50, noise_std=0.1, seed=1)
    _, c = sine_wave(50, noise_std=0.1, seed=2)
    _, clean = sine_wave(50)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert 0.03 < np.std(a - clean) < 0.3


@pytest.mark.parametrize("kwargs,exc,msg", [
    ({"n_points": 1}, ValueError, "n_points must be >= 2"),
    ({"n_points": 10.0}, TypeError, "n_points must be an int"),
    ({"step": 0}, ValueError, "step must be > 0"),
    ({"step": "0.1"}, TypeError, "step must be a number"),
    ({"amplitude": np.nan}, ValueError, "amplitude must be finite"),
    ({"noise_std": -0.1}, ValueError, "noise_std must be >= 0"),
    ({"seed": -1}, ValueError, "seed must be >= 0"),
    ({"seed": 1.5}, TypeError, "seed must be an int"),
])
def test_sine_wave_rejects_bad_arguments(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        sine_wave(**kwargs)


# ---------------------------------------------------------------- load_sunspots

def test_load_sunspots_shape_index_and_spot_values():
    s = load_sunspots()
    assert s.shape == (309, 1) and list(s.columns) == ["SUNACTIVITY"]
    assert s["SUNACTIVITY"].dtype == np.float64
    assert isinstance(s.index, pd.DatetimeIndex) and s.index.name == "year"
    assert s.index.freqstr.startswith("YS")
    assert s.index[0] == pd.Timestamp("1700-01-01") and s.index[-1] == pd.Timestamp("2008-01-01")
    assert s.iloc[0, 0] == 5.0 and s.iloc[-1, 0] == 2.9
    assert s["SUNACTIVITY"].idxmax() == pd.Timestamp("1957-01-01")
    assert (s["SUNACTIVITY"] >= 0).all()


# ---------------------------------------------------------------- data_dir

def test_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.setenv(DATA_DIR_ENV, "~/prices")
    assert data_dir() == Path.home() / "prices"


def test_data_dir_defaults_to_a_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, "   ")  # blank counts as unset
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data_dir() == tmp_path / "cache" / "rnnlib"
    monkeypatch.delenv(DATA_DIR_ENV)
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / ".cache" / "rnnlib"


# ---------------------------------------------------------------- load_stock: the snapshot

@needs_snapshot
def test_load_stock_reads_the_snapshot_through_the_environment(monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, SNAPSHOT_DIR)
    calls = _offline(monkeypatch)
    full = load_stock("005930")
    assert calls == []  # read from disk, no download tried
    assert len(full) == 6000
    assert full.index[0] == pd.Timestamp("2000-08-25")
    assert full.index[-1] == pd.Timestamp("2024-12-16")
    assert list(full.columns) == ["Open", "High", "Low", "Close", "Volume", "Change"]
    assert (full.dtypes == np.float64).all()
    assert full.index.is_monotonic_increasing and full.index.is_unique
    assert full.index.name == "Date"
    assert np.isnan(full["Change"].iloc[0])  # no change on the first row


@needs_snapshot
def test_load_stock_snapshot_spot_values(monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, SNAPSHOT_DIR)
    _offline(monkeypatch)
    df = load_stock("005930", "2010-01-04", "2021-11-23")
    assert df.index[0] == pd.Timestamp("2010-01-04") and df.index[-1] == pd.Timestamp("2021-11-23")
    first = df.loc["2010-01-04"]
    assert (first["Open"], first["High"], first["Low"], first["Close"], first["Volume"]) == (
        16060, 16180, 16000, 16180, 239271)
    assert df.loc["2021-11-17", "Close"] == 70700
    assert df.loc["2021-11-23", "Close"] == 75300
    halts = df.loc[["2018-04-30", "2018-05-02", "2018-05-03"]]
    assert (halts[["Open", "High", "Low", "Volume"]] == 0).all().all()
    assert (halts["Close"] == 53000).all()
    # prices are split-adjusted, so there is no 50-fold drop across May 2018
    assert 0.9 < df.loc["2018-05-04", "Close"] / df.loc["2018-04-27", "Close"] < 1.1


@needs_snapshot
def test_load_stock_reads_the_starbucks_snapshot(monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, SNAPSHOT_DIR)
    _offline(monkeypatch)
    sbux = load_stock("SBUX")
    assert len(sbux) == 253 and "Adj Close" in sbux.columns
    assert sbux.index[0] == pd.Timestamp("2019-12-11")
    assert sbux.index[-1] == pd.Timestamp("2020-12-10")


@needs_snapshot
def test_load_stock_clips_a_copy_of_the_snapshot(monkeypatch, tmp_data):
    shutil.copy(Path(SNAPSHOT_DIR) / "005930.csv", tmp_data / "005930.csv")
    _offline(monkeypatch)
    df = load_stock("005930", "2021-11-17", "2021-11-23")
    assert df["Close"].tolist()[0] == 70700 and df["Close"].tolist()[-1] == 75300
    df.loc[df.index[0], "Close"] = 0.0  # the result is a copy, the next read is clean
    assert load_stock("005930", "2021-11-17", "2021-11-23")["Close"].iloc[0] == 70700


# ---------------------------------------------------------------- load_stock: downloads

@pytest.mark.parametrize("reader", [
    lambda *a: (_ for _ in ()).throw(ConnectionError("no network")),
    lambda *a: pd.DataFrame(),
    lambda *a: "not a frame",
])
def test_load_stock_without_file_or_data_names_the_csv(monkeypatch, tmp_data, reader):
    _fake_fdr(monkeypatch, reader)
    with pytest.raises(RuntimeError) as info:
        load_stock("TEST", "2020-01-01", "2020-02-01")
    message = str(info.value)
    assert "TEST.csv" in message and str(tmp_data) in message and DATA_DIR_ENV in message
    assert "Date, Open, High, Low, Close, Volume" in message
    assert not (tmp_data / "TEST.csv").exists()


def test_load_stock_without_financedatareader_says_so(monkeypatch, tmp_data):
    monkeypatch.setitem(sys.modules, "FinanceDataReader", None)  # import fails
    with pytest.raises(RuntimeError, match="FinanceDataReader is not installed.*TEST.csv"):
        load_stock("TEST")


def test_load_stock_gives_up_after_the_timeout(monkeypatch, tmp_data):
    def slow(*args):
        time.sleep(1.0)
        return _frame()
    _fake_fdr(monkeypatch, slow)
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="did not answer within 0.1 s"):
        load_stock("TEST", timeout=0.1)
    assert time.perf_counter() - start < 0.9


def test_load_stock_saves_a_fetch_atomically(monkeypatch, tmp_data):
    calls = _fake_fdr(monkeypatch, lambda *a: _frame("2020-01-02", 5))
    df = load_stock("TEST", "2020-01-02", "2020-01-08")
    assert calls == [("TEST", pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-08"))]
    assert len(df) == 5 and (df.dtypes == np.float64).all()
    assert sorted(p.name for p in tmp_data.iterdir()) == ["TEST.csv"]  # no temporary file left
    saved = pd.read_csv(tmp_data / "TEST.csv", index_col="Date", parse_dates=True)
    np.testing.assert_allclose(saved.to_numpy(), _frame("2020-01-02", 5).to_numpy())
    again = load_stock("TEST", "2020-01-02", "2020-01-08")  # now from disk
    assert len(calls) == 1
    pd.testing.assert_frame_equal(again, df, check_freq=False)


def test_load_stock_leaves_no_half_file_when_saving_fails(monkeypatch, tmp_data):
    _fake_fdr(monkeypatch, lambda *a: _frame())

    def broken_replace(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(data_module.os, "replace", broken_replace)
    df = load_stock("TEST")  # a folder that cannot be written still serves the fetch
    assert len(df) == 5
    assert list(tmp_data.iterdir()) == []


def test_load_stock_merges_a_fetch_into_the_cached_csv(monkeypatch, tmp_data):
    _frame("2020-01-01", 20).to_csv(tmp_data / "TEST.csv")  # Jan 2020 only
    calls = _fake_fdr(monkeypatch, lambda *a: _frame("2020-01-20", 30, first=500.0))
    df = load_stock("TEST", "2020-01-01", "2020-02-28")
    assert len(calls) == 1  # the cache did not cover February
    assert df.index.is_unique and df.index.is_monotonic_increasing
    assert df.loc["2020-01-02", "Close"] == 101.0  # kept from the cache
    assert df.loc["2020-01-20", "Close"] == 500.0  # the fetch wins where both have a day
    merged = pd.read_csv(tmp_data / "TEST.csv", index_col="Date", parse_dates=True)
    assert len(merged) == len(df)


def test_load_stock_uses_a_cache_that_covers_the_request(monkeypatch, tmp_data):
    _frame("2020-01-06", 20).to_csv(tmp_data / "TEST.csv")
    calls = _offline(monkeypatch)
    # the first row is within a week of the requested start (a weekend and holidays)
    df = load_stock("TEST", "2020-01-01", "2020-01-31")
    assert calls == [] and df.index[0] == pd.Timestamp("2020-01-06")
    with pytest.raises(ValueError, match="no prices for 'TEST'"):
        load_stock("TEST", "2020-01-11", "2020-01-12")  # a weekend inside the cache


# ---------------------------------------------------------------- load_stock: malformed CSV

@pytest.mark.parametrize("text,msg", [
    ("Date,Open,High,Low,Close\n2020-01-02,1,2,0.5,1\n", r"lacks the columns \['Volume'\]"),
    ("Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,abc,100\n", "'Close' is not numeric"),
    ("Date,Open,High,Low,Close,Volume\nfoo,1,2,0.5,1,3\n", "does not hold dates"),
    ("Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1,3\n2020-01-02,1,2,0.5,1,3\n",
     "duplicate dates"),
    ("Date,Open,High,Low,Close,Volume\n", "no rows"),
    ("", "not a readable price CSV"),
])
def test_load_stock_rejects_a_malformed_csv(monkeypatch, tmp_data, text, msg):
    (tmp_data / "TEST.csv").write_text(text, encoding="utf-8")
    calls = _offline(monkeypatch)
    with pytest.raises(ValueError, match=msg):
        load_stock("TEST")
    assert calls == []  # a broken file is reported, not silently replaced


def test_load_stock_rejects_a_csv_without_dates(monkeypatch, tmp_data):
    (tmp_data / "TEST.csv").write_text("Open,High,Low,Close,Volume\n1,2,0.5,1.5,100\n",
                                       encoding="utf-8")
    _offline(monkeypatch)
    with pytest.raises(ValueError, match="Date"):
        load_stock("TEST")


def test_load_stock_rejects_missing_prices(monkeypatch, tmp_data):
    (tmp_data / "TEST.csv").write_text(
        "Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,,100\n2020-01-03,2,3,1,2,200\n",
        encoding="utf-8")
    _offline(monkeypatch)
    with pytest.raises(ValueError, match="Close"):
        load_stock("TEST")


# ---------------------------------------------------------------- load_stock: bad arguments

@pytest.mark.parametrize("args,kwargs,exc,msg", [
    (("",), {}, ValueError, "symbol must be a ticker"),
    (("   ",), {}, ValueError, "symbol must be a ticker"),
    ((None,), {}, TypeError, "symbol must be a ticker"),
    ((5930,), {}, TypeError, "symbol must be a ticker"),
    (("../005930",), {}, ValueError, "symbol must be a ticker"),
    (("TEST", "2021-01-01", "2020-01-01"), {}, ValueError, r"start \(2021-01-01\) must not be after"),
    (("TEST", "yesterday-ish"), {}, ValueError, "start must be a date"),
    (("TEST", None, "31/31/2020"), {}, ValueError, "end must be a date"),
    (("TEST", 20200101), {}, TypeError, "start must be a date string"),
    (("TEST",), {"timeout": 0}, ValueError, "timeout must be > 0"),
    (("TEST",), {"timeout": "20"}, TypeError, "timeout must be a number"),
])
def test_load_stock_rejects_bad_arguments(monkeypatch, tmp_data, args, kwargs, exc, msg):
    calls = _offline(monkeypatch)
    with pytest.raises(exc, match=msg):
        load_stock(*args, **kwargs)
    assert calls == []


@pytest.mark.parametrize("kwargs", [{"start": ""}, {"end": ""}])
def test_load_stock_rejects_empty_dates(monkeypatch, tmp_data, kwargs):
    _offline(monkeypatch)
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=f"{name} must be a date"):
        load_stock("TEST", **kwargs)
