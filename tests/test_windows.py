"""Tests of rnnlib.windows: time splits, scaling, windows, window dates, minibatches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlib.models import WindowRegressor
from rnnlib.train import fit
from rnnlib.windows import (
    Minibatches,
    Scaler,
    TimeSeriesDataset,
    make_horizon_windows,
    make_windows,
    scale_split,
    time_split,
    window_dates,
)


def test_time_split_keeps_order_for_every_type():
    arr = np.arange(10)
    train, test = time_split(arr, test_size=3)
    assert train.tolist() == list(range(7)) and test.tolist() == [7, 8, 9]
    s = pd.Series(arr, index=pd.date_range("2000", periods=10, freq="D"))
    tr, va, te = time_split(s, test_size=0.2, val_size=2)
    assert len(tr) == 6 and len(va) == 2 and len(te) == 2
    assert tr.index.max() < va.index.min() and va.index.max() < te.index.min()
    _, t_te = time_split(torch.arange(10), test_size=0.5)
    assert torch.equal(t_te, torch.arange(5, 10))


@pytest.mark.parametrize("kwargs,exc,msg", [
    ({"test_size": 0}, ValueError, "test_size must be >= 1"),
    ({"test_size": 1.5}, ValueError, "between 0 and 1"),
    ({"test_size": "3"}, TypeError, "test_size must be an int"),
    ({"test_size": 6, "val_size": 4}, ValueError, "no training rows"),
])
def test_time_split_rejects_bad_sizes(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        time_split(np.arange(10), **kwargs)


def test_time_split_rejects_non_sequences():
    with pytest.raises(TypeError, match="data must be"):
        time_split(5, test_size=1)


def test_scale_split_fits_on_train_only():
    train = np.array([[0.0, 10.0], [2.0, 20.0], [4.0, 30.0]])
    test = np.array([[8.0, 40.0]])
    scaler, (tr, te) = scale_split(train, test)
    np.testing.assert_allclose(scaler.center_, [0.0, 10.0])
    np.testing.assert_allclose(scaler.scale_, [4.0, 20.0])
    assert scaler.n_fitted_ == 3
    np.testing.assert_allclose(tr.min(axis=0), 0) and np.testing.assert_allclose(tr.max(0), 1)
    np.testing.assert_allclose(te, [[2.0, 1.5]])  # the test part may leave [0, 1]
    assert tr.dtype == np.float32


def test_standard_scaler_and_inverse():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    s = Scaler("standard").fit(x)
    z = s.transform(x)
    assert z.shape == (4,)
    np.testing.assert_allclose(z.mean(), 0, atol=1e-6)
    np.testing.assert_allclose(s.inverse_transform(z), x, rtol=1e-6)
    np.testing.assert_allclose(s.inverse_transform(z, feature=0), x, rtol=1e-6)


def test_constant_feature_is_not_divided_by_zero():
    s = Scaler().fit(np.ones((5, 1)))
    assert np.all(np.isfinite(s.transform(np.ones((2, 1)))))


def test_scaler_errors():
    with pytest.raises(ValueError, match="kind must be"):
        Scaler("robust")
    with pytest.raises(RuntimeError, match="not fitted"):
        Scaler().transform([1.0])
    s = Scaler().fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="3 features, the scaler was fitted on 2"):
        s.transform(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="feature must be < 2"):
        s.inverse_transform([1.0], feature=2)
    with pytest.raises(ValueError, match="NaN"):
        Scaler().fit([1.0, np.nan])
    with pytest.raises(TypeError, match="non-numeric columns"):
        Scaler().fit(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))


def test_dataset_window_and_last_targets():
    ts = np.arange(10, dtype=float)
    ds = TimeSeriesDataset(ts, lookback=4, shift=2)
    assert len(ds) == 10 - 4 - 2 + 1
    x, y = ds[0]
    assert x.shape == (4, 1) and y.shape == (4, 1)
    assert x.view(-1).tolist() == [0, 1, 2, 3] and y.view(-1).tolist() == [2, 3, 4, 5]
    x, y = ds[-1]
    assert y.view(-1).tolist()[-1] == 9
    last = TimeSeriesDataset(ts, lookback=4, shift=2, target="last")
    x, y = last[0]
    assert y.shape == (1,) and y.item() == 5.0  # 2 steps after the window's last value, 3


def test_dataset_target_columns_and_make_windows_agree():
    ts = np.stack([np.arange(12.0), 100 + np.arange(12.0)], axis=1)
    for target in ("window", "last"):
        ds = TimeSeriesDataset(ts, lookback=3, shift=1, target=target, target_cols=[1])
        x, y = make_windows(ts, lookback=3, shift=1, target=target, target_cols=[1])
        assert x.shape == (len(ds), 3, 2)
        for i in range(len(ds)):
            xi, yi = ds[i]
            assert torch.equal(x[i], xi) and torch.equal(y[i], yi)


@pytest.mark.parametrize("kwargs,exc,msg", [
    ({"ts": np.arange(5.0), "lookback": 5}, ValueError, "too few"),
    ({"ts": np.arange(5.0), "lookback": 0}, ValueError, "lookback must be >= 1"),
    ({"ts": np.arange(5.0), "lookback": 2, "shift": 0}, ValueError, "shift must be >= 1"),
    ({"ts": [1.0, np.nan, 3.0, 4.0], "lookback": 2}, ValueError, "NaN"),
    ({"ts": pd.DataFrame({"a": ["x"] * 5}), "lookback": 2}, TypeError, "non-numeric"),
    ({"ts": np.arange(5.0), "lookback": 2, "target": "next"}, ValueError, "target must be"),
    ({"ts": np.arange(5.0), "lookback": 2, "target_cols": [1]}, ValueError, "out of range"),
    ({"ts": np.arange(5.0), "lookback": 2.0}, TypeError, "lookback must be an int"),
])
def test_dataset_rejects_bad_input(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        TimeSeriesDataset(**kwargs)


def test_dataset_index_error():
    ds = TimeSeriesDataset(np.arange(5.0), lookback=2)
    with pytest.raises(IndexError):
        ds[len(ds)]


@pytest.mark.parametrize("lookback,shift", [(1, 1), (3, 1), (4, 2)])
def test_window_dates_match_make_windows(lookback, shift):
    n = 12
    dates = pd.bdate_range("2021-01-04", periods=n)
    positions = np.arange(n, dtype=float)  # a series whose values are its own positions
    x, y = make_windows(positions, lookback, shift)
    last_input, target = window_dates(dates, lookback, shift)
    assert len(last_input) == len(target) == len(x)
    assert list(last_input) == [dates[int(i)] for i in x[:, -1, 0]]
    assert list(target) == [dates[int(i)] for i in y[:, 0]]
    assert (last_input < target).all()


def test_window_dates_accepts_positions_and_rejects_bad_input():
    last_input, target = window_dates(range(5), 2)
    assert list(last_input) == [1, 2, 3] and list(target) == [2, 3, 4]
    with pytest.raises(ValueError, match="too few"):
        window_dates(range(3), 3)
    with pytest.raises(TypeError, match="lookback must be an int"):
        window_dates(range(5), 2.0)
    with pytest.raises(ValueError, match="shift must be >= 1"):
        window_dates(range(5), 2, 0)
    with pytest.raises(TypeError, match="index must be"):
        window_dates("2021-01-04", 1)


def _xy(n: int = 10) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.arange(n * 3, dtype=torch.float32).reshape(n, 3, 1)
    return x, x[:, -1] + 1


def test_minibatches_cover_every_row_once_per_epoch_in_a_new_order():
    x, y = _xy(10)
    batches = Minibatches(x, y, batch_size=4, seed=0)
    assert len(batches) == 3
    epochs = [list(batches) for _ in range(2)]
    for epoch in epochs:
        assert [len(bx) for bx, _ in epoch] == [4, 4, 2]
        rows = torch.cat([bx[:, -1, 0] for bx, _ in epoch])
        assert sorted(rows.tolist()) == x[:, -1, 0].tolist()
        for bx, by in epoch:  # inputs and targets stay paired
            torch.testing.assert_close(by, bx[:, -1] + 1)
    first, second = (torch.cat([bx[:, -1, 0] for bx, _ in e]) for e in epochs)
    assert not torch.equal(first, second)


def test_minibatches_repeat_with_the_seed_whatever_the_global_generator_does():
    x, y = _xy(20)
    a = [bx for bx, _ in Minibatches(x, y, 8, seed=3)]
    torch.manual_seed(99)
    torch.rand(5)
    b = [bx for bx, _ in Minibatches(x, y, 8, seed=3)]
    c = [bx for bx, _ in Minibatches(x, y, 8, seed=4)]
    assert all(torch.equal(p, q) for p, q in zip(a, b))
    assert not all(torch.equal(p, q) for p, q in zip(a, c))


def test_minibatches_equal_a_seeded_batch_sampler_over_a_dataset():
    from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

    x, y = _xy(13)
    ds = TensorDataset(x, y)
    order = RandomSampler(ds, generator=torch.Generator().manual_seed(5))
    loader = DataLoader(ds, sampler=BatchSampler(order, 4, drop_last=False), batch_size=None)
    ours = Minibatches(x, y, 4, seed=5)
    for _ in range(3):  # three epochs
        for (ax, ay), (bx, by) in zip(loader, ours, strict=True):
            assert torch.equal(ax, bx) and torch.equal(ay, by)


def test_minibatches_train_a_model_with_fit():
    torch.manual_seed(0)
    x = torch.randn(64, 5, 1)
    y = x[:, -1]
    model = WindowRegressor(1, 8, cell="gru")
    history = fit(model, Minibatches(x, y, 16, seed=0), epochs=30, lr=1e-2, progress=False,
                  device="cpu")
    assert history.train_loss[-1] < 0.1 * history.train_loss[0]


@pytest.mark.parametrize("args,kwargs,exc,msg", [
    (([[1.0]], torch.ones(1), 1), {}, TypeError, "x must be a torch.Tensor"),
    ((torch.ones(2, 1), None, 1), {}, TypeError, "y must be a torch.Tensor"),
    ((torch.tensor(1.0), torch.ones(1), 1), {}, ValueError, "x must have one row per example"),
    ((torch.ones(0, 2), torch.ones(0), 1), {}, ValueError, "x must hold at least one row"),
    ((torch.ones(3, 2), torch.ones(2), 1), {}, ValueError, "x has 3 rows but y has 2"),
    ((torch.ones(3, 2), torch.ones(3), 0), {}, ValueError, "batch_size must be >= 1"),
    ((torch.ones(3, 2), torch.ones(3), 2.0), {}, TypeError, "batch_size must be an int"),
    ((torch.ones(3, 2), torch.ones(3), 2), {"seed": -1}, ValueError, "seed must be >= 0"),
])
def test_minibatches_reject_bad_input(args, kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        Minibatches(*args, **kwargs)


# --- make_horizon_windows: the next `horizon` values of one column after each window ---


def test_horizon_windows_on_a_hand_example():
    x, y = make_horizon_windows(np.arange(10.0), lookback=3, horizon=2)
    assert x.shape == (6, 3, 1) and y.shape == (6, 2)       # 10 - 3 - 2 + 1 windows
    assert x.dtype == y.dtype == torch.float32
    for i in range(6):
        assert x[i, :, 0].tolist() == [i, i + 1, i + 2]
        assert y[i].tolist() == [i + 3, i + 4]
    assert y[-1, -1] == 9                                   # the last window ends the series


@pytest.mark.parametrize("lookback, horizon", [(1, 1), (4, 1), (5, 3), (2, 7)])
def test_horizon_windows_agree_with_make_windows(lookback, horizon):
    ts = np.random.default_rng(0).normal(size=(20, 2))
    x, y = make_horizon_windows(ts, lookback, horizon, target_col=1)
    n = 20 - lookback - horizon + 1
    assert x.shape == (n, lookback, 2) and y.shape == (n, horizon)
    # make_windows makes more windows (its horizon is 1): compare the first n
    one_x, one_y = make_windows(ts, lookback, target="last", target_cols=[1])
    assert torch.equal(x, one_x[:n]) and torch.equal(y[:, 0], one_y[:n, 0])
    # step j + 1 ahead is make_windows' target with shift j + 1
    for j in range(horizon):
        _, shifted = make_windows(ts, lookback, shift=j + 1, target="last", target_cols=[1])
        assert torch.equal(y[:, j], shifted[:n, 0])


def test_horizon_windows_read_every_feature_and_target_one_column():
    ts = np.stack([np.arange(12.0), 100 + np.arange(12.0)], axis=1)
    for col, offset in ((0, 0), (1, 100)):
        x, y = make_horizon_windows(ts, lookback=4, horizon=3, target_col=col)
        assert x.shape == (6, 4, 2) and y.shape == (6, 3)
        for i in range(6):
            assert torch.equal(x[i], torch.as_tensor(ts[i:i + 4], dtype=torch.float32))
            assert y[i].tolist() == [offset + i + 4 + j for j in range(3)]
    frame = pd.DataFrame(ts, columns=["a", "b"])
    for got, want in zip(make_horizon_windows(frame, 4, 3, 1), make_horizon_windows(ts, 4, 3, 1)):
        assert torch.equal(got, want)


@pytest.mark.parametrize("kwargs, exc, msg", [
    ({"ts": np.arange(5.0), "lookback": 3, "horizon": 3}, ValueError, "ts has 5 steps, too few"),
    ({"ts": np.arange(6.0), "lookback": 3, "horizon": 0}, ValueError, "horizon must be >= 1"),
    ({"ts": np.arange(6.0), "lookback": 3, "horizon": 2.0}, TypeError,
     "horizon must be an int"),
    ({"ts": np.arange(6.0), "lookback": 0, "horizon": 2}, ValueError, "lookback must be >= 1"),
    ({"ts": np.zeros((6, 2)), "lookback": 2, "horizon": 2, "target_col": 2}, ValueError,
     "target_col 2 is out of range for 2 features"),
    ({"ts": np.arange(6.0), "lookback": 2, "horizon": 2, "target_col": 1}, ValueError,
     "target_col 1 is out of range"),
    ({"ts": np.arange(6.0), "lookback": 2, "horizon": 2, "target_col": -1}, ValueError,
     "target_col must be >= 0"),
    ({"ts": np.arange(6.0), "lookback": 2, "horizon": 2, "target_col": "a"}, TypeError,
     "target_col must be an int"),
    ({"ts": [1.0, np.nan, 3.0, 4.0, 5.0], "lookback": 2, "horizon": 1}, ValueError, "ts holds"),
])
def test_horizon_windows_reject_bad_input(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        make_horizon_windows(**kwargs)


def test_horizon_windows_need_lookback_plus_horizon_steps():
    x, y = make_horizon_windows(np.arange(5.0), lookback=3, horizon=2)   # exactly enough
    assert x.shape == (1, 3, 1) and y.tolist() == [[3.0, 4.0]]
