"""rnnlib: the small helper package of the book *Recurrent neural networks for
time-series forecasting, in PyTorch*.

Modules: ``device`` (device choice, seeding), ``data`` (data sets), ``windows``
(time splits, leak-free scaling, look-back windows), ``train`` (a training loop),
``metrics`` (accuracy and naive baselines), ``plots``, ``cells`` (recurrent cells
from scratch) and ``models`` (forecasting models).
"""

from rnnlib.cells import RNN, RNNCell
from rnnlib.data import data_dir, load_stock, load_sunspots, sine_wave
from rnnlib.device import get_device, seed_everything
from rnnlib.metrics import (
    directional_accuracy,
    drift_forecast,
    mae,
    mase,
    naive_forecast,
    one_step_baseline,
    rmse,
    seasonal_naive_forecast,
)
from rnnlib.models import SequenceRegressor, WindowRegressor
from rnnlib.plots import plot_forecast, plot_losses
from rnnlib.train import History, fit, fit_stateful, summary
from rnnlib.windows import (
    Scaler,
    TimeSeriesDataset,
    make_windows,
    rolling_origins,
    scale_split,
    time_split,
)

__version__ = "0.1.0"

__all__ = [
    "RNN",
    "History",
    "RNNCell",
    "Scaler",
    "SequenceRegressor",
    "TimeSeriesDataset",
    "WindowRegressor",
    "data_dir",
    "directional_accuracy",
    "drift_forecast",
    "fit",
    "fit_stateful",
    "get_device",
    "load_stock",
    "load_sunspots",
    "mae",
    "make_windows",
    "mase",
    "naive_forecast",
    "one_step_baseline",
    "plot_forecast",
    "plot_losses",
    "rmse",
    "rolling_origins",
    "scale_split",
    "seasonal_naive_forecast",
    "seed_everything",
    "sine_wave",
    "summary",
    "time_split",
]
