"""Every setting is an environment variable documented in the README's settings table: the
pydantic settings of every process, and the variables the infra and scripts read."""

from __future__ import annotations

import re
from pathlib import Path

from filing.settings import FilingSettings
from gateway.settings import GatewaySettings
from licensing.settings import LicensingSettings
from notifications.settings import NotificationsSettings
from pydantic_settings import BaseSettings
from runtime.settings import PlatformSettings, ServiceSettings, service_settings_config
from web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
# Variables of the shell scripts that are not settings of the platform.
NOT_SETTINGS = {"PY", "PYTHON", "VENV", "XDG_CACHE_HOME"}


def env_names(settings: type[BaseSettings]) -> set[str]:
    """The variable names of a settings class (nested settings objects are documented apart)."""
    prefix = settings.model_config.get("env_prefix", "")
    return {
        (prefix + name).upper()
        for name, field in settings.model_fields.items()
        if not (isinstance(field.annotation, type) and issubclass(field.annotation, BaseSettings))
    }


def documented(name: str) -> bool:
    """Named in the README, literally or, for a service's own settings, as `<SERVICE>_…`."""
    if re.search(rf"`{name}`|\b{name}\b", README):
        return True
    for service in ("FILING_", "LICENSING_", "NOTIFICATIONS_"):
        if name.startswith(service) and f"<SERVICE>_{name.removeprefix(service)}" in README:
            return True
    return False


def script_variables() -> set[str]:
    names: set[str] = set()
    for script in [*ROOT.glob("infra/*.sh"), *ROOT.glob("scripts/*.sh"), *ROOT.glob("web/axe/*.sh")]:
        names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):-", script.read_text()))
    return names - NOT_SETTINGS


def all_settings() -> set[str]:
    names = env_names(PlatformSettings) | env_names(GatewaySettings) | env_names(WebSettings)
    for service in (FilingSettings, LicensingSettings, NotificationsSettings):
        names |= env_names(service)
    return names | script_variables()


def test_every_setting_is_in_the_readme_settings_table() -> None:
    missing = sorted(name for name in all_settings() if not documented(name))
    assert missing == [], f"settings missing from README.md: {missing}"


def test_the_check_notices_an_undocumented_setting() -> None:
    class Probe(ServiceSettings):
        model_config = service_settings_config("FILING_")
        a_setting_nobody_documented: int = 1

    assert "FILING_A_SETTING_NOBODY_DOCUMENTED" in env_names(Probe)
    assert not documented("FILING_A_SETTING_NOBODY_DOCUMENTED")
    assert documented("FILING_DATABASE_URL") and documented("NOTIFICATIONS_DATABASE_POOL_SIZE")
