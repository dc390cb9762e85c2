"""Real identities at the platform's Keycloak for tests, the demo and the bench: the realm's
admin REST API, accounts that sign in the way a browser does, and machine identities that get
their access tokens with client credentials.

Everything here speaks to the running Keycloak (`make idp-up`); nothing mints a token itself.
Settings (environment, local defaults):

- `IDENTITY_ISSUER`: the realm's issuer, `http://127.0.0.1:8080/realms/rights`; when unset,
  `KEYCLOAK_URL` (or `http://127.0.0.1:$KEYCLOAK_PORT`) and realm `rights`;
- `KEYCLOAK_ADMIN_USER`, `KEYCLOAK_ADMIN_PASSWORD`: the master realm's bootstrap admin;
- `IDENTITY_MACHINE_TOKEN_LIFESPAN_SECONDS` (3600): lifetime of a machine identity's tokens,
  long enough for a test session; `IDENTITY_TOKEN_RENEW_SECONDS` (60): a cached token is
  renewed when it has less than this left.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import os
import re
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

WEB_CLIENT = "rights-web"
# Keycloak only checks it against the client's redirect URIs; nothing is served there.
WEB_REDIRECT = "http://127.0.0.1:8000/signed-in"
# The realm's machine client whose protocol mappers (party_id, roles, audience) every machine
# identity made here copies.
MAPPER_TEMPLATE_CLIENT = "demo-licensee-system"
DEFAULT_ROLES = "default-roles-rights"

_LOGIN_FORM = re.compile(r'<form\b[^>]*\bid="kc-form-login"[^>]*>', re.S)
_ACTION = re.compile(r'\baction="([^"]+)"')


@dataclass(frozen=True)
class KeycloakConfig:
    """Where the realm is and who administers it."""

    base_url: str
    realm: str
    admin_user: str
    admin_password: str
    management_url: str
    machine_token_lifespan_seconds: int = 3600
    token_renew_seconds: int = 60

    @classmethod
    def from_env(cls) -> KeycloakConfig:
        issuer = os.environ.get("IDENTITY_ISSUER", "")
        if issuer:
            base_url, _, realm = issuer.rstrip("/").partition("/realms/")
        else:
            port = os.environ.get("KEYCLOAK_PORT", "8080")
            base_url = os.environ.get("KEYCLOAK_URL", f"http://127.0.0.1:{port}")
            realm = "rights"
        management = os.environ.get("KEYCLOAK_MANAGEMENT_PORT", "9000")
        return cls(
            base_url=base_url.rstrip("/"),
            realm=realm,
            admin_user=os.environ.get("KEYCLOAK_ADMIN_USER", "admin"),
            admin_password=os.environ.get("KEYCLOAK_ADMIN_PASSWORD", "admin"),
            management_url=f"http://127.0.0.1:{management}",
            machine_token_lifespan_seconds=int(
                os.environ.get("IDENTITY_MACHINE_TOKEN_LIFESPAN_SECONDS", "3600")
            ),
            token_renew_seconds=int(os.environ.get("IDENTITY_TOKEN_RENEW_SECONDS", "60")),
        )

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{self.realm}"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"


CONFIG = KeycloakConfig.from_env()


# --- people: the browser-like sign-in of the `rights-web` client --------------------------


class SignInRefused(Exception):
    """Keycloak answered the login form with a page instead of a redirect with a code."""

    def __init__(self, page: str):
        super().__init__("sign-in refused")
        self.page = page


class TokenRefused(Exception):
    """The token endpoint said no (a spent or revoked refresh token, a wrong secret)."""

    def __init__(self, status: int, body: dict[str, Any]):
        super().__init__(f"token refused ({status}): {body.get('error')}")
        self.status = status
        self.error = str(body.get("error", ""))


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
    username: str,
    password: str,
    *,
    challenge: str,
    scope: str = "openid",
    locale: str = "",
    config: KeycloakConfig = CONFIG,
) -> str:
    """Signs in through the login form; returns the code Keycloak redirects back with."""
    state = secrets.token_urlsafe(16)
    params = web_request(challenge, scope=scope, state=state)
    if locale:
        params["ui_locales"] = locale
    with httpx.Client(timeout=30) as browser:
        answer = browser.get(f"{config.issuer}/protocol/openid-connect/auth", params=params)
        answer.raise_for_status()
        # With passkeys on, Keycloak asks for the username first (offering a passkey), then
        # for the password on a second page.
        for name, value in (("username", username), ("password", password)):
            if answer.status_code != 200:
                break
            form = _LOGIN_FORM.search(answer.text)
            if form is None:
                raise SignInRefused(answer.text)
            if f'name="{name}"' not in answer.text[form.start() :]:
                continue
            action = _ACTION.search(form.group(0))
            if action is None:
                raise SignInRefused(answer.text)
            # Keycloak marks its cookies Secure; browsers send them to http://127.0.0.1 (a
            # secure context), Python's cookie jar does not, so they are sent by hand.
            cookies = "; ".join(f"{c.name}={c.value}" for c in browser.cookies.jar)
            answer = browser.post(
                html.unescape(action.group(1)),
                data={name: value, "credentialId": ""},
                headers={"Cookie": cookies},
            )
    if answer.status_code != 302:
        raise SignInRefused(answer.text)
    location = urlsplit(answer.headers["location"])
    query = parse_qs(location.query)
    if f"{location.scheme}://{location.netloc}{location.path}" != WEB_REDIRECT:
        raise SignInRefused(f"redirected to {location.geturl()}")
    if query.get("state") != [state]:
        raise SignInRefused("the redirect carries another state")
    return query["code"][0]


def exchange_code(
    code: str, verifier: str | None, *, config: KeycloakConfig = CONFIG
) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "client_id": WEB_CLIENT,
        "code": code,
        "redirect_uri": WEB_REDIRECT,
    }
    if verifier is not None:
        data["code_verifier"] = verifier
    return httpx.post(config.token_url, data=data, timeout=30)


def refresh_grant(refresh_token: str, *, config: KeycloakConfig = CONFIG) -> httpx.Response:
    """The token endpoint's raw answer to a `rights-web` refresh."""
    return httpx.post(
        config.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": WEB_CLIENT,
            "refresh_token": refresh_token,
        },
        timeout=30,
    )


def _tokens(answer: httpx.Response) -> Tokens:
    if answer.status_code != 200:
        raise TokenRefused(answer.status_code, answer.json())
    body = answer.json()
    return Tokens(
        body["access_token"], body["refresh_token"], body.get("id_token", ""), body["expires_in"]
    )


def sign_in(
    username: str, password: str, *, scope: str = "openid", config: KeycloakConfig = CONFIG
) -> Tokens:
    """A person's sign-in at `rights-web`: authorization code with PKCE through the form."""
    verifier, challenge = pkce_pair()
    code = authorization_code(username, password, challenge=challenge, scope=scope, config=config)
    return _tokens(exchange_code(code, verifier, config=config))


def refresh(refresh_token: str, *, config: KeycloakConfig = CONFIG) -> Tokens:
    """New tokens for a refresh token (the realm spends it: use the one returned next)."""
    return _tokens(refresh_grant(refresh_token, config=config))


# --- the admin REST API -------------------------------------------------------------------


class _AdminToken(httpx.Auth):
    """The bootstrap admin's token from the master realm, fetched again when it runs out
    (it lives a minute)."""

    def __init__(self, config: KeycloakConfig) -> None:
        self.config = config
        self.token = ""
        self.lock = threading.Lock()

    def _fetch(self) -> str:
        answer = httpx.post(
            f"{self.config.base_url}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": self.config.admin_user,
                "password": self.config.admin_password,
            },
            timeout=30,
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def _current(self, stale: str = "") -> str:
        # One fetch for all threads that found the same token stale.
        with self.lock:
            if not self.token or self.token == stale:
                self.token = self._fetch()
            return self.token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._current()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            request.headers["Authorization"] = f"Bearer {self._current(stale=token)}"
            yield request


class ClientExists(Exception):
    """The realm has a client with that client id already."""


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    email: str
    password: str


class KeycloakAdmin:
    """The realm's admin REST API, signed in as the bootstrap admin of the master realm.

    One HTTP client (and one admin token) for all calls; safe to share between threads."""

    def __init__(self, config: KeycloakConfig = CONFIG) -> None:
        self.config = config
        self.http = httpx.Client(
            base_url=f"{config.base_url}/admin/realms/{config.realm}",
            auth=_AdminToken(config),
            timeout=30,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
        )
        self._roles: dict[str, dict[str, Any]] = {}
        self._mappers: list[dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **params: Any) -> Any:
        answer = self.http.get(path, params=params)
        answer.raise_for_status()
        return answer.json()

    def realm(self) -> dict[str, Any]:
        return self.get("")

    def realm_role(self, name: str) -> dict[str, Any]:
        if name not in self._roles:
            self._roles[name] = self.get(f"/roles/{name}")
        return self._roles[name]

    def create_user(
        self,
        *,
        username: str,
        password: str,
        email: str,
        party_id: str | None = None,
        roles: tuple[str, ...] = (),
        first_name: str = "Test",
        last_name: str = "User",
    ) -> str:
        """An enabled user whose email is verified; returns its id."""
        answer = self.http.post(
            "/users",
            json={
                "username": username,
                "email": email,
                "emailVerified": True,
                "enabled": True,
                "firstName": first_name,
                "lastName": last_name,
                "attributes": {"party_id": [party_id]} if party_id else {},
                "credentials": [{"type": "password", "value": password, "temporary": False}],
            },
        )
        if answer.status_code != 201:
            raise RuntimeError(f"creating user {username}: {answer.status_code} {answer.text}")
        user_id = answer.headers["location"].rsplit("/", 1)[1]
        self.grant_realm_roles(user_id, roles)
        return user_id

    def grant_realm_roles(self, user_id: str, roles: tuple[str, ...] | list[str]) -> None:
        if roles:
            reps = [self.realm_role(role) for role in roles]
            self.http.post(f"/users/{user_id}/role-mappings/realm", json=reps).raise_for_status()

    def revoke_realm_roles(self, user_id: str, roles: tuple[str, ...] | list[str]) -> None:
        if roles:
            reps = [self.realm_role(role) for role in roles]
            answer = self.http.request("DELETE", f"/users/{user_id}/role-mappings/realm", json=reps)
            answer.raise_for_status()

    def users(self, search: str = "", *, first: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Accounts whose username, email or name contains `search` (all when empty)."""
        found: list[dict[str, Any]] = self.get(
            "/users", search=search, first=first, max=limit, briefRepresentation="true"
        )
        return found

    def set_user_enabled(self, user_id: str, enabled: bool) -> None:
        """Enables or disables an account; a disabled one cannot sign in, and its sessions
        end at once."""
        user = self.get(f"/users/{user_id}")
        user["enabled"] = enabled
        self.http.put(f"/users/{user_id}", json=user).raise_for_status()
        if not enabled:
            self.http.post(f"/users/{user_id}/logout").raise_for_status()

    def require_actions(self, user_id: str, *actions: str) -> None:
        """What the person must do at their next sign-in (e.g. UPDATE_PASSWORD)."""
        user = self.get(f"/users/{user_id}")
        user["requiredActions"] = sorted({*user.get("requiredActions", []), *actions})
        self.http.put(f"/users/{user_id}", json=user).raise_for_status()

    def clients(self, search: str = "") -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get(
            "/clients", **({"clientId": search, "search": "true"} if search else {})
        )
        return found

    def set_client_enabled(self, client_id: str, enabled: bool) -> None:
        client = self.client(client_id)
        client["enabled"] = enabled
        self.http.put(f"/clients/{client['id']}", json=client).raise_for_status()

    def user_by_username(self, username: str) -> dict[str, Any] | None:
        found = self.get("/users", username=username, exact="true")
        return found[0] if found else None

    def set_user_attribute(self, user_id: str, name: str, value: str) -> None:
        user = self.get(f"/users/{user_id}")
        user["attributes"] = {**(user.get("attributes") or {}), name: [value]}
        self.http.put(f"/users/{user_id}", json=user).raise_for_status()

    def delete_user(self, user_id: str) -> None:
        self.http.delete(f"/users/{user_id}")

    def set_password(self, user_id: str, password: str) -> None:
        self.http.put(
            f"/users/{user_id}/reset-password",
            json={"type": "password", "value": password, "temporary": False},
        ).raise_for_status()

    def client(self, client_id: str) -> dict[str, Any]:
        found = self.get("/clients", clientId=client_id)
        if len(found) != 1:
            raise LookupError(f"no client {client_id}")
        return found[0]

    def client_secret(self, client_id: str) -> str:
        return str(self.get(f"/clients/{self.client(client_id)['id']}/client-secret")["value"])

    def template_mappers(self) -> list[dict[str, Any]]:
        """The protocol mappers (party_id, roles, audience) of the realm's machine client
        template, for a new machine client to copy."""
        template = self.client(MAPPER_TEMPLATE_CLIENT)
        return [
            {k: v for k, v in mapper.items() if k != "id"}
            for mapper in template.get("protocolMappers", [])
        ]

    def create_machine_client(
        self,
        client_id: str,
        *,
        name: str,
        secret: str,
        party_id: str | None,
        roles: tuple[str, ...],
        token_lifespan_seconds: int | None = None,
        description: str = "",
    ) -> str:
        """A confidential client with a service account (client credentials) acting for
        `party_id` with exactly `roles` (`party` unless left out); returns its internal id.
        Raises `ClientExists` when the client id is taken."""
        attributes = {
            "use.refresh.tokens": "false",
            "client_credentials.use_refresh_token": "false",
        }
        if token_lifespan_seconds is not None:
            attributes["access.token.lifespan"] = str(token_lifespan_seconds)
        with self._lock:
            if self._mappers is None:
                self._mappers = self.template_mappers()
            mappers = self._mappers
        answer = self.http.post(
            "/clients",
            json={
                "clientId": client_id,
                "name": name,
                "description": description,
                "enabled": True,
                "publicClient": False,
                "clientAuthenticatorType": "client-secret",
                "secret": secret,
                "serviceAccountsEnabled": True,
                "standardFlowEnabled": False,
                "implicitFlowEnabled": False,
                "directAccessGrantsEnabled": False,
                "frontchannelLogout": False,
                "protocol": "openid-connect",
                "attributes": attributes,
                "protocolMappers": mappers,
            },
        )
        if answer.status_code == 409:
            raise ClientExists(client_id)
        if answer.status_code != 201:
            raise RuntimeError(f"creating client {client_id}: {answer.status_code} {answer.text}")
        internal_id = answer.headers["location"].rsplit("/", 1)[1]
        user = self.get(f"/clients/{internal_id}/service-account-user")
        if party_id is not None:
            user["attributes"] = {**(user.get("attributes") or {}), "party_id": [party_id]}
            self.http.put(f"/users/{user['id']}", json=user).raise_for_status()
        # Every user holds the realm's default roles, `party` among them; a machine holds
        # exactly the roles asked for.
        self.grant_realm_roles(user["id"], [r for r in roles if r != "party"])
        if "party" not in roles:
            self.revoke_realm_roles(user["id"], [DEFAULT_ROLES])
        return str(internal_id)

    def brute_force_status(self, user_id: str) -> dict[str, Any]:
        return self.get(f"/attack-detection/brute-force/users/{user_id}")

    def organization(self, alias: str) -> dict[str, Any]:
        found = [org for org in self.get("/organizations", search=alias) if org["alias"] == alias]
        if len(found) != 1:
            raise LookupError(f"no organization {alias}")
        return found[0]

    def organization_members(self, org_id: str) -> list[dict[str, Any]]:
        return self.get(f"/organizations/{org_id}/members")

    def add_member(self, org_id: str, user_id: str) -> None:
        answer = self.http.post(f"/organizations/{org_id}/members", json=user_id)
        answer.raise_for_status()

    def realm_roles_of(self, user_id: str) -> set[str]:
        return {
            role["name"] for role in self.get(f"/users/{user_id}/role-mappings/realm/composite")
        }

    def delete_with_prefix(self, prefix: str) -> int:
        """Deletes the clients and users whose names start with `prefix` (a run's own);
        returns how many. A client's service-account user goes with its client."""
        paths = [
            f"/clients/{client['id']}"
            for client in self.get("/clients", clientId=prefix, search="true", max=100_000)
            if client["clientId"].startswith(prefix)
        ]
        paths += [
            f"/users/{user['id']}"
            for user in self.get("/users", username=prefix, max=100_000, briefRepresentation="true")
            if user["username"].startswith(prefix)
        ]
        # A few at a time: each delete waits mostly on Keycloak's database.
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(self.http.delete, paths))
        return len(paths)


# --- identities made for a run ------------------------------------------------------------


REGISTER_PARTY = """mutation($input: RegisterPartyInput!) {
  registerParty(input: $input) { party { id } errors { code message field } } }"""

# `GraphQLClient.__call__`'s shape: (query, variables, bearer token) -> the answer's data.
GraphQLCall = Callable[[str, dict[str, Any], str | None], Awaitable[dict[str, Any]]]


class RegistrationRefused(Exception):
    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__(f"registerParty: {errors}")
        self.errors = errors


@dataclass
class Person:
    """A signed-in person bound to a party; `token` is a current access token (refreshed
    when less than the renewal margin is left: the realm's access tokens live minutes)."""

    party_id: str
    account: Account
    tokens: Tokens
    identities: Identities
    expires_at: float = 0.0
    # The realm spends a refresh token on use: two threads refreshing at once would send the
    # same one twice, and the second is refused. One refresh at a time.
    _refreshing: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def token(self) -> str:
        with self._refreshing:
            if time.monotonic() >= self.expires_at - self.identities.config.token_renew_seconds:
                self.tokens = self.identities.refresh(self.tokens.refresh_token)
                self.expires_at = time.monotonic() + self.tokens.expires_in
            return self.tokens.access_token


@dataclass
class _Machine:
    client_id: str
    secret: str
    token: str = ""
    expires_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Identities:
    """Accounts and machine identities of one run, all named `<prefix>-…` so that
    `delete_created()` (or `KeycloakAdmin.delete_with_prefix`) removes them afterwards."""

    def __init__(
        self, prefix: str, admin: KeycloakAdmin | None = None, *, machine_secret: str = ""
    ) -> None:
        self.prefix = prefix
        # Empty: every machine gets a random secret (the demo gives its machines a known one).
        self.machine_secret = machine_secret
        self._own_admin = admin is None
        self.admin = admin or KeycloakAdmin()
        self.config = self.admin.config
        self._machines: dict[tuple[str | None, tuple[str, ...]], _Machine] = {}
        self._lock = threading.Lock()
        self._token_http = httpx.Client(timeout=30)

    def close(self) -> None:
        self._token_http.close()
        if self._own_admin:
            self.admin.close()

    def delete_created(self) -> int:
        return self.admin.delete_with_prefix(f"{self.prefix}-")

    # people

    def create_account(
        self,
        *,
        name: str = "",
        password: str | None = None,
        email: str | None = None,
        party_id: str | None = None,
        roles: tuple[str, ...] = (),
        first_name: str = "Test",
        last_name: str = "User",
    ) -> Account:
        """A person's account with a verified email (`<prefix>-<name or random>`), optionally
        already bound to a party and given realm roles beyond the default `party`."""
        username = f"{self.prefix}-{name or secrets.token_hex(6)}".lower()
        password = password or secrets.token_urlsafe(18)
        email = email or f"{username}@example.org"
        user_id = self.admin.create_user(
            username=username,
            password=password,
            email=email,
            party_id=party_id,
            roles=roles,
            first_name=first_name,
            last_name=last_name,
        )
        return Account(user_id, username, email, password)

    def sign_in(self, account: Account) -> Tokens:
        return sign_in(account.username, account.password, config=self.config)

    def refresh(self, refresh_token: str) -> Tokens:
        return refresh(refresh_token, config=self.config)

    async def sign_up(
        self,
        call: GraphQLCall,
        party: dict[str, Any],
        *,
        name: str = "",
        password: str | None = None,
    ) -> Person:
        """A person's first visit, as the web app makes it: an account (verified email), a
        sign-in, `registerParty` with that token (the gateway binds the new party to the
        account), and a refresh, whose token carries the party."""
        account = await asyncio.to_thread(
            self.create_account, name=name, password=password, first_name=party["name"]
        )
        tokens = await asyncio.to_thread(self.sign_in, account)
        data = await call(REGISTER_PARTY, {"input": party}, tokens.access_token)
        payload = data["registerParty"]
        if payload["errors"]:
            raise RegistrationRefused(payload["errors"])
        person = Person(str(payload["party"]["id"]), account, tokens, self)
        # Expired at once: the first `token` refreshes, so it carries the party.
        await asyncio.to_thread(lambda: person.token)
        return person

    async def signed_in(self, account: Account, party_id: str) -> Person:
        """A person whose account is already bound to `party_id` (a later visit)."""
        tokens = await asyncio.to_thread(self.sign_in, account)
        return Person(party_id, account, tokens, self, time.monotonic() + tokens.expires_in)

    # machines

    def token_for(self, party_id: object | None, *roles: str) -> str:
        """A real access token of a machine identity acting for `party_id` with exactly
        `roles` (default `party`): made once per (party, roles), cached until shortly before
        it expires."""
        key = (None if party_id is None else str(party_id), tuple(sorted(set(roles or ("party",)))))
        with self._lock:
            machine = self._machines.get(key)
        if machine is None:
            machine = self._create_machine(*key)
            with self._lock:
                machine = self._machines.setdefault(key, machine)
        with machine.lock:
            if time.monotonic() >= machine.expires_at - self.config.token_renew_seconds:
                self._client_credentials(machine)
            return machine.token

    async def token_for_async(self, party_id: object | None, *roles: str) -> str:
        """`token_for` off the event loop (its HTTP calls block)."""
        return await asyncio.to_thread(self.token_for, party_id, *roles)

    def machine_client_id(self, party_id: str | None, roles: tuple[str, ...]) -> str:
        digest = hashlib.sha256(f"{party_id}|{','.join(roles)}".encode()).hexdigest()[:12]
        return f"{self.prefix}-{digest}"

    def _create_machine(self, party_id: str | None, roles: tuple[str, ...]) -> _Machine:
        client_id = self.machine_client_id(party_id, roles)
        secret = self.machine_secret or secrets.token_urlsafe(32)
        try:
            self.admin.create_machine_client(
                client_id,
                name=f"test machine for {party_id or 'no party'} ({', '.join(roles)})",
                secret=secret,
                party_id=party_id,
                roles=roles,
                token_lifespan_seconds=self.config.machine_token_lifespan_seconds,
            )
        except ClientExists:
            # Made earlier under this prefix (another Identities of the same run): reuse it.
            return _Machine(client_id, self.admin.client_secret(client_id))
        return _Machine(client_id, secret)

    def _client_credentials(self, machine: _Machine) -> None:
        answer = self._token_http.post(
            self.config.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": machine.client_id,
                "client_secret": machine.secret,
            },
        )
        if answer.status_code != 200:
            raise TokenRefused(answer.status_code, answer.json())
        body = answer.json()
        machine.token = str(body["access_token"])
        machine.expires_at = time.monotonic() + int(body["expires_in"])
