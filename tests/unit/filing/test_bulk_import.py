"""Bulk import rules (DOMAIN.md, "Bulk import") without I/O: the files' headers, each row
checked as `fileWork` checks a filing with the column at fault named, deterministic ids, and
examination of a chunk in file order with the rules of `examination.examine`."""

from __future__ import annotations

import io
import queue
import random
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from contracts.enums import WorkStatus
from filing.bulk_import import cwr, files, reader
from filing.bulk_import.importer import BulkImport
from filing.domain import bulk
from filing.domain.consents import deadline_of, filing_outcome, request_consent, requested_detail
from filing.domain.examination import (
    Examination,
    ExistingWork,
    apply_examination,
    examination_history,
    examine,
)
from filing.domain.search_index import search_columns
from filing.domain.works import Identifiers, WorkAction, file_work, filed_detail

from tests.cwr_files import CwrWork, CwrWriter, write_cwr

FILER = uuid.UUID("11111111-2222-4333-8444-555555555555")
OTHER = uuid.UUID("99999999-2222-4333-8444-555555555555")
ISWC = "T-034.524.680-1"


def row(**cells: str) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "row_key": "w1",
        "title": "Ánh Trăng Lẻ Loi",
        "alternate_titles": "Lonely Moon|Bulan Sepi",
        "kind": "MUSICAL_WORK",
        "country_of_origin": "vn",
        "iswc": "T0345246801",
        "holders": f"{FILER}:COMPOSER:60.00;p7:LYRICIST:40",
    }
    return {**base, **cells}


def refused(raw: dict[str, str | None]) -> tuple[str, str]:
    with pytest.raises(bulk.RowRefused) as caught:
        bulk.parse_work_row(2, raw, filer=FILER)
    return caught.value.field, caught.value.reason


def test_a_valid_row_becomes_the_draft_a_filing_would_make() -> None:
    work = bulk.parse_work_row(2, row(), filer=FILER)
    assert work.draft.title == "Ánh Trăng Lẻ Loi"
    assert work.draft.alternate_titles == ("Lonely Moon", "Bulan Sepi")
    assert work.draft.identifiers == Identifiers(iswc=ISWC)
    assert work.draft.country_of_origin == "VN"
    assert [h.share for h in work.draft.rights_holders] == [Decimal("60.00"), Decimal("40.00")]
    assert work.draft.rights_holders[1].party_id == bulk.party_id_of(FILER, "p7")
    assert work.named_party_ids == {FILER}
    assert work.search == search_columns(
        work.draft.title,
        work.draft.alternate_titles,
        country=work.draft.country_of_origin,
        kind=work.draft.kind.value,
    )


def test_ids_are_the_filers_row_keys_so_a_rerun_finds_its_rows() -> None:
    first = bulk.parse_work_row(2, row(), filer=FILER)
    again = bulk.parse_work_row(9, row(), filer=FILER)
    assert first.id == again.id == bulk.work_id_of(FILER, "w1")
    other_holders = f"{OTHER}:COMPOSER:100"
    assert bulk.parse_work_row(2, row(holders=other_holders), filer=OTHER).id != first.id
    assert bulk.party_id_of(FILER, "p7") != bulk.party_id_of(OTHER, "p7")


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"iswc": "T0345246802"}, "iswc", "check"),
        ({"isbn": "9780306406158"}, "isbn", ""),
        ({"isrc": "THA012600001"}, "isrc", "identifies only"),
        ({"holders": f"{FILER}:COMPOSER:60;p7:LYRICIST:30"}, "holders", "100.00"),
        ({"holders": f"{FILER}:SINGER:100"}, "holders", "role"),
        ({"holders": f"{FILER}:COMPOSER"}, "holders", "PARTY:ROLE:SHARE"),
        ({"holders": "p7:COMPOSER:100"}, "holders", "filer"),
        ({"holders": ""}, "holders", "at least one"),
        ({"kind": "PAINTING"}, "kind", "must be one of"),
        ({"title": "  "}, "title", "empty"),
        ({"title": "x" * 301}, "title", "longer"),
        ({"country_of_origin": "XX"}, "country_of_origin", "ISO 3166"),
        ({"row_key": ""}, "row_key", "empty"),
        ({"alternate_titles": "|".join(f"t{i}" for i in range(21))}, "alternate_titles", "20"),
    ],
)
def test_a_refused_row_names_its_column_and_why(
    cells: dict[str, str], column: str, words: str
) -> None:
    field, reason = refused(row(**cells))
    assert field == column
    assert words.lower() in reason.lower()


def test_a_party_row_becomes_a_party_under_the_filers_row_key(now: object) -> None:
    raw = {"row_key": "p7", "name": "Malee Srisuk", "kind": "PERSON", "country": "th",
           "ipi_name_number": "00000000199", "isni": ""}
    party = bulk.parse_party_row(raw, filer=FILER, now=now)  # type: ignore[arg-type]
    assert (party.id, party.country, party.ipi_name_number) == (
        bulk.party_id_of(FILER, "p7"), "TH", "00000000199")
    with pytest.raises(bulk.RowRefused) as caught:
        bulk.parse_party_row({**raw, "ipi_name_number": "00000000198"}, filer=FILER, now=now)  # type: ignore[arg-type]
    assert caught.value.field == "ipi_name_number"


# --- the files ----------------------------------------------------------------------------


def test_a_header_with_an_unknown_or_missing_column_names_it() -> None:
    with pytest.raises(bulk.BadHeader) as unknown:
        list(files.works_rows(io.StringIO("row_key,title,kind,country_of_origin,holders,colour\n")))
    assert unknown.value.field == "colour"
    with pytest.raises(bulk.BadHeader) as missing:
        list(files.works_rows(io.StringIO("row_key,title,kind,holders\n")))
    assert missing.value.field == "country_of_origin"


def test_columns_come_in_any_order_after_a_bom_and_rows_are_numbered_as_lines() -> None:
    text = "\ufeffholders,kind,title,row_key,country_of_origin\n" \
        f'"{FILER}:AUTHOR:100",LITERARY,"Hello, world",b1,TH\n\nshort,row\n'
    rows = list(files.works_rows(io.StringIO(text)))
    assert rows[0] == (2, {"holders": f"{FILER}:AUTHOR:100", "kind": "LITERARY",
                           "title": "Hello, world", "row_key": "b1", "country_of_origin": "TH"})
    number, cells = rows[1]
    assert number == 4
    with pytest.raises(bulk.RowRefused) as caught:
        bulk.parse_work_row(number, cells, filer=FILER)
    assert caught.value.field == "row"


def test_bytes_that_are_not_utf8_refuse_their_row_naming_the_column_and_the_rest_reads() -> None:
    header = b"row_key,title,kind,country_of_origin,holders\n"
    good = f"ok,Hello,LITERARY,TH,{FILER}:AUTHOR:100\n".encode()
    bad = b"bad,Caf\xe9 Latin-1,LITERARY,TH," + f"{FILER}:AUTHOR:100\n".encode()
    stream = files.text_stream(io.BytesIO(header + bad + good))
    (bad_number, bad_cells), (good_number, good_cells) = list(files.works_rows(stream))
    with pytest.raises(bulk.RowRefused) as caught:
        bulk.parse_work_row(bad_number, bad_cells, filer=FILER)
    assert (bad_number, caught.value.field) == (2, "title")
    assert "UTF-8" in caught.value.reason
    assert bulk.parse_work_row(good_number, good_cells, filer=FILER).draft.title == "Hello"


def test_a_cell_over_the_limit_refuses_its_row_and_the_next_row_is_read() -> None:
    text = "row_key,title,kind,country_of_origin,holders\n" \
        f"huge,{'x' * (files.CELL_MAX + 1)},LITERARY,TH,{FILER}:AUTHOR:100\n" \
        f"ok,Hello,LITERARY,TH,{FILER}:AUTHOR:100\n"
    rows = list(files.works_rows(io.StringIO(text)))
    assert [number for number, _ in rows] == [2, 3]
    with pytest.raises(bulk.RowRefused) as caught:
        bulk.parse_work_row(*rows[0], filer=FILER)
    assert caught.value.field == "row"
    assert rows[1][1]["row_key"] == "ok"


def test_the_error_report_is_row_field_reason() -> None:
    out = io.StringIO()
    report = files.ErrorReport(out)
    report(bulk.RowError(row=7, field="iswc", reason="bad, check digit"))
    assert out.getvalue().splitlines() == ["row,field,reason", '7,iswc,"bad, check digit"']


# --- examination of a chunk ---------------------------------------------------------------


def existing(status: WorkStatus, *, iswc: str | None = None, title: str = "Other",
             holders: frozenset[uuid.UUID] = frozenset({OTHER})) -> ExistingWork:
    return ExistingWork(id=uuid.uuid4(), filing_number="F-2025-000001", title=title,
                        status=status, identifiers=Identifiers(iswc=iswc), holder_ids=holders)


def imported(key: str, **cells: str) -> bulk.ImportedWork:
    """A row held by the filer alone (unless `cells` say otherwise): examined at once."""
    cells = {"holders": f"{FILER}:COMPOSER:100", **cells}
    return bulk.parse_work_row(2, row(row_key=key, **cells), filer=FILER)


def test_a_row_naming_another_party_waits_for_its_consent_and_holds_its_identifiers() -> None:
    chunk = bulk.ChunkExamination()
    first = imported("w1", holders=f"{FILER}:COMPOSER:60;p7:LYRICIST:40")
    assert chunk.examine(first, "F-2026-000010").status is WorkStatus.AWAITING_CONSENT
    later = chunk.examine(imported("w2", title="Something else"), "F-2026-000011")
    assert later.status is WorkStatus.REJECTED and later.related_work_id == first.id
    # It is not on the register yet: no title duplicate of it.
    twin = chunk.examine(imported("w3", iswc=""), "F-2026-000012")
    assert twin.status is WorkStatus.REGISTERED


def test_an_identifier_held_in_the_register_rejects_the_row_naming_the_holder() -> None:
    held = existing(WorkStatus.UNDER_REVIEW, iswc=ISWC)
    chunk = bulk.ChunkExamination()
    chunk.add_existing([held], {held.id: "other"})
    outcome = chunk.examine(imported("w1"), "F-2026-000010")
    assert outcome.status is WorkStatus.REJECTED and outcome.related_work_id == held.id
    assert "F-2025-000001" in (outcome.reason or "")


def test_an_identifier_taken_by_an_earlier_row_rejects_the_later_one() -> None:
    chunk = bulk.ChunkExamination()
    first = imported("w1")
    assert chunk.examine(first, "F-2026-000010").status is WorkStatus.REGISTERED
    outcome = chunk.examine(imported("w2", title="Something else"), "F-2026-000011")
    assert outcome.status is WorkStatus.REJECTED and outcome.related_work_id == first.id
    assert "F-2026-000010" in (outcome.reason or "")


def test_a_rejected_row_holds_no_identifier_for_the_rows_after_it() -> None:
    held = existing(WorkStatus.REGISTERED, iswc=ISWC)
    chunk = bulk.ChunkExamination()
    chunk.add_existing([held], {})
    chunk.examine(imported("w1"), "F-2026-000010")
    later = chunk.examine(imported("w2"), "F-2026-000011")
    assert later.related_work_id == held.id


def test_same_title_and_a_common_holder_as_a_registered_work_goes_to_review() -> None:
    registered = existing(WorkStatus.REGISTERED, title="anh trang le loi",
                          holders=frozenset({FILER}))
    chunk = bulk.ChunkExamination()
    chunk.add_existing([registered], {registered.id: "anhtrangleloi"})
    outcome = chunk.examine(imported("w1", iswc=""), "F-2026-000010")
    assert outcome.status is WorkStatus.UNDER_REVIEW and outcome.related_work_id == registered.id
    # The same title among the chunk's own rows: the later one is held for review too.
    fresh = bulk.ChunkExamination()
    assert fresh.examine(imported("w1", iswc=""), "F-2026-000010").status is WorkStatus.REGISTERED
    assert fresh.examine(imported("w2", iswc=""), "F-2026-000011").status is WorkStatus.UNDER_REVIEW


def test_a_chunk_decides_as_filing_each_row_one_after_another_would() -> None:
    rng = random.Random(16)
    iswcs = ["T0345246801", "T-123.456.789-4", ""]
    titles = ["Love", "love!", "Moon"]
    parties = [FILER, OTHER]
    chunk = bulk.ChunkExamination()
    earlier: list[ExistingWork] = []
    for index in range(200):
        holder = rng.choice(parties)
        holders = f"{FILER}:COMPOSER:100" if holder == FILER else \
            f"{FILER}:COMPOSER:50;{OTHER}:LYRICIST:50"
        work = imported(f"w{index}", iswc=rng.choice(iswcs), title=rng.choice(titles),
                        alternate_titles="", holders=holders)
        number = f"F-2026-{index + 1:06d}"
        expected = filing_outcome(work.draft, examine(work.draft, earlier))
        assert chunk.examine(work, number) == expected
        earlier.append(ExistingWork(id=work.id, filing_number=number, title=work.draft.title,
                                    status=expected.status, identifiers=work.draft.identifiers,
                                    holder_ids=frozenset(h.party_id for h in work.draft.rights_holders)))


@pytest.mark.parametrize(
    "outcome",
    [
        bulk.REGISTER,
        Examination(WorkStatus.UNDER_REVIEW, "likely duplicate", uuid.UUID(int=7)),
        Examination(WorkStatus.REJECTED, "ISWC taken", uuid.UUID(int=8)),
    ],
    ids=lambda o: o.status.value,
)
def test_the_importer_writes_the_rows_filing_then_examination_would(
    outcome: Examination,
) -> None:
    work = imported("w1")
    now = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    registration = "R-2026-000001" if outcome.status is WorkStatus.REGISTERED else None
    filed, filed_change = file_work(work.draft, work_id=work.id, filing_number="F-1", now=now)
    examined, change = apply_examination(
        filed, outcome, now=now, registration_number=registration
    )
    ids = examined.identifiers
    assert BulkImport._work_row(work, "F-1", registration, outcome, now) == (
        examined.id, examined.filing_number, examined.registration_number, examined.title,
        list(examined.alternate_titles), examined.kind.value, examined.status.value,
        examined.status_reason, ids.iswc, ids.isrc, ids.isbn, examined.country_of_origin,
        examined.filed_by, examined.filed_at, examined.updated_at, 2, None,
        *work.search.values(),
    )
    assert (filed_change.action, filed_change.actor_id, filed_change.detail) == (
        WorkAction.FILED, work.draft.filed_by, filed_detail("F-1")
    )
    assert (change.action, change.detail) == examination_history(outcome, registration)
    assert change.actor_id is None


def test_the_importer_writes_the_row_of_a_filing_waiting_for_consent() -> None:
    work = imported("w1", holders=f"{FILER}:COMPOSER:60;{OTHER}:LYRICIST:40")
    now = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    deadline = deadline_of(now, 14)
    filed, _ = file_work(work.draft, work_id=work.id, filing_number="F-1", now=now)
    waiting, change = request_consent(filed, deadline=deadline, now=now)
    outcome = filing_outcome(work.draft, bulk.REGISTER)
    row_written = BulkImport._work_row(work, "F-1", None, outcome, now, deadline)
    assert row_written[6] == waiting.status.value == "AWAITING_CONSENT"
    assert row_written[16] == waiting.consent_deadline == deadline
    assert change.detail == requested_detail((OTHER,), deadline)


# --- CWR ----------------------------------------------------------------------------------

CWR_WORK = CwrWork(
    code="W1",
    title="LOVE IN BANGKOK",
    writers=[CwrWriter("A1", "SRISUK", "MALEE", "00000000297", Decimal("0.3")),
             CwrWriter("A2", "NGUYEN", "AN", "00000499900", Decimal("0.2"), role="A")],
    publisher_share=Decimal("0.5"),
    iswc="T0345246801",
    alternate_titles=["RAK NAI KRUNGTHEP"],
    performers=[("BIRD", "THONGCHAI")],
    isrc="THA012600001",
)


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_a_cwr_transaction_reads_as_a_works_row_with_pr_shares(version: str) -> None:
    text = write_cwr([CWR_WORK, CwrWork("W2", "SECOND SONG", CWR_WORK.writers[:1], Decimal("0.7"))],
                     version=version)
    rows = list(cwr.works_rows(io.StringIO(text), filer=FILER, country="TH"))
    assert [number for number, _ in rows] == [3, 13]
    raw = rows[0][1]
    assert raw["title"] == "LOVE IN BANGKOK" and raw["alternate_titles"] == "RAK NAI KRUNGTHEP"
    assert raw["holders"] == f"{FILER}:PUBLISHER:50.00;cwr:A1:COMPOSER:30.00;cwr:A2:LYRICIST:20.00"
    work = bulk.parse_work_row(3, raw, filer=FILER)
    assert work.draft.identifiers == Identifiers(iswc=ISWC)
    assert work.draft.country_of_origin == "TH"


def test_cwr_parties_are_its_writers_once_each_and_never_the_sender() -> None:
    text = write_cwr([CWR_WORK, CWR_WORK])
    parties = [raw for _, raw in cwr.parties_in(io.StringIO(text), country="TH")]
    assert [(p["row_key"], p["name"], p["ipi_name_number"]) for p in parties] == [
        ("cwr:A1", "MALEE SRISUK", "00000000297"), ("cwr:A2", "AN NGUYEN", "00000499900")]


# --- the command's reader child ------------------------------------------------------------


class _DeadChild:
    exitcode = -9

    def is_alive(self) -> bool:
        return False


def test_a_reader_child_that_died_without_a_word_ends_the_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reader, "CHILD_CHECK_SECONDS", 0.01)
    assert reader._next(queue.Queue(), _DeadChild()) == (
        "crash", "it exited with status -9", None
    )


def test_what_a_reader_child_sent_before_exiting_is_still_read() -> None:
    messages: queue.Queue[tuple[str, None, None]] = queue.Queue()
    messages.put(("end", None, None))
    assert reader._next(messages, _DeadChild()) == ("end", None, None)


def test_a_holder_entry_may_give_shares_and_societies_by_right() -> None:
    holders = f"{FILER}:PUBLISHER:50.00/100.00/100.00@021/021/021;p7:COMPOSER:50.00/0/0@21//"
    work = bulk.parse_work_row(2, row(holders=holders), filer=FILER)
    publisher, composer = work.draft.rights_holders
    assert (publisher.mechanical_share, publisher.sync_society) == (Decimal("100.00"), "021")
    assert (composer.share_of("sync"), composer.performing_society) == (Decimal("0.00"), "021")
    assert composer.mechanical_society is None


@pytest.mark.parametrize(
    ("holders", "field"),
    [
        (f"{FILER}:COMPOSER:100/90/100", "rights_holders.mechanical_share"),
        (f"{FILER}:COMPOSER:100/100", "holders"),
        (f"{FILER}:COMPOSER:100@021", "holders"),
    ],
)
def test_shares_by_right_in_a_row_follow_the_rules_of_a_filing(holders: str, field: str) -> None:
    with pytest.raises(bulk.RowRefused) as refused:
        bulk.parse_work_row(2, row(holders=holders), filer=FILER)
    assert refused.value.field == bulk.column_of(field, "holders")
