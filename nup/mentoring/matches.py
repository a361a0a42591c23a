"""Needs and matches: what a selected startup asks for, mentors suggested with reasons, picks and answers."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from nup import security
from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit import services as audit
from nup.errors import Conflict, DomainError, NotFound
from nup.extensions import db
from nup.mentoring import matching
from nup.mentoring.models import MatchStatus, Mentor, MentoringNeed, MentorMatch, MentorStatus
from nup.mentoring.vocabulary import COUNTRIES, LANGUAGE_LABELS, MARKET_LANGUAGE, TOPICS_FOR_TRACK
from nup.notifications import services as notifications
from nup.reviews.cohort import is_selected
from nup.reviews.conflicts import Company, Declarations, exclusion_ties
from nup.reviews.models import Assignment

LIVE_MATCH = (MatchStatus.PROPOSED, MatchStatus.ACCEPTED)
MODES = ("online", "in_person", "either")
MAX_HOURS_A_MONTH = 40
MAX_BUDGET_WON = 10_000_000_000  # far above any programme's per-firm budget; keeps the column in range


class NotSelected(Conflict):
    code = "not_selected"
    default_message = _l("Mentoring is for selected startups only.")


# ----------------------------------------------------------------------------------- needs


def need_for(application: Application, *, now: datetime) -> MentoringNeed:
    """The startup's need, prefilled from its application the first time (flushed, not stated)."""
    need = db.session.scalar(select(MentoringNeed).where(MentoringNeed.application_id == application.id))
    if need is not None:
        return need
    if not is_selected(application.id):
        raise NotSelected()
    markets = [code for code in application.target_markets or [] if code in COUNTRIES]
    languages = ["ko", *sorted({MARKET_LANGUAGE[m] for m in markets if m in MARKET_LANGUAGE} - {"ko"})]
    need = MentoringNeed(
        application_id=application.id,
        topics=list(TOPICS_FOR_TRACK.get(application.track, ["go_to_market"])),
        markets=markets,
        languages=languages[:3],
        preferred_mode="either",
        hours_wanted=4,
        updated_at=now,
    )
    db.session.add(need)
    db.session.flush()
    return need


def state_need(need: MentoringNeed, *, actor: User, values: dict[str, Any], now: datetime) -> MentoringNeed:
    """Save what the startup asks of mentoring (the founder, or an officer on their behalf)."""
    security.require(actor, "need.edit", need.application)
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, allowed in (("topics", matching.EXPERTISE), ("markets", COUNTRIES), ("languages", LANGUAGE_LABELS)):
        chosen = [str(item) for item in values.get(field) or []]
        unknown = [item for item in chosen if item not in allowed]
        if unknown:
            errors[field] = [str(_l("Unknown choice: %(items)s", items=", ".join(unknown)))]
        clean[field] = sorted(set(chosen) - set(unknown))
    if not clean["topics"] and "topics" not in errors:
        errors["topics"] = [str(_l("Choose at least one topic."))]
    if not clean["languages"] and "languages" not in errors:
        errors["languages"] = [str(_l("Choose at least one language."))]
    mode = values.get("preferred_mode") or "either"
    if mode not in MODES:
        errors["preferred_mode"] = [str(_l("Choose online, in person or either."))]
    try:
        hours = int(values.get("hours_wanted"))
        if not 1 <= hours <= MAX_HOURS_A_MONTH:
            raise ValueError
    except (TypeError, ValueError):
        errors["hours_wanted"] = [str(_l("Hours a month must be a whole number from 1 to %(max)d.", max=40))]
        hours = need.hours_wanted
    if errors:
        raise DomainError(_l("Nothing was saved: correct the marked fields."), fields=errors)
    before = {"topics": need.topics, "markets": need.markets, "languages": need.languages}
    need.topics, need.markets, need.languages = clean["topics"], clean["markets"], clean["languages"]
    need.preferred_mode, need.hours_wanted = mode, hours
    need.notes = str(values.get("notes") or "").strip()[:2000]
    need.stated_at = need.updated_at = now
    audit.record(actor, "mentoring_need.stated", need, before=before, after={**clean, "hours_wanted": hours})
    return need


def set_allowance(need: MentoringNeed, *, actor: User, hour_cap: Any, budget_won: Any, now: datetime) -> MentoringNeed:
    """Set the startup's mentoring hour cap and budget in won (officers); neither below what is approved."""
    from nup.mentoring.queries import usage_of

    security.require(actor, "mentoring.manage")
    db.session.execute(select(MentoringNeed.id).where(MentoringNeed.id == need.id).with_for_update())
    errors: dict[str, list[str]] = {}
    try:
        cap = float(str(hour_cap).replace(",", ""))
        if not 0 <= cap <= 1000:
            raise ValueError
    except (TypeError, ValueError):
        errors["hour_cap"] = [str(_l("The hour cap must be a number from 0 to 1,000; it cannot be negative."))]
        cap = need.hour_cap
    try:
        budget = int(str(budget_won).replace(",", ""))
        if not 0 <= budget <= MAX_BUDGET_WON:
            raise ValueError
    except (TypeError, ValueError):
        errors["budget_won"] = [str(_l("The budget must be a whole number of won, from 0 to 10,000,000,000."))]
        budget = need.budget_won
    used = usage_of(need.application_id)
    if not errors and cap < used.approved_hours:
        errors["hour_cap"] = [
            str(_l("%(hours)s hours are already approved; the cap cannot be lower.", hours=f"{used.approved_hours:g}"))
        ]
    if not errors and budget < used.approved_won:
        errors["budget_won"] = [
            str(_l("%(won)s won is already approved; the budget cannot be lower.", won=f"{used.approved_won:,}"))
        ]
    if errors:
        raise DomainError(_l("Nothing was saved: correct the marked fields."), fields=errors)
    before = {"hour_cap": need.hour_cap, "budget_won": need.budget_won}
    need.hour_cap, need.budget_won, need.updated_at = cap, budget, now
    audit.record(actor, "mentoring_need.allowance", need, before=before, after={"hour_cap": cap, "budget_won": budget})
    return need


# ------------------------------------------------------------------------ conflicts and load


def conflicts_with(application: Application, mentors: list[Mentor]) -> dict[int, list[str]]:
    """Why each conflicted mentor may not mentor this startup (mentor id -> reasons).

    The review rules apply: declared ties to the company (organisation, past employer,
    investment, advisory role), and anyone who evaluated the startup cannot be paid to mentor it.
    """
    company = Company(application.company_name, application.business_registration_number, application.ceo_name)
    reasons: dict[int, list[str]] = defaultdict(list)
    for mentor in mentors:
        declared = Declarations(mentor.organisation, mentor.past_employers, mentor.investments, mentor.advisory_roles)
        for tie in exclusion_ties(declared, company):
            reasons[mentor.id].append(tie.describe())
    evaluators = db.session.execute(
        select(User.id, func.lower(User.email))
        .join(Assignment, Assignment.reviewer_id == User.id)
        .where(Assignment.application_id == application.id)
    ).all()
    ids, emails = {row[0] for row in evaluators}, {row[1] for row in evaluators}
    for mentor in mentors:
        if (mentor.user_id is not None and mentor.user_id in ids) or mentor.email.lower() in emails:
            reasons[mentor.id].append("evaluator: evaluated this startup")
    return dict(reasons)


def monthly_load(mentor_ids: list[int] | None = None) -> dict[int, float]:
    """Hours a month each mentor has promised: the hours wanted by their live matches."""
    query = (
        select(MentorMatch.mentor_id, func.coalesce(func.sum(MentoringNeed.hours_wanted), 0))
        .join(MentoringNeed, MentoringNeed.application_id == MentorMatch.application_id)
        .where(MentorMatch.status.in_(LIVE_MATCH))
        .group_by(MentorMatch.mentor_id)
    )
    if mentor_ids is not None:
        query = query.where(MentorMatch.mentor_id.in_(mentor_ids))
    return {mentor_id: float(hours) for mentor_id, hours in db.session.execute(query)}


def as_profile(mentor: Mentor, load: float) -> matching.MentorProfile:
    return matching.MentorProfile(
        id=mentor.id,
        expertise=frozenset(mentor.expertise or ()),
        industries=frozenset(mentor.industries or ()),
        countries=frozenset(mentor.countries or ()),
        languages=frozenset(mentor.languages or ()),
        years=mentor.years_experience,
        capacity_hours=max(mentor.monthly_capacity_hours - load, 0.0),
        load_hours=min(load, float(mentor.monthly_capacity_hours)),
        fee_per_hour=mentor.fee_per_hour,
        active=mentor.active and mentor.status == MentorStatus.APPROVED,
    )


def as_need(need: MentoringNeed) -> matching.StartupNeed:
    return matching.StartupNeed(
        id=need.application_id,
        topics=frozenset(need.topics or ()),
        markets=frozenset(need.markets or ()),
        languages=frozenset(need.languages or ()),
        industry=need.application.track or "",
        hours_wanted=float(need.hours_wanted),
    )


def pool() -> list[Mentor]:
    return list(db.session.scalars(select(Mentor).where(Mentor.status == MentorStatus.APPROVED, Mentor.active)))


def suggestions_for(application: Application, *, now: datetime, limit: int = 5):
    """Mentors for this startup, best first, with reasons; and the conflicted ones left out, with why."""
    need = need_for(application, now=now)
    mentors = pool()
    load = monthly_load([m.id for m in mentors])
    taken = set(
        db.session.scalars(
            select(MentorMatch.mentor_id).where(
                MentorMatch.application_id == application.id, MentorMatch.status.in_(LIVE_MATCH)
            )
        )
    )
    conflicted = conflicts_with(application, mentors)
    ranked = matching.rank_mentors(
        as_need(need),
        [as_profile(m, load.get(m.id, 0.0)) for m in mentors],
        excluded=set(conflicted) | taken,
        limit=limit,
    )
    by_id = {m.id: m for m in mentors}
    return need, [(by_id[s.mentor_id], s) for s in ranked], {by_id[i]: why for i, why in conflicted.items()}


# --------------------------------------------------------------------------------- matches


def propose_match(
    application: Application, mentor: Mentor, *, actor: User, now: datetime, run_id: int | None = None
) -> MentorMatch:
    """Pick a mentor for a startup (officer, or the startup when the call allows); the mentor is asked by email.

    Refused for a conflicted, inactive or already-matched mentor, or when the mentor has no
    capacity left for the hours the startup wants.
    """
    security.require(actor, "match.propose", application)
    need = need_for(application, now=now)
    # Serialise proposals for one startup: a double click or two officers make one match.
    db.session.execute(select(MentoringNeed.id).where(MentoringNeed.id == need.id).with_for_update())
    if not security.can(actor, "mentoring.manage"):
        _check_self_pick(application, mentor, now=now)
    if not (mentor.active and mentor.status == MentorStatus.APPROVED):
        raise Conflict(_l("This mentor is not active in the pool."))
    if why := conflicts_with(application, [mentor]).get(mentor.id):
        raise Conflict(_l("This mentor has a conflict of interest with the startup: %(why)s", why="; ".join(why)))
    existing = db.session.scalar(
        select(MentorMatch).where(
            MentorMatch.application_id == application.id,
            MentorMatch.mentor_id == mentor.id,
            MentorMatch.status.in_(LIVE_MATCH),
        )
    )
    if existing is not None:
        return existing  # a double click or a second officer: one match
    load = monthly_load([mentor.id]).get(mentor.id, 0.0)
    profile = as_profile(mentor, load)
    if profile.capacity_hours < need.hours_wanted:
        raise Conflict(
            _l(
                "The mentor has %(left)s of %(cap)s hours a month left; the startup wants %(want)s.",
                left=f"{profile.capacity_hours:g}",
                cap=mentor.monthly_capacity_hours,
                want=need.hours_wanted,
            )
        )
    explained = matching.rank_mentors(as_need(need), [profile], limit=1, require_expertise=False)
    suggestion = explained[0] if explained else None
    match = MentorMatch(
        application_id=application.id,
        mentor_id=mentor.id,
        status=MatchStatus.PROPOSED,
        score=suggestion.score if suggestion else 0.0,
        reasons=[r.__dict__ for r in suggestion.reasons] if suggestion else [],
        run_id=run_id,
        proposed_by_id=actor.id,
        proposed_at=now,
    )
    db.session.add(match)
    db.session.flush()
    audit.record(
        actor, "mentor_match.proposed", match, after={"application_id": application.id, "mentor_id": mentor.id}
    )
    if mentor.user is not None:
        notifications.queue(
            "mentor_match_proposed",
            to=mentor.user,
            key=f"match-{match.id}",
            context={
                "name": mentor.name,
                "company": application.company_name,
                "match_id": match.id,
                "topics": need.topics,
                "markets": need.markets,
            },
        )
    return match


MAX_LIVE_MATCHES = 3


def _check_self_pick(application: Application, mentor: Mentor, *, now: datetime) -> None:
    """A founder picks only among their suggestions, one request at a time, at most three mentors.

    The refusal never says why a mentor is missing from the suggestions: that would tell a
    founder who evaluated them or whom a mentor is tied to.
    """
    live = db.session.scalars(
        select(MentorMatch.status).where(
            MentorMatch.application_id == application.id, MentorMatch.status.in_(LIVE_MATCH)
        )
    ).all()
    if MatchStatus.PROPOSED in live:
        raise Conflict(_l("Wait for the mentor you asked to answer before asking another."))
    if len(live) >= MAX_LIVE_MATCHES:
        raise Conflict(_l("You already have %(n)d mentors; ask the programme office for more.", n=MAX_LIVE_MATCHES))
    _need, suggestions, _conflicted = suggestions_for(application, now=now)
    if mentor.id not in {m.id for m, _s in suggestions}:
        raise Conflict(_l("This mentor cannot be chosen; pick one of your suggested mentors."))


def respond_match(match: MentorMatch, *, actor: User, accept: bool, note: str, now: datetime) -> MentorMatch:
    """The mentor accepts or declines a proposed match; the startup (and on a decline the officer) is told."""
    security.require(actor, "match.respond", match)
    if match.status != MatchStatus.PROPOSED:
        if (match.status == MatchStatus.ACCEPTED) == accept:
            return match  # the same answer twice
        raise Conflict(_l("This match has already been answered."))
    note = (note or "").strip()
    if not accept and not note:
        raise DomainError(fields={"note": [str(_l("Say why you decline, so the officer can find another mentor."))]})
    match.status = MatchStatus.ACCEPTED if accept else MatchStatus.DECLINED
    match.responded_at, match.response_note = now, note[:2000]
    audit.record(actor, "mentor_match.answered", match, after={"status": match.status, "note": note})
    founder = db.session.get(User, match.application.user_id)
    notifications.queue(
        "mentor_match_answered",
        to=founder,
        key=f"match-{match.id}-{match.status}",
        context={"name": founder.name, "mentor": match.mentor.name, "accepted": accept, "match_id": match.id},
    )
    if not accept:
        proposer = db.session.get(User, match.proposed_by_id)
        if proposer is not None and proposer.role == "officer":
            notifications.queue(
                "mentor_match_answered",
                to=proposer,
                key=f"match-{match.id}-declined-officer",
                context={
                    "name": proposer.name,
                    "mentor": match.mentor.name,
                    "accepted": False,
                    "company": match.application.company_name,
                    "note": note,
                    "match_id": match.id,
                },
            )
    return match


def get_match(match_id: int) -> MentorMatch:
    match = db.session.get(MentorMatch, match_id)
    if match is None:
        raise NotFound()
    return match


def live_matches_of(*, application_id: int | None = None, mentor_id: int | None = None) -> list[MentorMatch]:
    query = select(MentorMatch).where(MentorMatch.status.in_((*LIVE_MATCH,)))
    if application_id is not None:
        query = query.where(MentorMatch.application_id == application_id)
    if mentor_id is not None:
        query = query.where(or_(MentorMatch.mentor_id == mentor_id))
    return list(db.session.scalars(query.order_by(MentorMatch.proposed_at.desc())))


def set_self_pick(call, *, actor: User, allowed: bool) -> None:
    """Let a call's selected startups pick their own mentor from the suggestions, or not (officers)."""
    security.require(actor, "mentoring.manage")
    before = bool(call.mentoring_self_pick)
    call.mentoring_self_pick = allowed
    audit.record(actor, "call.mentoring_self_pick", call, before={"allowed": before}, after={"allowed": allowed})
