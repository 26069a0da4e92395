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


# --- Issue 12: numbered devices, errors naming the argument, deterministic algorithms ---


def test_numbered_cuda_devices_are_accepted(monkeypatch):
    """Before: 'cuda:0' and RNNLIB_DEVICE=cuda:1 were rejected."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert get_device("cuda:0") == torch.device("cuda", 0)
    assert get_device(torch.device("cuda", 1)) == torch.device("cuda", 1)
    monkeypatch.setenv(ENV_VAR, "cuda:1")
    assert get_device() == torch.device("cuda", 1)
    with pytest.raises(ValueError, match=r"environment variable RNNLIB_DEVICE asks for device "
                                         r"'cuda:1'.*1 CUDA device"):
        monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
        get_device()


@pytest.mark.parametrize("bad", ["cuda:x", "cpu:0", "tpu", "cuda:-1", ""])
def test_malformed_device_names_are_refused(monkeypatch, bad):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    with pytest.raises(ValueError, match=r"^name must be one of cpu, cuda, mps"):
        get_device(bad)


@pytest.fixture
def restore_determinism():
    before = (torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.deterministic,
              torch.backends.cudnn.benchmark)
    yield
    torch.use_deterministic_algorithms(before[0])
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = before[1:]


def test_seed_everything_can_ask_for_deterministic_algorithms(restore_determinism, monkeypatch):
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    seed_everything(0, deterministic=True)
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
    import os
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
    seed_everything(0)  # None: left alone
    assert torch.are_deterministic_algorithms_enabled()
    seed_everything(0, deterministic=False)
    assert not torch.are_deterministic_algorithms_enabled()
    with pytest.raises(TypeError, match="deterministic must be True, False or None"):
        seed_everything(0, deterministic=1)
