"""The filing service's typed commands: request bodies parsed once, at the edge, into the
domain's value objects (a share is checked here and nowhere else on its way down).

Each field runs the domain's own parser, which raises the coded error naming the field; the
schema each field documents is the JSON the request carries (strings, lists, objects).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from uuid import UUID

from contracts.enums import PartyKind, ReviewDecision, Role, WorkKind
from contracts.errors import InvalidInput
from contracts.shares import parse_share
from contracts.territories import parse_country
from pydantic import BaseModel, Field, PlainValidator, ValidationError, WithJsonSchema

from filing.domain import parties
from filing.domain.disputes import parse_evidence
from filing.domain.holders import RightsHolder, parse_party_id, parse_rights_holders
from filing.domain.identifiers import Identifiers, parse_identifiers
from filing.domain.text import (
    REASON_MAX,
    TITLE_MAX,
    optional_text,
    parse_enum,
    required_text,
)
from filing.domain.works import WorkDraft, parse_alternate_titles

T = TypeVar("T")

_TEXT: dict[str, Any] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
_SHARE = 'percentage as a decimal string, e.g. "50.00"'


def _enum(values: type[StrEnum]) -> dict[str, Any]:
    return {"type": "string", "enum": [member.value for member in values]}


def _nullable(schema: dict[str, object]) -> dict[str, object]:
    return {"anyOf": [schema, {"type": "null"}]}


class RefusedField(InvalidInput, ValueError):
    """A field's parser refused it. Being a ValueError, pydantic collects it beside the body's
    other faults in field order; `runtime.http` answers the first with its own code and field."""


def _checked(parse: Callable[[object], T]) -> Callable[[object], T]:
    def validate(value: object) -> T:
        try:
            return parse(value)
        except InvalidInput as refused:
            raise RefusedField(refused.message, field=refused.field, code=refused.code) from None

    return validate


Command = TypeVar("Command", bound=BaseModel)


def parse(command: type[Command], raw: object) -> Command:
    """The command of a request body outside HTTP (tools, tests): the first fault raises the
    error the API would answer, with its code and field."""
    try:
        return command.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        refused = (first.get("ctx") or {}).get("error")
        if isinstance(refused, InvalidInput):
            raise refused from None
        field = ".".join(str(part) for part in first["loc"]) or None
        raise InvalidInput(f"{field}: {first['msg']}", field=field) from None


def share_text(value: object, *, field: str) -> Decimal:
    """A share as the request writes it: a decimal string, never a JSON number."""
    if not isinstance(value, str):
        raise InvalidInput(f'{field} must be a decimal string such as "50.00"', field=field)
    return parse_share(value, field=field)


def _holders(raw: object) -> tuple[RightsHolder, ...]:
    items = raw if isinstance(raw, list) else []
    for index, item in enumerate(items):
        if isinstance(item, dict) and "share" in item:
            share_text(item["share"], field=f"rights_holders[{index}].share")
    return parse_rights_holders(raw)


def _optional_holders(raw: object) -> tuple[RightsHolder, ...] | None:
    return None if raw is None or raw == [] else _holders(raw)


_HOLDER_ITEM = {
    "type": "object",
    "properties": {
        "party_id": {"type": "string"},
        "role": _enum(Role),
        "share": {"type": "string", "description": _SHARE},
        "mechanical_share": {"type": "string", "description": "[0, 100]; absent: share"},
        "sync_share": {"type": "string", "description": "[0, 100]; absent: share"},
        "performing_society": {"type": "string", "description": "CISAC society code"},
        "mechanical_society": {"type": "string", "description": "CISAC society code"},
        "sync_society": {"type": "string", "description": "CISAC society code"},
        "territory_shares": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "territory": {"type": "string"},
                    "performing_share": {"type": "string"},
                    "mechanical_share": {"type": "string"},
                    "sync_share": {"type": "string"},
                },
                "required": ["territory"],
            },
        },
    },
    "required": ["party_id", "role", "share"],
}
_HOLDERS = {"type": "array", "items": _HOLDER_ITEM}
_IDENTIFIERS = {
    "type": "object",
    "properties": {name: _TEXT for name in ("iswc", "isrc", "isbn")},
    "additionalProperties": False,
}

Title = Annotated[
    str,
    PlainValidator(_checked(lambda v: required_text(v, field="title", max_length=TITLE_MAX))),
    WithJsonSchema(_TEXT),
]
Country = Annotated[
    str,
    PlainValidator(
        _checked(
            lambda v: parse_country(
                required_text(v, field="country_of_origin", max_length=16),
                field="country_of_origin",
            )
        )
    ),
    WithJsonSchema(_TEXT),
]
Holders = Annotated[
    tuple[RightsHolder, ...], PlainValidator(_checked(_holders)), WithJsonSchema(_HOLDERS)
]
OptionalHolders = Annotated[
    tuple[RightsHolder, ...] | None,
    PlainValidator(_checked(_optional_holders)),
    WithJsonSchema(_nullable(_HOLDERS)),
]
AlternateTitles = Annotated[
    tuple[str, ...],
    PlainValidator(_checked(parse_alternate_titles)),
    WithJsonSchema(_nullable({"type": "array", "items": {"type": "string"}})),
]
WorkIdentifiers = Annotated[
    Identifiers,
    PlainValidator(_checked(parse_identifiers)),
    WithJsonSchema(_nullable(_IDENTIFIERS)),
]
RecordingOf = Annotated[
    UUID | None,
    PlainValidator(
        _checked(lambda v: None if v is None else parse_party_id(v, field="recording_of"))
    ),
    WithJsonSchema(_nullable({"type": "string"})),
]
Kind = Annotated[
    WorkKind,
    PlainValidator(_checked(lambda v: parse_enum(WorkKind, v, field="kind"))),
    WithJsonSchema(_enum(WorkKind)),
]
Reason = Annotated[
    str | None,
    PlainValidator(
        _checked(lambda v: optional_text(v, field="reason", max_length=REASON_MAX, multiline=True))
    ),
    WithJsonSchema(_TEXT),
]
RequiredReason = Annotated[
    str,
    PlainValidator(
        _checked(lambda v: required_text(v, field="reason", max_length=REASON_MAX, multiline=True))
    ),
    WithJsonSchema(_TEXT),
]
PartyId = Annotated[
    UUID,
    PlainValidator(_checked(lambda v: parse_party_id(v, field="to_party_id"))),
    WithJsonSchema({"type": "string"}),
]
Share = Annotated[
    Decimal,
    PlainValidator(_checked(lambda v: share_text(v, field="share"))),
    WithJsonSchema({"type": "string"}),
]
ClaimedShare = Annotated[
    Decimal | None,
    PlainValidator(_checked(lambda v: None if v is None else share_text(v, field="claimed_share"))),
    WithJsonSchema(
        _nullable({"type": "string", "description": "the share the disputer says is theirs"})
    ),
]
OptionalRole = Annotated[
    Role | None,
    PlainValidator(_checked(lambda v: None if v is None else parse_enum(Role, v, field="role"))),
    WithJsonSchema(_nullable(_enum(Role))),
]
ClaimedRole = Annotated[
    Role | None,
    PlainValidator(
        _checked(lambda v: None if v is None else parse_enum(Role, v, field="claimed_role"))
    ),
    WithJsonSchema(_nullable(_enum(Role))),
]
Evidence = Annotated[str | None, PlainValidator(_checked(parse_evidence)), WithJsonSchema(_TEXT)]


def _keep_owners(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("keep_owners must be true or false", field="keep_owners")
    return value


_PARTY_KIND = _nullable(_enum(PartyKind))

# --- parties --------------------------------------------------------------------------------

PartyName = Annotated[str, PlainValidator(_checked(parties.parse_name)), WithJsonSchema(_TEXT)]
PartyKindValue = Annotated[
    PartyKind,
    PlainValidator(_checked(parties.parse_kind)),
    WithJsonSchema(_PARTY_KIND),
]
PartyCountry = Annotated[
    str, PlainValidator(_checked(parties.parse_party_country)), WithJsonSchema(_TEXT)
]
Ipi = Annotated[str | None, PlainValidator(_checked(parties.parse_ipi)), WithJsonSchema(_TEXT)]
Isni = Annotated[
    str | None, PlainValidator(_checked(parties.parse_party_isni)), WithJsonSchema(_TEXT)
]


class RegisterParty(BaseModel):
    """`PUT /parties/{id}`: a party signs up under its own id."""

    name: PartyName = Field(default=None, validate_default=True)
    kind: PartyKindValue = Field(default=None, validate_default=True)
    country: PartyCountry = Field(default=None, validate_default=True)
    ipi_name_number: Ipi = None
    isni: Isni = None


class UpdateParty(BaseModel):
    """`PATCH /parties/{id}`: the public fields given change; an identifier given null clears."""

    # Given as null, a required field is refused by its parser, not taken as "unchanged".
    name: Annotated[
        str | None, PlainValidator(_checked(parties.parse_name)), WithJsonSchema(_TEXT)
    ] = None
    kind: Annotated[
        PartyKind | None, PlainValidator(_checked(parties.parse_kind)), WithJsonSchema(_PARTY_KIND)
    ] = None
    country: Annotated[
        str | None, PlainValidator(_checked(parties.parse_party_country)), WithJsonSchema(_TEXT)
    ] = None
    ipi_name_number: Ipi = None
    isni: Isni = None

    def changes(self) -> parties.PartyChanges:
        """The fields the request gave, parsed; the others stay as they are."""
        given = self.model_dump(include=self.model_fields_set)
        return parties.PartyChanges(**given)  # type: ignore[typeddict-item]


# --- works ----------------------------------------------------------------------------------


class FileWork(BaseModel):
    """`POST /works`: a filing request. Fields are checked in the order the rules name them."""

    kind: Kind
    rights_holders: Holders
    title: Title = Field(default=None, validate_default=True)
    country_of_origin: Country = Field(default=None, validate_default=True)
    alternate_titles: AlternateTitles = Field(default=None, validate_default=True)
    identifiers: WorkIdentifiers = Field(default=None, validate_default=True)
    recording_of: RecordingOf = Field(
        default=None, description="SOUND_RECORDING only: the id of the musical work it records"
    )

    def draft(self, *, filed_by: UUID) -> WorkDraft:
        """The checked filing of `filed_by`, who must be among the rights holders."""
        return WorkDraft(**dict(self), filed_by=filed_by)


class ReviewWork(BaseModel):
    """`POST /works/{id}/review`: an examiner registers or rejects (with a reason)."""

    decision: Annotated[
        ReviewDecision,
        PlainValidator(_checked(lambda v: parse_enum(ReviewDecision, v, field="decision"))),
        WithJsonSchema(_enum(ReviewDecision)),
    ]
    reason: Reason = None


class TransferShare(BaseModel):
    """`POST /works/{id}/transfers`: the calling owner moves part of its share."""

    to_party_id: PartyId
    share: Share = Field(description='the part of the caller\'s share to move, e.g. "25.00"')
    role: OptionalRole = Field(
        default=None, description="which holding to transfer from, when the caller has several"
    )


class DisputeWork(BaseModel):
    """`POST /works/{id}/disputes`: a reason, and the standing (DOMAIN.md): a claimed role
    with a claimed share, or evidence."""

    reason: RequiredReason = Field(default=None, validate_default=True)
    claimed_role: ClaimedRole = None
    claimed_share: ClaimedShare = None
    evidence: Evidence = Field(
        default=None, description="why the disputer has a say, when no share is claimed"
    )


class ResolveDispute(BaseModel):
    """`POST /works/{id}/dispute-resolution`: keep the owners, or replace the holders."""

    keep_owners: Annotated[
        bool, PlainValidator(_checked(_keep_owners)), WithJsonSchema({"type": "boolean"})
    ]
    rights_holders: OptionalHolders = None
    reason: RequiredReason = Field(default=None, validate_default=True)


class ConfirmHolding(BaseModel):
    """`POST /works/{id}/consent`: the calling party confirms its holdings (no body fields)."""


class RejectHolding(BaseModel):
    """`POST /works/{id}/consent-rejection`: the calling party rejects its holdings, saying
    why (DOMAIN.md, "Co-owners' consent to a filing")."""

    reason: RequiredReason = Field(default=None, validate_default=True)
