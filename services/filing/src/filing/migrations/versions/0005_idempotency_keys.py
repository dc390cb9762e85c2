"""idempotency keys: the stored answers of keyed commands (transfers, dispute resolutions)."""
from runtime import migration_ops

revision: str = "0005"
down_revision: str | None = "0004"
upgrade, downgrade = migration_ops.idempotency_table()
