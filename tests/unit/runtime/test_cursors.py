"""The one page-cursor codec: what a service encodes comes back typed; anything else (forged,
truncated, another shape, out of range) is a typed 400 on `after`, never an error later."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from contracts.errors import InvalidInput
from hypothesis import given
from hypothesis import strategies as st
from runtime.cursors import decode_cursor, encode_cursor
from runtime.http import status_of


def _token(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_a_keyset_of_time_and_id_round_trips() -> None:
    at = datetime.now(UTC)
    ident = uuid.uuid4()
    token = encode_cursor(at, ident)
    assert decode_cursor(token, (datetime, uuid.UUID)) == (at, ident)
    assert token.isascii() and "=" not in token and "/" not in token and "+" not in token


def test_a_time_keeps_its_offset_and_instant() -> None:
    at = datetime.now(timezone(timedelta(hours=7)))
    (back,) = decode_cursor(encode_cursor(at), (datetime,))
    assert back == at and back.utcoffset() == timedelta(hours=7)


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_a_sequence_round_trips(seq: int) -> None:
    assert decode_cursor(encode_cursor(seq), (int,)) == (seq,)


def test_a_naive_time_cannot_be_encoded() -> None:
    with pytest.raises(ValueError, match="timezone"):
        encode_cursor(datetime.now(UTC).replace(tzinfo=None))


@pytest.mark.parametrize(
    ("token", "kinds"),
    [
        ("", (int,)),
        ("garbage!", (int,)),
        ("\x00", (int,)),
        ("ünïcode", (int,)),
        ("A" * 600, (int,)),
        (encode_cursor(1)[:-2] + "!!", (int,)),
        (_token({"s": 1}), (int,)),
        (_token([1, 2]), (int,)),
        (_token([-1]), (int,)),
        (_token([True]), (int,)),
        (_token([2**63]), (int,)),
        (_token(["1"]), (int,)),
        (_token(["2026-01-01T00:00:00", str(uuid.uuid4())]), (datetime, uuid.UUID)),
        (_token(["yesterday", str(uuid.uuid4())]), (datetime, uuid.UUID)),
        (_token([datetime.now(UTC).isoformat(), "not-a-uuid"]), (datetime, uuid.UUID)),
        (_token([datetime.now(UTC).isoformat(), 7]), (datetime, uuid.UUID)),
        (_token("[" * 5000), (int,)),
        (encode_cursor(uuid.uuid4()), (int,)),
    ],
)
def test_anything_but_a_cursor_of_the_shape_asked_for_is_a_400_on_after(
    token: str, kinds: tuple[type, ...]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(token, kinds)
    assert refused.value.field == "after"
    assert status_of(refused.value) == 400


def test_deeply_nested_json_is_refused_not_a_recursion_error() -> None:
    token = base64.urlsafe_b64encode(b"[" * 300).decode()
    with pytest.raises(InvalidInput):
        decode_cursor(token, (int,))


def test_the_field_can_be_named() -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor("garbage", (int,), field="before")
    assert refused.value.field == "before"
