"""The deal pages as the gateway serves them (WEB.md, "Deals"), over the fake services: offers
received and made, the offer form, the deal page with its availability, timeline and
buttons, the script's live part and token, a work's transfer, dispute and resolution."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx
from web.deals_forms import allowed_actions

from .fake_services import FakeServices
from .test_web_pages import form_token, signed_in_as, site, text_of

__all__ = ["site"]  # the pages' fixture, shared with test_web_pages


async def posting(site: httpx.AsyncClient, me: str, page: str) -> tuple[str, str]:
    """The cookies and CSRF field to post a page's form with, as the browser has them."""
    shown = await site.get(page, headers={"cookie": me})
    assert shown.status_code == 200, shown.text
    return f"{me}; csrftoken={site.cookies['csrftoken']}", form_token(shown)


async def test_offers_received_and_made_list_each_sides_licences_with_their_status(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh, other = fake.add_party("Lan"), fake.add_party("Minh"), fake.add_party("Other")
    song = fake.add_work([(lan, "100")], title="Bài ca")
    poem = fake.add_work([(minh, "100")], title="Thơ")
    fake.add_licence(song, lan, minh)
    fake.add_licence(poem, minh, lan, status="ACTIVE")
    fake.add_licence(poem, minh, other)
    received = await site.get("/my/offers", headers={"cookie": signed_in_as(token(minh))})
    assert received.status_code == 200
    assert "Bài ca" in received.text and "Thơ" not in received.text
    assert "Offered" in text_of(received) and "Lan" in text_of(received)
    made = await site.get("/my/offers?made=1", headers={"cookie": signed_in_as(token(minh)),
                                                        "accept-language": "th"})
    assert "Thơ" in made.text and "Bài ca" not in made.text
    assert made.text.count('href="/deals/') == 2  # to Lan (active) and to Other (offered)
    assert "ใช้งานอยู่" in made.text  # "Active" in Thai


async def test_offers_signed_out_send_to_sign_in(site: httpx.AsyncClient) -> None:
    answer = await site.get("/my/offers")
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?next=/my/offers"


async def test_offering_a_licence_sends_the_terms_and_goes_to_the_deal_page(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    song = fake.add_work([(lan, "100")], title="Bài ca")
    me = signed_in_as(token(lan))
    cookies, csrf = await posting(site, me, f"/works/{song}/offer")
    sent = await site.post(f"/works/{song}/offer", headers={"cookie": cookies,
                                                            "accept-language": "id"}, data={
        "csrftoken": csrf, "key": "6f0e3c1e-4a53-4d39-9a55-0a3c3b3f9f10", "licenseeId": minh,
        "territories": ["TH", "VN"], "otherTerritories": "jp", "media": ["STREAMING", "SYNC"],
        "exclusive": "yes", "start": "2027-01-01", "end": "2027-12-31",
        "royaltyRate": "12,5", "advance": "1.000,50", "currency": "usd"})
    assert sent.status_code == 303, sent.text
    lid = sent.headers["location"].removeprefix("/deals/")
    terms = fake.licences[lid]["terms"]
    assert terms["territories"] == ["TH", "VN", "JP"]
    assert terms["media"] == ["STREAMING", "SYNC"] and terms["exclusive"] is True
    # "12,5" and "1.000,50" read as Indonesian writes numbers
    assert Decimal(terms["royalty_rate"]) == Decimal("12.5")
    assert Decimal(terms["advance"]) == Decimal("1000.50")
    assert terms["currency"] == "USD"
    assert fake.licences[lid]["licensee_id"] == minh


async def test_an_offer_refused_shows_the_error_at_its_field_and_keeps_what_was_typed(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    song = fake.add_work([(lan, "100")], title="Bài ca")
    cookies, csrf = await posting(site, signed_in_as(token(lan)), f"/works/{song}/offer")
    typed = {"csrftoken": csrf, "licenseeId": minh, "territories": ["TH"],
             "media": ["STREAMING"], "start": "2027-01-01", "royaltyRate": "ten",
             "currency": "USD"}
    refused = await site.post(f"/works/{song}/offer", headers={"cookie": cookies}, data=typed)
    assert refused.status_code == 400
    assert 'id="royaltyRate-error-1"' in refused.text
    assert 'aria-invalid="true" aria-describedby="royaltyRate-error-1 "' in refused.text
    assert 'value="ten"' in refused.text and f'value="{minh}"' in refused.text
    assert 'value="TH" checked' in refused.text
    assert fake.licences == {}


async def test_the_deal_page_shows_terms_availability_timeline_and_the_licensees_buttons(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh, an = fake.add_party("Lan"), fake.add_party("Minh"), fake.add_party("An")
    song = fake.add_work([(lan, "100")], title="Bài ca")
    blocking = fake.add_licence(song, lan, an, status="ACTIVE", exclusive=True)
    offer = fake.add_licence(song, lan, minh)
    page = await site.get(f"/deals/{offer}", headers={"cookie": signed_in_as(token(minh))})
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    words = text_of(page)
    assert "Bài ca" in words and "Thailand, Vietnam" in words and "Streaming" in words
    # Availability: the licensee may not see the licence to An, which blocks part of the terms.
    assert f'href="/deals/{blocking}"' not in page.text
    assert "Licences you cannot see block part of these terms" in words
    assert "Licence offered" in words  # the timeline, worded by the catalogue
    assert f'action="/deals/{offer}/accept"' in page.text
    assert f'action="/deals/{offer}/decline"' in page.text
    assert "/withdraw" not in page.text and "/terminate" not in page.text
    assert '<script src="/static/deal-live.js" defer></script>' in page.text
    licensor = await site.get(f"/deals/{offer}", headers={"cookie": signed_in_as(token(lan))})
    # The licensor sees which licence blocks which territories, media and dates.
    assert f'href="/deals/{blocking}"' in licensor.text and "Licence to An" in text_of(licensor)
    assert f'action="/deals/{offer}/withdraw"' in licensor.text
    assert "/accept" not in licensor.text


async def test_another_partys_deal_is_not_found(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh, other = fake.add_party("Lan"), fake.add_party("Minh"), fake.add_party("Other")
    offer = fake.add_licence(fake.add_work([(lan, "100")]), lan, minh)
    page = await site.get(f"/deals/{offer}", headers={"cookie": signed_in_as(token(other))})
    assert page.status_code == 404


async def test_accepting_moves_the_licence_and_the_live_part_shows_it(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    offer = fake.add_licence(fake.add_work([(lan, "100")]), lan, minh)
    cookies, csrf = await posting(site, signed_in_as(token(minh)), f"/deals/{offer}")
    accepted = await site.post(f"/deals/{offer}/accept", headers={"cookie": cookies},
                               data={"csrftoken": csrf})
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/deals/{offer}"
    assert fake.licences[offer]["status"] == "ACTIVE"
    live = await site.get(f"/deals/{offer}/live", headers={"cookie": signed_in_as(token(lan))})
    assert live.status_code == 200 and live.text.lstrip().startswith('<div id="deal-live"')
    assert "Active" in text_of(live) and f'action="/deals/{offer}/terminate"' in live.text
    assert "<html" not in live.text


async def test_a_move_the_viewer_may_not_make_is_refused_on_the_page(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    offer = fake.add_licence(fake.add_work([(lan, "100")]), lan, minh)
    cookies, csrf = await posting(site, signed_in_as(token(lan)), f"/deals/{offer}")
    refused = await site.post(f"/deals/{offer}/accept", headers={"cookie": cookies},
                              data={"csrftoken": csrf})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    assert fake.licences[offer]["status"] == "OFFERED"


async def test_a_move_without_the_csrf_field_is_refused_before_the_api_is_asked(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    offer = fake.add_licence(fake.add_work([(lan, "100")]), lan, minh)
    cookies, _ = await posting(site, signed_in_as(token(minh)), f"/deals/{offer}")
    forged = await site.post(f"/deals/{offer}/accept", headers={"cookie": cookies},
                             data={"csrftoken": "forged"})
    assert forged.status_code == 403
    token_asked = await site.post(f"/deals/{offer}/token", headers={"cookie": cookies})
    assert token_asked.status_code == 403
    assert fake.licences[offer]["status"] == "OFFERED"


async def test_the_script_gets_the_token_by_a_csrf_checked_post_never_cached(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    offer = fake.add_licence(fake.add_work([(lan, "100")]), lan, minh)
    mine = token(minh)
    cookies, csrf = await posting(site, signed_in_as(mine), f"/deals/{offer}")
    given = await site.post(f"/deals/{offer}/token",
                            headers={"cookie": cookies, "x-csrftoken": csrf})
    assert given.status_code == 200 and given.json() == {"token": mine}
    assert given.headers["cache-control"] == "no-store"
    assert (await site.get(f"/deals/{offer}/token")).status_code == 405


async def test_transferring_a_share_and_a_refused_dispute_at_its_field(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    song = fake.add_work([(lan, "100")], title="Bài ca")
    mine = await site.get("/my/works", headers={"cookie": signed_in_as(token(lan))})
    assert f'href="/works/{song}/transfer"' in mine.text
    assert f'href="/works/{song}/offer"' in mine.text
    assert f'href="/works/{song}/dispute"' not in mine.text  # an owner may not dispute it
    work_page = await site.get(f"/works/{song}", headers={"cookie": signed_in_as(token(minh))})
    assert f'href="/works/{song}/dispute"' in work_page.text
    cookies, csrf = await posting(site, signed_in_as(token(lan)), f"/works/{song}/transfer")
    moved = await site.post(f"/works/{song}/transfer", headers={"cookie": cookies}, data={
        "csrftoken": csrf, "key": "0b7a1d52-51d9-4c43-8f0e-2b1f9e1a7c11", "toPartyId": minh,
        "share": "25"})
    assert moved.status_code == 303 and moved.headers["location"] == f"/works/{song}"
    not_a_number = await site.post(f"/works/{song}/transfer", headers={"cookie": cookies},
                                   data={"csrftoken": csrf, "toPartyId": minh, "share": "half"})
    assert not_a_number.status_code == 400 and 'id="share-error-1"' in not_a_number.text
    cookies, csrf = await posting(site, signed_in_as(token(minh)), f"/works/{song}/dispute")
    disputed = await site.post(f"/works/{song}/dispute", headers={"cookie": cookies}, data={
        "csrftoken": csrf, "reason": "I wrote the lyrics", "claimedRole": "LYRICIST",
        "claimedShare": "30"})
    assert disputed.status_code == 303
    assert fake.works[song]["status"] == "DISPUTED"


async def test_resolving_a_dispute_is_the_examiners(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan = fake.add_party("Lan")
    song = fake.add_work([(lan, "100")], title="Bài ca", status="DISPUTED")
    cookies, csrf = await posting(site, signed_in_as(token(lan)), f"/works/{song}/resolve")
    typed = {"csrftoken": csrf, "keepOwners": "yes", "reason": "the filing stands"}
    refused = await site.post(f"/works/{song}/resolve", headers={"cookie": cookies}, data=typed)
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    assert fake.works[song]["status"] == "DISPUTED"
    cookies, csrf = await posting(site, signed_in_as(token(lan, "examiner")),
                                  f"/works/{song}/resolve")
    resolved = await site.post(f"/works/{song}/resolve", headers={"cookie": cookies},
                               data={**typed, "csrftoken": csrf})
    assert resolved.status_code == 303
    assert fake.works[song]["status"] == "REGISTERED"


async def test_an_unknown_work_action_is_not_found(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan = fake.add_party("Lan")
    song = fake.add_work([(lan, "100")])
    page = await site.get(f"/works/{song}/sell", headers={"cookie": signed_in_as(token(lan))})
    assert page.status_code == 404


def test_the_buttons_follow_the_licences_lifecycle() -> None:
    assert allowed_actions("OFFERED", "B", "A", "B") == ["accept", "decline"]
    assert allowed_actions("OFFERED", "A", "A", "B") == ["withdraw"]
    assert allowed_actions("ACTIVE", "A", "A", "B") == ["terminate"]
    assert allowed_actions("ACTIVE", "B", "A", "B") == ["terminate"]
    assert allowed_actions("ACTIVE", "C", "A", "B") == []
    assert allowed_actions("TERMINATED", "A", "A", "B") == []
    assert allowed_actions("OFFERED", None, "A", "B") == []
