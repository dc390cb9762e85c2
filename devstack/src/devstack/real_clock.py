"""The environment without libfaketime, for the few processes that must keep the real clock
when `make test` runs the e2e suite with the platform's clock moved (`make test-e2e-shifted`)."""

from __future__ import annotations

import os


def under_faketime() -> bool:
    return "faketime" in os.environ.get("LD_PRELOAD", "")


def real_clock_env() -> dict[str, str]:
    """This process's environment minus libfaketime's preload and settings."""
    return {
        k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")
    }
