"""recordings of musical works: the register's link and the recording a line was matched by

docs/design/DOMAIN.md, "Recordings of musical works" and "Usage lines and matching":
`register_work.recording_of` (from the works' events; NULL until a recording's next event
for recordings filed before, none of which names a work) and `usage_line.recording_id`.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"


def upgrade() -> None:
    op.add_column("register_work", sa.Column("recording_of", sa.Uuid(), nullable=True))
    op.add_column("usage_line", sa.Column("recording_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("usage_line", "recording_id")
    op.drop_column("register_work", "recording_of")
