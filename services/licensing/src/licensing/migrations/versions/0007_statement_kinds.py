"""statement kinds: a statement is no longer always a usage report's

docs/design/DOMAIN.md, "Statements and the ledger": `royalty_statement.kind` (`ROYALTY` for
every statement issued before: each came from a usage report) and `report_id` only for the
kinds that come from a report.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"


def upgrade() -> None:
    op.add_column(
        "royalty_statement",
        sa.Column("kind", sa.String(16), nullable=False, server_default="ROYALTY"),
    )
    op.alter_column("royalty_statement", "report_id", nullable=True)


def downgrade() -> None:
    op.alter_column("royalty_statement", "report_id", nullable=False)
    op.drop_column("royalty_statement", "kind")
