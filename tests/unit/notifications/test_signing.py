"""Webhook signatures: receivers accept authentic, fresh calls; reject forgeries, replays."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st
from notifications.domain.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
    signed_headers,
    verify,
)

SECRET = "s3cret-s3cret-s3cret"


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"a":1}'
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature(SECRET, 1_700_000_000, body) == f"sha256={expected}"


def test_signed_headers_carry_unix_seconds_and_signature() -> None:
    headers = signed_headers(SECRET, 1_700_000_000, b"{}")
    assert headers[TIMESTAMP_HEADER] == "1700000000"
    assert headers[SIGNATURE_HEADER].startswith("sha256=")


def test_receiver_accepts_authentic_fresh_call() -> None:
    headers = signed_headers(SECRET, 1_000, b"body")
    assert verify(SECRET, headers, b"body", now=1_010)


def test_receiver_matches_header_names_case_insensitively() -> None:
    headers = {k.lower(): v for k, v in signed_headers(SECRET, 1_000, b"body").items()}
    assert verify(SECRET, headers, b"body", now=1_000)


def test_receiver_rejects_forged_body() -> None:
    headers = signed_headers(SECRET, 1_000, b"body")
    assert not verify(SECRET, headers, b"bodY", now=1_000)


def test_receiver_rejects_wrong_secret() -> None:
    headers = signed_headers("another-secret-entirely", 1_000, b"body")
    assert not verify(SECRET, headers, b"body", now=1_000)


def test_receiver_rejects_replay_outside_tolerance() -> None:
    headers = signed_headers(SECRET, 1_000, b"body")
    assert not verify(SECRET, headers, b"body", now=1_000 + 301)


def test_receiver_rejects_timestamp_moved_to_look_fresh() -> None:
    headers = signed_headers(SECRET, 1_000, b"body")
    headers[TIMESTAMP_HEADER] = "5000"
    assert not verify(SECRET, headers, b"body", now=5_000)


def test_receiver_rejects_missing_or_garbled_headers() -> None:
    assert not verify(SECRET, {}, b"body", now=1_000)
    assert not verify(SECRET, {TIMESTAMP_HEADER: "abc", SIGNATURE_HEADER: "sha256=00"}, b"", now=1)


@given(body=st.binary(), timestamp=st.integers(min_value=0, max_value=2**40))
def test_every_signed_body_verifies_with_its_secret(body: bytes, timestamp: int) -> None:
    assert verify(SECRET, signed_headers(SECRET, timestamp, body), body, now=timestamp)
