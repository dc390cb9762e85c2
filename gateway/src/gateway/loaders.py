"""Per-request DataLoaders: every id a query asks for at one depth becomes one batched call."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from gateway.backends import AvailabilityTerms, Backends, Json

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


def _by_id(items: Sequence[Json], keys: Sequence[str]) -> list[Json | None]:
    found = {str(item["id"]): item for item in items}
    return [found.get(key) for key in keys]


@dataclass(frozen=True)
class AvailabilityKey:
    work_id: str
    terms: AvailabilityTerms


class Loaders:
    """One set per request (or per subscription event), so nothing is cached across callers."""

    def __init__(self, backends: Backends):
        self.backends = backends
        self.party = DataLoader(self._parties, max_batch_size=MAX_BATCH)
        self.work = DataLoader(self._works, max_batch_size=MAX_BATCH)
        self.history = DataLoader(self._history, max_batch_size=MAX_BATCH)
        self.licence = DataLoader(self._licences, max_batch_size=MAX_BATCH)
        self.licences_by_work: DataLoader[tuple[str, str | None], list[Json]] = DataLoader(
            self._licences_by_work, max_batch_size=MAX_BATCH
        )
        self.usage_reports = DataLoader(self._usage_reports, max_batch_size=MAX_BATCH)
        self.statements = DataLoader(self._statements, max_batch_size=MAX_BATCH)
        self.licence_events = DataLoader(self._licence_events, max_batch_size=MAX_BATCH)
        self.availability: DataLoader[AvailabilityKey, Json | None] = DataLoader(
            self._availability, max_batch_size=MAX_BATCH
        )
        self.notifications_by_subject = DataLoader(
            self._notifications_by_subject, max_batch_size=MAX_BATCH
        )

    def prime_works(self, works: Sequence[Json]) -> None:
        for work in works:
            self.work.prime(str(work["id"]), work)

    def prime_licences(self, licences: Sequence[Json]) -> None:
        for licence in licences:
            self.licence.prime(str(licence["id"]), licence)

    async def _parties(self, keys: list[str]) -> list[Json | None]:
        valid = [k for k in keys if is_uuid(k)]
        items = await self.backends.filing.parties(valid) if valid else []
        return _by_id(items, keys)

    async def _works(self, keys: list[str]) -> list[Json | None]:
        valid = [k for k in keys if is_uuid(k)]
        items = await self.backends.filing.works(valid) if valid else []
        return _by_id(items, keys)

    async def _history(self, keys: list[str]) -> list[list[Json]]:
        valid = [k for k in keys if is_uuid(k)]
        grouped = await self.backends.filing.history(valid) if valid else {}
        return [list(grouped.get(key, [])) for key in keys]

    async def _licences(self, keys: list[str]) -> list[Json | None]:
        valid = [k for k in keys if is_uuid(k)]
        items = await self.backends.licensing.licences(valid) if valid else []
        return _by_id(items, keys)

    async def _licences_by_work(
        self, keys: list[tuple[str, str | None]]
    ) -> list[list[Json]]:
        # One call per distinct status filter asked for at this depth, not per work.
        by_status: dict[str | None, list[str]] = defaultdict(list)
        for work_id, status in keys:
            if is_uuid(work_id):
                by_status[status].append(work_id)
        results: dict[tuple[str, str | None], list[Json]] = {}
        for status, work_ids in by_status.items():
            grouped = await self.backends.licensing.licences_by_work(work_ids, status)
            for work_id in work_ids:
                results[(work_id, status)] = list(grouped.get(work_id, []))
        for items in results.values():
            self.prime_licences(items)
        return [results.get(key, []) for key in keys]

    async def _availability(self, keys: list[AvailabilityKey]) -> list[Json | None]:
        # Works asked about with the same terms at one depth share one call.
        by_terms: dict[AvailabilityTerms, list[str]] = defaultdict(list)
        for key in keys:
            if is_uuid(key.work_id):
                by_terms[key.terms].append(key.work_id)
        answers: dict[AvailabilityKey, Json] = {}
        for terms, work_ids in by_terms.items():
            grouped = await self.backends.licensing.availability_many(work_ids, terms)
            for work_id, answer in grouped.items():
                answers[AvailabilityKey(work_id, terms)] = answer
        return [answers.get(key) for key in keys]

    async def _usage_reports(self, keys: list[str]) -> list[list[Json]]:
        valid = [k for k in keys if is_uuid(k)]
        grouped = await self.backends.licensing.usage_reports(valid) if valid else {}
        return [list(grouped.get(key, [])) for key in keys]

    async def _statements(self, keys: list[str]) -> list[list[Json]]:
        valid = [k for k in keys if is_uuid(k)]
        grouped = await self.backends.licensing.statements(valid) if valid else {}
        return [list(grouped.get(key, [])) for key in keys]

    async def _licence_events(self, keys: list[str]) -> list[list[Json]]:
        valid = [k for k in keys if is_uuid(k)]
        grouped = await self.backends.licensing.licence_events(valid) if valid else {}
        return [list(grouped.get(key, [])) for key in keys]

    async def _notifications_by_subject(self, keys: list[str]) -> list[list[Json]]:
        valid = [k for k in keys if is_uuid(k)]
        grouped = await self.backends.notifications.by_subject(valid) if valid else {}
        return [list(grouped.get(key, [])) for key in keys]
