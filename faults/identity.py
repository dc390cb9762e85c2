"""How the fault suite's parties prove who they are: accounts and tokens from the platform's
identity provider (Keycloak), through `devstack.identity`, as the tests and the bench get
theirs. The one module to change when sign-in changes.

Keycloak keeps the real clock while the nemesis moves a service's: the services of a run
tolerate exactly the largest move (`LEEWAY_SECONDS`, their IDENTITY_LEEWAY_SECONDS), so a
moved clock tests ordering, not token expiry."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from devstack.identity import Identities, Person, TokenRefused

from faults.clock_moves import LARGEST_MOVE_SECONDS

GraphQLCall = Callable[[str, dict[str, Any], str | None], Awaitable[dict[str, Any]]]


# The largest clock move, and an hour: what a moved service must still accept of a token.
LEEWAY_SECONDS = LARGEST_MOVE_SECONDS + 3600


class Accounts:
    """The run's people: each party is a signed-up account (deleted at the end)."""

    def __init__(self) -> None:
        self.identities = Identities(f"faults-{uuid.uuid4().hex[:8]}")
        self._people: dict[str, Person] = {}

    async def sign_up(self, call: GraphQLCall, fields: dict[str, Any]) -> str:
        person = await self.identities.sign_up(call, fields)
        self._people[person.party_id] = person
        return person.party_id

    async def token(self, party_id: str) -> str:
        """A current access token of the party's account (refreshed when it runs out; signed
        in again if the provider refuses the refresh)."""
        person = self._people[party_id]
        try:
            return await asyncio.to_thread(lambda: person.token)
        except TokenRefused:
            person = await self.identities.signed_in(person.account, party_id)
            self._people[party_id] = person
            return await asyncio.to_thread(lambda: person.token)

    def close(self) -> None:
        self.identities.delete_created()
        self.identities.close()
