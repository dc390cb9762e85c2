"""HTTP routes of the filing service for the gateway (docs/service-apis.md, filing).

Every route verifies the caller's bearer token itself (`CurrentPrincipal`); domain errors
become 4xx bodies in `runtime.http`, the one place that maps them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from contracts.enums import FilingConsentStatus, Role, WorkKind, WorkStatus
from contracts.errors import InvalidInput, NotAllowed, NotFound
from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from runtime.auth import CurrentPrincipal
from runtime.http import handle_dependency
from runtime.id_lists import parse_ids
from runtime.idempotency import IdempotencyKey, KeyedRequest
from runtime.openapi import error_responses
from runtime.uow import UnitOfWorkFactory

from filing import commands, service, societies, views
from filing.bulk_import import uploads
from filing.domain.parties import Party
from filing.domain.works import Work
from filing.service import Filing

router = APIRouter()


Service = Annotated[Filing, Depends(handle_dependency(Filing))]


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a UUID", field=field) from None


async def _work_id(work_id: str) -> UUID:
    return _uuid(work_id, "work_id")


async def _party_id(party_id: str) -> UUID:
    return _uuid(party_id, "party_id")


async def _batch_ids(ids: Annotated[str, Query()] = "") -> list[UUID]:
    return parse_ids(ids, field="ids")


# Path ids parsed once; a malformed one is a 400 naming it.
WorkId = Annotated[UUID, Depends(_work_id)]
PartyId = Annotated[UUID, Depends(_party_id)]
# A batch read's `ids` (comma-separated, at most 500), parsed once the same way.
BatchIds = Annotated[list[UUID], Depends(_batch_ids)]
# A command on one work answers the work: not the caller's to make (403), unknown (404), or
# its state forbids it, or its idempotency key was used for another request (409).
A_WORK_COMMAND: dict[str, Any] = {
    "tags": ["works"],
    "responses": error_responses(403, 404, 409),
}


# --- responses -----------------------------------------------------------------------------


def _share(value: object) -> object:
    return f"{value:.2f}" if isinstance(value, Decimal) else value


class Out(BaseModel):
    """A response read from the domain object (or read entry) with the same field names."""

    model_config = ConfigDict(from_attributes=True)


ShareText = Annotated[str, BeforeValidator(_share)]


def _unstated(value: object) -> bool:
    return value is None


# A by-right field appears only when the holding states it (as on the events): a holding with
# one share for every right answers exactly as before.
Stated = Field(default=None, exclude_if=_unstated)


class TerritoryShareOut(Out):
    territory: str
    performing_share: ShareText | None = Stated
    mechanical_share: ShareText | None = Stated
    sync_share: ShareText | None = Stated


class RightsHolderOut(Out):
    """A holding; the by-right fields appear where the holding states them (DOMAIN.md,
    "Shares by right, societies and territories")."""

    party_id: UUID
    role: Role
    share: ShareText
    mechanical_share: ShareText | None = Stated
    sync_share: ShareText | None = Stated
    performing_society: str | None = Stated
    mechanical_society: str | None = Stated
    sync_society: str | None = Stated
    territory_shares: list[TerritoryShareOut] | None = Stated


class IdentifiersOut(Out):
    iswc: str | None
    isrc: str | None
    isbn: str | None


def _none_asked(value: object) -> bool:
    return not value


class ConsentOut(Out):
    """A co-owner's holding and its answer (DOMAIN.md, "Co-owners' consent to a filing")."""

    party_id: UUID
    role: Role
    share: ShareText
    status: FilingConsentStatus
    reason: str | None
    decided_at: datetime | None


class WorkOut(Out):
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
    # A recording's musical work (DOMAIN.md, "Recordings of musical works"), when it names one.
    recording_of: UUID | None = Stated
    # Co-owners' consent: present on a filing that asked for it.
    consent_deadline: datetime | None = Stated
    consents: list[ConsentOut] = Field(default_factory=list, exclude_if=_none_asked)


class HistoryEntryOut(Out):
    work_id: UUID
    at: datetime
    actor_id: UUID | None
    action: str
    detail: str


class PartyList(BaseModel):
    items: list[Party]


class WorkList(BaseModel):
    items: list[WorkOut]


class WorkPage(BaseModel):
    items: list[WorkOut]
    next_cursor: str | None
    total_count: int
    # False when total_count is PostgreSQL's estimate ("about …"), beyond 1,000 matches.
    total_is_exact: bool = True


class HistoryList(BaseModel):
    items: list[HistoryEntryOut]


class HistoryGroups(BaseModel):
    items: dict[str, list[HistoryEntryOut]]


# --- parties -------------------------------------------------------------------------------


@router.put(
    "/parties/{party_id}",
    response_model=Party,
    tags=["parties"],
    responses={
        201: {"model": Party, "description": "Registered now"},
        200: {"description": "Registered before: the stored party"},
        **error_responses(403),
    },
)
async def put_party(
    party_id: PartyId,
    body: commands.RegisterParty,
    response: Response,
    caller: CurrentPrincipal,
    filing: Service,
) -> Party:
    """Registers the calling party under its own id (idempotent: 201 first, then 200)."""
    party, created = await service.register_party(
        uow=filing.uow, principal=caller, party_id=party_id, command=body
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return party


@router.patch(
    "/parties/{party_id}",
    response_model=Party,
    tags=["parties"],
    responses=error_responses(403, 404),
)
async def patch_party(
    party_id: PartyId, body: commands.UpdateParty, caller: CurrentPrincipal, filing: Service
) -> Party:
    """Changes the given public fields of the calling party (`party.updated`)."""
    return await service.update_party(
        uow=filing.uow, principal=caller, party_id=party_id, command=body
    )


@router.get("/parties", response_model=PartyList, tags=["parties"])
async def list_parties(caller: CurrentPrincipal, filing: Service, ids: BatchIds) -> PartyList:
    """Batch read: the known parties among `ids` (comma-separated, at most 500)."""
    parties = await views.get_parties(sessions=filing.sessions, ids=ids)
    return PartyList(items=list(parties))


@router.get(
    "/parties/{party_id}", response_model=Party, tags=["parties"], responses=error_responses(404)
)
async def get_party(party_id: PartyId, caller: CurrentPrincipal, filing: Service) -> Party:
    party = await views.get_party(sessions=filing.sessions, party_id=party_id)
    return party


# --- works ---------------------------------------------------------------------------------


@router.post(
    "/works",
    response_model=WorkOut,
    status_code=status.HTTP_201_CREATED,
    tags=["works"],
    responses=error_responses(403, 409),
)
async def post_work(
    body: commands.FileWork, caller: CurrentPrincipal, filing: Service, key: IdempotencyKey
) -> Response:
    """Files a work (the caller must be a rights holder) and answers it examined. With an
    `Idempotency-Key` (a form submitted twice, a retry) it is filed once: the key is claimed
    in the filing's own transaction, outside the batching writer (DOMAIN.md, "Retried
    commands")."""
    if key is None:
        work = await filing.writer.file_work(principal=caller, command=body)
        return JSONResponse(_work_json(work), status_code=status.HTTP_201_CREATED)

    async def command(uow: UnitOfWorkFactory) -> Work:
        return await service.file_work(uow=uow, principal=caller, command=body,
                                       consent=filing.consent)

    answer = await filing.keyed.run_once(key, command, answer=_work_json,
                                         status=status.HTTP_201_CREATED)
    return answer.response()


@router.get("/works/search", response_model=WorkPage, tags=["works"])
async def search_works(
    caller: CurrentPrincipal, filing: Service, query: Annotated[views.SearchWorks, Query()]
) -> WorkPage:
    """The register's search: by relevance for a text (identifier, exact title, every word,
    corrected words, writers' and parties' names), else newest filing first; filtered by
    every given criterion (docs/design/DOMAIN.md, "Register search")."""
    page = await views.search_works(sessions=filing.sessions, query=query)
    return WorkPage(
        items=[WorkOut.model_validate(w) for w in page.works],
        next_cursor=page.next_cursor,
        total_count=page.total_count,
        total_is_exact=page.total_is_exact,
    )


@router.get("/works", response_model=WorkList, tags=["works"])
async def list_works(caller: CurrentPrincipal, filing: Service, ids: BatchIds) -> WorkList:
    """Batch read: the known works among `ids` (comma-separated, at most 500)."""
    works = await views.get_works(sessions=filing.sessions, ids=ids)
    return WorkList(items=[WorkOut.model_validate(w) for w in works])


@router.get("/consent-requests", response_model=WorkList, tags=["works"],
            responses=error_responses(400))
async def consent_requests(caller: CurrentPrincipal, filing: Service) -> WorkList:
    """The works awaiting the calling party's own answer, oldest deadline first (DOMAIN.md,
    "Co-owners' consent to a filing"); at most 100."""
    party = service.caller_party_id(caller)
    works = [] if party is None else await views.consent_requests(
        sessions=filing.sessions, party_id=party
    )
    return WorkList(items=[WorkOut.model_validate(w) for w in works])


@router.get(
    "/works/{work_id}", response_model=WorkOut, tags=["works"], responses=error_responses(404)
)
async def get_work(work_id: WorkId, caller: CurrentPrincipal, filing: Service) -> WorkOut:
    work = await views.get_work(sessions=filing.sessions, work_id=work_id)
    return WorkOut.model_validate(work)


WorkCommand = Callable[..., Awaitable[Work]]


async def _no_key() -> None:
    return None


# The idempotency-key parameter of a work command that takes no key: absent from its API.
NoKey = Annotated[None, Depends(_no_key)]


def _work_json(work: Work) -> dict[str, Any]:
    return WorkOut.model_validate(work).model_dump(mode="json")


def _serve_work_command(
    name: str,
    path: str,
    body: type[BaseModel],
    run: WorkCommand,
    description: str,
    *,
    policy: bool = False,
    keyed: bool = False,
) -> None:
    """Serves `POST /works/{work_id}/<path>` as route `name`: a command on one work (`run`,
    a service function), its body parsed into the `body` command model, answered by the work
    as it now is; with `policy`, the command is checked against the dispute settings too;
    with `keyed`, it takes an `Idempotency-Key` (DOMAIN.md, "Retried commands")."""

    async def route(
        work_id: WorkId,
        body: BaseModel,
        caller: CurrentPrincipal,
        filing: Service,
        key: KeyedRequest | None,
    ) -> Response:
        settings = {"policy": filing.disputes} if policy else {}

        async def command(uow: UnitOfWorkFactory) -> Work:
            return await run(uow=uow, principal=caller, work_id=work_id, command=body, **settings)

        answer = await filing.keyed.run_once(key, command, answer=_work_json, status=200)
        return answer.response()

    # FastAPI reads the body's model from the annotation, and each route has its own model.
    route.__annotations__["body"] = body
    route.__annotations__["key"] = IdempotencyKey if keyed else NoKey
    router.add_api_route(
        f"/works/{{work_id}}/{path}",
        route,
        methods=["POST"],
        name=name,
        description=description,
        response_model=WorkOut,
        **A_WORK_COMMAND,
    )


_serve_work_command(
    "post_review",
    "review",
    commands.ReviewWork,
    service.review_work,
    "An examiner registers or rejects a work under review.",
)
_serve_work_command(
    "post_transfer",
    "transfers",
    commands.TransferShare,
    service.transfer_share,
    "The calling owner moves `share` of its holding to `to_party_id`.",
    keyed=True,
)
_serve_work_command(
    "post_dispute",
    "disputes",
    commands.DisputeWork,
    service.dispute_work,
    "A party that does not own a registered work disputes it, giving a reason and standing.",
    policy=True,
)
_serve_work_command(
    "post_consent",
    "consent",
    commands.ConfirmHolding,
    service.confirm_holding,
    "A party asked confirms its holdings in a work awaiting consent; the last confirmation "
    "runs examination.",
)
_serve_work_command(
    "post_consent_rejection",
    "consent-rejection",
    commands.RejectHolding,
    service.reject_holding,
    "A party asked rejects its holdings, with a reason: the work is returned to its filer.",
)
_serve_work_command(
    "post_dispute_resolution",
    "dispute-resolution",
    commands.ResolveDispute,
    service.resolve_dispute,
    "An examiner ends a dispute, keeping the owners or replacing the rights holders.",
    keyed=True,
)


@router.get(
    "/works/{work_id}/history",
    response_model=HistoryList,
    tags=["history"],
    responses=error_responses(404),
)
async def get_history(work_id: WorkId, caller: CurrentPrincipal, filing: Service) -> HistoryList:
    """Every change of the work (who, when, what), oldest first."""
    entries = await views.work_history(sessions=filing.sessions, work_id=work_id)
    return HistoryList(items=[HistoryEntryOut.model_validate(e) for e in entries])


@router.get("/history", response_model=HistoryGroups, tags=["history"])
async def list_histories(
    caller: CurrentPrincipal, filing: Service, work_ids: Annotated[str, Query()] = ""
) -> HistoryGroups:
    """Batch read: the histories of `work_ids`, grouped by work id."""
    grouped = await views.histories(
        sessions=filing.sessions, work_ids=parse_ids(work_ids, field="work_ids")
    )
    return HistoryGroups(
        items={
            str(k): [HistoryEntryOut.model_validate(e) for e in entries]
            for k, entries in grouped.items()
        }
    )


# --- bulk imports --------------------------------------------------------------------------


class ImportOut(BaseModel):
    """What an uploaded import did, and where its error report is (`GET report_url`)."""

    import_id: UUID
    works_registered: int
    works_under_review: int
    works_rejected: int
    works_awaiting_consent: int = 0
    rows_rejected: int
    rows_unchanged: int
    parties_created: int
    parties_unchanged: int
    report_url: str


async def _import_id(import_id: str) -> UUID:
    return _uuid(import_id, "import_id")


@router.post(
    "/imports",
    response_model=ImportOut,
    status_code=status.HTTP_201_CREATED,
    tags=["imports"],
    responses=error_responses(403),
)
async def post_import(
    request: Request,
    caller: CurrentPrincipal,
    filing: Service,
    file_format: Annotated[str, Query(alias="format")] = "csv",
) -> ImportOut:
    """Imports a works file (multipart field `works`; CSV or CWR) and, for CSV, a parties
    file (`parties`) as the calling party (DOMAIN.md, "Bulk import"). The upload is spooled
    to disk as it arrives and read a row at a time; its Content-Length is checked first."""
    filer = service.caller_party_id(caller)
    if filer is None:
        raise NotAllowed("a bulk import needs a party's token", field="Authorization")
    filing.bulk.check_size(request.headers.get("content-length"))
    form = await request.form(max_files=2, max_fields=2)
    try:
        # A form's value is text or an uploaded file.
        works, parties = form.get("works"), form.get("parties")
        if works is None or isinstance(works, str):
            raise InvalidInput("works: a file is required", field="works")
        if isinstance(parties, str):
            raise InvalidInput("parties must be a file", field="parties")
        summary = await uploads.import_upload(
            policy=filing.bulk,
            filer=filer,
            works=works.file,
            parties=parties.file if parties is not None else None,
            file_format=file_format,
        )
    finally:
        await form.close()
    return ImportOut(
        **{k: v for k, v in summary.as_json().items() if k in ImportOut.model_fields},
        report_url=f"/imports/{summary.import_id}/errors",
    )


@router.get(
    "/imports/{import_id}/errors",
    tags=["imports"],
    responses={**error_responses(404), 200: {"content": {"text/csv": {}}}},
    response_class=StreamingResponse,
)
async def import_errors(
    import_id: Annotated[UUID, Depends(_import_id)], caller: CurrentPrincipal, filing: Service
) -> StreamingResponse:
    """The import's error report as CSV (row, field, reason); only its filer reads it."""
    party = service.caller_party_id(caller)
    if party is None:
        raise NotFound(f"no import {import_id}", field="import_id")
    lines = await uploads.error_report(policy=filing.bulk, caller=party, import_id=import_id)
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8")


# --- collecting societies: CWR files out, acknowledgements in -----------------------------


class CwrFileOut(BaseModel):
    """A CWR file made for a society; its content is `GET download_url`."""

    id: UUID
    name: str
    society: str
    works: int
    new_works: int
    revised_works: int
    download_url: str


class CwrExportOut(BaseModel):
    file: CwrFileOut | None


class AckImportOut(BaseModel):
    society: str
    acknowledged: int
    unchanged: int
    unknown: list[str]


async def _file_id(file_id: str) -> UUID:
    return _uuid(file_id, "file_id")


@router.post(
    "/societies/{society}/cwr-files",
    response_model=CwrExportOut,
    status_code=status.HTTP_201_CREATED,
    tags=["societies"],
    responses=error_responses(403),
)
async def post_cwr_file(
    society: str, caller: CurrentPrincipal, filing: Service, everything: bool = False
) -> CwrExportOut:
    """Makes the society's next CWR 2.1 file: its members' works new to it or changed since
    its last file (`everything`: all of them). `file` is null when there is nothing to send."""
    societies.require_society_reader(caller)
    made = await societies.export_cwr(
        uow=filing.uow, policy=filing.cwr, society=society, everything=everything
    )
    if made is None:
        return CwrExportOut(file=None)
    exported, _ = made
    return CwrExportOut(
        file=CwrFileOut(**vars(exported), download_url=f"/cwr-files/{exported.id}")
    )


@router.get(
    "/cwr-files/{file_id}",
    tags=["societies"],
    responses={**error_responses(403, 404), 200: {"content": {"text/plain": {}}}},
)
async def get_cwr_file(
    file_id: Annotated[UUID, Depends(_file_id)], caller: CurrentPrincipal, filing: Service
) -> Response:
    """A CWR file's content (ASCII, CR LF lines), named in Content-Disposition."""
    name, content = await societies.cwr_file_content(
        sessions=filing.sessions, principal=caller, file_id=file_id
    )
    return Response(
        content, media_type="text/plain; charset=us-ascii",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


@router.post(
    "/societies/acknowledgements",
    response_model=AckImportOut,
    tags=["societies"],
    responses=error_responses(403),
)
async def post_acknowledgements(
    request: Request, caller: CurrentPrincipal, filing: Service, society: str | None = None
) -> AckImportOut:
    """Applies a society's CWR ACK file (multipart field `file`); re-sending it changes
    nothing (DOMAIN.md, "Acknowledgements")."""
    societies.require_society_reader(caller)
    filing.bulk.check_size(request.headers.get("content-length"))
    form = await request.form(max_files=1, max_fields=1)
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInput("file: an ACK file is required", field="file")
        data = await upload.read()
        name = upload.filename or "ack"
    finally:
        await form.close()
    summary = await societies.import_ack(
        uow=filing.uow, principal=caller, data=data, file_name=name, society=society
    )
    return AckImportOut(**vars(summary))


class SocietyRegistrationOut(BaseModel):
    society: str
    work_version: int
    transaction: str
    file_name: str
    sent_at: datetime
    status: str | None
    cwr_status: str | None
    society_work_id: str | None
    assigned_iswc: str | None
    acknowledged_at: datetime | None


@router.get(
    "/works/{work_id}/society-registrations",
    response_model=list[SocietyRegistrationOut],
    tags=["societies"],
)
async def get_society_registrations(
    work_id: WorkId, caller: CurrentPrincipal, filing: Service
) -> list[SocietyRegistrationOut]:
    """Per society, what it was sent of the work and what it answered."""
    del caller  # the register is public to every authenticated caller
    rows = await societies.society_registrations(sessions=filing.sessions, work_id=work_id)
    return [SocietyRegistrationOut(**r) for r in rows]
