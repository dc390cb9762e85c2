"""The test suites. A regular package, so `tests.*` is this folder even where an installed
distribution ships a top-level `tests` package of its own (cwr-api does)."""
