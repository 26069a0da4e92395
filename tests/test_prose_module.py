"""Tests of rnnlib.prose: glue stores a formatted number for the text of the page."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlib import glue, prose


def test_glue_formats_and_returns_the_text():
    assert glue("ch1_rmse", 0.012345, "{:.4f}") == "0.0123"
    assert glue("ch1_count", 8615465, "{:,}") == "8,615,465"
    assert glue("ch1_share", 0.5, "{:.0%}") == "50%"
    assert glue("ch1_word", "window") == "window"


def test_glue_formats_numpy_and_torch_scalars_as_numbers():
    assert glue("ch1_np", np.float32(0.25), "{:.2f}") == "0.25"
    assert glue("ch1_torch", torch.tensor(3.0), "{:.1f}") == "3.0"
    assert glue("ch1_int", np.int64(7), "{:d}") == "7"


def test_glue_writes_what_myst_nb_reads(monkeypatch):
    shown = []

    class Shell:                                   # stands in for a running kernel
        pass

    monkeypatch.setattr("IPython.get_ipython", lambda: Shell())
    monkeypatch.setattr("IPython.display.display",
                        lambda data, raw, metadata: shown.append((data, raw, metadata)))
    glue("ch2_x", 1.5, "{:.2f}")
    data, raw, metadata = shown[0]
    assert raw is True
    assert data == {"application/papermill.record/text/plain": "'1.50'"}
    assert metadata == {"scrapbook": {"name": "ch2_x",
                                      "mime_prefix": "application/papermill.record/"}}


def test_glue_outside_a_notebook_stores_nothing_and_does_not_fail():
    assert prose.glue("ch3_y", 2) == "2"


@pytest.mark.parametrize("name", ["", "1abc", "a b", "a:b", "a`b"])
def test_glue_rejects_a_bad_name(name):
    with pytest.raises(ValueError, match="name"):
        glue(name, 1.0)


def test_glue_rejects_a_name_that_is_not_a_string():
    with pytest.raises(TypeError, match="name must be a str"):
        glue(3, 1.0)


def test_glue_rejects_a_format_that_is_not_a_string():
    with pytest.raises(TypeError, match="fmt must be a str"):
        glue("ch1_a", 1.0, fmt=3)


@pytest.mark.parametrize("value, fmt", [("text", "{:.2f}"), (1.5, "{:d}"), (1.0, "{0} {1}"),
                                        (1.0, "{x}")])
def test_glue_names_the_format_that_cannot_format_the_value(value, fmt):
    with pytest.raises(ValueError, match="fmt .* cannot format value"):
        glue("ch1_a", value, fmt)


@pytest.mark.parametrize("value, fmt", [(1120, "{:,}"), (0.008, "{:.4f}"), (0.5, "{:.0%}"),
                                        (2.5e-7, "{:.1e}"), ("(a, b)", "{}"), (3, "{:d}")])
def test_the_page_shows_exactly_the_glued_text(monkeypatch, value, fmt):
    variables = pytest.importorskip("myst_nb.core.variables")
    shown = []
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    monkeypatch.setattr("IPython.display.display", lambda data, raw, metadata: shown.append(data))
    text = glue("ch1_v", value, fmt)
    stored = shown[0]["application/papermill.record/text/plain"]
    assert variables.format_plain_text(stored, "") == text      # what {glue:text} renders
