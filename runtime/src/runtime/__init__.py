"""Plumbing every service shares: settings, database, outbox, idempotent consumer, auth,
HTTP, telemetry."""
