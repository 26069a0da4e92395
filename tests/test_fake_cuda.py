"""Tests of tests/fake_cuda.py, the CPU posing as ``cuda:0``: it must fail where real CUDA
fails (tensors on two devices meet, NumPy reads GPU memory), pass correct code with the
CPU's numbers, and leave no trace outside its block."""

from __future__ import annotations

import copy
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from fake_cuda import CUDA0, fake_cuda, is_active, is_fake_cuda
from torch import nn
from torch.testing import assert_close

SAME_DEVICE = "Expected all tensors to be on the same device.*cuda:0 and cpu"
NUMPY = "can't convert cuda:0 device type tensor to numpy"


def _lstm_step(device: torch.device | str, clip: float | None = None
               ) -> tuple[list[torch.Tensor], float]:
    """One Adam step of a small LSTM and linear head on ``device``: the CPU copies of the
    new parameters (LSTM, then head) and the loss."""
    torch.manual_seed(0)
    lstm, head = nn.LSTM(3, 5, batch_first=True), nn.Linear(5, 1)
    x, y = torch.randn(4, 6, 3), torch.randn(4, 1)
    lstm.to(device)
    head.to(device)
    params = [*lstm.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=0.01)
    out, _ = lstm(x.to(device))
    loss = nn.functional.mse_loss(head(out[:, -1]), y.to(device))
    opt.zero_grad()
    loss.backward()
    if clip is not None:
        nn.utils.clip_grad_norm_(params, clip)
    opt.step()
    return [p.detach().cpu() for p in params], loss.item()


# --- It fails where real CUDA fails ---


def test_cpu_input_to_cuda_model_raises():
    """A CPU batch fed to a model moved with .to("cuda") raises torch's device error."""
    with fake_cuda():
        model = nn.LSTM(2, 4, batch_first=True).to("cuda")
        with pytest.raises(RuntimeError, match=SAME_DEVICE):
            model(torch.randn(3, 5, 2))


def test_cpu_tensor_meets_cuda_tensor_raises():
    """Arithmetic, cat and matmul between a CUDA and a CPU tensor raise, naming the op."""
    with fake_cuda():
        a, b = torch.ones(3, device="cuda"), torch.ones(3)
        for op in (lambda: a + b, lambda: torch.cat([a, b]), lambda: b @ a,
                   lambda: nn.functional.mse_loss(a, b)):
            with pytest.raises(RuntimeError, match=SAME_DEVICE):
                op()
        with pytest.raises(RuntimeError, match="in torch.cat"):
            torch.cat([a, b])


def test_cpu_state_for_cuda_rnn_raises():
    """A CPU initial state for an RNN on CUDA raises (as torch's RNN does on a GPU)."""
    with fake_cuda():
        rnn = nn.GRU(2, 4, batch_first=True).cuda()
        with pytest.raises(RuntimeError, match=SAME_DEVICE):
            rnn(torch.randn(3, 5, 2, device="cuda"), torch.zeros(1, 3, 4))


def test_numpy_of_cuda_tensor_raises():
    """.numpy() and np.asarray of a CUDA tensor raise torch's TypeError; after .cpu() they
    work, and so does numpy(force=True)."""
    with fake_cuda():
        t = torch.arange(3.0).to("cuda")
        with pytest.raises(TypeError, match=NUMPY):
            t.numpy()
        with pytest.raises(TypeError, match=NUMPY):
            np.asarray(t)
        assert np.array_equal(t.cpu().numpy(), [0.0, 1.0, 2.0])
        assert np.array_equal(t.numpy(force=True), [0.0, 1.0, 2.0])


def test_cpu_tensor_indexed_by_cuda_index_raises():
    """A CPU tensor indexed by a CUDA index tensor raises; the other way round is allowed,
    as in torch."""
    with fake_cuda():
        cpu, cuda = torch.arange(4.0), torch.arange(4.0, device="cuda")
        assert cuda[torch.tensor([0, 2])].is_cuda
        with pytest.raises(RuntimeError, match=SAME_DEVICE):
            cpu[torch.tensor([0, 2], device="cuda")]


def test_second_device_does_not_exist():
    """Only cuda:0 exists."""
    with fake_cuda(), pytest.raises(RuntimeError, match="invalid device ordinal"):
        torch.zeros(2, device="cuda:1")


# --- What real CUDA allows ---


def test_zero_dim_cpu_tensor_meets_cuda_tensor():
    """A 0-dim CPU tensor may meet a CUDA tensor (torch treats it as a scalar)."""
    with fake_cuda():
        out = torch.ones(3, device="cuda") * torch.tensor(2.0)
        assert out.is_cuda
        assert_close(out.cpu(), torch.full((3,), 2.0))


def test_item_tolist_float_of_cuda_tensor():
    """item(), tolist(), float() and formatting copy to the host, as on a GPU."""
    with fake_cuda():
        t = torch.tensor([1.5, 2.5], device="cuda")
        assert t.sum().item() == 4.0
        assert t.tolist() == [1.5, 2.5]
        assert float(t[0]) == 1.5
        assert f"{t[1]:.1f}" == "2.5"


def test_copy_between_devices():
    """copy_ and slice assignment across devices are allowed, as in torch."""
    with fake_cuda():
        cuda = torch.zeros(3, device="cuda")
        cuda.copy_(torch.ones(3))
        cuda[:2] = torch.full((2,), 5.0)
        assert cuda.is_cuda
        assert cuda.tolist() == [5.0, 5.0, 1.0]


# --- Moving and creating tensors ---


@pytest.mark.parametrize("move", [
    lambda t: t.to("cuda"), lambda t: t.to("cuda:0"), lambda t: t.to(torch.device("cuda", 0)),
    lambda t: t.to(device="cuda", dtype=torch.float64), lambda t: t.cuda(), lambda t: t.to(0),
    lambda t: t.to(torch.zeros(1, device="cuda")),
])
def test_moves_to_cuda(move):
    """Every way of moving a tensor to CUDA gives a CUDA copy; the original stays on the
    CPU."""
    with fake_cuda():
        t = torch.arange(3.0)
        moved = move(t)
        assert moved.device == CUDA0 and moved.is_cuda and not moved.is_cpu
        assert moved.get_device() == 0
        assert t.device.type == "cpu" and not t.is_cuda
        moved.add_(1)
        assert t.tolist() == [0.0, 1.0, 2.0]  # a copy, as across real devices


@pytest.mark.parametrize("make", [
    lambda d: torch.zeros(2, 3, device=d), lambda d: torch.tensor([1.0, 2.0], device=d),
    lambda d: torch.randn(2, device=d), lambda d: torch.arange(3, device=d),
    lambda d: torch.full((2,), 1.0, device=d), lambda d: torch.eye(2, device=d),
    lambda d: torch.zeros_like(torch.ones(2), device=d),
    lambda d: torch.as_tensor(np.ones(2), device=d),
])
@pytest.mark.parametrize("device", ["cuda", "cuda:0", torch.device("cuda"), CUDA0])
def test_factories_on_cuda(make, device):
    """Factories given a CUDA device make CUDA tensors."""
    with fake_cuda():
        assert make(device).device == CUDA0


def test_results_inherit_device():
    """Results of ops on CUDA tensors, and tensors made like them, are on CUDA."""
    with fake_cuda():
        t = torch.ones(2, 3, device="cuda")
        for out in (t * 2, t.sum(), t[0], t.T, torch.zeros_like(t), t.new_zeros(4),
                    t.detach(), t.double(), torch.stack([t, t]), *t.unbind(0),
                    torch.sigmoid(t), t.clone()):
            assert out.is_cuda


def test_cpu_untags():
    """.cpu() and .to("cpu") give CPU copies and leave the CUDA tensor on CUDA."""
    with fake_cuda():
        t = torch.ones(2, device="cuda")
        for back in (t.cpu(), t.to("cpu"), t.to(torch.device("cpu")), t.to(torch.ones(1))):
            assert back.device == torch.device("cpu") and not back.is_cuda
            back.add_(1)
        assert t.is_cuda and t.tolist() == [1.0, 1.0]


def test_repr_names_the_device():
    """repr shows device='cuda:0' where torch puts it."""
    with fake_cuda():
        assert repr(torch.tensor([1.0, 2.0], device="cuda")) == \
            "tensor([1., 2.], device='cuda:0')"
        t = torch.ones(2, 2, device="cuda", requires_grad=True) * 2
        assert repr(t) == ("tensor([[2., 2.],\n        [2., 2.]], device='cuda:0', "
                           "grad_fn=<MulBackward0>)")


# --- Modules, autograd, optimizers ---


def test_module_to_cuda_and_back():
    """module.to("cuda") moves parameters and buffers (still Parameters), grads follow
    the parameters, and .cpu() brings everything back."""
    with fake_cuda():
        model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
        model(torch.randn(4, 2)).sum().backward()
        model.to("cuda")
        assert all(isinstance(p, nn.Parameter) and p.is_cuda for p in model.parameters())
        assert all(b.is_cuda for b in model.buffers())
        assert all(p.grad.is_cuda for p in model.parameters())
        model.cpu()
        assert not any(p.is_cuda or p.grad.is_cuda for p in model.parameters())
        assert not any(b.is_cuda for b in model.buffers())


def test_grads_are_on_cuda():
    """Gradients of CUDA parameters, from backward or autograd.grad, are on CUDA."""
    with fake_cuda():
        lin = nn.Linear(2, 1).to("cuda")
        x = torch.randn(3, 2, device="cuda", requires_grad=True)
        loss = lin(x).sum()
        (gx,) = torch.autograd.grad(loss, [x], retain_graph=True)
        loss.backward()
        assert gx.is_cuda and lin.weight.grad.is_cuda and lin.bias.grad.is_cuda


def test_parameters_made_on_cuda_and_deep_copies():
    """nn.Linear(device="cuda"), deepcopy of a CUDA module and of its state_dict stay on
    CUDA (nn.Parameter keeps the device of its data)."""
    with fake_cuda():
        lin = nn.Linear(2, 2, device="cuda")
        assert lin.weight.is_cuda
        assert all(p.is_cuda for p in copy.deepcopy(lin).parameters())
        assert all(t.is_cuda for t in copy.deepcopy(lin.state_dict()).values())
        assert nn.Parameter(torch.ones(2, device="cuda")).is_cuda


def test_module_to_tensor_uses_its_device():
    """module.to(cuda_tensor) moves the module to CUDA (torch parses the device in C++)."""
    with fake_cuda():
        lin = nn.Linear(2, 2).to(torch.zeros(1, device="cuda"))
        assert lin.weight.is_cuda


def test_lstm_adam_step_matches_cpu():
    """A small nn.LSTM and Adam step on fake CUDA gives the CPU's numbers, although Adam
    takes its CUDA path (foreach)."""
    params_cpu, loss_cpu = _lstm_step("cpu")
    calls = []
    adam_module = sys.modules["torch.optim.adam"]
    original = adam_module._multi_tensor_adam

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    adam_module._multi_tensor_adam = spy
    try:
        with fake_cuda():
            params_cuda, loss_cuda = _lstm_step("cuda")
    finally:
        adam_module._multi_tensor_adam = original
    assert calls, "Adam did not take its foreach (CUDA) path"
    assert loss_cuda == pytest.approx(loss_cpu, rel=1e-6)
    assert_close(params_cuda, params_cpu)


def test_clip_grad_norm_matches_cpu():
    """clip_grad_norm_ (grouped by device in torch) clips CUDA grads as on the CPU."""
    params_cpu, _ = _lstm_step("cpu", clip=0.05)
    with fake_cuda():
        params_cuda, _ = _lstm_step("cuda", clip=0.05)
    assert_close(params_cuda, params_cpu)


@pytest.mark.parametrize("layer", [nn.RNN, nn.LSTM, nn.GRU])
def test_recurrent_layers_without_cudnn_warning(layer):
    """torch's recurrent layers run on fake CUDA without asking for cuDNN (no warning) and
    give the CPU's outputs."""
    torch.manual_seed(0)
    rnn, x = layer(2, 3, batch_first=True), torch.randn(2, 4, 2)
    expected = rnn(x)[0]
    with fake_cuda(), warnings.catch_warnings():
        warnings.simplefilter("error")
        rnn.to("cuda")
        out = rnn(x.to("cuda"))[0]
        assert out.is_cuda
        assert_close(out.cpu(), expected)
    rnn.cpu()


def test_cuda_functions_patched():
    """torch.cuda answers as for one GPU: is_available, device_count, synchronize."""
    with fake_cuda() as device:
        assert device == CUDA0
        assert torch.cuda.is_available() and torch.cuda.device_count() == 1
        torch.cuda.synchronize()
        torch.manual_seed(0)
        torch.cuda.manual_seed_all(0)


def test_vmap_is_checked_at_its_boundary():
    """Inside torch.func.vmap tensors are untagged wrappers: a vmapped function whose
    arguments are all on CUDA runs and returns CUDA results (equal to the CPU's); one whose
    arguments mix the devices raises, as on a GPU."""
    w, x = torch.randn(3, 4, 2), torch.randn(5, 4)
    expected = torch.func.vmap(lambda w, x: x @ w, in_dims=(0, None))(w, x)
    with fake_cuda() as device:
        batched = torch.func.vmap(lambda w, x: x @ w, in_dims=(0, None))
        out = batched(w.to(device), x.to(device))
        assert out.is_cuda and is_fake_cuda(out)
        assert_close(out.cpu(), expected)
        with pytest.raises(RuntimeError, match=SAME_DEVICE):
            batched(w.to(device), x)
        assert torch.vmap is torch.func.vmap


# --- No trace outside the block ---


def test_nothing_leaks_after_the_block():
    """After the block (even one left by an error) torch is as before, and tensors made
    inside count as CPU tensors."""
    before = (torch.cuda.is_available, torch.cuda.device_count, torch.cuda.synchronize,
              torch.backends.cudnn.enabled, nn.Parameter.__new__, torch.func.vmap, torch.vmap)
    with pytest.raises(ValueError, match="inside"), fake_cuda():
        t = torch.ones(2, device="cuda")
        raise ValueError("inside")
    after = (torch.cuda.is_available, torch.cuda.device_count, torch.cuda.synchronize,
             torch.backends.cudnn.enabled, nn.Parameter.__new__, torch.func.vmap, torch.vmap)
    assert after == before
    assert not is_active() and torch.overrides._get_current_function_mode_stack() == []
    assert t.device.type == "cpu" and not is_fake_cuda(t)
    assert np.array_equal(t.numpy(), [1.0, 1.0])
    with fake_cuda():  # a later block does not see the earlier block's tensors on CUDA
        assert not t.is_cuda


def test_nested_blocks_share_the_device():
    """A nested block keeps the outer one's tensors on CUDA; leaving it ends nothing."""
    with fake_cuda():
        t = torch.ones(2, device="cuda")
        with fake_cuda():
            assert t.is_cuda
        assert t.is_cuda and is_active()
    assert not is_active()


def test_activate_in_a_fresh_process():
    """activate() turns the mode on for the rest of a process (as the notebook kernels'
    startup file does)."""
    code = ("import torch, fake_cuda; fake_cuda.activate(); fake_cuda.activate(); "
            "assert torch.cuda.is_available(); "
            "assert torch.zeros(2).to('cuda').device.type == 'cuda'; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).parent, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
