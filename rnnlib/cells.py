"""Recurrent cells written from scratch, checkable against ``torch.nn`` one-to-one.

Notation (used in every chapter): for input ``x_t`` and previous hidden state
``h_{t-1}``,

    h_t = tanh(W_xh x_t + b_xh + W_hh h_{t-1} + b_hh),      ŷ_t = W_hy h_t + b_y.

A cell holds an input-to-hidden map ``x2h`` (``W_xh``, ``b_xh``) and a hidden-to-hidden
map ``h2h`` (``W_hh``, ``b_hh``), exactly torch's ``weight_ih``/``bias_ih`` and
``weight_hh``/``bias_hh``, so weights copy across unchanged.
"""

from __future__ import annotations

import torch
from torch import nn

from rnnlib._checks import check_int


def _check_input(x: torch.Tensor, input_size: int, name: str = "x", ndim: int = 2) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.dim() != ndim or x.shape[-1] != input_size:
        want = "(batch, input_size)" if ndim == 2 else "(batch, time, input_size)"
        raise ValueError(f"{name} must have shape {want} with input_size={input_size}, "
                         f"got {tuple(x.shape)}")


class RNNCell(nn.Module):
    """One step of the Elman RNN: ``h_t = tanh(W_xh x_t + b_xh + W_hh h_{t-1} + b_hh)``.

    Args:
        input_size: features per time step.
        hidden_size: size of the hidden state.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size = check_int(input_size, "input_size", minimum=1)
        self.hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
        self.x2h = nn.Linear(input_size, hidden_size)  # W_xh, b_xh
        self.h2h = nn.Linear(hidden_size, hidden_size)  # W_hh, b_hh
        bound = hidden_size ** -0.5  # torch's initialisation of nn.RNN
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        """Args: ``x`` of shape ``(batch, input_size)``, ``h`` of shape
        ``(batch, hidden_size)`` or ``None`` for zeros. Returns the new ``h``."""
        _check_input(x, self.input_size)
        if h is None:
            h = x.new_zeros(x.shape[0], self.hidden_size)
        return torch.tanh(self.x2h(x) + self.h2h(h))


class RNN(nn.Module):
    """A multi-layer Elman RNN unrolled over time with a Python loop.

    It computes what ``nn.RNN(input_size, hidden_size, num_layers, batch_first=True)``
    computes: layer ``l`` reads the hidden states of layer ``l-1`` as its input.

    Args:
        input_size: features per time step.
        hidden_size: size of each layer's hidden state.
        num_layers: number of stacked layers.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1) -> None:
        super().__init__()
        self.input_size = check_int(input_size, "input_size", minimum=1)
        self.hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
        self.num_layers = check_int(num_layers, "num_layers", minimum=1)
        self.cells = nn.ModuleList(
            RNNCell(input_size if i == 0 else hidden_size, hidden_size) for i in range(num_layers))

    def forward(self, x: torch.Tensor,
                h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Run over a batch of sequences.

        Args:
            x: inputs, shape ``(batch, time, input_size)``.
            h0: initial states, shape ``(num_layers, batch, hidden_size)``; zeros if ``None``.

        Returns:
            ``(output, h_n)``: the last layer's hidden state at every step, shape
            ``(batch, time, hidden_size)``, and every layer's final state, shape
            ``(num_layers, batch, hidden_size)``.
        """
        _check_input(x, self.input_size, ndim=3)
        batch = x.shape[0]
        want = (self.num_layers, batch, self.hidden_size)
        if h0 is not None and tuple(h0.shape) != want:
            raise ValueError(f"h0 must have shape (num_layers, batch, hidden_size) = {want}, "
                             f"got {tuple(h0.shape)}")
        layer_input, finals = x, []
        for i, cell in enumerate(self.cells):
            h = None if h0 is None else h0[i]
            outputs = []
            for t in range(x.shape[1]):
                h = cell(layer_input[:, t], h)
                outputs.append(h)
            layer_input = torch.stack(outputs, dim=1)
            finals.append(h)
        return layer_input, torch.stack(finals)

    @classmethod
    def from_torch(cls, rnn: nn.RNN) -> RNN:
        """A scratch RNN with a copy of the weights of a ``nn.RNN`` (tanh, with biases,
        unidirectional)."""
        if not isinstance(rnn, nn.RNN):
            raise TypeError(f"rnn must be a torch.nn.RNN, got {type(rnn).__name__}")
        if rnn.nonlinearity != "tanh" or not rnn.bias or rnn.bidirectional:
            raise ValueError("rnn must use tanh, have biases and be unidirectional")
        ours = cls(rnn.input_size, rnn.hidden_size, rnn.num_layers)
        with torch.no_grad():
            for i, cell in enumerate(ours.cells):
                cell.x2h.weight.copy_(getattr(rnn, f"weight_ih_l{i}"))
                cell.x2h.bias.copy_(getattr(rnn, f"bias_ih_l{i}"))
                cell.h2h.weight.copy_(getattr(rnn, f"weight_hh_l{i}"))
                cell.h2h.bias.copy_(getattr(rnn, f"bias_hh_l{i}"))
        return ours.to(rnn.weight_ih_l0.device)
