"""Tests of rnnlib.uncertainty: pinball loss, interval scores, CRPS and conformal radii.

Every value is checked against an independent reference: a formula written out by hand,
autograd, a numerical integral (scipy), a brute-force double loop, or a simulation.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import integrate, stats

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

# --- pinball_loss ---


def _pinball_by_hand(pred, target, quantiles):
    """The mean pinball loss, one value at a time: tau * u if u >= 0 else (tau - 1) * u."""
    total, count = 0.0, 0
    for q_row, y in zip(pred.reshape(-1, len(quantiles)).tolist(), target.reshape(-1).tolist()):
        for q, tau in zip(q_row, quantiles):
            u = y - q
            total += tau * u if u >= 0 else (tau - 1) * u
            count += 1
    return total / count


def test_pinball_loss_on_a_tiny_example():
    # y = 1, quantiles 0 and 2 at levels 1/4 and 3/4: errors +1 and -1, losses 1/4 and 1/4
    loss = pinball_loss(torch.tensor([[0.0, 2.0]]), torch.tensor([1.0]), [0.25, 0.75])
    assert loss.item() == pytest.approx(0.25)
    # a perfect forecast of every quantile costs nothing
    zero = pinball_loss(torch.ones(3, 2), torch.ones(3), [0.1, 0.9])
    assert zero.item() == 0.0


@pytest.mark.parametrize("shape", [(7,), (4, 3)])
def test_pinball_loss_equals_the_hand_formula(shape):
    gen = torch.Generator().manual_seed(0)
    quantiles = [0.1, 0.5, 0.8]
    pred = torch.randn(*shape, 3, generator=gen, dtype=torch.float64)
    target = torch.randn(*shape, generator=gen, dtype=torch.float64)
    loss = pinball_loss(pred, target, quantiles)
    assert loss.shape == () and loss.dtype == torch.float64
    assert loss.item() == pytest.approx(_pinball_by_hand(pred, target, quantiles), rel=1e-12)


def test_pinball_loss_gradient_is_tau_minus_the_indicator_averaged():
    gen = torch.Generator().manual_seed(1)
    quantiles = torch.tensor([0.1, 0.5, 0.9], dtype=torch.float64)
    pred = torch.randn(5, 4, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    target = torch.randn(5, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    pinball_loss(pred, target, quantiles.tolist()).backward()
    # d/dq of the loss at one value: -(tau - 1{y < q}); the loss is a mean over 5 * 4 * 3
    slope = quantiles - (target[..., None] < pred).double()
    torch.testing.assert_close(pred.grad, -slope / pred.numel())
    torch.testing.assert_close(target.grad, slope.sum(-1) / pred.numel())


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9])
def test_minimising_the_pinball_loss_gives_the_empirical_quantile(tau):
    rng = np.random.default_rng(2)
    y = torch.tensor(rng.standard_normal(401))            # n * tau is never a whole number
    want = np.quantile(y.numpy(), tau, method="inverted_cdf")

    # By grid: the loss is piecewise linear in q, so its minimum lies on a data point.
    losses = [pinball_loss(torch.full((len(y), 1), c, dtype=y.dtype), y, [tau]).item()
              for c in y.tolist()]
    assert y[int(np.argmin(losses))].item() == want

    # By gradient descent on one constant q: the gradient is F_emp(q) - tau, so q settles
    # where the empirical CDF crosses tau.
    q = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([q], lr=0.5)
    for _ in range(300):
        opt.zero_grad()
        pinball_loss(q.expand(len(y), 1), y, [tau]).backward()
        opt.step()
    low, high = np.quantile(y.numpy(), [tau - 0.005, tau + 0.005])
    assert low <= q.item() <= high


@pytest.mark.parametrize("pred, target, quantiles, error, match", [
    (torch.zeros(4, 3), torch.zeros(4), [0.1, 0.9], ValueError,
     r"pred must have shape \(\.\.\., 2\)"),
    (torch.zeros(4, 2), torch.zeros(4, 1), [0.1, 0.9], ValueError,
     r"target must have shape \(4,\)"),
    (torch.zeros(4, 2), torch.zeros(5), [0.1, 0.9], ValueError, "target must have shape"),
    (torch.zeros(4, 2), torch.zeros(4), [0.0, 0.9], ValueError, "quantiles must increase"),
    (torch.zeros(4, 2), torch.zeros(4), [0.1, 1.0], ValueError, "quantiles must increase"),
    (torch.zeros(4, 2), torch.zeros(4), [0.9, 0.1], ValueError, "quantiles must increase"),
    (torch.zeros(4, 2), torch.zeros(4), [0.5, 0.5], ValueError, "quantiles must increase"),
    (torch.zeros(4, 1), torch.zeros(4), 0.5, TypeError, "quantiles must be a sequence"),
    (torch.zeros(4, 1), torch.zeros(4), "0.5", TypeError, "quantiles must be a sequence"),
    (torch.zeros(4, 1), torch.zeros(4), [[0.5]], ValueError, "quantiles must be 1-D"),
    (np.zeros((4, 2)), torch.zeros(4), [0.1, 0.9], TypeError, "pred must be a floating-point"),
    (torch.zeros(4, 2), [0.0] * 4, [0.1, 0.9], TypeError, "target must be a floating-point"),
    (torch.zeros(4, 2, dtype=torch.long), torch.zeros(4), [0.1, 0.9], TypeError, "pred"),
    (torch.zeros(4, 2), torch.zeros(4, dtype=torch.bool), [0.1, 0.9], TypeError, "target"),
])
def test_pinball_loss_rejects_bad_input(pred, target, quantiles, error, match):
    with pytest.raises(error, match=match):
        pinball_loss(pred, target, quantiles)


# --- coverage, interval_width, winkler_score ---

# y inside, below (by 0.5), on a closed boundary, above (by 1)
Y, LOWER, UPPER = [1.0, 2.0, 3.0, 4.0], [0.0, 2.5, 3.0, 0.0], [2.0, 3.0, 3.0, 3.0]


def test_interval_scores_on_a_hand_example():
    assert coverage(Y, LOWER, UPPER) == 0.5
    assert interval_width(LOWER, UPPER) == pytest.approx((2 + 0.5 + 0 + 3) / 4)
    # alpha = 0.2: a miss costs 2 / 0.2 = 10 times its distance
    assert winkler_score(Y, LOWER, UPPER, 0.2) == pytest.approx((2 + 5.5 + 0 + 13) / 4)
    assert winkler_score(Y, LOWER, UPPER, 0.5) == pytest.approx((2 + 2.5 + 0 + 7) / 4)
    # array-likes of any kind give the same numbers
    assert coverage(np.array(Y), torch.tensor(LOWER), pd.Series(UPPER)) == 0.5
    assert isinstance(coverage(Y, LOWER, UPPER), float)


def test_interval_scores_per_column_with_axis():
    rng = np.random.default_rng(3)
    y = rng.normal(size=(6, 3))
    centre = rng.normal(size=(6, 3))
    half = rng.uniform(0.1, 1.5, size=(6, 3))
    lower, upper = centre - half, centre + half
    inside = ((lower <= y) & (y <= upper)).astype(float)
    miss = np.maximum(lower - y, 0) + np.maximum(y - upper, 0)
    for axis in (0, 1, -1):
        np.testing.assert_allclose(coverage(y, lower, upper, axis=axis), inside.mean(axis))
        np.testing.assert_allclose(interval_width(lower, upper, axis=axis),
                                   (2 * half).mean(axis))
        np.testing.assert_allclose(winkler_score(y, lower, upper, 0.1, axis=axis),
                                   (2 * half + 20 * miss).mean(axis))
    column = [coverage(y[:, j], lower[:, j], upper[:, j]) for j in range(3)]
    np.testing.assert_allclose(coverage(y, lower, upper, axis=0), column)
    assert coverage(y, lower, upper, axis=0).shape == (3,)
    assert coverage(y, lower, upper) == pytest.approx(inside.mean())


def test_winkler_equals_width_when_every_value_is_inside():
    rng = np.random.default_rng(4)
    y = rng.normal(size=50)
    lower, upper = y - rng.uniform(0, 2, 50), y + rng.uniform(0, 2, 50)
    for alpha in (0.05, 0.5, 0.9):
        assert winkler_score(y, lower, upper, alpha) == pytest.approx(
            interval_width(lower, upper))
    assert coverage(y, lower, upper) == 1.0


def test_winkler_is_proper_for_a_normal_sample():
    # Over symmetric intervals mu +- c, the mean score of a large normal sample is smallest
    # near c = z_{1 - alpha/2} * sigma. The sample minimiser is the empirical (1 - alpha)
    # quantile of |Y - mu|, whose standard error here is about 0.004 sigma; the grid step is
    # 0.01 sigma; the tolerance 0.03 sigma covers both.
    mu, sigma, alpha = 2.0, 3.0, 0.2
    y = np.random.default_rng(5).normal(mu, sigma, 100_000)
    cs = sigma * np.arange(0.5, 2.5, 0.01)
    scores = [winkler_score(y, np.full_like(y, mu - c), np.full_like(y, mu + c), alpha)
              for c in cs]
    best = cs[int(np.argmin(scores))]
    assert best == pytest.approx(stats.norm.ppf(1 - alpha / 2) * sigma, abs=0.03 * sigma)


@pytest.mark.parametrize("call, error, match", [
    (lambda: coverage(Y, UPPER, LOWER), ValueError, "lower must not exceed upper"),
    (lambda: interval_width(UPPER, LOWER), ValueError, "lower must not exceed upper"),
    (lambda: winkler_score(Y, UPPER, LOWER, 0.1), ValueError, "lower must not exceed upper"),
    (lambda: coverage(Y[:3], LOWER, UPPER), ValueError, r"lower has shape \(4,\) but y"),
    (lambda: coverage(Y, LOWER, UPPER[:3]), ValueError, r"upper has shape \(3,\)"),
    (lambda: interval_width(LOWER, [UPPER]), ValueError, r"upper has shape \(1, 4\)"),
    (lambda: winkler_score(Y, LOWER, np.array(UPPER)[:, None], 0.1), ValueError, "upper"),
    (lambda: winkler_score(Y, LOWER, UPPER, 0.0), ValueError, "alpha must be > 0"),
    (lambda: winkler_score(Y, LOWER, UPPER, -0.1), ValueError, "alpha must be > 0"),
    (lambda: winkler_score(Y, LOWER, UPPER, 1.0), ValueError, "alpha must be < 1"),
    (lambda: winkler_score(Y, LOWER, UPPER, 1.5), ValueError, "alpha must be < 1"),
    (lambda: winkler_score(Y, LOWER, UPPER, "0.1"), TypeError, "alpha must be a number"),
    (lambda: winkler_score(Y, LOWER, UPPER, True), TypeError, "alpha must be a number"),
    (lambda: coverage(Y, LOWER, UPPER, axis=1), ValueError, "axis must be None or between"),
    (lambda: coverage(Y, LOWER, UPPER, axis=0.0), TypeError, "axis must be an int"),
    (lambda: coverage(1.0, 0.0, 2.0), ValueError, "y must be 1-D"),
])
def test_interval_scores_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- crps_gaussian ---

CASES = [(0.0, 0.0, 1.0), (0.3, 0.0, 1.0), (2.5, -0.4, 1.7), (-1.0, 1.0, 0.5), (5.0, 5.2, 0.1)]


def _crps_by_integral(y, cdf):
    """The integral over x of (F(x) - 1{x >= y})**2, split at y where the step is."""
    left, _ = integrate.quad(lambda x: cdf(x) ** 2, -np.inf, y, epsabs=1e-12, epsrel=1e-10)
    right, _ = integrate.quad(lambda x: (1 - cdf(x)) ** 2, y, np.inf, epsabs=1e-12,
                              epsrel=1e-10)
    return left + right


@pytest.mark.parametrize("y, mean, scale", CASES)
def test_crps_gaussian_equals_the_integral_of_the_squared_cdf_difference(y, mean, scale):
    want = _crps_by_integral(y, stats.norm(mean, scale).cdf)
    assert crps_gaussian([y], [mean], [scale]) == pytest.approx(want, rel=1e-7, abs=1e-10)


def test_crps_gaussian_works_elementwise_and_along_an_axis():
    y, mean, scale = (np.array(c).reshape(-1, 1) for c in zip(*CASES))
    each = crps_gaussian(y, mean, scale, axis=1)
    assert each.shape == (len(CASES),)
    np.testing.assert_allclose(each, [crps_gaussian([a], [b], [c]) for a, b, c in CASES])
    assert crps_gaussian(y, mean, scale) == pytest.approx(each.mean())


def test_crps_gaussian_tends_to_the_absolute_error_as_the_scale_shrinks():
    y, mean = np.array([0.5, -2.0, 3.0]), np.array([0.0, 1.0, 3.0])
    gaps = [abs(crps_gaussian(y, mean, np.full(3, s), axis=None) - np.abs(y - mean).mean())
            for s in (1e-1, 1e-3, 1e-6)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-6


@pytest.mark.parametrize("scale", [0.0, -1.0])
def test_crps_gaussian_refuses_a_scale_that_is_not_positive(scale):
    with pytest.raises(ValueError, match="scale must be > 0"):
        crps_gaussian([0.0, 1.0], [0.0, 0.0], [1.0, scale])


def test_crps_gaussian_refuses_shapes_that_differ():
    with pytest.raises(ValueError, match=r"scale has shape \(1,\) but y has shape \(2,\)"):
        crps_gaussian([0.0, 1.0], [0.0, 0.0], [1.0])


# --- crps_samples ---


def _crps_of_the_empirical_cdf(y, samples):
    """The integral of (F_emp(x) - 1{x >= y})**2, exactly: the integrand is a step function
    that only changes at the samples and at y."""
    xs = np.sort(np.asarray(samples, dtype=float))
    knots = np.unique(np.append(xs, y))
    total = 0.0
    for a, b in itertools.pairwise(knots):
        f = np.mean(xs <= a)                     # F_emp on [a, b)
        total += (f - float(a >= y)) ** 2 * (b - a)
    return total


def _crps_by_double_loop(y, samples):
    """E|X - y| - E|X - X'| / 2 over all ordered pairs of samples."""
    k = len(samples)
    to_y = sum(abs(x - y) for x in samples) / k
    spread = sum(abs(a - b) for a in samples for b in samples) / k**2
    return to_y - spread / 2


SAMPLE_CASES = [
    (0.3, [0.0]),
    (-1.0, [0.5, 2.0]),
    (1.0, [1.0, 1.0, 2.0]),                       # ties, and y on a sample
    (10.0, [0.0, 1.0, 4.0, -2.0, 3.5]),           # y above every sample
    (-10.0, [0.0, 1.0, 4.0, -2.0, 3.5]),          # y below every sample
    (0.7, np.random.default_rng(6).normal(size=8).tolist()),
]


@pytest.mark.parametrize("y, samples", SAMPLE_CASES)
def test_crps_samples_equals_the_integral_and_the_double_loop(y, samples):
    got = crps_samples([y], [samples])
    assert got == pytest.approx(_crps_of_the_empirical_cdf(y, samples), rel=1e-12, abs=1e-12)
    assert got == pytest.approx(_crps_by_double_loop(y, samples), rel=1e-12, abs=1e-12)


def test_crps_samples_integral_agrees_with_quad():
    # the exact step-function integral above, checked once against scipy's quadrature
    y, samples = SAMPLE_CASES[-1]
    xs = np.sort(samples)

    def cdf(x):
        return np.searchsorted(xs, x, side="right") / len(xs)

    left, _ = integrate.quad(lambda x: cdf(x) ** 2, xs[0] - 1, y, points=xs, limit=200)
    right, _ = integrate.quad(lambda x: (1 - cdf(x)) ** 2, y, xs[-1] + 1, points=xs,
                              limit=200)
    assert left + right == pytest.approx(_crps_of_the_empirical_cdf(y, samples), rel=1e-8)


def test_crps_samples_of_one_sample_is_the_absolute_error():
    y = np.array([[0.0, 1.5], [-2.0, 4.0]])
    x = np.array([[0.5, 1.5], [3.0, -1.0]])
    np.testing.assert_allclose(crps_samples(y, x[..., None], axis=1), np.abs(y - x).mean(1))


def test_crps_samples_is_computed_value_by_value():
    rng = np.random.default_rng(7)
    y, samples = rng.normal(size=(3, 4)), rng.normal(size=(3, 4, 6))
    each = np.array([[_crps_by_double_loop(y[i, j], samples[i, j]) for j in range(4)]
                     for i in range(3)])
    np.testing.assert_allclose(crps_samples(y, samples, axis=0), each.mean(0))
    assert crps_samples(y, samples) == pytest.approx(each.mean())
    # the order of the samples does not matter
    assert crps_samples(y, samples[..., ::-1]) == pytest.approx(each.mean())


def test_crps_samples_of_many_gaussian_draws_is_close_to_crps_gaussian():
    # Standard error of the sample estimate with k = 20,000 draws: about 0.01 * scale.
    rng = np.random.default_rng(8)
    y, mean, scale = np.array([0.3, 2.5, -1.0]), np.array([0.0, -0.4, 1.0]), np.array(
        [1.0, 1.7, 0.5])
    draws = rng.normal(mean[:, None], scale[:, None], size=(3, 20_000))
    got = crps_samples(y[:, None], draws[:, None], axis=1)
    want = crps_gaussian(y[:, None], mean[:, None], scale[:, None], axis=1)
    np.testing.assert_allclose(got, want, atol=0.03 * scale.max(), rtol=0)


@pytest.mark.parametrize("call, match", [
    (lambda: crps_samples([0.0, 1.0], [[0.0, 1.0]]), r"samples must have shape \(2, 'k'\)"),
    (lambda: crps_samples([0.0, 1.0], [0.0, 1.0]), "samples must be 2-D"),
    (lambda: crps_samples([0.0], np.zeros((1, 0))), "samples must not be empty"),
])
def test_crps_samples_rejects_bad_shapes(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- crps_quantiles ---


@pytest.mark.parametrize("y, mean, scale", CASES[1:4])
def test_crps_quantiles_of_true_gaussian_quantiles_tend_to_crps_gaussian(y, mean, scale):
    want = crps_gaussian([y], [mean], [scale])
    gaps = []
    for n_levels in (9, 49, 199):
        levels = np.arange(1, n_levels + 1) / (n_levels + 1)
        q = stats.norm.ppf(levels, mean, scale)
        gaps.append(abs(crps_quantiles([y], [q], levels) - want) / want)
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 0.01


def test_crps_quantiles_is_twice_the_mean_pinball_loss():
    rng = np.random.default_rng(9)
    levels = [0.05, 0.25, 0.5, 0.75, 0.95]
    y = rng.normal(size=(4, 3))
    q = np.sort(rng.normal(size=(4, 3, 5)), axis=-1)
    pinball = pinball_loss(torch.tensor(q), torch.tensor(y), levels).item()
    assert crps_quantiles(y, q, levels) == pytest.approx(2 * pinball, rel=1e-12)
    per_horizon = [2 * pinball_loss(torch.tensor(q[:, j]), torch.tensor(y[:, j]), levels).item()
                   for j in range(3)]
    np.testing.assert_allclose(crps_quantiles(y, q, levels, axis=0), per_horizon, rtol=1e-12)


@pytest.mark.parametrize("call, error, match", [
    (lambda: crps_quantiles([0.0, 1.0], [[0.0, 1.0], [1.0, 2.0]], [0.1, 0.5, 0.9]),
     ValueError, "q_pred has 2 quantiles in its last axis but quantiles lists 3 levels"),
    (lambda: crps_quantiles([0.0, 1.0], [[0.0, 1.0]], [0.1, 0.9]), ValueError,
     r"q_pred must have shape \(2, 'k'\)"),
    (lambda: crps_quantiles([0.0], [[0.0, 1.0]], [0.9, 0.1]), ValueError,
     "quantiles must increase"),
    (lambda: crps_quantiles([0.0], [[0.0, 1.0]], [0.0, 0.5]), ValueError,
     "quantiles must increase"),
    (lambda: crps_quantiles([0.0], [[0.0]], 0.5), TypeError, "quantiles must be a sequence"),
])
def test_crps_quantiles_rejects_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- conformal_radius ---


def _conformal_k(n, alpha):
    """ceil((n + 1)(1 - alpha)) in exact arithmetic."""
    return math.ceil((n + 1) * (1 - Fraction(str(alpha))))


def test_conformal_radius_is_the_kth_smallest_error():
    errors = [5.0, 3.0, 9.0, 1.0, 7.0, 2.0, 8.0, 10.0, 4.0, 6.0]
    # n = 10, alpha = 0.2: k = ceil(11 * 0.8) = ceil(8.8) = 9, the 9th smallest
    assert conformal_radius(errors, 0.2) == 9.0
    assert isinstance(conformal_radius(errors, 0.2), float)
    # n = 10, alpha = 0.5: k = ceil(5.5) = 6
    assert conformal_radius(errors, 0.5) == 6.0
    # n = 19, alpha = 0.1: (n + 1)(1 - alpha) = 18 exactly, so k = 18
    assert conformal_radius(np.arange(1.0, 20.0)[::-1], 0.1) == 18.0
    # n = 99, alpha = 0.45: 100 * 0.55 is 55 exactly but 55.00000000000001 in floating
    # point; k is 55, not 56
    assert (99 + 1) * (1 - 0.45) > 55 and _conformal_k(99, 0.45) == 55
    assert conformal_radius(np.arange(1.0, 100.0)[::-1], 0.45) == 55.0


@pytest.mark.parametrize("n, alpha", [(10, 0.2), (19, 0.1), (30, 0.05), (7, 0.3), (100, 0.1)])
def test_conformal_radius_matches_the_exact_rank(n, alpha):
    errors = np.abs(np.random.default_rng(n).normal(size=n))
    assert conformal_radius(errors, alpha) == np.sort(errors)[_conformal_k(n, alpha) - 1]


def test_conformal_radius_per_column_with_axis():
    errors = np.abs(np.random.default_rng(10).normal(size=(10, 3)))
    by_column = np.sort(errors, axis=0)[8]                  # k = 9 for n = 10, alpha = 0.2
    np.testing.assert_array_equal(conformal_radius(errors, 0.2), by_column)   # axis=0
    np.testing.assert_array_equal(conformal_radius(errors, 0.2, axis=0), by_column)
    np.testing.assert_array_equal(conformal_radius(errors.T, 0.2, axis=1), by_column)
    np.testing.assert_array_equal(conformal_radius(errors.T, 0.2, axis=-1), by_column)


@pytest.mark.parametrize("call, error, match", [
    # n = 8, alpha = 0.1: k = ceil(8.1) = 9 > 8, the interval would be infinite
    (lambda: conformal_radius(np.ones(8), 0.1), ValueError, "too few for alpha=0.1"),
    (lambda: conformal_radius(np.ones(3), 0.2), ValueError, "at least 4 are needed"),
    (lambda: conformal_radius([1.0, -0.5, 2.0], 0.5), ValueError, "errors must be absolute"),
    (lambda: conformal_radius(np.ones(10), 0.0), ValueError, "alpha must be > 0"),
    (lambda: conformal_radius(np.ones(10), 1.0), ValueError, "alpha must be < 1"),
    (lambda: conformal_radius(np.ones((10, 2)), 0.2, axis=2), ValueError, "axis must be"),
    (lambda: conformal_radius(np.ones(10), 0.2, axis=None), TypeError, "axis must be an int"),
    (lambda: conformal_radius(1.0, 0.2), ValueError, "errors must be 1-D"),
])
def test_conformal_radius_rejects_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_conformal_radius_of_nine_cases_allows_alpha_one_tenth():
    # the boundary of the refusal above: n = 9, alpha = 0.1 gives k = 9 = n, the largest
    assert conformal_radius(np.arange(9.0), 0.1) == 8.0


@pytest.mark.parametrize("draw", ["half-normal", "exponential"])
@pytest.mark.parametrize("n, alpha", [(10, 0.2), (39, 0.1)])
def test_conformal_coverage_by_simulation(draw, n, alpha):
    # For iid (exchangeable) continuous errors, P(new error <= radius) = k / (n + 1), which
    # lies in [1 - alpha, 1 - alpha + 1 / (n + 1)). 40,000 repetitions: standard error
    # <= 0.0025, tolerance 0.01 (four of them).
    reps, tol = 40_000, 0.01
    rng = np.random.default_rng(11)
    size = (n + 1, reps)
    errors = np.abs(rng.normal(size=size)) if draw == "half-normal" else rng.exponential(
        size=size)
    radius = conformal_radius(errors[:n], alpha)             # one radius per repetition
    covered = float(np.mean(errors[n] <= radius))
    k = _conformal_k(n, alpha)
    assert 1 - alpha <= k / (n + 1) < 1 - alpha + 1 / (n + 1)
    assert covered == pytest.approx(k / (n + 1), abs=tol)
    assert 1 - alpha - tol <= covered < 1 - alpha + 1 / (n + 1) + tol
