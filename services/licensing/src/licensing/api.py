"""The licensing HTTP API the gateway calls (docs/service-apis.md, "licensing").

Every route verifies the forwarded bearer token itself; licences, reports and statements
the caller may not see are answered as 404 (single) or left out (batches), never 403.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from contracts.enums import LicenceStatus
from contracts.errors import InvalidInput, NotAllowed
from contracts.territories import expand_territories
from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, ConfigDict
from runtime.auth import CurrentPrincipal
from runtime.cursors import decode_cursor, encode_cursor
from runtime.db import SessionMaker
from runtime.id_lists import parse_ids
from runtime.openapi import error_responses
from sqlalchemy import select
from sqlmodel import col

from contracts import access
from licensing import repository as repo
from licensing import service
from licensing.domain.availability import AvailabilityConflict, Footprint
from licensing.domain.errors import UnknownLicence
from licensing.domain.terms import parse_media, parse_period, parse_terms
from licensing.models import LicenceEventRow, LicenceRow, StatementRow, UsageReportRow
from licensing.service import Caller, ReadModelWaiter
from licensing.settings import LicensingSettings

# Every route answers 403 to a token whose subject is not a party id (`_caller`).
router = APIRouter(responses=error_responses(403))
# A command on one licence: unknown or invisible (404), or its state forbids it (409).
ON_A_LICENCE = error_responses(404, 409)


@dataclass(frozen=True)
class Licensing:
    """What the routes need, set on `app.state.licensing` by the wiring."""

    sessions: SessionMaker
    waiter: ReadModelWaiter
    settings: LicensingSettings


def _licensing(request: Request) -> Licensing:
    found: Licensing = request.app.state.licensing
    return found


Deps = Annotated[Licensing, Depends(_licensing)]


def _caller(principal: CurrentPrincipal) -> Caller:
    try:
        party_id = UUID(principal.party_id)
    except ValueError:
        raise NotAllowed("the token's subject is not a party", field="Authorization") from None
    sees_all = access.sees_every_licence(access.Caller.of(party_id, principal.roles))
    return Caller(party_id=party_id, sees_all=sees_all)


CallerDep = Annotated[Caller, Depends(_caller)]


# --- JSON shapes -----------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return format(value, "f")


def licence_json(row: LicenceRow) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "work_id": str(row.work_id),
        "licensor_id": str(row.licensor_id),
        "licensee_id": str(row.licensee_id),
        "status": row.status,
        "status_reason": row.status_reason,
        "terms": {
            "territories": list(row.territories),
            "media": list(row.media),
            "exclusive": row.exclusive,
            "start": row.start.isoformat(),
            "end": row.end.isoformat() if row.end else None,
            "royalty_rate": _money(row.royalty_rate),
            "advance": _money(row.advance),
            "currency": row.currency,
        },
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def report_json(row: UsageReportRow) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "licence_id": str(row.licence_id),
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "units": row.units,
        "gross_revenue": _money(row.gross_revenue),
        "corrects_report_id": str(row.corrects_report_id) if row.corrects_report_id else None,
        "created_at": row.created_at.isoformat(),
    }


def statement_json(row: StatementRow) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "licence_id": str(row.licence_id),
        "work_id": str(row.work_id),
        "report_id": str(row.report_id),
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "gross": _money(row.gross),
        "royalty": _money(row.royalty),
        "recouped": _money(row.recouped),
        "payable": _money(row.payable),
        "currency": row.currency,
        "lines": list(row.lines),
        "issued_at": row.issued_at.isoformat(),
    }


def conflict_json(conflict: AvailabilityConflict, *, shown: bool = True) -> dict[str, Any]:
    return {
        # A licence the caller may not see still makes the work unavailable, but its id is
        # withheld (DOMAIN.md, Access): the conflict's footprint is all the caller learns.
        "licence_id": str(conflict.licence_id) if shown else None,
        "territories": list(conflict.territories),
        "media": [m.value for m in conflict.media],
        "start": conflict.period.start.isoformat(),
        "end": conflict.period.end.isoformat() if conflict.period.end else None,
        "exclusive": conflict.exclusive,
    }


def _codes(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


# --- commands --------------------------------------------------------------------------------


class OfferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    work_id: UUID
    licensee_id: UUID
    territories: list[str]
    media: list[str]
    exclusive: bool
    start: date
    end: date | None = None
    # Money stays raw here so the contract's parsers refuse floats and name the field.
    royalty_rate: Any
    advance: Any = None
    currency: str


class ReasonBody(BaseModel):
    reason: str | None = None


class UsageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period_start: date | None = None
    period_end: date | None = None
    units: Any
    gross_revenue: Any
    currency: str | None = None
    corrects_report_id: UUID | None = None


@router.post("/licences", status_code=status.HTTP_201_CREATED, responses=ON_A_LICENCE)
async def offer_licence(body: OfferBody, caller: CallerDep, deps: Deps) -> dict[str, Any]:
    terms = parse_terms(
        territories=body.territories,
        media=body.media,
        exclusive=body.exclusive,
        start=body.start,
        end=body.end,
        royalty_rate=body.royalty_rate,
        advance=body.advance,
        currency=body.currency,
    )
    row = await service.offer_licence(
        sessions=deps.sessions,
        waiter=deps.waiter,
        wait_seconds=deps.settings.read_model_wait_seconds,
        caller=caller,
        work_id=body.work_id,
        licensee_id=body.licensee_id,
        terms=terms,
    )
    return licence_json(row)


@router.post("/licences/{licence_id}/accept", responses=ON_A_LICENCE)
async def accept_licence(licence_id: UUID, caller: CallerDep, deps: Deps) -> dict[str, Any]:
    row = await service.accept_licence(sessions=deps.sessions, caller=caller, licence_id=licence_id)
    return licence_json(row)


@router.post("/licences/{licence_id}/decline", responses=ON_A_LICENCE)
async def decline_licence(
    licence_id: UUID, caller: CallerDep, deps: Deps, body: ReasonBody | None = None
) -> dict[str, Any]:
    row = await service.decline_licence(
        sessions=deps.sessions,
        caller=caller,
        licence_id=licence_id,
        reason=body.reason if body else None,
    )
    return licence_json(row)


@router.post("/licences/{licence_id}/withdraw", responses=ON_A_LICENCE)
async def withdraw_licence(licence_id: UUID, caller: CallerDep, deps: Deps) -> dict[str, Any]:
    row = await service.withdraw_licence(
        sessions=deps.sessions, caller=caller, licence_id=licence_id
    )
    return licence_json(row)


@router.post("/licences/{licence_id}/terminate", responses=ON_A_LICENCE)
async def terminate_licence(
    licence_id: UUID, caller: CallerDep, deps: Deps, body: ReasonBody | None = None
) -> dict[str, Any]:
    row = await service.terminate_licence(
        sessions=deps.sessions,
        caller=caller,
        licence_id=licence_id,
        reason=body.reason if body else None,
    )
    return licence_json(row)


@router.post(
    "/licences/{licence_id}/usage-reports",
    status_code=status.HTTP_201_CREATED,
    responses=ON_A_LICENCE,
)
async def report_usage(
    licence_id: UUID, body: UsageBody, caller: CallerDep, deps: Deps
) -> dict[str, Any]:
    outcome = await service.report_usage(
        sessions=deps.sessions,
        caller=caller,
        licence_id=licence_id,
        period_start=body.period_start,
        period_end=body.period_end,
        units=body.units,
        gross_revenue=body.gross_revenue,
        currency=body.currency,
        corrects_report_id=body.corrects_report_id,
    )
    return {"report": report_json(outcome.report), "statement": statement_json(outcome.statement)}


# --- queries ---------------------------------------------------------------------------------


def _status(raw: str | None) -> LicenceStatus | None:
    if raw is None:
        return None
    try:
        return LicenceStatus(raw)
    except ValueError:
        raise InvalidInput(f"unknown licence status {raw!r}", field="status") from None


@router.get("/licences/search")
async def search_licences(
    caller: CallerDep,
    deps: Deps,
    work_id: UUID | None = None,
    status: str | None = None,
    as_licensee: bool = False,
    first: Annotated[int, Query(ge=1, le=100)] = 20,
    after: str | None = None,
) -> dict[str, Any]:
    async with deps.sessions() as session:
        rows, total = await repo.search_licences(
            session,
            viewer=None if caller.sees_all else caller.party_id,
            work_ids=[work_id] if work_id else None,
            status=_status(status),
            licensee=caller.party_id if as_licensee else None,
            after=decode_cursor(after, (datetime, UUID)) if after is not None else None,
            limit=first + 1,
        )
    page = rows[:first]
    more = len(rows) > first
    return {
        "items": [licence_json(r) for r in page],
        "next_cursor": encode_cursor(page[-1].created_at, page[-1].id) if more else None,
        "total_count": total,
    }


@router.get("/licences/by-work")
async def licences_by_work(
    caller: CallerDep, deps: Deps, work_ids: str, status: str | None = None
) -> dict[str, Any]:
    ids = parse_ids(work_ids, field="work_ids")
    async with deps.sessions() as session:
        rows, _ = await repo.search_licences(
            session,
            viewer=None if caller.sees_all else caller.party_id,
            work_ids=ids,
            status=_status(status),
        )
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[str(row.work_id)].append(licence_json(row))
    return {"items": dict(grouped)}


@router.get("/licences/{licence_id}", responses=error_responses(404))
async def get_licence(licence_id: UUID, caller: CallerDep, deps: Deps) -> dict[str, Any]:
    async with deps.sessions() as session:
        found = await service.visible_licences(session, caller, [licence_id])
    if not found:
        raise UnknownLicence(f"no licence {licence_id}", field="licence_id")
    return licence_json(found[0])


@router.get("/licences")
async def get_licences(ids: str, caller: CallerDep, deps: Deps) -> dict[str, Any]:
    async with deps.sessions() as session:
        rows = await service.visible_licences(session, caller, parse_ids(ids, field="ids"))
    return {"items": [licence_json(r) for r in rows]}


def _footprint(
    territories: str, media: str, start: date, end: date | None, exclusive: bool
) -> Footprint:
    return Footprint(
        territories=frozenset(expand_territories(_codes(territories), field="territories")),
        media=frozenset(parse_media(_codes(media))),
        exclusive=exclusive,
        period=parse_period(start, end),
    )


def availability_json(
    conflicts: list[AvailabilityConflict], visible: set[UUID] | None = None
) -> dict[str, Any]:
    return {
        "available": not conflicts,
        "conflicts": [
            conflict_json(c, shown=visible is None or c.licence_id in visible) for c in conflicts
        ],
    }


async def _visible_conflict_licences(
    deps: Licensing, caller: Caller, conflicts: list[AvailabilityConflict]
) -> set[UUID]:
    ids = list({c.licence_id for c in conflicts})
    if not ids:
        return set()
    async with deps.sessions() as session:
        return {row.id for row in await service.visible_licences(session, caller, ids)}


@router.get("/works/{work_id}/availability", responses=error_responses(404))
async def availability(
    work_id: UUID,
    caller: CallerDep,
    deps: Deps,
    territories: str,
    media: str,
    start: date,
    end: date | None = None,
    exclusive: bool = False,
) -> dict[str, Any]:
    conflicts = await service.availability(
        sessions=deps.sessions,
        work_id=work_id,
        footprint=_footprint(territories, media, start, end, exclusive),
    )
    return availability_json(conflicts, await _visible_conflict_licences(deps, caller, conflicts))


@router.get("/availability")
async def availability_of_works(
    work_ids: str,
    caller: CallerDep,
    deps: Deps,
    territories: str,
    media: str,
    start: date,
    end: date | None = None,
    exclusive: bool = False,
) -> dict[str, Any]:
    """The single-work answer for each work, grouped by work id; unknown works are absent."""
    footprint = _footprint(territories, media, start, end, exclusive)
    conflicts = await service.availability_of_works(
        sessions=deps.sessions, work_ids=parse_ids(work_ids, field="work_ids"), footprint=footprint
    )
    visible = await _visible_conflict_licences(
        deps, caller, [c for found in conflicts.values() for c in found]
    )
    return {"items": {str(w): availability_json(c, visible) for w, c in conflicts.items()}}


async def _visible_licence_ids(deps: Licensing, caller: Caller, raw: str) -> list[UUID]:
    async with deps.sessions() as session:
        rows = await service.visible_licences(session, caller, parse_ids(raw, field="licence_ids"))
    return [r.id for r in rows]


@router.get("/usage-reports")
async def usage_reports(licence_ids: str, caller: CallerDep, deps: Deps) -> dict[str, Any]:
    ids = await _visible_licence_ids(deps, caller, licence_ids)
    async with deps.sessions() as session:
        rows = await repo.reports_of(session, ids)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[str(row.licence_id)].append(report_json(row))
    return {"items": dict(grouped)}


@router.get("/statements")
async def statements(licence_ids: str, caller: CallerDep, deps: Deps) -> dict[str, Any]:
    ids = await _visible_licence_ids(deps, caller, licence_ids)
    async with deps.sessions() as session:
        rows = await repo.statements_of(session, ids)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[str(row.licence_id)].append(statement_json(row))
    return {"items": dict(grouped)}


@router.get("/licence-events")
async def licence_events(licence_ids: str, caller: CallerDep, deps: Deps) -> dict[str, Any]:
    ids = await _visible_licence_ids(deps, caller, licence_ids)
    if not ids:
        return {"items": {}}
    async with deps.sessions() as session:
        rows = (
            await session.execute(
                select(LicenceEventRow)
                .where(col(LicenceEventRow.licence_id).in_(ids))
                .order_by(col(LicenceEventRow.at), col(LicenceEventRow.id))
            )
        ).scalars()
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            grouped[str(row.licence_id)].append(
                {
                    "licence_id": str(row.licence_id),
                    "at": row.at.isoformat(),
                    "type": row.type,
                    "summary": row.summary,
                }
            )
    return {"items": dict(grouped)}
