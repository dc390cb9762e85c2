"""axe-core for the web app's browser tests, installed from npm outside git by
web/axe/install.sh (the browser itself: the e2e suite's `chromium` fixture)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from devstack.real_clock import real_clock_env

INSTALL_AXE = Path(__file__).resolve().parents[3] / "web" / "axe" / "install.sh"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, to inject into each page. `make test` installed it already; quick
    when it is there, so the tests also run alone."""
    subprocess.run([str(INSTALL_AXE)], check=True, env=real_clock_env())
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(os.environ.get("WEB_AXE_DIR") or Path(cache) / "rights-platform" / "axe")
    return (folder / "node_modules" / "axe-core" / "axe.min.js").read_text()
