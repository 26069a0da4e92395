"""Measuring how gradients travel back through time in a recurrent layer.

:func:`hidden_grad_norms` runs a recurrent layer one step at a time, defines a loss on
the last step's output only, and returns the size of ``dL/dh_t`` for every step ``t``.
Plotted against the distance ``d = T - t`` from the loss (steps counted from 1, so the
array's 0-based index ``i`` is at distance ``T - 1 - i``) on a log scale, it shows vanishing
(a falling line) or exploding (a rising line) gradients as measured facts.

:func:`spectral_radius` gives the largest modulus of a square matrix's eigenvalues. It
predicts the slope of that line only in a special case: when ``W_hh`` is ``rho`` times an
orthogonal matrix and the states stay small, every step multiplies the gradient's norm by
exactly ``rho``. In general it does not: the largest singular value ``||W_hh||_2``
(``torch.linalg.matrix_norm(W, ord=2)``) bounds each step's factor, and a non-normal
``W_hh`` can have a spectral radius below 1 and still make gradients grow by orders of
magnitude (chapter 3 shows one).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn


def _top_h(state: Any, name: str) -> torch.Tensor:
    """The top layer's hidden state ``(batch, hidden)`` inside a layer's state."""
    if isinstance(state, (tuple, list)) and len(state) > 0:
        return _top_h(state[0], name)
    if isinstance(state, torch.Tensor) and state.dim() in (2, 3):
        return state[-1] if state.dim() == 3 else state
    raise TypeError(f"{name} must return a state that is a tensor (num_layers, batch, hidden) "
                    f"or a tuple (h, c) of such tensors, got {type(state).__name__}")


def _replace_top_h(state: Any, h: torch.Tensor) -> Any:
    """A copy of ``state`` whose top-layer hidden state is the tensor ``h``."""
    if isinstance(state, (tuple, list)):
        return type(state)([_replace_top_h(state[0], h), *state[1:]])
    if state.dim() == 2:
        return h
    return torch.cat([state[:-1], h.unsqueeze(0)], dim=0)


def _check_grad_args(layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Check :func:`hidden_grad_norms`' arguments; return ``x`` on the layer's device."""
    if not isinstance(layer, nn.Module):
        raise TypeError(f"layer must be a torch.nn.Module, got {type(layer).__name__}")
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor, got dtype {x.dtype}")
    if x.dim() != 3 or min(x.shape) == 0:
        raise ValueError(f"x must have shape (batch, time, features) with no empty dimension, "
                         f"got {tuple(x.shape)}")
    if getattr(layer, "bidirectional", False):
        raise ValueError("layer must be unidirectional: a bidirectional layer cannot be "
                         "stepped one time step at a time")
    if isinstance(layer, nn.RNNBase) and not layer.batch_first:
        raise ValueError("layer must be built with batch_first=True")
    if not torch.isfinite(x).all():
        n_bad = int((~torch.isfinite(x)).sum())
        raise ValueError(f"x holds {n_bad} NaN or infinite values; gradients through them "
                         f"are not defined")
    bad = [name for name, p in layer.named_parameters() if not torch.isfinite(p).all()]
    if bad:
        raise ValueError(f"layer's parameters {bad} hold NaN or infinite values")
    try:
        x = x.to(next(layer.parameters()).device)
    except StopIteration:
        pass
    return x


def hidden_grad_norms(layer: nn.Module, x: torch.Tensor) -> np.ndarray:
    """Norms of ``dL/dh_t`` for every step of a sequence, the loss taken at the last step.

    The layer is stepped one time step at a time, so every hidden state ``h_t`` is a node
    of the graph. The top layer's output at step ``t`` is wired in as the hidden state the
    next step reads, so ``dL/dh_t`` collects every path from ``h_t`` to the loss. The loss
    is the sum of the last step's outputs; the parameters' ``.grad`` are not touched.

    Args:
        layer: a ``batch_first`` ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU``, or any module called
            as ``layer(x_chunk, state) -> (out, state)`` with ``x_chunk`` of shape
            ``(batch, 1, features)``, ``state`` ``None`` at the start, ``out`` of shape
            ``(batch, 1, hidden)`` equal to the top layer's new hidden state, and
            ``state`` a tensor ``(num_layers, batch, hidden)`` or a tuple ``(h, c)``.
        x: inputs, shape ``(batch, time, features)``, floating point.

    Returns:
        A float64 array of shape ``(time,)``: entry ``t`` is the mean over the batch of
        ``||dL/dh_t||_2`` for the top layer's hidden state. Entry ``-1`` is the last step
        (distance 0 from the loss), entry ``0`` the first (distance ``time - 1``).

    Raises:
        TypeError: if ``layer`` is not a module, ``x`` not a floating-point tensor, or the
            layer's state has an unexpected type.
        ValueError: if ``x`` is not 3-D with at least one step and one feature, holds NaN or
            infinite values (or the layer's parameters or outputs do), if the layer is
            bidirectional or not ``batch_first``, or if its output is not its top hidden
            state.

    Used in chapters 3 and 4.
    """
    x = _check_grad_args(layer, x)
    x = x.detach()

    outs: list[torch.Tensor] = []
    state = None
    with torch.enable_grad():
        for t in range(x.shape[1]):
            out, state = layer(x[:, t:t + 1], state)
            if not isinstance(out, torch.Tensor) or out.dim() != 3 or out.shape[1] != 1:
                shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
                raise ValueError(f"layer must return an output of shape (batch, 1, hidden) for "
                                 f"one step, got {shape}")
            h = out[:, 0]
            top = _top_h(state, "layer")
            if not torch.isfinite(h).all():
                raise ValueError(f"layer's output is NaN or infinite at step {t} "
                                 f"(counted from 0); gradient norms are not defined there")
            if top.shape != h.shape or not torch.allclose(top, h):
                raise ValueError("layer's output must equal its top layer's hidden state "
                                 "(pass the recurrent layer itself, not a model with a head)")
            outs.append(h)
            # Let the next step read h_t through this very tensor, so that dL/dh_t
            # (below) includes the path through all later steps.
            state = _replace_top_h(state, h)
        if not outs[-1].requires_grad:
            raise ValueError("layer's output does not depend on any tensor that requires "
                             "grad; its parameters must have requires_grad=True")
        loss = outs[-1].sum()
        grads = torch.autograd.grad(loss, outs, allow_unused=True)
    norms = [np.zeros(()) if g is None else g.detach().norm(dim=-1).mean().cpu().double().numpy()
             for g in grads]
    return np.asarray(norms, dtype=np.float64)


def spectral_radius(matrix: torch.Tensor | np.ndarray) -> float:
    """The largest modulus of the eigenvalues of a square matrix.

    For an Elman RNN with recurrent matrix ``W_hh`` of shape ``(hidden, hidden)``, the powers
    ``W_hh**d`` shrink to zero if and only if it is below 1. It does **not** bound the
    products of step Jacobians ``diag(1 - h_t**2) W_hh`` that carry gradients back: those
    are bounded by the largest singular value, ``||W_hh||_2 >= spectral radius``, and a
    non-normal ``W_hh`` can make them grow although its spectral radius is below 1. Both
    numbers agree when ``W_hh`` is normal (for example a multiple of an orthogonal matrix).

    Args:
        matrix: a square matrix, shape ``(n, n)``; a tensor or an array.

    Returns:
        ``max |eigenvalue|`` as a float.

    Raises:
        TypeError: if ``matrix`` is not a tensor or an array.
        ValueError: if it is not square 2-D, is empty, or holds NaN or infinite values.

    Used in chapter 3.
    """
    if isinstance(matrix, torch.Tensor):
        matrix = matrix.detach().cpu().double().numpy()
    if not isinstance(matrix, np.ndarray):
        raise TypeError(f"matrix must be a torch.Tensor or numpy array, "
                        f"got {type(matrix).__name__}")
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise ValueError(f"matrix must be square (n, n) with n >= 1, got shape {matrix.shape}")
    matrix = matrix.astype(np.float64)
    if not np.all(np.isfinite(matrix)):
        raise ValueError("matrix holds NaN or infinite values")
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))
