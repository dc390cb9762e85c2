"""idempotency keys: the stored answers of keyed commands (offers, accepts, terminations,
usage reports)."""
from runtime import migration_ops

revision: str = "0004"
down_revision: str | None = "0003"
upgrade, downgrade = migration_ops.idempotency_table()
