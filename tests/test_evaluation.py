"""Tests of rnnlib.evaluation: errors, forecast tables, rolling origins, walk-forward,
Diebold-Mariano and the lag profile."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlib.evaluation import (
    WalkForward,
    diebold_mariano,
    directional_accuracy,
    forecast_table,
    lag_profile,
    mae,
    mase,
    rmse,
    rolling_origins,
    walk_forward,
)
from rnnlib.forecast import (
    one_step_baseline,
)


def test_rmse_and_mae_on_known_values():
    assert rmse([0, 0], [3, 4]) == pytest.approx(np.sqrt(12.5))
    assert mae(np.array([1.0, 2.0]), torch.tensor([2.0, 4.0])) == pytest.approx(1.5)
    assert mae(pd.Series([1.0, 2.0]), [[1.0], [2.0]]) == 0.0


def test_mase_scales_by_in_sample_naive_error():
    train = np.array([1.0, 3.0, 2.0, 4.0])  # naive errors 2, 1, 2 -> mean 5/3
    assert mase([5.0], [4.0], train) == pytest.approx(1 / (5 / 3))
    seasonal = np.array([1.0, 5.0, 2.0, 7.0])  # lag-2 errors 1, 2 -> 1.5
    assert mase([0.0, 0.0], [3.0, 3.0], seasonal, season=2) == pytest.approx(2.0)


def test_mase_errors():
    with pytest.raises(ValueError, match="constant"):
        mase([1.0], [2.0], [3.0, 3.0, 3.0])
    with pytest.raises(ValueError, match="more than season=3"):
        mase([1.0], [2.0], [1.0, 2.0, 3.0], season=3)
    with pytest.raises(ValueError, match="y_train must be 1-D"):
        mase([1.0], [2.0], np.zeros((3, 2)))


@pytest.mark.parametrize("fn", [rmse, mae])
def test_metric_errors(fn):
    with pytest.raises(ValueError, match=r"y_true has shape \(2,\) but y_pred has shape \(1,\)"):
        fn([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        fn([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="y_true must not be empty"):
        fn([], [])
    with pytest.raises(TypeError, match="y_pred must be array-like"):
        fn([1.0], "1")


def test_directional_accuracy():
    prev = np.array([1.0, 1.0, 1.0, 1.0])
    true = np.array([2.0, 0.0, 2.0, 1.0])  # up, down, up, flat (ignored)
    pred = np.array([1.5, 0.5, 0.5, 9.0])  # up, down, down
    assert directional_accuracy(true, pred, prev) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match=r"but y_prev has shape"):
        directional_accuracy(true, pred, prev[:2])
    with pytest.raises(ValueError, match="never differs"):
        directional_accuracy(prev, pred, prev)


def test_forecast_table_matches_the_metrics():
    rng = np.random.default_rng(2)
    series = 100 + np.cumsum(rng.normal(size=60))
    train, test = series[:50], series[50:]
    prev = series[49:59]
    model = prev + rng.normal(0, 0.5, 10)
    table = forecast_table(test, {"model": model, "random walk": prev}, y_prev=prev,
                           y_train=train)
    assert list(table.index) == ["model", "random walk"]
    assert list(table.columns) == ["RMSE", "MAE", "MASE", "directional accuracy"]
    row = table.loc["model"]
    assert row["RMSE"] == pytest.approx(rmse(test, model))
    assert row["MAE"] == pytest.approx(mae(test, model))
    assert row["MASE"] == pytest.approx(mase(test, model, train))
    assert row["directional accuracy"] == pytest.approx(directional_accuracy(test, model, prev))
    assert math.isnan(table.loc["random walk", "directional accuracy"])  # predicts no move
    assert table.loc["random walk", "MAE"] == pytest.approx(mae(test, prev))


@pytest.mark.parametrize("forecasts,prev,exc,msg", [
    ({}, [1.0, 2.0], TypeError, "non-empty mapping"),
    ([[1.0, 2.0]], [1.0, 2.0], TypeError, "non-empty mapping"),
    ({"m": [1.0]}, [1.0, 2.0], ValueError, r"but forecasts\['m'\] has shape \(1,\)"),
    ({"m": [1.0, 2.0]}, [1.0], ValueError, r"but y_prev has shape \(1,\)"),
    ({"m": [1.0, np.nan]}, [1.0, 2.0], ValueError, "NaN"),
])
def test_forecast_table_rejects_bad_input(forecasts, prev, exc, msg):
    with pytest.raises(exc, match=msg):
        forecast_table([1.5, 2.5], forecasts, y_prev=prev, y_train=[1.0, 2.0, 4.0])


def test_forecast_table_without_directions_and_with_a_season():
    train = np.array([1.0, 5.0, 2.0, 7.0])  # lag-2 errors 1, 2 -> MASE scale 1.5
    table = forecast_table([0.0, 0.0], {"flat": [3.0, 3.0]}, y_train=train, season=2)
    assert list(table.columns) == ["RMSE", "MAE", "MASE"]
    assert table.loc["flat", "MASE"] == pytest.approx(2.0)


def test_rolling_origins():
    splits = rolling_origins(10, initial=6, horizon=2, step=1)
    assert [(tr.stop, te.start, te.stop) for tr, te in splits] == [(6, 6, 8), (7, 7, 9),
                                                                  (8, 8, 10)]
    assert len(rolling_origins(10, initial=6, horizon=2, step=2)) == 2
    with pytest.raises(ValueError, match="exceeds n_obs"):
        rolling_origins(5, initial=4, horizon=2)
    with pytest.raises(TypeError, match="initial must be an int"):
        rolling_origins(5, initial=None)


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
    with pytest.raises(ValueError, match=r"shape \(1,\) for the block 7..9; expected \(3,\)"):
        walk_forward(lambda tr, te: [0.0], 10, initial=7, horizon=3)
    with pytest.raises(ValueError, match="NaN"):
        walk_forward(lambda tr, te: [np.nan] * 3, 10, initial=7, horizon=3)


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
    ([1.0, 2.0, 3.0], [1.0, 2.0], 1, ValueError, r"actual has shape \(2,\) but forecast"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], 2, ValueError, "leaves fewer than 2"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], 0, ValueError, "max_lag must be >= 1"),
    (np.ones((3, 1)), [1.0, 2.0, 4.0], 1, ValueError, "forecast must be 1-D"),
])
def test_lag_profile_rejects_bad_input(fc, act, max_lag, exc, msg):
    with pytest.raises(exc, match=msg):
        lag_profile(fc, act, max_lag)


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
    ([1.0, 2.0, 3.0], [1.0, 2.0], 2, ValueError, r"errors_a has shape \(3,\) but errors_b"),
    ([1.0, 2.0], [1.0, 2.0], 2, ValueError, "at least 3"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 2, ValueError, "identical losses"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], 3, ValueError, "power must be 1 or 2"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], 1.5, TypeError, "power must be an int"),
])
def test_diebold_mariano_rejects_bad_input(a, b, power, exc, msg):
    with pytest.raises(exc, match=msg):
        diebold_mariano(a, b, power)
