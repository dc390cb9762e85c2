"""Column shapes every service's tables share: UTC timestamps and database-numbered keys.

A new table in any service declares these the same way; its migration spells the same DDL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, Identity, text


def utc_column(
    *, nullable: bool = False, default_now: bool = False, primary_key: bool = False
) -> Column[datetime]:
    """A `timestamptz` column; `default_now` lets the database stamp it with its own clock."""
    return Column(
        DateTime(timezone=True),
        nullable=nullable,
        primary_key=primary_key,
        server_default=text("now()") if default_now else None,
    )


def serial_key() -> Column[int]:
    """A `bigint` primary key the database numbers in insertion order."""
    return Column(BigInteger, Identity(always=False), primary_key=True)
