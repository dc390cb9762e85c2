"""Idempotency keys: a command retried with the same key answers its first answer and applies once.

The rule is `DOMAIN.md`, "Retried commands"; the mechanism `ARCHITECTURE.md`, "Idempotency
keys". A keyed route declares `IdempotencyKey` and calls `run_once`; the claim, the command's
effects and the stored answer share one unit of work.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

from contracts.errors import Conflict, InvalidInput
from fastapi import Depends, Header, Request
from fastapi.responses import Response
from sqlalchemy import Column, DateTime, Index, Integer, String, Text, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from runtime.auth import CurrentPrincipal
from runtime.uow import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")
Json = dict[str, Any]

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
# Visible ASCII only: a key travels in an HTTP header, and a space or control character there
# is either stripped by a proxy (two keys become one) or refused by it.
PATTERN = r"^[!-~]{1,255}$"
_KEY = re.compile(PATTERN)
REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(Conflict):
    """The key was already used by this caller for another request (HTTP 409)."""

    code = "IDEMPOTENCY_KEY_REUSED"


def parse_key(value: str, *, field: str = HEADER) -> str:
    """A client's idempotency key as given, or an `InvalidInput` naming `field`."""
    if not _KEY.fullmatch(value):
        raise InvalidInput(
            f"{field} must be 1 to {MAX_LENGTH} visible ASCII characters", field=field
        )
    return value


class StoredAnswer(SQLModel, table=True):
    """A caller's key, the request it was first used for, and the answer that request got.

    `status` and `body` are empty only inside the transaction that claimed the key: the answer
    is written before that transaction commits.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (Index("ix_idempotency_key_created", "created_at"),)

    caller: str = Field(sa_column=Column(String(255), primary_key=True))
    key: str = Field(sa_column=Column(String(MAX_LENGTH), primary_key=True))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    status: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    # The answer's bytes as sent: a replay is the same bytes (jsonb would reorder its keys).
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )


@dataclass(frozen=True)
class KeyedRequest:
    """A request that carries a key: who sent it, the key, and what the request was."""

    caller: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Answer:
    """What a keyed route answers: the status and JSON text, and whether it was stored."""

    status: int
    body: str
    replayed: bool = False

    @classmethod
    def of(cls, status: int, body: Json) -> Answer:
        # As Starlette's JSONResponse renders it, so a keyed route answers what it always did.
        text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return cls(status=status, body=text)

    def response(self) -> Response:
        headers = {REPLAYED_HEADER: "true"} if self.replayed else None
        return Response(
            self.body, status_code=self.status, headers=headers, media_type="application/json"
        )


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The request as compared between uses of one key: method, path and body.

    A JSON body is compared by content (key order and spacing do not count), so a client that
    re-encodes the same command on retry is still recognised.
    """
    try:
        content = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        content = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), content):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def keyed_request(
    request: Request,
    principal: CurrentPrincipal,
    key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            pattern=PATTERN,
            max_length=MAX_LENGTH,
            description="Chosen by the client, one per intended action: a retry with the same "
            "key and request answers the first answer; with another request, 409 "
            "IDEMPOTENCY_KEY_REUSED.",
        ),
    ] = None,
) -> KeyedRequest | None:
    if key is None:
        return None
    return KeyedRequest(
        caller=principal.party_id,
        key=parse_key(key),
        fingerprint=fingerprint(request.method, request.url.path, await request.body()),
    )


# The keyed route's dependency: None when the request carries no key.
IdempotencyKey = Annotated[KeyedRequest | None, Depends(keyed_request)]

_CLAIM_SQL = text(
    "INSERT INTO idempotency_key (caller, key, fingerprint) VALUES (:caller, :key, :fingerprint) "
    "ON CONFLICT DO NOTHING"
)
# An expired key is taken over in place: its row is locked like any other, so two requests
# racing for it still apply once.
_LOCK_SQL = text(
    "SELECT fingerprint, status, body, created_at < now() - CAST(:retention AS interval) "
    "AS expired FROM idempotency_key WHERE caller = :caller AND key = :key FOR UPDATE"
)
_RENEW_SQL = text(
    "UPDATE idempotency_key SET fingerprint = :fingerprint, status = NULL, body = NULL, "
    "created_at = now() WHERE caller = :caller AND key = :key"
)
_RECORD_SQL = text(
    "UPDATE idempotency_key SET status = :status, body = :body "
    "WHERE caller = :caller AND key = :key"
)
PRUNE_SQL = (
    "DELETE FROM idempotency_key WHERE (caller, key) IN (SELECT caller, key FROM idempotency_key "
    "WHERE created_at < now() - CAST(:retention AS interval) ORDER BY created_at LIMIT :n)"
)


def _ids(request: KeyedRequest) -> dict[str, str]:
    return {"caller": request.caller, "key": request.key}


async def claim(
    session: AsyncSession, request: KeyedRequest, *, retention: timedelta
) -> Answer | None:
    """Locks the key's row for this transaction: the stored answer if the key was used for
    this request, None if it is this request's to run; refused if used for another."""
    await session.execute(_CLAIM_SQL, {**_ids(request), "fingerprint": request.fingerprint})
    row = (await session.execute(_LOCK_SQL, {**_ids(request), "retention": retention})).one()
    if row.expired:
        await session.execute(_RENEW_SQL, {**_ids(request), "fingerprint": request.fingerprint})
        return None
    if row.fingerprint != request.fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used for a different request", field=HEADER
        )
    if row.status is None:
        return None  # inserted by this transaction just now
    return Answer(status=row.status, body=row.body, replayed=True)


async def record(session: AsyncSession, request: KeyedRequest, answer: Answer) -> None:
    """Stores `answer` on the key claimed in this transaction."""
    await session.execute(
        _RECORD_SQL, {**_ids(request), "status": answer.status, "body": answer.body}
    )


@dataclass(frozen=True)
class KeyedCommands:
    """Runs a service's keyed commands: its unit-of-work factory and how long a key holds."""

    uow: UnitOfWorkFactory
    retention: timedelta

    async def run_once(
        self,
        request: KeyedRequest | None,
        command: Callable[[UnitOfWorkFactory], Awaitable[T]],
        *,
        answer: Callable[[T], Json],
        status: int,
    ) -> Answer:
        """Runs `command(uow)` once per key and answers `status` with `answer(result)`.

        Without a key the command runs as it always did. With one, the command's own unit of
        work joins the one that claimed the key, so its effects and the stored answer commit
        together; a refused command (an exception) rolls the claim back with everything else.
        """
        if request is None:
            return Answer.of(status, answer(await command(self.uow)))
        async with self.uow() as u:
            stored = await claim(u.session, request, retention=self.retention)
            if stored is not None:
                return stored
            fresh = Answer.of(status, answer(await command(_joining(u))))
            await record(u.session, request, fresh)
        return fresh


def _joining(u: UnitOfWork) -> UnitOfWorkFactory:
    return lambda: u


async def prune(engine: AsyncEngine, *, retention: timedelta, batch_size: int) -> int:
    """Deletes up to `batch_size` keys older than `retention` by the database's clock."""
    async with engine.begin() as conn:
        result = await conn.execute(text(PRUNE_SQL), {"retention": retention, "n": batch_size})
    return int(getattr(result, "rowcount", 0) or 0)
