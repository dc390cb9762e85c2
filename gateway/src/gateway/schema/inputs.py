"""The contract's input types, and their translation into the services' request bodies.

Checks that need no service (ids, decimal places, shares) run here so a bad value comes back
as a UserError naming the GraphQL field, and never reaches a service.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import strawberry
from contracts.money import decimal_text, parse_amount, parse_currency, parse_rate
from contracts.shares import parse_right_share, parse_share, parse_society
from runtime.idempotency import parse_key

from gateway.errors import UserError
from gateway.schema.common import require_id
from gateway.schema.enums import Medium, PartyKind, Role, WorkKind

Body = dict[str, Any]

IDEMPOTENCY_KEY = (
    "chosen by the client, one per intended action (a UUID): a retry with the same key "
    "answers the first answer and applies nothing again; with another request it is refused "
    "(IDEMPOTENCY_KEY_REUSED)"
)


def idempotency_field() -> Any:
    """The `idempotencyKey` of a keyed mutation's input (DOMAIN.md, "Retried commands")."""
    return strawberry.field(default=None, description=IDEMPOTENCY_KEY)


def idempotency_key(value: str | None) -> str | None:
    """A mutation's idempotency key, checked here so a bad one names `idempotencyKey`."""
    return None if value is None else parse_key(value, field="idempotencyKey")


@strawberry.input
class RegisterPartyInput:
    name: str
    kind: PartyKind
    country: str
    email: str | None = None
    webhook_url: str | None = None
    ipi_name_number: str | None = None
    isni: str | None = None
    webhook_secret: str | None = strawberry.field(
        default=None,
        description="chosen by the party (16+ chars) to verify webhook signatures; "
        "never readable back",
    )


@strawberry.input
class IdentifiersInput:
    iswc: str | None = None
    isrc: str | None = None
    isbn: str | None = None


@strawberry.input(
    description="What a holder collects in one territory where it differs from its ownership "
    "shares; a share left out is its ownership share of that right"
)
class TerritoryShareInput:
    territory: str
    performing_share: decimal.Decimal | None = None
    mechanical_share: decimal.Decimal | None = None
    sync_share: decimal.Decimal | None = None


@strawberry.input
class RightsHolderInput:
    party_id: strawberry.ID
    role: Role
    share: decimal.Decimal = strawberry.field(
        description="the performing share, and the share of every right not stated otherwise"
    )
    mechanical_share: decimal.Decimal | None = None
    sync_share: decimal.Decimal | None = None
    performing_society: str | None = strawberry.field(
        default=None, description="CISAC society code the holder is affiliated with (PR)"
    )
    mechanical_society: str | None = None
    sync_society: str | None = None
    territory_shares: list[TerritoryShareInput] | None = None


def _by_right(h: RightsHolderInput, at: str) -> Body:
    """The holder's stated by-right fields, checked here so an error names the field."""
    body: Body = {}
    for name in ("mechanical_share", "sync_share"):
        value = getattr(h, name)
        if value is not None:
            body[name] = decimal_text(parse_right_share(value, field=f"{at}.{_camel(name)}"))
    for name in ("performing_society", "mechanical_society", "sync_society"):
        value = getattr(h, name)
        if value is not None:
            body[name] = parse_society(value, field=f"{at}.{_camel(name)}")
    if h.territory_shares is not None:
        body["territory_shares"] = [
            {"territory": t.territory}
            | {name: decimal_text(parse_right_share(getattr(t, name),
                                                    field=f"{at}.territoryShares[{j}].{_camel(name)}"))
               for name in ("performing_share", "mechanical_share", "sync_share")
               if getattr(t, name) is not None}
            for j, t in enumerate(h.territory_shares)
        ]  # fmt: skip
    return body


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.input
class FileWorkInput:
    title: str
    kind: WorkKind
    country_of_origin: str
    rights_holders: list[RightsHolderInput]
    alternate_titles: list[str] | None = None
    identifiers: IdentifiersInput | None = None
    recording_of: strawberry.ID | None = strawberry.field(
        default=None, description="SOUND_RECORDING only: the musical work it records"
    )
    idempotency_key: str | None = idempotency_field()


@strawberry.input
class TransferShareInput:
    work_id: strawberry.ID
    to_party_id: strawberry.ID
    share: decimal.Decimal
    role: Role | None = strawberry.field(
        default=None, description="which holding, when the caller holds the work in several roles"
    )
    idempotency_key: str | None = idempotency_field()


@strawberry.input
class ResolveDisputeInput:
    work_id: strawberry.ID
    keep_owners: bool
    reason: str
    rights_holders: list[RightsHolderInput] | None = None
    idempotency_key: str | None = idempotency_field()


@strawberry.input
class OfferLicenceInput:
    work_id: strawberry.ID
    licensee_id: strawberry.ID
    territories: list[str]
    media: list[Medium]
    exclusive: bool
    start: datetime.date
    royalty_rate: decimal.Decimal
    currency: str
    end: datetime.date | None = None
    advance: decimal.Decimal | None = decimal.Decimal("0")
    idempotency_key: str | None = idempotency_field()
    minimum_guarantee: decimal.Decimal | None = strawberry.field(
        default=decimal.Decimal("0"), description="0: none; otherwise at least the advance"
    )
    deal_id: strawberry.ID | None = strawberry.field(
        default=None, description="the deal this licence joins (the first offer creates it)"
    )
    cross_collateralised: bool | None = strawberry.field(
        default=False, description="the deal's: stated by every offer in it, never implied"
    )


@strawberry.input
class ReportUsageInput:
    licence_id: strawberry.ID
    period_start: datetime.date
    period_end: datetime.date
    units: int
    gross_revenue: decimal.Decimal
    currency: str | None = strawberry.field(
        default=None, description="when given, must be the licence's; checks the amount's places"
    )
    corrects_report_id: strawberry.ID | None = strawberry.field(
        default=None, description="a correction: the report it adjusts (negative amounts allowed)"
    )
    idempotency_key: str | None = idempotency_field()


def _holders(holders: list[RightsHolderInput], field: str, limit: int) -> list[Body]:
    if len(holders) > limit:
        raise UserError("INVALID_INPUT", f"at most {limit} rights holders", field)
    return [
        {
            "party_id": require_id(h.party_id, f"{field}[{i}].partyId"),
            "role": h.role.value,
            "share": decimal_text(parse_share(h.share, field=f"{field}[{i}].share")),
            **_by_right(h, f"{field}[{i}]"),
        }
        for i, h in enumerate(holders)
    ]


def file_work_body(data: FileWorkInput, limit: int) -> Body:
    body: Body = {
        "title": data.title,
        "kind": data.kind.value,
        "country_of_origin": data.country_of_origin,
        "rights_holders": _holders(data.rights_holders, "rightsHolders", limit),
    }
    if data.alternate_titles is not None:
        body["alternate_titles"] = list(data.alternate_titles)
    if data.identifiers is not None:
        body["identifiers"] = {
            "iswc": data.identifiers.iswc,
            "isrc": data.identifiers.isrc,
            "isbn": data.identifiers.isbn,
        }
    if data.recording_of is not None:
        body["recording_of"] = str(data.recording_of)
    return body


def transfer_body(data: TransferShareInput) -> Body:
    body: Body = {
        "to_party_id": require_id(data.to_party_id, "toPartyId"),
        "share": decimal_text(parse_share(data.share, field="share")),
    }
    if data.role is not None:
        body["role"] = data.role.value
    return body


def dispute_body(
    reason: str,
    *,
    claimed_role: Role | None,
    claimed_share: decimal.Decimal | None,
    evidence: str | None,
) -> Body:
    """The filing service checks the standing (the evidence's minimum length is its setting);
    a dispute with no standing at all is refused here already."""
    if claimed_share is None and claimed_role is None and not (evidence or "").strip():
        raise UserError(
            "INVALID_INPUT",
            "a dispute needs the disputer's standing: claimedRole and claimedShare, or evidence",
            "evidence",
        )
    body: Body = {"reason": reason}
    if claimed_role is not None:
        body["claimed_role"] = claimed_role.value
    if claimed_share is not None:
        body["claimed_share"] = decimal_text(parse_share(claimed_share, field="claimedShare"))
    if evidence is not None:
        body["evidence"] = evidence
    return body


def resolve_body(data: ResolveDisputeInput, limit: int) -> Body:
    body: Body = {"keep_owners": data.keep_owners, "reason": data.reason}
    if data.rights_holders is not None:
        body["rights_holders"] = _holders(data.rights_holders, "rightsHolders", limit)
    return body


def offer_body(data: OfferLicenceInput) -> Body:
    currency = parse_currency(data.currency, field="currency")
    advance = data.advance if data.advance is not None else decimal.Decimal("0")
    if data.end is not None and data.end < data.start:
        raise UserError("INVALID_INPUT", "end must not be before start", "end")
    return {
        "work_id": require_id(data.work_id, "workId"),
        "licensee_id": require_id(data.licensee_id, "licenseeId"),
        "territories": list(data.territories),
        "media": [m.value for m in data.media],
        "exclusive": data.exclusive,
        "start": data.start.isoformat(),
        "end": data.end.isoformat() if data.end else None,
        "royalty_rate": decimal_text(parse_rate(data.royalty_rate, field="royaltyRate")),
        "advance": decimal_text(parse_amount(advance, currency, field="advance")),
        "currency": currency,
        **deal_terms(data, currency, advance),
    }


def deal_terms(data: OfferLicenceInput, currency: str, advance: decimal.Decimal) -> Body:
    """An offer's minimum guarantee and deal (DOMAIN.md, "Advances and minimum
    guarantees"), checked as licensing checks them."""
    guarantee = parse_amount(
        data.minimum_guarantee or decimal.Decimal("0"), currency, field="minimumGuarantee"
    )
    if guarantee and guarantee < advance:
        raise UserError(
            "INVALID_INPUT", "minimumGuarantee: 0 (none) or at least the advance",
            "minimumGuarantee",
        )
    if data.cross_collateralised and data.deal_id is None:
        raise UserError(
            "INVALID_INPUT", "crossCollateralised needs a dealId", "crossCollateralised"
        )
    return {
        "minimum_guarantee": decimal_text(guarantee),
        "deal_id": None if data.deal_id is None else require_id(data.deal_id, "dealId"),
        "cross_collateralised": bool(data.cross_collateralised),
    }


def usage_body(data: ReportUsageInput) -> Body:
    if data.period_end < data.period_start:
        raise UserError("INVALID_INPUT", "periodEnd must not be before periodStart", "periodEnd")
    # The amount's places are checked against the licence currency by the licensing service,
    # which alone knows it; places beyond any currency's were refused by the Decimal scalar.
    body: Body = {
        "period_start": data.period_start.isoformat(),
        "period_end": data.period_end.isoformat(),
        "units": data.units,
        "gross_revenue": decimal_text(data.gross_revenue),
    }
    if data.currency is not None:
        currency = parse_currency(data.currency, field="currency")
        body["currency"] = currency
        body["gross_revenue"] = decimal_text(
            parse_amount(
                data.gross_revenue,
                currency,
                field="grossRevenue",
                allow_negative=data.corrects_report_id is not None,
            )
        )
    if data.corrects_report_id is not None:
        body["corrects_report_id"] = require_id(data.corrects_report_id, "correctsReportId")
    return body


@strawberry.input(description="One usage line (DOMAIN.md, \"Usage lines and matching\").")
class UsageLineInput:
    title: str
    units: int
    revenue: decimal.Decimal
    currency: str
    territory: str
    period_start: datetime.date
    period_end: datetime.date
    line_key: str | None = strawberry.field(
        default=None, description="the licensee's own key of the line (default: its position)"
    )
    isrc: str | None = None
    iswc: str | None = None
    writers: list[str] = strawberry.field(default_factory=list)
    performers: list[str] = strawberry.field(default_factory=list)
    medium: Medium | None = None


@strawberry.input
class ReportUsageLinesInput:
    usage_file: str = strawberry.field(
        description="the batch's key: a line sent again under it with its key changes nothing"
    )
    lines: list[UsageLineInput]


def usage_lines_body(data: ReportUsageLinesInput) -> Body:
    """The batch as the licensing service reads it: each line's cells as text (the service
    checks each cell and answers the errors line by line)."""
    return {
        "usage_file": data.usage_file,
        "lines": [
            {
                "line_key": line.line_key, "isrc": line.isrc, "iswc": line.iswc,
                "title": line.title, "writers": "|".join(line.writers),
                "performers": "|".join(line.performers), "units": line.units,
                "revenue": decimal_text(line.revenue), "currency": line.currency,
                "territory": line.territory, "period_start": line.period_start.isoformat(),
                "period_end": line.period_end.isoformat(),
                "medium": None if line.medium is None else line.medium.value,
            }
            for line in data.lines
        ],
    }  # fmt: skip
