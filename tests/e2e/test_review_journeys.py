"""Review and selection journeys in a real browser: evaluators score blind, officers assign and decide,
applicants read their result, object and rate.

Most evaluation strings are not translated into Korean yet: `say` gives the Korean where the
catalogue has it and the English msgid (what the page then shows) where it has not.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import mail_messages, wait_for
from tests.e2e.review_fixtures import (
    Sheet,
    assign_now,
    compute_queued_run,
    decisions_of,
    make_call,
    objections_and_ratings,
    officer,
    physical_ai_ids,
    receipts,
    release_result,
    review_setup,
    run_status,
    say,
    score_all,
    sheets,
    spread_points,
    start_queued_run,
)
from tests.e2e.test_application_journeys import (
    ON_A_DESKTOP,
    ON_A_PHONE,
    choose,
    click,
    expect_no_sideways_scrolling,
    expect_within_screen,
    message,
    signed_in,
    snap,
)

pytestmark = pytest.mark.e2e
FIXTURES = (
    review_setup,
    make_call,
    officer,
)  # pytest finds fixtures among a module's names; review_setup uses all three

CALL_TITLE = "2026 N-Up 모집공고"  # make_call's title; the Korean UI shows it
CRITERIA = {  # the default rubric (PSST): key -> (Korean label, maximum)
    "problem": ("문제인식(Problem)", 25),
    "solution": ("실현가능성(Solution)", 30),
    "scale_up": ("성장전략(Scale-up)", 25),
    "team": ("팀 구성(Team)", 20),
}


# ---------------------------------------------------------------------- browser helpers


def queue_table(page: Page, _):
    return page.get_by_role("main").get_by_role("table", name=_("My evaluations"))


def queue_row(page: Page, _, sheet: Sheet):
    return queue_table(page, _).get_by_role("row").filter(has_text=sheet.code)


def criterion(page: Page, key: str):
    """The fieldset of one criterion of the score sheet, named by its legend."""
    label, _maximum = CRITERIA[key]
    return page.get_by_role("main").get_by_role("group", name=re.compile(rf"^{re.escape(label)}"))


def points(page: Page, _, key: str):
    return criterion(page, key).get_by_role("spinbutton", name=_("Points"), exact=True)


SEEN = """els => els.filter(el => {
  const box = el.getBoundingClientRect();
  return box.width > 2 && box.height > 2 && getComputedStyle(el).clip !== 'rect(0px, 0px, 0px, 0px)';
}).length"""


def shown(target) -> int:
    """How many of the matches a sighted person can read (KRDS hides legends and captions in a 1px box)."""
    return target.evaluate_all(SEEN)


def accepting(page: Page, seen: list[str]) -> None:
    """Answer the next confirm() with OK, and note what it asked."""

    def accept(dialog) -> None:
        seen.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)


def dismissing(page: Page, seen: list[str]) -> None:
    def dismiss(dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)


def evaluation_tabs(page: Page, _):
    return page.get_by_role("navigation", name=_("Evaluation"))


def email_to(address: str) -> list:
    return [m for m in mail_messages() if address in str(m["To"])]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# ---------------------------------------------------------------------- 1. an evaluator scores


@ON_A_DESKTOP
def test_evaluator_signs_the_pledge_and_scores_blind(page: Page, live_server, app, review_setup, artifacts):
    lang = "ko"
    _ = say(lang)
    setup = review_setup(applications=6, reviewers=6, per_application=5, pledge=False)
    with app.app_context():
        assign_now(setup)
    evaluator = setup.reviewers[0]
    mine = sheets(app, reviewer_id=evaluator.id)
    assert len(mine) == 5 and mine[0].physical_ai  # each evaluator misses one of the six; two are Physical AI
    companies = {s.company_name for s in sheets(app)}

    # The dashboard counts the work and leads to the queue.
    signed_in(page, live_server, _, lang, evaluator)
    counts = page.get_by_role("list", name=_("My reviews by status")).get_by_role("link")
    expect(counts).to_have_text([f"5 {_('To do')}", f"0 {_('Submitted')}"])
    snap(page, artifacts / "review-dashboard-ko.png")
    click(page.get_by_role("main").get_by_role("link", name=_("Go to my evaluations"), exact=True))

    # The queue: blind codes only, Physical AI first (unmarked), the pledge to sign before anything.
    expect(page).to_have_url(re.compile(r"/review/\?status=todo$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("My evaluations"))
    menu = page.get_by_role("navigation", name=_("Main menu"))
    expect(menu.get_by_role("link", name=_("My evaluations"), exact=True)).to_have_attribute("aria-current", "page")
    table = queue_table(page, _)
    rows = table.locator("tbody").get_by_role("row")
    expect(rows).to_have_count(5)
    expect(rows.locator("td:first-child")).to_have_text([s.code for s in mine])
    # Physical AI first, but unmarked: its bonus is added after scoring, not by the evaluator.
    expect(table.get_by_text(_("Physical AI"), exact=True)).to_have_count(0)
    for company in companies:
        expect(page.get_by_role("main")).not_to_contain_text(company)
    expect(table).to_contain_text(CALL_TITLE)
    first = mine[0]
    pledge_link = queue_row(page, _, first).get_by_role("link", name=f"{_('Sign the pledge')} {first.code}")
    expect(pledge_link).to_be_visible()
    snap(page, artifacts / "review-queue-ko.png")

    # Opening a review before the pledge leads to the pledge, which leads back to the review.
    page.goto(live_server.url(f"/review/assignments/{first.id}"))
    pledge_url = re.compile(rf"/review/calls/{setup.call_id}/pledge\?next={first.id}$")
    expect(page).to_have_url(pledge_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Integrity pledge (청렴서약)"))
    expect(page.get_by_role("main").get_by_role("listitem")).to_have_count(5)
    main = page.get_by_role("main")
    agree = main.get_by_role("checkbox", name=_("I have read the pledge and will keep it."), exact=True)
    expect(agree).not_to_be_checked()
    click(main.get_by_role("button", name=_("Sign the pledge"), exact=True))
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name=_("Please correct the following")))
    expect(summary.get_by_role("link")).to_have_text(
        [f"{_('I have read the pledge and will keep it.')}: {_('Tick the box to sign the pledge.')}"]
    )
    expect(page).to_have_url(pledge_url)
    choose(main, "checkbox", _("I have read the pledge and will keep it."))
    snap(page, artifacts / "review-pledge-ko.png")
    click(main.get_by_role("button", name=_("Sign the pledge"), exact=True))

    # The score form: the application without its identity, one fieldset per criterion.
    score_url = re.compile(rf"/review/assignments/{first.id}(#[\w-]+)?$")
    expect(page).to_have_url(score_url)
    expect(message(page, "status", _("Thank you. You signed the integrity pledge."))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{_('Review')} {first.code}")
    for company in companies:
        expect(page.get_by_role("main")).not_to_contain_text(company)
    expect(page.get_by_role("main").locator("fieldset")).to_have_count(len(CRITERIA))
    for key, (label, maximum) in CRITERIA.items():  # each criterion and its maximum, for the eye too
        expect(criterion(page, key)).to_have_accessible_name(f"{label} ({_('max %(max)s points', max=str(maximum))})")
        assert shown(criterion(page, key).get_by_text(label)), f"the criterion {label} is not on the screen"
        assert shown(criterion(page, key).get_by_text(_("max %(max)s points", max=str(maximum)))), "no maximum shown"
    status = page.get_by_role("main").get_by_role("paragraph").filter(has_text=re.compile(rf"^{_('Status')}:"))
    expect(status).to_have_text(f"{_('Status')}: {_('Not started')}")

    # A value above the criterion's maximum is refused, next to the field and in the summary.
    values = {"problem": "22", "solution": "35", "scale_up": "20", "team": "18"}
    for key, value in values.items():
        points(page, _, key).fill(value)
    page.get_by_role("main").get_by_role("textbox", name=_("Overall comment"), exact=True).fill(
        "시장 근거가 구체적입니다. 팀 구성 보완이 필요합니다."
    )
    click(page.get_by_role("main").get_by_role("button", name=_("Submit score"), exact=True))
    expect(page).to_have_url(score_url)
    too_high = _("Enter points from 0 to %(max)s.", max="30")
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name=_("Please correct the following")))
    expect(summary.get_by_role("link")).to_have_text([f"{CRITERIA['solution'][0]}: {too_high}"])
    expect(summary.get_by_role("link")).to_have_attribute("href", "#points-solution")
    solution = points(page, _, "solution")
    expect(solution).to_have_attribute("aria-invalid", "true")
    expect(solution).to_have_accessible_description(re.compile(re.escape(too_high)))
    expect(points(page, _, "team")).to_have_accessible_description("대표자와 팀의 역량, 협력 네트워크가 충분한가")
    expect(solution).to_have_value("35")  # what was typed stays, to be corrected
    for key in ("problem", "scale_up", "team"):
        expect(points(page, _, key)).to_have_value(values[key])
        expect(points(page, _, key)).not_to_have_attribute("aria-invalid", "true")
    expect(status).to_have_text(f"{_('Status')}: {_('Not started')}")
    snap(page, artifacts / "review-score-error-ko.png")
    assert sheets(app, reviewer_id=evaluator.id)[0].status == "assigned"

    click(summary.get_by_role("link"))  # the summary's link takes the eye to the field
    expect(solution).to_be_focused()
    solution.fill("28")
    click(page.get_by_role("main").get_by_role("button", name=_("Submit score"), exact=True))

    expect(page).to_have_url(score_url)
    expect(
        message(page, "status", _("Your score is submitted. You can change it until the stage closes."))
    ).to_be_visible()
    expect(status).to_have_text(f"{_('Status')}: {_('Submitted')} · {_('Total')} 88.0")
    expect(
        page.get_by_role("main").get_by_role("button", name=_("Submit the changed score"), exact=True)
    ).to_be_visible()
    expect(page.get_by_role("main").get_by_role("button", name=_("Save draft"), exact=True)).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)
    snap(page, artifacts / "review-submitted-ko.png")
    saved = next(s for s in sheets(app, reviewer_id=evaluator.id) if s.id == first.id)
    assert (saved.status, saved.total) == ("submitted", 88.0)

    # Back in the queue, the review is submitted and has moved below the ones still to do.
    click(page.get_by_role("main").get_by_role("link", name=_("My evaluations"), exact=True))
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(rows).to_have_count(5)
    done = queue_row(page, _, first)
    expect(done).to_contain_text(f"{_('Submitted')} · 88.0")
    expect(done.get_by_role("link", name=f"{_('View')} {first.code}")).to_be_visible()
    expect(rows.last).to_contain_text(first.code)
    counts = page.get_by_role("list", name=_("My reviews by status")).get_by_role("link")
    expect(counts).to_have_text([f"4 {_('To do')}", f"1 {_('Submitted')}", f"5 {_('All')}"])
    snap(page, artifacts / "review-queue-after-ko.png")


# ---------------------------------------------------------------------- 2. an evaluator withdraws (회피)


@ON_A_DESKTOP
def test_evaluator_withdraws_from_a_review_with_a_conflict_of_interest(
    page: Page, live_server, app, review_setup, artifacts
):
    lang = "ko"
    _ = say(lang)
    setup = review_setup(applications=6, reviewers=6, per_application=5)
    with app.app_context():
        assign_now(setup)
    evaluator = setup.reviewers[1]
    mine = sheets(app, reviewer_id=evaluator.id)
    leaving = mine[-1]
    others_before = {s.reviewer_id for s in sheets(app, application_id=leaving.application_id)}
    assert evaluator.id in others_before and len(others_before) == 5

    signed_in(page, live_server, _, lang, evaluator)
    page.goto(live_server.url("/review/"))
    click(queue_row(page, _, leaving).get_by_role("link", name=f"{_('Score')} {leaving.code}"))
    expect(page).to_have_url(re.compile(rf"/review/assignments/{leaving.id}$"))

    main = page.get_by_role("main")
    reason = main.get_by_role("textbox", name=_("Reason for withdrawing"), exact=True)
    expect(reason).to_be_hidden()  # folded away until asked for
    click(main.get_by_text(_("I have a conflict of interest with this application"), exact=True))
    expect(reason).to_be_visible()
    withdraw = main.get_by_role("button", name=_("Withdraw from this review"), exact=True)

    # Cancelling the confirmation changes nothing.
    reason.fill("신청 기업의 대표가 전 직장 동료입니다.")
    asked: list[str] = []
    dismissing(page, asked)
    click(withdraw)
    assert asked == [_("Withdraw from this review?")]
    expect(page).to_have_url(re.compile(rf"/review/assignments/{leaving.id}$"))
    expect(reason).to_have_value("신청 기업의 대표가 전 직장 동료입니다.")
    assert next(s for s in sheets(app, reviewer_id=evaluator.id) if s.id == leaving.id).status == "assigned"
    snap(page, artifacts / "review-withdraw-form-ko.png")

    # Confirming it: the review leaves the queue and someone else takes the place.
    accepting(page, asked)
    click(withdraw)
    assert asked == [_("Withdraw from this review?")] * 2
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(
        message(
            page, "status", _("You have withdrawn from this review. The programme office has been given a replacement.")
        )
    ).to_be_visible()
    rows = queue_table(page, _).locator("tbody").get_by_role("row")
    expect(rows).to_have_count(len(mine) - 1)
    expect(queue_table(page, _)).not_to_contain_text(leaving.code)
    counts = page.get_by_role("list", name=_("My reviews by status")).get_by_role("link")
    expect(counts.last).to_have_text(f"{len(mine) - 1} {_('All')}")
    snap(page, artifacts / "review-withdrawn-ko.png")

    after = sheets(app, application_id=leaving.application_id)
    assert next(s for s in after if s.id == leaving.id).status == "recused"
    live = {s.reviewer_id for s in after if s.status == "assigned"}
    assert evaluator.id not in live and len(live) == 5, "a replacement takes the evaluator's place"

    page.goto(live_server.url(f"/review/assignments/{leaving.id}"))  # and the application is out of reach
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Page not found"))


# ---------------------------------------------------------------------- 5. security by URL


@ON_A_DESKTOP
def test_evaluator_cannot_open_another_evaluators_review_or_the_officers_pages(
    page: Page, live_server, app, review_setup, artifacts
):
    lang = "ko"
    _ = say(lang)
    setup = review_setup(applications=2, reviewers=6, per_application=5)
    with app.app_context():
        assign_now(setup)
    evaluator = setup.reviewers[0]
    mine = {s.id for s in sheets(app, reviewer_id=evaluator.id)}
    theirs = next(s for s in sheets(app) if s.id not in mine)
    companies = {s.company_name for s in sheets(app)}

    signed_in(page, live_server, _, lang, evaluator)
    response = page.goto(live_server.url(f"/review/assignments/{theirs.id}"))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Page not found"))
    expect(page.get_by_role("main")).not_to_contain_text(theirs.code)
    for company in companies:
        expect(page.get_by_role("main")).not_to_contain_text(company)
    snap(page, artifacts / "review-not-yours-ko.png")

    for path in (
        f"/staff/calls/{setup.call_id}/ranking",
        f"/staff/calls/{setup.call_id}/evaluation",
        f"/staff/applications/{theirs.application_id}/evaluation",
    ):
        response = page.goto(live_server.url(path))
        assert response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text(_("You do not have access to this page"))
        expect(page.get_by_role("main").get_by_role("table")).to_have_count(0)
        for company in companies:
            expect(page.get_by_role("main")).not_to_contain_text(company)
    page.goto(live_server.url(f"/staff/calls/{setup.call_id}/ranking"))
    snap(page, artifacts / "review-ranking-forbidden-ko.png")

    # Nor can they score it by posting the form straight to its address.
    page.goto(live_server.url("/review/"))
    token = page.locator("input[name=csrf_token]").first.input_value()  # the sign-out form's
    refused = page.request.post(
        live_server.url(f"/review/assignments/{theirs.id}"),
        form={"csrf_token": token, "action": "submit", **{f"points-{k}": "1" for k in CRITERIA}},
    )
    assert refused.status == 404
    assert next(s for s in sheets(app) if s.id == theirs.id).status == "assigned"


# ---------------------------------------------------------------------- 6. on a phone


@ON_A_PHONE
def test_score_form_is_usable_on_a_phone(page: Page, live_server, app, review_setup, artifacts):
    lang = "ko"
    _ = say(lang)
    setup = review_setup(applications=2, reviewers=5, per_application=5)
    with app.app_context():
        assign_now(setup)
    evaluator = setup.reviewers[0]
    first = sheets(app, reviewer_id=evaluator.id)[0]

    signed_in(page, live_server, _, lang, evaluator)
    page.goto(live_server.url("/review/"))
    expect_no_sideways_scrolling(page)
    snap(page, artifacts / "phone-review-queue-ko.png")
    page.goto(live_server.url(f"/review/assignments/{first.id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{_('Review')} {first.code}")
    expect_no_sideways_scrolling(page)

    # The two columns stack: the application first, the score sheet below it, both the screen's width.
    application = page.get_by_role("region", name=_("Application"), exact=True)
    sheet = page.get_by_role("region", name=_("Score sheet"), exact=True)
    above, below = application.bounding_box(), sheet.bounding_box()
    assert above["y"] + above["height"] <= below["y"], (above, below)
    assert abs(above["x"] - below["x"]) < 1 and abs(above["width"] - below["width"]) < 1
    for key in CRITERIA:
        expect_within_screen(points(page, _, key))
        assert points(page, _, key).bounding_box()["height"] >= 40, "too small a target for a finger"
    submit = page.get_by_role("main").get_by_role("button", name=_("Submit score"), exact=True)
    expect_within_screen(submit)
    snap(page, artifacts / "phone-review-score-ko.png")

    for key, value in {"problem": "20", "solution": "25", "scale_up": "21", "team": "17"}.items():
        points(page, _, key).fill(value)
    click(submit)
    expect(
        message(page, "status", _("Your score is submitted. You can change it until the stage closes."))
    ).to_be_visible()
    expect_no_sideways_scrolling(page)
    saved = next(s for s in sheets(app, reviewer_id=evaluator.id) if s.id == first.id)
    assert (saved.status, saved.total) == ("submitted", 83.0)


# ---------------------------------------------------------------------- 3. an officer assigns, ranks, decides


@ON_A_DESKTOP
def test_officer_assigns_evaluators_ranks_decides_and_sends_the_letters(
    page: Page, live_server, e2e_worker, app, review_setup, artifacts
):
    lang = "ko"
    _ = say(lang)
    setup = review_setup(applications=6, reviewers=6, per_application=5)
    call_id = setup.call_id
    numbers = receipts(app, setup.application_ids)
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))

    signed_in(page, live_server, _, lang, setup.officer)
    click(page.get_by_role("navigation", name=_("Main menu")).get_by_role("link", name=_("Calls"), exact=True))
    row = page.get_by_role("main").get_by_role("row").filter(has_text=CALL_TITLE)
    click(row.get_by_role("link", name=_("Evaluation"), exact=True))

    # The call's evaluation page: six applications wait for evaluators.
    expect(page).to_have_url(re.compile(rf"/staff/calls/{call_id}/evaluation$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Evaluation"))
    expect(evaluation_tabs(page, _).get_by_role("link", name=_("Panels and assignment"))).to_have_attribute(
        "aria-current", "page"
    )
    progress = page.get_by_role("region", name=_("Progress"), exact=True)
    expect(progress.get_by_role("definition").first).to_have_text("6")
    assign = page.get_by_role("region", name=_("Assign evaluators"), exact=True)
    per_application = assign.get_by_role("spinbutton", name=_("Evaluators per application"), exact=True)
    expect(per_application).to_have_value("5")
    assign.get_by_role("spinbutton", name=_("Random seed (optional)"), exact=True).fill("11")
    snap(page, artifacts / "officer-evaluation-ko.png")
    click(assign.get_by_role("button", name=_("Propose an assignment"), exact=True))

    # The run: computed by the worker; the page shows its progress and then the proposal.
    expect(page).to_have_url(re.compile(r"/staff/assignment-runs/\d+$"))
    run_id = int(re.search(r"/assignment-runs/(\d+)$", page.url).group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{_('Assignment proposal')} #{run_id}")
    in_progress = page.get_by_role("progressbar", name=_("Progress")).count() == 1  # the worker is not done yet
    if in_progress:
        expect(page.get_by_role("main").get_by_role("status")).to_have_text(
            _("The optimiser is working. This page refreshes itself when the proposal is ready.")
        )
        snap(page, artifacts / "officer-run-progress-worker-ko.png")
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"{_('Status')}: {_('Ready to review')}", timeout=30_000)
    if in_progress:  # it reloaded itself (test_the_run_page_shows_progress_and_reloads_itself does it every time)
        assert len([url for url in loads if url.endswith(f"/assignment-runs/{run_id}")]) >= 2, loads
    assert run_status(app, run_id) == "ready"
    expect(page.get_by_role("progressbar")).to_have_count(0)
    report = main.locator("dl.nup-facts")
    expect(report.get_by_role("definition").nth(0)).to_have_text("6")
    expect(report.get_by_role("definition").nth(1)).to_have_text("30")
    expect(report.get_by_role("definition").nth(2)).to_have_text(f"5–5 ({_('balanced')})")
    proposal = main.get_by_role("table", name=_("Proposed evaluators"))
    proposed = proposal.locator("tbody").get_by_role("row")
    expect(proposed).to_have_count(6)
    physical_ai = physical_ai_ids(app, setup.application_ids)
    assert len(physical_ai) == 2  # applications 0 and 3 of review_setup
    for index in range(6):
        expect(proposed.nth(index).locator("td").nth(2).locator("ul > li")).to_have_count(5)
    for index, application_id in enumerate(physical_ai):  # Physical AI first
        expect(proposed.nth(index)).to_contain_text(numbers[application_id])
        expect(proposed.nth(index).get_by_text(_("Physical AI"), exact=True)).to_be_visible()
    expect(proposal).to_contain_text("테스트기업0")  # the office sees who is who
    first_change = proposed.first.locator("summary").first  # each "Change" says whom it changes, for a screen reader
    expect(first_change).to_have_text(re.compile(rf"^{_('Change')} 평가위원\d · {numbers[physical_ai[0]]}$"))
    snap(page, artifacts / "officer-run-ready-ko.png")

    asked: list[str] = []
    accepting(page, asked)
    click(main.get_by_role("button", name=_("Commit and notify evaluators"), exact=True))
    assert asked == [_("Commit this assignment and tell the evaluators?")]

    # Committed: back on the evaluation page, scoring open, nothing scored yet; the evaluators are told.
    expect(page).to_have_url(re.compile(rf"/staff/calls/{call_id}/evaluation\?stage=document$"))
    expect(
        message(page, "status", _("%(count)d assignments are committed and the evaluators are told.", count=30))
    ).to_be_visible()
    scored = progress.get_by_role("definition").nth(2)
    expect(scored).to_have_text("0 / 30 (0%)")
    expect(progress.get_by_role("progressbar", name=_("Scores submitted"))).to_have_attribute("value", "0")
    expect(page.get_by_role("region", name=_("Scoring"), exact=True)).to_contain_text(_("Open for scoring."))
    snap(page, artifacts / "officer-committed-ko.png")
    assert len(sheets(app)) == 30
    wait_for(lambda: email_to("reviewer0@example.kr"), timeout=30, what="the assignment email")

    # Every evaluator scores.
    with app.app_context():
        score_all(setup, spread_points)
    page.reload()
    expect(scored).to_have_text("30 / 30 (100%)")
    expect(progress.get_by_role("progressbar", name=_("Scores submitted"))).to_have_attribute("value", "100")
    snap(page, artifacts / "officer-all-scored-ko.png")

    # The ranking: a chart of the top places and the table, best first.
    click(evaluation_tabs(page, _).get_by_role("link", name=_("Ranking"), exact=True))
    expect(page).to_have_url(re.compile(rf"/staff/calls/{call_id}/ranking\?stage=document$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Ranking"))
    chart = page.get_by_role("list", name=_("Top places: official score and adjusted score"))
    expect(chart.get_by_role("listitem")).to_have_count(6)
    expect(chart.get_by_role("img")).to_have_count(6)
    expect(chart.get_by_role("img").first).to_have_accessible_name(re.compile(r"\d+\.\d"))
    ranking = page.get_by_role("table", name=_("Ranking"), exact=True)
    ranked = ranking.locator("tbody").get_by_role("row")
    expect(ranked).to_have_count(6)
    expect(ranked.first.locator("td").first).to_have_text("1")
    finals = [float(t) for t in ranked.locator("td:nth-child(8)").all_inner_texts()]
    assert finals == sorted(finals, reverse=True) and finals[0] > finals[-1], finals
    last_receipt = ranked.last.get_by_role("link").inner_text().strip()
    last_id = next(i for i, n in numbers.items() if n == last_receipt)
    snap(page, artifacts / "officer-ranking-ko.png")

    # Close the round on the evaluation page: the scores are locked.
    click(evaluation_tabs(page, _).get_by_role("link", name=_("Panels and assignment"), exact=True))
    scoring = page.get_by_role("region", name=_("Scoring"), exact=True)
    asked: list[str] = []
    accepting(page, asked)
    click(scoring.get_by_role("button", name=_("Close and lock scores"), exact=True))
    expect(message(page, "status", _("The stage is closed: scores are locked."))).to_be_visible()
    expect(scoring).to_contain_text(_("Closed: scores are locked."))
    expect(scoring.get_by_role("button", name=_("Close and lock scores"), exact=True)).to_have_count(0)
    assert asked == [_("Close the round? Every score is locked and evaluators can no longer change them.")]
    snap(page, artifacts / "officer-closed-ko.png")

    # Decisions: the proposal advances everyone within the quota; the office turns the last one down.
    click(evaluation_tabs(page, _).get_by_role("link", name=_("Decisions and letters"), exact=True))
    expect(page).to_have_url(re.compile(rf"/staff/calls/{call_id}/decisions\?stage=document$"))
    table = page.get_by_role("table", name=_("Decisions"), exact=True)
    expect(table.locator("tbody").get_by_role("row")).to_have_count(6)
    for number in numbers.values():
        outcome = table.get_by_role("combobox", name=f"{_('Outcome')} {number}", exact=True)
        expect(outcome).to_have_value("advanced")
    table.get_by_role("combobox", name=f"{_('Outcome')} {last_receipt}", exact=True).select_option(
        label=_("Not selected")
    )
    reason = "시장 검증 근거가 부족합니다. 해외 고객 인터뷰 결과를 보완해 주세요."
    table.get_by_role("textbox", name=f"{_('Reasons for the applicant')} {last_receipt}", exact=True).fill(reason)
    snap(page, artifacts / "officer-decisions-ko.png")
    click(page.get_by_role("main").get_by_role("button", name=_("Record these decisions"), exact=True))
    expect(
        message(page, "status", _("%(count)d decision(s) recorded. Send the letters when you are ready.", count=6))
    ).to_be_visible()
    expect(table.get_by_text(_("recorded"), exact=True)).to_have_count(6)
    recorded = decisions_of(app, call_id)
    assert recorded[last_id] == ("not_selected", reason, False)
    assert {o for i, (o, _r, _s) in recorded.items() if i != last_id} == {"advanced"}

    letters = page.get_by_role("region", name=_("Result letters"), exact=True)
    accepting(page, asked)
    click(letters.get_by_role("button", name=_("Send the result letters"), exact=True))
    assert asked[-1] == _("Send the result letters now?")
    expect(message(page, "status", _("%(count)d result letter(s) are on their way.", count=6))).to_be_visible()
    expect(letters.get_by_role("button")).to_have_count(0)
    expect(table.get_by_role("combobox")).to_have_count(0)  # sent: no longer changed here
    expect(page.get_by_role("button", name=_("Record these decisions"), exact=True)).to_have_count(0)
    expect(table.locator("tbody").get_by_role("row").filter(has_text=last_receipt)).to_contain_text(reason)
    snap(page, artifacts / "officer-letters-sent-ko.png")
    assert all(sent for _o, _r, sent in decisions_of(app, call_id).values())

    turned_down = setup.applicants[setup.application_ids.index(last_id)]
    [body] = wait_for(
        lambda: [text for text in map(text_of, email_to(turned_down.email)) if reason in text],
        timeout=30,
        what="the result letter",
    )
    assert live_server.url(f"/applications/{last_id}/result") in body


# ---------------------------------------------------------------------- 4. the applicant's result


CALL_TITLES = {"ko": CALL_TITLE, "en": "N-Up 2026 call"}
GROUNDS = {
    "ko": "시장성 평가 의견이 제출한 해외 고객 인터뷰 자료와 다릅니다. 다시 검토해 주시기 바랍니다.",
    "en": "The comments on market potential ignore the customer interviews in our plan. Please review again.",
}


@ON_A_DESKTOP
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_applicant_reads_the_result_objects_and_rates_the_evaluation(
    page: Page, live_server, app, review_setup, artifacts, lang
):
    _ = say(lang)
    setup = review_setup(applications=2, reviewers=5, per_application=5)
    founder, application_id = setup.applicants[0], setup.application_ids[0]
    reason = "시장 검증 근거가 부족합니다." if lang == "ko" else "The market validation is too thin."
    release_result(app, setup, application_id, "not_selected", reason)
    number = receipts(app, [application_id])[application_id]

    signed_in(page, live_server, _, lang, founder)
    click(page.get_by_role("main").get_by_role("link", name=CALL_TITLES[lang], exact=True))
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}$"))
    click(page.get_by_role("main").get_by_role("link", name=_("Evaluation result"), exact=True))

    # The result: outcome, score, the averages per criterion and the reasons.
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/result$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Evaluation result"))
    expect(page.get_by_role("main")).to_contain_text(number)
    result = page.get_by_role("region", name=_("Not selected"), exact=True)
    expect(result.get_by_role("definition").nth(0)).to_have_text(_("Document round"))
    # RUBRIC_SCORES (85) from every evaluator, plus the Physical AI bonus of 2 points
    breakdown = "87.00 ({} + {})".format(
        _("evaluators' mean %(mean)s", mean="85.00"), _("bonus %(points)s", points="2")
    )
    expect(result.get_by_role("definition").nth(1)).to_have_text(breakdown)
    averages = result.get_by_role("table", name=_("Average score per criterion"))
    expect(averages.locator("tbody").get_by_role("row")).to_have_count(4)
    first_criterion = "문제인식(Problem)" if lang == "ko" else "Problem"
    expect(averages.locator("tbody").get_by_role("row").first).to_have_text(
        re.compile(rf"^\s*{re.escape(first_criterion)}\s*20\.00 / 25\s*$")
    )
    assert shown(result.get_by_text(_("Average score per criterion"), exact=True)), "the table's title is not shown"
    expect(result).to_contain_text(reason)
    for company in ("테스트기업1",):  # nothing of the other applicant
        expect(page.get_by_role("main")).not_to_contain_text(company)
    snap(page, artifacts / f"applicant-result-{lang}.png")

    # An objection: too short first, then with its grounds.
    objection = page.get_by_role("region", name=_("Objection (이의신청)"), exact=True)
    grounds = objection.get_by_role("textbox", name=_("Grounds of the objection"), exact=True)
    grounds.fill("다시요" if lang == "ko" else "Unfair")
    with page.expect_response(lambda r: r.url.endswith("/objection")) as answer:
        click(objection.get_by_role("button", name=_("File the objection"), exact=True))
    assert answer.value.status == 422
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name=_("Please correct the following")))
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link")).to_contain_text(_("Grounds of the objection"))
    expect(grounds).to_have_attribute("aria-invalid", "true")
    expect(grounds).to_have_value("다시요" if lang == "ko" else "Unfair")
    snap(page, artifacts / f"applicant-objection-error-{lang}.png")
    assert objections_and_ratings(app, application_id)[0] == []

    grounds.fill(GROUNDS[lang])
    click(objection.get_by_role("button", name=_("File the objection"), exact=True))
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/result$"))
    expect(
        message(page, "status", _("Your objection is filed. The programme office answers within 14 days."))
    ).to_be_visible()
    expect(objection).to_contain_text(_("Waiting for an answer"))
    expect(objection.get_by_role("textbox")).to_have_count(0)  # one objection at a time

    # The rating: anonymous, once.
    rating = page.get_by_role("region", name=_("Rate the evaluation"), exact=True)
    stars = rating.get_by_role("group", name=_("How fair and useful was the evaluation?"), exact=True)
    choose(stars, "radio", _("2 — unfair or unhelpful in places"))
    rating.get_by_role("textbox", name=_("Comment (optional)"), exact=True).fill(
        "의견이 짧았습니다." if lang == "ko" else "The comments were short."
    )
    click(rating.get_by_role("button", name=_("Send rating"), exact=True))
    expect(message(page, "status", _("Thank you. Your rating is recorded anonymously."))).to_be_visible()
    expect(rating.get_by_role("radio")).to_have_count(0)
    snap(page, artifacts / f"applicant-objected-and-rated-{lang}.png")

    filed, given, receipt = objections_and_ratings(app, application_id)
    assert filed == [GROUNDS[lang]]
    assert given == [2] * 5 and receipt  # one anonymous rating for each of the five evaluators


# ---------------------------------------------------------------------- 3b. the run page refreshes itself


@ON_A_DESKTOP
def test_the_run_page_shows_progress_and_reloads_itself_when_the_run_is_ready(
    page: Page, live_server, app, review_setup, artifacts
):
    """Deterministic: the run is queued with no message to a worker, and computed here while the page waits."""
    _ = say("ko")
    setup = review_setup(applications=3, reviewers=5, per_application=5)
    run_id = start_queued_run(app, setup)
    signed_in(page, live_server, _, "ko", setup.officer)
    page.goto(live_server.url(f"/staff/assignment-runs/{run_id}"))

    main = page.get_by_role("main")
    expect(main).to_contain_text(f"{_('Status')}: {_('Waiting to start')}")
    bar = main.get_by_role("progressbar", name=_("Progress"), exact=True)
    expect(bar).to_be_visible()
    expect(main.get_by_role("status")).to_have_text(
        _("The optimiser is working. This page refreshes itself when the proposal is ready.")
    )
    expect(main.get_by_role("button", name=_("Commit and notify evaluators"))).to_have_count(0)
    with page.expect_response(lambda r: r.url.endswith(f"/assignment-runs/{run_id}/status")) as polled:
        pass
    assert polled.value.json()["status"] == "queued"
    snap(page, artifacts / "officer-run-progress-ko.png")

    with page.expect_event("load", timeout=15_000):  # the page's own poll sees the run ready and reloads
        assert compute_queued_run(app, run_id) == "ready"
    expect(main).to_contain_text(f"{_('Status')}: {_('Ready to review')}")
    expect(bar).to_have_count(0)
    expect(main.get_by_role("table", name=_("Proposed evaluators")).locator("tbody").get_by_role("row")).to_have_count(
        3
    )
    expect(main.get_by_role("button", name=_("Commit and notify evaluators"), exact=True)).to_be_visible()
