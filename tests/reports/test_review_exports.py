"""Score exports (XLSX, CSV) and the evaluation summary PDF: content, safety and who may download them."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.audit.models import AuditEvent
from nup.extensions import db
from nup.programmes.models import Call
from nup.reports import evaluation_summary, review_exports
from nup.reviews.models import Assignment, Conflict, Decision, ReviewStage
from nup.timeutil import utcnow
from tests.applications.conftest import make_call, officer  # noqa: F401 - fixtures
from tests.conftest import assert_not_stored, login_as

HYPERLINK = '=HYPERLINK("http://evil.example/x","click")'
CONFLICTED_EMAIL = "conflicted-evaluator@example.kr"
CONFLICTED_NAME = "박충돌"
REPLACED_NAME = "최교체"


@dataclass(frozen=True)
class ScoredCall:
    call_id: int
    robotics_id: int  # 한빛로보틱스: 85, 80, 75 (+2 Physical AI bonus) and a removed sheet
    formula_id: int  # the company named like a formula: 60, 70, 65 and a draft


def _points(total: int) -> dict[str, int]:
    """PSST points (maxima 25, 30, 25, 20) that add up to `total`, in proportion to the maxima."""
    problem, solution, scale_up = int(total * 0.25), int(total * 0.3), int(total * 0.25)
    return {
        "problem": problem,
        "solution": solution,
        "scale_up": scale_up,
        "team": total - problem - solution - scale_up,
    }


@pytest.fixture()
def scored_call(app, make_user, make_call) -> ScoredCall:  # noqa: F811 - the imported fixture
    """A document round: two applications, three evaluators each, one removed for a conflict."""
    founders = [make_user("applicant") for _ in range(2)]
    evaluators = [make_user("reviewer", name=f"평가위원{i}", email=f"evaluator{i}@example.kr") for i in range(3)]
    conflicted = make_user("reviewer", name=CONFLICTED_NAME, email=CONFLICTED_EMAIL)
    late = make_user("reviewer", name="임시위원", email="draft-evaluator@example.kr")
    replaced = make_user("reviewer", name=REPLACED_NAME, email="replaced-evaluator@example.kr")
    call_id = make_call()
    with app.app_context():
        robotics = Application(
            call_id=call_id,
            user_id=founders[0].id,
            status="submitted",
            receipt_number="NUP-2026-000001",
            company_name="한빛로보틱스",
            track="physical_ai_robotics",
            physical_ai=True,
            eligible=True,
        )
        formula = Application(
            call_id=call_id,
            user_id=founders[1].id,
            status="submitted",
            receipt_number="NUP-2026-000002",
            company_name=HYPERLINK,
            track="ai_software",
            physical_ai=False,
            eligible=True,
        )
        db.session.add_all([robotics, formula, ReviewStage(call_id=call_id, kind="document", status="closed")])
        db.session.flush()
        for application, totals in ((robotics, (85, 80, 75)), (formula, (60, 70, 65))):
            for evaluator, total in zip(evaluators, totals, strict=True):
                db.session.add(
                    Assignment(
                        call_id=call_id,
                        application_id=application.id,
                        reviewer_id=evaluator.id,
                        stage="document",
                        status="submitted",
                        scores=_points(total),
                        total=float(total),
                        submitted_at=utcnow(),
                    )
                )
        # Scored before the conflict came to light; the sheet was then removed.
        db.session.add(
            Assignment(
                call_id=call_id,
                application_id=robotics.id,
                reviewer_id=conflicted.id,
                stage="document",
                status="removed",
                scores=_points(10),
                total=10.0,
            )
        )
        db.session.add(
            Conflict(
                call_id=call_id, application_id=robotics.id, reviewer_id=conflicted.id, kind="declared", reason="투자"
            )
        )
        db.session.add(
            Assignment(
                call_id=call_id,
                application_id=formula.id,
                reviewer_id=late.id,
                stage="document",
                status="draft",
                scores={"problem": 10},
            )
        )
        # Taken off without a conflict on record (say, a panel change): not live either.
        db.session.add(
            Assignment(
                call_id=call_id,
                application_id=formula.id,
                reviewer_id=replaced.id,
                stage="document",
                status="removed",
                scores=_points(99),
                total=99.0,
            )
        )
        db.session.add(
            Decision(call_id=call_id, application_id=robotics.id, stage="document", outcome="advanced", rank=1)
        )
        db.session.commit()
        return ScoredCall(call_id, robotics.id, formula.id)


def _all_text(workbook) -> str:
    return "\n".join(
        str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value
    )


# ------------------------------------------------------------------------ the builders


def test_scores_rows_hold_every_live_sheet_and_no_removed_one(app, scored_call):
    with app.app_context():
        call = db.session.get(Call, scored_call.call_id)
        rows = review_exports.scores_rows(call, "document")
    assert len(rows) == 7  # 3 + 3 submitted and one draft; the removed sheet is left out
    assert CONFLICTED_EMAIL not in {r["이메일"] for r in rows}
    assert REPLACED_NAME not in {r["평가위원"] for r in rows}
    assert list(rows[0]) == review_exports.score_columns(call)
    first = rows[0]
    assert first["기업명"] == "한빛로보틱스"
    assert first["분야"] == "피지컬 AI — 로보틱스"
    assert first["피지컬 AI"] == "예"
    assert first["문제인식(Problem)"] == _points(85)["problem"]
    assert first["가중 합계"] == 85.0
    assert first["순위"] == 1
    assert first["최종점수"] == pytest.approx(82.0)  # mean of 85, 80, 75 plus the 2-point bonus
    draft = next(r for r in rows if r["상태"] == "임시저장")
    assert draft["가중 합계"] is None and draft["순위"] == 2


def test_a_sheet_left_live_beside_an_active_conflict_is_still_left_out(app, scored_call):
    with app.app_context():
        sheet = db.session.scalar(select(Assignment).where(Assignment.application_id == scored_call.formula_id))
        db.session.add(
            Conflict(
                call_id=scored_call.call_id,
                application_id=scored_call.formula_id,
                reviewer_id=sheet.reviewer_id,
                kind="declared",
            )
        )
        db.session.commit()
        email = db.session.get(User, sheet.reviewer_id).email
        call = db.session.get(Call, scored_call.call_id)
        rows = review_exports.scores_rows(call, "document")
        application = db.session.get(Application, scored_call.formula_id)
        summary = evaluation_summary.evaluation_summary(application, "document", now=utcnow())
    assert (email, HYPERLINK) not in {(r["이메일"], r["기업명"]) for r in rows}
    assert len(rows) == 6
    assert len(summary.sheets) == 3  # two submitted and the draft


def test_the_summary_names_no_evaluator_and_shows_the_decision(app, scored_call):
    with app.app_context():
        application = db.session.get(Application, scored_call.robotics_id)
        summary = evaluation_summary.evaluation_summary(application, "document", now=utcnow())
    assert [s.label for s in summary.sheets] == ["위원 1", "위원 2", "위원 3"]
    assert summary.raw_scores == [85.0, 80.0, 75.0]
    assert summary.final_score == pytest.approx(82.0)
    assert (summary.rank, summary.ranked_count) == (1, 2)
    assert summary.outcome == "발표평가 진출"
    assert summary.criterion_means[0] == pytest.approx(sum(_points(t)["problem"] for t in (85, 80, 75)) / 3)
    assert "평가위원" not in repr(summary.sheets)


def test_a_long_summary_runs_onto_numbered_pages():
    summary = evaluation_summary.EvaluationSummary(
        call_title="2026 N-Up 모집공고",
        stage_label="서류평가",
        receipt_number="NUP-2026-000001",
        company_name="<한빛> & 로보틱스",  # markup characters must not break the layout
        track_label="피지컬 AI — 로보틱스",
        physical_ai=True,
        criteria=[("문제인식(Problem)", 25.0), ("팀 구성(Team)", 20.0)],
        sheets=[evaluation_summary.SheetLine(f"위원 {n}", "제출", [20.0, None], None) for n in range(1, 81)],
        criterion_means=[20.0, None],
        raw_scores=[],
        trimmed_mean=None,
        bonus=0.0,
        penalty=0.0,
        final_score=None,
        rank=None,
        ranked_count=0,
        outcome="미결정",
        generated_at="2026-03-02 09:00 KST",
    )
    pdf = evaluation_summary.render_summary(summary)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) >= 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=1+2", "'=1+2"), ("+82", "'+82"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("한빛", "한빛")],
)
def test_formula_like_text_is_neutralised_and_numbers_are_not(text, expected):
    assert review_exports.safe_text(text) == expected
    assert review_exports.safe_text(-3.5) == -3.5


# ----------------------------------------------------------------------- the downloads


@pytest.fixture()
def officer_client(client, officer):  # noqa: F811 - the imported fixture
    login_as(client, officer)
    return client


def test_xlsx_download_has_the_three_sheets_and_no_conflicted_evaluator(app, officer_client, scored_call):
    response = officer_client.get(f"/staff/calls/{scored_call.call_id}/exports/scores.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert f"nup-call-{scored_call.call_id}-document-scores.xlsx" in response.headers["Content-Disposition"]
    assert_not_stored(response)
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Scores", "Ranking", "Summary"]
    scores = workbook["Scores"]
    header = [c.value for c in scores[1]]
    assert header[:7] == ["접수번호", "기업명", "분야", "피지컬 AI", "평가위원", "이메일", "상태"]
    assert "문제인식(Problem)" in header and "이상치" in header
    assert scores.freeze_panes == "A2"
    assert scores.auto_filter.ref == f"A1:{chr(ord('A') + len(header) - 1)}8"
    total = scores.cell(row=2, column=header.index("가중 합계") + 1)
    assert total.data_type == "n" and total.value == 85
    company = scores.cell(row=5, column=2)
    assert company.value == "'" + HYPERLINK and company.data_type == "s"
    text = _all_text(workbook)
    assert CONFLICTED_EMAIL not in text and CONFLICTED_NAME not in text
    ranking = [[c.value for c in row] for row in workbook["Ranking"].iter_rows(min_row=2)]
    assert [(r[0], r[2]) for r in ranking] == [(1, "한빛로보틱스"), (2, "'" + HYPERLINK)]
    assert ranking[0][5] == "85, 80, 75"
    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows()}
    assert summary["평가단계"] == "서류평가" and summary["제출된 평가표"] == 6 and summary["평가위원"] == 4
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.downloaded"))
        assert event.object_type == "call" and event.object_id == str(scored_call.call_id)
        assert "scores.xlsx" in event.detail


def test_csv_download_starts_with_a_bom_and_neutralises_formulas(officer_client, scored_call):
    response = officer_client.get(f"/staff/calls/{scored_call.call_id}/exports/scores.csv?stage=document")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert_not_stored(response)
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["접수번호", "기업명"] and len(rows) == 8
    companies = {row[1] for row in rows[1:]}
    assert companies == {"한빛로보틱스", "'" + HYPERLINK}
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert CONFLICTED_EMAIL not in response.data.decode("utf-8-sig")
    assert rows[1][rows[0].index("가중 합계")] == "85"


def test_pdf_download_is_an_attachment_and_is_audited(app, officer_client, scored_call):
    response = officer_client.get(f"/staff/applications/{scored_call.robotics_id}/evaluation-summary.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert (
        f"nup-application-{scored_call.robotics_id}-document-evaluation-summary.pdf"
        in (response.headers["Content-Disposition"])
    )
    assert b"HYSMyeongJo-Medium" in response.data
    assert_not_stored(response)  # the Korean CID font is embedded by name
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.downloaded"))
        assert event.object_type == "application" and event.object_id == str(scored_call.robotics_id)


def test_an_unscored_stage_still_exports_with_headers(officer_client, scored_call):
    response = officer_client.get(f"/staff/calls/{scored_call.call_id}/exports/scores.xlsx?stage=presentation")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook["Scores"].max_row == 1
    pdf = officer_client.get(f"/staff/applications/{scored_call.formula_id}/evaluation-summary.pdf?stage=presentation")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize(
    "path",
    [
        "/staff/calls/{call}/exports/scores.xlsx?stage=final",
        "/staff/calls/999999/exports/scores.xlsx",
        "/staff/calls/999999/exports/scores.csv",
        "/staff/applications/999999/evaluation-summary.pdf",
        "/staff/applications/{application}/evaluation-summary.pdf?stage=x",
    ],
)
def test_unknown_call_application_or_stage_is_404(officer_client, scored_call, path):
    url = path.format(call=scored_call.call_id, application=scored_call.robotics_id)
    assert officer_client.get(url).status_code == 404


# ------------------------------------------------------------------------- permissions

ROUTES = (
    "/staff/calls/{call}/exports/scores.xlsx",
    "/staff/calls/{call}/exports/scores.csv",
    "/staff/applications/{application}/evaluation-summary.pdf",
)


@pytest.mark.parametrize("role", ["applicant", "reviewer", "mentor"])
@pytest.mark.parametrize("route", ROUTES)
def test_only_officers_may_download(app, client, make_user, scored_call, role, route):
    login_as(client, make_user(role))
    response = client.get(route.format(call=scored_call.call_id, application=scored_call.robotics_id))
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.downloaded")) is None


@pytest.mark.parametrize("route", ROUTES)
def test_signed_out_visitors_are_sent_to_sign_in(client, scored_call, route):
    response = client.get(route.format(call=scored_call.call_id, application=scored_call.robotics_id))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
