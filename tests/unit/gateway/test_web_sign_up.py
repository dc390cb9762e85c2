"""Signing up in the web app (WEB.md, "Signing up"): "Sign up" goes to the identity provider's
registration page in the page's language; back signed in, the account registers its party on
a form whose refusals are shown at their field, and its tokens are refreshed at once so that
the pages know the party."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.starlette_client import StarletteOAuth2App
from starlette.requests import Request
from web.session import SESSION_TOKENS, SignIn

from .fake_services import FakeServices
from .test_web_pages import form_token, signed_in_as, site, text_of

__all__ = ["site"]  # the pages' fixture, shared with test_web_pages


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> None:
    """The identity provider's metadata, as discovery would give it (no provider runs here)."""

    async def metadata(self: StarletteOAuth2App) -> dict[str, Any]:
        return {"issuer": "http://idp.example/realms/rights",
                "authorization_endpoint": "http://idp.example/realms/rights/auth"}

    monkeypatch.setattr(StarletteOAuth2App, "load_server_metadata", metadata)


async def test_sign_up_opens_the_providers_registration_page_in_the_pages_language(
    site: httpx.AsyncClient, provider: None,
) -> None:
    answer = await site.get("/sign-up", headers={"accept-language": "vi"})
    assert answer.status_code == 302
    target = urlsplit(answer.headers["location"])
    asked = parse_qs(target.query)
    assert target.path == "/realms/rights/auth"
    assert asked["prompt"] == ["create"]
    assert asked["ui_locales"] == ["vi"] and asked["kc_locale"] == ["vi"]
    assert asked["code_challenge_method"] == ["S256"]
    signing_in = await site.get("/sign-in", headers={"accept-language": "th"})
    assert "prompt" not in parse_qs(urlsplit(signing_in.headers["location"]).query)
    assert parse_qs(urlsplit(signing_in.headers["location"]).query)["kc_locale"] == ["th"]


async def test_signed_out_pages_offer_sign_up(site: httpx.AsyncClient) -> None:
    page = await site.get("/", headers={"accept-language": "id"})
    assert '<a href="/sign-up">Daftar</a>' in page.text


async def test_an_account_without_a_party_registers_it_and_the_pages_know_it_at_once(
    site: httpx.AsyncClient, fake: FakeServices, idp: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    subject, token = idp.account()
    refreshed: list[str] = []

    async def refresh(self: SignIn, request: Request) -> str:
        # The provider's answer to a refresh after the gateway bound the account.
        new = idp.refreshed(subject)
        request.session[SESSION_TOKENS] = {**request.session[SESSION_TOKENS], "access_token": new}
        refreshed.append(new)
        return str(new)

    monkeypatch.setattr(SignIn, "refresh", refresh)
    me = signed_in_as(token)
    works = await site.get("/my/works", headers={"cookie": me})
    assert 'href="/my/party"' in works.text
    form = await site.get("/my/party", headers={"cookie": me, "accept-language": "ms"})
    assert form.status_code == 200
    assert '<option value="MY" selected>' in form.text  # suggested from the page's language
    cookies = f"{me}; csrftoken={site.cookies['csrftoken']}"
    typed = {"csrftoken": form_token(form), "name": "Siti Aminah", "kind": "PERSON",
             "country": "MY", "email": "not an address", "webhookSecret": "s3cret-s3cret-s3cret"}

    refused = await site.post("/my/party", data=typed,
                              headers={"cookie": cookies, "accept-language": "ms"})
    assert refused.status_code == 400
    assert 'value="not an address" autocomplete="email" aria-invalid="true"' \
        ' aria-describedby="email-error-1 "' in refused.text
    assert '<p class="field-error" id="email-error-1">Ini bukan alamat e-mel yang sah.</p>' \
        in refused.text
    assert "s3cret" not in refused.text  # the secret is never shown again
    assert fake.parties == {} and refreshed == []

    registered = await site.post("/my/party", data={**typed, "email": "siti@example.org"},
                                 headers={"cookie": cookies})
    assert registered.status_code == 303 and registered.headers["location"] == "/my/works"
    [party] = fake.parties.values()
    assert party["name"] == "Siti Aminah" and party["country"] == "MY"
    assert fake.contacts[party["id"]]["email"] == "siti@example.org"
    assert len(refreshed) == 1
    session = registered.cookies["rights_web"]
    mine = await site.get("/my/works", headers={"cookie": f"rights_web={session}"})
    assert "Siti Aminah" in text_of(mine)
    again = await site.get("/my/party", headers={"cookie": f"rights_web={session}"})
    assert again.status_code == 303 and again.headers["location"] == "/my/works"
