"""Evaluation records as files: every live score sheet (XLSX, CSV) and one application's summary (PDF)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from sqlalchemy import and_, exists, select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.extensions import db
from nup.programmes.models import Call
from nup.reviews.assigning import ACTIVE
from nup.reviews.models import Assignment, Conflict, ConflictStatus, Decision, Stage
from nup.reviews.ranking import Ranking, RankingRow, compute_ranking
from nup.timeutil import to_kst, utcnow

STAGE_LABELS = {Stage.DOCUMENT: "서류평가", Stage.PRESENTATION: "발표평가"}
STATUS_LABELS = {"assigned": "배정", "draft": "임시저장", "submitted": "제출"}
OUTCOME_LABELS = {"advanced": "발표평가 진출", "selected": "선정", "reserve": "예비", "not_selected": "미선정"}
# Spreadsheet programs run text starting with these as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
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

FONT, HEADING_FONT = "HYSMyeongJo-Medium", "HYGothic-Medium"
MARGIN = 15 * mm

Value = str | int | float | None


def safe_text(value: Value) -> Value:
    """Neutralise text a spreadsheet would run as a formula; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _yes_no(flag: bool) -> str:
    return "예" if flag else "아니오"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _kst(moment: datetime) -> str:
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


def _not_conflicted():
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
                _not_conflicted(),
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
            "피지컬 AI": _yes_no(sheet.physical_ai),
            "평가위원": sheet.name,
            "이메일": sheet.email,
            "상태": STATUS_LABELS.get(sheet.status, sheet.status),
        }
        for key, header in criteria.items():
            row[header] = _number((sheet.scores or {}).get(key))
        row["가중 합계"] = sheet.total
        row["순위"] = application.rank if application else None
        row["최종점수"] = application.final_score if application else None
        row["보정점수"] = application.adjusted_score if application else None
        row["보정순위"] = application.adjusted_rank if application else None
        row["이상치"] = _yes_no(application is not None and sheet.reviewer_id in application.outliers)
        rows.append(row)
    return rows


def ranking_values(call: Call, row: RankingRow) -> list[Value]:
    """One application's line of the Ranking sheet, in RANKING_COLUMNS order."""
    return [
        row.rank,
        row.receipt_number or "",
        row.company_name,
        call.track_label(row.track, "ko"),
        _yes_no(row.physical_ai),
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
        ("생성 시각", _kst(now)),
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


def _write_table(workbook: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Value]]) -> None:
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
    _write_table(workbook, "Scores", score_columns(call), [list(r.values()) for r in rows])
    _write_table(workbook, "Ranking", RANKING_COLUMNS, [ranking_values(call, r) for r in ranking.rows])
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


# ------------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class SheetLine:
    label: str  # 위원 1..N: the record names no evaluator
    status: str
    points: list[float | None]
    total: float | None


@dataclass(frozen=True)
class EvaluationSummary:
    call_title: str
    stage_label: str
    receipt_number: str
    company_name: str
    track_label: str
    physical_ai: bool
    criteria: list[tuple[str, float]]  # (Korean label, max points)
    sheets: list[SheetLine]
    criterion_means: list[float | None]
    raw_scores: list[float]
    trimmed_mean: float | None
    bonus: float
    penalty: float
    final_score: float | None
    rank: int | None
    ranked_count: int
    outcome: str
    generated_at: str


def evaluation_summary(application: Application, stage: str, *, now: datetime) -> EvaluationSummary:
    """Gather what the summary sheet shows for one application in one stage."""
    call = application.call
    sheets = db.session.scalars(
        select(Assignment)
        .where(
            Assignment.application_id == application.id,
            Assignment.stage == stage,
            Assignment.status.in_(ACTIVE),
            _not_conflicted(),
        )
        .order_by(Assignment.id)
    ).all()
    ranking = compute_ranking(call, stage)
    row = next((r for r in ranking.rows if r.application_id == application.id), None)
    decision = db.session.scalar(
        select(Decision).where(Decision.application_id == application.id, Decision.stage == stage)
    )
    keys = [c["key"] for c in call.rubric]
    lines = [
        SheetLine(
            label=f"위원 {number}",
            status=STATUS_LABELS.get(sheet.status, sheet.status),
            points=[_number((sheet.scores or {}).get(key)) for key in keys],
            total=sheet.total,
        )
        for number, sheet in enumerate(sheets, start=1)
    ]
    means = row.criterion_means if row else {}
    return EvaluationSummary(
        call_title=call.title("ko"),
        stage_label=STAGE_LABELS.get(stage, stage),
        receipt_number=application.receipt_number or "",
        company_name=application.company_name,
        track_label=call.track_label(application.track, "ko"),
        physical_ai=application.physical_ai,
        criteria=[(c.get("label_ko") or c["key"], float(c["max_points"])) for c in call.rubric],
        sheets=lines,
        criterion_means=[means.get(key) for key in keys],
        raw_scores=row.raw_scores if row else [],
        trimmed_mean=row.trimmed_mean if row else None,
        bonus=row.bonus if row else 0.0,
        penalty=row.penalty if row else 0.0,
        final_score=row.final_score if row else None,
        rank=row.rank if row else None,
        ranked_count=sum(1 for r in ranking.rows if r.rank is not None),
        outcome=OUTCOME_LABELS.get(decision.outcome, decision.outcome) if decision else "미결정",
        generated_at=_kst(now),
    )


def _register_fonts() -> None:
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name in (FONT, HEADING_FONT):
        if name not in registered:
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _footer_canvas(footer: str) -> type[Canvas]:
    """A canvas that writes the footer with "page n / total" once the page count is known."""

    class FooterCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self) -> None:  # reportlab's name
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            for number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                self.drawString(MARGIN, 10 * mm, footer)
                self.drawRightString(A4[0] - MARGIN, 10 * mm, f"{number} / {total}")
                super().showPage()
            super().save()

    return FooterCanvas


def _table(data: list[list], widths: Sequence[float], *, header: bool = True) -> Table:
    """A grid of paragraphs; the shaded band is the header row, or the label column of a fact list."""
    table = Table(data, colWidths=widths, hAlign="LEFT", repeatRows=1 if header else 0)
    band = ((0, 0), (-1, 0)) if header else ((0, 0), (0, -1))
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("BACKGROUND", *band, colors.HexColor("#E8EEF6")),
            ]
        )
    )
    return table


def render_summary(summary: EvaluationSummary) -> bytes:
    """Lay the summary out on A4 pages with a Korean font, a footer and page numbers."""
    _register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontName=HEADING_FONT)
    column_head = ParagraphStyle("column_head", parent=head, fontSize=8, leading=10)
    title = ParagraphStyle("title", fontName=HEADING_FONT, fontSize=16, leading=22, spaceAfter=4 * mm)
    section = ParagraphStyle("section", fontName=HEADING_FONT, fontSize=11, leading=15, spaceBefore=5 * mm)
    width = A4[0] - 2 * MARGIN

    def cells(values: Iterable[object], style: ParagraphStyle = body) -> list[Paragraph]:
        return [Paragraph(escape(str(v)), style) for v in values]

    def pairs(rows: Sequence[tuple[str, str]]) -> list[list[Paragraph]]:
        return [[Paragraph(escape(label), head), Paragraph(escape(value), body)] for label, value in rows]

    facts = [
        ("공고", summary.call_title),
        ("평가단계", summary.stage_label),
        ("접수번호", summary.receipt_number),
        ("기업명", summary.company_name),
        ("분야", summary.track_label),
        ("피지컬 AI", _yes_no(summary.physical_ai)),
    ]
    criteria = [Paragraph(f"{escape(label)}<br/>(만점 {top:g})", column_head) for label, top in summary.criteria]
    sheet_rows = [[*cells(["평가위원", "상태"], column_head), *criteria, *cells(["합계"], column_head)]]
    for line in summary.sheets:
        sheet_rows.append(cells([line.label, line.status, *map(_figure, line.points), _figure(line.total)]))
    fixed = 18 * mm + 18 * mm + 15 * mm  # evaluator, status and total; the criteria share the rest
    column = (width - fixed) / max(len(summary.criteria), 1)
    means = [cells(["평가항목", "평균", "만점", "득점률"], head)]
    for (label, top), mean in zip(summary.criteria, summary.criterion_means, strict=True):
        rate = "–" if mean is None or not top else f"{100 * mean / top:.0f}%"
        means.append(cells([label, _figure(mean), f"{top:g}", rate]))
    rank = f"{summary.rank} / {summary.ranked_count}" if summary.rank is not None else "–"
    results = [
        ("제출 평가표 총점", ", ".join(f"{t:g}" for t in summary.raw_scores) or "–"),
        ("절사평균", _figure(summary.trimmed_mean)),
        ("가점", _figure(summary.bonus)),
        ("감점", _figure(summary.penalty)),
        ("최종점수", _figure(summary.final_score)),
        ("순위", rank),
        ("결정", summary.outcome),
    ]
    story = [
        Paragraph("평가 결과 요약표", title),
        _table(pairs(facts), [35 * mm, width - 35 * mm], header=False),
        Paragraph("평가위원별 평가표", section),
        _table(sheet_rows, [18 * mm, 18 * mm, *[column] * len(summary.criteria), 15 * mm]),
        Paragraph("평가항목별 평균", section),
        _table(means, [width * 0.46, width * 0.18, width * 0.18, width * 0.18]),
        Paragraph("결과", section),
        _table(pairs(results), [45 * mm, width - 45 * mm], header=False),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=f"평가 결과 요약표 {summary.receipt_number}",
        author="N-Up",
    )
    document.build(story, canvasmaker=_footer_canvas(f"생성 {summary.generated_at} | N-Up 평가 기록"))
    return buffer.getvalue()


def summary_pdf(application: Application, stage: str, *, now: datetime | None = None) -> bytes:
    """The ministry's record of one application's evaluation in a stage, as a PDF."""
    return render_summary(evaluation_summary(application, stage, now=now or utcnow()))
