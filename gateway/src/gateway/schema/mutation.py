"""Commands: each goes to the one service that owns the aggregate, with the caller's token.

What the user can fix comes back in the payload's `errors`; a missing token is a GraphQL
error; anything else is an internal failure, masked.
"""

from __future__ import annotations

import decimal
import hashlib
import re
import uuid

import strawberry
from contracts.identifiers import parse_ipi_name_number, parse_isni
from contracts.territories import parse_country
from email_validator import EmailNotValidError, validate_email

from gateway.access import load_visible_licence
from gateway.backends import Json, with_retries
from gateway.errors import BackendFailure, NotFoundError, UserError
from gateway.limits import check_id_count
from gateway.loaders import is_uuid
from gateway.schema.common import Info, UserErrorType, attempt, require_id
from gateway.schema.enums import ReviewDecision, Role
from gateway.schema.inputs import (
    FileWorkInput,
    OfferLicenceInput,
    RegisterPartyInput,
    ReportUsageInput,
    ResolveDisputeInput,
    TransferShareInput,
    dispute_body,
    file_work_body,
    offer_body,
    resolve_body,
    transfer_body,
    usage_body,
)
from gateway.schema.parties_works_licences import (
    Licence,
    Party,
    RoyaltyStatement,
    UsageReport,
    Work,
    load_party,
)

MAX_HOLDERS = 100
# Party ids derived from a registration key live in their own UUID namespace.
REGISTRATION_NAMESPACE = uuid.UUID("6f1c2d0e-5b7a-4c61-9a53-2f0e8b7d9c41")


@strawberry.type
class RegisterPartyPayload:
    party: Party | None
    token: str | None = strawberry.field(description="a bearer token for that party")
    errors: list[UserErrorType]


@strawberry.type
class WorkPayload:
    work: Work | None
    errors: list[UserErrorType]


@strawberry.type
class LicencePayload:
    licence: Licence | None
    errors: list[UserErrorType]


@strawberry.type
class SocietyPayload:
    party: Party | None
    subscribed: bool | None
    errors: list[UserErrorType]


@strawberry.type
class UsageReportPayload:
    report: UsageReport | None
    statement: RoyaltyStatement | None
    errors: list[UserErrorType]


def registration_party_id(key: str | None) -> str:
    """A fresh id, or the same id for the same secret key, so a retried sign-up completes."""
    if key is None:
        return str(uuid.uuid4())
    digest = hashlib.sha256(key.encode()).hexdigest()
    return str(uuid.uuid5(REGISTRATION_NAMESPACE, digest))


def _registration_bodies(data: RegisterPartyInput) -> tuple[Json, Json]:
    if not data.name.strip():
        raise UserError("INVALID_INPUT", "name must not be empty", "name")
    party: Json = {
        "name": data.name.strip(),
        "kind": data.kind.value,
        "country": parse_country(data.country, field="country"),
        "ipi_name_number": (
            parse_ipi_name_number(data.ipi_name_number, field="ipiNameNumber")
            if data.ipi_name_number
            else None
        ),
        "isni": parse_isni(data.isni, field="isni") if data.isni else None,
    }
    # Only what the party gave: the service treats a key that is present as a change.
    contacts: Json = {}
    if data.email:
        try:
            contacts["email"] = validate_email(data.email, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise UserError("INVALID_INPUT", f"email: {exc}", "email") from None
    if data.webhook_url:
        if not re.match(r"^https?://[^\s/]+", data.webhook_url) or len(data.webhook_url) > 2000:
            raise UserError("INVALID_INPUT", "webhookUrl must be an http(s) URL", "webhookUrl")
        contacts["webhook_url"] = data.webhook_url
    if data.webhook_secret is not None:
        if len(data.webhook_secret) < 16:
            raise UserError(
                "INVALID_INPUT", "webhookSecret must be at least 16 characters", "webhookSecret"
            )
        contacts["webhook_secret"] = data.webhook_secret
    if data.webhook_url and not data.webhook_secret:
        raise UserError(
            "INVALID_INPUT", "a webhookUrl needs a webhookSecret to sign its calls",
            "webhookSecret",
        )
    if data.registration_key is not None and len(data.registration_key) < 16:
        raise UserError(
            "INVALID_INPUT", "registrationKey must be at least 16 characters", "registrationKey"
        )
    return party, contacts


def _examiner_only(info: Info, action: str) -> None:
    if not info.context.require_principal().is_examiner:
        raise UserError("FORBIDDEN", f"only examiners {action}", None)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Open: this is sign-up.")
    async def register_party(self, info: Info, input: RegisterPartyInput) -> RegisterPartyPayload:
        ctx = info.context

        async def register() -> tuple[Party, str]:
            party_body, contacts = _registration_bodies(input)
            party_id = registration_party_id(input.registration_key)
            token = ctx.state.keys.mint(party_id, ["party"], ctx.settings.token_ttl_seconds)
            backends = ctx.backends
            try:
                # Contacts first: they are private and emit no event, so a half-done sign-up
                # never announces a party the notifications service cannot reach yet.
                await with_retries(
                    lambda: backends.notifications.put_contacts(party_id, contacts, token)
                )
                stored = await with_retries(
                    lambda: backends.filing.register_party(party_id, party_body, token)
                )
            except BackendFailure:
                raise UserError(
                    "REGISTRATION_INCOMPLETE",
                    "registration could not be completed right now; retry with the same "
                    "registrationKey to finish it",
                    None,
                ) from None
            return Party.of(stored), token

        result, errors = await attempt(register)
        if result is None:
            return RegisterPartyPayload(party=None, token=None, errors=errors)
        return RegisterPartyPayload(party=result[0], token=result[1], errors=[])

    @strawberry.mutation(description="Answers after examination.")
    async def file_work(self, info: Info, input: FileWorkInput) -> WorkPayload:
        ctx = info.context
        ctx.require_principal()

        async def run() -> Json:
            return await ctx.backends.filing.file_work(file_work_body(input, MAX_HOLDERS))

        return _work_payload(*await attempt(run))

    @strawberry.mutation(description="Examiners only.")
    async def decide_review(
        self, info: Info, work_id: strawberry.ID, decision: ReviewDecision,
        reason: str | None = None,
    ) -> WorkPayload:
        ctx = info.context

        async def run() -> Json:
            _examiner_only(info, "decide reviews")
            wid = require_id(work_id, "workId")
            return await ctx.backends.filing.review(
                wid, {"decision": decision.value, "reason": reason}
            )

        return _work_payload(*await attempt(run))

    @strawberry.mutation
    async def transfer_share(self, info: Info, input: TransferShareInput) -> WorkPayload:
        ctx = info.context
        ctx.require_principal()

        async def run() -> Json:
            wid = require_id(input.work_id, "workId")
            return await ctx.backends.filing.transfer(wid, transfer_body(input))

        return _work_payload(*await attempt(run))

    @strawberry.mutation(
        description="States the disputer's standing: claimedRole with claimedShare, or evidence."
    )
    async def dispute_work(
        self,
        info: Info,
        work_id: strawberry.ID,
        reason: str,
        claimed_role: Role | None = None,
        claimed_share: decimal.Decimal | None = None,
        evidence: str | None = None,
    ) -> WorkPayload:
        ctx = info.context
        ctx.require_principal()

        async def run() -> Json:
            wid = require_id(work_id, "workId")
            if not reason.strip():
                raise UserError("INVALID_INPUT", "a dispute needs a reason", "reason")
            body = dispute_body(
                reason, claimed_role=claimed_role, claimed_share=claimed_share, evidence=evidence
            )
            return await ctx.backends.filing.dispute(wid, body)

        return _work_payload(*await attempt(run))

    @strawberry.mutation(description="Examiners only.")
    async def resolve_dispute(self, info: Info, input: ResolveDisputeInput) -> WorkPayload:
        ctx = info.context

        async def run() -> Json:
            _examiner_only(info, "resolve disputes")
            wid = require_id(input.work_id, "workId")
            return await ctx.backends.filing.resolve_dispute(
                wid, resolve_body(input, MAX_HOLDERS)
            )

        return _work_payload(*await attempt(run))

    @strawberry.mutation(description="Works right after fileWork.")
    async def offer_licence(self, info: Info, input: OfferLicenceInput) -> LicencePayload:
        ctx = info.context
        ctx.require_principal()

        async def run() -> Json:
            return await ctx.backends.licensing.offer(offer_body(input))

        return _licence_payload(*await attempt(run))

    @strawberry.mutation
    async def accept_licence(self, info: Info, licence_id: strawberry.ID) -> LicencePayload:
        return await _transition(info, licence_id, "accept", {})

    @strawberry.mutation
    async def decline_licence(
        self, info: Info, licence_id: strawberry.ID, reason: str | None = None
    ) -> LicencePayload:
        return await _transition(info, licence_id, "decline", {"reason": reason})

    @strawberry.mutation
    async def withdraw_licence(self, info: Info, licence_id: strawberry.ID) -> LicencePayload:
        return await _transition(info, licence_id, "withdraw", {})

    @strawberry.mutation
    async def terminate_licence(
        self, info: Info, licence_id: strawberry.ID, reason: str
    ) -> LicencePayload:
        if not reason.strip():
            return LicencePayload(
                licence=None,
                errors=[UserErrorType(code="INVALID_INPUT", message="a reason is required",
                                      field="reason")],
            )
        return await _transition(info, licence_id, "terminate", {"reason": reason})

    @strawberry.mutation(description="Answers with the statement.")
    async def report_usage(self, info: Info, input: ReportUsageInput) -> UsageReportPayload:
        ctx = info.context
        ctx.require_principal()

        async def run() -> Json:
            lid = require_id(input.licence_id, "licenceId")
            body = usage_body(input)
            if await load_visible_licence(ctx, lid) is None:
                raise NotFoundError(f"no licence {lid}", "licenceId")
            return await ctx.backends.licensing.report_usage(lid, body)

        result, errors = await attempt(run)
        if result is None:
            return UsageReportPayload(report=None, statement=None, errors=errors)
        statement = result.get("statement")
        return UsageReportPayload(
            report=UsageReport.of(result["report"]),
            statement=RoyaltyStatement.of(statement) if statement else None,
            errors=[],
        )

    @strawberry.mutation(
        description="Operators: make a party a collecting society (told of every registration "
        "and statement, and able to read every licence) or stop it."
    )
    async def set_collecting_society(
        self, info: Info, party_id: strawberry.ID, subscribed: bool
    ) -> SocietyPayload:
        ctx = info.context
        principal = ctx.require_principal()

        async def run() -> Party:
            if "operator" not in principal.roles:
                raise UserError("FORBIDDEN", "only operators manage collecting societies", None)
            pid = require_id(party_id, "partyId")
            party = await load_party(info, pid)
            if party is None:
                raise NotFoundError(f"no party {pid}", "partyId")
            await ctx.backends.notifications.set_society(pid, subscribed)
            return party

        party, errors = await attempt(run)
        return SocietyPayload(
            party=party, subscribed=subscribed if party is not None else None, errors=errors
        )

    @strawberry.mutation(description="Marks the caller's own notifications read.")
    async def mark_notifications_read(self, info: Info, ids: list[strawberry.ID]) -> int:
        ctx = info.context
        ctx.require_principal()
        check_id_count(list(ids), ctx.settings)
        valid = [str(i) for i in ids if is_uuid(i)]
        if not valid:
            return 0
        return await ctx.backends.notifications.mark_read(valid)


def _work_payload(result: Json | None, errors: list[UserErrorType]) -> WorkPayload:
    return WorkPayload(work=Work.of(result) if result is not None else None, errors=errors)


def _licence_payload(result: Json | None, errors: list[UserErrorType]) -> LicencePayload:
    return LicencePayload(
        licence=Licence.of(result) if result is not None else None, errors=errors
    )


async def _transition(info: Info, licence_id: str, action: str, body: Json) -> LicencePayload:
    ctx = info.context
    ctx.require_principal()

    async def run() -> Json:
        lid = require_id(licence_id, "licenceId")
        # Another party's licence is answered exactly like an unknown one (OWASP API1).
        if await load_visible_licence(ctx, lid) is None:
            raise NotFoundError(f"no licence {lid}", "licenceId")
        return await ctx.backends.licensing.transition(lid, action, body)

    return _licence_payload(*await attempt(run))
