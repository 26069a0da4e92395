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
