"""What a dispute must carry (the disputer's standing) and who may open one, how often.

A dispute freezes a work and reaches every owner, so it is not free (DOMAIN.md, Filing
lifecycle): it states a claimed role and share, or evidence; owners may not dispute their own
work; and a party opens a bounded number of disputes per UTC day.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from contracts.enums import Role

from filing.domain.errors import DisputeLimitReached, OwnerCannotDispute
from filing.domain.holders import RightsHolder
from filing.domain.text import REASON_MAX, TextRequired, optional_text

# Evidence is free text shown to examiners and owners: bounded like a reason.
EVIDENCE_MAX = REASON_MAX
EVIDENCE_MIN_DEFAULT = 50
DISPUTES_PER_DAY_DEFAULT = 5


@dataclass(frozen=True)
class Standing:
    """Why the disputer has a say: a claimed role and share, evidence, or both."""

    claimed_role: Role | None = None
    claimed_share: Decimal | None = None
    evidence: str | None = None


def parse_evidence(value: object) -> str | None:
    return optional_text(value, field="evidence", max_length=EVIDENCE_MAX, multiline=True)


def standing(
    *,
    claimed_role: Role | None,
    claimed_share: Decimal | None,
    evidence: str | None,
    evidence_min: int,
) -> Standing:
    """The disputer's standing, or `InvalidInput` naming the field that is missing or short."""
    role, share, text = claimed_role, claimed_share, evidence
    if role is not None and share is None:
        raise TextRequired("a claimed role needs the claimed share", field="claimed_share")
    if share is not None and role is None:
        raise TextRequired("a claimed share needs the claimed role", field="claimed_role")
    if text is not None and len(text) < evidence_min:
        raise TextRequired(
            f"evidence must be at least {evidence_min} characters", field="evidence"
        )
    if share is None and text is None:
        raise TextRequired(
            "a dispute needs the disputer's standing: claimed_role and claimed_share, "
            f"or evidence of at least {evidence_min} characters",
            field="evidence",
        )
    return Standing(claimed_role=role, claimed_share=share, evidence=text)


def ensure_not_owner(holders: tuple[RightsHolder, ...], disputer: UUID) -> None:
    """An owner transfers or asks an examiner; disputing its own work would only freeze it."""
    if any(holder.party_id == disputer for holder in holders):
        raise OwnerCannotDispute(
            "a rights holder of this work cannot dispute it; transfer shares instead",
            field="work_id",
        )


def ensure_under_daily_limit(opened_today: int, *, limit: int) -> None:
    """Raise once the party has opened `limit` disputes this UTC day."""
    if opened_today >= limit:
        raise DisputeLimitReached(
            f"a party may open at most {limit} disputes per day (UTC); try again tomorrow",
            field="work_id",
        )
