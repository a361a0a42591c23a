"""Blind redaction (pure): every way of writing a name or the number is masked, and only it.

Names are drawn from letters the surrounding sentences never use, so whatever the
generator writes, the only identifier in the text is the one put there on purpose.
"""

from __future__ import annotations

import itertools
import unicodedata

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nup.reviews.blind import BLIND_MASK, Identifiers, identifying_spans, name_keys, normalise, redact

SETTINGS = settings(max_examples=80, deadline=None)

NAME_SYLLABLES = "퀀텀뮤즈랩솔릭벡톤픽젠쿼헥큐브뉴럴"
CEO_SYLLABLES = "홍길동권혁준윤민희"
LATIN_LETTERS = "zyqxvj"
KOREAN_WORDS = [
    "우리",
    "회사의",
    "제품은",
    "시장에서",
    "성장을",
    "목표로",
    "합니다",
    "기술",
    "개발",
    "고객",
    "매출",
    "이",
]
ENGLISH_WORDS = ["we", "build", "the", "market", "for", "growth", "plan", "our", "team", "has", "a", "sensor"]
PUNCTUATION = [" ", ", ", ". ", "! ", "\n", " (", ") ", " - ", ": "]
PARTICLES = ["", "는", "의", "가", "를", "와"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\u115f", "\u1160", "\uffa0"]
SEPARATORS = [" ", "-", ".", "·", "\xa0", "_", "/", "\u3000", *ZERO_WIDTH]
LEGAL_BEFORE = ["", "주식회사 ", "주식회사", "(주)", "㈜", "(주) ", "유한회사 "]
LEGAL_AFTER = ["", " 주식회사", "(주)", " Inc.", ", Inc.", " Co., Ltd.", " Corp", " LLC"]

FILLER_CHARS = set("".join(KOREAN_WORDS + ENGLISH_WORDS + PARTICLES) + "명억원units대표사업자등록번호")


def test_the_name_alphabets_never_meet_the_sentences():
    for alphabet in (NAME_SYLLABLES, CEO_SYLLABLES, LATIN_LETTERS):
        assert not set(alphabet) & FILLER_CHARS


korean_name = st.text(alphabet=NAME_SYLLABLES, min_size=2, max_size=6)
ceo_name = st.text(alphabet=CEO_SYLLABLES, min_size=2, max_size=4)
latin_word = st.text(alphabet=LATIN_LETTERS, min_size=2, max_size=6)
latin_name = st.lists(latin_word, min_size=1, max_size=2).map(" ".join)
registration_number = st.text(alphabet="0123456789", min_size=10, max_size=10)


@st.composite
def sentence(draw, max_words: int = 8) -> str:
    words = draw(st.lists(st.sampled_from(KOREAN_WORDS + ENGLISH_WORDS), max_size=max_words))
    out = ""
    for word in words:
        out += word + draw(st.sampled_from(PUNCTUATION))
    if draw(st.booleans()):
        out += str(draw(st.integers(1, 999))) + draw(st.sampled_from(["%", "명", " units", "억 원"]))
        out += draw(st.sampled_from(PUNCTUATION))
    return out


def full_width(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


@st.composite
def written(draw, core: str) -> str:
    """`core` as someone may type or paste it: forms, width, case, invisible and visible separators."""
    form = draw(st.sampled_from(["NFC", "NFD", "NFKD"]))
    out = []
    for index, char in enumerate(core):
        if index and char != " ":
            out.append(draw(st.sampled_from(["", "", "", " ", *SEPARATORS])))
        if char == " ":
            out.append(draw(st.sampled_from([" ", "", "-", "\u200b", "  "])))
            continue
        if char.isascii():
            char = draw(st.sampled_from([char, char.upper()]))
            if draw(st.booleans()):
                char = full_width(char)
        out.append(unicodedata.normalize(form, char))
    return "".join(out)


@st.composite
def written_number(draw, number: str) -> str:
    style = draw(st.sampled_from(["plain", "dashed", "each"]))
    width = draw(st.booleans())
    digits = [full_width(d) if width else d for d in number]
    if style == "plain":
        return "".join(digits)
    if style == "dashed":
        sep = draw(st.sampled_from(["-", " ", ".", "‐", "－", " - "]))
        return "".join(digits[:3]) + sep + "".join(digits[3:5]) + sep + "".join(digits[5:])
    return "".join(d + draw(st.sampled_from(["", " ", "-", ".", "\u200b", "\u3000"])) for d in digits[:-1]) + digits[-1]


def leftovers(masked: str) -> str:
    """The letters and digits a reader still sees, normalised."""
    return "".join(c for c in normalise(masked).text if c.isalnum())


def digits_of(text: str) -> str:
    return "".join(c for c in normalise(text).text if c.isdigit())


@SETTINGS
@given(
    data=st.data(),
    company=st.one_of(korean_name, latin_name),
    ceo=ceo_name,
    number=registration_number,
)
def test_every_written_variant_of_the_name_ceo_and_number_is_masked(data, company, ceo, number):
    identifiers = Identifiers(company_name=company, ceo_name=ceo, registration_number=number)
    company_text = (
        data.draw(st.sampled_from(LEGAL_BEFORE)) + data.draw(written(company)) + data.draw(st.sampled_from(LEGAL_AFTER))
    )
    pieces = [
        data.draw(sentence()),
        company_text,
        data.draw(st.sampled_from(PARTICLES)) + " " + data.draw(sentence()) + "대표 ",
        data.draw(written(ceo)),
        data.draw(st.sampled_from(PARTICLES)) + ", " + data.draw(sentence()) + "사업자등록번호 ",
        data.draw(written_number(number)),
        " " + data.draw(sentence()),
    ]
    text = "".join(pieces)
    masked = redact(text, identifiers)
    seen = leftovers(masked)
    for key in name_keys(identifiers):
        assert key not in seen, (key, text, masked)
    assert number not in digits_of(masked), (text, masked)
    assert masked.count(BLIND_MASK) >= 3


@SETTINGS
@given(
    data=st.data(),
    company=st.one_of(korean_name, latin_name),
    before=sentence(),
    after=sentence(),
    legal_before=st.sampled_from(LEGAL_BEFORE),
    legal_after=st.sampled_from(LEGAL_AFTER),
    particle=st.sampled_from(PARTICLES),
)
def test_the_mask_covers_exactly_the_name_and_nothing_around_it(
    data, company, before, after, legal_before, legal_after, particle
):
    latin = company.isascii()
    variant = data.draw(written(company))
    assume(unicodedata.normalize("NFC", variant[:1]).isalnum() and unicodedata.normalize("NFC", variant[-1:]).isalnum())
    # A Latin name stands as a word of its own; a Korean one may take a particle directly.
    head = before + legal_before + (" " if latin and legal_before and not legal_before.endswith(" ") else "")
    tail = (" " if latin else particle) + legal_after + " " + after
    masked = redact(head + variant + tail, Identifiers(company_name=company + legal_after))
    assert masked == head + BLIND_MASK + tail, (head + variant + tail, masked)


@SETTINGS
@given(before=sentence(), after=sentence(), number=registration_number, data=st.data())
def test_the_number_is_masked_on_its_digits_only(before, after, number, data):
    variant = data.draw(written_number(number))
    text = before + "번호 " + variant + " " + after
    assume(number not in digits_of(before + after))
    masked = redact(text, Identifiers(registration_number=number))
    assert masked == before + "번호 " + BLIND_MASK + " " + after


@SETTINGS
@given(
    text=st.lists(sentence(), min_size=1, max_size=4).map("".join),
    company=st.one_of(korean_name, latin_name),
    ceo=ceo_name,
    number=registration_number,
)
def test_ordinary_text_is_left_byte_identical(text, company, ceo, number):
    assume(number not in digits_of(text))
    identifiers = Identifiers(
        company_name=f"주식회사 {company}", ceo_name=ceo, registration_number=number, website=f"https://{company}.kr"
    )
    assert redact(text, identifiers) == text


@SETTINGS
@given(text=st.text(max_size=200), company=st.text(max_size=20), number=st.text(alphabet="0123456789", max_size=10))
def test_any_text_keeps_everything_outside_the_masked_spans(text, company, number):
    identifiers = Identifiers(company_name=company, registration_number=number)
    spans = identifying_spans(text, identifiers)
    assert all(0 <= a < b <= len(text) for a, b in spans)
    assert all(b1 < a2 for (_a1, b1), (a2, _b2) in itertools.pairwise(spans))
    kept = [text[b:a] for (_x, b), (a, _y) in zip([(0, 0), *spans], [*spans, (len(text), len(text))], strict=True)]
    assert redact(text, identifiers) == BLIND_MASK.join(kept)


def test_the_probe_examples_are_masked():
    identifiers = Identifiers(
        company_name="주식회사 알파로보틱스",
        ceo_name="홍길동",
        registration_number="1234567890",
        website="https://www.alpharobotics.co.kr/about",
    )
    nfd = unicodedata.normalize("NFD", "알파로보틱스는 홍길동 대표가 세웠다")
    nfd_rest = unicodedata.normalize("NFD", "는 {} 대표가 세웠다")
    assert redact(nfd, identifiers) == nfd_rest.format(BLIND_MASK)[:0] + BLIND_MASK + nfd_rest.format(BLIND_MASK)
    assert redact("번호 １２３-４５-６７８９０ 입니다", identifiers) == f"번호 {BLIND_MASK} 입니다"
    assert redact("123 45 678 90", identifiers) == BLIND_MASK
    assert redact("1 2 3 4 5 6 7 8 9 0", identifiers) == BLIND_MASK
    assert redact("알파\u200b로보\u00ad틱스의 CEO 홍\u200d길동", identifiers) == f"{BLIND_MASK}의 CEO {BLIND_MASK}"
    assert redact("Visit www.AlphaRobotics.co.kr or mail ceo@alpha.kr", identifiers) == (
        f"Visit www.{BLIND_MASK}.co.kr or mail {BLIND_MASK}"
    )
    assert redact("전화 010-1234-5678", identifiers) == f"전화 {BLIND_MASK}"


def test_legal_forms_are_removed_only_as_words():
    assert name_keys(Identifiers(company_name="Princess Lab Inc.")) == ["princesslab"]
    assert redact("Princess Lab is great", Identifiers(company_name="Princess Lab Inc.")) == f"{BLIND_MASK} is great"
    # A Latin name is a word: it is not masked inside a longer word.
    assert redact("Novak met Nova", Identifiers(company_name="Nova")) == f"Novak met {BLIND_MASK}"


def test_hangul_fillers_and_a_legal_form_written_against_the_name_are_no_disguise():
    """Found by the probe: a Hangul filler (category Lo) after the name, and "RoboticsCo.,Ltd"."""
    korean = Identifiers(company_name="현대자동차", ceo_name="정대표", registration_number=None, website="")
    for filler in ("\u3164", "\u1160", "\u115f", "\uffa0"):
        masked = redact(f"우리 현대{filler}자동차{filler}는 좋습니다", korean)
        assert "현대" not in masked and "자동차" not in masked and masked.endswith("는 좋습니다")
    latin = Identifiers(company_name="Acme-Robotics Co.,Ltd", ceo_name="", registration_number=None, website="")
    assert redact("We, Acme-RoboticsCo.,Ltd, grow.", latin) == f"We, {BLIND_MASK}Co.,Ltd, grow."
    assert redact("AcmeRobotics and Acme Roboticsian", latin) == f"{BLIND_MASK} and Acme Roboticsian"
