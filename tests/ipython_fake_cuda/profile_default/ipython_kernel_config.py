# Kernels of the fake-GPU profile (make test-devices) keep their input history in memory:
# no history.sqlite in the source tree, and no lock between parallel kernels.
c = get_config()  # noqa: F821 - defined by IPython when it loads this file
c.HistoryManager.hist_file = ":memory:"
