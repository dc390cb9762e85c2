"""Loading a generated register into filing's database with COPY, streamed.

A child process generates and encodes the rows (COPY's text format) batch by batch while
this one copies the previous batch: never more than a few batches in memory, and both
cores busy. The whole load is ONE transaction: filing's migrations first, then, under an
exclusive lock, the tables' indexes and constraints are dropped, the rows copied, the
indexes and constraints built again (a sort per index, much faster than keeping them up
to date row by row), the number counters set past the generated numbers, and COMMIT.
An error anywhere (a duplicate identifier, a broken connection) leaves the database as it
was; a database that already holds works is refused before anything is written.

The generating process is spawned, so it imports the caller's main module afresh: a script
that calls `load` must do so under `if __name__ == "__main__":` (as `__main__` here does).

Events: the loaded works are rows only; no outbox rows are written, so licensing's read
model does not learn of them. The bulk import (issue 16) is where that belongs: it would
write, per batch, the outbox rows of `filing.events` (WorkFiled, WorkRegistered…, with the
versions of `WorkRecord.history`) in the same transaction, and the relay would publish
them; `encode_works` is the place to add that table's rows.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import queue
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import asyncpg
import filing
from filing.domain.search_index import party_search_columns
from runtime.db import connect_args, upgrade_head

from devstack.register.generator import Counters, PartyRecord, Register, WorkRecord

MIGRATIONS = Path(filing.__file__).parent / "migrations"
TABLES = ("party", "work", "rights_holder", "work_history")
PARTY_COLUMNS = (
    "id", "name", "kind", "country", "ipi_name_number", "isni", "created_at", "updated_at",
    "version", "search_words",
)
WORK_COLUMNS = (
    "id", "filing_number", "registration_number", "title", "alternate_titles", "kind",
    "status", "status_reason", "iswc", "isrc", "isbn", "country_of_origin", "filed_by",
    "filed_at", "updated_at", "version", "title_key", "search_text", "search_keys",
    "search_words",
)
HOLDER_COLUMNS = ("work_id", "party_id", "role", "position", "share")
HISTORY_COLUMNS = ("work_id", "at", "actor_id", "action", "detail")
COLUMNS = {
    "party": PARTY_COLUMNS,
    "work": WORK_COLUMNS,
    "rights_holder": HOLDER_COLUMNS,
    "work_history": HISTORY_COLUMNS,
}
# Batches waiting between the generating process and the copying one.
QUEUED_BATCHES = 3


class RegisterNotEmpty(RuntimeError):
    """The target database already holds works: the generated register is not added to them."""


# --- COPY's text format ----------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _text(value: str | None) -> str:
    """Free text (titles, names, reasons) in COPY's text format."""
    return "\\N" if value is None else value.translate(_COPY_ESCAPES)


def _opt(value: object) -> str:
    """A value whose text needs no escaping (numbers, codes, UUIDs), or NULL."""
    return "\\N" if value is None else str(value)


def _array(values: Iterable[str]) -> str:
    items = ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return _text("{" + items + "}")


def encode_parties(parties: Iterable[PartyRecord]) -> bytes:
    lines = [
        f"{p.id}\t{_text(p.name)}\t{p.kind.value}\t{p.country}\t{_opt(p.ipi_name_number)}\t"
        f"{_opt(p.isni)}\t{p.created_at.isoformat()}\t{p.created_at.isoformat()}\t1\t"
        f"{_array(party_search_columns(p.name)['search_words'])}\n"
        for p in parties
    ]
    return "".join(lines).encode()


def encode_works(works: Iterable[WorkRecord]) -> dict[str, bytes]:
    """The rows of `work`, `rights_holder` and `work_history` for these works."""
    work_lines: list[str] = []
    holder_lines: list[str] = []
    history_lines: list[str] = []
    for w in works:
        work_id = str(w.id)
        filed_at = w.filed_at.isoformat()
        work_lines.append(
            f"{work_id}\t{w.filing_number}\t{_opt(w.registration_number)}\t{_text(w.title)}\t"
            f"{_array(w.alternate_titles)}\t{w.kind.value}\t{w.status.value}\t"
            f"{_text(w.status_reason)}\t{_opt(w.iswc)}\t{_opt(w.isrc)}\t{_opt(w.isbn)}\t"
            f"{w.country_of_origin}\t{w.filed_by}\t{filed_at}\t{w.updated_at.isoformat()}\t"
            f"{w.version}\t{_text(w.title_key)}\t{_text(w.search_text)}\t"
            f"{_array(w.search_keys)}\t{_array(w.search_words)}\n"
        )
        for position, h in enumerate(w.holders):
            holder_lines.append(f"{work_id}\t{h.party_id}\t{h.role.value}\t{position}\t{h.share}\n")
        for line in w.history:
            at = filed_at if line.at is w.filed_at else line.at.isoformat()
            history_lines.append(
                f"{work_id}\t{at}\t{_opt(line.actor_id)}\t{line.action}\t{_text(line.detail)}\n"
            )
    return {
        "work": "".join(work_lines).encode(),
        "rights_holder": "".join(holder_lines).encode(),
        "work_history": "".join(history_lines).encode(),
    }


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while True:
        chunk = [item for _, item in zip(range(size), items, strict=False)]
        if not chunk:
            return
        yield chunk


@dataclass(frozen=True)
class Batch:
    """Encoded rows of one batch: `count` parties or works."""

    kind: str  # "party" or "work"
    count: int
    tables: dict[str, bytes]


def batches(register: Register, size: int) -> Iterator[Batch]:
    """The whole register, parties first, as encoded batches of `size` records."""
    for parties in _chunks(register.parties(), size):
        yield Batch("party", len(parties), {"party": encode_parties(parties)})
    for works in _chunks(register.works(), size):
        yield Batch("work", len(works), encode_works(works))


def _produce(works: int, seed: int, size: int, out: Any) -> None:
    """The child process: every batch into `out`, then the counters (or the error)."""
    try:
        register = Register(works, seed=seed)
        for batch in batches(register, size):
            out.put(batch)
        out.put(register.counters)
    except BaseException:
        out.put(RuntimeError(f"the register's generator failed:\n{traceback.format_exc()}"))


# --- the load --------------------------------------------------------------------------------


class Reporter(Protocol):
    def phase(self, name: str, total: int | None = None) -> None: ...

    def advance(self, count: int) -> None: ...


class _Silent:
    def phase(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, count: int) -> None:
        pass


@dataclass
class LoadResult:
    works: int = 0
    parties: int = 0
    holders: int = 0
    history: int = 0
    copy_seconds: float = 0.0
    waiting_seconds: float = 0.0  # of copy_seconds, waiting for the generator's next batch
    index_seconds: float = 0.0
    total_seconds: float = 0.0
    database_bytes: int = 0
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def works_per_second(self) -> float:
        """Works loaded per second of the whole load (copy, indexes, counters, commit)."""
        return self.works / self.total_seconds if self.total_seconds else 0.0


def urls(database_url: str) -> tuple[str, str]:
    """(SQLAlchemy URL for the migrations, plain URL for asyncpg) of a database URL."""
    plain = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    return plain.replace("postgresql://", "postgresql+asyncpg://", 1), plain


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class _Saved:
    """The indexes and constraints dropped for the load, and the SQL that rebuilds them."""

    foreign_keys: list[tuple[str, str, str]]  # (table, name, definition)
    keys: list[tuple[str, str, str]]
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX statement)

    def rebuild(self) -> list[tuple[str, str]]:
        """(label, statement) in an order that works: indexes, keys, then foreign keys."""
        steps = [(name, sql) for name, sql in self.indexes]
        steps += [
            (name, f"ALTER TABLE {table} ADD CONSTRAINT {_ident(name)} {definition}")
            for table, name, definition in self.keys + self.foreign_keys
        ]
        return steps


async def _drop_indexes(conn: asyncpg.Connection) -> _Saved:
    tables = list(TABLES)
    foreign_keys = await conn.fetch(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE contype = 'f'
             AND (conrelid = ANY($1::regclass[]) OR confrelid = ANY($1::regclass[]))
           ORDER BY 1, 2""",
        tables,
    )
    keys = await conn.fetch(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE contype IN ('p', 'u') AND conrelid = ANY($1::regclass[]) ORDER BY 1, 2""",
        tables,
    )
    indexes = await conn.fetch(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
           WHERE i.indrelid = ANY($1::regclass[]) AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c
               WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
           ORDER BY 1""",
        tables,
    )
    saved = _Saved(
        [tuple(r) for r in foreign_keys], [tuple(r) for r in keys], [tuple(r) for r in indexes]
    )
    for table, name, _ in saved.foreign_keys + saved.keys:
        await conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_ident(name)}")
    for name, _ in saved.indexes:
        await conn.execute(f"DROP INDEX {name}")
    return saved


_COUNTERS_SQL = """
INSERT INTO number_counter (kind, year, last)
SELECT * FROM unnest($1::text[], $2::integer[], $3::integer[])
ON CONFLICT (kind, year) DO UPDATE SET last = GREATEST(number_counter.last, EXCLUDED.last)
"""


async def _set_counters(conn: asyncpg.Connection, counters: Counters) -> None:
    """Filing's next numbers follow the generated ones (never a duplicate number)."""
    items = sorted(counters.last.items())
    await conn.execute(
        _COUNTERS_SQL,
        [kind.value for (kind, _), _ in items],
        [year for (_, year), _ in items],
        [last for _, last in items],
    )


async def _next(out: Any) -> Any:
    item = await asyncio.to_thread(out.get)
    if isinstance(item, BaseException):
        raise item
    return item


async def load(
    database_url: str,
    works: int,
    *,
    seed: int = 16,
    batch_size: int = 20_000,
    maintenance_work_mem: str = "256MB",
    vacuum: bool = True,
    reporter: Reporter | None = None,
) -> LoadResult:
    """Generates the register of `works` works and loads it into the (migrated) database.

    Raises `RegisterNotEmpty` when the database already holds works.
    """
    report = reporter or _Silent()
    result = LoadResult()
    started = time.perf_counter()
    sa_url, plain_url = urls(database_url)
    report.phase("migrating")
    await asyncio.to_thread(upgrade_head, MIGRATIONS, sa_url)
    conn = await asyncpg.connect(plain_url, **connect_args(sa_url))
    context = multiprocessing.get_context("spawn")
    out = context.Queue(maxsize=QUEUED_BATCHES)
    producer = context.Process(
        target=_produce, args=(works, seed, batch_size, out), name="register-generator"
    )
    try:
        async with conn.transaction():
            await conn.execute(f"SET LOCAL maintenance_work_mem = '{maintenance_work_mem}'")
            await conn.execute(
                "LOCK TABLE party, work, rights_holder, work_history IN ACCESS EXCLUSIVE MODE"
            )
            if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM work)"):
                raise RegisterNotEmpty(
                    "the database already holds works: the register is generated into a "
                    "database without any (a scratch one: --database-url)"
                )
            producer.start()
            saved = await _drop_indexes(conn)
            copy_started = time.perf_counter()
            register = Register(works, seed=seed)
            report.phase("parties", register.party_count)
            counters: Counters | None = None
            while counters is None:
                waiting = time.perf_counter()
                item = await _next(out)
                result.waiting_seconds += time.perf_counter() - waiting
                if isinstance(item, Counters):
                    counters = item
                    break
                if item.kind == "work" and result.works == 0:
                    report.phase("works", works)
                for table, data in item.tables.items():
                    if data:
                        await conn.copy_to_table(
                            table,
                            source=io.BytesIO(data),
                            columns=list(COLUMNS[table]),
                            format="text",
                        )
                if item.kind == "party":
                    result.parties += item.count
                else:
                    result.works += item.count
                    result.holders += item.tables["rights_holder"].count(b"\n")
                    result.history += item.tables["work_history"].count(b"\n")
                report.advance(item.count)
            result.copy_seconds = time.perf_counter() - copy_started
            index_started = time.perf_counter()
            steps = saved.rebuild()
            report.phase("indexes and keys", len(steps))
            for label, statement in steps:
                step_started = time.perf_counter()
                await conn.execute(statement)
                result.phases[label] = time.perf_counter() - step_started
                report.advance(1)
            await _set_counters(conn, counters)
            result.index_seconds = time.perf_counter() - index_started
        if vacuum:
            report.phase("vacuum analyze")
            for table in TABLES:
                await conn.execute(f"VACUUM (ANALYZE) {table}")
        result.total_seconds = time.perf_counter() - started
        report.phase("done")
        report.advance(1)
        result.database_bytes = int(
            await conn.fetchval("SELECT pg_database_size(current_database())")
        )
    finally:
        await conn.close()
        if producer.is_alive():
            producer.terminate()
        if producer.pid is not None:
            producer.join()
        _drain(out)
    return result


def _drain(out: Any) -> None:
    """Empties the queue so the child's feeder thread can exit."""
    try:
        while True:
            out.get_nowait()
    except (queue.Empty, OSError, ValueError):
        pass
    out.close()

