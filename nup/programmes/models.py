"""Calls for applications (모집공고): dates, tracks, eligibility, documents, rubric."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nup.extensions import db
from nup.timeutil import UTCDateTime, utcnow


class CallStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class Call(db.Model):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_ko: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description_ko: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    announced_on: Mapped[date] = mapped_column(Date)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(20), default=CallStatus.DRAFT, index=True)
    # [{key, label_ko, label_en, quota, physical_ai}]
    tracks: Mapped[list] = mapped_column(JSON, default=list)
    # {min_business_years, max_business_years, excluded_industries, allowed_applicant_types,
    #  check_declarations, check_duplicate_support}
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{kind, applicant_types: [..], max_age_days}]
    required_documents: Mapped[list] = mapped_column(JSON, default=list)
    # [{key, label_ko, label_en, max_points, weight, guidance}]
    rubric: Mapped[list] = mapped_column(JSON, default=list)
    reviewers_per_application: Mapped[int] = mapped_column(Integer, default=5)
    trim_min_reviews: Mapped[int] = mapped_column(Integer, default=5)
    bonus_rules: Mapped[list] = mapped_column(JSON, default=list)
    bonus_cap: Mapped[float] = mapped_column(default=5.0)
    # Criterion keys compared, in order, when final scores are equal (higher wins).
    tie_breakers: Mapped[list] = mapped_column(JSON, default=list)
    # The Physical AI priority policy in force (nup.programmes.policy); every version is kept
    # in priority_policy_versions.
    priority_policy: Mapped[dict] = mapped_column(JSON, default=dict)
    max_upload_bytes: Mapped[int] = mapped_column(Integer, default=20 * 1024 * 1024)
    # Whether selected startups may pick their own mentor (otherwise officers pick).
    mentoring_self_pick: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def is_open(self, now: datetime) -> bool:
        """Open from opens_at up to, not including, the closing second."""
        return self.status == CallStatus.PUBLISHED and self.opens_at <= now < self.closes_at

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_ko

    def description(self, language: str) -> str:
        return self.description_en if language == "en" and self.description_en else self.description_ko

    def track(self, key: str) -> dict | None:
        return next((t for t in self.tracks if t.get("key") == key), None)

    def track_label(self, key: str, language: str) -> str:
        track = self.track(key) or {}
        return track.get(f"label_{language}") or track.get("label_ko") or key

    def documents_for(self, applicant_type: str | None) -> list[dict]:
        """The documents an applicant of this type must upload."""
        return [
            d for d in self.required_documents if not d.get("applicant_types") or applicant_type in d["applicant_types"]
        ]
