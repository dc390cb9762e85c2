"""The pages' GraphQL operations against the published schema, the gateway's answers read
into data or a page status, and the session's rules (WEB.md)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate
from web.api import APIError, read_answer
from web.queries import OPERATIONS
from web.session import Refreshes, Tokens, kept, needs_refresh, safe_next

SCHEMA = build_schema(
    (Path(__file__).resolve().parents[3] / "gateway" / "schema.graphql").read_text()
)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_operation_the_pages_send_is_valid_against_the_gateways_schema(name: str) -> None:
    assert validate(SCHEMA, parse(OPERATIONS[name])) == []


def test_an_answer_with_data_gives_its_data() -> None:
    assert read_answer(200, {"data": {"work": None}}) == {"work": None}


@pytest.mark.parametrize(("status", "code", "page_status"), [
    (200, "NOT_FOUND", 404),
    (200, "UNAUTHENTICATED", 401),
    (200, "INVALID_INPUT", 400),
    (429, "RATE_LIMITED", 429),
    (200, "INTERNAL", 502),
    (413, "BODY_TOO_LARGE", 413),
])
def test_a_gateway_error_becomes_the_pages_status(status: int, code: str, page_status: int) -> None:
    body = {"errors": [{"message": "no", "extensions": {"code": code}}]}
    with pytest.raises(APIError) as refused:
        read_answer(status, body, retry_after="7")
    assert (refused.value.status, refused.value.code, refused.value.retry_after) == (
        page_status, code, "7")


def test_an_answer_that_is_not_json_is_a_bad_gateway() -> None:
    with pytest.raises(APIError) as refused:
        read_answer(502, None)
    assert refused.value.status == 502


def test_a_token_is_refreshed_within_the_margin_of_its_expiry() -> None:
    tokens = Tokens(access_token="a", refresh_token="r", expires_at=1000)
    assert not needs_refresh(tokens, now=969, margin_seconds=30)
    assert needs_refresh(tokens, now=970, margin_seconds=30)
    assert needs_refresh(tokens, now=2000, margin_seconds=30)


def test_the_session_keeps_only_the_tokens_and_their_expiry() -> None:
    answer = {"access_token": "a", "refresh_token": "r", "id_token": "i", "expires_at": 99,
              "userinfo": {"sub": "x"}, "scope": "openid", "token_type": "Bearer"}
    # The ID token stays out: the cookie must stay under the 4 KB browsers keep.
    assert kept(answer) == {"access_token": "a", "refresh_token": "r", "expires_at": 99}


@pytest.mark.parametrize(("wanted", "goes_to"), [
    ("/my/works", "/my/works"),
    ("/?q=song&status=FILED", "/?q=song&status=FILED"),
    ("//evil.example/", "/"),
    ("/\\evil.example/", "/"),
    ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    (None, "/"),
])
def test_going_back_after_sign_in_or_a_language_change_stays_on_this_site(
    wanted: str | None, goes_to: str
) -> None:
    assert safe_next(wanted) == goes_to


@pytest.mark.asyncio
async def test_pages_refreshing_one_session_at_once_send_its_refresh_token_once() -> None:
    refreshes = Refreshes(reuse_seconds=60)
    sent: list[str] = []
    started = asyncio.Semaphore(0)
    release = asyncio.Event()

    async def fetch() -> Tokens | None:
        sent.append("refresh")
        started.release()
        await release.wait()  # the first refresh is still under way when the others arrive
        return Tokens(access_token="new", refresh_token="next", expires_at=2)

    racing = [asyncio.create_task(refreshes.once("spent", fetch)) for _ in range(3)]
    other = asyncio.create_task(refreshes.once("another session's", fetch))
    await started.acquire()
    await started.acquire()  # each session's first refresh is under way; the rest wait
    release.set()
    answers = await asyncio.gather(*racing)
    assert [a and a["access_token"] for a in answers] == ["new"] * 3
    assert (await other) is not None
    assert sent == ["refresh", "refresh"]  # one per session, not one per page


@pytest.mark.asyncio
async def test_a_refused_refresh_is_refused_for_every_page_that_raced_it() -> None:
    refreshes = Refreshes(reuse_seconds=60)
    sent: list[str] = []

    async def refused() -> Tokens | None:
        sent.append("refresh")
        return None

    assert await asyncio.gather(*(refreshes.once("spent", refused) for _ in range(2))) \
        == [None, None]
    assert sent == ["refresh"]
