"""The OpenAPI document every service serves: the statuses it really answers and its bearer
scheme, written once here rather than per route."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

ERROR_REF = "#/components/schemas/ErrorBody"

ERROR_MEANINGS = {
    400: "Malformed or invalid input; `field` names it (`rights_holders[1].share`, `after`)",
    401: "No bearer token, or one that is expired, forged or malformed",
    403: "The caller may not do this",
    404: "No such object, or none the caller may see",
    409: "The object's state forbids it (illegal transition, clash, duplicate), or the "
    "`Idempotency-Key` was used for another request (`IDEMPOTENCY_KEY_REUSED`)",
}


class ErrorBody(BaseModel):
    """What every 4xx answers: `{"code", "message", "field"}` (docs/service-apis.md)."""

    code: str
    message: str
    field: str | None


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=`: the 4xx it answers besides 400 and 401, which the app factory
    documents on every route that takes input and a token."""
    return {
        status: {"model": ErrorBody, "description": ERROR_MEANINGS[status]} for status in statuses
    }


def _error(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_MEANINGS[status],
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with 400 where FastAPI writes 422 (runtime.http answers every
    validation error 400), and 401 on each route that verifies a token: those carry the bearer
    scheme `runtime.auth` declares."""
    document = get_openapi(title=app.title, version=app.version, routes=app.routes)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorBody"] = ErrorBody.model_json_schema()
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", _error(400))
            if operation.get("security"):
                responses.setdefault("401", _error(401))
    return document


def document_api(app: FastAPI) -> None:
    """Makes `app` serve `build_openapi(app)` at /openapi.json (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
