"""A small training loop: ``fit(model, train_data, epochs=...)``.

It moves each batch to the device, supports gradient clipping and early stopping on
validation data, and returns the loss history. A tqdm bar shows in a live notebook;
otherwise (book build, tests) it prints a compact summary of a few lines.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from rnnlib._checks import check_int, check_number
from rnnlib.device import get_device
from rnnlib.progress import show_bar


@dataclass
class History:
    """Losses recorded by :func:`fit`: one mean training (and validation) loss per epoch."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    seconds: float = 0.0


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


def _run_epoch(model: nn.Module, batches: Iterable, loss_fn: Callable, device: torch.device,
               optimizer: torch.optim.Optimizer | None, clip: float | None, name: str) -> float:
    total, count = 0.0, 0
    for batch in batches:
        if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
            raise TypeError(f"each batch of {name} must be a pair (x, y)")
        x, y = (t.to(device) for t in batch)
        with torch.set_grad_enabled(optimizer is not None):
            pred = model(x)
            if isinstance(pred, tuple):  # models that also return their state
                pred = pred[0]
            loss = loss_fn(pred, y)
        if optimizer is not None:
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
        total += loss.item() * len(x)
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
        train_data: a DataLoader (or any re-iterable) of ``(x, y)`` batches, or one
            ``(x, y)`` tuple of tensors used as a single full batch.
        epochs: passes over ``train_data`` (>= 1).
        lr: learning rate of the default Adam optimizer.
        optimizer: an optimizer over ``model``'s parameters (overrides ``lr``).
        loss_fn: defaults to mean squared error.
        clip_grad_norm: if given, gradients are clipped to this total norm.
        val_data: batches to compute a validation loss on after each epoch.
        patience: with ``val_data``, stop after this many epochs without improvement
            and restore the weights of the best epoch.
        device: where to train; default ``get_device()``. The model is moved there.
        progress: draw a tqdm bar (``True``) or print a summary (``False``); default
            decided by :func:`rnnlib.progress.show_bar`.
        desc: a label for the bar and the summary.

    Returns:
        The :class:`History` of per-epoch mean losses.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_number(lr, "lr", minimum=0.0, strict=True)
    if clip_grad_norm is not None:
        clip_grad_norm = check_number(clip_grad_norm, "clip_grad_norm", minimum=0.0,
                                      strict=True)
    if patience is not None:
        patience = check_int(patience, "patience", minimum=1)
        if val_data is None:
            raise ValueError("patience needs val_data to watch")
    train_batches = _batches(train_data, "train_data")
    val_batches = None if val_data is None else _batches(val_data, "val_data")
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, "
                        f"got {type(optimizer).__name__}")
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError("loss_fn must be callable, e.g. torch.nn.MSELoss()")
    device = get_device(device) if (device is None or isinstance(device, str)) \
        else torch.device(device)
    model.to(device)
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = loss_fn or nn.MSELoss()
    bar = show_bar() if progress is None else bool(progress)

    history = History()
    best, best_state, waited = math.inf, None, 0
    epochs_iter: Iterable[int] = range(epochs)
    if bar:
        from tqdm.auto import tqdm
        epochs_iter = tqdm(epochs_iter, desc=desc, mininterval=0.5)
    start = time.perf_counter()
    for epoch in epochs_iter:
        model.train()
        history.train_loss.append(_run_epoch(model, train_batches, loss_fn, device, optimizer,
                                             clip_grad_norm, "train_data"))
        postfix = {"train": f"{history.train_loss[-1]:.4g}"}
        if val_batches is not None:
            model.eval()
            val = _run_epoch(model, val_batches, loss_fn, device, None, None, "val_data")
            history.val_loss.append(val)
            postfix["val"] = f"{val:.4g}"
            if val < best:
                best, waited, history.best_epoch = val, 0, epoch
                if patience is not None:
                    best_state = copy.deepcopy(model.state_dict())
            else:
                waited += 1
                if patience is not None and waited >= patience:
                    history.stopped_early = True
                    break
        if bar:
            epochs_iter.set_postfix(postfix)
    if bar:
        epochs_iter.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    history.seconds = time.perf_counter() - start
    if not bar:
        print(summary(history, desc))
    return history


def _detach(state: Any) -> Any:
    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        return state.detach()
    return type(state)(_detach(s) for s in state)


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
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    for name, t in (("x", x), ("y", y)):
        if not isinstance(t, torch.Tensor) or t.dim() != 3:
            raise ValueError(f"{name} must be a 3-D tensor (batch, time, features), got "
                             f"{tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__}")
    if x.shape[:2] != y.shape[:2]:
        raise ValueError(f"x and y must agree in (batch, time), got {tuple(x.shape[:2])} "
                         f"and {tuple(y.shape[:2])}")
    chunk_len = check_int(chunk_len, "chunk_len", minimum=1)
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_number(lr, "lr", minimum=0.0, strict=True)
    if clip_grad_norm is not None:
        clip_grad_norm = check_number(clip_grad_norm, "clip_grad_norm", minimum=0.0,
                                      strict=True)
    device = get_device(device) if (device is None or isinstance(device, str)) \
        else torch.device(device)
    model.to(device)
    x, y = x.to(device), y.to(device)
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = loss_fn or nn.MSELoss()
    bar = show_bar() if progress is None else bool(progress)
    history = History()
    epochs_iter: Iterable[int] = range(epochs)
    if bar:
        from tqdm.auto import tqdm
        epochs_iter = tqdm(epochs_iter, desc=desc, mininterval=0.5)
    start = time.perf_counter()
    model.train()
    for _ in epochs_iter:
        state, total = None, 0.0
        for t0 in range(0, x.shape[1], chunk_len):
            xc, yc = x[:, t0:t0 + chunk_len], y[:, t0:t0 + chunk_len]
            pred, state = model(xc, state)
            loss = loss_fn(pred, yc)
            optimizer.zero_grad()
            loss.backward()
            if clip_grad_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
            optimizer.step()
            state = _detach(state)
            total += loss.item() * xc.shape[1]
        history.train_loss.append(total / x.shape[1])
        if bar:
            epochs_iter.set_postfix({"train": f"{history.train_loss[-1]:.4g}"})
    if bar:
        epochs_iter.close()
    history.seconds = time.perf_counter() - start
    if not bar:
        print(summary(history, desc))
    return history


def summary(history: History, desc: str = "training") -> str:
    """A few lines describing ``history``: first, last and best losses and the time."""
    if not isinstance(history, History):
        raise TypeError(f"history must be a History, got {type(history).__name__}")
    n = len(history.train_loss)
    if n == 0:
        return f"{desc}: no epochs run"
    text = (f"{desc}: {n} epochs in {history.seconds:.1f} s; train loss "
            f"{history.train_loss[0]:.4g} -> {history.train_loss[-1]:.4g}")
    if history.val_loss:
        text += (f"; val loss {history.val_loss[0]:.4g} -> {history.val_loss[-1]:.4g} "
                 f"(best {min(history.val_loss):.4g} at epoch {history.best_epoch + 1})")
    if history.stopped_early:
        text += "; stopped early"
    return text
