"""Tests of rnnlib.data: the sine wave, sunspots and the adding problem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlib.data import adding_problem, load_sunspots, sine_wave


def test_sine_wave_values_shapes_and_types():
    t, y = sine_wave(5, 0.5)
    assert t.shape == y.shape == (5,) and t.dtype == y.dtype == np.float32
    np.testing.assert_allclose(t, [0.0, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_allclose(y, np.sin(t), rtol=1e-6)
    _, y2 = sine_wave(5, 0.5, amplitude=2.0, phase=np.pi / 2)
    np.testing.assert_allclose(y2, 2.0 * np.cos(t), atol=1e-6)


def test_sine_wave_noise_is_seeded():
    _, a = sine_wave(50, noise_std=0.1, seed=1)
    _, b = sine_wave(50, noise_std=0.1, seed=1)
    _, c = sine_wave(50, noise_std=0.1, seed=2)
    _, clean = sine_wave(50)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert 0.03 < np.std(a - clean) < 0.3


@pytest.mark.parametrize("kwargs,exc,msg", [
    ({"n_points": 1}, ValueError, "n_points must be >= 2"),
    ({"n_points": 10.0}, TypeError, "n_points must be an int"),
    ({"step": 0}, ValueError, "step must be > 0"),
    ({"step": "0.1"}, TypeError, "step must be a number"),
    ({"amplitude": np.nan}, ValueError, "amplitude must be finite"),
    ({"noise_std": -0.1}, ValueError, "noise_std must be >= 0"),
    ({"seed": -1}, ValueError, "seed must be >= 0"),
    ({"seed": 1.5}, TypeError, "seed must be an int"),
])
def test_sine_wave_rejects_bad_arguments(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        sine_wave(**kwargs)


def test_load_sunspots_shape_index_and_spot_values():
    s = load_sunspots()
    assert s.shape == (309, 1) and list(s.columns) == ["SUNACTIVITY"]
    assert s["SUNACTIVITY"].dtype == np.float64
    assert isinstance(s.index, pd.DatetimeIndex) and s.index.name == "year"
    assert s.index.freqstr.startswith("YS")
    assert s.index[0] == pd.Timestamp("1700-01-01") and s.index[-1] == pd.Timestamp("2008-01-01")
    assert s.iloc[0, 0] == 5.0 and s.iloc[-1, 0] == 2.9
    assert s["SUNACTIVITY"].idxmax() == pd.Timestamp("1957-01-01")
    assert (s["SUNACTIVITY"] >= 0).all()


def test_adding_problem_shapes_markers_and_targets():
    x, y = adding_problem(500, 10, generator=torch.Generator().manual_seed(0))
    assert x.shape == (500, 10, 2) and y.shape == (500, 1)
    assert x.dtype == torch.float32 and y.dtype == torch.float32
    values, markers = x[..., 0], x[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert set(markers.unique().tolist()) == {0.0, 1.0}
    assert (markers.sum(1) == 2).all()
    # One marker in each half.
    assert (markers[:, :5].sum(1) == 1).all() and (markers[:, 5:].sum(1) == 1).all()
    torch.testing.assert_close(y[:, 0], (values * markers).sum(1))


def test_adding_problem_target_statistics():
    _, y = adding_problem(20_000, 6, generator=torch.Generator().manual_seed(1))
    assert abs(y.mean().item() - 1.0) < 0.02
    assert abs(y.var().item() - 1 / 6) < 0.01


def test_adding_problem_seeded_generator_is_reproducible():
    a = adding_problem(4, 8, generator=torch.Generator().manual_seed(3))
    b = adding_problem(4, 8, generator=torch.Generator().manual_seed(3))
    c = adding_problem(4, 8, generator=torch.Generator().manual_seed(4))
    torch.testing.assert_close(a, b)
    assert not torch.equal(a[0], c[0])


def test_adding_problem_shortest_sequences():
    x, y = adding_problem(3, 2)
    assert (x[:, :, 1] == 1).all()  # both steps are marked
    torch.testing.assert_close(y[:, 0], x[:, :, 0].sum(1))


def test_adding_problem_bad_input():
    with pytest.raises(TypeError, match="n must be an int"):
        adding_problem(2.0, 5)
    with pytest.raises(ValueError, match="n must be >= 1"):
        adding_problem(0, 5)
    with pytest.raises(ValueError, match="length must be >= 2"):
        adding_problem(3, 1)
    with pytest.raises(TypeError, match="length must be an int"):
        adding_problem(3, True)
    with pytest.raises(TypeError, match="generator must be a torch.Generator"):
        adding_problem(3, 5, generator=0)
