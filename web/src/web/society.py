"""A collecting society's view (WEB.md, "A society's view"): the registrations in the register
and the statements of every licence, which a society reads through its accounts' `society`
role (DOMAIN.md, "Access"), and how to connect its own consumer to the event stream
(EVENTS.md, KAFKA.md): read from the platform's settings, never a secret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from contracts.topics import EVENT_TOPICS, SCHEMA_BASE_URI
from runtime.kafka_security import SASL_MECHANISM
from runtime.settings import PlatformSettings
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web import money_labels
from web.api import APIError
from web.money_queries import SOCIETY, SOCIETY_ROLE
from web.queries import PAGE_SIZE
from web.settings import WebSettings
from web.signed_in import token_or_sign_in

if TYPE_CHECKING:
    from web.app import Pages


@dataclass(frozen=True)
class EventStream:
    """What a society's consumer needs to connect, and nothing secret."""

    bootstrap_servers: str
    security_protocol: str
    sasl_mechanism: str
    topics: tuple[str, ...]
    schema_base_uri: str


def event_stream(web: WebSettings, platform: PlatformSettings) -> EventStream:
    return EventStream(
        bootstrap_servers=web.events_bootstrap_servers or platform.kafka_bootstrap_servers,
        security_protocol=platform.kafka_security_protocol,
        sasl_mechanism=SASL_MECHANISM,
        topics=tuple(platform.topic(name) for name in EVENT_TOPICS),
        schema_base_uri=SCHEMA_BASE_URI,
    )


class SocietyPages:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.stream = event_stream(pages.settings, PlatformSettings())

    async def view(self, request: Request) -> Response:
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        variables = {"first": PAGE_SIZE, "after": request.query_params.get("after") or None}
        try:
            role = await self.pages.ask(request, SOCIETY_ROLE, {}, token=token)
            if not role["collectingSociety"]:
                return self.pages.render(request, "society.html", me=role["me"], society=False)
            data = await self.pages.ask(request, SOCIETY, variables, token=token)
        except APIError as error:
            return self.pages.failed(request, error)
        return self.pages.render(request, "society.html", me=data["me"], society=True,
                                 works=data["works"], licences=data["licences"],
                                 money_labels=money_labels)

    async def events(self, request: Request) -> Response:
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        try:
            role = await self.pages.ask(request, SOCIETY_ROLE, {}, token=token)
        except APIError as error:
            return self.pages.failed(request, error)
        return self.pages.render(request, "society_events.html", me=role["me"],
                                 society=role["collectingSociety"], stream=self.stream)


def routes(pages: Pages) -> list[Route]:
    society = SocietyPages(pages)
    return [Route("/society", society.view, name="society"),
            Route("/society/events", society.events, name="society_events")]
