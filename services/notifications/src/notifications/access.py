"""Who may see and change what in this service (DOMAIN.md, "Access"): pure checks over the
caller and the object; the rules themselves are `contracts.access`'s, shared with the gateway."""

from __future__ import annotations

import uuid
from typing import Protocol, TypeVar

from contracts.errors import NotAllowed, NotFound
from runtime.auth import Principal

from contracts import access


def caller_party(principal: Principal) -> uuid.UUID:
    """The caller's party id; every route answers 403 to a token whose subject is not one."""
    try:
        return uuid.UUID(principal.party_id)
    except ValueError as exc:
        raise NotAllowed("the token's subject is not a party id", field="Authorization") from exc


def _caller(principal: Principal) -> access.Caller:
    return access.Caller(party_id=caller_party(principal), roles=principal.roles)


def can_see_contacts(principal: Principal, party_id: uuid.UUID) -> bool:
    """A party's contact settings are private: only the party itself reads or sets them."""
    return access.may_manage_contacts(_caller(principal), party_id)


def require_own_contacts(principal: Principal, party_id: uuid.UUID) -> None:
    if not can_see_contacts(principal, party_id):
        raise NotAllowed("only the party itself may do this", field="party_id")


def require_contacts_writer(principal: Principal, party_id: uuid.UUID) -> None:
    """The party itself, or the registrar writing a new party's first contact settings."""
    if not access.may_register_party(_caller(principal), party_id):
        raise NotAllowed("only the party itself may do this", field="party_id")


def can_see_notification(principal: Principal, recipient_id: uuid.UUID) -> bool:
    """A notification, and each of its deliveries, is visible to its recipient only."""
    return access.may_see_notification(_caller(principal), recipient_id)


def require_own_inbox(principal: Principal, recipient_id: uuid.UUID) -> None:
    if not can_see_notification(principal, recipient_id):
        raise NotAllowed("a party reads only its own notifications", field="recipient_id")


class Addressed(Protocol):
    @property
    def recipient_id(self) -> uuid.UUID: ...


D = TypeVar("D", bound=Addressed)


def own_delivery(principal: Principal, delivery: D | None) -> D:
    """The caller's own delivery; another party's answers as an unknown one, so ids are not
    a way to probe."""
    if delivery is None or not can_see_notification(principal, delivery.recipient_id):
        raise NotFound("no such delivery of yours", field="delivery_id")
    return delivery


def require_operator(principal: Principal) -> None:
    """Only an operator subscribes or unsubscribes collecting societies."""
    if not principal.is_operator:
        raise NotAllowed("only an operator may subscribe collecting societies", code="NOT_OPERATOR")
