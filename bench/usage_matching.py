"""Scenario `usage_matching`: a licensee's usage file of 100,000 lines matched against a
register of works (DOMAIN.md, "Usage lines and matching"), in-process on a fresh licensing
database: the service's own chunked path (`line_usage.receive_lines`: store, match set-based,
state royalties, outbox rows), against the baseline of the same run, reading and checking the
same file's lines without matching or storing anything.

The file is generated with a known answer per line: exact ISRC (a recording's), exact ISWC,
fuzzy (the work's title with one typo, or written without its Vietnamese tones and accents,
with the work's writer named in another word order) and unmatchable (titles from no work).
`match_rate` is the share of lines each method matched; `fuzzy_right` the share of fuzzy
matches that found the work the line was made from.
"""

from __future__ import annotations

import csv
import io
import random
import time
import unicodedata
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from contracts.enums import LicenceStatus, PartyKind, Role, WorkKind, WorkStatus
from contracts.envelope import DecodedEvent
from contracts.identifiers import iswc_check_digit
from licensing.app import MIGRATIONS
from licensing.domain.matching import Thresholds
from licensing.domain.usage_lines import parse_line
from licensing.events import side_rows
from licensing.handlers import apply_register_events
from licensing.line_usage import Matching, receive_lines
from licensing.models import LicenceRow
from licensing.usage_files import RawLine, UsageFormat, read_lines
from runtime.db import create_engine, migrate, session_maker
from runtime.uow import unit_of_work_factory
from sqlalchemy import text

from bench.common import create_database
from contracts import events

# Words with Vietnamese tones and Latin accents, so a line written without them is a
# transliteration the folding must undo.
WORDS = (
    "ánh trăng lẻ loi mùa thu hà nội sài gòn dòng sông quê hương tình yêu nỗi nhớ em anh "
    "đêm ngày biển xanh mưa rơi hoa đào gió chiều phố cổ con đường ký ức giấc mơ bình minh "
    "hoàng hôn núi rừng cánh đồng lúa vàng tiếng hát ru con người xa cố đô huế bến thuyền "
    "moonlight serenade river city lonely heart summer rain dancing shadow golden island "
    "forever tonight journey morning star ocean wind silver bridge ember garden velvet sky "
    "canción corazón mañana señorita café crème déjà vu façade naïve über straße jalapeño"
).split()
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô")
GIVEN = ("Văn", "Thị", "Minh", "Thu", "Quang", "Ngọc", "Hữu", "Thanh", "Đức", "Kim")
LAST = ("An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Lan", "Long", "Mai", "Nam", "Phúc", "Sơn")
YEAR = datetime.now(UTC).year
HEADER = ["line_key", "isrc", "iswc", "title", "writers", "units", "revenue", "currency",
          "territory", "period_start", "period_end"]  # fmt: skip
MIX = {"isrc": 0.35, "iswc": 0.25, "fuzzy": 0.25, "unmatched": 0.15}


def _typo(rng: random.Random, title: str) -> str:
    """One edit inside a word (a letter replaced, dropped or doubled), as a data entry slip."""
    spots = [i for i, ch in enumerate(title) if ch.isalpha()]
    i = rng.choice(spots[1:-1] or spots)
    kind = rng.randrange(3)
    if kind == 0:
        return title[:i] + rng.choice("aeioulnrst") + title[i + 1:]
    if kind == 1:
        return title[:i] + title[i + 1:]
    return title[:i] + title[i] + title[i:]


def _ascii(title: str) -> str:
    stripped = unicodedata.normalize("NFKD", title.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in stripped if not unicodedata.combining(ch))


def _register(rng: random.Random, works: int) -> tuple[list[DecodedEvent], list[dict[str, Any]]]:
    """Parties (writers) and registered works: 40 % recordings with an ISRC, 40 % musical works
    with an ISWC, the rest with neither; each with a title of 3 to 5 words."""
    now = datetime.now(UTC)
    writers = []
    decoded: list[DecodedEvent] = []
    for _ in range(max(works // 4, 10)):
        party_id = uuid.uuid4()
        name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)} {rng.choice(LAST)}"
        writers.append((party_id, name))
        decoded.append(_decoded(events.PartyRegistered(
            occurred_at=now, party=events.PartyState(
                id=party_id, name=name, kind=PartyKind.PERSON, country="VN")), str(party_id)))
    made: list[dict[str, Any]] = []
    titles: set[str] = set()
    for n in range(works):
        title = " ".join(rng.sample(WORDS, rng.randint(3, 5))).title()
        while title in titles:
            title = " ".join(rng.sample(WORDS, rng.randint(3, 5))).title()
        titles.add(title)
        holder, name = rng.choice(writers)
        kind = rng.random()
        ids: dict[str, str] = {}
        if kind < 0.4:
            ids["isrc"] = f"VNA{n // 100000 % 100:02d}{YEAR % 100:02d}{n % 100000:05d}"
        elif kind < 0.8:
            nine = f"{n:09d}"
            ids["iswc"] = f"T-{nine[:3]}.{nine[3:6]}.{nine[6:]}-{iswc_check_digit(nine)}"
        work_id = uuid.uuid4()
        state = events.WorkState(
            id=work_id, filing_number=f"F-{YEAR}-{n + 1:06d}",
            registration_number=f"R-{YEAR}-{n + 1:06d}", title=title,
            kind=WorkKind.SOUND_RECORDING if "isrc" in ids else WorkKind.MUSICAL_WORK,
            status=WorkStatus.REGISTERED, identifiers=events.Identifiers(**ids),
            country_of_origin="VN",
            rights_holders=[events.RightsHolder(party_id=holder, role=Role.COMPOSER,
                                                share=Decimal("100.00"))],
            filed_by=holder, filed_at=now,
        )  # fmt: skip
        decoded.append(_decoded(
            events.WorkRegistered(occurred_at=now, work=state, version=2), str(work_id)))
        made.append({"id": work_id, "title": title, "writer": name, **ids})
    return decoded, made


def _decoded(data: events.EventData, subject: str) -> DecodedEvent:
    return DecodedEvent(
        id=uuid.uuid4(), type=data.ce_type, source=data.source, time=data.occurred_at,
        subject=subject, data=data,
    )  # fmt: skip


def _usage_file(
    rng: random.Random, made: list[dict[str, Any]], lines: int
) -> tuple[str, dict[str, tuple[str, uuid.UUID | None]]]:
    """The CSV file and, per line key, the method it was made for and its work."""
    by_isrc = [w for w in made if "isrc" in w]
    by_iswc = [w for w in made if "iswc" in w]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    truth: dict[str, tuple[str, uuid.UUID | None]] = {}
    kinds, weights = list(MIX), list(MIX.values())
    for n in range(lines):
        kind = rng.choices(kinds, weights)[0]
        key = f"L{n}"
        isrc = iswc = writers = ""
        if kind == "isrc":
            work = rng.choice(by_isrc)
            isrc, title = work["isrc"], _ascii(work["title"])
        elif kind == "iswc":
            work = rng.choice(by_iswc)
            iswc, title = work["iswc"], work["title"].upper()
        elif kind == "fuzzy":
            work = rng.choice(made)
            title = _typo(rng, work["title"]) if rng.random() < 0.5 else _ascii(work["title"])
            writers = " ".join(reversed(_ascii(work["writer"]).split()))
        else:
            work = None
            title = "".join(rng.choice("bcdfghjklmnpqrvwxz") for _ in range(rng.randint(8, 20)))
        truth[key] = (kind, None if work is None else work["id"])
        revenue = Decimal(rng.randint(1, 50_000)) / 100
        writer.writerow([key, isrc, iswc, title, writers, rng.randint(1, 10_000), revenue, "USD",
                         "TH", f"{YEAR}-01-01", f"{YEAR}-01-31"])  # fmt: skip
    return out.getvalue(), truth


async def run(*, lines: int, works: int, licences: int, chunk: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    url = await create_database("usage_matching")
    await migrate(MIGRATIONS, url)
    engine = create_engine(url, pool_size=4)
    try:
        uow = unit_of_work_factory(session_maker(engine), side_rows=side_rows)
        decoded, made = _register(rng, works)
        started = time.perf_counter()
        for i in range(0, len(decoded), 2000):
            async with uow() as u:
                await apply_register_events(u, decoded[i:i + 2000])
        register_seconds = time.perf_counter() - started
        licensee = uuid.uuid4()
        licensed = rng.sample(made, min(licences, len(made)))
        now = datetime.now(UTC)
        async with uow() as u:
            u.session.add_all(
                LicenceRow(
                    id=uuid.uuid4(), work_id=w["id"], licensor_id=uuid.uuid4(),
                    licensee_id=licensee, status=LicenceStatus.ACTIVE.value,
                    territories=["TH", "VN", "SG"], media=["STREAMING"], exclusive=False,
                    start=date(YEAR, 1, 1), end=date(YEAR, 12, 31),
                    royalty_rate=Decimal("8.50"), advance=Decimal("0"), currency="USD",
                    created_at=now, updated_at=now,
                )
                for w in licensed
            )  # fmt: skip
        async with uow() as u:
            await u.session.execute(text("ANALYZE"))
        content, truth = _usage_file(rng, made, lines)

        started = time.perf_counter()
        parsed = 0
        for read in read_lines(io.StringIO(content, newline=""), UsageFormat.CSV):
            if isinstance(read, RawLine):
                parse_line(read.cells, default_key=str(read.number))
                parsed += 1
        parse_seconds = time.perf_counter() - started

        matching = Matching(thresholds=Thresholds(), trigram=0.5, chunk_lines=chunk)
        started = time.perf_counter()
        outcome = await receive_lines(
            uow=uow, matching=matching, licensee=licensee, usage_file="bench",
            reads=read_lines(io.StringIO(content, newline=""), UsageFormat.CSV),
        )  # fmt: skip
        match_seconds = time.perf_counter() - started

        async with uow() as u:
            rows = (await u.session.execute(text(
                "SELECT line_key, method, work_id, status FROM usage_line"))).all()
            outbox = (await u.session.execute(text("SELECT count(*) FROM outbox"))).scalar_one()
        fuzzy = [(truth[key], work) for key, method, work, _ in rows if method == "FUZZY"]
        made_fuzzy = sum(1 for kind, _ in truth.values() if kind == "fuzzy")
        recalled = sum(1 for (kind, want), got in fuzzy if kind == "fuzzy" and want == got)
        total = len(rows)
        methods = outcome.methods
        return {
            "lines": lines,
            "lines_per_s": round(lines / match_seconds, 1),
            "match_rate": {
                name: round(methods.get(name.upper(), 0) / total, 4)
                for name in ("isrc", "iswc", "fuzzy", "unmatched")
            },
            "generated_mix": {
                name: round(sum(1 for k, _ in truth.values() if k == name) / lines, 4)
                for name in MIX
            },
            "fuzzy_right": round(recalled / len(fuzzy), 4) if fuzzy else None,
            "fuzzy_found_of_made": round(recalled / made_fuzzy, 4) if made_fuzzy else None,
            "statuses": dict(sorted(outcome.statuses.items())),
            "statements": len(outcome.statements),
            "outbox_rows": outbox,
            "errors": len(outcome.errors),
            "seconds": round(match_seconds, 2),
            "baseline_parse_lines_per_s": round(parsed / parse_seconds, 1),
            "ratio": round((lines / match_seconds) / (parsed / parse_seconds), 4),
            "ratio_definition": "lines matched and stated per second / lines read and checked "
                                "per second (the same file, no matching, nothing stored)",
            "setup": {
                "register": f"{works} registered works (40 % recordings with ISRC, 40 % with "
                            f"ISWC), {len(decoded) - works} writers, applied by the read "
                            f"model's handler in {register_seconds:.1f} s",
                "licences": f"the licensee holds {len(licensed)} of them (8.50 %, USD)",
                "file": f"{lines} CSV lines, {len(content) // 1024} KiB, mix {MIX}",
                "path": f"line_usage.receive_lines in-process, chunks of {chunk} lines, each "
                        "one transaction (store, match, statements, outbox)",
            },
        }  # fmt: skip
    finally:
        await engine.dispose()
