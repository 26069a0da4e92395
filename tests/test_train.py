"""Tests of rnnlib.train: fit, fit_stateful, summaries and the progress setting."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from rnnlib.models import SequenceRegressor
from rnnlib.train import PROGRESS_ENV, History, _show_bar, fit, fit_stateful, summary


def _linear_data(n=64):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 3, generator=g)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    return x, y


def test_fit_learns_a_linear_map_and_prints_a_summary(capsys):
    torch.manual_seed(0)
    x, y = _linear_data()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)
    model = nn.Linear(3, 1)
    hist = fit(model, loader, epochs=60, lr=0.05, device="cpu", progress=False, desc="lin")
    assert isinstance(hist, History) and len(hist.train_loss) == 60
    assert hist.train_loss[-1] < 1e-3 * hist.train_loss[0]
    out = capsys.readouterr().out
    assert out.startswith("lin: 60 epochs") and out.count("\n") == 1


def test_fit_with_progress_bar_runs(capsys):
    x, y = _linear_data(8)
    fit(nn.Linear(3, 1), (x, y), epochs=2, device="cpu", progress=True)
    assert "epochs in" not in capsys.readouterr().out


def test_early_stopping_restores_the_best_weights():
    torch.manual_seed(0)
    x, y = _linear_data()
    model = nn.Linear(3, 1)
    # validation targets that the model cannot fit: the val loss soon stops improving
    val = (x, -y)
    hist = fit(model, (x, y), epochs=200, lr=0.05, val_data=val, patience=3, device="cpu",
               progress=False)
    assert hist.stopped_early and len(hist.train_loss) < 200
    best = min(hist.val_loss)
    with torch.no_grad():
        assert nn.functional.mse_loss(model(x), -y).item() == pytest.approx(best, rel=1e-5)
    assert "stopped early" in summary(hist)


def test_gradient_clipping_is_applied(monkeypatch):
    calls = []
    real = nn.utils.clip_grad_norm_
    monkeypatch.setattr(nn.utils, "clip_grad_norm_",
                        lambda params, max_norm: calls.append(max_norm) or real(params, max_norm))
    x, y = _linear_data(8)
    fit(nn.Linear(3, 1), (x, y), epochs=3, clip_grad_norm=0.5, device="cpu", progress=False)
    assert calls == [0.5] * 3


def test_tuple_output_models_are_supported():
    torch.manual_seed(0)
    x = torch.randn(4, 5, 1)
    model = SequenceRegressor(1, 4, cell="gru")
    hist = fit(model, (x, x), epochs=2, device="cpu", progress=False)
    assert len(hist.train_loss) == 2


@pytest.mark.parametrize("kwargs,exc,msg", [
    ({"model": "net"}, TypeError, "model must be a torch.nn.Module"),
    ({"epochs": 0}, ValueError, "epochs must be >= 1"),
    ({"lr": -1.0}, ValueError, "lr must be > 0"),
    ({"patience": 2}, ValueError, "patience needs val_data"),
    ({"train_data": torch.zeros(3)}, TypeError, "train_data must be a DataLoader"),
    ({"train_data": (torch.zeros(3, 3), torch.zeros(2, 1))}, ValueError, "x has 3 rows"),
    ({"train_data": []}, ValueError, "train_data yielded no batches"),
    ({"train_data": [torch.zeros(2, 3)]}, TypeError, "pair"),
    ({"optimizer": "adam"}, TypeError, "optimizer must be"),
    ({"loss_fn": 3}, TypeError, "loss_fn must be callable"),
    ({"clip_grad_norm": 0}, ValueError, "clip_grad_norm must be > 0"),
    ({"device": "tpu"}, ValueError, "must be one of"),
])
def test_fit_rejects_bad_arguments(kwargs, exc, msg):
    x, y = _linear_data(8)
    args = {"model": nn.Linear(3, 1), "train_data": (x, y), "epochs": 1, "progress": False,
            "device": "cpu"}
    args.update(kwargs)
    with pytest.raises(exc, match=msg):
        fit(**args)


def test_fit_stateful_learns_a_shifted_sequence_and_detaches_state():
    torch.manual_seed(0)
    t = torch.arange(0, 300) * 0.2
    x, y = torch.sin(t).view(1, -1, 1), torch.cos(t).view(1, -1, 1)
    model = SequenceRegressor(1, 16, cell="lstm")
    hist = fit_stateful(model, x, y, chunk_len=30, epochs=40, lr=1e-2, device="cpu",
                        progress=False)
    assert len(hist.train_loss) == 40 and hist.train_loss[-1] < 0.05 * hist.train_loss[0]


def test_fit_stateful_chunks_are_truncated():
    # With chunk_len=1 each chunk's graph holds one step: backward never reaches earlier chunks.
    seen = []

    class Probe(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.ones(1))

        def forward(self, x, state):
            if state is not None:
                seen.append(state.requires_grad)
            out = x * self.w + (0 if state is None else state)
            return out, out[:, -1:]

    x = torch.ones(1, 4, 1)
    fit_stateful(Probe(), x, x, chunk_len=1, epochs=1, device="cpu", progress=False)
    assert seen == [False, False, False]


@pytest.mark.parametrize("kwargs,exc,msg", [
    ({"x": torch.zeros(4, 1)}, ValueError, "x must be a 3-D tensor"),
    ({"y": torch.zeros(1, 5, 1)}, ValueError, "x and y must agree"),
    ({"chunk_len": 0}, ValueError, "chunk_len must be >= 1"),
    ({"model": None}, TypeError, "model must be"),
])
def test_fit_stateful_rejects_bad_arguments(kwargs, exc, msg):
    args = {"model": SequenceRegressor(1, 2), "x": torch.zeros(1, 4, 1),
            "y": torch.zeros(1, 4, 1), "chunk_len": 2, "epochs": 1, "progress": False,
            "device": "cpu"}
    args.update(kwargs)
    with pytest.raises(exc, match=msg):
        fit_stateful(**args)


def test_summary_of_empty_history_and_bad_type():
    assert "no epochs" in summary(History())
    with pytest.raises(TypeError, match="history must be a History"):
        summary([1.0])


@pytest.mark.parametrize("value,expected", [("bar", True), ("1", True), ("summary", False),
                                            ("0", False), ("OFF", False)])
def test_progress_explicit_setting_wins(monkeypatch, value, expected):
    monkeypatch.setenv(PROGRESS_ENV, value)
    monkeypatch.setenv("JPY_SESSION_NAME", "x.ipynb")
    assert _show_bar() is expected


def test_progress_ci_gets_summaries(monkeypatch):
    monkeypatch.delenv(PROGRESS_ENV, raising=False)
    monkeypatch.setenv("CI", "true")
    assert _show_bar() is False


def test_progress_live_jupyter_gets_a_bar(monkeypatch):
    monkeypatch.delenv(PROGRESS_ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("JPY_SESSION_NAME", "chapter.ipynb")
    assert _show_bar() is True


def test_progress_bad_setting(monkeypatch):
    monkeypatch.setenv(PROGRESS_ENV, "sometimes")
    with pytest.raises(ValueError, match=f"{PROGRESS_ENV} must be 'bar' or 'summary'"):
        _show_bar()


# --- Issue 12: training stops on non-finite losses and refuses silent mistakes ---


class _NaNOnCall(nn.Module):
    """An MSE loss that returns NaN on its ``bad``-th call (counted from 1)."""

    def __init__(self, bad: int) -> None:
        super().__init__()
        self.bad, self.calls = bad, 0

    def forward(self, pred, target):
        self.calls += 1
        loss = nn.functional.mse_loss(pred, target)
        return loss * float("nan") if self.calls == self.bad else loss


def test_a_nan_training_loss_stops_fit_naming_epoch_and_batch():
    """Before: a NaN loss trained on silently. Now: FloatingPointError at epoch 2, batch 1."""
    x, y = _linear_data(32)
    batches = [(x[:16], y[:16]), (x[16:], y[16:])]
    with pytest.raises(FloatingPointError, match=r"training loss is nan at epoch 2, batch 1 "
                                                 r"of train_data.*learning rate"):
        fit(nn.Linear(3, 1), batches, epochs=5, loss_fn=_NaNOnCall(3), device="cpu",
            progress=False)


def test_an_exploding_loss_stops_fit_before_the_update():
    """SGD with a huge step drives the loss to inf; the error comes at the first inf, and
    the weights it reports on were not updated with it."""
    x, y = _linear_data(16)
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=1e6)
    with pytest.raises(FloatingPointError, match=r"training loss is (inf|nan) at epoch \d+, "
                                                 r"batch 1 of train_data \(lr=1000000"):
        fit(model, (x, y), epochs=50, optimizer=opt, device="cpu", progress=False)


def test_a_nan_validation_loss_stops_fit():
    """Before: fit crashed at the end with "unsupported operand type(s) for +: 'NoneType'
    and 'int'". Now: FloatingPointError naming the epoch and the validation batch."""
    x, y = _linear_data(16)
    x_val = x.clone()
    x_val[3, 0] = float("nan")
    with pytest.raises(FloatingPointError, match=r"validation loss is nan at epoch 1, batch 1 "
                                                 r"of val_data"):
        fit(nn.Linear(3, 1), (x, y), epochs=3, val_data=(x_val, y), device="cpu",
            progress=False)


def test_summary_names_the_best_epoch_even_without_best_epoch():
    hist = History(train_loss=[2.0, 1.0], val_loss=[3.0, 2.5])
    assert "best 2.5 at epoch 2" in summary(hist)


def test_predictions_and_targets_of_different_shapes_are_refused():
    """Before: y of shape (n,) against predictions (n, 1) broadcast to (n, n) with only
    torch's warning, and trained towards a wrong loss. Now: a ValueError with both shapes."""
    x, y = _linear_data(8)
    with pytest.raises(ValueError, match=r"predictions have shape \(8, 1\) but the targets y "
                                         r"have shape \(8,\)"):
        fit(nn.Linear(3, 1), (x, y[:, 0]), epochs=1, device="cpu", progress=False)
    seq = SequenceRegressor(1, 4)
    xs = torch.randn(2, 6, 1)
    with pytest.raises(ValueError, match=r"chunk 1 .*shape \(2, 3, 1\) but the targets y have "
                                         r"shape \(2, 3, 2\)"):
        fit_stateful(seq, xs, torch.randn(2, 6, 2), chunk_len=3, epochs=1, device="cpu",
                     progress=False)


def test_a_loss_of_other_shapes_is_left_to_the_caller():
    """A loss that is not element-wise (cross-entropy) compares (n, classes) with (n,)."""
    x = torch.randn(8, 3)
    labels = torch.arange(8) % 2
    fit(nn.Linear(3, 2), (x, labels), epochs=1, loss_fn=nn.CrossEntropyLoss(), device="cpu",
        progress=False)


def test_an_optimizer_of_another_model_is_refused():
    """Before: it trained nothing, silently. Now: a ValueError naming optimizer."""
    x, y = _linear_data(8)
    other = torch.optim.Adam(nn.Linear(3, 1).parameters())
    with pytest.raises(ValueError, match="optimizer holds none of model's trainable"):
        fit(nn.Linear(3, 1), (x, y), epochs=1, optimizer=other, device="cpu", progress=False)
    with pytest.raises(ValueError, match="optimizer holds none"):
        fit_stateful(SequenceRegressor(1, 2), torch.randn(1, 4, 1), torch.randn(1, 4, 1),
                     chunk_len=2, epochs=1, optimizer=other, device="cpu", progress=False)


def test_an_optimizer_over_part_of_the_model_is_fine():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    before = model[0].weight.detach().clone()
    x, y = _linear_data(8)
    fit(model, (x, y), epochs=2, optimizer=torch.optim.SGD(model[1].parameters(), lr=0.1),
        device="cpu", progress=False)
    torch.testing.assert_close(model[0].weight.detach(), before)


def test_a_model_without_trainable_parameters_is_refused():
    with pytest.raises(ValueError, match="no parameters that require grad"):
        fit(nn.Identity(), (torch.randn(4, 1), torch.randn(4, 1)), epochs=1, device="cpu",
            progress=False)


def test_a_rising_training_loss_warns():
    """Before: lr=50 diverged from 4.96 to 89,129 without a word. Now: a RuntimeWarning.
    Here plain gradient descent on y = x with x = 1 and lr = 2.5 multiplies the error by
    1 - 2 * 2.5 = -4 each step: finite, but rising."""
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    x = torch.ones(4, 1)
    with pytest.warns(RuntimeWarning, match=r"training loss rose from 1 \(epoch 1\) to .* "
                                            r"\(epoch 5\).*lr=2.5"):
        fit(model, (x, x), epochs=5, optimizer=torch.optim.SGD(model.parameters(), lr=2.5),
            device="cpu", progress=False)


def test_a_falling_training_loss_does_not_warn(recwarn):
    x, y = _linear_data(16)
    fit(nn.Linear(3, 1), (x, y), epochs=5, lr=0.05, device="cpu", progress=False)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_fit_names_device_when_the_device_is_not_there(monkeypatch):
    """Before: fit(device='cuda:0') failed with an error about 'name'."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    x, y = _linear_data(4)
    with pytest.raises(ValueError, match=r"^device asks for device 'cuda:0'"):
        fit(nn.Linear(3, 1), (x, y), epochs=1, device="cuda:0", progress=False)
    with pytest.raises(TypeError, match=r"^device must be a str"):
        fit(nn.Linear(3, 1), (x, y), epochs=1, device=0, progress=False)
