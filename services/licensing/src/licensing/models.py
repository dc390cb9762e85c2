"""The licensing database: the register's read model, licences, usage reports, statements.

Tables prefixed `register_` are the read model built from the filing topics only; the
rest is licensing's own state. Statements and usage reports are immutable: a trigger
created by the migration refuses UPDATE and DELETE on them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from runtime.columns import utc_column
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel


class _Snapshot(SQLModel):
    """The last snapshot a register row applied (domain.snapshots): its version, or its time
    when unversioned; a snapshot of a lower version, or an unversioned one older than it,
    never rolls the state back. Declared by type, so each table gets columns of its own."""

    version: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    last_event_at: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    last_event_id: uuid.UUID


class RegisterParty(_Snapshot, table=True):
    """A party's public part, from `filing.parties.v1`."""

    __tablename__ = "register_party"

    id: uuid.UUID = Field(primary_key=True)
    name: str
    kind: str = Field(max_length=32)
    country: str = Field(max_length=2)


class RegisterWork(_Snapshot, table=True):
    """A work's current state, from `filing.works.v1`; its row is the lock that serialises
    acceptances of licences on the work."""

    __tablename__ = "register_work"

    id: uuid.UUID = Field(primary_key=True)
    title: str
    kind: str = Field(max_length=32)
    status: str = Field(max_length=32)
    # Unbounded text: a valid event must always fit, or it would be dead-lettered.
    filing_number: str | None = Field(default=None, sa_type=Text)
    registration_number: str | None = Field(default=None, sa_type=Text)
    # Usage lines are matched by them (DOMAIN.md, "Usage lines and matching").
    iswc: str | None = Field(default=None, sa_type=Text, index=True)
    isrc: str | None = Field(default=None, sa_type=Text, index=True)
    # The musical work this recording records: an ISRC's line may go to it.
    recording_of: uuid.UUID | None = None


class RegisterTitle(SQLModel, table=True):
    """A folded key (`contracts.folding.title_key`) of a work's title or alternate title; a
    trigram GIN index finds the titles near a usage line's."""

    __tablename__ = "register_title"
    __table_args__ = (
        Index("ix_register_title_key", "key"),
        Index(
            "ix_register_title_trgm", "key",
            postgresql_using="gin", postgresql_ops={"key": "gin_trgm_ops"},
            postgresql_with={"fastupdate": "off"},
        ),
    )  # fmt: skip

    work_id: uuid.UUID = Field(primary_key=True)
    key: str = Field(primary_key=True, sa_type=Text)


class RegisterHolder(SQLModel, table=True):
    """One current rights holder of a work (a party appears once per role)."""

    __tablename__ = "register_holder"

    work_id: uuid.UUID = Field(primary_key=True)
    party_id: uuid.UUID = Field(primary_key=True, index=True)
    role: str = Field(primary_key=True, max_length=32)
    share: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    # Shares of the other rights where the holder states them (None: `share`), so an
    # exclusive offer knows whose consent its media need.
    mechanical_share: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(5, 2), nullable=True)
    )
    sync_share: Decimal | None = Field(default=None, sa_column=Column(Numeric(5, 2), nullable=True))


class RegisterShares(SQLModel, table=True):
    """The owners' shares per party (roles summed) from `effective_from` on: statements
    split by the shares in effect at the end of the reported period. `effective_from` never
    decreases along the work's versions (domain.snapshots.shares_effective_from)."""

    __tablename__ = "register_shares"

    work_id: uuid.UUID = Field(primary_key=True)
    effective_from: datetime = Field(sa_column=utc_column(primary_key=True))
    shares: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))


class LicenceRow(SQLModel, table=True):
    __tablename__ = "licence"
    __table_args__ = (Index("ix_licence_work_status", "work_id", "status"),)

    id: uuid.UUID = Field(primary_key=True)
    work_id: uuid.UUID
    licensor_id: uuid.UUID = Field(index=True)
    licensee_id: uuid.UUID = Field(index=True)
    status: str = Field(max_length=32)
    status_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    territories: list[str] = Field(sa_column=Column(ARRAY(String(2)), nullable=False))
    media: list[str] = Field(sa_column=Column(ARRAY(String(32)), nullable=False))
    exclusive: bool = Field(sa_column=Column(Boolean, nullable=False))
    start: date = Field(sa_column=Column(Date, nullable=False))
    end: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    royalty_rate: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    advance: Decimal = Field(sa_column=Column(Numeric(), nullable=False))
    currency: str = Field(max_length=3)
    minimum_guarantee: Decimal = Field(
        default=Decimal(0), sa_column=Column(Numeric(), nullable=False, server_default="0")
    )
    # Its deal, and the deal's cross-collateralisation (copied: a deal's never changes).
    deal_id: uuid.UUID | None = Field(default=None, foreign_key="licence_deal.id", index=True)
    cross_collateralised: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default="false")
    )
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    # The number of its latest accepted version: 1 until amended or renewed, when the
    # availability check reads the versions' segments (LicenceVersionRow).
    terms_version: int = Field(default=1, sa_column=Column(Integer, nullable=False))


class DealRow(SQLModel, table=True):
    """A deal (DOMAIN.md, "Advances and minimum guarantees"): created by the first offer
    that names it, never changed after."""

    __tablename__ = "licence_deal"

    id: uuid.UUID = Field(primary_key=True)
    licensor_id: uuid.UUID
    licensee_id: uuid.UUID
    currency: str = Field(max_length=3)
    cross_collateralised: bool = Field(sa_column=Column(Boolean, nullable=False))
    owner_ids: list[uuid.UUID] = Field(sa_column=Column(ARRAY(Uuid), nullable=False))
    created_at: datetime = Field(sa_column=utc_column())


class AdvancePaymentRow(SQLModel, table=True):
    """The licensee's record of the advance paid: one per licence, immutable; its ADVANCE
    statement splits it among the owners."""

    __tablename__ = "advance_payment"

    licence_id: uuid.UUID = Field(primary_key=True, foreign_key="licence.id")
    statement_id: uuid.UUID = Field(foreign_key="royalty_statement.id", unique=True)
    paid_on: date = Field(sa_column=Column(Date, nullable=False))
    reference: str = Field(sa_type=Text)
    recorded_by: uuid.UUID
    recorded_at: datetime = Field(sa_column=utc_column())


class LicenceEventRow(SQLModel, table=True):
    """The licence's timeline as this service saw it (what it published, in order)."""

    __tablename__ = "licence_event"

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True)
    )
    licence_id: uuid.UUID = Field(index=True)
    at: datetime = Field(sa_column=utc_column())
    type: str = Field(max_length=128)
    summary: str = Field(sa_column=Column(Text, nullable=False))


class UsageReportRow(SQLModel, table=True):
    __tablename__ = "usage_report"

    id: uuid.UUID = Field(primary_key=True)
    licence_id: uuid.UUID = Field(index=True, foreign_key="licence.id")
    period_start: date = Field(sa_column=Column(Date, nullable=False))
    period_end: date = Field(sa_column=Column(Date, nullable=False))
    units: int = Field(sa_column=Column(BigInteger, nullable=False))
    gross_revenue: Decimal = Field(sa_column=Column(Numeric(), nullable=False))
    corrects_report_id: uuid.UUID | None = Field(default=None, foreign_key="usage_report.id")
    # Set on a line report: the file (or API batch) key its lines came with.
    usage_file: str | None = Field(default=None, sa_type=Text)
    reported_by: uuid.UUID
    created_at: datetime = Field(sa_column=utc_column())


class StatementRow(SQLModel, table=True):
    __tablename__ = "royalty_statement"
    __table_args__ = (
        UniqueConstraint("report_id", name="uq_statement_report"),
        # One ADVANCE and one TRUE_UP per licence: neither is ever issued twice.
        *(
            Index(
                f"uq_statement_{kind.lower()}", "licence_id", unique=True,
                postgresql_where=text(f"kind = '{kind}'"),
            )
            for kind in ("ADVANCE", "TRUE_UP")
        ),
    )  # fmt: skip

    id: uuid.UUID = Field(primary_key=True)
    licence_id: uuid.UUID = Field(index=True, foreign_key="licence.id")
    work_id: uuid.UUID
    # DOMAIN.md "Statements and the ledger": ROYALTY statements come from a usage report;
    # the other kinds (advances, true-ups, releases from suspense) from no report.
    kind: str = Field(default="ROYALTY", max_length=16)
    report_id: uuid.UUID | None = Field(default=None, foreign_key="usage_report.id")
    period_start: date = Field(sa_column=Column(Date, nullable=False))
    period_end: date = Field(sa_column=Column(Date, nullable=False))
    gross: Decimal = Field(sa_column=Column(Numeric(), nullable=False))
    royalty: Decimal = Field(sa_column=Column(Numeric(), nullable=False))
    recouped: Decimal = Field(sa_column=Column(Numeric(), nullable=False))
    payable: Decimal = Field(sa_column=Column(Numeric(), nullable=False))
    currency: str = Field(max_length=3)
    # `{party_id, share, amount}`, and `held: true` on a held statement's lines (suspense).
    lines: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    # A line report's statement: one entry per usage line (id, key, work, units, revenue,
    # royalty); None on a period report's.
    usage_lines: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSONB, nullable=True)
    )
    issued_at: datetime = Field(sa_column=utc_column())


class StatementHoldRow(SQLModel, table=True):
    """A statement held in suspense because its work was disputed when it was issued
    (DOMAIN.md, "Suspense while a work is disputed"), and the `RELEASE` statement that
    released it, once. Beside the immutable statement, never on it."""

    __tablename__ = "statement_hold"
    __table_args__ = (
        Index(
            "ix_statement_hold_unreleased", "work_id",
            postgresql_where=text("release_id IS NULL"),
        ),
        Index("ix_statement_hold_release", "release_id"),
    )  # fmt: skip

    statement_id: uuid.UUID = Field(primary_key=True, foreign_key="royalty_statement.id")
    work_id: uuid.UUID
    licence_id: uuid.UUID
    # The work's snapshot it was held under: only a later resolution releases it.
    held_version: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    held_event_at: datetime = Field(sa_column=utc_column())
    release_id: uuid.UUID | None = Field(default=None, foreign_key="royalty_statement.id")
    released_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class UsageLineRow(SQLModel, table=True):
    """One reported usage line and where matching took it: `STATED` (matched, its royalty on
    a statement), `UNLICENSED` (matched, no licence of the licensee covers it) or `QUEUED`
    (waiting for an owner's claim, with a candidate `work_id` when one scored for review)."""

    __tablename__ = "usage_line"
    __table_args__ = (
        Index("ix_usage_line_licensee_file", "licensee_id", "file_key"),
        Index("ix_usage_line_report_id", "report_id"),
        Index(
            "ix_usage_line_queued", "received_at", "id",
            postgresql_where=text("status = 'QUEUED'"),
        ),
    )  # fmt: skip

    id: uuid.UUID = Field(primary_key=True)
    licensee_id: uuid.UUID
    file_key: str = Field(sa_type=Text)
    line_key: str = Field(sa_type=Text)
    line_no: int
    isrc: str | None = Field(default=None, sa_type=Text)
    iswc: str | None = Field(default=None, sa_type=Text)
    title: str = Field(sa_type=Text)
    title_key: str = Field(sa_type=Text)
    writers: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    performers: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    units: int = Field(sa_column=Column(BigInteger, nullable=False))
    revenue: Decimal = Field(sa_column=Column(Numeric(), nullable=False))
    currency: str = Field(max_length=3)
    territory: str = Field(max_length=2)
    period_start: date = Field(sa_column=Column(Date, nullable=False))
    period_end: date = Field(sa_column=Column(Date, nullable=False))
    medium: str | None = Field(default=None, max_length=32)
    status: str = Field(max_length=16)
    work_id: uuid.UUID | None = None
    method: str | None = Field(default=None, max_length=8)
    confidence: Decimal | None = Field(default=None, sa_column=Column(Numeric(4, 3)))
    licence_id: uuid.UUID | None = None
    royalty: Decimal | None = Field(default=None, sa_column=Column(Numeric()))
    report_id: uuid.UUID | None = None
    # The recording an ISRC matched when the line went to the musical work it records.
    recording_id: uuid.UUID | None = None
    received_at: datetime = Field(sa_column=utc_column())
    matched_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    claimed_by: uuid.UUID | None = None


# --- the payee ledger (DOMAIN.md, "The payee ledger, payments and conversion") -----------------


class StatementPaymentRow(SQLModel, table=True):
    """A statement recorded as paid by its licensee, whole and once (immutable: a trigger)."""

    __tablename__ = "statement_payment"

    statement_id: uuid.UUID = Field(primary_key=True, foreign_key="royalty_statement.id")
    paid_on: date = Field(sa_column=Column(Date, nullable=False))
    reference: str = Field(sa_type=Text)
    amount: Decimal = Field(sa_column=Column(Numeric(), nullable=False))
    currency: str = Field(max_length=3)
    recorded_by: uuid.UUID
    recorded_at: datetime = Field(sa_column=utc_column())


class ExchangeRateRow(SQLModel, table=True):
    """The rate from `base` into `quote` from `effective_on` on, and where it comes from
    (immutable: a trigger)."""

    __tablename__ = "exchange_rate"

    base: str = Field(primary_key=True, max_length=3)
    quote: str = Field(primary_key=True, max_length=3)
    effective_on: date = Field(sa_column=Column(Date, primary_key=True))
    rate: Decimal = Field(sa_column=Column(Numeric(), nullable=False))
    source: str = Field(sa_type=Text)
    # The token subject that recorded it (an operator's account may act for no party).
    recorded_by: str = Field(sa_type=Text)
    recorded_at: datetime = Field(sa_column=utc_column())


# A payee's statements are found by their lines (`lines @> [{"party_id": ...}]`).
Index(
    "ix_royalty_statement_lines",
    StatementRow.__table__.c.lines,  # type: ignore[attr-defined]
    postgresql_using="gin",
    postgresql_ops={"lines": "jsonb_path_ops"},
)


class LicenceVersionRow(SQLModel, table=True):
    """A numbered version of a licence's terms (DOMAIN.md, "Amendments and renewals"):
    version 1 as offered, then each amendment or renewal proposed, and how it was answered."""

    __tablename__ = "licence_version"

    licence_id: uuid.UUID = Field(primary_key=True, foreign_key="licence.id")
    number: int = Field(primary_key=True)
    kind: str = Field(max_length=16)
    state: str = Field(max_length=16)
    effective_from: date = Field(sa_column=Column(Date, nullable=False))
    end: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    territories: list[str] = Field(sa_column=Column(ARRAY(String(2)), nullable=False))
    media: list[str] = Field(sa_column=Column(ARRAY(String(32)), nullable=False))
    exclusive: bool = Field(sa_column=Column(Boolean, nullable=False))
    royalty_rate: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    proposed_by: uuid.UUID
    side: str = Field(max_length=16)
    proposed_at: datetime = Field(sa_column=utc_column())
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class LicenceHistoryRow(SQLModel, table=True):
    """A licence's whole state after one change, as recorded then (DOMAIN.md, "Licence
    history"): append-only, a trigger refuses UPDATE and DELETE. `segments` are the terms
    over valid time ({start, end, territories, media, exclusive, royalty_rate} each)."""

    __tablename__ = "licence_history"
    __table_args__ = (Index("ix_licence_history_work_recorded", "work_id", "recorded_at"),)

    licence_id: uuid.UUID = Field(primary_key=True, foreign_key="licence.id")
    seq: int = Field(primary_key=True)
    work_id: uuid.UUID
    recorded_at: datetime = Field(sa_column=utc_column())
    status: str = Field(max_length=32)
    valid_until: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    segments: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))


class OwnerConsentRow(SQLModel, table=True):
    """An owner an exclusive offer needed, and how it agreed (DOMAIN.md, "Co-owners' consent
    to licences, and mandates"): written with the offer, `PENDING` rows decided later."""

    __tablename__ = "licence_owner_consent"

    licence_id: uuid.UUID = Field(primary_key=True, foreign_key="licence.id")
    party_id: uuid.UUID = Field(primary_key=True, index=True)
    share: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    status: str = Field(max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    mandate_id: uuid.UUID | None = None
    due_at: datetime = Field(sa_column=utc_column())
    decided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class MandateRow(SQLModel, table=True):
    """An owner's consent in advance to the exclusive licences its agent offers."""

    __tablename__ = "mandate"

    id: uuid.UUID = Field(primary_key=True)
    grantor_id: uuid.UUID = Field(index=True)
    agent_id: uuid.UUID = Field(index=True)
    work_id: uuid.UUID | None = None
    media: list[str] = Field(sa_column=Column(ARRAY(String(32)), nullable=False))
    valid_from: date = Field(sa_column=Column(Date, nullable=False))
    valid_until: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    granted_at: datetime = Field(sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
