"""The payee ledger's commands and queries (DOMAIN.md, "The payee ledger, payments and
conversion"): recording a statement's payment and an exchange rate, a payee's statements
and its balances. The rules are `domain.ledger`'s; this module loads and saves."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Self
from uuid import UUID

from contracts.errors import InvalidInput, NotAllowed
from contracts.money import MINOR_UNITS, InvalidMoney, parse_currency, parse_decimal
from contracts.times import utc_now
from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator
from runtime.cursors import decode_cursor, encode_cursor
from runtime.uow import UnitOfWorkFactory
from sqlalchemy import ColumnElement, and_, cast, false, func, literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import access
from licensing import events as outgoing
from licensing.domain import ledger as rules
from licensing.domain.access import Caller
from licensing.domain.errors import NotTheLicensee
from licensing.domain.royalties import end_of_day
from licensing.models import ExchangeRateRow, LicenceRow, StatementPaymentRow, StatementRow
from licensing.views import visible_licences

# --- inputs ------------------------------------------------------------------------------------


class RecordPayment(BaseModel):
    """`POST /statements/{id}/payment`: the licensee paid the statement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paid_on: date
    reference: str


class RecordExchangeRate(BaseModel):
    """`POST /exchange-rates`: a rate from `base` into `quote` from `effective_on` on. The
    rate arrives raw so that a JSON number is refused (never a float)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base: str
    quote: str
    rate: Any
    source: str
    effective_on: date
    _value: rules.ExchangeRate = PrivateAttr()

    @model_validator(mode="after")
    def _parse(self) -> Self:
        base = parse_currency(self.base, field="base")
        quote = parse_currency(self.quote, field="quote")
        if base == quote:
            raise InvalidInput("quote: a rate converts between two currencies", field="quote")
        if type(self.rate) is not str:  # a JSON number, even a whole one, is not decimal text
            raise InvalidMoney('rate: decimal text such as "1.0823", not a number', field="rate")
        self._value = rules.ExchangeRate(
            base=base,
            quote=quote,
            rate=rules.check_rate(parse_decimal(self.rate, field="rate")),
            source=rules.check_source(self.source),
            effective_on=self.effective_on,
        )
        return self

    @property
    def value(self) -> rules.ExchangeRate:
        return self._value


class Status(enum.StrEnum):
    UNPAID = rules.PaymentStatus.UNPAID.value
    PAID = rules.PaymentStatus.PAID.value
    NOTHING_DUE = rules.PaymentStatus.NOTHING_DUE.value


# --- from rows to the rules' values ------------------------------------------------------------


def issued_on(row: StatementRow) -> date:
    return row.issued_at.astimezone(UTC).date()


def to_payment(row: StatementPaymentRow | None) -> rules.Payment | None:
    if row is None:
        return None
    return rules.Payment(paid_on=row.paid_on, reference=row.reference, amount=row.amount)


def to_statement(row: StatementRow, payment: StatementPaymentRow | None) -> rules.Statement:
    return rules.Statement(
        id=row.id,
        kind=row.kind,
        currency=row.currency,
        issued_on=issued_on(row),
        payable=row.payable,
        lines=tuple(rules.StatementLine.of(line) for line in row.lines),
        payment=to_payment(payment),
    )


def to_rate(row: ExchangeRateRow) -> rules.ExchangeRate:
    return rules.ExchangeRate(
        base=row.base, quote=row.quote, rate=row.rate, source=row.source,
        effective_on=row.effective_on,
    )  # fmt: skip


# --- commands ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaidStatement:
    statement: StatementRow
    payment: StatementPaymentRow


async def record_payment(
    *, uow: UnitOfWorkFactory, caller: Caller, statement_id: UUID, command: RecordPayment
) -> PaidStatement:
    """The licensee records the statement paid. The licence row is locked, so two records of
    one statement are serialised and the second sees the first (the primary key would refuse
    it anyway)."""
    async with uow() as u:
        row = await u.session.get(StatementRow, statement_id)
        licence = None
        if row is not None:
            found = await visible_licences(u.session, caller, [row.licence_id])
            licence = found[0] if found else None
        if row is None or licence is None:
            raise rules.UnknownStatement(f"no statement {statement_id}", field="statement_id")
        if licence.licensee_id != caller.party_id:
            raise NotTheLicensee("only the licensee records a statement paid", field="statement_id")
        await u.session.execute(
            select(col(LicenceRow.id)).where(col(LicenceRow.id) == licence.id).with_for_update()
        )
        existing = await u.session.get(StatementPaymentRow, statement_id)
        payment = rules.record_payment(
            to_statement(row, existing),
            paid_on=command.paid_on,
            reference=command.reference,
            today=utc_now().date(),
        )
        paid = StatementPaymentRow(
            statement_id=row.id, paid_on=payment.paid_on, reference=payment.reference,
            amount=payment.amount, currency=row.currency, recorded_by=caller.party_id,
            recorded_at=utc_now(),
        )  # fmt: skip
        u.session.add(paid)
        u.emit(
            outgoing.statement_paid(
                row, paid, licensee_id=licence.licensee_id,
                paid_lines=[line for line in row.lines if rules.paid_with_statement(line)],
            )
        )  # fmt: skip
    return PaidStatement(statement=row, payment=paid)


async def record_exchange_rate(
    *,
    uow: UnitOfWorkFactory,
    recorder: access.Caller,
    subject: str,
    command: RecordExchangeRate,
) -> ExchangeRateRow:
    """An examiner or operator records a rate; `subject`: its token's, kept as who did."""
    if not access.may_record_exchange_rate(recorder):
        raise NotAllowed("only an examiner or an operator records exchange rates", field="base")
    rate = command.value
    async with uow() as u:
        key = (rate.base, rate.quote, rate.effective_on)
        if await u.session.get(ExchangeRateRow, key) is not None:
            raise rules.RateAlreadyRecorded(
                f"a {rate.base}->{rate.quote} rate is already recorded for "
                f"{rate.effective_on.isoformat()}",
                field="effective_on",
            )
        row = ExchangeRateRow(
            base=rate.base, quote=rate.quote, effective_on=rate.effective_on, rate=rate.rate,
            source=rate.source, recorded_by=subject,
            recorded_at=utc_now(),
        )  # fmt: skip
        u.session.add(row)
    return row


# --- queries -----------------------------------------------------------------------------------


def _whose(caller: Caller, party_id: UUID | None) -> UUID:
    """The party whose ledger is asked for: the caller's own, or any for examiners and
    societies (`contracts.access.may_see_ledger`: `sees_all` is its second half). Another
    party's is refused outright: a party id is public, so the refusal leaks nothing."""
    if party_id is None or party_id == caller.party_id:
        return caller.party_id
    if not caller.sees_all:
        raise NotAllowed("a party sees its own ledger only", field="party_id")
    return party_id


def _pays(party_id: UUID) -> ColumnElement[bool]:
    """Statements with a line that pays the party (the GIN index answers it)."""
    return col(StatementRow.lines).op("@>")(cast(literal(f'[{{"party_id": "{party_id}"}}]'), JSONB))


def _status_condition(status: Status | None) -> ColumnElement[bool] | None:
    paid = col(StatementPaymentRow.statement_id).is_not(None)
    match status:
        case None:
            return None
        case Status.PAID:
            return paid
        case Status.UNPAID:
            return and_(~paid, col(StatementRow.payable) > 0)
        case Status.NOTHING_DUE:
            return and_(~paid, col(StatementRow.payable) <= 0)
    return false()  # pragma: no cover - every status is matched above


def _issued_between(start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    found = []
    if start is not None:
        found.append(col(StatementRow.issued_at) >= datetime.combine(start, time(0), tzinfo=UTC))
    if end is not None:
        found.append(col(StatementRow.issued_at) < end_of_day(end))
    return found


@dataclass(frozen=True)
class StatementPage:
    items: list[tuple[StatementRow, StatementPaymentRow | None]]
    next_cursor: str | None
    total_count: int


async def payee_statements(
    session: AsyncSession,
    caller: Caller,
    *,
    party_id: UUID | None,
    as_payer: bool,
    status: Status | None,
    currency: str | None,
    start: date | None,
    end: date | None,
    first: int,
    after: str | None,
) -> StatementPage:
    """The statements that pay the party (or, `as_payer`, that it pays as licensee), newest
    first, each with its payment if recorded."""
    if start is not None and end is not None and start > end:
        raise InvalidInput("from: not after to", field="from")
    party = _whose(caller, party_id)
    conditions: list[ColumnElement[bool]] = [
        col(StatementRow.licence_id).in_(
            select(col(LicenceRow.id)).where(col(LicenceRow.licensee_id) == party)
        )
        if as_payer
        else _pays(party),
        *_issued_between(start, end),
    ]
    by_status = _status_condition(status)
    if by_status is not None:
        conditions.append(by_status)
    if currency is not None:
        conditions.append(col(StatementRow.currency) == parse_currency(currency))
    joined = select(StatementRow, StatementPaymentRow).outerjoin(
        StatementPaymentRow, col(StatementPaymentRow.statement_id) == col(StatementRow.id)
    )
    count = (
        select(func.count())
        .select_from(StatementRow)
        .outerjoin(
            StatementPaymentRow, col(StatementPaymentRow.statement_id) == col(StatementRow.id)
        )
        .where(*conditions)
    )
    total = int((await session.execute(count)).scalar_one())
    query = joined.where(*conditions)
    if after is not None:
        at, last_id = decode_cursor(after, (datetime, UUID))
        query = query.where(
            or_(
                col(StatementRow.issued_at) < at,
                (col(StatementRow.issued_at) == at) & (col(StatementRow.id) < last_id),
            )
        )
    order = (col(StatementRow.issued_at).desc(), col(StatementRow.id).desc())
    rows = [(s, p) for s, p in await session.execute(query.order_by(*order).limit(first + 1))]
    page = rows[:first]
    more = len(rows) > first
    cursor = encode_cursor(page[-1][0].issued_at, page[-1][0].id) if more else None
    return StatementPage(items=page, next_cursor=cursor, total_count=total)


async def payments_of(
    session: AsyncSession, statement_ids: Sequence[UUID]
) -> dict[UUID, StatementPaymentRow]:
    if not statement_ids:
        return {}
    query = select(StatementPaymentRow).where(
        col(StatementPaymentRow.statement_id).in_(list(statement_ids))
    )
    return {p.statement_id: p for p in (await session.execute(query)).scalars()}


async def rates_into(
    session: AsyncSession, target: str, bases: Sequence[str]
) -> list[rules.ExchangeRate]:
    query = select(ExchangeRateRow).where(
        col(ExchangeRateRow.quote) == target, col(ExchangeRateRow.base).in_(list(bases))
    )
    return [to_rate(r) for r in (await session.execute(query)).scalars()]


async def conversions(
    session: AsyncSession, statements: Sequence[rules.Statement], target: str
) -> dict[UUID, rules.Conversion]:
    """Each statement in `target` (refused, naming the pair, when a rate is missing)."""
    target = parse_currency(target, field="convert_to")
    rates = await rates_into(session, target, sorted({s.currency for s in statements}))
    exponent = MINOR_UNITS[target]
    return {s.id: rules.convert_statement(s, target, rates, exponent) for s in statements}


@dataclass(frozen=True)
class Balances:
    party_id: UUID
    ledgers: list[rules.Ledger]


async def balances(
    session: AsyncSession,
    caller: Caller,
    *,
    party_id: UUID | None,
    start: date | None,
    end: date | None,
    currency: str | None,
) -> Balances:
    """The party's ledger per currency over [start, end], or one ledger in `currency`."""
    party = _whose(caller, party_id)
    last = end or utc_now().date()
    if start is not None and start > last:
        raise InvalidInput("from: not after to", field="from")
    # Payments are dated later than their statements: every statement issued by `last` counts.
    query = (
        select(StatementRow, StatementPaymentRow)
        .outerjoin(
            StatementPaymentRow, col(StatementPaymentRow.statement_id) == col(StatementRow.id)
        )
        .where(_pays(party), col(StatementRow.issued_at) < end_of_day(last))
    )
    statements = [to_statement(s, p) for s, p in await session.execute(query)]
    if currency is None:
        moves = [m for s in statements for m in rules.movements(s, party)]
        exponents = MINOR_UNITS
    else:
        target = parse_currency(currency)
        rates = await rates_into(session, target, sorted({s.currency for s in statements}))
        moves = [
            m
            for s in statements
            for m in rules.converted_movements(s, party, target, rates, MINOR_UNITS[target])
        ]
        exponents = {target: MINOR_UNITS[target]}
    found = rules.ledgers(moves, start=start, end=last, exponents=exponents)
    if currency is not None and not found:  # nothing yet: the one ledger asked for, at zero
        found = [rules.empty_ledger(target, start=start, end=last, exponent=exponents[target])]
    return Balances(party_id=party, ledgers=found)


async def exchange_rates(
    session: AsyncSession, *, base: str | None, quote: str | None
) -> list[ExchangeRateRow]:
    query = select(ExchangeRateRow)
    if base is not None:
        query = query.where(col(ExchangeRateRow.base) == parse_currency(base, field="base"))
    if quote is not None:
        query = query.where(col(ExchangeRateRow.quote) == parse_currency(quote, field="quote"))
    order = (col(ExchangeRateRow.base), col(ExchangeRateRow.quote),
             col(ExchangeRateRow.effective_on).desc())  # fmt: skip
    return list((await session.execute(query.order_by(*order).limit(500))).scalars())
