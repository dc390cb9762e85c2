"""The deal page's history in a real browser against the whole platform (WEB.md, "Deals";
DOMAIN.md, "Licence history" and "Amendments and renewals"): the licensor accepts the
licensee's proposed amendment from the versions table, then asks for the availability as
the register knew it before another licence was terminated, and sees that licence block
the terms; on a phone-sized screen, axe-core finding no serious or critical violation."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from .money_steps import only_the_platform, sign_in
from .test_web_app import PHONE, check_page

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

ERRORS = "errors { code message field }"
FILE = f"""mutation($input: FileWorkInput!) {{
  fileWork(input: $input) {{ work {{ id status }} {ERRORS} }} }}"""
OFFER = f"""mutation($input: OfferLicenceInput!) {{
  offerLicence(input: $input) {{ licence {{ id }} {ERRORS} }} }}"""
ACCEPT = f"""mutation($id: ID!) {{
  acceptLicence(licenceId: $id) {{ licence {{ id status }} {ERRORS} }} }}"""
TERMINATE = f"""mutation($id: ID!) {{
  terminateLicence(licenceId: $id, reason: "the catalogue was sold") {{
    licence {{ status }} {ERRORS} }} }}"""
HISTORY = """query($id: ID!) { licence(id: $id) { history { status recordedAt } } }"""
PROPOSE = f"""mutation($input: ProposeAmendmentInput!) {{
  proposeAmendment(input: $input) {{ version {{ number state }} {ERRORS} }} }}"""


async def test_the_licensor_accepts_an_amendment_and_reads_availability_as_of_a_time(
    platform: Any, chromium: Browser, axe_source: str,
) -> None:
    owner = await platform.sign_up("Somchai Kittisak", "TH")
    first = await platform.sign_up("Mekong Streaming", "VN", kind="ORGANIZATION")
    second = await platform.sign_up("Lanna Radio", "TH", kind="ORGANIZATION")
    filed = (await platform.gql(FILE, {"input": {
        "title": f"Rain on the Chao Phraya {secrets.token_hex(4)}", "kind": "MUSICAL_WORK",
        "countryOfOrigin": "TH",
        "rightsHolders": [{"partyId": owner.party_id, "role": "COMPOSER", "share": "100"}]}},
        owner.token))["fileWork"]  # fmt: skip
    assert filed["errors"] == [], filed["errors"]
    today = datetime.now(UTC).date()

    async def licence_to(licensee: Any) -> str:
        offered = (await platform.gql(OFFER, {"input": {
            "workId": filed["work"]["id"], "licenseeId": licensee.party_id,
            "territories": ["TH"], "media": ["STREAMING"], "exclusive": True,
            "start": today.isoformat(), "end": (today + timedelta(days=365)).isoformat(),
            "royaltyRate": "10.00", "currency": "THB"}}, owner.token))["offerLicence"]  # fmt: skip
        assert offered["errors"] == [], offered["errors"]
        licence_id: str = offered["licence"]["id"]
        accepted = (await platform.gql(ACCEPT, {"id": licence_id}, licensee.token))
        assert accepted["acceptLicence"]["errors"] == [], accepted
        return licence_id

    # The first licence runs, then ends; the second takes its place.
    earlier = await licence_to(first)
    ended = (await platform.gql(TERMINATE, {"id": earlier}, first.token))["terminateLicence"]
    assert ended["errors"] == [], ended["errors"]
    # A moment while it ran, as the register recorded it: its acceptance's recorded time,
    # rounded up to the millisecond the form takes (the termination came later).
    steps = (await platform.gql(HISTORY, {"id": earlier}, owner.token))["licence"]["history"]
    recorded = {step["status"]: datetime.fromisoformat(step["recordedAt"]) for step in steps}
    while_it_ran = recorded["ACTIVE"] + timedelta(microseconds=-recorded["ACTIVE"].microsecond
                                                  % 1000)
    assert recorded["ACTIVE"] <= while_it_ran < recorded["TERMINATED"], recorded
    deal = await licence_to(second)
    proposed = (await platform.gql(PROPOSE, {"input": {
        "licenceId": deal, "effectiveFrom": (today + timedelta(days=30)).isoformat(),
        "end": (today + timedelta(days=365)).isoformat(), "territories": ["TH"],
        "media": ["STREAMING", "DOWNLOAD"], "exclusive": True, "royaltyRate": "12.00"}},
        second.token))["proposeAmendment"]  # fmt: skip
    assert proposed["version"] == {"number": 2, "state": "PENDING"}, proposed

    site = platform.config.gateway_url.removesuffix("/graphql")
    elsewhere: list[str] = []
    checked: dict[str, list[Any]] = {}
    context = await chromium.new_context(viewport=PHONE, locale="en-GB")
    try:
        # axe-core by the browser's own means: the deal page's Content-Security-Policy
        # refuses an injected inline script (as in test_whole_deal).
        await context.add_init_script(script=axe_source)
        await context.route("**/*", only_the_platform(site, elsewhere))
        page = await context.new_page()
        await sign_in(page, site, owner, f"/deals/{deal}")
        pending = page.locator('table.versions tr[data-version="2"]')
        await expect(pending).to_have_attribute("data-state", "PENDING")
        await expect(pending).to_contain_text("Waiting for the other side")
        await check_page(page, axe_source, checked, "web-deal-versions-en")
        # Today, the terminated licence blocks nothing: no conflict is listed.
        await expect(page.locator("table.conflicts")).to_have_count(0)

        await pending.get_by_role("button", name="Accept the change").click()
        await page.wait_for_url(f"{site}/deals/{deal}")
        agreed = page.locator('table.versions tr[data-version="2"]')
        await expect(agreed).to_have_attribute("data-state", "ACCEPTED")
        await expect(agreed).to_contain_text("Agreed")

        # As the register knew it while the first licence ran, that licence blocks the terms.
        await page.locator("#as_of").fill(today.isoformat())
        await page.locator("#known_at").fill(
            while_it_ran.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3])
        await page.get_by_role("button", name="Show").click()
        await page.wait_for_url(re.compile(rf".*/deals/{deal}\?as_of=.*"))
        await expect(page.locator(".as-of-answer")).to_contain_text(
            "Licences in force on the chosen date")
        await expect(page.locator(f'table.conflicts a[href="/deals/{earlier}"]')).to_have_count(1)
        await check_page(page, axe_source, checked, "web-deal-as-of-en")
    finally:
        await context.close()

    assert elsewhere == []
    assert all(violations == [] for violations in checked.values()), checked
