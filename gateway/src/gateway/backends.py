"""One small client per service over a shared pooled httpx client, forwarding the caller's token.

This is the ONE place where a service's 4xx body becomes a `UserError` (with its field name in
the GraphQL input's camelCase), a 401 becomes `Unauthenticated`, and a 5xx or a network
failure becomes a masked `BackendFailure`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

import httpx

from gateway.auth import Unauthenticated
from gateway.errors import BackendFailure, NotFoundError, UserError

log = logging.getLogger("gateway.backends")

Json = dict[str, Any]
T = TypeVar("T")

_SNAKE_PART = re.compile(r"_([a-z0-9])")
# Where a service's request field sits under another name in the GraphQL input.
_FIELD_RENAMES = {"isbn13": "isbn"}


def graphql_field(field: Any) -> str | None:
    """`rights_holders[1].share` (service) -> `rightsHolders[1].share` (GraphQL input)."""
    if not isinstance(field, str) or not field:
        return None
    parts = []
    for part in field.split("."):
        name, bracket, rest = part.partition("[")
        name = _FIELD_RENAMES.get(name, name)
        parts.append(_SNAKE_PART.sub(lambda m: m.group(1).upper(), name) + bracket + rest)
    return ".".join(parts)


def user_error_from_response(service: str, response: httpx.Response) -> UserError:
    """A service's 4xx answer as the UserError the client sees."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    default_code = {
        400: "INVALID_INPUT",
        403: "FORBIDDEN",
        404: "NOT_FOUND",
        409: "CONFLICT",
        422: "INVALID_INPUT",
    }.get(response.status_code, "INVALID_INPUT")
    raw_code = body.get("code")
    code = raw_code if isinstance(raw_code, str) and raw_code else default_code
    message = body.get("message")
    if not isinstance(message, str) or not message:
        message = f"{service} refused the request ({response.status_code})"
    field = graphql_field(body.get("field"))
    if response.status_code == 404 and code == "NOT_FOUND":
        return NotFoundError(message, field)
    # FastAPI's own validation answers 422 {"detail": [...]}: name the first field it blames.
    if response.status_code == 422 and "detail" in body and "code" not in body:
        detail = body["detail"]
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            path = ""
            for part in detail[0].get("loc", []):
                if part in ("body", "query", "path"):
                    continue
                path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
            return UserError(
                "INVALID_INPUT", str(detail[0].get("msg", message)), graphql_field(path)
            )
    return UserError(code, message, field)


def _route_missing(response: httpx.Response) -> bool:
    if response.status_code not in (404, 405):
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "detail" in body and "code" not in body


class ServiceClient:
    """Calls one service's HTTP API with the caller's token; counts calls for tests."""

    def __init__(self, http: httpx.AsyncClient, name: str, base_url: str, token: str | None):
        self.http = http
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.token = token

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        token: str | None = None,
    ) -> Any:
        headers = {"accept": "application/json"}
        bearer = token or self.token
        if bearer:
            headers["authorization"] = f"Bearer {bearer}"
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = await self.http.request(
                method, self.base_url + path, params=clean_params, json=json, headers=headers
            )
        except httpx.HTTPError as exc:
            log.warning("%s %s %s failed: %s", self.name, method, path, type(exc).__name__)
            raise BackendFailure(f"{self.name} unreachable") from exc
        status = response.status_code
        if status < 300:
            return response.json() if response.content else None
        if status == 401:
            raise Unauthenticated("the token was refused")
        if _route_missing(response):
            # FastAPI's own 404/405, without a code: a gateway and service out of step, not a
            # missing object, so never told to the client as NOT_FOUND.
            log.error("%s has no route %s %s", self.name, method, path)
            raise BackendFailure(f"{self.name} has no route {method} {path}")
        if 400 <= status < 500:
            raise user_error_from_response(self.name, response)
        log.error("%s %s %s answered %s", self.name, method, path, status)
        raise BackendFailure(f"{self.name} answered {status}")

    async def batch(
        self, path: str, key: str, ids: Sequence[str], **params: str | None
    ) -> Any:
        return (await self.call("GET", path, params={**params, key: ",".join(ids)}))["items"]


def _ids(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _flag(value: bool | None) -> str | None:
    return None if value is None else str(value).lower()


@dataclass(frozen=True)
class WorkSearch:
    """The register's search filters (`GET /works/search`); None leaves a filter out."""

    text: str | None = None
    status: str | None = None
    kind: str | None = None
    holder_id: str | None = None
    iswc: str | None = None
    isrc: str | None = None
    isbn: str | None = None


@dataclass(frozen=True)
class LicenceSearch:
    """Licensing's search filters (`GET /licences/search`); None leaves a filter out."""

    work_id: str | None = None
    status: str | None = None
    as_licensee: bool | None = None


@dataclass(frozen=True)
class AvailabilityTerms:
    """The terms an availability question is asked on, as licensing's query parameters."""

    territories: str
    media: str
    start: str
    end: str | None
    exclusive: bool


class FilingClient(ServiceClient):
    async def register_party(self, party_id: str, body: Json, token: str) -> Json:
        result: Json = await self.call("PUT", f"/parties/{party_id}", json=body, token=token)
        return result

    async def parties(self, ids: Sequence[str]) -> list[Json]:
        result: list[Json] = await self.batch("/parties", "ids", _ids(ids))
        return result

    async def works(self, ids: Sequence[str]) -> list[Json]:
        result: list[Json] = await self.batch("/works", "ids", _ids(ids))
        return result

    async def history(self, work_ids: Sequence[str]) -> dict[str, list[Json]]:
        result: dict[str, list[Json]] = await self.batch("/history", "work_ids", _ids(work_ids))
        return result

    async def search_works(self, search: WorkSearch, *, first: int, after: str | None) -> Json:
        params = {**asdict(search), "first": first, "after": after}
        result: Json = await self.call("GET", "/works/search", params=params)
        return result

    async def file_work(self, body: Json) -> Json:
        result: Json = await self.call("POST", "/works", json=body)
        return result

    async def review(self, work_id: str, body: Json) -> Json:
        result: Json = await self.call("POST", f"/works/{work_id}/review", json=body)
        return result

    async def transfer(self, work_id: str, body: Json) -> Json:
        result: Json = await self.call("POST", f"/works/{work_id}/transfers", json=body)
        return result

    async def dispute(self, work_id: str, body: Json) -> Json:
        result: Json = await self.call("POST", f"/works/{work_id}/disputes", json=body)
        return result

    async def resolve_dispute(self, work_id: str, body: Json) -> Json:
        result: Json = await self.call("POST", f"/works/{work_id}/dispute-resolution", json=body)
        return result


class LicensingClient(ServiceClient):
    async def licences(self, ids: Sequence[str]) -> list[Json]:
        result: list[Json] = await self.batch("/licences", "ids", _ids(ids))
        return result

    async def licences_by_work(
        self, work_ids: Sequence[str], status: str | None
    ) -> dict[str, list[Json]]:
        result: dict[str, list[Json]] = await self.batch(
            "/licences/by-work", "work_ids", _ids(work_ids), status=status
        )
        return result

    async def search_licences(
        self, search: LicenceSearch, *, first: int, after: str | None
    ) -> Json:
        params = {
            "work_id": search.work_id,
            "status": search.status,
            "as_licensee": _flag(search.as_licensee),
            "first": first,
            "after": after,
        }
        result: Json = await self.call("GET", "/licences/search", params=params)
        return result

    async def availability_many(
        self, work_ids: Sequence[str], terms: AvailabilityTerms
    ) -> dict[str, Json]:
        """One call for many works asked about on the same terms."""
        result: dict[str, Json] = await self.batch(
            "/availability",
            "work_ids",
            _ids(work_ids),
            territories=terms.territories,
            media=terms.media,
            start=terms.start,
            end=terms.end,
            exclusive=_flag(terms.exclusive),
        )
        return result

    async def usage_reports(self, licence_ids: Sequence[str]) -> dict[str, list[Json]]:
        result: dict[str, list[Json]] = await self.batch(
            "/usage-reports", "licence_ids", _ids(licence_ids)
        )
        return result

    async def statements(self, licence_ids: Sequence[str]) -> dict[str, list[Json]]:
        result: dict[str, list[Json]] = await self.batch(
            "/statements", "licence_ids", _ids(licence_ids)
        )
        return result

    async def licence_events(self, licence_ids: Sequence[str]) -> dict[str, list[Json]]:
        result: dict[str, list[Json]] = await self.batch(
            "/licence-events", "licence_ids", _ids(licence_ids)
        )
        return result

    async def offer(self, body: Json) -> Json:
        result: Json = await self.call("POST", "/licences", json=body)
        return result

    async def transition(self, licence_id: str, action: str, body: Json | None = None) -> Json:
        result: Json = await self.call("POST", f"/licences/{licence_id}/{action}", json=body or {})
        return result

    async def report_usage(self, licence_id: str, body: Json) -> Json:
        result: Json = await self.call(
            "POST", f"/licences/{licence_id}/usage-reports", json=body
        )
        return result


class NotificationsClient(ServiceClient):
    async def put_contacts(self, party_id: str, body: Json, token: str) -> Json:
        result: Json = await self.call("PUT", f"/contacts/{party_id}", json=body, token=token)
        return result

    async def set_society(self, party_id: str, subscribed: bool) -> Json:
        result: Json = await self.call("PUT" if subscribed else "DELETE", f"/societies/{party_id}")
        return result

    async def notifications(
        self, *, recipient_id: str, unread_only: bool, first: int, after: str | None
    ) -> Json:
        params = {
            "recipient_id": recipient_id,
            "unread_only": _flag(unread_only),
            "first": first,
            "after": after,
        }
        result: Json = await self.call("GET", "/notifications", params=params)
        return result

    async def by_subject(self, subject_ids: Sequence[str]) -> dict[str, list[Json]]:
        result: dict[str, list[Json]] = await self.batch(
            "/notifications/by-subject", "subject_ids", _ids(subject_ids)
        )
        return result

    async def mark_read(self, ids: Sequence[str]) -> int:
        result = await self.call("POST", "/notifications/read", json={"ids": list(ids)})
        return int(result.get("updated", 0)) if isinstance(result, dict) else 0


@dataclass(frozen=True)
class Backends:
    filing: FilingClient
    licensing: LicensingClient
    notifications: NotificationsClient


@dataclass(frozen=True)
class BackendUrls:
    filing: str
    licensing: str
    notifications: str


def backends_for(http: httpx.AsyncClient, urls: BackendUrls, token: str | None) -> Backends:
    return Backends(
        filing=FilingClient(http, "filing", urls.filing, token),
        licensing=LicensingClient(http, "licensing", urls.licensing, token),
        notifications=NotificationsClient(http, "notifications", urls.notifications, token),
    )


async def with_retries(
    attempt: Callable[[], Awaitable[T]], tries: int = 3, delay: float = 0.2
) -> T:
    """Retry an idempotent call through transient failures (registration's PUTs)."""
    for n in range(tries):
        try:
            return await attempt()
        except BackendFailure:
            if n == tries - 1:
                raise
            await asyncio.sleep(delay * (2**n))
    raise AssertionError("unreachable")
