"""Bad input gets a clear error and never reaches a service as something it would choke on:
malformed queries, missing tokens, unknown and foreign ids, limits, wrong scalar formats."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .gateway_client import codes

WORK_FIELDS = "work { id status } errors { code message field }"


async def test_a_malformed_query_is_a_bad_request_and_calls_no_service(
    gateway: Any, anyone: str
) -> None:
    result = await gateway.refused("{ works { edges ", token=anyone)
    assert codes(result) == ["BAD_REQUEST"]
    assert "Syntax Error" in result["errors"][0]["message"]


async def test_a_query_without_a_token_is_refused(gateway: Any) -> None:
    result = await gateway.refused("{ works { totalCount } }")
    assert codes(result) == ["UNAUTHENTICATED"]
    assert result["errors"][0]["message"] == "a bearer token is required"


async def test_an_expired_forged_or_foreign_token_is_refused(gateway: Any, idp: Any) -> None:
    from .fake_identity import FakeIdentityProvider

    expired = idp.token(str(uuid.uuid4()), "party", expires_in=-10)
    result = await gateway.refused("{ me { id } }", token=expired)
    assert codes(result) == ["UNAUTHENTICATED"]
    assert "expired" in result["errors"][0]["message"]
    valid = idp.token(str(uuid.uuid4()), "party")
    result = await gateway.refused("{ me { id } }", token=valid[:-4] + "AAAA")
    assert codes(result) == ["UNAUTHENTICATED"]
    # Signed by a key the realm does not publish; then right key, wrong audience or issuer.
    for refused in (
        FakeIdentityProvider().token(str(uuid.uuid4()), "party"),
        idp.token(str(uuid.uuid4()), "party", aud="another-api"),
        idp.token(str(uuid.uuid4()), "party", iss="http://127.0.0.1:8080/realms/master"),
        idp.token(str(uuid.uuid4()), "party", typ="ID"),
    ):
        result = await gateway.refused("{ me { id } }", token=refused)
        assert codes(result) == ["UNAUTHENTICATED"]


async def test_a_service_refusal_comes_back_in_the_payload_with_the_graphql_field_name(
    gateway: Any, fake: Any, token: Callable[..., str]
) -> None:
    filer = fake.add_party("Filer")
    mutation = f"""mutation ($i: FileWorkInput!) {{ fileWork(input: $i) {{ {WORK_FIELDS} }} }}"""
    holders = [{"partyId": filer, "role": "COMPOSER", "share": "50.00"},
               {"partyId": str(uuid.uuid4()), "role": "LYRICIST", "share": "50.00"}]
    data = await gateway.data(mutation, {"i": {"title": "T", "kind": "MUSICAL_WORK",
                                               "countryOfOrigin": "TH",
                                               "rightsHolders": holders}}, token(filer))
    assert data["fileWork"]["work"] is None
    assert data["fileWork"]["errors"] == [{"code": "UNKNOWN_PARTY", "message": "no such party",
                                           "field": "rightsHolders[1].partyId"}]


async def test_an_internal_failure_is_masked_and_logged_with_the_trace_id(
    gateway: Any, fake: Any, anyone: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake.crash_paths.add("/works/search")
    with caplog.at_level(logging.ERROR, logger="gateway"):
        result = await gateway.raw("{ works { totalCount } }", token=anyone)
    error = result["errors"][0]
    assert error["message"] == "Internal error: the request could not be completed."
    assert error["extensions"]["code"] == "INTERNAL"
    trace_id = error["extensions"]["traceId"]
    assert "psycopg" not in str(result) and "Traceback" not in str(result)
    assert any(trace_id in record.getMessage() for record in caplog.records)


async def test_an_unreachable_service_is_masked(
    settings_for: Callable[..., Any], anyone: str, idp: Any
) -> None:
    from gateway.app import build_state, create_app

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused to 10.0.0.7:5432")

    settings = settings_for()
    state = build_state(
        settings,
        http=httpx.AsyncClient(transport=httpx.MockTransport(refuse)),
        identity=idp.verifier(),
    )
    app = create_app(settings, state=state)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://gw") as client:
        response = await client.post(
            "/graphql", json={"query": "{ works { totalCount } }"},
            headers={"authorization": f"Bearer {anyone}"})
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert "10.0.0.7" not in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ works { edges { node { rightsHolders { party { works { edges { node { "
         "rightsHolders { party { works { edges { node { id } } } } } } } } } } } } } }",
         "exceeds maximum operation depth"),
        ("{ " + " ".join(f"a{i}: me {{ id }}" for i in range(20)) + " }", "aliases found"),
        ("{ me { " + " ".join(["id"] * 3000) + " } }", "more than 2000 tokens"),
    ],
    ids=["too-deep", "too-many-aliases", "too-many-tokens"],
)
async def test_expensive_queries_are_refused_before_any_service_call(
    query: str, expected: str, gateway: Any, anyone: str
) -> None:
    result = await gateway.refused(query, token=anyone)
    assert expected in result["errors"][0]["message"].lower() or expected in str(result).lower()
    assert result.get("data") is None


PAGE = "query ($f: Int!) { works(first: $f) { totalCount } }"
IDS = f'workId: "{uuid.uuid4()}", toPartyId: "{uuid.uuid4()}"'
TRANSFER_FLOAT = "mutation { transferShare(input: {" + IDS + ", share: 12.5}) { errors { code } } }"


@pytest.mark.parametrize(
    ("query", "variables", "code", "message"),
    [
        *(pytest.param(PAGE, {"f": f}, "LIMIT_EXCEEDED", "between 1 and 100", id=f"first={f}")
          for f in (0, -1, 101, 100000)),
        pytest.param('{ works(after: "not-a-cursor") { totalCount } }', None, "INVALID_CURSOR",
                     "", id="cursor-not-handed-out"),
        pytest.param("mutation ($ids: [ID!]!) { markNotificationsRead(ids: $ids) }",
                     {"ids": [str(uuid.uuid4()) for _ in range(501)]}, "LIMIT_EXCEEDED", "",
                     id="too-many-ids"),
        pytest.param(TRANSFER_FLOAT, None, "BAD_REQUEST", "", id="float-literal-for-money"),
    ],
)
async def test_out_of_bounds_arguments_are_refused_before_any_service_call(
    query: str, variables: dict[str, Any] | None, code: str, message: str, gateway: Any,
    anyone: str,
) -> None:
    result = await gateway.refused(query, variables, anyone)
    assert codes(result) == [code]
    assert message in result["errors"][0]["message"]


OFFER = """mutation ($i: OfferLicenceInput!) { offerLicence(input: $i) {
  licence { id } errors { code message field } } }"""


def offer_input(**overrides: Any) -> dict[str, Any]:
    return {"workId": str(uuid.uuid4()), "licenseeId": str(uuid.uuid4()),
            "territories": ["ASEAN"], "media": ["STREAMING"], "exclusive": False,
            "start": "2026-01-01", "royaltyRate": "10.00", "advance": "100.00",
            "currency": "USD", **overrides}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"royaltyRate": 10.5}, "must be a string", id="float"),
        pytest.param({"royaltyRate": 10}, "must be a string", id="int"),
        pytest.param({"advance": "1e3"}, "plain decimal", id="exponent"),
        pytest.param({"advance": "12.50001"}, "too many decimal places", id="five-places"),
        pytest.param({"advance": "twelve"}, "not a decimal", id="word"),
        pytest.param({"start": "01/02/2026"}, "YYYY-MM-DD", id="us-date"),
        pytest.param({"start": "2026-02-30"}, "not a calendar date", id="no-such-day"),
        pytest.param({"media": ["RADIO"]}, "RADIO", id="enum"),
    ],
)
async def test_wrong_scalar_formats_are_refused_with_a_clear_error(
    overrides: dict[str, Any], message: str, gateway: Any, anyone: str
) -> None:
    result = await gateway.refused(OFFER, {"i": offer_input(**overrides)}, anyone)
    assert codes(result) == ["BAD_REQUEST"], result
    assert message in result["errors"][0]["message"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("advance", "10.123"), ("royaltyRate", "10.125"), ("royaltyRate", "100.01"),
     ("currency", "XXY"), ("workId", "not-an-id"), ("end", "2025-01-01")],
)
async def test_values_wrong_for_their_field_come_back_as_user_errors(
    field: str, value: str, gateway: Any, anyone: str
) -> None:
    result = await gateway.refused(OFFER, {"i": offer_input(**{field: value})}, anyone)
    assert not result.get("errors"), result
    errors = result["data"]["offerLicence"]["errors"]
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["message"]


async def test_unknown_and_malformed_ids_read_as_null_without_troubling_a_service(
    gateway: Any, fake: Any, anyone: str
) -> None:
    data = await gateway.data(
        """query ($u: ID!) { bad: work(id: "../../etc/passwd") { id } unknown: work(id: $u) { id }
             licence(id: "1 OR 1=1") { id } party(id: $u) { id } }""",
        {"u": str(uuid.uuid4())}, anyone)
    assert data == {"bad": None, "unknown": None, "licence": None, "party": None}
    assert all("passwd" not in path and "1=1" not in path for _, _, path in fake.calls)
    assert len(fake.calls) == 2  # one batched call per service asked, with the valid id only


async def test_share_with_three_places_is_refused_naming_the_holder(
    gateway: Any, fake: Any, token: Callable[..., str]
) -> None:
    filer = fake.add_party()
    result = await gateway.refused(
        f"mutation ($i: FileWorkInput!) {{ fileWork(input: $i) {{ {WORK_FIELDS} }} }}",
        {"i": {"title": "T", "kind": "MUSICAL_WORK", "countryOfOrigin": "TH",
               "rightsHolders": [{"partyId": filer, "role": "COMPOSER", "share": "99.995"},
                                 {"partyId": filer, "role": "LYRICIST", "share": "0.005"}]}},
        token(filer))
    assert not result.get("errors"), result
    errors = result["data"]["fileWork"]["errors"]
    assert [e["field"] for e in errors] == ["rightsHolders[0].share"]


async def test_production_switches_off_introspection_graphiql_and_suggestions(
    make_fake: Callable[..., Any], open_gateway: Callable[..., Any], anyone: str
) -> None:
    fake = make_fake()
    async with open_gateway(fake, environment="production") as gw:
        introspection = await gw.raw("{ __schema { types { name } } }", token=anyone)
        typo = await gw.raw("{ wroks { totalCount } }", token=anyone)
        page = await gw.client.get("/graphql", headers={"accept": "text/html"})
    assert introspection.get("data") is None
    assert "introspection" in introspection["errors"][0]["message"].lower()
    assert "Did you mean" not in typo["errors"][0]["message"]
    assert "graphiql" not in page.text.lower()


async def test_local_runs_serve_introspection_graphiql_and_suggestions(
    gateway: Any, anyone: str
) -> None:
    introspection = await gateway.data("{ __schema { queryType { name } } }", token=anyone)
    typo = await gateway.raw("{ wroks { totalCount } }", token=anyone)
    page = await gateway.client.get("/graphql", headers={"accept": "text/html"})
    assert introspection["__schema"]["queryType"]["name"] == "Query"
    assert "Did you mean" in typo["errors"][0]["message"]
    assert "graphiql" in page.text.lower()


async def test_graphiql_can_introspect_the_whole_schema_within_the_limits(gateway: Any) -> None:
    from graphql import build_client_schema, get_introspection_query

    result = await gateway.raw(get_introspection_query(descriptions=True))
    assert not result.get("errors"), result.get("errors")
    schema = build_client_schema(result["data"])
    assert schema.get_type("Licence") is not None


async def test_a_malformed_id_in_a_filter_is_a_clear_error(gateway: Any, anyone: str) -> None:
    result = await gateway.refused('{ licences(filter: {workId: "x"}) { totalCount } }',
                                   token=anyone)
    assert codes(result) == ["INVALID_INPUT"]
    assert result["errors"][0]["extensions"]["field"] == "filter.workId"


@pytest.mark.parametrize(
    ("standing", "field"),
    [("", "evidence"), ('evidence: "  "', "evidence"),
     ('claimedRole: COMPOSER, claimedShare: "10.005"', "claimedShare"),
     ('claimedRole: COMPOSER, claimedShare: "0"', "claimedShare")],
)
async def test_a_dispute_without_standing_is_refused_before_the_filing_service(
    standing: str, field: str, gateway: Any, anyone: str
) -> None:
    """DOMAIN.md: a dispute states a claimed role and share, or evidence."""
    args = f", {standing}" if standing else ""
    result = await gateway.refused(
        f"""mutation ($w: ID!) {{ disputeWork(workId: $w, reason: "mine"{args}) {{
             {WORK_FIELDS} }} }}""",
        {"w": str(uuid.uuid4())}, anyone)
    assert not result.get("errors"), result
    assert result["data"]["disputeWork"]["work"] is None
    assert [e["field"] for e in result["data"]["disputeWork"]["errors"]] == [field]


async def test_a_bad_currency_argument_is_a_clear_error_naming_it(gateway: Any, anyone: str) -> None:
    for query, field in (
        ('{ myStatements(convertTo: "EURO") { totalCount } }', "convertTo"),
        ('{ myBalances(currency: "XAU") { currency } }', "currency"),
        ('{ exchangeRates(quote: "gold") { rate } }', "quote"),
    ):
        result = await gateway.refused(query, token=anyone)
        assert result["errors"][0]["extensions"] == {"code": "INVALID_MONEY", "field": field}
