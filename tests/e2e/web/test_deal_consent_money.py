"""Issue 20's deal and money pages in a real browser against the whole platform (WEB.md,
"Deals and money in depth"): a co-owner's consent to an exclusive offer on the deal page (the
licensee reading that it waits for the co-owners), the licensee recording the advance paid on
the deal page and a royalty statement paid on the statements page (the statement's kind and
payment status shown), and the owner's balances as the API states them; on a phone-sized
screen, axe-core finding no serious or critical violation, no request to another host. The
API is the oracle: what the pages did is read back through GraphQL."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.co_owners import confirm_over_graphql
from tests.e2e.web.deal_money_steps import (
    consent_on_the_deal_page,
    read_balances,
    record_a_statement_paid,
    record_the_advance,
)
from tests.e2e.web.money_steps import sign_in
from tests.e2e.web.test_web_app import check_page
from tests.e2e.web.test_whole_deal import new_person_context

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

ERRORS = "errors { code message field }"
FILE = f"""mutation($input: FileWorkInput!) {{
  fileWork(input: $input) {{ work {{ id status }} {ERRORS} }} }}"""
OFFER = f"""mutation($input: OfferLicenceInput!) {{
  offerLicence(input: $input) {{ licence {{ id status }} {ERRORS} }} }}"""
ACCEPT = f"""mutation($id: ID!) {{
  acceptLicence(licenceId: $id) {{ licence {{ id status }} {ERRORS} }} }}"""
REPORT = f"""mutation($input: ReportUsageInput!) {{
  reportUsage(input: $input) {{ statement {{ id payable }} {ERRORS} }} }}"""
LICENCE = """query($id: ID!) { licence(id: $id) {
  status ownerConsents { status party { id } }
  statements { id kind payable advancePayment { paidOn reference }
               payment { status paidOn reference } } } }"""
BALANCES = """query { myBalances(currency: "THB") {
  currency opening earnings advances trueUps releases holds payments closing } }"""


async def test_a_co_owner_consents_and_the_licensee_pays_the_advance_and_a_statement(
    platform: Any, chromium: Browser, axe_source: str,
) -> None:
    word = secrets.token_hex(4)
    site = platform.config.gateway_url.removesuffix("/graphql")
    today = datetime.now(UTC).date()  # the platform's day (the clock-shifted pass moves both)
    owner = await platform.sign_up(f"Somchai Kittisak {word}", "TH")
    co_owner = await platform.sign_up(f"Nguyen Thi Lan {word}", "VN")
    licensee = await platform.sign_up(f"Mekong Streaming {word}", "VN", kind="ORGANIZATION")
    filed = (await platform.gql(FILE, {"input": {
        "title": f"Monsoon Lullaby {word}", "kind": "MUSICAL_WORK", "countryOfOrigin": "TH",
        "rightsHolders": [
            {"partyId": owner.party_id, "role": "COMPOSER", "share": "60"},
            {"partyId": co_owner.party_id, "role": "LYRICIST", "share": "40"}]}},
        owner.token))["fileWork"]  # fmt: skip
    assert filed["errors"] == [], filed["errors"]
    # The co-owner confirms the filing first (DOMAIN.md, "Co-owners' consent to a filing").
    work = await confirm_over_graphql(platform.gql, filed["work"]["id"], [co_owner.token])
    assert work["status"] == "REGISTERED", work
    offered = (await platform.gql(OFFER, {"input": {
        "workId": filed["work"]["id"], "licenseeId": licensee.party_id, "territories": ["TH"],
        "media": ["STREAMING"], "exclusive": True, "start": today.isoformat(),
        "end": (today + timedelta(days=365)).isoformat(), "royaltyRate": "10.00",
        "advance": "100.00", "minimumGuarantee": "300.00", "currency": "THB"}},
        owner.token))["offerLicence"]  # fmt: skip
    assert offered["errors"] == [], offered["errors"]
    assert offered["licence"]["status"] == "AWAITING_OWNERS"
    licence_id = offered["licence"]["id"]

    checked: dict[str, list[Any]] = {}
    elsewhere: list[str] = []

    async def person(who: Any, path: str) -> Page:
        context = await new_person_context(chromium, "en-GB", site, axe_source, elsewhere)
        contexts.append(context)
        page = await context.new_page()
        await sign_in(page, site, who, path)
        return page

    contexts: list[Any] = []
    try:
        # The licensee reads that the offer waits for the co-owners: nothing to accept yet.
        theirs = await person(licensee, f"/deals/{licence_id}")
        await expect(theirs.locator(".deal-status")).to_contain_text("Waiting for the co-owners")
        await expect(theirs.locator("p.waiting")).to_contain_text("until")
        assert await theirs.locator(f'form[action="/deals/{licence_id}/accept"]').count() == 0
        await expect(theirs.locator("#deal-terms ~ dl")).to_contain_text("THB300.00")
        await check_page(theirs, axe_source, checked)

        # The co-owner consents on the deal page: the offer goes to the licensee.
        co = await person(co_owner, f"/deals/{licence_id}")
        await expect(co.locator(f'tr[data-party="{co_owner.party_id}"]')).to_have_attribute(
            "data-consent", "PENDING")
        await check_page(co, axe_source, checked)
        await consent_on_the_deal_page(co, site, licence_id)
        await expect(co.locator(f'tr[data-party="{co_owner.party_id}"]')).to_have_attribute(
            "data-consent", "CONSENTED")
        read = (await platform.gql(LICENCE, {"id": licence_id}, owner.token))["licence"]
        assert read["status"] == "OFFERED", read
        assert {c["party"]["id"]: c["status"] for c in read["ownerConsents"]}[
            co_owner.party_id] == "CONSENTED"

        accepted = (await platform.gql(ACCEPT, {"id": licence_id}, licensee.token))
        assert accepted["acceptLicence"]["errors"] == [], accepted

        # The licensee records the advance paid on the deal page.
        await record_the_advance(theirs, site, licence_id, paid_on=today.isoformat(),
                                 reference=f"TT-{word}")
        await check_page(theirs, axe_source, checked)
        read = (await platform.gql(LICENCE, {"id": licence_id}, owner.token))["licence"]
        advance = [s for s in read["statements"] if s["kind"] == "ADVANCE"]
        assert len(advance) == 1
        assert advance[0]["advancePayment"] == {"paidOn": today.isoformat(),
                                                "reference": f"TT-{word}"}

        # A royalty statement (10 % of 5,000.00, the 100.00 advance recouped: 400.00 due),
        # recorded paid on the statements page, its kind and status shown.
        reported = (await platform.gql(REPORT, {"input": {
            "licenceId": licence_id, "periodStart": today.isoformat(),
            "periodEnd": (today + timedelta(days=29)).isoformat(), "units": 12000,
            "grossRevenue": "5000.00"}}, licensee.token))["reportUsage"]  # fmt: skip
        assert reported["errors"] == [], reported["errors"]
        statement_id = reported["statement"]["id"]
        await theirs.goto(f"{site}/my/licences/{licence_id}/statements")
        section = theirs.locator(f"#statement-{statement_id}")
        await expect(section.locator("dd.statement-kind")).to_have_text("Royalties")
        await expect(section.locator("dd.payment")).to_have_attribute("data-payment", "UNPAID")
        await check_page(theirs, axe_source, checked)
        await record_a_statement_paid(theirs, site, licence_id, statement_id,
                                      paid_on=today.isoformat(), reference=f"PAY-{word}")
        read = (await platform.gql(LICENCE, {"id": licence_id}, owner.token))["licence"]
        paid = {s["id"]: s for s in read["statements"]}[statement_id]["payment"]
        assert paid == {"status": "PAID", "paidOn": today.isoformat(),
                        "reference": f"PAY-{word}"}

        # The owner's balances, line by line as the API states them.
        ours = await person(owner, "/my/balances")
        shown = await read_balances(ours, site)
        (ledger,) = (await platform.gql(BALANCES, {}, owner.token))["myBalances"]
        assert Decimal(ledger["closing"]) == sum(
            Decimal(ledger[k]) for k in ("opening", "earnings", "advances", "trueUps",
                                         "releases")) - Decimal(ledger["holds"]) \
            - Decimal(ledger["payments"])
        assert shown["THB"]["closing"] == f"THB{Decimal(ledger['closing']):,.2f}"
        assert shown["THB"]["advances"] == f"THB{Decimal(ledger['advances']):,.2f}"
        await check_page(ours, axe_source, checked)
        await ours.goto(f"{site}/my/mandates")
        await check_page(ours, axe_source, checked)
    finally:
        for context in contexts:
            await context.close()

    assert {path: found for path, found in checked.items() if found} == {}
    assert elsewhere == []
    assert set(checked) >= {f"/deals/{licence_id}", f"/my/licences/{licence_id}/statements",
                            "/my/balances", "/my/mandates"}
