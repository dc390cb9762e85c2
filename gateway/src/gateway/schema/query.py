"""Reads: the public register for anyone authenticated; licences and notifications by Access."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.access import load_visible_licence
from gateway.errors import UserError
from gateway.loaders import is_uuid
from gateway.schema.common import Info
from gateway.schema.notifications import NotificationConnection, list_notifications
from gateway.schema.parties_works_licences import (
    Licence,
    LicenceConnection,
    LicenceFilter,
    Party,
    Work,
    WorkConnection,
    WorkFilter,
    load_party,
    load_work,
    search_licences,
    search_works,
)


def _filter_id(value: Any, field: str) -> str | None:
    """A malformed id in a filter is the caller's mistake, told before any service is asked."""
    if value is None:
        return None
    if not is_uuid(value):
        raise UserError("INVALID_INPUT", f"{field} is not an id", field)
    return str(value)


@strawberry.type
class Query:
    @strawberry.field(description="The caller's own party, once registered.")
    async def me(self, info: Info) -> Party | None:
        principal = info.context.require_principal()
        return await load_party(info, principal.party_id)

    @strawberry.field
    async def party(self, info: Info, id: strawberry.ID) -> Party | None:
        info.context.require_principal()
        return await load_party(info, id)

    @strawberry.field
    async def work(self, info: Info, id: strawberry.ID) -> Work | None:
        info.context.require_principal()
        return await load_work(info.context, id)

    @strawberry.field
    async def works(
        self,
        info: Info,
        filter: WorkFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> WorkConnection:
        info.context.require_principal()
        filters: dict[str, Any] = {}
        if filter is not None:
            filters = {
                "text": filter.text,
                "status": filter.status.value if filter.status else None,
                "kind": filter.kind.value if filter.kind else None,
                "holder_id": _filter_id(filter.holder_id, "filter.holderId"),
                "iswc": filter.iswc,
                "isrc": filter.isrc,
                "isbn": filter.isbn,
            }
        return await search_works(info.context, filters, first, after)

    @strawberry.field(description="Null when unknown or not visible to the caller.")
    async def licence(self, info: Info, id: strawberry.ID) -> Licence | None:
        info.context.require_principal()
        data = await load_visible_licence(info.context, str(id))
        return Licence.of(data) if data is not None else None

    @strawberry.field(description="Only the licences the caller may see.")
    async def licences(
        self,
        info: Info,
        filter: LicenceFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> LicenceConnection:
        info.context.require_principal()
        filters: dict[str, Any] = {}
        if filter is not None:
            filters = {
                "work_id": _filter_id(filter.work_id, "filter.workId"),
                "status": filter.status.value if filter.status else None,
                "as_licensee": (
                    str(filter.as_licensee).lower() if filter.as_licensee is not None else None
                ),
            }
        return await search_licences(info.context, filters, first, after)

    @strawberry.field(description="The caller's own notifications, newest first.")
    async def notifications(
        self,
        info: Info,
        unread_only: bool | None = False,
        first: int | None = 20,
        after: str | None = None,
    ) -> NotificationConnection:
        return await list_notifications(info.context, bool(unread_only), first, after)
