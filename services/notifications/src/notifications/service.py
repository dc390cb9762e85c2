"""The commands: one keyword-only function each, load → decide → save → emit in one unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from runtime.auth import Principal
from runtime.service import ServiceHandle
from runtime.uow import UnitOfWorkFactory

from notifications import access, repository
from notifications.commands import MarkRead, SetContacts
from notifications.domain.contacts import (
    NO_CONTACTS,
    ContactSettings,
    change_contact_settings,
)
from notifications.domain.retry import redelivers
from notifications.models import Delivery
from notifications.secret_box import SecretBox
from notifications.settings import NotificationsSettings


@dataclass(frozen=True)
class Notifications(ServiceHandle):
    """The service as the routes and the worker use it; built once by `app.build`."""

    settings: NotificationsSettings
    box: SecretBox


async def set_contacts(
    *,
    uow: UnitOfWorkFactory,
    principal: Principal,
    party_id: uuid.UUID,
    command: SetContacts,
    box: SecretBox,
    allow_loopback: bool,
    allow_private: bool,
) -> ContactSettings:
    """Changes the caller's own contact settings; returns them as shown back to it."""
    access.require_contacts_writer(principal, party_id)
    async with uow() as u:
        current = await repository.contact_for_update(u.session, party_id) or NO_CONTACTS
        change = change_contact_settings(
            current, command.changes(), allow_loopback=allow_loopback, allow_private=allow_private
        )
        keep = change.new_secret is None and not change.drop_secret
        await repository.save_contact(
            u.session,
            party_id=party_id,
            email=change.email,
            webhook_url=change.webhook_url,
            sealed_secret=box.seal(change.new_secret) if change.new_secret else None,
            keep_secret=keep,
        )
    has_secret = change.new_secret is not None or (keep and current.has_webhook_secret)
    return ContactSettings(
        email=change.email,
        webhook_url=change.webhook_url,
        has_webhook_secret=has_secret and change.webhook_url is not None,
    )


async def subscribe_society(
    *, uow: UnitOfWorkFactory, principal: Principal, party_id: uuid.UUID
) -> None:
    access.require_operator(principal)
    async with uow() as u:
        await repository.add_society(u.session, party_id=party_id, by=principal.party_id)


async def unsubscribe_society(
    *, uow: UnitOfWorkFactory, principal: Principal, party_id: uuid.UUID
) -> bool:
    access.require_operator(principal)
    async with uow() as u:
        return await repository.remove_society(u.session, party_id=party_id)


async def mark_read(*, uow: UnitOfWorkFactory, principal: Principal, command: MarkRead) -> int:
    """Marks the caller's own unread entries among the ids; returns how many changed."""
    me = access.caller_party(principal)
    async with uow() as u:
        return await repository.mark_read(u.session, recipient_id=me, ids=command.ids)


async def redeliver(
    *, uow: UnitOfWorkFactory, principal: Principal, delivery_id: uuid.UUID
) -> Delivery:
    """Puts the caller's own FAILED delivery back in the queue, due now (domain/retry.py)."""
    async with uow() as u:
        found = await repository.delivery_for_update(u.session, delivery_id)
        delivery = access.own_delivery(principal, found)
        if redelivers(delivery.status):
            await repository.requeue_delivery(u.session, delivery)
        return delivery
