"""Which data does the book use? A sine wave, yearly sunspots and the adding problem.

:func:`sine_wave` (chapters 1-3), :func:`load_sunspots` (chapter 5, from statsmodels'
bundled copy) and :func:`adding_problem`, the synthetic memory task of Hochreiter &
Schmidhuber (1997) (chapter 4): each step carries a random value and a marker; exactly
two steps are marked, and the target is the sum of the two marked values. The first
marker lies in the first half of the sequence, so a model must carry a value over at
least ``length // 2`` steps. Daily stock prices have a module of their own,
:mod:`rnnlib.stocks`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from rnnlib._checks import check_int, check_number


def sine_wave(n_points: int = 200, step: float = 0.1, *, amplitude: float = 1.0,
              phase: float = 0.0, noise_std: float = 0.0,
              seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``amplitude * sin(t + phase)`` (plus optional Gaussian noise).

    Args:
        n_points: number of samples (>= 2).
        step: spacing of the time points t = 0, step, 2*step, ... (> 0).
        amplitude: amplitude of the wave.
        phase: phase shift in radians.
        noise_std: standard deviation of added Gaussian noise (>= 0).
        seed: seed for the noise, for reproducibility.

    Returns:
        ``(t, y)``: two float32 arrays of shape ``(n_points,)``.

    Used in chapters 1, 2 and 3.
    """
    n_points = check_int(n_points, "n_points", minimum=2)
    step = check_number(step, "step", minimum=0.0, strict=True)
    amplitude = check_number(amplitude, "amplitude")
    phase = check_number(phase, "phase")
    noise_std = check_number(noise_std, "noise_std", minimum=0.0)
    if seed is not None:
        seed = check_int(seed, "seed", minimum=0)
    t = np.arange(n_points, dtype=np.float64) * step
    y = amplitude * np.sin(t + phase)
    if noise_std > 0:
        y = y + np.random.default_rng(seed).normal(0.0, noise_std, size=n_points)
    return t.astype(np.float32), y.astype(np.float32)


def load_sunspots() -> pd.DataFrame:
    """Yearly mean sunspot numbers 1700-2008, from statsmodels' bundled data set.

    Returns:
        A DataFrame with one float column ``SUNACTIVITY`` (309 rows) and a
        ``DatetimeIndex`` named ``year`` of year starts with frequency ``YS``.

    Used in chapters 5, 7 and 8.
    """
    import statsmodels.api as sm

    raw = sm.datasets.sunspots.load_pandas().data
    index = pd.date_range(start=f"{int(raw['YEAR'].iloc[0])}-01-01", periods=len(raw),
                          freq="YS", name="year")
    return pd.DataFrame({"SUNACTIVITY": raw["SUNACTIVITY"].to_numpy(dtype=np.float64)},
                        index=index)


def adding_problem(n: int, length: int, *, generator: torch.Generator | None = None
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw ``n`` sequences of the adding problem.

    Feature 0 of every step is a value drawn uniformly from [0, 1); feature 1 is a marker,
    1.0 at exactly two steps and 0.0 elsewhere. One marked step is drawn uniformly from the
    first half, ``0 <= a < length // 2``, the other from the second half,
    ``length // 2 <= b < length``. The target is the sum of the two marked values, in
    [0, 2) with mean 1 and variance 1/6: always predicting 1 gives a mean squared error of
    1/6, the level of a model that has learned nothing.

    Args:
        n: number of sequences (>= 1).
        length: steps per sequence, T (>= 2).
        generator: a seeded ``torch.Generator`` for reproducible draws; ``None`` uses
            torch's global random number generator.

    Returns:
        ``(x, y)``: inputs of shape ``(n, length, 2)`` and targets of shape ``(n, 1)``,
        both float32 on the CPU.

    Raises:
        TypeError: if ``n`` or ``length`` is not an int, or ``generator`` is not a
            ``torch.Generator``.
        ValueError: if ``n < 1`` or ``length < 2``.

    Used in chapter 4.
    """
    n = check_int(n, "n", minimum=1)
    length = check_int(length, "length", minimum=2)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, "
                        f"got {type(generator).__name__}")
    half = length // 2
    values = torch.rand(n, length, generator=generator)
    first = torch.randint(0, half, (n,), generator=generator)
    second = torch.randint(half, length, (n,), generator=generator)
    markers = torch.zeros(n, length)
    rows = torch.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = torch.stack([values, markers], dim=-1)
    y = (values[rows, first] + values[rows, second]).unsqueeze(1)
    return x, y
