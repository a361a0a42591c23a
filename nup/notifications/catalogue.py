"""The kinds of email: what each is for, whether it is essential, and sample values for previews."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class EmailKind:
    kind: str
    label: object
    essential: bool  # essential mail is sent even to people who opted out of other mail
    sample: dict

    @property
    def personal_link(self) -> bool:
        """Whether the email carries a one-person link (confirm, reset, invite, unlock): officers'
        wording cannot build that link, so such an email always keeps its built-in wording."""
        return "token" in self.sample


KINDS: dict[str, EmailKind] = {
    k.kind: k
    for k in (
        EmailKind("verify_email", _l("Confirm your email address"), True, {"name": "김하늘", "token": "sample"}),
        EmailKind("reset_password", _l("Reset your password"), True, {"name": "김하늘", "token": "sample"}),
        EmailKind(
            "staff_invitation",
            _l("Staff account invitation"),
            True,
            {"name": "박평가", "role": "reviewer", "token": "sample"},
        ),
        EmailKind("password_changed", _l("Password changed"), True, {"name": "김하늘"}),
        EmailKind("account_deleted", _l("Account deleted on request"), True, {"name": "김하늘", "day": "2026-12-02"}),
        EmailKind("sign_up_attempted", _l("Sign-up with an existing address"), True, {"name": "김하늘"}),
        EmailKind(
            "sign_in_locked",
            _l("Sign-in paused after failed attempts"),
            True,
            {"name": "김하늘", "ip": "203.0.113.7", "token": "sample"},
        ),
        EmailKind(
            "application_received",
            _l("Application received (receipt)"),
            True,
            {
                "name": "김하늘",
                "receipt_number": "NUP-2026-000123",
                "call_title_ko": "2026 N-Up 모집공고",
                "call_title_en": "N-Up 2026 call",
                "submitted_at": "2026-11-28 14:00:00 KST",
                "application_id": 1,
            },
        ),
        EmailKind(
            "document_correction",
            _l("Document correction requested"),
            True,
            {
                "name": "김하늘",
                "document_kind": "corporate_register",
                "message": "3개월 이내 발급본을 올려 주세요.",
                "receipt_number": "NUP-2026-000123",
                "application_id": 1,
            },
        ),
        EmailKind(
            "deadline_reminder",
            _l("Deadline reminder for an unsubmitted draft"),
            False,
            {
                "name": "김하늘",
                "days_left": 3,
                "deadline": "2026-12-01 18:00 KST",
                "call_title_ko": "2026 N-Up 모집공고",
                "call_title_en": "N-Up 2026 call",
                "application_id": 1,
                "missing": ["business_plan"],
            },
        ),
        EmailKind(
            "weekly_status",
            _l("Weekly status of my applications"),
            False,
            {
                "name": "김하늘",
                "items": [{"title": "2026 N-Up 모집공고", "status": "draft", "action": "submit", "application_id": 1}],
            },
        ),
        EmailKind(
            "officer_digest",
            _l("Daily digest for officers"),
            False,
            {
                "name": "김민정",
                "day": "2026-11-28",
                "new_submissions": 12,
                "corrections_pending": 3,
                "failed_mail": 0,
                "privacy_requests_due": 1,
                "calls": [{"title": "2026 N-Up 모집공고", "submitted": 40, "drafts": 12}],
            },
        ),
        EmailKind(
            "bulk_message",
            _l("Message from the programme office"),
            False,
            {"name": "김하늘", "subject_ko": "안내", "subject_en": "Notice", "body_ko": "본문", "body_en": "Body"},
        ),
        EmailKind(
            "review_assigned",
            _l("Applications assigned to an evaluator"),
            True,
            {
                "name": "박평가",
                "count": 12,
                "call_title_ko": "2026 N-Up 모집공고",
                "call_title_en": "N-Up 2026 call",
                "due": "2026-12-10T09:00:00+00:00",
            },
        ),
        EmailKind(
            "review_reminder",
            _l("Reminder of reviews due within 3 days"),
            False,
            {"name": "박평가", "pending": 4, "due": "2026-12-10 18:00 KST"},
        ),
        EmailKind(
            "review_result",
            _l("Evaluation result"),
            True,
            {
                "name": "김하늘",
                "call_title_ko": "2026 N-Up 모집공고",
                "call_title_en": "N-Up 2026 call",
                "receipt_number": "NUP-2026-000123",
                "stage": "presentation",
                "outcome": "selected",
                "final_score": 84.5,
                "trimmed_mean": 82.5,
                "bonus": 2.0,
                "penalty": 0.0,
                "rank_band": "top10",
                "criteria": [{"label_ko": "문제인식(Problem)", "label_en": "Problem", "mean": 21.3, "max": 25}],
                "reasons": "사업화 전략이 구체적이고 팀 역량이 우수함.",
                "comments": ["해외 진출 계획을 더 구체화하면 좋겠습니다."],
                "objection_until": "2026-12-28",
                "application_id": 1,
            },
        ),
        EmailKind(
            "presentation_scheduled",
            _l("Presentation round: your time slot"),
            True,
            {
                "name": "김하늘",
                "receipt_number": "NUP-2026-000123",
                "call_title_ko": "2026 N-Up 모집공고",
                "call_title_en": "N-Up 2026 call",
                "starts_at": "2026-12-15 10:00 KST",
                "minutes": 20,
                "location": "서울 팁스타운 S1 3층 / 화상 링크는 전날 안내",
                "application_id": 1,
            },
        ),
        EmailKind(
            "objection_received",
            _l("Objection received"),
            True,
            {"name": "김하늘", "receipt_number": "NUP-2026-000123", "due": "2026-12-12", "application_id": 1},
        ),
        EmailKind(
            "objection_extended",
            _l("Objection answer deadline extended"),
            True,
            {"name": "김하늘", "due": "2026-12-22", "reason": "재검토 위원 위촉", "application_id": 1},
        ),
        EmailKind(
            "objection_answered",
            _l("Answer to an objection"),
            True,
            {
                "name": "김하늘",
                "upheld": True,
                "rereview": True,
                "answer": "재평가를 실시합니다.",
                "application_id": 1,
            },
        ),
        # Mentoring
        EmailKind(
            "mentor_match_proposed",
            _l("A startup is matched with a mentor"),
            True,
            {"name": "이서연", "company": "한빛로보틱스", "match_id": 1, "topics": ["robotics"], "markets": ["JP"]},
        ),
        EmailKind(
            "mentor_match_answered",
            _l("A mentor answered a match"),
            True,
            {"name": "최도윤", "mentor": "이서연", "accepted": True, "match_id": 1, "company": "", "note": ""},
        ),
        EmailKind(
            "mentoring_session_booked",
            _l("Mentoring session booked (with invitation)"),
            True,
            {
                "name": "최도윤",
                "mentor": "이서연",
                "company": "한빛로보틱스",
                "starts": "2026-12-03 14:00",
                "ends": "15:00",
                "mode": "online",
                "location": "https://meet.example.kr/nup",
                "agenda": "일본 진출 전략",
                "session_id": 1,
                "for_mentor": False,
                "reason": "",
                "late": False,
            },
        ),
        EmailKind(
            "mentoring_session_changed",
            _l("Mentoring session moved (with invitation)"),
            True,
            {
                "name": "최도윤",
                "mentor": "이서연",
                "company": "한빛로보틱스",
                "starts": "2026-12-03 14:00",
                "ends": "15:00",
                "mode": "online",
                "location": "https://meet.example.kr/nup",
                "agenda": "일본 진출 전략",
                "session_id": 1,
                "for_mentor": False,
                "reason": "",
                "late": False,
            },
        ),
        EmailKind(
            "mentoring_session_cancelled",
            _l("Mentoring session cancelled (with invitation)"),
            True,
            {
                "name": "최도윤",
                "mentor": "이서연",
                "company": "한빛로보틱스",
                "starts": "2026-12-03 14:00",
                "ends": "15:00",
                "mode": "online",
                "location": "https://meet.example.kr/nup",
                "agenda": "일본 진출 전략",
                "session_id": 1,
                "for_mentor": False,
                "reason": "",
                "late": False,
            },
        ),
        EmailKind(
            "mentoring_session_reminder",
            _l("Mentoring session in 24 hours"),
            True,
            {
                "name": "최도윤",
                "mentor": "이서연",
                "company": "한빛로보틱스",
                "starts": "2026-12-03 14:00",
                "ends": "15:00",
                "mode": "online",
                "location": "https://meet.example.kr/nup",
                "agenda": "일본 진출 전략",
                "session_id": 1,
                "for_mentor": False,
                "reason": "",
                "late": False,
            },
        ),
        EmailKind(
            "mentoring_log_filed",
            _l("Mentoring log to confirm"),
            True,
            {"name": "최도윤", "mentor": "이서연", "topic": "일본 유통 파트너", "minutes": 60, "session_id": 1},
        ),
        EmailKind(
            "mentoring_log_returned",
            _l("Mentoring log returned for correction"),
            True,
            {
                "name": "이서연",
                "company": "한빛로보틱스",
                "note": "시간을 확인해 주세요.",
                "by_officer": True,
                "session_id": 1,
            },
        ),
        # Overseas-market support
        EmailKind(
            "overseas_plan_created",
            _l("Overseas support: agreement and plan ready"),
            True,
            {
                "name": "김하늘",
                "company": "한빛로보틱스",
                "starts_on": "2026-03-01",
                "ends_on": "2026-12-31",
                "budget_won": 200000000,
                "plan_id": 1,
            },
        ),
        EmailKind(
            "overseas_report_returned",
            _l("Overseas support: KPI report returned for correction"),
            True,
            {"name": "김하늘", "period": "2026-05", "comment": "수출계약서 사본을 첨부해 주세요.", "report_id": 1},
        ),
        EmailKind(
            "overseas_report_accepted",
            _l("Overseas support: KPI report accepted"),
            True,
            {"name": "김하늘", "period": "2026-05", "comment": "", "report_id": 1},
        ),
        EmailKind(
            "overseas_report_due",
            _l("Overseas support: KPI report due soon"),
            False,
            {"name": "김하늘", "period": "2026-05", "due": "2026-06-10", "plan_id": 1},
        ),
        EmailKind(
            "overseas_report_overdue",
            _l("Overseas support: KPI report overdue"),
            True,
            {"name": "김하늘", "period": "2026-05", "due": "2026-06-10", "plan_id": 1},
        ),
        EmailKind(
            "overseas_milestone_overdue",
            _l("Overseas support: milestone overdue"),
            True,
            {"name": "김하늘", "title": "CES 2027 참가", "due": "2026-12-20", "plan_id": 1},
        ),
    )
}


def is_essential(kind: str) -> bool:
    entry = KINDS.get(kind)
    return entry.essential if entry else True
