"""Monthly mentoring-fee statements as XLSX: per mentor, per startup, every approved session, hours against caps."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import Workbook

from nup.mentoring.statements import hours_against_caps, monthly_statement
from nup.reports.review_exports import kst_text, write_table


def statement_xlsx(month: date) -> bytes:
    """The statement of the sessions approved in a KST month: 'By mentor', 'By startup', 'Sessions', 'Hours vs cap'."""
    statement = monthly_statement(month)
    workbook = Workbook(write_only=True)
    write_table(
        workbook,
        "By mentor",
        ["멘토 Mentor", "회차 Sessions", "시간 Hours", "자문료(원) Fee (won)"],
        [[line.name, line.sessions, line.hours, line.fee_won] for line in statement.by_mentor]
        + [["합계 Total", len(statement.sessions), statement.total_hours, statement.total_won]],
    )
    write_table(
        workbook,
        "By startup",
        ["기업 Startup", "회차 Sessions", "시간 Hours", "자문료(원) Fee (won)"],
        [[line.name, line.sessions, line.hours, line.fee_won] for line in statement.by_startup]
        + [["합계 Total", len(statement.sessions), statement.total_hours, statement.total_won]],
    )
    write_table(
        workbook,
        "Sessions",
        [
            "일시(KST) Start",
            "멘토 Mentor",
            "기업 Startup",
            "주제 Topic",
            "분 Minutes",
            "시간 Hours",
            "자문료(원) Fee (won)",
            "승인 Approved",
        ],
        [
            [
                kst_text(s.starts_at),
                s.mentor.name,
                s.application.company_name,
                s.topic,
                s.logged_minutes,
                s.approved_hours,
                s.fee_won,
                kst_text(s.approved_at),
            ]
            for s in statement.sessions
        ],
    )
    write_table(
        workbook,
        "Hours vs cap",
        [
            "기업 Startup",
            "피지컬 AI Physical AI",
            "승인 시간 Approved hours",
            "한도 Hour cap",
            "사용률 Used",
            "승인 금액(원) Approved won",
            "예산(원) Budget (won)",
        ],
        [
            [
                line.company,
                "예" if line.physical_ai else "아니오",
                line.approved_hours,
                line.hour_cap,
                round(line.share, 4),
                line.approved_won,
                line.budget_won,
            ]
            for line in hours_against_caps()
        ],
    )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
