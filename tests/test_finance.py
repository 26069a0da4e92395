"""Tests of rnnlib.finance: cleaning prices, features, returns and walk-forward evaluation."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from rnnlib.finance import (
    FEATURE_COLUMNS,
    WalkForward,
    adjust_volume_for_split,
    diebold_mariano,
    drop_halted_days,
    lag_profile,
    log_returns,
    ohlcv_features,
    price_from_log_return,
    walk_forward,
    window_dates,
)
from rnnlib.metrics import one_step_baseline
from rnnlib.windows import make_windows


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


# ---------------------------------------------------------------- drop_halted_days

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
    (_prices(3).assign(Close=["a", "b", "c"]), TypeError, "'Close'.*numeric"),
    (_prices(3).assign(Close=[1.0, np.nan, 2.0]), ValueError, "'Close'.*NaN"),
    (_prices(3).assign(Close=[1.0, -2.0, 2.0]), ValueError, "non-positive prices"),
])
def test_drop_halted_days_rejects_bad_frames(bad, exc, msg):
    with pytest.raises(exc, match=msg):
        drop_halted_days(bad)


# ---------------------------------------------------------------- adjust_volume_for_split

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


# ---------------------------------------------------------------- log_returns

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


# ---------------------------------------------------------------- ohlcv_features

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
    (lambda f: f.iloc[::-1], ValueError, "sorted by date"),
    (lambda f: f.iloc[:1], ValueError, "at least 2 rows"),
    (lambda f: f.assign(High=f["Low"] * 0.5), ValueError, "High below Low"),
    (lambda f: f.drop(columns="Open"), ValueError, "lacks the columns"),
    (lambda f: f.to_numpy(), TypeError, "pandas DataFrame"),
])
def test_ohlcv_features_rejects_bad_frames(edit, exc, msg):
    with pytest.raises(exc, match=msg):
        ohlcv_features(edit(_prices(4)))


# ---------------------------------------------------------------- window_dates

@pytest.mark.parametrize("lookback,shift", [(1, 1), (3, 1), (4, 2)])
def test_window_dates_match_make_windows(lookback, shift):
    n = 12
    dates = pd.bdate_range("2021-01-04", periods=n)
    positions = np.arange(n, dtype=float)  # a series whose values are its own positions
    x, y = make_windows(positions, lookback, shift)
    last_input, target = window_dates(dates, lookback, shift)
    assert len(last_input) == len(target) == len(x)
    assert list(last_input) == [dates[int(i)] for i in x[:, -1, 0]]
    assert list(target) == [dates[int(i)] for i in y[:, 0]]
    assert (last_input < target).all()


def test_window_dates_accepts_positions_and_rejects_bad_input():
    last_input, target = window_dates(range(5), 2)
    assert list(last_input) == [1, 2, 3] and list(target) == [2, 3, 4]
    with pytest.raises(ValueError, match="too few"):
        window_dates(range(3), 3)
    with pytest.raises(TypeError, match="lookback must be an int"):
        window_dates(range(5), 2.0)
    with pytest.raises(ValueError, match="shift must be >= 1"):
        window_dates(range(5), 2, 0)
    with pytest.raises(TypeError, match="index must be"):
        window_dates("2021-01-04", 1)


# ---------------------------------------------------------------- price_from_log_return

def test_price_from_log_return_inverts_log_returns():
    p = np.array([100.0, 104.0, 98.0, 101.0])
    np.testing.assert_allclose(price_from_log_return(p[:-1], log_returns(p)), p[1:])
    np.testing.assert_allclose(price_from_log_return(p[:-1], np.zeros((3, 1))), p[:-1])
    torch_r = torch.tensor(log_returns(p))
    np.testing.assert_allclose(price_from_log_return(p[:-1], torch_r), p[1:], rtol=1e-6)


@pytest.mark.parametrize("prev,r,exc,msg", [
    ([1.0, 2.0], [0.1], ValueError, "same length"),
    ([1.0, -2.0], [0.1, 0.1], ValueError, "prev_price must be positive"),
    ([1.0, 2.0], [0.1, np.inf], ValueError, "log_return holds"),
    (None, [0.1], TypeError, "prev_price must be array-like"),
])
def test_price_from_log_return_rejects_bad_input(prev, r, exc, msg):
    with pytest.raises(exc, match=msg):
        price_from_log_return(prev, r)


# ---------------------------------------------------------------- walk_forward

def test_walk_forward_forecasts_each_position_once_from_the_past_only():
    calls = []

    def forecaster(train, test):
        calls.append((train, test))
        assert train.start == 0 and train.stop == test.start  # everything before, nothing after
        return np.full(test.stop - test.start, float(test.start))

    result = walk_forward(forecaster, 20, initial=10, horizon=4)
    assert isinstance(result, WalkForward)
    assert result.origins.tolist() == [10, 14, 18]
    assert result.positions.tolist() == list(range(10, 20))
    assert [t.stop - t.start for _, t in calls] == [4, 4, 2]  # a shorter last block
    assert result.forecasts.tolist() == [10] * 4 + [14] * 4 + [18] * 2


def test_walk_forward_with_a_naive_forecaster_is_the_one_step_baseline():
    series = np.cumsum(np.random.default_rng(1).normal(size=30)) + 50

    def naive(train, test):
        history = series[train]
        return np.concatenate([[history[-1]], series[test][:-1]])  # one step ahead

    result = walk_forward(naive, len(series), initial=22, horizon=3)
    np.testing.assert_allclose(result.forecasts, one_step_baseline(series, 8))


def test_walk_forward_with_a_horizon_past_the_end_uses_one_block():
    result = walk_forward(lambda tr, te: np.zeros(te.stop - te.start), 10, initial=7,
                          horizon=50)
    assert result.origins.tolist() == [7] and result.positions.tolist() == [7, 8, 9]


@pytest.mark.parametrize("args,kwargs,exc,msg", [
    (("not callable", 10), {"initial": 5, "horizon": 2}, TypeError, "forecaster must be"),
    ((None, 10), {"initial": 10, "horizon": 2}, ValueError, "initial .* below n_obs"),
    ((None, 10), {"initial": 0, "horizon": 2}, ValueError, "initial must be >= 1"),
    ((None, 10), {"initial": 5, "horizon": 0}, ValueError, "horizon must be >= 1"),
    ((None, 10.0), {"initial": 5, "horizon": 2}, TypeError, "n_obs must be an int"),
])
def test_walk_forward_rejects_bad_arguments(args, kwargs, exc, msg):
    if args[0] is None:
        args = (lambda tr, te: np.zeros(te.stop - te.start), *args[1:])
    with pytest.raises(exc, match=msg):
        walk_forward(*args, **kwargs)


def test_walk_forward_rejects_a_forecaster_with_the_wrong_output():
    with pytest.raises(ValueError, match="returned 1 forecasts .* of 3 positions"):
        walk_forward(lambda tr, te: [0.0], 10, initial=7, horizon=3)
    with pytest.raises(ValueError, match="NaN"):
        walk_forward(lambda tr, te: [np.nan] * 3, 10, initial=7, horizon=3)


# ---------------------------------------------------------------- lag_profile

def test_lag_profile_finds_a_forecast_that_is_yesterdays_value():
    actual = 100 + np.cumsum(np.random.default_rng(3).normal(size=200))
    yesterday = np.concatenate([[actual[0]], actual[:-1]])
    prof = lag_profile(yesterday, actual, max_lag=3)
    assert list(prof.index) == [0, 1, 2, 3] and prof.index.name == "lag"
    assert prof.loc[1, "RMSE"] == pytest.approx(0.0, abs=1e-12)
    assert prof.loc[1, "correlation"] == pytest.approx(1.0)
    assert prof["RMSE"].idxmin() == 1 and prof["correlation"].idxmax() == 1
    perfect = lag_profile(actual, actual, max_lag=2)
    assert perfect["RMSE"].idxmin() == 0


@pytest.mark.parametrize("fc,act,max_lag,exc,msg", [
    ([1.0, 2.0, 3.0], [1.0, 2.0], 1, ValueError, "same length"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], 2, ValueError, "leaves fewer than 2"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], 0, ValueError, "max_lag must be >= 1"),
    (np.ones((3, 1)), [1.0, 2.0, 4.0], 1, ValueError, "forecast must be 1-D"),
])
def test_lag_profile_rejects_bad_input(fc, act, max_lag, exc, msg):
    with pytest.raises(exc, match=msg):
        lag_profile(fc, act, max_lag)


# ---------------------------------------------------------------- diebold_mariano

def test_diebold_mariano_statistic_and_p_value():
    rng = np.random.default_rng(4)
    small, large = rng.normal(0, 1, 500), rng.normal(0, 2, 500)
    stat, p = diebold_mariano(small, large)
    assert stat < -5 and p < 1e-6  # the first forecast is clearly better
    stat_rev, p_rev = diebold_mariano(large, small)
    assert stat_rev == pytest.approx(-stat) and p_rev == pytest.approx(p)
    # the statistic by hand, and the normal two-sided p-value
    d = small ** 2 - large ** 2
    assert stat == pytest.approx(d.mean() / (d.std(ddof=1) / math.sqrt(len(d))))
    assert diebold_mariano(np.array([1.0, -2.0, 3.0]), np.array([0.0, 0.0, 0.0]),
                           power=1)[0] > 0
    # with equally good forecasts the p-value is not small
    _, p_same = diebold_mariano(rng.normal(size=400), rng.normal(size=400))
    assert p_same > 0.001


def test_diebold_mariano_p_value_at_1_96_is_5_percent():
    d_mean, n = 1.96, 4
    # errors whose squared-loss differential has mean/SE = 1.96 exactly
    d = np.array([1.0, -1.0, 1.0, -1.0]) + d_mean * np.std([1, -1, 1, -1], ddof=1) / math.sqrt(n)
    stat, p = diebold_mariano(np.sqrt(d + 10.0), np.full(n, math.sqrt(10.0)))
    assert stat == pytest.approx(1.96) and p == pytest.approx(0.05, abs=1e-3)


@pytest.mark.parametrize("a,b,power,exc,msg", [
    ([1.0, 2.0, 3.0], [1.0, 2.0], 2, ValueError, "same length"),
    ([1.0, 2.0], [1.0, 2.0], 2, ValueError, "at least 3"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 2, ValueError, "identical losses"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], 3, ValueError, "power must be 1 or 2"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], 1.5, TypeError, "power must be an int"),
])
def test_diebold_mariano_rejects_bad_input(a, b, power, exc, msg):
    with pytest.raises(exc, match=msg):
        diebold_mariano(a, b, power)


# ---------------------------------------------------------------- chapter 6, flaw 3

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


# ---------------------------------------------------------------- the real snapshot

SNAPSHOT = Path(os.environ.get("RNNLIB_DATA_DIR", "")) / "005930.csv"


@pytest.mark.skipif(not os.environ.get("RNNLIB_DATA_DIR") or not SNAPSHOT.is_file(),
                    reason="needs the 005930.csv snapshot in RNNLIB_DATA_DIR")
def test_samsung_snapshot_cleans_to_positive_features():
    from rnnlib.data import load_stock

    raw = load_stock("005930", "2010-01-04", "2021-11-23")
    clean = drop_halted_days(raw)
    removed = raw.index.difference(clean.index)
    assert list(removed.strftime("%Y-%m-%d")) == ["2018-04-30", "2018-05-02", "2018-05-03"]
    adjusted = adjust_volume_for_split(clean, "2018-05-04", 50)
    feats = ohlcv_features(adjusted)
    assert len(feats) == len(clean) - 1 and np.isfinite(feats.to_numpy()).all()
    # the split day's volume change is an ordinary one once the old volume is adjusted
    assert abs(feats.loc["2018-05-04", "volume_change"]) < 2.0
