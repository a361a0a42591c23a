"""Officers' email wording cannot hang a worker or fill its memory: hostile templates are refused
quickly with a clear message, in the preview, on saving and at send time (where the email still
leaves, in the built-in wording, and the refusal is recorded)."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import TemplateError
from sqlalchemy import select

from nup.accounts.models import User
from nup.audit.models import AuditEvent
from nup.extensions import db
from nup.notifications import sandbox, services
from nup.notifications.models import EmailTemplate
from nup.timeutil import utcnow
from tests.conftest import mail_messages, sign_in, submit

HOSTILE = {
    "huge range": "{% for i in range(10**9) %}x{% endfor %}",
    "huge text": "{{ 'x' * 10**9 }}",
    "huge list": "{{ [1] * 10**9 }}",
    "huge number": "{{ 10 ** 10 ** 10 }}",
    "nested loops": "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
    "{% endfor %}{% endfor %}{% endfor %}",
    "exponential macro": "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "endless recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "doubling by ~": "{% set a = 'x' * 1000 %}" + "{% set a = a ~ a %}" * 60 + "{{ a }}",
    "doubling by +": "{% set a = 'x' * 1000 %}" + "{% set a = a + a %}" * 60 + "{{ a|length }}",
    "shared lists": "{% set a = ['x' * 100] %}" + "{% set a = [a, a] %}" * 80 + "{{ a }}",
    "deep compare": "{% set a = ['x'] %}{% set b = ['x'] %}"
    + "{% set a = [a, a] %}{% set b = [b, b] %}" * 80
    + "{{ a == b }}",
    "filter padding": "{{ 'x'|center(10**9) }}",
    "percent padding": "{{ '%*s' % (10**9, 'x') }}",
    "method padding": "{{ 'x'.ljust(10**9) }}",
    "format method": "{{ '{:>999999999}'.format('x') }}",
    "replace blow-up": "{{ ('x' * 20000)|replace('', 'y' * 20000) }}",
    "join blow-up": "{{ range(20000)|join('y' * 20000) }}",
    "long output": "{% for i in range(10000) %}" + "z" * 100 + "{% endfor %}",
    "long macro output": "{% macro f() %}{% for i in range(10000) %}{{ 'q' * 10000 }}{% endfor %}{% endmacro %}"
    "{{ f()|length }}",
    "block set": "{% set big %}{% for i in range(10000) %}{{ 'q' * 10000 }}{% endfor %}{% endset %}{{ big|length }}",
    "lorem ipsum": "{{ lipsum(n=10**6) }}",
    "too long source": "x" * (sandbox.MAX_SOURCE + 1),
}


@pytest.fixture()
def request_context(app):
    with app.test_request_context("/?lang=en"):
        yield


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_template_is_refused_quickly(request_context, source):
    started = time.monotonic()
    with pytest.raises(TemplateError) as refused:
        sandbox.render(source, {"name": "김하늘"})
    assert time.monotonic() - started < 5
    assert str(refused.value)  # a message an officer can read


def test_ordinary_wording_renders_as_before(request_context):
    source = (
        "{{ name }}님, 접수번호 {{ receipt_number }}.\n\n"
        "{% if items %}{% for item in items %}- {{ loop.index }}. {{ item|upper }}\n{% endfor %}{% endif %}"
        "{{ name ~ '님' }} {{ (total * 2) // 3 }} {{ items|join(', ') }} {{ name|default('고객') }} {{ 2 ** 10 }}"
        "{% macro sign(who) %}-- {{ who|title }}{% endmacro %}\n{{ sign('n-up office') }}"
    )
    context = {"name": "김하늘", "receipt_number": "NUP-2026-000001", "items": ["a", "b"], "total": 30}
    assert sandbox.render(source, context) == (
        "김하늘님, 접수번호 NUP-2026-000001.\n\n- 1. A\n- 2. B\n김하늘님 20 a, b 김하늘 1024\n-- N-Up Office"
    )


@settings(max_examples=40, deadline=None)
@given(
    depth=st.integers(min_value=1, max_value=4),
    size=st.integers(min_value=0, max_value=10**12),
    repeat=st.integers(min_value=0, max_value=10**12),
    exponent=st.integers(min_value=0, max_value=10**6),
)
def test_generated_loops_and_arithmetic_either_render_small_or_are_refused(app, depth, size, repeat, exponent):
    """Whatever the sizes, rendering ends fast and its output stays under the cap."""
    source = (
        "".join(f"{{% for i{d} in range({size}) %}}" for d in range(depth))
        + f"{{{{ 'ab' * {repeat} }}}}{{{{ 7 ** {exponent} }}}}"
        + "{% endfor %}" * depth
    )
    with app.test_request_context("/"):
        started = time.monotonic()
        try:
            output = sandbox.render(source, {})
        except sandbox.TemplateRefused:
            pass
        else:
            assert len(output) <= sandbox.MAX_OUTPUT
        assert time.monotonic() - started < 5


def test_preview_and_save_refuse_hostile_wording_with_a_clear_message(app, client, officer):
    sign_in(client, officer.email)
    page = "/staff/templates/password_changed/en?lang=en"
    preview = submit(
        client, page, {"subject": "Hi", "body": "{% for i in range(10**9) %}x{% endfor %}", "preview": "1"}
    )
    assert preview.status_code in (200, 422)
    assert "range() may give at most" in preview.get_data(as_text=True)
    # The English wording's refusal is read by an officer working in Korean: in Korean.
    korean = submit(
        client,
        "/staff/templates/password_changed/en?lang=ko",
        {"subject": "Hi", "body": "{% for i in range(10**9) %}x{% endfor %}", "preview": "1"},
    )
    assert "여기서 range()는 최대" in korean.get_data(as_text=True)
    submit(client, "/staff/templates/password_changed/en?lang=en", {"subject": "Hi", "body": "Hi", "preview": "1"})
    saved = submit(client, page, {"subject": "Hi", "body": "{{ 'x' * 10**9 }}", "save": "1"})
    assert "This template cannot be used" in saved.get_data(as_text=True)
    assert "longer than 50000 characters" in saved.get_data(as_text=True)
    too_long = submit(client, page, {"subject": "Hi", "body": "x" * 20_001, "save": "1"})
    assert too_long.status_code != 302 and "20000" in too_long.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(EmailTemplate)) is None
        actor = db.session.get(User, officer.id)
        with app.test_request_context("/?lang=en"), pytest.raises(Exception) as refused:
            services.save_template(
                actor=actor, kind="password_changed", language="en", subject="Hi", body="x" * 20_001, now=utcnow()
            )
        assert "at most 20000 characters" in str(getattr(refused.value, "fields", refused.value))


def test_a_refused_template_at_send_time_sends_the_built_in_wording_and_records_why(app, make_user, officer):
    person = make_user("applicant", name="Jiwoo")
    with app.app_context():
        db.session.get(User, person.id).language = "en"
        # Stored before the limits existed (or written straight into the database): never checked.
        db.session.add(
            EmailTemplate(
                kind="password_changed",
                language="en",
                subject="Hello {{ name }}",
                body="{% for i in range(10**9) %}{{ 'x' * 10**9 }}{% endfor %}",
                updated_by_id=officer.id,
                updated_at=utcnow(),
            )
        )
        row = services.queue("password_changed", to=db.session.get(User, person.id), key="k", context={"name": "Jiwoo"})
        db.session.commit()
        assert services.deliver_notification(row.id, now=utcnow()) == "sent"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "email_template.refused"))
        assert event is not None and event.object_id == str(row.id)
        assert "built-in wording" in event.detail and "range()" in event.detail
    [message] = mail_messages()
    assert "Hello" not in message["Subject"]
    assert "x" * 100 not in message.get_body(("plain",)).get_content()


def test_the_editor_starts_from_placeholders_and_a_personal_link_email_keeps_its_wording(app, client, officer):
    """Found in a walk-through: the editor was filled with the sample (김하늘, a dead /verify/sample
    link), and saving that sent every new founder the sample's name and a link that never works."""
    sign_in(client, officer.email)
    page = client.get("/staff/templates/application_received/ko?lang=ko").get_data(as_text=True)
    assert "{{ name }}" in page and "김하늘" not in page.split("nup-mail-text")[0]
    refused = submit(
        client, "/staff/templates/verify_email/ko?lang=ko", {"subject": "확인", "body": "안녕하세요", "save": "1"}
    )
    assert refused.status_code != 302 and "기본 문구를 사용합니다" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(EmailTemplate)) is None
        # Wording stored before this rule is ignored: the email keeps its working link.
        db.session.add(EmailTemplate(kind="verify_email", language="ko", subject="확인", body="{{ name }} 님"))
        db.session.commit()
        with app.test_request_context("/"):
            from nup.notifications import delivery

            _subject, text, _html = delivery.render_parts("verify_email", "ko", {"name": "박검증", "token": "t0k"})
        assert "박검증" in text and "/verify/t0k" in text
