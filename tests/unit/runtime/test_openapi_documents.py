"""Each service's OpenAPI document names the statuses it really answers: 400 (never FastAPI's
422) and 401 on every route, each with the error body, and the HTTP bearer scheme."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from filing.app import create_app as create_filing_app
from licensing.app import create_app as build_licensing_app
from notifications.app import create_app as build_notifications_app
from notifications.settings import NotificationsSettings


def _notifications() -> FastAPI:
    return build_notifications_app(NotificationsSettings(secret_key=Fernet.generate_key().decode()))


BUILDERS: dict[str, Callable[[], FastAPI]] = {
    "filing": create_filing_app,
    "licensing": build_licensing_app,
    "notifications": _notifications,
}


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


@pytest.mark.parametrize("service", BUILDERS)
def test_every_route_documents_400_and_401_with_the_error_body_and_never_422(service: str) -> None:
    document = BUILDERS[service]().openapi()
    operations = _operations(document)
    assert operations
    for label, operation in operations:
        responses = operation["responses"]
        assert "422" not in responses, label
        assert {"400", "401"} <= set(responses), label
        for status, response in responses.items():
            if status.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (label, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert set(document["components"]["schemas"]["ErrorBody"]["required"]) == {
        "code",
        "message",
        "field",
    }


@pytest.mark.parametrize("service", BUILDERS)
def test_every_route_requires_the_http_bearer_scheme(service: str) -> None:
    document = BUILDERS[service]().openapi()
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for label, operation in _operations(document):
        assert operation.get("security") == [{"bearer": []}], label


def test_routes_document_their_403_404_409_where_they_apply() -> None:
    filing = dict(_operations(create_filing_app().openapi()))
    assert set(filing["GET /works/{work_id}"]["responses"]) == {"200", "400", "401", "404"}
    assert {"403", "404", "409"} <= set(filing["POST /works/{work_id}/transfers"]["responses"])
    assert {"200", "201", "403"} <= set(filing["PUT /parties/{party_id}"]["responses"])
    assert "404" not in filing["GET /works/search"]["responses"]
    licensing = dict(_operations(build_licensing_app().openapi()))
    assert {"403", "404", "409"} <= set(
        licensing["POST /licences/{licence_id}/accept"]["responses"]
    )
    notifications = dict(_operations(_notifications().openapi()))
    assert "403" in notifications["GET /contacts/{party_id}"]["responses"]
