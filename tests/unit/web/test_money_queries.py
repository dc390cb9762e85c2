"""The money, society, inbox and contact pages' GraphQL operations against the published
schema (as test_queries_and_session.py checks web/queries.py's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate
from web.mandates import OPERATIONS as MANDATE_OPERATIONS
from web.money_queries import OPERATIONS

SCHEMA = build_schema(
    (Path(__file__).resolve().parents[3] / "gateway" / "schema.graphql").read_text()
)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_operation_of_these_pages_is_valid_against_the_gateways_schema(name: str) -> None:
    assert validate(SCHEMA, parse(OPERATIONS[name])) == []


@pytest.mark.parametrize("name", sorted(MANDATE_OPERATIONS))
def test_every_mandate_operation_is_valid_against_the_gateways_schema(name: str) -> None:
    assert validate(SCHEMA, parse(MANDATE_OPERATIONS[name])) == []
