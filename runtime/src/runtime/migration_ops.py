"""Schema steps on the runtime's own tables (outbox, tracking) that services' migrations share.

Each function is one migration step as it was first released: a migration that calls it must
keep producing the same schema, so these are never edited, only added to (a later change to
the runtime's tables is a new function called by a new migration in every service).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

_UNSENT = sa.text("sent_at IS NULL")


def create_outbox_table() -> None:
    """The outbox as the services' first migrations created it (before `ix_outbox_sent`)."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("traceparent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_unsent", "outbox", ["id"], unique=False, postgresql_where=_UNSENT)


def drop_outbox_table() -> None:
    op.drop_index("ix_outbox_unsent", table_name="outbox", postgresql_where=_UNSENT)
    op.drop_table("outbox")


def create_housekeeping_indexes(*, tracking: bool) -> None:
    """The indexes housekeeping's batched deletes walk: sent outbox rows by age and, for a
    service that consumes (`tracking`), tracking rows by consumer and age.

    IF NOT EXISTS because a database created from the current models may already have them.
    Not CONCURRENTLY: the shared migration environment runs every migration inside one
    transaction under its lock.
    """
    op.create_index(
        "ix_outbox_sent",
        "outbox",
        ["sent_at"],
        postgresql_where=sa.text("sent_at IS NOT NULL"),
        if_not_exists=True,
    )
    if tracking:
        op.create_index(
            "ix_processed_event_age",
            "processed_event",
            ["consumer", "processed_at"],
            if_not_exists=True,
        )


def drop_housekeeping_indexes(*, tracking: bool) -> None:
    if tracking:
        op.drop_index("ix_processed_event_age", table_name="processed_event", if_exists=True)
    op.drop_index("ix_outbox_sent", table_name="outbox", if_exists=True)


def housekeeping_indexes(*, tracking: bool) -> tuple[Callable[[], None], Callable[[], None]]:
    """(upgrade, downgrade) of a migration that adds only the housekeeping indexes."""
    return (
        lambda: create_housekeeping_indexes(tracking=tracking),
        lambda: drop_housekeeping_indexes(tracking=tracking),
    )


def create_idempotency_table() -> None:
    """The keys of retried commands (`runtime.idempotency.StoredAnswer`), as first released."""
    op.create_table(
        "idempotency_key",
        sa.Column("caller", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("caller", "key"),
        if_not_exists=True,
    )
    # Pruning walks keys by age.
    op.create_index(
        "ix_idempotency_key_created", "idempotency_key", ["created_at"], if_not_exists=True
    )


def drop_idempotency_table() -> None:
    op.drop_index("ix_idempotency_key_created", table_name="idempotency_key", if_exists=True)
    op.drop_table("idempotency_key", if_exists=True)


def idempotency_table() -> tuple[Callable[[], None], Callable[[], None]]:
    """(upgrade, downgrade) of a migration that adds only the idempotency keys' table."""
    return create_idempotency_table, drop_idempotency_table
