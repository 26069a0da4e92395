"""rnnlib: the small helper package of the book *Recurrent neural networks for
time-series forecasting, in PyTorch*.

Every public name is importable from ``rnnlib`` itself (``from rnnlib import fit``); a
chapter that studies a module as a whole imports it (``from rnnlib import bptt``). Each
module answers one question a reader asks:

==============  ===========================================================================
module          question
==============  ===========================================================================
``device``      Where does the code run, and how is a run made reproducible (seeds,
                threads)?
``data``        Which data does the book use? A sine wave, yearly sunspots, the adding
                problem.
``stocks``      How do stock prices become forecasting data? Shipped snapshots and live prices,
                cleaning, price-free features.
``windows``     How does a series become training data? Time splits, leak-free scaling,
                look-back windows, shuffled minibatches.
``cells``       What does a recurrent cell compute? RNN, LSTM and GRU from scratch, equal to
                ``torch.nn``.
``bptt``        How does the gradient flow back through time? BPTT for the Elman RNN in
                NumPy, with its checks.
``gradients``   How far back does the gradient reach? Gradient norms against distance,
                the spectral radius and what it does not tell.
``models``      Which forecasting models? A recurrent layer with a linear head, per step or
                per window; an encoder-decoder for several steps at once.
``train``       How is a model trained? ``fit`` on batches, ``fit_stateful`` along whole
                sequences, progress.
``forecast``    How is a forecast made? Naive baselines, ``predict``, one-step and recursive
                forecasts, from one origin or many at once.
``ensembles``   How are several copies of a model (seeds, folds) trained at once, as one
                model?
``evaluation``  How is a forecast judged? Errors and tables, rolling origins and
                walk-forward, Diebold-Mariano.
``uncertainty`` How sure is a forecast? Pinball loss, interval coverage, width and Winkler
                score, CRPS, conformal calibration.
``plots``       How are forecasts and losses drawn?
``prose``       How does a computed number get into the chapter's text? ``glue``.
==============  ===========================================================================

``_checks`` (private) holds the argument checks every module shares (the array-like,
time-index and predictions-vs-targets contracts); ``_price_files`` (private) reads and checks
price CSV files and keeps the locked price cache for ``stocks``.
"""

from rnnlib.cells import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from rnnlib.data import adding_problem, load_sunspots, sine_wave
from rnnlib.device import get_device, seed_everything
from rnnlib.ensembles import Ensemble, RecurrentEnsemble, fit_members
from rnnlib.evaluation import (
    WalkForward,
    diebold_mariano,
    directional_accuracy,
    forecast_table,
    lag_profile,
    mae,
    mase,
    rmse,
    rolling_origins,
    walk_forward,
)
from rnnlib.forecast import (
    drift_forecast,
    naive_forecast,
    one_step_baseline,
    one_step_sequence,
    one_step_window,
    predict,
    recursive_sequence,
    recursive_window,
    recursive_windows,
    seasonal_naive_forecast,
    warm_up,
)
from rnnlib.gradients import hidden_grad_norms, spectral_radius
from rnnlib.models import Seq2Seq, SequenceRegressor, WindowRegressor
from rnnlib.plots import plot_forecast, plot_losses
from rnnlib.prose import glue
from rnnlib.stocks import (
    adjust_volume_for_split,
    data_dir,
    drop_halted_days,
    load_stock,
    log_returns,
    ohlcv_features,
    price_from_log_return,
)
from rnnlib.train import History, fit, fit_stateful, summary
from rnnlib.uncertainty import (
    conformal_radius,
    coverage,
    crps_gaussian,
    crps_quantiles,
    crps_samples,
    interval_width,
    pinball_loss,
    winkler_score,
)
from rnnlib.windows import (
    Minibatches,
    Scaler,
    TimeSeriesDataset,
    make_horizon_windows,
    make_windows,
    scale_split,
    time_split,
    window_dates,
)

__version__ = "0.1.0"

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "Ensemble",
    "GRUCell",
    "History",
    "LSTMCell",
    "Minibatches",
    "RNNCell",
    "RecurrentEnsemble",
    "Scaler",
    "Seq2Seq",
    "SequenceRegressor",
    "TimeSeriesDataset",
    "WalkForward",
    "WindowRegressor",
    "adding_problem",
    "adjust_volume_for_split",
    "conformal_radius",
    "coverage",
    "crps_gaussian",
    "crps_quantiles",
    "crps_samples",
    "data_dir",
    "diebold_mariano",
    "directional_accuracy",
    "drift_forecast",
    "drop_halted_days",
    "fit",
    "fit_members",
    "fit_stateful",
    "forecast_table",
    "get_device",
    "glue",
    "hidden_grad_norms",
    "interval_width",
    "lag_profile",
    "load_stock",
    "load_sunspots",
    "log_returns",
    "mae",
    "make_horizon_windows",
    "make_windows",
    "mase",
    "naive_forecast",
    "ohlcv_features",
    "one_step_baseline",
    "one_step_sequence",
    "one_step_window",
    "pinball_loss",
    "plot_forecast",
    "plot_losses",
    "predict",
    "price_from_log_return",
    "recursive_sequence",
    "recursive_window",
    "recursive_windows",
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
    "winkler_score",
]
