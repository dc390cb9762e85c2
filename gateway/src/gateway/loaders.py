"""Per-request DataLoaders: every id a query asks for at one depth becomes one batched call.

A resolver whose data is already loaded answers synchronously (`now_or_later`): a page that
prefetched what its nested fields need (schema/prefetch.py) is resolved without hundreds of
coroutines, and the same resolver still batches through its loader when nothing was prefetched.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from gateway.backends import AvailabilityTerms, Backends
from gateway.replies import (
    AvailabilityReply,
    Grouped,
    LicenceReply,
    PartyReply,
    SuspenseReply,
    WorkReply,
)

# The services accept at most 500 ids per batch read (docs/service-apis.md).
MAX_BATCH = 500


def is_uuid(value: object) -> bool:
    """Malformed ids are answered as unknown here, so they never reach a service."""
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


Row = TypeVar("Row", PartyReply, WorkReply, LicenceReply, SuspenseReply)
Item = TypeVar("Item")
Key = TypeVar("Key")
Loaded = TypeVar("Loaded")
Made = TypeVar("Made")


class Missing:
    """Not loaded (yet) in this request."""


MISSING = Missing()


def loaded(loader: DataLoader[Key, Loaded], key: Key) -> Loaded | Missing:
    """What `loader` already holds for `key`, or MISSING when it would have to ask (or its
    load failed: awaiting the load again raises that failure where the resolver expects it)."""
    future: Any = loader.cache_map.get(key) if loader.cache else None
    if future is None or not future.done() or future.cancelled() or future.exception():
        return MISSING
    result: Loaded = future.result()
    return result


def now_or_later(
    loader: DataLoader[Key, Loaded], key: Key, make: Callable[[Loaded], Made]
) -> Made | Awaitable[Made]:
    """`make(value)` at once when the loader holds `key`'s value; otherwise an awaitable of it,
    through the loader's batch. GraphQL awaits a resolver's result only if it is awaitable."""
    found = loaded(loader, key)
    if not isinstance(found, Missing):
        return make(found)
    return _later(loader, key, make)


async def _later(
    loader: DataLoader[Key, Loaded], key: Key, make: Callable[[Loaded], Made]
) -> Made:
    return make(await loader.load(key))


def _one_each(fetch: Callable[[list[str]], Awaitable[list[Row]]]) -> DataLoader[str, Row | None]:
    """A loader of objects by id: an unknown or malformed id loads None."""

    async def load(keys: list[str]) -> list[Row | None]:
        valid = [k for k in keys if is_uuid(k)]
        found = {item["id"]: item for item in (await fetch(valid) if valid else [])}
        return [found.get(key) for key in keys]

    return DataLoader(load, max_batch_size=MAX_BATCH)


def _lists_of(
    fetch: Callable[[list[str]], Awaitable[Grouped[Item]]],
) -> DataLoader[str, list[Item]]:
    """A loader of each parent's items (a work's history, a licence's statements)."""

    async def load(keys: list[str]) -> list[list[Item]]:
        valid = [k for k in keys if is_uuid(k)]
        grouped = await fetch(valid) if valid else {}
        return [list(grouped.get(key, [])) for key in keys]

    return DataLoader(load, max_batch_size=MAX_BATCH)


@dataclass(frozen=True)
class AvailabilityKey:
    work_id: str
    terms: AvailabilityTerms


class Loaders:
    """One set per request (or per subscription event), so nothing is cached across callers."""

    def __init__(self, backends: Backends):
        self.backends = backends
        filing, licensing = backends.filing, backends.licensing
        self.party = _one_each(filing.parties)
        self.work = _one_each(filing.works)
        self.history = _lists_of(filing.history)
        self.licence = _one_each(licensing.licences)
        self.licences_by_work: DataLoader[tuple[str, str | None], list[LicenceReply]] = (
            DataLoader(self._licences_by_work, max_batch_size=MAX_BATCH)
        )
        self.usage_reports = _lists_of(licensing.usage_reports)
        self.statements = _lists_of(licensing.statements)
        self.licence_events = _lists_of(licensing.licence_events)
        self.suspense = _one_each(licensing.suspense)
        self.licence_versions = _lists_of(licensing.licence_versions)
        self.licence_history = _lists_of(licensing.licence_history)
        self.owner_consents = _lists_of(licensing.owner_consents)
        self.availability: DataLoader[AvailabilityKey, AvailabilityReply | None] = DataLoader(
            self._availability, max_batch_size=MAX_BATCH
        )
        self.notifications_by_subject = _lists_of(backends.notifications.by_subject)
        # The schema's Party of each party id shown in this request (schema/parties.py).
        self.shown_parties: dict[str, Any] = {}

    def prime_works(self, works: Sequence[WorkReply]) -> None:
        for work in works:
            self.work.prime(work["id"], work)

    def prime_licences(self, licences: Sequence[LicenceReply]) -> None:
        for licence in licences:
            self.licence.prime(licence["id"], licence)

    async def _licences_by_work(
        self, keys: list[tuple[str, str | None]]
    ) -> list[list[LicenceReply]]:
        # One call per distinct status filter asked for at this depth, not per work.
        by_status: dict[str | None, list[str]] = defaultdict(list)
        for work_id, status in keys:
            if is_uuid(work_id):
                by_status[status].append(work_id)
        results: dict[tuple[str, str | None], list[LicenceReply]] = {}
        for status, work_ids in by_status.items():
            grouped = await self.backends.licensing.licences_by_work(work_ids, status)
            for work_id in work_ids:
                results[(work_id, status)] = list(grouped.get(work_id, []))
        for items in results.values():
            self.prime_licences(items)
        return [results.get(key, []) for key in keys]

    async def _availability(self, keys: list[AvailabilityKey]) -> list[AvailabilityReply | None]:
        # Works asked about with the same terms at one depth share one call.
        by_terms: dict[AvailabilityTerms, list[str]] = defaultdict(list)
        for key in keys:
            if is_uuid(key.work_id):
                by_terms[key.terms].append(key.work_id)
        answers: dict[AvailabilityKey, AvailabilityReply] = {}
        for terms, work_ids in by_terms.items():
            grouped = await self.backends.licensing.availability_many(work_ids, terms)
            for work_id, answer in grouped.items():
                answers[AvailabilityKey(work_id, terms)] = answer
        return [answers.get(key) for key in keys]
