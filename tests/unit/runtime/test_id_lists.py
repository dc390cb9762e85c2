"""The one parser of batch-read id lists (`?ids=a,b,c`): UUIDs only, at most 500, a malformed
entry refused as a typed 400 naming it."""

from __future__ import annotations

import uuid

import pytest
from contracts.errors import InvalidInput
from runtime.http import status_of
from runtime.id_lists import MAX_IDS, parse_ids


def test_ids_are_parsed_deduplicated_in_first_seen_order_and_blanks_skipped() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    raw = f" {a}, ,{b},{a},{str(b).upper()},"
    assert parse_ids(raw, field="ids") == [a, b]


@pytest.mark.parametrize("raw", [None, "", " , ,"])
def test_no_ids_is_an_empty_list(raw: str | None) -> None:
    assert parse_ids(raw, field="ids") == []


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("nonsense", "work_ids"),
        ("\x00", "work_ids"),
        ("\udcff", "work_ids"),
        (f"{uuid.UUID(int=1)},nope", "work_ids[1]"),
        (f"{uuid.UUID(int=1)},{uuid.UUID(int=2)},\x00\x01", "work_ids[2]"),
    ],
)
def test_a_malformed_id_is_a_400_naming_the_entry(raw: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_ids(raw, field="work_ids")
    assert refused.value.field == field
    assert status_of(refused.value) == 400


def test_more_than_the_limit_is_refused_naming_the_list_and_the_limit_is_allowed() -> None:
    ids = [uuid.uuid4() for _ in range(MAX_IDS + 1)]
    assert len(parse_ids(",".join(map(str, ids[:MAX_IDS])), field="ids")) == MAX_IDS
    with pytest.raises(InvalidInput) as refused:
        parse_ids(",".join(map(str, ids)), field="licence_ids")
    assert refused.value.field == "licence_ids"


def test_a_long_bad_entry_is_cut_short_in_the_message() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_ids("x" * 10_000, field="ids")
    assert len(refused.value.message) < 100
