"""HTTP routes of the filing service for the gateway (docs/service-apis.md, filing).

Every route verifies the caller's bearer token itself (`CurrentPrincipal`); domain errors
become 4xx bodies in `runtime.http`, the one place that maps them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from contracts.enums import PartyKind, ReviewDecision, Role, WorkKind, WorkStatus
from contracts.errors import InvalidInput
from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from runtime.auth import CurrentPrincipal
from runtime.db import SessionMaker
from runtime.id_lists import parse_ids
from runtime.openapi import error_responses

from filing import service
from filing.domain.parties import Party
from filing.domain.works import Work
from filing.repository import HistoryEntry

router = APIRouter()
# A command on one work: not the caller's to make (403), unknown (404), or its state forbids
# it (409).
ON_A_WORK = error_responses(403, 404, 409)


def _sessions(request: Request) -> SessionMaker:
    sessions: SessionMaker = request.app.state.runtime.sessions
    return sessions


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a UUID", field=field) from None


# --- request bodies ------------------------------------------------------------------------


class PartyIn(BaseModel):
    name: str | None = None
    kind: PartyKind | None = None
    country: str | None = None
    ipi_name_number: str | None = None
    isni: str | None = None


class RightsHolderIn(BaseModel):
    party_id: str
    role: Role
    share: str = Field(description='percentage as a decimal string, e.g. "50.00"')


class IdentifiersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iswc: str | None = None
    isrc: str | None = None
    isbn: str | None = None


class WorkIn(BaseModel):
    title: str | None = None
    kind: WorkKind
    country_of_origin: str | None = None
    alternate_titles: list[str] | None = None
    identifiers: IdentifiersIn | None = None
    rights_holders: list[RightsHolderIn]


class ReviewIn(BaseModel):
    decision: ReviewDecision
    reason: str | None = None


class TransferIn(BaseModel):
    to_party_id: str
    share: str = Field(description='the part of the caller\'s share to move, e.g. "25.00"')
    role: Role | None = Field(
        default=None, description="which holding to transfer from, when the caller has several"
    )


class DisputeIn(BaseModel):
    reason: str | None = None
    # The disputer's standing (DOMAIN.md): claimed_role with claimed_share, or evidence.
    claimed_role: Role | None = None
    claimed_share: str | None = Field(
        default=None, description='the share the disputer says is theirs, e.g. "25.00"'
    )
    evidence: str | None = Field(
        default=None, description="why the disputer has a say, when no share is claimed"
    )


class ResolutionIn(BaseModel):
    keep_owners: bool
    rights_holders: list[RightsHolderIn] | None = None
    reason: str | None = None


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


def _holders(raw: list[RightsHolderIn] | None) -> list[dict[str, Any]] | None:
    return None if raw is None else [h.model_dump() for h in raw]


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
    party_id: str, body: PartyIn, request: Request, response: Response, caller: CurrentPrincipal
) -> PartyOut:
    """Registers the calling party under its own id (idempotent: 201 first, then 200)."""
    party, created = await service.register_party(
        sessions=_sessions(request),
        principal=caller,
        party_id=_uuid(party_id, "party_id"),
        **body.model_dump(),
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
    party_id: str, body: PartyIn, request: Request, caller: CurrentPrincipal
) -> PartyOut:
    """Changes the given public fields of the calling party (`party.updated`)."""
    party = await service.update_party(
        sessions=_sessions(request),
        principal=caller,
        party_id=_uuid(party_id, "party_id"),
        changes=body.model_dump(exclude_unset=True),
    )
    return party_out(party)


@router.get("/parties", response_model=PartyList, tags=["parties"])
async def list_parties(
    request: Request, caller: CurrentPrincipal, ids: Annotated[str, Query()] = ""
) -> PartyList:
    """Batch read: the known parties among `ids` (comma-separated, at most 500)."""
    parties = await service.get_parties(
        sessions=_sessions(request), ids=parse_ids(ids, field="ids")
    )
    return PartyList(items=[party_out(p) for p in parties])


@router.get(
    "/parties/{party_id}", response_model=PartyOut, tags=["parties"], responses=error_responses(404)
)
async def get_party(party_id: str, request: Request, caller: CurrentPrincipal) -> PartyOut:
    party = await service.get_party(
        sessions=_sessions(request), party_id=_uuid(party_id, "party_id")
    )
    return party_out(party)


# --- works ---------------------------------------------------------------------------------


@router.post(
    "/works",
    response_model=WorkOut,
    status_code=status.HTTP_201_CREATED,
    tags=["works"],
    responses=error_responses(403, 409),
)
async def post_work(body: WorkIn, request: Request, caller: CurrentPrincipal) -> WorkOut:
    """Files a work (the caller must be a rights holder) and answers it examined."""
    identifiers = None if body.identifiers is None else body.identifiers.model_dump()
    work = await service.file_work(
        sessions=_sessions(request),
        principal=caller,
        title=body.title,
        kind=body.kind,
        country_of_origin=body.country_of_origin,
        rights_holders=_holders(body.rights_holders),
        alternate_titles=body.alternate_titles,
        identifiers=identifiers,
    )
    return work_out(work)


@router.get("/works/search", response_model=WorkPage, tags=["works"])
async def search_works(
    request: Request,
    caller: CurrentPrincipal,
    text: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    holder_id: str | None = None,
    iswc: str | None = None,
    isrc: str | None = None,
    isbn: str | None = None,
    first: int = 20,
    after: str | None = None,
) -> WorkPage:
    """The register, newest filing first, filtered by every given criterion."""
    page = await service.search_works(
        sessions=_sessions(request),
        text=text,
        status=status,
        kind=kind,
        holder_id=holder_id,
        iswc=iswc,
        isrc=isrc,
        isbn=isbn,
        first=first,
        after=after,
    )
    return WorkPage(
        items=[work_out(w) for w in page.works],
        next_cursor=page.next_cursor,
        total_count=page.total_count,
    )


@router.get("/works", response_model=WorkList, tags=["works"])
async def list_works(
    request: Request, caller: CurrentPrincipal, ids: Annotated[str, Query()] = ""
) -> WorkList:
    """Batch read: the known works among `ids` (comma-separated, at most 500)."""
    works = await service.get_works(sessions=_sessions(request), ids=parse_ids(ids, field="ids"))
    return WorkList(items=[work_out(w) for w in works])


@router.get(
    "/works/{work_id}", response_model=WorkOut, tags=["works"], responses=error_responses(404)
)
async def get_work(work_id: str, request: Request, caller: CurrentPrincipal) -> WorkOut:
    work = await service.get_work(sessions=_sessions(request), work_id=_uuid(work_id, "work_id"))
    return work_out(work)


@router.post("/works/{work_id}/review", response_model=WorkOut, tags=["works"], responses=ON_A_WORK)
async def post_review(
    work_id: str, body: ReviewIn, request: Request, caller: CurrentPrincipal
) -> WorkOut:
    """An examiner registers or rejects a work under review."""
    work = await service.review_work(
        sessions=_sessions(request),
        principal=caller,
        work_id=_uuid(work_id, "work_id"),
        decision=body.decision,
        reason=body.reason,
    )
    return work_out(work)


@router.post(
    "/works/{work_id}/transfers", response_model=WorkOut, tags=["works"], responses=ON_A_WORK
)
async def post_transfer(
    work_id: str, body: TransferIn, request: Request, caller: CurrentPrincipal
) -> WorkOut:
    """The calling owner moves `share` of its holding to `to_party_id`."""
    work = await service.transfer_share(
        sessions=_sessions(request),
        principal=caller,
        work_id=_uuid(work_id, "work_id"),
        to_party_id=body.to_party_id,
        share=body.share,
        role=body.role,
    )
    return work_out(work)


@router.post(
    "/works/{work_id}/disputes", response_model=WorkOut, tags=["works"], responses=ON_A_WORK
)
async def post_dispute(
    work_id: str, body: DisputeIn, request: Request, caller: CurrentPrincipal
) -> WorkOut:
    """A party that does not own a registered work disputes it, giving a reason and standing."""
    settings = request.app.state.runtime.settings
    work = await service.dispute_work(
        sessions=_sessions(request),
        principal=caller,
        work_id=_uuid(work_id, "work_id"),
        reason=body.reason,
        claimed_role=body.claimed_role,
        claimed_share=body.claimed_share,
        evidence=body.evidence,
        evidence_min=settings.dispute_evidence_min,
        daily_limit=settings.disputes_per_day,
    )
    return work_out(work)


@router.post(
    "/works/{work_id}/dispute-resolution",
    response_model=WorkOut,
    tags=["works"],
    responses=ON_A_WORK,
)
async def post_dispute_resolution(
    work_id: str, body: ResolutionIn, request: Request, caller: CurrentPrincipal
) -> WorkOut:
    """An examiner ends a dispute, keeping the owners or replacing the rights holders."""
    work = await service.resolve_dispute(
        sessions=_sessions(request),
        principal=caller,
        work_id=_uuid(work_id, "work_id"),
        keep_owners=body.keep_owners,
        rights_holders=_holders(body.rights_holders),
        reason=body.reason,
    )
    return work_out(work)


@router.get(
    "/works/{work_id}/history",
    response_model=HistoryList,
    tags=["history"],
    responses=error_responses(404),
)
async def get_history(work_id: str, request: Request, caller: CurrentPrincipal) -> HistoryList:
    """Every change of the work (who, when, what), oldest first."""
    entries = await service.work_history(
        sessions=_sessions(request), work_id=_uuid(work_id, "work_id")
    )
    return HistoryList(items=[history_out(e) for e in entries])


@router.get("/history", response_model=HistoryGroups, tags=["history"])
async def list_histories(
    request: Request, caller: CurrentPrincipal, work_ids: Annotated[str, Query()] = ""
) -> HistoryGroups:
    """Batch read: the histories of `work_ids`, grouped by work id."""
    grouped = await service.histories(
        sessions=_sessions(request), work_ids=parse_ids(work_ids, field="work_ids")
    )
    return HistoryGroups(
        items={str(k): [history_out(e) for e in entries] for k, entries in grouped.items()}
    )
