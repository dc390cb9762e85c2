"""Reading usage files a line at a time (DOMAIN.md, "Usage lines and matching", formats):
CSV with its header, and the simplified DSR's HEAD / SY01 / SU01 / FOOT records."""

from __future__ import annotations

import io

import pytest
from contracts.errors import InvalidInput
from licensing.usage_files import LineError, RawLine, Read, UsageFormat, read_lines

HEADER = "title,units,revenue,currency,territory,period_start,period_end"


def _csv(text: str) -> list[Read]:
    return list(read_lines(io.StringIO(text, newline=""), UsageFormat.CSV))


def _dsr(*records: list[str]) -> list[Read]:
    text = "".join("\t".join(r) + "\n" for r in records)
    return list(read_lines(io.StringIO(text, newline=""), UsageFormat.DSR))


def test_csv_lines_are_numbered_as_the_file_is_and_quoted_newlines_stay_in_their_cell() -> None:
    read = _csv(f'\ufeff{HEADER}\n"Song, with a\nnewline",1,1.00,USD,TH,2026-01-01,2026-01-31\n'
                "Other,2,2.00,USD,TH,2026-01-01,2026-01-31\n")
    assert [type(r) for r in read] == [RawLine, RawLine]
    first, second = read
    assert isinstance(first, RawLine) and first.cells["title"] == "Song, with a\nnewline"
    assert (first.number, second.number) == (3, 4)


def test_a_csv_line_with_the_wrong_number_of_cells_is_an_error_and_the_file_reads_on() -> None:
    read = _csv(f"{HEADER}\nA,1,1.00,USD\nB,1,1.00,USD,TH,2026-01-01,2026-01-31\n")
    assert read[0] == LineError(2, "row", "4 cells where the header has 7")
    assert isinstance(read[1], RawLine) and read[1].cells["title"] == "B"


@pytest.mark.parametrize(
    ("header", "field"),
    [("", "file"), (f"{HEADER},colour", "colour"), (f"{HEADER},title", "title"),
     ("title,units,revenue,currency,territory,period_start", "period_end")],
)
def test_a_csv_header_that_cannot_be_read_refuses_the_file(header: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _csv(f"{header}\n" if header else "")
    assert caught.value.field == field


HEAD = ["HEAD", "DSR", "2026-01-01", "2026-01-31", "TH", "USD", "f-1"]


def _su(key: str, units: str = "1", revenue: str = "1.00") -> list[str]:
    return ["SU01", key, "", "", f"Title {key}", "Singer", "Writer", units, revenue]


def test_dsr_usage_records_take_the_header_then_the_summary_context() -> None:
    read = _dsr(HEAD, _su("a"), ["SY01", "VN", "VND", "1", "5", "10"],
                _su("b", "5", "10"), ["FOOT", "2"])
    assert [type(r) for r in read] == [RawLine, RawLine]
    a, b = read
    assert isinstance(a, RawLine) and isinstance(b, RawLine)
    assert (a.cells["territory"], a.cells["currency"], a.cells["period_end"]) == (
        "TH", "USD", "2026-01-31")
    assert (b.number, b.cells["territory"], b.cells["currency"], b.cells["title"]) == (
        4, "VN", "VND", "Title b")


def test_dsr_summaries_and_footer_are_checked_against_the_records() -> None:
    read = _dsr(HEAD, ["SY01", "TH", "USD", "2", "2", "2.00"], _su("a"), ["FOOT", "3"])
    errors = [r for r in read if isinstance(r, LineError)]
    assert [(e.number, e.field) for e in errors] == [(2, "SY01"), (4, "FOOT")]


def test_dsr_record_errors_name_their_line() -> None:
    read = _dsr(HEAD, ["AS01", "x"], ["SU01", "short"], ["FOOT", "1"], _su("late"))
    errors = [(r.number, r.field) for r in read if isinstance(r, LineError)]
    assert errors == [(2, "record"), (3, "row"), (5, "record")]
    assert _dsr(HEAD, _su("a"))[-1] == LineError(0, "FOOT", "the file ends without its FOOT record")


def test_a_dsr_file_without_its_head_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        _dsr(_su("a"))
    assert caught.value.field == "HEAD"
