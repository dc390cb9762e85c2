"""The licensing database: register read model, licences, usage, statements, outbox, tracking.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0001"
down_revision: str | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "register_party",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("last_event_at", TZ, nullable=False),
        sa.Column("last_event_id", sa.Uuid(), nullable=False),
    )
    op.create_table(
        "register_work",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("filing_number", sa.Text(), nullable=True),
        sa.Column("registration_number", sa.Text(), nullable=True),
        sa.Column("last_event_at", TZ, nullable=False),
        sa.Column("last_event_id", sa.Uuid(), nullable=False),
    )
    op.create_table(
        "register_holder",
        sa.Column("work_id", sa.Uuid(), primary_key=True),
        sa.Column("party_id", sa.Uuid(), primary_key=True),
        sa.Column("role", sa.String(32), primary_key=True),
        sa.Column("share", sa.Numeric(5, 2), nullable=False),
    )
    op.create_index("ix_register_holder_party_id", "register_holder", ["party_id"])
    op.create_table(
        "register_shares",
        sa.Column("work_id", sa.Uuid(), primary_key=True),
        sa.Column("effective_from", TZ, primary_key=True),
        sa.Column("shares", pg.JSONB(), nullable=False),
    )
    op.create_table(
        "licence",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("work_id", sa.Uuid(), nullable=False),
        sa.Column("licensor_id", sa.Uuid(), nullable=False),
        sa.Column("licensee_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("territories", pg.ARRAY(sa.String(2)), nullable=False),
        sa.Column("media", pg.ARRAY(sa.String(32)), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("royalty_rate", sa.Numeric(5, 2), nullable=False),
        sa.Column("advance", sa.Numeric(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.CheckConstraint("royalty_rate >= 0 AND royalty_rate <= 100", name="ck_licence_rate"),
        sa.CheckConstraint("advance >= 0", name="ck_licence_advance"),
        sa.CheckConstraint('"end" IS NULL OR "end" >= start', name="ck_licence_period"),
    )
    op.create_index("ix_licence_work_status", "licence", ["work_id", "status"])
    op.create_index("ix_licence_licensor_id", "licence", ["licensor_id"])
    op.create_index("ix_licence_licensee_id", "licence", ["licensee_id"])
    op.create_table(
        "licence_event",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("licence_id", sa.Uuid(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
    )
    op.create_index("ix_licence_event_licence_id", "licence_event", ["licence_id"])
    op.create_table(
        "usage_report",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("licence_id", sa.Uuid(), sa.ForeignKey("licence.id"), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("gross_revenue", sa.Numeric(), nullable=False),
        sa.Column("corrects_report_id", sa.Uuid(), sa.ForeignKey("usage_report.id"),
                  nullable=True),
        sa.Column("reported_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.CheckConstraint("period_end >= period_start", name="ck_usage_period"),
    )
    op.create_index("ix_usage_report_licence_id", "usage_report", ["licence_id"])
    op.create_table(
        "royalty_statement",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("licence_id", sa.Uuid(), sa.ForeignKey("licence.id"), nullable=False),
        sa.Column("work_id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), sa.ForeignKey("usage_report.id"), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("gross", sa.Numeric(), nullable=False),
        sa.Column("royalty", sa.Numeric(), nullable=False),
        sa.Column("recouped", sa.Numeric(), nullable=False),
        sa.Column("payable", sa.Numeric(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("lines", pg.JSONB(), nullable=False),
        sa.Column("issued_at", TZ, nullable=False),
        sa.UniqueConstraint("report_id", name="uq_statement_report"),
    )
    op.create_index("ix_royalty_statement_licence_id", "royalty_statement", ["licence_id"])
    # Statements and the reports they state are immutable (DOMAIN.md): the database itself
    # refuses to change or delete them, whatever code runs against it.
    op.execute(
        """
        CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME
                USING ERRCODE = 'check_violation';
        END $$;
        """
    )
    for table in ("usage_report", "royalty_statement"):
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
        )
    _shared_tables(create=True)


def _shared_tables(*, create: bool) -> None:
    """The runtime's outbox and tracking tables, as the runtime defines them."""
    from runtime.consumer import ProcessedEvent
    from runtime.outbox import OutboxMessage

    bind = op.get_bind()
    for model in (OutboxMessage, ProcessedEvent):
        table: sa.Table = model.__table__  # type: ignore[union-attr]
        if create:
            table.create(bind, checkfirst=True)
        else:
            table.drop(bind, checkfirst=True)


def downgrade() -> None:
    _shared_tables(create=False)
    for table in ("usage_report", "royalty_statement"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
    op.execute("DROP FUNCTION IF EXISTS refuse_change()")
    for table in (
        "royalty_statement",
        "usage_report",
        "licence_event",
        "licence",
        "register_shares",
        "register_holder",
        "register_work",
        "register_party",
    ):
        op.drop_table(table)
