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
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype} "
                        f"(e.g. {name}.float())")


def _check_step(x: torch.Tensor, h: torch.Tensor | None, input_size: int,
                hidden_size: int) -> torch.Tensor:
    """Check one step's input and hidden state; return ``h``, zeros when it is ``None``."""
    _check_input(x, input_size)
    if h is None:
        return x.new_zeros(x.shape[0], hidden_size)
    _check_state(h, (x.shape[0], hidden_size), "h", "(batch, hidden_size)")
    return h


class RNNCell(nn.Module):
    """One step of the Elman RNN: ``h_t = tanh(W_xh x_t + b_xh + W_hh h_{t-1} + b_hh)``.

    Args:
        input_size: features per time step.
        hidden_size: size of the hidden state.

    Used in chapter 2.
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
        h = _check_step(x, h, self.input_size, self.hidden_size)
        return torch.tanh(self.x2h(x) + self.h2h(h))


class _Stacked(nn.Module):
    """Stacked cells unrolled over time with a Python loop (base of RNN, LSTM and GRU).

    Layer ``ℓ`` reads the hidden states of layer ``ℓ - 1`` as its input; subclasses set
    ``cell_class`` and turn per-layer states into torch's stacked layout.
    """

    cell_class: type[nn.Module]

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1) -> None:
        super().__init__()
        self.input_size = check_int(input_size, "input_size", minimum=1)
        self.hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
        self.num_layers = check_int(num_layers, "num_layers", minimum=1)
        self.cells = nn.ModuleList(
            self.cell_class(input_size if i == 0 else hidden_size, hidden_size)
            for i in range(num_layers))

    def _state_shape(self, x: torch.Tensor) -> tuple[int, int, int]:
        _check_input(x, self.input_size, ndim=3)
        if x.shape[1] == 0:
            raise ValueError(f"x must have at least one time step, got shape {tuple(x.shape)}")
        return (self.num_layers, x.shape[0], self.hidden_size)

    def _unroll(self, x: torch.Tensor, states: list | None) -> tuple[torch.Tensor, list]:
        """Run every layer over every step of ``x`` ``(batch, time, input_size)``, starting
        from ``states`` (one cell state per layer, or ``None`` for zeros). Returns the top
        layer's hidden state at every step, ``(batch, time, hidden)``, and each layer's
        final cell state."""
        layer_input, finals = x, []
        for layer, cell in enumerate(self.cells):
            state = None if states is None else states[layer]
            outputs = []
            for t in range(x.shape[1]):
                state = cell(layer_input[:, t], state)
                outputs.append(state[0] if isinstance(state, tuple) else state)
            layer_input = torch.stack(outputs, dim=1)
            finals.append(state)
        return layer_input, finals

    @classmethod
    def _copy_of(cls, module: nn.Module, name: str) -> _Stacked:
        ours = cls(module.input_size, module.hidden_size, module.num_layers)
        for i, cell in enumerate(ours.cells):
            _copy_cell(cell, module, f"_l{i}", name)
        return ours


class _HiddenStateOnly(_Stacked):
    """Stacked cells whose state is one hidden state per layer (RNN and GRU)."""

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
        shape = self._state_shape(x)
        if h0 is not None:
            _check_state(h0, shape, "h0", "(num_layers, batch, hidden_size)")
        output, finals = self._unroll(x, None if h0 is None else list(h0.unbind(0)))
        return output, torch.stack(finals)


class RNN(_HiddenStateOnly):
    """A multi-layer Elman RNN unrolled over time with a Python loop.

    It computes what ``nn.RNN(input_size, hidden_size, num_layers, batch_first=True)``
    computes: layer ``ℓ`` reads the hidden states of layer ``ℓ - 1`` as its input.

    Args:
        input_size: features per time step.
        hidden_size: size of each layer's hidden state.
        num_layers: number of stacked layers.

    Used in chapter 2.
    """

    cell_class = RNNCell

    @classmethod
    def from_torch(cls, rnn: nn.RNN) -> RNN:
        """A scratch RNN with a copy of the weights (dtype and device too) of a ``nn.RNN``
        (tanh, with biases, unidirectional, batch-first). The copy has no dropout between
        layers, so it agrees with ``rnn`` in eval mode."""
        if not isinstance(rnn, nn.RNN):
            raise TypeError(f"rnn must be a torch.nn.RNN, got {type(rnn).__name__}")
        if rnn.nonlinearity != "tanh" or not rnn.bias or rnn.bidirectional:
            raise ValueError("rnn must use tanh, have biases and be unidirectional")
        _check_layer(rnn, nn.RNN, "rnn")
        return cls._copy_of(rnn, "rnn")


# --- Gated cells: LSTM and GRU (chapter 4) ---


def _check_state(h: torch.Tensor, shape: tuple[int, ...], name: str, want: str) -> None:
    if not isinstance(h, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(h).__name__}")
    if tuple(h.shape) != shape:
        raise ValueError(f"{name} must have shape {want} = {shape}, got {tuple(h.shape)}")


def _check_lstm_state(state: object, shape: tuple[int, ...], want: str,
                      names: tuple[str, str] = ("h", "c")) -> tuple[torch.Tensor, torch.Tensor]:
    if not (isinstance(state, (tuple, list)) and len(state) == 2):
        raise TypeError(f"state must be a pair ({names[0]}, {names[1]}) of tensors or None, "
                        f"got {type(state).__name__}")
    for t, name in zip(state, names):
        _check_state(t, shape, name, want)
    return state[0], state[1]


_Gates = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


def _uniform_init(module: nn.Module, hidden_size: int) -> None:
    bound = hidden_size ** -0.5  # torch's initialisation of nn.LSTM and nn.GRU
    for p in module.parameters():
        nn.init.uniform_(p, -bound, bound)


class LSTMCell(nn.Module):
    """One step of the LSTM, computing what ``nn.LSTMCell`` computes.

    With ``z = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh`` of size ``4 * hidden_size``, split
    in torch's order into ``z_i, z_f, z_g, z_o``::

        i_t = σ(z_i),  f_t = σ(z_f),  g_t = tanh(z_g),  o_t = σ(z_o)
        c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t,       h_t = o_t ⊙ tanh(c_t)

    ``x2h`` holds ``W_xh, b_xh`` (torch's ``weight_ih, bias_ih``, shape
    ``(4 * hidden, input)``) and ``h2h`` holds ``W_hh, b_hh`` (``weight_hh, bias_hh``), so
    weights copy one-to-one.

    Args:
        input_size: features per time step.
        hidden_size: size of the hidden and cell states.

    Used in chapter 4.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size = check_int(input_size, "input_size", minimum=1)
        self.hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
        self.x2h = nn.Linear(input_size, 4 * hidden_size)  # W_xh, b_xh for i, f, g, o
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size)  # W_hh, b_hh for i, f, g, o
        _uniform_init(self, hidden_size)

    def _check_step(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None
                    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Check ``x`` and ``state``; return ``(h, c)``, zeros when ``state`` is ``None``."""
        _check_input(x, self.input_size)
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.hidden_size)
            return zeros, zeros
        return _check_lstm_state(state, (x.shape[0], self.hidden_size),
                                 "(batch, hidden_size)")

    def gates(self, x: torch.Tensor,
              state: tuple[torch.Tensor, torch.Tensor] | None = None) -> _Gates:
        """The three gates and the cell candidate at one step, without updating the state.

        Args:
            x: input, shape ``(batch, input_size)``.
            state: ``(h, c)``, each ``(batch, hidden_size)``; zeros if ``None``.

        Returns:
            ``(i, f, g, o)``: input gate, forget gate, cell candidate and output gate,
            each ``(batch, hidden_size)``.
        """
        h, _ = self._check_step(x, state)
        z_i, z_f, z_g, z_o = (self.x2h(x) + self.h2h(h)).chunk(4, dim=1)
        return torch.sigmoid(z_i), torch.sigmoid(z_f), torch.tanh(z_g), torch.sigmoid(z_o)

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """One step.

        Args:
            x: input, shape ``(batch, input_size)``.
            state: ``(h, c)``, each ``(batch, hidden_size)``; zeros if ``None``.

        Returns:
            The new ``(h, c)``, each ``(batch, hidden_size)``.
        """
        h, c = self._check_step(x, state)
        i, f, g, o = self.gates(x, (h, c))
        c = f * c + i * g
        return o * torch.tanh(c), c

    @classmethod
    def from_torch(cls, cell: nn.LSTMCell) -> LSTMCell:
        """A scratch cell with a copy of the weights of a ``nn.LSTMCell`` (with biases)."""
        if not isinstance(cell, nn.LSTMCell):
            raise TypeError(f"cell must be a torch.nn.LSTMCell, got {type(cell).__name__}")
        return _copy_cell(cls(cell.input_size, cell.hidden_size), cell, "", "cell")


class GRUCell(nn.Module):
    """One step of the GRU, computing what ``nn.GRUCell`` computes.

    ``W_xh`` and ``W_hh`` have ``3 * hidden_size`` rows, in torch's order reset ``r``,
    update ``z``, new ``n`` (the candidate, written ``h~_t`` in the book)::

        r_t  = σ(W_xr x_t + b_xr + W_hr h_{t-1} + b_hr)
        z_t  = σ(W_xz x_t + b_xz + W_hz h_{t-1} + b_hz)
        h~_t = tanh(W_xn x_t + b_xn + r_t ⊙ (W_hn h_{t-1} + b_hn))
        h_t  = (1 - z_t) ⊙ h~_t + z_t ⊙ h_{t-1}

    Args:
        input_size: features per time step.
        hidden_size: size of the hidden state.

    Used in no chapter.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size = check_int(input_size, "input_size", minimum=1)
        self.hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
        self.x2h = nn.Linear(input_size, 3 * hidden_size)  # W_xh, b_xh for r, z, n
        self.h2h = nn.Linear(hidden_size, 3 * hidden_size)  # W_hh, b_hh for r, z, n
        _uniform_init(self, hidden_size)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        """One step.

        Args:
            x: input, shape ``(batch, input_size)``.
            h: hidden state, shape ``(batch, hidden_size)``; zeros if ``None``.

        Returns:
            The new ``h``, shape ``(batch, hidden_size)``.
        """
        h = _check_step(x, h, self.input_size, self.hidden_size)
        x_r, x_z, x_n = self.x2h(x).chunk(3, dim=1)
        h_r, h_z, h_n = self.h2h(h).chunk(3, dim=1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        return (1 - z) * n + z * h

    @classmethod
    def from_torch(cls, cell: nn.GRUCell) -> GRUCell:
        """A scratch cell with a copy of the weights of a ``nn.GRUCell`` (with biases)."""
        if not isinstance(cell, nn.GRUCell):
            raise TypeError(f"cell must be a torch.nn.GRUCell, got {type(cell).__name__}")
        return _copy_cell(cls(cell.input_size, cell.hidden_size), cell, "", "cell")


def _copy_cell(ours: nn.Module, theirs: nn.Module, suffix: str, name: str) -> nn.Module:
    """Copy ``weight_ih{suffix}`` etc. of a torch module into a scratch cell's x2h/h2h."""
    if getattr(theirs, f"bias_ih{suffix}", None) is None:
        raise ValueError(f"{name} must have biases (bias=True)")
    with torch.no_grad():
        ours.x2h.weight.copy_(getattr(theirs, f"weight_ih{suffix}"))
        ours.x2h.bias.copy_(getattr(theirs, f"bias_ih{suffix}"))
        ours.h2h.weight.copy_(getattr(theirs, f"weight_hh{suffix}"))
        ours.h2h.bias.copy_(getattr(theirs, f"bias_hh{suffix}"))
    return ours.to(getattr(theirs, f"weight_ih{suffix}"))


def _check_layer(module: nn.Module, kind: type, name: str) -> None:
    if not isinstance(module, kind):
        raise TypeError(f"{name} must be a torch.nn.{kind.__name__}, got {type(module).__name__}")
    if not module.bias or module.bidirectional:
        raise ValueError(f"{name} must have biases and be unidirectional")
    if not module.batch_first:
        raise ValueError(f"{name} must be batch_first=True, as the scratch layers are")
    if getattr(module, "proj_size", 0):
        raise ValueError(f"{name} must have proj_size=0, got {module.proj_size}")


class LSTM(_Stacked):
    """A multi-layer LSTM unrolled over time with a Python loop.

    It computes what ``nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)``
    computes: layer ``ℓ`` reads the hidden states of layer ``ℓ - 1`` as its input.

    Args:
        input_size: features per time step.
        hidden_size: size of each layer's hidden and cell states.
        num_layers: number of stacked layers.

    Used in chapter 4.
    """

    cell_class = LSTMCell

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Run over a batch of sequences.

        Args:
            x: inputs, shape ``(batch, time, input_size)``.
            state: ``(h0, c0)``, each ``(num_layers, batch, hidden_size)``; zeros if ``None``.

        Returns:
            ``(output, (h_n, c_n))``: the last layer's hidden state at every step, shape
            ``(batch, time, hidden_size)``, and every layer's final hidden and cell states,
            each ``(num_layers, batch, hidden_size)``.
        """
        shape = self._state_shape(x)
        states = None
        if state is not None:
            h0, c0 = _check_lstm_state(state, shape, "(num_layers, batch, hidden_size)",
                                       ("h0", "c0"))
            states = list(zip(h0.unbind(0), c0.unbind(0)))
        output, finals = self._unroll(x, states)
        h_n, c_n = zip(*finals)
        return output, (torch.stack(h_n), torch.stack(c_n))

    @classmethod
    def from_torch(cls, lstm: nn.LSTM) -> LSTM:
        """A scratch LSTM with a copy of the weights of a ``nn.LSTM`` (with biases,
        unidirectional, batch-first, ``proj_size=0``). The copy has no dropout between
        layers, so it agrees with ``lstm`` in eval mode."""
        _check_layer(lstm, nn.LSTM, "lstm")
        return cls._copy_of(lstm, "lstm")


class GRU(_HiddenStateOnly):
    """A multi-layer GRU unrolled over time with a Python loop.

    It computes what ``nn.GRU(input_size, hidden_size, num_layers, batch_first=True)``
    computes.

    Args:
        input_size: features per time step.
        hidden_size: size of each layer's hidden state.
        num_layers: number of stacked layers.

    Used in chapter 4.
    """

    cell_class = GRUCell

    @classmethod
    def from_torch(cls, gru: nn.GRU) -> GRU:
        """A scratch GRU with a copy of the weights of a ``nn.GRU`` (with biases,
        unidirectional, batch-first). The copy has no dropout between layers, so it
        agrees with ``gru`` in eval mode."""
        _check_layer(gru, nn.GRU, "gru")
        return cls._copy_of(gru, "gru")
