"""How is a forecast made? Naive baselines, and forecasts by trained models.

**Baselines** need no training and every model must beat them (Hyndman &
Athanasopoulos): :func:`naive_forecast` (the last value), :func:`seasonal_naive_forecast`
(the last season), :func:`drift_forecast` (the last value plus the average change), and
:func:`one_step_baseline`, which makes any of them one step ahead over a test period.

**Trained models**: :func:`predict` runs any model in eval mode without gradients and
returns CPU tensors. The other functions serve two kinds of recurrent model:

* a *sequence* model, called as ``model(x, state) -> (y, state)`` with ``x`` of shape
  ``(batch, time, features)`` and ``y`` of shape ``(batch, time, outputs)``, where
  ``y[:, t]`` forecasts the step after ``t`` (e.g.
  :class:`rnnlib.models.SequenceRegressor`, trained with
  :func:`rnnlib.train.fit_stateful`);
* a *window* model, called as ``model(x) -> y`` with ``x`` a look-back window of shape
  ``(batch, lookback, features)`` and ``y`` of shape ``(batch, outputs)``, the forecast
  of the step after the window (e.g. :class:`rnnlib.models.WindowRegressor`).

A forecast is *one step ahead* when every step is predicted from the true values before
it (teacher forcing), and *recursive* (multi-step) when the model's own predictions are
fed back as inputs, as they must be when the future is not known yet. Series are given
time first, shape ``(time, features)`` (or ``(time,)`` for one feature); results are
float32 CPU tensors of shape ``(steps, outputs)``. The model is run in eval mode without
gradients and its training mode is restored afterwards. Bad arguments raise a
``TypeError`` or ``ValueError`` that names the argument. How good a forecast is, is
:mod:`rnnlib.evaluation`'s question.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from rnnlib._checks import as_float_array, check_int

State = Any
NextInput = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
# A recursive forecast calls the model once per step: a horizon beyond this is a mistake
# (e.g. a date or a row count passed as the horizon), not a forecast.
MAX_HORIZON = 100_000


# --- Baselines: forecasts without a model ---


def naive_forecast(history: Any, horizon: int = 1) -> np.ndarray:
    """Repeat the last observed value ``horizon`` times: shape ``(horizon,)``.

    Used in chapters 5 and 7.
    """
    h = as_float_array(history, "history", ndim=(1,))
    horizon = check_int(horizon, "horizon", minimum=1)
    return np.full(horizon, h[-1])


def seasonal_naive_forecast(history: Any, season: int, horizon: int = 1) -> np.ndarray:
    """Repeat the last full season: the forecast of step k (k = 1, 2, ...) is
    ``history[-season + (k - 1) % season]``.

    Returns:
        Shape ``(horizon,)``.

    Used in chapters 5 and 7.
    """
    h = as_float_array(history, "history", ndim=(1,))
    season = check_int(season, "season", minimum=1)
    horizon = check_int(horizon, "horizon", minimum=1)
    if len(h) < season:
        raise ValueError(f"history needs at least season={season} values, got {len(h)}")
    last = h[-season:]
    return last[np.arange(horizon) % season]


def drift_forecast(history: Any, horizon: int = 1) -> np.ndarray:
    """The last value plus the average change so far, times the steps ahead (FPP's drift).

    Returns:
        Shape ``(horizon,)``.

    Used in chapter 7.
    """
    h = as_float_array(history, "history", ndim=(1,))
    horizon = check_int(horizon, "horizon", minimum=1)
    if len(h) < 2:
        raise ValueError("history needs at least 2 values for a drift")
    slope = (h[-1] - h[0]) / (len(h) - 1)
    return h[-1] + slope * np.arange(1, horizon + 1)


def one_step_baseline(series: Any, n_test: int,
                      method: Literal["naive", "seasonal", "drift"] = "naive",
                      season: int | None = None) -> np.ndarray:
    """One-step-ahead baseline forecasts of the last ``n_test`` values of ``series``.

    Each forecast uses only the values before it (a rolling origin), as a model that
    is refitted every step would.

    Returns:
        Shape ``(n_test,)``, aligned with ``series[-n_test:]``.

    Used in chapters 1, 2, 3, 5, 6 and 8.
    """
    s = as_float_array(series, "series", ndim=(1,))
    n_test = check_int(n_test, "n_test", minimum=1)
    if method not in ("naive", "seasonal", "drift"):
        raise ValueError(f"method must be 'naive', 'seasonal' or 'drift', got {method!r}")
    if method == "seasonal":
        if season is None:
            raise ValueError("method='seasonal' needs season")
        season = check_int(season, "season", minimum=1)
    need = {"naive": 1, "seasonal": season or 1, "drift": 2}[method]
    if len(s) - n_test < need:
        raise ValueError(f"series has {len(s)} values: too few before the last {n_test} "
                         f"for the {method} baseline")
    origins = np.arange(len(s) - n_test, len(s))
    if method == "naive":
        return s[origins - 1]
    if method == "seasonal":
        return s[origins - season]
    return s[origins - 1] + (s[origins - 1] - s[0]) / (origins - 1)


# --- Forecasts by trained models ---


def _check_model(model: Any) -> torch.device:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    param = next(model.parameters(), None)
    return torch.device("cpu") if param is None else param.device


def _as_series(series: Any, name: str) -> torch.Tensor:
    """A float32 tensor of shape ``(time, features)`` from array-like ``series``."""
    arr = as_float_array(series, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    return torch.tensor(arr, dtype=torch.float32)


@contextmanager
def _evaluating(model: nn.Module) -> Iterator[None]:
    """Eval mode without gradients inside the block; the model's mode is restored after."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def _moved(obj: Any, device: torch.device) -> Any:
    """``obj`` with every tensor in it (alone, or inside tuples and lists) moved to ``device``."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, (tuple, list)):
        return type(obj)(_moved(o, device) for o in obj)
    return obj


def predict(model: nn.Module, x: torch.Tensor, *args: Any) -> Any:
    """Run ``model(x, *args)`` for its output only: eval mode, no gradients, CPU results.

    ``x`` and every tensor in ``args`` (for example a recurrent state) are moved to the
    model's device; every tensor of the output (a tensor, or a tuple such as
    ``(y, state)``) comes back on the CPU. The model's training mode is restored
    afterwards, so training can go on.

    Args:
        model: any ``torch.nn.Module``, e.g. a window model on ``(batch, time, features)``.
        x: the input batch, a tensor, e.g. of shape ``(batch, time, features)``.
        *args: further arguments of ``model``, e.g. the state of a sequence model.

    Returns:
        The model's output with its tensors on the CPU, e.g. ``(batch, outputs)`` for a
        :class:`rnnlib.models.WindowRegressor`.

    Raises:
        TypeError: if ``model`` is not a module or ``x`` is not a tensor.

    Used in chapters 1, 2, 3, 4, 6 and 7.
    """
    device = _check_model(model)
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    with _evaluating(model):
        out = model(x.to(device), *_moved(args, device))
    return _moved(out, torch.device("cpu"))


def _check_sequence_model(model: nn.Module) -> None:
    """Raise unless ``model.forward`` can be called as ``forward(x, state)``."""
    try:
        inspect.signature(model.forward).bind(None, None)
    except TypeError:
        raise TypeError(f"a sequence model must be callable as model(x, state); "
                        f"{type(model).__name__} is not (is it a window model?)") from None
    except ValueError:  # no signature available: let the call decide
        pass


def _run_sequence(model: nn.Module, x: torch.Tensor, state: State,
                  device: torch.device) -> tuple[torch.Tensor, State]:
    out = model(x.to(device)[None], state)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError("a sequence model must return (predictions, state), e.g. "
                        "rnnlib.models.SequenceRegressor")
    y, state = out
    if not isinstance(y, torch.Tensor) or y.dim() != 3:
        raise ValueError("a sequence model must return predictions of shape "
                         "(batch, time, outputs)")
    return y[0], state


def _run_window(model: nn.Module, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    y = model(x.to(device))
    if isinstance(y, tuple):
        y = y[0]
    if not isinstance(y, torch.Tensor) or y.dim() != 2 or len(y) != len(x):
        raise ValueError("a window model must return predictions of shape (batch, outputs), "
                         "e.g. rnnlib.models.WindowRegressor")
    return y


def warm_up(model: nn.Module, series: Any, state: State = None) -> tuple[torch.Tensor, State]:
    """Run a sequence model over ``series`` in order and return its predictions and state.

    This is how a stateful model is brought up to date before forecasting: its state
    after the last step summarises the whole series.

    Args:
        model: a sequence model, ``model(x, state) -> (y, state)``.
        series: the inputs, shape ``(time, features)`` or ``(time,)``.
        state: the state to start from; ``None`` for the zero state (as in training). Its
            tensors are moved to the model's device.

    Returns:
        ``(predictions, state)``: predictions of shape ``(time, outputs)`` on the CPU, row
        ``t`` forecasting step ``t + 1``, and the state after the last step (on the
        model's device, ready to be passed on).

    Used in chapter 5.
    """
    device = _check_model(model)
    _check_sequence_model(model)
    x = _as_series(series, "series")
    with _evaluating(model):
        y, state = _run_sequence(model, x, _moved(state, device), device)
    return y.float().cpu(), state


def one_step_sequence(model: nn.Module, series: Any, n_test: int) -> torch.Tensor:
    """One-step-ahead forecasts of the last ``n_test`` steps by a sequence model.

    The model runs over the whole series from a zero state, fed the TRUE values (teacher
    forcing); the forecast of step ``t`` is its output after reading steps ``< t``. As
    the model is causal, no forecast sees the value it predicts or anything later.

    Args:
        model: a sequence model, ``model(x, state) -> (y, state)``.
        series: training and test inputs in order, shape ``(time, features)``.
        n_test: how many final steps to forecast (>= 1, < time).

    Returns:
        Shape ``(n_test, outputs)``, aligned with ``series[-n_test:]``.

    Used in chapters 1 and 5.
    """
    x = _as_series(series, "series")
    n_test = check_int(n_test, "n_test", minimum=1)
    if n_test >= len(x):
        raise ValueError(f"n_test must be smaller than the series length ({len(x)}), "
                         f"got {n_test}")
    preds, _ = warm_up(model, x[:-1])
    return preds[-n_test:]


def one_step_window(model: nn.Module, series: Any, n_test: int, lookback: int) -> torch.Tensor:
    """One-step-ahead forecasts of the last ``n_test`` steps by a window model.

    The forecast of step ``t`` reads the window of TRUE values ``series[t - lookback:t]``.

    Args:
        model: a window model, ``model(x) -> y`` with ``x`` ``(batch, lookback, features)``.
        series: training and test inputs in order, shape ``(time, features)``.
        n_test: how many final steps to forecast (>= 1).
        lookback: the window length the model was trained with (>= 1).

    Returns:
        Shape ``(n_test, outputs)``, aligned with ``series[-n_test:]``.

    Used in chapter 5.
    """
    device = _check_model(model)
    x = _as_series(series, "series")
    n_test = check_int(n_test, "n_test", minimum=1)
    lookback = check_int(lookback, "lookback", minimum=1)
    if lookback + n_test > len(x):
        raise ValueError(f"series has {len(x)} steps, too few for lookback={lookback} "
                         f"plus n_test={n_test}")
    ends = torch.arange(len(x) - n_test, len(x))
    windows = x[ends[:, None] - lookback + torch.arange(lookback)]
    with _evaluating(model):
        y = _run_window(model, windows, device)
    return y.float().cpu()


def _feed_back(next_input: NextInput | None, history: torch.Tensor,
               pred: torch.Tensor) -> torch.Tensor:
    """The input row for the next step from the history so far and the new prediction."""
    if next_input is None:
        if pred.shape[-1] != history.shape[-1]:
            raise ValueError(f"the model predicts {pred.shape[-1]} values but reads "
                             f"{history.shape[-1]} features: pass next_input to build the "
                             f"next input row from the prediction")
        row = pred
    else:
        row = next_input(history, pred)
        if not isinstance(row, torch.Tensor):
            row = torch.as_tensor(row, dtype=torch.float32)
    row = row.detach().float().cpu().reshape(-1)
    if row.shape[0] != history.shape[-1]:
        raise ValueError(f"next_input must return {history.shape[-1]} features, "
                         f"got {row.shape[0]}")
    return row


def _check_next_input(next_input: Any) -> None:
    if next_input is not None and not callable(next_input):
        raise TypeError(f"next_input must be callable (history, prediction) -> row or None, "
                        f"got {type(next_input).__name__}")


def recursive_sequence(model: nn.Module, context: Any, horizon: int, *,
                       next_input: NextInput | None = None,
                       state: State = None) -> torch.Tensor:
    """Recursive multi-step forecast by a sequence (stateful) model.

    The model is warmed up over ``context`` (from ``state``); its last output is the
    forecast of the first future step. That forecast is turned into the next input row
    and fed back, one step at a time, carrying the state, ``horizon`` times.

    Args:
        model: a sequence model, ``model(x, state) -> (y, state)``.
        context: the known inputs, shape ``(time, features)``, ending at the origin.
        horizon: number of future steps (1 to :data:`MAX_HORIZON`).
        next_input: ``f(history, prediction) -> row`` builds the next input row, shape
            ``(features,)``, from the inputs so far (``history``, shape
            ``(time, features)``, fed-back rows included) and the new prediction, shape
            ``(outputs,)``; e.g. to recompute a feature derived from the target. Default:
            the prediction itself (needs ``outputs == features``).
        state: the state to start the warm-up from; ``None`` for the zero state.

    Returns:
        Shape ``(horizon, outputs)``: the forecasts of the ``horizon`` steps after
        ``context``.

    Used in chapter 5.
    """
    device = _check_model(model)
    _check_sequence_model(model)
    context = _as_series(context, "context")
    horizon = check_int(horizon, "horizon", minimum=1, maximum=MAX_HORIZON)
    _check_next_input(next_input)
    history, n = _grown(context, horizon), len(context)
    preds = []
    with _evaluating(model):
        y, state = _run_sequence(model, context, _moved(state, device), device)
        pred = y[-1].float().cpu()
        preds.append(pred)
        for _ in range(horizon - 1):
            history[n] = _feed_back(next_input, history[:n], pred)
            n += 1
            y, state = _run_sequence(model, history[n - 1:n], state, device)
            pred = y[-1].float().cpu()
            preds.append(pred)
    return torch.stack(preds)


def _grown(context: torch.Tensor, horizon: int) -> torch.Tensor:
    """``context`` with room for ``horizon - 1`` fed-back rows after it (filled later)."""
    history = torch.empty(len(context) + horizon - 1, context.shape[1])
    history[:len(context)] = context
    return history


def recursive_window(model: nn.Module, context: Any, horizon: int, lookback: int, *,
                     next_input: NextInput | None = None) -> torch.Tensor:
    """Recursive multi-step forecast by a window model.

    The model reads the last ``lookback`` rows of ``context`` and forecasts the next
    step; that forecast becomes the next input row and the window slides on by one,
    ``horizon`` times. After ``lookback`` steps the window holds only forecasts.

    Args:
        model: a window model, ``model(x) -> y`` with ``x`` ``(batch, lookback, features)``.
        context: the known inputs, shape ``(time, features)``, at least ``lookback`` rows.
        horizon: number of future steps (1 to :data:`MAX_HORIZON`).
        lookback: the window length the model was trained with (>= 1).
        next_input: as in :func:`recursive_sequence`.

    Returns:
        Shape ``(horizon, outputs)``: the forecasts of the ``horizon`` steps after
        ``context``.

    Used in chapters 5 and 7.
    """
    device = _check_model(model)
    context = _as_series(context, "context")
    horizon = check_int(horizon, "horizon", minimum=1, maximum=MAX_HORIZON)
    lookback = check_int(lookback, "lookback", minimum=1)
    _check_next_input(next_input)
    if len(context) < lookback:
        raise ValueError(f"context has {len(context)} steps, fewer than lookback={lookback}")
    history, n = _grown(context, horizon), len(context)
    preds = []
    with _evaluating(model):
        for step in range(horizon):
            if step:
                history[n] = _feed_back(next_input, history[:n], preds[-1])
                n += 1
            pred = _run_window(model, history[None, n - lookback:n], device)[0].float().cpu()
            preds.append(pred)
    return torch.stack(preds)


def _as_windows(windows: Any) -> torch.Tensor:
    """A float32 tensor ``(n, lookback, features)`` from array-like ``windows`` (the
    array-like contract, as :func:`_as_series`)."""
    return torch.tensor(as_float_array(windows, "windows", ndim=(3,)), dtype=torch.float32)


def recursive_windows(model: nn.Module, windows: Any, horizon: int, *,
                      feed_back: Callable[[torch.Tensor], torch.Tensor] | None = None
                      ) -> torch.Tensor:
    """Recursive forecasts of a window model from many windows at once.

    The batched form of :func:`recursive_window` for a model whose inputs are its own
    outputs (e.g. one feature, the series itself): every row of ``windows`` is one forecast
    origin (or one sampled path); the model forecasts the next step of all of them in one
    call, the new row is appended to each window and the window slides on, ``horizon``
    times.

    Args:
        model: a window model, ``model(x) -> y`` with ``x`` ``(n, lookback, features)``
            and ``y`` ``(n, outputs)``.
        windows: shape ``(n, lookback, features)``, the last ``lookback`` rows before each
            origin.
        horizon: number of future steps (1 to :data:`MAX_HORIZON`).
        feed_back: ``f(y) -> rows`` turns the model's output ``(n, outputs)`` into the next
            input rows ``(n, features)``; default: the output itself (needs
            ``outputs == features``). A function that draws from a forecast distribution
            (e.g. a mean and a scale) makes the result sampled paths.

    Returns:
        Shape ``(n, horizon, features)``: the rows fed back, i.e. the forecasts (or the
        sampled paths) of the ``horizon`` steps after each window, on the CPU.

    Used in chapter 7.
    """
    device = _check_model(model)
    x = _as_windows(windows)
    horizon = check_int(horizon, "horizon", minimum=1, maximum=MAX_HORIZON)
    if feed_back is not None and not callable(feed_back):
        raise TypeError(f"feed_back must be callable y -> rows or None, "
                        f"got {type(feed_back).__name__}")
    rows = []
    with _evaluating(model):
        for _ in range(horizon):
            y = _run_window(model, x, device)
            row = y if feed_back is None else feed_back(y)
            if not isinstance(row, torch.Tensor) or row.shape != (len(x), x.shape[2]):
                got = tuple(row.shape) if isinstance(row, torch.Tensor) else type(row).__name__
                raise ValueError(f"the rows fed back must have shape {(len(x), x.shape[2])} "
                                 f"(windows, features), got {got}; pass feed_back to build "
                                 f"them from the model's output")
            row = row.detach().float().cpu()
            rows.append(row)
            x = torch.cat([x[:, 1:], row[:, None]], dim=1)
    return torch.stack(rows, dim=1)
