"""The web app's pages as the gateway serves them at "/" (WEB.md): rendered from the gateway's
own /graphql, in process, over the fake services; the language, the formats, the errors and
the signed-in page."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from gateway.settings import GatewaySettings
from itsdangerous import TimestampSigner
from web.session import ReaderToken

from .fake_services import FakeServices
from .gateway_client import make_gateway_client

SECRET = "unit-test-session-secret"


@pytest.fixture
async def site(
    fake: FakeServices, settings_for: Callable[..., GatewaySettings],
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("WEB_SESSION_SECRET", SECRET)
    # Signed out, the pages read as the web app's machine client: here a token of the fake
    # provider acting for no party, as the realm's client-credentials token does.
    reader = fake.idp.token(None, "party", client_id="rights-web-reader")

    async def reader_token(self: ReaderToken) -> str:
        return reader

    monkeypatch.setattr(ReaderToken, "token", reader_token)
    async with make_gateway_client(settings_for(), fake) as client:
        yield client


def session_cookie(session: dict[str, Any]) -> str:
    """A session as Starlette's SessionMiddleware signs it (what a sign-in leaves behind)."""
    data = base64.b64encode(json.dumps(session).encode())
    return TimestampSigner(SECRET).sign(data).decode()


def form_token(page: httpx.Response) -> str:
    """The CSRF field of the page's forms (the same value as its `csrftoken` cookie)."""
    found = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert found, "the page's forms carry no CSRF field"
    return found.group(1)


def signed_in_as(token: str) -> str:
    tokens = {"access_token": token, "refresh_token": "r", "expires_at": int(time.time()) + 300}
    return f"rights_web={session_cookie({'tokens': tokens})}"


def text_of(page: httpx.Response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


async def test_the_register_search_lists_works_signed_out_in_the_browsers_language(
    site: httpx.AsyncClient, fake: FakeServices,
) -> None:
    lan = fake.add_party("Đào Thị Lan")
    fake.add_work([(lan, "100")], title="Bài ca mùa xuân", country_of_origin="VN")
    page = await site.get("/", headers={"accept-language": "th-TH,th;q=0.9"})
    assert page.status_code == 200
    assert '<html lang="th">' in page.text
    assert page.headers["content-language"] == "th"
    assert "ค้นหาในทะเบียน" in page.text
    assert "Bài ca mùa xuân" in page.text
    assert "เวียดนาม" in text_of(page)  # the country named in Thai
    assert "1 ผลงาน" in text_of(page)


async def test_filters_reach_the_register_and_stay_chosen(
    site: httpx.AsyncClient, fake: FakeServices,
) -> None:
    lan = fake.add_party("Lan")
    fake.add_work([(lan, "100")], title="Filed song", status="FILED")
    fake.add_work([(lan, "100")], title="Registered song", status="REGISTERED")
    page = await site.get("/", params={"status": "FILED", "country": "TH"})
    assert "Filed song" in page.text and "Registered song" not in page.text
    assert '<option value="FILED" selected>' in page.text
    assert '<option value="TH" selected>' in page.text


async def test_a_works_page_shows_holders_shares_identifiers_and_history_in_the_locale(
    site: httpx.AsyncClient, fake: FakeServices,
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    work = fake.add_work([(lan, "66.67"), (minh, "33.33")], title="Hai người")
    page = await site.get(f"/works/{work}", headers={"cookie": "lang=vi"})
    assert page.status_code == 200
    words = text_of(page)
    assert "Người nắm quyền" in words
    assert "66,67%" in words and "33,33%" in words
    assert f'href="/parties/{lan}"' in page.text
    assert "R-2026-" in words
    assert "thg 1, 2026 UTC" in words  # the history's times, Vietnamese dates, in UTC


async def test_a_works_page_shows_each_societys_answer_in_the_locale(
    site: httpx.AsyncClient, fake: FakeServices,
) -> None:
    lan = fake.add_party("Lan")
    work = fake.add_work([(lan, "100")], title="Bengawan")
    plain = await site.get(f"/works/{work}", headers={"cookie": "lang=th"})
    assert "องค์กรจัดเก็บค่าลิขสิทธิ์" not in text_of(plain)  # nothing sent: no section
    fake.society_registrations[work] = [
        {"society": "021", "work_version": 1, "transaction": "NWR", "file_name": "CW260001ARR_021.V21",
         "sent_at": "2026-03-01T09:00:00Z", "status": "REJECTED", "cwr_status": "RJ",
         "society_work_id": None, "assigned_iswc": None, "acknowledged_at": "2026-03-02T09:00:00Z"},
        {"society": "052", "work_version": 1, "transaction": "NWR", "file_name": "CW260001ARR_052.V21",
         "sent_at": "2026-03-01T09:00:00Z", "status": "ACCEPTED", "cwr_status": "AS",
         "society_work_id": "PRS-77", "assigned_iswc": "T-034.524.680-1",
         "acknowledged_at": "2026-03-02T09:00:00Z"},
    ]  # fmt: skip
    page = await site.get(f"/works/{work}", headers={"cookie": "lang=th"})
    words = text_of(page)
    assert "องค์กรจัดเก็บค่าลิขสิทธิ์" in words
    assert "ถูกปฏิเสธ" in words and "ยอมรับแล้ว" in words
    assert "PRS-77" in words and "T-034.524.680-1" in words


async def test_an_unknown_work_or_party_is_a_404_page(site: httpx.AsyncClient) -> None:
    for path in ("/works/8d3c1a8e-0000-4000-8000-000000000000",
                 "/parties/8d3c1a8e-0000-4000-8000-000000000000"):
        page = await site.get(path, headers={"cookie": "lang=ms"})
        assert page.status_code == 404, path
        assert "Tidak dijumpai" in page.text


async def test_a_partys_page_lists_its_works(site: httpx.AsyncClient, fake: FakeServices) -> None:
    lan = fake.add_party("Lan")
    fake.add_work([(lan, "100")], title="Lagu satu")
    page = await site.get(f"/parties/{lan}", headers={"cookie": "lang=id"})
    assert page.status_code == 200
    assert "Lagu satu" in page.text and "1 karya" in text_of(page)


async def test_the_language_switcher_sets_a_cookie_and_goes_back_to_this_site_only(
    site: httpx.AsyncClient,
) -> None:
    field = form_token(await site.get("/"))  # and its cookie, kept by the client
    back = await site.post("/language", data={"lang": "th", "next": "/?q=song",
                                              "csrftoken": field})
    assert back.status_code == 303 and back.headers["location"] == "/?q=song"
    assert "lang=th" in back.headers["set-cookie"]
    away = await site.post("/language", data={"lang": "vi", "next": "//evil.example/",
                                              "csrftoken": field})
    assert away.headers["location"] == "/"


async def test_a_post_without_the_pages_csrf_field_is_refused_before_any_route(
    site: httpx.AsyncClient,
) -> None:
    field = form_token(await site.get("/"))
    cookie = site.cookies["csrftoken"]
    assert field == cookie
    for data in ({"lang": "th"}, {"lang": "th", "csrftoken": "forged"}):
        refused = await site.post("/language", data=data)
        assert refused.status_code == 403 and "lang=" not in refused.headers.get("set-cookie", "")
        assert "The form could not be sent" in refused.text
    # a cross-site page cannot set the cookie either: no cookie, no POST
    site.cookies.clear()
    assert (await site.post("/language", data={"lang": "th", "csrftoken": field})).status_code == 403
    # ... and a cookie not signed by the app is worth nothing
    forged = {"cookie": "csrftoken=forged"}
    answer = await site.post("/sign-out", data={"csrftoken": "forged"}, headers=forged)
    assert answer.status_code == 403


async def test_my_works_signed_out_sends_to_sign_in(site: httpx.AsyncClient) -> None:
    answer = await site.get("/my/works")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/my/works"


async def test_my_works_lists_the_signed_in_partys_works_with_their_token(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, other = fake.add_party("Lan"), fake.add_party("Other")
    fake.add_work([(lan, "100")], title="Mine", status="UNDER_REVIEW")
    fake.add_work([(other, "100")], title="Not mine")
    tokens = {"access_token": token(lan), "refresh_token": "r",
              "expires_at": int(time.time()) + 300}
    page = await site.get("/my/works", headers={"cookie": f"rights_web={session_cookie({'tokens': tokens})}"})
    assert page.status_code == 200
    assert "Mine" in page.text and "Not mine" not in page.text
    assert "Under review" in page.text
    assert 'action="/sign-out"' in page.text


async def test_sign_out_is_a_post_only(site: httpx.AsyncClient) -> None:
    assert (await site.get("/sign-out")).status_code == 405
    answer = await site.post("/sign-out", data={"csrftoken": form_token(await site.get("/"))})
    assert answer.status_code == 303  # no session: straight back home


async def test_the_gateways_own_routes_still_answer_before_the_pages(
    site: httpx.AsyncClient,
) -> None:
    assert (await site.get("/health")).json() == {"status": "ok"}
    answer = await site.post("/graphql", json={"query": "{ __typename }"})
    assert answer.json() == {"data": {"__typename": "Query"}}


async def test_the_stylesheet_is_served_by_the_web_app(site: httpx.AsyncClient) -> None:
    answer = await site.get("/static/web.css")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/css")


def test_a_signed_in_session_fits_the_4_kb_a_browser_keeps_for_a_cookie() -> None:
    # Keycloak's tokens for a party's account: ~1.6 KB access, ~0.7 KB refresh (measured),
    # with room to grow.
    tokens = {"access_token": "a" * 1900, "refresh_token": "r" * 900, "expires_at": 1 << 40}
    cookie = f"rights_web={session_cookie({'tokens': tokens})}; path=/; Max-Age=36000; httponly; samesite=lax"
    assert len(cookie) < 4096


async def test_filing_a_work_sends_the_form_to_the_api_and_goes_to_the_new_work(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, co = fake.add_party("Lan"), fake.add_party("Minh")
    me = signed_in_as(token(lan))
    form = await site.get("/my/works/new", headers={"cookie": me})
    assert form.status_code == 200
    assert f'value="{lan}"' in form.text  # the first holder is the signed-in party
    assert '<label for="holder-1-share">' in form.text
    cookies = f"{me}; csrftoken={site.cookies['csrftoken']}"
    filed = await site.post("/my/works/new", headers={"cookie": cookies}, data={
        "csrftoken": form_token(form), "title": "Đêm trăng", "kind": "MUSICAL_WORK",
        "countryOfOrigin": "VN", "holder-0-party": lan, "holder-0-role": "COMPOSER",
        "holder-0-share": "60", "holder-2-party": co, "holder-2-role": "LYRICIST",
        "holder-2-share": "40"})
    assert filed.status_code == 303, filed.text
    work_id = filed.headers["location"].removeprefix("/works/")
    assert fake.works[work_id]["title"] == "Đêm trăng"
    assert fake.owners(work_id) == {lan, co}


async def test_the_apis_refusal_is_shown_at_its_field_and_what_was_typed_is_kept(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan = fake.add_party("Lan")
    me = signed_in_as(token(lan))
    form = await site.get("/my/works/new", headers={"cookie": me, "accept-language": "vi"})
    cookies = f"{me}; csrftoken={site.cookies['csrftoken']}"
    typed = {"csrftoken": form_token(form), "title": "Đêm trăng", "kind": "MUSICAL_WORK",
             "countryOfOrigin": "VN", "holder-0-party": lan, "holder-0-role": "COMPOSER",
             "holder-0-share": "60"}
    refused = await site.post("/my/works/new", data=typed,
                              headers={"cookie": cookies, "accept-language": "vi"})
    assert refused.status_code == 400
    assert '<fieldset id="holders" tabindex="-1" aria-invalid="true"' \
        ' aria-describedby="holders-error-1 "' in refused.text
    assert 'id="holders-error-1"' in refused.text
    assert 'value="Đêm trăng"' in refused.text and 'value="60"' in refused.text
    assert fake.works == {}
    not_a_number = await site.post("/my/works/new", data={**typed, "holder-0-share": "half"},
                                   headers={"cookie": cookies})
    assert 'id="holder-0-share-error-1"' in not_a_number.text
    assert "Write the share as a number" in not_a_number.text


async def test_filing_signed_out_sends_to_sign_in(site: httpx.AsyncClient) -> None:
    answer = await site.get("/my/works/new")
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?next=/my/works/new"


async def test_the_filing_form_submitted_twice_files_one_work(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan = fake.add_party("Lan")
    me = signed_in_as(token(lan))
    form = await site.get("/my/works/new", headers={"cookie": me})
    key = re.search(r'name="idempotencyKey" value="([^"]+)"', form.text)
    assert key is not None
    cookies = f"{me}; csrftoken={site.cookies['csrftoken']}"
    again = await site.get("/my/works/new", headers={"cookie": cookies})
    assert key.group(1) not in again.text  # each rendering of the form is a new intent
    typed = {"csrftoken": form_token(form), "idempotencyKey": key.group(1), "title": "Mưa",
             "kind": "MUSICAL_WORK", "countryOfOrigin": "VN", "holder-0-party": lan,
             "holder-0-role": "COMPOSER", "holder-0-share": "100"}
    first = await site.post("/my/works/new", headers={"cookie": cookies}, data=typed)
    second = await site.post("/my/works/new", headers={"cookie": cookies}, data=typed)
    assert first.status_code == second.status_code == 303, second.text
    assert first.headers["location"] == second.headers["location"]
    assert [w["title"] for w in fake.works.values()] == ["Mưa"]
