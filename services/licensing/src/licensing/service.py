"""The licensing commands: one keyword-only function each, reading load → decide → save →
emit in one unit of work (`runtime.uow`), so the new state, its events and its timeline
commit together or not at all."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date
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
from licensing import events as outgoing
from licensing import repository as repo
from licensing.commands import GiveReason, OfferLicence, ReportUsage
from licensing.domain import lifecycle
from licensing.domain.access import Caller, can_see_licence
from licensing.domain.availability import ensure_available
from licensing.domain.errors import (
    NotTheLicensee,
    UnknownLicence,
    UnknownParty,
    UnknownReport,
    UnknownWork,
    WrongCurrency,
)
from licensing.domain.lifecycle import Licence
from licensing.domain.royalties import end_of_day, shares_at, split_payable, statement_figures
from licensing.domain.usage import ReportedUsage, check_correction, check_report
from licensing.models import LicenceRow, StatementRow, UsageReportRow
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
) -> LicenceRow:
    """An owner of a REGISTERED work offers it; refused when it conflicts with an ACTIVE one.
    It first waits for the register (`wait_for_register`)."""
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
        licence = lifecycle.offer(
            licence_id=uuid.uuid4(),
            work=work,
            offeror=caller.party_id,
            licensee=command.licensee_id,
            terms=command.terms,
        )
        ensure_available(licence.footprint, await repo.active_holdings(u.session, work.id))
        now = utc_now()
        row = repo.add_licence(u.session, licence, now)
        u.emit(
            outgoing.licence_event(
                events.LicenceOffered, licence, owners=set(work.owners),
                actor=caller.party_id, now=now,
            )
        )  # fmt: skip
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
) -> LicenceRow:
    """A transition the caller makes on a licence they can see: `move(licence, owners)`."""
    async with uow() as u:
        row = await _visible_licence(u.session, caller, licence_id, for_update=True)
        moved = move(repo.to_licence(row), await _owners(u.session, row.work_id))
        return await _emit_transition(
            u, row, moved, event_type, actor=caller.party_id, reason=moved.status_reason
        )


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
    )  # fmt: skip


async def expire_due_licences(*, uow: UnitOfWorkFactory, today: date) -> int:
    """Expires every ACTIVE licence whose end date is before `today`; each in its own unit of
    work, re-checked under the licence's lock (a terminate may have won the race)."""
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
        royalties_before, payable_before = await repo.stated_totals(u.session, licence_id)
        figures = statement_figures(
            gross=gross,
            rate=licence.terms.royalty_rate,
            advance=licence.terms.advance,
            exponent=exponent,
            royalties_before=royalties_before,
            payable_before=payable_before,
        )
        history = await repo.share_history(u.session, licence.work_id)
        if not history:  # pragma: no cover - a licensed work has known owners
            raise UnknownWork(f"no owners known for work {licence.work_id}", field="licence_id")
        assert usage.period.end is not None
        shares = shares_at(history, end_of_day(usage.period.end))
        report, statement = await repo.add_usage(
            u.session,
            licence=licence,
            usage=usage,
            reported_by=caller.party_id,
            figures=figures,
            lines=split_payable(figures.payable, shares, exponent),
            statement_id=uuid.uuid4(),
            now=utc_now(),
        )
        owners = await _owners(u.session, licence.work_id)
        u.emit(
            outgoing.usage_reported(report, licence, owners=owners),
            outgoing.statement_issued(statement, licence),
        )
    return UsageOutcome(report=report, statement=statement)
