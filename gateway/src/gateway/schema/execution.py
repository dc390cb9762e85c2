"""How the schema executes an operation: graphql-core's executor, with plain fields read
straight from their object.

A page of 100 nested works completes about 3,500 fields, most of them plain: an attribute of a
schema object (`title`, `share`, `royaltyRate`) of a scalar or enum type, with no resolver, no
arguments and no rule. For each, graphql-core builds a resolve info, strawberry calls the
field's default resolver through two wrappers, and the value is completed through the generic
path; that work is most of the gateway's CPU on such a page (bench/README.md, the gateway).
Here such a field is read with `getattr` and coerced by its type as graphql-core would do, with
the same errors (a null in a non-null field, a value its scalar refuses). Every other field
(with a resolver, arguments, a list or object type, or any field when a schema extension hooks
resolvers) runs the ordinary way, so no access rule is touched: rules live in resolvers.
"""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import (
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# Per object type's name, per field's GraphQL name: the attribute, the leaf type, non-null.
PlainFields = dict[str, dict[str, tuple[str, GraphQLLeafType, bool]]]


def plain_fields(schema: GraphQLSchema) -> PlainFields:
    """The fields strawberry resolves with its default resolver (`getattr` of the field's
    Python name, marked `_is_default`) whose type is a scalar or an enum."""
    found: PlainFields = {}
    for name, kind in schema.type_map.items():
        if name.startswith("__") or not is_object_type(kind):
            continue
        assert isinstance(kind, GraphQLObjectType)
        for field_name, field in kind.fields.items():
            definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if definition is None or not getattr(field.resolve, "_is_default", False):
                continue
            if field.args:
                continue
            non_null = is_non_null_type(field.type)
            leaf = field.type.of_type if non_null else field.type
            if is_leaf_type(leaf):
                found.setdefault(name, {})[field_name] = (definition.python_name, leaf, non_null)
    return found


class PlainFieldsExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor (as strawberry extends it) with plain fields read directly.
    `plain` is set per schema (`for_schema`)."""

    plain: ClassVar[PlainFields] = {}

    @classmethod
    def for_schema(cls, schema: GraphQLSchema) -> type[PlainFieldsExecution]:
        return type(cls.__name__, (cls,), {"plain": plain_fields(schema)})

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        of_type = self.plain.get(parent_type.name)
        plain = of_type.get(node.name.value) if of_type is not None else None
        manager = self.middleware_manager
        if plain is None or (manager is not None and manager.middlewares):
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        attribute, leaf, non_null = plain
        try:
            value = getattr(source, attribute)
            if isinstance(value, Exception):
                raise value
            if value is None or value is Undefined:
                if non_null:
                    raise TypeError(
                        "Cannot return null for non-nullable field"
                        f" {parent_type.name}.{node.name.value}."
                    )
                return None
            return self.complete_leaf_value(leaf, value)
        except Exception as raw_error:
            field = parent_type.fields[node.name.value]
            self.handle_field_error(raw_error, field.type, field_details_list, path)
            return None
