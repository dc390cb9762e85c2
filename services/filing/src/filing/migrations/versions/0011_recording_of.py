"""a sound recording names the musical work it records

docs/design/DOMAIN.md, "Recordings of musical works": `work.recording_of`, NULL for every
work filed before (and every work that is not a recording); indexed, a work's recordings are
read by it.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"


def upgrade() -> None:
    op.add_column("work", sa.Column("recording_of", sa.Uuid(), nullable=True))
    op.create_foreign_key("fk_work_recording_of", "work", "work", ["recording_of"], ["id"])
    op.create_index("ix_work_recording_of", "work", ["recording_of"])


def downgrade() -> None:
    op.drop_index("ix_work_recording_of", table_name="work")
    op.drop_constraint("fk_work_recording_of", "work", type_="foreignkey")
    op.drop_column("work", "recording_of")
