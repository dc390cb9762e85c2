"""housekeeping indexes: the outbox's sent rows and tracking rows by age."""
from runtime import migration_ops

revision: str = "0002"
down_revision: str | None = "0001"
upgrade, downgrade = migration_ops.housekeeping_indexes(tracking=True)
