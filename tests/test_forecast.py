"""Tests of rnnlib.forecast: baselines, predict, warm-up, one-step and recursive forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from rnnlib.forecast import (
    drift_forecast,
    naive_forecast,
    one_step_baseline,
    one_step_sequence,
    one_step_window,
    predict,
    recursive_sequence,
    recursive_window,
    recursive_windows,
    seasonal_naive_forecast,
    warm_up,
)
from rnnlib.models import SequenceRegressor, WindowRegressor


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


class RunningSum(nn.Module):
    """A toy sequence model: the state is the sum of all inputs so far, and so is y."""

    def __init__(self):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, x, state=None):
        start = torch.zeros(x.shape[0], 1, x.shape[2]) if state is None else state
        y = start + x.cumsum(dim=1)
        return y, y[:, -1:]


class FirstOfWindow(nn.Module):
    """A toy window model: forecasts the first value of its window."""

    def __init__(self):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return x[:, 0]


def _series(n=40, features=2, seed=0):
    return torch.randn(n, features, generator=torch.Generator().manual_seed(seed))


def test_warm_up_returns_every_forecast_and_the_final_state():
    torch.manual_seed(0)
    model = SequenceRegressor(2, 4, 1, cell="lstm")
    series = _series()
    preds, (h, c) = warm_up(model, series)
    ref, (h_ref, c_ref) = model(series[None])
    torch.testing.assert_close(preds, ref[0].detach())
    torch.testing.assert_close(h, h_ref.detach())
    torch.testing.assert_close(c, c_ref.detach())
    # continuing from the returned state equals reading the whole series at once
    more = _series(5, seed=1)
    cont, _ = warm_up(model, more, state=(h, c))
    whole, _ = warm_up(model, torch.cat([series, more]))
    torch.testing.assert_close(cont, whole[-5:])


def test_warm_up_accepts_arrays_frames_and_1d_series():
    model = RunningSum()
    preds, state = warm_up(model, np.array([1.0, 2.0, 3.0]))
    assert preds.shape == (3, 1) and preds.dtype == torch.float32
    torch.testing.assert_close(preds[:, 0], torch.tensor([1.0, 3.0, 6.0]))
    assert float(state.squeeze()) == 6.0
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [0.0, 1.0]})
    assert warm_up(model, frame)[0].shape == (2, 2)


def test_forecasters_restore_training_mode_and_track_no_gradients():
    model = SequenceRegressor(2, 3, 1, cell="lstm").train()
    preds, _ = warm_up(model, _series())
    assert model.training and not preds.requires_grad
    window = WindowRegressor(2, 3, 1).eval()
    out = recursive_window(window, _series(), 3, 4, next_input=lambda h, p: h[-1])
    assert not window.training and not out.requires_grad


def test_one_step_sequence_is_the_teacher_forced_pass():
    model = RunningSum()
    series = torch.arange(1.0, 11.0)[:, None]            # 1..10
    preds = one_step_sequence(model, series, 3)
    # forecast of step t = sum of the values before it
    torch.testing.assert_close(preds[:, 0], torch.tensor([28.0, 36.0, 45.0]))


def test_one_step_window_reads_the_true_window_before_each_step():
    model = FirstOfWindow()
    series = torch.arange(10.0)[:, None]
    preds = one_step_window(model, series, 4, lookback=3)
    torch.testing.assert_close(preds[:, 0], torch.tensor([3.0, 4.0, 5.0, 6.0]))


def test_one_step_forecasts_match_the_models_and_never_peek():
    torch.manual_seed(1)
    seq = SequenceRegressor(2, 4, 1, cell="lstm")
    win = WindowRegressor(2, 4, 1, cell="lstm")
    series = _series(30)
    a = one_step_sequence(seq, series, 8)
    torch.testing.assert_close(a, seq(series[None, :-1])[0][0, -8:].detach())
    b = one_step_window(win, series, 8, lookback=5)
    torch.testing.assert_close(b[-1], win(series[None, -6:-1])[0].detach())
    tampered = series.clone()
    tampered[-3:] = 100.0
    for f in (lambda s: one_step_sequence(seq, s, 8),
              lambda s: one_step_window(win, s, 8, lookback=5)):
        before, after = f(series), f(tampered)
        assert torch.equal(before[:6], after[:6])          # forecasts before the change
        assert not torch.equal(before[6:], after[6:])      # forecasts that read it


def test_recursive_sequence_carries_the_state_and_feeds_back():
    model = RunningSum()
    preds = recursive_sequence(model, torch.tensor([[1.0], [2.0]]), 4)
    # warm-up sum 3 is the first forecast; feeding it back doubles the sum each step
    torch.testing.assert_close(preds[:, 0], torch.tensor([3.0, 6.0, 12.0, 24.0]))


def test_recursive_window_slides_over_its_own_forecasts():
    model = FirstOfWindow()
    preds = recursive_window(model, torch.arange(10.0)[:, None], 7, lookback=3)
    torch.testing.assert_close(preds[:, 0], torch.tensor([7.0, 8, 9, 7, 8, 9, 7]))


def test_recursive_with_true_feedback_equals_one_step():
    # Feeding back the TRUE next rows instead of the forecasts is teacher forcing.
    torch.manual_seed(2)
    seq = SequenceRegressor(2, 4, 1, cell="lstm")
    win = WindowRegressor(2, 4, 1, cell="lstm")
    series, n_test = _series(25), 6
    context = series[:-n_test]

    def truth(history, prediction):
        return series[len(history)]

    torch.testing.assert_close(recursive_sequence(seq, context, n_test, next_input=truth),
                               one_step_sequence(seq, series, n_test))
    torch.testing.assert_close(recursive_window(win, context, n_test, 5, next_input=truth),
                               one_step_window(win, series, n_test, 5))


def test_recursive_forecasts_of_horizon_one_are_the_last_warm_up_forecast():
    torch.manual_seed(3)
    seq = SequenceRegressor(2, 4, 2, cell="gru")
    series = _series(12)
    torch.testing.assert_close(recursive_sequence(seq, series, 1)[0], warm_up(seq, series)[0][-1])
    # default feedback: the forecast is the next input row (outputs == features)
    assert recursive_sequence(seq, series, 5).shape == (5, 2)


def test_next_input_gets_the_history_and_the_prediction():
    seen = []

    def record(history, prediction):
        seen.append((history.shape, prediction.shape))
        return torch.cat([prediction, history[-1, 1:]])

    recursive_sequence(SequenceRegressor(2, 3, 1), _series(10), 3, next_input=record)
    assert seen == [((10, 2), (1,)), ((11, 2), (1,))]
    seen.clear()
    recursive_window(WindowRegressor(2, 3, 1), _series(10), 3, 4, next_input=record)
    assert seen == [((10, 2), (1,)), ((11, 2), (1,))]


@pytest.mark.parametrize("call, error, match", [
    (lambda m, w: warm_up("model", _series()), TypeError, "model"),
    (lambda m, w: warm_up(m, "abc"), TypeError, "series"),
    (lambda m, w: warm_up(m, torch.zeros(2, 3, 2)), ValueError, "series"),
    (lambda m, w: warm_up(m, torch.tensor([[1.0, float("nan")]])), ValueError, "NaN"),
    (lambda m, w: warm_up(m, torch.zeros(5, 3)), ValueError, "x must have shape"),
    (lambda m, w: one_step_sequence(m, _series(), 0), ValueError, "n_test"),
    (lambda m, w: one_step_sequence(m, _series(10), 10), ValueError, "n_test"),
    (lambda m, w: one_step_sequence(m, _series(), 2.0), TypeError, "n_test"),
    (lambda m, w: one_step_window(w, _series(10), 8, 3), ValueError, "lookback"),
    (lambda m, w: one_step_window(w, _series(10), 2, 0), ValueError, "lookback"),
    (lambda m, w: recursive_sequence(m, _series(), 0), ValueError, "horizon"),
    (lambda m, w: recursive_sequence(m, _series(), 3), ValueError, "next_input"),
    (lambda m, w: recursive_sequence(m, _series(), 3, next_input=1), TypeError, "next_input"),
    (lambda m, w: recursive_sequence(m, _series(), 3, next_input=lambda h, p: p),
     ValueError, "next_input must return 2"),
    (lambda m, w: recursive_window(w, _series(3), 2, 4), ValueError, "context"),
    (lambda m, w: recursive_window(w, _series(), 2, 4, next_input="f"), TypeError,
     "next_input"),
    (lambda m, w: recursive_window(w, _series(), 2, 4), ValueError, "next_input"),
    (lambda m, w: warm_up(w, _series()), TypeError, "sequence model"),
    (lambda m, w: one_step_window(m, _series(), 2, 4), ValueError, "window model"),
])
def test_bad_input_raises_clearly(call, error, match):
    seq, win = SequenceRegressor(2, 3, 1), WindowRegressor(2, 3, 1)
    with pytest.raises(error, match=match):
        call(seq, win)


class _ModeProbe(nn.Module):
    """A linear model that records, at every call, its training mode and whether autograd
    is on; with ``last_step`` it reads the last step of a window ``(n, lookback, n_in)``."""

    def __init__(self, n_in: int, last_step: bool = False):
        super().__init__()
        self.lin = nn.Linear(n_in, 1)
        self.last_step = last_step
        self.modes = []

    def forward(self, x):
        self.modes.append((self.training, torch.is_grad_enabled()))
        return self.lin(x[:, -1] if self.last_step else x)


def test_predict_runs_in_eval_mode_without_gradients_and_restores_the_mode():
    model = _ModeProbe(2)
    x = torch.randn(5, 2)
    out = predict(model, x)
    assert model.modes == [(False, False)] and model.training
    assert out.device.type == "cpu" and not out.requires_grad and out.shape == (5, 1)
    torch.testing.assert_close(out, model.lin(x).detach())
    model.eval()
    predict(model, x)
    assert not model.training  # an eval-mode model stays in eval mode


def test_predict_passes_a_state_and_returns_every_tensor_on_the_cpu():
    model = SequenceRegressor(1, 4, cell="lstm")
    x = torch.randn(2, 6, 1)
    y_all, _ = predict(model, x)
    y_first, state = predict(model, x[:, :4])
    assert isinstance(state, tuple) and all(s.device.type == "cpu" for s in state)
    y_rest, _ = predict(model, x[:, 4:], state)
    torch.testing.assert_close(torch.cat([y_first, y_rest], dim=1), y_all)


def test_predict_rejects_bad_input():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        predict(lambda x: x, torch.ones(1))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        predict(nn.Linear(1, 1), [[1.0]])


# --- Issue 12: absurd horizons, the same numbers with a preallocated history ---


@pytest.mark.parametrize("fn", ["window", "sequence"])
def test_an_absurd_horizon_is_refused_at_once(fn):
    """Before: a horizon of 10**12 looped until the process was killed."""
    import time

    from rnnlib.forecast import MAX_HORIZON
    start = time.perf_counter()
    with pytest.raises(ValueError, match=rf"horizon must be <= {MAX_HORIZON}, got 10{{12}}"):
        if fn == "window":
            recursive_window(WindowRegressor(1, 3), np.zeros(5), 10**12, lookback=3)
        else:
            recursive_sequence(SequenceRegressor(1, 3), np.zeros(5), 10**12)
    assert time.perf_counter() - start < 1.0


def test_recursive_forecasts_feed_back_what_a_loop_would():
    """The preallocated history gives what appending row by row gives."""
    torch.manual_seed(0)
    model = WindowRegressor(2, 4, output_size=1)
    context = torch.randn(6, 2)

    def next_input(history, pred):
        return torch.cat([pred, history[-1, 1:] + 1])

    got = recursive_window(model, context, 5, lookback=3, next_input=next_input)
    history = context.clone()
    want = []
    with torch.no_grad():
        model.eval()
        for step in range(5):
            if step:
                history = torch.cat([history, next_input(history, want[-1])[None]])
            want.append(model(history[None, -3:])[0])
    torch.testing.assert_close(got, torch.stack(want))


# --- recursive_windows: recursive forecasts from many windows at once ---


def _windows(n=5, lookback=6, features=1, seed=0):
    return torch.randn(n, lookback, features, generator=torch.Generator().manual_seed(seed))


def test_recursive_windows_slide_over_their_own_forecasts():
    # FirstOfWindow forecasts the oldest value of its window, so each window repeats itself
    windows = torch.tensor([[[0.0], [1.0], [2.0]], [[5.0], [6.0], [7.0]]])
    paths = recursive_windows(FirstOfWindow(), windows, 7)
    assert paths.shape == (2, 7, 1) and paths.dtype == torch.float32
    torch.testing.assert_close(paths[:, :, 0], torch.tensor([[0.0, 1, 2, 0, 1, 2, 0],
                                                             [5.0, 6, 7, 5, 6, 7, 5]]))


def test_recursive_windows_equal_recursive_window_row_by_row():
    torch.manual_seed(0)
    model = WindowRegressor(1, 4, 1)
    windows = _windows()
    paths = recursive_windows(model, windows, 8)
    assert paths.shape == (5, 8, 1) and not paths.requires_grad
    for i in range(len(windows)):
        torch.testing.assert_close(paths[i], recursive_window(model, windows[i], 8, lookback=6))
    # horizon 1 is one call of the model
    torch.testing.assert_close(recursive_windows(model, windows, 1)[:, 0],
                               predict(model, windows))


def test_recursive_windows_accept_arrays_and_lists():
    torch.manual_seed(1)
    model = WindowRegressor(1, 4, 1, cell="gru")
    windows = _windows(3, 4)
    want = recursive_windows(model, windows, 5)
    for same in (windows.numpy(), windows.double(), windows.tolist()):
        torch.testing.assert_close(recursive_windows(model, same, 5), want)


def test_recursive_windows_feed_back_builds_the_next_rows():
    # Two outputs (a mean and a log-scale) and one feature: feed_back keeps the mean.
    torch.manual_seed(2)
    model = WindowRegressor(1, 4, 2)
    windows = _windows(4, 5)
    paths = recursive_windows(model, windows, 6, feed_back=lambda y: y[:, :1])
    # the same recursion written as a loop
    x, want = windows.clone(), []
    with torch.no_grad():
        model.eval()
        for _ in range(6):
            row = model(x)[:, :1]
            want.append(row)
            x = torch.cat([x[:, 1:], row[:, None]], dim=1)
    torch.testing.assert_close(paths, torch.stack(want, dim=1))


def test_sampled_paths_repeat_with_a_seeded_generator():
    torch.manual_seed(3)
    model = WindowRegressor(1, 4, 2)
    windows = _windows(3, 5).repeat(4, 1, 1)               # each origin four times

    def sampler(seed):
        gen = torch.Generator().manual_seed(seed)

        def draw(y):
            return y[:, :1] + y[:, 1:].exp() * torch.randn(len(y), 1, generator=gen)

        return draw

    a = recursive_windows(model, windows, 5, feed_back=sampler(7))
    torch.manual_seed(99)                                   # the global generator is not used
    b = recursive_windows(model, windows, 5, feed_back=sampler(7))
    c = recursive_windows(model, windows, 5, feed_back=sampler(8))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert not torch.equal(a[:3], a[3:6])                   # copies of an origin differ


def test_recursive_windows_run_in_eval_mode_and_restore_the_mode():
    model = _ModeProbe(1, last_step=True).train()
    out = recursive_windows(model, _windows(2, 3), 3)
    assert model.modes == [(False, False)] * 3 and model.training and not out.requires_grad
    model.eval()
    recursive_windows(model, _windows(2, 3), 2)
    assert not model.training
    dropout = WindowRegressor(1, 4, 1).train()
    recursive_windows(dropout, _windows(2, 3), 2)
    assert dropout.training


@pytest.mark.parametrize("call, error, match", [
    (lambda m: recursive_windows(m, _windows(), 3, feed_back=lambda y: y[:, 0]), ValueError,
     r"rows fed back must have shape \(5, 1\).*got \(5,\)"),
    (lambda m: recursive_windows(m, _windows(), 3, feed_back=lambda y: y.numpy()), ValueError,
     "rows fed back must have shape .* got ndarray"),
    (lambda m: recursive_windows(m, _windows(), 3, feed_back=lambda y: y[:2]), ValueError,
     "rows fed back"),
    (lambda m: recursive_windows(m, _windows(features=2), 3), ValueError,
     "x must have shape"),
    (lambda m: recursive_windows(WindowRegressor(2, 3, 1), _windows(features=2), 3), ValueError,
     r"rows fed back must have shape \(5, 2\).*pass feed_back"),
    (lambda m: recursive_windows(m, _windows(), 3, feed_back="f"), TypeError, "feed_back"),
    (lambda m: recursive_windows(m, _windows(), 0), ValueError, "horizon must be >= 1"),
    (lambda m: recursive_windows(m, _windows(), 2.0), TypeError, "horizon must be an int"),
    (lambda m: recursive_windows(m, _windows()[0], 3), ValueError, "windows must be 3-D"),
    (lambda m: recursive_windows(m, torch.zeros(0, 3, 1), 3), ValueError, "windows must not"),
    (lambda m: recursive_windows(m, torch.full((2, 3, 1), float("nan")), 3), ValueError,
     r"windows holds \d+ NaN"),
    (lambda m: recursive_windows(m, torch.empty(2, 3, 1, device="meta"), 3), ValueError,
     "windows is a meta tensor"),
    (lambda m: recursive_windows("model", _windows(), 3), TypeError, "model"),
    (lambda m: recursive_windows(SequenceRegressor(1, 3), _windows(), 3), ValueError,
     "window model"),
])
def test_recursive_windows_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call(WindowRegressor(1, 3, 1))
