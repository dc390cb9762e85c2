"""Registering the signed-in account's party (WEB.md, "Signing up"): the form read into the
API's `RegisterPartyInput`, and the API's refusal placed at the form's control. As for filing,
the web app checks none of the rules: the API's answer decides."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from web.filing import ERROR_TEXT
from web.form_errors import FieldError, Wording
from web.labels import N_

# The form's controls, named as the API's input fields (its errors name them).
CONTROLS = ("name", "kind", "country", "email", "webhookUrl", "webhookSecret",
            "ipiNameNumber", "isni")
# A malformed value (INVALID_INPUT), worded by the control it is shown at.
INVALID_AT = {
    "name": N_("Write the party's name."),
    "country": N_("Choose the party's country."),
    "email": N_("This is not a valid email address."),
    "webhookUrl": N_("Write an address that starts with https:// or http://."),
    "webhookSecret": N_("A webhook needs a secret of at least 16 characters."),
    "ipiNameNumber": N_("This is not a valid IPI name number."),
    "isni": N_("This is not a valid ISNI."),
}


@dataclass
class PartyForm:
    """What was typed, kept to show the form again (never the webhook secret); each field
    named as the API's input field and the form's control."""

    name: str = ""
    kind: str = "PERSON"
    country: str = ""
    email: str = ""
    webhookUrl: str = ""
    ipiNameNumber: str = ""
    isni: str = ""


def read_form(form: Any) -> tuple[PartyForm, str]:
    """The typed fields, and the webhook secret apart (it is sent, never shown again)."""
    typed = {f.name: str(form.get(f.name, "")).strip() for f in fields(PartyForm)}
    typed["country"] = typed["country"].upper()
    return PartyForm(**typed), str(form.get("webhookSecret", ""))


def to_input(party: PartyForm, webhook_secret: str) -> dict[str, Any]:
    """The API's `RegisterPartyInput`: blank optional fields left out."""
    payload: dict[str, Any] = {"name": party.name, "kind": party.kind, "country": party.country}
    optional = {"email": party.email, "webhookUrl": party.webhookUrl,
                "ipiNameNumber": party.ipiNameNumber, "isni": party.isni,
                "webhookSecret": webhook_secret}
    payload.update({name: value for name, value in optional.items() if value})
    return payload


def field_errors(errors: list[dict[str, Any]]) -> list[FieldError]:
    """The payload's `errors` placed at the form's controls (None: above the form)."""
    return [
        FieldError(error.get("field") if error.get("field") in CONTROLS else None,
                   str(error.get("code", "")), str(error.get("message", "")))
        for error in errors
    ]


wording = Wording(ERROR_TEXT, INVALID_AT)
