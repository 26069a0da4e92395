"""How are several copies of one model (seeds, validation folds) trained at once?

Five seeds of a small network cost five trainings when they run one after another, and each
is too small to keep a processor busy. Side by side, as one model, they cost little more
than one:

* :class:`Ensemble` stacks the parameters of models of one architecture and runs them all
  with ``torch.func.vmap`` (any model vmap can batch: linear layers, convolutions,
  attention);
* :class:`RecurrentEnsemble` puts recurrent regressors side by side in one ``nn.RNN``,
  ``nn.LSTM`` or ``nn.GRU`` whose weights are block-diagonal, since vmap has no batching
  rule for torch's recurrent layers;
* :func:`fit_members` trains the members with full-batch Adam, each on its own targets
  (a mask), and records a validation score every few epochs.

Each member computes exactly what it computes alone: the members share no parameter and
the loss is the sum of their losses, so each member's gradient is the gradient of its own
model, and Adam updates every parameter entry on its own.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn
from torch.func import functional_call, stack_module_state

from rnnlib._checks import check_int, check_number
from rnnlib.models import SequenceRegressor, WindowRegressor, _check_x

_GATES = {nn.RNN: 1, nn.LSTM: 4, nn.GRU: 3}


def _signature(model: nn.Module) -> dict[str, tuple]:
    """Name -> (shape, dtype[, requires_grad]) of every parameter and buffer of ``model``."""
    sig: dict[str, tuple] = {n: (tuple(p.shape), p.dtype, p.requires_grad)
                             for n, p in model.named_parameters()}
    return sig | {n: (tuple(b.shape), b.dtype) for n, b in model.named_buffers()}


def _check_members(models: Any, kinds: tuple[type, ...]) -> list[nn.Module]:
    """Raise unless ``models`` is a non-empty sequence of ``kinds`` instances of one class
    whose parameters and buffers have the same names, shapes and dtypes, on one device."""
    if isinstance(models, (nn.Module, str, bytes)) or not isinstance(models, Sequence):
        raise TypeError("models must be a list of models of one architecture, got "
                        f"{type(models).__name__}")
    if not models:
        raise ValueError("models must hold at least one model, got an empty list")
    models = list(models)
    for i, m in enumerate(models):
        if not isinstance(m, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise TypeError(f"models[{i}] must be a {names}, got {type(m).__name__}")
        if type(m) is not type(models[0]):
            raise TypeError(f"models[{i}] is a {type(m).__name__} but models[0] is a "
                            f"{type(models[0]).__name__}: the members must be of one class")
    first = _signature(models[0])
    for i, m in enumerate(models[1:], 1):
        sig = _signature(m)
        if sig != first:
            diff = sorted(n for n in first.keys() | sig.keys() if first.get(n) != sig.get(n))
            raise ValueError(f"models[{i}] differs from models[0] in {diff[:3]} (names, shapes, "
                             "dtypes or requires_grad): the members must share one architecture")
    devices = {t.device for m in models for t in (*m.parameters(), *m.buffers())}
    if len(devices) > 1:
        raise ValueError(f"the models are on several devices ({sorted(map(str, devices))}); "
                         "move them to one first")
    return models


def _check_tensor(x: Any, device: torch.device) -> None:
    """Raise unless ``x`` is a real tensor on ``device``."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.dtype == torch.bool or x.is_complex():
        raise TypeError(f"x must hold real numbers, got dtype {x.dtype} (e.g. x.float())")
    if x.device != device:
        raise ValueError(f"x is on {x.device} but the ensemble is on {device}; move x there "
                         f"first (x.to(device))")


class Ensemble(nn.Module):
    """Several models of one architecture, run as one with ``torch.func.vmap``.

    The members' parameters are stacked along a new first axis (``stack_module_state``);
    ``forward`` gives every member the same input. Recurrent layers (``nn.LSTM`` ...) have
    no vmap rule: use :class:`RecurrentEnsemble` for them.

    Args:
        models: the members, e.g. one model per seed; their weights are copied.

    Used in chapter 8.
    """

    def __init__(self, models: Sequence[nn.Module]) -> None:
        super().__init__()
        models = _check_members(models, (nn.Module,))
        if any(isinstance(m, nn.RNNBase) for m in models[0].modules()):
            raise TypeError("models hold torch recurrent layers (nn.RNN, nn.LSTM, nn.GRU), "
                            "which vmap cannot batch: use RecurrentEnsemble")
        params, buffers = stack_module_state(models)
        if not params:
            raise ValueError("models have no parameters: there is nothing to train")
        self._names = list(params)
        self.stacked = nn.ParameterList(
            nn.Parameter(params[n].detach().clone(), requires_grad=params[n].requires_grad)
            for n in self._names)
        self._buffer_names = list(buffers)
        for i, name in enumerate(self._buffer_names):
            self.register_buffer(f"buffer{i}", buffers[name].clone())
        # A plain attribute, not a submodule: its own weights are never used or trained.
        self._template = (copy.deepcopy(models[0]),)
        self.n_members = len(models)

    def _apply(self, fn: Callable, *args: Any, **kwargs: Any) -> Ensemble:
        # Move and cast the template with the stacked tensors (.to, .double ...), so that
        # member() builds a model of the ensemble's device and dtypes.
        self._template[0]._apply(fn, *args, **kwargs)
        return super()._apply(fn, *args, **kwargs)

    def _state(self) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        params = dict(zip(self._names, self.stacked, strict=True))
        buffers = {n: getattr(self, f"buffer{i}") for i, n in enumerate(self._buffer_names)}
        return params, buffers

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: the input every member reads -> the members' outputs stacked,
        ``(members, *output)``, e.g. ``(members, batch, 1)``."""
        _check_tensor(x, self.stacked[0].device)
        template = self._template[0]
        template.train(self.training)

        def run(params: dict, buffers: dict, x: torch.Tensor) -> torch.Tensor:
            return functional_call(template, (params, buffers), (x,))

        params, buffers = self._state()
        try:
            # torch.func.vmap looked up at the call, so that a wrapped one is used (the
            # book's fake GPU checks a vmapped function at its boundary).
            batched = torch.func.vmap(run, in_dims=(0, 0, None), randomness="different")
            return batched(params, buffers, x)
        except (RuntimeError, NotImplementedError) as exc:
            error = ValueError if x.is_floating_point() else TypeError
            raise error(f"the members cannot read x of shape {tuple(x.shape)} and dtype "
                        f"{x.dtype}: {exc}") from exc

    def member(self, i: int) -> nn.Module:
        """A copy of member ``i`` as a model of its own (on the ensemble's device)."""
        i = check_int(i, "i", minimum=0, maximum=self.n_members - 1)
        model = copy.deepcopy(self._template[0]).train(self.training)
        params, buffers = self._state()
        with torch.no_grad():
            for name, stacked in params.items():
                model.get_parameter(name).copy_(stacked[i])
            for name, stacked in buffers.items():
                model.get_buffer(name).copy_(stacked[i])
        return model


def _blocks(weights: list[torch.Tensor], gates: int, diagonal: bool) -> torch.Tensor:
    """Stack per-member gate weights ``(gates * h, cols)`` into the wide layer's layout:
    gate-major rows ``(gates * k * h, ...)``; block-diagonal columns if ``diagonal``."""
    k, h = len(weights), weights[0].shape[0] // gates
    cols = weights[0].shape[1] if weights[0].dim() == 2 else 0
    wide = weights[0].new_zeros(gates * k * h, *((k * cols,) if diagonal else
                                                 (cols,) if cols else ()))
    for m, w in enumerate(weights):
        for q in range(gates):
            rows = slice(q * k * h + m * h, q * k * h + (m + 1) * h)
            part = w[q * h:(q + 1) * h]
            if diagonal:
                wide[rows, m * cols:(m + 1) * cols] = part
            else:
                wide[rows] = part
    return wide


def _check_layers(models: list[nn.Module]) -> None:
    """Raise unless every member's ``rnn`` is a layer as rnnlib builds it: one layer, one
    direction, biases, batch first (and tanh for ``nn.RNN``)."""
    want = {"num_layers": 1, "bidirectional": False, "bias": True, "proj_size": 0,
            "batch_first": True}
    for i, m in enumerate(models):
        if type(m.rnn) not in _GATES:
            raise TypeError(f"models[{i}].rnn must be an nn.RNN, nn.LSTM or nn.GRU, got "
                            f"{type(m.rnn).__name__}")
        need = want | ({"nonlinearity": "tanh"} if isinstance(m.rnn, nn.RNN) else {})
        got = {k: getattr(m.rnn, k) for k in need}
        if got != need:
            bad = {k: v for k, v in got.items() if v != need[k]}
            raise ValueError(f"models[{i}] must have one recurrent layer as rnnlib builds it "
                             f"({need}), got {bad}")


class RecurrentEnsemble(nn.Module):
    """Recurrent regressors side by side in one recurrent layer with block-diagonal weights.

    Member ``m`` owns hidden units ``m*h .. (m+1)*h - 1`` of one ``nn.RNN``/``nn.LSTM``/
    ``nn.GRU`` of ``k * h`` units. Its recurrent weights connect only its own units (the
    off-diagonal blocks are multiplied by a fixed 0/1 mask in ``forward``, so they neither act
    nor learn), and its head reads only its own units. The members read the same input.

    Args:
        models: one-layer :class:`~rnnlib.WindowRegressor` or
            :class:`~rnnlib.SequenceRegressor` models of one shape, e.g. one per seed.

    Used in chapter 8.
    """

    def __init__(self, models: Sequence[WindowRegressor | SequenceRegressor]) -> None:
        super().__init__()
        models = _check_members(models, (WindowRegressor, SequenceRegressor))
        _check_layers(models)
        first = models[0].rnn
        self.kind, self.n_members = type(models[0]), len(models)
        self.input_size, self.hidden_size = first.input_size, first.hidden_size
        self.output_size = models[0].head.out_features
        self.cell = {nn.RNN: "rnn", nn.LSTM: "lstm", nn.GRU: "gru"}[type(first)]
        gates, k = _GATES[type(first)], self.n_members
        w = first.weight_ih_l0  # built on the meta device: no random initialisation
        self.rnn = type(first)(self.input_size, k * self.hidden_size, batch_first=True,
                               device="meta", dtype=w.dtype).to_empty(device=w.device)
        rnns = [m.rnn for m in models]
        with torch.no_grad():
            for name, diagonal in (("weight_ih_l0", False), ("weight_hh_l0", True),
                                   ("bias_ih_l0", False), ("bias_hh_l0", False)):
                wide = _blocks([getattr(r, name).detach() for r in rnns], gates, diagonal)
                getattr(self.rnn, name).copy_(wide)
        mask = _blocks([torch.ones_like(r.weight_hh_l0) for r in rnns], gates, True)
        self.register_buffer("mask", mask)
        self.head_weight = nn.Parameter(torch.stack([m.head.weight.detach() for m in models]))
        self.head_bias = nn.Parameter(torch.stack([m.head.bias.detach() for m in models]))

    def forward(self, x: torch.Tensor, state: Any = None) -> Any:
        """``x``: ``(batch, time, input_size)``, read by every member.

        Returns, for window members, ``(members, batch, output_size)``; for sequence members,
        ``(y, state)`` with ``y`` of shape ``(members, batch, time, output_size)`` and the
        wide layer's final state (pass it back to continue the sequences).
        """
        _check_x(x, self.input_size, self.head_weight)
        self._check_state(state, len(x))
        weights = {"weight_hh_l0": self.rnn.weight_hh_l0 * self.mask}
        out, state = functional_call(self.rnn, weights, (x, state))
        out = out.unflatten(-1, (self.n_members, self.hidden_size))
        if self.kind is WindowRegressor:
            y = torch.einsum("bmh,moh->mbo", out[:, -1], self.head_weight)
            return y + self.head_bias[:, None]
        y = torch.einsum("btmh,moh->mbto", out, self.head_weight)
        return y + self.head_bias[:, None, None], state

    def _check_state(self, state: Any, batch: int) -> None:
        """Raise unless ``state`` is ``None`` or the wide layer's state for ``batch`` rows."""
        if state is None:
            return
        if self.kind is WindowRegressor:
            raise TypeError("state is for SequenceRegressor members; window members start "
                            "from zeros at every window")
        n = 2 if self.cell == "lstm" else 1
        parts = state if isinstance(state, tuple) and n == 2 else (state,)
        shape = (1, batch, self.n_members * self.hidden_size)
        if len(parts) != n or any(not isinstance(t, torch.Tensor) or tuple(t.shape) != shape
                                  for t in parts):
            what = "a tuple (h, c) of tensors" if n == 2 else "a tensor"
            raise ValueError(f"state must be None or {what} of shape {shape}, as returned by "
                             "the ensemble's forward")

    def member(self, i: int) -> WindowRegressor | SequenceRegressor:
        """A copy of member ``i`` as a model of its own (on the ensemble's device)."""
        i = check_int(i, "i", minimum=0, maximum=self.n_members - 1)
        with torch.device("meta"):  # no random initialisation: every weight is copied below
            model = self.kind(self.input_size, self.hidden_size, self.output_size,
                              cell=self.cell)
        w = self.head_weight
        model = model.to_empty(device=w.device).to(w.dtype).train(self.training)
        k, h = self.n_members, self.hidden_size
        gates = _GATES[type(self.rnn)]
        rows = torch.cat([torch.arange(q * k * h + i * h, q * k * h + (i + 1) * h)
                          for q in range(gates)])
        cols = slice(i * h, (i + 1) * h)
        with torch.no_grad():
            model.rnn.weight_ih_l0.copy_(self.rnn.weight_ih_l0[rows])
            model.rnn.weight_hh_l0.copy_(self.rnn.weight_hh_l0[rows][:, cols])
            model.rnn.bias_ih_l0.copy_(self.rnn.bias_ih_l0[rows])
            model.rnn.bias_hh_l0.copy_(self.rnn.bias_hh_l0[rows])
            model.head.weight.copy_(self.head_weight[i])
            model.head.bias.copy_(self.head_bias[i])
        return model


def _check_targets(y: Any, pred: torch.Tensor) -> None:
    """Raise unless ``y`` is a finite real tensor of one member's output shape."""
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"y must be a torch.Tensor, got {type(y).__name__}")
    if not y.is_floating_point():
        raise TypeError(f"y must be a floating-point tensor, got dtype {y.dtype} (e.g. y.float())")
    if tuple(pred.shape[1:]) != tuple(y.shape):
        raise ValueError(f"y must have the shape of one member's output "
                         f"{tuple(pred.shape[1:])}, got {tuple(y.shape)}")
    if y.device != pred.device:
        raise ValueError(f"y is on {y.device} but the ensemble is on {pred.device}; move y "
                         "there first")
    if not bool(torch.isfinite(y).all()):
        raise ValueError(f"y holds {int((~torch.isfinite(y)).sum())} NaN or infinite values; "
                         "fill or drop them first")


def _check_mask(mask: Any, pred: torch.Tensor) -> torch.Tensor:
    """``mask`` as 0/1 weights of ``pred``'s dtype, or raise if it is not a 0/1 tensor of
    ``pred``'s shape and device that gives every member a target."""
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"mask must be a torch.Tensor, got {type(mask).__name__}")
    if mask.is_complex():
        raise TypeError(f"mask must hold 0/1 (or False/True), got dtype {mask.dtype}")
    if tuple(mask.shape) != tuple(pred.shape):
        raise ValueError(f"mask must have shape (members, *y.shape) = {tuple(pred.shape)}, "
                         f"got {tuple(mask.shape)}")
    if mask.device != pred.device:
        raise ValueError(f"mask is on {mask.device} but the ensemble is on {pred.device}; "
                         "move mask there first")
    if not bool(((mask == 0) | (mask == 1)).all()):
        raise ValueError("mask must hold only 0/1 (or False/True)")
    mask = mask.to(pred.dtype)
    counts = mask.flatten(1).sum(1)
    if bool((counts == 0).any()):
        raise ValueError(f"every member needs at least one target; members "
                         f"{(counts == 0).nonzero().flatten().tolist()} have none in mask")
    return mask


def fit_members(ensemble: Ensemble | RecurrentEnsemble, x: torch.Tensor, y: torch.Tensor,
                mask: torch.Tensor, *, epochs: int, lr: float = 1e-2, every: int = 0,
                evaluate: Callable[[nn.Module], Any] | None = None) -> list[tuple[int, Any]]:
    """Train every member with full-batch Adam on the targets its mask selects.

    The loss is the sum over members of each member's mean squared error over its own
    targets, so member ``m`` learns what it would learn alone on ``y[mask[m]]``. Masks make
    validation folds members too: a member whose mask ends in 1880 never sees a later year.

    Args:
        ensemble: an :class:`Ensemble` or :class:`RecurrentEnsemble`.
        x: the input every member reads (all of it, e.g. every window).
        y: targets, the shape of one member's output (``ensemble(x)[0]``).
        mask: 0/1 of shape ``(members, *y.shape)``: which targets each member learns from.
        epochs: full-batch Adam steps.
        lr: Adam's learning rate.
        every: call ``evaluate`` after every ``every`` epochs (0: never).
        evaluate: ``evaluate(ensemble)``, run in eval mode without gradients; its result is
            recorded with the epoch.

    Returns:
        ``[(epoch, evaluate(ensemble)), ...]``, empty if ``every`` is 0.

    Used in chapter 8.
    """
    if not isinstance(ensemble, (Ensemble, RecurrentEnsemble)):
        raise TypeError(f"ensemble must be an Ensemble or RecurrentEnsemble, got "
                        f"{type(ensemble).__name__}")
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_number(lr, "lr", minimum=0.0, strict=True)
    every = check_int(every, "every", minimum=0)
    if every and not callable(evaluate):
        raise TypeError(f"evaluate must be a function of the ensemble when every > 0, got "
                        f"{type(evaluate).__name__}")

    def outputs() -> torch.Tensor:
        out = ensemble(x)
        return out[0] if isinstance(out, tuple) else out

    opt = torch.optim.Adam(ensemble.parameters(), lr=lr)
    records: list[tuple[int, Any]] = []
    weights = None
    for epoch in range(1, epochs + 1):
        ensemble.train()
        pred = outputs()
        if weights is None:
            _check_targets(y, pred)
            weights = _check_mask(mask, pred)
            weights = weights / weights.flatten(1).sum(1).view(-1, *[1] * y.dim())
        loss = (weights * (pred - y) ** 2).sum()
        if not torch.isfinite(loss):
            raise FloatingPointError(f"the loss became {loss.item()} at epoch {epoch}; "
                                     "lower lr or scale the data")
        opt.zero_grad()
        loss.backward()
        opt.step()
        if every and epoch % every == 0:
            ensemble.eval()
            with torch.no_grad():
                records.append((epoch, evaluate(ensemble)))
    ensemble.eval()
    return records
