"""How is a model trained? ``fit`` on batches, ``fit_stateful`` along whole sequences.

Both move the model and each batch to the device, support gradient clipping, and return
the loss :class:`History`. :func:`fit` can stop early on validation data;
:func:`fit_stateful` carries the recurrent state across chunks of a long series
(truncated backpropagation through time).

Progress: a live reader sees a tqdm bar. When the book is built or the tests run, a bar
would be saved into the page as widget JSON or hundreds of refreshes, so one summary line
(:func:`summary`) is printed instead. ``RNNLIB_PROGRESS`` (``bar`` / ``1`` or
``summary`` / ``0``) decides explicitly; the book and test commands set it to
``summary``.
"""

from __future__ import annotations

import copy
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from rnnlib._checks import check_int, check_loss_shapes, check_number
from rnnlib.device import _resolve_device

PROGRESS_ENV = "RNNLIB_PROGRESS"
_ON = {"1", "bar", "on", "true", "yes"}
_OFF = {"0", "summary", "off", "false", "no"}


@dataclass
class History:
    """Losses recorded by :func:`fit`: one mean training (and validation) loss per epoch.

    Used in no chapter.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    seconds: float = 0.0


def _show_bar() -> bool:
    """Whether to draw a live progress bar (see the module docstring for the rule)."""
    value = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    if value:
        raise ValueError(f"environment variable {PROGRESS_ENV} must be 'bar' or 'summary', "
                         f"got {value!r}")
    if os.environ.get("CI"):
        return False
    # Kernels started by a live front end (JupyterLab, Colab, VS Code) get these;
    # nbclient, used by the book build and nbval, does not.
    live = ("JPY_SESSION_NAME", "COLAB_RELEASE_TAG", "VSCODE_PID")
    return any(os.environ.get(v) for v in live) or "google.colab" in sys.modules \
        or sys.stderr.isatty()


class _Progress:
    """The epochs of one training run: a tqdm bar, or a summary line at the end."""

    def __init__(self, epochs: int, desc: str, progress: bool | None) -> None:
        self.bar = _show_bar() if progress is None else bool(progress)
        self.desc = desc
        self.epochs: Iterable[int] = range(epochs)
        if self.bar:
            from tqdm.auto import tqdm
            self.epochs = tqdm(self.epochs, desc=desc, mininterval=0.5)
        self.start = time.perf_counter()

    def show(self, history: History) -> None:
        if self.bar:
            postfix = {"train": f"{history.train_loss[-1]:.4g}"}
            if history.val_loss:
                postfix["val"] = f"{history.val_loss[-1]:.4g}"
            self.epochs.set_postfix(postfix)

    def close(self, history: History) -> None:
        history.seconds = time.perf_counter() - self.start
        if self.bar:
            self.epochs.close()
        else:
            print(summary(history, self.desc))


@dataclass
class _Setup:
    device: torch.device
    optimizer: torch.optim.Optimizer
    loss_fn: Callable | None  # None: mean squared error
    clip: float | None

    @property
    def lr(self) -> float | None:
        """The learning rate of the optimizer's first parameter group, for messages."""
        return self.optimizer.param_groups[0].get("lr")

    def loss(self, pred: torch.Tensor, target: torch.Tensor, where: str) -> torch.Tensor:
        """The loss of ``pred`` against ``target``, refusing shapes that would broadcast."""
        check_loss_shapes(pred, target, self.loss_fn, where)
        return (self.loss_fn or nn.functional.mse_loss)(pred, target)


def _finite(value: float, where: str, train: bool, setup: _Setup) -> float:
    """``value``, the loss of one batch, or an error saying where it stopped being finite."""
    if math.isfinite(value):
        return value
    advice = "; lower the learning rate or clip the gradients (clip_grad_norm=1.0)" \
        if train else "; the model's weights have diverged, or the data holds NaN"
    raise FloatingPointError(f"the {'training' if train else 'validation'} loss is {value} "
                             f"at {where} (lr={setup.lr}, clip_grad_norm={setup.clip}){advice}")


def _setup(model: nn.Module, *, epochs: int, lr: float,
           optimizer: torch.optim.Optimizer | None, loss_fn: Callable | None,
           clip_grad_norm: float | None, device: torch.device | str | None) -> _Setup:
    """Check the arguments :func:`fit` and :func:`fit_stateful` share, move the model to
    the device, and make the default optimizer (Adam) and loss (mean squared error)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_int(epochs, "epochs", minimum=1)
    lr = check_number(lr, "lr", minimum=0.0, strict=True)
    if clip_grad_norm is not None:
        clip_grad_norm = check_number(clip_grad_norm, "clip_grad_norm", minimum=0.0,
                                      strict=True)
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, "
                        f"got {type(optimizer).__name__}")
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError("loss_fn must be callable, e.g. torch.nn.MSELoss()")
    trainable = [p for p in model.parameters() if p.requires_grad]
    if not trainable:
        raise ValueError("model has no parameters that require grad: there is nothing to "
                         "train")
    if optimizer is not None:
        held = {id(p) for group in optimizer.param_groups for p in group["params"]}
        if not any(id(p) in held for p in trainable):
            raise ValueError("optimizer holds none of model's trainable parameters, so "
                             "training would change nothing; was it made for another model, "
                             "or before the model was built again? Make it from "
                             "model.parameters()")
    device = _resolve_device(device, "device")
    model.to(device)
    return _Setup(device, optimizer or torch.optim.Adam(trainable, lr=lr),
                  loss_fn, clip_grad_norm)


def _update(model: nn.Module, setup: _Setup, loss: torch.Tensor) -> None:
    """One optimizer step on ``loss``, its gradient clipped if asked."""
    setup.optimizer.zero_grad()
    loss.backward()
    if setup.clip is not None:
        nn.utils.clip_grad_norm_(model.parameters(), setup.clip)
    setup.optimizer.step()


def _batches(data: Iterable, name: str) -> Iterable:
    if isinstance(data, tuple) and len(data) == 2 and all(
            isinstance(t, torch.Tensor) for t in data):
        x, y = data
        if len(x) != len(y):
            raise ValueError(f"{name}: x has {len(x)} rows but y has {len(y)}")
        return [data]  # one full batch
    if isinstance(data, torch.Tensor) or not isinstance(data, Iterable):
        raise TypeError(f"{name} must be a DataLoader (or iterable) of (x, y) batches, "
                        f"or a tuple (x, y) of tensors; got {type(data).__name__}")
    return data


def _run_epoch(model: nn.Module, batches: Iterable, setup: _Setup, train: bool,
               name: str, epoch: int) -> float:
    """Mean loss over ``batches``, weighted by batch size; with ``train``, update after
    every batch. A loss that is NaN or infinite stops training with a FloatingPointError
    that names the epoch and the batch (both counted from 1)."""
    total, count = 0.0, 0
    for i, batch in enumerate(batches):
        if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
            raise TypeError(f"each batch of {name} must be a pair (x, y)")
        x, y = (t.to(setup.device) for t in batch)
        where = f"epoch {epoch + 1}, batch {i + 1} of {name}"
        with torch.set_grad_enabled(train):
            pred = model(x)
            if isinstance(pred, tuple):  # models that also return their state
                pred = pred[0]
            loss = setup.loss(pred, y, where)
        value = _finite(loss.item(), where, train, setup)
        if train:
            _update(model, setup, loss)
        total += value * len(x)
        count += len(x)
    if count == 0:
        raise ValueError(f"{name} yielded no batches")
    return total / count


def fit(model: nn.Module, train_data: Iterable, *, epochs: int, lr: float = 1e-3,
        optimizer: torch.optim.Optimizer | None = None, loss_fn: Callable | None = None,
        clip_grad_norm: float | None = None, val_data: Iterable | None = None,
        patience: int | None = None, device: torch.device | str | None = None,
        progress: bool | None = None, desc: str = "training") -> History:
    """Train ``model`` and return its loss :class:`History`.

    Args:
        model: maps a batch ``x`` (e.g. ``(batch, time, features)``) to predictions with
            the shape of ``y``; a tuple output's first element is used.
        train_data: a :class:`rnnlib.windows.Minibatches`, a DataLoader (or any
            re-iterable) of ``(x, y)`` batches, or one ``(x, y)`` tuple of tensors used as
            a single full batch.
        epochs: passes over ``train_data`` (>= 1).
        lr: learning rate of the default Adam optimizer.
        optimizer: an optimizer over ``model``'s parameters (overrides ``lr``).
        loss_fn: defaults to mean squared error.
        clip_grad_norm: if given, gradients are clipped to this total norm.
        val_data: batches to compute a validation loss on after each epoch.
        patience: with ``val_data``, stop after this many epochs without improvement
            and restore the weights of the best epoch.
        device: where to train (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` or a
            ``torch.device``); default ``get_device()``. The model is moved there.
        progress: draw a tqdm bar (``True``) or print a summary (``False``); default
            decided by ``RNNLIB_PROGRESS`` and the front end (see the module docstring).
        desc: a label for the bar and the summary.

    Returns:
        The :class:`History` of per-epoch mean losses.

    Raises:
        TypeError / ValueError: for bad arguments, naming the argument: among them
            predictions and targets ``y`` of different shapes (with an element-wise loss such
            as the default, they would broadcast), and an ``optimizer`` that holds none of
            ``model``'s parameters.
        FloatingPointError: at the first training or validation loss that is NaN or
            infinite, naming the epoch and the batch.

    Warns:
        RuntimeWarning: if the last epoch's training loss is above the first's.

    Used in chapters 1, 3, 4, 5, 6 and 7.
    """
    if patience is not None:
        patience = check_int(patience, "patience", minimum=1)
        if val_data is None:
            raise ValueError("patience needs val_data to watch")
    train_batches = _batches(train_data, "train_data")
    val_batches = None if val_data is None else _batches(val_data, "val_data")
    setup = _setup(model, epochs=epochs, lr=lr, optimizer=optimizer, loss_fn=loss_fn,
                   clip_grad_norm=clip_grad_norm, device=device)
    history, progress_ = History(), _Progress(epochs, desc, progress)
    best, best_state, waited = math.inf, None, 0
    for epoch in progress_.epochs:
        model.train()
        history.train_loss.append(_run_epoch(model, train_batches, setup, True, "train_data",
                                             epoch))
        if val_batches is not None:
            model.eval()
            history.val_loss.append(_run_epoch(model, val_batches, setup, False, "val_data",
                                               epoch))
            if history.val_loss[-1] < best:
                best, waited, history.best_epoch = history.val_loss[-1], 0, epoch
                if patience is not None:
                    best_state = copy.deepcopy(model.state_dict())
            else:
                waited += 1
                if patience is not None and waited >= patience:
                    history.stopped_early = True
                    break
        progress_.show(history)
    if best_state is not None:
        model.load_state_dict(best_state)
    progress_.close(history)
    _warn_if_rising(history, setup)
    return history


def _warn_if_rising(history: History, setup: _Setup) -> None:
    """Warn when training ends with a higher training loss than its first epoch had."""
    losses = history.train_loss
    if len(losses) >= 2 and losses[-1] > losses[0]:
        warnings.warn(f"the training loss rose from {losses[0]:.4g} (epoch 1) to "
                      f"{losses[-1]:.4g} (epoch {len(losses)}): training diverged; lower the "
                      f"learning rate (lr={setup.lr}) or clip the gradients", RuntimeWarning,
                      stacklevel=3)


def _detach(state: Any) -> Any:
    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        return state.detach()
    return type(state)(_detach(s) for s in state)


def _check_sequences(x: Any, y: Any) -> None:
    """Raise unless ``x`` and ``y`` are 3-D tensors that agree in (batch, time)."""
    for name, t in (("x", x), ("y", y)):
        if not isinstance(t, torch.Tensor) or t.dim() != 3:
            got = tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__
            raise ValueError(f"{name} must be a 3-D tensor (batch, time, features), got {got}")
    if x.shape[:2] != y.shape[:2]:
        raise ValueError(f"x and y must agree in (batch, time), got {tuple(x.shape[:2])} "
                         f"and {tuple(y.shape[:2])}")


def fit_stateful(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, chunk_len: int,
                 epochs: int, lr: float = 1e-3, optimizer: torch.optim.Optimizer | None = None,
                 loss_fn: Callable | None = None, clip_grad_norm: float | None = None,
                 device: torch.device | str | None = None, progress: bool | None = None,
                 desc: str = "stateful training") -> History:
    """Train on whole sequences in order, carrying the state across chunks (truncated BPTT).

    Each epoch starts from a zero state. The sequences are cut along time into chunks of
    ``chunk_len`` steps; after each chunk the parameters are updated and the state is
    carried to the next chunk but detached, so gradients flow back at most
    ``chunk_len`` steps (what DeZero calls ``unchain_backward``).

    Args:
        model: called as ``model(x_chunk, state) -> (prediction, state)`` with ``state``
            ``None`` at the start, e.g. :class:`rnnlib.models.SequenceRegressor`.
        x: inputs, shape ``(batch, time, features)``.
        y: targets, shape ``(batch, time, targets)``, aligned with ``x`` step by step.
        chunk_len: truncation length k (>= 1).
        epochs, lr, optimizer, loss_fn, clip_grad_norm, device, progress, desc: as in
            :func:`fit`.

    Returns:
        The :class:`History`; each epoch's loss is the mean over its chunks weighted by
        their length.

    Raises:
        TypeError / ValueError / FloatingPointError: as in :func:`fit`; a non-finite loss
            names the epoch and the chunk.

    Used in chapters 1, 3 and 5.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _check_sequences(x, y)
    chunk_len = check_int(chunk_len, "chunk_len", minimum=1)
    setup = _setup(model, epochs=epochs, lr=lr, optimizer=optimizer, loss_fn=loss_fn,
                   clip_grad_norm=clip_grad_norm, device=device)
    x, y = x.to(setup.device), y.to(setup.device)
    history, progress_ = History(), _Progress(epochs, desc, progress)
    model.train()
    for epoch in progress_.epochs:
        state, total = None, 0.0
        for i, t0 in enumerate(range(0, x.shape[1], chunk_len)):
            xc, yc = x[:, t0:t0 + chunk_len], y[:, t0:t0 + chunk_len]
            where = f"epoch {epoch + 1}, chunk {i + 1} (steps {t0}..{t0 + xc.shape[1] - 1})"
            pred, state = model(xc, state)
            loss = setup.loss(pred, yc, where)
            value = _finite(loss.item(), where, True, setup)
            _update(model, setup, loss)
            state = _detach(state)
            total += value * xc.shape[1]
        history.train_loss.append(total / x.shape[1])
        progress_.show(history)
    progress_.close(history)
    _warn_if_rising(history, setup)
    return history


def summary(history: History, desc: str = "training") -> str:
    """A line describing ``history``: first, last and best losses and the time.

    :func:`fit` and :func:`fit_stateful` print it when no progress bar is drawn.

    Used in no chapter.
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be a History, got {type(history).__name__}")
    n = len(history.train_loss)
    if n == 0:
        return f"{desc}: no epochs run"
    text = (f"{desc}: {n} epochs in {history.seconds:.1f} s; train loss "
            f"{history.train_loss[0]:.4g} -> {history.train_loss[-1]:.4g}")
    if history.val_loss:
        best = int(np.nanargmin(history.val_loss)) if history.best_epoch is None \
            else history.best_epoch
        text += (f"; val loss {history.val_loss[0]:.4g} -> {history.val_loss[-1]:.4g} "
                 f"(best {history.val_loss[best]:.4g} at epoch {best + 1})")
    if history.stopped_early:
        text += "; stopped early"
    return text
