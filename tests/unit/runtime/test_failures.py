"""Whose fault a failure is: outages and contention retry, the record's own errors may be
dead-lettered. Exceptions are built as asyncpg and SQLAlchemy raise them."""

from __future__ import annotations

import random

import asyncpg
import pytest
from aiokafka import errors as kafka_errors
from contracts.envelope import MalformedRecord
from runtime.failures import Fault, backoff_seconds, classify
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi

DBAPI = AsyncAdapt_asyncpg_dbapi(asyncpg)


def through_sqlalchemy(original: Exception) -> sa_exc.DBAPIError:
    """`original` as SQLAlchemy's asyncpg dialect hands it to the caller: translated to the
    DB-API class (`raise translated from original`), then wrapped in a DBAPIError."""
    dbapi_class = next(
        dbapi
        for asyncpg_class, dbapi in DBAPI._asyncpg_error_translate.items()
        if isinstance(original, asyncpg_class)
    )
    translated = dbapi_class(str(original))
    translated.__cause__ = original
    wrapped = sa_exc.DBAPIError.instance("UPDATE t", {}, translated, DBAPI.Error)
    assert isinstance(wrapped, sa_exc.DBAPIError)
    return wrapped


OUTAGES = [
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
    asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
    asyncpg.exceptions.SerializationError("could not serialize access"),
    asyncpg.exceptions.ReadOnlySQLTransactionError("cannot execute UPDATE in a read-only tx"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
    asyncpg.exceptions.LockNotAvailableError("canceling statement due to lock timeout"),
]


@pytest.mark.parametrize("error", OUTAGES, ids=lambda e: type(e).__name__)
def test_server_and_contention_errors_are_infrastructure_raw_and_wrapped(
    error: Exception,
) -> None:
    assert classify(error) is Fault.INFRASTRUCTURE
    assert classify(through_sqlalchemy(error)) is Fault.INFRASTRUCTURE


CONNECTION_FAILURES: list[Exception] = [
    ConnectionRefusedError(111, "Connection refused"),
    ConnectionResetError(104, "Connection reset by peer"),
    TimeoutError(),
    OSError(113, "No route to host"),
    sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection")),
    sa_exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
    sa_exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
    sa_exc.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
    kafka_errors.KafkaConnectionError("no broker"),
    kafka_errors.KafkaTimeoutError(),
    kafka_errors.NotLeaderForPartitionError(),
]
RECORD_ERRORS: list[Exception] = [
    ValueError("share must be between 0 and 100"),
    KeyError("territory"),
    MalformedRecord("not JSON"),
    through_sqlalchemy(asyncpg.exceptions.UniqueViolationError("duplicate key")),
    through_sqlalchemy(asyncpg.exceptions.NotNullViolationError("null value in column")),
    through_sqlalchemy(asyncpg.exceptions.UndefinedColumnError("column x does not exist")),
    sa_exc.DBAPIError("SELECT 1", {}, Exception("bad input"), connection_invalidated=False),
]


@pytest.mark.parametrize(
    ("error", "fault"),
    [(e, Fault.INFRASTRUCTURE) for e in CONNECTION_FAILURES]
    + [(e, Fault.RECORD) for e in RECORD_ERRORS],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_connection_failures_are_infrastructure_and_record_errors_the_records(
    error: Exception, fault: Fault
) -> None:
    assert classify(error) is fault


def test_an_error_raised_from_an_outage_is_infrastructure() -> None:
    try:
        try:
            raise ConnectionResetError(104, "reset")
        except ConnectionResetError as exc:
            raise RuntimeError("could not store the licence") from exc
    except RuntimeError as wrapped:
        assert classify(wrapped) is Fault.INFRASTRUCTURE


def test_an_error_merely_raised_while_handling_an_outage_is_the_records() -> None:
    # Implicit context (no `from`): the handler chose to raise its own error.
    try:
        try:
            raise ConnectionResetError(104, "reset")
        except ConnectionResetError:
            raise ValueError("unknown work") from None
    except ValueError as error:
        assert classify(error) is Fault.RECORD


def test_backoff_grows_exponentially_with_jitter_and_stays_under_the_cap() -> None:
    rand = random.Random(7)
    delays = [backoff_seconds(n, base=0.1, cap=5.0, rand=rand) for n in range(1, 12)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(5.0, 0.1 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 5.0
    assert len({round(d, 6) for d in delays[-4:]}) == 4  # jittered, not in lockstep
