"""How sure is a forecast? Losses that teach a model its uncertainty, scores that judge
an interval or a forecast distribution, and conformal calibration.

* **losses** (torch, differentiable): :func:`pinball_loss` trains a head to give chosen
  quantiles (MQ-RNN, Wen et al. 2017); a Gaussian head is trained with torch's own
  ``torch.nn.functional.gaussian_nll_loss`` (DeepAR, Salinas et al. 2020);
* **interval scores**: :func:`coverage` (how often the interval holds the truth),
  :func:`interval_width`, and :func:`winkler_score`, the interval score of Gneiting and
  Raftery (2007), which adds ``2 / alpha`` times every miss to the width;
* **distribution scores**: the continuous ranked probability score (CRPS) of a Gaussian
  forecast in closed form (:func:`crps_gaussian`), of a set of quantiles
  (:func:`crps_quantiles`, twice the mean pinball loss) and of sampled paths
  (:func:`crps_samples`); lower is better, and for a point forecast the CRPS is the
  absolute error;
* **calibration**: :func:`conformal_radius`, the split-conformal half-width from the
  absolute errors on a calibration period.

The scores take array-likes (NumPy arrays, tensors, lists, pandas) of equal shape, e.g.
``(origins, horizon)``; ``axis=None`` returns one float, an ``axis`` returns the mean along
it (``axis=0``: one score per horizon). Bad arguments raise a ``TypeError`` or ``ValueError``
that names the argument.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from rnnlib._checks import as_float_array, check_int, check_number

_NDIM = (1, 2, 3)


def _check_levels(values: Any, name: str, low: float = 0.0) -> np.ndarray:
    """A 1-D increasing sequence of probabilities strictly between ``low`` and 1."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"{name} must be a sequence of probabilities, got "
                        f"{type(values).__name__}")
    levels = as_float_array(values, name, ndim=(1,))
    if np.any(levels <= low) or np.any(levels >= 1) or np.any(np.diff(levels) <= 0):
        raise ValueError(f"{name} must increase strictly and lie strictly between {low:g} "
                         f"and 1, got {levels.tolist()}")
    return levels


def _alpha(alpha: Any) -> float:
    alpha = check_number(alpha, "alpha", minimum=0.0, strict=True)
    if alpha >= 1:
        raise ValueError(f"alpha must be < 1 (1 - alpha is the interval's level), got {alpha}")
    return alpha


def _same_shape(**arrays: Any) -> list[np.ndarray]:
    """The arrays as float64, all of the first one's shape (no broadcasting)."""
    out = [as_float_array(v, name, ndim=_NDIM) for name, v in arrays.items()]
    names = list(arrays)
    for name, arr in zip(names[1:], out[1:]):
        if arr.shape != out[0].shape:
            raise ValueError(f"{name} has shape {arr.shape} but {names[0]} has shape "
                             f"{out[0].shape}; they must match, value for value")
    return out


def _check_order(lower: np.ndarray, upper: np.ndarray) -> None:
    if np.any(lower > upper):
        first = np.argwhere(lower > upper)[0].tolist()
        raise ValueError(f"lower must not exceed upper, but it does at position {first}")


def _interval(y: Any, lower: Any, upper: Any) -> list[np.ndarray]:
    y, lower, upper = _same_shape(y=y, lower=lower, upper=upper)
    _check_order(lower, upper)
    return [y, lower, upper]


def _check_axis(axis: Any, shape: tuple[int, ...], none_ok: bool = True) -> int | None:
    """``axis`` as an int that indexes ``shape`` (or ``None`` where allowed)."""
    if axis is None and none_ok:
        return None
    axis = check_int(axis, "axis")
    if not -len(shape) <= axis < len(shape):
        allowed = "None or " if none_ok else ""
        raise ValueError(f"axis must be {allowed}between {-len(shape)} and {len(shape) - 1} "
                         f"for arrays of shape {shape}, got {axis}")
    return axis


def _mean(values: np.ndarray, axis: int | None) -> float | np.ndarray:
    axis = _check_axis(axis, values.shape)
    return float(values.mean()) if axis is None else values.mean(axis=axis)


def pinball_loss(pred: torch.Tensor, target: torch.Tensor,
                 quantiles: Sequence[float]) -> torch.Tensor:
    """The mean pinball (quantile) loss of quantile forecasts; differentiable.

    For a level ``tau`` and an error ``u = y - q``, the loss is ``tau * u`` when ``u >= 0``
    and ``(tau - 1) * u`` when ``u < 0``; its expectation is smallest when ``q`` is the
    ``tau``-quantile of ``y``.

    Args:
        pred: forecast quantiles, shape ``(..., Q)``, e.g. ``(batch, horizon, Q)``.
        target: the values, shape ``pred.shape[:-1]``, e.g. ``(batch, horizon)``.
        quantiles: the ``Q`` levels, increasing, strictly between 0 and 1.

    Returns:
        A scalar tensor: the loss averaged over every value and level.

    Used in chapter 7.
    """
    for name, t in (("pred", pred), ("target", target)):
        if not isinstance(t, torch.Tensor) or not t.is_floating_point():
            raise TypeError(f"{name} must be a floating-point torch.Tensor, got "
                            f"{type(t).__name__}")
    levels = _check_levels(quantiles, "quantiles")
    if pred.dim() < 1 or pred.shape[-1] != len(levels):
        raise ValueError(f"pred must have shape (..., {len(levels)}), one column per level "
                         f"of quantiles, got {tuple(pred.shape)}")
    if target.shape != pred.shape[:-1]:
        raise ValueError(f"target must have shape {tuple(pred.shape[:-1])} (pred without "
                         f"its last axis), got {tuple(target.shape)}")
    tau = torch.as_tensor(levels, dtype=pred.dtype, device=pred.device)
    u = target.unsqueeze(-1) - pred
    return torch.maximum(tau * u, (tau - 1) * u).mean()


def coverage(y: Any, lower: Any, upper: Any, *, axis: int | None = None) -> float | np.ndarray:
    """The share of values inside their interval, ``lower <= y <= upper``.

    A calibrated ``1 - alpha`` interval covers about ``1 - alpha`` of the values.

    Used in chapter 7.
    """
    y, lower, upper = _interval(y, lower, upper)
    return _mean(((lower <= y) & (y <= upper)).astype(float), axis)


def interval_width(lower: Any, upper: Any, *, axis: int | None = None) -> float | np.ndarray:
    """The mean width ``upper - lower`` of intervals.

    Used in chapter 7.
    """
    lower, upper = _same_shape(lower=lower, upper=upper)
    _check_order(lower, upper)
    return _mean(upper - lower, axis)


def winkler_score(y: Any, lower: Any, upper: Any, alpha: float, *,
                  axis: int | None = None) -> float | np.ndarray:
    """The interval (Winkler) score of ``1 - alpha`` intervals; lower is better.

    ``(upper - lower) + (2 / alpha) * (lower - y)`` if ``y < lower``,
    ``+ (2 / alpha) * (y - upper)`` if ``y > upper``: the width plus a penalty for every
    miss. It is proper: its expectation is smallest for the true ``alpha / 2`` and
    ``1 - alpha / 2`` quantiles, so a narrow interval that misses often scores badly.

    Used in chapter 7.
    """
    y, lower, upper = _interval(y, lower, upper)
    alpha = _alpha(alpha)
    score = (upper - lower) + (2 / alpha) * (np.maximum(lower - y, 0)
                                             + np.maximum(y - upper, 0))
    return _mean(score, axis)


def crps_gaussian(y: Any, mean: Any, scale: Any, *,
                  axis: int | None = None) -> float | np.ndarray:
    """The CRPS of Gaussian forecasts ``N(mean, scale**2)``, in closed form.

    ``scale * (z * (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi))`` with ``z = (y - mean) /
    scale``, ``Phi`` and ``phi`` the standard normal distribution and density.

    Args:
        y, mean, scale: arrays of one shape; ``scale`` > 0.

    Used in chapter 7.
    """
    y, mean, scale = _same_shape(y=y, mean=mean, scale=scale)
    if np.any(scale <= 0):
        raise ValueError(f"scale must be > 0 everywhere, got a minimum of {scale.min()}")
    z = (y - mean) / scale
    cdf = torch.special.ndtr(torch.from_numpy(z)).numpy()
    pdf = np.exp(-z**2 / 2) / math.sqrt(2 * math.pi)
    return _mean(scale * (z * (2 * cdf - 1) + 2 * pdf - 1 / math.sqrt(math.pi)), axis)


def _with_draws(y: Any, draws: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``y`` of shape ``s`` and ``draws`` of shape ``s + (k,)``."""
    y = as_float_array(y, "y", ndim=_NDIM)
    draws = as_float_array(draws, name, ndim=(2, 3, 4))
    if draws.shape[:-1] != y.shape:
        raise ValueError(f"{name} must have shape {y.shape + ('k',)} (y's shape and one last "
                         f"axis), got {draws.shape}")
    return y, draws


def crps_quantiles(y: Any, q_pred: Any, quantiles: Sequence[float], *,
                   axis: int | None = None) -> float | np.ndarray:
    """The CRPS of a forecast given by ``Q`` quantiles: twice the mean pinball loss.

    The CRPS equals ``2 * integral over tau in (0, 1) of the pinball loss at level tau``;
    with the levels ``1/(Q+1), ..., Q/(Q+1)`` this is its midpoint-like approximation, which
    tends to the CRPS as ``Q`` grows. With a few levels (e.g. 10%, 50%, 90%) it is a coarse
    score: compare it only with others computed on the same levels.

    Args:
        y: the values, any shape ``s``.
        q_pred: the forecast quantiles, shape ``s + (Q,)``, increasing along the last axis.
        quantiles: the ``Q`` levels.

    Used in chapter 7.
    """
    y, q = _with_draws(y, q_pred, "q_pred")
    levels = _check_levels(quantiles, "quantiles")
    if q.shape[-1] != len(levels):
        raise ValueError(f"q_pred has {q.shape[-1]} quantiles in its last axis but "
                         f"quantiles lists {len(levels)} levels")
    u = y[..., None] - q
    loss = np.maximum(levels * u, (levels - 1) * u)
    return _mean(2 * loss.mean(axis=-1), axis)


def crps_samples(y: Any, samples: Any, *, axis: int | None = None) -> float | np.ndarray:
    """The CRPS of the forecast distribution given by samples (e.g. sampled paths).

    ``E|X - y| - E|X - X'| / 2`` over the ``k`` samples, the exact CRPS of their empirical
    distribution (computed from the sorted samples in ``O(k log k)``).

    Args:
        y: the values, any shape ``s``.
        samples: shape ``s + (k,)``, ``k >= 1`` draws per value.

    Used in chapter 7.
    """
    y, x = _with_draws(y, samples, "samples")
    k = x.shape[-1]
    x = np.sort(x, axis=-1)
    to_y = np.abs(x - y[..., None]).mean(axis=-1)
    weights = 2 * np.arange(1, k + 1) - k - 1                 # E|X - X'| from sorted draws
    spread = 2 * (x * weights).sum(axis=-1) / k**2
    return _mean(to_y - spread / 2, axis)


def conformal_radius(errors: Any, alpha: float, *, axis: int = 0) -> float | np.ndarray:
    """The split-conformal half-width of ``1 - alpha`` intervals ``forecast +- radius``.

    Of the ``n`` absolute calibration errors along ``axis``, the ``k``-th smallest with
    ``k = ceil((n + 1) * (1 - alpha))``. If the calibration errors and the future error are
    exchangeable, the interval covers the future value with probability at least
    ``1 - alpha`` (and below ``1 - alpha + 1 / (n + 1)`` when there are no ties); errors of
    a time series are not exchangeable, so coverage must be measured.

    Args:
        errors: absolute errors ``|y - forecast|`` (>= 0) on a calibration period, e.g.
            ``(origins, horizon)``.
        alpha: the miss rate, ``0 < alpha < 1``.
        axis: the axis of the calibration cases; one radius per entry of the others
            (``axis=0`` on ``(origins, horizon)``: one per horizon).

    Raises:
        ValueError: when ``n`` is too small for ``alpha`` (``k > n``: the interval would be
            infinite), or an error is negative.

    Used in chapter 7.
    """
    errors = as_float_array(errors, "errors", ndim=(1, 2, 3))
    alpha = _alpha(alpha)
    if np.any(errors < 0):
        raise ValueError("errors must be absolute errors (>= 0); pass np.abs(y - forecast)")
    axis = _check_axis(axis, errors.shape, none_ok=False)
    n = errors.shape[axis]
    k = math.ceil((n + 1) * (1 - alpha) - 1e-9)
    if k > n:
        raise ValueError(f"errors holds {n} calibration cases along axis {axis}, too few for "
                         f"alpha={alpha}: at least {math.ceil((1 - alpha) / alpha - 1e-9)} "
                         f"are needed")
    radius = np.sort(errors, axis=axis).take(k - 1, axis=axis)
    return float(radius) if np.ndim(radius) == 0 else radius
