"""What every event model stands on: the immutable payload, the CloudEvent `data` contract,
the status check, and the fields several events share."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.times import UtcDateTime

NonEmptyText = Annotated[str, Field(min_length=1)]


class Payload(BaseModel):
    """Immutable wire model; unknown fields are ignored so a reader tolerates later additions."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class EventData(Payload):
    """The `data` of one CloudEvent; subclasses name their type, topic, source and key."""

    ce_type: ClassVar[str]
    topic: ClassVar[str]
    source: ClassVar[str]

    occurred_at: UtcDateTime

    def aggregate_id(self) -> str:
        """The record key and `ce_subject`: the id of the aggregate this event is about."""
        raise NotImplementedError


class StatusEvent(EventData):
    """An event about an aggregate with a status: its type fixes the status the aggregate has
    after it, checked so no event contradicts its type."""

    # The field that carries the aggregate's state after the change ("work", "licence").
    subject_field: ClassVar[str]
    resulting_status: ClassVar[StrEnum]

    def aggregate_id(self) -> str:
        return str(getattr(self, self.subject_field).id)

    @model_validator(mode="after")
    def _status_matches_type(self) -> StatusEvent:
        status = getattr(self, self.subject_field).status
        if status != self.resulting_status:
            raise ValueError(
                f"{self.subject_field}.status: a {type(self).__name__} event needs status "
                f"{self.resulting_status}, got {status}"
            )
        return self


ActorId = Annotated[
    UUID | None, Field(description="the party who caused the change; null when automatic")
]

# The order of one aggregate's snapshots: filing counts each party's and each work's changes
# in the transaction that makes them, so a reader orders snapshots without trusting any clock.
AggregateVersion = Annotated[
    int | None,
    Field(
        ge=1,
        description=(
            "the aggregate's version after this change: 1 for its first event, one more for "
            "each later event of the same party or work; a reader keeps the snapshot with the "
            "highest version. Absent on events written before versions existed."
        ),
    ),
]
