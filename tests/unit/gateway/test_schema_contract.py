"""The served schema contains every type, field, argument and enum value of the contract
(docs/design/schema.graphql) with compatible types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gateway.schema.build import make_schema
from gateway.settings import GatewaySettings
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    ast_from_value,
    build_schema,
    print_ast,
)

CONTRACT = Path(__file__).resolve().parents[3] / "docs" / "design" / "schema.graphql"


def shape(type_: object) -> str:
    """A type as written in SDL, for readable failures."""
    return str(type_)


def output_compatible(served: object, contract: object) -> bool:
    """A client of the contract can read the served type: same named type and list nesting,
    and at least as strict about nulls (the server may promise more, never less)."""
    if isinstance(contract, GraphQLNonNull):
        return isinstance(served, GraphQLNonNull) and output_compatible(
            served.of_type, contract.of_type
        )
    if isinstance(served, GraphQLNonNull):
        served = served.of_type
    if isinstance(contract, GraphQLList):
        return isinstance(served, GraphQLList) and output_compatible(
            served.of_type, contract.of_type
        )
    return not isinstance(served, GraphQLList) and served.name == contract.name  # type: ignore[attr-defined]


def input_compatible(served: object, contract: object) -> bool:
    """What a contract client sends is accepted: same named type and list nesting, and no
    stricter about nulls (the server may accept more, never less). That is the output rule
    with the roles swapped: the client's value must be readable by the server."""
    return output_compatible(contract, served)


def default_of(arg: Any) -> str | None:
    """A default value as printed SDL, whether it came from SDL or from Python."""
    node = getattr(arg, "ast_node", None)
    if node is not None and getattr(node, "default_value", None) is not None:
        return print_ast(node.default_value)
    if arg.default_value is Undefined:
        return None
    value = ast_from_value(arg.default_value, arg.type)
    printed = print_ast(value) if value is not None else None
    # `= null` on a nullable argument means the same as no default.
    return None if printed == "null" else printed


def kind(type_: object) -> str:
    for base in (GraphQLObjectType, GraphQLInputObjectType, GraphQLEnumType, GraphQLScalarType):
        if isinstance(type_, base):
            return base.__name__
    return type(type_).__name__


def differences(served: GraphQLSchema, contract: GraphQLSchema) -> list[str]:
    problems: list[str] = []
    for name, ctype in contract.type_map.items():
        if name.startswith("__"):
            continue
        stype = served.type_map.get(name)
        if stype is None:
            problems.append(f"missing type {name}")
            continue
        if kind(stype) != kind(ctype):
            problems.append(f"{name}: {kind(stype)} instead of {kind(ctype)}")
            continue
        if isinstance(ctype, GraphQLEnumType):
            missing = set(ctype.values) - set(stype.values)  # type: ignore[attr-defined]
            problems += [f"enum {name} lacks {v}" for v in sorted(missing)]
        if isinstance(ctype, GraphQLObjectType):
            for fname, cfield in ctype.fields.items():
                sfield = stype.fields.get(fname)  # type: ignore[attr-defined]
                if sfield is None:
                    problems.append(f"missing field {name}.{fname}")
                    continue
                if not output_compatible(sfield.type, cfield.type):
                    problems.append(f"{name}.{fname}: {shape(sfield.type)} vs {shape(cfield.type)}")
                for aname, carg in cfield.args.items():
                    sarg = sfield.args.get(aname)
                    if sarg is None:
                        problems.append(f"missing argument {name}.{fname}({aname})")
                    elif not input_compatible(sarg.type, carg.type):
                        problems.append(f"{name}.{fname}({aname}): {shape(sarg.type)} vs "
                                        f"{shape(carg.type)}")
                    elif default_of(carg) != default_of(sarg):
                        problems.append(f"{name}.{fname}({aname}) default "
                                        f"{default_of(sarg)} vs {default_of(carg)}")
                for aname, sarg in sfield.args.items():
                    if aname not in cfield.args and isinstance(sarg.type, GraphQLNonNull) \
                            and sarg.default_value is None:
                        problems.append(f"new required argument {name}.{fname}({aname})")
        if isinstance(ctype, GraphQLInputObjectType):
            for fname, cfield in ctype.fields.items():
                sfield = stype.fields.get(fname)  # type: ignore[attr-defined]
                if sfield is None:
                    problems.append(f"missing input field {name}.{fname}")
                elif not input_compatible(sfield.type, cfield.type):
                    problems.append(f"{name}.{fname}: {shape(sfield.type)} vs {shape(cfield.type)}")
                elif default_of(cfield) is not None and default_of(cfield) != default_of(sfield):
                    problems.append(f"{name}.{fname} default {default_of(sfield)} vs "
                                    f"{default_of(cfield)}")
            for fname, sfield in stype.fields.items():  # type: ignore[attr-defined]
                if fname not in ctype.fields and isinstance(sfield.type, GraphQLNonNull):
                    problems.append(f"new required input field {name}.{fname}")
        if isinstance(ctype, GraphQLScalarType) and not isinstance(stype, GraphQLScalarType):
            problems.append(f"{name} is not a scalar")
    for root in ("query_type", "mutation_type", "subscription_type"):
        if getattr(contract, root) is not None and getattr(served, root) is None:
            problems.append(f"no {root}")
    return problems


def test_served_schema_contains_the_whole_contract_with_compatible_types() -> None:
    contract = build_schema(CONTRACT.read_text())
    served = make_schema(GatewaySettings(subscriptions_enabled=False))._schema
    assert differences(served, contract) == []


def test_contract_check_notices_a_missing_field_and_a_weaker_type() -> None:
    contract = build_schema("type Query { a: Int!  b(x: ID!): [String!]! }")
    weaker = build_schema("type Query { a: Int  b(x: ID!): [String] }")
    assert "missing field Query.b" not in differences(weaker, contract)
    assert any(p.startswith("Query.a:") for p in differences(weaker, contract))
    assert "missing field Query.b" in differences(build_schema("type Query { a: Int! }"), contract)
