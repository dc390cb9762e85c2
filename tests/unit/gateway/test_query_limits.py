"""Query cost (gateway/cost.py, the table in gateway/schema/costs.py), the variables' size and
the subscription quota: the arithmetic, the table's completeness, and refusals before any call."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from gateway.cost import UnboundedList, operation_cost
from gateway.limits import SubscriptionQuota, TooManySubscriptions
from gateway.schema.build import make_schema
from gateway.schema.costs import FIELD_COSTS, FieldCost
from gateway.settings import GatewaySettings
from graphql import (
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
    parse,
)

# The 205-byte query of issue 14: every work's holders, and each holder's works again.
AMPLIFICATION = """{ works(first: 20) { edges { node { title rightsHolders { party { name
  works(first: 20) { edges { node { title rightsHolders { party { name } } } } } } } } } } }"""


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return make_schema(GatewaySettings(subscriptions_enabled=False))._schema


def cost(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None = None,
         **kwargs: Any) -> int:
    return operation_cost(schema, parse(query), variables=variables, **kwargs)


def codes(result: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in result.get("errors", [])]


# ---------- the arithmetic ----------

def test_scalars_are_free_and_an_object_costs_one(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ me { id name country } }") == 1
    assert cost(schema, "{ me { id } work(id: \"x\") { id title } }") == 2


def test_a_connection_multiplies_its_selection_by_first(schema: GraphQLSchema) -> None:
    # works: 1 + first x (edges 0 + node 1)
    assert cost(schema, "{ works(first: 7) { edges { node { id } } } }") == 1 + 7 * 1
    # the argument's default page (20) when `first` is not given
    assert cost(schema, "{ works { edges { node { id } } } }") == 1 + 20 * 1
    # totalCount and pageInfo add nothing
    assert cost(schema, "{ works(first: 7) { totalCount pageInfo { endCursor } } }") == 1


def test_nested_lists_multiply(schema: GraphQLSchema) -> None:
    # node 1 + rightsHolders (1 + 5 x party 1) = 7 per work
    query = "{ works(first: 5) { edges { node { rightsHolders { party { name } } } } } }"
    assert cost(schema, query) == 1 + 5 * (1 + (1 + 5 * 1))


def test_a_variable_sets_the_page_size_and_its_default_applies_when_absent(
    schema: GraphQLSchema,
) -> None:
    query = "query ($n: Int = 3) { works(first: $n) { edges { node { id } } } }"
    assert cost(schema, query, {"n": 9}) == 1 + 9
    assert cost(schema, query, {}) == 1 + 3
    # a page over the limit is costed at the limit: page_size() refuses it with its own code
    assert cost(schema, query, {"n": 100000}, max_page_size=100) == 1 + 100


def test_every_alias_counts(schema: GraphQLSchema) -> None:
    one = "a: works(first: 4) { edges { node { id } } }"
    assert cost(schema, "{ " + one + " }") == 5
    assert cost(schema, "{ " + one + " " + one.replace("a:", "b:") + " }") == 10


def test_fragments_count_where_they_are_spread(schema: GraphQLSchema) -> None:
    query = """
      fragment W on Work { rightsHolders { party { id } } }
      { works(first: 2) { edges { node { ...W ... on Work { history { action } } } } } }"""
    # node 1 + rightsHolders 6 + history (1 + 10 x 0) = 8 per work
    assert cost(schema, query) == 1 + 2 * (1 + 6 + 1)


def test_the_operation_named_is_the_one_costed(schema: GraphQLSchema) -> None:
    document = parse("query A { me { id } } query B { works(first: 3) { edges { node { id } } } }")
    assert operation_cost(schema, document, operation_name="A") == 1
    assert operation_cost(schema, document, operation_name="B") == 4


def test_the_amplification_query_costs_far_over_the_default_budget(
    schema: GraphQLSchema,
) -> None:
    assert len(AMPLIFICATION.encode()) < 220
    assert cost(schema, AMPLIFICATION) > 2 * GatewaySettings().max_query_cost


def test_a_list_missing_from_the_table_is_a_gap_not_a_guess(schema: GraphQLSchema) -> None:
    table = {k: v for k, v in FIELD_COSTS.items() if k != "Work.history"}
    with pytest.raises(UnboundedList, match=r"Work\.history"):
        operation_cost(schema, parse("{ work(id: \"x\") { history { action } } }"), costs=table)


# ---------- the table ----------

def _object_fields(schema: GraphQLSchema) -> list[tuple[str, str, Any]]:
    return [
        (type_.name, name, field)
        for type_ in schema.type_map.values()
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__")
        for name, field in type_.fields.items()
    ]


def test_every_list_of_objects_in_the_schema_has_a_size_in_the_cost_table(
    schema: GraphQLSchema,
) -> None:
    missing = [
        f"{parent}.{name}"
        for parent, name, field in _object_fields(schema)
        if is_list_type(get_nullable_type(field.type))
        and is_composite_type(get_named_type(field.type))
        and not _sized(FIELD_COSTS.get(f"{parent}.{name}"))
    ]
    assert missing == [], f"give these lists a bound or size argument in schema/costs.py: {missing}"


def test_every_paged_field_is_costed_by_its_first_argument(schema: GraphQLSchema) -> None:
    paged = {f"{p}.{n}" for p, n, field in _object_fields(schema) if "first" in field.args}
    assert paged, "the schema has paged fields"
    assert {k for k in paged if FIELD_COSTS.get(k, FieldCost()).size_argument != "first"} == set()


def test_the_cost_table_names_only_fields_the_schema_has(schema: GraphQLSchema) -> None:
    fields = {f"{parent}.{name}" for parent, name, _ in _object_fields(schema)}
    assert set(FIELD_COSTS) - fields == set()


def _sized(rule: FieldCost | None) -> bool:
    return rule is not None and (rule.bound is not None or rule.size_argument is not None)


# ---------- refusals through the gateway, before any service call ----------

async def test_the_amplification_query_is_refused_before_any_service_call(
    gateway: Any, fake: Any, token: Callable[..., str]
) -> None:
    result = await gateway.raw(AMPLIFICATION, token=token(str(uuid.uuid4())))
    assert codes(result) == ["QUERY_TOO_COSTLY"]
    message = result["errors"][0]["message"]
    assert f"budget of {GatewaySettings().max_query_cost}" in message
    assert str(cost(make_schema(GatewaySettings())._schema, AMPLIFICATION)) in message
    assert result.get("data") is None
    assert fake.calls == []


async def test_the_budget_is_a_setting(
    open_gateway: Callable[..., Any], fake: Any, token: Callable[..., str]
) -> None:
    query = "{ works(first: 5) { edges { node { id } } } }"  # costs 6
    async with open_gateway(fake, max_query_cost=5) as gw:
        assert codes(await gw.raw(query, token=token(str(uuid.uuid4())))) == ["QUERY_TOO_COSTLY"]
    assert fake.calls == []
    async with open_gateway(fake, max_query_cost=6) as gw:
        assert not (await gw.raw(query, token=token(str(uuid.uuid4())))).get("errors")
    assert fake.count("filing") == 1


async def test_variables_over_their_size_are_refused_before_any_service_call(
    open_gateway: Callable[..., Any], fake: Any, token: Callable[..., str]
) -> None:
    query = "query ($t: String) { works(filter: {text: $t}) { totalCount } }"
    async with open_gateway(fake, max_variables_bytes=200) as gw:
        result = await gw.raw(query, {"t": "x" * 300}, token(str(uuid.uuid4())))
        assert codes(result) == ["VARIABLES_TOO_LARGE"]
        assert "at most 200" in result["errors"][0]["message"]
        assert fake.calls == []
        assert not (await gw.raw(query, {"t": "x" * 100}, token(str(uuid.uuid4())))).get("errors")


def test_the_subscription_quota_refuses_one_over_and_frees_a_place_when_one_ends() -> None:
    quota = SubscriptionQuota()
    with quota.hold("alice", 2), quota.hold("alice", 2):
        assert quota.open_count("alice") == 2
        with pytest.raises(TooManySubscriptions, match="at most 2"), quota.hold("alice", 2):
            pass
        with quota.hold("bob", 2):  # another account's quota is its own
            assert quota.open_count("bob") == 1
    assert quota.open_count("alice") == 0
    with quota.hold("alice", 2):
        assert quota.open_count("alice") == 1
