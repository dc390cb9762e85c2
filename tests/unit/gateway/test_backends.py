"""The one mapping from a service's answer to what the GraphQL client sees."""

from __future__ import annotations

import httpx
import pytest
from gateway.backends import ServiceClient, graphql_field, user_error_from_response
from gateway.errors import BackendFailure, NotFoundError


@pytest.mark.parametrize(
    ("service_field", "graphql"),
    [
        ("rights_holders[1].share", "rightsHolders[1].share"),
        ("identifiers.iswc", "identifiers.iswc"),
        ("country_of_origin", "countryOfOrigin"),
        ("to_party_id", "toPartyId"),
        (None, None),
        ("", None),
    ],
)
def test_service_field_names_become_graphql_input_names(
    service_field: str | None, graphql: str | None
) -> None:
    assert graphql_field(service_field) == graphql


def test_a_4xx_body_becomes_a_user_error_with_its_code_message_and_field() -> None:
    error = user_error_from_response("licensing", httpx.Response(
        409, json={"code": "LICENCE_CONFLICT", "message": "overlaps L1 in TH", "field": None}))
    assert (error.code, error.message, error.field) == ("LICENCE_CONFLICT", "overlaps L1 in TH",
                                                        None)
    missing = user_error_from_response("filing", httpx.Response(404, json={
        "code": "NOT_FOUND", "message": "no work", "field": "work_id"}))
    assert isinstance(missing, NotFoundError) and missing.field == "workId"


def test_a_4xx_without_a_proper_body_still_gets_a_code_and_a_message() -> None:
    error = user_error_from_response("filing", httpx.Response(403, text="<html>nope</html>"))
    assert error.code == "FORBIDDEN" and "filing" in error.message
    validation = user_error_from_response("filing", httpx.Response(422, json={
        "detail": [{"loc": ["body", "rights_holders", 0, "share"], "msg": "bad share"}]}))
    assert (validation.code, validation.field) == ("INVALID_INPUT", "rightsHolders[0].share")


async def test_5xx_network_failures_and_missing_routes_are_not_user_errors() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/boom":
            return httpx.Response(500, json={"detail": "ProgrammingError: SELECT ..."})
        if request.url.path == "/down":
            raise httpx.ConnectError("refused")
        return httpx.Response(404, json={"detail": "Not Found"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        client = ServiceClient(http, "svc", "http://svc", "token")
        for path in ("/boom", "/down"):
            with pytest.raises(BackendFailure) as failure:
                await client.call("GET", path)
            assert "SELECT" not in str(failure.value)
        # A route the service does not serve is a deployment fault, never NOT_FOUND.
        with pytest.raises(BackendFailure):
            await client.call("GET", "/nowhere")


async def test_a_read_dropped_by_the_service_is_sent_once_more_and_a_write_is_not() -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        if sent.count(request.method) == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response")
        return httpx.Response(200, json={"ok": True})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        client = ServiceClient(http, "notifications", "http://svc", token="t")
        assert await client.call("GET", "/notifications") == {"ok": True}
        with pytest.raises(BackendFailure):
            await client.call("POST", "/contacts", json={})
    assert sent == ["GET", "GET", "POST"]


async def test_a_refused_connection_goes_to_the_next_instance_even_for_a_write() -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.host}")
        if request.url.host == "filing-1":
            raise httpx.ConnectError("connection refused")
        return httpx.Response(201, json={"id": "w1"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        client = ServiceClient(http, "filing", "http://filing-1", token="t",
                               others=["http://filing-2"])
        assert await client.call("POST", "/works", json={}) == {"id": "w1"}
        alone = ServiceClient(http, "filing", "http://filing-1", token="t")
        with pytest.raises(BackendFailure):
            await alone.call("POST", "/works", json={})
    assert sent == ["POST filing-1", "POST filing-2", "POST filing-1"]
