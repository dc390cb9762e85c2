"""shares by right, societies per right, territory collection shares; what each society was sent

docs/design/DOMAIN.md, "Shares by right, societies and territories": a holding's stated
by-right fields are one JSON object (`rights`, NULL for a holding with one share for every
right: every holding written before) and the societies it names (`societies`, GIN-indexed:
a society's export finds its members' works by it). "CWR export": `cwr_submission` records
the version of each work last sent to each society.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision: str = "0010"
down_revision: str | None = "0009"


def upgrade() -> None:
    op.add_column("rights_holder", sa.Column("rights", JSONB(), nullable=True))
    op.add_column(
        "rights_holder",
        sa.Column("societies", ARRAY(sa.Text()), nullable=False, server_default="{}"),
    )
    op.create_index(
        "ix_rights_holder_societies", "rights_holder", ["societies"], postgresql_using="gin"
    )
    op.create_table(
        "cwr_submission",
        sa.Column("society", sa.String(3), primary_key=True),
        sa.Column("work_id", sa.Uuid(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("transaction", sa.String(3), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("society_work_id", sa.Text(), nullable=True),
        sa.Column("status", sa.String(2), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assigned_iswc", sa.String(15), nullable=True),
    )
    op.create_table(
        "cwr_file",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("society", sa.String(3), nullable=False),
        sa.Column("name", sa.Text(), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("works", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_cwr_file_society", "cwr_file", ["society", "created_at"])


def downgrade() -> None:
    op.drop_table("cwr_file")
    op.drop_table("cwr_submission")
    op.drop_index("ix_rights_holder_societies", table_name="rights_holder")
    op.drop_column("rights_holder", "societies")
    op.drop_column("rights_holder", "rights")
