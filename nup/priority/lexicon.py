"""The Physical AI lexicon: weighted Korean and English signals, machine nouns and physical verbs."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from enum import Enum

R, A, M, D = "robotics", "autonomous_driving", "smart_manufacturing", "drones_autonomous_machines"
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # keeps every offset, unlike lower()
WORD = re.compile(r"[a-z0-9]+")


class Kind(Enum):
    """How a signal counts: a machine acting, an action, a sensor, a setting, or a trap."""

    STRONG = "strong"  # names a machine that perceives and acts (협동로봇, robotaxi, 자율비행)
    ACTION = "action"  # control or actuation of a machine (조향, PLC, actuator)
    SENSING = "sensing"  # physical perception; counts only beside a machine that acts
    CONTEXT = "context"  # a setting (factory, car, farm); counts only beside a machine that acts
    TRAP = "trap"  # software that borrows physical words (RPA, chatbot, marketplace)


@dataclass(frozen=True)
class Signal:
    """One entry of the lexicon: a pattern, its weight and the reason shown as evidence."""

    key: str
    regex: re.Pattern[str]
    needles: tuple[str, ...]
    weight: float
    kind: Kind
    subfield: str | None
    reason: str
    lookup: str = "text"  # where a needle is looked up: "text", "compact" (spaces removed) or "words"
    word_start: bool = False  # the match must not follow a Latin letter or digit


def _term(term: str) -> tuple[re.Pattern[str], str, str, bool]:
    """Return the regex, the prefilter needle, where to look the needle up, and whether a word start is required.

    English (ASCII) terms are whole words joined by optional spaces or hyphens; `*` ends a stem.
    Korean terms are substrings, because particles follow without a space; compounds are written
    with or without spaces ("배달로봇", "배달 로봇"), so a term of three or more characters allows a
    space between any two, while two-character terms stay contiguous ("이 동영상" is not "이동").
    """
    if term.isascii():
        words = [w.lower() for w in re.split(r"[\s\-]+", term) if w]
        parts = [re.escape(w[:-1]) + "[a-z]*" if w.endswith("*") else re.escape(w) for w in words]
        # A literal first lets the regex engine skip ahead fast; the word start is checked in _match.
        regex = re.compile(r"[\s\-]*".join(parts) + r"(?![a-z0-9])")
        whole = [w for w in words if not w.endswith("*") and WORD.fullmatch(w)]
        if len(whole) == len(words):
            return regex, max(whole, key=len), "words", True  # a set lookup: no "bus" inside "business"
        return regex, max((w.rstrip("*") for w in words), key=len), "text", True
    chars = [c for c in term.translate(ASCII_LOWER) if not c.isspace()]  # "AI 상담" is matched lower-cased
    return re.compile((r"\s*" if len(chars) >= 3 else "").join(map(re.escape, chars))), "".join(chars), "compact", False


def _signals(kind: Kind, weight: float, subfield: str | None, reason: str, ko: str = "", en: str = "") -> list[Signal]:
    """Return one signal per "|"-separated term; all share the weight, kind, subfield and reason."""
    terms = [t.strip() for t in f"{ko}|{en}".split("|") if t.strip()]
    return [
        Signal(term, regex, (needle,), weight, kind, subfield, reason, lookup, word_start)
        for term in terms
        for regex, needle, lookup, word_start in [_term(term)]
    ]


def _raw(kind: Kind, weight: float, subfield: str | None, reason: str, pattern: str, *needles: str) -> Signal:
    """Return a signal with a hand-written regex (over lower-cased text) and its substring needles."""
    return Signal(pattern, re.compile(pattern), needles, weight, kind, subfield, reason)


# fmt: off
S, AC, SE, CX, T = Kind.STRONG, Kind.ACTION, Kind.SENSING, Kind.CONTEXT, Kind.TRAP
SIGNALS: tuple[Signal, ...] = (
    # --- robotics
    *_signals(S, 3.0, R, "a robot acting in the physical world",
              ko="협동로봇|코봇|휴머노이드|서빙로봇|배송로봇|배달로봇|청소로봇|돌봄로봇|물류로봇|"
                 "안내로봇|수확 로봇|조제 로봇|피킹 로봇|자율이동로봇|이동로봇|이동형 로봇|순찰로봇|"
                 "산업용 로봇|4족보행|사족보행|이족보행|듀얼 암",
              en="cobot*|collaborative robot*|humanoid robot*|humanoid|quadruped*|legged robot*|delivery robot*|"
                 "cleaning robot*|service robot*|mobile robot*|industrial robot*|harvesting robot*|picking robot*|"
                 "bin picking|robotic kitchen|robot learning|patrol robot*|security robot*"),
    *_signals(S, 3.0, R, "a surgical or rehabilitation robot acting on a patient",
              ko="수술로봇|재활로봇", en="surgical robot*|rehabilitation robot*|robotic surgery"),
    *_signals(S, 3.0, R, "a wearable robot that drives the wearer's joints",
              ko="외골격|웨어러블 로봇|착용형 로봇|로봇 의수|전동 의수|로봇 의족",
              en="exoskeleton*|wearable robot*|prosthetic hand*|prosthetic leg*|bionic*"),
    *_signals(S, 3.0, R, "a mobile robot moving goods by itself", en="AMR|AMRs|AGV|AGVs"),
    *_signals(S, 2.5, R, "a robot arm that handles objects",
              ko="로봇 팔|로봇 암|매니퓰레이터|로봇 손|로봇 그리퍼",
              en="robot arm*|robotic arm*|manipulator*|robotic hand*|dexterous"),
    *_signals(S, 2.5, R, "a robot foundation model that drives robots",
              ko="로봇 파운데이션 모델", en="VLA|vision language action|robot foundation model*"),
    _raw(S, 3.0, R, "a robot that drives itself",
         r"자율\s*주행\s*(?:서빙|배송|배달|청소|물류|안내|순찰|이동)?\s*로봇", "로봇"),
    *_signals(AC, 1.5, R, "a robot (a machine, unless the text says otherwise)", ko="로봇", en="robot|robots|robotic"),
    *_signals(AC, 1.25, R, "grasping: a machine handling objects",
              ko="그리퍼|파지|엔드이펙터", en="gripper*|grasp*|end effector*"),
    *_signals(AC, 1.0, R, "robot software that moves machines", en="ROS|ROS2|teleoperation|locomotion|sim to real"),
    *_signals(AC, 1.0, R, "a machine moving by itself",
              ko="원격조작|자율 이동|보행 정책", en="forklift*|drive themselves|navigat*"),
    # --- autonomous driving and future mobility
    *_signals(S, 3.0, A, "a vehicle that drives itself",
              ko="자율주행차|자율주행 차량|자율주행 트럭|자율주행 버스|자율주행 셔틀|로보택시|무인 셔틀|"
                 "발레파킹|군집주행|플래투닝|무인 운송|무인 야드 트랙터",
              en="self driving|autonomous vehicle*|autonomous driving|robotaxi*|driverless|platooning|valet parking|"
                 "autonomous shuttle*|autonomous truck*|autonomous parking"),
    # 자율주행 alone says "moves by itself", not which machine: cars, robots and tractors all use it.
    *_signals(S, 2.5, None, "autonomous driving: a machine that moves by itself", ko="자율주행"),
    *_signals(S, 2.5, A, "driver assistance acting on the vehicle",
              ko="첨단운전자보조|자동긴급제동|차선유지", en="ADAS|AEB|LKA|automatic emergency braking|lane keeping"),
    *_signals(AC, 1.5, A, "control of steering, braking or speed",
              ko="조향|제동|가감속|차량 제어|정차", en="steering|braking|motion planning|slow down"),
    _raw(AC, 1.5, A, "control of steering, braking or speed", r"(?<!가)감속(?!기)", "감속"),  # 감속기 is a gearbox
    _raw(AC, 1.5, A, "lane keeping: the AI steers the vehicle", r"keeps?\s+(?:its|their|the)\s+lanes?", "lane"),
    *_signals(AC, 1.0, A, "vehicle-level autonomy", ko="실차|HD맵",
              en="V2X|V2V|ECU|HD map*|level 3|level 4|level 5|DRIVE Orin|summon themselves|without driver input"),
    *_signals(CX, 0.5, A, "a road-vehicle setting",
              ko="차량|보행자|고속도로|도로|운전자|모빌리티|셔틀|완성차|자동차|트럭|버스|스쿠터|킥보드",
              en="vehicle*|pedestrian*|highway*|road*|bus|buses|van|vans|truck*|mobility|tractor trailer*|semi truck*|"
                 "cars|scooter*"),
    # --- AI smart manufacturing
    *_signals(S, 2.5, M, "a production robot or machine controlled by AI",
              ko="용접 로봇|로봇 용접기|도장 로봇|용접선 추적|공정 제어|설비 제어|장비 제어|자율제어|"
                 "머신비전 불량검출|런-투-런|런투런",
              en="welding robot*|painting robot*|seam tracking|process control|run to run|adaptive control*"),
    *_signals(AC, 1.5, M, "the line acts on the AI's decision (reject, stop, set-point)",
              ko="자동 배출|리젝트|자동 정지|정지 명령|정지시|셋포인트|자동 분류|에어 블로워|이젝터|선별기|자동 선별",
              en="setpoint*|set point*|reject*|divert*|stops the line|DCS|feed rate|spindle speed|air jet*|"
                 "air blower*|ejector*|sorter*"),
    *_signals(AC, 1.5, M, "machine control (PLC, CNC, equipment parameters)",
              ko="사출기|마운터|공작기계|파라미터 보정|오프셋|밀링|제어기",
              en="PLC|PLCs|CNC|machine control*|laser power|laser cutting|laser welding|milling machine*"),
    *_signals(AC, 1.25, M, "inline inspection on a production line",
              ko="머신비전|비전 검사|불량검출|결함 검출|이물질 검출|이물 검출|외관 검사",
              en="machine vision|visual inspection|vision inspection|defect detection|inspect*"),
    *_signals(CX, 0.75, M, "predictive maintenance of equipment",
              ko="예지보전|예측정비|설비 이상", en="predictive maintenance"),
    *_signals(CX, 0.5, M, "a controlled growing (production) setting", ko="온실|스마트팜", en="greenhouse*"),
    *_signals(CX, 0.5, M, "a production setting",
              ko="공장|스마트팩토리|생산라인|양산 라인|조립 라인|컨베이어|공정|설비|제조",
              en="factory|factories|smart factory|production line*|shop floor|plant|conveyor*|machining|production|"
                 "manufactur*|sheet metal|assembly line*|rolling mill*|mill"),
    # --- drones and autonomous machines
    *_signals(S, 3.0, D, "a drone or vehicle flying or sailing by itself",
              ko="자율비행|자율운항|수중 드론|군집 드론|무인선|도심항공교통|비행제어|제초 로봇|농업용 로봇|자율 농기계",
              en="autonomous flight|flies autonomously|autopilot*|autonomous surface vessel*|AUV|AUVs|USV|ROV|"
                 "autonomous underwater|UAM|eVTOL|drone in a box|detect and avoid|flight control*|weeding robot*|"
                 "field robot*|agricultural robot*"),
    _raw(S, 3.0, D, "an autonomous machine working outdoors",
         r"(?:자율\s*주행|무인)\s*(?:트랙터|농기계|콤바인|이앙기|굴착기|건설기계|잔디깎이|방제기)"
         r"|(?<![a-z])(?:autonomous|self-driving|driverless)\s+(?:tractor|excavator|mower|sprayer|loader)s?",
         "트랙터", "농기계", "콤바인", "이앙기", "굴착기", "건설기계", "잔디깎이", "방제기",
         "tractor", "excavator", "mower", "sprayer", "loader"),
    *_signals(S, 2.5, D, "a drone acting in the physical world", ko="드론", en="drone|drones|UAV|UAVs"),
    *_signals(AC, 1.5, D, "an autonomous machine working outdoors",
              ko="트랙터|굴착기|농기계|잔디깎이|예초|유압|살포|방제|조타|충돌회피|머신 가이던스",
              en="tractor*|excavator*|mower*|loaders|tramming|spray|sprays|sprayer*|collision avoidance|hydraulic*"),
    *_signals(CX, 0.5, D, "a marine or field setting",
              ko="선박|항만|양식장|농경지|논밭|과수원|광산|보트|어선",
              en="vessel*|ship|ships|boat|boats|harbour*|orchard*|mine|mining|offshore|crop row*|farmland"),
    # --- any subfield: actuation, control, autonomy, sensing
    *_signals(AC, 2.0, None, "actuators: the AI moves something",
              ko="액추에이터|구동기|모터 토크|토크를|토크 센서|서보", en="actuator*|torque|motori*ed|servo*"),
    *_signals(AC, 2.0, None, "drive-by-wire: the AI steers and brakes the machine", en="drive by wire"),
    *_signals(AC, 2.0, None, "automatic control of a machine or process",
              ko="자동 제어|자동으로 제어|실시간 제어|실시간으로 제어|직접 제어"),
    _raw(AC, 1.5, None, "the AI acts on equipment by itself",
         r"(?<![a-z])automatic(?:ally)?\s+(?:switch|adjust|stop|slow|divert|shut|open|close|steer|brake)\w*"
         # the verb only: a long clause would hide the set-points or machine named inside it
         r"|(?<![a-z])(?:tunes?|adjusts?|controls?|corrects?)(?=\s[^.]{0,60}?\s(?:in\s+real[\s-]time|automatically))"
         r"|(?:자동으로|실시간으로)\s*(?:조정|정지|감속|전환|차단|개폐|조절|바꾸|변경|보정)",
         "automatic", "real", "자동으로", "실시간으로"),
    *_signals(AC, 1.0, None, "autonomy: the machine acts without a person",
              ko="스스로|자율적으로|사람의 개입 없이|사람 없이|자율 운전|자율 운영",
              en="by itself|on its own|on their own|autonomously|autonomous|autonomous navigation|without a driver|"
                 "without an operator|without a pilot"),
    *_signals(AC, 1.25, None, "control of a machine or process",
              ko="제어|자동 조정|자동으로 조정|자동 보정|실시간 보정|즉시 보정|경로를 실시간|경로계획",
              en="path planning|controller*|control policies|control policy|real time control|closed loop"),
    *_signals(SE, 1.0, None, "perception of the physical world for a machine",
              ko="라이다|레이더|센서 융합|깊이 카메라|3D 비전|초분광|초음파 센서|열화상|촉각 센서|측위|"
                 "시뮬레이터|엣지 AI",
              en="LiDAR|radar|sensor fusion|SLAM|IMU|depth camera*|structured light|RTK|GNSS|sonar|localisation|"
                 "localization|thermal camera*|force sensor*|physics simulator|Isaac Sim|edge AI|hyperspectral|Jetson"),
    *_signals(SE, 0.75, None, "a sensor measuring the physical world", ko="센서|진동", en="sensor|sensors|vibration"),
    *_signals(CX, 0.5, None, "a digital twin (counts when it trains or runs machines)",
              ko="디지털트윈|시뮬레이션", en="digital twin*|simulation"),
    # --- traps: software that borrows physical words
    *_signals(T, -5.0, None, "software robots automate office work, not physical action",
              ko="업무 자동화 로봇|소프트웨어 로봇|디지털 직원|하이퍼오토메이션",
              en="RPA|robotic process automation|software robot*|software bot*|digital worker*|process automation|"
                 "hyperautomation"),
    *_signals(T, -5.0, None, "a robo-advisor manages money; no machine acts",
              ko="로보어드바이저", en="robo advisor*|roboadvisor*"),
    *_signals(T, -4.0, None, '"robot" used as a metaphor for software, not a machine',
              ko="로봇처럼|로봇 상담사"),
    _raw(T, -4.0, None, '"robot" used as a metaphor for software, not a machine',
         r"(?:영업|세일즈|마케팅|세무|세금|회계|법률|투자|자동\s*매매|매매|상담|채용|업무|사무|콘텐츠|글쓰기|이메일|엑셀|주식|코인)"
         r"\s*(?:로봇|봇)"
         r"|(?<![a-z])(?:sales|marketing|tax|accounting|legal|investment|investing|trading|hr|recruiting|writing|"
         r"content|email|office|support|stock|crypto)\s+(?:robot|bot)s?(?![a-z])",
         "로봇", "봇", "robot", "bot"),
    *_signals(T, -3.0, None, "a chatbot or assistant answers questions; it does not act in the physical world",
              ko="챗봇|상담봇|상담 챗봇|음성 비서|AI 상담|AI 비서|상담사",
              en="chatbot*|chat bot*|LLM assistant*|voice assistant*|virtual assistant*|customer service agent*|"
                 "copilot*|AI assistant*|assistant|technical support|customer support|autonomous agent*|AI agent*"),
    _raw(T, -3.0, None, "a chatbot or assistant answers questions; it does not act in the physical world",
         r"answers?\s+(?:[\w']+\s+){0,2}questions|질문에\s*답", "answer", "질문"),
    *_signals(T, -1.5, None, "a language model works with text, not machines",
              ko="대형언어모델|언어 모델|기술 지원|고객 지원", en="LLM|LLMs|GPT|language model*"),
    *_signals(T, -3.5, None, "data labelling is a service on data; nothing perceives or acts",
              ko="라벨링|레이블링|어노테이션|데이터 가공|데이터셋으로 판매|데이터셋 구축",
              en="annotation|annotators|labelling|labeling|pre labelling"),
    _raw(T, -2.0, None, "a dataset or data product is sold; nothing perceives or acts",
         r"(?:학습|주행)\s*데이터\s*(?:를|의)?\s*(?:판매|납품)|(?<![a-z])data annotation", "데이터", "data"),
    *_signals(T, -2.5, None, "a marketplace or brokerage connects parties; it does not operate machines",
              ko="중개 플랫폼|중개 서비스|플랫폼 중개|매칭 플랫폼|직거래|운송 중개|배송 중개",
              en="marketplace*|brokerage|freight forwarding"),
    *_signals(T, -2.5, None, "an online shop sells goods; selling robots is not building Physical AI",
              ko="온라인 쇼핑몰|B2B 쇼핑몰|D2C 쇼핑몰|쇼핑몰을 운영|쇼핑몰입니다|비교·구매|구매할 수 있는|"
                 "판매자|셀러|오픈마켓|쿠팡",
              en="online store*|online retailer*|e-commerce store*"),
    *_signals(T, -2.0, None, "recommendation is a software service",
              ko="상품 추천|개인화 추천|추천 엔진|AI 추천|추천합니다",
              en="recommendation*|dynamic pricing|search ranking"),
    *_signals(T, -2.5, None, "insurance, investment or trading is a financial service",
              ko="보험료|보험사|포트폴리오|자산관리|리밸런싱|매수|매도|투자 적정가",
              en="ETF|insurer*|insurance pricing|portfolio*|rebalanc*|auto trading|trading"),
    *_signals(T, -1.5, None, "records and reports shown to people; no machine acts on them",
              ko="대시보드|시각화|보고서|리포트|견적서|생산계획|수요를 예측|기술 동향",
              en="dashboard*|visualis*|visualiz*|reports|scheduling"),
    *_signals(T, -1.0, None, "ERP/MES software manages records; alone it controls no machine", en="ERP|MES"),
    *_signals(T, -2.0, None, "marketing, media or education is not physical action",
              ko="마케팅|인스타그램|SNS|블로그|온라인 강의|모의고사|교육 플랫폼|채용|구인|숏폼|뉴스레터|"
                 "미디어|커뮤니티|영상 편집|배경음악|특허 분석|특허를|교육 콘텐츠|교육 영상|안전교육|VR 교육",
              en="marketing|marketers|instagram|tiktok|social media|virtual tour*|e-learning|newsletter*|"
                 "video editing|footage|patent*|training videos|training content|online courses|online academy|"
                 "academy|curriculum|coding assignments|product listings|sellers"),
    _raw(T, -2.0, None, "people operate the machines; the product does not",
         r"(?<![a-z])(?:pilots?|operators?|drivers?)\s+(?:fly|flies|drive|drives|operate|operates)(?![a-z])"
         r"|(?:화물차|트럭|택배|배송)\s*기사|운전자가\s*운행|조종사가",
         "pilot", "operator", "driver", "기사", "운전자가", "조종사가"),
    *_signals(T, -3.0, None, "a virtual character or avatar, not a machine",
              ko="아바타|가상 인간|메타버스", en="avatar*|virtual human*|metaverse|digital human*"),
)
# fmt: on

# A machine and a physical verb in one sentence is the plainest sign of "perceives and acts".
MACHINE_NOUNS = {  # the singular; the plural is added below
    R: "robot robotic cobot humanoid gripper arm amr agv forklift finger",
    D: "drone boat vessel ship tractor excavator loader plough plow aircraft",
    A: "vehicle car truck bus shuttle scooter wheelchair van",
    M: "machine machinery equipment loom press furnace kiln reactor boiler pump valve motor crane hoist conveyor "
    "burner",
}
MACHINE_WORDS = {
    form: subfield
    for subfield, nouns in MACHINE_NOUNS.items()
    for noun in nouns.split()
    for form in (noun, noun + ("es" if noun.endswith(("s", "sh")) else "s"))
}
MACHINE_KO_NOUNS = {
    R: "로봇|그리퍼|매니퓰레이터|지게차",
    D: "드론|선박|보트|어선|트랙터|굴착기",
    A: "차량|자동차|트럭|버스|셔틀|스쿠터|휠체어",
    M: "기계|설비|장비|직기|프레스|가열로|용광로|반응기|보일러|펌프|밸브|모터|크레인|호이스트|컨베이어|사출기|버너",
}
MACHINE_KO = re.compile("|".join(MACHINE_KO_NOUNS.values()))
MACHINE_KO_SUBFIELD = {noun: subfield for subfield, nouns in MACHINE_KO_NOUNS.items() for noun in nouns.split("|")}
VERB_FORMS = (
    "pick picks picking places placing grasp grasps grasping carry carries carrying lift lifts lifting moves moving "
    "drive drives driving fly flies flying land lands landing roam roams patrol patrols navigate navigates steer "
    "steers brake brakes spray sprays weld welds sort sorts remove removes avoid avoids follow follows dock docks "
    "park parks climb climbs walk walks load loads unload unloads haul hauls harvest harvests clean cleans mow mows "
    "dig digs assemble assembles stop stops halt halts adjust adjusts regulate regulates change changes drill drills "
    "pour pours pipette pipettes hover hovers"
)
VERB_WORDS = frozenset(VERB_FORMS.split())
VERB_OTHER = re.compile(
    r"운반|옮기|옮겨|옮깁|집어|집고|들어\s*올|들어\s*옮|내려놓|올려놓|놓습|놓고|적재|하역|상하차|피킹|조립|용접|절단"
    r"|도장|살포|분사|투하|수확|예초|제초|청소|세척|순찰|순회|비행|이륙|착륙|주행|운항|정차|회피|피하|피해|추종|이동|배출|굴착"
    r"|조향|제동|주차|배식|수거|조절|정지|멈추|멈춥|차단|개폐|뚫"
    r"|takes?\s+off|returns?\s+to|holds?\s+course|opens?\s+doors|shuts?\s+down|cuts?\s+(?:the|each)\b"
)
ACTING_REASONS = (
    "a machine that acts: the sentence has it doing something physical",
    "another sentence where a machine acts",
)

# Signals grouped by needle, so each needle is looked up once per call.
BY_NEEDLE: dict[tuple[str, str], list[Signal]] = {}
for _signal in SIGNALS:
    for _needle in _signal.needles:
        BY_NEEDLE.setdefault((_signal.lookup, _needle), []).append(_signal)
