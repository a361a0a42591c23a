"""Pure statistics for the selection-to-outcome link: ranks, Spearman's rho, quartile summaries."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_PAIRS = 3  # fewer pairs say nothing about a correlation


@dataclass(frozen=True)
class Correlation:
    rho: float | None  # None when it cannot be computed (too few firms, or no variation)
    n: int

    @property
    def strength(self) -> str:
        """A word for the size of rho: none, weak, moderate, strong (by |rho|)."""
        if self.rho is None:
            return "none"
        size = abs(self.rho)
        return "strong" if size >= 0.6 else "moderate" if size >= 0.3 else "weak"


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    position = 0
    while position < len(order):
        end = position
        while end + 1 < len(order) and values[order[end + 1]] == values[order[position]]:
            end += 1
        shared = (position + end) / 2 + 1
        for k in range(position, end + 1):
            ranks[order[k]] = shared
        position = end + 1
    return ranks


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or None without variation in either series."""
    n = len(xs)
    if n != len(ys) or n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def spearman(xs: Sequence[float], ys: Sequence[float]) -> Correlation:
    """Spearman's rank correlation (Pearson's r of the average ranks, so ties are handled)."""
    if len(xs) != len(ys):
        raise ValueError("both series need one value per firm")
    if len(xs) < MIN_PAIRS:
        return Correlation(None, len(xs))
    rho = pearson(average_ranks(xs), average_ranks(ys))
    return Correlation(None if rho is None else round(rho, 4), len(xs))


def quartile_means(ranks: Sequence[int], outcomes: Sequence[float]) -> list[tuple[int, int, float]]:
    """Firms split into four groups by selection rank (best first): (group 1..4, firms, mean outcome)."""
    pairs = sorted(zip(ranks, outcomes, strict=True))
    if len(pairs) < 4:
        return []  # a "quarter" of fewer than four firms is one firm
    groups = []
    for quarter in range(4):
        chunk = pairs[len(pairs) * quarter // 4 : len(pairs) * (quarter + 1) // 4]
        if chunk:
            groups.append((quarter + 1, len(chunk), sum(o for _, o in chunk) / len(chunk)))
    return groups
