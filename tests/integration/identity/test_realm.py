"""The `rights` realm as imported from infra/keycloak/realm-rights.json: what it promises users
(sign-up, verified email, password reset, passkeys, five languages) and organisations."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from .keycloak import ISSUER, WEB_CLIENT, Admin, pkce_pair, web_request

ROOT = Path(__file__).resolve().parents[3]
LOCALES = {"en", "th", "vi", "id", "ms"}


def test_realm_offers_the_five_locales_with_english_first(admin: Admin) -> None:
    realm = admin.realm()
    assert realm["internationalizationEnabled"] is True
    assert set(realm["supportedLocales"]) == LOCALES
    assert realm["defaultLocale"] == "en"


@pytest.mark.parametrize(("locale", "sign_in_label"), [("th", 'lang="th"'), ("vi", 'lang="vi"')])
def test_login_page_speaks_the_requested_locale(locale: str, sign_in_label: str) -> None:
    _, challenge = pkce_pair()
    page = httpx.get(
        f"{ISSUER}/protocol/openid-connect/auth", params=web_request(challenge, ui_locales=locale), timeout=30
    )
    assert page.status_code == 200
    assert sign_in_label in page.text


def test_realm_protects_accounts_and_keeps_tokens_short(admin: Admin) -> None:
    realm = admin.realm()
    assert realm["registrationAllowed"] is True
    assert realm["verifyEmail"] is True
    assert realm["resetPasswordAllowed"] is True
    assert realm["bruteForceProtected"] is True
    assert realm["failureFactor"] >= 3
    assert "length(12)" in realm["passwordPolicy"]
    assert realm["accessTokenLifespan"] == 300
    assert realm["revokeRefreshToken"] is True
    assert realm["refreshTokenMaxReuse"] == 0
    assert realm["smtpServer"]["host"] == "127.0.0.1"
    assert realm["smtpServer"]["port"] == "8025"
    assert realm["emailTheme"] == "rights"  # its verification email in the web app's languages
    assert realm["webAuthnPolicyPasswordlessRequireResidentKey"] == "Yes"
    assert realm["webAuthnPolicyPasswordlessUserVerificationRequirement"] == "required"
    actions = {a["alias"]: a for a in admin.get("/authentication/required-actions")}
    assert actions["webauthn-register-passwordless"]["enabled"] is True
    assert actions["VERIFY_EMAIL"]["enabled"] is True


def test_web_client_is_public_and_requires_pkce_s256(admin: Admin) -> None:
    client = admin.client(WEB_CLIENT)
    assert client["publicClient"] is True
    assert client["standardFlowEnabled"] is True
    assert client["directAccessGrantsEnabled"] is False
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"
    assert client["redirectUris"] == ["http://127.0.0.1:8000/*"]


def test_registration_page_is_offered(admin: Admin) -> None:
    _, challenge = pkce_pair()
    page = httpx.get(
        f"{ISSUER}/protocol/openid-connect/registrations", params=web_request(challenge), timeout=30
    )
    assert page.status_code == 200
    assert 'id="kc-register-form"' in page.text


def test_demo_organisation_has_two_members_with_their_roles(admin: Admin) -> None:
    committed = json.loads((ROOT / "infra/keycloak/realm-rights.json").read_text())
    expected = {
        user["username"]: set(user["realmRoles"]) - {"default-roles-rights"}
        for user in committed["users"]
        if not user.get("serviceAccountClientId")
    }
    org = admin.organization("amrs")
    members = admin.organization_members(org["id"])
    assert {m["username"] for m in members} == set(expected)
    for member in members:
        roles = admin.realm_roles_of(member["id"]) & {"party", "society", "examiner", "operator"}
        assert roles == expected[member["username"]]
    assert len({frozenset(r) for r in expected.values()}) == 2, "members with different roles"


def test_gateway_client_may_register_parties_and_bind_accounts(admin: Admin) -> None:
    client = admin.client("rights-gateway")
    assert client["publicClient"] is False
    assert client["serviceAccountsEnabled"] is True
    assert {"party_id", "roles", "audience rights-api"} <= {
        m["name"] for m in client["protocolMappers"]
    }
    account = admin.get(f"/clients/{client['id']}/service-account-user")
    assert "registrar" in admin.realm_roles_of(account["id"])
    management = admin.client("realm-management")
    granted = admin.get(f"/users/{account['id']}/role-mappings/clients/{management['id']}")
    assert {role["name"] for role in granted} >= {"view-realm", "view-users", "manage-users"}


def test_party_role_is_an_admin_only_attribute_that_reaches_the_tokens(admin: Admin) -> None:
    attributes = {a["name"]: a for a in admin.get("/users/profile")["attributes"]}
    assert attributes["party_role"]["permissions"]["edit"] == ["admin"]
    assert attributes["party_id"]["permissions"]["edit"] == ["admin"]
    for client_id in (WEB_CLIENT, "rights-cli"):
        mappers = {m["name"]: m for m in admin.client(client_id)["protocolMappers"]}
        assert mappers["party_role"]["config"]["claim.name"] == "party_role"
        assert mappers["party_role"]["config"]["access.token.claim"] == "true"
