"""Mandates: an owner's consent in advance to the exclusive licences its agent offers
(DOMAIN.md, "Co-owners' consent to licences, and mandates")."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from contracts.enums import Medium

from licensing.domain.errors import MandateStateError, NotAnOwner, NotTheGrantor, SelfMandate
from licensing.domain.terms import parse_period


@dataclass(frozen=True)
class MandateTerms:
    id: UUID
    grantor_id: UUID
    agent_id: UUID
    work_id: UUID | None  # None: all the grantor's works
    media: frozenset[Medium]  # empty: every medium
    valid_from: date
    valid_until: date | None
    revoked_at: datetime | None = None

    def covers(
        self, *, agent: UUID, work_id: UUID, media: Collection[Medium], on: date
    ) -> bool:
        """Whether it speaks for its grantor on an offer by `agent` of these media on `on`."""
        return (
            self.revoked_at is None
            and self.agent_id == agent
            and (self.work_id is None or self.work_id == work_id)
            and (not self.media or set(media) <= self.media)
            and self.valid_from <= on
            and (self.valid_until is None or on <= self.valid_until)
        )


def grant(
    *,
    mandate_id: UUID,
    grantor: UUID,
    agent: UUID,
    work_id: UUID | None,
    work_owners: Collection[UUID],
    media: Collection[Medium],
    valid_from: date,
    valid_until: date | None,
) -> MandateTerms:
    """A new mandate; `work_owners` are the owners of `work_id` (ignored for all works)."""
    if agent == grantor:
        raise SelfMandate("a party cannot give a mandate to itself", field="agent_id")
    if work_id is not None and grantor not in work_owners:
        raise NotAnOwner(
            f"only an owner of work {work_id} may give a mandate for it", field="work_id"
        )
    parse_period(valid_from, valid_until, start_field="valid_from", end_field="valid_until")
    return MandateTerms(
        id=mandate_id,
        grantor_id=grantor,
        agent_id=agent,
        work_id=work_id,
        media=frozenset(media),
        valid_from=valid_from,
        valid_until=valid_until,
    )


def revoke(mandate: MandateTerms, *, actor: UUID, now: datetime) -> MandateTerms:
    if actor != mandate.grantor_id:
        raise NotTheGrantor("only the grantor may revoke a mandate", field="mandate_id")
    if mandate.revoked_at is not None:
        raise MandateStateError(f"mandate {mandate.id} is already revoked", field="mandate_id")
    return replace(mandate, revoked_at=now)
