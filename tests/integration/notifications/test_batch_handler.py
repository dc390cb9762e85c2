"""The one handler leaves the same state however a history is cut into batches.

One realistic mixed history (parties, a subscribed society, contacts with email and webhook,
works filed/registered/rejected/transferred/disputed/resolved, licences offered, accepted,
declined, terminated and expired, usage and statements, redeliveries) is applied through
`handle_batch` as batches of one to one fresh database, as one batch to another, and in
uneven and in random batches to two more; every table must then hold the same rows
(generated ids and timestamps aside). Events that change the read model a later event of the
same batch reads (a registration then a licence naming its number, a dispute then its
resolution, an offer then its acceptance) sit inside batches and across batch boundaries.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from contracts.enums import Medium, PartyKind, Role, WorkKind, WorkStatus
from contracts.envelope import DecodedEvent, decode, encode
from notifications import repository
from notifications.app import MIGRATIONS
from notifications.domain.inbox import CreatedEntry
from notifications.events import inbox_delivered
from notifications.handlers import handle_batch
from notifications.smtp_server import LocalSmtpServer
from runtime.db import create_engine, session_maker, upgrade_head
from runtime.uow import UnitOfWork, unit_of_work_factory
from sqlalchemy import event as sa_event
from sqlalchemy import text

from contracts import events as ev

from .harness import (
    WebhookReceiver,
    party_registered,
    running_service,
    statement_issued,
    work_registered,
)

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
SECRET = "batch-handler-secret-0123"
# Every table the service's migrations create; the test fails if one is added and not compared.
ALL_TABLES = {
    "known_party",
    "known_work",
    "known_licence",
    "contact",
    "society",
    "notification",
    "delivery",
    "delivery_attempt",
    "outbox",
    "processed_event",
}
ROWS = {
    "known_party": "SELECT id, name FROM known_party ORDER BY id",
    "known_work": "SELECT id, title, filing_number, registration_number, status, owner_ids, "
    "disputant_id FROM known_work ORDER BY id",
    "known_licence": "SELECT id, work_id, licensor_id, licensee_id, status FROM known_licence "
    "ORDER BY id",
    "contact": "SELECT party_id, email, webhook_url, webhook_secret_sealed FROM contact "
    "ORDER BY party_id",
    "society": "SELECT party_id, subscribed_by FROM society ORDER BY party_id",
    "notification": "SELECT recipient_id, event_id, event_type, subject_id, title, message, "
    "event_time, read_at FROM notification ORDER BY event_id, recipient_id",
    # Each delivery with the entry it belongs to and the address it will go to.
    "delivery": "SELECT d.event_id, d.recipient_id, d.channel, d.status, d.attempts, "
    "d.last_error, d.finished_at, d.event_data, n.event_id, n.recipient_id, "
    "CASE d.channel WHEN 'EMAIL' THEN c.email ELSE c.webhook_url END "
    "FROM delivery d JOIN notification n ON n.id = d.notification_id "
    "LEFT JOIN contact c ON c.party_id = d.recipient_id "
    "ORDER BY d.event_id, d.recipient_id, d.channel",
    "delivery_attempt": "SELECT delivery_id, attempt, succeeded, error FROM delivery_attempt "
    "ORDER BY delivery_id, attempt",
    "processed_event": "SELECT consumer, event_id FROM processed_event ORDER BY 1, 2",
}


# --- a history ---------------------------------------------------------------------------------


def decoded(data: ev.EventData, event_id: uuid.UUID | None = None) -> DecodedEvent:
    record = encode(data, event_id=event_id or uuid.uuid4())
    return decode(record.value, record.headers, key=record.key)


def rights_holders(holders: list[tuple[uuid.UUID, str]]) -> list[ev.RightsHolder]:
    return [ev.RightsHolder(party_id=p, role=Role.COMPOSER, share=Decimal(s)) for p, s in holders]


class History:
    def __init__(self) -> None:
        self.events: list[DecodedEvent] = []
        self.clock = T0
        self.numbers = iter(range(1, 10**6))

    def at(self) -> datetime:
        # Every other time has a fraction of a second (RFC 3339 writes it only then).
        self.clock += timedelta(minutes=7, microseconds=-250 if self.clock.microsecond else 250)
        return self.clock

    def add(self, data: ev.EventData) -> DecodedEvent:
        event = decoded(data)
        self.events.append(event)
        return event

    def party(self, party_id: uuid.UUID, name: str, *, update: bool = False) -> None:
        state = ev.PartyState(id=party_id, name=name, kind=PartyKind.PERSON, country="TH")
        if update:
            self.add(ev.PartyUpdated(occurred_at=self.at(), party=state, changed_fields=["name"]))
        else:
            self.add(ev.PartyRegistered(occurred_at=self.at(), party=state))

    def work(
        self,
        work_id: uuid.UUID,
        title: str,
        holders: list[tuple[uuid.UUID, str]],
        status: WorkStatus,
        number: int,
    ) -> ev.WorkState:
        registered = status not in (
            WorkStatus.FILED,
            WorkStatus.REJECTED,
            WorkStatus.UNDER_REVIEW,
        )
        return ev.WorkState(
            id=work_id,
            filing_number=f"F-2026-{number:06d}",
            registration_number=f"R-2026-{number:06d}" if registered else None,
            title=title,
            kind=WorkKind.MUSICAL_WORK,
            status=status,
            country_of_origin="TH",
            rights_holders=rights_holders(holders),
            filed_by=holders[0][0],
            filed_at=T0,
        )

    def disputed(
        self,
        work_id: uuid.UUID,
        title: str,
        holders: list[tuple[uuid.UUID, str]],
        number: int,
        *,
        reason: str,
        actor_id: uuid.UUID,
    ) -> None:
        work = self.work(work_id, title, holders, WorkStatus.DISPUTED, number)
        self.add(ev.WorkDisputed(occurred_at=self.at(), work=work, reason=reason, actor_id=actor_id))

    def dispute_resolved(
        self,
        work_id: uuid.UUID,
        title: str,
        holders: list[tuple[uuid.UUID, str]],
        number: int,
        *,
        previous: list[tuple[uuid.UUID, str]],
        keep_owners: bool,
        reason: str,
    ) -> None:
        """An examiner's resolution (no actor) leaving `holders`, after `previous`."""
        self.add(
            ev.WorkDisputeResolved(
                occurred_at=self.at(),
                work=self.work(work_id, title, holders, WorkStatus.REGISTERED, number),
                keep_owners=keep_owners,
                reason=reason,
                previous_rights_holders=rights_holders(previous),
                actor_id=None,
            )
        )

    def licence(
        self,
        kind: type[ev.LicenceEvent],
        licence_id: uuid.UUID,
        work_id: uuid.UUID,
        owners: list[uuid.UUID],
        licensee: uuid.UUID,
        **extra: Any,
    ) -> None:
        state = ev.LicenceState(
            id=licence_id,
            work_id=work_id,
            licensor_id=owners[0],
            licensee_id=licensee,
            status=kind.resulting_status,
            terms=ev.LicenceTerms(
                territories=["TH"],
                media=[Medium.STREAMING],
                exclusive=False,
                start=date(2026, 1, 1),
                royalty_rate=Decimal("10.00"),
                currency="THB",
            ),
        )
        self.add(
            kind(
                occurred_at=self.at(),
                licence=state,
                work_owner_ids=owners,
                actor_id=owners[0],
                **extra,
            )
        )

    def usage(
        self,
        licence_id: uuid.UUID,
        work_id: uuid.UUID,
        owners: list[uuid.UUID],
        licensee: uuid.UUID,
    ) -> None:
        self.add(
            ev.UsageReported(
                occurred_at=self.at(),
                report=ev.UsageReport(
                    id=uuid.uuid4(),
                    licence_id=licence_id,
                    work_id=work_id,
                    period_start=date(2026, 1, 1),
                    period_end=date(2026, 1, 31),
                    units=1000,
                    gross_revenue=Decimal("5000.00"),
                    currency="THB",
                    created_at=self.clock,
                ),
                licensee_id=licensee,
                work_owner_ids=owners,
            )
        )

    def statement(
        self,
        licence_id: uuid.UUID,
        work_id: uuid.UUID,
        lines: dict[uuid.UUID, str],
        licensee: uuid.UUID,
    ) -> None:
        equal = Decimal("100.00") / len(lines) if lines else Decimal(0)  # no line, no share
        self.add(
            statement_issued(
                work_id, lines, licensee, licence_id=licence_id, at=self.at(),
                gross=Decimal("5000.00"), share=equal,
            )
        )  # fmt: skip


class Cast:
    """The parties of the history."""

    def __init__(self) -> None:
        self.ana, self.ben, self.chai, self.dao = (uuid.uuid4() for _ in range(4))
        self.licensee, self.society, self.quiet = (uuid.uuid4() for _ in range(3))


def history(cast: Cast) -> list[DecodedEvent]:
    h = History()
    a, b, c, d, lic, soc = cast.ana, cast.ben, cast.chai, cast.dao, cast.licensee, cast.society
    for party, name in ((a, "Ana"), (b, "Ben"), (c, "Chai"), (d, "Dao"), (lic, "Radio")):
        h.party(party, name)
    h.party(soc, "Society")
    h.party(a, "Ana Maria", update=True)

    works: list[tuple[uuid.UUID, str, list[tuple[uuid.UUID, str]], int]] = []
    for i, holders in enumerate(
        [
            [(a, "60.00"), (b, "40.00")],
            [(b, "100.00")],
            [(c, "50.00"), (a, "50.00")],
            [(a, "100.00")],
            [(d, "30.00"), (c, "70.00")],
        ]
    ):
        work_id, n = uuid.uuid4(), next(h.numbers)
        title = f"Song {i}"
        h.add(
            ev.WorkFiled(
                occurred_at=h.at(), work=h.work(work_id, title, holders, WorkStatus.FILED, n)
            )
        )
        works.append((work_id, title, holders, n))
    # Registrations (societies learn of them), interleaved with licences on the same works so
    # a licence step reads a registration number written earlier in the same batch.
    registered = {}
    for work_id, title, holders, n in works[:4]:
        state = h.work(work_id, title, holders, WorkStatus.REGISTERED, n)
        registered[work_id] = h.add(ev.WorkRegistered(occurred_at=h.at(), work=state))
    w4 = works[4]
    h.add(
        ev.WorkRejected(
            occurred_at=h.at(),
            work=h.work(w4[0], w4[1], w4[2], WorkStatus.REJECTED, w4[3]),
            reason="clashes with an earlier work",
        )
    )

    # Licences: offered -> activated -> usage -> statement -> terminated, all on work 0.
    w0, _, holders0, n0 = works[0]
    owners0 = [p for p, _ in holders0]
    l1 = uuid.uuid4()
    h.licence(ev.LicenceOffered, l1, w0, owners0, lic)
    h.licence(ev.LicenceActivated, l1, w0, owners0, lic)
    h.usage(l1, w0, owners0, lic)
    h.statement(l1, w0, {a: "300.00", b: "200.00"}, lic)
    h.statement(l1, w0, {}, lic)  # nothing payable: the work's owners from the read model

    # A transfer on work 0 (b gives a share to c): previous holders come from the read model.
    moved = [(a, "60.00"), (b, "20.00"), (c, "20.00")]
    h.add(
        ev.WorkOwnershipTransferred(
            occurred_at=h.at(),
            work=h.work(w0, "Song 0", moved, WorkStatus.REGISTERED, n0),
            from_party_id=b,
            to_party_id=c,
            share=Decimal("20.00"),
            previous_rights_holders=rights_holders(holders0),
            actor_id=b,
        )
    )
    owners0 = [a, b, c]
    h.statement(l1, w0, {}, lic)  # owners after the transfer
    h.licence(ev.LicenceTerminated, l1, w0, owners0, lic, reason="unpaid advance")

    # Work 1: disputed by d, then resolved with new holders: d (from the read model) and the
    # removed holder learn of the resolution.
    w1, title1, holders1, n1 = works[1]
    h.disputed(w1, title1, holders1, n1, reason="I wrote the bridge", actor_id=d)
    # A licence on the disputed work in between (its read-model row is the disputed state).
    l2 = uuid.uuid4()
    h.licence(ev.LicenceOffered, l2, w1, [b], lic)
    h.licence(ev.LicenceDeclined, l2, w1, [b], lic, reason="too expensive")
    only_d = [(d, "100.00")]
    h.dispute_resolved(
        w1, title1, only_d, n1, previous=holders1, keep_owners=False, reason="the bridge is the song"
    )
    # A second dispute, resolved keeping the owners (the disputant learns of it again).
    h.disputed(w1, title1, only_d, n1, reason="second thoughts", actor_id=b)
    h.dispute_resolved(
        w1, title1, only_d, n1, previous=only_d, keep_owners=True, reason="nothing new"
    )

    # Work 2: an offer withdrawn, another activated then expired, with usage and a statement.
    w2, _, holders2, _ = works[2]
    owners2 = [p for p, _ in holders2]
    l3, l4 = uuid.uuid4(), uuid.uuid4()
    h.licence(ev.LicenceOffered, l3, w2, owners2, lic)
    h.licence(ev.LicenceWithdrawn, l3, w2, owners2, lic)
    h.licence(ev.LicenceOffered, l4, w2, owners2, d)
    h.licence(ev.LicenceActivated, l4, w2, owners2, d)
    h.usage(l4, w2, owners2, d)
    h.statement(l4, w2, {c: "10.00", a: "10.00"}, d)
    h.licence(ev.LicenceExpired, l4, w2, owners2, d)

    # Events about works and licences the read model never saw: facts fall back, nobody lost.
    ghost_work, ghost_licence = uuid.uuid4(), uuid.uuid4()
    h.usage(ghost_licence, ghost_work, [cast.quiet], lic)
    h.statement(ghost_licence, ghost_work, {}, lic)
    h.licence(ev.LicenceOffered, uuid.uuid4(), ghost_work, [cast.quiet], lic)

    # A later review request and a rename, then more registrations so batches run long.
    h.party(b, "Ben B.", update=True)
    for i in range(24):
        work_id, n = uuid.uuid4(), next(h.numbers)
        holders = [(a, "50.00"), (c if i % 2 else b, "50.00")]
        h.add(
            ev.WorkFiled(
                occurred_at=h.at(), work=h.work(work_id, f"Extra {i}", holders, WorkStatus.FILED, n)
            )
        )
        if i % 3 == 0:
            h.add(
                ev.WorkReviewRequested(
                    occurred_at=h.at(),
                    work=h.work(work_id, f"Extra {i}", holders, WorkStatus.UNDER_REVIEW, n),
                    reason="looks like Song 0",
                )
            )
        h.add(
            ev.WorkRegistered(
                occurred_at=h.at(),
                work=h.work(work_id, f"Extra {i}", holders, WorkStatus.REGISTERED, n),
            )
        )
        if i % 4 == 1:
            lid = uuid.uuid4()
            owners = [p for p, _ in holders]
            h.licence(ev.LicenceOffered, lid, work_id, owners, lic)
            h.licence(ev.LicenceActivated, lid, work_id, owners, lic)
    out = h.events
    # Redeliveries under the same id (a relay that republished): one right after the
    # original, inside a batch, and one much later; the unique keys make them no-ops.
    first_registration = registered[works[0][0]]
    out.insert(out.index(first_registration) + 1, first_registration)
    out.append(registered[works[3][0]])
    return out


# --- applying and comparing ----------------------------------------------------------------------


async def prepare(url: str, cast: Cast) -> None:
    await asyncio.to_thread(upgrade_head, MIGRATIONS, url)
    engine = create_engine(url)
    try:
        async with session_maker(engine)() as session, session.begin():
            contacts = [
                (cast.ana, "ana@example.com", "https://ana.example.com/hook"),
                (cast.ben, "ben@example.com", None),
                (cast.dao, None, "https://dao.example.com/hook"),
                (cast.society, "royalties@society.example.org", None),
                (cast.licensee, None, "https://radio.example.com/hook"),
            ]
            for party, email, url_ in contacts:
                await repository.save_contact(
                    session,
                    party_id=party,
                    email=email,
                    webhook_url=url_,
                    sealed_secret=b"sealed-" + party.bytes if url_ else None,
                    keep_secret=False,
                )
            await repository.add_society(session, party_id=cast.society, by="operator-1")
    finally:
        await engine.dispose()


async def apply(url: str, batches: list[list[DecodedEvent]]) -> list[tuple[int, int]]:
    """Applies the batches, each in one unit of work; returns (events, statements) per batch."""
    engine = create_engine(url)
    uow = unit_of_work_factory(session_maker(engine))
    counted: list[int] = [0]

    def count(*_: Any) -> None:
        counted[0] += 1

    sa_event.listen(engine.sync_engine, "before_cursor_execute", count)
    sizes: list[tuple[int, int]] = []
    try:
        for chunk in batches:
            counted[0] = 0
            async with uow() as u:
                await handle_batch(u, chunk)
            sizes.append((len(chunk), counted[0]))
    finally:
        await engine.dispose()
    return sizes


async def snapshot(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        async with session_maker(engine)() as session:
            tables = {
                row[0]
                for row in await session.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = 'public' AND table_name <> 'alembic_version'"
                    )
                )
            }
            assert tables == ALL_TABLES, "a table is not compared"
            found: dict[str, Any] = {
                name: [tuple(row) for row in await session.execute(text(sql))]
                for name, sql in ROWS.items()
            }
            # The outbox in relay (id) order; a notification id is generated, so it is replaced
            # by the (event, recipient) it stands for.
            entries = {
                row[0]: (str(row[1]), str(row[2]))
                for row in await session.execute(
                    text("SELECT id, event_id, recipient_id FROM notification")
                )
            }
            outbox = []
            for topic, key, value, headers, sent_at in await session.execute(
                text("SELECT topic, key, value, headers, sent_at FROM outbox ORDER BY id")
            ):
                event = decode(value, [(k, v.encode()) for k, v in headers], key=key)
                data = event.data.model_dump(mode="json")
                data["notification_id"] = entries[uuid.UUID(data["notification_id"])]
                outbox.append((topic, key, event.type, event.subject, event.time, data, sent_at))
            found["outbox"] = outbox
            return found
    finally:
        await engine.dispose()


async def test_one_batch_and_any_split_leave_the_same_state_as_batches_of_one(
    create_database: Callable[[str], Awaitable[str]],
) -> None:
    cast = Cast()
    events = history(cast)
    # Uneven cuts, so reads of state written by an earlier event fall both inside a batch
    # and across batch boundaries; one batch of a single event, one of nearly half.
    cuts = [0, 3, 4, 19, 20, 27, 41, 43, 100, len(events)]
    assert cuts[-2] < len(events)
    shuffled = random.Random(1913)
    random_cuts = sorted({0, len(events), *shuffled.sample(range(1, len(events)), 12)})
    splits = {
        "notif_batches_of_one": [[event] for event in events],
        "notif_one_batch": [events],
        "notif_uneven_batches": [events[a:b] for a, b in pairwise(cuts)],
        "notif_random_batches": [events[a:b] for a, b in pairwise(random_cuts)],
    }
    counts: dict[str, list[tuple[int, int]]] = {}
    snapshots: dict[str, dict[str, Any]] = {}
    for name, batches in splits.items():
        url = await create_database(name)
        await prepare(url, cast)
        counts[name] = await apply(url, batches)
        snapshots[name] = await snapshot(url)

    expected = snapshots.pop("notif_batches_of_one")
    # The history exercises what it claims to: every kind of row exists.
    assert all(expected[t] for t in ROWS if t not in ("delivery_attempt", "processed_event"))
    assert {row[2] for row in expected["delivery"]} == {"EMAIL", "WEBHOOK"}
    society_entries = [r for r in expected["notification"] if r[0] == cast.society]
    assert {r[2].rsplit(".", 2)[-2] for r in society_entries} >= {"registered", "statement_issued"}
    assert any(r[0] == cast.dao and "dispute_resolved" in r[2] for r in expected["notification"])
    for name, actual in snapshots.items():
        for table in expected:
            assert actual[table] == expected[table], f"{table} differs in {name}"

    # Set-based: a batch costs the same handful of statements however many events it holds.
    for name in ("notif_one_batch", "notif_uneven_batches"):
        assert max(statements for _, statements in counts[name]) <= 12, counts[name]


async def test_the_consumer_applies_its_batches_with_its_one_handler(
    create_database: Callable[[str], Awaitable[str]],
    smtp: LocalSmtpServer,
    auth: Callable[..., dict[str, str]],
) -> None:
    """Wired in: every batch goes through whole, and the whole path works
    (inbox, email, signed webhook, outbox), a redelivered event still counting once."""
    async with running_service(
        create_database, "notif_batch_wired", smtp_port=smtp.port
    ) as service:
        consumer = service.app.state.runtime.consumers[0]
        assert consumer.handler is handle_batch
        applied: list[uuid.UUID] = []

        async def watched(uow: UnitOfWork, events: Sequence[DecodedEvent]) -> None:
            await handle_batch(uow, events)
            applied.extend(event.id for event in events)

        consumer.handler = watched
        party = uuid.uuid4()
        address = f"batch-{party.hex[:8]}@example.com"
        with WebhookReceiver(secret=SECRET) as receiver:
            await service.set_contacts(
                party, auth(party), email=address, webhook_url=receiver.url, webhook_secret=SECRET
            )
            await service.publish(party_registered(party, "Batch Party"))
            registered = work_registered([party, uuid.uuid4()], title="Batched Song")
            registration_id = uuid.uuid4()
            for _ in range(2):
                await service.publish(registered, event_id=registration_id)
            for n in range(3):
                await service.publish(work_registered([party], title=f"Batched {n}"))

            await service.until_delivered(party, 2 * 5)
            assert len(applied) == 5 and registration_id in applied  # all set-based
            assert len(receiver.calls) == 5 and all(call.authentic for call in receiver.calls)
            assert len([m for m in smtp.store.messages if address in m.rcpt_tos]) == 5
            assert (
                await service.scalar(
                    "SELECT count(*) FROM notification WHERE recipient_id = :p", p=party
                )
                == 5
            )
            assert (
                await service.scalar("SELECT name FROM known_party WHERE id = :p", p=party)
                == "Batch Party"
            )
            # One INBOX delivery event per entry of the party, staged in the same transactions.
            assert (
                await service.scalar(
                    "SELECT count(*) FROM outbox o, notification n WHERE n.recipient_id = :p "
                    "AND convert_from(o.value, 'UTF8')::jsonb ->> 'notification_id' = n.id::text "
                    "AND convert_from(o.value, 'UTF8')::jsonb ->> 'channel' = 'INBOX'",
                    p=party,
                )
                == 5
            )


async def test_the_outbox_rows_built_in_sql_are_the_records_encode_makes(
    create_database: Callable[[str], Awaitable[str]],
) -> None:
    """Each `notification.delivered` the batch statement builds from the stored entries is,
    header for header and field for field, what `encode(inbox_delivered(...))` makes (only the
    JSON's key order and spacing may differ); a webhook delivery carries the event's data."""
    cast = Cast()
    events = history(cast)
    url = await create_database("notif_outbox_sql")
    await prepare(url, cast)
    await apply(url, [events])
    by_id = {event.id: event for event in events}
    engine = create_engine(url)
    try:
        async with session_maker(engine)() as session:
            rows = (
                await session.execute(
                    text(
                        "SELECT n.id, n.event_id, n.recipient_id, o.event_id, o.topic, o.key, "
                        "o.value, o.headers, o.traceparent FROM outbox o JOIN notification n "
                        "ON convert_from(o.value, 'UTF8')::jsonb ->> 'notification_id' "
                        "= n.id::text ORDER BY o.id"
                    )
                )
            ).all()
            webhooks = (
                await session.execute(
                    text("SELECT event_id, channel, event_data FROM delivery ORDER BY id")
                )
            ).all()
            entries = await session.scalar(text("SELECT count(*) FROM notification"))
    finally:
        await engine.dispose()

    assert len(rows) == entries and entries > 50
    for entry_id, event_id, recipient_id, outbox_id, topic, key, value, headers, trace in rows:
        entry = CreatedEntry(id=entry_id, recipient_id=recipient_id, event_id=event_id)
        expected = encode(inbox_delivered(by_id[event_id], entry), event_id=outbox_id)
        assert (topic, key, trace) == (expected.topic, expected.key, None)
        assert [(k, v.encode()) for k, v in headers] == expected.headers
        stored = decode(value, expected.headers, key=key)
        assert stored == decode(expected.value, expected.headers, key=expected.key)
    assert {channel for _, channel, _ in webhooks} == {"EMAIL", "WEBHOOK"}
    for event_id, channel, data in webhooks:
        assert data == (by_id[event_id].data.model_dump(mode="json") if channel == "WEBHOOK" else None)
