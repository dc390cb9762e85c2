"""The register's search (docs/design/DOMAIN.md, "Register search"): tiers of relevance,
each one bounded index lookup, keyset pages across them, and a total that is exact up to a
bound and PostgreSQL's estimate beyond it.

Conditions are SQL written here (fixed fragments joined); every value is a bound parameter.
Every statement goes through a `_Runner`, so `search_plan` can show the EXPLAIN (ANALYZE,
BUFFERS) of exactly the statements a search runs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from contracts.enums import WorkKind, WorkStatus
from contracts.errors import InvalidInput
from contracts.identifiers import parse_isbn13, parse_isrc, parse_iswc
from contracts.territories import parse_country
from pydantic import BaseModel
from runtime.db import SessionMaker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from filing.domain.holders import parse_party_id
from filing.domain.numbering import NUMBER_PATTERN
from filing.domain.search_index import (
    country_term,
    kind_term,
    query_terms,
    typo_distance,
    typo_variants,
    typos_allowed,
)
from filing.domain.text import parse_enum
from filing.domain.titles import search_text
from filing.domain.works import Work
from filing.models import WorkRow
from filing.repository import works_of
from runtime import cursors

PAGE_MAX = 100
SEARCH_TEXT_MAX = 300
IDENTIFIER_MAX = 32
# A tier's total is counted exactly up to this many works; beyond, it is estimated.
TOTAL_EXACT_MAX = 1000
# The names tier: this many parties, and this many of their works at most.
NAME_PARTIES_MAX = 20
NAME_WORKS_MAX = 500
# Replacements kept per misspelt or unfinished query term, and how many such terms.
CORRECTIONS_PER_TERM = 5
CORRECTED_TERMS_MAX = 6
# The query's key with its misspelt terms replaced: at most this many (the corrected titles).
CORRECTED_KEYS_MAX = 25
PREFIX_MIN = 3  # an unfinished term is completed from this many characters on
# Within a tier, its newest works are ranked (shortest title first: the one the query's words
# cover best); the rest of the tier follows newest first. Never a sort of a whole tier.
RANKED_HEAD = 60
HEAD_MIN = 20
# The most works a walk of the register (newest first) reads before the lookup path takes
# over (terms the statistics thought independent may be correlated either way).
WALK_MAX = 15_000
# A walk through a filtered column's index reads its works' rows in no order (each a page of
# its own): it stops sooner.
WALK_FILTERED_MAX = 2_000
# A filter value in more than this share of the register is checked on rows, not looked up.
FILTER_INDEXED_MAX = 0.5
# A lookup that can find at most this many works is cheap whatever they are: no walk.
LOOKUP_CHEAP = 5_000


# --- the query -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkFilter:
    text: str | None = None  # as typed: domain.search_index cuts it into terms
    status: WorkStatus | None = None
    kind: WorkKind | None = None
    holder_id: UUID | None = None
    country: str | None = None
    iswc: str | None = None
    isrc: str | None = None
    isbn: str | None = None

    def columns(self, *, identifiers: bool = False) -> list[tuple[str, str]]:
        """(column, value) of the filters on `work`'s own columns that are given."""
        pairs = [
            ("status", self.status.value if self.status else None),
            ("kind", self.kind.value if self.kind else None),
            ("country_of_origin", self.country),
        ]
        if identifiers:
            pairs += [("iswc", self.iswc), ("isrc", self.isrc), ("isbn", self.isbn)]
        return [(column, value) for column, value in pairs if value is not None]


@dataclass(frozen=True)
class Page:
    works: list[Work]
    next_cursor: str | None
    total_count: int
    # False when `total_count` is an estimate (beyond TOTAL_EXACT_MAX matches in a tier).
    total_is_exact: bool = True


def _identifier(value: str | None, parse: Callable[..., str], field: str) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > IDENTIFIER_MAX:
        raise InvalidInput(f"{field} is too long", field=field)
    return parse(value, field=field)


class SearchWorks(BaseModel):
    """`GET /works/search`'s query parameters, each optional; blank ones are absent."""

    text: str | None = None
    status: str | None = None
    kind: str | None = None
    holder_id: str | None = None
    country: str | None = None
    iswc: str | None = None
    isrc: str | None = None
    isbn: str | None = None
    first: int = 20
    after: str | None = None

    def filters(self) -> WorkFilter:
        """The filters checked and normalised, each refusal naming its parameter."""
        text = self.text
        if text is not None and len(text) > SEARCH_TEXT_MAX:
            raise InvalidInput(f"text is longer than {SEARCH_TEXT_MAX} characters", field="text")
        return WorkFilter(
            text=text if text and text.strip() else None,
            status=None if not self.status else parse_enum(WorkStatus, self.status, field="status"),
            kind=None if not self.kind else parse_enum(WorkKind, self.kind, field="kind"),
            holder_id=(
                None if not self.holder_id else parse_party_id(self.holder_id, field="holder_id")
            ),
            country=None if not self.country else parse_country(self.country, field="country"),
            iswc=_identifier(self.iswc, parse_iswc, "iswc"),
            isrc=_identifier(self.isrc, parse_isrc, "isrc"),
            isbn=_identifier(self.isbn, parse_isbn13, "isbn"),
        )


def _first(value: int) -> int:
    if isinstance(value, bool) or not 1 <= value <= PAGE_MAX:
        raise InvalidInput(f"first must be between 1 and {PAGE_MAX}", field="first")
    return value


def encode_cursor(tier: int, seq: int) -> str:
    """A search page's cursor: the tier and insertion position of its last work."""
    return cursors.encode_cursor(tier, seq)


def decode_cursor(cursor: str) -> tuple[int, int]:
    """The (tier, seq) a cursor stands for, or `InvalidInput` on `after` for a forged one."""
    tier, seq = cursors.decode_cursor(cursor, (int, int), field="after")
    return int(tier), int(seq)


# --- statements ------------------------------------------------------------------------------


@dataclass
class _Runner:
    """Runs the search's statements; with `plans`, each one's EXPLAIN (ANALYZE, BUFFERS) too."""

    connection: AsyncConnection
    plans: list[str] | None = None
    path: str | None = None  # the access path the planner is held to (see `_path`)
    # Matches of a tier (by its condition) as its walk measured them: the head's share of
    # the works walked, times the register.
    measured: dict[str, float] = field(default_factory=dict)
    # Matches of a tier its lookup counted on the way (all of them are read before the sort).
    counted: dict[str, int] = field(default_factory=dict)
    # The filters' own condition: a walk reads the filtered register (through the index of
    # a filtered column and `seq` when there is one).
    filtered: str = "true"
    walk_max: int = WALK_MAX

    async def _hold(self, path: str | None) -> None:
        if path == self.path:
            return
        held = {"walk": ("off", "on"), "lookup": ("on", "off")}
        bitmap, index = held.get(path or "", ("on", "on"))
        await self.connection.execute(
            text(
                "SELECT set_config('enable_bitmapscan', :bitmap, true), "
                "set_config('enable_indexscan', :index, true)"
            ),
            {"bitmap": bitmap, "index": index},
        )
        self.path = path

    async def rows(self, sql: str, params: dict[str, Any], path: str | None = None) -> list[Any]:
        await self._hold(path)
        if self.plans is not None:
            explained = await self.connection.execute(
                text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"), params
            )
            lines = "\n".join(row[0] for row in explained)
            held = f"\n-- held to the {path} path" if path else ""
            self.plans.append(f"{_shown(sql, params)}{held}\n{lines}")
        return list((await self.connection.execute(text(sql), params)).all())

    async def estimate(self, sql: str, params: dict[str, Any]) -> int:
        """The planner's row estimate of `sql` (planned, not run)."""
        explained = await self.connection.execute(text(f"EXPLAIN (FORMAT JSON) {sql}"), params)
        plan = explained.scalar_one()
        document = json.loads(plan) if isinstance(plan, str) else plan
        rows = int(document[0]["Plan"]["Plan Rows"])
        if self.plans is not None:
            self.plans.append(f"{_shown(sql, params)}\n(planned only: an estimate of {rows} rows)")
        return rows


@dataclass(frozen=True)
class TermStats:
    """How often terms and filter values occur in the register, from PostgreSQL's own
    statistics (ANALYZE's most common elements of `search_words`, most common values of the
    filtered columns): what a tier's access path is chosen by."""

    rows: float
    terms: dict[str, float]
    floor: float  # no term missing from `terms` is more frequent than this
    values: dict[str, dict[str, float]]  # column -> value -> frequency
    keys: dict[str, float] = field(default_factory=dict)  # of `search_keys`, as `terms`
    keys_floor: float = 1.0

    def frequency(self, column: str, value: str) -> float:
        known = self.values.get(column, {})
        return known.get(value, min(known.values(), default=1.0))


_STATS: dict[str, tuple[float, TermStats | None]] = {}
STATS_TTL_SECONDS = 300.0
_STATS_SQL = """
SELECT s.attname, s.most_common_elems::text::text[], s.most_common_elem_freqs,
       s.most_common_vals::text::text[], s.most_common_freqs, c.reltuples
FROM pg_stats s JOIN pg_class c ON c.oid = to_regclass('work')
WHERE s.schemaname = current_schema() AND s.tablename = 'work'
  AND s.attname IN ('search_words', 'search_keys', 'status', 'kind', 'country_of_origin')
"""


def _elements(row: Any) -> tuple[dict[str, float], float]:
    """(frequency of each most common element, the least of them) of a pg_stats row."""
    elems, freqs = list(row[1]), list(row[2])
    # ANALYZE's list ends with the least and greatest frequencies, and the nulls'.
    return dict(zip(elems, freqs[: len(elems)], strict=True)), float(freqs[len(elems)])


async def _term_stats(run: _Runner) -> TermStats | None:
    """The register's statistics, read at most every STATS_TTL_SECONDS per database; None
    before its first ANALYZE (the planner then chooses every path alone)."""
    key = str(run.connection.engine.url)
    cached = _STATS.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < STATS_TTL_SECONDS:
        return cached[1]
    rows = list((await run.connection.execute(text(_STATS_SQL))).all())
    stats: TermStats | None = None
    words = next((r for r in rows if r[0] == "search_words" and r[1]), None)
    keys = next((r for r in rows if r[0] == "search_keys" and r[1]), None)
    if words is not None and words[5] and words[5] > 0:
        terms, floor = _elements(words)
        stats = TermStats(
            rows=float(words[5]),
            terms=terms,
            floor=floor,
            values={r[0]: dict(zip(r[3], r[4], strict=True)) for r in rows if r[3] and r[4]},
        )
        if keys is not None:
            stats.keys.update(_elements(keys)[0])
            stats = replace(stats, keys_floor=_elements(keys)[1])
    _STATS[key] = (now, stats)
    return stats


def _walk_max(filters: WorkFilter, stats: TermStats | None) -> int:
    """How many works a walk reads: fewer when it goes through a filtered column's index."""
    for column, value in filters.columns():
        if stats is None or stats.frequency(column, value) <= FILTER_INDEXED_MAX:
            return WALK_FILTERED_MAX
    return WALK_MAX


def _path(
    stats: TermStats | None, tier: _Tier, filters: WorkFilter, head: int
) -> tuple[str | None, float]:
    """(the access path of the tier's terms, its expected matches if independent).

    "lookup": the terms' GIN index, then the matches sorted — its cost grows with the
    matches, at most the rarest term's (or filter value's) frequency times the register.
    "walk": the register newest first (its `seq` index), each work checked, at most
    WALK_MAX of them — its cost grows with the works walked to find `head` matches. Terms
    are far from independent (a title's words are of one script), so the walk is tried
    whenever the lookup may be long and the walk could succeed (were the terms always
    together); a walk that ends short hands over to the lookup. None leaves the choice to
    the planner (no statistics, a holder or identifier filter, a tier without terms).
    """
    if stats is None or tier.groups is None or filters.holder_id is not None:
        return None, -1.0
    if filters.iswc or filters.isrc or filters.isbn:
        return None, -1.0
    known, floor = (stats.keys, stats.keys_floor) if tier.keys else (stats.terms, stats.floor)
    frequencies = [min(1.0, sum(known.get(t, floor) for t in group)) for group in tier.groups]
    filtered = 1.0  # the share of the register the filters leave (the walk reads only it)
    for column, value in filters.columns():
        frequencies.append(stats.frequency(column, value))
        filtered *= stats.frequency(column, value)
    upper = min(frequencies, default=1.0) * stats.rows
    expected = stats.rows
    for frequency in frequencies:
        expected *= frequency
    # Fewer matches than this, and no walk of the filtered register finds a page of them.
    hopeless = head * stats.rows * filtered / _walk_max(filters, stats)
    return ("lookup" if upper <= max(hopeless, LOOKUP_CHEAP) else "walk"), expected


def _shown(sql: str, params: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in sorted(params.items()))
    return f"-- {' '.join(sql.split())}\n-- with {shown}"


@dataclass
class _Tier:
    """One tier of the search: works matching `condition` (SQL over `w`), newest first."""

    name: str
    condition: str
    params: dict[str, Any] = field(default_factory=dict)
    # The tier is bounded by construction (names): a full tier's count is not exact.
    bound: int | None = None
    # Its newest RANKED_HEAD works are ranked by how well the query covers their titles.
    ranked: bool = True
    # The terms a work must have, each group one of its terms (the access path's choice).
    groups: list[list[str]] | None = None
    keys: bool = False  # the groups are of `search_keys`, not `search_words`


def _identifier_tier(raw: str) -> _Tier | None:
    """Works holding the identifier or number the whole text spells, if it spells one."""
    value = raw.strip()
    found: list[str] = []
    params: dict[str, Any] = {}
    for column, parse in (("iswc", parse_iswc), ("isrc", parse_isrc), ("isbn", parse_isbn13)):
        try:
            params[f"id_{column}"] = parse(value.upper(), field="text")
        except InvalidInput:
            continue
        found.append(f"w.{column} = :id_{column}")
    number = value.upper()
    if NUMBER_PATTERN.match(number):
        params["id_number"] = number
        column = "filing_number" if number.startswith("F") else "registration_number"
        found.append(f"w.{column} = :id_number")
    if not found:
        return None
    return _Tier("identifier", " OR ".join(found), params, ranked=False)


async def _corrections(run: _Runner, terms: list[str]) -> tuple[list[str], list[list[str]]]:
    """(the known terms, for each unknown one its replacements from the lexicon)."""
    known = {
        row[0]
        for row in await run.rows(
            "SELECT word FROM search_word WHERE word = ANY(CAST(:terms AS text[]))",
            {"terms": terms},
        )
    }
    unknown = [t for t in terms if t not in known]
    if len(unknown) > CORRECTED_TERMS_MAX:
        return [t for t in terms if t in known], [[] for _ in unknown]
    replacements: list[list[str]] = []
    for term in unknown:
        similar = await run.rows(
            "SELECT DISTINCT word FROM search_word_variant "
            "WHERE variant = ANY(CAST(:variants AS text[]))",
            {"variants": typo_variants(term)},
        )
        near = sorted(
            (distance, word)
            for (word,) in similar
            if (distance := typo_distance(term, word)) <= typos_allowed(term)
        )
        options = [word for _, word in near[:CORRECTIONS_PER_TERM]]  # nearest first
        if len(term) >= PREFIX_MIN:
            escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            completed = await run.rows(
                "SELECT word FROM search_word WHERE word LIKE :prefix ORDER BY word LIMIT :n",
                {"prefix": f"{escaped}%", "n": CORRECTIONS_PER_TERM},
            )
            options += [word for (word,) in completed]
        replacements.append(list(dict.fromkeys(options)))
    return [t for t in terms if t in known], replacements


def _replaced(tokens: list[str], term: str, option: str) -> list[str]:
    """The folded query's tokens with `term` replaced by `option`: the token it is, or else
    the first it is part of (unspaced scripts: a token holds several terms)."""
    if term in tokens:
        return [option if token == term else token for token in tokens]
    for i, token in enumerate(tokens):
        if term in token:
            return [*tokens[:i], token.replace(term, option, 1), *tokens[i + 1 :]]
    return tokens


def corrected_keys(raw: str, misspelt: list[str], replacements: list[list[str]]) -> list[str]:
    """The exact keys of the query with each misspelt term replaced by one of its
    replacements (each list nearest first), at most CORRECTED_KEYS_MAX of them."""
    variants = [search_text(raw).split()]
    for term, options in zip(misspelt, replacements, strict=True):
        variants = [_replaced(v, term, option) for v in variants for option in options]
        variants = variants[:CORRECTED_KEYS_MAX]
    keys: dict[str, None] = {}
    for tokens in variants:
        keys.update(dict.fromkeys(query_terms(" ".join(tokens)).keys))
    return list(keys)[:CORRECTED_KEYS_MAX]


def _scoped(terms: list[str], filters: WorkFilter, stats: TermStats | None) -> list[str]:
    """The terms as the filters' composite terms (`c:PH:爱`, `k:LITERARY:爱`), whose works
    are exactly the term's works that meet the filter: each by the rarer of its country and
    kind forms by the statistics (the country's when they do not tell). Unchanged without a
    country or kind filter."""
    out: list[str] = []
    for term in terms:
        forms = [country_term(filters.country, term)] if filters.country else []
        if filters.kind is not None:
            forms.append(kind_term(filters.kind.value, term))
        if not forms:
            return terms
        if stats is not None:
            forms.sort(key=lambda form: stats.terms.get(form, stats.floor))
        out.append(forms[0])
    return out


async def _text_tiers(
    run: _Runner, raw: str, filters: WorkFilter, stats: TermStats | None
) -> list[_Tier]:
    terms = query_terms(raw)
    tiers: list[_Tier] = []
    identified = _identifier_tier(raw)
    if identified is not None:
        tiers.append(identified)
    if terms.keys:
        tiers.append(
            _Tier(
                "exact",
                "w.search_keys && CAST(:keys AS text[])",
                {"keys": terms.keys},
                ranked=False,  # all alike: the same title
                groups=[terms.keys],
                keys=True,
            )
        )
    if not terms.words:
        return tiers
    words = terms.words
    known, replacements = await _corrections(run, words)
    # With a country or kind filter, terms are looked up as composite terms (the lexicon and
    # its corrections know the plain terms only).
    if not replacements:  # every term is in the lexicon (else no work has them all)
        scoped = _scoped(words, filters, stats)
        tiers.append(
            _Tier(
                "words",
                "w.search_words @> CAST(:words AS text[])",
                {"words": scoped},
                groups=[[w] for w in scoped],
            )
        )
    if replacements and all(replacements):
        spelt = set(known)
        fixed = corrected_keys(raw, [t for t in words if t not in spelt], replacements)
        if fixed:
            tiers.append(
                _Tier(
                    "corrected title",
                    "w.search_keys && CAST(:fixed_keys AS text[])",
                    {"fixed_keys": fixed},
                    ranked=False,  # all alike: the same title, corrected
                    groups=[fixed],
                    keys=True,
                )
            )
        known = _scoped(known, filters, stats)
        replacements = [_scoped(options, filters, stats) for options in replacements]
        parts = ["w.search_words @> CAST(:known AS text[])"] if known else []
        params: dict[str, Any] = {"known": known} if known else {}
        for i, options in enumerate(replacements):
            parts.append(f"w.search_words && CAST(:fix{i} AS text[])")
            params[f"fix{i}"] = options
        groups = [[k] for k in known] + replacements
        tiers.append(_Tier("corrected", " AND ".join(parts), params, groups=groups))
    parties = [
        row[0]
        for row in await run.rows(
            "SELECT id FROM party WHERE search_words @> CAST(:words AS text[]) LIMIT :n",
            {"words": words, "n": NAME_PARTIES_MAX},
        )
    ]
    if parties:
        condition = (
            "w.id IN (SELECT x.work_id FROM unnest(CAST(:parties AS uuid[])) AS p (id) "
            "CROSS JOIN LATERAL (SELECT rh.work_id FROM rights_holder rh "
            "WHERE rh.party_id = p.id ORDER BY rh.work_id LIMIT :name_works) AS x "
            "LIMIT :name_works)"
        )
        bound = NAME_WORKS_MAX if len(parties) < NAME_PARTIES_MAX else 0
        tiers.append(
            _Tier(
                "names",
                condition,
                {"parties": sorted(parties), "name_works": NAME_WORKS_MAX},
                bound=bound,
            )
        )
    return tiers


def _filters(
    filters: WorkFilter, stats: TermStats | None = None
) -> tuple[list[str], dict[str, Any]]:
    """The filters' conditions. A value the statistics call common (more than
    FILTER_INDEXED_MAX of the register) is compared as an expression, which no index
    serves: reading its index would cost more than checking the few rows the other
    conditions leave."""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    for column, value in filters.columns(identifiers=True):
        common = (
            stats is not None
            and column in stats.values
            and stats.frequency(column, value) > FILTER_INDEXED_MAX
        )
        compared = f"(w.{column} || '')" if common else f"w.{column}"
        conditions.append(f"{compared} = :f_{column}")
        params[f"f_{column}"] = value
    if filters.holder_id is not None:
        conditions.append(
            "EXISTS (SELECT 1 FROM rights_holder rh "
            "WHERE rh.work_id = w.id AND rh.party_id = :f_holder)"
        )
        params["f_holder"] = filters.holder_id
    return conditions, params


@dataclass
class _Plan:
    """The tiers of one search, each with its full condition (its own, none of the earlier
    tiers', every filter)."""

    tiers: list[_Tier]
    conditions: list[str]
    params: list[dict[str, Any]]


def _plan(tiers: list[_Tier], filters: WorkFilter, stats: TermStats | None) -> _Plan:
    filter_conditions, filter_params = _filters(filters, stats)
    conditions: list[str] = []
    params: list[dict[str, Any]] = []
    for i, tier in enumerate(tiers):
        parts = [f"({tier.condition})"]
        merged = {**filter_params, **tier.params}
        for earlier in tiers[:i]:
            parts.append(f"NOT COALESCE(({earlier.condition}), false)")
            merged.update(earlier.params)
        parts += filter_conditions
        conditions.append(" AND ".join(parts))
        params.append(merged)
    return _Plan(tiers, conditions, params)


async def _works_count(run: _Runner) -> float:
    stats = await _term_stats(run)
    if stats is not None:
        return stats.rows
    return float(
        (
            await run.connection.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = 'work'::regclass")
            )
        ).scalar_one()
    )


async def _count(
    run: _Runner, condition: str, params: dict[str, Any], path: str | None, expected: float
) -> tuple[int, bool]:
    """(works matching, exact?): counted up to TOTAL_EXACT_MAX, estimated beyond. A tier
    found by a walk is not counted at all: the walk's measure is its estimate."""
    if condition in run.counted:
        return run.counted[condition], True
    measured = run.measured.get(condition)
    if measured is not None:  # a count would read every match the walk avoided reading
        return max(1, round(measured)), False
    counted = await run.rows(
        f"SELECT count(*) FROM (SELECT 1 FROM work w WHERE {condition} LIMIT :bound) AS s",  # noqa: S608
        {**params, "bound": TOTAL_EXACT_MAX + 1},
        "lookup" if path else None,
    )
    count = int(counted[0][0])
    if count <= TOTAL_EXACT_MAX:
        return count, True
    estimate = await run.estimate(f"SELECT 1 FROM work w WHERE {condition}", params)  # noqa: S608
    return max(estimate, count), False


async def _newest(
    run: _Runner,
    condition: str,
    params: dict[str, Any],
    *,
    before: int | None,
    limit: int,
    path: str | None,
    enough: int | None = None,
    columns: str = "w.seq, w.id",
) -> tuple[list[Any], bool]:
    """(the tier's `limit` newest works, before `seq` `before` when given; whether they are
    all it has left).

    On the walk path, at most WALK_MAX works are walked (newest first); a walk that finds
    `enough` of them answers with the matches it found (the newest of the tier: nothing
    newer was missed). When the statistics were wrong (terms and filters that rarely meet)
    and the walk ends short, the lookup path answers instead: the same works, found from
    the other side.
    """
    if before is not None:
        condition += " AND w.seq < :before"
        params = {**params, "before": before}
    params = {**params, "n": limit}
    if path == "walk":
        inner = run.filtered + (" AND w.seq < :before" if before is not None else "")
        walked = (
            f"SELECT {columns}, (SELECT max(seq) FROM work) FROM "  # noqa: S608
            f"(SELECT * FROM work w WHERE {inner} ORDER BY w.seq DESC LIMIT :walk) AS w "
            f"WHERE {condition} ORDER BY w.seq DESC LIMIT :n"
        )
        bounded = {**params, "walk": run.walk_max}
        rows = await run.rows(walked, bounded, path)
        if rows and len(rows) >= min(limit, enough or limit):
            if before is None:
                top, last = int(rows[0][-1]), int(rows[-1][0])
                # The matches' share of the works filed since the last one found.
                read = top - last + 1
                run.measured[condition] = len(rows) / max(1, read) * await _works_count(run)
            return [row[:-1] for row in rows], False
        path = "lookup"
    if path == "lookup" and before is None:
        sql = (
            f"SELECT {columns}, count(*) OVER () FROM work w WHERE {condition} "  # noqa: S608
            "ORDER BY w.seq DESC LIMIT :n"
        )
        rows = await run.rows(sql, params, path)
        run.counted[condition] = int(rows[0][-1]) if rows else 0
        return [row[:-1] for row in rows], len(rows) < limit
    sql = f"SELECT {columns} FROM work w WHERE {condition} ORDER BY w.seq DESC LIMIT :n"  # noqa: S608
    rows = await run.rows(sql, params, path)
    return rows, len(rows) < limit


def _rank(row: Any) -> tuple[int, int]:
    """Shortest title first (the query's words cover most of it), then newest."""
    seq, _, keys = row
    return (min((len(k) for k in keys), default=SEARCH_TEXT_MAX), -int(seq))


async def _tier_rows(
    run: _Runner,
    tier: _Tier,
    condition: str,
    params: dict[str, Any],
    wanted: int,
    resume: int | None,
    path: str | None,
) -> tuple[list[tuple[int, UUID]], int | None]:
    """Up to `wanted` works of the tier after the cursor's `resume` (seq), and the tier's
    exact count when reading it showed it (from its start, it ended before `wanted`)."""
    if not tier.ranked:
        rows, exhausted = await _newest(
            run, condition, params, before=resume, limit=wanted, path=path
        )
        found = [(int(seq), work_id) for seq, work_id in rows]
        return found, len(found) if resume is None and exhausted else None
    # The head: its newest RANKED_HEAD, or on a walk those found among the register's newest
    # WALK_MAX works (at least HEAD_MIN of them): the same on every page of the search.
    head, exhausted = await _newest(
        run,
        condition,
        params,
        before=None,
        limit=RANKED_HEAD,
        path=path,
        enough=HEAD_MIN,
        columns="w.seq, w.id, w.search_keys",
    )
    ranked = [(int(seq), work_id) for seq, work_id, _ in sorted(head, key=_rank)]
    seqs = [seq for seq, _ in ranked]
    if resume is None:
        found = ranked[:wanted]
    elif resume in seqs:
        found = ranked[seqs.index(resume) + 1 :][:wanted]
    else:  # the cursor is past the ranked head, in the newest-first rest
        found = []
    if len(found) < wanted and not exhausted:
        before = min(seqs) if resume is None or resume in seqs else min(min(seqs), resume)
        rest, _ = await _newest(
            run, condition, params, before=before, limit=wanted - len(found), path=path
        )
        found += [(int(seq), work_id) for seq, work_id in rest]
    return found, len(head) if resume is None and exhausted else None


async def _search(run: _Runner, query: SearchWorks) -> tuple[list[UUID], str | None, int, bool]:
    filters = query.filters()
    first = _first(query.first)
    start_tier, after_seq = decode_cursor(query.after) if query.after else (0, None)
    # Never a scan of the register, and no JIT compilation (it costs more than these plans).
    await run.connection.execute(text("SET LOCAL enable_seqscan = off"))
    await run.connection.execute(text("SET LOCAL jit = off"))
    stats = await _term_stats(run)
    tiers = (
        await _text_tiers(run, filters.text, filters, stats)
        if filters.text
        else [_Tier("all", "true", ranked=False)]
    )
    if query.after and not 0 <= start_tier < len(tiers):
        raise InvalidInput("after is not a cursor of this search", field="after")
    plan = _plan(tiers, filters, stats)
    run.filtered = " AND ".join(_filters(filters, stats)[0]) or "true"
    run.walk_max = _walk_max(filters, stats)
    paths = [_path(stats, tier, filters, HEAD_MIN) for tier in tiers]
    found: list[tuple[int, int, UUID]] = []  # (tier, seq, id)
    short: dict[int, int] = {}  # tiers read to their end from their start: their exact counts
    for i in range(start_tier, len(tiers)):
        wanted = first + 1 - len(found)
        if wanted <= 0:
            break
        resume = after_seq if i == start_tier else None
        rows, counted = await _tier_rows(
            run, tiers[i], plan.conditions[i], plan.params[i], wanted, resume, paths[i][0]
        )
        found += [(i, seq, work_id) for seq, work_id in rows]
        if counted is not None:
            short[i] = counted
    total, exact = 0, True
    for i, tier in enumerate(tiers):
        if i in short:
            count, counted_exactly = short[i], True
        else:
            count, counted_exactly = await _count(
                run, plan.conditions[i], plan.params[i], *paths[i]
            )
        if tier.bound is not None and count >= tier.bound:
            counted_exactly = False
        total += count
        exact = exact and counted_exactly
    more = len(found) > first
    page = found[:first]
    next_cursor = encode_cursor(page[-1][0], page[-1][1]) if more and page else None
    return [work_id for _, _, work_id in page], next_cursor, total, exact


async def search_works(*, sessions: SessionMaker, query: SearchWorks) -> Page:
    """One page of the register's search: by relevance for a text, else newest filing
    first; every filter combined; keyset pages (never OFFSET)."""
    async with sessions() as session:
        run = _Runner(await session.connection())
        ids, next_cursor, total, exact = await _search(run, query)
        rows = (await session.exec(select(WorkRow).where(col(WorkRow.id).in_(ids)))).all()
        by_id = {w.id: w for w in await works_of(session, rows)}
    return Page([by_id[i] for i in ids if i in by_id], next_cursor, total, exact)


async def search_plan(*, sessions: SessionMaker, query: SearchWorks) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement one search runs, in order (the
    benchmark's report), the page's rows and rights holders read by id included."""
    async with sessions() as session:
        run = _Runner(await session.connection(), plans=[])
        ids, _, _, _ = await _search(run, query)
        for sql in (
            "SELECT * FROM work WHERE id = ANY(CAST(:ids AS uuid[]))",
            "SELECT * FROM rights_holder WHERE work_id = ANY(CAST(:ids AS uuid[]))",
        ):
            await run.rows(sql, {"ids": ids})
        assert run.plans is not None
        return "\n\n".join(run.plans)
