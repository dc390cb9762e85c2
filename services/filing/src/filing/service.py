"""The filing service's commands: one keyword-only function each, reading load → decide →
save → emit in one unit of work (the state, its history and its events commit together)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from contracts.enums import WorkStatus
from contracts.errors import DomainError, NotAllowed
from runtime.auth import Principal
from runtime.service import ServiceHandle
from runtime.uow import UnitOfWork, UnitOfWorkFactory
from sqlalchemy.exc import IntegrityError

from contracts import access
from filing import commands, events
from filing import repository as repo
from filing.bulk_import.uploads import BulkImportPolicy
from filing.domain import consents as consent_rules
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
from filing.domain.examination import (
    Examination,
    ExistingWork,
    apply_examination,
    examine,
    numbers_taken,
)
from filing.domain.holders import RightsHolder, ensure_known_parties
from filing.domain.numbering import NumberKind, format_number
from filing.domain.parties import Party
from filing.domain.titles import title_key
from filing.domain.works import Change, Work, WorkDraft
from filing.societies import CwrPolicy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DisputePolicy:
    """The settings a dispute is checked against (`FILING_DISPUTE_*`)."""

    evidence_min: int = dispute_rules.EVIDENCE_MIN_DEFAULT
    daily_limit: int = dispute_rules.DISPUTES_PER_DAY_DEFAULT


@dataclass(frozen=True)
class ConsentPolicy:
    """How long a filing waits for its co-owners' consent (`FILING_CONSENT_DAYS`)."""

    days: int = consent_rules.CONSENT_DAYS_DEFAULT


@dataclass(frozen=True)
class Filing(ServiceHandle):
    """What the routes need: a unit of work per command, sessions for reads, the policy, and
    the runner of commands retried with an idempotency key."""

    disputes: DisputePolicy
    consent: ConsentPolicy
    bulk: BulkImportPolicy
    writer: FilingWriter
    cwr: CwrPolicy


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
    *,
    uow: UnitOfWorkFactory,
    principal: Principal,
    command: commands.FileWork,
    consent: ConsentPolicy = ConsentPolicy(),
) -> Work:
    """Files a work and examines it at once; answers the work in its examined status, or
    waiting for its co-owners' consent.

    Emits `work.filed` then the outcome (`work.registered`, `work.rejected`,
    `work.review_requested` or `work.consent_requested`), both in the filing's transaction.
    """
    draft = await _draft(uow, principal, command)
    return await file_draft(uow=uow, draft=draft, consent=consent)


async def _draft(
    uow: UnitOfWorkFactory, principal: Principal, command: commands.FileWork
) -> WorkDraft:
    """The caller's checked filing, with the work it records checked against the register.

    Checked before the filing's own transaction (the batching writer's holds the number
    counters): the link's foreign key keeps the work there, and a musical work is rejected
    only by its own examination or review, a window this read accepts.
    """
    draft = command.draft(filed_by=_require_party_caller(principal))
    if draft.recording_of is not None:
        async with uow() as u:
            recorded = await repo.kind_and_status(u.session, draft.recording_of)
        work_rules.check_recorded_work(draft.recording_of, recorded)
    return draft


async def file_draft(
    *, uow: UnitOfWorkFactory, draft: WorkDraft, consent: ConsentPolicy = ConsentPolicy()
) -> Work:
    """`file_work` of a checked filing, in a transaction of its own (FilingWriter files many
    in one)."""
    key = title_key(draft.title)
    try:
        async with uow() as u:
            holders = _ids(draft.rights_holders)
            known = await repo.lock_for_examination(u.session, draft.identifiers, key, holders)
            ensure_known_parties(draft.rights_holders, known)
            candidates = await repo.examination_candidates(
                u.session, draft.identifiers, key, holders
            )
            outcome = consent_rules.filing_outcome(draft, examine(draft, candidates))
            # The numbers come last: the counter rows are the service's hottest locks, held
            # from here to COMMIT, so only the pure domain and ONE statement (the work, its
            # holders, history and events) follow.
            now = _now()
            numbers = await repo.take_numbers(
                u.session, year=now.year, kinds=numbers_taken(outcome)
            )
            examined = await _write_filing(u, draft, outcome, numbers, now, consent)
    except IntegrityError as exc:
        _identifier_taken(exc)
        raise
    return examined


def _identifier_taken(exc: IntegrityError) -> None:
    if "_holding" in str(exc.orig):
        raise IdentifierTaken(
            "an identifier of this work is held by another work", field="identifiers"
        ) from None


def _filed_and_examined(
    u: UnitOfWork,
    draft: WorkDraft,
    outcome: Examination,
    numbers: Mapping[NumberKind, str],
    now: datetime,
    consent: ConsentPolicy,
) -> tuple[Work, list[Change]]:
    """The filed work examined (or waiting for its co-owners' consent) and its history; its
    two events (`work.filed`, then the outcome) emitted on `u`."""
    filed, filed_change = work_rules.file_work(
        draft, work_id=uuid4(), filing_number=numbers[NumberKind.FILING], now=now
    )
    if outcome.status == WorkStatus.AWAITING_CONSENT:
        examined, examined_change = consent_rules.request_consent(
            filed, deadline=consent_rules.deadline_of(now, consent.days), now=now
        )
    else:
        examined, examined_change = apply_examination(
            filed, outcome, now=now, registration_number=numbers.get(NumberKind.REGISTRATION)
        )
    u.emit(
        events.work_event(filed, filed_change, version=1),
        events.work_event(examined, examined_change, version=2),
    )
    return examined, [filed_change, examined_change]


async def _write_filing(
    u: UnitOfWork,
    draft: WorkDraft,
    outcome: Examination,
    numbers: Mapping[NumberKind, str],
    now: datetime,
    consent: ConsentPolicy,
) -> Work:
    """The filed work examined, written with its history and its events in ONE statement;
    answers the examined work."""
    examined, changes = _filed_and_examined(u, draft, outcome, numbers, now, consent)
    await repo.insert_work(u.session, examined, changes, outbox=u.outbox_part())
    return examined


class _CandidatePool:
    """The candidates of a batch's filings: those read from the register, then each filing
    of the batch once examined. `near` hands examination those sharing an identifier or the
    title key with a filing (a superset of what it acts on: examination decides)."""

    def __init__(self, works: Sequence[ExistingWork]) -> None:
        self._works: list[tuple[ExistingWork, str, set[tuple[str, str]]]] = []
        for work in works:
            self.add(work)

    def add(self, work: ExistingWork) -> None:
        self._works.append((work, title_key(work.title), set(work.identifiers.items())))

    def near(self, draft: WorkDraft, key: str) -> list[ExistingWork]:
        own = set(draft.identifiers.items())
        return [w for w, k, ids in self._works if (key and k == key) or ids & own]


@dataclass
class _Waiting:
    """A filing handed to the writer: the checked draft, its request's context (its trace),
    and the future its request awaits."""

    draft: WorkDraft
    context: contextvars.Context
    answer: asyncio.Future[Work]

    def settle(self, outcome: Work | BaseException) -> None:
        if self.answer.done():  # its request went away; the filing stands
            return
        if isinstance(outcome, BaseException):
            self.answer.set_exception(outcome)
        else:
            self.answer.set_result(outcome)


class _CommitUncertain(Exception):
    """The batch's COMMIT was sent and failed: whether it committed is unknown."""


class FilingWriter:
    """Files works in batches, one transaction each: ARCHITECTURE.md, "Filing's group commit".

    One per process, started and stopped with the service (a runtime component), with
    `writers` tasks: while one batch commits the next is formed, takes its examination locks
    and waits for the counters. Until it is started (tools, tests without the app),
    `file_work` files in a transaction of its own.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        max_batch: int,
        writers: int = 2,
        consent: ConsentPolicy = ConsentPolicy(),
    ) -> None:
        self.uow = uow
        self.consent = consent
        self.max_batch = max_batch
        self.writers = writers
        self._queue: asyncio.Queue[_Waiting] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._batches: dict[int, list[_Waiting]] = {}  # in flight, by writer
        self.batches = 0  # committed batches since start (tests read it)

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._tasks = [
            asyncio.create_task(self._run(n), name=f"filing-writer-{n}")
            for n in range(self.writers)
        ]

    async def stop(self) -> None:
        tasks, queue = self._tasks, self._queue
        self._tasks, self._queue = [], None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        stopped = RuntimeError("the service stopped before this filing was made")
        for batch in self._batches.values():
            for waiting in batch:
                waiting.settle(stopped)
        self._batches = {}
        while queue is not None and not queue.empty():
            queue.get_nowait().settle(stopped)

    async def file_work(self, *, principal: Principal, command: commands.FileWork) -> Work:
        """`file_work`, answered once the batch that holds this filing has committed."""
        draft = await _draft(self.uow, principal, command)
        if self._queue is None:
            return await file_draft(uow=self.uow, draft=draft, consent=self.consent)
        answer: asyncio.Future[Work] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Waiting(draft, contextvars.copy_context(), answer))
        return await answer

    async def _run(self, writer: int) -> None:
        queue = self._queue
        assert queue is not None
        while True:
            batch = [await queue.get()]
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            self._batches[writer] = batch
            try:
                await self._file(batch)
            except Exception as exc:  # never leave a request waiting
                log.exception("filing batch failed")
                for waiting in batch:
                    waiting.settle(exc)
            del self._batches[writer]

    async def _file(self, batch: list[_Waiting]) -> None:
        if len(batch) == 1:
            await self._alone(batch)
            return
        try:
            outcomes = await self._in_one_transaction(batch)
        except _CommitUncertain as exc:
            log.warning("a filing batch's COMMIT failed: %s", exc.__cause__)
            for waiting in batch:
                waiting.settle(exc.__cause__ or exc)
            return
        except Exception as exc:  # nothing of the batch committed: each files alone
            log.warning("a filing batch of %d rolled back (%s); filing each alone",
                        len(batch), type(exc).__name__)
            await self._alone(batch)
            return
        self.batches += 1
        for waiting, outcome in zip(batch, outcomes, strict=True):
            waiting.settle(outcome)

    async def _alone(self, batch: list[_Waiting]) -> None:
        async def one(waiting: _Waiting) -> None:
            try:
                waiting.settle(
                    await file_draft(uow=self.uow, draft=waiting.draft, consent=self.consent)
                )
            except Exception as exc:
                waiting.settle(exc)

        await asyncio.gather(
            *(asyncio.create_task(one(w), context=w.context) for w in batch)
        )

    async def _in_one_transaction(self, batch: list[_Waiting]) -> list[Work | BaseException]:
        """The batch's filings in one transaction; a filing the domain refuses is its error
        in the answer list. Raises on any database error (nothing committed), or
        `_CommitUncertain` when COMMIT itself failed."""
        now = _now()
        outcomes: list[Work | BaseException] = []
        keys = [title_key(w.draft.title) for w in batch]
        committing = False
        try:
            async with self.uow() as u:
                known = await repo.lock_examination_keys(
                    u.session,
                    (
                        name
                        for w, key in zip(batch, keys, strict=True)
                        for name in repo.examination_lock_keys(w.draft.identifiers, key)
                    ),
                    (h for w in batch for h in _ids(w.draft.rights_holders)),
                )
                last = await repo.lock_counters(u.session, year=now.year)
                given = dict(last)
                # The candidates of every filing of the batch in one query; each filing is
                # also examined against the batch's filings before it (not yet written).
                found = await repo.examination_candidates_of(
                    u.session,
                    [
                        (w.draft.identifiers, key, _ids(w.draft.rights_holders))
                        for w, key in zip(batch, keys, strict=True)
                    ],
                )
                pool = _CandidatePool(found)
                writes = []
                for waiting, key in zip(batch, keys, strict=True):
                    draft = waiting.draft
                    try:
                        ensure_known_parties(draft.rights_holders, known)
                    except DomainError as refused:
                        outcomes.append(refused)
                        continue
                    outcome = consent_rules.filing_outcome(
                        draft, examine(draft, pool.near(draft, key))
                    )
                    numbers = {}
                    for kind in numbers_taken(outcome):
                        given[kind] += 1
                        numbers[kind] = format_number(kind, now.year, given[kind])
                    # Its events carry the trace context of its own request.
                    examined, changes = waiting.context.run(
                        _filed_and_examined, u, draft, outcome, numbers, now, self.consent
                    )
                    writes.append((examined, changes, u.outbox_part()))
                    pool.add(repo.existing(examined))
                    outcomes.append(examined)
                await repo.insert_works(u.session, writes)
                if given != last:
                    await repo.set_counters(u.session, year=now.year, last=given)
                committing = True
        except Exception as exc:
            if committing:
                raise _CommitUncertain(str(exc)) from exc
            raise
        return outcomes


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


# --- co-owners' consent to a filing ----------------------------------------------------------


async def confirm_holding(
    *, uow: UnitOfWorkFactory, principal: Principal, work_id: UUID, command: commands.ConfirmHolding
) -> Work:
    """A party asked confirms its holdings; the last confirmation runs examination."""
    return await _decide_consent(uow, principal, work_id, confirm=True, reason=None)


async def reject_holding(
    *, uow: UnitOfWorkFactory, principal: Principal, work_id: UUID, command: commands.RejectHolding
) -> Work:
    """A party asked rejects its holdings: the work goes back to its filer with the reason."""
    return await _decide_consent(uow, principal, work_id, confirm=False, reason=command.reason)


async def _decide_consent(
    uow: UnitOfWorkFactory, principal: Principal, work_id: UUID, *, confirm: bool,
    reason: str | None,
) -> Work:
    party = _require_party_caller(principal)
    async with uow() as u:
        # Examination's locks before the work's row, in the order a filing takes them (its
        # title and identifiers do not change while it waits), so a filing that names the
        # same keys and this work cannot deadlock with the last confirmation.
        seen = await repo.load_work(u.session, work_id, for_update=False)
        if seen is None:
            raise WorkNotFound(f"no work {work_id}", field="work_id")
        holders = _ids(seen.rights_holders)
        if confirm:
            await repo.lock_for_examination(
                u.session, seen.identifiers, title_key(seen.title), holders
            )
        work = await _load_work(u, work_id)
        now = _now()
        decided, change = consent_rules.decide(
            work, party_id=party, confirm=confirm, reason=reason, now=now
        )
        await repo.save_consents(u.session, decided, party)
        await _save_work(u, decided, change)
        rejected = consent_rules.rejection(decided.consents)
        if rejected is not None:
            returned, returned_change = consent_rules.returned_on_rejection(
                decided, rejected, now=now
            )
            await _save_work(u, returned, returned_change)
            return returned
        if not consent_rules.all_confirmed(decided.consents):
            return decided
        candidates = await repo.examination_candidates(
            u.session, decided.identifiers, title_key(decided.title), holders
        )
        outcome = examine(decided, candidates)
        number = None
        if outcome.status == WorkStatus.REGISTERED:
            numbers = await repo.take_numbers(
                u.session, year=now.year, kinds=[NumberKind.REGISTRATION]
            )
            number = numbers[NumberKind.REGISTRATION]
        examined, examined_change = apply_examination(
            decided, outcome, now=now, registration_number=number
        )
        await _save_work(u, examined, examined_change)
    return examined


async def return_lapsed_filings(*, uow: UnitOfWorkFactory, limit: int = 500) -> int:
    """Returns every filing whose consent deadline has passed (the database's clock), each in
    its own unit of work, re-checked under the work's lock (an answer may have won)."""
    async with uow() as u:
        due = await repo.lapsed_consents(u.session, limit=limit)
    returned = 0
    for work_id in due:
        async with uow() as u:
            work = await repo.load_lapsed_work(u.session, work_id)
            if work is None:
                continue
            new, change = consent_rules.lapse(work, now=_now())
            await _save_work(u, new, change)
            returned += 1
    return returned
