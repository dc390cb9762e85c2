"""The licensing HTTP routes of licence history and amendments (DOMAIN.md, "Licence history"
and "Amendments and renewals"): the versions of a licence's terms, its history, and the
commands that propose and answer changes. Availability as of a date is `api`'s route."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Response, status
from runtime.id_lists import parse_ids
from runtime.idempotency import IdempotencyKey
from runtime.openapi import error_responses
from runtime.uow import UnitOfWorkFactory

from licensing import amending, history_repository, views
from licensing.api import (
    JSON_OBJECT,
    CallerDep,
    Service,
    Session,
    _columns,
    licence_json,
)
from licensing.history_commands import ProposeAmendment, RenewLicence
from licensing.models import LicenceHistoryRow, LicenceRow, LicenceVersionRow

router = APIRouter(responses=error_responses(403))

# A version's number as the path gives it: a positive number the database's integer holds
# (anything else is 400 naming `number`, not an error of the database's).
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]


def version_json(row: LicenceVersionRow) -> dict[str, Any]:
    return _columns(
        row, "licence_id", "number", "kind", "state", "effective_from", "end", "territories",
        "media", "exclusive", "royalty_rate", "proposed_by", "side", "proposed_at",
        "decided_by", "decided_at",
    )  # fmt: skip


def history_json(row: LicenceHistoryRow) -> dict[str, Any]:
    return _columns(row, "licence_id", "seq", "recorded_at", "status", "valid_until", "segments")


@router.get("/licence-versions")
async def licence_versions(
    licence_ids: str, caller: CallerDep, session: Session
) -> dict[str, Any]:
    ids = parse_ids(licence_ids, field="licence_ids")
    visible = await views.visible_licences(session, caller, ids)
    grouped = await history_repository.versions_of(session, [r.id for r in visible])
    return {"items": {str(k): [version_json(v) for v in rows] for k, rows in grouped.items()}}


@router.get("/licence-history")
async def licence_history(
    licence_ids: str, caller: CallerDep, session: Session
) -> dict[str, Any]:
    ids = parse_ids(licence_ids, field="licence_ids")
    visible = await views.visible_licences(session, caller, ids)
    grouped = await history_repository.history_of(session, [r.id for r in visible])
    return {"items": {str(k): [history_json(h) for h in rows] for k, rows in grouped.items()}}


@router.post(
    "/licences/{licence_id}/amendments", status_code=status.HTTP_201_CREATED, **JSON_OBJECT
)
async def propose_amendment(
    licence_id: UUID,
    command: ProposeAmendment,
    caller: CallerDep,
    licensing: Service,
    key: IdempotencyKey,
) -> Response:
    async def run(uow: UnitOfWorkFactory) -> LicenceVersionRow:
        return await amending.propose_amendment(
            uow=uow, caller=caller, licence_id=licence_id, command=command
        )

    answer = await licensing.keyed.run_once(key, run, answer=version_json, status=201)
    return answer.response()


@router.post(
    "/licences/{licence_id}/renewals", status_code=status.HTTP_201_CREATED, **JSON_OBJECT
)
async def propose_renewal(
    licence_id: UUID,
    command: RenewLicence,
    caller: CallerDep,
    licensing: Service,
    key: IdempotencyKey,
) -> Response:
    async def run(uow: UnitOfWorkFactory) -> LicenceVersionRow:
        return await amending.propose_renewal(
            uow=uow, caller=caller, licence_id=licence_id, command=command
        )

    answer = await licensing.keyed.run_once(key, run, answer=version_json, status=201)
    return answer.response()


@router.post("/licences/{licence_id}/amendments/{number}/accept", **JSON_OBJECT)
async def accept_amendment(
    licence_id: UUID,
    number: VersionNumber,
    caller: CallerDep,
    licensing: Service,
    key: IdempotencyKey,
) -> Response:
    async def run(uow: UnitOfWorkFactory) -> LicenceRow:
        return await amending.accept_amendment(
            uow=uow, caller=caller, licence_id=licence_id, number=number
        )

    answer = await licensing.keyed.run_once(key, run, answer=licence_json, status=200)
    return answer.response()


@router.post("/licences/{licence_id}/amendments/{number}/decline", **JSON_OBJECT)
async def decline_amendment(
    licence_id: UUID, number: VersionNumber, caller: CallerDep, licensing: Service
) -> dict[str, Any]:
    row = await amending.decline_amendment(
        uow=licensing.uow, caller=caller, licence_id=licence_id, number=number
    )
    return version_json(row)
