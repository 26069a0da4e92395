"""rnnlib: the small helper package of the book *Recurrent neural networks for
time-series forecasting, in PyTorch*.

Modules: ``device`` (device choice, seeding), ``data`` (data sets), ``windows``
(time splits, leak-free scaling, look-back windows), ``train`` (training loops),
``metrics`` (accuracy and naive baselines), ``plots``, ``cells`` (recurrent cells
from scratch), ``bptt`` (backpropagation through time in NumPy), ``gradients``
(gradient norms through time), ``tasks`` (synthetic memory tasks), ``models`` (forecasting models), ``forecast``
(one-step and recursive forecasts) and ``finance`` (price data done without leakage).
``progress`` decides between progress bars and summaries.
"""

from rnnlib.cells import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from rnnlib.data import data_dir, load_stock, load_sunspots, sine_wave
from rnnlib.device import get_device, seed_everything
from rnnlib.finance import (
    WalkForward,
    adjust_volume_for_split,
    diebold_mariano,
    drop_halted_days,
    lag_profile,
    log_returns,
    ohlcv_features,
    price_from_log_return,
    walk_forward,
    window_dates,
)
from rnnlib.forecast import (
    one_step_sequence,
    one_step_window,
    recursive_sequence,
    recursive_window,
    warm_up,
)
from rnnlib.gradients import hidden_grad_norms, spectral_radius
from rnnlib.metrics import (
    directional_accuracy,
    drift_forecast,
    forecast_table,
    mae,
    mase,
    naive_forecast,
    one_step_baseline,
    rmse,
    seasonal_naive_forecast,
)
from rnnlib.models import SequenceRegressor, WindowRegressor
from rnnlib.plots import plot_forecast, plot_losses
from rnnlib.tasks import adding_problem
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
    "GRU",
    "LSTM",
    "RNN",
    "GRUCell",
    "History",
    "LSTMCell",
    "RNNCell",
    "Scaler",
    "SequenceRegressor",
    "TimeSeriesDataset",
    "WalkForward",
    "WindowRegressor",
    "adding_problem",
    "adjust_volume_for_split",
    "data_dir",
    "diebold_mariano",
    "directional_accuracy",
    "drift_forecast",
    "drop_halted_days",
    "fit",
    "fit_stateful",
    "forecast_table",
    "get_device",
    "hidden_grad_norms",
    "lag_profile",
    "load_stock",
    "load_sunspots",
    "log_returns",
    "mae",
    "make_windows",
    "mase",
    "naive_forecast",
    "ohlcv_features",
    "one_step_baseline",
    "one_step_sequence",
    "one_step_window",
    "plot_forecast",
    "plot_losses",
    "price_from_log_return",
    "recursive_sequence",
    "recursive_window",
    "rmse",
    "rolling_origins",
    "scale_split",
    "seasonal_naive_forecast",
    "seed_everything",
    "sine_wave",
    "spectral_radius",
    "summary",
    "time_split",
    "walk_forward",
    "warm_up",
    "window_dates",
]
