"""The ASGI app: FastAPI serving /graphql (HTTP and graphql-transport-ws), /health, /ready
and /metrics (Prometheus, as the services), and locally GraphiQL with its files."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    Response,
    StreamingResponse,
)
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from runtime.http import Measured
from runtime.identity import IdentitySettings, IdentityVerifier
from runtime.kafka_security import client_security
from runtime.telemetry import instrument_app
from starlette.background import BackgroundTask
from starlette.requests import HTTPConnection, Request
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from web.app import mount as mount_web

from gateway.auth import GatewayIdentity
from gateway.context import GatewayContext, GatewayState
from gateway.graphiql import ASSETS_PATH, GraphiQL
from gateway.rate_limits import RequestLimits
from gateway.schema.build import make_schema
from gateway.settings import GatewaySettings
from gateway.subscriptions import KafkaUpdateFeed, UpdateHub

log = logging.getLogger("gateway")
_IMPORT_ID = re.compile(r"[0-9a-fA-F-]{36}")
# GraphiQL's files sit under versioned addresses: one address, one content, for good.
IMMUTABLE = "public, max-age=31536000, immutable"


class GatewayRouter(GraphQLRouter[GatewayContext, None]):
    def __init__(self, *args: Any, graphiql: GraphiQL | None = None, **kwargs: Any) -> None:
        kwargs["graphql_ide"] = "graphiql" if graphiql else None
        super().__init__(*args, **kwargs)
        self.graphiql = graphiql

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # strawberry's own page loads its files from a CDN; ours, from this gateway.
        page, status = self.graphiql.page() if self.graphiql else ("", 404)
        return HTMLResponse(page, status_code=status)

    async def on_ws_connect(self, context: GatewayContext) -> dict[str, object] | None:
        # A subscription socket must present a valid token in its connection_init payload
        # (or the handshake's Authorization header) before anything else happens.
        if await context.authenticate_from(context.headers()) is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        return None


def build_state(
    settings: GatewaySettings,
    http: httpx.AsyncClient | None = None,
    identity: IdentityVerifier | None = None,
) -> GatewayState:
    """The process's shared parts; tests pass an httpx client that fakes the services and a
    verifier that trusts their fake provider."""
    identity_settings = IdentitySettings()
    client = http or httpx.AsyncClient(
        timeout=settings.backend_timeout_seconds,
        limits=httpx.Limits(
            max_connections=settings.backend_max_connections,
            max_keepalive_connections=settings.backend_max_connections,
            keepalive_expiry=settings.backend_keepalive_seconds,
        ),
    )
    account = GatewayIdentity(
        client,
        identity_settings,
        settings.identity_client_id,
        settings.identity_client_secret.get_secret_value(),
    )
    return GatewayState(
        settings=settings,
        http=client,
        identity=identity or IdentityVerifier(identity_settings),
        account=account,
        hub=UpdateHub(),
    )


def create_app(
    settings: GatewaySettings | None = None, *, state: GatewayState | None = None
) -> FastAPI:
    """The gateway app; tests pass a `state` whose httpx client fakes the services."""
    settings = settings or (state.settings if state else GatewaySettings())
    state = state or build_state(settings)
    feed: KafkaUpdateFeed | None = None

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal feed
        if settings.subscriptions_enabled:
            feed = KafkaUpdateFeed(
                state.hub,
                settings.platform.kafka_bootstrap_servers,
                settings.platform.rights_topic_prefix,
                client_security(settings.platform, settings.kafka_principal),
                replication=(settings.platform.kafka_replication_factor,
                             settings.platform.kafka_min_insync_replicas),
            )
            await feed.start()
        try:
            yield
        finally:
            if feed is not None:
                await feed.stop()
            await state.http.aclose()

    async def get_context(connection: HTTPConnection) -> GatewayContext:
        context = GatewayContext(state)
        if connection.scope["type"] == "http":
            # A socket's token comes with its connection_init, checked in on_ws_connect.
            await context.authenticate_from(connection.headers)
        return context

    graphiql = GraphiQL(settings.graphiql_assets_dir) if settings.graphiql_on else None
    router = GatewayRouter(
        make_schema(settings),
        context_getter=get_context,
        graphiql=graphiql,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        # `importWorks` takes files (GraphQL multipart request spec). Every request carries a
        # bearer token, never a cookie, so a cross-site form cannot act for anybody.
        multipart_uploads_enabled=True,
    )
    app = FastAPI(
        title="rights gateway", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None
    )
    if graphiql is not None:
        graphiql.load()  # says in the log, at start, whether the page can work
        ide = graphiql

        @app.get(ASSETS_PATH + "/{local_path:path}", include_in_schema=False)
        async def graphiql_file(local_path: str) -> Response:
            path = ide.file(local_path)
            if path is None:
                return Response(status_code=404)
            return FileResponse(path, headers={"cache-control": IMMUTABLE})

    app.include_router(router, prefix="/graphql")
    app.state.gateway = state
    # Body size and request rates are refused before GraphQL reads a byte (rate_limits.py).
    app.add_middleware(RequestLimits, settings=settings, identity=state.identity)
    # Each request's seconds by route and status, as every service measures its own.
    app.add_middleware(Measured, service_name="gateway")
    # The request span is the parent of every service call (httpx is instrumented per process).
    instrument_app(app)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/imports/{import_id}/errors", include_in_schema=False)
    async def import_errors(import_id: str, request: Request) -> Response:
        """An uploaded import's error report (CSV), streamed from filing, which checks that
        the token's party ran the import."""
        headers = {"accept": "text/csv"}
        if "authorization" in request.headers:
            headers["authorization"] = request.headers["authorization"]
        if not _IMPORT_ID.fullmatch(import_id):
            return JSONResponse({"code": "NOT_FOUND", "message": "no such import"}, 404)
        upstream = await state.http.send(
            state.http.build_request(
                "GET", f"{state.urls.filing}/imports/{import_id}/errors", headers=headers
            ),
            stream=True,
        )
        if upstream.status_code != 200:
            body = await upstream.aread()
            await upstream.aclose()
            return Response(body, status_code=upstream.status_code,
                            media_type=upstream.headers.get("content-type"))
        return StreamingResponse(upstream.aiter_raw(), media_type="text/csv; charset=utf-8",
                                 background=BackgroundTask(upstream.aclose))

    @app.get("/cwr-files/{file_id}", include_in_schema=False)
    async def cwr_file(file_id: str, request: Request) -> Response:
        """A CWR file made by `exportCwr`, from filing, which checks the token's roles."""
        if not _IMPORT_ID.fullmatch(file_id):
            return JSONResponse({"code": "NOT_FOUND", "message": "no such file"}, 404)
        headers = {}
        if "authorization" in request.headers:
            headers["authorization"] = request.headers["authorization"]
        upstream = await state.http.get(f"{state.urls.filing}/cwr-files/{file_id}",
                                        headers=headers)  # fmt: skip
        return Response(
            upstream.content, status_code=upstream.status_code,
            media_type=upstream.headers.get("content-type"),
            headers={k: v for k, v in upstream.headers.items()
                     if k.lower() == "content-disposition"},
        )  # fmt: skip

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready")
    async def ready() -> Any:
        subscriptions_ready = not settings.subscriptions_enabled or state.hub.ready.is_set()
        status = 200 if subscriptions_ready else 503
        return JSONResponse(
            {
                "status": "ready" if subscriptions_ready else "starting",
                "subscriptions": subscriptions_ready,
            },
            status_code=status,
        )

    # The web app's pages at "/", after every route above: a client of /graphql (WEB.md).
    mount_web(app)
    return app
