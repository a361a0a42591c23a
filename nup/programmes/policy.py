"""A call's Physical AI priority policy (pure): what it grants, with defaults for what is not set."""

from __future__ import annotations

DEFAULT_POLICY = {
    "bonus_points": 2.0,  # added after trimming, within the call's bonus cap
    "min_share": 0.0,  # of the places in each round's proposal, at least this share Physical AI
    "tie_breaker": True,  # equal final scores: Physical AI first
    "processing_priority": True,  # its background work and mail go on the priority queue
}
PRIORITY_CONDITION = "physical_ai"


def effective_policy(stored: dict | None, bonus_rules: list[dict] | None = None) -> dict:
    """The call's policy with defaults filled in; the bonus is the one its bonus rules give."""
    policy = {**DEFAULT_POLICY, "version": 0}
    policy.update({k: v for k, v in (stored or {}).items() if k in policy})
    if bonus_rules is not None:
        policy["bonus_points"] = next(
            (float(r["points"]) for r in bonus_rules if r.get("when") == PRIORITY_CONDITION), 0.0
        )
    return policy


def policy_of(call) -> dict:
    """The policy in force for a call (anything with priority_policy and bonus_rules)."""
    return effective_policy(call.priority_policy, call.bonus_rules)


def bonus_rules_with(rules: list[dict], points: float) -> list[dict]:
    """The call's bonus rules with the Physical AI rule set to `points` (dropped at 0)."""
    others = [r for r in rules or [] if r.get("when") != PRIORITY_CONDITION]
    return ([{"when": PRIORITY_CONDITION, "points": points}] if points > 0 else []) + others


def prioritised(call, physical_ai: bool) -> bool:
    """Whether work about an application goes on the priority queue under its call's policy."""
    return bool(physical_ai) and bool(policy_of(call)["processing_priority"])
