import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from rnnlib.plots import plot_forecast, plot_losses
from rnnlib.train import History


def test_plot_forecast_draws_every_series_and_the_boundary():
    idx = pd.date_range("2000", periods=10, freq="YS")
    ax = plot_forecast(np.arange(7.0), np.arange(3.0), {"naive": [6.0, 6.0, 6.0]}, index=idx,
                       title="t", ylabel="y")
    labels = [line.get_label() for line in ax.get_lines()]
    assert {"train", "test (actual)", "naive"} <= set(labels)
    assert ax.get_title() == "t" and ax.get_ylabel() == "y"
    plt.close("all")


def test_plot_forecast_tail_limits_the_training_part():
    ax = plot_forecast(np.arange(100.0), np.arange(5.0), tail=10)
    assert len(ax.get_lines()[0].get_xdata()) == 10
    plt.close("all")


@pytest.mark.parametrize("kwargs,exc,msg", [
    ({"forecasts": {"m": [1.0]}}, ValueError,
     r"test has shape \(2,\) but forecasts\['m'\] has shape \(1,\)"),
    ({"index": np.arange(3)}, ValueError, "index must have"),
    ({"tail": 0}, ValueError, "tail must be"),
    ({"train": "abc"}, TypeError, "train must be array-like"),
])
def test_plot_forecast_rejects_bad_input(kwargs, exc, msg):
    args = {"train": np.arange(5.0), "test": np.arange(2.0)}
    args.update(kwargs)
    with pytest.raises(exc, match=msg):
        plot_forecast(**args)
    plt.close("all")


def test_plot_losses_from_history_and_mapping():
    ax = plot_losses(History(train_loss=[1.0, 0.5], val_loss=[1.2, 0.7]), title="x")
    assert [line.get_label() for line in ax.get_lines()] == ["train", "validation"]
    assert ax.get_yscale() == "log"
    ax = plot_losses({"a": [3.0, 2.0]}, log=False)
    assert ax.get_yscale() == "linear"
    plt.close("all")


def test_plot_losses_rejects_bad_input():
    with pytest.raises(TypeError, match="history must be"):
        plot_losses([1.0, 2.0])
    with pytest.raises(ValueError, match="no losses"):
        plot_losses(History())


@pytest.mark.parametrize("draw", [
    lambda: plot_forecast(np.arange(7.0), np.arange(3.0), {"naive": [6.0, 6.0, 6.0]},
                          title="t", ylabel="y"),
    lambda: plot_losses(History(train_loss=[1.0, 0.5], val_loss=[1.2, 0.7]), title="x"),
])
def test_plots_fit_the_page_column_with_readable_text(draw):
    """The book's column is about 676 px: a default figure is at most 6.6 in at 100 dpi, and
    no text in it is below 10 pt (the page's small print at 100% zoom)."""
    fig = draw().figure
    assert fig.get_size_inches()[0] <= 6.6
    texts = [t for t in fig.findobj(plt.Text) if t.get_text()]
    small = {t.get_text(): t.get_fontsize() for t in texts if t.get_fontsize() < 10}
    assert texts and not small, small
    plt.close("all")
