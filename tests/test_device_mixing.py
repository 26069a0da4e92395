"""rnnlib's main paths on a GPU, faked on the CPU by tests/fake_cuda.py.

No GPU is available to this project, yet the book runs on Colab's. With the fake device,
``rnnlib.get_device()`` picks ``cuda`` (``RNNLIB_DEVICE`` unset), and a CPU tensor meeting
a "CUDA" model, or NumPy reading a "CUDA" tensor, fails as it would on a real GPU. Each
test runs one function the way a chapter calls it: data made on the CPU, the model
moved by ``fit`` (or by hand), results back on the CPU for NumPy and the metrics. Where
numbers can be compared, they are compared with the same run on the CPU.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch
from fake_cuda import CUDA0, fake_cuda, is_active, is_fake_cuda
from torch import nn
from torch.testing import assert_close

import rnnlib
from rnnlib import (
    GRU,
    LSTM,
    RNN,
    GRUCell,
    LSTMCell,
    Minibatches,
    RNNCell,
    SequenceRegressor,
    WindowRegressor,
    fit,
    fit_stateful,
    forecast_table,
    hidden_grad_norms,
    mae,
    make_windows,
    mase,
    one_step_sequence,
    one_step_window,
    predict,
    recursive_sequence,
    recursive_window,
    rmse,
    sine_wave,
    warm_up,
)
from rnnlib.cells import _copy_cell

# torch's error on a GPU, or rnnlib's own earlier check; both name the two devices.
WRONG_DEVICE = r"cuda:0.*cpu|cpu.*cuda:0"
LOOKBACK = 8


@pytest.fixture
def cuda(monkeypatch: pytest.MonkeyPatch) -> Iterator[torch.device]:
    """The fake GPU, found by ``get_device()`` as on a Colab GPU runtime."""
    monkeypatch.delenv(rnnlib.device.ENV_VAR, raising=False)
    with fake_cuda() as device:
        yield device


@pytest.fixture(scope="module")
def wave() -> np.ndarray:
    """A sine wave, shape (120, 1), float32."""
    return sine_wave(120, 0.2)[1][:, None]


def _on_cuda(model: nn.Module) -> bool:
    return all(p.device == CUDA0 for p in model.parameters())


def _window_model(seed: int = 0, cell: str = "lstm") -> WindowRegressor:
    torch.manual_seed(seed)
    return WindowRegressor(1, 8, cell=cell)


def _sequence_model(seed: int = 0, cell: str = "lstm") -> SequenceRegressor:
    torch.manual_seed(seed)
    return SequenceRegressor(1, 8, cell=cell)


def _sequences(wave: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and next-step targets, each (1, 119, 1), on the CPU."""
    series = torch.tensor(wave)
    return series[None, :-1], series[None, 1:]


def test_get_device_picks_fake_cuda(cuda):
    """get_device() picks CUDA when torch finds one and RNNLIB_DEVICE is unset."""
    assert rnnlib.get_device() == torch.device("cuda")
    assert rnnlib.get_device("cuda").type == "cuda"


def test_seed_everything_on_cuda(cuda):
    """seed_everything seeds the (fake) GPU too without touching a real one."""
    rnnlib.seed_everything(0)
    a = torch.randn(3, device=cuda)
    rnnlib.seed_everything(0)
    assert_close(torch.randn(3, device=cuda), a)


# --- Training ---


def test_fit_on_tuple_moves_model_and_matches_cpu(cuda, wave):
    """fit with one (x, y) batch of CPU tensors trains on CUDA, with the CPU's losses."""
    x, y = make_windows(wave, LOOKBACK)
    cpu_model = _window_model()
    # The same run on the CPU (untagged tensors are CPU tensors under the mode).
    expected = fit(cpu_model, (x, y), epochs=3, lr=0.01, device="cpu", progress=False)
    model = _window_model()
    history = fit(model, (x, y), epochs=3, lr=0.01, progress=False)
    assert _on_cuda(model)
    assert history.train_loss == pytest.approx(expected.train_loss, rel=1e-5)
    assert_close([p.cpu() for p in model.parameters()], list(cpu_model.parameters()))


def test_fit_minibatches_with_val_data_and_patience(cuda, wave):
    """fit on Minibatches with val_data and patience (early stop restores the best weights
    from a deep copy) keeps the model on CUDA."""
    x, y = make_windows(wave, LOOKBACK)
    train = Minibatches(x[:80], y[:80], batch_size=16, seed=0)
    val = Minibatches(x[80:], y[80:], batch_size=16, seed=0)
    model = _window_model()
    history = fit(model, train, epochs=4, lr=0.05, val_data=val, patience=1,
                  clip_grad_norm=0.5, progress=False)
    assert _on_cuda(model)
    assert len(history.val_loss) == len(history.train_loss) >= 1
    assert np.isfinite(history.train_loss).all()
    assert isinstance(predict(model, x[80:]), torch.Tensor)


def test_fit_with_dataloader_and_given_optimizer(cuda, wave):
    """fit on a DataLoader with an optimizer made before the move (as the chapters do)."""
    x, y = make_windows(wave, LOOKBACK)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32)
    model = _window_model(cell="gru")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    fit(model, loader, epochs=2, optimizer=optimizer, progress=False)
    assert _on_cuda(model)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_fit_stateful_matches_cpu(cuda, wave, cell):
    """fit_stateful carries the state across chunks on CUDA, with the CPU's losses."""
    x, y = _sequences(wave)
    expected = fit_stateful(_sequence_model(cell=cell), x, y, chunk_len=20, epochs=2,
                            lr=0.01, clip_grad_norm=1.0, device="cpu", progress=False)
    model = _sequence_model(cell=cell)
    history = fit_stateful(model, x, y, chunk_len=20, epochs=2, lr=0.01, clip_grad_norm=1.0,
                           progress=False)
    assert _on_cuda(model)
    assert history.train_loss == pytest.approx(expected.train_loss, rel=1e-5)


# --- Forecasts ---


def test_predict_returns_cpu_tensors(cuda, wave):
    """predict moves a CPU input (and a CPU state) to the model's device and returns CPU
    tensors that NumPy can read."""
    x, _ = _sequences(wave)
    model = _sequence_model().to(cuda)
    y, (h, c) = predict(model, x)
    for t in (y, h, c):
        assert t.device.type == "cpu"
        t.numpy()
    y2, _ = predict(model, x, (h, c))  # a state that came back on the CPU
    assert y2.device.type == "cpu"
    window = _window_model().to(cuda)
    assert predict(window, make_windows(wave, LOOKBACK)[0]).numpy().shape == (112, 1)


def test_warm_up_from_zero_state(cuda, wave):
    """warm_up on a CUDA model returns CPU predictions and its state, which a second
    warm_up can start from."""
    model = _sequence_model().to(cuda)
    preds, state = warm_up(model, wave[:60])
    assert preds.device.type == "cpu" and preds.shape == (60, 1)
    preds.numpy()
    more, _ = warm_up(model, wave[60:], state)
    assert more.shape == (60, 1)
    full, _ = warm_up(model, wave)
    assert_close(more, full[60:], rtol=1e-4, atol=1e-5)


def test_warm_up_with_state_from_the_cpu(cuda, wave):
    """warm_up given a state on the CPU (e.g. from predict, which returns CPU tensors)
    moves it to the model's device, as predict does with its arguments."""
    model = _sequence_model().to(cuda)
    _, state = predict(model, torch.tensor(wave[None, :60]))
    assert state[0].device.type == "cpu"
    preds, _ = warm_up(model, wave[60:], state)
    full, _ = warm_up(model, wave)
    assert_close(preds, full[60:], rtol=1e-4, atol=1e-5)


def test_recursive_sequence_with_state_from_the_cpu(cuda, wave):
    """recursive_sequence given a CPU state (as warm_up's docs suggest for a carried
    state) moves it to the model's device."""
    model = _sequence_model().to(cuda)
    _, state = predict(model, torch.tensor(wave[None, :60]))
    out = recursive_sequence(model, wave[60:], 5, state=state)
    assert out.device.type == "cpu" and out.shape == (5, 1)


def test_one_step_sequence_matches_cpu(cuda, wave):
    """one_step_sequence on a CUDA model gives the CPU model's forecasts, on the CPU."""
    model = _sequence_model()
    expected = one_step_sequence(model, wave, n_test=20)
    out = one_step_sequence(model.to(cuda), wave, n_test=20)
    assert out.device.type == "cpu"
    assert_close(out, expected)


def test_one_step_window_matches_cpu(cuda, wave):
    """one_step_window on a CUDA model gives the CPU model's forecasts, on the CPU."""
    model = _window_model()
    expected = one_step_window(model, wave, n_test=20, lookback=LOOKBACK)
    out = one_step_window(model.to(cuda), wave, n_test=20, lookback=LOOKBACK)
    assert out.device.type == "cpu"
    assert_close(out, expected)


def _double_row(history: torch.Tensor, pred: torch.Tensor) -> torch.Tensor:
    """A next_input that reads NumPy, as chapter code may: fails on a CUDA tensor."""
    return torch.as_tensor(np.asarray(pred) * 0.5 + history[-1].numpy() * 0.5)


@pytest.mark.parametrize("next_input", [None, _double_row])
def test_recursive_sequence_matches_cpu(cuda, wave, next_input):
    """recursive_sequence on a CUDA model (with and without next_input) gives the CPU's
    forecasts; next_input sees CPU tensors."""
    model = _sequence_model()
    expected = recursive_sequence(model, wave[:60], 10, next_input=next_input)
    out = recursive_sequence(model.to(cuda), wave[:60], 10, next_input=next_input)
    assert out.device.type == "cpu"
    assert_close(out, expected)


@pytest.mark.parametrize("next_input", [None, _double_row])
def test_recursive_window_matches_cpu(cuda, wave, next_input):
    """recursive_window on a CUDA model (with and without next_input) gives the CPU's
    forecasts; next_input sees CPU tensors."""
    model = _window_model()
    expected = recursive_window(model, wave[:60], 12, LOOKBACK, next_input=next_input)
    out = recursive_window(model.to(cuda), wave[:60], 12, LOOKBACK, next_input=next_input)
    assert out.device.type == "cpu"
    assert_close(out, expected)


def test_metrics_on_forecasts_from_predict(cuda, wave):
    """The metrics and forecast_table read predict's forecasts (and CUDA tensors too)."""
    model = _window_model()
    x, y = make_windows(wave, LOOKBACK)
    fit(model, (x, y), epochs=2, lr=0.01, progress=False)
    fc = predict(model, x[-20:])[:, 0]
    truth, train = y[-20:, 0], y[:-20, 0]
    assert np.isfinite([rmse(truth, fc), mae(truth, fc), mase(truth, fc, train)]).all()
    table = forecast_table(truth, {"lstm": fc, "naive": y[-21:-1, 0]}, y_train=train,
                           y_prev=y[-21:-1, 0])
    assert table.shape[0] == 2 and np.isfinite(table["RMSE"]).all()
    on_cuda = fc.to(cuda)
    assert rmse(truth.to(cuda), on_cuda) == pytest.approx(rmse(truth, fc))


# --- Gradients through time ---


@pytest.mark.parametrize("layer", [nn.RNN, nn.LSTM, nn.GRU])
def test_hidden_grad_norms_matches_cpu(cuda, layer):
    """hidden_grad_norms of a CUDA layer, given a CPU batch, returns the CPU's norms."""
    torch.manual_seed(0)
    rnn, x = layer(2, 6, num_layers=2, batch_first=True), torch.randn(3, 15, 2)
    expected = hidden_grad_norms(rnn, x)
    out = hidden_grad_norms(rnn.to(cuda), x)
    assert isinstance(out, np.ndarray) and out.shape == (15,)
    np.testing.assert_allclose(out, expected, rtol=1e-5)


def test_hidden_grad_norms_of_scratch_lstm(cuda):
    """hidden_grad_norms steps rnnlib's scratch LSTM on CUDA too."""
    torch.manual_seed(0)
    lstm = LSTM(2, 4).to(cuda)
    assert hidden_grad_norms(lstm, torch.randn(2, 6, 2)).shape == (6,)


# --- Scratch cells against torch.nn on the GPU ---


@pytest.mark.parametrize(("ours", "theirs"), [(RNN, nn.RNN), (LSTM, nn.LSTM), (GRU, nn.GRU)])
def test_scratch_layers_equal_torch_on_cuda(cuda, ours, theirs):
    """from_torch copies a CUDA layer onto CUDA; both give the same outputs and states,
    with and without a given state."""
    torch.manual_seed(0)
    ref = theirs(3, 5, num_layers=2, batch_first=True).to(cuda)
    scratch = ours.from_torch(ref)
    assert _on_cuda(scratch)
    x = torch.randn(4, 7, 3, device=cuda)
    out, state = scratch(x)
    ref_out, ref_state = ref(x)
    assert out.is_cuda
    assert_close(out, ref_out, rtol=1e-5, atol=1e-6)
    assert_close(state, ref_state, rtol=1e-5, atol=1e-6)
    again, _ = scratch(x, ref_state)
    assert_close(again, ref(x, ref_state)[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("ours", "theirs"), [(LSTMCell, nn.LSTMCell), (GRUCell, nn.GRUCell)])
def test_scratch_cells_equal_torch_on_cuda(cuda, ours, theirs):
    """from_torch copies a CUDA cell onto CUDA; one step from zeros agrees with torch."""
    torch.manual_seed(0)
    ref = theirs(3, 5).to(cuda)
    scratch = ours.from_torch(ref)
    x = torch.randn(4, 3, device=cuda)
    assert_close(scratch(x), ref(x), rtol=1e-5, atol=1e-6)


def test_rnn_cell_on_cuda_equals_torch(cuda):
    """The scratch RNNCell, moved to CUDA, steps as nn.RNNCell with its weights."""
    torch.manual_seed(0)
    ref = nn.RNNCell(3, 5)
    cell = _copy_cell(RNNCell(3, 5), ref, "", "ref")  # as LSTMCell.from_torch copies
    cell.to(cuda)
    ref.to(cuda)
    x = torch.randn(4, 3, device=cuda)
    h = cell(x)
    assert h.is_cuda
    assert_close(cell(x, h), ref(x, h), rtol=1e-5, atol=1e-6)


def test_scratch_cell_with_cpu_state_raises(cuda):
    """A CPU hidden state for a CUDA scratch cell raises an error naming both devices, as
    it would on a GPU."""
    cell = GRUCell(3, 5).to(cuda)
    with pytest.raises((RuntimeError, ValueError), match=WRONG_DEVICE):
        cell(torch.randn(4, 3, device=cuda), torch.zeros(4, 5))


# --- The models ---


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_models_on_cuda(cuda, cell):
    """SequenceRegressor and WindowRegressor on CUDA: a CUDA batch works, a CPU batch
    raises an error naming both devices (the reader must move it, or call predict)."""
    seq, win = SequenceRegressor(1, 4, cell=cell).to(cuda), WindowRegressor(1, 4, cell=cell)
    win.to(cuda)
    x = torch.randn(2, 9, 1)
    y, state = seq(x.to(cuda))
    assert y.is_cuda and y.shape == (2, 9, 1)
    assert (state[0] if isinstance(state, tuple) else state).is_cuda
    assert win(x.to(cuda)).is_cuda
    for model in (seq, win):
        with pytest.raises((RuntimeError, ValueError), match=WRONG_DEVICE):
            model(x)


def test_fit_leaves_no_tensor_on_the_fake_device_after_the_block(wave):
    """Outside the fixture nothing is on CUDA: the mode does not leak into later tests."""
    with fake_cuda():
        model = _window_model()
        fit(model, make_windows(wave, LOOKBACK), epochs=1, progress=False)
        assert _on_cuda(model)
    assert not is_active()
    assert not any(is_fake_cuda(p) for p in model.parameters())
    assert all(p.device.type == "cpu" for p in model.parameters())
