"""dispute openings: what a party's daily dispute limit counts

One row per dispute a party opened, stamped with the database's clock (`now()`), so the
limit's UTC day is the database's and never a process's.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    op.create_table(
        "dispute_opening",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column(
            "work_id", sa.Uuid(), sa.ForeignKey("work.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "opened_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        if_not_exists=True,
    )
    op.create_index(
        "ix_dispute_opening_party_day",
        "dispute_opening",
        ["party_id", "opened_at"],
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_index("ix_dispute_opening_party_day", table_name="dispute_opening", if_exists=True)
    op.drop_table("dispute_opening")
