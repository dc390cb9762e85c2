"""register versions: the read model keeps the version of the last applied snapshot

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    # NULL: applied from an event without a version (written before filing counted them).
    for table in ("register_party", "register_work"):
        op.add_column(table, sa.Column("version", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for table in ("register_work", "register_party"):
        op.drop_column(table, "version")
