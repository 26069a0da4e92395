import numpy as np
import pytest
import torch
from torch import nn

from rnnlib.models import SequenceRegressor, WindowRegressor


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_sequence_regressor_shapes_and_state(cell):
    torch.manual_seed(0)
    model = SequenceRegressor(3, 5, output_size=2, num_layers=2, cell=cell)
    y, state = model(torch.randn(4, 7, 3))
    assert y.shape == (4, 7, 2)
    states = state if cell == "lstm" else (state,)
    assert all(s.shape == (2, 4, 5) for s in states)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_sequence_regressor_carried_state_equals_one_pass(cell):
    # Reading a sequence in two chunks, passing the state on (not detached), is the same
    # computation as one pass: same outputs, same final state, same gradients.
    torch.manual_seed(1)
    model = SequenceRegressor(2, 4, cell=cell)
    params = list(model.parameters())
    x = torch.randn(3, 10, 2)
    y_once, state_once = model(x)
    y_a, state = model(x[:, :6])
    y_b, state = model(x[:, 6:], state)
    y_chunks = torch.cat([y_a, y_b], dim=1)
    torch.testing.assert_close(y_chunks, y_once)
    for a, b in zip(state if cell == "lstm" else (state,),
                    state_once if cell == "lstm" else (state_once,)):
        torch.testing.assert_close(a, b)
    grads_once = torch.autograd.grad(y_once.square().sum(), params)
    grads_chunks = torch.autograd.grad(y_chunks.square().sum(), params)
    for a, b in zip(grads_chunks, grads_once):
        torch.testing.assert_close(a, b)


def test_sequence_regressor_matches_torch_lstm_and_linear_with_gradients():
    torch.manual_seed(2)
    model = SequenceRegressor(2, 6, output_size=1, cell="lstm")
    lstm, head = nn.LSTM(2, 6, batch_first=True), nn.Linear(6, 1)
    lstm.load_state_dict(model.rnn.state_dict())
    head.load_state_dict(model.head.state_dict())
    x = torch.randn(2, 9, 2)
    y, _ = model(x)
    ref = head(lstm(x)[0])
    torch.testing.assert_close(y, ref)
    y.square().sum().backward()
    ref.square().sum().backward()
    torch.testing.assert_close(model.rnn.weight_hh_l0.grad, lstm.weight_hh_l0.grad)
    torch.testing.assert_close(model.head.weight.grad, head.weight.grad)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_window_regressor_reads_the_last_hidden_state(cell):
    torch.manual_seed(3)
    model = WindowRegressor(3, 5, output_size=2, cell=cell)
    x = torch.randn(4, 8, 3, requires_grad=True)
    y = model(x)
    assert y.shape == (4, 2)
    out, _ = model.rnn(x)
    torch.testing.assert_close(y, model.head(out[:, -1]))
    # the forecast of one window does not depend on another window in the batch
    torch.testing.assert_close(model(x[1:2]), y[1:2])


def test_window_regressor_matches_torch_with_gradients():
    torch.manual_seed(4)
    model = WindowRegressor(2, 6, output_size=1, cell="lstm")
    lstm, head = nn.LSTM(2, 6, batch_first=True), nn.Linear(6, 1)
    lstm.load_state_dict(model.rnn.state_dict())
    head.load_state_dict(model.head.state_dict())
    x = torch.randn(5, 12, 2)
    y, ref = model(x), head(lstm(x)[0][:, -1])
    torch.testing.assert_close(y, ref)
    y.sum().backward()
    ref.sum().backward()
    for ours, theirs in zip(model.parameters(), [*lstm.parameters(), *head.parameters()]):
        torch.testing.assert_close(ours.grad, theirs.grad)


def test_window_regressor_defaults_to_lstm_and_sequence_regressor_to_rnn():
    assert isinstance(WindowRegressor(1, 2).rnn, nn.LSTM)
    assert isinstance(SequenceRegressor(1, 2).rnn, nn.RNN)


@pytest.mark.parametrize("cls", [SequenceRegressor, WindowRegressor])
@pytest.mark.parametrize("kwargs, error, match", [
    ({"cell": "transformer"}, ValueError, "cell"),
    ({"hidden_size": 0}, ValueError, "hidden_size"),
    ({"input_size": 2.5}, TypeError, "input_size"),
    ({"output_size": True}, TypeError, "output_size"),
    ({"output_size": 0}, ValueError, "output_size"),
    ({"num_layers": 0}, ValueError, "num_layers"),
])
def test_bad_constructor_arguments(cls, kwargs, error, match):
    args = {"input_size": 2, "hidden_size": 3, **kwargs}
    with pytest.raises(error, match=match):
        cls(**args)


@pytest.mark.parametrize("cls", [SequenceRegressor, WindowRegressor])
@pytest.mark.parametrize("x, error", [
    (np.zeros((1, 4, 2), dtype=np.float32), TypeError),
    (torch.zeros(4, 2), ValueError),            # no batch dimension
    (torch.zeros(1, 4, 3), ValueError),         # wrong number of features
])
def test_bad_forward_input(cls, x, error):
    model = cls(2, 3)
    with pytest.raises(error, match="x must"):
        model(x)


# --- Issue 12: inputs the layer cannot read are named before torch sees them ---


@pytest.mark.parametrize("cls", [SequenceRegressor, WindowRegressor])
def test_models_name_an_integer_input_and_an_input_on_another_device(cls):
    model = cls(1, 3)
    with pytest.raises(TypeError, match=r"x must be a floating-point tensor, got dtype "
                                        r"torch.int64"):
        model(torch.ones(2, 4, 1, dtype=torch.long))
    model.to("meta")
    with pytest.raises(ValueError, match="x is on cpu but the model is on meta"):
        model(torch.ones(2, 4, 1))
