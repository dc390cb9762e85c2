"""The filing service's tables: parties, works, their rights holders, history and counters.

The outbox table comes from `runtime.outbox` and is part of this metadata too, so the
service's migrations create it beside the state it is written with.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from runtime.columns import serial_key, utc_column
from runtime.outbox import OutboxMessage
from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

__all__ = [
    "BulkImportErrorRow", "BulkImportRow", "ConsentRow", "CwrFileRow", "CwrSubmissionRow",
    "DisputeOpeningRow", "HistoryRow", "NumberCounter", "OutboxMessage", "PartyRow",
    "RightsHolderRow", "SearchWordRow", "SearchWordVariantRow", "WorkRow",
]

# Works that hold their identifiers: pending or on the register (domain.works.HOLDING_STATUSES).
HOLDING_SQL = (
    "status IN ('FILED', 'UNDER_REVIEW', 'REGISTERED', 'DISPUTED', 'AWAITING_CONSENT')"
)


def _terms_column() -> Column[list[str]]:
    return Column(ARRAY(Text), nullable=False, server_default=text("'{}'"))


def _terms_index(name: str) -> Index:
    return Index(name, "search_words", postgresql_using="gin")


class PartyRow(SQLModel, table=True):
    __tablename__ = "party"
    __table_args__ = (_terms_index("ix_party_search_words"),)

    id: uuid.UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    country: str = Field(max_length=2)
    ipi_name_number: str | None = Field(default=None, max_length=11)
    isni: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    # How many events this party has had: its events carry it, so readers order them.
    version: int = Field(sa_column=Column(BigInteger, nullable=False, server_default="0"))
    # The name's search terms (domain.search_index.party_search_columns).
    search_words: list[str] = Field(default_factory=list, sa_column=_terms_column())


class WorkRow(SQLModel, table=True):
    __tablename__ = "work"
    __table_args__ = (
        # At most one holding work per identifier: the last guard behind the examination lock.
        Index("ux_work_iswc_holding", "iswc", unique=True, postgresql_where=text(HOLDING_SQL)),
        Index("ux_work_isrc_holding", "isrc", unique=True, postgresql_where=text(HOLDING_SQL)),
        Index("ux_work_isbn_holding", "isbn", unique=True, postgresql_where=text(HOLDING_SQL)),
        Index("ix_work_title_key", "title_key"),
        # The register's search (docs/design/DOMAIN.md, "Register search").
        Index("ix_work_search_keys", "search_keys", postgresql_using="gin"),
        _terms_index("ix_work_search_words"),
        Index("ix_work_status_seq", "status", "seq"),
        Index("ix_work_kind_seq", "kind", "seq"),
        Index("ix_work_country_seq", "country_of_origin", "seq"),
        Index(
            "ix_work_consent_deadline",
            "consent_deadline",
            postgresql_where=text("status = 'AWAITING_CONSENT'"),
        ),
    )

    id: uuid.UUID = Field(primary_key=True)
    # Insertion order, the keyset of register pages (ids are random).
    seq: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, Identity(always=False), nullable=False, unique=True),
    )
    filing_number: str = Field(max_length=32, unique=True)
    registration_number: str | None = Field(default=None, max_length=32, unique=True)
    title: str = Field(max_length=300)
    alternate_titles: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(Text), nullable=False)
    )
    kind: str = Field(max_length=32)
    status: str = Field(max_length=16)
    status_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    iswc: str | None = Field(default=None, max_length=15, index=True)
    isrc: str | None = Field(default=None, max_length=12, index=True)
    isbn: str | None = Field(default=None, max_length=13, index=True)
    # The musical work a sound recording records (DOMAIN.md, "Recordings of musical works"):
    # indexed, a work's recordings are read by it.
    recording_of: uuid.UUID | None = Field(default=None, foreign_key="work.id", index=True)
    country_of_origin: str = Field(max_length=2)
    filed_by: uuid.UUID
    filed_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    # How many events this work has had: its events carry it, so readers order them without
    # comparing the clocks of the instances that wrote them.
    version: int = Field(sa_column=Column(BigInteger, nullable=False, server_default="0"))
    # Folded forms of the titles (domain.titles): the duplicate key and the searchable text.
    title_key: str = Field(sa_column=Column(Text, nullable=False))
    search_text: str = Field(sa_column=Column(Text, nullable=False))
    # The register's search (domain.search_index.search_columns): exact keys and terms.
    search_keys: list[str] = Field(default_factory=list, sa_column=_terms_column())
    search_words: list[str] = Field(default_factory=list, sa_column=_terms_column())
    # Co-owners' consent (DOMAIN.md): when a work awaiting it is returned if unanswered.
    consent_deadline: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class ConsentRow(SQLModel, table=True):
    """A holding of a party other than the filer, and that party's answer to the filing."""

    __tablename__ = "work_consent"
    __table_args__ = (
        Index(
            "ix_work_consent_pending_party",
            "party_id",
            "work_id",
            postgresql_where=text("status = 'PENDING'"),
        ),
    )

    work_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    )
    party_id: uuid.UUID = Field(primary_key=True)
    role: str = Field(max_length=16, primary_key=True)
    position: int
    share: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    status: str = Field(max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class SearchWordRow(SQLModel, table=True):
    """The lexicon: every distinct search term of works and parties (filled by triggers on
    `work` and `party`), where a query's misspelt or unfinished words find their fixes."""


    __tablename__ = "search_word"

    # "C" collation: its primary key's btree also serves prefixes (LIKE 'abc%').
    word: str = Field(sa_column=Column(Text(collation="C"), primary_key=True))


class SearchWordVariantRow(SQLModel, table=True):
    """Each lexicon word (`word`) under itself and each of it less one character
    (`variant`): a term one edit away from a word shares a variant with it."""

    __tablename__ = "search_word_variant"

    variant: str = Field(sa_column=Column(Text(collation="C"), primary_key=True))
    word: str = Field(sa_column=Column(Text(collation="C"), primary_key=True))


class RightsHolderRow(SQLModel, table=True):
    __tablename__ = "rights_holder"
    __table_args__ = (
        Index("ix_rights_holder_party_work", "party_id", "work_id"),
        Index("ix_rights_holder_societies", "societies", postgresql_using="gin"),
    )

    work_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("work.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    party_id: uuid.UUID = Field(primary_key=True)
    role: str = Field(primary_key=True, max_length=16)
    position: int
    share: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    # The stated by-right fields (domain.holders.rights_json); NULL: one share for every right.
    rights: dict[str, object] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    # The societies the holding names, for any right: a society's export finds works by it.
    societies: list[str] = Field(default_factory=list, sa_column=_terms_column())


class HistoryRow(SQLModel, table=True):
    __tablename__ = "work_history"
    __table_args__ = (Index("ix_work_history_work_id", "work_id", "id"),)

    id: int | None = Field(default=None, sa_column=serial_key())
    work_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("work.id", ondelete="CASCADE"), nullable=False)
    )
    at: datetime = Field(sa_column=utc_column())
    actor_id: uuid.UUID | None = None
    action: str = Field(max_length=32)
    detail: str = Field(sa_column=Column(Text, nullable=False))


class DisputeOpeningRow(SQLModel, table=True):
    """One dispute a party opened, stamped by the database's clock: its daily limit counts these."""

    __tablename__ = "dispute_opening"
    __table_args__ = (Index("ix_dispute_opening_party_day", "party_id", "opened_at"),)

    id: int | None = Field(default=None, sa_column=serial_key())
    party_id: uuid.UUID = Field(nullable=False)
    work_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("work.id", ondelete="CASCADE"), nullable=False)
    )
    opened_at: datetime = Field(sa_column=utc_column(default_now=True))


class NumberCounter(SQLModel, table=True):
    """The last number handed out per kind (F, R) and year; its row lock serialises them."""

    __tablename__ = "number_counter"

    kind: str = Field(sa_column=Column(String(1), primary_key=True))
    year: int = Field(primary_key=True)
    last: int


class BulkImportRow(SQLModel, table=True):
    """One run of an uploaded bulk import: who ran it, when, and its summary (counts)."""

    __tablename__ = "bulk_import"

    id: uuid.UUID = Field(primary_key=True)
    filed_by: uuid.UUID = Field(nullable=False)
    started_at: datetime = Field(sa_column=utc_column())
    finished_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    summary: dict[str, object] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))


class BulkImportErrorRow(SQLModel, table=True):
    """One line of an uploaded import's error report: the row it refused, the field, why."""

    __tablename__ = "bulk_import_error"
    __table_args__ = (Index("ix_bulk_import_error_import", "import_id", "id"),)

    id: int | None = Field(default=None, sa_column=serial_key())
    import_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("bulk_import.id", ondelete="CASCADE"), nullable=False)
    )
    row: int
    field: str = Field(sa_column=Column(Text, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))


class CwrSubmissionRow(SQLModel, table=True):
    """The version of a work last sent to a society in a CWR file, and what the society
    acknowledged of it (DOMAIN.md, "CWR export", "Acknowledgements")."""

    __tablename__ = "cwr_submission"

    society: str = Field(sa_column=Column(String(3), primary_key=True))
    work_id: uuid.UUID = Field(primary_key=True)
    version: int = Field(sa_column=Column(BigInteger, nullable=False))
    transaction: str = Field(sa_column=Column(String(3), nullable=False))
    file_name: str = Field(sa_column=Column(Text, nullable=False))
    sequence: int
    sent_at: datetime = Field(sa_column=utc_column())
    society_work_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str | None = Field(default=None, sa_column=Column(String(2), nullable=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    assigned_iswc: str | None = Field(default=None, sa_column=Column(String(15), nullable=True))


class CwrFileRow(SQLModel, table=True):
    """A CWR file made for a society, kept for its download."""

    __tablename__ = "cwr_file"
    __table_args__ = (Index("ix_cwr_file_society", "society", "created_at"),)

    id: uuid.UUID = Field(primary_key=True)
    society: str = Field(sa_column=Column(String(3), nullable=False))
    name: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    created_at: datetime = Field(sa_column=utc_column())
    works: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
