"""A fake CUDA device on the CPU: code written for a GPU runs here, and fails where real
CUDA would fail because tensors on two devices meet.

No GPU is available to this project, yet the book promises to run on one (Colab). Under
:func:`fake_cuda` (a context manager, for tests) or after :func:`activate` (a whole
process, e.g. a notebook kernel started with the IPython profile in
``tests/ipython_fake_cuda``):

* ``torch.cuda.is_available()`` is True, so ``rnnlib.get_device()`` picks ``cuda``;
* a tensor "on the GPU" is an ordinary CPU tensor with a tag (an attribute in its
  ``__dict__``). ``t.to("cuda")``, ``t.cuda()``, ``module.to(device)`` and factories with
  ``device="cuda"`` (``torch.zeros``, ``torch.tensor``, ``zeros_like``, ...) return tagged
  tensors; ``.cpu()`` and ``.to("cpu")`` untagged copies; an op with a tagged input
  returns tagged results. ``t.device`` is then ``cuda:0``, ``t.is_cuda`` True;
* an op that mixes a tagged tensor with an untagged CPU tensor of one or more dimensions
  raises ``RuntimeError("Expected all tensors to be on the same device ...")`` as real
  torch does (0-dim CPU tensors may meet CUDA tensors, as in torch);
* ``t.numpy()`` and ``np.asarray(t)`` of a tagged tensor raise ``TypeError("can't convert
  cuda:0 device type tensor to numpy ...")``; ``item()``, ``tolist()``, ``float()`` work.

Patches while active (each undone on exit), and why:

* ``torch.cuda.is_available`` -> True, ``torch.cuda.device_count`` -> 1: code picks CUDA;
* ``torch.cuda.synchronize`` -> no-op: timing code calls it when ``device.type == "cuda"``;
* ``torch.backends.cudnn.enabled`` -> False: ``nn.RNN.flatten_parameters`` asks cuDNN
  about "CUDA" weights, which warns on a CPU build; with it off the RNN runs its CPU path;
* ``nn.Parameter.__new__`` wrapped: ``nn.Parameter(tagged)`` (``deepcopy`` of a module,
  ``nn.Linear(..., device="cuda")``) keeps the tag.
* ``torch.func.vmap`` (and ``torch.vmap``) wrapped: inside a vmapped function the tensors
  are functorch's batched wrappers, which carry no tag, so the function is checked at its
  boundary instead: its tensor arguments must not mix devices, and its results take the
  tag of its arguments. (Not ``Tensor._make_subclass``, which it
  calls: torch._dynamo, imported lazily by ``torch.optim``, would register the wrapper.)

Numbers are the CPU's: ``torch.randn(..., device="cuda")`` draws from the CPU generator
(a real GPU draws other numbers), and torch internals that choose a path by device type
take their CUDA path (``Adam``'s foreach implementation) on CPU kernels.

Holes, kept on purpose to stay small: ``__setitem__`` is never checked (a real GPU allows
CPU values for basic indexing); CPU index tensors are always allowed in ``t[idx]``; a whole
Python-level torch function (``F.mse_loss``) is checked at its arguments, not inside; only
device index 0 exists; ``Tensor.type("torch.cuda.FloatTensor")``, pinned memory, streams,
CUDA generators, ``pack_padded_sequence``'s CPU lengths and ``torch.cuda.*`` beyond the
patches above are not faked.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

__all__ = ["FakeCudaMode", "activate", "fake_cuda", "is_active", "is_fake_cuda"]

_ATTR = "_fake_cuda_tag"
CUDA0 = torch.device("cuda", 0)
_CPU = torch.device("cpu")


class _Token:
    """Marks the tensors of one activation; tensors tagged by an earlier one are CPU."""

    def __deepcopy__(self, memo: dict) -> _Token:  # a tensor's copy keeps the same tag
        return self

    def __copy__(self) -> _Token:
        return self


_state: dict[str, Any] = {"token": None, "mode": None, "undo": None, "depth": 0,
                          "in_vmap": 0}
_lock = threading.Lock()


def is_fake_cuda(t: Any) -> bool:
    """Whether ``t`` is a tensor on the fake CUDA device of the active mode."""
    token = _state["token"]
    return token is not None and isinstance(t, torch.Tensor) \
        and t.__dict__.get(_ATTR) is token


def is_active() -> bool:
    """Whether the fake CUDA mode is active (in a context or after :func:`activate`)."""
    return _state["token"] is not None


def _tag(t: torch.Tensor) -> None:
    t.__dict__[_ATTR] = _state["token"]


def _untag(t: torch.Tensor) -> None:
    t.__dict__.pop(_ATTR, None)


def _target(device: Any) -> bool | None:
    """True for the fake CUDA device, False for the CPU, None for any other device."""
    if isinstance(device, bool):
        return None
    if isinstance(device, int):
        device = torch.device("cuda", device)
    elif isinstance(device, str):
        device = torch.device(device)
    if not isinstance(device, torch.device):
        return None
    if device.type == "cuda":
        if device.index not in (None, 0):
            raise RuntimeError(f"CUDA error: invalid device ordinal (fake CUDA has only "
                               f"cuda:0, got {device})")
        return True
    return False if device.type == "cpu" else None


def _is_device_like(obj: Any) -> bool:
    return isinstance(obj, (str, torch.device)) or (isinstance(obj, int)
                                                    and not isinstance(obj, bool))


def _tensors(obj: Any, out: list[torch.Tensor]) -> list[torch.Tensor]:
    """Every tensor in ``obj``, looking into tuples, lists and dicts."""
    if isinstance(obj, torch.Tensor):
        out.append(obj)
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            if isinstance(o, (torch.Tensor, tuple, list, dict)):
                _tensors(o, out)
    elif isinstance(obj, dict):
        for o in obj.values():
            _tensors(o, out)
    return out


def _set_tags(out: Any, inputs: list[torch.Tensor], tagged: bool) -> Any:
    """Tag (or untag) every tensor in ``out`` that is not one of ``inputs``."""
    for t in _tensors(out, []):
        if not any(t is i for i in inputs):
            (_tag if tagged else _untag)(t)
    return out


def _name(func: Callable) -> str:
    try:
        return torch.overrides.resolve_name(func) or repr(func)
    except Exception:  # noqa: BLE001 - only for the message
        return getattr(func, "__qualname__", repr(func))


def _copy(t: torch.Tensor, **kwargs: Any) -> torch.Tensor:
    """A copy of ``t`` (autograd flows through it, as through a real device move)."""
    return torch.Tensor.to(t, copy=True, **kwargs)


def _mixing_error(func: Callable) -> RuntimeError:
    return RuntimeError(
        f"Expected all tensors to be on the same device, but found at least two devices, "
        f"cuda:0 and cpu! (fake CUDA: a CPU tensor with one or more dimensions met a "
        f"cuda:0 tensor in {_name(func)})")


def _numpy_error() -> TypeError:
    return TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to "
                     "copy the tensor to host memory first. (fake CUDA)")


def _device_kwarg(kwargs: dict) -> tuple[bool | None, dict]:
    """The tag a ``device=`` argument asks for (None: no such argument, or a device other
    than the CPU and CUDA), and ``kwargs`` with the fake CUDA device replaced by the CPU."""
    target = _target(kwargs["device"]) if kwargs.get("device") is not None else None
    return target, (kwargs if target is None else {**kwargs, "device": _CPU})


# --- Functions with their own rule ---


def _to(func: Callable, args: tuple, kwargs: dict) -> Any:
    """``Tensor.to``: a device in the arguments (or another tensor's) decides the tag."""
    self, target = args[0], None
    if len(args) > 1 and _is_device_like(args[1]):
        target = _target(args[1])
        if target is not None:
            args = (self, _CPU, *args[2:])
    elif len(args) > 1 and isinstance(args[1], torch.Tensor):
        target = is_fake_cuda(args[1])
    if kwargs.get("device") is not None:
        target, kwargs = _device_kwarg(kwargs)
    out = func(*args, **kwargs)
    if target is None:
        return _set_tags(out, [self], True) if is_fake_cuda(self) else out
    if out is self and target != is_fake_cuda(self):
        out = _copy(self)
    (_tag if target else _untag)(out)
    return out


def _cuda(func: Callable, args: tuple, kwargs: dict) -> Any:
    """``Tensor.cuda(device=None, non_blocking=False, memory_format=...)``."""
    self = args[0]
    device = args[1] if len(args) > 1 else kwargs.get("device")
    if device is not None and not _target(torch.device("cuda", device)
                                          if isinstance(device, int) else device):
        raise RuntimeError(f"Invalid device, must be cuda device, got {device}")
    if is_fake_cuda(self):
        return self
    extra = {k: v for k, v in kwargs.items() if k in ("non_blocking", "memory_format")}
    out = _copy(self, **extra)
    _tag(out)
    return out


def _cpu(func: Callable, args: tuple, kwargs: dict) -> Any:
    self = args[0]
    if not is_fake_cuda(self):
        return func(*args, **kwargs)
    return _copy(self, **kwargs)


def _numpy(func: Callable, args: tuple, kwargs: dict) -> Any:
    if is_fake_cuda(args[0]) and not kwargs.get("force", False):
        raise _numpy_error()
    return func(*args, **kwargs)


def _array(func: Callable, args: tuple, kwargs: dict) -> Any:
    if is_fake_cuda(args[0]):
        raise _numpy_error()
    return func(*args, **kwargs)


def _suffix_at(text: str) -> int:
    """Where the keyword suffix (``, dtype=...``) of a tensor's repr starts, or its ``)``."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 1 and text[i + 1:].lstrip(" \n")[:1].isalpha():
            return i
    return text.rfind(")")


def _repr(func: Callable, args: tuple, kwargs: dict) -> Any:
    """``repr(t)`` names ``device='cuda:0'`` as torch does for a CUDA tensor."""
    text = func(*args, **kwargs)
    if not is_fake_cuda(args[0]) or "device=" in text:
        return text
    at = _suffix_at(text)
    return f"{text[:at]}, device='cuda:0'{text[at:]}"


def _device_get(func: Callable, args: tuple, kwargs: dict) -> Any:
    return CUDA0 if is_fake_cuda(args[0]) else func(*args, **kwargs)


def _is_cuda_get(func: Callable, args: tuple, kwargs: dict) -> Any:
    return True if is_fake_cuda(args[0]) else func(*args, **kwargs)


def _is_cpu_get(func: Callable, args: tuple, kwargs: dict) -> Any:
    return False if is_fake_cuda(args[0]) else func(*args, **kwargs)


def _get_device(func: Callable, args: tuple, kwargs: dict) -> Any:
    return 0 if is_fake_cuda(args[0]) else func(*args, **kwargs)


def _grad_get(func: Callable, args: tuple, kwargs: dict) -> Any:
    """``p.grad``: autograd fills it in C++, so it takes its tensor's tag when read."""
    out = func(*args, **kwargs)
    if out is not None:
        (_tag if is_fake_cuda(args[0]) else _untag)(out)
    return out


def _data_set(func: Callable, args: tuple, kwargs: dict) -> Any:
    """``p.data = new`` (``Module._apply`` moves parameters so): ``p`` takes ``new``'s tag."""
    out = func(*args, **kwargs)
    (_tag if is_fake_cuda(args[1]) else _untag)(args[0])
    return out


def _parse_to(func: Callable, args: tuple, kwargs: dict) -> Any:
    """``Module.to(tensor)`` parses ``tensor``'s device in C++, which sees the CPU."""
    out = func(*args, **kwargs)
    if any(is_fake_cuda(t) for t in _tensors(args, _tensors(kwargs, []))):
        out = (CUDA0, *out[1:])
    return out


def _unchecked(func: Callable, args: tuple, kwargs: dict) -> Any:
    """Calls that may mix devices in real torch, too (copies, checks of types)."""
    return func(*args, **kwargs)


def _getitem(func: Callable, args: tuple, kwargs: dict) -> Any:
    """``t[idx]``: CPU index tensors are allowed for a CUDA ``t``; the result has its tag."""
    if is_fake_cuda(args[0]):
        return _set_tags(func(*args, **kwargs), list(args), True)
    return _general(func, args, kwargs)


def _new_tensor(func: Callable, args: tuple, kwargs: dict) -> Any:
    """``t.new_tensor(data)``: on ``t``'s device (or ``device=``), wherever ``data`` is."""
    target = is_fake_cuda(args[0])
    if kwargs.get("device") is not None:
        target, kwargs = _device_kwarg(kwargs)
    out = func(*args, **kwargs)
    return out if target is None else _set_tags(out, [], target)


_SPECIAL: dict[Any, Callable[[Callable, tuple, dict], Any]] = {
    torch.Tensor.to: _to,
    torch.Tensor.cuda: _cuda,
    torch.Tensor.cpu: _cpu,
    torch.Tensor.numpy: _numpy,
    torch.Tensor.__array__: _array,
    torch.Tensor.__repr__: _repr,
    torch.Tensor.device.__get__: _device_get,
    torch.Tensor.is_cuda.__get__: _is_cuda_get,
    torch.Tensor.is_cpu.__get__: _is_cpu_get,
    torch.Tensor.get_device: _get_device,
    torch.Tensor.grad.__get__: _grad_get,
    torch.Tensor.data.__set__: _data_set,
    torch.Tensor.copy_: _unchecked,
    torch.Tensor.__setitem__: _unchecked,
    torch._has_compatible_shallow_copy_type: _unchecked,
    torch._C._nn._parse_to: _parse_to,
    torch.Tensor.__getitem__: _getitem,
    torch.Tensor.new_tensor: _new_tensor,
}


def _mixes(inputs: list[torch.Tensor], tagged: list[torch.Tensor]) -> bool:
    """Whether a tagged tensor meets an untagged CPU tensor of one or more dimensions."""
    return bool(tagged) and len(tagged) < len(inputs) \
        and any(t.dim() > 0 for t in inputs if not is_fake_cuda(t))


def _general(func: Callable, args: tuple, kwargs: dict) -> Any:
    """Every other call: ``device=`` decides the results' tag, else a tagged input does;
    a tagged input meeting an untagged CPU tensor of one or more dimensions raises."""
    target, kwargs = _device_kwarg(kwargs)
    inputs = _tensors(args, _tensors(kwargs, []))
    tagged = [t for t in inputs if is_fake_cuda(t)]
    if target is None and not _state["in_vmap"] and _mixes(inputs, tagged):
        raise _mixing_error(func)
    out = func(*args, **kwargs)
    if target is not None:
        # An explicit device: a result that is an input on the other device gets copied.
        if isinstance(out, torch.Tensor) and any(out is i for i in inputs) \
                and is_fake_cuda(out) != target:
            out = _copy(out)
        return _set_tags(out, [], target)
    if tagged:
        _set_tags(out, inputs, True)
    return out


class FakeCudaMode(TorchFunctionMode):
    """The torch function mode behind :func:`fake_cuda`; enter it through that."""

    def __torch_function__(self, func: Callable, types: tuple, args: tuple = (),
                           kwargs: dict | None = None) -> Any:
        try:
            special = _SPECIAL.get(func, _general)
        except TypeError:  # an unhashable callable
            special = _general
        return special(func, args, kwargs or {})


def _patch(obj: Any, name: str, value: Any, undo: list) -> None:
    had = name in vars(obj) if isinstance(obj, type) else True
    old = vars(obj).get(name) if isinstance(obj, type) else getattr(obj, name)
    setattr(obj, name, value)
    undo.append(lambda: setattr(obj, name, old) if had else delattr(obj, name))


def _parameter_new_keeping_tag(original: Callable) -> staticmethod:
    def __new__(cls: type, data: torch.Tensor | None = None,
                requires_grad: bool = True) -> nn.Parameter:
        out = original(cls, data, requires_grad)
        if is_fake_cuda(data):
            _tag(out)
        return out
    return staticmethod(__new__)


def _vmap_checked_at_its_boundary(original: Callable) -> Callable:
    def vmap(func: Callable, *v_args: Any, **v_kwargs: Any) -> Callable:
        def unchecked(*args: Any, **kwargs: Any) -> Any:
            _state["in_vmap"] += 1
            try:
                return func(*args, **kwargs)
            finally:
                _state["in_vmap"] -= 1

        batched = original(unchecked, *v_args, **v_kwargs)

        def run(*args: Any, **kwargs: Any) -> Any:
            inputs = _tensors(args, _tensors(kwargs, []))
            tagged = [t for t in inputs if is_fake_cuda(t)]
            if not _state["in_vmap"] and _mixes(inputs, tagged):
                raise _mixing_error(original)
            out = batched(*args, **kwargs)
            return _set_tags(out, inputs, True) if tagged else out
        return run
    return vmap


def _start() -> None:
    undo: list[Callable[[], None]] = []
    _patch(torch.cuda, "is_available", lambda: True, undo)
    _patch(torch.cuda, "device_count", lambda: 1, undo)
    _patch(torch.cuda, "synchronize", lambda device=None: None, undo)
    _patch(torch.backends.cudnn, "enabled", False, undo)
    _patch(nn.Parameter, "__new__", _parameter_new_keeping_tag(nn.Parameter.__new__), undo)
    checked_vmap = _vmap_checked_at_its_boundary(torch.func.vmap)
    _patch(torch.func, "vmap", checked_vmap, undo)
    _patch(torch, "vmap", checked_vmap, undo)
    mode = FakeCudaMode()
    _state.update(token=_Token(), mode=mode, undo=undo)
    try:
        mode.__enter__()
    except BaseException:
        _stop()
        raise


def _stop() -> None:
    mode, undo = _state["mode"], _state["undo"] or []
    _state.update(token=None, mode=None, undo=None)
    try:
        if mode is not None:
            mode.__exit__(None, None, None)
    finally:
        for step in reversed(undo):
            step()


@contextlib.contextmanager
def fake_cuda() -> Iterator[torch.device]:
    """Run the block with the CPU posing as ``cuda:0``; yields ``torch.device("cuda", 0)``.

    Everything is undone on exit, also after an error, and tensors tagged inside count as
    CPU tensors afterwards. Nested blocks share the outer one's device.
    """
    with _lock:
        _state["depth"] += 1
        if _state["depth"] == 1:
            try:
                _start()
            except BaseException:
                _state["depth"] -= 1
                raise
    try:
        yield CUDA0
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0:
                _stop()


def activate() -> torch.device:
    """Turn the fake CUDA device on for the rest of the process (a notebook kernel);
    returns ``torch.device("cuda", 0)``. Calling it again does nothing."""
    with _lock:
        if _state["depth"] == 0:
            _start()
        _state["depth"] = max(_state["depth"], 0) + 1  # never reaches 0 again
    return CUDA0
