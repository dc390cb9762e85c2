"""Every route of filing, licensing and notifications, fuzzed from the service's own OpenAPI
document (schemathesis) over real HTTP, against its real database, with a valid token: no 5xx,
only the statuses the document names, bodies and content types as documented, malformed input
refused, the token enforced.

Bounded and deterministic: a fixed number of examples per route and mode, derandomized."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from devstack.kafka_access import provision
from fastapi import FastAPI
from filing.app import create_app as create_filing_app
from filing.settings import FilingSettings
from hypothesis import HealthCheck, Phase, given, settings
from licensing.app import create_app as build_licensing_app
from licensing.settings import LicensingSettings
from notifications.app import create_app as build_notifications_app
from runtime.http import running_server
from runtime.settings import PlatformSettings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from ..notifications.harness import test_settings as notifications_settings

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

# Per route and generation mode; the three services together stay well under 90 s here.
EXAMPLES = 6

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]


def _platform(name: str) -> PlatformSettings:
    # Topics of its own: the fuzzed service must not consume what other tests publish.
    # The service logs in to Kafka as itself, so its topics and ACLs are made for that prefix.
    base = PlatformSettings()
    platform = base.model_copy(
        update={"rights_topic_prefix": f"{base.rights_topic_prefix}{name}."}
    )
    provision(platform, platform.rights_topic_prefix)
    return platform


def _app(service: str, url: str) -> FastAPI:
    platform = _platform(f"fuzz-{service}")
    if service == "filing":
        return create_filing_app(FilingSettings(database_url=url, platform=platform))
    if service == "licensing":
        return build_licensing_app(
            LicensingSettings(
                database_url=url,
                platform=platform,
                # An offer of an unknown work answers 404 at once instead of waiting for the
                # register: the fuzzer sends hundreds of them.
                read_model_wait_seconds=0.0,
                register_group=f"licensing-fuzz-{uuid.uuid4().hex[:8]}",
            )
        )
    return build_notifications_app(notifications_settings(url, platform=platform))


@dataclass(frozen=True)
class Served:
    """A service answering over real HTTP, and a party calling it with a valid token."""

    base_url: str
    caller: uuid.UUID
    token: str

    def client(self) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=30)


@asynccontextmanager
async def served(
    service: str,
    create_database: Callable[[str], Awaitable[str]],
    token_for: Callable[..., str],
) -> AsyncIterator[Served]:
    url = await create_database(f"{service}_fuzz")
    caller = uuid.uuid4()
    async with running_server(_app(service, url)) as base_url:
        yield Served(base_url, caller, token_for(caller))


@dataclass
class Services:
    """Each service started on first use and kept until the module ends, whatever order
    pytest runs the tests in."""

    stack: AsyncExitStack
    create_database: Callable[[str], Awaitable[str]]
    token_for: Callable[..., str]
    running: dict[str, Served] = field(default_factory=dict)

    async def get(self, service: str) -> Served:
        if service not in self.running:
            context = served(service, self.create_database, self.token_for)
            self.running[service] = await self.stack.enter_async_context(context)
        return self.running[service]


@pytest.fixture(scope="module")
async def services(
    create_database: Callable[[str], Awaitable[str]], token_for: Callable[..., str]
) -> AsyncIterator[Services]:
    async with AsyncExitStack() as stack:
        yield Services(stack, create_database, token_for)


@pytest.fixture
async def api(request: pytest.FixtureRequest, services: Services) -> Served:
    """The service named by the test's (indirect) parameter."""
    return await services.get(request.param)


def fuzz(base_url: str, token: str, examples: int = EXAMPLES) -> list[str]:
    """Runs schemathesis over every operation of the served document (blocking: call it off the
    event loop that serves the app); answers one report per failing operation and mode."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    headers = {"Authorization": f"Bearer {token}"}
    session = requests.Session()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: schemathesis.Case) -> None:
                case.call_and_validate(
                    base_url=base_url, session=session, headers=headers, checks=CHECKS
                )

            try:
                call()
            except (Exception, BaseExceptionGroup) as exc:  # report every failing operation
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    return failures


@pytest.mark.parametrize("api", ["filing", "licensing", "notifications"], indirect=True)
async def test_every_route_answers_fuzzed_input_as_documented_and_never_5xx(api: Served) -> None:
    failures = await asyncio.to_thread(fuzz, api.base_url, api.token)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("api", ["notifications"], indirect=True)
async def test_notifications_by_subject_answers_bytes_that_are_not_a_uuid_400_naming_the_field(
    api: Served,
) -> None:
    """Issue 12, point 3: this answered 500 (the bytes reached the database)."""
    async with api.client() as client:
        for raw in ("\x00", "\x00\x01\xff", "not-a-uuid", "%00"):
            answer = await client.get("/notifications/by-subject", params={"subject_ids": raw})
            assert answer.status_code == 400, (raw, answer.text)
            assert answer.json()["field"] == "subject_ids", answer.json()
            assert answer.json()["code"] == "INVALID_INPUT"
        known = await client.get(
            "/notifications/by-subject", params={"subject_ids": str(uuid.uuid4())}
        )
        assert known.status_code == 200 and known.json() == {"items": {}}


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


# (method, path, query, JSON body, the field the 400 must name); `{me}` is the caller's id.
MALFORMED: dict[str, list[tuple[str, str, dict[str, Any], Any, str]]] = {
    "filing": [
        ("GET", "/parties", {"ids": "\x00"}, None, "ids"),
        ("GET", f"/parties/{uuid.uuid4()}x", {}, None, "party_id"),
        ("GET", "/works", {"ids": f"{uuid.uuid4()},12"}, None, "ids[1]"),
        ("GET", "/history", {"work_ids": "\x00"}, None, "work_ids"),
        ("GET", "/works/search", {"text": "rain\x00"}, None, "text"),
        ("GET", "/works/search", {"after": "garbage"}, None, "after"),
        ("GET", "/works/search", {"first": str(10**30)}, None, "first"),
        ("GET", "/works/search", {"first": "-1"}, None, "first"),
        ("GET", "/works/search", {"status": "LOST"}, None, "status"),
        ("GET", "/works/search", {"holder_id": "\x00"}, None, "holder_id"),
        ("GET", "/works/%00", {}, None, "work_id"),
        ("PUT", "/parties/{me}", {}, {"name": "A\x00", "kind": "PERSON", "country": "TH"}, "name"),
        ("PUT", "/parties/{me}", {}, {"name": "A", "kind": "ROBOT", "country": "TH"}, "kind"),
        ("POST", "/works", {}, {"title": "T", "kind": "MUSICAL_WORK"}, "rights_holders"),
        ("POST", f"/works/{uuid.uuid4()}/disputes", {}, {"reason": "\ud800"}, "reason"),
    ],
    "licensing": [
        ("GET", "/licences", {"ids": "\x00"}, None, "ids"),
        ("GET", "/licences/by-work", {"work_ids": "x,y"}, None, "work_ids[0]"),
        ("GET", "/licences/search", {"after": "garbage"}, None, "after"),
        ("GET", "/licences/search", {"first": "0"}, None, "first"),
        ("GET", "/licences/search", {"status": "LOST"}, None, "status"),
        ("GET", "/licences/search", {"work_id": "\x00"}, None, "work_id"),
        ("GET", "/licences/%00", {}, None, "licence_id"),
        ("GET", "/usage-reports", {"licence_ids": "\x00"}, None, "licence_ids"),
        ("GET", "/statements", {"licence_ids": "1"}, None, "licence_ids"),
        ("GET", "/licence-events", {"licence_ids": "1"}, None, "licence_ids"),
        (
            "GET",
            f"/works/{uuid.uuid4()}/availability",
            {"territories": "TH", "media": "STREAMING", "start": "2026-13-45"},
            None,
            "start",
        ),
        (
            "GET",
            "/availability",
            {
                "work_ids": str(uuid.uuid4()),
                "territories": "TH",
                "media": "STREAMING",
                "start": _today(),
                "exclusive": "maybe",
            },
            None,
            "exclusive",
        ),
        ("POST", f"/licences/{uuid.uuid4()}/decline", {}, {"reason": "no\x00"}, "reason"),
        (
            "POST",
            f"/licences/{uuid.uuid4()}/usage-reports",
            {},
            {"units": 1, "gross_revenue": "1.00", "period_start": "someday"},
            "period_start",
        ),
    ],
    "notifications": [
        ("GET", "/notifications/by-subject", {"subject_ids": "\x00"}, None, "subject_ids"),
        ("GET", "/notifications/by-recipient", {"recipient_ids": "x"}, None, "recipient_ids"),
        ("GET", "/notifications", {"recipient_id": "{me}", "after": "garbage"}, None, "after"),
        ("GET", "/notifications", {"recipient_id": "{me}", "first": "1000"}, None, "first"),
        (
            "GET",
            "/notifications",
            {"recipient_id": "{me}", "unread_only": "perhaps"},
            None,
            "unread_only",
        ),
        ("GET", "/notifications", {"recipient_id": "\x00"}, None, "recipient_id"),
        ("GET", "/contacts/%00", {}, None, "party_id"),
        ("POST", "/notifications/read", {}, {"ids": ["x"]}, "ids[0]"),
        ("PUT", "/contacts/{me}", {}, {"email": "a\x00@example.org"}, "email"),
    ],
}


@pytest.mark.parametrize(
    ("api", "case"),
    [(service, case) for service, cases in MALFORMED.items() for case in cases],
    ids=lambda value: value if isinstance(value, str) else f"{value[0]} {value[1]} {value[4]}",
    indirect=["api"],
)
async def test_a_malformed_id_cursor_number_date_or_enum_is_a_400_naming_the_field(
    api: Served, case: tuple[str, str, dict[str, Any], Any, str]
) -> None:
    method, path, query, body, field = case
    me = str(api.caller)
    params = {name: value.replace("{me}", me) for name, value in query.items()}
    # json.dumps escapes NUL and lone surrogates (`\\u0000`), as a JSON client would send them.
    content = None if body is None else json.dumps(body).encode()
    headers = {} if body is None else {"Content-Type": "application/json"}
    async with api.client() as client:
        answer = await client.request(
            method, path.replace("{me}", me), params=params, content=content, headers=headers
        )
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field, answer.json()
