import matplotlib
import torch

matplotlib.use("Agg")
# One thread per test process, as in the chapters (seed_everything): `make test` runs one
# pytest-xdist worker per core, and more threads per worker would only wait for each other.
torch.set_num_threads(1)
