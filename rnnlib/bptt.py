"""Backpropagation through time (BPTT) for the Elman RNN, written in NumPy.

The model, in the book's notation, for inputs ``x`` of shape ``(batch, time, input)``:

    h_t = tanh(W_xh x_t + b_xh + W_hh h_{t-1} + b_hh),      ŷ_t = W_hy h_t + b_y.

:func:`forward` runs it and keeps every hidden state; :func:`backward` walks back through
time and returns the gradient of a loss with respect to every parameter and every hidden
state. Parameters live in a dict with the keys of :data:`PARAM_NAMES` and torch's shapes
(``W_xh`` is ``(hidden, input)`` like ``weight_ih_l0``), so :func:`params_from_torch`
copies a ``nn.RNN`` plus ``nn.Linear`` head across and the result can be checked against
autograd. :func:`finite_difference` and :func:`relative_error` do the numerical check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import torch
from torch import nn

from rnnlib._checks import check_int, check_number

#: Parameter names of the model, with the matching attribute of ``nn.RNN`` / ``nn.Linear``.
PARAM_NAMES: dict[str, str] = {
    "W_xh": "weight_ih_l0", "b_xh": "bias_ih_l0",
    "W_hh": "weight_hh_l0", "b_hh": "bias_hh_l0",
    "W_hy": "weight", "b_y": "bias",
}

Params = dict[str, np.ndarray]


def _check_params(params: Mapping[str, np.ndarray]) -> tuple[int, int, int]:
    """Check keys and shapes; return ``(input_size, hidden_size, output_size)``."""
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of NumPy arrays, got {type(params).__name__}")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params lacks the keys {missing}; expected {list(PARAM_NAMES)}")
    for k in PARAM_NAMES:
        if not isinstance(params[k], np.ndarray):
            raise TypeError(f"params[{k!r}] must be a NumPy array, got "
                            f"{type(params[k]).__name__}")
    w_xh = params["W_xh"]
    if w_xh.ndim != 2:
        raise ValueError(f"params['W_xh'] must be 2-D (hidden, input), got shape {w_xh.shape}")
    hidden, n_in = w_xh.shape
    n_out = params["W_hy"].shape[0] if params["W_hy"].ndim == 2 else -1
    want = {"W_xh": (hidden, n_in), "b_xh": (hidden,), "W_hh": (hidden, hidden),
            "b_hh": (hidden,), "W_hy": (n_out, hidden), "b_y": (n_out,)}
    for k, shape in want.items():
        if params[k].shape != shape:
            raise ValueError(f"params[{k!r}] must have shape {shape} (hidden={hidden}, "
                             f"input={n_in}, output={n_out}), got {params[k].shape}")
    return n_in, hidden, n_out


def _check_x(x: np.ndarray, n_in: int) -> None:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a NumPy array, got {type(x).__name__}")
    if x.ndim != 3 or x.shape[2] != n_in or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x must have shape (batch, time, {n_in}) with batch, time >= 1, "
                         f"got {x.shape}")


def init_params(input_size: int, hidden_size: int, output_size: int = 1, *,
                seed: int = 0) -> Params:
    """Random float64 parameters, uniform in ``±1/sqrt(hidden_size)`` as torch initialises.

    Args:
        input_size: features per step.
        hidden_size: size of the hidden state.
        output_size: values predicted per step.
        seed: seed of the NumPy generator.

    Returns:
        A dict with the keys of :data:`PARAM_NAMES`: ``W_xh`` ``(hidden, input)``, ``b_xh``
        ``(hidden,)``, ``W_hh`` ``(hidden, hidden)``, ``b_hh`` ``(hidden,)``, ``W_hy``
        ``(output, hidden)``, ``b_y`` ``(output,)``.

    Used in no chapter.
    """
    n_in = check_int(input_size, "input_size", minimum=1)
    hidden = check_int(hidden_size, "hidden_size", minimum=1)
    n_out = check_int(output_size, "output_size", minimum=1)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    shapes = {"W_xh": (hidden, n_in), "b_xh": (hidden,), "W_hh": (hidden, hidden),
              "b_hh": (hidden,), "W_hy": (n_out, hidden), "b_y": (n_out,)}
    bound = hidden ** -0.5
    return {k: rng.uniform(-bound, bound, size=s) for k, s in shapes.items()}


def params_from_torch(rnn: nn.RNN, head: nn.Linear, *, grad: bool = False) -> Params:
    """Copy the weights (or their ``.grad``) of a one-layer ``nn.RNN`` and a linear head.

    Args:
        rnn: a one-layer, unidirectional ``nn.RNN`` with tanh and biases.
        head: the ``nn.Linear(hidden_size, output_size)`` applied to every hidden state.
        grad: copy the gradients stored in ``.grad`` instead of the weights.

    Returns:
        A dict of float64 arrays keyed as :data:`PARAM_NAMES`.

    Used in chapter 3.
    """
    if not isinstance(rnn, nn.RNN):
        raise TypeError(f"rnn must be a torch.nn.RNN, got {type(rnn).__name__}")
    if not isinstance(head, nn.Linear):
        raise TypeError(f"head must be a torch.nn.Linear, got {type(head).__name__}")
    if (rnn.num_layers != 1 or rnn.bidirectional or not rnn.bias
            or rnn.nonlinearity != "tanh"):
        raise ValueError("rnn must have one layer, tanh, biases and one direction")
    if head.in_features != rnn.hidden_size or head.bias is None:
        raise ValueError(f"head must be nn.Linear({rnn.hidden_size}, output_size) with a bias, "
                         f"got in_features={head.in_features}")
    out = {}
    for k, attr in PARAM_NAMES.items():
        p = getattr(head if k in ("W_hy", "b_y") else rnn, attr)
        t = p.grad if grad else p
        if t is None:
            raise ValueError(f"{attr} has no .grad yet; call loss.backward() first")
        out[k] = t.detach().cpu().double().numpy().copy()
    return out


def forward(params: Mapping[str, np.ndarray], x: np.ndarray,
            h0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Run the Elman RNN and its linear head over a batch of sequences.

    Args:
        params: parameters keyed as :data:`PARAM_NAMES`.
        x: inputs, shape ``(batch, time, input)``.
        h0: initial hidden state, shape ``(batch, hidden)``; zeros if ``None``.

    Returns:
        ``(y_hat, hs)``: predictions of shape ``(batch, time, output)`` and the hidden
        states of shape ``(batch, time + 1, hidden)``, ``hs[:, 0]`` being ``h0`` and
        ``hs[:, t + 1]`` the state after reading ``x[:, t]``.

    Used in chapter 3.
    """
    n_in, hidden, _ = _check_params(params)
    _check_x(x, n_in)
    batch, steps, _ = x.shape
    if h0 is None:
        h0 = np.zeros((batch, hidden), dtype=np.result_type(x, params["W_hh"]))
    elif not isinstance(h0, np.ndarray) or h0.shape != (batch, hidden):
        raise ValueError(f"h0 must be a NumPy array of shape (batch, hidden) = "
                         f"{(batch, hidden)}, got {getattr(h0, 'shape', type(h0).__name__)}")
    hs = np.empty((batch, steps + 1, hidden), dtype=np.result_type(x, params["W_hh"], h0))
    hs[:, 0] = h0
    for t in range(steps):
        a = (x[:, t] @ params["W_xh"].T + params["b_xh"]
             + hs[:, t] @ params["W_hh"].T + params["b_hh"])
        hs[:, t + 1] = np.tanh(a)
    y_hat = hs[:, 1:] @ params["W_hy"].T + params["b_y"]
    return y_hat, hs


def _check_backward(params: Mapping[str, np.ndarray], x: np.ndarray, hs: np.ndarray,
                    dy: np.ndarray) -> None:
    """Raise unless ``hs`` and ``dy`` fit ``params`` and ``x`` as :func:`backward` needs."""
    n_in, hidden, n_out = _check_params(params)
    _check_x(x, n_in)
    batch, steps, _ = x.shape
    for name, arr, shape in (("hs", hs, (batch, steps + 1, hidden)),
                             ("dy", dy, (batch, steps, n_out))):
        if not isinstance(arr, np.ndarray) or arr.shape != shape:
            raise ValueError(f"{name} must be a NumPy array of shape {shape}, "
                             f"got {getattr(arr, 'shape', type(arr).__name__)}")


def backward(params: Mapping[str, np.ndarray], x: np.ndarray, hs: np.ndarray,
             dy: np.ndarray) -> tuple[Params, np.ndarray]:
    """Backpropagation through time: gradients of a loss given ``dL/dŷ`` at every step.

    Walking from the last step to the first, the gradient reaching ``h_t`` is what the
    head sends down at step ``t`` plus what step ``t + 1`` sends back through ``W_hh``:
    ``dL/dh_t = W_hy^T dL/dŷ_t + W_hh^T [(1 - h_{t+1}^2) ⊙ dL/dh_{t+1}]``.

    Args:
        params: parameters keyed as :data:`PARAM_NAMES`.
        x: the inputs given to :func:`forward`, shape ``(batch, time, input)``.
        hs: the hidden states it returned, shape ``(batch, time + 1, hidden)``.
        dy: ``dL/dŷ``, shape ``(batch, time, output)``.

    Returns:
        ``(grads, dhs)``: ``grads`` maps every parameter name to ``dL/d(parameter)`` (same
        shape as the parameter); ``dhs`` of shape ``(batch, time + 1, hidden)`` holds
        ``dL/dh_t`` for every hidden state, ``dhs[:, 0]`` being ``dL/dh0``.

    Used in chapter 3.
    """
    _check_backward(params, x, hs, dy)
    batch, steps, _ = x.shape
    hidden = hs.shape[2]
    grads = {k: np.zeros_like(params[k], dtype=np.result_type(params[k], dy))
             for k in PARAM_NAMES}
    dhs = np.zeros_like(hs, dtype=np.result_type(hs, dy))
    # Head: ŷ_t = W_hy h_t + b_y at every step.
    grads["W_hy"] = np.einsum("bto,bth->oh", dy, hs[:, 1:])
    grads["b_y"] = dy.sum(axis=(0, 1))
    from_head = dy @ params["W_hy"]  # (batch, time, hidden)
    dh_next = np.zeros((batch, hidden), dtype=dhs.dtype)  # what h_t gets from step t + 1
    for t in range(steps - 1, -1, -1):
        dh = from_head[:, t] + dh_next  # dL/dh_{t+1} in hs's indexing
        dhs[:, t + 1] = dh
        da = dh * (1.0 - hs[:, t + 1] ** 2)  # through tanh
        grads["W_xh"] += da.T @ x[:, t]
        grads["W_hh"] += da.T @ hs[:, t]
        grads["b_xh"] += da.sum(axis=0)
        grads["b_hh"] += da.sum(axis=0)
        dh_next = da @ params["W_hh"]
    dhs[:, 0] = dh_next
    return grads, dhs


def mse_loss(y_hat: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error and its gradient ``dL/dŷ``.

    Args:
        y_hat: predictions, any shape, e.g. ``(batch, time, output)``.
        y: targets of the same shape.

    Returns:
        ``(loss, dy)`` with ``loss = mean((y_hat - y)**2)`` and ``dy`` shaped like ``y_hat``.

    Used in chapter 3.
    """
    if not isinstance(y_hat, np.ndarray) or not isinstance(y, np.ndarray):
        raise TypeError(f"y_hat and y must be NumPy arrays, got {type(y_hat).__name__} "
                        f"and {type(y).__name__}")
    if y_hat.shape != y.shape or y.size == 0:
        raise ValueError(f"y_hat and y must have the same non-empty shape, got {y_hat.shape} "
                         f"and {y.shape}")
    diff = y_hat - y
    return float(np.mean(diff ** 2)), 2.0 * diff / diff.size


def finite_difference(loss_fn: Callable[[Params], float], params: Mapping[str, np.ndarray],
                      name: str, index: tuple[int, ...], eps: float = 1e-6) -> float:
    """Central finite-difference estimate of ``dL/d params[name][index]``.

    ``(L(θ + eps e) - L(θ - eps e)) / (2 eps)``; its error is of order ``eps**2`` plus
    rounding of order ``1e-16 / eps``, so ``eps = 1e-6`` in float64 gives about 1e-9.

    Args:
        loss_fn: maps a parameter dict to a float loss.
        params: the point to differentiate at (left unchanged).
        name: which parameter, a key of :data:`PARAM_NAMES`.
        index: which entry of that parameter, e.g. ``(2, 0)``.
        eps: the step (> 0).

    Returns:
        The estimated partial derivative.

    Used in chapter 3.
    """
    if not callable(loss_fn):
        raise TypeError("loss_fn must be callable: params -> float")
    _check_params(params)
    if name not in PARAM_NAMES:
        raise ValueError(f"name must be one of {list(PARAM_NAMES)}, got {name!r}")
    eps = check_number(eps, "eps", minimum=0.0, strict=True)
    index = tuple(int(i) for i in np.atleast_1d(index))
    shape = params[name].shape
    if len(index) != len(shape) or not all(0 <= i < n for i, n in zip(index, shape)):
        raise ValueError(f"index must address an entry of params[{name!r}] of shape {shape}, "
                         f"got {index}")
    shifted = {k: v.astype(np.float64, copy=True) for k, v in params.items()}
    shifted[name][index] += eps
    plus = float(loss_fn(shifted))
    shifted[name][index] -= 2 * eps
    minus = float(loss_fn(shifted))
    return (plus - minus) / (2 * eps)


def relative_error(a: np.ndarray | torch.Tensor, b: np.ndarray | torch.Tensor) -> float:
    """``max|a - b| / max(max|a|, max|b|)``: a scale-free distance between two arrays.

    Args:
        a, b: arrays (or tensors) of the same shape.

    Returns:
        The relative error, ``0.0`` when both are all zeros.

    Used in chapter 3.
    """
    a = a.detach().cpu().double().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    b = b.detach().cpu().double().numpy() if isinstance(b, torch.Tensor) else np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    return 0.0 if scale == 0.0 else float(np.max(np.abs(a - b))) / scale
