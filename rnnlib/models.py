"""Forecasting models built from torch's recurrent layers plus a linear head."""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from rnnlib._checks import check_int

_LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


def _recurrent(cell: str, input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
    if cell not in _LAYERS:
        raise ValueError(f"cell must be one of {sorted(_LAYERS)}, got {cell!r}")
    input_size = check_int(input_size, "input_size", minimum=1)
    hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
    num_layers = check_int(num_layers, "num_layers", minimum=1)
    return _LAYERS[cell](input_size, hidden_size, num_layers, batch_first=True)


def _check_x(x: torch.Tensor, input_size: int, weight: torch.Tensor) -> None:
    """Raise unless ``x`` is a ``(batch, time, input_size)`` tensor that ``weight``'s layer
    can read: a floating-point tensor on the same device."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() != 3 or x.shape[-1] != input_size:
        raise ValueError(f"x must have shape (batch, time, {input_size}), got {tuple(x.shape)}")
    if not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor, got dtype {x.dtype} "
                        f"(e.g. x.float())")
    if x.device != weight.device:
        raise ValueError(f"x is on {x.device} but the model is on {weight.device}; move x "
                         f"there first (x.to(device)), or use rnnlib.predict")


class SequenceRegressor(nn.Module):
    """A recurrent layer and a linear head applied at every time step (sequence to sequence).

    ``ŷ_t = W_hy h_t + b_y``: one prediction per input step, e.g. the next value.

    Args:
        input_size: features per step.
        hidden_size: size of the hidden state.
        output_size: predicted values per step.
        num_layers: stacked recurrent layers.
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"``.

    Used in chapters 1, 2, 3, 5 and 8.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int = 1,
                 num_layers: int = 1, cell: Literal["rnn", "lstm", "gru"] = "rnn") -> None:
        super().__init__()
        self.input_size = input_size
        self.rnn = _recurrent(cell, input_size, hidden_size, num_layers)
        self.head = nn.Linear(hidden_size, check_int(output_size, "output_size", minimum=1))

    def forward(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """``x``: ``(batch, time, input_size)``; ``state``: the layer's state or ``None``.

        Returns ``(y, state)``: predictions ``(batch, time, output_size)`` and the final
        state (``h_n``, or ``(h_n, c_n)`` for an LSTM, each ``(num_layers, batch, hidden)``).
        """
        _check_x(x, self.input_size, self.head.weight)
        out, state = self.rnn(x, state)
        return self.head(out), state


class WindowRegressor(nn.Module):
    """Reads a look-back window and predicts from the last hidden state (many to one).

    Args:
        input_size: features per step.
        hidden_size: size of the hidden state.
        output_size: values predicted per window.
        num_layers: stacked recurrent layers.
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"``.

    Used in chapters 1, 4, 5, 6, 7 and 8.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int = 1,
                 num_layers: int = 1, cell: Literal["rnn", "lstm", "gru"] = "lstm") -> None:
        super().__init__()
        self.input_size = input_size
        self.rnn = _recurrent(cell, input_size, hidden_size, num_layers)
        self.head = nn.Linear(hidden_size, check_int(output_size, "output_size", minimum=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: ``(batch, lookback, input_size)`` -> ``(batch, output_size)``."""
        _check_x(x, self.input_size, self.head.weight)
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


class Seq2Seq(nn.Module):
    """An encoder-decoder for multi-step forecasts (sequence to sequence).

    The encoder reads the look-back window; its final state starts the decoder, which
    makes one step per future value, each step reading the value before it (the window's
    last target value at the first step) and forecasting the next with a linear head.

    * ``model(x, teacher)``, **teacher forcing**: the decoder reads the true previous
      values ``teacher[:, :-1]``, all in one call of the recurrent layer (for training);
    * ``model(x)``, **free running**: it reads its own previous forecast, one step at a
      time, as it must when forecasting (and may in training too).

    Args:
        input_size: features per input step.
        hidden_size: size of the hidden state of encoder and decoder.
        horizon: future steps forecast.
        target_col: the input feature that is the series forecast (fed to the decoder).
        cell: ``"rnn"``, ``"lstm"`` or ``"gru"``.

    Used in chapter 7.
    """

    def __init__(self, input_size: int, hidden_size: int, horizon: int, target_col: int = 0,
                 cell: Literal["rnn", "lstm", "gru"] = "lstm") -> None:
        super().__init__()
        self.input_size = input_size
        self.horizon = check_int(horizon, "horizon", minimum=1)
        self.target_col = check_int(target_col, "target_col", minimum=0)
        if self.target_col >= check_int(input_size, "input_size", minimum=1):
            raise ValueError(f"target_col {target_col} is out of range for {input_size} "
                             f"input features")
        self.encoder = _recurrent(cell, input_size, hidden_size, 1)
        self.decoder = _recurrent(cell, 1, hidden_size, 1)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor, teacher: torch.Tensor | None = None) -> torch.Tensor:
        """``x``: ``(batch, lookback, input_size)``; ``teacher``: ``None`` or the true
        future values ``(batch, horizon)``. Returns the forecasts ``(batch, horizon)``."""
        _check_x(x, self.input_size, self.head.weight)
        _, state = self.encoder(x)
        first = x[:, -1:, self.target_col:self.target_col + 1]      # (batch, 1, 1)
        if teacher is not None:
            if not isinstance(teacher, torch.Tensor) or teacher.shape != (len(x), self.horizon):
                got = (tuple(teacher.shape) if isinstance(teacher, torch.Tensor)
                       else type(teacher).__name__)
                raise ValueError(f"teacher must be a tensor of shape "
                                 f"{(len(x), self.horizon)} (batch, horizon), got {got}")
            inputs = torch.cat([first, teacher[:, :-1, None].to(x.dtype)], dim=1)
            out, _ = self.decoder(inputs, state)
            return self.head(out)[..., 0]
        prev, outputs = first, []
        for _ in range(self.horizon):
            out, state = self.decoder(prev, state)
            prev = self.head(out)                                   # (batch, 1, 1)
            outputs.append(prev)
        return torch.cat(outputs, dim=1)[..., 0]
