"""The commands the API accepts, parsed once at the edge into what the service functions take."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field
from runtime.id_lists import MAX_IDS


class SetContacts(BaseModel):
    """Absent fields keep their stored value; null clears one."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = Field(default=None, repr=False)

    def changes(self) -> dict[str, str | None]:
        """The fields the caller gave, by name: what `change_contact_settings` applies."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class MarkRead(BaseModel):
    ids: list[uuid.UUID] = Field(max_length=MAX_IDS)
