"""Collecting societies' commands: a CWR file of a society's members' works (made, recorded
and announced in one unit of work) and a society's acknowledgement file applied to the
works it answers (DOMAIN.md, "Collecting societies: CWR out, acknowledgements in")."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from contracts.enums import PartyKind
from contracts.errors import InvalidInput, NotAllowed, NotFound
from contracts.events import SocietyAcknowledgementReceived, SocietyRegistrationSent
from contracts.shares import parse_society
from icu import Region
from runtime.auth import Principal
from runtime.uow import UnitOfWorkFactory
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text as SqlText
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from filing import repository as repo
from filing.domain import cwr_ack
from filing.domain.cwr_records import CwrFile, CwrParty, CwrWork, Sender, cwr_file
from filing.models import CwrFileRow, WorkRow


@dataclass(frozen=True)
class CwrPolicy:
    """The register as a CWR sender (`FILING_CWR_SENDER_*`)."""

    sender: Sender


@dataclass(frozen=True)
class ExportedFile:
    id: UUID
    name: str
    society: str
    works: int
    new_works: int
    revised_works: int


@dataclass(frozen=True)
class AckSummary:
    society: str
    acknowledged: int
    unchanged: int
    unknown: list[str]


def require_society_reader(principal: Principal) -> None:
    """Examiners and collecting societies make CWR files and send acknowledgements."""
    if not (principal.is_examiner or principal.is_society):
        raise NotAllowed("only an examiner or a collecting society may do this",
                         field="Authorization")  # fmt: skip


@functools.lru_cache(maxsize=512)
def tis_code(country: str) -> str:
    """A country's CISAC TIS code: its ISO 3166-1 numeric code (from ICU's region data)."""
    return str(Region.getInstance(country).getNumericCode()).zfill(4)


# The works of a society's members to send: registered musical works with a holder
# affiliated with the society (the holders' GIN index), new to it or changed since.
_TO_SEND_SQL = text("""
SELECT w.id, s.version AS sent_version
FROM work w
LEFT JOIN cwr_submission s ON s.society = :society AND s.work_id = w.id
WHERE w.id IN (SELECT r.work_id FROM rights_holder r WHERE r.societies @> :societies)
  AND w.kind = 'MUSICAL_WORK' AND w.status IN ('REGISTERED', 'DISPUTED')
  AND (:everything OR s.version IS NULL OR s.version < w.version)
ORDER BY w.seq
""").bindparams(bindparam("societies", type_=ARRAY(SqlText())))

_RECORD_SENT_SQL = text("""
INSERT INTO cwr_submission (society, work_id, version, transaction, file_name, sequence, sent_at)
SELECT :society, x.work_id, x.version, x.transaction, :file_name, x.sequence, :sent_at
FROM unnest(CAST(:work_ids AS uuid[]), CAST(:versions AS bigint[]),
            CAST(:transactions AS text[]), CAST(:sequences AS integer[]))
     AS x (work_id, version, transaction, sequence)
ON CONFLICT (society, work_id) DO UPDATE
SET version = excluded.version, transaction = excluded.transaction,
    file_name = excluded.file_name, sequence = excluded.sequence, sent_at = excluded.sent_at
""")


async def _parties(session: AsyncSession, ids: Sequence[UUID]) -> dict[UUID, CwrParty]:
    rows = await session.execute(
        text("SELECT id, name, kind, ipi_name_number FROM party WHERE id = ANY(:ids)"),
        {"ids": list(ids)},
    )
    return {
        r.id: CwrParty(r.id, r.name, r.ipi_name_number, r.kind == PartyKind.PERSON.value)
        for r in rows
    }


async def export_cwr(
    *,
    uow: UnitOfWorkFactory,
    policy: CwrPolicy,
    society: str,
    everything: bool = False,
    now: datetime | None = None,
) -> tuple[ExportedFile, CwrFile] | None:
    """Makes the society's next CWR file, records what it sent and announces each work;
    None when there is nothing new to send. Exports for one society run one at a time."""
    society = parse_society(society, field="society")
    now = now or datetime.now(UTC)
    async with uow() as u:
        session = u.session
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('cwr_export:' || :society))"),
            {"society": society},
        )
        found = (
            await session.execute(
                _TO_SEND_SQL,
                {"society": society, "societies": [society], "everything": everything},
            )
        ).all()
        if not found:
            return None
        sent_before = {r.id: r.sent_version for r in found}
        rows = (
            await session.exec(select(WorkRow).where(col(WorkRow.id).in_(list(sent_before))))
        ).all()
        order = {row.id: row.seq or 0 for row in rows}
        works = sorted(await repo.works_of(session, rows), key=lambda w: order[w.id])
        versions = {row.id: row.version for row in rows}
        holders = {h.party_id for w in works for h in w.rights_holders}
        parties = await _parties(session, list(holders))
        sequence = 1 + (
            await session.execute(
                text("SELECT count(*) FROM cwr_file WHERE society = :society"),
                {"society": society},
            )
        ).scalar_one()
        cwr_works = [
            CwrWork(
                work_id=w.id,
                submitter_work_number=w.registration_number or w.filing_number,
                title=w.title,
                alternate_titles=w.alternate_titles,
                iswc=w.identifiers.iswc,
                holders=w.rights_holders,
                revision=sent_before[w.id] is not None,
            )
            for w in works
        ]
        made = cwr_file(
            cwr_works, parties, society=society, sender=policy.sender, created=now,
            file_sequence=sequence, tis_code=tis_code,
        )  # fmt: skip
        file_id = uuid4()
        session.add(
            CwrFileRow(
                id=file_id, society=society, name=made.name, created_at=now,
                works=len(cwr_works), content=made.text.encode("ascii"),
            )
        )  # fmt: skip
        transactions = ["REV" if w.revision else "NWR" for w in cwr_works]
        await session.execute(
            _RECORD_SENT_SQL,
            {
                "society": society, "file_name": made.name, "sent_at": now,
                "work_ids": [w.work_id for w in cwr_works],
                "versions": [versions[w.work_id] for w in cwr_works],
                "transactions": transactions,
                "sequences": _sequences(transactions),
            },
        )  # fmt: skip
        u.emit(
            *(
                SocietyRegistrationSent(
                    occurred_at=now, work_id=w.work_id, society=society,
                    registration_number=w.submitter_work_number,
                    work_version=versions[w.work_id], transaction=kind,
                    file_id=file_id, file_name=made.name,
                )
                for w, kind in zip(cwr_works, transactions, strict=True)
            )
        )
    revised = transactions.count("REV")
    exported = ExportedFile(
        id=file_id, name=made.name, society=society, works=len(cwr_works),
        new_works=len(cwr_works) - revised, revised_works=revised,
    )  # fmt: skip
    return exported, made


def _sequences(transactions: Sequence[str]) -> list[int]:
    """Each transaction's sequence number within its group (NWR and REV groups apart)."""
    counters: dict[str, int] = {}
    out = []
    for kind in transactions:
        out.append(counters.get(kind, 0))
        counters[kind] = out[-1] + 1
    return out


async def cwr_file_content(
    *, sessions: Any, principal: Principal, file_id: UUID
) -> tuple[str, bytes]:
    """A CWR file made before: its name and bytes."""
    require_society_reader(principal)
    async with sessions() as session:
        row = await session.get(CwrFileRow, file_id)
    if row is None:
        raise NotFound(f"no CWR file {file_id}", field="file_id")
    return row.name, bytes(row.content)


# --- acknowledgements ------------------------------------------------------------------------

_REGISTRATIONS_SQL = text("""
SELECT s.society, s.work_id, s.version, s.transaction, s.file_name, s.status,
       s.society_work_id, s.assigned_iswc, w.registration_number, w.title, w.filed_by,
       ARRAY(SELECT r.party_id FROM rights_holder r WHERE r.work_id = w.id
             ORDER BY r.position) AS holder_ids
FROM cwr_submission s JOIN work w ON w.id = s.work_id
WHERE s.society = :society AND w.registration_number = ANY(:numbers)
FOR UPDATE OF s
""").bindparams(bindparam("numbers", type_=ARRAY(SqlText())))

_ACKNOWLEDGED_SQL = text("""
UPDATE cwr_submission SET status = :status, society_work_id = :society_work_id,
       assigned_iswc = :assigned_iswc, acknowledged_at = :at
WHERE society = :society AND work_id = :work_id
""")


async def import_ack(
    *, uow: UnitOfWorkFactory, principal: Principal, data: bytes, file_name: str,
    society: str | None = None, now: datetime | None = None,
) -> AckSummary:  # fmt: skip
    """Applies a society's ACK file: per acknowledged work load, decide, save and emit, the
    whole file in one unit of work; a re-import changes nothing."""
    require_society_reader(principal)
    header, acks = cwr_ack.read_ack(cwr_ack.iter_lines(data))
    sender = parse_society(society or header.society, field="society")
    if society is not None and header.society and header.society != sender:
        raise InvalidInput(
            f"the file's sender is society {header.society}, not {sender}", field="file"
        )
    now = now or datetime.now(UTC)
    acknowledged = unchanged = 0
    unknown: list[str] = []
    async with uow() as u:
        numbers = sorted({a.submitter_work_number for a in acks})
        rows = (
            await u.session.execute(_REGISTRATIONS_SQL, {"society": sender, "numbers": numbers})
        ).all()
        by_number: Mapping[str, Any] = {r.registration_number: r for r in rows}
        for ack in acks:
            row = by_number.get(ack.submitter_work_number)
            if row is None:
                unknown.append(f"line {ack.line}: {ack.submitter_work_number or '?'} was not "
                               f"sent to society {sender}")  # fmt: skip
                continue
            registration = cwr_ack.SocietyRegistration(
                society=sender, work_id=str(row.work_id), version=row.version,
                transaction=row.transaction, file_name=row.file_name, cwr_status=row.status,
                society_work_id=row.society_work_id, assigned_iswc=row.assigned_iswc,
            )  # fmt: skip
            answered = cwr_ack.acknowledge(registration, ack)
            if answered is None:
                unchanged += 1
                continue
            await u.session.execute(
                _ACKNOWLEDGED_SQL,
                {"status": answered.cwr_status, "society_work_id": answered.society_work_id,
                 "assigned_iswc": answered.assigned_iswc, "at": now, "society": sender,
                 "work_id": row.work_id},
            )  # fmt: skip
            assert answered.status is not None
            u.emit(
                SocietyAcknowledgementReceived(
                    occurred_at=now, work_id=row.work_id, society=sender,
                    registration_number=row.registration_number, status=answered.status,
                    cwr_status=answered.cwr_status, society_work_id=answered.society_work_id,
                    assigned_iswc=answered.assigned_iswc, title=row.title,
                    filed_by=row.filed_by, holder_ids=list(dict.fromkeys(row.holder_ids)),
                    file_name=file_name or "ack",
                )
            )
            # The same work twice in one file: the later line answers the earlier.
            by_number = {**by_number, ack.submitter_work_number: _as_row(row, answered)}
            acknowledged += 1
    return AckSummary(society=sender, acknowledged=acknowledged, unchanged=unchanged,
                      unknown=unknown)  # fmt: skip


@dataclass(frozen=True)
class _Row:
    society: str
    work_id: UUID
    version: int
    transaction: str
    file_name: str
    status: str | None
    society_work_id: str | None
    assigned_iswc: str | None
    registration_number: str
    title: str
    filed_by: UUID
    holder_ids: list[UUID]


def _as_row(row: Any, answered: cwr_ack.SocietyRegistration) -> _Row:
    return _Row(
        society=row.society, work_id=row.work_id, version=row.version,
        transaction=row.transaction, file_name=row.file_name, status=answered.cwr_status,
        society_work_id=answered.society_work_id, assigned_iswc=answered.assigned_iswc,
        registration_number=row.registration_number, title=row.title, filed_by=row.filed_by,
        holder_ids=list(row.holder_ids),
    )  # fmt: skip


# --- the work's page ---------------------------------------------------------------------------

_OF_WORK_SQL = text("""
SELECT society, version, transaction, file_name, sent_at, status, society_work_id,
       assigned_iswc, acknowledged_at
FROM cwr_submission WHERE work_id = :work_id ORDER BY society
""")


async def society_registrations(*, sessions: Any, work_id: UUID) -> list[dict[str, Any]]:
    """Per society, what it was sent of the work and what it answered (public, like the
    register: a society's status of a work is no secret)."""
    async with sessions() as session:
        rows = (await session.execute(_OF_WORK_SQL, {"work_id": work_id})).all()
    return [
        {
            "society": r.society, "work_version": r.version, "transaction": r.transaction,
            "file_name": r.file_name, "sent_at": r.sent_at,
            "status": cwr_ack.STATUSES[r.status].value if r.status else None,
            "cwr_status": r.status, "society_work_id": r.society_work_id,
            "assigned_iswc": r.assigned_iswc, "acknowledged_at": r.acknowledged_at,
        }
        for r in rows
    ]



async def export_due(*, uow: UnitOfWorkFactory, policy: CwrPolicy, societies: str) -> list[str]:
    """The periodic export: each listed society's next file, when it has anything new."""
    made = []
    for code in filter(None, (c.strip() for c in societies.split(","))):
        exported = await export_cwr(uow=uow, policy=policy, society=code)
        if exported is not None:
            made.append(exported[0].name)
    return made
