"""The bulk import's writer: rows checked by `domain.bulk`, a chunk at a time, examined
set-based against the register and written with COPY in one transaction per chunk (state,
history, numbers and outbox rows together), so the import runs against a register in use.

Per chunk: the chunk's ids already in the register are left alone (a re-run changes nothing),
holders are checked against the parties in one query, the filing numbers are taken in one
counter update, the candidates of examination (holding works sharing an identifier;
registered works sharing a title key and a holder) are read in two queries, the pure domain
examines the rows in file order, the registration numbers are taken in one more update,
and the rows go in with COPY. A unique index refusing a row (a filing by the API took an
identifier meanwhile, or the same file is imported twice at once) rolls the chunk back and
runs it again, so it is examined against what was committed.
"""

from __future__ import annotations

import functools
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from contracts.enums import WorkStatus
from contracts.errors import InvalidInput
from contracts.events import BulkImportCompleted
from runtime.outbox import NOTIFY_CHANNEL, outbox_rows

from contracts import topics
from filing import events
from filing.domain import bulk
from filing.domain import consents as consent_rules
from filing.domain import works as work_rules
from filing.domain.examination import Examination, ExistingWork, examination_history
from filing.domain.holders import RightsHolder, rights_json
from filing.domain.identifiers import Identifiers
from filing.domain.numbering import NumberKind, format_number
from filing.domain.parties import Party
from filing.domain.search_index import party_search_columns

CHUNK_SIZE_DEFAULT = 5000
RETRIES = 3
# Each chunk's transaction: no JIT (compiling took longer than a chunk's short queries) and
# room to sort a chunk's events in memory.
_CHUNK_SETTINGS = "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"
# The columns examination's queries are planned by: ANALYZE of these alone samples 30,000
# rows, where the search columns' statistics (1,000) would sample 300,000 (the search's
# statistics are the register's VACUUM ANALYZE's, after the import).
_ANALYZE = (
    "ANALYZE work (id, title_key, status, iswc, isrc, isbn, filing_number), "
    "rights_holder"
)

WORK_COLUMNS = (
    "id", "filing_number", "registration_number", "title", "alternate_titles", "kind",
    "status", "status_reason", "iswc", "isrc", "isbn", "country_of_origin", "filed_by",
    "filed_at", "updated_at", "version", "consent_deadline",
)
CONSENT_COLUMNS = ("work_id", "party_id", "role", "position", "share", "status")
PARTY_COLUMNS = (
    "id", "name", "kind", "country", "ipi_name_number", "isni", "created_at", "updated_at",
    "version", "search_words",
)
HOLDER_COLUMNS = ("work_id", "party_id", "role", "position", "share", "rights", "societies")
OUTBOX_COLUMNS = ("event_id", "topic", "key", "value", "headers", "traceparent", "created_at")

RawRow = tuple[int, dict[str, str | None]]
FILED = work_rules.WorkAction.FILED.value
# The report's field of a parties-file row starts with this (its rows are numbered apart).
PARTIES = "parties"


def _rights_text(holder: RightsHolder) -> str | None:
    rights = rights_json(holder)
    return None if rights is None else json.dumps(rights)


class FilerUnknown(InvalidInput):
    code = "UNKNOWN_PARTY"


@dataclass
class ImportSummary:
    """What one run did; `per_party` counts the works naming each party, by outcome."""

    import_id: UUID
    works_registered: int = 0
    works_under_review: int = 0
    works_rejected: int = 0
    works_awaiting_consent: int = 0
    rows_rejected: int = 0
    rows_unchanged: int = 0
    parties_created: int = 0
    parties_unchanged: int = 0
    seconds: float = 0.0
    per_party: dict[UUID, Counter[str]] = field(default_factory=dict)

    @property
    def works_imported(self) -> int:
        return (
            self.works_registered + self.works_under_review + self.works_rejected
            + self.works_awaiting_consent
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "import_id": str(self.import_id),
            "works_registered": self.works_registered,
            "works_under_review": self.works_under_review,
            "works_rejected": self.works_rejected,
            "works_awaiting_consent": self.works_awaiting_consent,
            "rows_rejected": self.rows_rejected,
            "rows_unchanged": self.rows_unchanged,
            "parties_created": self.parties_created,
            "parties_unchanged": self.parties_unchanged,
            "seconds": round(self.seconds, 3),
            "works_per_second": round(self.works_imported / self.seconds, 1)
            if self.seconds
            else None,
        }


@dataclass
class ParsedChunk:
    """A chunk of works-file rows checked: the works to write, the rows refused."""

    rows: int
    works: list[bulk.ImportedWork]
    refused: list[bulk.RowError]


def parse_chunk(chunk: Sequence[RawRow], *, filer: UUID) -> ParsedChunk:
    """Checks a chunk's rows (pure; also run in a child process by the command)."""
    parsed: dict[UUID, bulk.ImportedWork] = {}
    refused: list[bulk.RowError] = []
    for row, raw in chunk:
        try:
            work = bulk.parse_work_row(row, raw, filer=filer)
        except bulk.RowRefused as error:
            refused.append(bulk.RowError(row=row, field=error.field, reason=error.reason))
            continue
        if work.id in parsed:
            refused.append(bulk.RowError(row, "row_key", "row_key appears twice in the file"))
            continue
        parsed[work.id] = work
    return ParsedChunk(rows=len(chunk), works=list(parsed.values()), refused=refused)


def chunks(rows: Iterable[RawRow], size: int) -> Iterator[list[RawRow]]:
    batch: list[RawRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_TAKE_SQL = """
INSERT INTO number_counter (kind, year, last) VALUES ($1, $2, $3)
ON CONFLICT (kind, year) DO UPDATE SET last = number_counter.last + excluded.last
RETURNING last
"""

# Holding statuses: domain.works.HOLDING_STATUSES; registered: REGISTERED_STATUSES.
_EXISTING_BY_IDENTIFIER_SQL = """
SELECT w.id, w.filing_number, w.title, w.status, w.iswc, w.isrc, w.isbn, w.title_key,
       ARRAY(SELECT r.party_id FROM rights_holder r WHERE r.work_id = w.id) AS holders
FROM work w
WHERE (w.iswc = ANY($1::text[]) OR w.isrc = ANY($2::text[]) OR w.isbn = ANY($3::text[]))
  AND w.status IN ('FILED', 'UNDER_REVIEW', 'REGISTERED', 'DISPUTED', 'AWAITING_CONSENT')
"""

# Per (title key, holder) of the chunk, the registered work with that key and that holder
# which examination would name first (the lowest filing number), and that holder only:
# examination needs a holder in common, not the list, and a popular title ("Love") must not
# bring back every work that bears it for every row that does. The holder is looked up among
# each candidate's holders (by `work_id`), never the candidates among the holder's works: on
# stale statistics the planner did the latter, and the filer of a catalogue holds them all.
_EXISTING_BY_TITLE_SQL = """
SELECT c.party, w.id, w.filing_number, w.title, w.status, w.iswc, w.isrc, w.isbn, w.title_key
FROM unnest($1::text[], $2::uuid[]) AS c (key, party)
CROSS JOIN LATERAL (
    SELECT w.id, w.filing_number, w.title, w.status, w.iswc, w.isrc, w.isbn, w.title_key
    FROM work w
    WHERE w.title_key = c.key AND w.status IN ('REGISTERED', 'DISPUTED')
      AND c.party = ANY (ARRAY(SELECT r.party_id FROM rights_holder r WHERE r.work_id = w.id))
    ORDER BY w.filing_number
    LIMIT 1
) AS w
"""


# The outcome event of each work just written (`events.work_event` of its examination, version
# 2), encoded as `contracts.envelope.encode` encodes it, built set-based from the rows in the
# same transaction: encoding millions of events one by one in Python was the import's
# slowest step. `tests/integration/gateway/test_bulk_import.py` decodes these rows with the
# contracts' codec and compares them with `events.work_event`.
_TIME = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
# A chunk's works are filed and examined at one time ($11): formatted once, not per row.
_AT = "CASE {0} WHEN $11::timestamptz THEN t.now ELSE " + _TIME.replace("{}", "{0}") + " END"
# Every piece of it is a constant of this module, never input.
_WORK_OUTBOX_SQL = f"""
WITH x AS (
    SELECT x.id, x.related, x.ord, gen_random_uuid() AS event_id
    FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS x (id, related, ord)
), e AS (
    SELECT x.ord, x.event_id, w.id,
           CASE w.status WHEN 'REGISTERED' THEN $3 WHEN 'REJECTED' THEN $4
                         WHEN 'AWAITING_CONSENT' THEN $12 ELSE $5 END AS type,
           {_AT.format("w.updated_at")} AS at,
           json_build_object(
               'import_id', $10::uuid,
               'occurred_at', {_AT.format("w.updated_at")},
               'actor_id', NULL,
               'version', w.version,
               'reason', w.status_reason,
               'work', json_build_object(
                   'id', w.id, 'filing_number', w.filing_number,
                   'registration_number', w.registration_number, 'title', w.title,
                   'alternate_titles', to_json(w.alternate_titles), 'kind', w.kind,
                   'status', w.status, 'status_reason', w.status_reason,
                   'identifiers', json_build_object('iswc', w.iswc, 'isrc', w.isrc,
                                                     'isbn', w.isbn),
                   'country_of_origin', w.country_of_origin,
                   'rights_holders', (
                       SELECT json_agg(jsonb_build_object(
                                  'party_id', r.party_id, 'role', r.role,
                                  'share', r.share::text) || coalesce(r.rights, '{{}}')
                              ORDER BY r.position)
                       FROM rights_holder r WHERE r.work_id = w.id),
                   'filed_by', w.filed_by,
                   'filed_at', {_AT.format("w.filed_at")}),
               'conflicting_work_id', CASE w.status WHEN 'REJECTED' THEN x.related END,
               'similar_work_ids', CASE w.status WHEN 'UNDER_REVIEW'
                   THEN to_json(array_remove(ARRAY[x.related], NULL)) END
           )::jsonb || CASE w.status WHEN 'AWAITING_CONSENT' THEN jsonb_build_object(
               -- work.consent_requested's own facts: each party asked once, and the deadline
               'asked', (SELECT jsonb_agg(c.party_id ORDER BY c.first)
                         FROM (SELECT party_id, min(position) AS first FROM work_consent
                               WHERE work_id = w.id GROUP BY party_id) AS c),
               'deadline', {_TIME.format("w.consent_deadline")})
               ELSE '{{}}'::jsonb END AS data
    FROM x JOIN work w ON w.id = x.id
    CROSS JOIN (SELECT {_TIME.format("$11::timestamptz")} AS now) AS t
), outbox_rows AS (
    INSERT INTO outbox (event_id, topic, key, value, headers, traceparent, created_at)
    SELECT e.event_id, $6, convert_to(e.id::text, 'UTF8'), convert_to(e.data::text, 'UTF8'),
           json_build_array(
               json_build_array('ce_specversion', '1.0'),
               json_build_array('ce_id', e.event_id),
               json_build_array('ce_source', $7::text),
               json_build_array('ce_type', e.type),
               json_build_array('ce_time', e.at),
               json_build_array('ce_subject', e.id),
               json_build_array('ce_dataschema', $8 || e.type || '.json'),
               json_build_array('content-type', 'application/json'))::jsonb,
           NULL, now()
    FROM e ORDER BY e.ord
)
SELECT pg_notify($9, '')
"""  # noqa: S608


class BulkImport:
    """One run of the import by `filer` over one connection; rows in, chunks committed."""

    def __init__(
        self,
        conn: asyncpg.Connection,
        *,
        filer: UUID,
        on_error: Callable[[bulk.RowError], None],
        chunk_size: int = CHUNK_SIZE_DEFAULT,
        progress: Callable[[int], None] | None = None,
        import_id: UUID | None = None,
        after_chunk: Callable[[], Awaitable[None]] | None = None,
        consent_days: int = consent_rules.CONSENT_DAYS_DEFAULT,
    ) -> None:
        self.conn = conn
        # A row naming another party waits this long for its consent (FILING_CONSENT_DAYS).
        self.consent_days = consent_days
        self.filer = filer
        self.on_error = on_error
        self.chunk_size = chunk_size
        self.progress = progress or (lambda _n: None)
        # Called after each chunk's commit: an upload stores the chunk's report lines then.
        self.after_chunk = after_chunk
        self.summary = ImportSummary(import_id=import_id or uuid4())
        self._started = time.perf_counter()
        self._chunks = 0

    async def check_filer(self) -> str:
        """The filer's country; a filer that is not a registered party is refused."""
        country = await self.conn.fetchval("SELECT country FROM party WHERE id = $1", self.filer)
        if country is None:
            raise FilerUnknown(f"filer {self.filer} is not a registered party", field="filer")
        return str(country)

    def _refuse(self, row: int, field_name: str, reason: str) -> None:
        self.summary.rows_rejected += 1
        self.on_error(bulk.RowError(row=row, field=field_name, reason=reason))

    async def finish(self) -> ImportSummary:
        """Tells each party the run's works name once: one `import.completed` per party with
        its counts (DOMAIN.md, "Bulk import"), a chunk of parties per transaction."""
        completed = [
            BulkImportCompleted(
                occurred_at=datetime.now(UTC),
                import_id=self.summary.import_id,
                party_id=party,
                filed_by=self.filer,
                works_registered=counts[WorkStatus.REGISTERED.value],
                works_under_review=counts[WorkStatus.UNDER_REVIEW.value],
                works_rejected=counts[WorkStatus.REJECTED.value],
                works_awaiting_consent=counts[WorkStatus.AWAITING_CONSENT.value],
            )
            for party, counts in sorted(self.summary.per_party.items())
        ]
        for start in range(0, len(completed), self.chunk_size):
            async with self.conn.transaction():
                await self._outbox(completed[start : start + self.chunk_size])
        self.summary.seconds = time.perf_counter() - self._started
        return self.summary

    # --- parties --------------------------------------------------------------------------

    async def import_parties(self, rows: Iterable[RawRow]) -> None:
        for chunk in chunks(rows, self.chunk_size):
            now = datetime.now(UTC)
            parsed: dict[UUID, tuple[int, Party]] = {}
            for row, raw in chunk:
                try:
                    party = bulk.parse_party_row(raw, filer=self.filer, now=now)
                except bulk.RowRefused as refused:
                    self._refuse(row, f"{PARTIES}.{refused.field}", refused.reason)
                    continue
                if party.id in parsed:
                    self._refuse(row, f"{PARTIES}.row_key", "row_key appears twice in the file")
                    continue
                parsed[party.id] = (row, party)
            await self._retrying(functools.partial(self._write_parties, parsed, now))
            await self._chunk_done(len(chunk))

    async def _write_parties(self, parsed: dict[UUID, tuple[int, Party]], now: datetime) -> None:
        async with self.conn.transaction():
            existing = {
                r[0]
                for r in await self.conn.fetch(
                    "SELECT id FROM party WHERE id = ANY($1::uuid[])", list(parsed)
                )
            }
            new = [p for pid, (_, p) in parsed.items() if pid not in existing]
            if new:
                await self.conn.copy_records_to_table(
                    "party",
                    columns=PARTY_COLUMNS,
                    records=[
                        (p.id, p.name, p.kind.value, p.country, p.ipi_name_number, p.isni,
                         p.created_at, p.updated_at, 1,
                         party_search_columns(p.name)["search_words"])
                        for p in new
                    ],
                )
                await self._outbox([events.party_registered(p, version=1) for p in new])
        self.summary.parties_created += len(new)
        self.summary.parties_unchanged += len(parsed) - len(new)

    # --- works ----------------------------------------------------------------------------

    async def import_works(self, rows: Iterable[RawRow]) -> None:
        await self.import_parsed(
            parse_chunk(chunk, filer=self.filer) for chunk in chunks(rows, self.chunk_size)
        )

    async def import_parsed(
        self, parsed: Iterable[ParsedChunk] | AsyncIterator[ParsedChunk]
    ) -> None:
        """Writes chunks parsed here or by another process (`reader.parsed_in_child`)."""
        await self.check_filer()
        if isinstance(parsed, AsyncIterator):
            async for chunk in parsed:
                await self._write_parsed(chunk)
        else:
            for chunk in parsed:
                await self._write_parsed(chunk)

    async def _write_parsed(self, chunk: ParsedChunk) -> None:
        for error in chunk.refused:
            self._refuse(error.row, error.field, error.reason)
        await self._retrying(functools.partial(self._write_works, chunk.works))
        await self._chunk_done(chunk.rows)

    async def _chunk_done(self, rows: int) -> None:
        if self.after_chunk is not None:
            await self.after_chunk()
        self._chunks += 1
        if self._chunks & (self._chunks - 1) == 0:
            # After the 1st, 2nd, 4th, 8th… chunk: an import can grow the tables many times
            # over faster than autovacuum re-analyzes them, and on stale statistics (an
            # empty table, say) the planner reads the candidates of examination by full scans.
            await self.conn.execute(_ANALYZE)
        self.progress(rows)

    async def _retrying(self, attempt: Callable[[], Any]) -> None:
        for tries in range(1, RETRIES + 1):
            try:
                await attempt()
                return
            except asyncpg.UniqueViolationError:
                if tries == RETRIES:
                    raise

    async def _write_works(self, works: list[bulk.ImportedWork]) -> None:
        conn = self.conn
        outcome_counts: Counter[str] = Counter()
        party_counts: dict[tuple[UUID, str], int] = {}
        async with conn.transaction():
            await conn.execute(_CHUNK_SETTINGS)
            ids = [w.id for w in works]
            existing = {
                r[0]
                for r in await conn.fetch("SELECT id FROM work WHERE id = ANY($1::uuid[])", ids)
            }
            unchanged = len(existing)
            works = [w for w in works if w.id not in existing]
            party_ids = {h.party_id for w in works for h in w.draft.rights_holders}
            known = {
                r[0]
                for r in await conn.fetch(
                    "SELECT id FROM party WHERE id = ANY($1::uuid[])", list(party_ids)
                )
            }
            refused: list[tuple[int, str, str]] = []
            ready: list[bulk.ImportedWork] = []
            for w in works:
                missing = [h.party_id for h in w.draft.rights_holders if h.party_id not in known]
                if missing:
                    refused.append(
                        (w.row, "holders", f"party {missing[0]} is not registered (neither a "
                         "party of this import nor of the register)")
                    )
                else:
                    ready.append(w)
            if ready:
                now = datetime.now(UTC)
                first_filing = await self._take(NumberKind.FILING, now.year, len(ready))
                filing_numbers = [
                    format_number(NumberKind.FILING, now.year, first_filing + i)
                    for i in range(len(ready))
                ]
                examination = await self._candidates(ready)
                outcomes = [
                    examination.examine(w, number)
                    for w, number in zip(ready, filing_numbers, strict=True)
                ]
                registered = sum(1 for o in outcomes if o.status is WorkStatus.REGISTERED)
                next_registration = (
                    await self._take(NumberKind.REGISTRATION, now.year, registered)
                    if registered
                    else 0
                )
                deadline = consent_rules.deadline_of(now, self.consent_days)
                work_rows: list[tuple[Any, ...]] = []
                holder_rows: list[tuple[Any, ...]] = []
                consent_rows: list[tuple[Any, ...]] = []
                history_rows: list[tuple[Any, ...]] = []
                related: list[UUID | None] = []
                # The rows `work_rules.file_work` then `apply_examination` make, written
                # without building the two Work objects of each row (the unit tests compare).
                for w, number, outcome in zip(ready, filing_numbers, outcomes, strict=True):
                    status = outcome.status.value
                    registration = None
                    if outcome.status is WorkStatus.REGISTERED:
                        registration = format_number(
                            NumberKind.REGISTRATION, now.year, next_registration
                        )
                        next_registration += 1
                    waits = outcome.status is WorkStatus.AWAITING_CONSENT
                    work_rows.append(self._work_row(
                        w, number, registration, outcome, now, deadline if waits else None))
                    holders = w.draft.rights_holders
                    holder_rows.extend(
                        (w.id, h.party_id, h.role.value, position, h.share,
                         _rights_text(h), sorted(h.societies()))
                        for position, h in enumerate(holders)
                    )  # fmt: skip
                    if waits:
                        asked = consent_rules.asked_holdings(w.draft.filed_by, holders)
                        consent_rows.extend(
                            (w.id, c.party_id, c.role.value, position, c.share,
                             c.status.value)
                            for position, c in enumerate(asked, start=1)
                        )  # fmt: skip
                        action = work_rules.WorkAction.CONSENT_REQUESTED
                        detail = consent_rules.requested_detail(
                            consent_rules.asked_parties(asked), deadline)
                    else:
                        action, detail = examination_history(outcome, registration)
                    history_rows.append(
                        (w.id, now, w.draft.filed_by, FILED, work_rules.filed_detail(number))
                    )
                    history_rows.append((w.id, now, None, action.value, detail))
                    related.append(outcome.related_work_id)
                    outcome_counts[status] += 1
                    for party in {h.party_id for h in holders}:
                        party_counts[(party, status)] = party_counts.get((party, status), 0) + 1
                await conn.copy_records_to_table(
                    "work", columns=self._work_columns(ready[0]), records=work_rows
                )
                await conn.copy_records_to_table(
                    "rights_holder",
                    columns=HOLDER_COLUMNS,
                    records=holder_rows,
                )
                if consent_rows:
                    await conn.copy_records_to_table(
                        "work_consent", columns=CONSENT_COLUMNS, records=consent_rows
                    )
                await conn.copy_records_to_table(
                    "work_history",
                    columns=("work_id", "at", "actor_id", "action", "detail"),
                    records=history_rows,
                )
                # Only the outcome is published (version 2): it carries the whole state.
                await conn.execute(
                    _WORK_OUTBOX_SQL, [w.id for w in ready], related, topics.WORK_REGISTERED,
                    topics.WORK_REJECTED, topics.WORK_REVIEW_REQUESTED, topics.FILING_WORKS,
                    topics.FILING_SOURCE, topics.SCHEMA_BASE_URI, NOTIFY_CHANNEL,
                    self.summary.import_id, now, topics.WORK_CONSENT_REQUESTED,
                )
        # Counted only once the chunk has committed (a retried chunk counts once).
        for row, field_name, reason in refused:
            self._refuse(row, field_name, reason)
        self.summary.rows_unchanged += unchanged
        self.summary.works_registered += outcome_counts[WorkStatus.REGISTERED.value]
        self.summary.works_under_review += outcome_counts[WorkStatus.UNDER_REVIEW.value]
        self.summary.works_rejected += outcome_counts[WorkStatus.REJECTED.value]
        self.summary.works_awaiting_consent += outcome_counts[WorkStatus.AWAITING_CONSENT.value]
        per_party = self.summary.per_party
        for (party, status), count in party_counts.items():
            if party not in per_party:
                per_party[party] = Counter()
            per_party[party][status] += count

    def _work_columns(self, sample: bulk.ImportedWork) -> tuple[str, ...]:
        return (*WORK_COLUMNS, *sample.search.keys())

    @staticmethod
    def _work_row(
        imported: bulk.ImportedWork, filing_number: str, registration_number: str | None,
        outcome: Examination, now: datetime, consent_deadline: datetime | None = None,
    ) -> tuple[Any, ...]:
        """The `work` row of a filed and examined row (version 2: filed, then examined, or
        waiting for its co-owners' consent until `consent_deadline`)."""
        draft = imported.draft
        ids = draft.identifiers
        return (
            imported.id, filing_number, registration_number, draft.title,
            list(draft.alternate_titles), draft.kind.value, outcome.status.value,
            outcome.reason, ids.iswc, ids.isrc, ids.isbn, draft.country_of_origin,
            draft.filed_by, now, now, 2, consent_deadline, *imported.search.values(),
        )

    async def _take(self, kind: NumberKind, year: int, count: int) -> int:
        """Takes `count` numbers of `kind` in one counter update; answers the first one.
        The counter row stays locked to COMMIT, so the numbers stay gap-free."""
        last = await self.conn.fetchval(_TAKE_SQL, kind.value, year, count)
        return int(last) - count + 1

    async def _candidates(self, works: Sequence[bulk.ImportedWork]) -> bulk.ChunkExamination:
        """The register's works examination must see for this chunk, in two queries."""
        values: dict[str, list[str]] = {"iswc": [], "isrc": [], "isbn": []}
        pairs: dict[tuple[str, UUID], None] = {}
        for w in works:
            for name, value in w.draft.identifiers.items():
                values[name].append(value)
            if w.title_key:
                for h in w.draft.rights_holders:
                    pairs[(w.title_key, h.party_id)] = None
        rows = []
        if any(values.values()):
            rows += await self.conn.fetch(
                _EXISTING_BY_IDENTIFIER_SQL, values["iswc"], values["isrc"], values["isbn"]
            )
        holders: dict[UUID, set[UUID]] = {r["id"]: set(r["holders"]) for r in rows}
        if pairs:
            by_title = await self.conn.fetch(
                _EXISTING_BY_TITLE_SQL, [k for k, _ in pairs], [p for _, p in pairs]
            )
            for r in by_title:
                holders.setdefault(r["id"], set()).add(r["party"])
            rows += by_title
        found = {
            r["id"]: ExistingWork(
                id=r["id"],
                filing_number=r["filing_number"],
                title=r["title"],
                status=WorkStatus(r["status"]),
                identifiers=Identifiers(iswc=r["iswc"], isrc=r["isrc"], isbn=r["isbn"]),
                holder_ids=frozenset(holders[r["id"]]),
            )
            for r in rows
        }
        examination = bulk.ChunkExamination()
        examination.add_existing(found.values(), {r["id"]: r["title_key"] for r in rows})
        return examination

    async def _outbox(self, batch: Sequence[Any]) -> None:
        """The events' outbox rows (`runtime.outbox` encodes them), copied in emit order,
        and one wake-up of the relay at commit."""
        if not batch:
            return
        rows = outbox_rows(batch)
        await self.conn.copy_records_to_table(
            "outbox",
            columns=OUTBOX_COLUMNS,
            records=[
                (r.event_id, r.topic, r.key, r.value, json.dumps(r.headers), r.traceparent,
                 r.created_at)
                for r in rows
            ],
        )
        await self.conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
