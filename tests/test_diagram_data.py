"""The diagrams of chapters 5, 6, 7 and 8 agree with their chapter's data.

book/diagrams/ch6_walk_forward.py and book/diagrams/ch6_leak.py draw the chapter's own time
axis: where the training, validation and test parts end, the walk-forward origins and the
stretch of recent windows fine-tuned on, the notes' rows, their ``xTr`` / ``xTe`` split and
where each year starts. book/diagrams/ch5_rolling_origin.py draws chapter 5's years: the
fit/validation split that chose the epochs, the forecast origins and their horizon, and
writes those years into its labels. The diagrams cannot run the chapters, so they hard-code
these positions (and quote some of them in their docstrings). If a chapter's data, its split
or its constants changed, the pictures would silently become wrong; this test recomputes
every position the way the chapter does (notebooks/06_stock_prediction.ipynb,
notebooks/05_stateful_vs_lookback.ipynb) and compares. book/diagrams/ch7_evaluation.py
draws chapter 7's evaluation scheme from the chapter's constants (``LOOKBACK``, ``HORIZON``,
``ORIGINS``, ``N_CAL``, ``N_TEST``) and the years of the sunspot series; the test compares
them, and the years the chapter forecasts from each origin (``cal_truth``, ``truth``), with
what the picture draws. book/diagrams/ch8_protocol.py draws chapter 8's protocol from the
chapter's years (the sunspots cut at 1987), ``LAST_TRAIN``, ``FOLDS``, ``SEEDS``,
``EPOCHS``, ``EVERY`` and ``SCALES``; the test compares them, and the years of every row.

The chapters' literal constants (``RECENT``, ``TEST_SHARE``, ``N_LAGS``, ``N_TEST``...) and
the arguments of their calls (``load_stock``, ``time_split``, ``train_test_split``,
``rolling_origins``...) are read from their code cells with ``ast``, not typed again here.
The prices come from the snapshot that ships inside rnnlib (``load_stock``'s default source),
so the test runs offline, with ``RNNLIB_DATA_DIR`` pointed at an empty folder so that no
local price file is read; the sunspots are statsmodels' bundled data set.

(book/diagrams/ch5_layouts.py shows no number of chapter 5's: its minibatch targets
``y_{w+87}``, ``y_{w+152}`` are illustrative, so there is nothing of it to check here.)
"""

from __future__ import annotations

import ast
import inspect
import math
import re
import sys
from collections.abc import Callable
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from chapter_usage import ROOT, chapter_number, code_cells
from sklearn.model_selection import train_test_split

from rnnlib import (
    adjust_volume_for_split,
    drop_halted_days,
    load_stock,
    load_sunspots,
    ohlcv_features,
    rolling_origins,
    time_split,
    walk_forward,
    window_dates,
)
from rnnlib.stocks import DATA_DIR_ENV

sys.path.insert(0, str(ROOT / "book" / "diagrams"))
import ch5_rolling_origin
import ch6_leak
import ch6_walk_forward
import ch7_evaluation
import ch8_protocol

CH5 = ROOT / "notebooks" / "05_stateful_vs_lookback.ipynb"
CH6 = ROOT / "notebooks" / "06_stock_prediction.ipynb"
CH7 = ROOT / "notebooks" / "07_multistep_uncertainty.ipynb"
CH8 = ROOT / "notebooks" / "08_benchmark.ipynb"
FRACTION_WORDS = {2: "half", 3: "third", 4: "quarter", 5: "fifth", 10: "tenth"}


class Chapter:
    """The top-level statements of a chapter's code cells."""

    def __init__(self, path) -> None:
        self.number = chapter_number(path)
        self.path = path
        self.statements = [node for source in code_cells(path)
                           for node in ast.parse(source).body]
        self.constants: dict[str, object] = {}
        ambiguous = set()
        assignments = [(target, node.value) for node in self.statements
                       if isinstance(node, ast.Assign) for target in node.targets]
        for target, values in assignments:  # A = B = 1 gives both
            names = self._targets(target)
            if names is None:
                continue
            if len(names) > 1:  # A, B = 1, 2
                if not isinstance(values, ast.Tuple) or len(values.elts) != len(names):
                    continue
                pairs = zip(names, values.elts)
            else:
                pairs = [(names[0], values)]
            for name, value in pairs:
                try:
                    literal = ast.literal_eval(value)
                except ValueError:
                    continue
                if name in self.constants and self.constants[name] != literal:
                    ambiguous.add(name)
                self.constants[name] = literal
        for name in ambiguous:
            del self.constants[name]

    @staticmethod
    def _targets(target: ast.expr) -> tuple[str, ...] | None:
        if isinstance(target, ast.Name):
            return (target.id,)
        if isinstance(target, ast.Tuple) and all(isinstance(t, ast.Name) for t in target.elts):
            return tuple(t.id for t in target.elts)
        return None

    def _outdated(self, what: str) -> str:
        return (f"chapter {self.number} no longer {what}; update tests/test_diagram_data.py "
                f"and book/diagrams/ch{self.number}_*.py to how it computes the diagrams' "
                f"positions now")

    def constant(self, name: str):
        """The literal value the chapter assigns to ``name`` (once, or always the same)."""
        assert name in self.constants, self._outdated(f"assigns one literal value to {name}")
        return self.constants[name]

    def _value(self, node: ast.expr):
        """A literal or a chapter constant; otherwise the expression's source text."""
        try:
            return ast.literal_eval(node)
        except ValueError:
            pass
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id]
        return ast.unparse(node)

    def evaluate(self, node: ast.expr, **names):
        """The value of a chapter expression, given the values of the names it reads
        (the chapter's constants are known; of the builtins only ``len``). The names are
        globals, so that a comprehension sees them too."""
        code = compile(ast.Expression(node), str(self.path), "eval")
        try:
            return eval(code, {"__builtins__": {"len": len}, **self.constants, **names})
        except NameError as error:
            raise AssertionError(self._outdated(
                f"computes `{ast.unparse(node)}` from {sorted(names)} only ({error})"))

    def assignment(self, *targets: str, func: str | None = None) -> ast.Assign:
        """The chapter's one top-level ``targets = ...`` (a call of ``func`` if given)."""
        found = [node for node in self.statements
                 if isinstance(node, ast.Assign) and len(node.targets) == 1
                 and self._targets(node.targets[0]) == targets
                 and (func is None or (isinstance(node.value, ast.Call)
                                       and ast.unparse(node.value.func) == func))]
        assert len(found) == 1, self._outdated(
            f"has one `{', '.join(targets)} = {func or ''}(...)`" if func
            else f"assigns `{', '.join(targets)}` once")
        return found[0]

    def call(self, *targets: str, func: str) -> tuple[list, dict]:
        """``targets = func(args, kwargs)`` in the chapter: its arguments, resolved."""
        node = self.assignment(*targets, func=func).value
        return ([self._value(a) for a in node.args],
                {k.arg: self._value(k.value) for k in node.keywords})

    def call_values(self, *targets: str, func: str, **names) -> tuple[list, dict]:
        """Like ``call``, with every argument evaluated (see ``evaluate``)."""
        node = self.assignment(*targets, func=func).value
        return ([self.evaluate(a, **names) for a in node.args],
                {k.arg: self.evaluate(k.value, **names) for k in node.keywords})


def _chapter_of(module) -> int:
    """5 for the module ``ch5_rolling_origin``."""
    return int(re.match(r"ch(\d+)_", module.__name__)[1])


def check(module, name: str, drawn, chapter) -> None:
    """Assert that a diagram's constant equals the chapter's value."""
    assert drawn == chapter, (
        f"{module.__name__}.{name} is {drawn!r}, chapter {_chapter_of(module)} gives "
        f"{chapter!r}: update book/diagrams/{module.__name__}.py and run make diagrams")


def check_text(module, text: str, source: str, what: str) -> None:
    """Assert that a diagram's docstring or comment quotes the chapter's value."""
    assert text in " ".join(source.split()), (  # wherever the lines break
        f"{module.__name__}'s docstring or comments should say {text!r} ({what}, from "
        f"chapter {_chapter_of(module)}): update book/diagrams/{module.__name__}.py and run "
        f"make diagrams")


def years_in(label: str) -> list[int]:
    """The years a label shows: [1929, 1948] for '1929–1948 (validation)'."""
    return [int(n) for n in re.findall(r"\b\d{4}\b", label)]


def horizon_in(label: str) -> int | None:
    """H in a label: 20 for 'forecast from $t_0$, $H = 20$ years'."""
    found = re.search(r"H\s*=\s*(\d+)", label)
    return int(found[1]) if found else None


def year_starts(index: pd.DatetimeIndex, keys) -> dict[str, int]:
    """Row of the first day of each year ``yYYYY`` in ``index``."""
    return {key: int(index.searchsorted(pd.Timestamp(f"{key[1:]}-01-01"))) for key in keys}


def fraction_word(share: float) -> str:
    """'fifth' for 0.2: the word for a unit fraction."""
    frac = Fraction(share).limit_denominator(100)
    assert frac.numerator == 1 and frac.denominator in FRACTION_WORDS, share
    return FRACTION_WORDS[frac.denominator]


@pytest.fixture(scope="module")
def ch6(tmp_path_factory):
    """Chapter 6's data, split as the chapter splits it."""
    nb = Chapter(CH6)
    with pytest.MonkeyPatch.context() as mp:  # offline: only rnnlib's own snapshot
        mp.setenv(DATA_DIR_ENV, str(tmp_path_factory.mktemp("prices")))
        args, kwargs = nb.call("raw", func="load_stock")
        raw = load_stock(*args, **kwargs)
    prices = drop_halted_days(raw)
    args, kwargs = nb.call("adjusted", func="adjust_volume_for_split")
    assert args[0] == "prices", args
    prices = adjust_volume_for_split(prices, *args[1:], **kwargs)
    features = ohlcv_features(prices)
    args, split_kw = nb.call("f_train", "f_val", "f_test", func="time_split")
    assert args == ["features"], args
    f_train, f_val, f_test = time_split(features, **split_kw)

    # The notes' recipe: the close and its N_LAGS lags, on the raw prices.
    close_raw = raw["Close"]
    n_lags = nb.constant("N_LAGS")
    lagged = pd.concat({f"lag{k}": close_raw.shift(k) for k in range(1, n_lags + 1)}, axis=1)
    notes_data = pd.concat([close_raw, lagged], axis=1).iloc[n_lags:]
    _, notes_kw = nb.call("xTr", "xTe", "yTr", "yTe", func="train_test_split")
    xTr = train_test_split(np.arange(len(notes_data)), **notes_kw)[0]
    args, fix_kw = nb.call("fix2_train", "fix2_test", func="time_split")
    assert args == ["notes_data"], args
    fix2_train, _ = time_split(notes_data, **fix_kw)
    return {"nb": nb, "features": features, "f_train": f_train, "f_val": f_val,
            "f_test": f_test, "split_kw": split_kw, "notes_data": notes_data, "xTr": xTr,
            "notes_kw": notes_kw, "fix_kw": fix_kw, "fix2_train": fix2_train}


def test_walk_forward_parts_and_origins(ch6):
    m, nb, features = ch6_walk_forward, ch6["nb"], ch6["features"]
    f_train, f_val, f_test = ch6["f_train"], ch6["f_val"], ch6["f_test"]
    check(m, "END", m.END, len(features))
    check(m, "TRAIN_END", m.TRAIN_END, len(f_train))
    check(m, "VAL_END", m.VAL_END, len(f_train) + len(f_val))
    check(m, "RECENT", m.RECENT, nb.constant("RECENT"))

    # The chapter's walk-forward over the windows, each window placed at its target day.
    _, target_day = window_dates(features.index, nb.constant("LOOKBACK"))
    in_test = target_day >= f_test.index[0]
    first_test = int(np.argmax(in_test))
    block_days = math.ceil(in_test.sum() / nb.constant("N_BLOCKS"))
    recent, tested = [], []

    def forecaster(train, test):
        recent.append(np.arange(max(0, train.stop - nb.constant("RECENT")), train.stop))
        tested.append(np.arange(test.start, test.stop))
        return np.zeros(test.stop - test.start)

    walk_forward(forecaster, len(target_day), initial=first_test, horizon=block_days)
    day = features.index.get_indexer
    origins = tuple(int(day(target_day[t[:1]])[0]) for t in tested)
    check(m, "ORIGINS", m.ORIGINS, origins)
    check(m, "END (the last forecast day + 1)", m.END, int(day(target_day[tested[-1]])[-1]) + 1)
    for origin, windows in zip(origins, recent):  # the fine-tuned stretch, drawn by RECENT
        days = day(target_day[windows])
        check(m, f"the recent stretch before origin {origin}",
              (origin - m.RECENT, origin), (int(days[0]), int(days[-1]) + 1))

    n_test, share = int(in_test.sum()), ch6["split_kw"]
    source = inspect.getsource(m)
    check_text(m, f"ceil({n_test} / {nb.constant('N_BLOCKS')})", source, "the test blocks")
    check_text(m, f"RECENT = {nb.constant('RECENT')}", source, "the windows fine-tuned on")
    check_text(m, f"test_size={share['test_size']}, val_size={share['val_size']}", source,
               "the chapter's split")


def test_walk_forward_years(ch6):
    m, features = ch6_walk_forward, ch6["features"]
    check(m, "YEARS", m.YEARS, year_starts(features.index, m.YEARS))
    first = features.index[0]
    check(m, "the year of day 0 (LABELS['y2010'])", "y2010", f"y{first.year}")
    # The early years are compressed up to the start of a year, before any fitted stretch.
    assert m.BREAK in m.YEARS.values() and m.BREAK <= min(
        min(m.ORIGINS) - m.RECENT, m.TRAIN_END), (
        f"ch6_walk_forward.BREAK is {m.BREAK}: it should be the first day of a year "
        f"({m.YEARS}) and at most the first fine-tuned day {min(m.ORIGINS) - m.RECENT} and "
        f"TRAIN_END {m.TRAIN_END}: update book/diagrams/ch6_walk_forward.py and run make "
        f"diagrams")
    check_text(m, f"{first.date()} to {features.index[-1].date()}", inspect.getsource(m),
               "the features' first and last day")


def test_leak_rows(ch6):
    m, nb, notes_data = ch6_leak, ch6["nb"], ch6["notes_data"]
    check(m, "N_ROWS", m.N_ROWS, len(notes_data))
    check(m, "XTR_END", m.XTR_END, len(ch6["xTr"]))
    check(m, "FIT_END", m.FIT_END, len(ch6["fix2_train"]))
    # The flaw-1 fit part of the chapter (n_fit rows) is the same as the time split's.
    n_test = round(nb.constant("TEST_SHARE") * len(notes_data))
    check(m, "FIT_END (n_fit)", m.FIT_END, len(notes_data) - n_test)
    check(m, "YEARS", m.YEARS, year_starts(notes_data.index, m.YEARS))

    doc = m.__doc__
    notes_test = ch6["notes_kw"]["test_size"]
    check_text(m, f"{m.N_ROWS} rows", doc, "the notes' rows")
    check_text(m, f"the first {m.XTR_END}", doc, "xTr's rows")
    check_text(m, f"the last {m.N_ROWS - m.FIT_END}", doc, "the chronological test rows")
    check_text(m, f"test_size={notes_test}", doc, "the notes' train_test_split")
    check_text(m, f"first {fraction_word(1 - notes_test)}", doc, "xTr's share")
    check_text(m, f"last {fraction_word(ch6['fix_kw']['test_size'])}", doc,
               "the chronological test share")
    check_text(m, f"{notes_data.index[0]:%B %Y} to {notes_data.index[-1]:%B %Y}", doc,
               "the notes' first and last target")


@pytest.fixture(scope="module")
def ch5():
    """Chapter 5's sunspot years, split as the chapter splits them, and its origins."""
    nb = Chapter(CH5)
    args, kwargs = nb.call("raw", func="load_sunspots")
    raw = load_sunspots(*args, **kwargs)
    data = nb.evaluate(nb.assignment("data").value, raw=raw)  # with the 12-year mean
    args, test_kw = nb.call("train_df", "test_df", func="time_split")
    assert args == ["data"], args
    _, test_df = time_split(data, **test_kw)
    args, val_kw = nb.call("fit_df", "val_df", "_", func="time_split")
    assert args == ["data"], args
    fit_df, val_df, _ = time_split(data, **val_kw)
    args, origin_kw = nb.call_values("origins", func="rolling_origins", data=data)
    year = data.index.year

    def span(part) -> tuple[int, int]:  # the first and last year
        return int(part[0]), int(part[-1])

    origins = [(span(year[train]), span(year[test]))
               for train, test in rolling_origins(*args, **origin_kw)]
    horizons = {test[1] - test[0] + 1 for _, test in origins}
    assert len(horizons) == 1, f"chapter 5's test periods {origins} differ in length"
    return {"raw": raw, "data": data, "year": year, "origins": origins,
            "horizon": horizons.pop(),
            "origin_kw": origin_kw, "fit": span(fit_df.index.year),
            "val": span(val_df.index.year), "test": span(test_df.index.year)}


def drawn_calls(module, monkeypatch, *names: str) -> dict[str, list]:
    """The arguments of every call ``draw`` makes to the module's functions ``names``."""
    calls: dict[str, list] = {name: [] for name in names}

    def recorder(name: str, function: Callable) -> Callable:
        def record(*args, **kwargs):
            calls[name].append((args, kwargs))
            return function(*args, **kwargs)
        return record

    for name in names:
        monkeypatch.setattr(module, name, recorder(name, getattr(module, name)))
    plt.close(module.draw(dict(module.LABELS)))
    return calls


def test_rolling_origin_years(ch5, monkeypatch):
    m, year, origins = ch5_rolling_origin, ch5["year"], ch5["origins"]
    check(m, "FIRST", m.FIRST, int(year[0]))
    check(m, "LAST", m.LAST, int(year[-1]))
    check(m, "ORIGINS (the last year fitted at each origin)", m.ORIGINS,
          tuple(train[1] for train, _ in origins))
    check(m, "HORIZON", m.HORIZON, ch5["horizon"])

    # The rows as drawn: (first year, last year, fill) of every part, the top row the split
    # that chose the epochs, then one row per origin.
    def row(*parts):
        return [(*years, fill) for years, fill in parts if years[0] <= years[1]]

    chapter_rows = [row((ch5["fit"], "train"), (ch5["val"], "valid"), (ch5["test"], "unused"))]
    chapter_rows += [row((train, "train"), (test, "test"), ((test[1] + 1, m.LAST), "unused"))
                     for train, test in origins]
    drawn = [list(args[2]) for args, _ in drawn_calls(m, monkeypatch, "_row")["_row"]]
    check(m, "the rows drawn (first year, last year, fill)", drawn, chapter_rows)


def test_rolling_origin_labels(ch5, monkeypatch):
    m, origins, labels = ch5_rolling_origin, ch5["origins"], ch5_rolling_origin.LABELS
    for k, (train, test) in enumerate(origins, start=1):
        check(m, f"LABELS['t0_{k}'] (its year)", years_in(labels[f"t0_{k}"]), [train[1]])
        check(m, f"LABELS['r_{k}'] (its years)", years_in(labels[f"r_{k}"]), list(test))
        for part, word in [("val", "validation"), ("test", "clean test")]:
            check(m, f"LABELS['r_{k}'] saying {word!r}", word in labels[f"r_{k}"],
                  test == ch5[part])
    check(m, "LABELS['k_test'] (its H)", horizon_in(labels["k_test"]), ch5["horizon"])

    # The time axis: each tick labelled with the year it is placed at, first to last year.
    ticks = {key: text for key, text in labels.items() if re.fullmatch(r"y\d{4}", key)}
    check(m, "the axis labels' years (LABELS['yYYYY'])",
          [years_in(text) for text in ticks.values()], [[int(key[1:])] for key in ticks])
    first, last = min(ticks), max(ticks)
    check(m, "the first and last year on the axis", (ticks[first], ticks[last]),
          (str(ch5["year"][0]), str(ch5["year"][-1])))
    texts = drawn_calls(m, monkeypatch, "text")["text"]  # text(ax, x, y, s, ...)
    placed = {args[3]: args[1] for args, _ in texts if args[3] in ticks.values()}
    check(m, "the axis labels' places on the page (x)", placed,
          {text: m._x(years_in(text)[0] + 0.5) for text in ticks.values()})


def test_rolling_origin_docstring(ch5):
    m, origins = ch5_rolling_origin, ch5["origins"]
    (fit0, fit1), (val0, val1) = ch5["fit"], ch5["val"]
    doc, source = m.__doc__, inspect.getsource(m)
    check_text(m, f"fit {fit0}-{fit1}, validation {val0}-{val1}", doc,
               "the split that chose the epochs")
    check_text(m, "t_0 = " + ", ".join(str(train[1]) for train, _ in origins), doc,
               "the forecast origins")
    check_text(m, f"steps of {ch5['origin_kw']['step']} years", doc, "rolling_origins' step")
    check_text(m, f"H = {ch5['horizon']} years", doc, "the horizon")
    dropped = len(ch5["raw"]) - len(ch5["data"])
    check_text(m, f"the {dropped + 1}-year mean's first {dropped}", source,
               "the years the rolling mean drops")


@pytest.fixture(scope="module")
def ch7():
    """Chapter 7's constants, its years, and the years it forecasts from every origin: for
    each origin year T, ``cal`` and ``test`` hold the year of every forecast target, one row
    per forecast origin t_0 (its columns j = 1, ..., H)."""
    nb = Chapter(CH7)
    years = load_sunspots().index.year.to_numpy()
    names = {"np": np, "int": int, "years": years}
    at = nb.evaluate(nb.assignment("at").value, **names)  # each origin's row
    names |= {"at": at, "N_FROM": nb.evaluate(nb.assignment("N_FROM").value),
              "y": years}  # the chapter's y read as years: the years of the targets
    return {"nb": nb, "years": years, "n_from": names["N_FROM"],
            "cal": nb.evaluate(nb.assignment("cal_truth").value, **names),
            "test": nb.evaluate(nb.assignment("truth").value, **names)}


def test_evaluation_constants(ch7):
    m, nb, years = ch7_evaluation, ch7["nb"], ch7["years"]
    for name in ("LOOKBACK", "HORIZON", "N_CAL", "N_TEST"):
        check(m, name, getattr(m, name), nb.constant(name))
    check(m, "ORIGINS", m.ORIGINS, tuple(nb.constant("ORIGINS")))
    check(m, "FIRST_YEAR", m.FIRST_YEAR, int(years[0]))
    check(m, "LAST_YEAR", m.LAST_YEAR, int(years[-1]))
    check(m, "N_FROM (forecast origins per part)", m.N_FROM, ch7["n_from"])


def test_evaluation_parts_and_origins(ch7):
    """Each row's fit, calibration and test years, and the close-up's forecast origins, are
    where the chapter's forecasts lie."""
    m = ch7_evaluation
    for origin in m.ORIGINS:
        drawn = {fill: (first, last) for first, last, fill in m.parts(origin)}
        for part, fill in [("cal", "valid"), ("test", "test")]:
            targets = ch7[part][origin]  # (origins, H): the year of every target
            check(m, f"the {part} years of origin {origin} (first, last)", drawn[fill],
                  (int(targets.min()), int(targets.max())))
            check(m, f"the number of {part} forecast origins at {origin}", len(targets),
                  m.N_FROM)
            check(m, f"the steps ahead of each {part} forecast at {origin}",
                  targets.shape[1], m.HORIZON)
        first_cal_origin = int(ch7["cal"][origin][0, 0]) - 1
        check(m, f"the fit years of origin {origin}: up to the first calibration t_0",
              drawn["train"], (m.FIRST_YEAR, first_cal_origin))
        check(m, f"the years after the test years of origin {origin}", drawn.get("unused"),
              None if origin + m.N_TEST == m.LAST_YEAR else (origin + m.N_TEST + 1,
                                                             m.LAST_YEAR))
    # The close-up: the first and last origin t_0 of its calibration and test years.
    labels = m.LABELS
    for part, first, last in [("cal", "cal_first", "cal_last"),
                              ("test", "test_first", "test_last")]:
        origins = ch7[part][m.CLOSE_UP][:, 0] - 1
        check(m, f"LABELS['{first}'], LABELS['{last}'] (the {part} origins t_0)",
              years_in(labels[first]) + years_in(labels[last]),
              [int(origins[0]), int(origins[-1])])
    windows = [(t0 - m.LOOKBACK + 1) for t0 in ch7["cal"][m.CLOSE_UP][:, 0] - 1]
    check(m, "FIRST_SHOWN (the first year a close-up window reads)", m.FIRST_SHOWN,
          int(min(windows)))


def _number(symbol: str, label: str) -> int | None:
    """The number a label gives a symbol: 24 for ('w', '$w = 24$ true values')."""
    found = re.search(rf"\b{symbol}\s*=\s*(\d+)", label)
    return int(found[1]) if found else None


def test_evaluation_labels_and_docstring(monkeypatch):
    """The picture's texts say the module's numbers, and its ticks stand where they say."""
    m, labels = ch7_evaluation, ch7_evaluation.LABELS
    check(m, "the rows' labels (their years)", [years_in(labels[f"row_{k}"]) for k in
                                                range(1, len(m.ORIGINS) + 1)],
          [[origin] for origin in m.ORIGINS])
    check(m, "LABELS['window'] (its w)", _number("w", labels["window"]), m.LOOKBACK)
    check(m, "LABELS['forecasts'] (its H)", _number("H", labels["forecasts"]), m.HORIZON)
    for key in ("cal_note", "test_note"):
        check(m, f"LABELS['{key}'] (the number of origins)",
              int(re.match(r"\d+", labels[key])[0]), m.N_FROM)

    # The two time axes: each tick labelled with the year it is placed at.
    texts = drawn_calls(m, monkeypatch, "text")["text"]  # text(ax, x, y, s, ...)
    placed = {(args[3], args[1]) for args, _ in texts}  # (text, x); both axes end in 2008
    for prefix, x, first in [("y", m._x, m.FIRST_YEAR), ("c", m._xc, m.FIRST_SHOWN)]:
        ticks = {key: s for key, s in labels.items() if re.fullmatch(rf"{prefix}\d{{4}}", key)}
        check(m, f"the axis labels' years (LABELS['{prefix}YYYY'])",
              [years_in(s) for s in ticks.values()], [[int(key[1:])] for key in ticks])
        check(m, f"the first and last year of the '{prefix}' axis",
              (min(ticks.values()), max(ticks.values())), (str(first), str(m.LAST_YEAR)))
        wanted = [(s, x(years_in(s)[0] + 0.5)) for s in ticks.values()]
        check(m, f"the '{prefix}' axis labels drawn at their years (text, x)",
              [tick for tick in wanted if tick in placed], wanted)

    cal = m.CLOSE_UP - m.N_CAL
    check_text(m, ", ".join(map(str, m.ORIGINS)), m.__doc__, "the origin years")
    check_text(m, f"{m.FIRST_YEAR}-{m.LAST_YEAR}", m.__doc__, "the years of the series")
    check_text(m, f"t_0 = {cal}, ..., {cal + m.N_FROM - 1}", m.__doc__,
               "the close-up's calibration origins")
    check_text(m, f"H = {m.HORIZON}", m.__doc__, "the horizon")
    check_text(m, f"w = {m.LOOKBACK}", m.__doc__, "the look-back length")
    check_text(m, f"the {m.N_CAL} years up to it", m.__doc__, "the calibration years")
    check_text(m, f"the {m.N_TEST} years after it", m.__doc__, "the test years")


@pytest.fixture(scope="module")
def ch8():
    """Chapter 8's constants and its years: the sunspots as the chapter cuts them, and its
    test years (``TEST``, a mask over ``years``)."""
    nb = Chapter(CH8)
    args, kwargs = nb.call("sun", func="load_sunspots")
    sun = load_sunspots(*args, **kwargs)
    loaded = nb.assignment("sun", func="load_sunspots")
    for node in nb.statements:  # every later `sun = ...` (the cut at 1987), in order
        if isinstance(node, ast.Assign) and node is not loaded and len(node.targets) == 1 \
                and nb._targets(node.targets[0]) == ("sun",):
            sun = nb.evaluate(node.value, sun=sun)
    years = nb.evaluate(nb.assignment("years").value, sun=sun)
    split = nb.assignment("LAST_TRAIN", "TEST").value
    assert isinstance(split, ast.Tuple), ast.unparse(split)
    scales = nb.assignment("SCALES").value
    assert isinstance(scales, ast.Dict), f"chapter 8's SCALES is {ast.unparse(scales)}"
    return {"nb": nb, "years": years, "test": nb.evaluate(split.elts[1], years=years),
            "seeds": nb.evaluate(nb.assignment("SEEDS").value, list=list, range=range),
            "scales": tuple(ast.literal_eval(key) for key in scales.keys)}


def _span(years) -> tuple[int, int]:
    """The first and last of some years."""
    return int(years[0]), int(years[-1])


def test_protocol_constants(ch8):
    m, nb, years = ch8_protocol, ch8["nb"], ch8["years"]
    check(m, "FIRST_YEAR", m.FIRST_YEAR, int(years[0]))
    check(m, "LAST_YEAR", m.LAST_YEAR, int(years[-1]))
    check(m, "LAST_TRAIN", m.LAST_TRAIN, nb.constant("LAST_TRAIN"))
    check(m, "FOLDS", m.FOLDS, tuple(map(tuple, nb.constant("FOLDS"))))
    check(m, "N_SEEDS", m.N_SEEDS, len(ch8["seeds"]))
    check(m, "EPOCHS", m.EPOCHS, nb.constant("EPOCHS"))
    check(m, "EVERY", m.EVERY, nb.constant("EVERY"))
    check(m, "SCALES (the keys of the chapter's SCALES)", m.SCALES, ch8["scales"])


def test_protocol_rows(ch8):
    """Each row's fit, validation and test years are the chapter's, and no fold reaches the
    test years."""
    m, years, test = ch8_protocol, ch8["years"], ch8["test"]
    chapter_rows = []
    for k, (fitted, validated) in enumerate(ch8["nb"].constant("FOLDS"), start=1):
        assert not test[years <= validated].any(), (
            f"chapter 8's fold {k} validates on test years (up to {validated})")
        parts = [(*_span(years[years <= fitted]), "train"),
                 (*_span(years[(years > fitted) & (years <= validated)]), "valid")]
        if (years > validated).any():
            parts.append((*_span(years[years > validated]), "unused"))
        chapter_rows.append((f"fold_{k}", parts))
    chapter_rows.append(("test", [(*_span(years[~test]), "train"),
                                  (*_span(years[test]), "test")]))
    check(m, "rows() (first year, last year, fill)", m.rows(), chapter_rows)


def test_protocol_labels_and_docstring(ch8, monkeypatch):
    """The picture's texts say the module's numbers, and its ticks stand where they say."""
    m, labels, years, test = ch8_protocol, ch8_protocol.LABELS, ch8["years"], ch8["test"]
    for k, (fitted, validated) in enumerate(m.FOLDS, start=1):
        check(m, f"LABELS['r_fold_{k}'] (the years validated)", years_in(labels[f"r_fold_{k}"]),
              [fitted + 1, validated])
    check(m, "LABELS['r_test'] (the test years)", years_in(labels["r_test"]),
          list(_span(years[test])))
    check(m, "LABELS['refit'] (the years refitted)", years_in(labels["refit"]),
          list(_span(years[~test])))
    check(m, "LABELS['forecast'] (the test years)", years_in(labels["forecast"]),
          list(_span(years[test])))
    check(m, "the checkpoints' labels (LABELS['eN'])",
          [key for key in labels if re.fullmatch(r"e\d+", key)],
          [f"e{epoch}" for epoch in range(m.EVERY, m.EPOCHS + 1, m.EVERY)])
    check(m, "checkpoints()", m.checkpoints(), list(range(m.EVERY, m.EPOCHS + 1, m.EVERY)))
    for key in ("seeds", "cell"):
        check(m, f"LABELS['{key}'] (the number of seeds)",
              [int(n) for n in re.findall(r"\b\d+\b", labels[key])], [m.N_SEEDS])
    check(m, "the scales' labels (LABELS['scale_NAME'])",
          [key for key in labels if key.startswith("scale_")],
          [f"scale_{scale}" for scale in m.SCALES])

    # The time axis: each tick labelled with the year it is placed at, first to last year.
    ticks = {key: s for key, s in labels.items() if re.fullmatch(r"y\d{4}", key)}
    check(m, "the axis labels' years (LABELS['yYYYY'])",
          [years_in(s) for s in ticks.values()], [[int(key[1:])] for key in ticks])
    check(m, "the axis labels' years", [int(key[1:]) for key in ticks],
          [m.FIRST_YEAR, *(fitted for fitted, _ in m.FOLDS), m.LAST_TRAIN, m.LAST_YEAR])
    texts = drawn_calls(m, monkeypatch, "text")["text"]  # text(ax, x, y, s, ...)
    placed = {args[3]: args[1] for args, _ in texts if args[3] in ticks.values()}
    check(m, "the axis labels' places on the page (x)", placed,
          {s: m._x(years_in(s)[0] + 0.5) for s in ticks.values()})

    doc = m.__doc__
    (fit1, val1), (fit2, val2) = m.FOLDS
    first, last = m.FIRST_YEAR, m.LAST_YEAR
    check_text(m, f"sunspots {first}-{last}", doc, "the years of the series")
    check_text(m, f"training years {first}-{m.LAST_TRAIN}", doc, "the training years")
    check_text(m, f"fold 1 fits on {first}-{fit1} and validates on {fit1 + 1}-{val1}", doc,
               "the first fold")
    check_text(m, f"fold 2 fits on {first}-{fit2} and validates on {fit2 + 1}-{val2}", doc,
               "the second fold")
    check_text(m, f"the {int(test.sum())} test years {m.LAST_TRAIN + 1}-{last}", doc,
               "the test years")
    check_text(m, f"{len(m.SCALES)} scales", doc, "the scales")
    check_text(m, f"every {m.EVERY} epochs up to {m.EPOCHS}", doc, "the checkpoints")
    check_text(m, f"{m.N_SEEDS} seeds", doc, "the seeds")
