"""Tests of rnnlib.stocks: loading and caching prices, cleaning them, and features.

The stock loader is tested offline: the price snapshots ship inside rnnlib, and
FinanceDataReader (``source="live"``) is replaced by a fake module."""

from __future__ import annotations

import hashlib
import math
import shutil
import sys
import time
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

import rnnlib.stocks as stocks_module
from rnnlib.stocks import (
    DATA_DIR_ENV,
    FEATURE_COLUMNS,
    adjust_volume_for_split,
    data_dir,
    drop_halted_days,
    load_stock,
    log_returns,
    ohlcv_features,
    price_from_log_return,
)

SNAPSHOT_DIR = Path(stocks_module.__file__).parent / "snapshots"


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


def test_load_stock_reads_the_shipped_snapshot_by_default(monkeypatch, tmp_data):
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


def test_load_stock_snapshot_spot_values(monkeypatch, tmp_data):
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


def test_load_stock_reads_the_starbucks_snapshot(monkeypatch, tmp_data):
    _offline(monkeypatch)
    sbux = load_stock("SBUX")
    assert len(sbux) == 253 and "Adj Close" in sbux.columns
    assert sbux.index[0] == pd.Timestamp("2019-12-11")
    assert sbux.index[-1] == pd.Timestamp("2020-12-10")


@pytest.mark.parametrize("source", ["snapshot", "csv", "live"])
def test_load_stock_clips_a_copy_of_the_snapshot(monkeypatch, tmp_data, source):
    shutil.copy(SNAPSHOT_DIR / "005930.csv", tmp_data / "005930.csv")
    calls = _offline(monkeypatch)
    df = load_stock("005930", "2021-11-17", "2021-11-23", source=source)
    assert df["Close"].tolist()[0] == 70700 and df["Close"].tolist()[-1] == 75300
    df.loc[df.index[0], "Close"] = 0.0  # the result is a copy, the next read is clean
    again = load_stock("005930", "2021-11-17", "2021-11-23", source=source)
    assert again["Close"].iloc[0] == 70700 and calls == []


def test_the_snapshot_readme_lists_the_checked_hashes():
    readme = (SNAPSHOT_DIR / "README.md").read_text(encoding="utf-8")
    for symbol, digest in stocks_module.SNAPSHOTS.items():
        data = (SNAPSHOT_DIR / f"{symbol}.csv").read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, symbol
        assert f"`{symbol}.csv`: `{digest}`" in readme
    assert sorted(p.name for p in SNAPSHOT_DIR.glob("*.csv")) == sorted(
        f"{s}.csv" for s in stocks_module.SNAPSHOTS)


def test_load_stock_refuses_a_changed_snapshot(monkeypatch, tmp_data):
    monkeypatch.setitem(stocks_module.SNAPSHOTS, "SBUX", "0" * 64)
    with pytest.raises(ValueError, match="SBUX.csv has been changed.*reinstall"):
        load_stock("SBUX")


def test_load_stock_snapshot_names_what_it_covers(monkeypatch, tmp_data):
    calls = _offline(monkeypatch)
    with pytest.raises(ValueError, match=r"covers 2000-08-25 to 2024-12-16, not 2010-01-04 to "
                                         r"2025-06-30; source='live'"):
        load_stock("005930", "2010-01-04", "2025-06-30")
    with pytest.raises(ValueError, match=r"ships no price snapshot of 'AAPL' \(it ships "
                                         r"005930, SBUX\); source='live'.*AAPL.csv"):
        load_stock("AAPL")
    assert calls == []  # the snapshot source never tries the network


def test_load_stock_reads_your_own_csv(monkeypatch, tmp_data):
    calls = _offline(monkeypatch)
    _frame("2020-01-06", 20).to_csv(tmp_data / "TEST.csv")
    df = load_stock("TEST", "2020-01-06", "2020-01-31", source="csv")
    assert len(df) == 20 and calls == []
    with pytest.raises(ValueError, match=r"TEST.csv covers 2020-01-06 to 2020-01-31, not "
                                         r"2020-01-06 to 2020-06-30; source='live'"):
        load_stock("TEST", "2020-01-06", "2020-06-30", source="csv")
    with pytest.raises(FileNotFoundError, match=f"no file .*NONE.csv.*{DATA_DIR_ENV}"):
        load_stock("NONE", source="csv")
    assert calls == []


@pytest.mark.parametrize("reader", [
    lambda *a: (_ for _ in ()).throw(ConnectionError("no network")),
    lambda *a: pd.DataFrame(),
    lambda *a: "not a frame",
])
def test_load_stock_without_file_or_data_names_the_csv(monkeypatch, tmp_data, reader):
    _fake_fdr(monkeypatch, reader)
    with pytest.raises(RuntimeError) as info:
        load_stock("TEST", "2020-01-01", "2020-02-01", source="live")
    message = str(info.value)
    assert "TEST.csv" in message and str(tmp_data) in message and DATA_DIR_ENV in message
    assert "Date, Open, High, Low, Close, Volume" in message
    assert not (tmp_data / "TEST.csv").exists()


def test_load_stock_without_financedatareader_says_so(monkeypatch, tmp_data):
    monkeypatch.setitem(sys.modules, "FinanceDataReader", None)  # import fails
    with pytest.raises(RuntimeError, match="FinanceDataReader is not installed.*TEST.csv"):
        load_stock("TEST", source="live")


def test_load_stock_gives_up_after_the_timeout(monkeypatch, tmp_data):
    def slow(*args):
        time.sleep(1.0)
        return _frame()
    _fake_fdr(monkeypatch, slow)
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="did not answer within 0.1 s"):
        load_stock("TEST", timeout=0.1, source="live")
    assert time.perf_counter() - start < 0.9


def test_load_stock_saves_a_fetch_atomically(monkeypatch, tmp_data):
    calls = _fake_fdr(monkeypatch, lambda *a: _frame("2020-01-02", 5))
    df = load_stock("TEST", "2020-01-02", "2020-01-08", source="live")
    assert calls == [("TEST", pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-08"))]
    assert len(df) == 5 and (df.dtypes == np.float64).all()
    # no temporary file left; only the cache and its (empty) lock file
    assert sorted(p.name for p in tmp_data.iterdir()) == ["TEST.csv", "TEST.csv.lock"]
    saved = pd.read_csv(tmp_data / "TEST.csv", index_col="Date", parse_dates=True)
    np.testing.assert_allclose(saved.to_numpy(), _frame("2020-01-02", 5).to_numpy())
    again = load_stock("TEST", "2020-01-02", "2020-01-08", source="live")  # now from disk
    assert len(calls) == 1
    pd.testing.assert_frame_equal(again, df, check_freq=False)


def test_load_stock_leaves_no_half_file_when_saving_fails(monkeypatch, tmp_data):
    _fake_fdr(monkeypatch, lambda *a: _frame())

    def broken_replace(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(stocks_module.os, "replace", broken_replace)
    df = load_stock("TEST", source="live")  # a folder that cannot be written still serves the fetch
    assert len(df) == 5
    assert [p.name for p in tmp_data.iterdir()] == ["TEST.csv.lock"]  # no half file


def test_load_stock_merges_a_fetch_into_the_cached_csv(monkeypatch, tmp_data):
    _frame("2020-01-01", 20).to_csv(tmp_data / "TEST.csv")  # Jan 2020 only
    calls = _fake_fdr(monkeypatch, lambda *a: _frame("2020-01-20", 30, first=500.0))
    df = load_stock("TEST", "2020-01-01", "2020-02-28", source="live")
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
    df = load_stock("TEST", "2020-01-01", "2020-01-31", source="live")
    assert calls == [] and df.index[0] == pd.Timestamp("2020-01-06")
    with pytest.raises(ValueError, match="no prices for 'TEST'"):
        load_stock("TEST", "2020-01-11", "2020-01-12", source="live")  # a weekend inside the cache


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
        load_stock("TEST", source="live")
    assert calls == []  # a broken file is reported, not silently replaced


def test_load_stock_rejects_a_csv_without_dates(monkeypatch, tmp_data):
    (tmp_data / "TEST.csv").write_text("Open,High,Low,Close,Volume\n1,2,0.5,1.5,100\n",
                                       encoding="utf-8")
    _offline(monkeypatch)
    with pytest.raises(ValueError, match="Date"):
        load_stock("TEST", source="live")


def test_load_stock_rejects_missing_prices(monkeypatch, tmp_data):
    (tmp_data / "TEST.csv").write_text(
        "Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,,100\n2020-01-03,2,3,1,2,200\n",
        encoding="utf-8")
    _offline(monkeypatch)
    with pytest.raises(ValueError, match="Close"):
        load_stock("TEST", source="live")


@pytest.mark.parametrize("args,kwargs,exc,msg", [
    (("",), {}, ValueError, "symbol must be a ticker"),
    (("   ",), {}, ValueError, "symbol must be a ticker"),
    ((None,), {}, TypeError, "symbol must be a ticker"),
    ((5930,), {}, TypeError, "symbol must be a ticker"),
    (("../005930",), {}, ValueError, "symbol must be a ticker"),
    (("TEST", "2021-01-01", "2020-01-01"), {}, ValueError,
     r"start \(2021-01-01\) must not be after"),
    (("TEST", "yesterday-ish"), {}, ValueError, "start must be a date"),
    (("TEST", None, "31/31/2020"), {}, ValueError, "end must be a date"),
    (("TEST", 20200101), {}, TypeError, "start must be a date string"),
    (("TEST",), {"timeout": 0}, ValueError, "timeout must be > 0"),
    (("TEST",), {"timeout": "20"}, TypeError, "timeout must be a number"),
    (("TEST",), {"source": "web"}, ValueError, r"source must be one of \('snapshot', 'csv'"),
    (("TEST",), {"source": None}, ValueError, "source must be one of"),
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


def _prices(n: int = 8, seed: int = 0) -> pd.DataFrame:
    """A small, valid OHLCV frame on business days."""
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
    open_ = close * np.exp(rng.normal(0, 0.01, n))
    high = np.maximum(open_, close) * 1.01
    low = np.minimum(open_, close) * 0.99
    volume = rng.integers(1_000, 5_000, n).astype(float)
    index = pd.bdate_range("2021-01-04", periods=n, name="Date")
    return pd.DataFrame({"Open": open_, "High": high, "Low": low, "Close": close,
                         "Volume": volume}, index=index)


def test_drop_halted_days_removes_only_rows_without_trading():
    frame = _prices(6)
    frame.iloc[2, :] = [0.0, 0.0, 0.0, frame["Close"].iloc[1], 0.0]  # a halt, close carried
    frame.iloc[4, frame.columns.get_loc("Volume")] = 0.0  # no trade, prices published
    out = drop_halted_days(frame)
    assert list(out.index) == [frame.index[i] for i in (0, 1, 3, 5)]
    pd.testing.assert_frame_equal(out, frame.iloc[[0, 1, 3, 5]])
    assert frame.iloc[2, 0] == 0.0  # the input is left alone


def test_drop_halted_days_keeps_a_clean_frame_and_extra_columns():
    frame = _prices(5).assign(Change=0.01)
    pd.testing.assert_frame_equal(drop_halted_days(frame), frame)


@pytest.mark.parametrize("bad,exc,msg", [
    (np.ones((3, 5)), TypeError, "frame must be a pandas DataFrame"),
    (_prices(3).drop(columns="Volume"), ValueError, r"lacks the columns \['Volume'\]"),
    (_prices(3).iloc[:0], ValueError, "has no rows"),
    (_prices(3).assign(Close=["a", "b", "c"]), TypeError,
     r"frame\['Close'\] must hold real numbers"),
    (_prices(3).assign(Close=[1.0, np.nan, 2.0]), ValueError, "'Close'.*NaN"),
    (_prices(3).assign(Close=[1.0, -2.0, 2.0]), ValueError, "non-positive prices"),
])
def test_drop_halted_days_rejects_bad_frames(bad, exc, msg):
    with pytest.raises(exc, match=msg):
        drop_halted_days(bad)


def test_adjust_volume_for_split_scales_only_the_days_before():
    frame = _prices(6)
    split = frame.index[3]
    out = adjust_volume_for_split(frame, split, 50)
    np.testing.assert_allclose(out["Volume"].iloc[:3], 50 * frame["Volume"].iloc[:3])
    np.testing.assert_allclose(out["Volume"].iloc[3:], frame["Volume"].iloc[3:])
    pd.testing.assert_frame_equal(out.drop(columns="Volume"), frame.drop(columns="Volume"))
    out_str = adjust_volume_for_split(frame, str(split.date()), 50)
    pd.testing.assert_frame_equal(out_str, out)


def test_adjust_volume_for_split_accepts_integer_volume():
    frame = _prices(4).assign(Volume=[1, 2, 3, 4])
    out = adjust_volume_for_split(frame, frame.index[2], 2.5)
    assert out["Volume"].tolist() == [2.5, 5.0, 3.0, 4.0]


@pytest.mark.parametrize("kwargs,exc,msg", [
    ({"split_date": "not a date", "ratio": 50}, ValueError, "split_date must be a date"),
    ({"split_date": 20180504, "ratio": 50}, TypeError, "split_date must be a date string"),
    ({"split_date": "2021-01-06", "ratio": 0}, ValueError, "ratio must be > 0"),
    ({"split_date": "2021-01-06", "ratio": "50"}, TypeError, "ratio must be a number"),
])
def test_adjust_volume_for_split_rejects_bad_arguments(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        adjust_volume_for_split(_prices(4), **kwargs)


def test_adjust_volume_for_split_needs_dates():
    with pytest.raises(TypeError, match="DatetimeIndex"):
        adjust_volume_for_split(_prices(4).reset_index(drop=True), "2021-01-05", 50)


def test_log_returns_of_arrays_and_series():
    p = np.array([100.0, 110.0, 99.0])
    np.testing.assert_allclose(log_returns(p), [math.log(1.1), math.log(0.9)])
    s = pd.Series(p, index=pd.bdate_range("2021-01-04", periods=3))
    r = log_returns(s)
    assert isinstance(r, pd.Series) and list(r.index) == list(s.index[1:])
    np.testing.assert_allclose(r.to_numpy(), log_returns(p))
    # log returns add up: the sum is the log of the total change
    assert math.isclose(log_returns(p).sum(), math.log(p[-1] / p[0]))


@pytest.mark.parametrize("bad,exc,msg", [
    ([1.0], ValueError, "at least 2 values"),
    ([1.0, 0.0, 2.0], ValueError, "strictly positive"),
    (np.ones((3, 2)), ValueError, "prices must be 1-D"),
    ("100", TypeError, "prices must be array-like"),
    ([1.0, np.nan], ValueError, "NaN"),
])
def test_log_returns_rejects_bad_prices(bad, exc, msg):
    with pytest.raises(exc, match=msg):
        log_returns(bad)


def test_ohlcv_features_values_and_alignment():
    frame = _prices(6)
    feats = ohlcv_features(frame)
    assert tuple(feats.columns) == FEATURE_COLUMNS
    assert list(feats.index) == list(frame.index[1:])
    o, h, lo, c, v = (frame[k].to_numpy() for k in ("Open", "High", "Low", "Close", "Volume"))
    np.testing.assert_allclose(feats["log_return"], np.log(c[1:] / c[:-1]))
    np.testing.assert_allclose(feats["intraday"], np.log(c[1:] / o[1:]))
    np.testing.assert_allclose(feats["range"], np.log(h[1:] / lo[1:]))
    np.testing.assert_allclose(feats["volume_change"], np.log(v[1:] / v[:-1]))
    np.testing.assert_allclose(feats["log_return"], log_returns(frame["Close"]))


def test_ohlcv_features_are_causal_and_scale_free():
    frame = _prices(10)
    feats = ohlcv_features(frame)
    changed = frame.copy()
    changed.iloc[6:] *= 3.0  # rewrite the future
    np.testing.assert_allclose(ohlcv_features(changed).iloc[:5], feats.iloc[:5])
    scaled = frame * 7.0  # a different currency or share count
    np.testing.assert_allclose(ohlcv_features(scaled), feats, atol=1e-12)


@pytest.mark.parametrize("edit,exc,msg", [
    (lambda f: f.assign(Open=0.0), ValueError, "'Open'.*positive.*drop_halted_days"),
    (lambda f: f.assign(Volume=0.0), ValueError, "'Volume'.*positive"),
    (lambda f: f.iloc[::-1], ValueError, "index is not sorted in time"),
    (lambda f: f.iloc[:1], ValueError, "at least 2 rows"),
    (lambda f: f.assign(High=f["Low"] * 0.5), ValueError, "High below Low"),
    (lambda f: f.drop(columns="Open"), ValueError, "lacks the columns"),
    (lambda f: f.to_numpy(), TypeError, "pandas DataFrame"),
])
def test_ohlcv_features_rejects_bad_frames(edit, exc, msg):
    with pytest.raises(exc, match=msg):
        ohlcv_features(edit(_prices(4)))


def test_price_from_log_return_inverts_log_returns():
    p = np.array([100.0, 104.0, 98.0, 101.0])
    np.testing.assert_allclose(price_from_log_return(p[:-1], log_returns(p)), p[1:])
    np.testing.assert_allclose(price_from_log_return(p[:-1], np.zeros((3, 1))), p[:-1])
    torch_r = torch.tensor(log_returns(p))
    np.testing.assert_allclose(price_from_log_return(p[:-1], torch_r), p[1:], rtol=1e-6)


@pytest.mark.parametrize("prev,r,exc,msg", [
    ([1.0, 2.0], [0.1], ValueError, r"prev_price has shape \(2,\) but log_return"),
    ([1.0, -2.0], [0.1, 0.1], ValueError, "prev_price must be positive"),
    ([1.0, 2.0], [0.1, np.inf], ValueError, "log_return holds"),
    (None, [0.1], TypeError, "prev_price must be array-like"),
])
def test_price_from_log_return_rejects_bad_input(prev, r, exc, msg):
    with pytest.raises(exc, match=msg):
        price_from_log_return(prev, r)


def test_an_lstm_fed_one_time_step_is_a_feed_forward_net():
    """The notes' (rows, 1, 50) input: from h_0 = c_0 = 0, one LSTM step needs no W_hh and
    no forget gate. A from-scratch step matches nn.LSTM in outputs and gradients."""
    torch.manual_seed(0)
    lstm = nn.LSTM(5, 3, batch_first=True)
    x = torch.randn(7, 1, 5)
    h_torch = lstm(x)[0][:, -1]
    w_ih, b_ih, b_hh = (p.detach().clone().requires_grad_() for p in
                        (lstm.weight_ih_l0, lstm.bias_ih_l0, lstm.bias_hh_l0))
    i, _, g, o = (x[:, 0] @ w_ih.T + b_ih + b_hh).chunk(4, dim=1)
    h_scratch = torch.sigmoid(o) * torch.tanh(torch.sigmoid(i) * torch.tanh(g))
    torch.testing.assert_close(h_scratch, h_torch)
    h_torch.pow(2).sum().backward()
    h_scratch.pow(2).sum().backward()
    torch.testing.assert_close(w_ih.grad, lstm.weight_ih_l0.grad)
    torch.testing.assert_close(b_ih.grad, lstm.bias_ih_l0.grad)
    torch.testing.assert_close(b_hh.grad, lstm.bias_hh_l0.grad)
    assert torch.count_nonzero(lstm.weight_hh_l0.grad) == 0
    assert torch.count_nonzero(lstm.weight_ih_l0.grad[3:6]) == 0  # the forget gate's rows


def test_samsung_snapshot_cleans_to_positive_features():
    raw = load_stock("005930", "2010-01-04", "2021-11-23")
    clean = drop_halted_days(raw)
    removed = raw.index.difference(clean.index)
    assert list(removed.strftime("%Y-%m-%d")) == ["2018-04-30", "2018-05-02", "2018-05-03"]
    adjusted = adjust_volume_for_split(clean, "2018-05-04", 50)
    feats = ohlcv_features(adjusted)
    assert len(feats) == len(clean) - 1 and np.isfinite(feats.to_numpy()).all()
    # the split day's volume change is an ordinary one once the old volume is adjusted
    assert abs(feats.loc["2018-05-04", "volume_change"]) < 2.0


# --- Loading and caching: fail loudly, lose nothing ---

_HEADER = "Date,Open,High,Low,Close,Volume\n"


def _race_worker(folder: str, first_day: str, periods: int, start: str, end: str,
                 barrier) -> None:
    """One process of the cache race: a fake FinanceDataReader that returns ``periods``
    business days from ``first_day`` after 1 s, so the two processes' updates overlap."""
    import os
    os.environ[DATA_DIR_ENV] = folder

    def DataReader(symbol, start=None, end=None):
        time.sleep(1.0)
        return _frame(first_day, periods, first=200.0)

    module = types.ModuleType("FinanceDataReader")
    module.DataReader = DataReader
    sys.modules["FinanceDataReader"] = module
    barrier.wait(timeout=120)
    load_stock("TEST", start, end, source="live")


def test_two_processes_updating_the_cache_lose_no_rows(tmp_data):
    """Before: both read the cache, fetched and wrote it, so the later write dropped the
    other's rows (5 of 5 trials). Now <path>.lock serialises them: the file holds both."""
    import multiprocessing
    _frame("2020-01-01", 23).to_csv(tmp_data / "TEST.csv")  # January 2020
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    jobs = [ctx.Process(target=_race_worker, args=args + (barrier,)) for args in (
        (str(tmp_data), "2019-12-02", 22, "2019-12-02", "2020-01-31"),  # adds December
        (str(tmp_data), "2020-02-03", 20, "2020-01-02", "2020-02-28"),  # adds February
    )]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(timeout=180)
    assert [job.exitcode for job in jobs] == [0, 0]
    merged = pd.read_csv(tmp_data / "TEST.csv", index_col="Date", parse_dates=True)
    months = set(merged.index.strftime("%Y-%m"))
    assert months == {"2019-12", "2020-01", "2020-02"}, months
    assert len(merged) == 22 + 23 + 20 and merged.index.is_unique
    assert sorted(p.name for p in tmp_data.iterdir()) == ["TEST.csv", "TEST.csv.lock"]


def test_a_covering_cache_is_read_without_waiting_for_the_lock(monkeypatch, tmp_data):
    """Now: reading a cache that covers the request needs no lock, so it never waits for
    another process's download."""
    import filelock
    _frame("2020-01-06", 20).to_csv(tmp_data / "TEST.csv")
    calls = _offline(monkeypatch)
    with filelock.FileLock(str(tmp_data / "TEST.csv.lock")):
        begin = time.perf_counter()
        df = load_stock("TEST", "2020-01-06", "2020-01-31", source="live", timeout=0.2)
        assert time.perf_counter() - begin < 5.0
    assert len(df) == 20 and calls == []


def test_a_held_lock_gives_a_clear_timeout(monkeypatch, tmp_data):
    """Now: when another process keeps the cache locked past timeout + the margin, the
    error names the cache file and the lock instead of waiting forever."""
    import filelock
    _frame("2020-01-06", 5).to_csv(tmp_data / "TEST.csv")
    calls = _fake_fdr(monkeypatch, lambda *a: _frame("2020-02-03", 5))
    monkeypatch.setattr(stocks_module, "_LOCK_MARGIN", 0.0)
    expected = r"another process is updating .*TEST\.csv \(it holds the lock .*TEST\.csv\.lock\)"
    with filelock.FileLock(str(tmp_data / "TEST.csv.lock")), pytest.raises(TimeoutError,
                                                                             match=expected):
        load_stock("TEST", "2020-01-06", "2020-02-07", source="live", timeout=0.3)
    assert calls == []  # nothing was downloaded, nothing written


def test_a_hanging_fetch_does_not_delay_the_exit(tmp_path):
    """Before: the error came at the timeout, but the interpreter then waited ~58 s at exit
    for the ThreadPoolExecutor's worker. Now the fetch runs in a daemon thread."""
    import subprocess
    import textwrap
    code = textwrap.dedent(f"""
        import os, sys, time, types
        os.environ[{DATA_DIR_ENV!r}] = {str(tmp_path)!r}
        module = types.ModuleType("FinanceDataReader")
        module.DataReader = lambda *args: time.sleep(60)
        sys.modules["FinanceDataReader"] = module
        from rnnlib.stocks import load_stock
        print("calling", time.time(), flush=True)
        try:
            load_stock("TEST", source="live", timeout=0.5)
        except RuntimeError as exc:
            print("RuntimeError:", exc, flush=True)
    """)
    root = Path(stocks_module.__file__).parents[1]
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                          text=True, timeout=120, cwd=root)
    finished = time.time()
    assert done.returncode == 0, done.stderr
    called = float(done.stdout.split("calling ")[1].split()[0])
    assert "RuntimeError: Could not fetch" in done.stdout
    assert "did not answer within 0.5 s" in done.stdout
    assert finished - called < 10.0


@pytest.mark.parametrize("source", ["csv", "live"])
def test_a_cut_off_csv_is_refused(monkeypatch, tmp_data, source):
    """Before: a last line cut inside Volume was read (86 instead of 8,615,465). Now a file
    that does not end with a newline is an error naming the file and its last line."""
    (tmp_data / "TEST.csv").write_text(
        _HEADER + "2020-01-02,1,2,0.5,1,8615465\n2020-01-03,1,2,0.5,1,86", encoding="utf-8")
    calls = _offline(monkeypatch)
    with pytest.raises(ValueError, match=r"TEST\.csv: line 3, the last line .* does not end "
                                         r"with a newline, so the file looks cut off\. "
                                         r"Download .* add a newline"):
        load_stock("TEST", source=source)
    assert calls == []


def test_a_gzipped_csv_is_refused(monkeypatch, tmp_data):
    """Before: a raw UnicodeDecodeError. Now a ValueError naming the file and gzip."""
    import gzip
    (tmp_data / "TEST.csv").write_bytes(gzip.compress(
        (_HEADER + "2020-01-02,1,2,0.5,1,3\n").encode()))
    _offline(monkeypatch)
    for source in ("csv", "live"):
        with pytest.raises(ValueError, match=r"TEST\.csv is a gzip file, not CSV text.*gunzip"):
            load_stock("TEST", source=source)


def test_bytes_that_are_not_utf8_name_the_line(monkeypatch, tmp_data):
    """Before: a raw UnicodeDecodeError. Now a ValueError naming the file, line and byte."""
    (tmp_data / "TEST.csv").write_bytes(
        (_HEADER + "2020-01-02,1,2,0.5,1,3\n").encode() + b"2020-01-03,1,2,0.5,\xff,3\n")
    _offline(monkeypatch)
    with pytest.raises(ValueError, match=r"TEST\.csv, line 3: byte 0xff is not UTF-8 text"):
        load_stock("TEST", source="csv")


@pytest.mark.parametrize("bad_row,msg", [
    ("2020-01-06,1,2,0.5,1,3,9", r"line 5: 7 fields, but the header \(line 1: Date,Open"),
    ("2020-01-06,1,2,0.5,1", r"line 5: 5 fields, but the header"),
    ("2020-01-06,1,2,0.5,abc,3", r"line 5: column 'Close' is not numeric: 'abc'"),
    ("2020-13-06,1,2,0.5,1,3", r"line 5: the Date column does not hold dates: '2020-13-06'"),
    (",1,2,0.5,1,3", r"line 5: no date in the Date column"),
    ("2020-01-06,1,,0.5,1,3", r"line 5: no value in \['High'\]"),
    ("2020-01-06,1,2,0.5,inf,3", r"line 5: 'Close' is inf, not a finite number"),
    ("2020-01-02,1,2,0.5,1,3", r"duplicate dates: 2020-01-02 at line 2 and at line 5"),
])
def test_a_malformed_row_names_the_file_and_line(monkeypatch, tmp_data, bad_row, msg):
    """Before: parser, numeric, date and missing-value errors named no line. Now the
    ValueError names the file and the 1-based line (header = line 1; blank lines count)."""
    good = "2020-01-02,1,2,0.5,1,3\n2020-01-03,1,2,0.5,1,3\n\n"  # lines 2-4, 4 is blank
    (tmp_data / "TEST.csv").write_text(_HEADER + good + bad_row + "\n2020-01-07,1,2,0.5,1,3\n",
                                       encoding="utf-8")
    _offline(monkeypatch)
    with pytest.raises(ValueError, match=r"TEST\.csv(, | has )" + msg):
        load_stock("TEST", source="csv")


@pytest.mark.parametrize("column", ["Open", "High", "Low", "Close", "Volume"])
def test_a_negative_price_or_volume_is_refused(monkeypatch, tmp_data, column):
    """Before: negative prices were accepted. Now a ValueError names file, column, line."""
    values = {"Open": 1, "High": 2, "Low": 0.5, "Close": 1, "Volume": 3, column: -4}
    row = ",".join(str(values[c]) for c in ("Open", "High", "Low", "Close", "Volume"))
    (tmp_data / "TEST.csv").write_text(_HEADER + "2020-01-02,1,2,0.5,1,3\n"
                                       f"2020-01-03,{row}\n", encoding="utf-8")
    _offline(monkeypatch)
    with pytest.raises(ValueError, match=rf"TEST\.csv, line 3: '{column}' is negative \(-4\)"):
        load_stock("TEST", source="csv")


def test_a_negative_download_names_the_date(monkeypatch, tmp_data):
    """Now: a download with a negative Close is refused, naming its origin and date; nothing
    is cached."""
    bad = _frame("2020-01-02", 5)
    bad.loc["2020-01-06", "Close"] = -1.0
    _fake_fdr(monkeypatch, lambda *a: bad)
    with pytest.raises(RuntimeError, match=r"FinanceDataReader for 'TEST', row 3 \(2020-01-06\):"
                                           r" 'Close' is negative"):
        load_stock("TEST", source="live")
    assert not (tmp_data / "TEST.csv").exists()


def test_zero_prices_stay_allowed(monkeypatch, tmp_data):
    """A halted day (0 prices and volume) is read; drop_halted_days removes it later."""
    (tmp_data / "TEST.csv").write_text(_HEADER + "2020-01-02,1,2,0.5,1,3\n"
                                       "2020-01-03,0,0,0,1,0\n", encoding="utf-8")
    _offline(monkeypatch)
    df = load_stock("TEST", source="csv")
    assert len(df) == 2 and len(drop_halted_days(df)) == 1


def test_tz_aware_dates_become_local_dates(monkeypatch, tmp_data):
    """Before: 'Cannot compare tz-naive and tz-aware timestamps'. Now the offset is dropped
    and the wall-clock date kept."""
    (tmp_data / "TEST.csv").write_text(
        _HEADER + "2020-01-02 00:00:00-05:00,1,2,0.5,1,3\n2020-01-03 00:00:00-05:00,1,2,0.5,1,4\n",
        encoding="utf-8")
    _offline(monkeypatch)
    df = load_stock("TEST", "2020-01-02", "2020-01-03", source="csv")
    assert df.index.tz is None
    assert list(df.index) == [pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-03")]


def test_mixed_utc_offsets_each_become_their_local_date(monkeypatch, tmp_data):
    """A switch to daylight saving time mixes offsets in one column: each value becomes its
    own local date (none is shifted to the day before by a conversion to UTC)."""
    (tmp_data / "TEST.csv").write_text(
        _HEADER + "2020-03-06 00:00:00-05:00,1,2,0.5,1,3\n2020-03-09 00:00:00-04:00,1,2,0.5,1,4\n",
        encoding="utf-8")
    _offline(monkeypatch)
    df = load_stock("TEST", source="csv")
    assert list(df.index) == [pd.Timestamp("2020-03-06"), pd.Timestamp("2020-03-09")]


def test_a_tz_aware_download_is_cached_with_local_dates(monkeypatch, tmp_data):
    """Before: a tz-aware DatetimeIndex from FinanceDataReader failed the comparison with the
    requested dates. Now it is stored and served as tz-naive local dates."""
    aware = _frame("2020-01-02", 5)
    aware.index = aware.index.tz_localize("America/New_York")
    calls = _fake_fdr(monkeypatch, lambda *a: aware)
    df = load_stock("TEST", "2020-01-02", "2020-01-08", source="live")
    assert df.index.tz is None and df.index[0] == pd.Timestamp("2020-01-02") and len(df) == 5
    again = load_stock("TEST", "2020-01-02", "2020-01-08", source="live")  # from the cache
    assert len(calls) == 1
    pd.testing.assert_frame_equal(again, df, check_freq=False)


def test_tz_aware_start_and_end_are_local_dates(monkeypatch, tmp_data):
    """Before: tz-aware start/end crashed the comparison. Now they count as local dates."""
    _offline(monkeypatch)
    df = load_stock("005930", pd.Timestamp("2021-11-17 20:00", tz="Asia/Seoul"),
                    pd.Timestamp("2021-11-23", tz="America/New_York"))
    assert df.index[0] == pd.Timestamp("2021-11-17")
    assert df.index[-1] == pd.Timestamp("2021-11-23")
    with pytest.raises(ValueError, match="start must be a date"):
        load_stock("005930", "NaT")


def test_a_failed_fetch_points_at_the_cache_that_almost_covers(monkeypatch, tmp_data):
    """Before: 15 days past a 24-year cache, the error asked to save a file that exists.
    Now it says what is on disk, how many days short, and the call that reads it."""
    shutil.copy(SNAPSHOT_DIR / "005930.csv", tmp_data / "005930.csv")
    calls = _offline(monkeypatch)
    with pytest.raises(RuntimeError) as info:
        load_stock("005930", "2010-01-04", "2024-12-31", source="live")
    message = str(info.value)
    assert len(calls) == 1
    assert f"On disk, {tmp_data / '005930.csv'} holds 2000-08-25 to 2024-12-16" in message
    assert "ends 15 days before the requested end (2024-12-31)" in message
    assert ("load_stock('005930', start='2010-01-04', end='2024-12-16', source='live') reads "
            "what it has without the network") in message
    assert "Date, Open" not in message and DATA_DIR_ENV not in message  # no "save a CSV"
    df = load_stock("005930", start="2010-01-04", end="2024-12-16", source="live")
    assert len(calls) == 1 and df.index[-1] == pd.Timestamp("2024-12-16")


def test_a_failed_fetch_of_a_shipped_symbol_points_at_the_snapshot(monkeypatch, tmp_data):
    """Now: with no cache, a failed fetch of a shipped symbol names the snapshot's dates and
    the call that reads it; saving a CSV is still offered, since none exists."""
    _offline(monkeypatch)
    with pytest.raises(RuntimeError) as info:
        load_stock("SBUX", "2020-01-02", "2020-12-31", source="live")
    message = str(info.value)
    assert "rnnlib's snapshot of 'SBUX' holds 2019-12-11 to 2020-12-10" in message
    assert "ends 21 days before the requested end" in message
    assert "load_stock('SBUX', start='2020-01-02', end='2020-12-10', source='snapshot')" in message
    assert "SBUX.csv" in message and "Date, Open, High, Low, Close, Volume" in message


@pytest.mark.parametrize("source", ["snapshot", "csv"])
def test_an_uncovered_range_says_how_many_days_short(monkeypatch, tmp_data, source):
    """Before: 'does not cover' only. Now it says how many days short at which end, and
    which start/end would work."""
    shutil.copy(SNAPSHOT_DIR / "005930.csv", tmp_data / "005930.csv")
    _offline(monkeypatch)
    with pytest.raises(ValueError) as info:
        load_stock("005930", "1999-01-04", "2025-06-30", source=source)
    message = str(info.value)
    assert "starts 599 days after the requested start (1999-01-04)" in message
    assert "ends 196 days before the requested end (2025-06-30)" in message
    assert (f"load_stock('005930', start='2000-08-25', end='2024-12-16', source='{source}') "
            f"reads what it has") in message
    with pytest.raises(ValueError, match="holds none of the requested dates"):
        load_stock("005930", "1990-01-01", "1990-12-31", source=source)


def test_a_cache_with_a_hole_is_downloaded_again(tmp_data, monkeypatch):
    """Before: a cache filled from two downloads (January and March) served January to March
    offline without February, silently. Now the hole sends the request to the network."""
    cached = pd.concat([_frame("2020-01-01", 20), _frame("2020-03-02", 20)])
    cached.to_csv(tmp_data / "TEST.csv", index_label="Date")
    calls = _fake_fdr(monkeypatch, lambda s, a, b: _frame("2020-01-01", 65))
    got = load_stock("TEST", "2020-01-01", "2020-03-27", source="live")
    assert len(calls) == 1
    assert ((got.index >= "2020-02-01") & (got.index < "2020-03-01")).sum() == 20
    # January alone is whole: read from the cache, no download
    load_stock("TEST", "2020-01-01", "2020-01-28", source="live")
    assert len(calls) == 1
