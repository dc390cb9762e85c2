"""Types and helpers every area of the schema shares: UserError, connections and paging, id
checks, running a command, and turning a service's reply into a schema object."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import functools
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

import strawberry
from contracts.errors import DomainError

from gateway.backends import Backends
from gateway.context import GatewayContext
from gateway.errors import BackendFailure, NotFoundError, UserError
from gateway.limits import Position, decode_cursor, page_size
from gateway.loaders import is_uuid
from gateway.replies import Page as ServicePage
from gateway.timeline import as_utc

Info = strawberry.Info[GatewayContext, None]
T = TypeVar("T")
Item = TypeVar("Item")
Node = TypeVar("Node")


@strawberry.type(name="UserError")
class UserErrorType:
    code: str
    message: str
    field: str | None

    @classmethod
    def of(cls, error: UserError | DomainError) -> UserErrorType:
        return cls(code=error.code, message=error.message, field=error.field)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


# Strawberry names `Connection[Work]` WorkConnection and its edges WorkEdge.
@strawberry.type
class Edge(Generic[Node]):
    node: Node
    cursor: str


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo
    total_count: int
    total_is_exact: bool = strawberry.field(
        default=True,
        description="False when totalCount is an estimate (the register's search beyond "
        "1,000 matches): show it as \"about …\".",
    )


def present(found: T | None, fault: str) -> T:
    """An object another one names: missing, it is a service's fault, never the caller's."""
    if found is None:
        raise BackendFailure(fault)
    return found


def require_id(value: str, field: str) -> str:
    """An id argument of a command: a malformed one is an unknown id, never sent on."""
    if not is_uuid(value):
        raise NotFoundError(f"no object with id {str(value)[:64]!r}", field)
    return str(value)


def as_user_error(exc: Exception) -> UserErrorType | None:
    if isinstance(exc, UserError | DomainError):
        return UserErrorType.of(exc)
    return None


async def attempt(command: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserErrorType]]:
    """Run a command; what the user can fix becomes the payload's `errors`."""
    try:
        return await command(), []
    except (UserError, DomainError) as exc:
        return None, [UserErrorType.of(exc)]


async def command(
    info: Info, send: Callable[[Backends], Awaitable[T]]
) -> tuple[T | None, list[UserErrorType]]:
    """A command of a known caller, sent through their backends (see `attempt`)."""
    ctx = info.context
    ctx.require_principal()
    return await attempt(lambda: send(ctx.backends))


def from_reply(cls: type[T], data: Mapping[str, object], **given: object) -> T:
    """A schema object from a service's reply: each field from the reply's key of its name,
    converted by the field's type (dates, times, decimals, enums, nested objects and lists);
    `given` supplies what the reply does not hold. Resolved fields are left to resolvers."""
    plain, converted = _PLANS.get(cls) or _plan(cls)
    # A key the reply lacks takes the field's default (fields added later have one).
    values = {name: data[name] for name in plain if name not in given and name in data}
    for name, convert in converted:
        if name not in given and name in data:
            values[name] = convert(data[name])
    return cls(**values, **given)


class FromReply:
    """A schema type made straight from its service's reply (`X.of(reply)`)."""

    @classmethod
    def of(cls, data: Mapping[str, object]) -> Self:
        return from_reply(cls, data)


# Per schema type, its fields with the conversion of each, worked out once from the type hints
# (reading the hints on every object would cost several times the object itself).
# The fields taken as the reply holds them are copied without a call (a page makes thousands).
Convert = Callable[[Any], Any]
Plan = tuple[list[str], list[tuple[str, Convert]]]
_PLANS: dict[type, Plan] = {}


def _plan(cls: type) -> Plan:
    hints = typing.get_type_hints(cls)
    fields = [(f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls) if f.init]
    _PLANS[cls] = (
        [name for name, convert in fields if convert is _same],
        [(name, convert) for name, convert in fields if convert is not _same],
    )
    return _PLANS[cls]


def _converter(kind: object) -> Convert:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list:
        item = _converter(args[0])
        if item is _same:
            return list
        return lambda value: [item(v) for v in value]
    if origin in (typing.Union, types.UnionType):
        inner = _converter(next(a for a in args if a is not type(None)))
        if inner is _same:
            return _same
        return lambda value: None if value is None else inner(value)
    if kind is decimal.Decimal:
        return to_decimal
    if kind is datetime.datetime:
        return as_utc
    if kind is datetime.date:
        return datetime.date.fromisoformat
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return functools.partial(from_reply, kind)
    return _same


def _same(value: object) -> object:
    return value


def to_decimal(value: object) -> decimal.Decimal:
    if isinstance(value, float):
        raise TypeError("a service sent a float where a decimal string belongs")
    return decimal.Decimal(str(value))


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: list[Item]
    cursors: list[str]
    has_next_page: bool
    end_cursor: str | None
    total_count: int
    total_is_exact: bool = True

    def connection(
        self, node: Callable[[Item], Node], keep: Callable[[Item], bool] = lambda _: True
    ) -> Connection[Node]:
        """The page as GraphQL shows it; `keep` drops what the caller may not see."""
        return Connection(
            edges=[
                Edge(node=node(item), cursor=cursor)
                for item, cursor in zip(self.items, self.cursors, strict=True)
                if keep(item)
            ],
            page_info=PageInfo(has_next_page=self.has_next_page, end_cursor=self.end_cursor),
            total_count=self.total_count,
            total_is_exact=self.total_is_exact,
        )


async def fetch_page(
    ctx: GatewayContext,
    fetch: Callable[..., Awaitable[ServicePage[Item]]],
    first: int | None,
    after: str | None,
) -> Page[Item]:
    """One page of a service's list, with a resumable cursor on every edge (see Position).

    `fetch(first=, after=)` asks the service for one of its pages (a client's search method
    with its filters bound).

    Resuming from an edge in the middle of a service page re-reads that page's head and may
    need the next page to fill `first`: at most two calls, whatever the cursor.
    """
    size = page_size(first, ctx.settings)
    position = decode_cursor(after)
    service_after, skip = position.service_after, position.index + 1
    result = await fetch(first=min(ctx.settings.max_page_size, skip + size), after=service_after)
    total = result["total_count"]
    items = result["items"][skip : skip + size]
    cursors = [Position(service_after, skip + i).encode() for i in range(len(items))]
    consumed = skip + len(items) >= len(result["items"])
    next_cursor = result["next_cursor"]
    if len(items) < size and consumed and next_cursor:
        more = await fetch(first=size - len(items), after=next_cursor)
        extra = more["items"][: size - len(items)]
        items += extra
        cursors += [Position(next_cursor, i).encode() for i in range(len(extra))]
        service_after, consumed = next_cursor, len(extra) >= len(more["items"])
        next_cursor = more["next_cursor"]
    has_next = not consumed or next_cursor is not None
    if consumed and next_cursor:
        end_cursor: str | None = Position(next_cursor, -1).encode()
    else:
        end_cursor = cursors[-1] if cursors else after
    return Page(items=items, cursors=cursors, has_next_page=has_next, end_cursor=end_cursor,
                total_count=total, total_is_exact=result.get("total_is_exact", True))


def filter_id(value: str | None, field: str) -> str | None:
    """A malformed id in a filter is the caller's mistake, told before any service is asked."""
    if value is None:
        return None
    if not is_uuid(value):
        raise UserError("INVALID_INPUT", f"{field} is not an id", field)
    return str(value)
