"""HTTP routes for the gateway (docs/service-apis.md, "notifications"): each parses its input
once, then calls a command of `service` or a query of `views`. The caller's token is verified
here (runtime.auth); each party reads and changes only its own (access.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from runtime.auth import CurrentPrincipal
from runtime.http import handle_dependency
from runtime.id_lists import parse_ids
from runtime.openapi import error_responses
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import service, views
from notifications.commands import MarkRead, SetContacts
from notifications.domain.contacts import ContactSettings
from notifications.service import Notifications

# Every route answers 403 to a token whose subject is not a party id.
router = APIRouter(responses=error_responses(403))


Service = Annotated[Notifications, Depends(handle_dependency(Notifications))]


async def _read_session(notifications: Service) -> AsyncIterator[AsyncSession]:
    async with notifications.sessions() as session:
        yield session


ReadSession = Annotated[AsyncSession, Depends(_read_session)]
PageSize = Annotated[int, Query(ge=1, le=100)]


class ContactsOut(BaseModel):
    party_id: uuid.UUID
    email: str | None
    webhook_url: str | None
    has_webhook_secret: bool

    @classmethod
    def of(cls, party_id: uuid.UUID, shown: ContactSettings) -> ContactsOut:
        return cls(
            party_id=party_id,
            email=shown.email,
            webhook_url=shown.webhook_url,
            has_webhook_secret=shown.has_webhook_secret,
        )


Json = dict[str, object]


def _grouped(grouped: dict[str, list[views.InboxEntry]]) -> Json:
    return {"items": {key: [views.entry_json(e) for e in group] for key, group in grouped.items()}}


@router.put("/contacts/{party_id}", response_model=ContactsOut)
async def put_contacts(
    party_id: uuid.UUID, body: SetContacts, principal: CurrentPrincipal, notifications: Service
) -> ContactsOut:
    shown = await service.set_contacts(
        uow=notifications.uow,
        principal=principal,
        party_id=party_id,
        command=body,
        box=notifications.box,
        allow_loopback=notifications.settings.loopback_webhooks_allowed,
        allow_private=notifications.settings.private_webhooks_allowed,
    )
    return ContactsOut.of(party_id, shown)


@router.get("/contacts/{party_id}", response_model=ContactsOut)
async def get_contacts(
    party_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSession
) -> ContactsOut:
    shown = await views.contacts(session, principal=principal, party_id=party_id)
    return ContactsOut.of(party_id, shown)


@router.put("/societies/{party_id}")
async def put_society(
    party_id: uuid.UUID, principal: CurrentPrincipal, notifications: Service
) -> Json:
    await service.subscribe_society(uow=notifications.uow, principal=principal, party_id=party_id)
    return {"party_id": str(party_id), "subscribed": True}


@router.delete("/societies/{party_id}")
async def delete_society(
    party_id: uuid.UUID, principal: CurrentPrincipal, notifications: Service
) -> Json:
    await service.unsubscribe_society(
        uow=notifications.uow, principal=principal, party_id=party_id
    )
    return {"party_id": str(party_id), "subscribed": False}


@router.get("/notifications")
async def list_notifications(
    principal: CurrentPrincipal,
    session: ReadSession,
    recipient_id: uuid.UUID,
    unread_only: bool = False,
    first: PageSize = 20,
    after: str | None = None,
) -> Json:
    page = await views.inbox_page(
        session,
        principal=principal,
        recipient_id=recipient_id,
        unread_only=unread_only,
        first=first,
        after=after,
    )
    return {
        "items": [views.entry_json(entry) for entry in page.items],
        "next_cursor": page.next_cursor,
        "total_count": page.total_count,
    }


@router.get("/notifications/by-subject")
async def notifications_by_subject(
    principal: CurrentPrincipal, session: ReadSession, subject_ids: str
) -> Json:
    ids = parse_ids(subject_ids, field="subject_ids")
    return _grouped(await views.inbox_by_subject(session, principal=principal, subject_ids=ids))


@router.get("/notifications/by-recipient")
async def notifications_by_recipient(
    principal: CurrentPrincipal,
    session: ReadSession,
    recipient_ids: str,
    unread_only: bool = False,
    first: PageSize = 20,
) -> Json:
    grouped = await views.inbox_by_recipient(
        session,
        principal=principal,
        recipient_ids=parse_ids(recipient_ids, field="recipient_ids"),
        unread_only=unread_only,
        first=first,
    )
    return _grouped(grouped)


@router.post("/notifications/read")
async def mark_read(
    body: MarkRead, principal: CurrentPrincipal, notifications: Service
) -> dict[str, int]:
    updated = await service.mark_read(uow=notifications.uow, principal=principal, command=body)
    return {"updated": updated}


@router.post("/deliveries/{delivery_id}/redeliver", responses=error_responses(404))
async def redeliver(
    delivery_id: uuid.UUID, principal: CurrentPrincipal, notifications: Service
) -> Json:
    """Sends the caller's failed delivery again now; repeating the request changes nothing."""
    delivery = await service.redeliver(
        uow=notifications.uow, principal=principal, delivery_id=delivery_id
    )
    return views.delivery_json(delivery)

