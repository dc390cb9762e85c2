"""The operator CLI `rights` (README, "Operating")."""
