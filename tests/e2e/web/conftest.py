"""The browser the web app's tests drive (Debian's Chromium through Playwright, never a
downloaded one) and axe-core, installed from npm outside git by web/axe/install.sh."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from devstack.real_clock import real_clock_env
from playwright.async_api import Browser, async_playwright
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

INSTALL_AXE = Path(__file__).resolve().parents[3] / "web" / "axe" / "install.sh"


class BrowserSettings(BaseSettings):
    """`TEST_CHROMIUM`: the browser to drive (Playwright never downloads one here)."""

    model_config = SettingsConfigDict(env_prefix="TEST_")

    chromium: str = Field(default_factory=lambda: shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, to inject into each page. `make test` installed it already; quick
    when it is there, so the tests also run alone."""
    subprocess.run([str(INSTALL_AXE)], check=True, env=real_clock_env())
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(os.environ.get("WEB_AXE_DIR") or Path(cache) / "rights-platform" / "axe")
    return (folder / "node_modules" / "axe-core" / "axe.min.js").read_text()


@pytest.fixture(scope="session")
async def web_browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start. The browser
        # keeps the real clock (libfaketime moves only the platform's: Chromium does not
        # survive it).
        chromium = await playwright.chromium.launch(
            executable_path=BrowserSettings().chromium, headless=True, args=["--no-sandbox"],
            env=real_clock_env(),
        )
        try:
            yield chromium
        finally:
            await chromium.close()
