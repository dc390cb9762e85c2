"""The contract's enums: the shared vocabularies of `contracts.enums`, known to strawberry."""

from __future__ import annotations

import strawberry
from contracts.enums import (
    FilingConsentStatus,
    LicenceStatus,
    Medium,
    OwnerConsentStatus,
    PartyKind,
    ReviewDecision,
    Role,
    StatementKind,
    WorkKind,
    WorkStatus,
)

# strawberry.enum registers the class itself, so these stay the very types services use.
for _enum in (PartyKind, WorkKind, Role, WorkStatus, Medium, LicenceStatus, ReviewDecision):
    strawberry.enum(_enum)
strawberry.enum(StatementKind)
strawberry.enum(OwnerConsentStatus)
# Co-owners' consent to a filing (DOMAIN.md).
strawberry.enum(FilingConsentStatus)

__all__ = [
    "FilingConsentStatus",
    "LicenceStatus",
    "Medium",
    "OwnerConsentStatus",
    "PartyKind",
    "ReviewDecision",
    "Role",
    "StatementKind",
    "WorkKind",
    "WorkStatus",
]
