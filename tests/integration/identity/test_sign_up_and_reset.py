"""A person's own way in and back, through Keycloak's pages as a browser walks them: sign up
(the verification email arrives through SMTP at the realm's mail server, 127.0.0.1:8025, the
platform's local one; following its link verifies the address and signs the person in), and
a forgotten password reset by email.

The realm's mail server is the platform's (`make run` serves it on 8025); here the test serves
it itself, so nothing else may hold that port while these tests run."""

from __future__ import annotations

import asyncio
import html
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from devstack.identity import (
    CONFIG,
    WEB_REDIRECT,
    SignInRefused,
    exchange_code,
    pkce_pair,
    sign_in,
    web_request,
)
from notifications.smtp_server import LocalSmtpServer, ReceivedMail
from runtime.identity import IdentityVerifier

from .keycloak import Admin

REALM_SMTP_PORT = 8025
_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/realms/rights/login-actions/action-token\?\S+)")


@pytest.fixture
async def realm_mail() -> AsyncIterator[LocalSmtpServer]:
    try:
        server = await LocalSmtpServer(port=REALM_SMTP_PORT).start()
    except OSError as exc:
        pytest.fail(f"port {REALM_SMTP_PORT} (the realm's SMTP server) is taken: {exc}")
    try:
        yield server
    finally:
        await server.stop()


@dataclass
class Browser:
    """Follows Keycloak's pages; sends its Secure cookies by hand to http://127.0.0.1 (as a
    browser does for a secure context; Python's cookie jar does not)."""

    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def _cookies(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.http.cookies.jar)}

    def _within_keycloak(self, answer: httpx.Response) -> httpx.Response:
        # Keycloak's own redirects are followed; the one back to the client is the answer.
        while answer.is_redirect and answer.headers["location"].startswith(CONFIG.base_url):
            answer = self.http.get(answer.headers["location"], headers=self._cookies())
        return answer

    def get(self, url: str, **params: str) -> httpx.Response:
        return self._within_keycloak(
            self.http.get(url, params=params or None, headers=self._cookies()))

    def submit(self, page: httpx.Response, form_id: str, **fields: str) -> httpx.Response:
        form = re.search(rf'<form\b[^>]*\bid="{form_id}"[^>]*>', page.text)
        assert form, f"no form {form_id} on {page.url}:\n{page.text[:2000]}"
        action = re.search(r'\baction="([^"]+)"', form.group(0))
        assert action
        return self._within_keycloak(self.http.post(
            html.unescape(action.group(1)), data=fields, headers=self._cookies()))


def _code(answer: httpx.Response, state: str) -> str:
    assert answer.status_code == 302, answer.text[:2000]
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == WEB_REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == [state]
    return query["code"][0]


def _link(mail: ReceivedMail) -> str:
    found = _LINK.search(mail.body)
    assert found, mail.body
    return html.unescape(found.group(1))


async def _mail_to(server: LocalSmtpServer, address: str) -> ReceivedMail:
    return await server.store.wait_for(lambda m: address in m.rcpt_tos, within=30)


async def test_a_person_signs_up_verifies_the_email_and_is_signed_in(
    realm_mail: LocalSmtpServer, admin: Admin
) -> None:
    name = f"test-signup-{secrets.token_hex(5)}"
    email, password = f"{name}@example.org", secrets.token_urlsafe(18)
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(8)
    browser = Browser()
    page = await asyncio.to_thread(
        browser.get, f"{CONFIG.issuer}/protocol/openid-connect/registrations",
        **web_request(challenge, state=state),
    )
    try:
        answer = await asyncio.to_thread(
            browser.submit, page, "kc-register-form", username=name, email=email,
            firstName="Suda", lastName="Chaiyaporn", password=password,
            **{"password-confirm": password},
        )
        # Not signed in yet: the page asks to verify the address, which a mail now carries.
        assert answer.status_code == 200 and "verify" in answer.text.lower()
        mail = await _mail_to(realm_mail, email)
        user = admin.get("/users", username=name, exact="true")[0]
        assert user["emailVerified"] is False
        answer = await asyncio.to_thread(browser.get, _link(mail))
        tokens = exchange_code(_code(answer, state), verifier)
        assert tokens.status_code == 200, tokens.text
        caller = IdentityVerifier().verify(tokens.json()["access_token"])
        assert caller.subject == user["id"] and caller.party_id is None
        assert admin.get(f"/users/{user['id']}")["emailVerified"] is True
    finally:
        for found in admin.get("/users", username=name, exact="true"):
            admin.delete_user(found["id"])


async def test_a_forgotten_password_is_reset_by_email(
    realm_mail: LocalSmtpServer, admin: Admin
) -> None:
    old, new = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    username = f"test-reset-{secrets.token_hex(5)}"
    email = f"{username}@example.org"
    user_id = admin.create_user(username=username, password=old, email=email)
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(8)
    browser = Browser()
    try:
        login = await asyncio.to_thread(
            browser.get, f"{CONFIG.issuer}/protocol/openid-connect/auth",
            **web_request(challenge, state=state),
        )
        if 'name="password"' not in login.text:
            # With passkeys on, the first page asks for the username only.
            login = await asyncio.to_thread(
                browser.submit, login, "kc-form-login", username=username, credentialId="")
        reset = re.search(r'href="([^"]*login-actions/reset-credentials[^"]*)"', login.text)
        assert reset, "the sign-in page offers no password reset"
        page = await asyncio.to_thread(
            browser.get, urljoin(CONFIG.base_url, html.unescape(reset.group(1))))
        answer = await asyncio.to_thread(
            browser.submit, page, "kc-reset-password-form", username=username)
        assert answer.status_code in (200, 302)
        mail = await _mail_to(realm_mail, email)
        page = await asyncio.to_thread(browser.get, _link(mail))
        if 'id="kc-passwd-update-form"' not in page.text:
            # Keycloak may first ask to confirm the action the link stands for.
            proceed = re.search(r'href="([^"]*login-actions/action-token[^"]*)"', page.text)
            assert proceed, page.text[:2000]
            page = await asyncio.to_thread(
                browser.get, urljoin(CONFIG.base_url, html.unescape(proceed.group(1))))
        answer = await asyncio.to_thread(
            browser.submit, page, "kc-passwd-update-form",
            **{"password-new": new, "password-confirm": new},
        )
        tokens = exchange_code(_code(answer, state), verifier)
        assert tokens.status_code == 200, tokens.text
        assert IdentityVerifier().verify(tokens.json()["access_token"]).subject == user_id
        # The old password no longer signs in; the new one does.
        with pytest.raises(SignInRefused):
            await asyncio.to_thread(sign_in, username, old)
        assert (await asyncio.to_thread(sign_in, username, new)).access_token
    finally:
        admin.delete_user(user_id)
