"""The whole deal in a real browser (WEB.md, "Deals"), in English and in Thai: two people sign
up, one files a work and offers the other a licence on it; the other finds the offer among
those received and accepts it; the first, whose deal page stays open, sees the licence become
active and its timeline grow without reloading, through the GraphQL subscription. Every page
is checked by axe-core on a phone-sized screen, as the web app's other browser test does.

Both people sign up in the browser (the identity provider's own registration page, in the
page's language, then the party's registration); after the deal is active the licensee
reports usage on the form and downloads the statement it issued as CSV and PDF, whose lines
add up to the royalty to the cent."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from devstack.identity import CONFIG as KEYCLOAK
from devstack.identity import Identities
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.e2e.web.identity_mail import IdentityMail
from tests.e2e.web.money_steps import (
    download_statement_csv,
    download_statement_pdf,
    lines_add_up,
    report_usage_by_form,
)
from tests.e2e.web.steps import sign_up
from tests.e2e.web.test_web_app import PHONE, check_page

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

# What each language's pages say (the catalogues' words, checked by the test as a reader).
WORDS = {
    "en": {"locale": "en-GB", "offer": "Offer a licence", "send": "Offer the licence",
           "offered": "Offered", "active": "Active", "accept": "Accept the offer",
           "accepted": "Offer accepted: the licence is active", "received": "Received"},
    "th": {"locale": "th-TH", "offer": "เสนออนุญาตให้ใช้สิทธิ", "send": "ส่งข้อเสนออนุญาต",
           "offered": "เสนอแล้ว", "active": "ใช้งานอยู่", "accept": "ยอมรับข้อเสนอ",
           "accepted": "ยอมรับข้อเสนอแล้ว: อนุญาตให้ใช้สิทธิมีผลแล้ว", "received": "ที่ได้รับ"},
}


async def new_person_context(chromium: Browser, locale: str, site: str, axe_source: str,
                             elsewhere: list[str]) -> BrowserContext:
    """A browser of its own for each person: its own cookies, language and phone screen;
    a request to any host but the gateway and Keycloak is refused and kept in `elsewhere`."""
    allowed = {urlsplit(site).netloc, urlsplit(KEYCLOAK.base_url).netloc}
    context = await chromium.new_context(viewport=PHONE, locale=locale,
                                         accept_downloads=True)
    # axe-core by the browser's own means: the deal page's Content-Security-Policy refuses
    # the inline script the other test injects, and must stay on here.
    await context.add_init_script(script=axe_source)

    async def only_the_platform(route: Any, request: Any) -> None:
        if urlsplit(request.url).netloc in allowed or request.url.startswith("data:"):
            await route.continue_()
        else:
            elsewhere.append(request.url)
            await route.abort()

    await context.route("**/*", only_the_platform)
    return context


@pytest.mark.parametrize("language", ["en", "th"])
async def test_the_whole_deal_from_sign_up_to_the_statement(
    platform: Any, chromium: Browser, identities: Identities, identity_mail: IdentityMail,
    axe_source: str, language: str,
) -> None:
    words = WORDS[language]
    word = secrets.token_hex(4)
    site = platform.config.gateway_url.removesuffix("/graphql")
    today = datetime.now(UTC).date()  # the platform's day (the clock-shifted pass moves both)
    checked: list[str] = []  # the pages axe checked, by path
    violations: list[Any] = []
    elsewhere: list[str] = []

    async def check(page: Page, screenshot: str = "") -> None:
        found: dict[str, list[Any]] = {}
        await check_page(page, axe_source, found, screenshot)
        for path, page_violations in found.items():
            checked.append(path)
            violations.extend((path, v) for v in page_violations)

    owners = await new_person_context(chromium, words["locale"], site, axe_source, elsewhere)
    licensees = await new_person_context(chromium, words["locale"], site, axe_source,
                                         elsewhere)
    try:
        # Both sign up in the browser and register their parties.
        page = await owners.new_page()
        await sign_up(page, site=site, identities=identities, mail=identity_mail,
                      name=f"Somchai Kittisak {word}", country="TH", check=check)
        theirs = await licensees.new_page()
        licensee = await sign_up(theirs, site=site, identities=identities, mail=identity_mail,
                                 name=f"Mekong Streaming {word}", country="VN",
                                 kind="ORGANIZATION", check=check)

        # The owner files a work in the browser; it is registered at once.
        await page.goto(site + "/my/works/new")
        await expect(page.locator("html")).to_have_attribute("lang", language)
        title = f"Mekong Moon {word}"
        await page.locator("#title").fill(title)
        await page.locator("#kind").select_option("MUSICAL_WORK")
        await page.locator("#countryOfOrigin").select_option("TH")
        await page.locator("#holder-0-role").select_option("COMPOSER")
        await page.locator("#holder-0-share").fill("100")
        await page.locator("form.filing button[type=submit]").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(title)
        work_path = urlsplit(page.url).path
        await check(page)

        # ... and offers the licensee a licence on it.
        await page.get_by_role("link", name=words["offer"]).click()
        await page.wait_for_url(site + work_path + "/offer")
        await check(page)
        await page.locator("#licenseeId").fill(licensee.party_id)
        await page.locator('input[name="territories"][value="TH"]').check()
        await page.locator('input[name="territories"][value="VN"]').check()
        await page.locator('input[name="media"][value="STREAMING"]').check()
        await page.locator("#start").fill(today.isoformat())
        await page.locator("#end").fill((today + timedelta(days=365)).isoformat())
        await page.locator("#royaltyRate").fill("10")
        await page.locator("#currency").fill("THB")
        await page.get_by_role("button", name=words["send"]).click()
        await page.wait_for_url(f"{site}/deals/**")
        deal_path = urlsplit(page.url).path
        live = page.locator("#deal-live")
        await expect(live.locator(".deal-status")).to_have_text(words["offered"])
        await expect(page.locator("main")).to_contain_text(f"Mekong Streaming {word}")
        # The page's script has subscribed (it marks the live part) before the other side acts.
        await expect(live).to_have_attribute("data-live", "on", timeout=30_000)
        await check(page, f"web-deal-offered-{language}")
        await page.evaluate("() => { window.notReloaded = true; }")
        entries_before = await page.locator("ol.timeline li").count()

        # The licensee finds the offer among those received, opens it and accepts.
        await theirs.goto(site + "/my/offers")
        await expect(theirs.get_by_role("link", name=words["received"])).to_have_attribute(
            "aria-current", "page")
        await check(theirs)
        await theirs.get_by_role("link", name=title).click()
        await theirs.wait_for_url(site + deal_path)
        await check(theirs)
        await theirs.get_by_role("button", name=words["accept"]).click()
        await theirs.wait_for_url(site + deal_path)
        await expect(theirs.locator(".deal-status")).to_have_text(words["active"])

        # The owner's page, never reloaded, shows it: the subscription brought the update.
        await expect(live.locator(".deal-status")).to_have_text(words["active"], timeout=30_000)
        activated = page.locator(
            'ol.timeline li[data-type="licence.activated"][data-source="licensing"]')
        await expect(activated).to_have_count(1)
        await expect(activated).to_contain_text(words["accepted"])
        assert await page.locator("ol.timeline li").count() > entries_before
        assert await page.evaluate("() => window.notReloaded === true"), "the page was reloaded"
        await check(page, f"web-deal-active-{language}")

        # Without scripts, a reload shows the same: the page is complete as served.
        await page.reload()
        await expect(page.locator(".deal-status")).to_have_text(words["active"])

        # The licensee reports a month's usage; the statement it issues is downloaded as CSV
        # and PDF: 10 % of 5000.00 THB, all of it the sole owner's.
        licence_id = deal_path.rsplit("/", 1)[1]
        statement_id = await report_usage_by_form(
            theirs, site, licence_id, start=today.isoformat(),
            end=(today + timedelta(days=29)).isoformat(), units="1200", gross="5000.00")
        await check(theirs, f"web-statements-{language}")
        rows = await download_statement_csv(theirs, statement_id)
        assert lines_add_up(rows), rows
        assert [(r["work_title"], Decimal(r["payable"])) for r in rows] == [
            (title, Decimal("500.00"))]
        text = await download_statement_pdf(theirs, statement_id)
        assert title in text and "500.00" in text
    finally:
        await owners.close()
        await licensees.close()

    assert violations == []
    assert elsewhere == []
    assert {deal_path, "/my/offers", work_path + "/offer"} <= set(checked)
