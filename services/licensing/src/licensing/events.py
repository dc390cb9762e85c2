"""Licensing's domain objects as contract events, and the timeline rows those events imply.

`side_rows` is the unit of work's hook: every licence, usage and statement event a command
emits is also one line of its licence's timeline (`LicenceEventRow`), written in the same
transaction and worded from the event alone, so the timeline and the topics never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import events
from licensing.domain.lifecycle import Licence
from licensing.domain.terms import Period, terms_fields
from licensing.models import LicenceEventRow, StatementPaymentRow, StatementRow, UsageReportRow


def licence_state(licence: Licence) -> events.LicenceState:
    # The consent statuses travel on their own types only (contracts' PublishedLicenceStatus).
    published = licence.status.value in events.PublishedLicenceStatus.__members__
    state = events.LicenceState if published else events.ConsentLicenceState
    return state(
        id=licence.id,
        work_id=licence.work_id,
        licensor_id=licence.licensor_id,
        licensee_id=licence.licensee_id,
        status=licence.status,
        status_reason=licence.status_reason,
        terms=events.LicenceTerms.model_validate(terms_fields(licence.terms)),
        deal=None if licence.deal is None else events.LicenceDeal(
            id=licence.deal.id, cross_collateralised=licence.deal.cross_collateralised
        ),
    )


def work_owner_ids(owners: set[UUID], licence: Licence) -> list[UUID]:
    # The event contract needs at least one owner; a work always has one once registered.
    return sorted(owners or {licence.licensor_id}, key=str)


def licence_event(
    event_type: type[events.LicenceEvent],
    licence: Licence,
    *,
    owners: set[UUID],
    actor: UUID | None,
    now: datetime,
    reason: str | None = None,
    **more: object,
) -> events.LicenceEvent:
    """`event_type` of the licence's new state; a `reason` only for the types that carry one,
    and `more` facts of its own type (the owners a consent waits for)."""
    facts: dict[str, object] = dict(more) if reason is None else {"reason": reason, **more}
    return event_type(
        occurred_at=now,
        licence=licence_state(licence),
        work_owner_ids=work_owner_ids(owners, licence),
        actor_id=actor,
        **facts,
    )


def usage_reported(
    report: UsageReportRow, licence: Licence, *, owners: set[UUID]
) -> events.UsageReported:
    return events.UsageReported(
        occurred_at=report.created_at,
        # The row names the report's own columns; the licence adds its work and currency.
        report=events.UsageReport.model_validate(
            {**report.model_dump(), "work_id": licence.work_id, "currency": licence.terms.currency}
        ),
        licensee_id=licence.licensee_id,
        work_owner_ids=work_owner_ids(owners, licence),
    )


def statement_issued(row: StatementRow, licence: Licence) -> events.RoyaltyStatementIssued:
    return events.RoyaltyStatementIssued(
        occurred_at=row.issued_at,
        statement=events.RoyaltyStatement.model_validate(
            {
                **row.model_dump(),
                "lines": list(row.lines),
                "held": any(line.get("held") for line in row.lines),
            }
        ),
        licensee_id=licence.licensee_id,
    )


# A statement line as events carry it (a held line's mark stays in licensing).
_LINE_FIELDS = ("party_id", "share", "amount")


def statement_paid(
    row: StatementRow,
    payment: StatementPaymentRow,
    *,
    licensee_id: UUID,
    paid_lines: Sequence[dict[str, str]],
) -> events.RoyaltyStatementPaid:
    return events.RoyaltyStatementPaid(
        occurred_at=payment.recorded_at,
        statement_id=row.id,
        licence_id=row.licence_id,
        work_id=row.work_id,
        kind=row.kind,
        paid_on=payment.paid_on,
        amount=payment.amount,
        currency=row.currency,
        lines=[
            events.StatementLine.model_validate({key: line[key] for key in _LINE_FIELDS})
            for line in paid_lines
        ],
        licensee_id=licensee_id,
    )


def advance_paid(
    row: StatementRow, licence: Licence, *, paid_on: date, reference: str
) -> events.AdvancePaid:
    """An ADVANCE statement (DOMAIN.md, "Advances and minimum guarantees")."""
    return events.AdvancePaid(
        occurred_at=row.issued_at,
        statement=events.AdvanceStatement.model_validate(
            {**row.model_dump(), "paid_on": paid_on, "reference": reference}
        ),
        licensee_id=licence.licensee_id,
    )


def guarantee_trued_up(
    row: StatementRow, licence: Licence, *, royalties: Decimal
) -> events.GuaranteeTruedUp:
    """A TRUE_UP statement, with the sums its shortfall was reckoned from."""
    return events.GuaranteeTruedUp(
        occurred_at=row.issued_at,
        statement=events.TrueUpStatement.model_validate(
            {
                **row.model_dump(), "minimum_guarantee": licence.terms.minimum_guarantee,
                "advance": licence.terms.advance, "royalties": royalties,
            }
        ),
        licensee_id=licence.licensee_id,
    )  # fmt: skip


# --- the timeline ----------------------------------------------------------------------------


def _licence_summary(event: events.LicenceEvent) -> str:
    licence = event.licence
    match event:
        case events.LicenceOffered():
            return f"offered to {licence.licensee_id} by {event.actor_id}"
        case events.LicenceActivated():
            return f"accepted by {event.actor_id}"
        case events.LicenceDeclined():
            return f"declined by {event.actor_id}" + (f": {event.reason}" if event.reason else "")
        case events.LicenceWithdrawn():
            return f"withdrawn by {event.actor_id}"
        case events.LicenceTerminated():
            return f"terminated by {event.actor_id}: {event.reason}"
        case events.LicenceExpired():
            return f"expired after {licence.terms.end}"
        case events.LicenceVersionEvent(version=v):
            return _version_summary(event, v)
        case events.LicenceAwaitingOwners():
            asked = ", ".join(map(str, event.owners_asked))
            return (
                f"offered to {licence.licensee_id} by {event.actor_id}; awaiting the consent "
                f"of {asked} until {event.consent_due.isoformat()}"
            )
        case events.LicenceRefusedByOwners():
            by = f"refused by {event.actor_id}" if event.actor_id else "not consented to"
            return f"{by}: {event.reason}"
    raise TypeError(f"no timeline wording for {type(event).__name__}")


def _version_summary(event: events.LicenceVersionEvent, v: events.LicenceVersion) -> str:
    what = f"{v.kind.lower()} (version {v.number}) from {v.effective_from}"
    match event:
        case events.LicenceAmendmentProposed():
            return (
                f"{what} proposed by {v.proposed_by}: territories {', '.join(v.territories)}; "
                f"media {', '.join(m.value for m in v.media)}; rate {v.royalty_rate}; "
                f"end {v.end or 'open'}"
            )
        case events.LicenceAmendmentDeclined():
            return f"{what} declined by {event.actor_id}"
    return f"{what} accepted by {event.actor_id}"


def version_event(
    event_type: type[events.LicenceVersionEvent],
    licence: Licence,
    version: events.LicenceVersion,
    *,
    owners: set[UUID],
    actor: UUID,
    now: datetime,
) -> events.LicenceVersionEvent:
    return event_type(
        occurred_at=now,
        licence=licence_state(licence),
        work_owner_ids=work_owner_ids(owners, licence),
        actor_id=actor,
        version=version,
    )


def _timeline_row(event: events.EventData) -> LicenceEventRow | None:
    """The timeline line an event implies, or None for events that are no licence's."""
    match event:
        case events.LicenceEvent():
            licence_id, summary = event.licence.id, _licence_summary(event)
        case events.UsageReported(report=report):
            kind = (
                "correction" if report.corrects_report_id
                else "usage lines" if report.usage_file else "usage"
            )
            period = Period(report.period_start, report.period_end)
            licence_id = report.licence_id
            summary = (
                f"{kind} reported for {period}: {report.units} units, "
                f"gross {report.gross_revenue} {report.currency}"
            )
        case events.RoyaltyStatementIssued(statement=statement):
            period = Period(statement.period_start, statement.period_end)
            licence_id = statement.licence_id
            summary = (
                f"statement for {period}: royalty {statement.royalty}, recouped "
                f"{statement.recouped}, payable {statement.payable} {statement.currency}"
                + (" (held in suspense: the work is disputed)" if statement.held else "")
            )
        case events.RoyaltyStatementReleased(statement=release):
            licence_id = release.licence_id
            summary = (
                f"released from suspense: payable {release.payable} {release.currency} of "
                f"{len(release.releases)} held statement(s)"
            )
        case events.RoyaltyStatementPaid():
            licence_id = event.licence_id
            summary = (
                f"statement {event.statement_id} paid on {event.paid_on}: "
                f"{event.amount} {event.currency}"
            )
        case events.AdvancePaid(statement=statement):
            licence_id = statement.licence_id
            summary = (
                f"advance paid on {statement.paid_on}: payable {statement.payable} "
                f"{statement.currency}"
            )
        case events.GuaranteeTruedUp(statement=statement):
            licence_id = statement.licence_id
            summary = (
                f"minimum guarantee {statement.minimum_guarantee} trued up: royalties "
                f"{statement.royalties}, advance {statement.advance}, payable "
                f"{statement.payable} {statement.currency}"
            )
        case events.LicenceOwnerConsented():
            licence_id = event.licence_id
            summary = f"consented to by {event.owner_id}" + (
                f"; awaiting {', '.join(map(str, event.remaining))}" if event.remaining else ""
            )
        case _:
            return None
    return LicenceEventRow(
        licence_id=licence_id, at=event.occurred_at, type=event.ce_type, summary=summary
    )


async def side_rows(session: AsyncSession, emitted: Sequence[events.EventData]) -> None:
    """The unit of work's hook: one timeline line per licence, usage or statement event."""
    session.add_all(row for row in map(_timeline_row, emitted) if row is not None)
