"""Limits against expensive requests (OWASP API4): depth, aliases, tokens, cost, variables,
page size, id lists, subscriptions per account.

Depth, aliases and tokens are checked by strawberry's own validation extensions before any
resolver runs, the operation's cost and its variables' size by `OperationLimits` after
validation and before execution; page sizes and cursors are checked before any service is
called. Body size and request rates are checked earlier still, in HTTP (rate_limits.py).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from graphql.validation import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from gateway.cost import operation_cost
from gateway.settings import GatewaySettings


class LimitExceeded(Exception):
    """A request over a limit: answered as a GraphQL error with code LIMIT_EXCEEDED."""

    code = "LIMIT_EXCEEDED"


class QueryTooCostly(LimitExceeded):
    code = "QUERY_TOO_COSTLY"


class VariablesTooLarge(LimitExceeded):
    code = "VARIABLES_TOO_LARGE"


class TooManySubscriptions(LimitExceeded):
    code = "TOO_MANY_SUBSCRIPTIONS"


class BadCursor(Exception):
    code = "INVALID_CURSOR"


DEFAULT_PAGE_SIZE = 20


def page_size(first: int | None, settings: GatewaySettings, argument: str = "first") -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 1 or first > settings.max_page_size:
        raise LimitExceeded(
            f"`{argument}` must be between 1 and {settings.max_page_size}, not {first}"
        )
    return first


def check_id_count(
    ids: Sequence[str], settings: GatewaySettings, argument: str = "ids"
) -> None:
    if len(ids) > settings.max_ids_per_request:
        raise LimitExceeded(f"at most {settings.max_ids_per_request} `{argument}` per request")


@dataclass(frozen=True)
class Position:
    """Where an edge sits: the service cursor of its page's start and its index in that page.

    The services hand out one cursor per page; wrapping it with an index gives every edge a
    cursor a client can resume from. Index -1 means "from the start of that page".
    """

    service_after: str | None
    index: int = -1

    def encode(self) -> str:
        raw = json.dumps([self.service_after, self.index], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Position:
    if cursor is None:
        return Position(None, -1)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after, index = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise BadCursor("`after` is not a cursor this API handed out") from None
    if not (after is None or isinstance(after, str)) or not isinstance(index, int) or index < -1:
        raise BadCursor("`after` is not a cursor this API handed out")
    return Position(after, index)


class OperationLimits(SchemaExtension):
    """Refuses, before any resolver runs, variables over their size and operations over budget.

    Runs for every transport (HTTP and WebSocket): the variables before parsing, the cost once
    the document is parsed and valid.
    """

    def __init__(self, settings: GatewaySettings):
        self.settings = settings

    def on_operation(self) -> Iterator[None]:
        variables = self.execution_context.variables
        if variables:
            size = len(json.dumps(variables, separators=(",", ":"), default=str).encode())
            if size > self.settings.max_variables_bytes:
                raise VariablesTooLarge(
                    f"the variables take {size} bytes; at most "
                    f"{self.settings.max_variables_bytes} are accepted"
                )
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            cost = operation_cost(
                context.schema._schema,
                context.graphql_document,
                operation_name=context.operation_name,
                variables=context.variables,
                default_page_size=DEFAULT_PAGE_SIZE,
                max_page_size=self.settings.max_page_size,
            )
            if cost > self.settings.max_query_cost:
                raise QueryTooCostly(
                    f"this operation costs {cost}, over the budget of "
                    f"{self.settings.max_query_cost}: ask for smaller pages or fewer nested "
                    "lists (a party's works under a list of works costs the most)"
                )
        yield


class SubscriptionQuota:
    """Open subscriptions per account, in this gateway process."""

    def __init__(self) -> None:
        self._open: Counter[str] = Counter()

    def open_count(self, account: str) -> int:
        return self._open[account]

    @contextlib.contextmanager
    def hold(self, account: str, limit: int) -> Iterator[None]:
        if self._open[account] >= limit:
            raise TooManySubscriptions(
                f"at most {limit} open subscriptions per account; end one first"
            )
        self._open[account] += 1
        try:
            yield
        finally:
            self._open[account] -= 1
            if self._open[account] <= 0:
                del self._open[account]


def schema_extensions(settings: GatewaySettings) -> list[Callable[[], SchemaExtension]]:
    """Caches first (3-4x throughput, STYLE.md), then the validation limits.

    Factories, so each request gets fresh extension instances. The limit rules are built once:
    the validation cache is keyed by the rule classes, and new ones per request would miss it.
    """
    rules: list[type[ASTValidationRule]] = [
        depth_rule(settings.max_depth, None, None),
        aliases_rule(settings.max_aliases),
    ]
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=256),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=256),
        lambda: OperationLimits(settings),
    ]
    if not settings.introspection_on:
        extensions.append(DisableIntrospection)
    return extensions


__all__ = [
    "BadCursor",
    "LimitExceeded",
    "OperationLimits",
    "Position",
    "QueryTooCostly",
    "SubscriptionQuota",
    "TooManySubscriptions",
    "VariablesTooLarge",
    "check_id_count",
    "decode_cursor",
    "page_size",
    "schema_extensions",
]
