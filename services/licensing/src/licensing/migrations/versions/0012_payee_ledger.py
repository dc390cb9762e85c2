"""the payee ledger: statement payments and exchange rates

docs/design/DOMAIN.md, "The payee ledger, payments and conversion": a statement's payment is
a row of its own beside the immutable statement (one per statement, itself immutable), and
the exchange rates statements convert at (one per pair and effective date, immutable: the
ledgers converted at a rate must not change). A GIN index finds a payee's statements by
their lines.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"

TZ = sa.DateTime(timezone=True)
IMMUTABLE = ("statement_payment", "exchange_rate")


def upgrade() -> None:
    op.create_table(
        "statement_payment",
        sa.Column(
            "statement_id", sa.Uuid(), sa.ForeignKey("royalty_statement.id"), primary_key=True
        ),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_table(
        "exchange_rate",
        sa.Column("base", sa.String(3), primary_key=True),
        sa.Column("quote", sa.String(3), primary_key=True),
        sa.Column("effective_on", sa.Date(), primary_key=True),
        sa.Column("rate", sa.Numeric(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.CheckConstraint("rate > 0", name="ck_exchange_rate_positive"),
        sa.CheckConstraint("base <> quote", name="ck_exchange_rate_pair"),
    )
    op.create_index(
        "ix_royalty_statement_lines", "royalty_statement", ["lines"],
        postgresql_using="gin", postgresql_ops={"lines": "jsonb_path_ops"},
    )  # fmt: skip
    for table in IMMUTABLE:
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
        )


def downgrade() -> None:
    for table in IMMUTABLE:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
    op.drop_index("ix_royalty_statement_lines", table_name="royalty_statement")
    op.drop_table("exchange_rate")
    op.drop_table("statement_payment")
