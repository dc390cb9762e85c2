"""Benchmarks: the platform measured against raw Kafka and PostgreSQL baselines in one run."""
