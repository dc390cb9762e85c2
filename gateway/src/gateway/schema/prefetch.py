"""A page's nested data, loaded before its nested fields run (ARCHITECTURE.md, "Gateway: a
page's nested fields").

A page of works reads what its query selects below `edges { node { … } }` and asks each loader
for the whole page at once: the holders' parties and the works' licences together, then the
visible licences' statements, usage reports and parties. The nested resolvers then find their
data loaded and answer synchronously (`loaders.now_or_later`) instead of as hundreds of
coroutines. The calls are the ones the loaders would batch per depth anyway, one per kind of
object, whatever the page's size; nothing is loaded that the query does not select.

Prefetching never decides what a caller sees: the resolvers apply the same rules to what they
find (`access.visible_now`), and a failed prefetch is left for the resolver that needs it to
raise where it always did.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Iterator
from typing import Any

from strawberry.types.nodes import SelectedField, Selection

from gateway.access import visible_now
from gateway.context import GatewayContext
from gateway.loaders import Missing, loaded
from gateway.replies import LicenceReply, WorkReply
from gateway.schema.enums import LicenceStatus


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection set, through its fragments."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from _fields(selection.selections)


def below(fields: Iterable[SelectedField], *path: str) -> list[SelectedField]:
    """The fields selected under `path` (GraphQL names) below these fields, under every alias."""
    current = [child for field in fields for child in _fields(field.selections)]
    for name in path:
        current = [child for field in current if field.name == name
                   for child in _fields(field.selections)]
    return current


def node_fields(info: Any) -> list[SelectedField]:
    """What a connection field's query selects on each of its nodes."""
    return below(info.selected_fields, "edges", "node")


def _named(fields: Iterable[SelectedField], name: str) -> list[SelectedField]:
    return [field for field in fields if field.name == name]


def _status(field: SelectedField) -> str | None:
    """The `status` argument of a `licences` field (an enum's GraphQL name, from the query or
    its variables) as the resolver keys its loader; an unknown one prefetches nothing useful
    and the resolver loads its own."""
    name = field.arguments.get("status")
    member = LicenceStatus.__members__.get(name) if isinstance(name, str) else None
    return member.value if member is not None else None


async def _settled(*loads: Awaitable[Any]) -> None:
    # A failed load stays in its loader: the resolver that needs it raises it in its place.
    await asyncio.gather(*loads, return_exceptions=True)


async def prefetch_works(
    ctx: GatewayContext, node: list[SelectedField], works: list[WorkReply]
) -> None:
    """Loads what `node` (the fields selected on each work) will ask for, for all `works`."""
    if not works or not node:
        return
    loaders = ctx.loaders
    party_ids: set[str] = set()
    if any(_named(below(_named(node, "rightsHolders")), "party")):
        party_ids = {h["party_id"] for work in works for h in work["rights_holders"]}
    licence_fields = _named(node, "licences")
    keys = [(work["id"], _status(field)) for field in licence_fields for work in works]
    first: list[Awaitable[Any]] = [loaders.licences_by_work.load_many(keys)] if keys else []
    if party_ids:
        first.append(loaders.party.load_many(sorted(party_ids)))
    await _settled(*first)
    if not licence_fields:
        return
    await prefetch_licences(ctx, below(licence_fields), _visible_licences(ctx, keys))


def _visible_licences(
    ctx: GatewayContext, keys: list[tuple[str, str | None]]
) -> list[LicenceReply]:
    """The licences loaded for these keys that the caller may see (by the resolvers' rule)."""
    visible: dict[str, LicenceReply] = {}
    for key in keys:
        found = loaded(ctx.loaders.licences_by_work, key)
        if isinstance(found, Missing):
            continue
        for licence in visible_now(ctx, found) or []:
            visible[licence["id"]] = licence
    return list(visible.values())


async def prefetch_licences(
    ctx: GatewayContext,
    fields: list[SelectedField],
    licences: list[LicenceReply],
) -> None:
    """Loads what `fields` (selected on each licence) will ask for, for licences the caller
    may see."""
    if not licences or not fields:
        return
    loaders = ctx.loaders
    ids = [licence["id"] for licence in licences]
    loads: list[Awaitable[Any]] = []
    if _named(fields, "statements"):
        loads.append(loaders.statements.load_many(ids))
    if _named(fields, "usageReports"):
        loads.append(loaders.usage_reports.load_many(ids))
    if _named(fields, "work"):
        loads.append(loaders.work.load_many(sorted({licence["work_id"] for licence in licences})))
    party_ids: set[str] = set()  # those already loaded are not asked again
    if _named(fields, "licensor"):
        party_ids |= {licence["licensor_id"] for licence in licences}
    if _named(fields, "licensee"):
        party_ids |= {licence["licensee_id"] for licence in licences}
    if party_ids:
        loads.append(loaders.party.load_many(sorted(party_ids)))
    await _settled(*loads)
