"""Licensing's events about a licence's terms changing: amendments and renewals proposed,
accepted or declined (DOMAIN.md, "Amendments and renewals"). The licence stays ACTIVE
throughout; each event carries the licence after it and the version concerned."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from contracts import topics
from contracts.enums import LicenceStatus, Medium
from contracts.events.base import Payload
from contracts.events.licensing import LicenceEvent
from contracts.money import Rate
from contracts.territories import Territories


class LicenceVersion(Payload):
    """A numbered version of a licence's terms: in force from `effective_from` to `end`."""

    number: int = Field(ge=2)
    kind: Literal["AMENDMENT", "RENEWAL"]
    state: Literal["PENDING", "ACCEPTED", "DECLINED"]
    effective_from: date
    end: date | None = Field(default=None, description="inclusive; null when open-ended")
    territories: Territories
    media: list[Medium] = Field(min_length=1)
    exclusive: bool
    royalty_rate: Rate
    proposed_by: UUID
    side: Literal["LICENSOR", "LICENSEE"] = Field(description="the side that proposed it")


class LicenceVersionEvent(LicenceEvent):
    resulting_status: ClassVar[LicenceStatus] = LicenceStatus.ACTIVE

    version: LicenceVersion


class LicenceAmendmentProposed(LicenceVersionEvent):
    """One side proposed an amendment or a renewal; the other side is asked to answer."""

    ce_type: ClassVar[str] = topics.LICENCE_AMENDMENT_PROPOSED


class LicenceAmended(LicenceVersionEvent):
    """The other side accepted an amendment: the licence's terms changed from its date."""

    ce_type: ClassVar[str] = topics.LICENCE_AMENDED


class LicenceRenewed(LicenceVersionEvent):
    """The other side accepted a renewal: the licence continues to its new end."""

    ce_type: ClassVar[str] = topics.LICENCE_RENEWED


class LicenceAmendmentDeclined(LicenceVersionEvent):
    """A proposal was declined (or withdrawn by its side); the terms stay as they were."""

    ce_type: ClassVar[str] = topics.LICENCE_AMENDMENT_DECLINED
