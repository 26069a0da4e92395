import random

import numpy as np
import pytest
import torch

from rnnlib.device import ENV_VAR, get_device, seed_everything


def test_automatic_choice_is_cpu_without_accelerators(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr("rnnlib.device._mps_available", lambda: False)
    assert get_device() == torch.device("cpu")


def test_cuda_is_preferred_then_mps(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr("rnnlib.device._mps_available", lambda: True)
    assert get_device().type == "mps"


def test_environment_variable_overrides(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv(ENV_VAR, "CPU")
    assert get_device() == torch.device("cpu")


def test_empty_environment_variable_means_automatic(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "")
    assert isinstance(get_device(), torch.device)


def test_unavailable_device_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv(ENV_VAR, "cuda")
    with pytest.raises(ValueError, match=f"{ENV_VAR}.*'cuda'.*not available"):
        get_device()
    with pytest.raises(ValueError, match="name asks for device 'cuda'"):
        get_device("cuda")


def test_unknown_device_name(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "tpu")
    with pytest.raises(ValueError, match="must be one of cpu, cuda, mps"):
        get_device()
    with pytest.raises(TypeError, match="name must be a str"):
        get_device(3)


def test_seed_everything_makes_all_generators_repeat():
    seed_everything(123)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    seed_everything(123)
    b = (random.random(), np.random.rand(), torch.rand(1).item())
    assert a == b


@pytest.mark.parametrize("bad,exc", [(1.5, TypeError), ("1", TypeError), (True, TypeError),
                                     (-1, ValueError), (2**32, ValueError)])
def test_seed_everything_rejects_bad_seeds(bad, exc):
    with pytest.raises(exc, match="seed"):
        seed_everything(bad)


def test_seed_everything_sets_the_thread_count_unless_told_not_to():
    before = torch.get_num_threads()
    try:
        seed_everything(0, threads=2)
        assert torch.get_num_threads() == 2
        seed_everything(0)  # the default: one thread, for the book's small models
        assert torch.get_num_threads() == 1
        seed_everything(0, threads=None)  # left alone
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("bad,exc", [(0, ValueError), (-2, ValueError), (1.0, TypeError),
                                     ("1", TypeError), (True, TypeError)])
def test_seed_everything_rejects_bad_thread_counts(bad, exc):
    with pytest.raises(exc, match="threads must be"):
        seed_everything(0, threads=bad)
