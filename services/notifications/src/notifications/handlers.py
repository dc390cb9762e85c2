"""The Kafka consumers' handler: keep the read model, then notify everyone an event names.

Everything runs in the idempotent consumer's transaction (runtime.consumer), so the read
model, the inbox entries, the deliveries and the processed-event row commit together. Who is
named is read from the event first (events carry the current state and the owners when it
happened) and completed from the read model (a dispute's disputant, holders a change removed).
"""

from __future__ import annotations

from uuid import UUID

from contracts.envelope import DecodedEvent
from contracts.events import EventData
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import events as ev
from contracts import topics
from notifications import repository, service
from notifications.domain.messages import EventFacts
from notifications.domain.recipients import NamedParties, short_type

# Consumed topics: every topic the other services publish (never our own deliveries topic).
CONSUMED_TOPICS: tuple[str, ...] = (
    topics.FILING_PARTIES,
    topics.FILING_WORKS,
    topics.LICENSING_LICENCES,
    topics.LICENSING_ROYALTIES,
)


async def handle_event(session: AsyncSession, event: DecodedEvent) -> None:
    named, facts = await _read(session, event.data)
    await service.notify(
        session, event=event, event_type=short_type(event.type), named=named, facts=facts
    )


async def _read(session: AsyncSession, data: EventData) -> tuple[NamedParties, EventFacts]:
    """Who the event names and the facts its message mentions; updates the read model."""
    match data:
        case ev.PartyEvent():
            await repository.upsert_party(session, party_id=data.party.id, name=data.party.name)
            return NamedParties(subject_party=data.party.id), EventFacts(party_name=data.party.name)
        case ev.WorkEvent():
            return await _read_work(session, data)
        case ev.LicenceEvent():
            return await _read_licence(session, data)
        case ev.UsageReported():
            work = await repository.get_work(session, data.report.work_id)
            licence = await repository.get_licence(session, data.report.licence_id)
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
            work = await repository.get_work(session, statement.work_id)
            licence = await repository.get_licence(session, statement.licence_id)
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


async def _read_work(session: AsyncSession, data: ev.WorkEvent) -> tuple[NamedParties, EventFacts]:
    state = data.work
    known = await repository.get_work(session, state.id)
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
    await repository.upsert_work(
        session,
        id=state.id,
        title=state.title,
        filing_number=state.filing_number,
        registration_number=state.registration_number,
        status=state.status.value,
        owner_ids=state.owner_ids(),
        # The disputant matters only while the dispute is open.
        disputant_id=disputant if isinstance(data, ev.WorkDisputed) else None,
    )
    facts = EventFacts(
        work_title=state.title,
        filing_number=state.filing_number,
        registration_number=state.registration_number,
        reason=reason,
        transfer_share=data.share if isinstance(data, ev.WorkOwnershipTransferred) else None,
    )
    return named, facts


async def _read_licence(
    session: AsyncSession, data: ev.LicenceEvent
) -> tuple[NamedParties, EventFacts]:
    licence = data.licence
    await repository.upsert_licence(
        session,
        id=licence.id,
        work_id=licence.work_id,
        licensor_id=licence.licensor_id,
        licensee_id=licence.licensee_id,
        status=licence.status.value,
    )
    work = await repository.get_work(session, licence.work_id)
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
