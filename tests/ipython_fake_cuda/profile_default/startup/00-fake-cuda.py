"""Startup file of the fake-GPU IPython profile (``make test-devices``).

A kernel started with ``IPYTHONDIR=tests/ipython_fake_cuda`` runs this before the first
cell: it loads ``tests/fake_cuda.py`` (found from this file's own path, whatever the
working directory) and activates it, so the chapter runs with the CPU posing as
``cuda:0`` and fails where a real GPU would fail on tensors of two devices.
"""


def _activate_fake_cuda() -> None:
    import importlib.util
    import sys
    from pathlib import Path

    # IPython sets __file__ while it runs a startup file; the code's own file name is the
    # same path and is there in any case.
    here = Path(globals().get("__file__") or sys._getframe().f_code.co_filename)
    path = here.resolve().parents[3] / "fake_cuda.py"
    module = sys.modules.get("fake_cuda")
    if module is None:
        spec = importlib.util.spec_from_file_location("fake_cuda", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["fake_cuda"] = module
        spec.loader.exec_module(module)
    module.activate()


_activate_fake_cuda()
del _activate_fake_cuda
