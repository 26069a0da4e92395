"""Tests for rnnlib.bptt: the NumPy Elman RNN and its backward pass through time."""

import numpy as np
import pytest
import torch
from torch import nn

from rnnlib.bptt import (
    PARAM_NAMES,
    backward,
    finite_difference,
    forward,
    init_params,
    mse_loss,
    params_from_torch,
    relative_error,
)
from rnnlib.gradients import hidden_grad_norms


def _torch_model(n_in=3, hidden=5, n_out=2, seed=0):
    torch.manual_seed(seed)
    return (nn.RNN(n_in, hidden, batch_first=True).double(),
            nn.Linear(hidden, n_out).double())


def _data(batch=4, steps=6, n_in=3, n_out=2, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(batch, steps, n_in)), rng.normal(size=(batch, steps, n_out))


def test_init_params_shapes_and_range():
    p = init_params(3, 5, 2, seed=0)
    assert set(p) == set(PARAM_NAMES)
    assert p["W_xh"].shape == (5, 3) and p["W_hh"].shape == (5, 5)
    assert p["W_hy"].shape == (2, 5) and p["b_y"].shape == (2,)
    assert all(np.abs(v).max() <= 5 ** -0.5 for v in p.values())
    np.testing.assert_array_equal(init_params(3, 5, 2, seed=0)["W_hh"], p["W_hh"])


def test_forward_matches_torch():
    rnn, head = _torch_model()
    x, _ = _data()
    h0 = np.random.default_rng(2).normal(size=(4, 5))
    y_hat, hs = forward(params_from_torch(rnn, head), x, h0)
    out, h_n = rnn(torch.from_numpy(x), torch.from_numpy(h0)[None])
    np.testing.assert_allclose(hs[:, 1:], out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hs[:, -1], h_n[0].detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(y_hat, head(out).detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(hs[:, 0], h0)


def test_backward_matches_autograd():
    rnn, head = _torch_model()
    x, y = _data()
    params = params_from_torch(rnn, head)
    h0 = torch.zeros(1, 4, 5, dtype=torch.float64, requires_grad=True)
    out, _ = rnn(torch.from_numpy(x), h0)
    out.retain_grad()
    loss = nn.functional.mse_loss(head(out), torch.from_numpy(y))
    loss.backward()
    y_hat, hs = forward(params, x)
    ours, dy = mse_loss(y_hat, y)
    assert ours == pytest.approx(loss.item(), rel=1e-12)
    grads, dhs = backward(params, x, hs, dy)
    theirs = params_from_torch(rnn, head, grad=True)
    for k in PARAM_NAMES:
        assert relative_error(grads[k], theirs[k]) < 1e-10, k
    # dL/dh_t: out.grad only holds what reaches h_t from the head, so compare h0's grad
    # (which has travelled the whole sequence) and the last step's.
    assert relative_error(dhs[:, 0], h0.grad[0]) < 1e-10
    assert relative_error(dhs[:, -1], out.grad[:, -1]) < 1e-10


def test_backward_matches_finite_differences():
    params = init_params(2, 4, 1, seed=3)
    x, y = _data(batch=3, steps=5, n_in=2, n_out=1, seed=4)

    def loss_fn(p):
        return mse_loss(forward(p, x)[0], y)[0]

    y_hat, hs = forward(params, x)
    grads, _ = backward(params, x, hs, mse_loss(y_hat, y)[1])
    rng = np.random.default_rng(5)
    for k in PARAM_NAMES:
        for _ in range(3):
            idx = tuple(rng.integers(0, n) for n in params[k].shape)
            num = finite_difference(loss_fn, params, k, idx)
            assert num == pytest.approx(grads[k][idx], rel=1e-6, abs=1e-9), (k, idx)


def test_dh_norms_agree_with_hidden_grad_norms():
    rnn, _ = _torch_model(n_in=2, hidden=6, n_out=6)
    head = nn.Linear(6, 6).double()
    with torch.no_grad():  # identity head: ŷ = h
        head.weight.copy_(torch.eye(6))
        head.bias.zero_()
    x, _ = _data(batch=3, steps=8, n_in=2)
    params = params_from_torch(rnn, head)
    _, hs = forward(params, x)
    dy = np.zeros((3, 8, 6))
    dy[:, -1] = 1.0  # L = sum of the last output
    _, dhs = backward(params, x, hs, dy)
    np.testing.assert_allclose(np.linalg.norm(dhs[:, 1:], axis=-1).mean(axis=0),
                               hidden_grad_norms(rnn, torch.from_numpy(x)), rtol=1e-10)


def test_float32_inputs_stay_float32_when_params_are():
    params = {k: v.astype(np.float32) for k, v in init_params(2, 3, 1).items()}
    y_hat, hs = forward(params, np.ones((1, 4, 2), dtype=np.float32))
    assert y_hat.dtype == np.float32 and hs.dtype == np.float32


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(0.2 / 2.2)
    assert relative_error(torch.ones(2), np.ones(2)) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.zeros(2), np.zeros(3))


def test_bad_input():
    params = init_params(2, 3, 1)
    x = np.zeros((2, 4, 2))
    with pytest.raises(TypeError, match="params"):
        forward([1, 2], x)
    with pytest.raises(ValueError, match="lacks"):
        forward({"W_xh": params["W_xh"]}, x)
    with pytest.raises(ValueError, match="W_hh"):
        forward({**params, "W_hh": np.zeros((3, 2))}, x)
    with pytest.raises(TypeError, match="b_y"):
        forward({**params, "b_y": [0.0]}, x)
    with pytest.raises(TypeError, match="x must be a NumPy array"):
        forward(params, torch.zeros(2, 4, 2))
    with pytest.raises(ValueError, match=r"x must have shape \(batch, time, 2\)"):
        forward(params, np.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match="x must have shape"):
        forward(params, np.zeros((2, 0, 2)))
    with pytest.raises(ValueError, match="h0"):
        forward(params, x, np.zeros((3, 3)))
    _, hs = forward(params, x)
    with pytest.raises(ValueError, match="dy"):
        backward(params, x, hs, np.zeros((2, 4, 2)))
    with pytest.raises(ValueError, match="hs"):
        backward(params, x, hs[:, 1:], np.zeros((2, 4, 1)))
    with pytest.raises(ValueError, match="same non-empty shape"):
        mse_loss(np.zeros(2), np.zeros(3))
    with pytest.raises(TypeError, match="NumPy"):
        mse_loss([0.0], np.zeros(1))
    with pytest.raises(ValueError, match="hidden_size"):
        init_params(2, 0)
    with pytest.raises(TypeError, match="seed"):
        init_params(2, 3, seed=1.5)


def test_finite_difference_bad_input():
    params = init_params(2, 3, 1)

    def loss_fn(p):
        return float(np.sum(p["W_hh"]))

    assert finite_difference(loss_fn, params, "W_hh", (0, 1)) == pytest.approx(1.0)
    with pytest.raises(TypeError, match="loss_fn"):
        finite_difference(None, params, "W_hh", (0, 1))
    with pytest.raises(ValueError, match="name"):
        finite_difference(loss_fn, params, "weight", (0, 1))
    with pytest.raises(ValueError, match="index"):
        finite_difference(loss_fn, params, "W_hh", (3, 0))
    with pytest.raises(ValueError, match="index"):
        finite_difference(loss_fn, params, "b_hh", (0, 0))
    with pytest.raises(ValueError, match="eps"):
        finite_difference(loss_fn, params, "W_hh", (0, 1), eps=0.0)


def test_params_from_torch_bad_input():
    rnn, head = _torch_model()
    with pytest.raises(TypeError, match="rnn"):
        params_from_torch(nn.GRU(3, 5), head)
    with pytest.raises(TypeError, match="head"):
        params_from_torch(rnn, rnn)
    with pytest.raises(ValueError, match="one layer"):
        params_from_torch(nn.RNN(3, 5, 2), head)
    with pytest.raises(ValueError, match="head"):
        params_from_torch(rnn, nn.Linear(4, 2))
    with pytest.raises(ValueError, match="grad"):
        params_from_torch(rnn, head, grad=True)
