"""The HTTP app factory every service uses: health, readiness, metrics, and the one mapping
of domain errors to 4xx JSON bodies `{"code", "message", "field"}`."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import uvicorn
from contracts.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from opentelemetry import trace
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime import metrics
from runtime.auth import Unauthenticated
from runtime.identity import IdentityProviderUnavailable, IdentityVerifier
from runtime.openapi import document_api
from runtime.service import ServiceHandle, ServiceRuntime
from runtime.settings import ServiceSettings
from runtime.telemetry import instrument_app, setup_logging, setup_tracing

H = TypeVar("H", bound=ServiceHandle)

log = logging.getLogger(__name__)

STATUS_BY_KIND: list[tuple[type[DomainError], int]] = [
    (Unauthenticated, 401),
    (NotAllowed, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 400),
    (DomainError, 400),
]


def status_of(error: DomainError) -> int:
    for kind, status in STATUS_BY_KIND:
        if isinstance(error, kind):
            return status
    return 400


def error_body(code: str, message: str, field: str | None) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field}


def _field_path(loc: Sequence[Any]) -> str | None:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    # A missing or malformed body as a whole is named `body`.
    return path or ("body" if tuple(loc)[:1] == ("body",) else None)


# PostgreSQL text holds neither NUL nor a lone UTF-16 surrogate (which a JSON \u escape can
# smuggle in): either would fail in the database as a 500 instead of a 400.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def _unstorable_at(value: Any, path: str) -> str | None:
    """The request-style path (`rights_holders[1].share`) of the first unstorable string."""
    if isinstance(value, str):
        return path if _unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _unstorable_at(key, path or "body") or _unstorable_at(
                item, f"{path}.{key}" if path else str(key)
            )
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _unstorable_at(item, f"{path}[{index}]")
            if found:
                return found
    return None


async def refuse_unstorable_text(request: Request) -> None:
    """Every service route's first dependency: a path, query or JSON body value with a character no
    service can store is a 400 naming it, whatever the route does with it."""
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        if isinstance(value, str) and _unstorable(value):
            raise InvalidInput(f"{name} contains a character that cannot be stored", field=name)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return  # an upload is read streamed by its own route (filing's bulk import), never whole
    body = await request.body()
    # Only a body carrying a NUL or an escape can hold such a character: parse just those.
    if b"\\u" in body or b"\x00" in body:
        try:
            parsed = json.loads(body)
            field = _unstorable_at(parsed, "")
        except ValueError:
            return  # not JSON: the route's own parsing refuses it
        except RecursionError:
            raise InvalidInput("the body is nested too deeply", field="body") from None
        if field is not None:
            raise InvalidInput(f"{field} contains a character that cannot be stored", field=field)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, exc.field), status_code=status_of(exc)
        )

    @app.exception_handler(IdentityProviderUnavailable)
    async def provider_down(_: Request, exc: IdentityProviderUnavailable) -> JSONResponse:
        log.warning("%s", exc)
        return JSONResponse(
            error_body("IDENTITY_PROVIDER_UNAVAILABLE", "tokens cannot be checked right now", None),
            status_code=503,
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        # A body that is not JSON or not UTF-8 is refused by the framework itself: it answers
        # the same body as every other 400. Its 404/405 for a path or method no route serves
        # stay FastAPI's `{"detail"}` without a code: how the gateway tells a route missing.
        if exc.status_code != 400:
            return await http_exception_handler(request, exc)
        return JSONResponse(
            error_body("INVALID_INPUT", str(exc.detail), "body"),
            status_code=400,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first: dict[str, Any] = dict(errors[0]) if errors else {"loc": (), "msg": "invalid"}
        # A DomainError raised inside a pydantic validator keeps its own field name.
        ctx_error = (first.get("ctx") or {}).get("error")
        if isinstance(ctx_error, DomainError):
            field = ctx_error.field or _field_path(first.get("loc", ()))
            body = error_body(ctx_error.code, ctx_error.message, field)
        elif first.get("type") == "json_invalid":
            body = error_body("INVALID_INPUT", "the body is not valid JSON", "body")
        else:
            field = _field_path(first.get("loc", ()))
            message = str(first.get("msg", "invalid value"))
            body = error_body("INVALID_INPUT", f"{field}: {message}" if field else message, field)
        return JSONResponse(body, status_code=400)

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> JSONResponse:
        span = trace.get_current_span().get_span_context()
        trace_id = format(span.trace_id, "032x") if span.is_valid else None
        log.exception("unhandled error (trace %s)", trace_id)
        body = error_body("INTERNAL", "internal error; quote the trace id to support", None)
        body["trace_id"] = trace_id
        return JSONResponse(body, status_code=500)


class Measured:
    """Each request's seconds by method, route and status (`rights_http_request_seconds`): a
    plain ASGI middleware (Starlette's `BaseHTTPMiddleware` costs a task group and a memory
    stream per request)."""

    def __init__(self, app: ASGIApp, *, service_name: str) -> None:
        self.app = app
        self.service_name = service_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            metrics.HTTP_SECONDS.labels(
                self.service_name, scope["method"], _route_label(scope), str(status)
            ).observe(time.perf_counter() - started)


def _route_label(scope: Scope) -> str:
    """The matched route's template, never the raw path (unbounded label values), except
    where an included router's root route matched: its path is relative ("") and the
    request's path is then exactly its prefix (the gateway's /graphql)."""
    route = scope.get("route")
    if route is None:
        return "unmatched"
    return str(getattr(route, "path", "") or scope["path"])


def handle_dependency(cls: type[H]) -> Callable[[Request], Awaitable[H]]:
    """The FastAPI dependency through which a service's routes get its handle, typed: the
    one place a route's service is looked up (`create_app(..., handle=)` puts it there)."""

    # A coroutine: FastAPI runs a plain function dependency in a worker thread (a thread hop
    # per request).
    async def provided(request: Request) -> H:
        handle = request.app.state.handle
        if not isinstance(handle, cls):
            raise RuntimeError(f"this app was not created with a {cls.__name__} handle")
        return handle

    return provided


def create_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    routers: Sequence[APIRouter],
    handle: ServiceHandle | None = None,
    identity: IdentityVerifier | None = None,
    version: str = "1",
) -> FastAPI:
    """The service's HTTP app; its lifespan starts and stops `runtime`, and its routes get
    `handle` (the service's typed handle) through `handle_dependency`. Callers are verified
    by `identity` (default: the provider the IDENTITY_* settings name)."""
    settings = runtime.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, version=version, lifespan=lifespan)
    app.state.runtime = runtime
    app.state.handle = handle
    app.state.settings = settings
    app.state.platform_settings = settings.platform
    app.state.identity = identity or IdentityVerifier()
    _install_error_handlers(app)

    app.add_middleware(Measured, service_name=settings.service_name)

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @app.get("/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        ok, report = await runtime.readiness()
        return JSONResponse({"ready": ok, **report}, status_code=200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        # The service's own routes only: /health, /ready and /metrics take no input.
        app.include_router(router, dependencies=[Depends(refuse_unstorable_text)])
    document_api(app)
    instrument_app(app)
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Runs the app under uvicorn on the service's host and port (blocking)."""
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_keep_alive=settings.http_keep_alive_seconds,
    )


def prepare_process(settings: ServiceSettings) -> None:
    """Logging and tracing for a service process; call before building the runtime."""
    setup_logging(
        settings.service_name, level=settings.platform.log_level, as_json=settings.platform.log_json
    )
    setup_tracing(settings.service_name)


@asynccontextmanager
async def running_server(
    app: FastAPI, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serves `app` over real HTTP inside the current event loop; yields its base URL.

    For tests and tools that need a live service without a subprocess. Port 0 picks a free one.
    """
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # start-up failed: raise its error here
                raise RuntimeError("server stopped during start-up")
            await asyncio.sleep(0.02)
        sockets = [s for srv in server.servers for s in srv.sockets]
        bound_port = sockets[0].getsockname()[1]
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        await task
