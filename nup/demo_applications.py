"""Demo calls and applications: realistic startups in Korean and English, some ineligible."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from nup.applications import rules, services
from nup.extensions import db
from nup.programmes import services as call_services
from nup.timeutil import to_kst

# (company, industry, track, language, summary, problem, solution, scale-up, team, markets)
STARTUPS = [
    (
        "한빛로보틱스",
        "로봇 제조",
        "physical_ai_robotics",
        "ko",
        "물류센터용 자율이동로봇(AMR)과 피킹 로봇팔을 개발합니다.",
        "국내 물류센터는 인력난으로 피킹 작업의 40%가 지연됩니다.",
        "3D 비전과 강화학습으로 처음 보는 물건도 집는 로봇팔을 NVIDIA Isaac으로 학습시킵니다.",
        "2027년 일본·미국 물류기업 실증 후 현지 법인을 세웁니다.",
        "대표는 로봇공학 박사, 팀 18명 중 12명이 연구개발 인력입니다.",
        ["JP", "US"],
    ),
    (
        "오토웨이브",
        "자율주행 소프트웨어",
        "physical_ai_mobility",
        "ko",
        "항만 야드트랙터용 레벨4 자율주행 시스템을 만듭니다.",
        "항만 야드 운전 인력이 부족하고 야간 사고가 잦습니다.",
        "라이다·카메라 융합 인지와 디지털 트윈 시뮬레이션으로 무인 운행을 검증합니다.",
        "싱가포르·UAE 항만 실증을 거쳐 해외 수주를 목표로 합니다.",
        "완성차 자율주행 개발 출신 엔지니어 9명.",
        ["SG", "AE"],
    ),
    (
        "Factorium AI",
        "smart manufacturing",
        "physical_ai_manufacturing",
        "en",
        "Closed-loop AI that tunes injection-moulding machines in real time.",
        "Injection moulders scrap 3–5% of parts because settings drift with temperature and resin batches.",
        "Edge inference on the machine adjusts pressure and temperature every cycle; a digital twin trains it.",
        "Pilot with two German automotive suppliers in 2027, then a Munich branch.",
        "Founders from a robotics lab and a tier-1 supplier; 11 people.",
        ["DE", "MX"],
    ),
    (
        "스카이하베스트",
        "농업용 드론",
        "physical_ai_robotics",
        "ko",
        "과수원 방제와 수확량 예측을 하는 자율비행 드론을 개발합니다.",
        "고령화로 과수 농가의 방제 작업이 늦어지고 농약이 과다 살포됩니다.",
        "수목 단위 인식으로 필요한 곳에만 살포하는 자율비행 경로를 생성합니다.",
        "베트남·인도네시아 농업 협동조합과 실증 협약을 추진합니다.",
        "드론 제어 전문가와 농학 박사가 공동 창업.",
        ["VN", "ID"],
    ),
    (
        "Mediscope Robotics",
        "medical devices",
        "physical_ai_robotics",
        "en",
        "A surgical assistant robot arm that holds and steers the endoscope by voice and gaze.",
        "In laparoscopic surgery an assistant holds the camera for hours; tremor and fatigue blur the view.",
        "Vision-guided arm with force limits and a certified safety controller.",
        "FDA 510(k) path with a US distributor; clinical partner in Boston.",
        "Surgeon co-founder, 7 engineers with medical-device certification experience.",
        ["US"],
    ),
    (
        "바른말AI",
        "소프트웨어 개발",
        "ai_software",
        "ko",
        "공공기관 민원 상담을 돕는 한국어 대화형 AI를 제공합니다.",
        "민원 상담 대기시간이 길고 상담원 교육 비용이 큽니다.",
        "공공 문서로 미세조정한 한국어 언어모델과 검색 증강 생성을 사용합니다.",
        "일본 지자체 시장 진출을 검토합니다.",
        "자연어처리 연구원 출신 6명.",
        ["JP"],
    ),
    (
        "FinLeaf",
        "fintech",
        "ai_software",
        "en",
        "A robo-advisor for young professionals that rebalances ETF portfolios.",
        "Young savers lack affordable, personal investment advice.",
        "Risk profiling with machine learning and automatic rebalancing.",
        "Singapore licence in 2027.",
        "Ex-bankers and data scientists, 8 people.",
        ["SG"],
    ),
    (
        "팩토리챗",
        "제조업 소프트웨어",
        "other",
        "ko",
        "공장 작업자를 위한 설비 매뉴얼 챗봇과 ERP 연동 서비스를 제공합니다.",
        "설비 매뉴얼이 두껍고 찾기 어려워 고장 대응이 늦습니다.",
        "매뉴얼을 검색해 답하는 챗봇을 ERP와 연결합니다.",
        "베트남 한국계 공장으로 확장합니다.",
        "개발자 4명.",
        ["VN"],
    ),
    (
        "Wavelab Mobility",
        "autonomous driving",
        "physical_ai_mobility",
        "en",
        "Autonomous sidewalk delivery robots for university campuses.",
        "Last-mile delivery on campuses is slow and costly.",
        "Low-speed autonomy stack with HD maps and remote teleoperation fallback.",
        "US campus pilots, then Japan.",
        "Robotics PhDs from KAIST; 10 people.",
        ["US", "JP"],
    ),
    (
        "세이프스틸",
        "철강 제조",
        "physical_ai_manufacturing",
        "ko",
        "제철소 고온 구역의 점검을 대신하는 사족보행 로봇 서비스를 제공합니다.",
        "고온·고소 구역 점검은 위험하고 사고가 끊이지 않습니다.",
        "열화상과 음향 센서를 단 사족보행 로봇이 정해진 경로를 자율 순찰합니다.",
        "인도 제철소와 실증을 협의 중입니다.",
        "제철소 설비 엔지니어 출신 대표, 팀 12명.",
        ["IN"],
    ),
    (
        "Clearflow RPA",
        "software",
        "ai_software",
        "en",
        "Robotic process automation bots for accounting back offices.",
        "Invoice processing is manual and error-prone.",
        "Software robots read invoices and enter them into ERP systems.",
        "Expansion to UK accounting firms.",
        "5 people.",
        ["GB"],
    ),
    (
        "그린하베스트",
        "스마트팜",
        "physical_ai_robotics",
        "ko",
        "딸기 수확 로봇과 생육 예측 AI를 개발합니다.",
        "딸기 수확 인력이 부족해 수확 적기를 놓칩니다.",
        "익은 정도를 판별해 꼭지를 자르는 수확 로봇을 온실 레일에서 운용합니다.",
        "일본·네덜란드 온실 농가를 공략합니다.",
        "농업 로봇 연구원 5명.",
        ["JP", "FR"],
    ),
]
REGIONS = ["서울", "경기", "대전", "부산", "경북", "광주", "인천", "경남"]
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def valid_brn(rng: random.Random) -> str:
    first = f"{rng.randint(100, 899)}{rng.randint(10, 99)}{rng.randint(1000, 9999)}"
    return first + str(rules.brn_check_digit(first))


def load_calls(officer, applicants: list, *, now) -> int:
    """Create an open call with dozens of applications and a closed earlier call."""
    rng = random.Random(2026)
    opens = now - timedelta(days=10)
    values = {
        "title_ko": "2026년 N-Up 글로벌 피지컬 AI 스타트업 육성사업 모집공고",
        "title_en": "N-Up 2026: Global Physical AI Startup Programme — call for applications",
        "description_ko": "중소벤처기업부와 NVIDIA가 함께 AI 스타트업의 성장과 해외 진출을 지원합니다.\n\n"
        "올해는 로봇, 자율주행, AI 스마트제조 등 피지컬 AI 분야를 우대합니다.",
        "description_en": "The Ministry of SMEs and Startups and NVIDIA support AI startups to grow and "
        "enter overseas markets.\n\nThis year Physical AI — robots, autonomous "
        "driving, smart manufacturing — is the priority field.",
        "announced_on": to_kst(opens).date() - timedelta(days=2),
        "opens_at": opens,
        "closes_at": now + timedelta(days=20),
    }
    call = call_services.create_call(actor=officer, values=values, now=now)
    call_services.publish_call(call, actor=officer, now=now)
    past = call_services.create_call(
        actor=officer,
        values={
            "title_ko": "2025년 N-Up 창업도약 트랙 모집공고",
            "title_en": "N-Up 2025: scale-up track",
            "announced_on": date(2025, 3, 1),
            "opens_at": now - timedelta(days=400),
            "closes_at": now - timedelta(days=370),
        },
        now=now,
    )
    call_services.publish_call(past, actor=officer, now=now)
    count = 0
    for index, applicant in enumerate(applicants):
        draft_only = index % 5 == 4
        submit_at = now - timedelta(hours=rng.randint(1, 200))
        apply_to(call, applicant, index, rng, now=now, submit_at=None if draft_only else submit_at)
        count += 1
    db.session.flush()
    return count


def apply_to(call, applicant, index: int, rng: random.Random, *, now, submit_at=None):
    """Fill an application from the demo startups (and submit it at `submit_at` when given)."""
    startup = STARTUPS[index % len(STARTUPS)]
    name, industry, track, _language, summary, problem, solution, scale_up, team, markets = startup
    suffix = "" if index < len(STARTUPS) else f" {index // len(STARTUPS) + 1}"
    years = rng.choice([4, 5, 6, 3, 8, 2, 5, 4]) if index % 7 else 5
    founded = call.announced_on - timedelta(days=365 * years + rng.randint(20, 300))
    application = services.start_application(call, actor=applicant, now=submit_at or now)
    services.save_draft(
        application,
        actor=applicant,
        now=submit_at or now,
        values={
            "company_name": name + suffix,
            "applicant_type": "company",
            "business_registration_number": valid_brn(rng),
            "founded_on": founded,
            "ceo_name": applicant.name,
            "address": "",
            "region": rng.choice(REGIONS),
            "employees": rng.randint(4, 40),
            "industry": industry,
            "website": "https://example.com",
            "tax_arrears": index % 11 == 5,
            "loan_default": False,
            "participation_ban": False,
            "duplicate_support": index % 13 == 7,
            "track": track,
            "summary": summary,
            "problem": problem,
            "solution": solution,
            "scale_up": scale_up,
            "team": team,
            "funding_requested": rng.choice([150, 200, 250, 300]) * 1_000_000,
            "target_markets": markets,
        },
    )
    if submit_at is None:
        return application
    for document in call.documents_for("company"):
        services.upload_document(
            application,
            actor=applicant,
            kind=document["kind"],
            stream=io.BytesIO(PDF),
            filename=f"{document['kind']}.pdf",
            issued_on=to_kst(submit_at).date() - timedelta(days=10) if document.get("max_age_days") else None,
            started_at=submit_at,
            clock=lambda: submit_at,
        )
    services.submit_application(application, actor=applicant, now=submit_at)
    return application
