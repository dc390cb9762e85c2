"""co-owners' consent to exclusive licences, and mandates

docs/design/DOMAIN.md, "Co-owners' consent to licences, and mandates": the holders' shares
by right in the read model (`register_holder.mechanical_share`, `sync_share`: NULL where the
holder states none, i.e. its `share`; holders applied before this revision read as NULL until
their work's next event or a rebuild), each exclusive offer's owners and how they agreed
(`licence_owner_consent`), the mandates owners grant (`mandate`), and room in
`licence.status` for the consent statuses.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"


def upgrade() -> None:
    # `REFUSED_BY_OWNERS` is 17 characters.
    op.alter_column("licence", "status", type_=sa.String(32), existing_nullable=False)
    op.add_column("register_holder", sa.Column("mechanical_share", sa.Numeric(5, 2)))
    op.add_column("register_holder", sa.Column("sync_share", sa.Numeric(5, 2)))
    op.create_table(
        "licence_owner_consent",
        sa.Column("licence_id", sa.Uuid(), sa.ForeignKey("licence.id"), primary_key=True),
        sa.Column("party_id", sa.Uuid(), primary_key=True),
        sa.Column("share", sa.Numeric(5, 2), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("mandate_id", sa.Uuid(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_licence_owner_consent_party_id", "licence_owner_consent", ["party_id"]
    )
    op.create_table(
        "mandate",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("grantor_id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("work_id", sa.Uuid(), nullable=True),
        sa.Column("media", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_mandate_grantor_id", "mandate", ["grantor_id"])
    op.create_index("ix_mandate_agent_id", "mandate", ["agent_id"])


def downgrade() -> None:
    op.drop_table("mandate")
    op.drop_table("licence_owner_consent")
    op.drop_column("register_holder", "sync_share")
    op.drop_column("register_holder", "mechanical_share")
    op.alter_column("licence", "status", type_=sa.String(16), existing_nullable=False)
