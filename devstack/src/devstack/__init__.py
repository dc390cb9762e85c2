"""Runs the whole platform on one machine (`make run`, the e2e tests, the benchmarks)."""
