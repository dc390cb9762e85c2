"""event data on webhook deliveries: an inbox entry no longer carries the event's data

Only a webhook call sends the event's data, so only a WEBHOOK delivery keeps it; the inbox
entry keeps what its reader sees (title, message, type, subject, time).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    op.add_column(
        "delivery",
        sa.Column("event_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.execute(
        "UPDATE delivery AS d SET event_data = n.event_data FROM notification AS n "
        "WHERE n.id = d.notification_id AND d.channel = 'WEBHOOK'"
    )
    op.drop_column("notification", "event_data")


def downgrade() -> None:
    op.add_column(
        "notification",
        sa.Column(
            "event_data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.alter_column("notification", "event_data", server_default=None)
    op.execute(
        "UPDATE notification AS n SET event_data = d.event_data FROM delivery AS d "
        "WHERE n.id = d.notification_id AND d.event_data IS NOT NULL"
    )
    op.drop_column("delivery", "event_data")
