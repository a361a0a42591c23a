"""Account journeys in a real browser, in Korean and English: sign-up, reset, lock, officer."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import mail_messages, wait_for
from tests.e2e.conftest import translator, wait_until

pytestmark = pytest.mark.e2e

LANGUAGES = ["ko", "en"]
PASSWORD = "Correct-Horse-Battery-9"  # make_user's default
NEW_PASSWORD = "Violet-Harbour-Lantern-42"
PHONE = {"width": 390, "height": 844}


def unique_email(label: str) -> str:
    return f"{label}-{secrets.token_hex(4)}@example.kr"


def email_to(address: str) -> list:
    return [m for m in mail_messages() if address in str(m["To"])]


def wait_for_link(address: str, base: str, path: str) -> tuple:
    """Wait (through the real worker) for an email to `address`; return it and its link."""
    [message] = wait_for(lambda: email_to(address), timeout=30, what=f"an email to {address}")
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(re.escape(base + path) + r"[A-Za-z0-9_.\-]+", text)
    assert match, f"no {base}{path}... link in the email's text:\n{text}"
    return message, match.group(0)


NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def click(target: Locator) -> None:
    """Click where the target will stay.

    Styles and fonts must be in, and the page must be scrolled to the target first: once
    the page scrolls past its top, KRDS pins the header and everything below moves up by
    its height, so a click begun before that jump ends on another element.
    """
    page = target.page
    page.wait_for_load_state("load")
    wait_until(page, "document.fonts.status === 'loaded'")
    target.scroll_into_view_if_needed()
    page.evaluate(NEXT_FRAME)
    target.click()


def tick(page: Page, label: str) -> None:
    """Tick a KRDS checkbox the way a person does: by its label, which covers the box."""
    click(page.get_by_role("main").get_by_text(label, exact=True))
    expect(page.get_by_role("checkbox", name=label)).to_be_checked()


def sign_in(page: Page, _, email: str, password: str) -> None:
    """Fill and send the sign-in form of the page on screen."""
    main = page.get_by_role("main")
    main.get_by_role("textbox", name=_("Email address"), exact=True).fill(email)
    main.get_by_role("textbox", name=_("Password"), exact=True).fill(password)
    click(main.get_by_role("button", name=_("Sign in"), exact=True))


def expect_language(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)


# ---------------------------------------------------------------------- 1. sign-up


@pytest.mark.parametrize("lang", LANGUAGES)
def test_founder_signs_up_confirms_the_email_signs_in_and_out(page: Page, live_server, e2e_worker, artifacts, lang):
    _ = translator(lang)
    name = "김하늘" if lang == "ko" else "Sky Kim"
    email = unique_email(f"founder-{lang}")

    page.goto(live_server.url(f"/?lang={lang}"))
    expect_language(page, lang)
    assert {"name": "lang", "value": lang} in [{"name": c["name"], "value": c["value"]} for c in page.context.cookies()]
    click(page.get_by_role("banner").get_by_role("link", name=_("Sign up"), exact=True))

    expect(page.get_by_role("heading", level=1)).to_have_text(_("Create an applicant account"))
    main = page.get_by_role("main")
    main.get_by_role("textbox", name=_("CEO name"), exact=True).fill(name)
    main.get_by_role("textbox", name=_("Email address"), exact=True).fill(email)
    main.get_by_role("textbox", name=_("Password"), exact=True).fill(NEW_PASSWORD)
    main.get_by_role("textbox", name=_("Confirm password"), exact=True).fill(NEW_PASSWORD)
    tick(page, _("I agree (required)"))
    click(main.get_by_role("button", name=_("Create account"), exact=True))

    expect(page.get_by_role("heading", level=1)).to_have_text(_("Check your email"))
    expect(main).to_contain_text(email)
    page.screenshot(path=artifacts / f"signup-check-email-{lang}.png", full_page=True)

    message, link = wait_for_link(email, live_server.base, "/verify/")
    assert message["Subject"] == _("[N-Up] Confirm your email address")  # the sign-up's language
    page.goto(link)

    expect(page).to_have_url(re.compile(r"/login(\?lang=\w+)?$"))
    expect_language(page, lang)  # remembered from ?lang= by the cookie
    expect(page.get_by_role("status")).to_have_text(_("Your email address is confirmed. You can sign in now."))
    sign_in(page, _, email, NEW_PASSWORD)

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Welcome, %(name)s", name=name))
    banner = page.get_by_role("banner")
    expect(banner).to_contain_text(name)
    page.screenshot(path=artifacts / f"signup-dashboard-{lang}.png", full_page=True)

    click(banner.get_by_role("button", name=_("Sign out"), exact=True))
    expect(page.get_by_role("status")).to_have_text(_("You have signed out."))
    expect(page.get_by_role("banner").get_by_role("link", name=_("Sign in"), exact=True)).to_be_visible()

    page.goto(live_server.url("/dashboard"))
    expect(page).to_have_url(re.compile(r"/login\?next=(%2F|/)dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Sign in"))


# ---------------------------------------------------------------------- 2. password reset


@pytest.mark.parametrize("lang", LANGUAGES)
def test_applicant_resets_a_forgotten_password(page: Page, live_server, e2e_worker, make_user, artifacts, lang):
    _ = translator(lang)
    user = make_user("applicant", email=unique_email(f"forgetful-{lang}"), name="박서준")

    page.goto(live_server.url(f"/login?lang={lang}"))
    click(page.get_by_role("main").get_by_role("link", name=_("Forgot your password?")))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Reset your password"))
    main = page.get_by_role("main")
    main.get_by_role("textbox", name=_("Email address"), exact=True).fill(user.email)
    click(main.get_by_role("button", name=_("Send reset link")))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Check your email"))

    _message, link = wait_for_link(user.email, live_server.base, "/password/reset/")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Choose a new password"))
    expect_language(page, lang)
    main = page.get_by_role("main")
    main.get_by_role("textbox", name=_("New password"), exact=True).fill(NEW_PASSWORD)
    main.get_by_role("textbox", name=_("Confirm new password"), exact=True).fill(NEW_PASSWORD)
    page.screenshot(path=artifacts / f"reset-new-password-{lang}.png", full_page=True)
    click(main.get_by_role("button", name=_("Save new password")))

    expect(page).to_have_url(re.compile(r"/login(\?lang=\w+)?$"))
    expect(page.get_by_role("status")).to_have_text(_("Your password has been changed. Sign in with the new password."))
    sign_in(page, _, user.email, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Welcome, %(name)s", name="박서준"))
    click(page.get_by_role("banner").get_by_role("button", name=_("Sign out")))
    expect(page.get_by_role("status")).to_have_text(_("You have signed out."))

    # The old password is refused now...
    page.goto(live_server.url("/login"))
    sign_in(page, _, user.email, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text(_("The email address or password is not correct."))
    expect(page).to_have_url(re.compile(r"/login(\?lang=\w+)?$"))
    page.screenshot(path=artifacts / f"reset-old-password-refused-{lang}.png", full_page=True)

    # ...and the emailed link works only once: opening it again says so before any typing.
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/password/forgot(\?lang=\w+)?$"))
    expect(page.get_by_role("alert")).to_have_text(_("This link is invalid or has expired. Please ask for a new one."))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Reset your password"))


# ---------------------------------------------------------------------- 3. throttling


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ten_wrong_passwords_lock_this_address_out_for_a_while(page: Page, live_server, make_user, artifacts, lang):
    _ = translator(lang)
    user = make_user("applicant", email=unique_email(f"target-{lang}"))
    page.goto(live_server.url(f"/login?lang={lang}"))
    main = page.get_by_role("main")
    password = main.get_by_role("textbox", name=_("Password"), exact=True)

    def attempt(secret: str) -> int:
        posted = page.expect_response(lambda r: r.request.method == "POST" and "/login" in r.url)
        with posted as info:
            sign_in(page, _, user.email, secret)
        expect(password).to_have_value("")  # the answer page is on screen
        return info.value.status

    for n in range(10):
        assert attempt(f"Wrong-Guess-{n}") == 401
        expect(page.get_by_role("alert")).to_contain_text(_("The email address or password is not correct."))

    assert attempt(PASSWORD) == 429  # even the right password, while locked
    lock = page.get_by_role("alert").filter(has_text=_("Sign-in is locked for a while"))
    expect(lock.get_by_role("heading")).to_have_text(_("Sign-in is locked for a while"))
    expect(lock).to_contain_text(
        _(
            "There were too many failed sign-in attempts for this account from this network. For your "
            "security, sign-in from here is paused for a while (15 minutes at first, longer after further "
            "failures). If this is your account, we have emailed you a link that lifts the pause. If you "
            "forgot your password, reset it now."
        )
    )
    expect(lock.get_by_role("link", name=_("Reset my password"))).to_have_attribute(
        "href", re.compile(r"/password/forgot")
    )
    expect(page).to_have_url(re.compile(r"/login(\?lang=\w+)?$"))
    expect(page.get_by_role("banner").get_by_role("button", name=_("Sign out"))).to_have_count(0)
    page.screenshot(path=artifacts / f"sign-in-locked-{lang}.png", full_page=True)


# ---------------------------------------------------------------------- 4. form errors


def fill_sign_up(page: Page, _, name: str, email: str, password: str, confirm: str) -> None:
    main = page.get_by_role("main")
    main.get_by_role("textbox", name=_("CEO name"), exact=True).fill(name)
    main.get_by_role("textbox", name=_("Email address"), exact=True).fill(email)
    main.get_by_role("textbox", name=_("Password"), exact=True).fill(password)
    main.get_by_role("textbox", name=_("Confirm password"), exact=True).fill(confirm)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sign_up_errors_are_summarised_and_keep_what_was_typed(page: Page, live_server, artifacts, lang):
    _ = translator(lang)
    name = "이도윤" if lang == "ko" else "Doyun Lee"
    email = unique_email(f"hasty-{lang}")
    page.goto(live_server.url(f"/register?lang={lang}"))
    fill_sign_up(page, _, name, email, NEW_PASSWORD, NEW_PASSWORD + "x")  # and no consent
    main = page.get_by_role("main")
    click(main.get_by_role("button", name=_("Create account"), exact=True))

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text(_("Please correct the following"))
    expect(summary).to_be_focused()  # keyboard and screen-reader users land on it
    mismatch = summary.get_by_role("link", name=_("The two passwords do not match."))
    expect(mismatch).to_have_attribute("href", "#confirm")
    expect(main.get_by_role("textbox", name=_("CEO name"), exact=True)).to_have_value(name)
    expect(main.get_by_role("textbox", name=_("Email address"), exact=True)).to_have_value(email)
    expect(main.get_by_role("textbox", name=_("Password"), exact=True)).to_have_value("")
    expect(main.get_by_role("textbox", name=_("Confirm password"), exact=True)).to_have_value("")
    page.screenshot(path=artifacts / f"signup-errors-{lang}.png", full_page=True)


def test_sign_up_lists_every_problem_at_once(page: Page, live_server):
    """Mismatched passwords and no consent: both are listed, not one per attempt."""
    _ = translator("ko")
    page.goto(live_server.url("/register"))
    fill_sign_up(page, _, "이도윤", unique_email("hasty"), NEW_PASSWORD, NEW_PASSWORD + "x")
    click(page.get_by_role("main").get_by_role("button", name=_("Create account"), exact=True))

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link", name=_("The two passwords do not match."))).to_be_visible()
    expect(summary.get_by_role("link", name=_("This consent is required."))).to_be_visible()


FIELD_ARIA_PROBLEMS = """() => [...document.querySelectorAll('input, select, textarea')].flatMap(el => {
  const problems = [];
  const invalid = el.getAttribute('aria-invalid');
  if (invalid !== null && invalid !== 'false') problems.push(`#${el.id} aria-invalid="${invalid}"`);
  for (const id of (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)) {
    if (!document.getElementById(id)) problems.push(`#${el.id} aria-describedby -> missing #${id}`);
  }
  return problems;
})"""


def test_fields_are_announced_as_invalid_only_when_they_are(page: Page, live_server):
    """aria-invalid on a field with nothing wrong makes screen readers say "invalid entry"."""
    _ = translator("ko")
    problems = {}
    for path in ("/login", "/password/forgot", "/register"):
        page.goto(live_server.url(path))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        problems[path] = page.evaluate(FIELD_ARIA_PROBLEMS)

    fill_sign_up(page, _, "이도윤", unique_email("hasty"), NEW_PASSWORD, NEW_PASSWORD + "x")
    main = page.get_by_role("main")
    tick(page, _("I agree (required)"))
    click(main.get_by_role("button", name=_("Create account"), exact=True))
    confirm = main.get_by_role("textbox", name=_("Confirm password"), exact=True)
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(confirm).to_have_accessible_description(_("The two passwords do not match."))
    problems["/register, after a mismatch"] = [
        p for p in page.evaluate(FIELD_ARIA_PROBLEMS) if not p.startswith("#confirm ")
    ]

    assert problems == {path: [] for path in problems}


# ---------------------------------------------------------------------- 5. on a phone


def expect_no_sideways_scrolling(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


ON_A_PHONE = pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


@ON_A_PHONE
@pytest.mark.parametrize("lang", LANGUAGES)
def test_applicant_signs_in_on_a_phone(page: Page, live_server, make_user, artifacts, lang):
    _ = translator(lang)
    user = make_user("applicant", email=unique_email(f"mobile-{lang}"), name="최유나")
    page.goto(live_server.url(f"/login?lang={lang}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Sign in"))
    expect(page.get_by_role("main").get_by_role("button", name=_("Sign in"))).to_be_in_viewport()
    expect_no_sideways_scrolling(page)
    page.screenshot(path=artifacts / f"phone-sign-in-{lang}.png", full_page=True)

    sign_in(page, _, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Welcome, %(name)s", name="최유나"))
    expect(page.get_by_role("banner").get_by_role("button", name=_("Sign out"))).to_be_in_viewport()
    expect_no_sideways_scrolling(page)
    page.screenshot(path=artifacts / f"phone-dashboard-{lang}.png", full_page=True)


def shows(locator, timeout: float = 2000) -> bool:
    try:
        expect(locator).to_be_visible(timeout=timeout)
    except AssertionError:
        return False
    return True


@ON_A_PHONE
def test_menu_and_language_switcher_are_reachable_on_a_phone(page: Page, live_server, make_user):
    """Below 1024px KRDS hides the desktop menu and utility bar: something must replace them."""
    _ = translator("ko")
    user = make_user("applicant", email=unique_email("mobile"), name="최유나")
    missing = []
    page.goto(live_server.url("/login"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Sign in"))
    if not shows(page.get_by_role("link", name="English", exact=True)):
        missing.append("the language switcher")

    sign_in(page, _, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    my_account = page.get_by_role("link", name=_("My account"), exact=True)
    if not shows(my_account):  # a menu button may have to be opened first
        toggle = page.get_by_role("button", name=re.compile(r"menu|메뉴", re.IGNORECASE))
        if toggle.count():
            click(toggle.first)
        if not shows(my_account):
            missing.append("the main menu")
    assert missing == [], f"not reachable on a {PHONE['width']}px screen: {', '.join(missing)}"


# ---------------------------------------------------------------------- 6. officer


@pytest.mark.parametrize("lang", LANGUAGES)
def test_officer_invites_an_evaluator_and_checks_mail_and_audit_log(
    page: Page, live_server, e2e_worker, make_user, artifacts, lang
):
    _ = translator(lang)
    officer = make_user("officer", email=unique_email(f"officer-{lang}"), name="정담당")
    reviewer_email = unique_email(f"reviewer-{lang}")
    page.goto(live_server.url(f"/login?lang={lang}"))
    sign_in(page, _, officer.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Programme office"))
    menu = page.get_by_role("navigation", name=_("Main menu"))

    click(menu.get_by_role("link", name=_("Accounts"), exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Accounts"))
    click(page.get_by_role("link", name=_("Create an evaluator, mentor or officer account")))
    main = page.get_by_role("main")
    main.get_by_role("textbox", name=_("Name"), exact=True).fill("한평가")
    main.get_by_role("textbox", name=_("Email address"), exact=True).fill(reviewer_email)
    main.get_by_role("combobox", name=_("Role"), exact=True).select_option(label=_("Evaluator"))
    click(main.get_by_role("button", name=_("Create and send invitation")))
    expect(page.get_by_role("status")).to_have_text(
        _("The account has been created and an invitation sent to %(email)s.", email=reviewer_email)
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("한평가")

    click(menu.get_by_role("link", name=_("Accounts"), exact=True))
    row = page.get_by_role("row").filter(has_text=reviewer_email)
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell")).to_have_text(
        ["한평가", reviewer_email, _("Evaluator"), _("unconfirmed"), re.compile(r"KST$")]
    )
    page.screenshot(path=artifacts / f"officer-accounts-{lang}.png", full_page=True)

    [invitation] = wait_for(lambda: email_to(reviewer_email), timeout=30, what="the invitation email")
    click(menu.get_by_role("link", name=_("Sent mail"), exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Sent mail"))
    mail_row = page.get_by_role("row").filter(has_text=reviewer_email)
    expect(mail_row).to_have_count(1)
    expect(mail_row.get_by_role("link")).to_have_text(invitation["Subject"])
    page.screenshot(path=artifacts / f"officer-mail-{lang}.png", full_page=True)
    click(mail_row.get_by_role("link"))
    expect(page.get_by_role("heading", level=1)).to_have_text(invitation["Subject"])
    expect(page.get_by_role("main")).to_contain_text(live_server.url("/password/reset/"))

    click(menu.get_by_role("link", name=_("Audit log"), exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Audit log"))
    signed_in = page.get_by_role("row").filter(has_text="auth.signed_in")
    expect(signed_in).to_have_count(1)
    expect(signed_in).to_contain_text(officer.email)
    created = page.get_by_role("row").filter(has_text="account.created").filter(has_text=reviewer_email)
    expect(created).to_have_count(1)
    expect(created).to_contain_text(officer.email)  # who did it
    expect(created).to_contain_text('"role": "reviewer"')
    page.screenshot(path=artifacts / f"officer-audit-{lang}.png", full_page=True)


def test_staff_pages_read_naturally_in_english_and_show_kst(page: Page, live_server, e2e_worker, make_user):
    """Counts of one are singular, mail dates are in KST, no Korean label on English pages."""
    _ = translator("en")
    officer = make_user("officer", email=unique_email("officer"), name="Dana Jung")
    page.goto(live_server.url("/password/forgot?lang=en"))  # one email, through the worker
    page.get_by_role("main").get_by_role("textbox", name=_("Email address"), exact=True).fill(officer.email)
    click(page.get_by_role("main").get_by_role("button", name=_("Send reset link")))
    wait_for(lambda: email_to(officer.email), timeout=30, what="the reset email")
    page.goto(live_server.url("/login"))
    sign_in(page, _, officer.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Programme office"))
    problems = []

    page.goto(live_server.url("/staff/mail/"))
    count = page.get_by_role("main").locator(".nup-count").inner_text()
    if count != "1 message":
        problems.append(f"Sent mail says {count!r}")
    date = page.get_by_role("row").nth(1).get_by_role("cell").first.inner_text()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? KST", date):
        problems.append(f"Sent mail dates the email {date!r}, not in KST like every other page")

    page.goto(live_server.url(f"/staff/users?q={officer.email}"))
    count = page.get_by_role("main").locator(".nup-count").inner_text()
    if count != "1 account":
        problems.append(f"Accounts says {count!r}")

    page.goto(live_server.url("/staff/audit/?action=auth.signed_in"))
    count = page.get_by_role("main").locator(".nup-count").inner_text()
    if count != "1 entry":
        problems.append(f"Audit log says {count!r}")

    menu_list = page.get_by_role("navigation", name=_("Main menu")).get_by_role("list")
    label = menu_list.get_attribute("aria-label")
    if label and re.search(r"[가-힣]", label):
        problems.append(f"the English main menu's list is labelled {label!r}")

    assert problems == [], "; ".join(problems)
