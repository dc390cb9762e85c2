"""The money pages, the inbox and the contact settings in a real browser against the whole
platform (WEB.md, "Money", "Inbox and contacts"): a licensee with an active licence reports
usage through the form, reads its statement, downloads it as CSV and PDF (their contents
checked against the statement to the cent), sees the royalties chart, finds the offer in its
inbox and changes its contact settings; on a phone-sized screen, with axe-core finding no
serious or critical violation on any of these pages, and no request to any other host."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.async_api import Browser

from .money_steps import (
    change_contacts,
    download_statement_csv,
    download_statement_pdf,
    inbox_shows,
    lines_add_up,
    only_the_platform,
    read_statement,
    report_usage_by_form,
    see_royalties_chart,
    sign_in,
)
from .test_web_app import PHONE, check_page

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

FILE = """mutation($input: FileWorkInput!) {
  fileWork(input: $input) { work { id status } errors { code message field } } }"""
OFFER = """mutation($input: OfferLicenceInput!) {
  offerLicence(input: $input) { licence { id } errors { code message field } } }"""
ACCEPT = """mutation($id: ID!) {
  acceptLicence(licenceId: $id) { licence { id status } errors { code message field } } }"""
CONTACTS = "query { myContacts { email webhookUrl hasWebhookSecret } }"


async def active_licence(platform: Any, title: str) -> tuple[Any, Any, str]:
    """(owner, licensee, licence id): the owner files a work alone and licenses it in Thailand
    for a year from today (10%, an advance of 100.00 THB); the licensee accepts."""
    owner = await platform.sign_up("Somchai Kittisak", "TH")
    licensee = await platform.sign_up("Mekong Streaming", "VN", kind="ORGANIZATION")
    filed = (await platform.gql(FILE, {"input": {
        "title": title, "kind": "MUSICAL_WORK", "countryOfOrigin": "TH",
        "rightsHolders": [{"partyId": owner.party_id, "role": "COMPOSER", "share": "100"}]}},
        owner.token))["fileWork"]
    assert filed["errors"] == [], filed["errors"]
    today = datetime.now(UTC).date()
    offered = (await platform.gql(OFFER, {"input": {
        "workId": filed["work"]["id"], "licenseeId": licensee.party_id, "territories": ["TH"],
        "media": ["STREAMING"], "exclusive": False, "start": today.isoformat(),
        "end": (today + timedelta(days=365)).isoformat(), "royaltyRate": "10.00",
        "advance": "100.00", "currency": "THB"}}, owner.token))["offerLicence"]
    assert offered["errors"] == [], offered["errors"]
    licence_id = offered["licence"]["id"]
    accepted = (await platform.gql(ACCEPT, {"id": licence_id}, licensee.token))["acceptLicence"]
    assert accepted["errors"] == [], accepted["errors"]
    return owner, licensee, licence_id


async def test_a_licensee_reports_usage_reads_and_downloads_its_statement_in_a_browser(
    platform: Any, chromium: Browser, axe_source: str,
) -> None:
    title = f"Gió mùa {secrets.token_hex(4)}"
    owner, licensee, licence_id = await active_licence(platform, title)
    site = platform.config.gateway_url.removesuffix("/graphql")
    elsewhere: list[str] = []
    checked: dict[str, list[Any]] = {}
    context = await chromium.new_context(viewport=PHONE, locale="en-GB", accept_downloads=True)
    try:
        await context.route("**/*", only_the_platform(site, elsewhere))
        page = await context.new_page()
        await sign_in(page, site, licensee, "/my/money")
        await check_page(page, axe_source, checked, "web-money-en")
        await page.locator(f'a[href="/my/licences/{licence_id}/usage"]').click()
        await check_page(page, axe_source, checked, "web-usage-en")

        # A refused period is shown at its field; then the right one issues a statement.
        today = datetime.now(UTC).date()
        await page.locator("#periodStart").fill((today - timedelta(days=40)).isoformat())
        await page.locator("#periodEnd").fill((today - timedelta(days=10)).isoformat())
        await page.locator("#units").fill("12,000")
        await page.locator("#grossRevenue").fill("5,000.00")
        await page.locator("form.usage button[type=submit]").click()
        await page.wait_for_selector("#periodStart[aria-invalid=true]")
        await check_page(page, axe_source, checked)
        statement_id = await report_usage_by_form(
            page, site, licence_id, start=today.isoformat(),
            end=(today + timedelta(days=29)).isoformat(), units="12,000", gross="5,000.00")

        # The statement: 10% of 5,000.00, less the 100.00 advance, all to the sole owner.
        shown = await read_statement(page, statement_id)
        assert shown["Royalty"] == "THB500.00" and shown["Advance recouped"] == "THB100.00"
        assert shown["Payable"] == "THB400.00"
        assert "Somchai Kittisak" in shown["lines"] and "THB400.00" in shown["lines"]
        await check_page(page, axe_source, checked, "web-statements-en")
        rows = await download_statement_csv(page, statement_id)
        assert lines_add_up(rows) and Decimal(rows[0]["payable"]) == Decimal("400.00")
        assert rows[0]["work_title"] == title and rows[0]["party_id"] == owner.party_id
        text = await download_statement_pdf(page, statement_id)
        assert "THB400.00" in text and "THB500.00" in text and title in text

        await see_royalties_chart(page, site, title)
        await check_page(page, axe_source, checked, "web-royalties-en")

        # The offer reached the licensee's inbox; then its contacts change.
        await inbox_shows(page, site, "Licence offered")
        await check_page(page, axe_source, checked, "web-inbox-en")
        email = f"mekong-{secrets.token_hex(3)}@example.org"
        await change_contacts(page, site, email=email, webhook_url=platform.webhooks.url,
                              secret="rotated-secret-0123456789")
        await check_page(page, axe_source, checked, "web-contacts-en")
        stored = (await platform.gql(CONTACTS, {}, licensee.token))["myContacts"]
        assert stored == {"email": email, "webhookUrl": platform.webhooks.url,
                          "hasWebhookSecret": True}
        await page.goto(f"{site}/society/events")
        await check_page(page, axe_source, checked)
    finally:
        await context.close()

    assert {path: found for path, found in checked.items() if found} == {}
    assert elsewhere == []
    assert set(checked) >= {"/my/money", f"/my/licences/{licence_id}/usage",
                            f"/my/licences/{licence_id}/statements", "/my/royalties",
                            "/my/inbox", "/my/contacts", "/society/events"}
