"""Panel composition checks (pure): size, market experts and women, shown to officers as warnings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MIN_MEMBERS = 5
MIN_MARKET_EXPERT_SHARE = 0.5
MIN_WOMEN_SHARE = 0.1


@dataclass(frozen=True)
class PanelWarning:
    code: str  # too_small | market_experts | women | undeclared
    needed: int
    have: int


def composition_warnings(
    profiles: Sequence[Any | None],
    *,
    per_application: int = MIN_MEMBERS,
    min_members: int = MIN_MEMBERS,
    market_share: float = MIN_MARKET_EXPERT_SHARE,
    women_share: float = MIN_WOMEN_SHARE,
) -> list[PanelWarning]:
    """What the panel lacks against DOMAIN rules: at least five members (and at least as many as
    evaluators per application), half market experts, a tenth women; members without
    declarations are counted and reported."""
    size = len(profiles)
    warnings = []
    needed = max(min_members, per_application)
    if size < needed:
        warnings.append(PanelWarning("too_small", needed, size))
    if size == 0:
        return warnings
    experts = sum(1 for p in profiles if p is not None and p.market_expert)
    if experts < -(-size * market_share // 1):  # ceil without floats drifting
        warnings.append(PanelWarning("market_experts", int(-(-size * market_share // 1)), experts))
    women = sum(1 for p in profiles if p is not None and p.gender == "female")
    if women < -(-size * women_share // 1):
        warnings.append(PanelWarning("women", int(-(-size * women_share // 1)), women))
    undeclared = sum(1 for p in profiles if p is None or not p.organisation)
    if undeclared:
        warnings.append(PanelWarning("undeclared", 0, undeclared))
    return warnings
