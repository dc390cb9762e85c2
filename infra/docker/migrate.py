"""Applies the pending migrations of the services named, then exits: the one-shot step that
runs before the services in a deployment (compose's `migrations` service, the Kubernetes
`migrations` Job), so replicas starting together find their schema ready.

    python infra/docker/migrate.py filing licensing notifications

Each service's database comes from its own setting (`<SERVICE>_DATABASE_URL`), read by the
service's own settings class, and its migrations are the ones the service applies at start
(`<service>.app.MIGRATIONS`, under the same advisory lock): running this is never required,
only ordered, and running it twice changes nothing.
"""

from __future__ import annotations

import importlib
import sys

from runtime.db import upgrade_head

SETTINGS = {
    "filing": "FilingSettings",
    "licensing": "LicensingSettings",
    "notifications": "NotificationsSettings",
}


def migrate(service: str) -> None:
    settings = getattr(importlib.import_module(f"{service}.settings"), SETTINGS[service])()
    migrations = importlib.import_module(f"{service}.app").MIGRATIONS
    upgrade_head(migrations, settings.database_url)


def main(argv: list[str]) -> int:
    unknown = [name for name in argv if name not in SETTINGS]
    if not argv or unknown:
        print(
            f"usage: migrate.py SERVICE...; services: {', '.join(SETTINGS)}"
            + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
            file=sys.stderr,
        )
        return 2
    for service in argv:
        migrate(service)
        print(f"{service}: migrations applied", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
