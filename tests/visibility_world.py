"""A small world of every role and every row kind whose visibility depends on who asks.

Two founders (each with a selected startup), two evaluators (one conflicted on the second
application although an assignment row for the pair exists), two mentors each matched to one
startup with a session booked, a support plan per startup, and an officer. `expected` says,
per actor and kind, exactly which ids the rules allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from nup.accounts.models import User
from nup.extensions import db
from nup.timeutil import utcnow
from tests.cohort import make_cohort_call, make_selected_startup

KINDS = ("application", "assignment", "match", "session", "plan")


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)  # name -> detached user
    ids: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> label -> id
    expected: dict[str, dict[str, set[int]]] = field(default_factory=dict)  # actor -> kind -> ids
    # Applications an evaluator reads through a live, unconflicted assignment (the blind view of
    # GET /api/v1/applications/{id}); they are not in visible_applications, which gives whole applications.
    evaluator_reads: dict[str, set[int]] = field(default_factory=dict)

    def all_ids(self, kind: str) -> set[int]:
        return set(self.ids[kind].values())


def _detached(user_id: int) -> User:
    user = db.session.get(User, user_id)
    db.session.refresh(user)
    db.session.expunge(user)
    return user


def build_world(app, make_user) -> World:
    """Build the world through the services (direct rows only where a service would refuse)."""
    from nup.applications.models import Application
    from nup.mentoring import matches, pool, sessions
    from nup.mentoring.models import Mentor
    from nup.overseas import services as overseas
    from nup.reviews.models import Assignment, Conflict
    from tests.mentoring.conftest import profile, slot
    from tests.overseas.conftest import months_ago

    world = World()
    officer = make_user("officer", email="officer@vis.example.kr")
    reviewers = [make_user("reviewer", email=f"reviewer{i}@vis.example.kr") for i in (1, 2)]
    mentor_users = [make_user("mentor", email=f"mentor{i}@vis.example.kr") for i in (1, 2)]
    with app.app_context():
        actor = db.session.get(User, officer.id)
        call_id = make_cohort_call(officer.id)
        startups = [
            make_selected_startup(call_id, company="가나로보틱스", rank=1),
            make_selected_startup(call_id, company="다라모빌리티", rank=2),
        ]
        apps = [s.application_id for s in startups]
        world.ids["application"] = {"a1": apps[0], "a2": apps[1]}

        # Evaluators: rows made directly, as a bug or an old path might have left them.
        r1, r2 = reviewers
        rows = {
            "r1a1": Assignment(call_id=call_id, application_id=apps[0], reviewer_id=r1.id, status="assigned"),
            "r1a2": Assignment(call_id=call_id, application_id=apps[1], reviewer_id=r1.id, status="draft"),
            "r2a1": Assignment(call_id=call_id, application_id=apps[0], reviewer_id=r2.id, status="submitted"),
            "r2a2": Assignment(call_id=call_id, application_id=apps[1], reviewer_id=r2.id, status="recused"),
        }
        db.session.add_all(rows.values())
        db.session.add(
            Conflict(
                call_id=call_id,
                application_id=apps[1],
                reviewer_id=r1.id,
                kind="declared",
                status="active",
                reason="전 직장",
                created_by_id=officer.id,
            )
        )
        db.session.flush()
        world.ids["assignment"] = {label: a.id for label, a in rows.items()}

        mentors = []
        for index, user in enumerate(mentor_users):
            mentors.append(
                pool.create_mentor(
                    actor=actor,
                    email=user.email,
                    values=profile(f"멘토{index}", ["robotics"], ["JP", "US"], ["ko"], 20, 100_000),
                    user=db.session.get(User, user.id),
                    now=utcnow(),
                )
            )
        db.session.commit()
        world.ids["match"], world.ids["session"] = {}, {}
        for index, (application_id, mentor) in enumerate(zip(apps, mentors, strict=True)):
            match = matches.propose_match(
                db.session.get(Application, application_id), mentor, actor=actor, now=utcnow()
            )
            matches.respond_match(
                match, actor=db.session.get(User, mentor_users[index].id), accept=True, note="", now=utcnow()
            )
            booked = sessions.book_session(match, actor=actor, values=slot(30 + 24 * index), now=utcnow())
            db.session.commit()
            world.ids["match"][f"m{index + 1}"] = match.id
            world.ids["session"][f"s{index + 1}"] = booked.id

        world.ids["plan"] = {}
        for index, application_id in enumerate(apps):
            plan = overseas.create_plan(
                db.session.get(Application, application_id),
                actor=actor,
                starts_on=months_ago(2),
                months=10,
                budget_won=100_000_000,
                target_countries=["US"],
                agreement_number=f"VIS-{application_id}",
                now=utcnow() - timedelta(seconds=1),
            )
            db.session.commit()
            world.ids["plan"][f"p{index + 1}"] = plan.id

        founders = [_detached(s.user_id) for s in startups]
        assert {m.user_id for m in db.session.query(Mentor)} == {u.id for u in mentor_users}

    world.users = {
        "officer": officer,
        "founder1": founders[0],
        "founder2": founders[1],
        "reviewer1": reviewers[0],
        "reviewer2": reviewers[1],
        "mentor1": mentor_users[0],
        "mentor2": mentor_users[1],
    }
    ids = world.ids
    none = {kind: set() for kind in KINDS}

    def only(**kinds) -> dict[str, set[int]]:
        return {**none, **{kind: {ids[kind][label] for label in labels} for kind, labels in kinds.items()}}

    world.expected = {
        "officer": {kind: world.all_ids(kind) for kind in KINDS},
        "founder1": only(application=["a1"], match=["m1"], session=["s1"], plan=["p1"]),
        "founder2": only(application=["a2"], match=["m2"], session=["s2"], plan=["p2"]),
        # reviewer1's row on a2 is hidden by the active conflict; reviewer2's on a2 has ended.
        "reviewer1": only(assignment=["r1a1"]),
        "reviewer2": only(assignment=["r2a1"]),
        "mentor1": only(match=["m1"], session=["s1"]),
        "mentor2": only(match=["m2"], session=["s2"]),
    }
    world.evaluator_reads = {"reviewer1": {ids["application"]["a1"]}, "reviewer2": {ids["application"]["a1"]}}
    return world
