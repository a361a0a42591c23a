"""A founder takes their data and withdraws a consent, in a real browser, in Korean and English."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import translator
from tests.e2e.test_account_journeys import LANGUAGES, PASSWORD, click, expect_language, sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_founder_downloads_their_data_and_withdraws_the_news_consent(page: Page, live_server, app, artifacts, lang):
    from nup.accounts import services as account_services
    from nup.accounts.models import Consent, User
    from nup.extensions import db
    from nup.timeutil import utcnow
    from tests.privacy.world import build_world

    _ = translator(lang)
    with app.app_context():
        world = build_world(lang.upper())
        founder = db.session.get(User, world.selected_user)
        account_services.record_consent(user=founder, kind="programme_news", granted=True, ip=None, now=utcnow())
        db.session.commit()
        email, user_id = founder.email, founder.id

    page.goto(live_server.url(f"/login?lang={lang}"))
    sign_in(page, _, email, PASSWORD)
    page.goto(live_server.url("/my-data/"))
    expect_language(page, lang)
    expect(page.get_by_role("heading", level=1)).to_have_text(_("My data"))
    page.screenshot(path=str(artifacts / f"privacy-my-data-{lang}.png"), full_page=True)

    with page.expect_download() as download_info:
        click(page.get_by_role("link", name=_("Download my data (ZIP)")))
    archive = zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes()))
    applications = json.loads(archive.read("applications.json"))
    assert [a["company_name"] for a in applications] == [f"선정기업{lang.upper()}"]
    assert any(name.startswith("files/overseas/") for name in archive.namelist())

    click(page.get_by_role("button", name=_("Withdraw consent")))
    expect(
        page.get_by_text(_("Your consent is withdrawn. News emails waiting to be sent to you are cancelled."))
    ).to_be_visible()
    expect(page.get_by_role("button", name=_("Withdraw consent"))).to_have_count(0)
    page.screenshot(path=str(artifacts / f"privacy-consent-withdrawn-{lang}.png"), full_page=True)
    with app.app_context():
        latest = db.session.query(Consent).filter_by(user_id=user_id).order_by(Consent.sequence.desc()).first()
        assert (latest.kind, latest.granted) == ("programme_news", False)
