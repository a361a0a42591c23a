"""The retention rules: one table, one row per kind of record (pure: no database, no Flask app).

Each rule says how long a kind of record is kept and from which moment, what the purge
deletes, what it keeps in anonymised form for statistics, and what legal hold stops it.
The privacy page, the purge, the dry run and the answer to a deletion request all read
this table and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

HOLD_TEXT = _l(
    "An open objection or dispute about the application, or a legal hold placed by an officer "
    "on the application or the person, pauses deletion until it is closed or lifted."
)


@dataclass(frozen=True)
class RetentionRule:
    key: str
    record: object  # lazy text: the kind of record
    years: int
    days: int
    anchor: object  # lazy text: the moment the period runs from
    deleted: object
    kept: object
    hold: object
    purged: bool = True  # False: kept for the period and never deleted by the purge

    @property
    def period(self) -> timedelta:
        return timedelta(days=self.years * 365 + self.days)

    def expires_at(self, anchor: datetime) -> datetime:
        """The instant a record anchored at `anchor` may be purged."""
        return anchor + self.period

    def expires_on(self, anchor: date) -> date:
        return anchor + self.period


RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        key="unselected_application",
        record=_l("Applications not selected"),
        years=1,
        days=0,
        anchor=_l("the call's application deadline"),
        deleted=_l(
            "Company name, registration number, CEO name, address, website, the business plan's text, "
            "the Physical AI evidence and officers' notes; the uploaded documents."
        ),
        kept=_l(
            "Call, track, region, industry, number of employees, amount requested, eligibility, "
            "Physical AI flag, scores and rank."
        ),
        hold=HOLD_TEXT,
    ),
    RetentionRule(
        key="withdrawn_draft",
        record=_l("Withdrawn applications and drafts never submitted"),
        years=0,
        days=90,
        anchor=_l("the call's application deadline"),
        deleted=_l("Everything the applicant typed and every uploaded document."),
        kept=_l("Call, track, region and status, for counts."),
        hold=HOLD_TEXT,
    ),
    RetentionRule(
        key="selected_agreement",
        record=_l("Selected startups' applications and agreements"),
        years=5,
        days=0,
        anchor=_l("the end of the support agreement (or the selection, where no agreement was signed)"),
        deleted=_l(
            "Company and personal identifiers, the business plan's text, agreement notes and the uploaded documents."
        ),
        kept=_l("Track, region, industry, Physical AI flag, scores, rank, budget, spending and KPI figures."),
        hold=HOLD_TEXT,
    ),
    RetentionRule(
        key="evaluation_record",
        record=_l("Evaluation records"),
        years=3,
        days=0,
        anchor=_l("the call's application deadline"),
        deleted=_l("Evaluators' comments, recusal reasons, decision reasons, objection grounds and answers."),
        kept=_l("Scores per criterion, totals, trimmed means, ranks and outcomes."),
        hold=HOLD_TEXT,
    ),
    RetentionRule(
        key="mentoring_log",
        record=_l("Mentoring logs"),
        years=5,
        days=0,
        anchor=_l("the end of the session"),
        deleted=_l("Agenda, meeting place or link, topic, advice, follow-up, dispute notes and rating comments."),
        kept=_l("Date, minutes, approved hours, fees and star ratings."),
        hold=HOLD_TEXT,
    ),
    RetentionRule(
        key="overseas_report",
        record=_l("Overseas reports and evidence"),
        years=5,
        days=0,
        anchor=_l("the end of the support agreement"),
        deleted=_l("Narrative text of KPI reports and milestones, and every evidence file."),
        kept=_l("KPI figures (contracts, sales, investment, jobs), markets, spending and milestone status."),
        hold=HOLD_TEXT,
    ),
    RetentionRule(
        key="outbox_email",
        record=_l("Email bodies in the outbox"),
        years=1,
        days=0,
        anchor=_l("the day the email was queued"),
        deleted=_l(
            "Subject, body, attachments list, the template's data and the recipient's address; "
            "the copy in the mail folder (delivery without SMTP)."
        ),
        kept=_l("Kind of email, status, dates and counts."),
        hold=_l("A legal hold on the person pauses deletion."),
    ),
    RetentionRule(
        key="access_log",
        record=_l("Personal-data access log"),
        years=2,
        days=0,
        anchor=_l("the access"),
        deleted=_l(
            "Nothing: the audit log is append-only and kept beyond the two-year minimum; the access "
            "reports show the last two years."
        ),
        kept=_l("Who read which record, when and from where."),
        hold=_l("Not applicable: never deleted by the purge."),
        purged=False,
    ),
    RetentionRule(
        key="uploaded_file",
        record=_l("Uploaded files"),
        years=0,
        days=0,
        anchor=_l("the purge of the record the file belongs to"),
        deleted=_l(
            "The stored file and its name, removed from storage in the transaction's wake "
            "(never before its record is purged)."
        ),
        kept=_l(
            "The kind of document and the dates it was uploaded and checked; the number of files "
            "purged is in the batch's audit row."
        ),
        hold=_l("The hold of the record the file belongs to."),
    ),
    RetentionRule(
        key="dormant_account",
        record=_l("Accounts that never applied"),
        years=1,
        days=0,
        anchor=_l("the last sign-in (or the sign-up)"),
        deleted=_l("Name, email address, password hash, sessions and API tokens."),
        kept=_l("Role and sign-up date, for counts."),
        hold=_l("A legal hold on the person pauses deletion."),
    ),
)

RULES_BY_KEY: dict[str, RetentionRule] = {rule.key: rule for rule in RULES}


def latest_expiry(expiries: list[date | None]) -> date | None:
    """The date every one of `expiries` has passed (None in the list: not yet known, so None)."""
    if not expiries:
        return None
    if any(e is None for e in expiries):
        return None
    return max(expiries)  # type: ignore[type-var]
