"""axe-core for the web app's browser tests, installed from npm outside git by
web/axe/install.sh (the browser itself: the e2e suite's `chromium` fixture); the identity
provider's mail, received over SMTP where the realm sends it."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest
from devstack.identity import Identities
from devstack.real_clock import real_clock_env
from runtime.settings import PlatformSettings

from .identity_mail import IdentityMail

INSTALL_AXE = Path(__file__).resolve().parents[3] / "web" / "axe" / "install.sh"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, to inject into each page. `make test` installed it already; quick
    when it is there, so the tests also run alone."""
    subprocess.run([str(INSTALL_AXE)], check=True, env=real_clock_env())
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(os.environ.get("WEB_AXE_DIR") or Path(cache) / "rights-platform" / "axe")
    return (folder / "node_modules" / "axe-core" / "axe.min.js").read_text()


@pytest.fixture(scope="session")
async def identity_mail(identities: Identities) -> IdentityMail:
    """The realm's mail (verification emails), where the running realm's `smtpServer` sends
    it, kept in `$RIGHTS_STATE_DIR/mail` as `make run`'s SMTP server keeps its own."""
    realm = await asyncio.to_thread(identities.admin.realm)
    smtp = realm.get("smtpServer") or {}
    assert smtp.get("port"), "the realm has no smtpServer (infra/keycloak/realm-rights.json)"
    return IdentityMail(
        host=smtp.get("host") or "127.0.0.1",
        port=int(smtp["port"]),
        directory=PlatformSettings().rights_state_dir / "mail",
    )
