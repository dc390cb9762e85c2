"""The "file a work" form (WEB.md, "Filing a work"): what was typed read into the API's
`FileWorkInput`, and the API's field errors placed at the form's controls. The web app checks
none of the register's rules: the API's answer decides."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal

from web.form_errors import FieldError, Wording
from web.labels import N_

HOLDER_ROWS = 6
IDENTIFIERS = ("iswc", "isrc", "isbn")
FIELDS = ("title", "alternateTitles", "kind", "countryOfOrigin", *IDENTIFIERS)
# The API's error codes the page words itself; any other code shows the API's own message.
ERROR_TEXT = {
    "REQUIRED": N_("This is required."),
    "TOO_LONG": N_("This is too long."),
    "UNKNOWN_VALUE": N_("This is not one of the values the register knows."),
    "UNKNOWN_PARTY": N_("The register has no party with this ID."),
    "PARTY_NOT_FOUND": N_("The register has no party with this ID."),
    "DUPLICATE_RIGHTS_HOLDER": N_("This party is named twice."),
    "FILER_NOT_RIGHTS_HOLDER": N_("Your own party must be one of the holders."),
    "IDENTIFIER_TAKEN": N_("Another work already has this identifier."),
    "IDENTIFIER_NOT_FOR_KIND": N_("This identifier does not fit the kind of work."),
    "NOT_A_NUMBER": N_("Write the share as a number, such as 50 or 33.33."),
}
# A malformed value (INVALID_INPUT, INVALID_IDENTIFIER, INVALID_SHARE), worded by the control
# it is shown at.
INVALID_AT = {
    "iswc": N_("This is not a valid ISWC."),
    "isrc": N_("This is not a valid ISRC."),
    "isbn": N_("This is not a valid ISBN."),
    "holders": N_("Check the holders: each needs a party ID, and the shares must add up to 100."),
    "party": N_("This is not a party ID."),
    "share": N_("A share is more than 0 and at most 100, with at most two decimals."),
}
_HOLDER_FIELD = re.compile(r"^rightsHolders\[(\d+)\](?:\.(partyId|role|share))?$")


@dataclass
class Holder:
    party_id: str = ""
    role: str = ""
    share: str = ""


def new_key() -> str:
    """The idempotency key of one rendering of the form: submitted twice (a double click, a
    reload that posts again), the API files the work once and answers both alike."""
    return str(uuid.uuid4())


@dataclass
class WorkForm:
    """What was typed, kept to show the form again."""

    key: str = field(default_factory=new_key)
    title: str = ""
    alternate_titles: str = ""
    kind: str = ""
    country: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)
    holders: list[Holder] = field(default_factory=list)


wording = Wording(ERROR_TEXT, INVALID_AT)


def control_of(api_field: str | None, rows: list[int]) -> str | None:
    """The form control an API field names: `rightsHolders[i].share` is the share of the
    i-th filled row (blank rows are not sent); None when the form has no such control."""
    if not api_field:
        return None
    if api_field in ("title", "kind", "countryOfOrigin"):
        return api_field
    if api_field.startswith("alternateTitles"):
        return "alternateTitles"
    if api_field.startswith("identifiers."):
        name = api_field.split(".", 1)[1]
        return name if name in IDENTIFIERS else None
    if api_field == "rightsHolders":
        return "holders"
    found = _HOLDER_FIELD.match(api_field)
    if not found or int(found.group(1)) >= len(rows):
        return "holders" if api_field.startswith("rightsHolders") else None
    part = {"partyId": "party", "role": "role", "share": "share"}.get(found.group(2) or "")
    row = rows[int(found.group(1))]
    return f"holder-{row}-{part}" if part else "holders"


def read_form(form: Any) -> WorkForm:
    def text(name: str) -> str:
        return str(form.get(name, "")).strip()

    return WorkForm(
        key=text("idempotencyKey"),
        title=text("title"),
        alternate_titles=str(form.get("alternateTitles", "")),
        kind=text("kind"),
        country=text("countryOfOrigin").upper(),
        identifiers={name: text(name) for name in IDENTIFIERS},
        holders=[
            Holder(text(f"holder-{row}-party"), text(f"holder-{row}-role"),
                   text(f"holder-{row}-share"))
            for row in range(HOLDER_ROWS)
        ],
    )


def to_input(work: WorkForm, language: str) -> tuple[dict[str, Any], list[int], list[FieldError]]:
    """The API's `FileWorkInput`, the form rows its holders came from, and the errors the page
    finds itself (a share that is no number of the page's locale)."""
    rows: list[int] = []
    holders: list[dict[str, str]] = []
    errors: list[FieldError] = []
    locale = Locale.parse(language)
    for row, holder in enumerate(work.holders):
        if not (holder.party_id or holder.share):
            continue
        share: Decimal | None = None
        try:
            share = parse_decimal(holder.share, locale=locale, strict=True)
        except NumberFormatError:
            errors.append(FieldError(f"holder-{row}-share", "NOT_A_NUMBER", ""))
        rows.append(row)
        holders.append({"partyId": holder.party_id, "role": holder.role,
                        "share": str(share if share is not None else holder.share)})
    titles = [line.strip() for line in work.alternate_titles.splitlines() if line.strip()]
    identifiers = {name: value for name, value in work.identifiers.items() if value}
    payload: dict[str, Any] = {
        "title": work.title,
        "kind": work.kind,
        "countryOfOrigin": work.country,
        "rightsHolders": holders,
        "alternateTitles": titles or None,
        "identifiers": identifiers or None,
        "idempotencyKey": work.key or None,
    }
    return payload, rows, errors


def field_errors(errors: list[dict[str, Any]], rows: list[int]) -> list[FieldError]:
    """The payload's `errors` placed at the form's controls."""
    return [
        FieldError(control_of(error.get("field"), rows), str(error.get("code", "")),
                   str(error.get("message", "")))
        for error in errors
    ]
