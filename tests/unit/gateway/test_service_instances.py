"""Several instances of a service behind the gateway: its URL setting lists them all, and the
gateway calls them in turn (ARCHITECTURE.md, several instances of each service)."""

from __future__ import annotations

import httpx
import pytest
from gateway.app import build_state
from gateway.settings import GatewaySettings
from pydantic import ValidationError
from runtime.settings import PlatformSettings


def settings_with(**urls: str) -> GatewaySettings:
    return GatewaySettings(subscriptions_enabled=False, platform=PlatformSettings(), **urls)


async def test_calls_to_a_service_go_to_each_of_its_instances_in_turn() -> None:
    settings = settings_with(
        filing_url="http://filing-1, http://filing-2", licensing_url="http://licensing"
    )
    async with httpx.AsyncClient() as http:
        state = build_state(settings, http=http)
        calls = [state.urls for _ in range(4)]
    assert [u.filing for u in calls] == ["http://filing-1", "http://filing-2"] * 2
    assert {u.licensing for u in calls} == {"http://licensing"}


def test_a_service_url_setting_without_any_url_is_refused_naming_the_setting(
) -> None:
    with pytest.raises(ValidationError, match="notifications_url"):
        settings_with(notifications_url=" , ")
