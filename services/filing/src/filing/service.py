"""The filing service's commands: one keyword-only function each, reading load → decide →
save → emit in one unit of work (the state, its history and its events commit together)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from contracts.errors import NotAllowed
from runtime.auth import Principal
from runtime.service import ServiceHandle
from runtime.uow import UnitOfWork, UnitOfWorkFactory
from sqlalchemy.exc import IntegrityError

from contracts import access
from filing import commands, events
from filing import repository as repo
from filing.bulk_import.uploads import BulkImportPolicy
from filing.domain import disputes as dispute_rules
from filing.domain import parties as party_rules
from filing.domain import works as work_rules
from filing.domain.errors import (
    ExaminerOnly,
    IdentifierTaken,
    NotThisParty,
    PartyNotFound,
    UnknownParty,
    WorkNotFound,
)
from filing.domain.examination import apply_examination, examine, numbers_taken
from filing.domain.holders import RightsHolder, ensure_known_parties
from filing.domain.numbering import NumberKind
from filing.domain.parties import Party
from filing.domain.titles import title_key
from filing.domain.works import Change, Work


@dataclass(frozen=True)
class DisputePolicy:
    """The settings a dispute is checked against (`FILING_DISPUTE_*`)."""

    evidence_min: int = dispute_rules.EVIDENCE_MIN_DEFAULT
    daily_limit: int = dispute_rules.DISPUTES_PER_DAY_DEFAULT


@dataclass(frozen=True)
class Filing(ServiceHandle):
    """What the routes need: a unit of work per command, sessions for reads, the policy, and
    the runner of commands retried with an idempotency key."""

    disputes: DisputePolicy
    bulk: BulkImportPolicy


def _now() -> datetime:
    return datetime.now(UTC)


def caller_party_id(principal: Principal) -> UUID | None:
    """The caller's party id, or None when the token's subject is not a party id."""
    try:
        return UUID(principal.party_id)
    except ValueError:
        return None


def _require_party_caller(principal: Principal) -> UUID:
    caller = caller_party_id(principal)
    if caller is None:
        raise NotAllowed("this needs a party's token", field="Authorization")
    return caller


def _require_examiner(principal: Principal) -> UUID | None:
    if not principal.is_examiner:
        raise ExaminerOnly("only an examiner may decide this", field="Authorization")
    return caller_party_id(principal)


def _ids(holders: Sequence[RightsHolder]) -> list[UUID]:
    return [h.party_id for h in holders]


async def _ensure_known(uow: UnitOfWork, holders: Sequence[RightsHolder]) -> None:
    ensure_known_parties(holders, await repo.known_party_ids(uow.session, _ids(holders)))


async def _load_work(uow: UnitOfWork, work_id: UUID) -> Work:
    work = await repo.load_work(uow.session, work_id)
    if work is None:
        raise WorkNotFound(f"no work {work_id}", field="work_id")
    return work


async def _save_work(
    uow: UnitOfWork, work: Work, change: Change, *, holders_changed: bool = False
) -> None:
    version = await repo.save_work(uow.session, work, change, holders_changed=holders_changed)
    uow.emit(events.work_event(work, change, version=version))


# --- parties -------------------------------------------------------------------------------


async def register_party(
    *, uow: UnitOfWorkFactory, principal: Principal, party_id: UUID, command: commands.RegisterParty
) -> tuple[Party, bool]:
    """Signs a party up under its own id; the same id again answers the stored party.

    Returns the party and whether this call created it.
    """
    caller = access.Caller.of(principal.party_id, principal.roles)
    if not access.may_register_party(caller, party_id):
        raise NotThisParty("only the party itself may write its record", field="party_id")
    party = party_rules.register_party(party_id=party_id, now=_now(), **command.model_dump())
    async with uow() as u:
        if not await repo.insert_party_if_absent(u.session, party):
            stored = await repo.load_party(u.session, party_id, for_update=False)
            assert stored is not None
            return stored, False
        u.emit(events.party_registered(party, version=1))
    return party, True


async def update_party(
    *, uow: UnitOfWorkFactory, principal: Principal, party_id: UUID, command: commands.UpdateParty
) -> Party:
    """Changes the public fields the command gives; `party.updated` only if one changed."""
    party_rules.ensure_self(_require_party_caller(principal), party_id)
    async with uow() as u:
        party = await repo.load_party(u.session, party_id)
        if party is None:
            raise PartyNotFound(f"no party {party_id}", field="party_id")
        updated, changed = party_rules.update_party(party, command.changes(), now=_now())
        if changed:
            version = await repo.save_party(u.session, updated)
            u.emit(events.party_updated(updated, changed, version=version))
    return updated


# --- works ---------------------------------------------------------------------------------


async def file_work(
    *, uow: UnitOfWorkFactory, principal: Principal, command: commands.FileWork
) -> Work:
    """Files a work and examines it at once; answers the work in its examined status.

    Emits `work.filed` then the outcome (`work.registered`, `work.rejected` or
    `work.review_requested`), both in the filing's transaction.
    """
    draft = command.draft(filed_by=_require_party_caller(principal))
    key = title_key(draft.title)
    try:
        async with uow() as u:
            holders = _ids(draft.rights_holders)
            known = await repo.lock_for_examination(u.session, draft.identifiers, key, holders)
            ensure_known_parties(draft.rights_holders, known)
            candidates = await repo.examination_candidates(
                u.session, draft.identifiers, key, holders
            )
            outcome = examine(draft, candidates)
            # The numbers come last: the counter rows are the service's hottest locks, held
            # from here to COMMIT, so only the pure domain and ONE statement (the work, its
            # holders, history and events) follow.
            now = _now()
            numbers = await repo.take_numbers(
                u.session, year=now.year, kinds=numbers_taken(outcome)
            )
            filed, filed_change = work_rules.file_work(
                draft, work_id=uuid4(), filing_number=numbers[NumberKind.FILING], now=now
            )
            examined, examined_change = apply_examination(
                filed, outcome, now=now, registration_number=numbers.get(NumberKind.REGISTRATION)
            )
            u.emit(
                events.work_event(filed, filed_change, version=1),
                events.work_event(examined, examined_change, version=2),
            )
            await repo.insert_work(
                u.session, examined, [filed_change, examined_change], outbox=u.outbox_part()
            )
    except IntegrityError as exc:
        if "_holding" in str(exc.orig):
            raise IdentifierTaken(
                "an identifier of this work is held by another work", field="identifiers"
            ) from None
        raise
    return examined


async def review_work(
    *, uow: UnitOfWorkFactory, principal: Principal, work_id: UUID, command: commands.ReviewWork
) -> Work:
    """An examiner registers or rejects a work under review."""
    examiner = _require_examiner(principal)
    async with uow() as u:
        work = await _load_work(u, work_id)
        now = _now()
        number = None
        if work_rules.check_review(work, decision=command.decision, reason=command.reason):
            numbers = await repo.take_numbers(
                u.session, year=now.year, kinds=[NumberKind.REGISTRATION]
            )
            number = numbers[NumberKind.REGISTRATION]
        new, change = work_rules.decide_review(
            work,
            decision=command.decision,
            reason=command.reason,
            examiner_id=examiner,
            now=now,
            registration_number=number,
        )
        await _save_work(u, new, change)
    return new


async def transfer_share(
    *, uow: UnitOfWorkFactory, principal: Principal, work_id: UUID, command: commands.TransferShare
) -> Work:
    """An owner moves all or part of its share of a registered work to another party."""
    owner = _require_party_caller(principal)
    receiver = command.to_party_id
    async with uow() as u:
        work = await _load_work(u, work_id)
        new, change = work_rules.transfer_share(
            work,
            from_party_id=owner,
            to_party_id=receiver,
            share=command.share,
            role=command.role,
            now=_now(),
        )
        if receiver not in await repo.known_party_ids(u.session, [receiver]):
            raise UnknownParty(f"party {receiver} is not registered", field="to_party_id")
        await _save_work(u, new, change, holders_changed=True)
    return new


async def dispute_work(
    *,
    uow: UnitOfWorkFactory,
    principal: Principal,
    work_id: UUID,
    command: commands.DisputeWork,
    policy: DisputePolicy,
) -> Work:
    """A party that does not own a registered work disputes it, stating its standing.

    Parties other than examiners open at most `policy.daily_limit` disputes per UTC day of
    the database; the count and this dispute's row share one transaction under the party's
    lock.
    """
    party = _require_party_caller(principal)
    standing = dispute_rules.standing(
        claimed_role=command.claimed_role,
        claimed_share=command.claimed_share,
        evidence=command.evidence,
        evidence_min=policy.evidence_min,
    )
    async with uow() as u:
        work = await _load_work(u, work_id)
        new, change = work_rules.dispute_work(
            work, reason=command.reason, standing=standing, disputed_by=party, now=_now()
        )
        if not principal.is_examiner:
            opened = await repo.lock_and_count_disputes_today(u.session, party)
            dispute_rules.ensure_under_daily_limit(opened, limit=policy.daily_limit)
            await repo.record_dispute_opening(u.session, party, work.id)
        await _save_work(u, new, change)
    return new


async def resolve_dispute(
    *, uow: UnitOfWorkFactory, principal: Principal, work_id: UUID, command: commands.ResolveDispute
) -> Work:
    """An examiner ends a dispute, keeping the owners or replacing the rights holders."""
    examiner = _require_examiner(principal)
    holders = command.rights_holders
    async with uow() as u:
        work = await _load_work(u, work_id)
        new, change = work_rules.resolve_dispute(
            work,
            keep_owners=command.keep_owners,
            rights_holders=holders,
            reason=command.reason,
            examiner_id=examiner,
            now=_now(),
        )
        if holders is not None:
            await _ensure_known(u, holders)
        await _save_work(u, new, change, holders_changed=holders is not None)
    return new
