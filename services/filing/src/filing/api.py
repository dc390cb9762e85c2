"""HTTP routes of the filing service for the gateway (docs/service-apis.md, filing).

Every route verifies the caller's bearer token itself (`CurrentPrincipal`); domain errors
become 4xx bodies in `runtime.http`, the one place that maps them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from contracts.enums import PartyKind, Role, WorkKind, WorkStatus
from contracts.errors import InvalidInput
from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel
from runtime.auth import CurrentPrincipal
from runtime.id_lists import parse_ids
from runtime.openapi import error_responses

from filing import commands, service, views
from filing.domain.parties import Party
from filing.domain.works import Work
from filing.service import Filing
from filing.views import HistoryEntry

router = APIRouter()
# A command on one work: not the caller's to make (403), unknown (404), or its state forbids
# it (409).
ON_A_WORK = error_responses(403, 404, 409)


def _filing(request: Request) -> Filing:
    filing = request.app.state.filing
    assert isinstance(filing, Filing), "app.create_app sets the filing service"
    return filing


Service = Annotated[Filing, Depends(_filing)]


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a UUID", field=field) from None


# --- responses -----------------------------------------------------------------------------


class PartyOut(BaseModel):
    id: UUID
    name: str
    kind: PartyKind
    country: str
    ipi_name_number: str | None
    isni: str | None
    created_at: datetime
    updated_at: datetime


class RightsHolderOut(BaseModel):
    party_id: UUID
    role: Role
    share: str


class IdentifiersOut(BaseModel):
    iswc: str | None
    isrc: str | None
    isbn: str | None


class WorkOut(BaseModel):
    id: UUID
    filing_number: str
    registration_number: str | None
    title: str
    alternate_titles: list[str]
    kind: WorkKind
    status: WorkStatus
    status_reason: str | None
    identifiers: IdentifiersOut
    country_of_origin: str
    rights_holders: list[RightsHolderOut]
    filed_by: UUID
    filed_at: datetime
    updated_at: datetime


class HistoryEntryOut(BaseModel):
    work_id: UUID
    at: datetime
    actor_id: UUID | None
    action: str
    detail: str


class PartyList(BaseModel):
    items: list[PartyOut]


class WorkList(BaseModel):
    items: list[WorkOut]


class WorkPage(BaseModel):
    items: list[WorkOut]
    next_cursor: str | None
    total_count: int


class HistoryList(BaseModel):
    items: list[HistoryEntryOut]


class HistoryGroups(BaseModel):
    items: dict[str, list[HistoryEntryOut]]


def _share(value: Decimal) -> str:
    return f"{value:.2f}"


def party_out(party: Party) -> PartyOut:
    return PartyOut(
        id=party.id,
        name=party.name,
        kind=party.kind,
        country=party.country,
        ipi_name_number=party.ipi_name_number,
        isni=party.isni,
        created_at=party.created_at,
        updated_at=party.updated_at,
    )


def work_out(work: Work) -> WorkOut:
    return WorkOut(
        id=work.id,
        filing_number=work.filing_number,
        registration_number=work.registration_number,
        title=work.title,
        alternate_titles=list(work.alternate_titles),
        kind=work.kind,
        status=work.status,
        status_reason=work.status_reason,
        identifiers=IdentifiersOut(
            iswc=work.identifiers.iswc, isrc=work.identifiers.isrc, isbn=work.identifiers.isbn
        ),
        country_of_origin=work.country_of_origin,
        rights_holders=[
            RightsHolderOut(party_id=h.party_id, role=h.role, share=_share(h.share))
            for h in work.rights_holders
        ],
        filed_by=work.filed_by,
        filed_at=work.filed_at,
        updated_at=work.updated_at,
    )


def history_out(entry: HistoryEntry) -> HistoryEntryOut:
    return HistoryEntryOut(
        work_id=entry.work_id,
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        detail=entry.detail,
    )


# --- parties -------------------------------------------------------------------------------


@router.put(
    "/parties/{party_id}",
    response_model=PartyOut,
    tags=["parties"],
    responses={
        201: {"model": PartyOut, "description": "Registered now"},
        200: {"description": "Registered before: the stored party"},
        **error_responses(403),
    },
)
async def put_party(
    party_id: str,
    body: commands.RegisterParty,
    response: Response,
    caller: CurrentPrincipal,
    filing: Service,
) -> PartyOut:
    """Registers the calling party under its own id (idempotent: 201 first, then 200)."""
    party, created = await service.register_party(
        uow=filing.uow, principal=caller, party_id=_uuid(party_id, "party_id"), command=body
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return party_out(party)


@router.patch(
    "/parties/{party_id}",
    response_model=PartyOut,
    tags=["parties"],
    responses=error_responses(403, 404),
)
async def patch_party(
    party_id: str, body: commands.UpdateParty, caller: CurrentPrincipal, filing: Service
) -> PartyOut:
    """Changes the given public fields of the calling party (`party.updated`)."""
    party = await service.update_party(
        uow=filing.uow, principal=caller, party_id=_uuid(party_id, "party_id"), command=body
    )
    return party_out(party)


@router.get("/parties", response_model=PartyList, tags=["parties"])
async def list_parties(
    caller: CurrentPrincipal, filing: Service, ids: Annotated[str, Query()] = ""
) -> PartyList:
    """Batch read: the known parties among `ids` (comma-separated, at most 500)."""
    parties = await views.get_parties(sessions=filing.sessions, ids=parse_ids(ids, field="ids"))
    return PartyList(items=[party_out(p) for p in parties])


@router.get(
    "/parties/{party_id}", response_model=PartyOut, tags=["parties"], responses=error_responses(404)
)
async def get_party(party_id: str, caller: CurrentPrincipal, filing: Service) -> PartyOut:
    party = await views.get_party(sessions=filing.sessions, party_id=_uuid(party_id, "party_id"))
    return party_out(party)


# --- works ---------------------------------------------------------------------------------


@router.post(
    "/works",
    response_model=WorkOut,
    status_code=status.HTTP_201_CREATED,
    tags=["works"],
    responses=error_responses(403, 409),
)
async def post_work(body: commands.FileWork, caller: CurrentPrincipal, filing: Service) -> WorkOut:
    """Files a work (the caller must be a rights holder) and answers it examined."""
    return work_out(await service.file_work(uow=filing.uow, principal=caller, command=body))


@router.get("/works/search", response_model=WorkPage, tags=["works"])
async def search_works(
    caller: CurrentPrincipal, filing: Service, query: Annotated[views.SearchWorks, Query()]
) -> WorkPage:
    """The register, newest filing first, filtered by every given criterion."""
    page = await views.search_works(sessions=filing.sessions, query=query)
    return WorkPage(
        items=[work_out(w) for w in page.works],
        next_cursor=page.next_cursor,
        total_count=page.total_count,
    )


@router.get("/works", response_model=WorkList, tags=["works"])
async def list_works(
    caller: CurrentPrincipal, filing: Service, ids: Annotated[str, Query()] = ""
) -> WorkList:
    """Batch read: the known works among `ids` (comma-separated, at most 500)."""
    works = await views.get_works(sessions=filing.sessions, ids=parse_ids(ids, field="ids"))
    return WorkList(items=[work_out(w) for w in works])


@router.get(
    "/works/{work_id}", response_model=WorkOut, tags=["works"], responses=error_responses(404)
)
async def get_work(work_id: str, caller: CurrentPrincipal, filing: Service) -> WorkOut:
    work = await views.get_work(sessions=filing.sessions, work_id=_uuid(work_id, "work_id"))
    return work_out(work)


@router.post("/works/{work_id}/review", response_model=WorkOut, tags=["works"], responses=ON_A_WORK)
async def post_review(
    work_id: str, body: commands.ReviewWork, caller: CurrentPrincipal, filing: Service
) -> WorkOut:
    """An examiner registers or rejects a work under review."""
    work = await service.review_work(
        uow=filing.uow, principal=caller, work_id=_uuid(work_id, "work_id"), command=body
    )
    return work_out(work)


@router.post(
    "/works/{work_id}/transfers", response_model=WorkOut, tags=["works"], responses=ON_A_WORK
)
async def post_transfer(
    work_id: str, body: commands.TransferShare, caller: CurrentPrincipal, filing: Service
) -> WorkOut:
    """The calling owner moves `share` of its holding to `to_party_id`."""
    work = await service.transfer_share(
        uow=filing.uow, principal=caller, work_id=_uuid(work_id, "work_id"), command=body
    )
    return work_out(work)


@router.post(
    "/works/{work_id}/disputes", response_model=WorkOut, tags=["works"], responses=ON_A_WORK
)
async def post_dispute(
    work_id: str, body: commands.DisputeWork, caller: CurrentPrincipal, filing: Service
) -> WorkOut:
    """A party that does not own a registered work disputes it, giving a reason and standing."""
    work = await service.dispute_work(
        uow=filing.uow,
        principal=caller,
        work_id=_uuid(work_id, "work_id"),
        command=body,
        policy=filing.disputes,
    )
    return work_out(work)


@router.post(
    "/works/{work_id}/dispute-resolution",
    response_model=WorkOut,
    tags=["works"],
    responses=ON_A_WORK,
)
async def post_dispute_resolution(
    work_id: str, body: commands.ResolveDispute, caller: CurrentPrincipal, filing: Service
) -> WorkOut:
    """An examiner ends a dispute, keeping the owners or replacing the rights holders."""
    work = await service.resolve_dispute(
        uow=filing.uow, principal=caller, work_id=_uuid(work_id, "work_id"), command=body
    )
    return work_out(work)


@router.get(
    "/works/{work_id}/history",
    response_model=HistoryList,
    tags=["history"],
    responses=error_responses(404),
)
async def get_history(work_id: str, caller: CurrentPrincipal, filing: Service) -> HistoryList:
    """Every change of the work (who, when, what), oldest first."""
    entries = await views.work_history(
        sessions=filing.sessions, work_id=_uuid(work_id, "work_id")
    )
    return HistoryList(items=[history_out(e) for e in entries])


@router.get("/history", response_model=HistoryGroups, tags=["history"])
async def list_histories(
    caller: CurrentPrincipal, filing: Service, work_ids: Annotated[str, Query()] = ""
) -> HistoryGroups:
    """Batch read: the histories of `work_ids`, grouped by work id."""
    grouped = await views.histories(
        sessions=filing.sessions, work_ids=parse_ids(work_ids, field="work_ids")
    )
    return HistoryGroups(
        items={str(k): [history_out(e) for e in entries] for k, entries in grouped.items()}
    )
