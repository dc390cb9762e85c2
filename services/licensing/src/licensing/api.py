"""The licensing HTTP API the gateway calls (docs/service-apis.md, "licensing").

Every route verifies the forwarded bearer token itself; licences, reports and statements
the caller may not see are answered as 404 (single) or left out (batches), never 403.
A route parses its input once (`commands`), then calls one `service` command or `views` query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from uuid import UUID

from contracts.errors import NotAllowed
from fastapi import APIRouter, Depends, Query, Request, Response, status
from runtime.auth import CurrentPrincipal
from runtime.http import handle_dependency
from runtime.id_lists import parse_ids
from runtime.idempotency import IdempotencyKey, KeyedRequest
from runtime.openapi import error_responses
from runtime.uow import UnitOfWorkFactory
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import access
from licensing import ledger, line_usage, owner_consent, service, suspense, views
from licensing.commands import (
    ClaimUsageLine,
    GiveReason,
    GrantMandate,
    OfferLicence,
    RecordAdvancePayment,
    ReportUsage,
    ReportUsageLines,
    parse_file_key,
    parse_footprint,
    parse_status,
)
from licensing.domain.access import Caller
from licensing.domain.availability import AvailabilityConflict, Footprint
from licensing.domain.ledger import payment_status
from licensing.domain.matching import Thresholds
from licensing.history_commands import AsOf, parse_as_of
from licensing.models import (
    AdvancePaymentRow,
    LicenceEventRow,
    LicenceRow,
    MandateRow,
    OwnerConsentRow,
    StatementPaymentRow,
    StatementRow,
    UsageLineRow,
    UsageReportRow,
)
from licensing.service import Licensing
from licensing.usage_files import UsageFormat, as_text, read_lines, spool

Row = TypeVar("Row")

# Every route answers 403 to a token whose subject is not a party id (`_caller`).
router = APIRouter(responses=error_responses(403))
# A command on one licence: unknown or invisible (404), or its state forbids it, or its
# idempotency key was used for another request (409).
ON_A_LICENCE = error_responses(404, 409)


Service = Annotated[Licensing, Depends(handle_dependency(Licensing))]


async def _read_session(licensing: Service) -> AsyncIterator[AsyncSession]:
    async with licensing.sessions() as session:
        yield session


Session = Annotated[AsyncSession, Depends(_read_session)]


def _caller(principal: CurrentPrincipal) -> Caller:
    try:
        party_id = UUID(principal.party_id)
    except ValueError:
        raise NotAllowed("the token's subject is not a party", field="Authorization") from None
    sees_all = access.sees_every_licence(access.Caller.of(party_id, principal.roles))
    return Caller(party_id=party_id, sees_all=sees_all)


CallerDep = Annotated[Caller, Depends(_caller)]
# An availability query's footprint, from its query parameters.
FootprintDep = Annotated[Footprint, Depends(parse_footprint)]
# Its `as_of` date and `known_at` instant (DOMAIN.md, "Licence history").
AsOfDep = Annotated[AsOf, Depends(parse_as_of)]


# --- JSON shapes -------------------------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plain(value: object) -> object:
    """One column as JSON: ids and times as text, amounts as plain decimals (never `1E+2`)."""
    match value:
        case UUID():
            return str(value)
        case date():  # a datetime is a date too
            return value.isoformat()
        case Decimal():
            return format(value, "f")
        case tuple() | list():
            return list(value)
    return value


def _columns(row: object, *names: str) -> dict[str, Any]:
    """The named columns of a row as JSON, in the order named (the order clients see)."""
    return {name: _plain(getattr(row, name)) for name in names}


def licence_json(row: LicenceRow) -> dict[str, Any]:
    return {
        **_columns(row, "id", "work_id", "licensor_id", "licensee_id", "status", "status_reason"),
        "terms": _columns(
            row, "territories", "media", "exclusive", "start", "end", "royalty_rate", "advance",
            "currency", "minimum_guarantee",
        ),
        "deal": None if row.deal_id is None else _columns(row, "cross_collateralised")
        | {"id": str(row.deal_id)},
        **_columns(row, "created_at", "updated_at"),
    }


def report_json(row: UsageReportRow) -> dict[str, Any]:
    return _columns(
        row, "id", "licence_id", "period_start", "period_end", "units", "gross_revenue",
        "corrects_report_id", "usage_file", "created_at",
    )


def statement_json(
    row: StatementRow,
    links: tuple[UUID | None, list[UUID]] = (None, []),
    payment: StatementPaymentRow | None = None,
    advance: AdvancePaymentRow | None = None,
) -> dict[str, Any]:
    """A statement; `links` (`suspense.releases_of`): the release that released it, if held
    and released, and the held statements it releases, if a release; `payment`: its payment,
    if recorded; `advance`: an ADVANCE statement's payment as the licensee gave it."""
    released_by, releases = links
    return {
        **_columns(
            row, "id", "licence_id", "work_id", "kind", "report_id", "period_start",
            "period_end", "gross", "royalty", "recouped", "payable", "currency", "lines",
            "usage_lines", "issued_at",
        ),
        # DOMAIN.md, "Suspense while a work is disputed": held lines say so; absent is false.
        "held": any(line.get("held") for line in row.lines),
        "released_by": _plain(released_by),
        "releases": [str(s) for s in releases],
        "payment": payment_json(row, payment),
        "advance_payment": None if advance is None else _columns(advance, "paid_on", "reference"),
    }


def payment_json(row: StatementRow, payment: StatementPaymentRow | None) -> dict[str, Any]:
    """A statement's payment status, and its payment when recorded (DOMAIN.md, "The payee
    ledger, payments and conversion")."""
    return {
        "status": payment_status(row.payable, payment is not None).value,
        **{
            name: None if payment is None else _plain(getattr(payment, name))
            for name in ("paid_on", "reference", "amount")
        },
    }


def timeline_json(row: LicenceEventRow) -> dict[str, Any]:
    return _columns(row, "licence_id", "at", "type", "summary")


def conflict_json(conflict: AvailabilityConflict, *, shown: bool = True) -> dict[str, Any]:
    return {
        # A licence the caller may not see still makes the work unavailable, but its id is
        # withheld (DOMAIN.md, Access): the conflict's footprint is all the caller learns.
        "licence_id": str(conflict.licence_id) if shown else None,
        "territories": list(conflict.territories),
        "media": [m.value for m in conflict.media],
        "start": conflict.period.start.isoformat(),
        "end": _day(conflict.period.end),
        "exclusive": conflict.exclusive,
    }


def availability_json(found: views.Availability) -> dict[str, Any]:
    return {
        "available": not found.conflicts,
        "conflicts": [
            conflict_json(c, shown=c.licence_id in found.shown) for c in found.conflicts
        ],
    }


def _items_by_id(
    grouped: dict[UUID, list[Row]], shape: Callable[[Row], dict[str, object]]
) -> dict[str, Any]:
    return {"items": {str(key): [shape(row) for row in rows] for key, rows in grouped.items()}}


# --- commands ----------------------------------------------------------------------------------


# A keyed command answers a JSONResponse (a stored answer is replayed as it was stored); its
# documented shape stays the JSON object the other routes answer.
JSON_OBJECT: dict[str, Any] = {"response_model": dict[str, Any], "responses": ON_A_LICENCE}


@router.post("/licences", status_code=status.HTTP_201_CREATED, **JSON_OBJECT)
async def offer_licence(
    command: OfferLicence, caller: CallerDep, licensing: Service, key: IdempotencyKey
) -> Response:
    # Outside the keyed command's transaction: waiting holds no connection and no key.
    await service.wait_for_register(
        uow=licensing.uow,
        register=licensing.register,
        wait_seconds=licensing.settings.read_model_wait_seconds,
        command=command,
    )

    async def offer(uow: UnitOfWorkFactory) -> LicenceRow:
        return await service.offer_licence(
            uow=uow,
            register=licensing.register,
            wait_seconds=licensing.settings.read_model_wait_seconds,
            caller=caller,
            command=command,
            consent_days=licensing.settings.owner_consent_days,
        )

    answer = await licensing.keyed.run_once(key, offer, answer=licence_json, status=201)
    return answer.response()


def _no_key() -> None:
    return None


# The idempotency-key parameter of a move that takes no key: absent from its API.
NoKey = Annotated[None, Depends(_no_key)]


def _serve_move(
    action: str, move: Callable[..., Awaitable[LicenceRow]], *, reason: bool, keyed: bool
) -> None:
    """Serves `POST /licences/{licence_id}/<action>`: a move the caller makes on a licence
    they can see (`service.<action>_licence`), answered by the licence; with `reason`, an
    optional body gives the reason the move records; with `keyed`, it takes an
    `Idempotency-Key` (DOMAIN.md, "Retried commands")."""

    async def answered(
        licensing: Licensing, key: KeyedRequest | None, **given: object
    ) -> Response:
        async def run(uow: UnitOfWorkFactory) -> LicenceRow:
            return await move(uow=uow, **given)

        answer = await licensing.keyed.run_once(key, run, answer=licence_json, status=200)
        return answer.response()

    async def with_reason(
        licence_id: UUID,
        caller: CallerDep,
        licensing: Service,
        key: KeyedRequest | None,
        command: GiveReason | None = None,
    ) -> Response:
        reason = command or GiveReason()
        return await answered(
            licensing, key, caller=caller, licence_id=licence_id, command=reason
        )

    async def without(
        licence_id: UUID, caller: CallerDep, licensing: Service, key: KeyedRequest | None
    ) -> Response:
        return await answered(licensing, key, caller=caller, licence_id=licence_id)

    route = with_reason if reason else without
    route.__annotations__["key"] = IdempotencyKey if keyed else NoKey
    router.add_api_route(
        f"/licences/{{licence_id}}/{action}",
        route,
        methods=["POST"],
        name=f"{action}_licence",
        **JSON_OBJECT,
    )


_serve_move("accept", service.accept_licence, reason=False, keyed=True)
_serve_move("decline", service.decline_licence, reason=True, keyed=False)
_serve_move("withdraw", service.withdraw_licence, reason=False, keyed=False)
_serve_move("terminate", service.terminate_licence, reason=True, keyed=True)
# Co-owners' consent (DOMAIN.md): an answer is refused once given, so a retry needs no key.
_serve_move("consent", owner_consent.consent_to_licence, reason=False, keyed=False)
_serve_move("refuse", owner_consent.refuse_licence, reason=True, keyed=False)


def _usage_json(outcome: service.UsageOutcome) -> dict[str, Any]:
    return {"report": report_json(outcome.report), "statement": statement_json(outcome.statement)}


@router.post(
    "/licences/{licence_id}/usage-reports", status_code=status.HTTP_201_CREATED, **JSON_OBJECT
)
async def report_usage(
    licence_id: UUID,
    command: ReportUsage,
    caller: CallerDep,
    licensing: Service,
    key: IdempotencyKey,
) -> Response:
    async def report(uow: UnitOfWorkFactory) -> service.UsageOutcome:
        return await service.report_usage(
            uow=uow, caller=caller, licence_id=licence_id, command=command
        )

    answer = await licensing.keyed.run_once(key, report, answer=_usage_json, status=201)
    return answer.response()


@router.post(
    "/licences/{licence_id}/advance-payment", status_code=status.HTTP_201_CREATED, **JSON_OBJECT
)
async def record_advance_payment(
    licence_id: UUID,
    command: RecordAdvancePayment,
    caller: CallerDep,
    licensing: Service,
    key: IdempotencyKey,
) -> Response:
    """The licensee records the advance as paid: answered by its ADVANCE statement."""

    async def record(
        uow: UnitOfWorkFactory,
    ) -> tuple[StatementRow, AdvancePaymentRow, StatementPaymentRow]:
        return await service.record_advance_payment(
            uow=uow, caller=caller, licence_id=licence_id, command=command
        )

    # The answer is the statement as it now stands: paid as it is issued.
    answer = await licensing.keyed.run_once(
        key,
        record,
        answer=lambda paid: statement_json(paid[0], payment=paid[2], advance=paid[1]),
        status=201,
    )
    return answer.response()


# --- queries -----------------------------------------------------------------------------------


@router.get("/licences/search")
async def search_licences(
    caller: CallerDep,
    session: Session,
    work_id: UUID | None = None,
    status: str | None = None,
    as_licensee: bool = False,
    first: Annotated[int, Query(ge=1, le=100)] = 20,
    after: str | None = None,
) -> dict[str, Any]:
    page = await views.search_licences(
        session,
        caller,
        work_id=work_id,
        status=parse_status(status),
        as_licensee=as_licensee,
        first=first,
        after=after,
    )
    return {
        "items": [licence_json(r) for r in page.items],
        "next_cursor": page.next_cursor,
        "total_count": page.total_count,
    }


@router.get("/licences/by-work")
async def licences_by_work(
    caller: CallerDep, session: Session, work_ids: str, status: str | None = None
) -> dict[str, Any]:
    grouped = await views.licences_by_work(
        session, caller, work_ids=parse_ids(work_ids, field="work_ids"), status=parse_status(status)
    )
    return _items_by_id(grouped, licence_json)


@router.get("/licences/{licence_id}", responses=error_responses(404))
async def get_licence(licence_id: UUID, caller: CallerDep, session: Session) -> dict[str, Any]:
    return licence_json(await views.licence(session, caller, licence_id))


@router.get("/licences")
async def get_licences(ids: str, caller: CallerDep, session: Session) -> dict[str, Any]:
    rows = await views.visible_licences(session, caller, parse_ids(ids, field="ids"))
    return {"items": [licence_json(r) for r in rows]}


@router.get("/works/{work_id}/availability", responses=error_responses(404))
async def availability(
    work_id: UUID,
    caller: CallerDep,
    session: Session,
    footprint: FootprintDep,
    as_of: AsOfDep,
) -> dict[str, Any]:
    found = await views.availability(
        session, caller, work_id=work_id, footprint=footprint, as_of=as_of
    )
    return availability_json(found)


@router.get("/availability")
async def availability_of_works(
    work_ids: str,
    caller: CallerDep,
    session: Session,
    footprint: FootprintDep,
    as_of: AsOfDep,
) -> dict[str, Any]:
    """The single-work answer for each work, grouped by work id; unknown works are absent."""
    found = await views.availability_of_works(
        session, caller, work_ids=parse_ids(work_ids, field="work_ids"), footprint=footprint,
        as_of=as_of,
    )  # fmt: skip
    return {"items": {str(w): availability_json(a) for w, a in found.items()}}


@router.get("/usage-reports")
async def usage_reports(licence_ids: str, caller: CallerDep, session: Session) -> dict[str, Any]:
    ids = parse_ids(licence_ids, field="licence_ids")
    return _items_by_id(await views.usage_reports(session, caller, ids), report_json)


@router.get("/statements")
async def statements(licence_ids: str, caller: CallerDep, session: Session) -> dict[str, Any]:
    ids = parse_ids(licence_ids, field="licence_ids")
    grouped = await views.statements(session, caller, ids)
    ids = [s.id for rows in grouped.values() for s in rows]
    links = await suspense.releases_of(session, ids)
    paid = await ledger.payments_of(session, ids)
    advances = await views.advance_payments(
        session, [row.id for rows in grouped.values() for row in rows if row.kind == "ADVANCE"]
    )
    return _items_by_id(
        grouped,
        lambda row: statement_json(row, links[row.id], paid.get(row.id), advances.get(row.id)),
    )


@router.get("/suspense")
async def in_suspense(work_ids: str, caller: CallerDep, session: Session) -> dict[str, Any]:
    """Per known work: whether statements issued now are held (the register shows it
    disputed) and the amounts held in suspense per currency, over the licences the caller
    may see."""
    found = await views.in_suspense(session, caller, parse_ids(work_ids, field="work_ids"))
    return {
        "items": [
            {
                "id": str(work_id),
                "holding": held.holding,
                "amounts": [
                    {"currency": currency, "amount": format(amount, "f")}
                    for currency, amount in held.amounts.items()
                ],
            }
            for work_id, held in found.items()
        ]
    }


@router.get("/licence-events")
async def licence_events(licence_ids: str, caller: CallerDep, session: Session) -> dict[str, Any]:
    ids = parse_ids(licence_ids, field="licence_ids")
    return _items_by_id(await views.licence_events(session, caller, ids), timeline_json)


# --- usage lines (DOMAIN.md, "Usage lines and matching") ---------------------------------------


def _matching(licensing: Licensing) -> line_usage.Matching:
    settings = licensing.settings
    return line_usage.Matching(
        thresholds=Thresholds(auto=settings.match_auto, review=settings.match_review),
        trigram=settings.match_trigram,
        chunk_lines=settings.usage_chunk_lines,
    )


def file_outcome_json(outcome: line_usage.FileOutcome) -> dict[str, Any]:
    return {
        "usage_file": outcome.usage_file,
        "received": outcome.received,
        "duplicates": outcome.duplicates,
        "refused": len(outcome.errors),
        "errors": [
            {"line": e.number, "field": e.field, "reason": e.reason} for e in outcome.errors
        ],
        "methods": dict(sorted(outcome.methods.items())),
        "statuses": dict(sorted(outcome.statuses.items())),
        "statement_report_ids": [str(i) for i in outcome.statements],
    }


def usage_line_json(row: UsageLineRow, *, shows_revenue: bool = True) -> dict[str, Any]:
    shown = _columns(
        row, "id", "line_key", "line_no", "isrc", "iswc", "title", "writers", "performers",
        "units", "revenue", "currency", "territory", "period_start", "period_end", "medium",
        "status", "work_id", "method", "confidence", "licence_id", "royalty", "report_id",
        "received_at", "matched_at", "claimed_by", "recording_id",
    )  # fmt: skip
    shown["usage_file"] = row.file_key
    if not shows_revenue:
        shown["revenue"] = None
    return shown


@router.post("/usage-files", status_code=status.HTTP_201_CREATED, responses=error_responses(400))
async def upload_usage_file(
    request: Request,
    caller: CallerDep,
    licensing: Service,
    format: UsageFormat = UsageFormat.CSV,
    file_key: str | None = None,
) -> dict[str, Any]:
    """The request body is the file itself, streamed to a temporary file, then read a chunk
    of lines per transaction; `file_key` (default: the file's SHA-256) keys its lines."""
    key = parse_file_key(file_key)
    spooled, digest = await spool(request.stream(), licensing.settings.usage_max_bytes)
    with spooled:
        outcome = await line_usage.receive_lines(
            uow=licensing.uow, matching=_matching(licensing), licensee=caller.party_id,
            usage_file=key or digest, reads=read_lines(as_text(spooled), format),
        )  # fmt: skip
    return file_outcome_json(outcome)


@router.post("/usage-lines", status_code=status.HTTP_201_CREATED, responses=error_responses(400))
async def report_usage_lines(
    command: ReportUsageLines, caller: CallerDep, licensing: Service
) -> dict[str, Any]:
    outcome = await line_usage.receive_lines(
        uow=licensing.uow, matching=_matching(licensing), licensee=caller.party_id,
        usage_file=command.usage_file, reads=line_usage.reads_of(command.cells()),
    )  # fmt: skip
    return file_outcome_json(outcome)


@router.get("/usage-lines/queue")
async def usage_line_queue(
    caller: CallerDep,
    session: Session,
    first: Annotated[int, Query(ge=1, le=100)] = 20,
    after: str | None = None,
    own: bool = False,
) -> dict[str, Any]:
    page = await views.queued_lines(session, caller, first=first, after=after, own=own)
    return {
        "items": [usage_line_json(r, shows_revenue=page.shows_revenue) for r in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/usage-lines/{line_id}", responses=error_responses(404))
async def get_usage_line(line_id: UUID, caller: CallerDep, session: Session) -> dict[str, Any]:
    row = await views.usage_line(session, caller, line_id)
    return usage_line_json(row, shows_revenue=caller.sees_all or row.licensee_id == caller.party_id)


@router.post("/usage-lines/{line_id}/claim", responses=error_responses(404, 409))
async def claim_usage_line(
    line_id: UUID, command: ClaimUsageLine, caller: CallerDep, licensing: Service
) -> dict[str, Any]:
    row = await line_usage.claim_usage_line(
        uow=licensing.uow, caller=caller, line_id=line_id, work_id=command.work_id
    )
    return usage_line_json(row, shows_revenue=caller.sees_all)


# --- co-owners' consent and mandates (DOMAIN.md) -----------------------------------------------


def owner_consent_json(row: OwnerConsentRow) -> dict[str, Any]:
    return _columns(
        row, "licence_id", "party_id", "share", "status", "reason", "mandate_id", "due_at",
        "decided_at",
    )


def mandate_json(row: MandateRow) -> dict[str, Any]:
    return _columns(
        row, "id", "grantor_id", "agent_id", "work_id", "media", "valid_from", "valid_until",
        "granted_at", "revoked_at",
    )


@router.get("/owner-consents")
async def owner_consents(
    licence_ids: str, caller: CallerDep, session: Session
) -> dict[str, Any]:
    grouped = await views.owner_consents(
        session, caller, parse_ids(licence_ids, field="licence_ids")
    )
    return _items_by_id(grouped, owner_consent_json)


@router.post(
    "/mandates", status_code=status.HTTP_201_CREATED, response_model=dict[str, Any],
    responses=error_responses(400, 404, 409),
)
async def grant_mandate(
    command: GrantMandate, caller: CallerDep, licensing: Service, key: IdempotencyKey
) -> Response:
    async def grant(uow: UnitOfWorkFactory) -> MandateRow:
        return await owner_consent.grant_mandate(uow=uow, caller=caller, command=command)

    answer = await licensing.keyed.run_once(key, grant, answer=mandate_json, status=201)
    return answer.response()


@router.post("/mandates/{mandate_id}/revoke", responses=error_responses(404, 409))
async def revoke_mandate(
    mandate_id: UUID, caller: CallerDep, licensing: Service
) -> dict[str, Any]:
    row = await owner_consent.revoke_mandate(
        uow=licensing.uow, caller=caller, mandate_id=mandate_id
    )
    return mandate_json(row)


@router.get("/mandates", responses=error_responses(400))
async def my_mandates(caller: CallerDep, session: Session) -> dict[str, Any]:
    return {"items": [mandate_json(r) for r in await views.mandates_of(session, caller)]}
