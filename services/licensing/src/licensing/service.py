"""The licensing commands: one keyword-only function each, reading load → decide → save →
emit in one unit of work (`runtime.uow`), so the new state, its events and its timeline
commit together or not at all."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, timedelta
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from contracts.enums import LicenceStatus, WorkStatus
from contracts.errors import InvalidInput
from contracts.money import check_places, minor_units
from contracts.times import utc_now
from runtime.service import ServiceHandle
from runtime.uow import UnitOfWork, UnitOfWorkFactory
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import events
from licensing import advances, deals, suspense
from licensing import events as outgoing
from licensing import history_repository as licence_history
from licensing import repository as repo
from licensing.commands import GiveReason, OfferLicence, RecordAdvancePayment, ReportUsage
from licensing.domain import amendments, lifecycle
from licensing.domain.access import Caller, can_see_licence
from licensing.domain.advances import check_advance_payment
from licensing.domain.availability import ensure_available
from licensing.domain.consent import consents_for_offer, pending
from licensing.domain.deals import pool_key
from licensing.domain.errors import (
    NotTheLicensee,
    UnknownLicence,
    UnknownParty,
    UnknownReport,
    UnknownWork,
    WrongCurrency,
)
from licensing.domain.history import segment_for
from licensing.domain.lifecycle import Licence
from licensing.domain.royalties import (
    end_of_day,
    recoup,
    royalty_for,
    shares_at,
    split_payable,
)
from licensing.domain.usage import ReportedUsage, check_correction, check_report
from licensing.models import (
    AdvancePaymentRow,
    LicenceRow,
    StatementPaymentRow,
    StatementRow,
    UsageReportRow,
)
from licensing.settings import LicensingSettings


class ReadModelWaiter(Protocol):
    """The register consumer's progress signal (`IdempotentConsumer.wait_until`)."""

    async def wait_until(self, check: Callable[[], Awaitable[bool]], timeout: float) -> bool: ...


@dataclass(frozen=True)
class Licensing(ServiceHandle):
    """The service as its routes and jobs use it: units of work for commands, sessions for
    queries, the register consumer that offers wait on, and the runner of commands retried
    with an idempotency key."""

    register: ReadModelWaiter
    settings: LicensingSettings


# --- loading what a command decides on --------------------------------------------------------


async def _visible_licence(
    session: AsyncSession, caller: Caller, licence_id: UUID, *, for_update: bool = False
) -> LicenceRow:
    row = await repo.get_licence(session, licence_id, for_update=for_update)
    # An invisible licence answers like a missing one, so its id leaks nothing.
    if row is None or not can_see_licence(
        caller,
        licensee_id=row.licensee_id,
        licensor_id=row.licensor_id,
        owners=await _owners(session, row.work_id),
    ):
        raise UnknownLicence(f"no licence {licence_id}", field="licence_id")
    return row


async def _owners(session: AsyncSession, work_id: UUID) -> set[UUID]:
    return (await repo.owners_of(session, [work_id]))[work_id]


async def _emit_transition(
    u: UnitOfWork,
    row: LicenceRow,
    moved: Licence,
    event_type: type[events.LicenceEvent],
    *,
    actor: UUID | None,
    reason: str | None = None,
) -> LicenceRow:
    """Saves a licence's new status and emits the event that says so."""
    now = utc_now()
    repo.save_transition(row, moved, now)
    found = await licence_history.segments_of(u.session, [row])
    await licence_history.record(u.session, row, found[row.id], now)
    owners = await _owners(u.session, moved.work_id)
    u.emit(
        outgoing.licence_event(
            event_type, moved, owners=owners, actor=actor, now=now, reason=reason
        )
    )
    return row


# --- the licence's life ------------------------------------------------------------------------


# Statuses of a work the register has not finished examining (DOMAIN.md, Filing lifecycle).
_BEFORE_EXAMINATION = (WorkStatus.FILED.value, WorkStatus.AWAITING_CONSENT.value)


async def wait_for_register(
    *,
    uow: UnitOfWorkFactory,
    register: ReadModelWaiter,
    wait_seconds: float,
    command: OfferLicence,
) -> None:
    """Read-your-writes: the caller may have just filed the work or signed up the licensee in
    the filing service; until the read model shows the work past examination and the
    licensee, wait (woken by the consumer) for at most `wait_seconds`. Each look is its own
    short transaction: the route waits before its keyed command opens one, so no connection
    or key is held while the register catches up (after faults, waiting offers filled the
    pool)."""

    async def caught_up() -> bool:
        async with uow() as u:
            work = await repo.get_work(u.session, command.work_id)
            # A work awaiting consent may be one snapshot short of its examination's
            # outcome (the last confirmation commits both): wait for it as for a new filing.
            if work is None or work.status in _BEFORE_EXAMINATION:
                return False
            return await repo.party_known(u.session, command.licensee_id)

    if not await caught_up():
        await register.wait_until(caught_up, wait_seconds)


async def offer_licence(
    *,
    uow: UnitOfWorkFactory,
    register: ReadModelWaiter,
    wait_seconds: float,
    caller: Caller,
    command: OfferLicence,
    consent_days: int,
) -> LicenceRow:
    """An owner of a REGISTERED work offers it; refused when it conflicts with an ACTIVE one.
    It first waits for the register (`wait_for_register`). An exclusive offer the offeror
    (with its mandates) cannot grant alone waits for the other owners `consent_days`."""
    await wait_for_register(
        uow=uow, register=register, wait_seconds=wait_seconds, command=command
    )
    async with uow() as u:
        work = await repo.work_view(u.session, command.work_id)
        if work is None:
            raise UnknownWork(f"no work {command.work_id} in the register", field="work_id")
        if not await repo.party_known(u.session, command.licensee_id):
            raise UnknownParty(
                f"no party {command.licensee_id} in the register", field="licensee_id"
            )
        now = utc_now()
        consents = consents_for_offer(
            offeror=caller.party_id, work_id=work.id, exclusive=command.terms.exclusive,
            media=command.terms.media, holders=await repo.holder_shares(u.session, work.id),
            mandates=await repo.mandates_held_by(u.session, caller.party_id),
            today=now.astimezone(UTC).date(),
        )  # fmt: skip
        asked = pending(consents)
        licence = lifecycle.offer(
            licence_id=uuid.uuid4(),
            work=work,
            offeror=caller.party_id,
            licensee=command.licensee_id,
            terms=command.terms,
            awaiting_owners=bool(asked),
        )
        ensure_available(licence.footprint, await repo.active_holdings(u.session, work.id))
        if command.deal_id is not None:
            deal = await deals.join_deal(
                u.session, deal_id=command.deal_id,
                cross_collateralised=command.cross_collateralised, licence=licence,
                owners=frozenset(work.owners), now=now,
            )  # fmt: skip
            licence = replace(licence, deal=deal)
        row = repo.add_licence(u.session, licence, now)
        # Version 1 and the first history row (DOMAIN.md, "Licence history"); the consents'
        # foreign key needs the licence row first too.
        await u.session.flush()
        licence_history.add_version(u.session, amendments.original(licence), now)
        await licence_history.record(u.session, row, licence_history.row_segments(row), now)
        due_at = now + timedelta(days=consent_days)
        if consents:
            repo.add_consents(u.session, licence.id, consents, due_at=due_at, now=now)
        owners, actor = set(work.owners), caller.party_id
        if asked:
            u.emit(outgoing.licence_event(
                events.LicenceAwaitingOwners, licence, owners=owners, actor=actor, now=now,
                owners_asked=asked, consent_due=due_at,
            ))  # fmt: skip
        else:
            u.emit(
                outgoing.licence_event(
                    events.LicenceOffered, licence, owners=owners, actor=actor, now=now
                )
            )
    return row


async def accept_licence(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID
) -> LicenceRow:
    """The licensee accepts; the conflict rule is re-checked under the work's row lock, so of
    two conflicting offers accepted at once exactly one becomes ACTIVE."""
    async with uow() as u:
        row = await _visible_licence(u.session, caller, licence_id)
        # Lock order everywhere: work row, then licence row (the consumer locks works only).
        work = await repo.work_view(u.session, row.work_id, for_update=True)
        row = await _visible_licence(u.session, caller, licence_id, for_update=True)
        if work is None:  # pragma: no cover - an offer needs a known work
            raise UnknownWork(f"no work {row.work_id} in the register", field="work_id")
        accepted = lifecycle.accept(repo.to_licence(row), actor=caller.party_id, work=work)
        holdings = await repo.active_holdings(u.session, row.work_id, excluding=row.id)
        ensure_available(accepted.footprint, holdings)
        return await _emit_transition(
            u, row, accepted, events.LicenceActivated, actor=caller.party_id
        )


async def _move_by_caller(
    uow: UnitOfWorkFactory,
    caller: Caller,
    licence_id: UUID,
    event_type: type[events.LicenceEvent],
    move: Callable[[Licence, set[UUID]], Licence],
    *,
    ends: bool = False,
) -> LicenceRow:
    """A transition the caller makes on a licence they can see: `move(licence, owners)`;
    one that `ends` the licence trues up its minimum guarantee in the same unit of work."""
    async with uow() as u:
        row = await _visible_licence(u.session, caller, licence_id, for_update=True)
        moved = move(repo.to_licence(row), await _owners(u.session, row.work_id))
        await _emit_transition(
            u, row, moved, event_type, actor=caller.party_id, reason=moved.status_reason
        )
        if ends:
            # The last day it covered: the termination's UTC date, or its end if earlier.
            ended_on = row.updated_at.astimezone(UTC).date()
            end = moved.terms.period.end
            last_day = ended_on if end is None else min(ended_on, end)
            await advances.issue_true_up(u, moved, last_day=last_day, now=row.updated_at)
        return row


async def decline_licence(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID, command: GiveReason
) -> LicenceRow:
    return await _move_by_caller(
        uow, caller, licence_id, events.LicenceDeclined,
        lambda licence, _: lifecycle.decline(
            licence, actor=caller.party_id, reason=command.reason
        ),
    )  # fmt: skip


async def withdraw_licence(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID
) -> LicenceRow:
    return await _move_by_caller(
        uow, caller, licence_id, events.LicenceWithdrawn,
        lambda licence, _: lifecycle.withdraw(licence, actor=caller.party_id),
    )  # fmt: skip


async def terminate_licence(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID, command: GiveReason
) -> LicenceRow:
    return await _move_by_caller(
        uow, caller, licence_id, events.LicenceTerminated,
        lambda licence, owners: lifecycle.terminate(
            licence, actor=caller.party_id, reason=command.reason, owners=owners
        ),
        ends=True,
    )  # fmt: skip


async def expire_due_licences(*, uow: UnitOfWorkFactory, today: date) -> int:
    """Expires every ACTIVE licence whose end date is before `today`; each in its own unit of
    work, re-checked under the licence's lock (a terminate may have won the race), with its
    minimum guarantee's true-up: a rerun finds it EXPIRED and issues nothing twice."""
    async with uow() as u:
        due = await repo.due_to_expire(u.session, today)
    expired = 0
    for licence_id in due:
        async with uow() as u:
            row = await repo.get_licence(u.session, licence_id, for_update=True)
            if row is None or not lifecycle.is_due_to_expire(repo.to_licence(row), today):
                continue
            ended = lifecycle.expire(repo.to_licence(row), today)
            await _emit_transition(u, row, ended, events.LicenceExpired, actor=None)
            assert ended.terms.period.end is not None  # only a licence with an end expires
            await advances.issue_true_up(
                u, ended, last_day=ended.terms.period.end, now=row.updated_at
            )
            expired += 1
    return expired


# --- usage and royalties -----------------------------------------------------------------------


@dataclass(frozen=True)
class UsageOutcome:
    report: UsageReportRow
    statement: StatementRow


async def _terminated_on(session: AsyncSession, row: LicenceRow) -> date | None:
    """The UTC date a TERMINATED licence ended: the day its timeline records the termination
    (the transition also stamped `updated_at` with that moment, and nothing moves a
    terminated licence again, so that stands in if the timeline row were missing)."""
    if row.status != LicenceStatus.TERMINATED.value:
        return None
    at = await repo.terminated_at(session, row.id) or row.updated_at
    return at.astimezone(UTC).date()


async def _checked_usage(
    session: AsyncSession, row: LicenceRow, licence: Licence, command: ReportUsage, gross: Decimal
) -> ReportedUsage:
    """The report `command` makes, after the rules of a normal report or of a correction."""
    earlier = await repo.usage_of(session, licence.id)
    if command.corrects_report_id is None:
        if command.period_start is None or command.period_end is None:
            field = "period_start" if command.period_start is None else "period_end"
            raise InvalidInput(f"{field} is required", field=field)
        period = check_report(
            status=licence.status,
            licence_period=licence.terms.period,
            period_start=command.period_start,
            period_end=command.period_end,
            units=command.unit_count,
            gross=gross,
            earlier=earlier,
            terminated_on=await _terminated_on(session, row),
        )
    else:
        original = next((r for r in earlier if r.id == command.corrects_report_id), None)
        if original is None:
            raise UnknownReport(
                f"licence {licence.id} has no report {command.corrects_report_id}",
                field="corrects_report_id",
            )
        period = check_correction(
            status=licence.status,
            original=original,
            corrections=[r for r in earlier if r.corrects == original.id],
            period_start=command.period_start,
            period_end=command.period_end,
            units=command.unit_count,
            gross=gross,
        )
    return ReportedUsage(
        id=uuid.uuid4(),
        period=period,
        units=command.unit_count,
        gross=gross,
        corrects=command.corrects_report_id,
    )


async def report_usage(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID, command: ReportUsage
) -> UsageOutcome:
    """The licensee reports usage (or corrects a report); a statement is issued at once.
    An EXPIRED or TERMINATED licence still takes reports for the days it covered.

    The licence row is locked, so reports of one licence are serialised: the overlap check
    and the cumulative recoupment both see every earlier report.
    """
    async with uow() as u:
        row = await _visible_licence(u.session, caller, licence_id, for_update=True)
        licence = repo.to_licence(row)
        currency = licence.terms.currency
        if caller.party_id != licence.licensee_id:
            raise NotTheLicensee(
                "only the licensee reports usage of a licence", field="licence_id"
            )
        if command.currency_code not in (None, currency):
            raise WrongCurrency(
                f"usage is reported in the licence currency {currency}", field="currency"
            )
        check_places(command.gross, currency, "gross_revenue")
        exponent = minor_units(currency)
        gross = command.gross.quantize(Decimal(1).scaleb(-exponent))
        usage = await _checked_usage(u.session, row, licence, command, gross)
        await deals.lock_pools(u.session, [licence])
        pools = await deals.pools_of(u.session, [licence])
        # The terms in force over the reported period (DOMAIN.md, "Amendments and renewals").
        segments = await licence_history.segments_of(u.session, [row])
        in_force = segment_for(segments[row.id], usage.period)
        figures = recoup(
            royalty_for(gross, in_force.royalty_rate, exponent),
            pools[pool_key(licence.id, licence.deal)],
            exponent,
        )
        history = await repo.share_history(u.session, licence.work_id)
        if not history:  # pragma: no cover - a licensed work has known owners
            raise UnknownWork(f"no owners known for work {licence.work_id}", field="licence_id")
        assert usage.period.end is not None
        shares = shares_at(history, end_of_day(usage.period.end))
        disputed = await suspense.disputed_works(u.session, [licence.work_id])
        report, statement = await repo.add_usage(
            u.session,
            licence=licence,
            usage=usage,
            reported_by=caller.party_id,
            figures=figures,
            lines=split_payable(figures.payable, shares, exponent),
            statement_id=uuid.uuid4(),
            now=utc_now(),
            held=licence.work_id in disputed,
        )
        await suspense.hold(u.session, [statement], disputed)
        owners = await _owners(u.session, licence.work_id)
        u.emit(
            outgoing.usage_reported(report, licence, owners=owners),
            outgoing.statement_issued(statement, licence),
        )
    return UsageOutcome(report=report, statement=statement)


# --- advances ------------------------------------------------------------------------------------


async def record_advance_payment(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID, command: RecordAdvancePayment
) -> tuple[StatementRow, AdvancePaymentRow, StatementPaymentRow]:
    """The licensee records the advance as paid, once; its ADVANCE statement splits it among
    the owners (DOMAIN.md, "Advances and minimum guarantees")."""
    async with uow() as u:
        row = await _visible_licence(u.session, caller, licence_id, for_update=True)
        licence = repo.to_licence(row)
        now = utc_now()
        check_advance_payment(
            licence, actor=caller.party_id, paid_on=command.paid_on, today=now.date(),
            offered_on=row.created_at.astimezone(UTC).date(),
        )  # fmt: skip
        return await advances.issue_advance(
            u, licence, paid_on=command.paid_on, reference=command.stripped_reference,
            actor=caller.party_id, now=now,
        )  # fmt: skip
