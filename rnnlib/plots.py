"""Plots the chapters share: forecasts against the truth, and loss curves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rnnlib._checks import as_float_array, check_time_index, paired_arrays
from rnnlib.train import History


def plot_forecast(train: Any, test: Any, forecasts: Mapping[str, Any] | None = None, *,
                  index: Any = None, tail: int | None = None, ax: plt.Axes | None = None,
                  title: str | None = None, ylabel: str | None = None,
                  train_label: str = "train") -> plt.Axes:
    """Plot the training series, the test series and forecasts of the test part.

    The boundary between training and test data is marked with a dashed line.

    Args:
        train: training values, shape ``(n_train,)``.
        test: test values, shape ``(n_test,)``.
        forecasts: name -> forecast of the test part, each shape ``(n_test,)``.
        index: x values for all ``n_train + n_test`` points (dates, years); default 0..n-1.
        tail: show only the last ``tail`` training points.
        ax: axes to draw on; default a new figure.
        title, ylabel: labels.
        train_label: legend label of the part before the boundary (e.g. "train + validation").

    Returns:
        The axes.

    Used in chapters 1, 5 and 6.
    """
    tr = as_float_array(train, "train", ndim=(1,))
    te = as_float_array(test, "test", ndim=(1,))
    n = len(tr) + len(te)
    if index is not None:
        check_time_index(pd.Index(index), "index")
    x = np.arange(n) if index is None else np.asarray(index)
    if len(x) != n:
        raise ValueError(f"index must have len(train) + len(test) = {n} entries, got {len(x)}")
    forecasts = dict(forecasts or {})
    for name, fc in forecasts.items():
        forecasts[name] = paired_arrays(te, fc, ("test", f"forecasts[{name!r}]"))[1]
    if tail is not None and not (isinstance(tail, int) and tail >= 1):
        raise ValueError(f"tail must be a positive int or None, got {tail!r}")
    start = 0 if tail is None else max(0, len(tr) - tail)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.plot(x[start:len(tr)], tr[start:], color="0.3", lw=1.2, label=train_label)
    ax.plot(x[len(tr):], te, color="black", lw=1.8, label="test (actual)")
    for name, fc in forecasts.items():
        ax.plot(x[len(tr):], fc, lw=1.4, ls="-", marker=".", label=name)
    ax.axvline(x[len(tr) - 1], color="0.5", ls="--", lw=1)
    ax.annotate(" forecast origin", (x[len(tr) - 1], 0.02), xycoords=("data", "axes fraction"),
                ha="left", va="bottom", color="0.4")
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax


def plot_losses(history: History | Mapping[str, Any], *, ax: plt.Axes | None = None,
                log: bool = True, title: str | None = None) -> plt.Axes:
    """Plot loss curves against the epoch.

    Args:
        history: a :class:`rnnlib.train.History`, or a mapping name -> list of losses.
        ax: axes to draw on; default a new figure.
        log: use a logarithmic loss axis.
        title: a title.

    Returns:
        The axes.

    Used in chapters 1, 2, 3 and 6.
    """
    if isinstance(history, History):
        curves = {"train": history.train_loss}
        if history.val_loss:
            curves["validation"] = history.val_loss
    elif isinstance(history, Mapping):
        curves = dict(history)
    else:
        raise TypeError(f"history must be a History or a mapping of loss lists, "
                        f"got {type(history).__name__}")
    if not curves or any(len(v) == 0 for v in curves.values()):
        raise ValueError("history holds no losses to plot")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.2))
    for name, losses in curves.items():
        vals = as_float_array(losses, f"history[{name!r}]", ndim=(1,))
        ax.plot(np.arange(1, len(vals) + 1), vals, label=name)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    if title:
        ax.set_title(title)
    return ax
