"""The Kafka consumers' handlers: keep the read model, then notify everyone an event names.

Everything runs in the idempotent consumer's transaction (runtime.consumer), so the read
model, the inbox entries, the deliveries and the processed-event row commit together. Who is
named is read from the event first (events carry the current state and the owners when it
happened) and completed from the read model (a dispute's disputant, holders a change removed).

`handle_event` applies one event; `handle_batch` applies a backlog's batch with the same
effect as `handle_event` on each event in order, in a handful of statements: the read model
the batch needs is read once, the events are applied to it in memory in record order (so an
event sees what the events before it in the batch changed), and the changes, the inbox
entries, the deliveries and the outbox rows are then written set-based. Both go through the
same `_read`, so who is told and what they read cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from contracts.envelope import DecodedEvent
from contracts.events import EventData
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import events as ev
from contracts import topics
from notifications import repository, service
from notifications.domain.messages import EventFacts
from notifications.domain.recipients import RULES, Named, NamedParties, short_type
from notifications.models import KnownLicence, KnownWork

# Consumed topics: every topic the other services publish (never our own deliveries topic).
CONSUMED_TOPICS: tuple[str, ...] = (
    topics.FILING_PARTIES,
    topics.FILING_WORKS,
    topics.LICENSING_LICENCES,
    topics.LICENSING_ROYALTIES,
)


# --- the read model, as the handlers see it ----------------------------------------------------


class WorkView(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def registration_number(self) -> str | None: ...
    @property
    def owner_ids(self) -> list[UUID]: ...
    @property
    def disputant_id(self) -> UUID | None: ...


class LicenceView(Protocol):
    @property
    def licensor_id(self) -> UUID: ...


class ReadModel(Protocol):
    async def work(self, work_id: UUID) -> WorkView | None: ...
    async def licence(self, licence_id: UUID) -> LicenceView | None: ...
    async def save_party(self, party_id: UUID, name: str) -> None: ...
    async def save_work(self, values: dict[str, Any]) -> None: ...
    async def save_licence(self, values: dict[str, Any]) -> None: ...


@dataclass
class StoredReadModel:
    """The read model in the database, read and written at each call (one event)."""

    session: AsyncSession

    async def work(self, work_id: UUID) -> KnownWork | None:
        return await repository.get_work(self.session, work_id)

    async def licence(self, licence_id: UUID) -> KnownLicence | None:
        return await repository.get_licence(self.session, licence_id)

    async def save_party(self, party_id: UUID, name: str) -> None:
        await repository.upsert_party(self.session, party_id=party_id, name=name)

    async def save_work(self, values: dict[str, Any]) -> None:
        await repository.upsert_work(self.session, **values)

    async def save_licence(self, values: dict[str, Any]) -> None:
        await repository.upsert_licence(self.session, **values)


@dataclass(frozen=True)
class _Work:
    title: str
    registration_number: str | None
    owner_ids: list[UUID]
    disputant_id: UUID | None


@dataclass(frozen=True)
class _Licence:
    licensor_id: UUID


class BatchReadModel:
    """The rows a batch reads, loaded once, then changed in memory in record order; the
    changes (each key's last values, as the last upsert of the event-by-event path leaves
    it) are written by `flush`."""

    def __init__(self, works: dict[UUID, KnownWork], licences: dict[UUID, KnownLicence]) -> None:
        self.works: dict[UUID, WorkView] = dict(works)
        self.licences: dict[UUID, LicenceView] = dict(licences)
        self.saved_parties: dict[UUID, str] = {}
        self.saved_works: dict[UUID, dict[str, Any]] = {}
        self.saved_licences: dict[UUID, dict[str, Any]] = {}

    @classmethod
    async def load(cls, session: AsyncSession, batch: Sequence[EventData]) -> BatchReadModel:
        work_ids: set[UUID] = set()
        licence_ids: set[UUID] = set()
        for data in batch:
            match data:
                case ev.WorkEvent():
                    work_ids.add(data.work.id)
                case ev.LicenceEvent():
                    work_ids.add(data.licence.work_id)
                case ev.UsageReported():
                    work_ids.add(data.report.work_id)
                    licence_ids.add(data.report.licence_id)
                case ev.RoyaltyStatementIssued():
                    work_ids.add(data.statement.work_id)
                    licence_ids.add(data.statement.licence_id)
        return cls(
            await repository.works_by_id(session, work_ids),
            await repository.licences_by_id(session, licence_ids),
        )

    async def work(self, work_id: UUID) -> WorkView | None:
        return self.works.get(work_id)

    async def licence(self, licence_id: UUID) -> LicenceView | None:
        return self.licences.get(licence_id)

    async def save_party(self, party_id: UUID, name: str) -> None:
        self.saved_parties[party_id] = name

    async def save_work(self, values: dict[str, Any]) -> None:
        self.works[values["id"]] = _Work(
            title=values["title"],
            registration_number=values["registration_number"],
            owner_ids=list(values["owner_ids"]),
            disputant_id=values["disputant_id"],
        )
        self.saved_works[values["id"]] = values

    async def save_licence(self, values: dict[str, Any]) -> None:
        self.licences[values["id"]] = _Licence(licensor_id=values["licensor_id"])
        self.saved_licences[values["id"]] = values

    async def flush(self, session: AsyncSession) -> None:
        await repository.upsert_parties(session, self.saved_parties)
        await repository.upsert_works(session, list(self.saved_works.values()))
        await repository.upsert_licences(session, list(self.saved_licences.values()))


# --- the handlers ------------------------------------------------------------------------------


async def handle_event(session: AsyncSession, event: DecodedEvent) -> None:
    named, facts = await _read(StoredReadModel(session), event.data)
    await service.notify(
        session, event=event, event_type=short_type(event.type), named=named, facts=facts
    )


async def handle_batch(session: AsyncSession, events: Sequence[DecodedEvent]) -> None:
    """The consumer's batch handler: the state `handle_event` leaves applied to each event in
    order (read model, inbox entries, deliveries, outbox rows), in a few statements."""
    model = await BatchReadModel.load(session, [event.data for event in events])
    needs_societies = any(
        Named.SOCIETIES in RULES.get(short_type(event.type), frozenset()) for event in events
    )
    # Nothing an event does changes the subscriptions: one read serves the whole batch.
    societies = await repository.society_ids(session) if needs_societies else frozenset()
    planned: list[tuple[DecodedEvent, list[dict[str, Any]]]] = []
    for event in events:  # record order: each event sees what the ones before it changed
        named, facts = await _read(model, event.data)
        rows = service.notification_rows(
            event, short_type(event.type), named, facts, societies=societies
        )
        if rows:
            planned.append((event, rows))
    await model.flush(session)
    await service.notify_many(session, planned)


async def _read(model: ReadModel, data: EventData) -> tuple[NamedParties, EventFacts]:
    """Who the event names and the facts its message mentions; updates the read model."""
    match data:
        case ev.PartyEvent():
            await model.save_party(data.party.id, data.party.name)
            return NamedParties(subject_party=data.party.id), EventFacts(party_name=data.party.name)
        case ev.WorkEvent():
            return await _read_work(model, data)
        case ev.LicenceEvent():
            return await _read_licence(model, data)
        case ev.UsageReported():
            work = await model.work(data.report.work_id)
            licence = await model.licence(data.report.licence_id)
            return (
                NamedParties(
                    work_owners=frozenset(data.work_owner_ids),
                    licensee=data.licensee_id,
                    licensor=licence.licensor_id if licence else None,
                ),
                EventFacts(
                    work_title=work.title if work else None,
                    registration_number=work.registration_number if work else None,
                    licence_id=data.report.licence_id,
                    period_start=data.report.period_start.isoformat(),
                    period_end=data.report.period_end.isoformat(),
                ),
            )
        case ev.RoyaltyStatementIssued():
            statement = data.statement
            work = await model.work(statement.work_id)
            licence = await model.licence(statement.licence_id)
            return (
                NamedParties(
                    # The lines name the owners at the period's end; a statement with nothing
                    # payable may have none, and the work's owners still learn of it.
                    work_owners=frozenset(work.owner_ids)
                    if work and not statement.lines
                    else frozenset(),
                    statement_parties=frozenset(line.party_id for line in statement.lines),
                    licensee=data.licensee_id,
                    licensor=licence.licensor_id if licence else None,
                ),
                EventFacts(
                    work_title=work.title if work else None,
                    registration_number=work.registration_number if work else None,
                    licence_id=statement.licence_id,
                    period_start=statement.period_start.isoformat(),
                    period_end=statement.period_end.isoformat(),
                    payable=statement.payable,
                    currency=statement.currency,
                    line_amounts={line.party_id: line.amount for line in statement.lines},
                ),
            )
        case _:
            return NamedParties(), EventFacts()


async def _read_work(model: ReadModel, data: ev.WorkEvent) -> tuple[NamedParties, EventFacts]:
    state = data.work
    known = await model.work(state.id)
    previous = set(known.owner_ids) if known else set()
    disputant = known.disputant_id if known else None
    transfer: frozenset[UUID] = frozenset()
    reason: str | None = getattr(data, "reason", None)
    match data:
        case ev.WorkOwnershipTransferred():
            previous |= {h.party_id for h in data.previous_rights_holders}
            transfer = frozenset({data.from_party_id, data.to_party_id})
        case ev.WorkDisputeResolved():
            previous |= {h.party_id for h in data.previous_rights_holders}
        case ev.WorkDisputed():
            disputant = data.actor_id
    named = NamedParties(
        rights_holders=frozenset(state.owner_ids()),
        previous_holders=frozenset(previous),
        transfer_parties=transfer,
        disputant=disputant,
    )
    await model.save_work(
        {
            "id": state.id,
            "title": state.title,
            "filing_number": state.filing_number,
            "registration_number": state.registration_number,
            "status": state.status.value,
            "owner_ids": state.owner_ids(),
            # The disputant matters only while the dispute is open.
            "disputant_id": disputant if isinstance(data, ev.WorkDisputed) else None,
        }
    )
    facts = EventFacts(
        work_title=state.title,
        filing_number=state.filing_number,
        registration_number=state.registration_number,
        reason=reason,
        transfer_share=data.share if isinstance(data, ev.WorkOwnershipTransferred) else None,
    )
    return named, facts


async def _read_licence(model: ReadModel, data: ev.LicenceEvent) -> tuple[NamedParties, EventFacts]:
    licence = data.licence
    await model.save_licence(
        {
            "id": licence.id,
            "work_id": licence.work_id,
            "licensor_id": licence.licensor_id,
            "licensee_id": licence.licensee_id,
            "status": licence.status.value,
        }
    )
    work = await model.work(licence.work_id)
    # The event names the owners as they were when it happened: they are the ones told.
    named = NamedParties(
        work_owners=frozenset(data.work_owner_ids),
        licensor=licence.licensor_id,
        licensee=licence.licensee_id,
    )
    facts = EventFacts(
        work_title=work.title if work else None,
        registration_number=work.registration_number if work else None,
        licence_id=licence.id,
        reason=getattr(data, "reason", None),
    )
    return named, facts
