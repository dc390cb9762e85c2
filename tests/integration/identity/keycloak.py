"""The real Keycloak as the tests reach it: its admin REST API and a browser-like sign-in.

Sign-in drives the `rights-web` client's authorization-code flow with PKCE the way a browser
does: it opens the authorization URL, posts the login form Keycloak serves, and exchanges the
code from the redirect together with the verifier.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

BASE_URL = os.environ.get(
    "KEYCLOAK_URL", f"http://127.0.0.1:{os.environ.get('KEYCLOAK_PORT', '8080')}"
)
MANAGEMENT_URL = f"http://127.0.0.1:{os.environ.get('KEYCLOAK_MANAGEMENT_PORT', '9000')}"
REALM = "rights"
ISSUER = f"{BASE_URL}/realms/{REALM}"
TOKEN_URL = f"{ISSUER}/protocol/openid-connect/token"
WEB_CLIENT = "rights-web"
WEB_REDIRECT = "http://127.0.0.1:8000/signed-in"

_LOGIN_FORM = re.compile(r'<form\b[^>]*\bid="kc-form-login"[^>]*>', re.S)
_ACTION = re.compile(r'\baction="([^"]+)"')


class SignInRefused(Exception):
    """Keycloak answered the login form with a page instead of a redirect with a code."""

    def __init__(self, page: str):
        super().__init__("sign-in refused")
        self.page = page


@dataclass
class Tokens:
    access_token: str
    refresh_token: str
    id_token: str
    expires_in: int


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def web_request(challenge: str, *, scope: str = "openid", **extra: str) -> dict[str, str]:
    """The query of the `rights-web` client's authorization-code request with PKCE (S256)."""
    return {
        "client_id": WEB_CLIENT,
        "response_type": "code",
        "scope": scope,
        "redirect_uri": WEB_REDIRECT,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


def authorization_code(
    username: str, password: str, *, challenge: str, scope: str = "openid", locale: str = ""
) -> str:
    """Signs in through the login form; returns the code Keycloak redirects back with."""
    state = secrets.token_urlsafe(16)
    params = web_request(challenge, scope=scope, state=state)
    if locale:
        params["ui_locales"] = locale
    with httpx.Client(timeout=30) as browser:
        answer = browser.get(f"{ISSUER}/protocol/openid-connect/auth", params=params)
        answer.raise_for_status()
        # With passkeys on, Keycloak asks for the username first (offering a passkey), then
        # for the password on a second page.
        for field, value in (("username", username), ("password", password)):
            if answer.status_code != 200:
                break
            form = _LOGIN_FORM.search(answer.text)
            assert form, f"no login form on {answer.url}"
            if f'name="{field}"' not in answer.text[form.start() :]:
                continue
            action = _ACTION.search(form.group(0))
            assert action, "the login form has no action"
            # Keycloak marks its cookies Secure; browsers send them to http://127.0.0.1 (a
            # secure context), Python's cookie jar does not, so they are sent by hand.
            cookies = "; ".join(f"{c.name}={c.value}" for c in browser.cookies.jar)
            answer = browser.post(
                html.unescape(action.group(1)),
                data={field: value, "credentialId": ""},
                headers={"Cookie": cookies},
            )
    if answer.status_code != 302:
        raise SignInRefused(answer.text)
    location = urlsplit(answer.headers["location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == WEB_REDIRECT
    assert query["state"] == [state]
    return query["code"][0]


def exchange_code(code: str, verifier: str | None) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "client_id": WEB_CLIENT,
        "code": code,
        "redirect_uri": WEB_REDIRECT,
    }
    if verifier is not None:
        data["code_verifier"] = verifier
    return httpx.post(TOKEN_URL, data=data, timeout=30)


def sign_in(username: str, password: str, *, scope: str = "openid") -> Tokens:
    verifier, challenge = pkce_pair()
    code = authorization_code(username, password, challenge=challenge, scope=scope)
    answer = exchange_code(code, verifier)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return Tokens(body["access_token"], body["refresh_token"], body["id_token"], body["expires_in"])


def refresh(refresh_token: str) -> httpx.Response:
    return httpx.post(
        TOKEN_URL,
        data={
            "grant_type": "refresh_token",
            "client_id": WEB_CLIENT,
            "refresh_token": refresh_token,
        },
        timeout=30,
    )


class _AdminToken(httpx.Auth):
    """The bootstrap admin's token from the master realm, fetched again when it runs out
    (it lives a minute)."""

    def __init__(self) -> None:
        self.token = ""

    def _fetch(self) -> str:
        answer = httpx.post(
            f"{BASE_URL}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": os.environ.get("KEYCLOAK_ADMIN_USER", "admin"),
                "password": os.environ.get("KEYCLOAK_ADMIN_PASSWORD", "admin"),
            },
            timeout=30,
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        if not self.token:
            self.token = self._fetch()
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401:
            self.token = self._fetch()
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request


class Admin:
    """The realm's admin REST API, signed in as the bootstrap admin of the master realm."""

    def __init__(self) -> None:
        self.http = httpx.Client(
            base_url=f"{BASE_URL}/admin/realms/{REALM}", auth=_AdminToken(), timeout=30
        )

    def get(self, path: str, **params: Any) -> Any:
        answer = self.http.get(path, params=params)
        answer.raise_for_status()
        return answer.json()

    def realm(self) -> dict[str, Any]:
        return self.get("")  # type: ignore[no-any-return]

    def create_user(
        self, *, password: str, party_id: str | None = None, roles: tuple[str, ...] = ()
    ) -> tuple[str, str]:
        """A signed-up user whose email is verified; returns (id, username)."""
        username = f"test-{uuid.uuid4().hex[:12]}"
        attributes = {"party_id": [party_id]} if party_id else {}
        answer = self.http.post(
            "/users",
            json={
                "username": username,
                "email": f"{username}@example.org",
                "emailVerified": True,
                "enabled": True,
                "firstName": "Test",
                "lastName": "User",
                "attributes": attributes,
                "credentials": [{"type": "password", "value": password, "temporary": False}],
            },
        )
        assert answer.status_code == 201, answer.text
        user_id = answer.headers["location"].rsplit("/", 1)[1]
        if roles:
            reps = [self.get(f"/roles/{role}") for role in roles]
            self.http.post(f"/users/{user_id}/role-mappings/realm", json=reps).raise_for_status()
        return user_id, username

    def delete_user(self, user_id: str) -> None:
        self.http.delete(f"/users/{user_id}")

    def client(self, client_id: str) -> dict[str, Any]:
        found = self.get("/clients", clientId=client_id)
        assert len(found) == 1, f"no client {client_id}"
        return found[0]  # type: ignore[no-any-return]

    def client_secret(self, client_id: str) -> str:
        return str(self.get(f"/clients/{self.client(client_id)['id']}/client-secret")["value"])

    def brute_force_status(self, user_id: str) -> dict[str, Any]:
        return self.get(f"/attack-detection/brute-force/users/{user_id}")  # type: ignore[no-any-return]

    def organization(self, alias: str) -> dict[str, Any]:
        found = [org for org in self.get("/organizations", search=alias) if org["alias"] == alias]
        assert len(found) == 1, f"no organization {alias}"
        return found[0]

    def organization_members(self, org_id: str) -> list[dict[str, Any]]:
        return self.get(f"/organizations/{org_id}/members")  # type: ignore[no-any-return]

    def add_member(self, org_id: str, user_id: str) -> None:
        answer = self.http.post(f"/organizations/{org_id}/members", json=user_id)
        assert answer.status_code == 201, answer.text

    def realm_roles_of(self, user_id: str) -> set[str]:
        return {
            role["name"] for role in self.get(f"/users/{user_id}/role-mappings/realm/composite")
        }

    def close(self) -> None:
        self.http.close()
