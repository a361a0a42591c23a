"""Evaluation records as files: every live score sheet (XLSX, CSV) and one application's summary (PDF)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import and_, exists, select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews.assigning import ACTIVE
from nup.reviews.models import Assignment, Conflict, ConflictStatus, Stage
from nup.reviews.ranking import Ranking, RankingRow, compute_ranking
from nup.timeutil import to_kst, utcnow

STAGE_LABELS = {Stage.DOCUMENT: "서류평가", Stage.PRESENTATION: "발표평가"}
STATUS_LABELS = {"assigned": "배정", "draft": "임시저장", "submitted": "제출"}
OUTCOME_LABELS = {"advanced": "발표평가 진출", "selected": "선정", "reserve": "예비", "not_selected": "미선정"}
# Spreadsheet programs run text starting with these as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
LEADING_COLUMNS = ["접수번호", "기업명", "분야", "피지컬 AI", "평가위원", "이메일", "상태"]
TRAILING_COLUMNS = ["가중 합계", "순위", "최종점수", "보정점수", "보정순위", "이상치"]
RANKING_COLUMNS = [
    "순위",
    "접수번호",
    "기업명",
    "분야",
    "피지컬 AI",
    "원점수",
    "절사평균",
    "가점",
    "감점",
    "최종점수",
    "보정점수",
    "보정순위",
    "순위 변동",
]

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet


Value = str | int | float | None


def safe_text(value: Value) -> Value:
    """Neutralise text a spreadsheet would run as a formula; numbers pass unchanged."""
    # Spreadsheets skip leading spaces and read full-width signs as formulas too.
    if isinstance(value, str) and value.lstrip(" \u3000").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def yes_no(flag: bool) -> str:
    return "예" if flag else "아니오"


def number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def kst_text(moment: datetime) -> str:
    return to_kst(moment).strftime("%Y-%m-%d %H:%M KST")


def criterion_headers(call: Call) -> dict[str, str]:
    """Each rubric key's column header: its Korean label, made unique if two labels collide."""
    headers: dict[str, str] = {}
    taken = set(LEADING_COLUMNS) | set(TRAILING_COLUMNS)
    for criterion in call.rubric:
        label = criterion.get("label_ko") or criterion["key"]
        if label in taken:
            label = f"{label} ({criterion['key']})"
        taken.add(label)
        headers[criterion["key"]] = label
    return headers


def score_columns(call: Call) -> list[str]:
    """The Scores sheet's headers in order (also when there is no sheet yet)."""
    return [*LEADING_COLUMNS, *criterion_headers(call).values(), *TRAILING_COLUMNS]


def not_conflicted():
    # Conflicts end assignments, but a sheet must never show against a conflicted pair even
    # if one was created after the conflict was recorded.
    return ~exists().where(
        and_(
            Conflict.application_id == Assignment.application_id,
            Conflict.reviewer_id == Assignment.reviewer_id,
            Conflict.status == ConflictStatus.ACTIVE,
        )
    )


def _live_sheets(call: Call, stage: str) -> list:
    """Every live score sheet of the stage with its application and evaluator, in one query."""
    return list(
        db.session.execute(
            select(
                Assignment.application_id,
                Assignment.reviewer_id,
                Assignment.status,
                Assignment.scores,
                Assignment.total,
                Application.receipt_number,
                Application.company_name,
                Application.track,
                Application.physical_ai,
                User.name,
                User.email,
            )
            .join(Application, Application.id == Assignment.application_id)
            .join(User, User.id == Assignment.reviewer_id)
            .where(
                Assignment.call_id == call.id,
                Assignment.stage == stage,
                Assignment.status.in_(ACTIVE),
                not_conflicted(),
            )
            .order_by(Application.receipt_number.is_(None), Application.receipt_number, Application.id, Assignment.id)
        ).all()
    )


def scores_rows(call: Call, stage: str, *, ranking: Ranking | None = None) -> list[dict[str, Value]]:
    """One row per live score sheet, keyed by the Korean column headers of `score_columns`."""
    ranking = ranking or compute_ranking(call, stage)
    ranked = {row.application_id: row for row in ranking.rows}
    criteria = criterion_headers(call)
    rows = []
    for sheet in _live_sheets(call, stage):
        application = ranked.get(sheet.application_id)
        row: dict[str, Value] = {
            "접수번호": sheet.receipt_number or "",
            "기업명": sheet.company_name,
            "분야": call.track_label(sheet.track, "ko"),
            "피지컬 AI": yes_no(sheet.physical_ai),
            "평가위원": sheet.name,
            "이메일": sheet.email,
            "상태": STATUS_LABELS.get(sheet.status, sheet.status),
        }
        for key, header in criteria.items():
            row[header] = number((sheet.scores or {}).get(key))
        row["가중 합계"] = sheet.total
        row["순위"] = application.rank if application else None
        row["최종점수"] = application.final_score if application else None
        row["보정점수"] = application.adjusted_score if application else None
        row["보정순위"] = application.adjusted_rank if application else None
        row["이상치"] = yes_no(application is not None and sheet.reviewer_id in application.outliers)
        rows.append(row)
    return rows


def ranking_values(call: Call, row: RankingRow) -> list[Value]:
    """One application's line of the Ranking sheet, in RANKING_COLUMNS order."""
    return [
        row.rank,
        row.receipt_number or "",
        row.company_name,
        call.track_label(row.track, "ko"),
        yes_no(row.physical_ai),
        ", ".join(f"{total:g}" for total in row.raw_scores),
        row.trimmed_mean,
        row.bonus,
        row.penalty,
        row.final_score,
        row.adjusted_score,
        row.adjusted_rank,
        row.rank_shift,
    ]


def summary_pairs(
    call: Call, stage: str, ranking: Ranking, rows: Sequence[dict[str, Value]], now: datetime
) -> list[tuple[str, Value]]:
    """The Summary sheet: what was exported, when, and how far the evaluators agree."""
    return [
        ("공고", call.title("ko")),
        ("평가단계", STAGE_LABELS.get(stage, stage)),
        ("생성 시각", kst_text(now)),
        ("평가 대상 신청", len(ranking.rows)),
        ("최종점수 산출 신청", ranking.scored),
        ("평가표 (배정·임시저장·제출)", len(rows)),
        ("제출된 평가표", sum(1 for r in rows if r["상태"] == STATUS_LABELS["submitted"])),
        ("평가위원", len({r["이메일"] for r in rows})),
        ("만점", ranking.max_total),
        ("절사 적용 최소 평가 수", call.trim_min_reviews),
        ("평가위원 간 편차 (신청별 총점 표준편차 평균, 낮을수록 일치)", ranking.agreement),
    ]


# ------------------------------------------------------------------------- XLSX and CSV


def _display_width(value: Value) -> int:
    text = f"{value:.2f}" if isinstance(value, float) else str(value if value is not None else "")
    # Hangul and other wide characters take about two columns in Excel.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _cell(sheet: WriteOnlyWorksheet, value: Value, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=safe_text(value))
    if bold:
        cell.font = Font(bold=True)
    if isinstance(value, float):
        cell.number_format = "0.00"
    return cell


def write_table(workbook: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Value]]) -> None:
    sheet = workbook.create_sheet(title)
    # Write-only sheets take their layout before the first row is written.
    for index, header in enumerate(headers, start=1):
        widest = max([_display_width(header), *(_display_width(r[index - 1]) for r in rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, 8), 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    sheet.append([_cell(sheet, h, bold=True) for h in headers])
    for values in rows:
        sheet.append([_cell(sheet, v) for v in values])


def scores_xlsx(call: Call, stage: str, *, now: datetime | None = None) -> bytes:
    """The stage's workbook: Scores (every live sheet), Ranking (every application), Summary."""
    ranking = compute_ranking(call, stage)
    rows = scores_rows(call, stage, ranking=ranking)
    workbook = Workbook(write_only=True)
    write_table(workbook, "Scores", score_columns(call), [list(r.values()) for r in rows])
    write_table(workbook, "Ranking", RANKING_COLUMNS, [ranking_values(call, r) for r in ranking.rows])
    summary = workbook.create_sheet("Summary")
    pairs = summary_pairs(call, stage, ranking, rows, now or utcnow())
    summary.column_dimensions["A"].width = max(_display_width(label) for label, _ in pairs) + 2
    summary.column_dimensions["B"].width = min(max(_display_width(v) for _, v in pairs) + 2, 80)
    for label, value in pairs:
        summary.append([_cell(summary, label, bold=True), _cell(summary, value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(safe_text(value))


def scores_csv(call: Call, stage: str) -> bytes:
    """The Scores rows as CSV in UTF-8 with a BOM, which Excel needs to read Korean correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_value(h) for h in score_columns(call)])
    for row in scores_rows(call, stage):
        writer.writerow([_csv_value(v) for v in row.values()])
    return buffer.getvalue().encode("utf-8-sig")
