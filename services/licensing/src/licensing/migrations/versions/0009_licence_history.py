"""licence history: versions of a licence's terms and its bitemporal history

docs/design/DOMAIN.md, "Licence history: valid time and recorded time" and "Amendments and
renewals": `licence_version` (version 1 of every licence is its offered terms; amendments and
renewals follow), `licence_history` (append-only: each change's whole state, recorded when
it happened), backfilled from the licences and their timeline (`licence_event`).

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "licence", sa.Column("terms_version", sa.Integer(), nullable=False, server_default="1")
    )
    op.create_table(
        "licence_version",
        sa.Column("licence_id", sa.Uuid(), sa.ForeignKey("licence.id"), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("territories", postgresql.ARRAY(sa.String(2)), nullable=False),
        sa.Column("media", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("royalty_rate", sa.Numeric(5, 2), nullable=False),
        sa.Column("proposed_by", sa.Uuid(), nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("proposed_at", TZ, nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
    )
    op.create_table(
        "licence_history",
        sa.Column("licence_id", sa.Uuid(), sa.ForeignKey("licence.id"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("work_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("segments", postgresql.JSONB(), nullable=False),
    )
    op.create_index(
        "ix_licence_history_work_recorded", "licence_history", ["work_id", "recorded_at"]
    )
    # Recorded history is never rewritten (refuse_change() is migration 0001's).
    op.execute(
        "CREATE TRIGGER licence_history_immutable BEFORE UPDATE OR DELETE ON licence_history "
        "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
    )
    op.execute(
        """
        INSERT INTO licence_version (licence_id, number, kind, state, effective_from, "end",
            territories, media, exclusive, royalty_rate, proposed_by, side, proposed_at)
        SELECT id, 1, 'ORIGINAL', 'ACCEPTED', start, "end", territories, media, exclusive,
            royalty_rate, licensor_id, 'LICENSOR', created_at
        FROM licence
        """
    )
    # One history row per timeline line of a licence event, the status that event gave;
    # the terms are the licence's own (no licence was amended before this revision).
    op.execute(
        """
        WITH steps AS (
            SELECT e.licence_id, e.at, e.id,
                CASE split_part(e.type, '.', 5)
                    WHEN 'offered' THEN 'OFFERED' WHEN 'activated' THEN 'ACTIVE'
                    WHEN 'declined' THEN 'DECLINED' WHEN 'withdrawn' THEN 'WITHDRAWN'
                    WHEN 'terminated' THEN 'TERMINATED' WHEN 'expired' THEN 'EXPIRED'
                END AS status
            FROM licence_event e
            WHERE e.type LIKE '%.licensing.licence.%'
        ),
        known AS (
            SELECT * FROM steps WHERE status IS NOT NULL
            UNION ALL
            SELECT l.id, l.updated_at, NULL, l.status FROM licence l
            WHERE NOT EXISTS (SELECT 1 FROM steps s WHERE s.licence_id = l.id)
        )
        INSERT INTO licence_history (licence_id, seq, work_id, recorded_at, status,
            valid_until, segments)
        SELECT k.licence_id,
            row_number() OVER (PARTITION BY k.licence_id ORDER BY k.at, k.id),
            l.work_id, k.at, k.status,
            CASE WHEN k.status = 'TERMINATED' THEN (k.at AT TIME ZONE 'UTC')::date END,
            jsonb_build_array(jsonb_build_object(
                'start', l.start, 'end', l."end", 'territories', to_jsonb(l.territories),
                'media', to_jsonb(l.media), 'exclusive', l.exclusive,
                'royalty_rate', l.royalty_rate::text))
        FROM known k JOIN licence l ON l.id = k.licence_id
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS licence_history_immutable ON licence_history")
    op.drop_index("ix_licence_history_work_recorded", table_name="licence_history")
    op.drop_table("licence_history")
    op.drop_table("licence_version")
    op.drop_column("licence", "terms_version")
