"""Physical AI classification: the labelled set, an untuned held-out set, trap families, bad input, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from nup.priority import as_contract_json, classify

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "data" / "physical_ai_labelled.jsonl"
R, A, M, D = "robotics", "autonomous_driving", "smart_manufacturing", "drones_autonomous_machines"
TRACKS = {"physical_ai_robotics", "physical_ai_mobility", "physical_ai_manufacturing", "ai_software", "other"}
CONTRACT_KEYS = {"physical_ai", "score", "evidence", "subfield", "confidence"}


def load_labelled() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def scores(items: list[tuple[str, bool, str | None, str, str | None]]) -> dict:
    """Return precision, recall and subfield accuracy over (id, label, subfield, text, track) items, and the misses."""
    tp = fp = fn = subfield_hits = 0
    misses = []
    for id_, label, subfield, text, track in items:
        c = classify(text, declared_track=track)
        tp += label and c.physical_ai
        fp += c.physical_ai and not label
        fn += label and not c.physical_ai
        subfield_hits += label and c.subfield == subfield
        if c.physical_ai != label or (label and c.subfield != subfield):
            misses.append(f"{id_}: want {label}/{subfield}, got {c.physical_ai}/{c.subfield} (score {c.score})")
    positives = sum(1 for item in items if item[1])
    return {
        "precision": tp / max(1, tp + fp),
        "recall": tp / max(1, tp + fn),
        "subfield": subfield_hits / max(1, positives),
        "misses": misses,
    }


# --- the labelled set


def test_labelled_set_is_well_formed_and_has_the_agreed_composition():
    rows = load_labelled()
    assert len(rows) >= 160
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r) <= {"id", "lang", "text", "declared_track", "label", "subfield", "note"}, r["id"]
        assert isinstance(r["label"], bool) and r["text"].strip() and r["note"].strip(), r["id"]
        assert r.get("declared_track") in TRACKS | {None}, r["id"]
        assert (r["subfield"] in {R, A, M, D}) if r["label"] else r["subfield"] is None, r["id"]
    languages = Counter(r["lang"] for r in rows)
    positives = [r for r in rows if r["label"]]
    print(f"\nlabelled set: {len(rows)} items, languages {dict(languages)}, {len(positives)} positive")
    assert languages["ko"] >= 0.45 * len(rows) and languages["en"] >= 0.28 * len(rows) and languages["mixed"] >= 15
    assert 0.4 <= len(positives) / len(rows) <= 0.6
    assert all(Counter(r["subfield"] for r in positives)[s] >= 15 for s in (R, A, M, D))
    assert sum(r["id"].startswith("trap-") for r in rows) >= 40
    # Declarations that contradict the text, in both directions.
    assert any(not r["label"] and str(r.get("declared_track")).startswith("physical_ai") for r in rows)
    assert any(r["label"] and r.get("declared_track") in {"ai_software", "other"} for r in rows)


def test_precision_recall_and_subfield_accuracy_on_the_labelled_set():
    rows = load_labelled()
    result = scores([(r["id"], r["label"], r["subfield"], r["text"], r.get("declared_track")) for r in rows])
    print(
        f"\nlabelled set: precision {result['precision']:.3f}, recall {result['recall']:.3f}, "
        f"subfield accuracy on positives {result['subfield']:.3f}"
    )
    for miss in result["misses"]:
        print("  miss", miss)
    assert result["precision"] >= 0.9
    assert result["recall"] >= 0.9
    assert result["subfield"] >= 0.8


# Written after the classifier and the labelled set, run once, never tuned against. Its figures
# are the honest estimate of how the lexicon does on wording it has not seen, so the bar is lower
# than the labelled set's on purpose. Known misses: k03, k11 and k13 are missed positives, k33 and
# k40 false positives, k16 and k17 get the wrong subfield. Tune against these and they stop
# measuring anything: write a fresh set instead.
# fmt: off
HELD_OUT_ANSWERS = {  # id: (Physical AI, subfield)
    "k01": (True, R), "k02": (True, R), "k03": (True, R), "k04": (True, R), "k05": (True, R),
    "k06": (True, R), "k07": (True, A), "k08": (True, A), "k09": (True, A), "k10": (True, A),
    "k11": (True, M), "k12": (True, M), "k13": (True, M), "k14": (True, M), "k15": (True, D),
    "k16": (True, D), "k17": (True, D), "k18": (True, D), "k19": (False, None), "k20": (False, None),
    "k21": (False, None), "k22": (False, None), "k23": (False, None), "k24": (False, None), "k25": (False, None),
    "k26": (False, None), "k27": (False, None), "k28": (False, None), "k29": (False, None), "k30": (False, None),
    "k31": (False, None), "k32": (False, None), "k33": (False, None), "k34": (False, None), "k35": (True, R),
    "k36": (False, None), "k37": (True, M), "k38": (False, None), "k39": (True, D), "k40": (False, None),
}
# fmt: on
HELD_OUT = {
    "k01": (
        "반도체 웨이퍼 이송용 진공 로봇의 진동을 AI로 보정하는 제어 소프트웨어를 개발합니다. 로봇의 가속 구간에서 "
        "발생하는 떨림을 학습 모델이 예측해 모터 전류를 미리 조정합니다."
    ),
    "k02": (
        "We develop a window-cleaning robot for high-rise buildings that hangs from the roof gondola rails, "
        "detects dirt with cameras and cleans facades without workers on ropes."
    ),
    "k03": (
        "시각장애인을 위한 안내견 로봇을 개발합니다. 사용자의 손잡이 조작과 주변 장애물을 인식해 보도를 따라 "
        "안전하게 길을 안내하며, 계단과 횡단보도 앞에서 멈춰 알려 줍니다."
    ),
    "k04": (
        "Our robotic arm for disabled people mounts on a wheelchair and feeds the user: a camera finds the mouth "
        "and the spoon, and the arm moves gently when the user nods."
    ),
    "k05": (
        "물류센터의 택배 분류를 위한 AI 피스 피킹 시스템입니다. 비정형 상품을 3D 카메라로 인식해 로봇이 하나씩 "
        "집어 목적지별 슈트에 투입합니다. 시간당 1,200개를 처리합니다."
    ),
    "k06": (
        "Surgical microscope positioning robot: during neurosurgery it keeps the microscope focused on the "
        "instrument tip by tracking it with stereo cameras and moving the stand's joints."
    ),
    "k07": (
        "자율주행 청소차를 개발합니다. 새벽 시간대 도심 도로를 스스로 주행하며 노면 쓰레기를 인식해 흡입하고, "
        "보행자가 나타나면 즉시 정지합니다."
    ),
    "k08": (
        "We build the brain for autonomous mining haul trucks... no — for public-road autonomous minibuses: the "
        "vehicle detects traffic lights, negotiates roundabouts and docks at bus stops within 5 cm."
    ),
    "k09": (
        "차량 하부 카메라와 AI로 노면 상태를 인식해 서스펜션과 제동력을 실시간으로 조정하는 능동 섀시 제어 "
        "솔루션입니다. 완성차 2곳과 선행 개발을 진행 중입니다."
    ),
    "k10": (
        "Teleoperated and autonomous yard trucks for distribution centres: they hitch trailers, move them between "
        "dock doors and parking, and stop when a person walks into their path."
    ),
    "k11": (
        "An AI controller for wastewater treatment plants that sets blower speeds and chemical dosing pumps from "
        "live sensor data, cutting energy use by 25%."
    ),
    "k12": (
        "타이어 가류 공정의 금형 온도를 AI가 예측하고 스팀 밸브를 자동 제어해 가류 시간을 단축합니다. 국내 타이어 "
        "제조사 라인에서 실증했습니다."
    ),
    "k13": (
        "Wood panel grading: line-scan cameras classify knots and cracks, and a saw cuts out defective sections "
        "automatically before panels are glued."
    ),
    "k14": (
        "물류용 파렛트를 생산하는 사출 라인에 AI 비전 검사기를 설치해 변형 제품을 자동 배출하고, 사출 조건을 자동 "
        "보정합니다."
    ),
    "k15": (
        "산악 지역 송전선을 점검하는 드론이 전선을 따라 자율비행하며 애자 파손을 AI로 찾아냅니다. 한전 협력 "
        "과제로 실증 중입니다."
    ),
    "k16": (
        "We make autonomous rice transplanters: the machine plants seedlings in straight rows using RTK guidance "
        "and turns at field edges without the farmer steering."
    ),
    "k17": (
        "A robotic boat that monitors algae blooms in reservoirs: it samples water on a planned route, returns to "
        "dock on low battery, and avoids fishing nets using sonar."
    ),
    "k18": (
        "무인 항공기를 이용한 산림 방제 서비스입니다. 자체 개발한 대형 드론이 병해충 지역을 자율비행하며 약제를 "
        "살포합니다."
    ),
    "k19": (
        "AI 기반 공장 입지 분석 서비스입니다. 물류비, 인건비, 보조금 데이터를 분석해 제조기업에 최적의 공장 "
        "부지를 추천합니다."
    ),
    "k20": (
        "We provide an AI tutor that teaches high-school students physics through simulations of cars, rockets "
        "and robots."
    ),
    "k21": (
        "자율주행 기술 관련 채용 정보를 모아 주는 커리어 플랫폼입니다. AI가 개발자의 이력서를 분석해 "
        "자율주행·로봇 기업 공고를 추천합니다."
    ),
    "k22": "Our app lets drivers find and pay for parking; AI predicts which lots will fill up and sends alerts.",
    "k23": "제조업체의 작업 표준서와 도면을 다국어로 자동 번역해 주는 AI 문서 번역 서비스입니다.",
    "k24": (
        "An AI-powered procurement platform for robot makers: it finds suppliers of motors, sensors and castings "
        "and negotiates quotes by email."
    ),
    "k25": "드론 공연 기획사입니다. 드론 라이트쇼 시나리오를 AI로 디자인하고 행사 기획과 마케팅을 대행합니다.",
    "k26": (
        "A chatbot for car owners that diagnoses warning lights from a photo of the dashboard and books a repair shop."
    ),
    "k27": "물류 로봇 도입을 검토하는 기업에 ROI를 계산해 주는 AI 컨설팅 리포트 서비스입니다.",
    "k28": (
        "Sales forecasting for auto dealers using registration data and web traffic; results appear in a weekly "
        "dashboard."
    ),
    "k29": "스마트팩토리 보안 솔루션입니다. 공장 네트워크의 이상 트래픽을 AI로 탐지해 보안 담당자에게 알립니다.",
    "k30": (
        "Voice AI for elevator companies' call centres: it takes trapped-passenger calls, records the location "
        "and dispatches a technician."
    ),
    "k31": "AI로 웹툰 캐릭터를 3D 모델로 변환하는 서비스입니다. 로봇 캐릭터 IP를 활용한 굿즈 사업도 진행합니다.",
    "k32": (
        "We run a rental marketplace for construction equipment: contractors book excavators and cranes with "
        "operators through our app."
    ),
    "k33": "중고 농기계 거래 플랫폼입니다. AI가 사진으로 트랙터와 콤바인의 상태를 평가해 적정 가격을 제시합니다.",
    "k34": (
        "An AI writing assistant for engineers preparing ISO 26262 functional-safety documents for automotive software."
    ),
    "k35": (
        "Mixed: 당사의 AI 세차 로봇은 차량 형상을 3D 스캔한 뒤 robot arm이 브러시 압력과 경로를 조절해 "
        "세차합니다. 주유소 15곳에 설치되었습니다."
    ),
    "k36": "Mixed: 로봇 청소기 사용자 커뮤니티 앱입니다. AI가 제품 리뷰를 요약하고 할인 정보를 알려 줍니다.",
    "k37": "Mixed: CNC 선반의 tool wear를 AI로 예측해 공구 교체 시점에 machine을 자동으로 멈추고 offset을 보정합니다.",
    "k38": "Mixed: 제조 현장 안전교육 VR 콘텐츠와 AI quiz를 제공하는 e-learning 서비스입니다.",
    "k39": (
        "Mixed: 수중 양식장 그물 점검용 underwater drone입니다. 그물을 따라 자율 주행하며 찢어진 부분을 찾아 "
        "위치를 기록합니다."
    ),
    "k40": (
        "Mixed: AI 기반 drone 비행 허가 신청 대행 서비스로, 고객이 입력한 비행 계획을 분석해 서류를 자동 작성합니다."
    ),
}


def test_held_out_set_written_after_the_classifier():
    result = scores([(id_, *HELD_OUT_ANSWERS[id_], text, None) for id_, text in HELD_OUT.items()])
    print(
        f"\nheld-out set: precision {result['precision']:.3f}, recall {result['recall']:.3f}, "
        f"subfield accuracy on positives {result['subfield']:.3f}"
    )
    for miss in result["misses"]:
        print("  miss", miss)
    assert result["precision"] >= 0.8
    assert result["recall"] >= 0.8


# --- trap families, context rules and mixed language

TRAPS = {
    "factory chatbot (ko)": (
        "중소 제조공장을 위한 AI 챗봇입니다. 작업자가 설비 알람 코드를 입력하면 원인과 조치 방법을 알려 주고, "
        "공장 내 안전 규정을 안내합니다.",
        None,
    ),
    "factory chatbot (en)": (
        "A chatbot for factory floor staff: it explains machine alarm codes and safety rules and answers questions "
        "about shift schedules.",
        None,
    ),
    "robo-advisor (ko)": ("AI 로보어드바이저가 고객의 연금 계좌를 자동으로 운용하고 매달 리밸런싱합니다.", None),
    "robo-advisor (en)": ("A robo-advisor app that rebalances ETF portfolios for retail investors.", None),
    "RPA declared robotics (ko)": (
        "소프트웨어 로봇(RPA)이 회계 전표 입력과 대사 업무를 자동화합니다. 고객사에서 디지털 직원 200대가 일합니다.",
        "physical_ai_robotics",
    ),
    "RPA declared robotics (en)": (
        "Our software robots log into SAP, process invoices and reconcile payments around the clock.",
        "physical_ai_robotics",
    ),
    "MES dashboard": (
        "제조 중소기업용 MES 대시보드 SaaS입니다. 생산 실적과 설비 가동률을 시각화하고 AI가 일일 보고서를 작성합니다.",
        "physical_ai_manufacturing",
    ),
    "AI 로봇 상담사": (
        "AI 로봇 상담사가 보험 고객의 전화 문의에 24시간 응대하고, 복잡한 문의는 상담원에게 넘깁니다.",
        "physical_ai_robotics",
    ),
    "drone marketplace": (
        "드론 촬영 기사와 고객을 연결하는 매칭 플랫폼입니다. AI가 촬영 견적을 자동으로 산정합니다.",
        "physical_ai_robotics",
    ),
    "car insurance pricing": (
        "운전 습관 데이터를 분석해 자동차 보험료를 할인해 주는 AI 보험 플랫폼입니다.",
        "physical_ai_mobility",
    ),
    "autonomous-driving data labelling": (
        "자율주행 기업을 위해 라이다와 카메라 데이터를 라벨링하는 데이터 가공 서비스를 제공합니다. "
        "작업자 500명이 일합니다.",
        "physical_ai_mobility",
    ),
    "smart-farm marketing": (
        "스마트팜 농가를 위한 AI 마케팅 앱입니다. 작물 사진으로 판매 글을 자동 작성해 온라인 쇼핑몰에 올려 줍니다.",
        None,
    ),
    "e-commerce recommendation": (
        "Personalised product recommendations for fashion e-commerce, powered by deep learning on click streams.",
        None,
    ),
    "logistics marketplace": (
        "화주와 차주를 연결하는 AI 화물 중개 플랫폼입니다. 운임을 자동으로 산정하고 정산까지 처리합니다.",
        None,
    ),
    "car-dealer LLM bot": (
        "An LLM chatbot for car dealerships that answers questions about trims, financing and test drives.",
        "physical_ai_mobility",
    ),
    "social-media vision": (
        "Computer vision that detects logos and faces in influencer videos for brand analytics.",
        None,
    ),
    "robot metaphor (en)": (
        "Your 24/7 sales robot: an AI that writes cold emails and follows up with leads automatically.",
        None,
    ),
    "robot metaphor (ko)": (
        "24시간 쉬지 않는 AI 영업 로봇이 고객에게 맞춤 이메일을 보내고 상담 일정을 잡아 줍니다.",
        None,
    ),
}


@pytest.mark.parametrize("family", sorted(TRAPS))
def test_each_trap_family_is_not_physical_ai_even_when_declared(family):
    text, track = TRAPS[family]
    c = classify(text, declared_track=track)
    assert not c.physical_ai, c.evidence
    assert c.score < 0.5 and c.subfield is None
    assert c.evidence  # it always says why


def test_software_robots_and_chatbots_are_named_as_such_in_the_evidence():
    rpa = classify(TRAPS["RPA declared robotics (ko)"][0], declared_track="physical_ai_robotics")
    assert any(line.startswith('"RPA" — software robots') for line in rpa.evidence)
    assert not any(line.startswith('"로봇" —') for line in rpa.evidence)  # the robot inside "소프트웨어 로봇" is hidden
    chatbot = classify(TRAPS["factory chatbot (ko)"][0])
    assert any(line.startswith('"챗봇" — a chatbot') for line in chatbot.evidence)
    assert any(line.startswith('"공장" — a setting or sensor alone is weak') for line in chatbot.evidence)


def test_a_smart_factory_alone_is_weak_but_with_actuation_it_counts():
    alone = classify("스마트팩토리 전환을 돕는 AI 기업입니다. 중소 제조기업의 생산 데이터를 분석합니다.")
    assert not alone.physical_ai
    assert any(line.startswith('"스마트팩토리" — a setting or sensor alone is weak') for line in alone.evidence)
    acting = classify(
        "스마트팩토리 라인에서 AI 비전 검사 결과에 따라 로봇이 불량품을 자동 배출합니다. 금속가공 공장 4곳에 "
        "설치했습니다."
    )
    assert acting.physical_ai and acting.subfield == M


MIXED = {
    R: "ROS2 기반 cobot이 vision으로 부품을 인식해 gripper로 집어 조립 지그에 놓습니다.",
    A: "Level 4 자율주행 셔틀이 campus 내 도로를 LiDAR sensor fusion으로 주행하며 보행자를 피해 정차합니다.",
    M: "머신비전 inspection 결과에 따라 PLC가 reject actuator를 구동해 불량품을 라인에서 배출합니다.",
    D: "농업용 drone이 RTK GPS로 자율비행하며 방제 약제를 정밀 살포합니다.",
}


@pytest.mark.parametrize("subfield", sorted(MIXED))
def test_mixed_korean_and_english_descriptions(subfield):
    c = classify(MIXED[subfield])
    assert c.physical_ai and c.subfield == subfield, c.evidence


def test_korean_spacing_english_word_boundaries_and_full_width_letters():
    spaced = classify("식품 공장의 출하 공정에 협동 로봇 팔레타이징 셀을 공급합니다.")
    assert spaced.evidence[0].startswith('"협동 로봇" — a robot') and spaced.physical_ai
    # "ai" in "maintain", "bus" in "business", "ros" in "across", "van" in "advantage": not words
    plain = classify("We maintain a business across many cities, with an advantage in pricing and aid programmes.")
    assert not plain.physical_ai
    assert plain.evidence == [
        "no physical-world signal: no robot, vehicle, drone, machine control or actuation is described"
    ]
    wide = classify("ＡＭＲ 기반 물류 자동화: 로봇이 창고를 스스로 주행합니다.")  # NFKC folds full-width Latin
    assert wide.physical_ai and any(line.startswith('"AMR"') for line in wide.evidence)


# --- declarations


def test_a_declared_track_alone_does_not_make_physical_ai():
    text = "We build a mobile app for restaurants to manage reservations and reviews."
    bare = classify(text)
    declared = classify(text, declared_track="physical_ai_robotics", declared_physical_ai=True)
    assert not declared.physical_ai and declared.score < 0.2
    assert 0 < declared.score - bare.score < 0.1  # a nudge, not a verdict
    assert any("a declaration alone does not make it Physical AI" in line for line in declared.evidence)
    assert not classify("", declared_track="physical_ai_robotics", declared_physical_ai=True).physical_ai


def test_the_text_wins_over_a_declared_software_track():
    text = (
        "저희는 AI 소프트웨어 기업입니다. 용접 로봇에 부착하는 비전 컨트롤러를 개발하며, 레이저 비전 센서로 용접선을 "
        "추적해 로봇 경로를 실시간 보정합니다."
    )
    c = classify(text, declared_track="ai_software")
    assert c.physical_ai and c.subfield == M


# --- bad input

BAD_INPUT = {
    "empty": ("", "no description"),
    "whitespace": ("  \n\t \u3000 ", "no description"),
    "binary": (bytes(range(256)).decode("utf-8", errors="replace") * 20, "mostly non-text characters"),
    "emoji": ("🤖🚗🚁💯🔥✨ 로봇!!! " + "🤖" * 40, "mostly non-text characters"),
    "control bytes": ("\x00\x01\x02\x1b[31m\x7f" * 200, "mostly non-text characters"),
    "too short": ("드론 AI", "too little text to judge"),
    "other scripts": (
        "Роботы и машины 机器人 ロボットの会社 مرحبا بالعالم ข้อความภาษาไทย cobot",
        "much of the text is in other scripts",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_gives_a_low_confidence_answer_with_an_explanation(case):
    text, explanation = BAD_INPUT[case]
    started = time.perf_counter()
    c = classify(text)
    assert time.perf_counter() - started < 0.5
    assert c.confidence == "low"
    assert any(line.startswith(explanation) for line in c.evidence), c.evidence
    json.dumps(as_contract_json(c), ensure_ascii=False)  # always serialisable


def test_a_megabyte_is_truncated_quickly_and_says_so():
    description = "협동로봇이 부품을 집어 옮기고, 머신비전으로 불량품을 자동 배출합니다. "
    junk = bytes(range(32, 256)).decode("latin-1")
    for text in (description * 30_000, junk * 5_000):
        assert len(text) >= 1_000_000
        started = time.perf_counter()
        c = classify(text)
        assert time.perf_counter() - started < 1.0
        assert c.evidence[0] == "text truncated to the first 20,000 characters"
        assert c.confidence == "low"
    assert classify(description * 30_000).physical_ai  # strong evidence still counts
    assert not classify(junk * 5_000).physical_ai


# --- the contract


def test_contract_json_has_exactly_the_contract_keys_and_types():
    for text in ("", MIXED[R], TRAPS["RPA declared robotics (ko)"][0]):
        out = as_contract_json(classify(text))
        assert set(out) == CONTRACT_KEYS
        assert isinstance(out["physical_ai"], bool)
        assert isinstance(out["score"], float) and 0.0 <= out["score"] <= 1.0
        assert isinstance(out["evidence"], list) and all(isinstance(line, str) for line in out["evidence"])
        assert out["subfield"] in {R, A, M, D, None}
        assert out["confidence"] in {"high", "medium", "low"}
        assert out["physical_ai"] == (out["score"] >= 0.5)


# --- the command line


def nup_command() -> list[str]:
    script = Path(sys.executable).with_name("nup")  # the console script of the virtualenv
    return [str(script)] if script.exists() else [sys.executable, "-c", "from nup.cli import main; main()"]


def test_nup_classify_prints_one_json_object_with_no_services(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "FLASK_APP"}}
    env["NUP_INSTANCE_DIR"] = str(tmp_path / "instance")  # the embedded default, with nothing running
    description = "당사는 AMR 기반 물류 자동화 솔루션을 개발합니다. 로봇이 SLAM으로 창고를 스스로 주행합니다."
    done = subprocess.run(
        [*nup_command(), "classify", "--track", "ai_software"],
        input=description.encode(),
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    stdout = done.stdout.decode("utf-8")
    assert stdout.count("\n") == 1 and stdout.endswith("}\n")  # one JSON object and nothing else
    out = json.loads(stdout)
    assert set(out) == CONTRACT_KEYS
    assert out["physical_ai"] is True and out["subfield"] == R
    assert "로봇" in stdout and "\\u" not in stdout  # UTF-8 as is (ensure_ascii=False), no escapes
    assert out["evidence"][0] == '"AMR" — a mobile robot moving goods by itself (robotics)'
    assert not (tmp_path / "instance" / "nup.db").exists()  # no database was opened


def test_classify_command_reads_bytes_and_passes_the_track():
    from nup.cli import classify as classify_command

    runner = CliRunner()
    garbage = runner.invoke(classify_command, input=b"\xff\xfe\x00\x81" * 500)
    assert garbage.exit_code == 0
    assert json.loads(garbage.output)["confidence"] == "low"
    declared = runner.invoke(classify_command, ["--track", "physical_ai_robotics"], input="")
    out = json.loads(declared.output)
    assert out["physical_ai"] is False and any("declared track" in line for line in out["evidence"])
