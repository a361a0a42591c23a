"""Application journeys in a real browser, in Korean and English: apply, autosave, errors, screening."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from tests.applications.conftest import complete_application, founded_years_ago
from tests.conftest import mail_messages, wait_for
from tests.e2e.conftest import translator, wait_until

pytestmark = pytest.mark.e2e

LANGUAGES = ["ko", "en"]
PASSWORD = "Correct-Horse-Battery-9"  # make_user's default
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ON_A_DESKTOP = pytest.mark.browser_context_args(viewport=DESKTOP)
ON_A_PHONE = pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)

PDF = b"%PDF-1.4\n%test\n%%EOF\n"
VALID_BRN = "220-81-62517"
INVALID_BRN = "220-81-62518"  # one digit off: the check digit does not match
CALL_TITLES = {"ko": "2026 N-Up 모집공고", "en": "N-Up 2026 call"}


# ---------------------------------------------------------------------- set-up through the services


def unique_email(label: str) -> str:
    return f"{label}-{secrets.token_hex(4)}@example.kr"


def create_call(app, officer, closes_in=timedelta(days=5), opened=timedelta(days=5)) -> int:
    """An open, published call with the default rules, as an officer would create it."""
    from nup.accounts.models import User
    from nup.extensions import db
    from nup.programmes import services
    from nup.timeutil import to_kst, utcnow

    now = utcnow()
    with app.app_context():
        actor = db.session.get(User, officer.id)
        call = services.create_call(
            actor=actor,
            now=now,
            values={
                "title_ko": CALL_TITLES["ko"],
                "title_en": CALL_TITLES["en"],
                "announced_on": to_kst(now - opened).date(),
                "opens_at": now - opened,
                "closes_at": now + closes_in,
            },
        )
        services.publish_call(call, actor=actor, now=now)
        db.session.commit()
        return call.id


def speaks(app, user, lang: str) -> None:
    """Give the account the language it would have had from signing up in `lang` (emails use it)."""
    from nup.accounts.models import User
    from nup.extensions import db

    with app.app_context():
        db.session.get(User, user.id).language = lang
        db.session.commit()


def start_draft(app, user, call_id: int) -> int:
    """An empty draft, as the Apply button makes it."""
    from nup.accounts.models import User
    from nup.applications import services
    from nup.extensions import db
    from nup.programmes.models import Call
    from nup.timeutil import utcnow

    with app.app_context():
        application = services.start_application(
            db.session.get(Call, call_id), actor=db.session.get(User, user.id), now=utcnow()
        )
        db.session.commit()
        return application.id


def submit_application(app, user, application_id: int, withdraw: bool = False) -> str:
    from nup.accounts.models import User
    from nup.applications import services
    from nup.applications.models import Application
    from nup.extensions import db
    from nup.timeutil import utcnow

    with app.app_context():
        actor = db.session.get(User, user.id)
        application = db.session.get(Application, application_id)
        services.submit_application(application, actor=actor, now=utcnow())
        if withdraw:
            services.withdraw_application(application, actor=actor, now=utcnow())
        db.session.commit()
        return application.receipt_number


def stored(app, application_id: int):
    """The application as the database has it now (detached, with its documents loaded)."""
    from nup.applications.models import Application
    from nup.extensions import db

    with app.app_context():
        application = db.session.get(Application, application_id)
        documents = [(d.kind, d.filename, d.review_status) for d in application.documents]
        db.session.expunge(application)
        application.stored_documents = documents
        return application


def today_kst() -> str:
    from nup.timeutil import to_kst, utcnow

    return to_kst(utcnow()).date().isoformat()


def company_documents() -> list[dict]:
    """What a company must upload to a call with the default rules."""
    from nup.programmes import catalogue

    return [d for d in catalogue.DEFAULT_REQUIRED_DOCUMENTS if "company" in d["applicant_types"]]


def document_label(kind: str, lang: str) -> str:
    from nup.programmes import catalogue

    return catalogue.document_label(kind, lang)


def track_label(key: str, lang: str) -> str:
    from nup.programmes import catalogue

    track = next(t for t in catalogue.DEFAULT_TRACKS if t["key"] == key)
    return track[f"label_{lang}"]


def market_label(code: str, lang: str) -> str:
    from nup.programmes import catalogue

    ko, en = catalogue.MARKETS[code]
    return en if lang == "en" else ko


def write_pdf(folder: Path, name: str, content: bytes = PDF) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def email_to(address: str) -> list:
    return [m for m in mail_messages() if address in str(m["To"])]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# ---------------------------------------------------------------------- browser helpers

NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def settle(target: Locator) -> None:
    """Styles and fonts in, target scrolled to and the page still (see test_account_journeys.click)."""
    page = target.page
    page.wait_for_load_state("load")
    wait_until(page, "document.fonts.status === 'loaded'")
    target.scroll_into_view_if_needed()
    page.evaluate(NEXT_FRAME)


def click(target: Locator) -> None:
    settle(target)
    target.click()


def choose(scope: Locator, role: str, name: str) -> None:
    """Tick a KRDS radio button or checkbox the way a person does: by its label, which covers it."""
    label = scope.get_by_text(name, exact=True)
    click(label)
    expect(scope.get_by_role(role, name=name, exact=True)).to_be_checked()


def snap(page: Page, path: Path) -> None:
    """A full-page screenshot of the page at rest, from its top (after a jump to an #anchor, KRDS's
    header is mid-way through its scroll behaviour and would be drawn over the content)."""
    page.wait_for_load_state("load")
    wait_until(page, "document.fonts.status === 'loaded'")
    page.evaluate("window.scrollTo(0, 0)")
    page.evaluate(NEXT_FRAME)
    page.wait_for_timeout(300)
    page.screenshot(path=path, full_page=True)


def sign_in(page: Page, _, email: str, password: str = PASSWORD) -> None:
    main = page.get_by_role("main")
    main.get_by_role("textbox", name=_("Email address"), exact=True).fill(email)
    main.get_by_role("textbox", name=_("Password"), exact=True).fill(password)
    click(main.get_by_role("button", name=_("Sign in"), exact=True))


COUNT_FETCHES = """(() => {
  const original = window.fetch;
  let inflight = 0, sent = 0;
  window.fetch = function (...args) {
    inflight++; sent++;
    return original.apply(this, args).finally(() => { inflight--; });
  };
  Object.defineProperty(window, '__fetches', { get: () => ({ inflight, sent }) });
})();"""


def autosave_done(page: Page) -> None:
    """Wait, as a person waits for "Saved automatically at …", until the form's autosave has fired
    and come back. Clicking a save button while one is on its way gets a false "changed in another
    window" (see test_save_and_continue_while_an_autosave_is_on_its_way_is_not_a_conflict)."""
    for _attempt in range(10):
        sent = page.evaluate("window.__fetches.sent")
        page.wait_for_timeout(1600)  # the autosave delay is 1.5 s
        wait_until(page, "window.__fetches.inflight === 0")
        if page.evaluate("window.__fetches.sent") == sent:
            return
    raise AssertionError("the form kept autosaving")


def signed_in(page: Page, live_server, _, lang: str, user) -> None:
    page.context.add_init_script(COUNT_FETCHES)
    page.goto(live_server.url(f"/login?lang={lang}"))
    sign_in(page, _, user.email)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator("html")).to_have_attribute("lang", lang)


def message(page: Page, role: str, text: str) -> Locator:
    """The flash message (role status or alert) that says exactly `text`."""
    return page.get_by_role(role).filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def question(page: Page, text: str) -> Locator:
    """The group of options that answers a question. Until the options are a group named after
    the question (test_choice_questions_are_named_groups), fall back on the KRDS form group."""
    main = page.get_by_role("main")
    return main.get_by_role("group", name=text, exact=True).or_(
        main.locator(".form-group").filter(has=page.get_by_text(text, exact=True))
    )


WIDEST = """(limit) => [...document.querySelectorAll('body *')].filter(el => {
  const box = el.getBoundingClientRect();
  return box.width && box.right > limit + 0.5 && getComputedStyle(el).position !== 'fixed';
}).filter((el, _, all) => !all.includes(el.parentElement)).slice(0, 5).map(el => {
  const box = el.getBoundingClientRect();
  const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).filter(Boolean) : [];
  const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes.map(c => '.' + c).join('');
  return `${name} (${Math.round(box.left)}..${Math.round(box.right)}px)`;
})"""


def expect_no_sideways_scrolling(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (
        f"the page is {width}px wide on a {PHONE['width']}px screen; sticking out: "
        + ", ".join(page.evaluate(WIDEST, PHONE["width"]))
    )


def expect_within_screen(target: Locator) -> None:
    box = target.bounding_box()
    assert box is not None, "not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"sticks out of the screen: {box}"


def steps_nav(page: Page, _) -> Locator:
    return page.get_by_role("navigation", name=_("Application steps"))


def expect_current_step(page: Page, _, number: int, label: str) -> None:
    current = steps_nav(page, _).get_by_role("link", name=f"{number} {label}", exact=True)
    expect(current).to_have_attribute("aria-current", "step")
    expect(steps_nav(page, _).locator("[aria-current=step]")).to_have_count(1)


def company_step(page: Page, _) -> dict[str, Locator]:
    main = page.get_by_role("main")
    return {
        "company_name": main.get_by_role("textbox", name=_("Company name"), exact=True),
        "business_registration_number": main.get_by_role("textbox", name=_("Business registration number"), exact=True),
        "founded_on": main.get_by_label(_("Founding date"), exact=True),
        "ceo_name": main.get_by_role("textbox", name=_("CEO name"), exact=True),
        "region": main.get_by_role("combobox", name=_("Region"), exact=True),
        "employees": main.get_by_role("textbox", name=_("Employees"), exact=True),
        "industry": main.get_by_role("textbox", name=_("Industry"), exact=True),
    }


DECLARATIONS = (
    "Do you have national or local tax arrears?",
    "Are you in default on a loan?",
    "Are you banned from government support programmes?",
    "Are you supported by another central or local startup programme in the same period?",
)


def fill_company(page: Page, _, company: str, brn: str = VALID_BRN, region: str = "대전") -> None:
    """Step 1 as a founder of a company fills it: type, facts, and "No" to the four declarations."""
    main = page.get_by_role("main")
    choose(main, "radio", _("Company (법인)"))
    fields = company_step(page, _)
    fields["company_name"].fill(company)
    fields["business_registration_number"].fill(brn)
    fields["founded_on"].fill(founded_years_ago(5))
    fields["ceo_name"].fill("김하늘")
    fields["region"].select_option(region)
    fields["employees"].fill("12")
    fields["industry"].fill("로봇 제조")
    for text in DECLARATIONS:
        choose(question(page, _(text)), "radio", _("No"))


PLAN_TEXT = {
    "Summary": "Warehouse robots for small logistics centres. 중소 물류센터용 자율주행 로봇.",
    "Problem (문제인식)": "Logistics centres cannot hire enough pickers.",
    "Solution (실현가능성)": "Autonomous mobile robots with on-device vision models.",
    "Scale-up (성장전략)": "Japan first, then the United States.",
    "Team (팀 구성)": "Three robotics PhDs and two field engineers.",
}


def fill_plan(page: Page, _, lang: str) -> None:
    main = page.get_by_role("main")
    choose(main, "radio", track_label("physical_ai_robotics", lang))
    for label, text in PLAN_TEXT.items():
        main.get_by_role("textbox", name=_(label), exact=True).fill(text)
    main.get_by_role("textbox", name=_("Funding requested (won)"), exact=True).fill("200,000,000")
    for code in ("JP", "US"):
        choose(main, "checkbox", market_label(code, lang))


def upload(page: Page, _, lang: str, kind: str, path: Path, issued_on: str | None) -> None:
    """Send one file with the upload form of the documents step."""
    main = page.get_by_role("main")
    main.get_by_role("combobox", name=_("Document"), exact=True).select_option(label=document_label(kind, lang))
    main.get_by_label(_("Issue date"), exact=True).fill(issued_on or "")
    main.get_by_label(_("File"), exact=True).set_input_files(path)
    click(main.get_by_role("button", name=_("Upload"), exact=True))


def documents_table(page: Page, _) -> Locator:
    return page.get_by_role("table", name=_("Required documents and what you have uploaded"))


# ---------------------------------------------------------------------- 1. the whole journey


@ON_A_DESKTOP
@pytest.mark.parametrize("lang", LANGUAGES)
def test_founder_applies_to_an_open_call_and_gets_a_receipt(
    page: Page, live_server, e2e_worker, app, make_user, artifacts, tmp_path, lang
):
    _ = translator(lang)
    officer = make_user("officer", email=unique_email("officer"))
    call_id = create_call(app, officer)
    founder = make_user("applicant", email=unique_email(f"founder-{lang}"), name="김하늘")
    speaks(app, founder, lang)
    company = "한빛로보틱스" if lang == "ko" else "Hanbit Robotics"
    title = CALL_TITLES[lang]

    signed_in(page, live_server, _, lang, founder)
    click(page.get_by_role("navigation", name=_("Main menu")).get_by_role("link", name=_("Calls"), exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Calls for applications"))
    click(page.get_by_role("main").get_by_role("link", name=title, exact=True))

    # The call: a live countdown to the deadline, and what to prepare.
    expect(page).to_have_url(re.compile(rf"/calls/{call_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    countdown = page.get_by_role("main").locator(".nup-countdown")
    open_until = re.escape(_("Open until %(at)s", at="@@")).replace("@@", r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} KST")
    expect(countdown).to_have_text(re.compile(rf"^{open_until} — .+: 4\D+23\D+\d+\D+\d+\D*$"))
    before = countdown.inner_text()
    expect(countdown).not_to_have_text(before, timeout=3000)  # it ticks
    expect(page.get_by_role("heading", level=2, name=_("What to prepare"))).to_be_visible()
    to_prepare = page.get_by_role("table", name=_("Required documents"))
    for document in company_documents():
        expect(to_prepare.get_by_role("row").filter(has_text=document_label(document["kind"], lang))).to_have_count(1)
    snap(page, artifacts / f"apply-call-{lang}.png")
    click(page.get_by_role("main").get_by_role("button", name=_("Apply"), exact=True))

    # Step 1: the company.
    expect(page).to_have_url(re.compile(r"/applications/\d+/edit/company$"))
    application_id = int(re.search(r"/applications/(\d+)/", page.url).group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("My application"))
    expect_current_step(page, _, 1, _("Company"))
    expect(steps_nav(page, _).get_by_role("link")).to_have_count(4)
    fill_company(page, _, company)
    autosave_done(page)
    snap(page, artifacts / f"apply-step1-{lang}.png")
    click(page.get_by_role("main").get_by_role("button", name=_("Save and continue"), exact=True))

    # Step 2: the business plan.
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/edit/plan$"))
    expect(message(page, "status", _("Saved."))).to_be_visible()
    expect_current_step(page, _, 2, _("Business plan"))
    fill_plan(page, _, lang)
    autosave_done(page)
    snap(page, artifacts / f"apply-step2-{lang}.png")
    click(page.get_by_role("main").get_by_role("button", name=_("Save and continue"), exact=True))

    # Step 3: every required document, with an issue date where the call wants a recent one.
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/edit/documents$"))
    expect_current_step(page, _, 3, _("Documents"))
    table = documents_table(page, _)
    expect(table.get_by_role("row")).to_have_count(len(company_documents()) + 1)
    for document in company_documents():
        kind = document["kind"]
        path = write_pdf(tmp_path, f"{kind}.pdf")
        upload(page, _, lang, kind, path, today_kst() if document["max_age_days"] else None)
        expect(message(page, "status", _("The document has been uploaded."))).to_be_visible()
        row = table.get_by_role("row").filter(has_text=document_label(kind, lang))
        expect(row.get_by_role("link", name=f"{kind}.pdf", exact=True)).to_be_visible()
    expect(table).not_to_contain_text(_("missing"))
    snap(page, artifacts / f"apply-step3-{lang}.png")
    click(page.get_by_role("main").get_by_role("link", name=_("Continue to check and submit"), exact=True))

    # Step 4: the checklist is complete and the preview shows what was entered.
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/edit/review$"))
    expect_current_step(page, _, 4, _("Check and submit"))
    checklist = page.get_by_role("region", name=_("Checklist"))
    expect(checklist).to_contain_text(_("Everything required is there. You can submit."))
    expect(page.get_by_role("region", name=_("Eligibility check"))).to_contain_text(
        _("On the information given, you meet the call's requirements.")
    )
    expect(page.get_by_role("heading", level=2, name=_("Preview of your whole application"))).to_be_visible()
    expect(page.get_by_role("main").get_by_role("definition").filter(has_text=company)).to_have_count(1)
    expect(page.get_by_role("main").get_by_role("definition").filter(has_text=VALID_BRN)).to_have_count(1)
    expect(page.get_by_role("main")).to_contain_text(PLAN_TEXT["Problem (문제인식)"])
    submit = page.get_by_role("button", name=_("Submit application"), exact=True)
    expect(submit).to_be_enabled()
    snap(page, artifacts / f"apply-review-{lang}.png")
    click(submit)

    # The receipt, on screen and by email.
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/receipt$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Application received"))
    number_pattern = rf"NUP-{today_kst()[:4]}-\d{{6}}"
    receipt_number = (
        page.get_by_role("main").get_by_role("definition").filter(has_text=re.compile(rf"^{number_pattern}$"))
    )
    expect(receipt_number).to_have_count(1)
    number = receipt_number.inner_text().strip()
    assert stored(app, application_id).receipt_number == number
    expect(page.get_by_role("main")).to_contain_text(company)
    snap(page, artifacts / f"apply-receipt-{lang}.png")

    [email] = wait_for(lambda: email_to(founder.email), timeout=30, what="the receipt email")
    assert email["Subject"] == _("[N-Up] Application received: %(number)s", number=number)
    assert number in text_of(email)
    assert live_server.url(f"/applications/{application_id}") in text_of(email)

    # The application page: the timeline stands at "Submitted" and nothing can be changed.
    click(page.get_by_role("main").get_by_role("link", name=_("See my application"), exact=True))
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}$"))
    timeline = page.get_by_role("list", name=_("Status"))
    expect(timeline.get_by_role("listitem")).to_have_count(4)
    current = timeline.locator("[aria-current=step]")
    expect(current).to_have_count(1)
    expect(current).to_contain_text(_("Submitted"))
    expect(page.get_by_role("main").get_by_role("link", name=_("Continue editing"))).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("link", name=f"{_('Receipt')} {number}")).to_be_visible()
    snap(page, artifacts / f"apply-submitted-{lang}.png")

    for step in ("company", "plan", "documents", "review"):
        page.goto(live_server.url(f"/applications/{application_id}/edit/{step}"))
        expect(page).to_have_url(re.compile(rf"/applications/{application_id}$"))
        expect(page.get_by_role("main").get_by_role("textbox")).to_have_count(0)
    token = page.locator("input[name=csrf_token]").first.input_value()
    refused = page.request.post(
        live_server.url(f"/applications/{application_id}/autosave"),
        data=json.dumps({"company_name": "Changed after submission"}),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert refused.status == 409, refused.text()
    assert refused.json()["error"]["message"] == _("A submitted application can no longer be changed.")
    page.request.post(
        live_server.url(f"/applications/{application_id}/documents"),
        multipart={
            "csrf_token": token,
            "kind": "business_plan",
            "file": {"name": "late-plan.pdf", "mimeType": "application/pdf", "buffer": PDF},
        },
    )
    after = stored(app, application_id)
    assert (after.company_name, after.status, after.receipt_number) == (company, "submitted", number)
    assert ("business_plan", "business_plan.pdf", "pending") in after.stored_documents
    assert len(after.stored_documents) == len(company_documents())


# ---------------------------------------------------------------------- 2. on a phone


@ON_A_PHONE
@pytest.mark.parametrize("lang", LANGUAGES)
def test_founder_fills_the_first_two_steps_on_a_phone(page: Page, live_server, app, make_user, artifacts, lang):
    _ = translator(lang)
    officer = make_user("officer", email=unique_email("officer"))
    call_id = create_call(app, officer)
    founder = make_user("applicant", email=unique_email(f"phone-{lang}"), name="최유나")
    company = "모바일로보" if lang == "ko" else "Mobile Robo"

    signed_in(page, live_server, _, lang, founder)
    click(page.get_by_role("navigation", name=_("Main menu")).get_by_role("link", name=_("Calls"), exact=True))
    click(page.get_by_role("main").get_by_role("link", name=CALL_TITLES[lang], exact=True))
    expect(page).to_have_url(re.compile(rf"/calls/{call_id}$"))
    click(page.get_by_role("main").get_by_role("button", name=_("Apply"), exact=True))

    expect(page).to_have_url(re.compile(r"/applications/\d+/edit/company$"))
    expect_current_step(page, _, 1, _("Company"))
    for link in steps_nav(page, _).get_by_role("link").all():
        expect_within_screen(link)
    for field in company_step(page, _).values():
        expect_within_screen(field)
    fill_company(page, _, company)
    autosave_done(page)
    expect_no_sideways_scrolling(page)
    snap(page, artifacts / f"phone-apply-step1-{lang}.png")
    save = page.get_by_role("main").get_by_role("button", name=_("Save and continue"), exact=True)
    expect_within_screen(save)
    click(save)

    expect(page).to_have_url(re.compile(r"/applications/\d+/edit/plan$"))
    expect(message(page, "status", _("Saved."))).to_be_visible()
    expect_current_step(page, _, 2, _("Business plan"))
    main = page.get_by_role("main")
    for label in PLAN_TEXT:
        expect_within_screen(main.get_by_role("textbox", name=_(label), exact=True))
    fill_plan(page, _, lang)
    autosave_done(page)
    expect_no_sideways_scrolling(page)
    snap(page, artifacts / f"phone-apply-step2-{lang}.png")
    click(main.get_by_role("button", name=_("Save and continue"), exact=True))

    expect(page).to_have_url(re.compile(r"/applications/\d+/edit/documents$"))
    application_id = int(re.search(r"/applications/(\d+)/", page.url).group(1))
    saved = stored(app, application_id)
    assert (saved.company_name, saved.track, sorted(saved.target_markets)) == (
        company,
        "physical_ai_robotics",
        ["JP", "US"],
    )


# ---------------------------------------------------------------------- 3. autosave


def autosaved(page: Page):
    return page.expect_response(lambda r: r.url.endswith("/autosave") and r.request.method == "POST", timeout=10_000)


@ON_A_DESKTOP
@pytest.mark.parametrize("lang", LANGUAGES)
def test_autosave_keeps_typing_and_protects_against_a_stale_window(
    page: Page, live_server, app, make_user, artifacts, lang
):
    _ = translator(lang)
    officer = make_user("officer", email=unique_email("officer"))
    call_id = create_call(app, officer)
    founder = make_user("applicant", email=unique_email(f"autosave-{lang}"))
    application_id = start_draft(app, founder, call_id)
    form_url = live_server.url(f"/applications/{application_id}/edit/company")
    signed_in(page, live_server, _, lang, founder)
    page.goto(form_url)

    status = page.get_by_role("status").and_(page.locator("#autosave-status"))
    expect(status).to_have_text(_("Saved automatically as you type."))
    name = page.get_by_role("main").get_by_role("textbox", name=_("Company name"), exact=True)
    settle(name)
    with autosaved(page) as saving:
        name.press_sequentially("Nuri AI", delay=30)
    response = saving.value
    assert response.status == 200, response.text()
    expect(status).to_contain_text(response.json()["saved_at"])
    assert stored(app, application_id).company_name == "Nuri AI"
    snap(page, artifacts / f"autosave-saved-{lang}.png")

    page.reload()
    expect(name).to_have_value("Nuri AI")
    expect(status).to_have_text(_("Saved automatically as you type."))  # from the server, not restored

    # Two windows on the same form: the second one's save must not overwrite the first one's.
    other = page.context.new_page()
    other.goto(form_url)
    other_name = other.get_by_role("main").get_by_role("textbox", name=_("Company name"), exact=True)
    other_status = other.locator("#autosave-status")  # a status line that turns into an alert on a problem
    expect(other_name).to_have_value("Nuri AI")

    with autosaved(page) as first:
        name.fill("Nuri AI Robotics")
    assert first.value.status == 200
    expect(status).to_contain_text(first.value.json()["saved_at"])

    with autosaved(other) as second:
        other_name.fill("Nuri Mobility")
    assert second.value.status == 409, second.value.text()
    stale = _(
        "This application was changed in another window. Reload to see the latest version; "
        "what you typed is kept in this browser."
    )
    expect(other_status).to_have_text(stale)
    expect(other_status).to_have_attribute("role", "alert")
    expect(other_name).to_have_value("Nuri Mobility")
    assert stored(app, application_id).company_name == "Nuri AI Robotics"
    snap(other, artifacts / f"autosave-conflict-{lang}.png")

    # Saving the stale window with the button says the same, and keeps what was typed there.
    click(other.get_by_role("main").get_by_role("button", name=_("Save draft"), exact=True))
    expect(message(other, "alert", stale)).to_be_visible()
    expect(other_name).to_have_value("Nuri Mobility")
    assert stored(app, application_id).company_name == "Nuri AI Robotics"

    page.reload()
    expect(name).to_have_value("Nuri AI Robotics")


# ---------------------------------------------------------------------- 4. bad input


@ON_A_DESKTOP
@pytest.mark.parametrize("lang", LANGUAGES)
def test_bad_registration_number_and_disguised_file_are_refused_and_the_draft_kept(
    page: Page, live_server, app, make_user, artifacts, tmp_path, lang
):
    _ = translator(lang)
    officer = make_user("officer", email=unique_email("officer"))
    call_id = create_call(app, officer)
    founder = make_user("applicant", email=unique_email(f"typo-{lang}"))
    application_id = start_draft(app, founder, call_id)
    company = "한빛로보틱스" if lang == "ko" else "Hanbit Robotics"
    signed_in(page, live_server, _, lang, founder)
    page.goto(live_server.url(f"/applications/{application_id}/edit/company"))

    fill_company(page, _, company, brn=INVALID_BRN, region="부산")
    autosave_done(page)
    click(page.get_by_role("main").get_by_role("button", name=_("Save draft"), exact=True))

    error = _("This business registration number is not valid: check the digits.")
    expect(
        message(page, "alert", _("The other fields have been saved. Correct the fields marked below."))
    ).to_be_visible()
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name=_("Please correct the following")))
    expect(summary.get_by_role("link")).to_have_text([f"{_('Business registration number')}: {error}"])
    brn = company_step(page, _)["business_registration_number"]
    expect(brn).to_have_attribute("aria-invalid", "true")
    expect(brn).to_have_accessible_description(re.compile(re.escape(error)))
    expect(brn).to_have_value(INVALID_BRN)  # what was typed stays, to be corrected
    snap(page, artifacts / f"bad-brn-{lang}.png")
    saved = stored(app, application_id)
    assert (saved.company_name, saved.region, saved.applicant_type, saved.business_registration_number) == (
        company,
        "부산",
        "company",
        None,
    )
    page.goto(live_server.url(f"/applications/{application_id}/edit/company"))
    fields = company_step(page, _)
    expect(fields["company_name"]).to_have_value(company)
    expect(fields["region"]).to_have_value("부산")
    expect(fields["business_registration_number"]).to_have_value("")

    # Documents: a real PDF is kept when a text file called "plan.pdf" is sent in its place.
    page.goto(live_server.url(f"/applications/{application_id}/edit/documents"))
    upload(page, _, lang, "business_plan", write_pdf(tmp_path, "business-plan.pdf"), None)
    expect(message(page, "status", _("The document has been uploaded."))).to_be_visible()
    upload(page, _, lang, "business_plan", write_pdf(tmp_path, "plan.pdf", b"hello"), None)
    expect(
        message(
            page,
            "alert",
            _(
                "Upload a PDF, or a JPEG, PNG or TIFF scan. The content of this file is of another type, "
                "whatever its name says."
            ),
        )
    ).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/edit/documents$"))
    row = documents_table(page, _).get_by_role("row").filter(has_text=document_label("business_plan", lang))
    expect(row.get_by_role("link", name="business-plan.pdf", exact=True)).to_be_visible()
    expect(row.get_by_role("link", name="plan.pdf", exact=True)).to_have_count(0)
    snap(page, artifacts / f"bad-file-{lang}.png")
    saved = stored(app, application_id)
    assert saved.status == "draft" and saved.company_name == company
    assert saved.stored_documents == [("business_plan", "business-plan.pdf", "pending")]


# ---------------------------------------------------------------------- 5. the officer's requirements check


@ON_A_DESKTOP
@pytest.mark.parametrize("lang", LANGUAGES)
def test_officer_filters_applications_and_asks_for_a_corrected_document(
    page: Page, new_context, live_server, e2e_worker, app, make_user, artifacts, tmp_path, lang
):
    _ = translator(lang)
    officer = make_user("officer", email=unique_email(f"officer-{lang}"), name="정담당")
    call_id = create_call(app, officer)
    # (company, region, track, what happens to it)
    portfolio = [
        ("대전로보틱스", "대전", "physical_ai_robotics", "submit"),
        ("부산소프트", "부산", "ai_software", "submit"),
        ("서울모빌리티", "서울", "physical_ai_mobility", "submit"),
        ("광주기타", "광주", "other", "withdraw"),
    ]
    founders, ids = {}, {}
    for company, region, track, fate in portfolio:
        founder = make_user("applicant", email=unique_email("founder"), name=f"{company} 대표")
        speaks(app, founder, lang)
        ids[company] = complete_application(app, founder, call_id, company_name=company, region=region, track=track)
        submit_application(app, founder, ids[company], withdraw=fate == "withdraw")
        founders[company] = founder
    start_draft(app, make_user("applicant", email=unique_email("drafter")), call_id)  # one draft

    signed_in(page, live_server, _, lang, officer)
    click(page.get_by_role("navigation", name=_("Main menu")).get_by_role("link", name=_("Calls"), exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Calls"))
    row = page.get_by_role("row").filter(has_text=CALL_TITLES[lang])
    click(row.get_by_role("link", name=_("Applications"), exact=True))
    expect(page).to_have_url(re.compile(rf"/staff/calls/{call_id}/applications$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Applications"))

    counts = page.get_by_role("list", name=_("Applications by status")).get_by_role("link")
    expect(counts).to_have_text(
        [f"1 {_('Draft')}", f"3 {_('Submitted')}", f"1 {_('Withdrawn')}", f"0 {_('Under review')}", f"0 {_('Result')}"]
    )
    table = page.get_by_role("table", name=_("Applications"))

    def expect_companies(*names: str) -> None:
        expect(table.get_by_role("row")).to_have_count(len(names) + 1)
        for company in names:
            expect(table.get_by_role("row").filter(has_text=company)).to_have_count(1)
        expect(page.get_by_role("main").locator(".nup-count")).to_contain_text(str(len(names)))

    expect_companies("대전로보틱스", "부산소프트", "서울모빌리티", "광주기타")  # drafts are not listed
    snap(page, artifacts / f"officer-applications-{lang}.png")

    filters = page.get_by_role("search")
    filters.get_by_role("combobox", name=_("Region"), exact=True).select_option("부산")
    click(filters.get_by_role("button", name=_("Filter"), exact=True))
    expect(page).to_have_url(re.compile(r"region="))
    expect_companies("부산소프트")

    filters.get_by_role("combobox", name=_("Region"), exact=True).select_option(label=_("All"))
    filters.get_by_role("combobox", name=_("Physical AI"), exact=True).select_option(label=_("Yes"))
    click(filters.get_by_role("button", name=_("Filter"), exact=True))
    expect(page).to_have_url(re.compile(r"physical_ai=yes"))
    expect_companies("대전로보틱스", "서울모빌리티")
    for company in ("대전로보틱스", "서울모빌리티"):
        expect(table.get_by_role("row").filter(has_text=company)).to_contain_text(_("Physical AI"))
    snap(page, artifacts / f"officer-applications-physical-ai-{lang}.png")

    # The requirements check of one application: ask for a new certificate of registration.
    click(table.get_by_role("link", name="대전로보틱스", exact=True))
    application_id = ids["대전로보틱스"]
    expect(page).to_have_url(re.compile(rf"/staff/applications/{application_id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("대전로보틱스")
    expect(page.get_by_role("heading", level=2, name=_("Requirements check (요건검토)"))).to_be_visible()
    label = document_label("business_registration", lang)

    def certificate() -> Locator:
        return page.get_by_role("article").filter(has=page.get_by_role("heading", level=3, name=label, exact=True))

    expect(certificate()).to_contain_text(_("Not checked yet"))
    request = (
        "사업자등록증명이 흐릿합니다. 다시 발급받아 올려 주세요."
        if lang == "ko"
        else "The scan is blurred: please upload a new one."
    )
    certificate().get_by_role("textbox", name=_("Message to the applicant"), exact=True).fill(request)
    click(certificate().get_by_role("button", name=_("Ask for a correction"), exact=True))
    expect(message(page, "status", _("The correction request has been sent to the applicant."))).to_be_visible()
    expect(certificate()).to_contain_text(f"{_('Correction requested')} — {request}")
    snap(page, artifacts / f"officer-correction-{lang}.png")

    founder = founders["대전로보틱스"]
    [email] = wait_for(
        lambda: email_to(founder.email) and [m for m in email_to(founder.email) if request in text_of(m)],
        timeout=30,
        what="the correction email",
    )
    assert email["Subject"] == _("[N-Up] Please correct a document")
    assert live_server.url(f"/applications/{application_id}") in text_of(email)

    # The founder, in a browser of their own, sees the request and uploads the new certificate.
    founder_page = new_context().new_page()
    signed_in(founder_page, live_server, _, lang, founder)
    founder_page.goto(live_server.url(f"/applications/{application_id}"))
    documents = founder_page.get_by_role("main").get_by_role("listitem").filter(has_text=label)
    expect(documents).to_contain_text(f"{_('Correction requested')}: {request}")
    snap(founder_page, artifacts / f"founder-correction-requested-{lang}.png")
    corrected = write_pdf(tmp_path, "business-registration-reissued.pdf")
    documents.get_by_label(_("Upload the corrected document"), exact=True).set_input_files(corrected)
    documents.get_by_label(_("Issue date"), exact=True).fill(today_kst())
    click(documents.get_by_role("button", name=_("Upload"), exact=True))
    expect(message(founder_page, "status", _("The document has been uploaded."))).to_be_visible()
    expect(founder_page).to_have_url(re.compile(rf"/applications/{application_id}$"))
    expect(
        founder_page.get_by_role("main").get_by_role("link", name=re.compile("business-registration-reissued.pdf"))
    ).to_be_visible()
    expect(founder_page.get_by_role("main")).not_to_contain_text(request)

    # The officer sees the new file, waiting to be checked.
    page.reload()
    expect(certificate()).to_contain_text("business-registration-reissued.pdf")
    expect(certificate()).to_contain_text(_("Not checked yet"))
    snap(page, artifacts / f"officer-corrected-{lang}.png")
    saved = stored(app, application_id)
    assert ("business_registration", "business-registration-reissued.pdf", "pending") in saved.stored_documents
    assert saved.status == "submitted"


# ---------------------------------------------------------------------- 6. problems found on the way
# Each test below asserts what should happen; they fail until the problem they name is fixed.


@ON_A_DESKTOP
def test_reloading_after_a_conflict_does_not_overwrite_the_other_windows_save(page: Page, live_server, app, make_user):
    """The conflict message says "Reload to see the latest version": reloading must not throw that version away.

    Today the reloaded page restores the stale window's text from localStorage and autosaves it
    1.5 s later with the fresh version number, silently replacing what the first window saved.
    """
    _ = translator("ko")
    call_id = create_call(app, make_user("officer", email=unique_email("officer")))
    founder = make_user("applicant", email=unique_email("two-windows"))
    application_id = start_draft(app, founder, call_id)
    form_url = live_server.url(f"/applications/{application_id}/edit/company")
    signed_in(page, live_server, _, "ko", founder)
    page.goto(form_url)
    other = page.context.new_page()
    other.goto(form_url)
    name = page.get_by_role("main").get_by_role("textbox", name=_("Company name"), exact=True)
    other_name = other.get_by_role("main").get_by_role("textbox", name=_("Company name"), exact=True)
    with autosaved(page) as first:
        name.fill("First window")
    assert first.value.status == 200
    with autosaved(other) as second:
        other_name.fill("Second window")
    assert second.value.status == 409

    other.reload()  # as the message advises
    expect(other_name).to_be_visible()
    other.wait_for_timeout(4000)  # longer than the autosave delay
    assert stored(app, application_id).company_name == "First window", (
        "reloading the stale window replaced the other window's save without anyone choosing to"
    )


@ON_A_DESKTOP
def test_radio_buttons_and_checkboxes_show_which_option_is_chosen(page: Page, live_server, app, make_user, artifacts):
    """KRDS hides every native radio and checkbox and draws its own only inside .krds-form-check;
    the application form's choices (.nup-checks) get nothing, so a chosen option looks like the others."""
    _ = translator("ko")
    call_id = create_call(app, make_user("officer", email=unique_email("officer")))
    founder = make_user("applicant", email=unique_email("choices"))
    application_id = start_draft(app, founder, call_id)
    signed_in(page, live_server, _, "ko", founder)
    invisible = []
    for step in ("company", "plan"):
        page.goto(live_server.url(f"/applications/{application_id}/edit/{step}"))
        expect(steps_nav(page, _)).to_be_visible()
        for control in page.get_by_role("main").locator("input[type=radio], input[type=checkbox]").all():
            if not control.evaluate(DRAWN):
                invisible.append(f"{step}: {control.get_attribute('name')}={control.get_attribute('value')}")
    page.goto(live_server.url(f"/applications/{application_id}/edit/company"))
    fill_company(page, _, "선택표시")
    page.get_by_role("main").locator(".form-group").first.screenshot(path=artifacts / "choices-ko.png")
    assert invisible == [], f"{len(invisible)} choices with no visible box or circle, e.g. {invisible[:4]}"


DRAWN = """input => {
  const box = input.getBoundingClientRect();
  const style = getComputedStyle(input);
  if (box.width >= 10 && box.height >= 10 && style.opacity !== '0' && style.clip === 'auto') return true;
  const label = input.labels && input.labels[0];
  if (!label) return false;
  return ['::before', '::after'].some(pseudo => {
    const drawn = getComputedStyle(label, pseudo);
    return drawn.content && drawn.content !== 'none' && drawn.content !== 'normal' && parseFloat(drawn.width) >= 10;
  });
}"""


@ON_A_DESKTOP
def test_choice_questions_are_named_groups(page: Page, live_server, app, make_user):
    """Each question's <label for> points at the <ul> of options, which cannot be labelled: a screen
    reader hears four identical "No, radio button" with no question."""
    _ = translator("en")
    call_id = create_call(app, make_user("officer", email=unique_email("officer")))
    founder = make_user("applicant", email=unique_email("groups"))
    application_id = start_draft(app, founder, call_id)
    signed_in(page, live_server, _, "en", founder)
    unnamed = []
    for step, questions in (
        ("company", ["Applicant type", *DECLARATIONS]),
        ("plan", ["Track", "Target overseas markets"]),
    ):
        page.goto(live_server.url(f"/applications/{application_id}/edit/{step}"))
        main = page.get_by_role("main")
        expect(steps_nav(page, _)).to_be_visible()
        for text in questions:
            group = main.get_by_role("radiogroup", name=_(text), exact=True).or_(
                main.get_by_role("group", name=_(text), exact=True)
            )
            if group.count() != 1:
                unnamed.append(_(text))
    assert unnamed == [], f"no group named after these questions: {unnamed}"


@ON_A_PHONE
def test_tables_fit_a_phone_screen(page: Page, live_server, app, make_user, artifacts):
    """KRDS gives .krds-table-wrap the width of the whole screen less the page margins; inside a
    card (with its own padding) it sticks out, and the page scrolls sideways."""
    _ = translator("ko")
    call_id = create_call(app, make_user("officer", email=unique_email("officer")))
    founder = make_user("applicant", email=unique_email("phone-tables"))
    application_id = start_draft(app, founder, call_id)
    signed_in(page, live_server, _, "ko", founder)
    problems = []
    for path in (f"/calls/{call_id}", f"/applications/{application_id}/edit/documents"):
        page.goto(live_server.url(path))
        expect(page.get_by_role("table")).to_have_count(1)
        try:
            expect_no_sideways_scrolling(page)
        except AssertionError as error:
            problems.append(f"{path}: {error}")
    page.goto(live_server.url(f"/calls/{call_id}"))
    snap(page, artifacts / "phone-call-table-ko.png")
    assert problems == [], "; ".join(problems)


@ON_A_DESKTOP
def test_the_company_address_is_not_labelled_as_an_ip_address(page: Page, live_server, app, make_user):
    """msgid "Address" serves both the audit log's IP address column and the company's postal
    address; its Korean translation is the audit log's, so step 1 asks for an "IP address"."""
    _ = translator("ko")
    call_id = create_call(app, make_user("officer", email=unique_email("officer")))
    founder = make_user("applicant", email=unique_email("address"))
    application_id = start_draft(app, founder, call_id)
    signed_in(page, live_server, _, "ko", founder)
    page.goto(live_server.url(f"/applications/{application_id}/edit/company"))
    address = page.get_by_role("main").locator("input[autocomplete=street-address]")
    expect(address).to_be_visible()
    expect(address).not_to_have_accessible_name(re.compile(r"\bIP\b"))
    page.goto(live_server.url(f"/applications/{application_id}/edit/review"))
    expect(page.get_by_role("main").get_by_role("term").filter(has_text=re.compile(r"\bIP\b"))).to_have_count(0)


@ON_A_DESKTOP
def test_save_and_continue_while_an_autosave_is_on_its_way_is_not_a_conflict(page: Page, live_server, app, make_user):
    """On a slow line the page's own autosave can still be on its way back when the founder clicks
    "Save and continue": the form then carries the version from before that autosave, and the
    server answers 409 "changed in another window" although there is no other window."""
    _ = translator("ko")
    call_id = create_call(app, make_user("officer", email=unique_email("officer")))
    founder = make_user("applicant", email=unique_email("slow-line"))
    application_id = start_draft(app, founder, call_id)
    signed_in(page, live_server, _, "ko", founder)
    page.goto(live_server.url(f"/applications/{application_id}/edit/company"))
    held = []
    page.route("**/autosave", lambda route: held.append(route))  # the request waits here, as on a slow line
    main = page.get_by_role("main")
    with page.expect_request("**/autosave", timeout=10_000):
        main.get_by_role("textbox", name=_("Company name"), exact=True).fill("느린회선로보틱스")
    page.wait_for_function("() => true")  # let the route handler run
    assert len(held) == 1
    answer = held[0].fetch()  # the server saves it; the answer has not reached the page yet
    assert answer.status == 200
    click(main.get_by_role("button", name=_("Save and continue"), exact=True))
    with contextlib.suppress(PlaywrightError):  # the page may have moved on and dropped the request
        held[0].fulfill(response=answer)  # the answer arrives at last

    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/edit/plan$"))
    expect(message(page, "status", _("Saved."))).to_be_visible()
    page.unroute_all(behavior="ignoreErrors")
