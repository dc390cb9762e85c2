"""co-owners' consent to a filing

docs/design/DOMAIN.md, "Co-owners' consent to a filing": a work awaiting consent has a
deadline (`work.consent_deadline`, NULL for every other work) and one `work_consent` row per
holding of a party other than the filer. A work AWAITING_CONSENT holds its identifiers: the
three holding indexes are rebuilt with it.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"

_OLD_HOLDING = "status IN ('FILED', 'UNDER_REVIEW', 'REGISTERED', 'DISPUTED')"
_NEW_HOLDING = (
    "status IN ('FILED', 'UNDER_REVIEW', 'REGISTERED', 'DISPUTED', 'AWAITING_CONSENT')"
)


def _holding_indexes(where: str) -> None:
    for name in ("iswc", "isrc", "isbn"):
        op.drop_index(f"ux_work_{name}_holding", table_name="work")
        op.create_index(
            f"ux_work_{name}_holding", "work", [name], unique=True,
            postgresql_where=sa.text(where),
        )


def upgrade() -> None:
    op.add_column("work", sa.Column("consent_deadline", sa.DateTime(timezone=True), nullable=True))
    # The lapse job's scan: only works still waiting, by deadline.
    op.create_index(
        "ix_work_consent_deadline", "work", ["consent_deadline"],
        postgresql_where=sa.text("status = 'AWAITING_CONSENT'"),
    )
    op.create_table(
        "work_consent",
        sa.Column("work_id", sa.Uuid(), sa.ForeignKey("work.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("party_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("share", sa.Numeric(5, 2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("work_id", "party_id", "role"),
    )
    # A party's requests still to answer (`GET /consent-requests`).
    op.create_index(
        "ix_work_consent_pending_party", "work_consent", ["party_id", "work_id"],
        postgresql_where=sa.text("status = 'PENDING'"),
    )
    _holding_indexes(_NEW_HOLDING)


def downgrade() -> None:
    _holding_indexes(_OLD_HOLDING)
    op.drop_index("ix_work_consent_pending_party", table_name="work_consent")
    op.drop_table("work_consent")
    op.drop_index("ix_work_consent_deadline", table_name="work")
    op.drop_column("work", "consent_deadline")
