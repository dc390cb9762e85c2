"""The schema object: the feature modules' queries and mutations (parties, works, licences,
statements, notifications) with scalars, limits and the error policy, assembled from settings."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from contracts.errors import DomainError
from graphql import GraphQLError
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from gateway.auth import Unauthenticated
from gateway.errors import UserError, current_trace_id
from gateway.limits import BadCursor, LimitExceeded, schema_extensions
from gateway.schema.amendments import AmendmentMutation
from gateway.schema.execution import PlainFieldsExecution
from gateway.schema.imports import ImportMutation
from gateway.schema.ledger import LedgerMutation, LedgerQuery
from gateway.schema.licences import LicenceMutation, LicenceQuery
from gateway.schema.mandates import MandateMutation, MandateQuery
from gateway.schema.notifications import NotificationMutation, NotificationQuery
from gateway.schema.parties import PartyMutation, PartyQuery
from gateway.schema.scalars import SCALAR_MAP
from gateway.schema.societies import SocietyMutation
from gateway.schema.statements import StatementMutation, StatementQuery, UsageLineMutation
from gateway.schema.subscription import Subscription
from gateway.schema.works import WorkMutation, WorkQuery
from gateway.settings import GatewaySettings

log = logging.getLogger("gateway.errors")

# Each feature module brings its own fields; the order here is the order of the served schema.
Query = merge_types(
    "Query",
    (PartyQuery, WorkQuery, LicenceQuery, StatementQuery, NotificationQuery, LedgerQuery,
     MandateQuery),
)
Mutation = merge_types(
    "Mutation",
    (PartyMutation, WorkMutation, LicenceMutation, StatementMutation, NotificationMutation,
     ImportMutation, UsageLineMutation, SocietyMutation, LedgerMutation,
     AmendmentMutation, MandateMutation),
)

INTERNAL_MESSAGE = "Internal error: the request could not be completed."


def _public_code(original: BaseException | None) -> str | None:
    """The code of an error the client may read as it is; None for an internal failure."""
    if original is None:
        return "BAD_REQUEST"  # parse or validation error, limits included
    if isinstance(original, Unauthenticated):
        return "UNAUTHENTICATED"
    # A domain rule a resolver checks itself (a currency argument) is the caller's to fix too.
    if isinstance(original, UserError | DomainError):
        return original.code
    if isinstance(original, LimitExceeded | BadCursor):
        return original.code
    if type(original).__name__ == "StrawberryInputCoercionError" or isinstance(
        original, GraphQLError | StrawberryGraphQLError
    ):
        return "BAD_REQUEST"
    return None


class GatewaySchema(strawberry.Schema):
    """Logs internal failures with the trace id and masks them; labels every other error.
    Plain fields are read without graphql-core's per-field layers (execution.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.config.default_resolver is getattr:
            self.execution_context_class = PlainFieldsExecution.for_schema(self._schema)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            original = error.original_error
            code = _public_code(original)
            extensions: dict[str, Any] = dict(error.extensions or {})
            if code is not None:
                extensions.setdefault("code", code)
                if isinstance(original, UserError | DomainError) and original.field:
                    extensions["field"] = original.field
                error.extensions = extensions
                continue
            trace_id = current_trace_id()
            log.error(
                "internal error in %s (trace %s)",
                ".".join(str(p) for p in error.path or []) or "request",
                trace_id,
                exc_info=original,
                extra={"trace_id": trace_id},
            )
            # Masked in place: no stack trace, SQL or service detail leaves the gateway.
            error.message = INTERNAL_MESSAGE
            error.original_error = None
            error.extensions = {"code": "INTERNAL", "traceId": trace_id}


def make_schema(settings: GatewaySettings) -> GatewaySchema:
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=schema_extensions(settings),
        config=StrawberryConfig(
            scalar_map=SCALAR_MAP,
            disable_field_suggestions=settings.platform.production,
        ),
    )
