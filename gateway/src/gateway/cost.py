"""The cost of a GraphQL operation, computed from its parsed document before it runs.

A field costs its base cost (schema/costs.py) plus, when it returns objects, the cost of its
selection times its list size: the `first` it is asked for (a literal, a variable's value, the
variable's or the argument's default) or the documented bound of a plain list. Fragments are
expanded where they are spread and every alias counts on its own, since each one resolves again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    value_from_ast_untyped,
)

from gateway.schema.costs import FIELD_COSTS, FieldCost


class UnboundedList(Exception):
    """A list of objects with no size in schema/costs.py: a gap in the table, not user input."""


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
    default_page_size: int = 20,
    max_page_size: int = 100,
    costs: Mapping[str, FieldCost] = FIELD_COSTS,
) -> int:
    """The cost of the operation `operation_name` (or the only one) in `document`; 0 if none."""
    operation = _operation(document, operation_name)
    if operation is None:
        return 0
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return 0
    values = dict(variables or {})
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if values.get(name) is None and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    counter = _Counter(schema, fragments, values, (default_page_size, max_page_size), costs)
    return counter.selection(root, operation.selection_set, ())


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


class _Counter:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        page_sizes: tuple[int, int],
        costs: Mapping[str, FieldCost],
    ):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_page_size, self.max_page_size = page_sizes
        self.costs = costs

    def selection(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None,
        spread: tuple[str, ...],
    ) -> int:
        if selection_set is None or not isinstance(parent, GraphQLObjectType):
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(parent, node, spread)
            elif isinstance(node, InlineFragmentNode):
                target = self._type(node.type_condition.name.value) if node.type_condition \
                    else parent
                total += self.selection(target or parent, node.selection_set, spread)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                # Validation refuses cycles; the check keeps this function total anyway.
                if fragment is None or name in spread:
                    continue
                target = self._type(fragment.type_condition.name.value) or parent
                total += self.selection(target, fragment.selection_set, (*spread, name))
        return total

    def field(self, parent: GraphQLObjectType, node: FieldNode, spread: tuple[str, ...]) -> int:
        name = node.name.value
        definition = parent.fields.get(name)
        if definition is None:  # __typename and introspection: no backend behind them
            return 0
        returns = get_named_type(definition.type)
        composite = is_composite_type(returns)
        rule = self.costs.get(f"{parent.name}.{name}")
        base = rule.cost if rule else (1 if composite else 0)
        if not composite:
            return base
        children = self.selection(returns, node.selection_set, spread)
        return base + self._size(parent, name, definition, node, rule) * children

    def _size(self, parent: GraphQLObjectType, name: str, definition: GraphQLField,
              node: FieldNode, rule: FieldCost | None) -> int:
        if rule is not None and rule.size_argument is not None:
            # A size over the page limit is refused with LIMIT_EXCEEDED before any call.
            requested = self._int_argument(definition, node, rule.size_argument)
            return min(max(1, requested), self.max_page_size)
        if rule is not None and rule.bound is not None:
            return rule.bound
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            raise UnboundedList(f"{parent.name}.{name} is a list with no size in schema/costs.py")
        return 1

    def _int_argument(self, definition: GraphQLField, node: FieldNode, argument: str) -> int:
        given: ValueNode | None = next(
            (a.value for a in node.arguments or () if a.name.value == argument), None
        )
        value: Any = None
        if isinstance(given, VariableNode):
            value = self.variables.get(given.name.value)
        elif isinstance(given, IntValueNode):
            value = int(given.value)
        elif given is None:
            declared = definition.args.get(argument)
            value = declared.default_value if declared is not None else None
        # A null or ill-typed size is refused by execution; cost it as the default page.
        return value if isinstance(value, int) and not isinstance(value, bool) \
            else self.default_page_size

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)


__all__ = ["UnboundedList", "operation_cost"]
