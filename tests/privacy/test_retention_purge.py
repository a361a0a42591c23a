"""The retention rules and the purge: a cohort aged past each rule, purged, checked row by row and file by file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from nup.accounts.models import User
from nup.applications.models import Application, Document
from nup.audit.models import AuditEvent
from nup.extensions import db
from nup.mentoring.models import MentoringSession
from nup.notifications.models import Notification
from nup.overseas.models import EvidenceFile, KpiReport, SupportPlan
from nup.overseas.portfolio import portfolio
from nup.priority.queries import dashboard as priority_dashboard
from nup.privacy import purge
from nup.privacy.models import FileDeletion
from nup.privacy.retention import RULES, RULES_BY_KEY
from nup.programmes.models import Call
from nup.reports.outcomes import selection_outcomes
from nup.reviews.models import Assignment, Decision
from nup.timeutil import utcnow
from tests.privacy.world import build_world

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _commit() -> None:
    db.session.commit()


def _years(n: float) -> timedelta:
    return timedelta(days=int(365 * n) + 2)


def test_every_rule_says_what_is_deleted_kept_and_what_holds_it():
    keys = {rule.key for rule in RULES}
    assert {
        "unselected_application",
        "withdrawn_draft",
        "selected_agreement",
        "evaluation_record",
        "mentoring_log",
        "overseas_report",
        "outbox_email",
        "access_log",
        "uploaded_file",
    } <= keys
    for rule in RULES:
        assert str(rule.deleted) and str(rule.kept) and str(rule.hold)
    assert RULES_BY_KEY["selected_agreement"].years == 5
    assert RULES_BY_KEY["access_log"].years >= 2 and not RULES_BY_KEY["access_log"].purged
    assert set(purge.FINDERS) == {r.key for r in RULES if r.purged and r.key != "uploaded_file"}


def test_the_privacy_page_shows_each_rule_in_both_languages(client):
    for lang, word in (("en", "Retention rules"), ("ko", "보존")):
        html = client.get(f"/privacy?lang={lang}").get_data(as_text=True)
        assert word in html
        for rule in RULES:
            assert f'id="rule-{rule.key}"' in html


NAMES = ("미선정기업A", "선정기업A", "철회기업A")


def _dashboards(call_id: int) -> tuple[str, ...]:
    """The figures of the Physical AI, portfolio and review dashboards, and the selection-outcome study."""
    from nup.reviews.models import Stage
    from nup.reviews.queries import progress
    from nup.reviews.ranking import compute_ranking

    call = db.session.get(Call, call_id)
    return (
        repr(priority_dashboard(call)),
        repr(portfolio(call_id=call_id)),
        repr(selection_outcomes(call_id)),
        repr(progress(call, Stage.DOCUMENT)),
        repr(compute_ranking(call, Stage.DOCUMENT)),
    )


def _without_names(text: str) -> str:
    for name in NAMES:
        text = text.replace(name, "")
    return text


def test_a_cohort_aged_past_each_rule_is_purged_row_by_row_and_file_by_file_dashboards_unchanged(app_context):
    with time_machine.travel(START, tick=False):
        world = build_world()
        before = _dashboards(world.call_id)
        files = dict(world.files)
        assert all(path.is_file() for path in files.values())

    # Four months on: only the withdrawn draft (90 days after the deadline) has expired.
    with time_machine.travel(START + timedelta(days=120), tick=False):
        totals = purge.run_purge(now=utcnow(), commit=_commit)
        assert totals["withdrawn_draft"] == 1 and totals["unselected_application"] == 0
        draft = db.session.get(Application, world.draft_app)
        assert draft.anonymised_at and draft.company_name == "" and draft.summary == "" and draft.region == "서울"
        assert not files["draft_document"].exists() and files["unselected_document"].is_file()

    # Fourteen months on: the unselected application and the email bodies.
    with time_machine.travel(START + _years(1.2), tick=False):
        totals = purge.run_purge(now=utcnow(), commit=_commit)
        assert totals["unselected_application"] == 1 and totals["outbox_email"] == 3
        unselected = db.session.get(Application, world.unselected_app)
        assert (unselected.company_name, unselected.ceo_name, unselected.summary) == ("", "", "")
        assert (unselected.region, unselected.industry, unselected.employees, unselected.physical_ai) == (
            "부산",
            "제조",
            12,
            True,
        )
        assert not files["unselected_document"].exists()
        document = db.session.scalar(select(Document).where(Document.application_id == world.unselected_app))
        assert document.filename == "" and document.reviewed_at is not None
        assert db.session.get(Application, world.selected_app).company_name == "선정기업A"
        for email in db.session.scalars(select(Notification).where(Notification.kind == "password_changed")):
            assert email.body_text is None and email.to_address == "" and email.status == "sent"

    # Three years on: evaluators' comments go, scores stay.
    with time_machine.travel(START + _years(3.1), tick=False):
        purge.run_purge(now=utcnow(), commit=_commit)
        for sheet in db.session.scalars(select(Assignment)):
            assert sheet.comments == {} and sheet.overall_comment == "" and sheet.total in (88.0, 61.5)
        assert db.session.scalar(select(Decision).where(Decision.application_id == world.unselected_app)).reasons == ""

    # Six years after the agreement ended: the selected startup, its reports, evidence and mentoring.
    with time_machine.travel(START + _years(6.2), tick=False):
        purge.run_purge(now=utcnow(), commit=_commit)
        selected = db.session.get(Application, world.selected_app)
        assert selected.company_name == "" and selected.business_registration_number is None
        assert (selected.track, selected.region, selected.physical_ai) == ("physical_ai_robotics", "대전", True)
        plan = db.session.get(SupportPlan, world.plan_id)
        assert plan.reports_purged_at and plan.agreement_number == "" and plan.budget_won == 100_000_000
        report = db.session.scalar(select(KpiReport).where(KpiReport.plan_id == world.plan_id))
        assert report.narrative == "" and report.export_value_won == 50_000_000
        assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
        session = db.session.get(MentoringSession, world.session_id)
        assert (
            session.advice == ""
            and session.agenda == ""
            and session.logged_minutes == 60
            and session.fee_won == 100_000
        )
        assert not any(path.exists() for path in files.values())
        assert db.session.scalar(select(func.count()).select_from(FileDeletion)) == 0
        # The same figures; only the firms' names, shown beside them, are gone.
        after = _dashboards(world.call_id)
        assert any(name in old for old in before for name in NAMES)
        assert not any(name in new for new in after for name in NAMES)
        for old, new in zip((_without_names(b) for b in before), after, strict=True):
            if old != new:
                import difflib

                raise AssertionError("\n".join(difflib.ndiff(old.split(", "), new.split(", "))))
        # A second run finds nothing and writes no audit row.
        audit_rows = db.session.scalar(select(func.count()).select_from(AuditEvent))
        again = purge.run_purge(now=utcnow(), commit=_commit)
        assert sum(v for k, v in again.items()) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audit_rows

    batches = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.purge_batch")))
    assert batches and all(set(b.after) <= {"rule", "records", "files_queued", "mail_files_removed"} for b in batches)
    assert not any("선정기업" in str(b.after) for b in batches)


def test_a_legal_hold_or_an_open_objection_survives_the_purge_until_lifted(app_context):
    from nup.privacy import services

    with time_machine.travel(START, tick=False):
        world = build_world()
        officer = db.session.get(User, world.officer_id)
        hold = services.place_hold(
            actor=officer,
            reason="행정소송 진행 중",
            now=utcnow(),
            application=db.session.get(Application, world.unselected_app),
        )
        services.place_hold(actor=officer, reason="분쟁", now=utcnow(), user=db.session.get(User, world.draft_user))
        db.session.commit()
    with time_machine.travel(START + _years(7), tick=False):
        preview = purge.preview(now=utcnow())
        ids = {item.id for item in preview["unselected_application"]["items"] + preview["withdrawn_draft"]["items"]}
        assert world.unselected_app not in ids and world.draft_app not in ids
        purge.run_purge(now=utcnow(), commit=_commit)
        assert db.session.get(Application, world.unselected_app).company_name == "미선정기업A"
        assert db.session.get(Application, world.draft_app).company_name == "철회기업A"
        assert world.files["unselected_document"].is_file()
        assert db.session.get(Application, world.selected_app).anonymised_at is not None
        services.lift_hold(hold, actor=db.session.get(User, world.officer_id), now=utcnow())
        db.session.commit()
        purge.run_purge(now=utcnow(), commit=_commit)
        assert db.session.get(Application, world.unselected_app).anonymised_at is not None
        assert not world.files["unselected_document"].exists()
        assert db.session.get(Application, world.draft_app).anonymised_at is None  # the person's hold stands


def test_the_dry_run_lists_what_the_next_purge_removes_and_changes_nothing(app_context):
    with time_machine.travel(START, tick=False):
        world = build_world()
    with time_machine.travel(START + _years(1.2), tick=False):
        preview = purge.preview(now=utcnow())
        assert [i.id for i in preview["unselected_application"]["items"]] == [world.unselected_app]
        assert preview["withdrawn_draft"]["count"] == 1 and preview["selected_agreement"]["count"] == 0
        assert db.session.get(Application, world.unselected_app).company_name == "미선정기업A"
        totals = purge.run_purge(now=utcnow(), commit=_commit)
        assert totals["unselected_application"] == preview["unselected_application"]["count"]


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("stop_after", [1, 2, 3])
def test_an_interrupted_purge_resumes_without_erasing_twice_or_orphaning_files(app_context, stop_after):
    with time_machine.travel(START, tick=False):
        world = build_world("A")
        second = build_world("B")
    commits = {"n": 0}

    def failing_commit():
        db.session.commit()
        commits["n"] += 1
        if commits["n"] == stop_after + 1:  # the process dies after this commit, before the next step
            raise Interrupted()

    with time_machine.travel(START + _years(6.2), tick=False):
        with pytest.raises(Interrupted):
            purge.run_purge(now=utcnow(), commit=failing_commit, batch_size=1)
        db.session.rollback()
        purge.run_purge(now=utcnow(), commit=_commit, batch_size=1)
        for w in (world, second):
            assert not any(path.exists() for path in w.files.values())
        assert db.session.scalar(select(func.count()).select_from(FileDeletion)) == 0
        anonymised = db.session.scalar(
            select(func.count()).select_from(Application).where(Application.anonymised_at.is_not(None))
        )
        assert anonymised == 6
        counted = sum(
            b.after["records"]
            for b in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.purge_batch"))
            if b.after["rule"] in ("unselected_application", "withdrawn_draft", "selected_agreement")
        )
        assert counted == 6  # each application erased (and counted) once


def test_the_purge_task_runs_once_a_day_under_its_lock(app_context):
    from workers.schedule import FIXED_SCHEDULE
    from workers.tasks.privacy import daily_purge

    assert FIXED_SCHEDULE["privacy-purge"]["task"] == "privacy.purge"
    with time_machine.travel(START, tick=False):
        world = build_world()
    with time_machine.travel(START + _years(1.2), tick=False):
        from nup import redis_client
        from nup.timeutil import to_kst

        with redis_client.exclusive(f"privacy_purge:{to_kst(utcnow()).date().isoformat()}", ttl_seconds=60) as mine:
            assert mine
            assert daily_purge() == {}  # another run holds the day's lock: this one does nothing
        assert db.session.get(Application, world.unselected_app).anonymised_at is None
        first = daily_purge()
        assert first["unselected_application"] == 1
        assert sum(daily_purge().values()) == 0  # a second run the same day finds nothing
    assert db.session.get(Application, world.unselected_app).anonymised_at is not None


def test_the_dashboard_pages_still_answer_from_the_anonymised_remainder(app, client):
    from tests.conftest import login_as

    with time_machine.travel(START, tick=False), app.app_context():
        world = build_world()
        call = world.call_id
        assert "score" in _dashboards(call)[4].lower() or "rank" in _dashboards(call)[4].lower()
    with time_machine.travel(START + _years(6.2), tick=False):
        with app.app_context():
            purge.run_purge(now=utcnow(), commit=_commit)
            assert (
                db.session.scalar(
                    select(func.count()).select_from(Application).where(Application.anonymised_at.is_(None))
                )
                == 0
            )
            login_as(client, db.session.get(User, world.officer_id))
        for url in (
            f"/staff/calls/{call}/physical-ai",
            "/staff/overseas/",
            f"/staff/calls/{call}/evaluation",
            f"/staff/calls/{call}/ranking",
            f"/staff/calls/{call}/decisions",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            assert not any(name in html for name in NAMES), url


def test_an_account_that_never_applied_is_emptied_a_year_after_its_last_sign_in_unless_held(app_context, make_user):
    from nup.privacy import services

    with time_machine.travel(START, tick=False):
        idle, active, held, officer = (
            make_user("applicant"),
            make_user("applicant"),
            make_user("applicant"),
            make_user("officer"),
        )
        services.place_hold(
            actor=db.session.get(User, officer.id), reason="수사 협조", now=utcnow(), user=db.session.get(User, held.id)
        )
        db.session.commit()
    with time_machine.travel(START + timedelta(days=300), tick=False):
        db.session.get(User, active.id).last_login_at = utcnow()
        db.session.commit()
    with time_machine.travel(START + timedelta(days=400), tick=False):
        totals = purge.run_purge(now=utcnow(), commit=_commit)
        assert totals["dormant_account"] == 1
        gone = db.session.get(User, idle.id)
        assert gone.anonymised_at and gone.name == "" and gone.password_hash is None and idle.email != gone.email
        assert db.session.get(User, active.id).anonymised_at is None
        assert db.session.get(User, held.id).anonymised_at is None
        assert db.session.get(User, officer.id).anonymised_at is None


def test_the_purge_command_shows_its_dry_run_and_runs(app):
    with time_machine.travel(START, tick=False), app.app_context():
        world = build_world()
    runner = app.test_cli_runner()
    with time_machine.travel(START + _years(1.2), tick=False):
        dry = runner.invoke(args=["purge", "--dry-run"])
        assert dry.exit_code == 0 and "unselected_application: 1" in dry.output
        with app.app_context():
            assert db.session.get(Application, world.unselected_app).anonymised_at is None
        done = runner.invoke(args=["purge"])
        assert done.exit_code == 0 and "unselected_application: 1" in done.output
        with app.app_context():
            assert db.session.get(Application, world.unselected_app).anonymised_at is not None


def test_the_mail_folder_copies_older_than_the_outbox_rule_are_removed(app_context, app):
    import os
    from pathlib import Path

    folder = Path(app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "20250101T000000000000-aaaa.eml"
    recent = folder / "20260201T000000000000-bbbb.eml"
    other = folder / "notes.txt"
    for path in (old, recent, other):
        path.write_bytes(b"Subject: x\n\nbody")
    try:
        with time_machine.travel(START, tick=False):
            totals = purge.run_purge(now=utcnow(), commit=_commit)
        assert totals["mail_files_removed"] == 1
        assert not old.exists() and recent.exists() and other.exists()
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.purge_batch"))
        assert row.after["mail_files_removed"] == 1 and "body" not in str(row.after)
    finally:
        for path in (recent, other):
            if path.exists():
                os.unlink(path)
