"""The web app's settings (`WEB_*` variables; the README's settings table)."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore")

    # false: the gateway serves no pages at "/" (the API alone).
    enabled: bool = True
    # Empty: the gateway that mounts the app is called in process; else its /graphql URL.
    gateway_url: str = ""
    # The origin people reach the pages at (redirect URIs, Secure cookies); empty: the
    # request's own origin, which the identity provider checks against its redirect URIs.
    public_url: str = ""
    # The realm's public client the pages sign in with (authorization code + PKCE).
    client_id: str = "rights-web-app"
    # The realm's machine client signed-out pages read the public register as (WEB.md); the
    # secret's default suits the local realm only (RIGHTS_WEB_READER_CLIENT_SECRET there).
    reader_client_id: str = "rights-web-reader"
    reader_client_secret: SecretStr = SecretStr("local-web-reader-secret")
    # Signs the session cookie. The local default is random per process: sessions end with
    # it. Several processes (or a restart that keeps sessions) need one secret set here.
    session_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32))
    )
    # The session cookie's lifetime; the realm's session may end sooner (then refresh fails).
    session_max_age_seconds: int = 36_000
    # An access token with less than this left is refreshed before a page's call.
    token_refresh_margin_seconds: int = 30
    # Pages of one session refreshing at once share one refresh (the realm spends a refresh
    # token on use): its answer is kept this long for the session's other pages.
    token_refresh_reuse_seconds: float = 60.0
    timeout_seconds: float = 10.0
    # uvicorn's address when the app runs as its own process (`python -m web`).
    host: str = "127.0.0.1"
    port: int = 8010
    # Where the statement PDF's fonts are (Noto Sans and Noto Sans Thai, regular and bold:
    # Debian's fonts-noto-core, installed by scripts/system_packages.sh); embedded in the file.
    pdf_font_dir: Path = Path("/usr/share/fonts/truetype/noto")
    # The Kafka address a society's consumer connects to, as the "connect" page shows it;
    # empty: KAFKA_BOOTSTRAP_SERVERS (a deployment whose brokers are reached from outside
    # under another name sets that name here).
    events_bootstrap_servers: str = ""
