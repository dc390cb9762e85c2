"""`rights users …` and `rights clients …`: accounts and machine clients at the identity
provider (Keycloak's admin REST API, as its bootstrap administrator: KEYCLOAK_ADMIN_USER,
KEYCLOAK_ADMIN_PASSWORD), and a collecting society's consumer with its Kafka credential."""

from __future__ import annotations

import secrets
from typing import Annotated
from uuid import UUID

import typer
from devstack.identity import ClientExists, KeycloakAdmin
from devstack.kafka_access import add_society, remove_society
from runtime.settings import PlatformSettings

from rights_ops.output import console, print_json, table

users = typer.Typer(help="Accounts of people at the identity provider.", no_args_is_help=True)
clients = typer.Typer(
    help="Machine clients at the identity provider; a society's consumer.", no_args_is_help=True
)

JSON = Annotated[bool, typer.Option("--json", help="JSON for scripts")]
# Realm roles an operator may give (docs/design/DOMAIN.md); `party` every account has.
ROLES = ("party", "examiner", "society", "operator", "registrar")


def _admin() -> KeycloakAdmin:
    return KeycloakAdmin()


def _user(admin: KeycloakAdmin, username: str) -> dict[str, object]:
    found = admin.user_by_username(username)
    if found is None:
        raise typer.BadParameter(f"no account named {username!r}", param_hint="USERNAME")
    return found


@users.command("list")
def list_users(
    search: Annotated[str, typer.Option(help="part of a username, email or name")] = "",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    as_json: JSON = False,
) -> None:
    """Accounts, newest realm order, with whether each may sign in."""
    admin = _admin()
    try:
        found = admin.users(search, limit=limit)
    finally:
        admin.close()
    rows = [
        {
            "id": u["id"],
            "username": u["username"],
            "email": u.get("email"),
            "enabled": u.get("enabled", False),
            "email_verified": u.get("emailVerified", False),
        }
        for u in found
    ]
    if as_json:
        print_json(rows)
        return
    table("accounts", ["username", "email", "enabled", "verified", "id"],
          [(r["username"], r["email"], r["enabled"], r["email_verified"], r["id"]) for r in rows])


@users.command("create")
def create_user(
    username: str,
    email: Annotated[str, typer.Option(help="verified at once (the operator vouches for it)")],
    role: Annotated[list[str], typer.Option(help=f"a realm role beyond party: {', '.join(ROLES)}")]
    = [],  # noqa: B006 - typer reads the default; it is never mutated
    first_name: Annotated[str, typer.Option()] = "",
    last_name: Annotated[str, typer.Option()] = "",
    as_json: JSON = False,
) -> None:
    """An account with a verified email and a one-time password printed once: the person
    sets their own at first sign-in."""
    unknown = [r for r in role if r not in ROLES]
    if unknown:
        raise typer.BadParameter(f"unknown role {unknown[0]!r} (one of {', '.join(ROLES)})",
                                 param_hint="--role")
    password = secrets.token_urlsafe(18)
    admin = _admin()
    try:
        if admin.user_by_username(username) is not None:
            raise typer.BadParameter(f"an account named {username!r} exists", param_hint="USERNAME")
        user_id = admin.create_user(
            username=username, password=password, email=email, roles=tuple(role),
            first_name=first_name or username, last_name=last_name or "-",
        )
        # Keycloak makes the person choose a password of their own at first sign-in.
        admin.require_actions(user_id, "UPDATE_PASSWORD")
    finally:
        admin.close()
    result = {"id": user_id, "username": username, "temporary_password": password}
    if as_json:
        print_json(result)
    else:
        console.print(f"created {username} ({user_id}); one-time password: {password}")


def _set_enabled(username: str, enabled: bool) -> str:
    admin = _admin()
    try:
        user = _user(admin, username)
        admin.set_user_enabled(str(user["id"]), enabled)
    finally:
        admin.close()
    return str(user["id"])


@users.command("disable")
def disable_user(username: str) -> None:
    """The account can no longer sign in; its sessions (and refresh tokens) end now."""
    user_id = _set_enabled(username, False)
    console.print(f"disabled {username} ({user_id}); its sessions are ended")


@users.command("enable")
def enable_user(username: str) -> None:
    user_id = _set_enabled(username, True)
    console.print(f"enabled {username} ({user_id})")


@clients.command("list")
def list_clients(
    search: Annotated[str, typer.Option(help="part of a client id")] = "",
    as_json: JSON = False,
) -> None:
    """The realm's clients: the platform's own, machines, societies' consumers."""
    admin = _admin()
    try:
        found = admin.clients(search)
    finally:
        admin.close()
    rows = [
        {
            "client_id": c["clientId"],
            "name": c.get("name"),
            "enabled": c.get("enabled", False),
            "machine": bool(c.get("serviceAccountsEnabled")),
            "public": bool(c.get("publicClient")),
        }
        for c in found
    ]
    if as_json:
        print_json(rows)
        return
    table("clients", ["client id", "name", "enabled", "machine", "public"],
          [(r["client_id"], r["name"], r["enabled"], r["machine"], r["public"]) for r in rows])


@clients.command("create-society")
def create_society(
    name: Annotated[str, typer.Argument(help="the society's short name, e.g. amrs (a-z, 0-9, -)")],
    party: Annotated[UUID, typer.Option(help="the society's party id in the register")],
    description: Annotated[str, typer.Option()] = "",
    as_json: JSON = False,
) -> None:
    """A collecting society's consumer: a machine client `<name>-consumer` (client
    credentials; roles party and society, acting for PARTY) and a Kafka login `<name>` that
    reads the public event topics (never a dead-letter topic) in groups `<name>.…`. Both
    secrets are printed once, here, and nowhere else."""
    if not name.replace("-", "").isalnum() or name != name.lower():
        raise typer.BadParameter("lower-case letters, digits and '-' only", param_hint="NAME")
    client_id = f"{name}-consumer"
    client_secret = secrets.token_urlsafe(32)
    kafka_password = secrets.token_urlsafe(32)
    admin = _admin()
    try:
        admin.create_machine_client(
            client_id,
            name=f"{name} (collecting society's consumer)",
            description=description or "follows the register and royalties for a society",
            secret=client_secret,
            party_id=str(party),
            roles=("party", "society"),
        )
    except ClientExists:
        raise typer.BadParameter(f"client {client_id!r} exists", param_hint="NAME") from None
    finally:
        admin.close()
    settings = PlatformSettings()
    try:
        grants = add_society(settings, name, kafka_password)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="NAME") from None
    result = {
        "client_id": client_id,
        "client_secret": client_secret,
        "kafka_username": name,
        "kafka_password": kafka_password,
        "kafka_bootstrap_servers": settings.kafka_bootstrap_servers,
        "kafka_group_prefix": f"{settings.rights_topic_prefix}{name}.",
        "kafka_grants": grants,
    }
    if as_json:
        print_json(result)
        return
    console.print(f"client {client_id}, secret {client_secret}")
    console.print(f"kafka login {name}, password {kafka_password} ({grants} grants; consumer "
                  f"groups {result['kafka_group_prefix']}…)")


@clients.command("revoke-society")
def revoke_society(name: str) -> None:
    """Disables the society's client and removes its Kafka login and grants."""
    admin = _admin()
    try:
        admin.set_client_enabled(f"{name}-consumer", False)
    except LookupError:
        raise typer.BadParameter(f"no client {name}-consumer", param_hint="NAME") from None
    finally:
        admin.close()
    remove_society(PlatformSettings(), name)
    console.print(f"revoked {name}: client {name}-consumer disabled, Kafka login removed")


@clients.command("disable")
def disable_client(client_id: str) -> None:
    """The client gets no more tokens (tokens it holds live out their minutes)."""
    admin = _admin()
    try:
        admin.set_client_enabled(client_id, False)
    except LookupError:
        raise typer.BadParameter(f"no client {client_id!r}", param_hint="CLIENT_ID") from None
    finally:
        admin.close()
    console.print(f"disabled {client_id}")
