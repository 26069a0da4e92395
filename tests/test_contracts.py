"""The three argument contracts every public function of rnnlib shares (issue 12).

* array-like of numbers: what is accepted gives the same result as its NumPy float64
  equivalent; booleans, complex numbers, dates, strings and meta tensors are refused with
  an error naming the argument, never converted silently;
* time index: dates that are not strictly increasing are refused, so "before" means before;
* predictions vs targets: a forecast and its truth have the same shape (a column (n, 1)
  counts as (n,)) and, as pandas objects, the same index.

Property-based tests (Hypothesis) draw the data; the examples below them pin the cases the
issue measured.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rnnlib
from rnnlib._checks import as_float_array, check_time_index, paired_arrays

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32)
vectors = hnp.arrays(np.float64, st.integers(2, 30), elements=finite)


def variants(arr: np.ndarray) -> dict[str, object]:
    """The same numbers in every container the contract accepts."""
    return {
        "ndarray": arr, "float32": arr.astype(np.float32), "list": arr.tolist(),
        "tuple": tuple(arr.tolist()), "tensor": torch.tensor(arr),
        "tensor32": torch.tensor(arr, dtype=torch.float32),
        "Series": pd.Series(arr), "column DataFrame": pd.DataFrame({"v": arr}),
        "non-contiguous tensor": torch.tensor(np.stack([arr, arr], 1))[:, 0],
        "tensor with grad": torch.tensor(arr, requires_grad=True),
    }


def reference(value: object) -> np.ndarray:
    """The NumPy float64 equivalent of an accepted value."""
    if isinstance(value, torch.Tensor):
        return value.detach().double().numpy()
    return np.asarray(value, dtype=np.float64)


# --- array-like of numbers ---


@SETTINGS
@given(vectors)
def test_every_accepted_array_like_gives_its_numpy_result(arr):
    for kind, value in variants(arr).items():
        got = as_float_array(value, "data")
        np.testing.assert_array_equal(got.ravel(), reference(value).ravel(), err_msg=kind)
        assert got.dtype == np.float64


@SETTINGS
@given(vectors, vectors)
def test_public_functions_give_the_same_result_for_every_container(a, b):
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    want_rmse = rnnlib.rmse(a.astype(np.float32), b.astype(np.float32))
    want_scaled = rnnlib.windows.Scaler().fit_transform(a.astype(np.float32))
    want_naive = rnnlib.one_step_baseline(a.astype(np.float32), 1)
    for kind, value in variants(a.astype(np.float32)).items():
        if kind == "column DataFrame":
            continue  # 2-D: one_step_baseline takes a series
        assert rnnlib.rmse(value, b.astype(np.float32)) == pytest.approx(want_rmse), kind
        np.testing.assert_array_equal(rnnlib.windows.Scaler().fit_transform(value),
                                      want_scaled, err_msg=kind)
        np.testing.assert_array_equal(rnnlib.one_step_baseline(value, 1), want_naive,
                                      err_msg=kind)


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(1, 10),
                 elements=st.floats(-6e4, 6e4, allow_nan=False, width=16)))  # float16's range
def test_low_precision_tensors_give_their_own_values(arr):
    """bfloat16 was refused with torch's "Got unsupported ScalarType BFloat16"."""
    for dtype in (torch.bfloat16, torch.float16):
        t = torch.tensor(arr, dtype=dtype)
        np.testing.assert_array_equal(as_float_array(t, "data"), t.double().numpy())


refused = st.one_of(
    hnp.arrays(np.bool_, st.integers(1, 5)),
    hnp.arrays(np.complex128, st.integers(1, 5),
               elements=st.complex_numbers(max_magnitude=1e3, allow_nan=False)),
    hnp.arrays(np.dtype("datetime64[D]"), st.integers(1, 5),
               elements=st.integers(0, 20000).map(lambda d: np.datetime64(d, "D"))),
    hnp.arrays(np.dtype("timedelta64[s]"), st.integers(1, 5),
               elements=st.integers(0, 1000).map(lambda s: np.timedelta64(s, "s"))),
    st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=5),
)


@SETTINGS
@given(refused, st.sampled_from(["ndarray", "tensor", "Series", "list"]))
def test_booleans_complex_dates_and_strings_are_refused_by_name(values, kind):
    """Before: booleans became 0/1, complex numbers lost their imaginary part (a
    ComplexWarning only), dates became day counts."""
    arr = np.asarray(values)
    if kind == "tensor":
        if arr.dtype.kind not in "bc":
            return  # torch has no dates or strings
        value = torch.from_numpy(arr)
    elif kind == "Series":
        value = pd.Series(arr)
    elif kind == "list":
        value = arr.tolist()
    else:
        value = arr
    with pytest.raises(TypeError, match="^my_arg"):
        as_float_array(value, "my_arg")
    with pytest.raises(TypeError, match="^y_pred"):
        rnnlib.rmse(np.zeros(len(arr)), value)


@pytest.mark.parametrize("bad,exc,msg", [
    (None, TypeError, "array-like numbers, got NoneType"),
    ("12", TypeError, "array-like numbers, got str"),
    ({1: 2}, TypeError, "array-like numbers, got dict"),
    ({1.0, 2.0}, TypeError, "array-like numbers, got set"),
    ([[1.0], [2.0, 3.0]], TypeError, "rows of equal length"),
    ([1.0, None], TypeError, "Python objects"),
    (torch.zeros(3, device="meta"), ValueError, "meta tensor"),
    (torch.tensor([1.0, float("nan")]), ValueError, "1 NaN or infinite values .*position 1"),
    (pd.Series([1.0, None], dtype="Float64"), ValueError, "NaN"),
    (pd.DataFrame({"a": [1.0], "b": [True]}), TypeError, r"non-numeric columns \['b'\]"),
])
def test_array_like_examples(bad, exc, msg):
    with pytest.raises(exc, match=f"^x .*{msg}"):
        as_float_array(bad, "x")


def test_object_arrays_of_numbers_are_numbers():
    np.testing.assert_array_equal(as_float_array(np.array([1.0, 2], dtype=object), "x"),
                                  [1.0, 2.0])


def test_integer_and_sparse_tensors_are_numbers():
    np.testing.assert_array_equal(as_float_array(torch.arange(3), "x"), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(as_float_array(torch.tensor([0.0, 2.0]).to_sparse(), "x"),
                                  [0.0, 2.0])
    np.testing.assert_array_equal(as_float_array(np.array([1, 2], dtype=np.uint8), "x"),
                                  [1.0, 2.0])


# --- time index ---


dated_values = st.integers(3, 25).flatmap(lambda n: st.tuples(
    st.just(n), st.permutations(range(n))))


@SETTINGS
@given(dated_values)
def test_a_shuffled_date_index_is_refused(n_order):
    """Before: time_split of an unsorted series put the "test" part in the past, and
    log_returns paired days that are not adjacent."""
    n, order = n_order
    if list(order) == sorted(order):
        return
    dates = pd.bdate_range("2020-01-01", periods=n)[list(order)]
    series = pd.Series(np.arange(1.0, n + 1), index=dates)
    with pytest.raises(ValueError, match="not sorted in time"):
        rnnlib.time_split(series, test_size=1)
    with pytest.raises(ValueError, match="not sorted in time"):
        rnnlib.log_returns(series)
    with pytest.raises(ValueError, match="not sorted in time"):
        rnnlib.window_dates(dates, lookback=1)


@SETTINGS
@given(st.integers(3, 25), st.data())
def test_a_duplicated_date_is_refused(n, data):
    dates = list(pd.bdate_range("2020-01-01", periods=n))
    i = data.draw(st.integers(1, n - 1))
    dates[i] = dates[i - 1]
    series = pd.Series(np.arange(1.0, n + 1), index=pd.DatetimeIndex(dates))
    with pytest.raises(ValueError, match="twice"):
        rnnlib.time_split(series, test_size=1)
    with pytest.raises(ValueError, match="twice"):
        rnnlib.log_returns(series)


@SETTINGS
@given(st.integers(2, 25), st.sampled_from([None, "UTC", "Asia/Seoul", "America/New_York"]))
def test_sorted_unique_dates_in_any_time_zone_pass(n, tz):
    dates = pd.date_range("2020-03-01", periods=n, freq="D", tz=tz)
    check_time_index(dates, "index")
    train, test = rnnlib.time_split(pd.Series(np.arange(n, dtype=float), index=dates), 1)
    assert train.index.max() < test.index.min()


def test_time_index_examples():
    with pytest.raises(ValueError, match="missing dates"):
        check_time_index(pd.DatetimeIndex(["2020-01-01", None]), "index")
    with pytest.raises(ValueError, match=r"not sorted in time: 1 \(position 2\) comes after 3"):
        check_time_index(pd.Index([2, 3, 1]), "index")
    check_time_index(pd.Index(["b", "a"]), "index")  # labels carry no order
    check_time_index(pd.RangeIndex(5), "index")


# --- predictions vs targets ---


@SETTINGS
@given(st.integers(2, 20), st.integers(2, 4))
def test_a_2d_forecast_against_a_1d_truth_is_refused(n, k):
    """Before: rmse flattened a (n, k) forecast against a truth of n * k values and
    paired values that do not belong together (1.013 instead of an error)."""
    truth = np.arange(n * k, dtype=float)
    with pytest.raises(ValueError, match=rf"y_true has shape \({n * k},\) but y_pred has "
                                         rf"shape \({n}, {k}\)"):
        rnnlib.rmse(truth, truth.reshape(n, k))
    with pytest.raises(ValueError, match="y_pred has shape"):
        rnnlib.rmse(truth[:n], truth[:n][None, :])  # a row is not a column


@SETTINGS
@given(vectors)
def test_a_column_and_a_vector_pair_up(arr):
    a, b = paired_arrays(arr, arr[:, None])
    assert a.shape == b.shape == arr.shape
    assert rnnlib.rmse(arr, torch.tensor(arr)[:, None]) == 0.0


def test_complex_forecasts_are_refused():
    """Before: rmse(v + 1j, v) was 0.0."""
    v = np.arange(4.0)
    with pytest.raises(TypeError, match="^y_true must hold real numbers.*complex"):
        rnnlib.rmse(v + 1j, v)


def test_pandas_objects_with_different_dates_are_refused():
    truth = pd.Series([1.0, 2.0, 3.0], index=pd.bdate_range("2020-01-01", periods=3))
    shifted = pd.Series([1.0, 2.0, 3.0], index=pd.bdate_range("2020-01-02", periods=3))
    with pytest.raises(ValueError, match="indexed by different dates"):
        rnnlib.mae(truth, shifted)
    assert rnnlib.mae(truth, shifted.to_numpy()) == 0.0  # an array carries no dates


def test_forecast_table_refuses_two_keys_that_name_one_row():
    """Before: keys 1 and "1" gave one row."""
    y = np.arange(1.0, 6.0)
    with pytest.raises(ValueError, match=r"keys \[1, '1'\] that name the same row \['1'\]"):
        rnnlib.forecast_table(y, {1: y, "1": y + 1}, y_train=y)
