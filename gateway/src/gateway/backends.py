"""One small client per service over a shared pooled httpx client, forwarding the caller's token.

This is the ONE place where a service's 4xx body becomes a `UserError` (with its field name in
the GraphQL input's camelCase), a 401 becomes `Unauthenticated`, and a 5xx or a network
failure becomes a masked `BackendFailure`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar, cast

import httpx

from gateway.auth import Unauthenticated
from gateway.errors import BackendFailure, NotFoundError, UserError
from gateway.replies import (
    AvailabilityReply,
    ContactsReply,
    Grouped,
    HistoryReply,
    ImportReply,
    LicenceEventReply,
    LicenceReply,
    MandateReply,
    MarkedReadReply,
    NotificationReply,
    OwnerConsentReply,
    Page,
    PartyReply,
    SocietyReply,
    StatementReply,
    SuspenseReply,
    UsageFileReply,
    UsageLinePageReply,
    UsageLineReply,
    UsageOutcomeReply,
    UsageReportReply,
    WorkReply,
)

log = logging.getLogger("gateway.backends")

Json = dict[str, Any]
T = TypeVar("T")

_SNAKE_PART = re.compile(r"_([a-z0-9])")


# Request headers a service may blame, and the mutation argument that carries each.
_HEADER_ARGUMENTS = {"Idempotency-Key": "idempotencyKey"}


def graphql_field(field: object) -> str | None:
    """`rights_holders[1].share` (service) -> `rightsHolders[1].share` (GraphQL input): the
    services' request fields are the inputs' fields in snake case."""
    if not isinstance(field, str) or not field:
        return None
    if field in _HEADER_ARGUMENTS:
        return _HEADER_ARGUMENTS[field]
    return _SNAKE_PART.sub(lambda m: m.group(1).upper(), field)


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

    def __init__(
        self,
        http: httpx.AsyncClient,
        name: str,
        base_url: str,
        token: str | None,
        others: Sequence[str] = (),
    ):
        self.http = http
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.token = token
        # The service's other instances: a refused connection is tried on them in turn.
        self.others = [url.rstrip("/") for url in others]

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        token: str | None = None,
        idempotency_key: str | None = None,
        files: Any = None,
        content: Any = None,
        timeout: float | None = None,
    ) -> Any:
        headers = {"accept": "application/json"}
        bearer = token or self.token
        if bearer:
            headers["authorization"] = f"Bearer {bearer}"
        if idempotency_key is not None:
            headers["idempotency-key"] = idempotency_key
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = await self._send(
                method, path, clean_params, json, headers, files=files, content=content,
                timeout=timeout,
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

    async def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        json: Any,
        headers: dict[str, str],
        *,
        files: Any = None,
        content: Any = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        others = list(self.others)
        resent = False
        while True:
            try:
                return await self.http.request(
                    method, self.base_url + path, params=params, json=json, headers=headers,
                    files=files, content=content,
                    timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
                )
            except httpx.ConnectError:
                # Refused before a byte was sent (an instance down or restarting): any
                # request, a write too, may go to the next instance instead.
                if not others:
                    raise
                log.warning("%s instance %s refused; trying %s", self.name, self.base_url,
                            others[0])
                self.base_url = others.pop(0)
            except httpx.RemoteProtocolError:
                # A read is safe to send again, once: the instance closed a pooled connection
                # as the request left on it. A write is not (its idempotency key decides).
                if method != "GET" or resent:
                    raise
                resent = True

    async def batch(
        self, path: str, key: str, ids: Iterable[str], **params: str | None
    ) -> Any:
        """A batch read: each id once, the answer's `items` (a list, or lists by id)."""
        unique = ",".join(dict.fromkeys(ids))
        return (await self.call("GET", path, params={**params, key: unique}))["items"]


def _flag(value: bool | None) -> str | None:
    return None if value is None else str(value).lower()


class WorkSearch(TypedDict, total=False):
    """The register's search filters, its query parameters (`GET /works/search`); a filter
    that is absent or None is left out."""

    text: str | None
    status: str | None
    kind: str | None
    holder_id: str | None
    country: str | None
    iswc: str | None
    isrc: str | None
    isbn: str | None


class LicenceSearch(TypedDict, total=False):
    """Licensing's search filters (`GET /licences/search`), as `WorkSearch`."""

    work_id: str | None
    status: str | None
    as_licensee: bool | None


@dataclass(frozen=True)
class AvailabilityTerms:
    """The terms an availability question is asked on, as licensing's query parameters."""

    territories: str
    media: str
    start: str
    end: str | None
    exclusive: bool
    # DOMAIN.md, "Licence history": valid time (a date) and recorded time (an instant).
    as_of: str | None = None
    known_at: str | None = None


class FilingClient(ServiceClient):
    async def register_party(self, party_id: str, body: Json, token: str) -> PartyReply:
        return cast(PartyReply, await self.call("PUT", f"/parties/{party_id}", json=body,
                                                token=token))

    async def parties(self, ids: Sequence[str]) -> list[PartyReply]:
        return cast(list[PartyReply], await self.batch("/parties", "ids", ids))

    async def works(self, ids: Sequence[str]) -> list[WorkReply]:
        return cast(list[WorkReply], await self.batch("/works", "ids", ids))

    async def history(self, work_ids: Sequence[str]) -> Grouped[HistoryReply]:
        return cast(Grouped[HistoryReply], await self.batch("/history", "work_ids", work_ids))

    async def search_works(
        self, search: WorkSearch, *, first: int, after: str | None
    ) -> Page[WorkReply]:
        params = {**search, "first": first, "after": after}
        return cast(Page[WorkReply], await self.call("GET", "/works/search", params=params))

    async def import_works(
        self, files: dict[str, tuple[str, Any, str]], *, file_format: str, timeout: float
    ) -> ImportReply:
        """Streams the uploaded files on to filing (`POST /imports`, multipart)."""
        return cast(ImportReply, await self.call(
            "POST", "/imports", params={"format": file_format}, files=files, timeout=timeout))

    async def file_work(self, body: Json, key: str | None = None) -> WorkReply:
        return await self._on_work("POST", "/works", body, key)
    async def export_cwr(self, society: str, *, everything: bool) -> Json:
        """Makes the society's next CWR file (`POST /societies/{society}/cwr-files`)."""
        return cast(Json, await self.call(
            "POST", f"/societies/{society}/cwr-files",
            params={"everything": str(everything).lower()}))  # fmt: skip

    async def import_ack(
        self, files: dict[str, tuple[str, Any, str]], *, society: str | None, timeout: float
    ) -> Json:
        """Streams a society's ACK file on to filing (`POST /societies/acknowledgements`)."""
        params = {"society": society} if society else None
        return cast(Json, await self.call(
            "POST", "/societies/acknowledgements", params=params, files=files, timeout=timeout))

    async def society_registrations(self, work_id: str) -> list[Json]:
        return cast(list[Json], await self.call("GET", f"/works/{work_id}/society-registrations"))

    async def review(self, work_id: str, body: Json) -> WorkReply:
        return await self._on_work("POST", f"/works/{work_id}/review", body)

    async def transfer(self, work_id: str, body: Json, key: str | None = None) -> WorkReply:
        return await self._on_work("POST", f"/works/{work_id}/transfers", body, key)

    async def dispute(self, work_id: str, body: Json) -> WorkReply:
        return await self._on_work("POST", f"/works/{work_id}/disputes", body)

    async def resolve_dispute(
        self, work_id: str, body: Json, key: str | None = None
    ) -> WorkReply:
        return await self._on_work("POST", f"/works/{work_id}/dispute-resolution", body, key)

    async def confirm_holding(self, work_id: str) -> WorkReply:
        return await self._on_work("POST", f"/works/{work_id}/consent", {})

    async def reject_holding(self, work_id: str, body: Json) -> WorkReply:
        return await self._on_work("POST", f"/works/{work_id}/consent-rejection", body)

    async def consent_requests(self) -> list[WorkReply]:
        """The works awaiting the caller's own answer (DOMAIN.md, "Co-owners' consent")."""
        found = cast(dict[str, list[WorkReply]], await self.call("GET", "/consent-requests"))
        return found["items"]

    async def _on_work(
        self, method: str, path: str, body: Json, key: str | None = None
    ) -> WorkReply:
        """Every command on a work answers with the work as it now stands; `key` is the
        command's idempotency key, where it takes one."""
        return cast(WorkReply, await self.call(method, path, json=body, idempotency_key=key))


class LicensingClient(ServiceClient):
    async def licences(self, ids: Sequence[str]) -> list[LicenceReply]:
        return cast(list[LicenceReply], await self.batch("/licences", "ids", ids))

    async def licences_by_work(
        self, work_ids: Sequence[str], status: str | None
    ) -> Grouped[LicenceReply]:
        found = await self.batch("/licences/by-work", "work_ids", work_ids, status=status)
        return cast(Grouped[LicenceReply], found)

    async def search_licences(
        self, search: LicenceSearch, *, first: int, after: str | None
    ) -> Page[LicenceReply]:
        params = {
            **search,
            "as_licensee": _flag(search.get("as_licensee")),
            "first": first,
            "after": after,
        }
        return cast(Page[LicenceReply], await self.call("GET", "/licences/search", params=params))

    async def availability_many(
        self, work_ids: Sequence[str], terms: AvailabilityTerms
    ) -> dict[str, AvailabilityReply]:
        """One call for many works asked about on the same terms."""
        found = await self.batch(
            "/availability",
            "work_ids",
            work_ids,
            territories=terms.territories,
            media=terms.media,
            start=terms.start,
            end=terms.end,
            exclusive=_flag(terms.exclusive),
            as_of=terms.as_of,
            known_at=terms.known_at,
        )
        return cast(dict[str, AvailabilityReply], found)

    async def usage_reports(self, licence_ids: Sequence[str]) -> Grouped[UsageReportReply]:
        found = await self.batch("/usage-reports", "licence_ids", licence_ids)
        return cast(Grouped[UsageReportReply], found)

    async def statements(self, licence_ids: Sequence[str]) -> Grouped[StatementReply]:
        found = await self.batch("/statements", "licence_ids", licence_ids)
        return cast(Grouped[StatementReply], found)

    async def suspense(self, work_ids: Sequence[str]) -> list[SuspenseReply]:
        return cast(list[SuspenseReply], await self.batch("/suspense", "work_ids", work_ids))

    async def licence_events(self, licence_ids: Sequence[str]) -> Grouped[LicenceEventReply]:
        found = await self.batch("/licence-events", "licence_ids", licence_ids)
        return cast(Grouped[LicenceEventReply], found)

    async def offer(self, body: Json, key: str | None = None) -> LicenceReply:
        found = await self.call("POST", "/licences", json=body, idempotency_key=key)
        return cast(LicenceReply, found)

    async def transition(
        self, licence_id: str, action: str, body: Json, key: str | None = None
    ) -> LicenceReply:
        found = await self.call(
            "POST", f"/licences/{licence_id}/{action}", json=body, idempotency_key=key
        )
        return cast(LicenceReply, found)

    async def amend(self, licence_id: str, path: str, body: Json, key: str | None) -> Json:
        """An amendment or renewal command: `path` under the licence (DOMAIN.md,
        "Amendments and renewals"); the answer is the version, or the licence once accepted."""
        found = await self.call(
            "POST", f"/licences/{licence_id}/{path}", json=body, idempotency_key=key
        )
        return cast(Json, found)

    async def licence_versions(self, licence_ids: Sequence[str]) -> Grouped[Json]:
        found = await self.batch("/licence-versions", "licence_ids", licence_ids)
        return cast(Grouped[Json], found)

    async def licence_history(self, licence_ids: Sequence[str]) -> Grouped[Json]:
        found = await self.batch("/licence-history", "licence_ids", licence_ids)
        return cast(Grouped[Json], found)

    async def report_usage(
        self, licence_id: str, body: Json, key: str | None = None
    ) -> UsageOutcomeReply:
        found = await self.call(
            "POST", f"/licences/{licence_id}/usage-reports", json=body, idempotency_key=key
        )
        return cast(UsageOutcomeReply, found)

    async def record_advance_payment(
        self, licence_id: str, body: Json, key: str | None = None
    ) -> StatementReply:
        found = await self.call(
            "POST", f"/licences/{licence_id}/advance-payment", json=body, idempotency_key=key
        )
        return cast(StatementReply, found)

    async def upload_usage_file(
        self, content: AsyncIterator[bytes], *, file_format: str, file_key: str | None,
        timeout: float,
    ) -> UsageFileReply:
        """Streams an uploaded usage file on to licensing (`POST /usage-files`, the body)."""
        params = {"format": file_format, "file_key": file_key}
        found = await self.call(
            "POST", "/usage-files", params=params, content=content, timeout=timeout
        )
        return cast(UsageFileReply, found)

    async def report_usage_lines(self, body: Json) -> UsageFileReply:
        return cast(UsageFileReply, await self.call("POST", "/usage-lines", json=body))

    async def usage_line_queue(
        self, *, first: int, after: str | None, own: bool
    ) -> UsageLinePageReply:
        params = {"first": first, "after": after, "own": "true" if own else None}
        found = await self.call("GET", "/usage-lines/queue", params=params)
        return cast(UsageLinePageReply, found)

    async def claim_usage_line(self, line_id: str, work_id: str) -> UsageLineReply:
        found = await self.call(
            "POST", f"/usage-lines/{line_id}/claim", json={"work_id": work_id}
        )
        return cast(UsageLineReply, found)

    # The payee ledger (DOMAIN.md, "The payee ledger, payments and conversion").

    async def record_payment(self, statement_id: str, body: Json, key: str | None) -> Json:
        found = await self.call(
            "POST", f"/statements/{statement_id}/payment", json=body, idempotency_key=key
        )
        return cast(Json, found)

    async def record_exchange_rate(self, body: Json) -> Json:
        return cast(Json, await self.call("POST", "/exchange-rates", json=body))

    async def exchange_rates(self, base: str | None, quote: str | None) -> list[Json]:
        found = await self.call("GET", "/exchange-rates", params={"base": base, "quote": quote})
        return cast(list[Json], cast(Json, found)["items"])

    async def payee_statements(self, params: Json) -> Json:
        return cast(Json, await self.call("GET", "/payee-statements", params=params))

    async def balances(self, params: Json) -> Json:
        return cast(Json, await self.call("GET", "/balances", params=params))

    # Co-owners' consent and mandates (DOMAIN.md).
    async def owner_consents(self, licence_ids: Sequence[str]) -> Grouped[OwnerConsentReply]:
        found = await self.batch("/owner-consents", "licence_ids", licence_ids)
        return cast(Grouped[OwnerConsentReply], found)

    async def grant_mandate(self, body: Json, key: str | None = None) -> MandateReply:
        found = await self.call("POST", "/mandates", json=body, idempotency_key=key)
        return cast(MandateReply, found)

    async def revoke_mandate(self, mandate_id: str) -> MandateReply:
        return cast(MandateReply, await self.call("POST", f"/mandates/{mandate_id}/revoke"))

    async def my_mandates(self) -> list[MandateReply]:
        found = await self.call("GET", "/mandates")
        return cast(list[MandateReply], found["items"])


class NotificationsClient(ServiceClient):
    async def put_contacts(self, party_id: str, body: Json, token: str) -> ContactsReply:
        found = await self.call("PUT", f"/contacts/{party_id}", json=body, token=token)
        return cast(ContactsReply, found)

    async def contacts(self, party_id: str) -> ContactsReply:
        found = await self.call("GET", f"/contacts/{party_id}")
        return cast(ContactsReply, found)

    async def set_society(self, party_id: str, subscribed: bool) -> SocietyReply:
        found = await self.call("PUT" if subscribed else "DELETE", f"/societies/{party_id}")
        return cast(SocietyReply, found)

    async def notifications(
        self, *, recipient_id: str, unread_only: bool, first: int, after: str | None
    ) -> Page[NotificationReply]:
        params = {
            "recipient_id": recipient_id,
            "unread_only": _flag(unread_only),
            "first": first,
            "after": after,
        }
        found = await self.call("GET", "/notifications", params=params)
        return cast(Page[NotificationReply], found)

    async def by_subject(self, subject_ids: Sequence[str]) -> Grouped[NotificationReply]:
        found = await self.batch("/notifications/by-subject", "subject_ids", subject_ids)
        return cast(Grouped[NotificationReply], found)

    async def mark_read(self, ids: Sequence[str]) -> int:
        found = await self.call("POST", "/notifications/read", json={"ids": list(ids)})
        return cast(MarkedReadReply, found)["updated"]


@dataclass(frozen=True)
class Backends:
    filing: FilingClient
    licensing: LicensingClient
    notifications: NotificationsClient


@dataclass(frozen=True)
class BackendUrls:
    """The instance of each service to call; `others`: each service's other instances, to
    try when this one refuses the connection."""

    filing: str
    licensing: str
    notifications: str
    others: dict[str, tuple[str, ...]] = field(default_factory=dict)


def backends_for(http: httpx.AsyncClient, urls: BackendUrls, token: str | None) -> Backends:
    def others(service: str) -> tuple[str, ...]:
        return urls.others.get(service, ())

    return Backends(
        filing=FilingClient(http, "filing", urls.filing, token, others("filing")),
        licensing=LicensingClient(
            http, "licensing", urls.licensing, token, others("licensing")
        ),
        notifications=NotificationsClient(
            http, "notifications", urls.notifications, token, others("notifications")
        ),
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
