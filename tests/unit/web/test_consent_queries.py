"""The consent page's GraphQL operations against the published schema (as
test_money_queries.py checks the money pages')."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate
from web.consents import OPERATIONS

SCHEMA = build_schema(
    (Path(__file__).resolve().parents[3] / "gateway" / "schema.graphql").read_text()
)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_operation_of_the_consent_page_is_valid_against_the_gateways_schema(
    name: str,
) -> None:
    assert validate(SCHEMA, parse(OPERATIONS[name])) == []
