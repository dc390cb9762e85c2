"""HTTP routes for the gateway (docs/service-apis.md, "notifications"). The caller's token is
verified here (runtime.auth); each party reads and changes only its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from runtime.auth import CurrentPrincipal
from runtime.id_lists import MAX_IDS, parse_ids
from runtime.openapi import error_responses
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import service
from notifications.secret_box import SecretBox
from notifications.settings import NotificationsSettings

# Every route answers 403 to a token whose subject is not a party id.
router = APIRouter(responses=error_responses(403))


@dataclass(frozen=True)
class ApiContext:
    """What the routes need besides a session, set on `app.state.notifications` by app.py."""

    settings: NotificationsSettings
    box: SecretBox


async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.runtime.sessions() as session, session.begin():
        yield session


def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.notifications
    return context


Session = Annotated[AsyncSession, Depends(_transaction)]
Context = Annotated[ApiContext, Depends(_context)]


class ContactsIn(BaseModel):
    """Absent fields keep their stored value; null clears one."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = Field(default=None, repr=False)


class ContactsOut(BaseModel):
    party_id: uuid.UUID
    email: str | None
    webhook_url: str | None
    has_webhook_secret: bool


class ReadIn(BaseModel):
    ids: list[uuid.UUID] = Field(max_length=MAX_IDS)


def _contacts_out(view: service.ContactView) -> ContactsOut:
    return ContactsOut(
        party_id=view.party_id,
        email=view.email,
        webhook_url=view.webhook_url,
        has_webhook_secret=view.has_webhook_secret,
    )


@router.put("/contacts/{party_id}", response_model=ContactsOut)
async def put_contacts(
    party_id: uuid.UUID,
    body: ContactsIn,
    principal: CurrentPrincipal,
    session: Session,
    context: Context,
) -> ContactsOut:
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    view = await service.set_contacts(
        session,
        principal=principal,
        party_id=party_id,
        changes=changes,
        box=context.box,
        allow_loopback=context.settings.loopback_webhooks_allowed,
        allow_private=context.settings.private_webhooks_allowed,
    )
    return _contacts_out(view)


@router.get("/contacts/{party_id}", response_model=ContactsOut)
async def get_contacts(
    party_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> ContactsOut:
    return _contacts_out(
        await service.get_contacts(session, principal=principal, party_id=party_id)
    )


@router.put("/societies/{party_id}")
async def put_society(
    party_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> dict[str, Any]:
    await service.subscribe_society(session, principal=principal, party_id=party_id)
    return {"party_id": str(party_id), "subscribed": True}


@router.delete("/societies/{party_id}")
async def delete_society(
    party_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> dict[str, Any]:
    await service.unsubscribe_society(session, principal=principal, party_id=party_id)
    return {"party_id": str(party_id), "subscribed": False}


@router.get("/notifications")
async def list_notifications(
    principal: CurrentPrincipal,
    session: Session,
    recipient_id: uuid.UUID,
    unread_only: bool = False,
    first: Annotated[int, Query(ge=1, le=100)] = 20,
    after: str | None = None,
) -> dict[str, Any]:
    page = await service.list_inbox(
        session,
        principal=principal,
        recipient_id=recipient_id,
        unread_only=unread_only,
        first=first,
        after=after,
    )
    return {
        "items": [service.entry_json(entry) for entry in page.items],
        "next_cursor": page.next_cursor,
        "total_count": page.total_count,
    }


@router.get("/notifications/by-subject")
async def notifications_by_subject(
    principal: CurrentPrincipal, session: Session, subject_ids: str
) -> dict[str, Any]:
    grouped = await service.inbox_by_subject(
        session,
        principal=principal,
        subject_ids=parse_ids(subject_ids, field="subject_ids"),
    )
    return {
        "items": {
            subject: [service.entry_json(entry) for entry in entries]
            for subject, entries in grouped.items()
        }
    }


@router.get("/notifications/by-recipient")
async def notifications_by_recipient(
    principal: CurrentPrincipal,
    session: Session,
    recipient_ids: str,
    unread_only: bool = False,
    first: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    grouped = await service.inbox_by_recipient(
        session,
        principal=principal,
        recipient_ids=parse_ids(recipient_ids, field="recipient_ids"),
        unread_only=unread_only,
        first=first,
    )
    return {
        "items": {
            recipient: [service.entry_json(entry) for entry in entries]
            for recipient, entries in grouped.items()
        }
    }


@router.post("/notifications/read")
async def mark_read(body: ReadIn, principal: CurrentPrincipal, session: Session) -> dict[str, int]:
    return {"updated": await service.mark_read(session, principal=principal, ids=body.ids)}


@router.post("/deliveries/{delivery_id}/redeliver", responses=error_responses(404))
async def redeliver(
    delivery_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> dict[str, Any]:
    """Sends the caller's failed delivery again now; repeating the request changes nothing."""
    delivery = await service.redeliver(session, principal=principal, delivery_id=delivery_id)
    return service.delivery_json(delivery)
