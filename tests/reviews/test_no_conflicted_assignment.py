# ruff: noqa: F811 - pytest fixtures imported from tests.applications.conftest are parameters here
"""No conflicted live assignment, whatever the path (제척, recorded conflicts).

Declarations and company names are generated in every way people write them: legal-form
words before or after the name, spacing, case, full-width letters and digits, decomposed
Hangul (NFD) and zero-width characters. Each assignment path runs on them, and the test
then recomputes from what it generated (not with the matcher under test) which pairs are
tied, and checks that none of them, and no pair with an active recorded conflict, holds a
live assignment.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from nup.accounts.models import User
from nup.applications.models import Application, ApplicationStatus
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews import assigning, objections, replacements, services
from nup.reviews.conflicts import Company, Declarations, exclusion_ties, normalise_name
from nup.reviews.models import (
    Assignment,
    Conflict,
    ConflictKind,
    ConflictStatus,
    Decision,
    EvaluatorProfile,
    Panel,
    PanelMember,
    RunStatus,
)
from nup.timeutil import utcnow
from tests.applications.conftest import make_call, officer  # noqa: F401
from tests.conftest import login_as

LIVE = ("assigned", "draft", "submitted")
# Distinct names; no piece of one is a legal-form word ("co", "inc", "주식회사", ...).
COMPANIES = ("현대자동차", "한빛로보틱스", "누리바이오", "Hyundai", "Nuri Bio", "Starlight Energy")
PEOPLE = ("홍길동", "김하늘", "Lee Minji", "Park Joon")
KOREAN_FORMS = ("주식회사", "(주)", "㈜", "( 주 )", "주식 회사", "유한회사", "(유)")
LATIN_FORMS = ("Co., Ltd.", "Co.,Ltd.", "CO LTD", "Inc.", "INC", "inc", "Corp.", "Corporation", "LLC", "Limited")
# Invisible characters, the Hangul fillers (category Lo) among them.
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u3164", "\u115f", "\u1160", "\uffa0", "\u034f")


def _full_width(text: str) -> str:
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def written(draw, name: str, legal_forms: bool = True) -> str:
    """`name` as someone might type or paste it."""
    text = name
    for _ in range(draw(st.integers(0, 2))):  # spaces inside the name
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from((" ", "  ", "\u3000"))) + text[at:]
    if legal_forms and draw(st.booleans()):
        if draw(st.booleans()):
            form, glue = draw(st.sampled_from(KOREAN_FORMS)), draw(st.sampled_from(("", " ", "\u3000")))
        else:
            form, glue = draw(st.sampled_from(LATIN_FORMS)), draw(st.sampled_from((" ", ", ", "  ")))
        text = f"{form}{glue}{text}" if draw(st.booleans()) else f"{text}{glue}{form}"
    text = draw(st.sampled_from((str, str.upper, str.lower, str.swapcase)))(text)
    if draw(st.booleans()):
        text = _full_width(text)
    text = unicodedata.normalize(draw(st.sampled_from(("NFC", "NFD", "NFKD"))), text)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(ZERO_WIDTH)) + text[at:]
    return text


@st.composite
def written_number(draw, number: str) -> str:
    text = f"{number[:3]}-{number[3:5]}-{number[5:]}" if draw(st.booleans()) else number
    if draw(st.booleans()):
        text = " ".join(text)
    return _full_width(text) if draw(st.booleans()) else text


# ------------------------------------------------------------------ the matcher, pure


@settings(max_examples=200, deadline=None)
@given(data=st.data(), index=st.integers(0, len(COMPANIES) - 1), other=st.integers(0, len(COMPANIES) - 1))
def test_every_way_of_writing_a_name_meets_and_different_names_do_not(data, index, other):
    first = data.draw(written(COMPANIES[index]))
    second = data.draw(written(COMPANIES[other]))
    assert (normalise_name(first) == normalise_name(second)) == (index == other), (first, second)
    person = data.draw(written(PEOPLE[index % len(PEOPLE)], legal_forms=False))
    company = Company(second, "2208162517", PEOPLE[index % len(PEOPLE)])
    declared = Declarations(
        past_employers=[first], advisory_roles=[person], investments=[data.draw(written_number("2208162517"))]
    )
    grounds = {t.ground for t in exclusion_ties(declared, company)}
    assert grounds == ({"past_employer"} if index == other else set()) | {"advisory_role", "investment"}


def test_the_probes_names_meet():
    for name in (
        "현대자동차 주식회사",
        "(주)현대자동차",
        "㈜ 현대자동차",
        unicodedata.normalize("NFD", "현대자동차(주)"),
    ):
        assert normalise_name(name) == normalise_name("현대자동차") == "현대자동차"
    assert (
        normalise_name("ＨＹＵＮＤＡＩ") == normalise_name("Hyundai Co., Ltd.") == normalise_name("HYUNDAI\u200b INC")
    )
    # Found by the probe: a Hangul filler (category Lo, invisible) and a legal form written against the name.
    for filler in ("\u3164", "\u1160", "\u115f", "\uffa0"):
        assert normalise_name(f"현대자동차{filler}") == normalise_name(f"현대{filler}자동차") == "현대자동차"
    assert normalise_name("Acme-RoboticsCo.,Ltd") == normalise_name("Acme Robotics Co., Ltd.") == "acmerobotics"
    assert normalise_name("AcmeInc") == "acme" and normalise_name("ZINC") == normalise_name("Zinc") == "zinc"
    # Legal-form words are whole words: names that merely contain the letters keep them.
    assert normalise_name("Incheon Prince") == "incheonprince"


# ------------------------------------------------------------- every assignment path


@dataclass
class World:
    call_id: int
    application_ids: list[int]
    reviewer_ids: list[int]
    ties: set[tuple[int, int]] = field(default_factory=set)  # from the generator, not the matcher
    declarations: dict[int, dict] = field(default_factory=dict)


@dataclass
class People:
    officer_id: int
    applicant_ids: list[int]
    reviewer_ids: list[int]


APPLICATIONS, REVIEWERS = 3, 4


@st.composite
def scenarios(draw):
    """Companies, CEOs and numbers for the applications; declarations for each evaluator."""
    companies = draw(st.lists(st.integers(0, len(COMPANIES) - 1), min_size=APPLICATIONS, max_size=APPLICATIONS))
    ceos = draw(st.lists(st.integers(0, len(PEOPLE) - 1), min_size=APPLICATIONS, max_size=APPLICATIONS))
    numbers = [f"{220 + i}81{secrets.randbelow(10**5):05d}" for i in range(APPLICATIONS)]
    applications = [
        {
            "company": companies[i],
            "ceo": ceos[i],
            "number": numbers[i],
            "company_name": draw(written(COMPANIES[companies[i]])),
            "ceo_name": PEOPLE[ceos[i]],
            "track": draw(st.sampled_from(("ai_software", "physical_ai_robotics"))),
        }
        for i in range(APPLICATIONS)
    ]
    reviewers = []
    for _ in range(REVIEWERS):
        employers = draw(st.lists(st.integers(0, len(COMPANIES) - 1), max_size=2))
        organisation = draw(st.one_of(st.none(), st.integers(0, len(COMPANIES) - 1)))
        advisor = draw(st.one_of(st.none(), st.integers(0, len(PEOPLE) - 1)))
        invested = draw(st.one_of(st.none(), st.integers(0, APPLICATIONS - 1)))
        reviewers.append(
            {
                "companies": set(employers) | ({organisation} if organisation is not None else set()),
                "people": {advisor} if advisor is not None else set(),
                "numbers": {numbers[invested]} if invested is not None else set(),
                "organisation": draw(written(COMPANIES[organisation])) if organisation is not None else "평가기관",
                "past_employers": [draw(written(COMPANIES[e])) for e in employers],
                "advisory_roles": [draw(written(PEOPLE[advisor], legal_forms=False))] if advisor is not None else [],
                "investments": [draw(written_number(numbers[invested]))] if invested is not None else [],
            }
        )
    recorded = draw(st.sets(st.tuples(st.integers(0, APPLICATIONS - 1), st.integers(0, REVIEWERS - 1)), max_size=2))
    return {
        "applications": applications,
        "reviewers": reviewers,
        "recorded": recorded,
        "per_track": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**20)),
    }


def _tied(application: dict, reviewer: dict) -> bool:
    """The independent check: the generator knows which names and numbers are the same."""
    return (
        application["company"] in reviewer["companies"]
        or application["ceo"] in reviewer["people"]
        or application["number"] in reviewer["numbers"]
    )


def build(new_call, people: People, scenario: dict) -> World:
    """A closed call with the generated applications, evaluators, panels and recorded conflicts.

    Panels and conflicts are written straight to the tables: nothing has run the exclusion
    check yet, as after an officer assigned evaluators the probe's way.
    """
    call_id = new_call(closes_in=timedelta(days=1), reviewers_per_application=2, trim_min_reviews=3)
    now = utcnow()
    call = db.session.get(Call, call_id)
    call.closes_at = now - timedelta(minutes=1)
    application_ids = []
    for index, values in enumerate(scenario["applications"]):
        application = Application(
            call_id=call_id,
            user_id=people.applicant_ids[index],
            status=ApplicationStatus.SUBMITTED,
            receipt_number=f"T-{secrets.token_hex(6)}",
            company_name=values["company_name"],
            business_registration_number=values["number"],
            ceo_name=values["ceo_name"],
            applicant_type="company",
            track=values["track"],
            eligible=True,
            submitted_at=now - timedelta(days=2),
        )
        db.session.add(application)
        db.session.flush()
        application_ids.append(application.id)
    reviewer_ids = people.reviewer_ids
    if scenario["per_track"]:
        panels = [
            Panel(call_id=call_id, stage="document", track="ai_software", created_at=now),
            Panel(call_id=call_id, stage="document", track="physical_ai_robotics", created_at=now),
        ]
    else:
        panels = [Panel(call_id=call_id, stage="document", track="", created_at=now)]
    for panel in panels:
        panel.members = [PanelMember(reviewer_id=r, added_at=now) for r in reviewer_ids]
        db.session.add(panel)
    for a, r in scenario["recorded"]:
        db.session.add(
            Conflict(
                call_id=call_id,
                application_id=application_ids[a],
                reviewer_id=reviewer_ids[r],
                kind=ConflictKind.DECLARED,
                status=ConflictStatus.ACTIVE,
                reason="declared by the office",
                created_at=now,
            )
        )
    db.session.commit()
    return World(call_id, application_ids, reviewer_ids)


def declare(world: World, scenario: dict) -> None:
    """Write the generated declarations straight into the evaluators' profiles."""
    for index, reviewer_id in enumerate(world.reviewer_ids):
        values = scenario["reviewers"][index]
        profile = db.session.get(EvaluatorProfile, reviewer_id)
        profile.organisation = values["organisation"]
        profile.past_employers = values["past_employers"]
        profile.investments = values["investments"]
        profile.advisory_roles = values["advisory_roles"]
        for a_index, application_id in enumerate(world.application_ids):
            if _tied(scenario["applications"][a_index], values):
                world.ties.add((application_id, reviewer_id))
    db.session.commit()


def conflicted_live(world: World, since_id: int = 0) -> list[tuple[int, int]]:
    recorded = set(
        db.session.execute(
            select(Conflict.application_id, Conflict.reviewer_id).where(
                Conflict.call_id == world.call_id, Conflict.status == ConflictStatus.ACTIVE
            )
        ).tuples()
    )
    live = db.session.execute(
        select(Assignment.application_id, Assignment.reviewer_id).where(
            Assignment.call_id == world.call_id, Assignment.status.in_(LIVE), Assignment.id > since_id
        )
    ).tuples()
    return [pair for pair in live if pair in world.ties or pair in recorded]


def _last_assignment_id() -> int:
    return db.session.scalar(select(func.max(Assignment.id))) or 0


def _run(world: World, actor: User, *, stage: str = "document", seed: int = 1, commit: bool = True):
    run = assigning.start_run(
        db.session.get(Call, world.call_id), actor=actor, stage=stage, seed=seed, queue_task=False, now=utcnow()
    )
    assigning.compute_run(run, now=utcnow())
    if commit and run.status == RunStatus.READY:
        assigning.commit_run(run, actor=actor, now=utcnow())
    db.session.commit()
    return run


def _api_post(client, token: str, world: World, body: dict):
    response = client.post(
        f"/api/v1/calls/{world.call_id}/assignments", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code in (201, 422), response.get_json()
    if response.status_code == 422:
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    return response


def path_service_run(world, scenario, actor, data, client, token):
    declare(world, scenario)
    _run(world, actor, seed=scenario["seed"])
    return 0


def path_api_with_panels(world, scenario, actor, data, client, token):
    declare(world, scenario)
    _api_post(client, token, world, {"stage": "document", "seed": scenario["seed"]})
    return 0


def path_api_with_reviewer_ids(world, scenario, actor, data, client, token):
    declare(world, scenario)
    chosen = data.draw(st.lists(st.sampled_from(world.reviewer_ids), min_size=1, max_size=REVIEWERS, unique=True))
    per_application = data.draw(st.integers(1, 2))
    body = {"stage": "document", "reviewer_ids": chosen, "per_application": per_application, "seed": 3}
    response = _api_post(client, token, world, body)
    if response.status_code == 422:
        error = response.get_json()["error"]
        # Refused only because every choice left was tied: the refusal names an application and evaluator.
        if error["code"] == "conflict_of_interest":
            assert "reviewer_ids" in error["fields"]
            assert any(f"(id {r})" in error["message"] for r in chosen)
            assert any(f"(id {a})" in error["message"] for a in world.application_ids)
    return 0


def path_presentation_round(world, scenario, actor, data, client, token):
    now = utcnow()
    for application_id in world.application_ids:
        db.session.add(
            Decision(
                call_id=world.call_id,
                application_id=application_id,
                stage="document",
                outcome="advanced",
                decided_at=now,
            )
        )
    panel = Panel(call_id=world.call_id, stage="presentation", track="", created_at=now)
    panel.members = [PanelMember(reviewer_id=r, added_at=now) for r in world.reviewer_ids]
    db.session.add(panel)
    db.session.commit()
    declare(world, scenario)
    _run(world, actor, stage="presentation", seed=scenario["seed"])
    return 0


def path_replacement_after_recusal(world, scenario, actor, data, client, token):
    _run(world, actor, seed=scenario["seed"])  # before any tie was declared
    declare(world, scenario)
    since = _last_assignment_id()
    live = db.session.scalars(
        select(Assignment).where(Assignment.call_id == world.call_id, Assignment.status.in_(LIVE))
    ).all()
    if live:
        assignment = data.draw(st.sampled_from(live))
        replacements.recuse(
            assignment, actor=db.session.get(User, assignment.reviewer_id), reason="회피합니다", now=utcnow()
        )
        replacements.replace_missing(db.session.get(Call, world.call_id), actor=actor, now=utcnow())
        db.session.commit()
    return since


def path_rereview_after_objection(world, scenario, actor, data, client, token):
    _run(world, actor, seed=scenario["seed"])
    declare(world, scenario)
    since = _last_assignment_id()
    application = db.session.get(Application, world.application_ids[0])
    decision = Decision(
        call_id=world.call_id,
        application_id=application.id,
        stage="document",
        outcome="not_selected",
        decided_at=utcnow() - timedelta(days=2),
        released_at=utcnow() - timedelta(days=1),
    )
    db.session.add(decision)
    db.session.flush()
    objection = objections.file_objection(
        decision,
        actor=db.session.get(User, application.user_id),
        grounds="평가 의견이 사업계획과 다릅니다",
        now=utcnow(),
    )
    objections.answer_objection(
        objection, actor=actor, uphold=True, answer="재평가를 실시하겠습니다.", rereview=True, now=utcnow()
    )
    db.session.commit()
    return since


def path_swap_in_the_preview(world, scenario, actor, data, client, token):
    run = _run(world, actor, seed=scenario["seed"], commit=False)  # proposed before any tie was declared
    declare(world, scenario)
    since = _last_assignment_id()
    if run.status != RunStatus.READY:
        return since
    recorded = services.conflicted_pairs(world.call_id)
    for _ in range(data.draw(st.integers(1, 3))):
        application_id, remove_id, _matched = data.draw(st.sampled_from(run.plan))
        add_id = data.draw(st.sampled_from(world.reviewer_ids))
        forbidden = (application_id, add_id) in world.ties or (application_id, add_id) in recorded
        try:
            assigning.edit_run(
                run,
                actor=actor,
                application_id=application_id,
                remove_reviewer_id=remove_id,
                add_reviewer_id=add_id,
                now=utcnow(),
            )
        except services.ConflictOfInterest as refused:
            db.session.rollback()
            assert forbidden, refused.message
            assert str(application_id) in refused.message and str(add_id) in refused.message
            assert f"application:{application_id}" in refused.fields and "add_reviewer_id" in refused.fields
            continue
        except Exception as other:  # another rule (already on it, not proposed): fine, but never a tie
            db.session.rollback()
            assert not isinstance(other, AssertionError)
            continue
        assert not forbidden, (application_id, add_id)
        db.session.commit()
    assigning.commit_run(run, actor=actor, now=utcnow())  # the commit checks again
    db.session.commit()
    return since


PATHS = {
    "service_run": path_service_run,
    "api_with_panels": path_api_with_panels,
    "api_with_reviewer_ids": path_api_with_reviewer_ids,
    "presentation_round": path_presentation_round,
    "replacement_after_recusal": path_replacement_after_recusal,
    "rereview_after_objection": path_rereview_after_objection,
    "swap_in_the_preview": path_swap_in_the_preview,
}


@pytest.fixture()
def people(app, make_user, officer) -> People:
    applicants = [make_user("applicant", name=f"대표{i}").id for i in range(APPLICATIONS)]
    reviewers = [make_user("reviewer", name=f"평가위원{i}").id for i in range(REVIEWERS)]
    with app.app_context():
        for index, reviewer_id in enumerate(reviewers):
            db.session.add(
                EvaluatorProfile(
                    user_id=reviewer_id,
                    past_employers=[],
                    investments=[],
                    advisory_roles=[],
                    expertise=["ai_software"] if index % 2 else ["physical_ai_robotics"],
                )
            )
        db.session.commit()
    return People(officer.id, applicants, reviewers)


@pytest.mark.parametrize("path", sorted(PATHS))
def test_no_path_gives_a_conflicted_live_assignment(app, client, api_token, make_call, people, path):
    token = api_token(db_user(app, people.officer_id))

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenario=scenarios(), data=st.data())
    def check(scenario, data):
        with app.app_context():
            world = build(make_call, people, scenario)
            officer = db.session.get(User, people.officer_id)
            since = PATHS[path](world, scenario, officer, data, client, token)
            db.session.remove()
        with app.app_context():
            assert conflicted_live(world, since) == []

    check()


def db_user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


# ------------------------------------------------------------------- the probe, exactly


def _probe_call(app, make_call, make_user, names: list[str]) -> tuple[int, list[int]]:
    call_id = make_call(closes_in=timedelta(days=1), reviewers_per_application=1, trim_min_reviews=3)
    owners = [make_user("applicant").id for _ in names]
    with app.app_context():
        now = utcnow()
        db.session.get(Call, call_id).closes_at = now - timedelta(minutes=1)
        ids = []
        for owner, name in zip(owners, names, strict=True):
            application = Application(
                call_id=call_id,
                user_id=owner,
                status=ApplicationStatus.SUBMITTED,
                receipt_number=f"P-{secrets.token_hex(5)}",
                company_name=name,
                ceo_name="정대표",
                applicant_type="company",
                track="ai_software",
                eligible=True,
                submitted_at=now - timedelta(days=2),
            )
            db.session.add(application)
            db.session.flush()
            ids.append(application.id)
        db.session.commit()
    return call_id, ids


def _evaluator(app, make_user, name: str, past_employers: list[str]) -> int:
    user_id = make_user("reviewer", name=name).id
    with app.app_context():
        officer_user = db.session.scalar(select(User).where(User.role == "officer"))
        services.save_profile(
            db.session.get(User, user_id),
            actor=officer_user,
            organisation="",
            past_employers=past_employers,
            investments=[],
            advisory_roles=[],
            expertise=[],
            gender="undisclosed",
            market_expert=False,
            now=utcnow(),
        )
        db.session.commit()
    return user_id


def test_the_probe_an_evaluator_named_by_the_api_never_gets_a_company_they_worked_for(
    app,
    client,
    api_token,
    make_call,
    make_user,
    officer,
):
    tied_names = ["현대자동차 주식회사", "(주)현대자동차", "ＨＹＵＮＤＡＩ Ｃｏ．，Ｌｔｄ．"]
    call_id, ids = _probe_call(app, make_call, make_user, [*tied_names, "누리바이오"])
    demo = _evaluator(app, make_user, "데모 평가위원", ["현대자동차", "Hyundai"])
    other = _evaluator(app, make_user, "다른 평가위원", ["삼성전자"])
    headers = {"Authorization": f"Bearer {api_token(officer)}"}
    response = client.post(
        f"/api/v1/calls/{call_id}/assignments",
        json={"stage": "document", "reviewer_ids": [demo, other], "per_application": 1, "seed": 5},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        pairs = set(
            db.session.execute(
                select(Assignment.application_id, Assignment.reviewer_id).where(
                    Assignment.call_id == call_id, Assignment.status.in_(LIVE)
                )
            ).tuples()
        )
        assert {(a, other) for a in ids[:3]} <= pairs and not {(a, demo) for a in ids[:3]} & pairs
        # The ties found while assigning are recorded: the conflicts list shows them.
        recorded = db.session.execute(
            select(Conflict.application_id, Conflict.reviewer_id, Conflict.kind, Conflict.reason).where(
                Conflict.call_id == call_id, Conflict.status == ConflictStatus.ACTIVE
            )
        ).all()
        assert {(a, r) for a, r, _k, _why in recorded} == {(a, demo) for a in ids[:3]}
        assert {k for _a, _r, k, _why in recorded} == {"exclusion"}
        assert all(why.startswith("past_employer: ") for _a, _r, _k, why in recorded)


def test_asking_only_for_a_tied_evaluator_is_refused_naming_the_pair(
    app,
    client,
    api_token,
    make_call,
    make_user,
    officer,
):
    call_id, (application_id,) = _probe_call(app, make_call, make_user, ["현대자동차 주식회사"])
    demo = _evaluator(app, make_user, "데모 평가위원", ["현대자동차"])
    response = client.post(
        f"/api/v1/calls/{call_id}/assignments",
        json={"stage": "document", "reviewer_ids": [demo], "per_application": 1},
        headers={"Authorization": f"Bearer {api_token(officer)}"},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    with app.app_context():
        receipt = db.session.get(Application, application_id).receipt_number
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
        assert services.is_conflicted(application_id, demo)  # recorded, so the officer sees it listed
    assert error["code"] == "conflict_of_interest"
    for text in (receipt, "데모 평가위원", f"id {demo}", "past_employer: 현대자동차"):
        assert text in error["message"]
    assert any(receipt in t and "데모 평가위원" in t for t in error["fields"]["reviewer_ids"])
    assert f"application:{application_id}" in error["fields"]


def test_detect_conflicts_covers_evaluators_assigned_without_a_panel(app, make_call, make_user, officer):
    call_id, (application_id,) = _probe_call(app, make_call, make_user, ["(주)현대자동차"])
    demo = _evaluator(app, make_user, "데모 평가위원", [])
    with app.app_context():
        # An assignment made before the evaluator declared the tie (as the probe left it).
        db.session.add(
            Assignment(
                call_id=call_id,
                application_id=application_id,
                reviewer_id=demo,
                stage="document",
                status="assigned",
                scores={},
                comments={},
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        profile = db.session.get(EvaluatorProfile, demo)
        profile.past_employers = ["현대자동차"]
        db.session.commit()
        found = services.detect_exclusions(
            db.session.get(Call, call_id), actor=db.session.get(User, officer.id), now=utcnow()
        )
        db.session.commit()
        assert found == 1 and services.is_conflicted(application_id, demo)
        assert db.session.scalar(select(Assignment.status).where(Assignment.reviewer_id == demo)) == "removed"


def test_a_run_left_short_by_ties_names_the_pairs_on_its_page(app, make_call, make_user, officer):
    call_id, (application_id,) = _probe_call(app, make_call, make_user, ["(주)현대자동차"])
    demo = _evaluator(app, make_user, "데모 평가위원", ["현대자동차"])
    with app.app_context():
        actor = db.session.get(User, officer.id)
        run = assigning.start_run(
            db.session.get(Call, call_id),
            actor=actor,
            reviewer_ids=[demo],
            per_application=1,
            queue_task=False,
            now=utcnow(),
        )
        assigning.compute_run(run, now=utcnow())
        db.session.commit()
        run_id, status = run.id, run.status
        receipt = db.session.get(Application, application_id).receipt_number
    assert status == "failed"
    client = app.test_client()
    login_as(client, officer)
    page = client.get(f"/staff/assignment-runs/{run_id}?lang=ko").get_data(as_text=True)
    assert receipt in page and "데모 평가위원" in page and "past_employer: 현대자동차" in page
