import math

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlib.metrics import (
    directional_accuracy,
    drift_forecast,
    forecast_table,
    mae,
    mase,
    naive_forecast,
    one_step_baseline,
    rmse,
    seasonal_naive_forecast,
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
    with pytest.raises(ValueError, match="same length"):
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
    with pytest.raises(ValueError, match="y_prev must have the length"):
        directional_accuracy(true, pred, prev[:2])
    with pytest.raises(ValueError, match="never differs"):
        directional_accuracy(prev, pred, prev)


def test_multi_step_baselines():
    h = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert naive_forecast(h, 3).tolist() == [5.0, 5.0, 5.0]
    assert seasonal_naive_forecast(h, season=2, horizon=5).tolist() == [4, 5, 4, 5, 4]
    assert drift_forecast(h, 2).tolist() == [6.0, 7.0]


def test_baseline_errors():
    with pytest.raises(ValueError, match="horizon must be >= 1"):
        naive_forecast([1.0], 0)
    with pytest.raises(ValueError, match="at least season=3"):
        seasonal_naive_forecast([1.0, 2.0], season=3)
    with pytest.raises(ValueError, match="at least 2 values"):
        drift_forecast([1.0])
    with pytest.raises(ValueError, match="history must be 1-D"):
        naive_forecast(np.zeros((2, 2)))


def test_one_step_baselines_match_the_multi_step_ones_at_every_origin():
    s = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    n_test = 4
    for method, fn in [("naive", lambda h: naive_forecast(h)),
                       ("seasonal", lambda h: seasonal_naive_forecast(h, season=3)),
                       ("drift", lambda h: drift_forecast(h))]:
        got = one_step_baseline(s, n_test, method, season=3 if method == "seasonal" else None)
        want = [fn(s[:o])[0] for o in range(len(s) - n_test, len(s))]
        np.testing.assert_allclose(got, want)


def test_one_step_baseline_errors():
    with pytest.raises(ValueError, match="needs season"):
        one_step_baseline(np.arange(5.0), 2, "seasonal")
    with pytest.raises(ValueError, match="method must be"):
        one_step_baseline(np.arange(5.0), 2, "mean")
    with pytest.raises(ValueError, match="too few"):
        one_step_baseline(np.arange(5.0), 5)


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
    ({"m": [1.0]}, [1.0, 2.0], ValueError, r"forecasts\['m'\] has 1 values"),
    ({"m": [1.0, 2.0]}, [1.0], ValueError, "y_prev must have the length"),
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
