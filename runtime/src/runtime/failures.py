"""Whose fault a consumer's failure is: the infrastructure's (retry) or the record's (DLQ).

Pure: it only looks at exception types, SQLSTATE codes and the chain of causes. A database
that is restarting, full, failing over or resolving a deadlock says nothing about the
record; dead-lettering such an event would lose it (it is then neither redelivered nor
replayed), so only errors that come from the record itself may count toward the DLQ.
"""

from __future__ import annotations

import enum
import random

import asyncpg
from aiokafka import errors as kafka_errors
from sqlalchemy import exc as sa_exc


class Fault(enum.Enum):
    INFRASTRUCTURE = "infrastructure"  # retry the same batch, however long it takes
    RECORD = "record"  # bounded attempts, then the dead-letter topic


# SQLSTATE classes and codes that describe the server or the connection, not the statement:
# 08 connection exception, 53 insufficient resources (53300 too many connections), 57P0x
# shutdown / cannot connect now, 58 system (I/O) error, 40001 serialization failure,
# 40P01 deadlock, 25006 read-only transaction (a standby after failover), 55P03 lock timeout.
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "53", "58"})
TRANSIENT_SQLSTATES = frozenset(
    {"57P01", "57P02", "57P03", "57P04", "57P05", "40001", "40P01", "25006", "55P03"}
)

_INFRASTRUCTURE_TYPES: tuple[type[BaseException], ...] = (
    OSError,  # includes ConnectionError (refused, reset) and TimeoutError
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,  # the connection pool had nothing to give
    sa_exc.DisconnectionError,
    asyncpg.exceptions.InterfaceError,  # the connection is closed / was lost
    asyncpg.exceptions.ConnectionDoesNotExistError,
    kafka_errors.KafkaConnectionError,
    kafka_errors.KafkaTimeoutError,
)


def _sqlstate_is_transient(exc: BaseException) -> bool:
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if not isinstance(state, str) or len(state) != 5:
        return False
    return state in TRANSIENT_SQLSTATES or state[:2] in TRANSIENT_SQLSTATE_CLASSES


def _one(exc: BaseException) -> bool:
    if isinstance(exc, _INFRASTRUCTURE_TYPES):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, kafka_errors.KafkaError) and getattr(exc, "retriable", False):
        return True
    return _sqlstate_is_transient(exc)


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc`, what SQLAlchemy wrapped (`orig`), and the explicit causes (`raise ... from`)."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        pending.append(current.__cause__)
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException):
            pending.append(orig)
    return seen


def classify(exc: BaseException) -> Fault:
    """INFRASTRUCTURE when `exc` or anything it wraps is a server, connection or contention
    failure; RECORD otherwise (decode, validation, domain errors, constraint violations)."""
    if any(_one(e) for e in _causes(exc)):
        return Fault.INFRASTRUCTURE
    return Fault.RECORD


def backoff_seconds(
    attempt: int, *, base: float, cap: float, rand: random.Random | None = None
) -> float:
    """The wait before retry `attempt` (1, 2, ...): exponential, at most `cap`, jittered
    between half and all of the step, so consumers that lost the same database do not all
    come back in the same instant."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return (rand or random).uniform(ceiling / 2, ceiling)
