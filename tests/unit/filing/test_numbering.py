"""Filing and registration numbers: their format and their inverse."""

from __future__ import annotations

import pytest
from filing.domain.numbering import NumberKind, format_number, parse_number


def test_filing_number_format():
    assert format_number(NumberKind.FILING, 2026, 123) == "F-2026-000123"


def test_registration_number_format():
    assert format_number(NumberKind.REGISTRATION, 2026, 45) == "R-2026-000045"


def test_number_round_trips():
    assert parse_number("R-2026-000045") == (NumberKind.REGISTRATION, 2026, 45)


def test_sequences_start_at_one():
    with pytest.raises(ValueError):
        format_number(NumberKind.FILING, 2026, 0)
