"""Prometheus metrics every service exposes on /metrics, labelled by service (and topic)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PUBLISHED = Counter(
    "rights_events_published_total", "Events published from the outbox", ["service", "topic"]
)
EVENTS_CONSUMED = Counter(
    "rights_events_consumed_total",
    "Events applied by idempotent consumers",
    ["service", "topic", "outcome"],
)
HANDLER_SECONDS = Histogram(
    "rights_event_handler_seconds",
    "Time to apply one batch of events in one transaction",
    ["service", "group"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
DLQ_RECORDS = Counter(
    "rights_dlq_records_total", "Records sent to a dead-letter topic", ["service", "group"]
)
CONSUMER_LAG = Gauge(
    "rights_consumer_lag",
    "Records behind the end of the log, per topic",
    ["service", "group", "topic"],
)
OUTBOX_BACKLOG = Gauge("rights_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "rights_outbox_oldest_unsent_seconds", "Age of the oldest unpublished outbox row", ["service"]
)
HTTP_SECONDS = Histogram(
    "rights_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
)
CONSUMER_INFRA_RETRIES = Counter(
    "rights_consumer_infrastructure_retries_total",
    "Batches retried because the database or broker failed (never dead-lettered)",
    ["service", "group"],
)
CONSUMER_RESTARTS = Counter(
    "rights_consumer_restarts_total",
    "Stalled consumers closed and replaced by a new group member",
    ["service", "group"],
)
PROCESSED_PRUNED = Counter(
    "rights_processed_events_pruned_total",
    "Tracking rows deleted after the retention",
    ["service", "group"],
)
