"""suspense: statements held while their work is disputed, and the release of each

docs/design/DOMAIN.md, "Suspense while a work is disputed": one row per held statement,
written with it; `release_id` names the `RELEASE` statement that released it, set once. The
statements stay immutable: the hold is a record beside them.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"


def upgrade() -> None:
    op.create_table(
        "statement_hold",
        sa.Column(
            "statement_id", postgresql.UUID(), sa.ForeignKey("royalty_statement.id"),
            primary_key=True,
        ),
        sa.Column("work_id", postgresql.UUID(), nullable=False),
        sa.Column("licence_id", postgresql.UUID(), nullable=False),
        # The work's snapshot the statement was held under (domain.snapshots.Stamp).
        sa.Column("held_version", sa.BigInteger(), nullable=True),
        sa.Column("held_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "release_id", postgresql.UUID(), sa.ForeignKey("royalty_statement.id"),
            nullable=True,
        ),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    )  # fmt: skip
    op.create_index(
        "ix_statement_hold_unreleased", "statement_hold", ["work_id"],
        postgresql_where=sa.text("release_id IS NULL"),
    )  # fmt: skip
    op.create_index("ix_statement_hold_release", "statement_hold", ["release_id"])


def downgrade() -> None:
    op.drop_table("statement_hold")
