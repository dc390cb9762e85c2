"""Applies the committed realm file to a `rights` realm that exists (`infra/keycloak.sh up`).

Keycloak imports the file only when it creates the realm; after that, edits to the file would
never reach a machine. This adds what the realm lacks and leaves what it has: the admin API's
partial import with `ifResourceExists: SKIP` (realm roles, clients, users with their role
mappings), then protocol mappers missing from existing clients, then user-profile attributes
missing from the realm's user profile (both by name), and the few realm settings of
UNSET_SETTINGS the realm has none of (its login and email themes). Placeholders `${VAR}` /
`${VAR:default}` are resolved from the environment first, as Keycloak's own import at
start-up does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from devstack.identity import KeycloakAdmin, KeycloakConfig

PLACEHOLDER = re.compile(r"\$\{([^}:]+)(?::([^}]*))?\}")
USER_PROFILE = "org.keycloak.userprofile.UserProfileProvider"
# Realm settings set when the running realm has none (never changed once set): the login
# and email themes (infra/keycloak/themes) and the languages of the web app.
UNSET_SETTINGS = (
    "loginTheme", "emailTheme", "internationalizationEnabled", "supportedLocales"
)


def resolve_placeholders(text: str, env: dict[str, str]) -> str:
    """`${VAR}` and `${VAR:default}` from `env`; others (Keycloak's `${role_…}` message keys)
    stay as written."""

    def value(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        return default if default is not None else match.group(0)

    return PLACEHOLDER.sub(value, text)


def _profile_config(realm: dict[str, Any]) -> dict[str, Any] | None:
    for component in realm.get("components", {}).get(USER_PROFILE, []):
        config = component.get("config", {}).get("kc.user.profile.config")
        if config:
            return json.loads(config[0])  # type: ignore[no-any-return]
    return None


def apply(admin: KeycloakAdmin, realm: dict[str, Any]) -> list[str]:
    """Adds what `realm` (the file) has and the running realm lacks; returns what it did."""
    done: list[str] = []
    running = admin.realm()
    unset = {name: realm[name] for name in UNSET_SETTINGS
             if realm.get(name) and not running.get(name)}
    if unset:
        admin.http.put("", json=unset).raise_for_status()
        done += [f"set {name}" for name in unset]
    answer = admin.http.post(
        "/partialImport",
        json={
            "ifResourceExists": "SKIP",
            "roles": realm.get("roles", {}),
            "clients": realm.get("clients", []),
            "users": realm.get("users", []),
            "groups": realm.get("groups", []),
        },
    )
    answer.raise_for_status()
    for result in answer.json().get("results", []):
        if result["action"] == "ADDED":
            done.append(f"added {result['resourceType'].lower()} {result['resourceName']}")
    for wanted in realm.get("clients", []):
        client = admin.client(wanted["clientId"])
        have = {mapper["name"] for mapper in client.get("protocolMappers", [])}
        for mapper in wanted.get("protocolMappers", []):
            if mapper["name"] not in have:
                admin.http.post(
                    f"/clients/{client['id']}/protocol-mappers/models", json=mapper
                ).raise_for_status()
                done.append(f"added mapper {mapper['name']} to {wanted['clientId']}")
    wanted_profile = _profile_config(realm)
    if wanted_profile is not None:
        profile = admin.get("/users/profile")
        have = {attribute["name"] for attribute in profile.get("attributes", [])}
        missing = [a for a in wanted_profile.get("attributes", []) if a["name"] not in have]
        if missing:
            profile["attributes"] = [*profile.get("attributes", []), *missing]
            admin.http.put("/users/profile", json=profile).raise_for_status()
            done += [f"added user-profile attribute {a['name']}" for a in missing]
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("realm_file", type=Path)
    parser.add_argument("--url", required=True, help="Keycloak's base URL")
    args = parser.parse_args()
    realm = json.loads(resolve_placeholders(args.realm_file.read_text(), dict(os.environ)))
    config = replace(KeycloakConfig.from_env(), base_url=args.url, realm=realm["realm"])
    admin = KeycloakAdmin(config)
    try:
        done = apply(admin, realm)
    finally:
        admin.close()
    for line in done:
        print(f"keycloak: realm {config.realm}: {line}")
    if not done:
        print(f"keycloak: realm {config.realm} already has everything in {args.realm_file.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
