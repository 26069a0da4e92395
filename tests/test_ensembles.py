"""rnnlib.ensembles: each member of an ensemble computes and learns exactly what its model
computes and learns alone (outputs, gradients, Adam steps), and bad calls are refused by name.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import ClassVar

import pytest
import torch
from torch import nn
from torch.testing import assert_close

import rnnlib
from rnnlib import Ensemble, RecurrentEnsemble, fit_members
from rnnlib.models import SequenceRegressor, WindowRegressor

K, IN, HID, OUT = 3, 2, 4, 2  # members, input features, hidden units, outputs
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
KINDS = [WindowRegressor, SequenceRegressor]
CELLS = ["rnn", "lstm", "gru"]
RNNLIB_DIR = Path(rnnlib.__file__).parent


def _recurrent_models(kind, cell, k=K, input_size=IN, output_size=OUT, seed=0):
    torch.manual_seed(seed)
    return [kind(input_size, HID, output_size, cell=cell) for _ in range(k)]


def _outputs(model, x):
    """A model's (or an ensemble's) predictions, without a sequence model's state."""
    out = model(x)
    return out[0] if isinstance(out, tuple) else out


def _rows(i, k, gates, h=HID):
    """The rows of member ``i`` in a wide layer's gate-major weights and biases."""
    return torch.cat([torch.arange(q * k * h + i * h, q * k * h + (i + 1) * h)
                      for q in range(gates)])


def _member_blocks(ens, tensors, i):
    """Member ``i``'s blocks of the wide layer's ``tensors`` (e.g. its weights or grads)."""
    rows, cols = _rows(i, ens.n_members, GATES[ens.cell]), slice(i * HID, (i + 1) * HID)
    return {"weight_ih_l0": tensors["weight_ih_l0"][rows],
            "weight_hh_l0": tensors["weight_hh_l0"][rows][:, cols],
            "bias_ih_l0": tensors["bias_ih_l0"][rows],
            "bias_hh_l0": tensors["bias_hh_l0"][rows]}


# --- RecurrentEnsemble -----------------------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_recurrent_ensemble_outputs_are_the_models_outputs_stacked(kind, cell):
    models = _recurrent_models(kind, cell)
    ens = RecurrentEnsemble(models)
    x = torch.randn(5, 6, IN)
    want = torch.stack([_outputs(m, x) for m in models])
    got = _outputs(ens, x)
    assert got.shape == ((K, 5, OUT) if kind is WindowRegressor else (K, 5, 6, OUT))
    assert_close(got, want)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_recurrent_ensemble_gradients_are_the_models_gradients(kind, cell):
    models = _recurrent_models(kind, cell)
    ens = RecurrentEnsemble(models)
    x = torch.randn(5, 6, IN)
    pred = _outputs(ens, x)
    scale = torch.randn(pred.shape)  # a different loss for every member
    (pred * scale).sum().backward()
    for i, m in enumerate(models):
        (_outputs(m, x) * scale[i]).sum().backward()
        assert_close(ens.head_weight.grad[i], m.head.weight.grad)
        assert_close(ens.head_bias.grad[i], m.head.bias.grad)
        grads = {n: p.grad for n, p in ens.rnn.named_parameters()}
        for name, grad in _member_blocks(ens, grads, i).items():
            assert_close(grad, getattr(m.rnn, name).grad, msg=f"member {i}: {name}")
    off_diagonal = ens.rnn.weight_hh_l0.grad * (1 - ens.mask)
    assert ens.mask.sum() < ens.mask.numel()
    assert torch.equal(off_diagonal, torch.zeros_like(off_diagonal))


@pytest.mark.parametrize("cell", CELLS)
def test_recurrent_ensemble_off_diagonal_weights_have_no_effect(cell):
    models = _recurrent_models(SequenceRegressor, cell)
    ens = RecurrentEnsemble(models)
    x = torch.randn(5, 6, IN)
    before = _outputs(ens, x)
    assert torch.equal(ens.rnn.weight_hh_l0 * (1 - ens.mask),
                       torch.zeros_like(ens.rnn.weight_hh_l0))
    with torch.no_grad():  # fill the blocks that connect different members
        ens.rnn.weight_hh_l0.add_(10 * torch.randn_like(ens.mask) * (1 - ens.mask))
    assert_close(_outputs(ens, x), before)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_recurrent_member_round_trips(kind, cell):
    models = _recurrent_models(kind, cell)
    ens = RecurrentEnsemble(models)
    x = torch.randn(5, 6, IN)
    for i, m in enumerate(models):
        copy_i = ens.member(i)
        assert type(copy_i) is kind and type(copy_i.rnn) is type(m.rnn)
        for (name, a), (_, b) in zip(copy_i.named_parameters(), m.named_parameters(),
                                     strict=True):
            assert_close(a, b, msg=name)
        assert_close(_outputs(copy_i, x), _outputs(m, x))
    # Round trip again: an ensemble of the copies computes what the first one does.
    again = RecurrentEnsemble([ens.member(i) for i in range(K)])
    assert_close(_outputs(again, x), _outputs(ens, x))


@pytest.mark.parametrize("cell", CELLS)
def test_recurrent_sequence_state_continues_the_sequences(cell):
    models = _recurrent_models(SequenceRegressor, cell)
    ens = RecurrentEnsemble(models)
    x = torch.randn(5, 8, IN)
    y_all, state_all = ens(x)
    y_a, state = ens(x[:, :3])
    y_b, state = ens(x[:, 3:], state)
    assert_close(torch.cat([y_a, y_b], dim=2), y_all)
    parts = state if cell == "lstm" else (state,)
    parts_all = state_all if cell == "lstm" else (state_all,)
    for a, b in zip(parts, parts_all, strict=True):
        assert a.shape == (1, 5, K * HID)
        assert_close(a, b)
    # Member i's slice of the wide state is the state of model i.
    for i, m in enumerate(models):
        _, own = m(x)
        for a, b in zip(parts_all, own if cell == "lstm" else (own,), strict=True):
            assert_close(a[..., i * HID:(i + 1) * HID], b)


def test_recurrent_ensemble_with_one_input_and_output_and_one_member():
    models = _recurrent_models(WindowRegressor, "lstm", k=1, input_size=1, output_size=1)
    ens = RecurrentEnsemble(models)
    x = torch.randn(4, 5, 1)
    assert_close(ens(x), models[0](x)[None])
    assert ens.cell == "lstm" and ens.n_members == 1


def test_recurrent_ensemble_follows_the_models_dtype_and_device():
    models = [m.double() for m in _recurrent_models(SequenceRegressor, "gru")]
    ens = RecurrentEnsemble(models)
    x = torch.randn(5, 6, IN, dtype=torch.float64)
    assert_close(_outputs(ens, x), torch.stack([_outputs(m, x) for m in models]))
    assert ens.member(1).rnn.weight_hh_l0.dtype == torch.float64
    meta = RecurrentEnsemble([m.to("meta") for m in _recurrent_models(WindowRegressor, "rnn")])
    assert meta.rnn.weight_ih_l0.is_meta and meta.mask.is_meta
    assert meta(torch.randn(5, 6, IN, device="meta")).shape == (K, 5, OUT)
    assert meta.member(0).head.weight.is_meta


def test_recurrent_ensemble_and_member_leave_the_random_stream_alone():
    models = _recurrent_models(WindowRegressor, "lstm")
    torch.manual_seed(7)
    want = torch.rand(3)
    torch.manual_seed(7)
    RecurrentEnsemble(models).member(2)
    assert torch.equal(torch.rand(3), want)


def test_recurrent_ensemble_state_dict_round_trips():
    ens = RecurrentEnsemble(_recurrent_models(WindowRegressor, "gru", seed=0))
    other = RecurrentEnsemble(_recurrent_models(WindowRegressor, "gru", seed=1))
    x = torch.randn(5, 6, IN)
    assert not torch.allclose(other(x), ens(x))
    other.load_state_dict(ens.state_dict())
    assert_close(other(x), ens(x))


# --- Ensemble ------------------------------------------------------------------------

class Scaled(nn.Module):
    """A linear layer whose output is multiplied by a registered (non-trained) buffer."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(3, 2)
        self.register_buffer("scale", torch.rand(2) + 0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x) * self.scale


def _mlp():
    return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2))


def _conv():
    return nn.Sequential(nn.Conv1d(3, 4, 3, padding=1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 5, 1))


def _batchnorm():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    with torch.no_grad():  # running statistics of its own, as after some training
        model[1].running_mean.normal_()
        model[1].running_var.uniform_(0.5, 2.0)
    return model.eval()


FACTORIES = {"mlp": (_mlp, (6, 3)), "conv1d": (_conv, (6, 3, 5)),
             "batchnorm": (_batchnorm, (6, 3)), "buffer": (Scaled, (6, 3))}


def _models(factory, k=K, seed=0):
    torch.manual_seed(seed)
    return [FACTORIES[factory][0]() for _ in range(k)]


def _x(factory):
    return torch.randn(FACTORIES[factory][1])


@pytest.mark.parametrize("factory", FACTORIES)
def test_ensemble_outputs_and_gradients_are_the_models(factory):
    models = _models(factory)
    ens = Ensemble(models)
    if factory == "batchnorm":
        ens.eval()
    x = _x(factory)
    pred = ens(x)
    assert_close(pred, torch.stack([m(x) for m in models]))
    scale = torch.randn(pred.shape)
    (pred * scale).sum().backward()
    names = [n for n, _ in models[0].named_parameters()]
    assert len(names) == len(ens.stacked)
    for i, m in enumerate(models):
        (m(x) * scale[i]).sum().backward()
        for name, stacked in zip(names, ens.stacked, strict=True):
            assert_close(stacked.grad[i], m.get_parameter(name).grad, msg=name)


@pytest.mark.parametrize("factory", FACTORIES)
def test_ensemble_member_round_trips(factory):
    models = _models(factory)
    ens = Ensemble(models).train(factory != "batchnorm")
    x = _x(factory)
    for i, m in enumerate(models):
        copy_i = ens.member(i)
        assert type(copy_i) is type(m) and copy_i.training == ens.training
        for (name, a), (_, b) in zip(copy_i.state_dict().items(), m.state_dict().items(),
                                     strict=True):
            assert_close(a, b, msg=name)
        assert_close(copy_i(x), m(x))


def test_ensemble_batchnorm_in_training_mode_updates_each_members_statistics():
    models = [m.train() for m in _models("batchnorm")]
    ens = Ensemble(models).train()
    x = _x("batchnorm")
    assert_close(ens(x), torch.stack([m(x) for m in models]))  # each updates its stats too
    for i, m in enumerate(models):
        assert_close(ens.member(i)[1].running_mean, m[1].running_mean)
        assert_close(ens.member(i)[1].running_var, m[1].running_var)
        assert ens.member(i)[1].num_batches_tracked == m[1].num_batches_tracked == 1


def test_ensemble_to_and_state_dict():
    models = _models("buffer")
    ens = Ensemble(models)
    x = _x("buffer")
    state = ens.state_dict()
    assert len(state) == len(ens.stacked) + 1  # the stacked weights and the buffer
    other = Ensemble(_models("buffer", seed=1))
    assert not torch.allclose(other(x), ens(x))
    other.load_state_dict(state)
    assert_close(other(x), ens(x))

    ens.double()
    assert all(p.dtype == torch.float64 for p in ens.parameters())
    assert_close(ens(x.double()), torch.stack([m.double()(x.double()) for m in models]))
    assert ens.member(0).linear.weight.dtype == torch.float64
    assert ens.member(0).scale.dtype == torch.float64

    meta = Ensemble(_models("mlp")).to("meta")  # the meta device stands in for a GPU
    assert all(p.is_meta for p in meta.parameters())
    assert meta(torch.randn(6, 3, device="meta")).shape == (K, 6, 2)
    assert all(p.is_meta for p in meta.member(1).parameters())


def test_ensemble_copies_the_models_weights():
    models = _models("mlp")
    ens = Ensemble(models)
    x = _x("mlp")
    before = ens(x).detach()
    with torch.no_grad():
        models[0][0].weight.add_(1.0)
    assert_close(ens(x), before)


# --- fit_members ------------------------------------------------------------------------

def _fit_alone(model, x, y, mask, epochs, lr):
    """Train one model by itself: full-batch Adam, mean squared error over its targets."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        loss = ((_outputs(model, x) - y) ** 2 * mask).sum() / mask.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def _fold_masks(shape, k=K):
    """Member m learns from the first (m + 2) / (k + 2) of the rows (a validation fold)."""
    n = shape[0]
    mask = torch.zeros(k, *shape, dtype=torch.bool)
    for m in range(k):
        mask[m, : n * (m + 2) // (k + 2)] = True
    return mask


def _check_fit_matches(ens, models, x, y, mask, epochs=15, lr=0.02):
    alone = [_fit_alone(copy.deepcopy(m), x, y, mask[i].to(y.dtype), epochs, lr)
             for i, m in enumerate(models)]
    assert fit_members(ens, x, y, mask, epochs=epochs, lr=lr) == []
    for i, m in enumerate(alone):
        trained = dict(ens.member(i).named_parameters())
        for name, b in m.named_parameters():
            assert_close(trained[name], b, rtol=1e-4, atol=1e-5, msg=f"member {i}: {name}")
            assert not torch.allclose(b, models[i].get_parameter(name))  # it did learn


@pytest.mark.parametrize("masks", ["random", "folds"])
def test_fit_members_ensemble_trains_each_member_as_alone(masks):
    models = _models("mlp")
    x = _x("mlp")
    y = torch.randn(6, 2)
    mask = torch.rand(K, 6, 2) < 0.6 if masks == "random" else _fold_masks((6, 2))
    mask[:, 0, 0] = True  # every member has a target
    _check_fit_matches(Ensemble(models), models, x, y, mask)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_fit_members_recurrent_trains_each_member_as_alone(kind, cell):
    models = _recurrent_models(kind, cell)
    x = torch.randn(8, 5, IN)
    shape = (8, OUT) if kind is WindowRegressor else (8, 5, OUT)
    y = torch.randn(shape)
    mask = _fold_masks(shape).float()  # float 0/1 works as bool does
    _check_fit_matches(RecurrentEnsemble(models), models, x, y, mask)


def test_fit_members_keeps_off_diagonal_blocks_and_masks_out_later_targets():
    models = _recurrent_models(WindowRegressor, "lstm")
    x, y = torch.randn(10, 4, IN), torch.randn(10, OUT)
    mask = _fold_masks((10, OUT))
    ens, changed = RecurrentEnsemble(models), RecurrentEnsemble(models)
    fit_members(ens, x, y, mask, epochs=5)
    assert torch.equal(ens.rnn.weight_hh_l0 * (1 - ens.mask),
                       torch.zeros_like(ens.rnn.weight_hh_l0))
    # Member 0 never sees a target its mask leaves out: changing them changes nothing.
    y_changed = torch.where(mask[0], y, y + 100.0)
    fit_members(changed, x, y_changed, mask, epochs=5)
    for a, b in zip(ens.member(0).parameters(), changed.member(0).parameters(), strict=True):
        assert torch.equal(a, b)
    assert not torch.allclose(ens.member(K - 1).head.weight, changed.member(K - 1).head.weight)


class ModeProbe(nn.Module):
    """A linear layer that records, at every call, its mode and whether grad is enabled
    (in a class attribute: the ensemble runs a copy of the model)."""

    calls: ClassVar[list] = []

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.linear(x)


def test_fit_members_evaluates_every_few_epochs_in_eval_mode_without_grad():
    calls = ModeProbe.calls
    calls.clear()
    torch.manual_seed(0)
    models = [ModeProbe() for _ in range(K)]
    ens = Ensemble(models)
    x, y = torch.randn(6, 3), torch.randn(6, 1)
    mask = torch.ones(K, 6, 1)
    seen = []

    def evaluate(e):
        seen.append((e.training, torch.is_grad_enabled()))
        return e(x)[:, 0, 0].clone()

    records = fit_members(ens, x, y, mask, epochs=10, every=3, evaluate=evaluate)
    assert [epoch for epoch, _ in records] == [3, 6, 9]
    assert seen == [(False, False)] * 3
    assert calls == ([(True, True)] * 3 + [(False, False)]) * 3 + [(True, True)]
    assert not ens.training  # left in eval mode
    # The value recorded at epoch 6 is that of an ensemble trained for 6 epochs.
    again = Ensemble(models)
    fit_members(again, x, y, mask, epochs=6)
    assert_close(records[1][1], again(x)[:, 0, 0])
    assert fit_members(Ensemble(models), x, y, mask, epochs=2, every=5, evaluate=evaluate) == []


def test_fit_members_raises_on_a_nan_loss():
    ens = Ensemble(_models("mlp"))
    with torch.no_grad():
        ens.stacked[0][1].fill_(float("nan"))  # member 1 is broken
    with pytest.raises(FloatingPointError, match="epoch 1"):
        fit_members(ens, _x("mlp"), torch.randn(6, 2), torch.ones(K, 6, 2), epochs=3)


# --- bad input ------------------------------------------------------------------------

def _lstm_window(**kwargs):
    model = WindowRegressor(IN, HID, OUT, cell="lstm")
    model.rnn = nn.LSTM(IN, HID, batch_first=True, **kwargs)
    return model


def _cells_window():
    model = WindowRegressor(IN, HID, OUT)
    model.rnn = rnnlib.LSTM(IN, HID)  # rnnlib's own cells: not one wide torch layer
    return model


def _relu_rnn():
    model = WindowRegressor(IN, HID, OUT, cell="rnn")
    model.rnn = nn.RNN(IN, HID, batch_first=True, nonlinearity="relu")
    return model


ENS = Ensemble(_models("mlp"))
WIN = RecurrentEnsemble(_recurrent_models(WindowRegressor, "gru"))
SEQ = RecurrentEnsemble(_recurrent_models(SequenceRegressor, "lstm"))
X, Y, MASK = torch.randn(6, 3), torch.randn(6, 2), torch.ones(K, 6, 2)
XR = torch.randn(6, 5, IN)


def _fit(**changes):
    kwargs = {"ensemble": ENS, "x": X, "y": Y, "mask": MASK, "epochs": 1} | changes
    return fit_members(**kwargs)


def _mask(**where):
    mask = MASK.clone()
    for index, value in where.items():
        mask[int(index[1:])] = value
    return mask


# (call, exception, words the message must hold)
BAD_CALLS = {
    "empty list": (lambda: Ensemble([]), ValueError, "models"),
    "one module": (lambda: Ensemble(nn.Linear(2, 1)), TypeError, "models"),
    "one recurrent module": (lambda: RecurrentEnsemble(WindowRegressor(1, 2)), TypeError,
                             "models"),
    "a string": (lambda: Ensemble("ab"), TypeError, "models"),
    "not models": (lambda: Ensemble([1.0, 2.0]), TypeError, "models[0]"),
    "mixed classes": (lambda: Ensemble([nn.Linear(2, 1), nn.Bilinear(2, 2, 1)]), TypeError,
                      "models[1]"),
    "mixed regressors": (lambda: RecurrentEnsemble([WindowRegressor(1, 2),
                                                    SequenceRegressor(1, 2)]),
                         TypeError, "models[1]"),
    "not a regressor": (lambda: RecurrentEnsemble([nn.Linear(2, 1)]), TypeError, "models[0]"),
    "different shapes": (lambda: Ensemble([nn.Linear(2, 1), nn.Linear(3, 1)]), ValueError,
                         "models[1]"),
    "different cells": (lambda: RecurrentEnsemble([WindowRegressor(1, 2, cell="lstm"),
                                                   WindowRegressor(1, 2, cell="gru")]),
                        ValueError, "models[1]"),
    "different dtypes": (lambda: Ensemble([nn.Linear(2, 1), nn.Linear(2, 1).double()]),
                         ValueError, "models[1]"),
    "different buffers": (lambda: Ensemble([nn.BatchNorm1d(2), nn.BatchNorm1d(
        2, track_running_stats=False)]), ValueError, "models[1]"),
    "different devices": (lambda: Ensemble([nn.Linear(2, 1), nn.Linear(2, 1).to("meta")]),
                          ValueError, "devices"),
    "different recurrent devices": (lambda: RecurrentEnsemble(
        [WindowRegressor(1, 2), WindowRegressor(1, 2).to("meta")]), ValueError, "devices"),
    "no parameters": (lambda: Ensemble([nn.ReLU(), nn.ReLU()]), ValueError, "models"),
    "recurrent in Ensemble": (lambda: Ensemble(_recurrent_models(WindowRegressor, "rnn")),
                              TypeError, "RecurrentEnsemble"),
    "two layers": (lambda: RecurrentEnsemble([WindowRegressor(1, 2, num_layers=2)] * 2),
                   ValueError, "num_layers"),
    "bidirectional": (lambda: RecurrentEnsemble([_lstm_window(bidirectional=True)] * 2),
                      ValueError, "bidirectional"),
    "projection": (lambda: RecurrentEnsemble([_lstm_window(proj_size=2)] * 2), ValueError,
                   "proj_size"),
    "no biases": (lambda: RecurrentEnsemble([_lstm_window(bias=False)] * 2), ValueError,
                  "bias"),
    "relu": (lambda: RecurrentEnsemble([_relu_rnn()] * 2), ValueError, "nonlinearity"),
    "own cells": (lambda: RecurrentEnsemble([_cells_window()]), TypeError, "models[0].rnn"),
    # x
    "x not a tensor": (lambda: ENS([[1.0, 2.0, 3.0]]), TypeError, "x "),
    "x wrong shape": (lambda: ENS(torch.randn(6, 4)), ValueError, "x "),
    "x integers": (lambda: ENS(torch.ones(6, 3, dtype=torch.long)), TypeError, "x "),
    "x booleans": (lambda: ENS(torch.ones(6, 3, dtype=torch.bool)), TypeError, "x "),
    "x other device": (lambda: ENS(torch.randn(6, 3, device="meta")), ValueError, "x "),
    "recurrent x not a tensor": (lambda: WIN(XR.numpy()), TypeError, "x "),
    "recurrent x 2-D": (lambda: WIN(XR[:, :, 0]), ValueError, "x "),
    "recurrent x wrong width": (lambda: WIN(torch.randn(6, 5, IN + 1)), ValueError, "x "),
    "recurrent x integers": (lambda: SEQ(XR.long()), TypeError, "x "),
    "recurrent x other device": (lambda: SEQ(XR.to("meta")), ValueError, "x "),
    "state for windows": (lambda: WIN(XR, torch.zeros(1, 6, K * HID)), TypeError, "state"),
    "state of one member": (lambda: SEQ(XR, (torch.zeros(1, 6, HID),) * 2), ValueError,
                            "state"),
    "state without c": (lambda: SEQ(XR, torch.zeros(1, 6, K * HID)), ValueError, "state"),
    # member
    "member -1": (lambda: ENS.member(-1), ValueError, "i "),
    "member k": (lambda: ENS.member(K), ValueError, "i "),
    "member float": (lambda: ENS.member(1.0), TypeError, "i "),
    "recurrent member k": (lambda: SEQ.member(K), ValueError, "i "),
    "recurrent member bool": (lambda: WIN.member(True), TypeError, "i "),
    # fit_members
    "not an ensemble": (lambda: _fit(ensemble=nn.Linear(3, 2)), TypeError, "ensemble"),
    "fit x not a tensor": (lambda: _fit(x=X.numpy()), TypeError, "x "),
    "fit x integers": (lambda: _fit(ensemble=WIN, x=XR.int(), y=torch.randn(6, OUT)),
                       TypeError, "x "),
    "y not a tensor": (lambda: _fit(y=Y.tolist()), TypeError, "y "),
    "y wrong shape": (lambda: _fit(y=Y[:, :1]), ValueError, "y "),
    "y with the members axis": (lambda: _fit(y=Y.expand(K, 6, 2)), ValueError, "y "),
    "y integers": (lambda: _fit(y=Y.long()), TypeError, "y "),
    "y NaN": (lambda: _fit(y=Y.clone().fill_(float("nan"))), ValueError, "y "),
    "y other device": (lambda: _fit(y=Y.to("meta")), ValueError, "y "),
    "mask not a tensor": (lambda: _fit(mask=MASK.tolist()), TypeError, "mask"),
    "mask wrong shape": (lambda: _fit(mask=MASK[0]), ValueError, "mask"),
    "mask one member short": (lambda: _fit(mask=MASK[1:]), ValueError, "mask"),
    "mask not 0/1": (lambda: _fit(mask=MASK / 2), ValueError, "mask"),
    "mask NaN": (lambda: _fit(mask=_mask(m1=float("nan"))), ValueError, "mask"),
    "mask complex": (lambda: _fit(mask=MASK.to(torch.complex64)), TypeError, "mask"),
    "mask other device": (lambda: _fit(mask=MASK.to("meta")), ValueError, "mask"),
    "member without a target": (lambda: _fit(mask=_mask(m2=0.0)), ValueError,
                                "[2] have none in mask"),
    "epochs 0": (lambda: _fit(epochs=0), ValueError, "epochs"),
    "epochs float": (lambda: _fit(epochs=2.0), TypeError, "epochs"),
    "epochs bool": (lambda: _fit(epochs=True), TypeError, "epochs"),
    "lr 0": (lambda: _fit(lr=0.0), ValueError, "lr"),
    "lr negative": (lambda: _fit(lr=-0.1), ValueError, "lr"),
    "lr NaN": (lambda: _fit(lr=float("nan")), ValueError, "lr"),
    "lr string": (lambda: _fit(lr="0.01"), TypeError, "lr"),
    "every negative": (lambda: _fit(every=-1), ValueError, "every"),
    "every float": (lambda: _fit(every=1.0), TypeError, "every"),
    "evaluate missing": (lambda: _fit(every=2), TypeError, "evaluate"),
    "evaluate not callable": (lambda: _fit(every=1, evaluate="rmse"), TypeError, "evaluate"),
}



@pytest.mark.parametrize("call", list(BAD_CALLS))
def test_bad_calls_are_refused_by_name(call):
    fn, error, words = BAD_CALLS[call]
    before = [p.detach().clone() for p in ENS.parameters()]
    with pytest.raises(error) as info:
        fn()
    assert words in str(info.value), f"{call}: {info.value}"
    last = Path(info.traceback[-1].path)
    assert RNNLIB_DIR in last.parents, f"{call}: raised in {last}, not in rnnlib: {info.value}"
    for a, b in zip(ENS.parameters(), before, strict=True):  # nothing was trained
        assert torch.equal(a, b)
