"""The licensing use cases: one async function per command, each in ONE transaction that
saves the new state and stages its outgoing events in the outbox together."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from contracts.enums import LicenceStatus, WorkStatus
from contracts.errors import InvalidInput
from contracts.money import minor_units, parse_amount, parse_currency
from contracts.times import utc_now
from runtime.db import SessionMaker, transaction
from runtime.outbox import stage
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import access, events
from licensing import repository as repo
from licensing.domain import lifecycle
from licensing.domain.availability import AvailabilityConflict, Footprint, ensure_available
from licensing.domain.availability import find_conflicts as _find_conflicts
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
from licensing.domain.terms import Terms
from licensing.domain.usage import check_correction, check_report
from licensing.models import LicenceEventRow, LicenceRow, StatementRow, UsageReportRow


class ReadModelWaiter(Protocol):
    """The register consumer's progress signal (`IdempotentConsumer.wait_until`)."""

    async def wait_until(
        self,
        check: Callable[[], Awaitable[bool]],
        timeout: float,
    ) -> bool: ...


@dataclass(frozen=True)
class Caller:
    """Who acts, and whether their role lets them see every licence (examiners, societies)."""

    party_id: UUID
    sees_all: bool = False


# --- events and the timeline -----------------------------------------------------------------


def licence_state(licence: Licence) -> events.LicenceState:
    terms = licence.terms
    return events.LicenceState(
        id=licence.id,
        work_id=licence.work_id,
        licensor_id=licence.licensor_id,
        licensee_id=licence.licensee_id,
        status=licence.status,
        status_reason=licence.status_reason,
        terms=events.LicenceTerms(
            territories=list(terms.territories),
            media=list(terms.media),
            exclusive=terms.exclusive,
            start=terms.period.start,
            end=terms.period.end,
            royalty_rate=terms.royalty_rate,
            advance=terms.advance,
            currency=terms.currency,
        ),
    )


async def _publish(
    session: AsyncSession,
    event: events.EventData,
    *,
    licence_id: UUID,
    summary: str,
    now: datetime,
) -> None:
    await stage(session, [event], time=now)
    session.add(LicenceEventRow(licence_id=licence_id, at=now, type=event.ce_type, summary=summary))


def _owners_or_licensor(owners: set[UUID], licence: Licence) -> list[UUID]:
    # The event contract needs at least one owner; a work always has one once registered.
    return sorted(owners or {licence.licensor_id}, key=str)


async def _licence_event(
    session: AsyncSession,
    event_type: type[events.LicenceEvent],
    licence: Licence,
    *,
    actor: UUID | None,
    summary: str,
    now: datetime,
    **facts: Any,
) -> None:
    owners = (await repo.owners_of(session, [licence.work_id]))[licence.work_id]
    event = event_type(
        occurred_at=now,
        licence=licence_state(licence),
        work_owner_ids=_owners_or_licensor(owners, licence),
        actor_id=actor,
        **facts,
    )
    await _publish(session, event, licence_id=licence.id, summary=summary, now=now)


def _save_transition(row: LicenceRow, licence: Licence, now: datetime) -> None:
    row.status = licence.status.value
    row.status_reason = licence.status_reason
    row.updated_at = now


# --- visibility ------------------------------------------------------------------------------


async def can_see(session: AsyncSession, caller: Caller, row: LicenceRow) -> bool:
    """DOMAIN.md Access, as `contracts.access.may_see_licence` decides it; the work's owners
    are read only when they decide."""
    if caller.sees_all:
        return True
    who = access.Caller(party_id=caller.party_id)
    facts = access.LicenceFacts(licensor_id=row.licensor_id, licensee_id=row.licensee_id)
    if access.needs_owners(who, facts):
        facts = facts.with_owners((await repo.owners_of(session, [row.work_id]))[row.work_id])
    return access.may_see_licence(who, facts)


async def _visible_licence(
    session: AsyncSession, caller: Caller, licence_id: UUID, *, for_update: bool = False
) -> LicenceRow:
    row = await repo.get_licence(session, licence_id, for_update=for_update)
    # An invisible licence answers like a missing one, so its id leaks nothing.
    if row is None or not await can_see(session, caller, row):
        raise UnknownLicence(f"no licence {licence_id}", field="licence_id")
    return row


# --- commands --------------------------------------------------------------------------------


async def offer_licence(
    *,
    sessions: SessionMaker,
    waiter: ReadModelWaiter,
    wait_seconds: float,
    caller: Caller,
    work_id: UUID,
    licensee_id: UUID,
    terms: Terms,
) -> LicenceRow:
    """An owner of a REGISTERED work offers it; refused when it conflicts with an ACTIVE one.

    Read-your-writes: the caller may have just filed the work or signed up the licensee in
    the filing service; until the read model shows the work past examination and the
    licensee, wait (woken by the consumer) for at most `wait_seconds`.
    """

    async def caught_up() -> bool:
        async with sessions() as session:
            work = await repo.get_work(session, work_id)
            if work is None or work.status == WorkStatus.FILED.value:
                return False
            return await repo.party_known(session, licensee_id)

    if not await caught_up():
        await waiter.wait_until(caught_up, wait_seconds)

    now = utc_now()
    async with transaction(sessions) as session:
        work = await repo.work_view(session, work_id)
        if work is None:
            raise UnknownWork(f"no work {work_id} in the register", field="work_id")
        if not await repo.party_known(session, licensee_id):
            raise UnknownParty(f"no party {licensee_id} in the register", field="licensee_id")
        licence = lifecycle.offer(
            licence_id=uuid.uuid4(),
            work=work,
            offeror=caller.party_id,
            licensee=licensee_id,
            terms=terms,
        )
        ensure_available(licence.footprint, await repo.active_holdings(session, work_id))
        row = LicenceRow(**repo.licence_values(licence), created_at=now, updated_at=now)
        session.add(row)
        await _licence_event(
            session,
            events.LicenceOffered,
            licence,
            actor=caller.party_id,
            summary=f"offered to {licensee_id} by {caller.party_id}",
            now=now,
        )
    return row


async def accept_licence(*, sessions: SessionMaker, caller: Caller, licence_id: UUID) -> LicenceRow:
    """The licensee accepts; the conflict rule is re-checked under the work's row lock, so of
    two conflicting offers accepted at once exactly one becomes ACTIVE."""
    now = utc_now()
    async with transaction(sessions) as session:
        row = await _visible_licence(session, caller, licence_id)
        # Lock order everywhere: work row, then licence row (the consumer locks works only).
        work = await repo.work_view(session, row.work_id, for_update=True)
        row = await _visible_licence(session, caller, licence_id, for_update=True)
        if work is None:  # pragma: no cover - an offer needs a known work
            raise UnknownWork(f"no work {row.work_id} in the register", field="work_id")
        accepted = lifecycle.accept(repo.to_licence(row), actor=caller.party_id, work=work)
        ensure_available(
            accepted.footprint, await repo.active_holdings(session, row.work_id, excluding=row.id)
        )
        _save_transition(row, accepted, now)
        await _licence_event(
            session,
            events.LicenceActivated,
            accepted,
            actor=caller.party_id,
            summary=f"accepted by {caller.party_id}",
            now=now,
        )
    return row


async def decline_licence(
    *, sessions: SessionMaker, caller: Caller, licence_id: UUID, reason: str | None
) -> LicenceRow:
    now = utc_now()
    async with transaction(sessions) as session:
        row = await _visible_licence(session, caller, licence_id, for_update=True)
        declined = lifecycle.decline(repo.to_licence(row), actor=caller.party_id, reason=reason)
        _save_transition(row, declined, now)
        await _licence_event(
            session,
            events.LicenceDeclined,
            declined,
            actor=caller.party_id,
            summary=f"declined by {caller.party_id}"
            + (f": {declined.status_reason}" if declined.status_reason else ""),
            now=now,
            reason=declined.status_reason,
        )
    return row


async def withdraw_licence(
    *, sessions: SessionMaker, caller: Caller, licence_id: UUID
) -> LicenceRow:
    now = utc_now()
    async with transaction(sessions) as session:
        row = await _visible_licence(session, caller, licence_id, for_update=True)
        withdrawn = lifecycle.withdraw(repo.to_licence(row), actor=caller.party_id)
        _save_transition(row, withdrawn, now)
        await _licence_event(
            session,
            events.LicenceWithdrawn,
            withdrawn,
            actor=caller.party_id,
            summary=f"withdrawn by {caller.party_id}",
            now=now,
        )
    return row


async def terminate_licence(
    *, sessions: SessionMaker, caller: Caller, licence_id: UUID, reason: str | None
) -> LicenceRow:
    now = utc_now()
    async with transaction(sessions) as session:
        row = await _visible_licence(session, caller, licence_id, for_update=True)
        owners = (await repo.owners_of(session, [row.work_id]))[row.work_id]
        ended = lifecycle.terminate(
            repo.to_licence(row), actor=caller.party_id, reason=reason, owners=owners
        )
        _save_transition(row, ended, now)
        await _licence_event(
            session,
            events.LicenceTerminated,
            ended,
            actor=caller.party_id,
            summary=f"terminated by {caller.party_id}: {ended.status_reason}",
            now=now,
            reason=ended.status_reason,
        )
    return row


async def expire_due_licences(*, sessions: SessionMaker, today: date) -> int:
    """Expires every ACTIVE licence whose end date is before `today`; each in its own
    transaction, re-checked under the licence's lock (a terminate may have won the race)."""
    async with sessions() as session:
        due = await repo.due_to_expire(session, today)
    expired = 0
    for licence_id in due:
        now = utc_now()
        async with transaction(sessions) as session:
            row = await repo.get_licence(session, licence_id, for_update=True)
            if row is None or not lifecycle.is_due_to_expire(repo.to_licence(row), today):
                continue
            ended = lifecycle.expire(repo.to_licence(row), today)
            _save_transition(row, ended, now)
            await _licence_event(
                session,
                events.LicenceExpired,
                ended,
                actor=None,
                summary=f"expired after {ended.terms.period.end}",
                now=now,
            )
            expired += 1
    return expired


@dataclass(frozen=True)
class UsageOutcome:
    report: UsageReportRow
    statement: StatementRow


def _parse_units(units: object) -> int:
    if isinstance(units, bool) or not isinstance(units, int):
        raise InvalidInput("units must be a whole number", field="units")
    return units


async def _terminated_on(session: AsyncSession, row: LicenceRow) -> date | None:
    """The UTC date a TERMINATED licence ended: the day its timeline records the termination
    (the transition also stamped `updated_at` with that moment, and nothing moves a
    terminated licence again, so that stands in if the timeline row were missing)."""
    if row.status != LicenceStatus.TERMINATED.value:
        return None
    at = await repo.terminated_at(session, row.id) or row.updated_at
    return at.astimezone(UTC).date()


async def report_usage(
    *,
    sessions: SessionMaker,
    caller: Caller,
    licence_id: UUID,
    period_start: date | None,
    period_end: date | None,
    units: object,
    gross_revenue: object,
    currency: str | None = None,
    corrects_report_id: UUID | None = None,
) -> UsageOutcome:
    """The licensee reports usage (or corrects a report); a statement is issued at once.
    An EXPIRED or TERMINATED licence still takes reports for the days it covered.

    The licence row is locked, so reports of one licence are serialised: the overlap check
    and the cumulative recoupment both see every earlier report.
    """
    now = utc_now()
    async with transaction(sessions) as session:
        row = await _visible_licence(session, caller, licence_id, for_update=True)
        licence = repo.to_licence(row)
        if caller.party_id != licence.licensee_id:
            raise NotTheLicensee(
                "only the licensee reports usage of a licence", field="licence_id"
            )
        if currency is not None and parse_currency(currency, field="currency") != row.currency:
            raise WrongCurrency(
                f"usage is reported in the licence currency {row.currency}", field="currency"
            )
        count = _parse_units(units)
        gross = parse_amount(gross_revenue, row.currency, field="gross_revenue",
                             allow_negative=True)
        earlier = [repo.to_usage(r) for r in await repo.reports_of(session, [licence_id])]
        if corrects_report_id is None:
            if period_start is None or period_end is None:
                field = "period_start" if period_start is None else "period_end"
                raise InvalidInput(f"{field} is required", field=field)
            period = check_report(
                status=licence.status,
                licence_period=licence.terms.period,
                period_start=period_start,
                period_end=period_end,
                units=count,
                gross=gross,
                earlier=earlier,
                terminated_on=await _terminated_on(session, row),
            )
        else:
            original = next((r for r in earlier if r.id == corrects_report_id), None)
            if original is None:
                raise UnknownReport(
                    f"licence {licence_id} has no report {corrects_report_id}",
                    field="corrects_report_id",
                )
            period = check_correction(
                status=licence.status,
                original=original,
                corrections=[r for r in earlier if r.corrects == original.id],
                period_start=period_start,
                period_end=period_end,
                units=count,
                gross=gross,
            )
        assert period.end is not None
        exponent = minor_units(row.currency)
        royalties_before, payable_before = await repo.stated_totals(session, licence_id)
        figures = statement_figures(
            gross=gross,
            rate=licence.terms.royalty_rate,
            advance=licence.terms.advance,
            exponent=exponent,
            royalties_before=royalties_before,
            payable_before=payable_before,
        )
        history = await repo.share_history(session, licence.work_id)
        if not history:  # pragma: no cover - a licensed work has known owners
            raise UnknownWork(f"no owners known for work {licence.work_id}", field="licence_id")
        lines = split_payable(figures.payable, shares_at(history, end_of_day(period.end)), exponent)
        quantum = Decimal(1).scaleb(-exponent)
        report = UsageReportRow(
            id=uuid.uuid4(),
            licence_id=licence_id,
            period_start=period.start,
            period_end=period.end,
            units=count,
            gross_revenue=gross,
            corrects_report_id=corrects_report_id,
            reported_by=caller.party_id,
            created_at=now,
        )
        statement = StatementRow(
            id=uuid.uuid4(),
            licence_id=licence_id,
            work_id=licence.work_id,
            report_id=report.id,
            period_start=period.start,
            period_end=period.end,
            gross=gross.quantize(quantum),
            royalty=figures.royalty,
            recouped=figures.recouped,
            payable=figures.payable,
            currency=row.currency,
            lines=[
                {"party_id": str(line.party_id), "share": str(line.share),
                 "amount": str(line.amount)}
                for line in lines
            ],
            issued_at=now,
        )
        session.add(report)
        await session.flush()  # the statement's foreign key needs the report row first
        session.add(statement)
        owners = (await repo.owners_of(session, [licence.work_id]))[licence.work_id]
        owner_ids = _owners_or_licensor(owners, licence)
        kind = "correction" if corrects_report_id else "usage"
        await _publish(
            session,
            events.UsageReported(
                occurred_at=now,
                report=events.UsageReport(
                    id=report.id,
                    licence_id=licence_id,
                    work_id=licence.work_id,
                    period_start=period.start,
                    period_end=period.end,
                    units=count,
                    gross_revenue=gross,
                    currency=row.currency,
                    created_at=now,
                    corrects_report_id=corrects_report_id,
                ),
                licensee_id=licence.licensee_id,
                work_owner_ids=owner_ids,
            ),
            licence_id=licence_id,
            summary=f"{kind} reported for {period}: {count} units, gross {gross} {row.currency}",
            now=now,
        )
        await _publish(
            session,
            events.RoyaltyStatementIssued(
                occurred_at=now,
                statement=statement_event(statement),
                licensee_id=licence.licensee_id,
            ),
            licence_id=licence_id,
            summary=f"statement for {period}: royalty {figures.royalty}, recouped "
            f"{figures.recouped}, payable {figures.payable} {row.currency}",
            now=now,
        )
    return UsageOutcome(report=report, statement=statement)


def statement_event(row: StatementRow) -> events.RoyaltyStatement:
    return events.RoyaltyStatement(
        id=row.id,
        licence_id=row.licence_id,
        work_id=row.work_id,
        report_id=row.report_id,
        period_start=row.period_start,
        period_end=row.period_end,
        gross=row.gross,
        royalty=row.royalty,
        recouped=row.recouped,
        payable=row.payable,
        currency=row.currency,
        lines=[
            events.StatementLine(
                party_id=UUID(line["party_id"]),
                share=Decimal(line["share"]),
                amount=Decimal(line["amount"]),
            )
            for line in row.lines
        ],
        issued_at=row.issued_at,
    )


# --- queries ---------------------------------------------------------------------------------


async def availability(
    *, sessions: SessionMaker, work_id: UUID, footprint: Footprint
) -> list[AvailabilityConflict]:
    """The ACTIVE licences that an offer with this footprint would conflict with."""
    async with sessions() as session:
        if await repo.get_work(session, work_id) is None:
            raise UnknownWork(f"no work {work_id} in the register", field="work_id")
        return _find_conflicts(footprint, await repo.active_holdings(session, work_id))


async def availability_of_works(
    *, sessions: SessionMaker, work_ids: Sequence[UUID], footprint: Footprint
) -> dict[UUID, list[AvailabilityConflict]]:
    """`availability` for many works at once; works the register does not know are left out
    (a batch read answers them as absent, where the single query answers 404)."""
    async with sessions() as session:
        known = await repo.known_works(session, work_ids)
        holdings = await repo.active_holdings_of(session, [w for w in work_ids if w in known])
    return {
        work_id: _find_conflicts(footprint, holdings.get(work_id, []))
        for work_id in work_ids
        if work_id in known
    }


async def visible_licences(
    session: AsyncSession, caller: Caller, ids: Sequence[UUID]
) -> list[LicenceRow]:
    rows = await repo.licences_by_ids(session, ids)
    if caller.sees_all:
        return rows
    who = access.Caller(party_id=caller.party_id)
    owners = await repo.owners_of(session, [r.work_id for r in rows])
    return [
        r
        for r in rows
        if access.may_see_licence(
            who,
            access.LicenceFacts(
                licensor_id=r.licensor_id,
                licensee_id=r.licensee_id,
                owner_ids=frozenset(owners[r.work_id]),
            ),
        )
    ]
