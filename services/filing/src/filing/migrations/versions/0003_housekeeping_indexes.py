"""housekeeping indexes: the outbox's sent rows by age (filing consumes nothing)."""
from runtime import migration_ops

revision: str = "0003"
down_revision: str | None = "0002"
upgrade, downgrade = migration_ops.housekeeping_indexes(tracking=False)
