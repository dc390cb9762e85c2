"""The real Keycloak as these tests reach it: the names they use from `devstack.identity`
(the admin REST API, the browser-like sign-in of `rights-web`), where they are written once."""

from __future__ import annotations

from devstack.identity import (
    CONFIG,
    WEB_CLIENT,
    WEB_REDIRECT,
    Account,
    Identities,
    SignInRefused,
    TokenRefused,
    Tokens,
    authorization_code,
    exchange_code,
    pkce_pair,
    refresh,
    refresh_grant,
    sign_in,
    web_request,
)
from devstack.identity import KeycloakAdmin as Admin

BASE_URL = CONFIG.base_url
MANAGEMENT_URL = CONFIG.management_url
ISSUER = CONFIG.issuer
TOKEN_URL = CONFIG.token_url

__all__ = [
    "BASE_URL",
    "ISSUER",
    "MANAGEMENT_URL",
    "TOKEN_URL",
    "WEB_CLIENT",
    "WEB_REDIRECT",
    "Account",
    "Admin",
    "Identities",
    "SignInRefused",
    "TokenRefused",
    "Tokens",
    "authorization_code",
    "exchange_code",
    "pkce_pair",
    "refresh",
    "refresh_grant",
    "sign_in",
    "web_request",
]
