"""Who learns of each event type (DOMAIN.md, "Notifications").

The rule is "every party named in an event learns of it": the filer and every rights holder
of a work's filing outcomes; co-owners, the parties of a transfer and the disputant of
transfers and disputes (holders removed by a change learn of it too); owners and the
licensee of every licence step (offers, acceptances, declines, withdrawals, terminations,
expiries); owners and the licensee of usage and statements; the payees of a statement's
payment; and collecting societies (parties that subscribe) of every registration and every
royalty statement.
Types not listed here (including this service's own `notification.*`) notify nobody, so a
type added later by another service is ignored until a rule is written for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from uuid import UUID


class Named(StrEnum):
    """A way an event names a party."""

    SUBJECT_PARTY = "SUBJECT_PARTY"  # the party a party.* event is about
    RIGHTS_HOLDERS = "RIGHTS_HOLDERS"  # the work's holders after the change
    PREVIOUS_HOLDERS = "PREVIOUS_HOLDERS"  # the holders before it (read model)
    TRANSFER_PARTIES = "TRANSFER_PARTIES"  # from and to of a transfer
    DISPUTANT = "DISPUTANT"  # who disputed the work
    WORK_OWNERS = "WORK_OWNERS"  # owners of the licensed work (read model)
    LICENSOR = "LICENSOR"
    LICENSEE = "LICENSEE"
    STATEMENT_PARTIES = "STATEMENT_PARTIES"  # the parties on a statement's lines
    SOCIETIES = "SOCIETIES"  # every subscribed collecting society


_FILING_OUTCOME = frozenset({Named.RIGHTS_HOLDERS})
_LICENCE_STEP = frozenset({Named.WORK_OWNERS, Named.LICENSOR, Named.LICENSEE})

RULES: dict[str, frozenset[Named]] = {
    "party.registered": frozenset({Named.SUBJECT_PARTY}),
    "party.updated": frozenset({Named.SUBJECT_PARTY}),
    # The filer is always a rights holder (DOMAIN.md, "Works"), so holders cover the filer.
    "work.filed": _FILING_OUTCOME,
    "work.registered": _FILING_OUTCOME | {Named.SOCIETIES},
    "work.rejected": _FILING_OUTCOME,
    "work.review_requested": _FILING_OUTCOME,
    "work.ownership_transferred": frozenset(
        {Named.RIGHTS_HOLDERS, Named.PREVIOUS_HOLDERS, Named.TRANSFER_PARTIES}
    ),
    "work.disputed": frozenset({Named.RIGHTS_HOLDERS, Named.DISPUTANT}),
    "work.dispute_resolved": frozenset(
        {Named.RIGHTS_HOLDERS, Named.PREVIOUS_HOLDERS, Named.DISPUTANT}
    ),
    # Co-owners' consent to a filing (DOMAIN.md): every holder hears of the request (those
    # asked must answer) and of a return (the filer learns why); a single answer notifies
    # nobody by itself (a rejection's `work.returned` does).
    "work.consent_requested": _FILING_OUTCOME,
    "work.returned": _FILING_OUTCOME,
    # A bulk import tells each party its works name once, with its counts; the imported
    # works' own events (they carry `import_id`) notify nobody (handlers.handle_batch).
    "import.completed": frozenset({Named.SUBJECT_PARTY}),
    # A society rejected a registration or found a conflict: the filer and the holders
    # (handlers._read names them only for those statuses).
    "society.acknowledgement_received": frozenset({Named.RIGHTS_HOLDERS}),
    "licence.offered": _LICENCE_STEP,
    "licence.activated": _LICENCE_STEP,
    "licence.declined": _LICENCE_STEP,
    "licence.withdrawn": _LICENCE_STEP,
    "licence.terminated": _LICENCE_STEP,
    "licence.expired": _LICENCE_STEP,
    # Amendments and renewals: both sides learn of a proposal (the other side, to answer it)
    # and of its outcome.
    "licence.amendment_proposed": _LICENCE_STEP,
    "licence.amended": _LICENCE_STEP,
    "licence.renewed": _LICENCE_STEP,
    "licence.amendment_declined": _LICENCE_STEP,
    "usage.reported": _LICENCE_STEP,
    "royalty.statement_issued": _LICENCE_STEP | {Named.STATEMENT_PARTIES, Named.SOCIETIES},
    # The parties the release pays and those whose lines were held (`held_party_ids`).
    "royalty.statement_released": _LICENCE_STEP | {Named.STATEMENT_PARTIES, Named.SOCIETIES},
    # The payees of the lines paid (DOMAIN.md, "The payee ledger, payments and conversion").
    "royalty.statement_paid": frozenset({Named.STATEMENT_PARTIES}),
    # DOMAIN.md, "Advances and minimum guarantees": statements like a royalty's.
    "royalty.advance_paid": _LICENCE_STEP | {Named.STATEMENT_PARTIES, Named.SOCIETIES},
    "royalty.guarantee_trued_up": _LICENCE_STEP | {Named.STATEMENT_PARTIES, Named.SOCIETIES},
    # Co-owners' consent (DOMAIN.md): the owners (those asked among them) and the offeror;
    # the licensee hears only once the offer is made to it (`licence.offered`).
    "licence.awaiting_owners": frozenset({Named.WORK_OWNERS, Named.LICENSOR}),
    "licence.refused_by_owners": frozenset({Named.WORK_OWNERS, Named.LICENSOR}),
}


@dataclass(frozen=True)
class NamedParties:
    """The parties an event names, each under the way it names them."""

    subject_party: UUID | None = None
    rights_holders: frozenset[UUID] = field(default_factory=frozenset)
    previous_holders: frozenset[UUID] = field(default_factory=frozenset)
    transfer_parties: frozenset[UUID] = field(default_factory=frozenset)
    disputant: UUID | None = None
    work_owners: frozenset[UUID] = field(default_factory=frozenset)
    licensor: UUID | None = None
    licensee: UUID | None = None
    statement_parties: frozenset[UUID] = field(default_factory=frozenset)

    def under(self, way: Named, societies: frozenset[UUID]) -> Iterable[UUID]:
        match way:
            case Named.SUBJECT_PARTY:
                return _one(self.subject_party)
            case Named.RIGHTS_HOLDERS:
                return self.rights_holders
            case Named.PREVIOUS_HOLDERS:
                return self.previous_holders
            case Named.TRANSFER_PARTIES:
                return self.transfer_parties
            case Named.DISPUTANT:
                return _one(self.disputant)
            case Named.WORK_OWNERS:
                return self.work_owners
            case Named.LICENSOR:
                return _one(self.licensor)
            case Named.LICENSEE:
                return _one(self.licensee)
            case Named.STATEMENT_PARTIES:
                return self.statement_parties
            case Named.SOCIETIES:
                return societies


def _one(party: UUID | None) -> tuple[UUID, ...]:
    return () if party is None else (party,)


# A handful of types, asked twice per event; bounded, since any type may arrive.
@lru_cache(maxsize=256)
def short_type(ce_type: str) -> str:
    """`org.aseanip.filing.work.registered.v1` -> `work.registered`."""
    parts = ce_type.split(".")
    if len(parts) >= 5 and parts[-1].startswith("v") and parts[-1][1:].isdigit():
        return ".".join(parts[3:-1])
    return ce_type


def recipients(
    event_type: str, named: NamedParties, *, societies: frozenset[UUID] = frozenset()
) -> tuple[UUID, ...]:
    """The parties to notify of an event of `event_type` (short form), each once, in id order."""
    ways = RULES.get(event_type, frozenset())
    chosen: set[UUID] = set()
    for way in ways:
        chosen.update(named.under(way, societies))
    return tuple(sorted(chosen))
