"""The deal forms (WEB.md, "Deals"): offering a licence, transferring a share, disputing a
work and resolving a dispute, read into the API's inputs, and the API's field errors placed at
the forms' controls. Plain data, no I/O; the API's answer decides every rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal

from web.filing import ERROR_TEXT
from web.form_errors import FieldError, Wording
from web.labels import N_

MEDIA = ("STREAMING", "DOWNLOAD", "BROADCAST", "PUBLIC_PERFORMANCE", "SYNC", "PRINT",
         "MERCHANDISE", "THEATRICAL", "OTHER")
# The error codes of the deal forms the pages word themselves, besides filing's.
DEAL_ERROR_TEXT = {
    **ERROR_TEXT,
    "NOT_A_NUMBER": N_("Write a number, such as 50 or 12.5."),
    "LICENCE_CONFLICT": N_("An active licence already covers part of these terms."),
    "SELF_LICENCE": N_("A party cannot license a work to itself."),
    "WORK_NOT_REGISTERED": N_("Only a registered work can be licensed."),
    "WORK_NOT_LICENSABLE": N_("Only a registered work can be licensed."),
    "WORK_DISPUTED": N_("The work is disputed: it takes no offers until the dispute is resolved."),
    "NOT_AN_OWNER": N_("Only an owner of the work may do this."),
    "SHARE_EXCEEDS_HOLDING": N_("You hold less than this share."),
    "OWNER_CANNOT_DISPUTE": N_("An owner cannot dispute their own work: transfer shares instead."),
    "DISPUTE_LIMIT_REACHED": N_("You have opened as many disputes today as one party may."),
    "EXAMINER_ONLY": N_("Only an examiner may resolve a dispute."),
    "ILLEGAL_TRANSITION": N_("The licence has moved on: this can no longer be done."),
    "NOT_THE_LICENSEE": N_("Only the licensee may do this."),
    "NOT_THE_OFFEROR": N_("Only the party who made the offer may withdraw it."),
    "NOT_A_PARTY_TO_THE_LICENCE": N_("Only the licensor or the licensee may do this."),
    "NOT_ASKED_TO_CONSENT": N_("Only an owner asked to consent may answer this offer."),
    "CONSENT_ALREADY_ANSWERED": N_("You have answered this offer already."),
    "ADVANCE_ALREADY_PAID": N_("The advance is recorded as paid already."),
    "NO_ADVANCE": N_("This licence has no advance to pay."),
    "STATEMENT_ALREADY_PAID": N_("This statement is recorded as paid already."),
    "NOTHING_TO_PAY": N_("Nothing is due on this statement."),
}
# A malformed value (INVALID_*), worded by the control it is shown at.
INVALID_AT = {
    "licenseeId": N_("This is not a party ID."),
    "toPartyId": N_("This is not a party ID."),
    "territories": N_("Choose at least one country, or write ISO country codes such as TH VN."),
    "media": N_("Choose at least one medium."),
    "start": N_("This is not a valid date."),
    "end": N_("This is not a valid date, or it is before the start."),
    "royaltyRate": N_("A royalty rate is a percentage from 0 to 100, with at most two decimals."),
    "advance": N_("An advance is an amount of the currency, not negative."),
    "currency": N_("This is not a currency code such as THB or USD."),
    "share": N_("A share is more than 0 and at most 100, with at most two decimals."),
    "claimedShare": N_("A share is more than 0 and at most 100, with at most two decimals."),
    "reason": N_("A reason is required."),
    "evidence": N_("Give a claimed role and share, or evidence of at least 50 characters."),
    "paidOn": N_("Write the date it was paid, not in the future."),
    "reference": N_("Write the payment's reference, such as the bank transfer's."),
}
_INDEX = re.compile(r"\[\d+\]")


@dataclass
class DealForm:
    """What was typed into one of the deal forms, kept to show it again; `values` by the API's
    field names (the controls' ids), `chosen` for the check boxes."""

    values: dict[str, str] = field(default_factory=dict)
    chosen: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def has(self, name: str, value: str) -> bool:
        return value in self.chosen.get(name, [])


wording = Wording(DEAL_ERROR_TEXT, INVALID_AT)


def control_of(api_field: str | None, controls: tuple[str, ...]) -> str | None:
    """The control an API field names (`input.territories[2]` -> `territories`), None when
    the form has no such control (shown above the form)."""
    if not api_field:
        return None
    name = _INDEX.sub("", api_field.removeprefix("input."))
    name = {"licensee_id": "licenseeId", "royalty_rate": "royaltyRate",
            "to_party_id": "toPartyId", "claimed_share": "claimedShare",
            "claimed_role": "claimedRole"}.get(name, name)
    if name.startswith("rightsHolders"):
        name = "rightsHolders"
    return name if name in controls else None


def field_errors(errors: list[dict[str, Any]], controls: tuple[str, ...]) -> list[FieldError]:
    return [FieldError(control_of(e.get("field"), controls), str(e.get("code", "")),
                       str(e.get("message", ""))) for e in errors]


def read(form: Any, names: tuple[str, ...], lists: tuple[str, ...] = ()) -> DealForm:
    return DealForm(
        values={name: str(form.get(name, "")).strip() for name in names},
        chosen={name: [str(v) for v in form.getlist(name)] for name in lists},
    )


def number(typed: str, language: str, control: str,
           errors: list[FieldError]) -> str | None:
    """A number as the page's locale writes it ("12,5" in Indonesian), as the API's decimal
    string; blank is None; not a number: an error at its control (and sent as typed: never)."""
    if not typed:
        return None
    try:
        value: Decimal = parse_decimal(typed, locale=Locale.parse(language), strict=True)
    except NumberFormatError:
        errors.append(FieldError(control, "NOT_A_NUMBER", ""))
        return None
    return format(value, "f")


OFFER_CONTROLS = ("licenseeId", "territories", "media", "exclusive", "start", "end",
                  "royaltyRate", "advance", "currency")


def read_offer(form: Any) -> DealForm:
    return read(form, ("licenseeId", "otherTerritories", "exclusive", "start", "end",
                       "royaltyRate", "advance", "currency"), ("territories", "media"))


def offer_input(work_id: str, offer: DealForm, language: str,
                key: str) -> tuple[dict[str, Any], list[FieldError]]:
    """The API's `OfferLicenceInput` and the errors the page finds itself (a number that is
    not one of the page's locale)."""
    errors: list[FieldError] = []
    territories = offer.chosen.get("territories", []) + \
        [code.upper() for code in re.split(r"[\s,;]+", offer.get("otherTerritories")) if code]
    payload: dict[str, Any] = {
        "workId": work_id,
        "licenseeId": offer.get("licenseeId"),
        "territories": territories,
        "media": offer.chosen.get("media", []),
        "exclusive": offer.get("exclusive") == "yes",
        "start": offer.get("start"),
        "end": offer.get("end") or None,
        "royaltyRate": number(offer.get("royaltyRate"), language, "royaltyRate", errors) or "",
        "advance": number(offer.get("advance"), language, "advance", errors) or "0",
        "currency": offer.get("currency").upper(),
        "idempotencyKey": key,
    }
    return payload, errors


TRANSFER_CONTROLS = ("toPartyId", "share", "role")


def transfer_input(work_id: str, transfer: DealForm, language: str,
                   key: str) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    share = number(transfer.get("share"), language, "share", errors)
    return {"workId": work_id, "toPartyId": transfer.get("toPartyId"), "share": share or "",
            "role": transfer.get("role") or None, "idempotencyKey": key}, errors


DISPUTE_CONTROLS = ("reason", "claimedRole", "claimedShare", "evidence")


def dispute_variables(work_id: str, dispute: DealForm,
                      language: str) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    share = number(dispute.get("claimedShare"), language, "claimedShare", errors)
    return {"workId": work_id, "reason": dispute.get("reason"),
            "claimedRole": dispute.get("claimedRole") or None, "claimedShare": share,
            "evidence": dispute.get("evidence") or None}, errors


RESOLVE_CONTROLS = ("keepOwners", "reason", "rightsHolders")


def resolve_input(work_id: str, resolve: DealForm, key: str) -> dict[str, Any]:
    """An examiner's resolution: keep the owners, or (keepOwners false) the holders typed one a
    line as "party ID, role, share" (the API checks each)."""
    keep = resolve.get("keepOwners") != "no"
    holders = []
    for line in resolve.get("rightsHolders").splitlines():
        parts = [part.strip() for part in line.split(",")]
        if any(parts):
            parts += [""] * (3 - len(parts))
            holders.append({"partyId": parts[0], "role": parts[1].upper(), "share": parts[2]})
    return {"workId": work_id, "keepOwners": keep, "reason": resolve.get("reason"),
            "rightsHolders": None if keep else holders, "idempotencyKey": key}


def allowed_actions(status: str, viewer: str | None, licensor: str, licensee: str,
                    consents: list[dict[str, Any]] | None = None) -> list[str]:
    """The buttons the deal page shows (DOMAIN.md, "Licensing"): the licensee accepts or
    declines an offer, its offeror withdraws it, either side terminates an active licence, an
    owner asked to consent to an exclusive offer consents or refuses. The API decides again;
    this only spares a person buttons that can only be refused."""
    if viewer is None:
        return []
    actions: list[str] = []
    if status == "AWAITING_OWNERS":
        if any(c["party"]["id"] == viewer and c["status"] == "PENDING" for c in consents or []):
            actions += ["consent", "refuse"]
    elif status == "OFFERED":
        if viewer == licensee:
            actions += ["accept", "decline"]
        if viewer == licensor:
            actions.append("withdraw")
    elif status == "ACTIVE" and viewer in (licensor, licensee):
        actions.append("terminate")
    return actions


def waiting_until(consents: list[dict[str, Any]]) -> str | None:
    """When an offer waiting for its co-owners lapses: the earliest pending owner's due time."""
    due = [c["dueAt"] for c in consents if c["status"] == "PENDING"]
    return min(due) if due else None


def advance_due(licence: dict[str, Any], viewer: str | None) -> bool:
    """The licensee may record the advance paid: the terms have one above zero, the licence is
    in force and no ADVANCE statement records it yet (the API refuses a second: once)."""
    return (viewer == licence["licensee"]["id"] and licence["status"] == "ACTIVE"
            and Decimal(licence["terms"]["advance"]) > 0
            and not any(s["kind"] == "ADVANCE" for s in licence["statements"]))


def advance_paid(licence: dict[str, Any]) -> dict[str, Any] | None:
    """The advance's payment (date, reference), once recorded."""
    return next((s["advancePayment"] for s in licence["statements"]
                 if s["kind"] == "ADVANCE" and s.get("advancePayment")), None)


PAYMENT_CONTROLS = ("paidOn", "reference")
