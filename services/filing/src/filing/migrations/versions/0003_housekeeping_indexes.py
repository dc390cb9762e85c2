"""indexes for housekeeping: the outbox's sent rows

The runtime deletes old sent outbox rows in batches; these
indexes let it find them without scanning the table. IF NOT EXISTS because a database
created from the current models may already have them. (Not CONCURRENTLY: the shared
migration environment runs every migration inside one transaction under its lock.)

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_sent",
        "outbox",
        ["sent_at"],
        postgresql_where=sa.text("sent_at IS NOT NULL"),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_outbox_sent", table_name="outbox", if_exists=True
    )
