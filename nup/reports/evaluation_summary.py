"""The evaluation summary sheet of one application (PDF) for the ministry's records.

Korean text uses reportlab's built-in CID fonts, so no font file is shipped or embedded.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from sqlalchemy import select

from nup.applications.models import Application
from nup.extensions import db
from nup.reports.review_exports import (
    OUTCOME_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    kst_text,
    not_conflicted,
    number,
    yes_no,
)
from nup.reviews.assigning import ACTIVE
from nup.reviews.models import Assignment, Decision
from nup.reviews.ranking import compute_ranking
from nup.timeutil import utcnow

FONT, HEADING_FONT = "HYSMyeongJo-Medium", "HYGothic-Medium"
MARGIN = 15 * mm


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
            not_conflicted(),
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
            label=f"위원 {position}",
            status=STATUS_LABELS.get(sheet.status, sheet.status),
            points=[number((sheet.scores or {}).get(key)) for key in keys],
            total=sheet.total,
        )
        for position, sheet in enumerate(sheets, start=1)
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
        generated_at=kst_text(now),
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
            for page_number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                self.drawString(MARGIN, 10 * mm, footer)
                self.drawRightString(A4[0] - MARGIN, 10 * mm, f"{page_number} / {total}")
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
        ("피지컬 AI", yes_no(summary.physical_ai)),
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
