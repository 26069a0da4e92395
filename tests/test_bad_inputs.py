"""Every public function that reads array-like numbers, fed every kind of bad value.

Each call must raise a ``TypeError`` or ``ValueError`` that names the argument, from
rnnlib's own code (not a traceback from deep inside torch, NumPy or pandas), and never
return a result (issue 12 measured 7.7% silently wrong results and 6.7% unhelpful errors
over 3,212 such calls).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

import rnnlib
from rnnlib.windows import Scaler, TimeSeriesDataset

N = 30
GOOD = np.sin(np.arange(N) / 3.0) + 2.0  # positive, so prices and returns accept it
RNNLIB_DIR = Path(rnnlib.__file__).parent


def _seq_model():
    torch.manual_seed(0)
    return rnnlib.SequenceRegressor(1, 3)


def _win_model():
    torch.manual_seed(0)
    return rnnlib.WindowRegressor(1, 3)


def _as_windows(v):
    """``v`` as ``(10, 3, 1)`` windows where it can be reshaped (arrays and tensors)."""
    return v.reshape(-1, 3, 1) if isinstance(v, (np.ndarray, torch.Tensor)) and len(v) else v


def _as_column(v):
    """``v`` as a column ``(N, 1, 1)`` where it can be reshaped (arrays and tensors)."""
    return v.reshape(-1, 1, 1) if isinstance(v, (np.ndarray, torch.Tensor)) else v


def _ensemble():
    torch.manual_seed(0)
    return rnnlib.Ensemble([torch.nn.Linear(1, 1) for _ in range(2)])


def _recurrent_ensemble(kind=rnnlib.WindowRegressor):
    torch.manual_seed(0)
    return rnnlib.RecurrentEnsemble([kind(1, 3) for _ in range(2)])


def _as_rows(v):
    """``v`` as rows ``(N, 1)`` where it can be reshaped (arrays and tensors)."""
    return v.reshape(-1, 1) if isinstance(v, (np.ndarray, torch.Tensor)) and len(v) else v


def _as_sequence(v):
    """``v`` as one sequence ``(1, N, 1)`` where it can be reshaped (arrays and tensors)."""
    return v.reshape(1, -1, 1) if isinstance(v, (np.ndarray, torch.Tensor)) and len(v) else v


ROWS = torch.tensor(GOOD, dtype=torch.float32).reshape(-1, 1)


def _frame(close):
    """A price frame whose Close column holds ``close`` (one value per day)."""
    frame = pd.DataFrame({c: GOOD for c in ("Open", "High", "Low", "Volume")},
                         index=pd.bdate_range("2020-01-01", periods=N))
    frame["Close"] = close
    return frame


# (function call with the bad value in one place, the argument's name in the message)
CALLS = {
    "rmse y_true": (lambda v: rnnlib.rmse(v, GOOD), "y_true"),
    "rmse y_pred": (lambda v: rnnlib.rmse(GOOD, v), "y_pred"),
    "mae y_pred": (lambda v: rnnlib.mae(GOOD, v), "y_pred"),
    "mase y_train": (lambda v: rnnlib.mase(GOOD, GOOD, v), "y_train"),
    "directional_accuracy y_prev": (lambda v: rnnlib.directional_accuracy(GOOD, GOOD, v),
                                    "y_prev"),
    "forecast_table forecasts": (lambda v: rnnlib.forecast_table(GOOD, {"m": v}, y_train=GOOD),
                                 "forecasts['m']"),
    "diebold_mariano errors_b": (lambda v: rnnlib.diebold_mariano(GOOD, v), "errors_b"),
    "lag_profile forecast": (lambda v: rnnlib.lag_profile(v, GOOD), "forecast"),
    "naive_forecast history": (lambda v: rnnlib.naive_forecast(v), "history"),
    "seasonal_naive_forecast history": (lambda v: rnnlib.seasonal_naive_forecast(v, 2),
                                        "history"),
    "drift_forecast history": (lambda v: rnnlib.drift_forecast(v), "history"),
    "one_step_baseline series": (lambda v: rnnlib.one_step_baseline(v, 5), "series"),
    "Scaler.fit data": (lambda v: Scaler().fit(v), "data"),
    "scale_split other": (lambda v: rnnlib.scale_split(GOOD, v), "data"),
    "make_windows ts": (lambda v: rnnlib.make_windows(v, 3), "ts"),
    "TimeSeriesDataset ts": (lambda v: TimeSeriesDataset(v, 3), "ts"),
    "log_returns prices": (lambda v: rnnlib.log_returns(v), "prices"),
    "price_from_log_return log_return": (lambda v: rnnlib.price_from_log_return(GOOD, v),
                                         "log_return"),
    "warm_up series": (lambda v: rnnlib.warm_up(_seq_model(), v), "series"),
    "one_step_sequence series": (lambda v: rnnlib.one_step_sequence(_seq_model(), v, 3),
                                 "series"),
    "one_step_window series": (lambda v: rnnlib.one_step_window(_win_model(), v, 3, 4),
                               "series"),
    "recursive_sequence context": (lambda v: rnnlib.recursive_sequence(_seq_model(), v, 3),
                                   "context"),
    "recursive_window context": (lambda v: rnnlib.recursive_window(_win_model(), v, 3, 4),
                                 "context"),
    "plot_forecast test": (lambda v: rnnlib.plot_forecast(GOOD, v), "test"),
    # chapter 7: multi-step windows and forecasts, interval and distribution scores.
    # "y " with its space: a bare "y" would also be found in "array".
    "make_horizon_windows ts": (lambda v: rnnlib.make_horizon_windows(v, 3, 2), "ts"),
    "recursive_windows windows": (lambda v: rnnlib.recursive_windows(_win_model(), v, 3),
                                  "windows"),
    "recursive_windows windows 3-D": (lambda v: rnnlib.recursive_windows(
        _win_model(), _as_windows(v), 3), "windows"),
    "coverage y": (lambda v: rnnlib.coverage(v, GOOD - 1, GOOD + 1), "y "),
    "coverage lower": (lambda v: rnnlib.coverage(GOOD, v, GOOD + 1), "lower"),
    "coverage upper": (lambda v: rnnlib.coverage(GOOD, GOOD - 1, v), "upper"),
    "interval_width lower": (lambda v: rnnlib.interval_width(v, GOOD + 1), "lower"),
    "interval_width upper": (lambda v: rnnlib.interval_width(GOOD - 1, v), "upper"),
    "winkler_score y": (lambda v: rnnlib.winkler_score(v, GOOD - 1, GOOD + 1, 0.1), "y "),
    "winkler_score lower": (lambda v: rnnlib.winkler_score(GOOD, v, GOOD + 1, 0.1), "lower"),
    "winkler_score upper": (lambda v: rnnlib.winkler_score(GOOD, GOOD - 1, v, 0.1), "upper"),
    "crps_gaussian y": (lambda v: rnnlib.crps_gaussian(v, GOOD, GOOD), "y "),
    "crps_gaussian mean": (lambda v: rnnlib.crps_gaussian(GOOD, v, GOOD), "mean"),
    "crps_gaussian scale": (lambda v: rnnlib.crps_gaussian(GOOD, GOOD, v), "scale"),
    "crps_quantiles y": (lambda v: rnnlib.crps_quantiles(v, GOOD[:, None], [0.5]), "y "),
    "crps_quantiles q_pred": (lambda v: rnnlib.crps_quantiles(GOOD, v, [0.5]), "q_pred"),
    "crps_quantiles q_pred 2-D": (lambda v: rnnlib.crps_quantiles(
        GOOD[:, None], _as_column(v), [0.5]), "q_pred"),
    "crps_samples y": (lambda v: rnnlib.crps_samples(v, GOOD[:, None]), "y "),
    "crps_samples samples": (lambda v: rnnlib.crps_samples(GOOD, v), "samples"),
    "crps_samples samples 2-D": (lambda v: rnnlib.crps_samples(GOOD[:, None], _as_column(v)),
                                 "samples"),
    "conformal_radius errors": (lambda v: rnnlib.conformal_radius(v, 0.2), "errors"),
    # chapter 8: ensembles. "x " with its space, as "y ".
    "Ensemble x": (lambda v: _ensemble()(_as_rows(v)), "x "),
    "RecurrentEnsemble x": (lambda v: _recurrent_ensemble()(_as_column(v)), "x "),
    "fit_members x": (lambda v: rnnlib.fit_members(_ensemble(), _as_rows(v), ROWS,
                                                   torch.ones(2, N, 1), epochs=1), "x "),
    "fit_members y": (lambda v: rnnlib.fit_members(_ensemble(), ROWS, _as_rows(v),
                                                   torch.ones(2, N, 1), epochs=1), "y "),
    "fit_members y sequence": (lambda v: rnnlib.fit_members(
        _recurrent_ensemble(rnnlib.SequenceRegressor), ROWS.reshape(1, N, 1), _as_sequence(v),
        torch.ones(2, 1, N, 1), epochs=1), "y "),
}

nan, inf = GOOD.copy(), GOOD.copy()
nan[7], inf[7] = np.nan, np.inf
BAD = {
    "booleans": np.ones(N, dtype=bool),
    "bool tensor": torch.ones(N, dtype=torch.bool),
    "bool Series": pd.Series(np.ones(N, dtype=bool)),
    "complex": GOOD + 1j,
    "complex tensor": torch.tensor(GOOD + 1j),
    "dates": np.arange(N).astype("datetime64[D]"),
    "date Series": pd.Series(pd.bdate_range("2020-01-01", periods=N)),
    "strings": ["1.5"] * N,
    "mixed objects": [1.0, "a"] * (N // 2),
    "None": None,
    "dict": {"a": 1.0},
    "ragged": [[1.0], [1.0, 2.0]],
    "NaN": nan,
    "inf": inf,
    "meta tensor": torch.empty(N, device="meta"),
    "empty": [],
}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


@pytest.mark.parametrize("bad", list(BAD), ids=list(BAD))
@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_bad_array_likes_are_refused_by_name(call, bad):
    fn, name = CALLS[call]
    with pytest.raises((TypeError, ValueError)) as info:
        fn(BAD[bad])
    assert name in str(info.value), f"{call} with {bad}: {info.value}"
    last = Path(info.traceback[-1].path)
    assert RNNLIB_DIR in last.parents, (
        f"{call} with {bad}: raised in {last}, not in rnnlib: {info.value}")


# Bad values that pandas itself lets into a column, fed to the price-frame functions.
FRAME_BAD = ["booleans", "bool Series", "complex", "complex tensor", "dates", "strings",
             "mixed objects", "NaN", "inf"]
FRAME_CALLS = {
    "drop_halted_days": rnnlib.drop_halted_days,
    "ohlcv_features": rnnlib.ohlcv_features,
    "adjust_volume_for_split": lambda f: rnnlib.adjust_volume_for_split(
        f.rename(columns={"Close": "Volume", "Volume": "Close"}), "2020-01-15", 2.0),
}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pandas, building the frame
@pytest.mark.parametrize("bad", FRAME_BAD)
@pytest.mark.parametrize("call", list(FRAME_CALLS))
def test_bad_price_columns_are_refused_by_name(call, bad):
    frame = _frame(BAD[bad])
    column = "Volume" if call == "adjust_volume_for_split" else "Close"
    with pytest.raises((TypeError, ValueError)) as info:
        FRAME_CALLS[call](frame)
    assert f"frame[{column!r}]" in str(info.value), f"{call} with {bad}: {info.value}"
    assert RNNLIB_DIR in Path(info.traceback[-1].path).parents, str(info.value)
