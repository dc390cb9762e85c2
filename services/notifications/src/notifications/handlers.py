"""The consumer's one read-model writer: keep the read model, then notify everyone an event names.

`handle_batch` runs in the unit of work the idempotent consumer opened (runtime.consumer), so
the read model, the inbox entries, the deliveries, the outbox rows and the processed-event
rows commit together; a single event is a batch of one. Who is named is read from the event
first (events carry the current state and the owners when it happened) and completed from
the read model (a dispute's disputant, holders a change removed). The read model the batch
needs is read once, the events are applied to it in memory in record order (so an event sees
what the events before it in the batch changed), and the changes, the inbox entries and the
deliveries are then written set-based, in a handful of statements however long the batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

from contracts.attributes import from_attributes
from contracts.enums import SocietyRegistrationStatus as SocietyStatus
from contracts.envelope import DecodedEvent
from contracts.events import EventData
from runtime.uow import UnitOfWork
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import events as ev
from contracts import topics
from notifications import repository
from notifications.domain.inbox import NewEntry, deliveries_for, entries_for
from notifications.domain.known import KnownLicenceState, KnownWorkState
from notifications.domain.messages import EventFacts
from notifications.domain.recipients import RULES, Named, NamedParties, short_type
from notifications.events import inbox_outbox

# Consumed topics: every topic the other services publish (never our own deliveries topic).
CONSUMED_TOPICS: tuple[str, ...] = (
    topics.FILING_PARTIES,
    topics.FILING_WORKS,
    topics.FILING_IMPORTS,
    topics.FILING_SOCIETIES,
    topics.LICENSING_LICENCES,
    topics.LICENSING_ROYALTIES,
)


class ReadModel:
    """The rows a batch reads, loaded once, then changed in memory in record order; each
    key's last values are what `save` writes."""

    def __init__(
        self, works: dict[UUID, KnownWorkState], licences: dict[UUID, KnownLicenceState]
    ) -> None:
        self.works = works
        self.licences = licences
        self.parties: dict[UUID, str] = {}
        self.changed_works: dict[UUID, KnownWorkState] = {}
        self.changed_licences: dict[UUID, KnownLicenceState] = {}

    @classmethod
    async def load(cls, session: AsyncSession, batch: Sequence[EventData]) -> ReadModel:
        work_ids: set[UUID] = set()
        licence_ids: set[UUID] = set()
        for data in batch:
            match data:
                # A work's stored state is read only for the holders a change removed and the
                # disputant (`_read_work`): every other work event names its parties itself.
                case ev.WorkOwnershipTransferred() | ev.WorkDisputeResolved():
                    work_ids.add(data.work.id)
                case ev.LicenceEvent():
                    work_ids.add(data.licence.work_id)
                case ev.UsageReported():
                    work_ids.add(data.report.work_id)
                    licence_ids.add(data.report.licence_id)
                case (
                    ev.RoyaltyStatementIssued()
                    | ev.RoyaltyStatementReleased()
                    | ev.AdvancePaid()
                    | ev.GuaranteeTruedUp()
                ):
                    work_ids.add(data.statement.work_id)
                    licence_ids.add(data.statement.licence_id)
                case ev.RoyaltyStatementPaid():
                    work_ids.add(data.work_id)
        return cls(
            await repository.works_by_id(session, work_ids),
            await repository.licences_by_id(session, licence_ids),
        )

    def save_party(self, party_id: UUID, name: str) -> None:
        self.parties[party_id] = name

    def save_work(self, work: KnownWorkState) -> None:
        self.works[work.id] = self.changed_works[work.id] = work

    def save_licence(self, licence: KnownLicenceState) -> None:
        self.licences[licence.id] = self.changed_licences[licence.id] = licence

    async def save(self, session: AsyncSession) -> None:
        await repository.save_parties(session, self.parties)
        await repository.save_works(session, list(self.changed_works.values()))
        await repository.save_licences(session, list(self.changed_licences.values()))


async def handle_batch(uow: UnitOfWork, events: Sequence[DecodedEvent]) -> None:
    """The consumer's handler: applies `events` in record order (read model, inbox entries,
    deliveries, `notification.delivered` of each inbox entry) in a few statements."""
    session = uow.session
    model = await ReadModel.load(session, [event.data for event in events])
    needs_societies = any(
        Named.SOCIETIES in RULES.get(short_type(event.type), frozenset()) for event in events
    )
    # Nothing an event does changes the subscriptions: one read serves the whole batch.
    societies = await repository.society_ids(session) if needs_societies else frozenset()
    entries: list[NewEntry] = []
    for event in events:  # record order: each event sees what the ones before it changed
        named, facts = _read(model, event.data)
        if isinstance(event.data, ev.WorkEvent) and event.data.import_id is not None:
            # A bulk import's works: their parties learn of the import once (import.completed).
            continue
        event_type = short_type(event.type)
        entries.extend(entries_for(event, event_type, named, facts, societies=societies))
    await model.save(session)
    await notify(uow, events, entries)


async def notify(
    uow: UnitOfWork, events: Sequence[DecodedEvent], entries: Sequence[NewEntry]
) -> int:
    """Stores the entries that are new, their deliveries and their `notification.delivered`,
    in one statement (`repository.store_entries`).

    The unique keys decide which entries are new, so the same event twice in a batch, or
    notified again by a racing consumer, yields each entry once (its first copy). Returns
    how many entries were new.
    """
    unique: dict[tuple[UUID, UUID], NewEntry] = {}
    for entry in entries:
        unique.setdefault(entry.key, entry)
    if not unique:
        return 0
    chosen = list(unique.values())
    contacts = await repository.contacts_of(uow.session, {e.recipient_id for e in chosen})
    by_id = {event.id: event for event in events}
    dumped: dict[UUID, str] = {}

    def event_data(event_id: UUID) -> str:
        """The event's public data, for a webhook body: serialised once per event, and only
        for events someone is told of by webhook."""
        if event_id not in dumped:
            dumped[event_id] = json.dumps(by_id[event_id].data.model_dump(mode="json"))
        return dumped[event_id]

    return await repository.store_entries(
        uow.session,
        chosen,
        deliveries_for(chosen, contacts),
        event_data=event_data,
        outbox=inbox_outbox(),
    )


def _read(model: ReadModel, data: EventData) -> tuple[NamedParties, EventFacts]:
    """Who the event names and the facts its message mentions; updates the read model."""
    match data:
        case ev.PartyEvent():
            model.save_party(data.party.id, data.party.name)
            return NamedParties(subject_party=data.party.id), EventFacts(party_name=data.party.name)
        case ev.WorkEvent():
            return _read_work(model, data)
        case ev.BulkImportCompleted():
            counts = (data.works_registered, data.works_under_review, data.works_rejected,
                      data.works_awaiting_consent)
            return NamedParties(subject_party=data.party_id), EventFacts(import_counts=counts)
        case ev.SocietyAcknowledgementReceived():
            # Only a rejection or a conflict is news to the filer and the holders.
            told = data.status in (SocietyStatus.REJECTED, SocietyStatus.CONFLICT)
            parties = frozenset({data.filed_by, *data.holder_ids}) if told else frozenset()
            return (
                NamedParties(rights_holders=parties),
                EventFacts(
                    work_title=data.title, registration_number=data.registration_number,
                    reason=f"society {data.society} answered {data.status.value} "
                    f"({data.cwr_status})",
                ),
            )  # fmt: skip
        case ev.LicenceEvent():
            return _read_licence(model, data)
        case ev.UsageReported():
            work = model.works.get(data.report.work_id)
            licence = model.licences.get(data.report.licence_id)
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
        # An advance paid and a guarantee trued up are statements like a royalty's.
        case ev.RoyaltyStatementIssued() | ev.AdvancePaid() | ev.GuaranteeTruedUp():
            statement = data.statement
            work = model.works.get(statement.work_id)
            licence = model.licences.get(statement.licence_id)
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
                    # Every kind of statement is held the same way: its lines say so.
                    held=any(line.held for line in statement.lines),
                ),
            )
        case ev.RoyaltyStatementReleased():
            release = data.statement
            work = model.works.get(release.work_id)
            licence = model.licences.get(release.licence_id)
            return (
                NamedParties(
                    statement_parties=frozenset(line.party_id for line in release.lines)
                    | frozenset(data.held_party_ids),
                    licensee=data.licensee_id,
                    licensor=licence.licensor_id if licence else None,
                ),
                EventFacts(
                    work_title=work.title if work else None,
                    registration_number=work.registration_number if work else None,
                    licence_id=release.licence_id,
                    period_start=release.period_start.isoformat(),
                    period_end=release.period_end.isoformat(),
                    payable=release.payable,
                    currency=release.currency,
                    line_amounts={line.party_id: line.amount for line in release.lines},
                ),
            )
        case ev.RoyaltyStatementPaid():
            work = model.works.get(data.work_id)
            return (
                NamedParties(statement_parties=frozenset(line.party_id for line in data.lines)),
                EventFacts(
                    work_title=work.title if work else None,
                    registration_number=work.registration_number if work else None,
                    licence_id=data.licence_id,
                    paid_on=data.paid_on.isoformat(),
                    payable=data.amount,
                    currency=data.currency,
                    line_amounts={line.party_id: line.amount for line in data.lines},
                ),
            )
        case _:
            return NamedParties(), EventFacts()


def _read_work(model: ReadModel, data: ev.WorkEvent) -> tuple[NamedParties, EventFacts]:
    state = data.work
    owners = state.owner_ids()  # once: it walks the holders' pydantic models
    stored = model.works.get(state.id)
    previous = set(stored.owner_ids) if stored else set()
    disputant = stored.disputant_id if stored else None
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
        rights_holders=frozenset(owners),
        previous_holders=frozenset(previous),
        transfer_parties=transfer,
        disputant=disputant,
    )
    model.save_work(
        KnownWorkState(
            id=state.id,
            title=state.title,
            filing_number=state.filing_number,
            registration_number=state.registration_number,
            status=state.status.value,
            owner_ids=tuple(owners),
            # The disputant matters only while the dispute is open.
            disputant_id=disputant if isinstance(data, ev.WorkDisputed) else None,
        )
    )
    facts = EventFacts(
        work_title=state.title,
        filing_number=state.filing_number,
        registration_number=state.registration_number,
        reason=reason,
        transfer_share=data.share if isinstance(data, ev.WorkOwnershipTransferred) else None,
    )
    return named, facts


def _read_licence(model: ReadModel, data: ev.LicenceEvent) -> tuple[NamedParties, EventFacts]:
    licence = data.licence
    model.save_licence(from_attributes(KnownLicenceState, licence, status=licence.status.value))
    work = model.works.get(licence.work_id)
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
