"""The services' JSON answers as the gateway reads them: TypedDicts mirroring each service's
response shapes (filing `api.py`, licensing `api.py`, notifications `views.py`/`api.py`).

TypedDicts rather than validated models: the answers come from our own services, already
validated there, and a search page holds up to a hundred works, so checking each again here
would cost every request and catch nothing the services' contract tests do not. Ids, times,
dates and money arrive as the strings the services write; the schema types convert them.
"""

from __future__ import annotations

from typing import Any, Generic, NotRequired, TypedDict, TypeVar

Item = TypeVar("Item")
# A batch read by parent ids (`/history?work_ids=`): each asked id with its items.
Grouped = dict[str, list[Item]]


class Page(TypedDict, Generic[Item]):
    """One page of a service's search (`first`/`after`)."""

    items: list[Item]
    next_cursor: str | None
    total_count: int
    total_is_exact: NotRequired[bool]  # the register's search: False for an estimate


# --- filing -----------------------------------------------------------------------------------


class PartyReply(TypedDict):
    id: str
    name: str
    kind: str
    country: str
    ipi_name_number: str | None
    isni: str | None
    created_at: str
    updated_at: str


class HolderReply(TypedDict):
    party_id: str
    role: str
    share: str


class IdentifiersReply(TypedDict):
    iswc: str | None
    isrc: str | None
    isbn: str | None


class ImportReply(TypedDict):
    """Filing's answer to an uploaded bulk import (`POST /imports`)."""

    import_id: str
    works_registered: int
    works_under_review: int
    works_rejected: int
    works_awaiting_consent: int
    rows_rejected: int
    rows_unchanged: int
    parties_created: int
    parties_unchanged: int
    report_url: str


class WorkReply(TypedDict):
    id: str
    filing_number: str
    registration_number: str | None
    title: str
    alternate_titles: list[str]
    kind: str
    status: str
    status_reason: str | None
    identifiers: IdentifiersReply
    country_of_origin: str
    rights_holders: list[HolderReply]
    filed_by: str
    filed_at: str
    updated_at: str


class HistoryReply(TypedDict):
    work_id: str
    at: str
    actor_id: str | None
    action: str
    detail: str


# --- licensing --------------------------------------------------------------------------------


class TermsReply(TypedDict):
    territories: list[str]
    media: list[str]
    exclusive: bool
    start: str
    end: str | None
    royalty_rate: str
    advance: str
    currency: str
    minimum_guarantee: str


class LicenceReply(TypedDict):
    id: str
    work_id: str
    licensor_id: str
    licensee_id: str
    status: str
    status_reason: str | None
    terms: TermsReply
    deal: DealReply | None
    created_at: str
    updated_at: str


class DealReply(TypedDict):
    id: str
    cross_collateralised: bool


class ConflictReply(TypedDict):
    # None when the conflicting licence is one the caller may not see (DOMAIN.md, Access).
    licence_id: str | None
    territories: list[str]
    media: list[str]
    start: str
    end: str | None
    exclusive: bool


class AvailabilityReply(TypedDict):
    available: bool
    conflicts: list[ConflictReply]


class UsageReportReply(TypedDict):
    id: str
    licence_id: str
    period_start: str
    period_end: str
    units: int
    gross_revenue: str
    corrects_report_id: str | None
    usage_file: str | None
    created_at: str


class StatementLineReply(TypedDict):
    party_id: str
    share: str
    amount: str
    held: NotRequired[bool]


class StatementReply(TypedDict):
    id: str
    licence_id: str
    work_id: str
    kind: str
    report_id: str | None
    period_start: str
    period_end: str
    gross: str
    royalty: str
    recouped: str
    payable: str
    currency: str
    lines: list[StatementLineReply]
    usage_lines: list[dict[str, Any]] | None
    issued_at: str
    # Suspense while a work is disputed (DOMAIN.md).
    held: NotRequired[bool]
    released_by: NotRequired[str | None]
    releases: NotRequired[list[str]]


class HeldAmountReply(TypedDict):
    currency: str
    amount: str


class SuspenseReply(TypedDict):
    """A work's suspense: whether its statements are held now, and the amounts held."""

    id: str
    holding: bool
    amounts: list[HeldAmountReply]
    advance_payment: dict[str, str] | None


class UsageOutcomeReply(TypedDict):
    report: UsageReportReply
    statement: StatementReply


class UsageLineErrorReply(TypedDict):
    line: int
    field: str
    reason: str


class UsageFileReply(TypedDict):
    usage_file: str
    received: int
    duplicates: int
    refused: int
    errors: list[UsageLineErrorReply]
    methods: dict[str, int]
    statuses: dict[str, int]
    statement_report_ids: list[str]


class UsageLineReply(TypedDict):
    id: str
    usage_file: str
    line_key: str
    line_no: int
    isrc: str | None
    iswc: str | None
    title: str
    writers: list[str]
    performers: list[str]
    units: int
    revenue: str | None
    currency: str
    territory: str
    period_start: str
    period_end: str
    medium: str | None
    status: str
    work_id: str | None
    method: str | None
    confidence: str | None
    licence_id: str | None
    royalty: str | None
    report_id: str | None
    received_at: str
    matched_at: str | None
    claimed_by: str | None


class UsageLinePageReply(TypedDict):
    items: list[UsageLineReply]
    next_cursor: str | None


class LicenceEventReply(TypedDict):
    licence_id: str
    at: str
    type: str
    summary: str


# --- notifications ----------------------------------------------------------------------------


class DeliveryReply(TypedDict):
    id: str
    channel: str
    status: str
    attempts: int
    last_error: str | None


class NotificationReply(TypedDict):
    id: str
    recipient_id: str
    event_id: str
    event_type: str
    subject_id: str
    title: str | None
    message: str
    created_at: str
    read_at: str | None
    deliveries: list[DeliveryReply]


class ContactsReply(TypedDict):
    party_id: str
    email: str | None
    webhook_url: str | None
    has_webhook_secret: bool


class SocietyReply(TypedDict):
    party_id: str
    subscribed: bool


class MarkedReadReply(TypedDict):
    updated: int


# --- co-owners' consent and mandates (licensing's /owner-consents and /mandates) -----------


class OwnerConsentReply(TypedDict):
    licence_id: str
    party_id: str
    share: str
    status: str
    reason: str | None
    mandate_id: str | None
    due_at: str
    decided_at: str | None


class MandateReply(TypedDict):
    id: str
    grantor_id: str
    agent_id: str
    work_id: str | None
    media: list[str]
    valid_from: str
    valid_until: str | None
    granted_at: str
    revoked_at: str | None
