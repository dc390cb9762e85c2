"""Plain fields (an attribute of a scalar or enum type, no resolver) are read directly
(gateway/schema/execution.py): the same answers and the same errors as graphql-core's path."""

from __future__ import annotations

import decimal
import enum

import pytest
import strawberry
from gateway.schema.build import GatewaySchema, make_schema
from gateway.schema.execution import PlainFieldsExecution, plain_fields

from .conftest import gateway_settings


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Item:
    name: str
    colour: Colour
    price: decimal.Decimal | None
    tags: list[str]

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return [Item(name="a", colour=Colour.RED, price=decimal.Decimal("1.50"), tags=["x"]),
                Item(name=None, colour=Colour.RED, price=None, tags=[]),  # type: ignore[arg-type]
                Item(name="c", colour="blue", price=None, tags=[])]  # type: ignore[arg-type]


def test_only_attribute_fields_of_leaf_types_are_plain() -> None:
    schema = GatewaySchema(query=Query)
    assert issubclass(schema.execution_context_class, PlainFieldsExecution)
    assert set(plain_fields(schema._schema)["Item"]) == {"name", "colour", "price"}
    works = plain_fields(make_schema(gateway_settings())._schema)["Work"]
    assert "title" in works and "licences" not in works and "rightsHolders" not in works


@pytest.mark.asyncio
async def test_plain_fields_answer_and_fail_as_graphql_core_does() -> None:
    query = "{ items { name colour price tags shout } }"
    plain = strawberry.Schema(query=Query)
    plain.execution_context_class = PlainFieldsExecution.for_schema(plain._schema)
    ours = await plain.execute(query)
    theirs = await strawberry.Schema(query=Query).execute(query)
    assert ours.data == theirs.data
    assert ours.data == {"items": [
        {"name": "a", "colour": "RED", "price": "1.50", "tags": ["x"], "shout": "A"},
        None, None]}
    assert [(e.message, e.path) for e in ours.errors or []] == [
        (e.message, e.path) for e in theirs.errors or []]
    assert [e.path for e in ours.errors or []] == [["items", 1, "name"], ["items", 2, "colour"]]
