"""Tests for rnnlib.gradients: hidden_grad_norms and spectral_radius."""

import numpy as np
import pytest
import torch
from torch import nn

from rnnlib.cells import RNN
from rnnlib.gradients import hidden_grad_norms, spectral_radius
from rnnlib.models import SequenceRegressor


def _reference_norms(layer: nn.Module, x: torch.Tensor) -> np.ndarray:
    """dL/dh_t by restarting the graph at h_t: an independent, O(T^2) computation."""
    T = x.shape[1]
    norms = []
    for t in range(T):
        state = None
        with torch.no_grad():
            for s in range(t + 1):
                out, state = layer(x[:, s:s + 1], state)
        h = out[:, 0].clone().requires_grad_(True)
        if isinstance(state, tuple):
            rest = state[0][:-1].detach()
            state = (torch.cat([rest, h.unsqueeze(0)]), state[1].detach())
        else:
            state = torch.cat([state[:-1].detach(), h.unsqueeze(0)])
        last = h
        for s in range(t + 1, T):
            out, state = layer(x[:, s:s + 1], state)
            last = out[:, 0]
        (g,) = torch.autograd.grad(last.sum(), h)
        norms.append(g.norm(dim=-1).mean().item())
    return np.array(norms)


@pytest.mark.parametrize("kind,layers", [("rnn", 1), ("rnn", 2), ("lstm", 1), ("lstm", 2),
                                         ("gru", 2)])
def test_matches_restarted_graph(kind, layers):
    torch.manual_seed(0)
    cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
    layer = cls(3, 8, layers, batch_first=True).double()
    x = torch.randn(4, 7, 3, dtype=torch.float64)
    got = hidden_grad_norms(layer, x)
    assert got.shape == (7,) and got.dtype == np.float64
    np.testing.assert_allclose(got, _reference_norms(layer, x), rtol=1e-10)
    # L = sum of the last output, so dL/dh_T is a vector of ones.
    assert got[-1] == pytest.approx(np.sqrt(8))


def test_matches_jacobian_product_for_elman_rnn():
    torch.manual_seed(1)
    layer = nn.RNN(2, 5, batch_first=True).double()
    x = torch.randn(3, 6, 2, dtype=torch.float64)
    with torch.no_grad():
        hs, _ = layer(x)  # (batch, time, hidden)
    w = layer.weight_hh_l0
    g = torch.ones(3, 5, dtype=torch.float64)
    want = [g.norm(dim=-1).mean().item()]
    for t in range(5, 0, -1):  # dL/dh_{t-1} = W_hh^T diag(1 - h_t^2) dL/dh_t
        g = (g * (1 - hs[:, t] ** 2)) @ w
        want.append(g.norm(dim=-1).mean().item())
    np.testing.assert_allclose(hidden_grad_norms(layer, x), want[::-1], rtol=1e-10)


def test_scratch_rnn_gives_the_same_norms_as_torch():
    torch.manual_seed(2)
    layer = nn.RNN(2, 6, 2, batch_first=True)
    x = torch.randn(3, 9, 2)
    np.testing.assert_allclose(hidden_grad_norms(RNN.from_torch(layer), x),
                               hidden_grad_norms(layer, x), rtol=1e-4)


@pytest.mark.parametrize("radius,rising", [(0.5, False), (1.5, True)])
def test_vanishing_and_exploding(radius, rising):
    torch.manual_seed(3)
    layer = nn.RNN(1, 16, batch_first=True)
    with torch.no_grad():
        nn.init.orthogonal_(layer.weight_hh_l0, gain=radius)
        layer.bias_ih_l0.zero_()
        layer.bias_hh_l0.zero_()
    x = 1e-4 * torch.randn(8, 12, 1)  # tiny inputs keep tanh in its linear range
    norms = hidden_grad_norms(layer, x)
    steps = np.diff(norms[::-1])  # along increasing distance from the loss
    assert np.all(steps > 0) if rising else np.all(steps < 0)
    slope = np.polyfit(np.arange(12), np.log(norms[::-1]), 1)[0]
    assert slope == pytest.approx(np.log(radius), abs=0.02)


def test_leaves_parameter_grads_and_mode_alone():
    layer = nn.GRU(2, 4, batch_first=True)
    layer.eval()
    hidden_grad_norms(layer, torch.randn(2, 5, 2))
    assert all(p.grad is None for p in layer.parameters())
    assert not layer.training


def test_works_under_no_grad():
    layer = nn.LSTM(2, 4, batch_first=True)
    with torch.no_grad():
        norms = hidden_grad_norms(layer, torch.randn(2, 5, 2))
    assert np.all(np.isfinite(norms)) and norms.shape == (5,)


def test_bad_input():
    layer = nn.RNN(2, 4, batch_first=True)
    with pytest.raises(TypeError, match="layer"):
        hidden_grad_norms("rnn", torch.randn(2, 5, 2))
    with pytest.raises(TypeError, match="x"):
        hidden_grad_norms(layer, np.zeros((2, 5, 2)))
    with pytest.raises(TypeError, match="floating"):
        hidden_grad_norms(layer, torch.zeros(2, 5, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="batch, time, features"):
        hidden_grad_norms(layer, torch.randn(5, 2))
    with pytest.raises(ValueError, match="batch, time, features"):
        hidden_grad_norms(layer, torch.randn(2, 0, 2))
    with pytest.raises(ValueError, match="batch_first"):
        hidden_grad_norms(nn.RNN(2, 4), torch.randn(2, 5, 2))
    with pytest.raises(ValueError, match="unidirectional"):
        hidden_grad_norms(nn.GRU(2, 4, batch_first=True, bidirectional=True),
                          torch.randn(2, 5, 2))
    with pytest.raises(ValueError, match="hidden state"):
        hidden_grad_norms(SequenceRegressor(2, 4), torch.randn(2, 5, 2))
    with pytest.raises(RuntimeError):  # wrong feature count: torch's own message
        hidden_grad_norms(layer, torch.randn(2, 5, 3))


def test_spectral_radius():
    assert spectral_radius(np.diag([0.5, -2.0, 1.0])) == pytest.approx(2.0)
    rotation = torch.tensor([[0.0, -1.5], [1.5, 0.0]])  # eigenvalues +-1.5i
    assert spectral_radius(rotation) == pytest.approx(1.5)
    w = torch.empty(20, 20)
    nn.init.orthogonal_(w, gain=0.8)
    assert spectral_radius(w) == pytest.approx(0.8, rel=1e-6)


def test_spectral_radius_bad_input():
    with pytest.raises(TypeError, match="matrix"):
        spectral_radius([[1.0]])
    with pytest.raises(ValueError, match="square"):
        spectral_radius(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="square"):
        spectral_radius(np.zeros((0, 0)))
    with pytest.raises(ValueError, match="NaN"):
        spectral_radius(np.array([[np.nan]]))


def test_spectral_radius_does_not_bound_products_of_step_jacobians():
    # The docstring's claim: a non-normal W has a spectral radius below 1 yet products of
    # diag(d) W grow; the largest singular value is what bounds each factor.
    w = torch.tensor([[2.0, 3.0], [-2.0, -2.9]], dtype=torch.float64)
    d = torch.diag(torch.tensor([1.0, 0.01], dtype=torch.float64))
    assert spectral_radius(w) == pytest.approx(0.5, abs=1e-9)
    growth = torch.linalg.matrix_norm(torch.linalg.matrix_power(d @ w, 30), ord=2).item()
    assert growth > 1e8, growth
    sigma = torch.linalg.matrix_norm(w, ord=2).item()
    assert sigma > 1 > spectral_radius(w), (sigma, spectral_radius(w))
    # ... and the bound by singular values holds: ||(DW)^30|| <= (||D|| ||W||)^30
    assert growth <= (torch.linalg.matrix_norm(d, ord=2).item() * sigma) ** 30


def test_spectral_radius_equals_the_largest_singular_value_for_a_scaled_orthogonal_matrix():
    gen = torch.Generator().manual_seed(0)
    q, _ = torch.linalg.qr(torch.randn(6, 6, dtype=torch.float64, generator=gen))
    w = 0.7 * q
    assert spectral_radius(w) == pytest.approx(0.7, rel=1e-9)
    assert torch.linalg.matrix_norm(w, ord=2).item() == pytest.approx(0.7, rel=1e-9)


# --- Issue 12: NaN inputs and parameters are named as such ---


def test_hidden_grad_norms_names_nan_inputs_and_parameters():
    """Before: NaN input said "layer's output must equal its top layer's hidden state"."""
    layer = nn.RNN(1, 3, batch_first=True)
    x = torch.randn(2, 5, 1)
    x[1, 2, 0] = float("nan")
    with pytest.raises(ValueError, match="x holds 1 NaN or infinite values"):
        hidden_grad_norms(layer, x)
    with torch.no_grad():
        layer.weight_hh_l0[0, 0] = float("inf")
    with pytest.raises(ValueError, match=r"parameters \['weight_hh_l0'\] hold NaN"):
        hidden_grad_norms(layer, torch.randn(2, 5, 1))


def test_hidden_grad_norms_names_a_step_whose_output_overflows():
    """Finite weights whose output overflows to inf: the step is named."""
    class Doubling(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.tensor(1e30))

        def forward(self, x, state):
            h = x[:, 0] * self.w if state is None else state[-1] * self.w
            return h[:, None], h[None]

    with pytest.raises(ValueError, match="output is NaN or infinite at step 1"):
        hidden_grad_norms(Doubling(), torch.ones(1, 4, 1))
