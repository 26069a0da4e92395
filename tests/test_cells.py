"""Tests for the Elman RNN part of rnnlib.cells: RNNCell, RNN and RNN.from_torch."""

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnnlib.cells import RNN, RNNCell


def _grads(module: nn.Module) -> list[torch.Tensor]:
    return [p.grad for p in module.parameters()]


def _torch_order(ours: RNN) -> list[torch.Tensor]:
    """Our gradients in nn.RNN's parameter order (weight_ih, weight_hh, bias_ih, bias_hh)."""
    out = []
    for cell in ours.cells:
        out += [cell.x2h.weight.grad, cell.h2h.weight.grad, cell.x2h.bias.grad,
                cell.h2h.bias.grad]
    return out


def test_cell_is_the_equation():
    torch.manual_seed(0)
    cell = RNNCell(3, 4)
    x, h = torch.randn(5, 3), torch.randn(5, 4)
    want = torch.tanh(x @ cell.x2h.weight.T + cell.x2h.bias + h @ cell.h2h.weight.T
                      + cell.h2h.bias)
    assert_close(cell(x, h), want)
    assert_close(cell(x), cell(x, torch.zeros(5, 4)))  # None means a zero state


def test_cell_matches_torch_rnncell_outputs_and_grads():
    torch.manual_seed(1)
    theirs = nn.RNNCell(3, 4)
    ours = RNNCell(3, 4)
    with torch.no_grad():
        ours.x2h.weight.copy_(theirs.weight_ih)
        ours.x2h.bias.copy_(theirs.bias_ih)
        ours.h2h.weight.copy_(theirs.weight_hh)
        ours.h2h.bias.copy_(theirs.bias_hh)
    x, h = torch.randn(6, 3), torch.randn(6, 4)
    a, b = ours(x, h), theirs(x, h)
    assert_close(a, b)
    a.pow(2).sum().backward()
    b.pow(2).sum().backward()
    assert_close([ours.x2h.weight.grad, ours.h2h.weight.grad, ours.x2h.bias.grad,
                  ours.h2h.bias.grad],
                 [theirs.weight_ih.grad, theirs.weight_hh.grad, theirs.bias_ih.grad,
                  theirs.bias_hh.grad])


def test_cell_init_like_torch():
    torch.manual_seed(2)
    cell = RNNCell(2, 16)
    for p in cell.parameters():
        assert p.abs().max() <= 16 ** -0.5
    assert cell.x2h.weight.shape == (16, 2) and cell.h2h.weight.shape == (16, 16)


@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("with_h0", [False, True])
def test_rnn_matches_nn_rnn(num_layers, with_h0):
    torch.manual_seed(3)
    theirs = nn.RNN(3, 5, num_layers, batch_first=True)
    ours = RNN.from_torch(theirs)
    x = torch.randn(4, 7, 3)
    h0 = torch.randn(num_layers, 4, 5) if with_h0 else None
    out_a, h_a = ours(x, h0)
    out_b, h_b = theirs(x, h0)
    assert out_a.shape == (4, 7, 5) and h_a.shape == (num_layers, 4, 5)
    assert_close(out_a, out_b)
    assert_close(h_a, h_b)
    (out_a.sum() + h_a.pow(2).sum()).backward()
    (out_b.sum() + h_b.pow(2).sum()).backward()
    assert_close(_torch_order(ours), _grads(theirs))


def test_rnn_gradient_wrt_input_and_h0_matches():
    torch.manual_seed(4)
    theirs = nn.RNN(2, 3, 2, batch_first=True).double()
    ours = RNN.from_torch(theirs).double()
    x = torch.randn(2, 5, 2, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(2, 2, 3, dtype=torch.float64, requires_grad=True)
    ga = torch.autograd.grad(ours(x, h0)[0][:, -1].sum(), (x, h0))
    gb = torch.autograd.grad(theirs(x, h0)[0][:, -1].sum(), (x, h0))
    assert_close(ga, gb)


def test_rnn_final_state_is_last_output_of_top_layer():
    ours = RNN(2, 3, 2)
    out, h_n = ours(torch.randn(4, 6, 2))
    assert_close(h_n[-1], out[:, -1])


def test_from_torch_copies_not_shares():
    theirs = nn.RNN(2, 3, batch_first=True)
    ours = RNN.from_torch(theirs)
    with torch.no_grad():
        ours.cells[0].h2h.weight.zero_()
    assert theirs.weight_hh_l0.abs().sum() > 0


def test_bad_sizes():
    for bad in (0, -1):
        with pytest.raises(ValueError, match="hidden_size"):
            RNNCell(2, bad)
        with pytest.raises(ValueError, match="num_layers"):
            RNN(2, 3, bad)
    with pytest.raises(TypeError, match="input_size"):
        RNNCell(2.0, 3)
    with pytest.raises(TypeError, match="hidden_size"):
        RNN(2, True)


def test_bad_input():
    cell, rnn = RNNCell(2, 3), RNN(2, 3, 2)
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        cell([[0.0, 1.0]])
    with pytest.raises(ValueError, match="input_size=2"):
        cell(torch.randn(4, 3))
    with pytest.raises(ValueError, match=r"\(batch, input_size\)"):
        cell(torch.randn(4, 5, 2))
    with pytest.raises(ValueError, match=r"\(batch, time, input_size\)"):
        rnn(torch.randn(4, 2))
    with pytest.raises(ValueError, match="input_size=2"):
        rnn(torch.randn(4, 5, 3))
    with pytest.raises(ValueError, match="h0"):
        rnn(torch.randn(4, 5, 2), torch.zeros(1, 4, 3))  # one layer's state for two
    with pytest.raises(ValueError, match="h0"):
        rnn(torch.randn(4, 5, 2), torch.zeros(2, 3, 3))  # wrong batch


def test_from_torch_bad_input():
    with pytest.raises(TypeError, match="nn.RNN"):
        RNN.from_torch(nn.GRU(2, 3))
    with pytest.raises(TypeError, match="nn.RNN"):
        RNN.from_torch(RNN(2, 3))
    for kwargs in ({"nonlinearity": "relu"}, {"bias": False}, {"bidirectional": True}):
        with pytest.raises(ValueError, match="tanh"):
            RNN.from_torch(nn.RNN(2, 3, **kwargs))


def test_rnn_rejects_empty_sequences_and_non_batch_first_torch_rnns():
    with pytest.raises(ValueError, match="at least one time step"):
        RNN(2, 3)(torch.randn(4, 0, 2))
    with pytest.raises(ValueError, match="batch_first"):
        RNN.from_torch(nn.RNN(2, 3))
    torch_rnn = nn.RNN(2, 3, num_layers=2, batch_first=True, dropout=0.5).eval()
    x = torch.randn(4, 5, 2)
    torch.testing.assert_close(RNN.from_torch(torch_rnn)(x), torch_rnn(x))  # eval: no dropout


def test_from_torch_keeps_dtype():
    ours = RNN.from_torch(nn.RNN(2, 3, batch_first=True).double())
    assert next(ours.parameters()).dtype == torch.float64


def test_cell_rejects_wrong_state_shape():
    with pytest.raises(ValueError, match="h"):
        RNNCell(2, 3)(torch.randn(4, 2), torch.zeros(1, 3))


def test_rnn_rejects_non_tensor_h0():
    with pytest.raises(TypeError, match="h0"):
        RNN(2, 3)(torch.randn(4, 5, 2), [[0.0]])


def test_cells_name_an_integer_input():
    """Before: torch's "mat1 and mat2 must have the same dtype" from inside a matmul."""
    from rnnlib.cells import GRUCell, LSTMCell, RNNCell
    for cell in (RNNCell(1, 2), LSTMCell(1, 2), GRUCell(1, 2)):
        with pytest.raises(TypeError, match="x must be a floating-point tensor"):
            cell(torch.ones(3, 1, dtype=torch.long))
