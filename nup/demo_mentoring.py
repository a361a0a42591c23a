"""Demo data for mentoring: a vetted pool, requests to join, matches, and sessions at every stage."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from nup.accounts.models import User
from nup.applications.models import Application
from nup.extensions import db
from nup.mentoring import logs, matches, pool, sessions
from nup.timeutil import to_kst

# name, email, organisation, expertise, countries, languages, years, capacity, fee, industries
POOL = (
    (
        "이서연",
        "mentor@nup.example.kr",
        "前 두산로보틱스 해외사업본부장",
        ["robotics", "go_to_market", "export_sales"],
        ["JP", "US"],
        ["ko", "ja", "en"],
        18,
        20,
        120_000,
        ["physical_ai_robotics", "physical_ai_manufacturing"],
    ),
    (
        "박준호",
        "junho.park@mentor.example.kr",
        "모빌리티 벤처캐피털 파트너",
        ["autonomous_driving", "fundraising_ir"],
        ["US", "DE"],
        ["ko", "en"],
        15,
        16,
        150_000,
        ["physical_ai_mobility"],
    ),
    (
        "Grace Lee",
        "grace.lee@mentor.example.com",
        "Bay Area GTM advisor",
        ["go_to_market", "fundraising_ir"],
        ["US", "SG"],
        ["en"],
        20,
        12,
        150_000,
        ["ai_software", "physical_ai_robotics"],
    ),
    (
        "정민재",
        "minjae.jung@mentor.example.kr",
        "스마트팩토리 컨설팅",
        ["manufacturing_ai", "manufacturing_scale_up"],
        ["VN", "ID"],
        ["ko", "vi"],
        22,
        14,
        100_000,
        ["physical_ai_manufacturing"],
    ),
    (
        "김하린",
        "harin.kim@mentor.example.kr",
        "특허법인 파트너 변리사",
        ["legal_ip"],
        ["US", "DE", "JP"],
        ["ko", "en"],
        16,
        10,
        130_000,
        ["physical_ai_robotics", "physical_ai_mobility", "ai_software"],
    ),
    (
        "Kenji Sato",
        "kenji.sato@mentor.example.com",
        "Tokyo distribution partner",
        ["localisation", "export_sales"],
        ["JP"],
        ["ja", "en"],
        25,
        10,
        120_000,
        ["physical_ai_robotics"],
    ),
    (
        "최유진",
        "yujin.choi@mentor.example.kr",
        "前 KOTRA 무역관장",
        ["export_sales", "go_to_market"],
        ["AE", "IN", "SG"],
        ["ko", "en"],
        24,
        16,
        100_000,
        ["physical_ai_mobility", "ai_software"],
    ),
    (
        "한도윤",
        "doyun.han@mentor.example.kr",
        "클라우드·GPU 인프라 아키텍트",
        ["data_cloud_gpu", "ai_software"],
        ["US"],
        ["ko", "en"],
        12,
        12,
        90_000,
        ["ai_software"],
    ),
)
APPLICANTS = (
    ("오하늘", "sky.oh@mentor.example.kr", "드론 물류 사업개발", ["drones", "go_to_market"], ["US"], ["ko", "en"], 11),
    (
        "Lena Fischer",
        "lena.fischer@mentor.example.com",
        "Automotive supplier, Munich",
        ["autonomous_driving"],
        ["DE"],
        ["de", "en"],
        14,
    ),
)


def _values(name, organisation, expertise, countries, languages, years, capacity=10, fee=100_000, industries=()):
    return {
        "name": name,
        "organisation": organisation,
        "title": "",
        "bio": "",
        "expertise": expertise,
        "industries": list(industries),
        "countries": countries,
        "languages": languages,
        "years_experience": years,
        "monthly_capacity_hours": capacity,
        "fee_per_hour": fee,
    }


def load_mentoring_demo(officer: User, selected: list[Application], *, password: str, now) -> int:
    """The pool, two requests to join, a match for most selected startups and sessions at every stage.

    Mentors other than the demo mentor get accounts with `password`. Returns the number of sessions.
    """
    from nup.accounts import services as accounts

    mentors = []
    for name, email, organisation, expertise, countries, languages, years, capacity, fee, industries in POOL:
        user = db.session.scalar(select(User).where(User.email == email)) or accounts.create_user(
            actor=None, email=email, role="mentor", name=name, password=password, now=now, check_strength=False
        )
        values = _values(name, organisation, expertise, countries, languages, years, capacity, fee, industries)
        mentors.append(pool.create_mentor(actor=officer, email=email, values=values, user=user, now=now))
    for name, email, organisation, expertise, countries, languages, years in APPLICANTS:
        pool.apply_to_join(
            email=email, values=_values(name, organisation, expertise, countries, languages, years), now=now
        )
    demo_mentor = mentors[0]
    booked = 0
    for index, application in enumerate(selected[:-2]):  # the last two wait for the bulk run
        _need, suggestions, _conflicted = matches.suggestions_for(application, now=now)
        mentor = demo_mentor if index < 3 else (suggestions[0][0] if suggestions else None)
        if mentor is None:
            continue
        match = matches.propose_match(application, mentor, actor=officer, now=now - timedelta(days=150))
        if index == 2:
            continue  # the demo mentor has a request to answer
        founder = db.session.get(User, application.user_id)
        matches.respond_match(match, actor=mentor.user, accept=True, note="", now=now - timedelta(days=149))
        booked += _sessions(match, officer=officer, founder=founder, mentor_user=mentor.user, index=index, now=now)
    return booked


def _sessions(match, *, officer: User, founder: User, mentor_user: User, index: int, now) -> int:
    """Three past sessions (approved, confirmed, logged) and one next week, for this match."""
    stages = ("approved", "confirmed", "logged", "scheduled")
    topics = ("해외 파트너 발굴", "현지 인증과 규제", "투자 유치 자료 점검", "현지 가격 전략")
    count = 0
    for step, stage in enumerate(stages):
        days_ago = 90 - 25 * step if stage != "scheduled" else -7
        start = to_kst(now - timedelta(days=days_ago)).replace(
            hour=9 + 2 * (index % 5), minute=0, second=0, microsecond=0
        )
        booked_at = start - timedelta(days=5)
        session = sessions.book_session(
            match,
            actor=founder,
            values={
                "starts_at": start,
                "minutes": 60 + 30 * (step % 2),
                "mode": "online",
                "location": "https://meet.example.kr/nup",
                "agenda": topics[step],
            },
            now=min(booked_at, now),
        )
        count += 1
        if stage == "scheduled":
            continue
        logs.file_log(
            session,
            actor=mentor_user,
            values={
                "topic": topics[step],
                "advice": "현지 유통사 3곳과 인증 대행사를 소개하고 견적 비교표를 함께 만들었습니다.",
                "follow_up": "다음 회의 전까지 견적 요청서 발송",
                "minutes": session.scheduled_minutes,
            },
            now=session.ends_at,
        )
        if stage == "logged":
            continue
        logs.confirm_log(session, actor=founder, agree=True, note="", now=session.ends_at + timedelta(days=1))
        logs.rate_session(session, actor=founder, stars=5 - index % 3, comment="", now=session.ends_at)
        logs.rate_session(session, actor=mentor_user, stars=4, comment="", now=session.ends_at)
        if stage == "approved":
            logs.approve_log(session, actor=officer, approve=True, note="", now=session.ends_at + timedelta(days=3))
    db.session.flush()
    return count
