"""Scenario 7, the register at scale (issue 16): the generated register written as the bulk
import's CSV files, imported with `python -m filing.bulk_import` into the platform's filing
database while licensing runs (works/s, and until licensing's read model holds them all),
then a seeded mix of searches drawn from the register itself over filing's
`GET /works/search` (and a part of them through the gateway): p50/p95/p99 per query shape,
and the EXPLAIN plan of each shape (`filing.views.search_plan`).

`BENCH_REGISTER_LOAD=copy` fills the register with the COPY loader of `make register`
instead (no events: no read-model figure), for the search half alone.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import shlex
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from devstack.register.csv_files import CsvRegister, party_row_key, work_row_key, write_register
from devstack.register.generator import Register

from bench.common import Latencies, url_of
from bench.platform import Platform, register_party
from bench.register_queries import SHAPES, RegisterSample, SearchQuery, Shape, query_mix

PAGE = 20
# From this share of the expected rows on (a cheap statistics read), the read model's rows
# are counted exactly at every poll.
EXACT_COUNT_FROM = 0.95
GATEWAY_SEARCH = """query($filter: WorkFilter, $first: Int) {
  works(filter: $filter, first: $first) { totalCount edges { node { id } } } }"""
GATEWAY_FILTER_FIELDS = {"holder_id": "holderId"}
FILTER_INTROSPECTION = '{ __type(name: "WorkFilter") { inputFields { name } } }'


@dataclass(frozen=True)
class RegisterSettings:
    """`BENCH_REGISTER_*` settings (floats and words beside bench.common's integer sizes)."""

    load: str  # "import" (the bulk import) or "copy" (the COPY loader of `make register`)
    poll_seconds: float
    read_model_timeout: float
    import_args: tuple[str, ...]  # more of the import command's options, as typed

    @classmethod
    def from_env(cls) -> RegisterSettings:
        load = os.environ.get("BENCH_REGISTER_LOAD", "import")
        if load not in ("import", "copy"):
            raise ValueError(f"BENCH_REGISTER_LOAD={load!r}: import or copy")
        return cls(
            load=load,
            poll_seconds=float(os.environ.get("BENCH_REGISTER_POLL_SECONDS", "1.0")),
            read_model_timeout=float(os.environ.get("BENCH_REGISTER_READ_MODEL_TIMEOUT", "3600")),
            import_args=tuple(shlex.split(os.environ.get("BENCH_REGISTER_IMPORT_ARGS", ""))),
        )


# --- ids: the generated ones, as the register holds them -----------------------------------


@dataclass(frozen=True)
class RegisterIds:
    """A generated work's or party's id in the filled register: the same after the COPY
    loader; after the bulk import, the import's own (from the filer and the row key)."""

    work: Callable[[uuid.UUID], uuid.UUID]
    party: Callable[[uuid.UUID], uuid.UUID]

    @classmethod
    def same(cls) -> RegisterIds:
        return cls(work=lambda i: i, party=lambda i: i)

    @classmethod
    def imported(cls, filer: uuid.UUID) -> RegisterIds:
        from filing.domain.bulk import party_id_of, work_id_of

        return cls(work=lambda i: work_id_of(filer, work_row_key(i)),
                   party=lambda i: party_id_of(filer, party_row_key(i)))


# --- filling the register -----------------------------------------------------------------


async def _count(url: str, table: str) -> int:
    conn = await asyncpg.connect(url_of(url))
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await conn.close()


async def wait_for_rows(url: str, table: str, expected: int, *, poll_seconds: float,
                        timeout: float) -> float | None:
    """perf_counter when `table` first held `expected` rows (at a poll), or None on timeout.

    The statistics' insert count is read first (cheap); the rows are counted exactly only
    from EXACT_COUNT_FROM of the way on, so millions of rows are not counted every second."""
    conn = await asyncpg.connect(url_of(url))
    deadline = time.perf_counter() + timeout
    try:
        while time.perf_counter() < deadline:
            inserted = await conn.fetchval(
                "SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables WHERE relname = $1",
                table)
            if inserted >= expected * EXACT_COUNT_FROM and \
                    await conn.fetchval(f"SELECT count(*) FROM {table}") >= expected:
                return time.perf_counter()
            await asyncio.sleep(poll_seconds)  # the polling interval, not a synchronisation
        return None
    finally:
        await conn.close()


async def bulk_import(platform: Platform, files: CsvRegister, settings: RegisterSettings,
                      work_dir: Path, *, filer: str) -> tuple[dict[str, Any], RegisterIds]:
    """`python -m filing.bulk_import` into the platform's filing database for `filer`, timed
    until the last work is in filing's register and until licensing's read model holds
    every one."""
    filing_url = platform.config.database_urls["filing"]
    licensing_url = platform.config.database_urls["licensing"]
    summary_path, log_path = work_dir / "summary.json", work_dir / "import.log"
    command = [sys.executable, "-m", "filing.bulk_import", "--format", "csv",
               "--works", str(files.works_path), "--parties", str(files.parties_path),
               "--filer", filer, "--database-url", filing_url,
               "--report", str(work_dir / "errors.csv"), "--summary-json", str(summary_path),
               *settings.import_args]
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(*command, stdout=log, stderr=log)
        status = await process.wait()
        imported_at = time.perf_counter()
    if status != 0:
        tail = log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"bulk import exited {status}: {tail}")
    summary = json.loads(summary_path.read_text())
    rejections = _rejections(work_dir / "errors.csv")
    works = await _count(filing_url, "work")
    if not works:
        raise RuntimeError(f"the bulk import registered no work: {summary}; {rejections}")
    applied_at = await wait_for_rows(licensing_url, "register_work", works,
                                     poll_seconds=settings.poll_seconds,
                                     timeout=settings.read_model_timeout)
    import_seconds = imported_at - started
    to_read_model = None if applied_at is None else applied_at - started
    return {
        "works_in_files": files.works,
        "works_imported": works,
        "import_seconds": round(import_seconds, 1),
        "import_per_s": round(works / import_seconds, 1),
        "import_to_read_model_s": None if to_read_model is None else round(to_read_model, 1),
        "read_model_per_s": None if not to_read_model else round(works / to_read_model, 1),
        "summary": summary,
        "rejections": rejections,
    }, RegisterIds.imported(uuid.UUID(filer))


def _rejections(report: Path, top: int = 5) -> dict[str, int]:
    """The import's most frequent refusals, "field: reason" -> rows (its error report)."""
    with report.open(encoding="utf-8", newline="") as f:
        reasons = Counter(f"{row['field']}: {row['reason']}" for row in csv.DictReader(f))
    return dict(reasons.most_common(top))


async def copy_load(platform: Platform, works: int, seed: int) -> tuple[dict[str, Any],
                                                                        RegisterIds]:
    """The COPY loader of `make register` (no events: licensing's read model sees nothing)."""
    from devstack.register.loader import load

    loaded = await load(platform.config.database_urls["filing"], works, seed=seed)
    return {"works_imported": loaded.works, "copy_load_seconds": round(loaded.total_seconds, 1),
            "copy_load_per_s": round(loaded.works_per_second, 1),
            "import_per_s": None, "import_to_read_model_s": None}, RegisterIds.same()


async def vacuum_analyze(url: str) -> float:
    """The register as it stands between imports: vacuumed and with fresh statistics."""
    started = time.perf_counter()
    conn = await asyncpg.connect(url_of(url))
    try:
        await conn.execute("VACUUM (ANALYZE) work, rights_holder, party")
    finally:
        await conn.close()
    return round(time.perf_counter() - started, 1)


# --- searching ------------------------------------------------------------------------------


def percentiles(hist: Latencies) -> dict[str, float]:
    p = hist.h.get_value_at_percentile
    return {"p50": p(50) / 1000, "p95": p(95) / 1000, "p99": p(99) / 1000,
            "n": hist.h.get_total_count()}


@dataclass
class ShapeTally:
    searches: Latencies
    answered: int = 0
    found: int = 0  # queries with at least one work on the first page
    targeted: int = 0  # queries meant to find one work
    target_first: int = 0  # ... that found it first
    errors: int = 0
    first_error: str | None = None


class Searcher:
    """Filing's `GET /works/search` as the gateway calls it, and the gateway's `works`."""

    def __init__(self, platform: Platform, token: str, ids: RegisterIds) -> None:
        self.platform, self.token, self.ids = platform, token, ids
        self.url = f"{platform.config.service_url('filing')}/works/search"
        self.filing_parameters: set[str] = set()
        self.gateway_fields: set[str] = set()

    async def discover(self) -> None:
        """The filters each side takes: a filter one of them lacks is reported, never sent
        to be silently ignored."""
        http = self.platform.http
        spec = (await http.get(f"{self.platform.config.service_url('filing')}/openapi.json")).json()
        self.filing_parameters = {p["name"] for p in spec["paths"]["/works/search"]["get"]
                                  .get("parameters", [])}
        data = await self.platform.gql(FILTER_INTROSPECTION, {}, self.token)
        self.gateway_fields = {f["name"] for f in data["__type"]["inputFields"]}

    def params(self, query: SearchQuery) -> dict[str, str]:
        params = dict(query.params)
        if query.holder is not None:
            params["holder_id"] = str(self.ids.party(query.holder))
        return params

    def unsupported(self, query: SearchQuery) -> set[str]:
        """Filters of the query that filing's search or the gateway's filter lacks."""
        names = set(self.params(query))
        gateway = {GATEWAY_FILTER_FIELDS.get(k, k) for k in names} - self.gateway_fields
        return {f"filing:{n}" for n in names - self.filing_parameters} | {
            f"gateway:{n}" for n in gateway}

    async def filing(self, query: SearchQuery) -> list[str]:
        params = {k: v for k, v in self.params(query).items() if k in self.filing_parameters}
        response = await self.platform.http.get(
            self.url, params={**params, "first": PAGE},
            headers={"Authorization": f"Bearer {self.token}"})
        response.raise_for_status()
        return [item["id"] for item in response.json()["items"]]

    async def gateway(self, query: SearchQuery) -> list[str]:
        fields = {GATEWAY_FILTER_FIELDS.get(k, k): v for k, v in self.params(query).items()}
        fields = {k: v for k, v in fields.items() if k in self.gateway_fields}
        data = await self.platform.gql(GATEWAY_SEARCH, {"filter": fields, "first": PAGE},
                                       self.token)
        return [edge["node"]["id"] for edge in data["works"]["edges"]]


async def measure(search: Callable[[SearchQuery], Any], queries: list[SearchQuery],
                  ids: RegisterIds, warmup: int) -> dict[Shape, ShapeTally]:
    """Each query in turn (one client: latency, not throughput), after `warmup` unmeasured."""
    for query in queries[:warmup]:
        await search(query)
    tallies: dict[Shape, ShapeTally] = defaultdict(lambda: ShapeTally(Latencies()))
    for query in queries:
        tally = tallies[query.shape]
        started = time.perf_counter()
        try:
            found = await search(query)
        except Exception as error:
            tally.errors += 1
            tally.first_error = tally.first_error or f"{type(error).__name__}: {error}"[:300]
            continue
        tally.searches.record_seconds(time.perf_counter() - started)
        tally.answered += 1
        tally.found += bool(found)
        if query.target is not None:
            tally.targeted += 1
            tally.target_first += bool(found) and found[0] == str(ids.work(query.target))
    return tallies


async def plans(platform: Platform, searcher: Searcher,
                queries: list[SearchQuery]) -> dict[str, dict[str, Any]]:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement of one search of each shape."""
    from filing import views
    from runtime.db import create_engine, session_maker

    plan_of = getattr(views, "search_plan", None)
    engine = create_engine(platform.config.database_urls["filing"], pool_size=1)
    found: dict[str, dict[str, Any]] = {}
    try:
        for shape in SHAPES:
            query = next(q for q in queries if q.shape is shape)
            params = {k: v for k, v in searcher.params(query).items()
                      if k in searcher.filing_parameters}
            if plan_of is None:
                plan = "(filing.views.search_plan is not in this checkout)"
            else:
                search = views.SearchWorks(**params, first=PAGE)
                plan = await plan_of(sessions=session_maker(engine), query=search)
            found[shape.value] = {"params": params, "plan": plan}
    finally:
        await engine.dispose()
    return found


def _shares(tallies: dict[Shape, ShapeTally]) -> dict[str, dict[str, Any]]:
    return {shape.value: {
        "found_share": round(t.found / t.answered, 3) if t.answered else None,
        "target_first_share": round(t.target_first / t.targeted, 3) if t.targeted else None,
        "errors": t.errors, "first_error": t.first_error}
        for shape, t in _in_order(tallies)}


def _in_order(tallies: dict[Shape, ShapeTally]) -> list[tuple[Shape, ShapeTally]]:
    return [(shape, tallies[shape]) for shape in SHAPES if shape in tallies]


# --- the scenario ---------------------------------------------------------------------------


async def run(platform: Platform, *, works: int, queries: int, warmup: int,
              gateway_queries: int, seed: int, sample_size: int) -> dict[str, Any]:
    settings = RegisterSettings.from_env()
    # The import's filer (a holder of every work it files) and the searches' caller.
    party, token = await register_party(platform, "Register bench publisher")
    filer = uuid.UUID(party) if settings.load == "import" else None
    with tempfile.TemporaryDirectory(prefix="bench-register-") as tmp:
        work_dir = Path(tmp)
        sample = RegisterSample(size=sample_size, seed=seed)
        files = await asyncio.to_thread(write_register, work_dir, works, seed=seed,
                                        filer=filer, on_work=sample.add_work)
        await asyncio.to_thread(sample.add_parties, Register(works, seed=seed).parties())
        print(f"register: {files.works:,} works, {files.parties:,} parties written as CSV in "
              f"{files.seconds:.1f} s; loading with {settings.load}", flush=True)
        if settings.load == "import":
            filled, ids = await bulk_import(platform, files, settings, work_dir, filer=party)
        else:
            filled, ids = await copy_load(platform, works, seed)
    filing_url = platform.config.database_urls["filing"]
    vacuum_s = await vacuum_analyze(filing_url)
    in_register = await _count(filing_url, "work")
    mix = query_mix(sample, queries, seed=seed)
    searcher = Searcher(platform, token, ids)
    await searcher.discover()
    print(f"register: {in_register:,} works in the register; {len(mix)} searches", flush=True)
    direct = await measure(searcher.filing, mix, ids, warmup)
    spread = mix[:gateway_queries]
    through_gateway = await measure(searcher.gateway, spread, ids, min(warmup, len(spread)))
    unsupported = sorted({p for q in mix for p in searcher.unsupported(q)})
    return {
        "works": in_register,
        "import_per_s": filled.get("import_per_s"),
        "import_to_read_model_s": filled.get("import_to_read_model_s"),
        "read_model_per_s": filled.get("read_model_per_s"),
        "search_ms": {s.value: percentiles(t.searches) for s, t in _in_order(direct)},
        "gateway_search_ms": {s.value: percentiles(t.searches)
                              for s, t in _in_order(through_gateway)},
        "quality": _shares(direct),
        "gateway_errors": {s.value: {"errors": t.errors, "first_error": t.first_error}
                           for s, t in _in_order(through_gateway) if t.errors},
        "fill": {**filled, "load": settings.load, "import_args": " ".join(settings.import_args),
                 "csv_seconds": round(files.seconds, 1),
                 "csv_works_per_s": round(files.works_per_second, 1),
                 "vacuum_analyze_s": vacuum_s},
        "plans": await plans(platform, searcher, mix),
        "ratio_definition": "this run's figure / issue 16's target (import rate: 1 or more "
                            "meets it; import time and search latencies: 1 or less)",
        "setup": {
            "register": f"{works:,} generated works (seed {seed}) in every ASEAN script, "
                        f"{files.parties:,} parties, written as the bulk import's CSV files",
            "fill": "python -m filing.bulk_import into the platform's filing database while "
                    "the platform runs; timed until filing holds the works and until "
                    "licensing's register_work holds as many (polled every "
                    f"{settings.poll_seconds} s)" if settings.load == "import" else
                    "the COPY loader of make register (no events, no read-model figure)",
            "searches": f"{len(mix)} queries, {len(mix) // len(SHAPES)} of each of "
                        f"{len(SHAPES)} shapes drawn (seeded) from a sample of "
                        f"{len(sample.works):,} works, sequential, first={PAGE}, after "
                        f"{warmup} unmeasured, straight to filing's GET /works/search; the "
                        f"first {len(spread)} also through the gateway's works query",
            "filters_not_served": ", ".join(unsupported) or "none",
        },
    }
