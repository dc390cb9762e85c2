"""Issue 20's pages as the gateway serves them (WEB.md, "Deals and money in depth"), over the
fake services: an exclusive offer's owners consenting and refusing, the advance recorded paid,
statements' kinds, suspense and payments, the balances with a conversion, and mandates."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import httpx

from .fake_services import FakeServices, now
from .test_web_deals import posting
from .test_web_pages import signed_in_as, site, text_of

__all__ = ["site"]  # the pages' fixture, shared with test_web_pages

DUE = "2030-01-15T12:00:00Z"


def awaiting(fake: FakeServices) -> tuple[str, str, str, str]:
    """An exclusive offer by Lan (60 %) to Minh on a work An (40 %) has not consented to yet:
    (lan, minh, an, the licence)."""
    lan, minh, an = fake.add_party("Lan"), fake.add_party("Minh"), fake.add_party("An")
    song = fake.add_work([(lan, "60"), (an, "40")], title="Bài ca")
    offer = fake.add_licence(song, lan, minh, status="AWAITING_OWNERS", exclusive=True)
    fake.owner_consents[offer] = [
        {"licence_id": offer, "party_id": lan, "share": "60", "status": "OFFEROR",
         "reason": None, "mandate_id": None, "due_at": DUE, "decided_at": now()},
        {"licence_id": offer, "party_id": an, "share": "40", "status": "PENDING",
         "reason": None, "mandate_id": None, "due_at": DUE, "decided_at": None},
    ]
    return lan, minh, an, offer


def row(page: httpx.Response, attribute: str, value: str) -> str:
    """The words of the table row marked `attribute="value"`."""
    found = re.search(rf'<tr[^>]*{attribute}="{value}"[^>]*>(.*?)</tr>', page.text, re.S)
    assert found, f"no row {attribute}={value}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


async def test_an_offer_awaiting_its_owners_shows_each_owners_answer_and_buttons_to_the_pending_one(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh, an, offer = awaiting(fake)
    owner = await site.get(f"/deals/{offer}", headers={"cookie": signed_in_as(token(an))})
    assert owner.status_code == 200, owner.text
    assert "Waiting for the co-owners" in text_of(owner)
    assert row(owner, "data-party", lan).startswith("Lan 60") and "Made the offer" in \
        row(owner, "data-party", lan)
    assert "Not answered yet" in row(owner, "data-party", an)
    assert f'action="/deals/{offer}/consent"' in owner.text
    assert f'action="/deals/{offer}/refuse"' in owner.text
    assert "/accept" not in owner.text
    licensee = await site.get(f"/deals/{offer}", headers={"cookie": signed_in_as(token(minh))})
    words = text_of(licensee)
    assert "Waiting for the co-owners to consent until" in words and "2030" in words
    assert "/accept" not in licensee.text
    assert f'action="/deals/{offer}/consent"' not in licensee.text
    thai = await site.get(f"/deals/{offer}", headers={"cookie": signed_in_as(token(lan)),
                                                     "accept-language": "th"})
    assert "Waiting for the co-owners" not in text_of(thai)  # worded in Thai


async def test_the_pending_owner_consents_and_the_offer_goes_to_the_licensee(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    _, _, an, offer = awaiting(fake)
    cookies, csrf = await posting(site, signed_in_as(token(an)), f"/deals/{offer}")
    sent = await site.post(f"/deals/{offer}/consent", headers={"cookie": cookies},
                           data={"csrftoken": csrf})
    assert sent.status_code == 303 and sent.headers["location"] == f"/deals/{offer}"
    assert fake.owner_consents[offer][1]["status"] == "CONSENTED"
    assert fake.licences[offer]["status"] == "OFFERED"


async def test_a_refusal_needs_its_reason_at_the_field_then_ends_the_offer(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    _, _, an, offer = awaiting(fake)
    cookies, csrf = await posting(site, signed_in_as(token(an)), f"/deals/{offer}")
    blank = await site.post(f"/deals/{offer}/refuse", headers={"cookie": cookies},
                            data={"csrftoken": csrf, "reason": "  "})
    assert blank.status_code == 400
    assert 'id="refuse-reason-error-1"' in blank.text and "A reason is required." in blank.text
    assert fake.owner_consents[offer][1]["status"] == "PENDING"
    refused = await site.post(f"/deals/{offer}/refuse", headers={"cookie": cookies},
                              data={"csrftoken": csrf, "reason": "The fee is too low"})
    assert refused.status_code == 303
    assert fake.owner_consents[offer][1]["reason"] == "The fee is too low"
    page = await site.get(f"/deals/{offer}", headers={"cookie": cookies})
    assert "Refused by a co-owner" in text_of(page)
    assert "Refused: The fee is too low" in row(page, "data-party", an)


async def test_an_owner_not_asked_is_refused_above_the_buttons(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    _, minh, _, offer = awaiting(fake)
    cookies, csrf = await posting(site, signed_in_as(token(minh)), f"/deals/{offer}")
    sent = await site.post(f"/deals/{offer}/consent", headers={"cookie": cookies},
                           data={"csrftoken": csrf})
    assert sent.status_code == 400
    assert "Only an owner asked to consent may answer this offer." in text_of(sent)


async def test_the_terms_show_the_minimum_guarantee_and_the_deal(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    song = fake.add_work([(lan, "100")], title="Bài ca")
    lid = fake.add_licence(song, lan, minh, status="ACTIVE")
    fake.licences[lid]["terms"]["minimum_guarantee"] = "250.00"
    fake.licences[lid]["deal"] = {"id": "7b7f4f8e-8c1e-4a4e-9d55-4f3a2e1d0c9b",
                                  "cross_collateralised": True}
    page = await site.get(f"/deals/{lid}", headers={"cookie": signed_in_as(token(minh))})
    words = text_of(page)
    assert "Minimum guarantee $250.00" in words
    assert "Cross-collateralised" in words


async def test_the_licensee_records_the_advance_paid_once_and_the_page_says_so(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    song = fake.add_work([(lan, "100")], title="Bài ca")
    lid = fake.add_licence(song, lan, minh, status="ACTIVE")
    licensor = await site.get(f"/deals/{lid}", headers={"cookie": signed_in_as(token(lan))})
    assert "/advance" not in licensor.text  # only the licensee pays it
    cookies, csrf = await posting(site, signed_in_as(token(minh)), f"/deals/{lid}")
    page = await site.get(f"/deals/{lid}", headers={"cookie": cookies})
    key = re.search(r'action="/deals/[^/]+/advance".*?name="key" value="([^"]+)"', page.text,
                    re.S)
    assert key, "no advance form for the licensee"
    blank = await site.post(f"/deals/{lid}/advance", headers={"cookie": cookies}, data={
        "csrftoken": csrf, "key": key.group(1), "paidOn": "", "reference": "TT-1"})
    assert blank.status_code == 400 and 'id="paidOn-error-1"' in blank.text
    assert 'value="TT-1"' in blank.text  # what was typed kept
    for _ in range(2):  # a double click: one key, one payment
        sent = await site.post(f"/deals/{lid}/advance", headers={"cookie": cookies}, data={
            "csrftoken": csrf, "key": key.group(1), "paidOn": "2026-02-01",
            "reference": "TT-2026-001"})
        assert sent.status_code == 303
    advances = [s for s in fake.statements[lid] if s["kind"] == "ADVANCE"]
    assert len(advances) == 1 and advances[0]["advance_payment"]["reference"] == "TT-2026-001"
    paid = await site.get(f"/deals/{lid}", headers={"cookie": cookies})
    assert "Paid on Feb 1, 2026, reference TT-2026-001" in text_of(paid)
    assert f'action="/deals/{lid}/advance"' not in paid.text


def statement(lid: str, work: str, owners: list[str], **given: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": given.pop("id"), "licence_id": lid, "work_id": work, "kind": "ROYALTY",
        "report_id": None, "period_start": "2026-01-01", "period_end": "2026-01-31",
        "gross": "1000.00", "royalty": "100.00", "recouped": "0.00", "payable": "100.00",
        "currency": "USD", "usage_lines": None, "issued_at": "2026-02-01T00:00:00Z",
        "lines": [{"party_id": p, "share": "50", "amount": "50.00"} for p in owners],
        "payment": {"status": "UNPAID", "paid_on": None, "reference": None, "amount": None},
    }
    base.update(given)
    return base


HELD = "0d3b7a6e-1111-4c1e-9d55-4f3a2e1d0c01"
RELEASE = "0d3b7a6e-2222-4c1e-9d55-4f3a2e1d0c02"
PAID = "0d3b7a6e-3333-4c1e-9d55-4f3a2e1d0c03"


async def test_statements_show_their_kind_suspense_release_and_payment(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, an, minh = fake.add_party("Lan"), fake.add_party("An"), fake.add_party("Minh")
    song = fake.add_work([(lan, "50"), (an, "50")], title="Bài ca")
    lid = fake.add_licence(song, lan, minh, status="ACTIVE")
    held_lines = [{"party_id": p, "share": "50", "amount": "50.00", "held": True}
                  for p in (lan, an)]
    fake.statements[lid] = [
        statement(lid, song, [lan, an], id=HELD, held=True, released_by=RELEASE,
                  lines=held_lines, payment={"status": "NOTHING_DUE", "paid_on": None,
                                                   "reference": None, "amount": None}),
        statement(lid, song, [lan, an], id=RELEASE, kind="RELEASE", releases=[HELD],
                  issued_at="2026-03-01T00:00:00Z"),
        statement(lid, song, [lan, an], id=PAID, kind="TRUE_UP",
                  issued_at="2026-04-01T00:00:00Z",
                  payment={"status": "PAID", "paid_on": "2026-04-10", "reference": "MG-9",
                           "amount": "100.00"}),
    ]
    page = await site.get(f"/my/licences/{lid}/statements",
                          headers={"cookie": signed_in_as(token(minh))})
    assert page.status_code == 200, page.text
    sections = {m.group(1): " ".join(re.sub(r"<[^>]+>", " ", m.group(2)).split()) for m in
                re.finditer(r'<section class="statement" id="statement-([^"]+)"(.*?)</section>',
                            page.text, re.S)}
    assert "Kind Royalties" in sections[HELD] and "held in suspense" in sections[HELD]
    assert "released by the statement of" in sections[HELD]
    assert "Payment Nothing due" in sections[HELD]
    assert "Kind Released from suspense" in sections[RELEASE]
    assert "The held statement for Jan 1, 2026 – Jan 31, 2026" in sections[RELEASE]
    assert "Payment Unpaid" in sections[RELEASE] and "Record this statement as paid" in \
        sections[RELEASE]
    assert "Kind Minimum guarantee true-up" in sections[PAID]
    assert "Paid on Apr 10, 2026, reference MG-9" in sections[PAID]
    assert sections[PAID].count("Record this statement as paid") == 0
    owner = await site.get(f"/my/licences/{lid}/statements",
                           headers={"cookie": signed_in_as(token(lan))})
    assert "Record this statement as paid" not in owner.text  # only the licensee pays
    csv = await site.get(f"/my/licences/{lid}/statements/{HELD}.csv",
                         headers={"cookie": signed_in_as(token(minh))})
    header, first = csv.text.lstrip("\ufeff").split("\r\n")[:2]
    assert header.endswith("kind,payment_status,held")
    assert first.endswith("ROYALTY,NOTHING_DUE,yes")


async def test_the_licensee_records_a_statement_paid_and_a_refusal_is_shown_at_its_form(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    song = fake.add_work([(lan, "100")], title="Bài ca")
    lid = fake.add_licence(song, lan, minh, status="ACTIVE")
    fake.statements[lid] = [statement(lid, song, [lan], id=RELEASE)]
    page = f"/my/licences/{lid}/statements"
    cookies, csrf = await posting(site, signed_in_as(token(minh)), page)
    shown = await site.get(page, headers={"cookie": cookies})
    key = re.search(r'name="key" value="([^"]+)"', shown.text)
    assert key
    refused = await site.post(f"/my/statements/{RELEASE}/payment", headers={"cookie": cookies},
                              data={"csrftoken": csrf, "licenceId": lid, "key": key.group(1),
                                    "paidOn": "2026-03-05", "reference": " "})
    assert refused.status_code == 400
    control = f"payment-{RELEASE}-reference"
    assert f'id="{control}-error-1"' in refused.text
    assert f'aria-describedby="{control}-error-1 "' in refused.text
    assert 'value="2026-03-05"' in refused.text
    assert fake.statements[lid][0]["payment"]["status"] == "UNPAID"
    paid = await site.post(f"/my/statements/{RELEASE}/payment", headers={"cookie": cookies},
                           data={"csrftoken": csrf, "licenceId": lid,
                                 "key": "a5f0f9a2-5f43-4c55-8d8e-4b8f3f0b1a22",
                                 "paidOn": "2026-03-05", "reference": "TT-77"})
    assert paid.status_code == 303
    assert paid.headers["location"] == f"{page}#statement-{RELEASE}"
    assert fake.statements[lid][0]["payment"] == {
        "status": "PAID", "paid_on": "2026-03-05", "reference": "TT-77", "amount": "100.00"}
    again = await site.get(page, headers={"cookie": cookies})
    assert "Paid on Mar 5, 2026, reference TT-77" in text_of(again)


LEDGER = {"currency": "USD", "to": "2026-12-31", "opening": "10.00", "earnings": "100.00",
          "advances": "50.00", "true_ups": "25.00", "releases": "5.00", "holds": "20.00",
          "payments": "70.00", "closing": "100.00"}


async def test_balances_show_each_line_of_the_ledger_for_the_chosen_period(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan = fake.add_party("Lan")
    fake.ledgers = [LEDGER]
    page = await site.get("/my/balances?from=2026-01-01&to=2026-12-31",
                          headers={"cookie": signed_in_as(token(lan))})
    assert page.status_code == 200, page.text
    asked = [c for c in fake.calls if c[2] == "/balances"]
    assert asked, "the balances were not asked"
    lines = {name: row(page, "data-line", name) for name in
             ("opening", "earnings", "advances", "trueUps", "releases", "holds", "payments",
              "closing")}
    assert lines["opening"] == "Opening balance $10.00"
    assert lines["trueUps"] == "Minimum guarantee true-ups $25.00"
    assert lines["holds"] == "Held in suspense −$20.00"
    assert lines["closing"] == "Closing balance $100.00"
    # The ledger adds up, as the API says it does: the page shows its figures unchanged.
    signed = {"opening": 1, "earnings": 1, "advances": 1, "true_ups": 1, "releases": 1,
              "holds": -1, "payments": -1}
    assert sum(Decimal(LEDGER[k]) * s for k, s in signed.items()) == Decimal(LEDGER["closing"])
    assert "Jan 1, 2026" in text_of(page) and "Dec 31, 2026" in text_of(page)


async def test_balances_convert_the_periods_statements_or_say_no_rate_at_the_field(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    song = fake.add_work([(lan, "100")], title="Bài ca")
    lid = fake.add_licence(song, lan, minh, status="ACTIVE")
    fake.statements[lid] = [statement(lid, song, [lan], id=RELEASE)]
    fake.ledgers = [LEDGER]
    me = signed_in_as(token(lan))
    missing = await site.get("/my/balances?convertTo=thb", headers={"cookie": me})
    assert missing.status_code == 400
    assert 'id="convertTo-error-1"' in missing.text
    assert "No exchange rate is recorded" in text_of(missing)
    assert row(missing, "data-line", "closing") == "Closing balance $100.00"  # still shown
    bad = await site.get("/my/balances?from=2026-13-01&convertTo=T1", headers={"cookie": me})
    assert bad.status_code == 400
    assert 'id="from-error-1"' in bad.text and 'id="convertTo-error-1"' in bad.text
    fake.rates["THB"] = "35.5"
    converted = await site.get("/my/balances?convertTo=THB", headers={"cookie": me})
    assert converted.status_code == 200, converted.text
    words = text_of(converted)
    assert "Bài ca" in words and "THB" in words and "35.5 (ECB" in words


async def test_mandates_are_granted_listed_and_revoked(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, agent = fake.add_party("Lan"), fake.add_party("Agency")
    me = signed_in_as(token(lan))
    cookies, csrf = await posting(site, me, "/my/mandates")
    refused = await site.post("/my/mandates", headers={"cookie": cookies}, data={
        "csrftoken": csrf, "key": "b1f0f9a2-5f43-4c55-8d8e-4b8f3f0b1a23", "agentId": lan,
        "validFrom": "2026-01-01"})
    assert refused.status_code == 400
    assert 'id="agentId-error-1"' in refused.text
    assert "A party cannot give a mandate to itself." in text_of(refused)
    granted = await site.post("/my/mandates", headers={"cookie": cookies}, data={
        "csrftoken": csrf, "key": "c1f0f9a2-5f43-4c55-8d8e-4b8f3f0b1a24", "agentId": agent,
        "media": ["STREAMING", "SYNC"], "validFrom": "2026-01-01", "validUntil": ""})
    assert granted.status_code == 303
    (mandate,) = fake.mandates.values()
    assert mandate["agent_id"] == agent and mandate["media"] == ["STREAMING", "SYNC"]
    assert mandate["work_id"] is None and mandate["valid_until"] is None
    listed = await site.get("/my/mandates", headers={"cookie": cookies})
    assert "Agency All works Streaming, Synchronisation" in row(listed, "data-mandate",
                                                                 mandate["id"])
    held = await site.get("/my/mandates", headers={"cookie": signed_in_as(token(agent))})
    assert "Lan" in row(held, "data-mandate", mandate["id"])
    assert "/revoke" not in held.text  # only its grantor revokes it
    revoked = await site.post(f"/my/mandates/{mandate['id']}/revoke",
                              headers={"cookie": cookies}, data={"csrftoken": csrf})
    assert revoked.status_code == 303 and mandate["revoked_at"] is not None


async def test_the_new_forms_refuse_a_post_without_the_csrf_field(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    _, _, an, offer = awaiting(fake)
    me = signed_in_as(token(an))
    for path in (f"/deals/{offer}/consent", "/my/mandates", f"/my/statements/{PAID}/payment"):
        answer = await site.post(path, headers={"cookie": me}, data={})
        assert answer.status_code == 403, path
    assert fake.owner_consents[offer][1]["status"] == "PENDING"
