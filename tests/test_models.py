import numpy as np
import pytest
import torch
from torch import nn

from rnnlib.data import sine_wave
from rnnlib.models import Seq2Seq, SequenceRegressor, WindowRegressor
from rnnlib.train import fit
from rnnlib.windows import make_horizon_windows


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


# --- Seq2Seq: an encoder-decoder that forecasts `horizon` steps at once ---


def _decode_step_by_step(model, x, teacher=None):
    """Seq2Seq's forecasts by hand, one decoder step at a time: each step reads the true
    previous value (``teacher``) or, free running, the step's own previous forecast."""
    _, state = model.encoder(x)
    prev = x[:, -1:, model.target_col:model.target_col + 1]         # (batch, 1, 1)
    outputs = []
    for t in range(model.horizon):
        out, state = model.decoder(prev, state)
        pred = model.head(out)                                      # (batch, 1, 1)
        outputs.append(pred[:, 0, 0])
        prev = pred if teacher is None else teacher[:, t:t + 1, None]
    return torch.stack(outputs, dim=1)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_seq2seq_shapes_and_cells(cell):
    torch.manual_seed(0)
    model = Seq2Seq(3, 5, horizon=4, cell=cell)
    layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
    assert type(model.encoder) is layer and type(model.decoder) is layer
    x = torch.randn(2, 7, 3)
    assert model(x).shape == (2, 4)
    assert model(x, torch.randn(2, 4)).shape == (2, 4)
    assert Seq2Seq(1, 2, horizon=1)(torch.randn(3, 5, 1)).shape == (3, 1)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("forced", [True, False], ids=["teacher", "free"])
def test_seq2seq_equals_a_step_by_step_decoder_with_gradients(cell, forced):
    torch.manual_seed(1)
    model = Seq2Seq(2, 4, horizon=5, target_col=1, cell=cell).double()
    x = torch.randn(3, 6, 2, dtype=torch.float64, requires_grad=True)
    teacher = torch.randn(3, 5, dtype=torch.float64) if forced else None
    got = model(x, teacher)
    want = _decode_step_by_step(model, x, teacher)
    torch.testing.assert_close(got, want)
    params = [*model.parameters(), x]
    weights = torch.arange(1.0, 6.0, dtype=torch.float64)       # a loss that weighs each step
    for a, b in zip(torch.autograd.grad((got.square() * weights).sum(), params),
                    torch.autograd.grad((want.square() * weights).sum(), params)):
        torch.testing.assert_close(a, b)


def test_seq2seq_teacher_forcing_reads_the_teacher_and_free_running_does_not():
    torch.manual_seed(2)
    model = Seq2Seq(1, 4, horizon=4)
    x, teacher = torch.randn(2, 5, 1), torch.randn(2, 4)
    forced = model(x, teacher)
    changed = teacher.clone()
    changed[:, 2] += 1.0
    after = model(x, changed)
    # step t reads teacher[:, t - 1]: steps 0..2 do not see teacher[:, 2], step 3 does;
    # the last teacher value is never read
    torch.testing.assert_close(after[:, :3], forced[:, :3])
    assert not torch.allclose(after[:, 3], forced[:, 3])
    last = teacher.clone()
    last[:, -1] = 100.0
    torch.testing.assert_close(model(x, last), forced)
    # free running equals teacher forcing with the model's own forecasts as the teacher
    free = model(x)
    torch.testing.assert_close(model(x, free), free)


def test_seq2seq_first_decoder_input_is_the_last_target_value():
    torch.manual_seed(3)
    model = Seq2Seq(2, 3, horizon=1, target_col=1)
    x = torch.randn(4, 5, 2)
    _, state = model.encoder(x)
    out, _ = model.decoder(x[:, -1:, 1:], state)
    torch.testing.assert_close(model(x), model.head(out)[..., 0])


@pytest.mark.parametrize("teacher", [
    torch.zeros(2, 3), torch.zeros(2, 5), torch.zeros(3, 4), torch.zeros(2, 4, 1),
    np.zeros((2, 4)), [[0.0] * 4] * 2,
])
def test_seq2seq_refuses_a_teacher_of_the_wrong_shape(teacher):
    model = Seq2Seq(1, 3, horizon=4)
    with pytest.raises(ValueError, match=r"teacher must be a tensor of shape \(2, 4\)"):
        model(torch.zeros(2, 6, 1), teacher)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"target_col": 2}, ValueError, "target_col 2 is out of range for 2 input features"),
    ({"target_col": -1}, ValueError, "target_col must be >= 0"),
    ({"target_col": 1.0}, TypeError, "target_col must be an int"),
    ({"horizon": 0}, ValueError, "horizon must be >= 1"),
    ({"horizon": 2.0}, TypeError, "horizon must be an int"),
    ({"cell": "transformer"}, ValueError, "cell"),
    ({"hidden_size": 0}, ValueError, "hidden_size"),
    ({"input_size": 0}, ValueError, "input_size"),
])
def test_seq2seq_bad_constructor_arguments(kwargs, error, match):
    args = {"input_size": 2, "hidden_size": 3, "horizon": 4, **kwargs}
    with pytest.raises(error, match=match):
        Seq2Seq(**args)


@pytest.mark.parametrize("x, error", [
    (np.zeros((1, 4, 2), dtype=np.float32), TypeError),
    (torch.zeros(4, 2), ValueError),
    (torch.zeros(1, 4, 3), ValueError),
    (torch.zeros(1, 4, 2, dtype=torch.long), TypeError),
])
def test_seq2seq_bad_forward_input(x, error):
    with pytest.raises(error, match="x must"):
        Seq2Seq(2, 3, horizon=2)(x)


def test_seq2seq_learns_a_sine_with_fit():
    torch.manual_seed(4)
    x, y = make_horizon_windows(sine_wave(120, step=0.3)[1], lookback=12, horizon=4)
    model = Seq2Seq(1, 8, horizon=4, cell="gru")
    history = fit(model, (x, y), epochs=40, lr=2e-2, device="cpu", progress=False)
    assert history.train_loss[-1] < 0.1 * history.train_loss[0]
