"""Tests for rnnlib.tasks.adding_problem."""

import pytest
import torch

from rnnlib.tasks import adding_problem


def test_shapes_markers_and_targets():
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


def test_target_statistics():
    _, y = adding_problem(20_000, 6, generator=torch.Generator().manual_seed(1))
    assert abs(y.mean().item() - 1.0) < 0.02
    assert abs(y.var().item() - 1 / 6) < 0.01


def test_seeded_generator_is_reproducible():
    a = adding_problem(4, 8, generator=torch.Generator().manual_seed(3))
    b = adding_problem(4, 8, generator=torch.Generator().manual_seed(3))
    c = adding_problem(4, 8, generator=torch.Generator().manual_seed(4))
    torch.testing.assert_close(a, b)
    assert not torch.equal(a[0], c[0])


def test_shortest_sequences():
    x, y = adding_problem(3, 2)
    assert (x[:, :, 1] == 1).all()  # both steps are marked
    torch.testing.assert_close(y[:, 0], x[:, :, 0].sum(1))


def test_bad_input():
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
