"""Tests for the gated part of rnnlib.cells: LSTMCell, GRUCell, LSTM, GRU and from_torch."""

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnnlib.cells import GRU, LSTM, GRUCell, LSTMCell


def _cell_grads(cell: nn.Module) -> list[torch.Tensor]:
    """Our gradients in torch's order (weight_ih, weight_hh, bias_ih, bias_hh)."""
    return [cell.x2h.weight.grad, cell.h2h.weight.grad, cell.x2h.bias.grad, cell.h2h.bias.grad]


def _layer_grads(ours: nn.Module) -> list[torch.Tensor]:
    return [g for cell in ours.cells for g in _cell_grads(cell)]


# --- LSTMCell -------------------------------------------------------------------------

def test_lstm_cell_is_the_equations():
    torch.manual_seed(0)
    cell = LSTMCell(3, 4)
    x, h, c = torch.randn(5, 3), torch.randn(5, 4), torch.randn(5, 4)
    z = x @ cell.x2h.weight.T + cell.x2h.bias + h @ cell.h2h.weight.T + cell.h2h.bias
    i, f, g, o = torch.sigmoid(z[:, :4]), torch.sigmoid(z[:, 4:8]), torch.tanh(z[:, 8:12]), \
        torch.sigmoid(z[:, 12:])
    c_new = f * c + i * g
    h_new, c_out = cell(x, (h, c))
    assert_close(c_out, c_new)
    assert_close(h_new, o * torch.tanh(c_new))
    assert_close(cell.gates(x, (h, c)), (i, f, g, o))
    zeros = torch.zeros(5, 4)
    assert_close(cell(x), cell(x, (zeros, zeros)))  # None means zero states


def test_lstm_cell_matches_torch_outputs_and_grads():
    torch.manual_seed(1)
    theirs = nn.LSTMCell(3, 4)
    ours = LSTMCell.from_torch(theirs)
    x, h, c = torch.randn(6, 3), torch.randn(6, 4), torch.randn(6, 4)
    (ha, ca), (hb, cb) = ours(x, (h, c)), theirs(x, (h, c))
    assert_close(ha, hb)
    assert_close(ca, cb)
    (ha.pow(2).sum() + ca.sum()).backward()
    (hb.pow(2).sum() + cb.sum()).backward()
    assert_close(_cell_grads(ours),
                 [theirs.weight_ih.grad, theirs.weight_hh.grad, theirs.bias_ih.grad,
                  theirs.bias_hh.grad])


def test_lstm_cell_shapes_and_init():
    torch.manual_seed(2)
    cell = LSTMCell(2, 16)
    assert cell.x2h.weight.shape == (64, 2) and cell.h2h.weight.shape == (64, 16)
    for p in cell.parameters():
        assert p.abs().max() <= 16 ** -0.5
    gates = cell.gates(torch.randn(3, 2))
    assert len(gates) == 4 and all(g.shape == (3, 16) for g in gates)
    i, f, g, o = gates
    for gate in (i, f, o):
        assert ((gate > 0) & (gate < 1)).all()
    assert (g.abs() < 1).all()


def test_lstm_cell_bad_input():
    cell = LSTMCell(3, 4)
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        cell([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="input_size=3"):
        cell(torch.randn(5, 2))
    with pytest.raises(ValueError, match=r"\(batch, input_size\)"):
        cell(torch.randn(5, 1, 3))
    with pytest.raises(TypeError, match="state must be a pair"):
        cell(torch.randn(5, 3), torch.zeros(5, 4))
    with pytest.raises(ValueError, match="c must have shape"):
        cell(torch.randn(5, 3), (torch.zeros(5, 4), torch.zeros(5, 3)))
    with pytest.raises(ValueError, match="h must have shape"):
        cell.gates(torch.randn(5, 3), (torch.zeros(4, 4), torch.zeros(5, 4)))
    with pytest.raises(TypeError, match="hidden_size must be an int"):
        LSTMCell(3, 4.0)
    with pytest.raises(ValueError, match="input_size must be >= 1"):
        LSTMCell(0, 4)
    with pytest.raises(TypeError, match="nn.LSTMCell"):
        LSTMCell.from_torch(nn.GRUCell(3, 4))
    with pytest.raises(ValueError, match="cell must have biases"):
        LSTMCell.from_torch(nn.LSTMCell(3, 4, bias=False))


# --- GRUCell --------------------------------------------------------------------------

def test_gru_cell_is_the_equations():
    torch.manual_seed(3)
    cell = GRUCell(3, 4)
    x, h = torch.randn(5, 3), torch.randn(5, 4)
    gx = x @ cell.x2h.weight.T + cell.x2h.bias
    gh = h @ cell.h2h.weight.T + cell.h2h.bias
    r = torch.sigmoid(gx[:, :4] + gh[:, :4])
    z = torch.sigmoid(gx[:, 4:8] + gh[:, 4:8])
    n = torch.tanh(gx[:, 8:] + r * gh[:, 8:])
    assert_close(cell(x, h), (1 - z) * n + z * h)
    assert_close(cell(x), cell(x, torch.zeros(5, 4)))


def test_gru_cell_matches_torch_outputs_and_grads():
    torch.manual_seed(4)
    theirs = nn.GRUCell(3, 4)
    ours = GRUCell.from_torch(theirs)
    x, h = torch.randn(6, 3), torch.randn(6, 4)
    a, b = ours(x, h), theirs(x, h)
    assert_close(a, b)
    a.pow(2).sum().backward()
    b.pow(2).sum().backward()
    assert_close(_cell_grads(ours),
                 [theirs.weight_ih.grad, theirs.weight_hh.grad, theirs.bias_ih.grad,
                  theirs.bias_hh.grad])


def test_gru_cell_bad_input():
    cell = GRUCell(3, 4)
    with pytest.raises(ValueError, match="input_size=3"):
        cell(torch.randn(5, 4))
    with pytest.raises(TypeError, match="h must be a torch.Tensor"):
        cell(torch.randn(5, 3), [0.0] * 4)
    with pytest.raises(ValueError, match="h must have shape"):
        cell(torch.randn(5, 3), torch.zeros(5, 5))
    with pytest.raises(TypeError, match="nn.GRUCell"):
        GRUCell.from_torch(nn.LSTMCell(3, 4))
    with pytest.raises(ValueError, match="cell must have biases"):
        GRUCell.from_torch(nn.GRUCell(3, 4, bias=False))


# --- multi-layer LSTM and GRU ---------------------------------------------------------

@pytest.mark.parametrize("layers", [1, 2])
def test_lstm_matches_torch_outputs_states_and_grads(layers):
    torch.manual_seed(5)
    theirs = nn.LSTM(3, 5, num_layers=layers, batch_first=True)
    ours = LSTM.from_torch(theirs)
    x = torch.randn(4, 7, 3)
    h0, c0 = torch.randn(layers, 4, 5), torch.randn(layers, 4, 5)
    out_a, (h_a, c_a) = ours(x, (h0, c0))
    out_b, (h_b, c_b) = theirs(x, (h0, c0))
    assert_close(out_a, out_b)
    assert_close(h_a, h_b)
    assert_close(c_a, c_b)
    assert_close(out_a[:, -1], h_a[-1])
    (out_a.pow(2).sum() + c_a.sum()).backward()
    (out_b.pow(2).sum() + c_b.sum()).backward()
    theirs_grads = [p.grad for p in theirs.parameters()]  # ih, hh, b_ih, b_hh per layer
    assert_close(_layer_grads(ours), theirs_grads)
    # Zero initial states by default, as in torch.
    assert_close(ours(x)[0], theirs(x)[0])


@pytest.mark.parametrize("layers", [1, 2])
def test_gru_matches_torch_outputs_states_and_grads(layers):
    torch.manual_seed(6)
    theirs = nn.GRU(3, 5, num_layers=layers, batch_first=True)
    ours = GRU.from_torch(theirs)
    x, h0 = torch.randn(4, 7, 3), torch.randn(layers, 4, 5)
    out_a, h_a = ours(x, h0)
    out_b, h_b = theirs(x, h0)
    assert_close(out_a, out_b)
    assert_close(h_a, h_b)
    out_a.pow(2).sum().backward()
    out_b.pow(2).sum().backward()
    assert_close(_layer_grads(ours), [p.grad for p in theirs.parameters()])
    assert_close(ours(x)[0], theirs(x)[0])


def test_from_torch_copies_dtype_and_eval_dropout():
    torch.manual_seed(7)
    theirs = nn.LSTM(2, 3, num_layers=2, dropout=0.5, batch_first=True).double().eval()
    ours = LSTM.from_torch(theirs)
    assert ours.cells[0].x2h.weight.dtype == torch.float64
    x = torch.randn(2, 4, 2, dtype=torch.float64)
    assert_close(ours(x)[0], theirs(x)[0])


def test_layers_bad_input():
    lstm, gru = LSTM(3, 4, num_layers=2), GRU(3, 4)
    with pytest.raises(ValueError, match=r"\(batch, time, input_size\)"):
        lstm(torch.randn(5, 3))
    with pytest.raises(ValueError, match="input_size=3"):
        gru(torch.randn(5, 6, 2))
    with pytest.raises(TypeError, match="state must be a pair"):
        lstm(torch.randn(5, 6, 3), torch.zeros(2, 5, 4))
    with pytest.raises(ValueError, match="c0 must have shape"):
        lstm(torch.randn(5, 6, 3), (torch.zeros(2, 5, 4), torch.zeros(1, 5, 4)))
    with pytest.raises(ValueError, match="h0 must have shape"):
        gru(torch.randn(5, 6, 3), torch.zeros(5, 4))
    with pytest.raises(ValueError, match="num_layers must be >= 1"):
        LSTM(3, 4, num_layers=0)
    with pytest.raises(TypeError, match="nn.LSTM"):
        LSTM.from_torch(nn.GRU(3, 4, batch_first=True))
    with pytest.raises(TypeError, match="nn.GRU"):
        GRU.from_torch(nn.LSTM(3, 4, batch_first=True))
    with pytest.raises(ValueError, match="unidirectional"):
        LSTM.from_torch(nn.LSTM(3, 4, bidirectional=True, batch_first=True))
    with pytest.raises(ValueError, match="biases"):
        GRU.from_torch(nn.GRU(3, 4, bias=False, batch_first=True))
    with pytest.raises(ValueError, match="batch_first=True"):
        GRU.from_torch(nn.GRU(3, 4))
    with pytest.raises(ValueError, match="proj_size=0"):
        LSTM.from_torch(nn.LSTM(3, 4, proj_size=2, batch_first=True))
