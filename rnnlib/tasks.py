"""Synthetic sequence tasks that test how far back a recurrent network can remember.

:func:`adding_problem` draws batches of the adding problem of Hochreiter & Schmidhuber
(1997): each step carries a random value and a marker; exactly two steps are marked, and
the target is the sum of the two marked values. The first marker lies in the first half
of the sequence, so a model must carry a value over at least ``length // 2`` steps.
"""

from __future__ import annotations

import torch

from rnnlib._checks import check_int


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
