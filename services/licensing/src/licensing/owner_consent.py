"""The commands of co-owners' consent to exclusive offers and of mandates (DOMAIN.md,
"Co-owners' consent to licences, and mandates"), each load → decide → save → emit in one
unit of work like `licensing.service`'s."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from contracts.enums import LicenceStatus
from contracts.times import utc_now
from runtime.uow import UnitOfWork, UnitOfWorkFactory

from contracts import events
from licensing import repository as repo
from licensing.commands import GiveReason, GrantMandate
from licensing.domain import consent, lifecycle, mandates
from licensing.domain.access import Caller
from licensing.domain.errors import LicenceStateError, UnknownMandate, UnknownParty
from licensing.models import LicenceRow, MandateRow, OwnerConsentRow
from licensing.service import _emit_transition, _visible_licence


def _ensure_open(row: LicenceRow, consents: list[OwnerConsentRow], now: datetime) -> None:
    if row.status != LicenceStatus.AWAITING_OWNERS.value or any(
        consent.is_lapsed(c.due_at, now) for c in consents
    ):
        raise LicenceStateError(
            f"licence {row.id} is {row.status}; it no longer waits for owners' consent",
            field="status",
        )


async def _answer(
    uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID, *, refuse: bool, reason: str | None
) -> LicenceRow:
    """An asked owner's consent or refusal, under the licence's lock: of two answers at once
    the second sees the first (so the last consent moves the offer exactly once)."""
    async with uow() as u:
        row = await _visible_licence(u.session, caller, licence_id, for_update=True)
        rows = await repo.consent_rows(u.session, licence_id)
        decided = consent.answer(
            [repo.to_consent(r) for r in rows], party=caller.party_id, refuse=refuse,
            reason=reason,
        )  # fmt: skip
        now = utc_now()
        _ensure_open(row, rows, now)
        mine = next(r for r in rows if r.party_id == caller.party_id)
        mine.status, mine.reason, mine.decided_at = decided.status.value, decided.reason, now
        licence = repo.to_licence(row)
        if refuse:
            assert decided.reason is not None
            return await _emit_transition(
                u, row, lifecycle.refused_by_owners(licence, decided.reason),
                events.LicenceRefusedByOwners, actor=caller.party_id, reason=decided.reason,
            )  # fmt: skip
        remaining = consent.pending(repo.to_consent(r) for r in rows)
        u.emit(
            events.LicenceOwnerConsented(
                occurred_at=now, licence_id=row.id, work_id=row.work_id,
                licensor_id=row.licensor_id, owner_id=caller.party_id, remaining=remaining,
            )
        )  # fmt: skip
        if remaining:
            return row
        return await _emit_transition(
            u, row, lifecycle.owners_agreed(licence), events.LicenceOffered,
            actor=caller.party_id,
        )  # fmt: skip


async def consent_to_licence(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID
) -> LicenceRow:
    return await _answer(uow, caller, licence_id, refuse=False, reason=None)


async def refuse_licence(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID, command: GiveReason
) -> LicenceRow:
    return await _answer(uow, caller, licence_id, refuse=True, reason=command.reason)


async def lapse_overdue_offers(*, uow: UnitOfWorkFactory, now: datetime) -> int:
    """Ends every AWAITING_OWNERS offer whose consents are past due, each in its own unit of
    work, re-checked under the licence's lock (the last consent may have won the race)."""
    async with uow() as u:
        due = await repo.lapsed_offers(u.session, now)
    lapsed = 0
    for licence_id in due:
        async with uow() as u:
            row = await repo.get_licence(u.session, licence_id, for_update=True)
            if row is None or row.status != LicenceStatus.AWAITING_OWNERS.value:
                continue
            consents = [repo.to_consent(r) for r in await repo.consent_rows(u.session, row.id)]
            reason = consent.lapse_reason(consents)
            ended = lifecycle.refused_by_owners(repo.to_licence(row), reason)
            await _emit_transition(
                u, row, ended, events.LicenceRefusedByOwners, actor=None, reason=reason
            )
            lapsed += 1
    return lapsed


# --- mandates ------------------------------------------------------------------------------


def _mandate_event(
    event_type: type[events.MandateEvent], row: MandateRow
) -> events.MandateEvent:
    return event_type(
        occurred_at=row.revoked_at or row.granted_at,
        mandate=events.Mandate.model_validate(row.model_dump()),
    )


async def grant_mandate(
    *, uow: UnitOfWorkFactory, caller: Caller, command: GrantMandate
) -> MandateRow:
    async with uow() as u:
        if not await repo.party_known(u.session, command.agent_id):
            raise UnknownParty(f"no party {command.agent_id} in the register", field="agent_id")
        owners: set[UUID] = set()
        if command.work_id is not None:
            work = await repo.work_view(u.session, command.work_id)
            owners = set(work.owners) if work is not None else set()
        mandate = mandates.grant(
            mandate_id=uuid.uuid4(), grantor=caller.party_id, agent=command.agent_id,
            work_id=command.work_id, work_owners=owners, media=command.parsed_media,
            valid_from=command.valid_from, valid_until=command.valid_until,
        )  # fmt: skip
        row = repo.add_mandate(u.session, mandate, utc_now())
        u.emit(_mandate_event(events.MandateGranted, row))
    return row


async def visible_mandate(u: UnitOfWork, caller: Caller, mandate_id: UUID) -> MandateRow:
    row = await repo.get_mandate(u.session, mandate_id, for_update=True)
    # Only its grantor and its agent know a mandate exists.
    if row is None or caller.party_id not in (row.grantor_id, row.agent_id):
        raise UnknownMandate(f"no mandate {mandate_id}", field="mandate_id")
    return row


async def revoke_mandate(
    *, uow: UnitOfWorkFactory, caller: Caller, mandate_id: UUID
) -> MandateRow:
    async with uow() as u:
        row = await visible_mandate(u, caller, mandate_id)
        revoked = mandates.revoke(repo.to_mandate(row), actor=caller.party_id, now=utc_now())
        row.revoked_at = revoked.revoked_at
        u.emit(_mandate_event(events.MandateRevoked, row))
    return row
