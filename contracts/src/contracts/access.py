"""Who may see what (DOMAIN.md "Access"): pure functions over the caller and an object's facts,
the one definition that every service and the gateway call.

No I/O: a caller of these functions gathers the facts (a licence's parties, a work's current
owners) and asks; `needs_owners` tells it when the owners are worth fetching at all.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

EXAMINER = "examiner"
SOCIETY = "society"
OPERATOR = "operator"
# The gateway's own client: it registers a party for the signed-in account that asked.
REGISTRAR = "registrar"


@dataclass(frozen=True)
class Caller:
    """Who asks: the party it acts for (None for an anonymous caller or one that acts for no
    party, such as a machine client) and the roles its token grants."""

    party_id: uuid.UUID | None
    roles: frozenset[str] = frozenset()
    authenticated: bool = True

    @classmethod
    def of(cls, party_id: str | uuid.UUID | None, roles: Iterable[str]) -> Caller:
        """A verified token's subject and roles; a subject that is not a party id (a machine
        client's, or an account's without a party) acts for no party."""
        if isinstance(party_id, str):
            try:
                party_id = uuid.UUID(party_id)
            except ValueError:
                party_id = None
        return cls(party_id=party_id, roles=frozenset(roles))

    @property
    def is_examiner(self) -> bool:
        return EXAMINER in self.roles

    @property
    def is_society(self) -> bool:
        return SOCIETY in self.roles

    @property
    def is_operator(self) -> bool:
        return OPERATOR in self.roles


ANONYMOUS = Caller(party_id=None, authenticated=False)


# --- the public register ---------------------------------------------------------------------


def may_read_register(caller: Caller) -> bool:
    """Works, their holders and shares, and parties' public part: anyone authenticated."""
    return caller.authenticated


# --- licences, their usage reports and statements ------------------------------------------


class Standing(enum.StrEnum):
    """How a party stands to a licence."""

    LICENSOR = "licensor"
    LICENSEE = "licensee"
    OWNER = "owner"  # a current rights holder of the licensed work


# Every standing reads the licence. A read side that filters in SQL builds its condition from
# this set, one clause per standing, so the SQL cannot drift from `may_see_licence`.
LICENCE_READERS: frozenset[Standing] = frozenset(Standing)


@dataclass(frozen=True)
class LicenceFacts:
    """What the rule needs to know of a licence; `owner_ids` None until someone fetched them."""

    licensor_id: uuid.UUID
    licensee_id: uuid.UUID
    owner_ids: frozenset[uuid.UUID] | None = None

    def with_owners(self, owner_ids: Iterable[uuid.UUID]) -> LicenceFacts:
        return replace(self, owner_ids=frozenset(owner_ids))


def sees_every_licence(caller: Caller) -> bool:
    """Examiners and collecting societies follow every licence, its usage and statements."""
    return caller.authenticated and (caller.is_examiner or caller.is_society)


def _contract_standings(caller: Caller, licence: LicenceFacts) -> set[Standing]:
    found = set()
    if caller.party_id == licence.licensor_id:
        found.add(Standing.LICENSOR)
    if caller.party_id == licence.licensee_id:
        found.add(Standing.LICENSEE)
    return found


def needs_owners(caller: Caller, licence: LicenceFacts) -> bool:
    """Whether `may_see_licence` can only answer once the work's current owners are known."""
    if not caller.authenticated or caller.party_id is None or sees_every_licence(caller):
        return False
    return not (_contract_standings(caller, licence) & LICENCE_READERS)


def standings(caller: Caller, licence: LicenceFacts) -> frozenset[Standing]:
    """Every way the caller's party stands to the licence (none for a caller without one)."""
    if not caller.authenticated or caller.party_id is None:
        return frozenset()
    found = _contract_standings(caller, licence)
    if licence.owner_ids is not None and caller.party_id in licence.owner_ids:
        found.add(Standing.OWNER)
    return frozenset(found)


def may_see_licence(caller: Caller, licence: LicenceFacts) -> bool:
    """Its licensor and licensee, the work's current owners, examiners and societies."""
    if sees_every_licence(caller):
        return True
    if needs_owners(caller, licence) and licence.owner_ids is None:
        raise ValueError("the work's owners decide this: fetch them first (needs_owners)")
    return bool(standings(caller, licence) & LICENCE_READERS)


def may_see_statement(caller: Caller, licence: LicenceFacts) -> bool:
    """A royalty statement or a usage report is visible exactly when its licence is."""
    return may_see_licence(caller, licence)


# --- notifications ---------------------------------------------------------------------------


def may_see_notification(caller: Caller, recipient_id: uuid.UUID | str) -> bool:
    """A notification, and each of its deliveries, is its recipient's alone."""
    return (
        caller.authenticated
        and caller.party_id is not None
        and (str(caller.party_id) == str(recipient_id))
    )


# --- a party's contact settings --------------------------------------------------------------

PARTY_PUBLIC_FIELDS = frozenset({"id", "name", "kind", "country", "ipi_name_number", "isni"})
PARTY_CONTACT_FIELDS = frozenset({"email", "webhook_url", "has_webhook_secret"})
# Given once, to sign the party's webhook calls; shown to nobody, not even the party.
PARTY_SECRET_FIELDS = frozenset({"webhook_secret"})


def may_manage_contacts(caller: Caller, party_id: uuid.UUID) -> bool:
    """A party's contact settings are read and changed by that party only."""
    return caller.authenticated and caller.party_id is not None and caller.party_id == party_id


def may_register_party(caller: Caller, party_id: uuid.UUID) -> bool:
    """A party's record and contact settings are first written by the party itself, or by the
    registrar (the gateway registering it for the signed-in account that asked)."""
    if not caller.authenticated:
        return False
    return REGISTRAR in caller.roles or (
        caller.party_id is not None and caller.party_id == party_id
    )


def may_read_party_field(caller: Caller, party_id: uuid.UUID, field: str) -> bool:
    """One field of a party: the public part to anyone authenticated, contacts to the party."""
    if field in PARTY_PUBLIC_FIELDS:
        return may_read_register(caller)
    if field in PARTY_CONTACT_FIELDS:
        return may_manage_contacts(caller, party_id)
    if field in PARTY_SECRET_FIELDS:
        return False
    raise ValueError(f"no party field {field!r}")


# --- the payee ledger and exchange rates (DOMAIN.md, "The payee ledger, payments and conversion")


def may_see_ledger(caller: Caller, party_id: uuid.UUID) -> bool:
    """A party's ledger and the statements that pay it: the party, examiners and societies."""
    return caller.authenticated and (
        (caller.party_id is not None and caller.party_id == party_id) or sees_every_licence(caller)
    )


def may_record_exchange_rate(caller: Caller) -> bool:
    """The rates statements convert at are recorded by examiners and operators."""
    return caller.authenticated and (caller.is_examiner or caller.is_operator)
