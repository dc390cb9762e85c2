"""The payee ledger (DOMAIN.md, "The payee ledger, payments and conversion"): a statement's
payment status, the movements each statement and payment makes in a party's account, the
ledger over a period, and conversion at a recorded exchange rate. No I/O.

closing = opening + earnings + advances + true_ups + releases - holds - payments, exactly:
every figure is a sum of movements already rounded to the minor unit, so the identity is
one of integers of minor units and never off by a cent.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any
from uuid import UUID

from contracts.errors import Conflict, InvalidInput, NotFound

from licensing.domain.royalties import minor_unit

ZERO = Decimal(0)
# A rate has at most this many places: enough for any published reference rate.
RATE_PLACES = 12
# And at most this many digits before the point (a rate of a thousand million: no pair of
# active currencies comes near), so a converted amount stays within money's digits.
RATE_WHOLE_DIGITS = 9
# Sums and conversions are computed exactly: Decimal's default 28 digits would round a sum
# of converted amounts (up to 15 + 9 digits each) before it is quantized.
EXACT = 60
SOURCE_MAX = 200
REFERENCE_MAX = 200


class NoExchangeRate(InvalidInput):
    """The currency asked for cannot be reached from a statement's at a recorded rate."""

    code = "NO_EXCHANGE_RATE"


class InvalidExchangeRate(InvalidInput):
    code = "INVALID_EXCHANGE_RATE"


class RateAlreadyRecorded(Conflict):
    code = "RATE_ALREADY_RECORDED"


class StatementAlreadyPaid(Conflict):
    code = "STATEMENT_ALREADY_PAID"


class NothingToPay(Conflict):
    code = "NOTHING_TO_PAY"


class UnknownStatement(NotFound):
    code = "UNKNOWN_STATEMENT"


class InvalidPayment(InvalidInput):
    code = "INVALID_PAYMENT"


class PaymentStatus(enum.StrEnum):
    UNPAID = "UNPAID"
    PAID = "PAID"
    NOTHING_DUE = "NOTHING_DUE"


def payment_status(payable: Decimal, paid: bool) -> PaymentStatus:
    if paid:
        return PaymentStatus.PAID
    return PaymentStatus.UNPAID if payable > 0 else PaymentStatus.NOTHING_DUE


# --- statements as the ledger reads them -------------------------------------------------------


def _held(line: Mapping[str, Any]) -> bool:
    """A line held in suspense: the one mark the suspense rule writes, `"held": true`."""
    return line.get("held") is True


def _party(line: Mapping[str, Any]) -> UUID | None:
    """The line's payee (`party_id`); a line that names none is nobody's account."""
    raw = line.get("party_id")
    return UUID(str(raw)) if raw is not None else None


def paid_with_statement(line: Mapping[str, Any]) -> bool:
    """Whether paying the statement pays this line: a payee's line that is not held."""
    return _party(line) is not None and not _held(line)


@dataclass(frozen=True)
class StatementLine:
    party_id: UUID | None
    amount: Decimal
    held: bool = False

    @classmethod
    def of(cls, line: Mapping[str, Any]) -> StatementLine:
        return cls(party_id=_party(line), amount=Decimal(str(line["amount"])), held=_held(line))


@dataclass(frozen=True)
class Payment:
    paid_on: date
    reference: str
    amount: Decimal


@dataclass(frozen=True)
class Statement:
    """What the ledger needs of a statement: its kind, currency, date, lines and payment."""

    id: UUID
    kind: str
    currency: str
    issued_on: date
    payable: Decimal
    lines: tuple[StatementLine, ...]
    payment: Payment | None = None

    @property
    def status(self) -> PaymentStatus:
        return payment_status(self.payable, self.payment is not None)


class Heading(enum.StrEnum):
    """Where a movement goes in the ledger."""

    EARNINGS = "earnings"
    ADVANCES = "advances"
    TRUE_UPS = "true_ups"
    RELEASES = "releases"
    HOLDS = "holds"
    PAYMENTS = "payments"


_BY_KIND = {
    "ROYALTY": Heading.EARNINGS,
    "ADVANCE": Heading.ADVANCES,
    "TRUE_UP": Heading.TRUE_UPS,
    "RELEASE": Heading.RELEASES,
}
# Headings that lower what is owed to the party.
_DEBITS = frozenset({Heading.HOLDS, Heading.PAYMENTS})


@dataclass(frozen=True)
class Movement:
    statement_id: UUID
    heading: Heading
    on: date
    currency: str
    amount: Decimal

    @property
    def signed(self) -> Decimal:
        return -self.amount if self.heading in _DEBITS else self.amount


def movements(statement: Statement, party_id: UUID) -> list[Movement]:
    """The movements `statement` makes in `party_id`'s account (none if no line is its)."""
    heading = _BY_KIND.get(statement.kind, Heading.EARNINGS)
    found: list[Movement] = []

    def add(on: date, where: Heading, amount: Decimal) -> None:
        found.append(Movement(statement.id, where, on, statement.currency, amount))

    for line in statement.lines:
        if line.party_id != party_id:
            continue
        add(statement.issued_on, heading, line.amount)
        if line.held:
            add(statement.issued_on, Heading.HOLDS, line.amount)
        elif statement.payment is not None:
            add(statement.payment.paid_on, Heading.PAYMENTS, line.amount)
    return found


def record_payment(statement: Statement, *, paid_on: date, reference: str, today: date) -> Payment:
    """The licensee's payment of `statement`, whole and once, on a day between its issue and
    today (UTC)."""
    if statement.payment is not None:
        raise StatementAlreadyPaid(
            f"statement {statement.id} was recorded paid on "
            f"{statement.payment.paid_on.isoformat()}",
            field="statement_id",
        )
    if statement.payable <= 0:
        raise NothingToPay(
            f"statement {statement.id} has nothing to pay (payable {statement.payable})",
            field="statement_id",
        )
    if paid_on < statement.issued_on or paid_on > today:
        raise InvalidPayment(
            f"paid_on: between the statement's issue date {statement.issued_on.isoformat()} "
            f"and today {today.isoformat()}, got {paid_on.isoformat()}",
            field="paid_on",
        )
    text = reference.strip()
    if not text or len(text) > REFERENCE_MAX:
        raise InvalidPayment(f"reference: 1 to {REFERENCE_MAX} characters", field="reference")
    return Payment(paid_on=paid_on, reference=text, amount=statement.payable)


# --- the ledger --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ledger:
    """One party's account in one currency over [start, end]."""

    currency: str
    start: date | None
    end: date
    opening: Decimal
    totals: Mapping[Heading, Decimal]

    @property
    def closing(self) -> Decimal:
        with localcontext(prec=EXACT):
            credits = sum((v for h, v in self.totals.items() if h not in _DEBITS), ZERO)
            debits = sum((v for h, v in self.totals.items() if h in _DEBITS), ZERO)
            return self.opening + credits - debits

    def __getitem__(self, heading: Heading) -> Decimal:
        return self.totals[heading]


def ledgers(
    moves: Iterable[Movement], *, start: date | None, end: date, exponents: Mapping[str, int]
) -> list[Ledger]:
    """The ledger of each currency the movements are in, over [start, end] (both included;
    no start: since the beginning); movements after `end` are left out."""
    with localcontext(prec=EXACT):
        return _ledgers(moves, start=start, end=end, exponents=exponents)


def _ledgers(
    moves: Iterable[Movement], *, start: date | None, end: date, exponents: Mapping[str, int]
) -> list[Ledger]:
    opening: dict[str, Decimal] = {}
    totals: dict[str, dict[Heading, Decimal]] = {}
    for move in moves:
        if move.on > end:
            continue
        opening.setdefault(move.currency, ZERO)
        per = totals.setdefault(move.currency, {h: ZERO for h in Heading})
        if start is not None and move.on < start:
            opening[move.currency] += move.signed
        else:
            per[move.heading] += move.amount
    result = []
    for currency in sorted(totals):
        quantum = minor_unit(exponents[currency])
        result.append(
            Ledger(
                currency=currency,
                start=start,
                end=end,
                opening=opening[currency].quantize(quantum),
                totals={h: v.quantize(quantum) for h, v in totals[currency].items()},
            )
        )
    return result


def empty_ledger(currency: str, *, start: date | None, end: date, exponent: int) -> Ledger:
    zero = ZERO.quantize(minor_unit(exponent))
    return Ledger(currency, start, end, zero, {h: zero for h in Heading})


# --- exchange rates and conversion -------------------------------------------------------------


@dataclass(frozen=True)
class ExchangeRate:
    base: str
    quote: str
    rate: Decimal
    source: str
    effective_on: date


def check_rate(rate: Decimal, field: str = "rate") -> Decimal:
    """A rate is positive, with at most RATE_PLACES places (parsed from text, never a float)."""
    exponent = rate.as_tuple().exponent
    assert isinstance(exponent, int)
    if not rate.is_finite() or rate <= 0:
        raise InvalidExchangeRate(f"{field}: must be greater than 0, got {rate}", field=field)
    if -exponent > RATE_PLACES:
        raise InvalidExchangeRate(
            f"{field}: at most {RATE_PLACES} decimal places, got {rate}", field=field
        )
    if rate.adjusted() >= RATE_WHOLE_DIGITS:
        raise InvalidExchangeRate(
            f"{field}: at most {RATE_WHOLE_DIGITS} digits before the decimal point", field=field
        )
    return rate


def check_source(source: str, field: str = "source") -> str:
    text = source.strip()
    if not text or len(text) > SOURCE_MAX:
        raise InvalidExchangeRate(
            f"{field}: 1 to {SOURCE_MAX} characters naming where the rate comes from",
            field=field,
        )
    return text


def rate_on(rates: Sequence[ExchangeRate], base: str, quote: str, day: date) -> ExchangeRate:
    """The rate from `base` into `quote` in effect on `day`: the latest recorded on or before
    it. The reverse pair and third currencies are never used."""
    found = [r for r in rates if r.base == base and r.quote == quote and r.effective_on <= day]
    if not found:
        raise NoExchangeRate(
            f"no exchange rate {base}->{quote} recorded on or before {day.isoformat()}",
            field="currency",
        )
    return max(found, key=lambda r: r.effective_on)


def convert(amount: Decimal, rate: Decimal, exponent: int) -> Decimal:
    with localcontext(prec=EXACT):
        return (amount * rate).quantize(minor_unit(exponent), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Conversion:
    """A statement's amounts in another currency, and the rate that made them."""

    currency: str
    rate: ExchangeRate | None  # None: the statement is in that currency already
    payable: Decimal
    lines: tuple[StatementLine, ...] = field(default=())


def convert_statement(
    statement: Statement, target: str, rates: Sequence[ExchangeRate], exponent: int
) -> Conversion:
    """`statement` in `target`: each line and the payable on its own, at the rate of the
    statement's issue date."""
    if statement.currency == target:
        return Conversion(target, None, statement.payable, statement.lines)
    rate = rate_on(rates, statement.currency, target, statement.issued_on)
    lines = tuple(
        StatementLine(line.party_id, convert(line.amount, rate.rate, exponent), line.held)
        for line in statement.lines
    )
    return Conversion(target, rate, convert(statement.payable, rate.rate, exponent), lines)


def converted_movements(
    statement: Statement,
    party_id: UUID,
    target: str,
    rates: Sequence[ExchangeRate],
    exponent: int,
) -> list[Movement]:
    """The statement's movements in `party_id`'s account, in `target`: its lines converted
    first, so the payment converts at the statement's rate and a paid statement nets to 0."""
    if not any(line.party_id == party_id for line in statement.lines):
        return []
    conversion = convert_statement(statement, target, rates, exponent)
    as_target = Statement(
        id=statement.id,
        kind=statement.kind,
        currency=target,
        issued_on=statement.issued_on,
        payable=conversion.payable,
        lines=conversion.lines,
        payment=statement.payment,
    )
    return movements(as_target, party_id)
