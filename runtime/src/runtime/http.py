"""The HTTP app factory every service uses: health, readiness, metrics, and the one mapping
of domain errors to 4xx JSON bodies `{"code", "message", "field"}`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from contracts.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from opentelemetry import trace
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from runtime import metrics
from runtime.auth import Unauthenticated
from runtime.service import ServiceRuntime
from runtime.settings import ServiceSettings
from runtime.telemetry import instrument_app, setup_logging, setup_tracing

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
    return path or None


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, exc.field), status_code=status_of(exc)
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


def create_app(
    runtime: ServiceRuntime, *, title: str, routers: Sequence[APIRouter], version: str = "1"
) -> FastAPI:
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
    app.state.settings = settings
    app.state.platform_settings = settings.platform
    _install_error_handlers(app)

    @app.middleware("http")
    async def measure(request: Request, call_next: Any) -> Any:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        metrics.HTTP_SECONDS.labels(
            settings.service_name,
            request.method,
            getattr(route, "path", "unmatched"),
            str(response.status_code),
        ).observe(time.perf_counter() - started)
        return response

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
        app.include_router(router)
    instrument_app(app)
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Runs the app under uvicorn on the service's host and port (blocking)."""
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)


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
