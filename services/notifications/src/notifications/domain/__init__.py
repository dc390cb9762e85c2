"""The notification rules of DOMAIN.md as plain Python: no I/O, no framework."""
