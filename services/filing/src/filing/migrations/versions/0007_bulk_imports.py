"""bulk imports: each run of an uploaded import and its error report (row, field, reason)

After the search's 0006 (issue 16).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0007"
down_revision: str | None = "0006"


def upgrade() -> None:
    op.create_table(
        "bulk_import",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("filed_by", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", JSONB(), nullable=True),
        if_not_exists=True,
    )
    op.create_table(
        "bulk_import_error",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column(
            "import_id",
            sa.Uuid(),
            sa.ForeignKey("bulk_import.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        if_not_exists=True,
    )
    op.create_index(
        "ix_bulk_import_error_import", "bulk_import_error", ["import_id", "id"],
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_index("ix_bulk_import_error_import", table_name="bulk_import_error", if_exists=True)
    op.drop_table("bulk_import_error")
    op.drop_table("bulk_import")
