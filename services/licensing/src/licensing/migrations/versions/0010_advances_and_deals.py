"""advances paid, minimum guarantees and deals

docs/design/DOMAIN.md, "Advances and minimum guarantees": a licence's minimum guarantee and
its deal (with the deal's cross-collateralisation copied, as it never changes); the deals;
the advance payments the licensees record (immutable, one per licence); at most one ADVANCE
and one TRUE_UP statement per licence, so neither is ever issued twice.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0010"
down_revision: str | None = "0009"

TZ = sa.DateTime(timezone=True)
ONCE_PER_LICENCE = ("ADVANCE", "TRUE_UP")


def upgrade() -> None:
    op.create_table(
        "licence_deal",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("licensor_id", sa.Uuid(), nullable=False),
        sa.Column("licensee_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("cross_collateralised", sa.Boolean(), nullable=False),
        sa.Column("owner_ids", pg.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.add_column(
        "licence",
        sa.Column("minimum_guarantee", sa.Numeric(), nullable=False, server_default="0"),
    )
    op.create_check_constraint(
        "ck_licence_minimum_guarantee",
        "licence",
        "minimum_guarantee = 0 OR minimum_guarantee >= advance",
    )
    op.add_column(
        "licence",
        sa.Column("deal_id", sa.Uuid(), sa.ForeignKey("licence_deal.id"), nullable=True),
    )
    op.add_column(
        "licence",
        sa.Column(
            "cross_collateralised", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.create_index("ix_licence_deal_id", "licence", ["deal_id"])
    op.create_table(
        "advance_payment",
        sa.Column("licence_id", sa.Uuid(), sa.ForeignKey("licence.id"), primary_key=True),
        sa.Column(
            "statement_id",
            sa.Uuid(),
            sa.ForeignKey("royalty_statement.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.execute(
        "CREATE TRIGGER advance_payment_immutable BEFORE UPDATE OR DELETE ON advance_payment "
        "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
    )
    for kind in ONCE_PER_LICENCE:
        op.create_index(
            f"uq_statement_{kind.lower()}",
            "royalty_statement",
            ["licence_id"],
            unique=True,
            postgresql_where=sa.text(f"kind = '{kind}'"),
        )


def downgrade() -> None:
    for kind in ONCE_PER_LICENCE:
        op.drop_index(f"uq_statement_{kind.lower()}", table_name="royalty_statement")
    op.execute("DROP TRIGGER IF EXISTS advance_payment_immutable ON advance_payment")
    op.drop_table("advance_payment")
    op.drop_index("ix_licence_deal_id", table_name="licence")
    op.drop_column("licence", "cross_collateralised")
    op.drop_column("licence", "deal_id")
    op.drop_constraint("ck_licence_minimum_guarantee", "licence")
    op.drop_column("licence", "minimum_guarantee")
    op.drop_table("licence_deal")
