"""versions: each party and work counts its events, which carry the count

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'


def upgrade() -> None:
    # Rows from before versions start at 0: their next event is version 1.
    for table in ('party', 'work'):
        op.add_column(
            table, sa.Column('version', sa.BigInteger(), server_default='0', nullable=False)
        )


def downgrade() -> None:
    for table in ('work', 'party'):
        op.drop_column(table, 'version')
