"""The event catalogue (EVENTS.md): one pydantic model per event type and version, in a module
per producing service (`filing`, `licensing`, `notifications`) over a shared `base` (whose field
types the event modules import from it).

Each event carries what a consumer needs without calling back: the aggregate's full current
state after the change plus the facts of the change. Parties appear by id and public data
only: no email, webhook URL or secret ever travels on an event.
"""

from __future__ import annotations

from contracts.events.base import EventData, Payload, StatusEvent
from contracts.events.filing import (
    BulkImportCompleted,
    FilingNumber,
    Identifiers,
    PartyEvent,
    PartyRegistered,
    PartyState,
    PartyUpdated,
    RegistrationNumber,
    RightsHolder,
    SocietyAcknowledgementReceived,
    SocietyEvent,
    SocietyRegistrationSent,
    TerritoryShare,
    WorkDisputed,
    WorkDisputeResolved,
    WorkEvent,
    WorkFiled,
    WorkOwnershipTransferred,
    WorkRegistered,
    WorkRejected,
    WorkReviewRequested,
    WorkState,
    check_rights_holders,
)
from contracts.events.licensing import (
    LicenceActivated,
    LicenceDeclined,
    LicenceEvent,
    LicenceExpired,
    LicenceOffered,
    LicenceState,
    LicenceTerminated,
    LicenceTerms,
    LicenceWithdrawn,
    RoyaltyStatement,
    RoyaltyStatementIssued,
    StatementLine,
    UsageReport,
    UsageReported,
)
from contracts.events.notifications import (
    NotificationDelivered,
    NotificationEvent,
    NotificationFailed,
)

ALL_EVENTS: tuple[type[EventData], ...] = (
    PartyRegistered,
    PartyUpdated,
    WorkFiled,
    WorkRegistered,
    WorkRejected,
    WorkReviewRequested,
    WorkOwnershipTransferred,
    WorkDisputed,
    WorkDisputeResolved,
    BulkImportCompleted,
    SocietyRegistrationSent,
    SocietyAcknowledgementReceived,
    LicenceOffered,
    LicenceActivated,
    LicenceDeclined,
    LicenceWithdrawn,
    LicenceTerminated,
    LicenceExpired,
    UsageReported,
    RoyaltyStatementIssued,
    NotificationDelivered,
    NotificationFailed,
)

EVENT_TYPES: dict[str, type[EventData]] = {cls.ce_type: cls for cls in ALL_EVENTS}

__all__ = [
    "ALL_EVENTS",
    "EVENT_TYPES",
    "BulkImportCompleted",
    "EventData",
    "FilingNumber",
    "Identifiers",
    "LicenceActivated",
    "LicenceDeclined",
    "LicenceEvent",
    "LicenceExpired",
    "LicenceOffered",
    "LicenceState",
    "LicenceTerminated",
    "LicenceTerms",
    "LicenceWithdrawn",
    "NotificationDelivered",
    "NotificationEvent",
    "NotificationFailed",
    "PartyEvent",
    "PartyRegistered",
    "PartyState",
    "PartyUpdated",
    "Payload",
    "RegistrationNumber",
    "RightsHolder",
    "RoyaltyStatement",
    "RoyaltyStatementIssued",
    "SocietyAcknowledgementReceived",
    "SocietyEvent",
    "SocietyRegistrationSent",
    "StatementLine",
    "StatusEvent",
    "TerritoryShare",
    "UsageReport",
    "UsageReported",
    "WorkDisputeResolved",
    "WorkDisputed",
    "WorkEvent",
    "WorkFiled",
    "WorkOwnershipTransferred",
    "WorkRegistered",
    "WorkRejected",
    "WorkReviewRequested",
    "WorkState",
    "check_rights_holders",
]
