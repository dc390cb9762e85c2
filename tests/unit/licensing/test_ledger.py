"""The payee ledger (DOMAIN.md, "The payee ledger, payments and conversion"): payment status,
the ledger identity to the cent over mixed kinds and currencies, conversion at a recorded
rate rounded to the target's minor units."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from contracts.money import MINOR_UNITS
from hypothesis import given, settings
from hypothesis import strategies as st
from licensing.domain.ledger import (
    ExchangeRate,
    Heading,
    InvalidExchangeRate,
    InvalidPayment,
    NoExchangeRate,
    NothingToPay,
    Payment,
    PaymentStatus,
    Statement,
    StatementAlreadyPaid,
    StatementLine,
    check_rate,
    convert,
    convert_statement,
    converted_movements,
    ledgers,
    movements,
    rate_on,
    record_payment,
)

# Dates relative to today: the rules take every date as a parameter, none is fixed.
TODAY = datetime.now(UTC).date()
A, B = UUID(int=1), UUID(int=2)
KINDS = ("ROYALTY", "ADVANCE", "TRUE_UP", "RELEASE")


def _statement(
    *,
    kind: str = "ROYALTY",
    currency: str = "EUR",
    issued: date = TODAY,
    lines: tuple[tuple[UUID | None, str, bool], ...] = ((A, "60.00", False), (B, "40.00", False)),
    paid: date | None = None,
) -> Statement:
    amounts = [Decimal(a) for _, a, _ in lines]
    payable = sum(amounts, Decimal(0))
    return Statement(
        id=uuid4(),
        kind=kind,
        currency=currency,
        issued_on=issued,
        payable=payable,
        lines=tuple(StatementLine(p, Decimal(a), h) for p, a, h in lines),
        payment=None if paid is None else Payment(paid, "ref", payable),
    )


def _one(statements: list[Statement], party: UUID, **period: date | None) -> dict[str, object]:
    moves = [m for s in statements for m in movements(s, party)]
    found = ledgers(
        moves, start=period.get("start"), end=period.get("end") or TODAY, exponents=MINOR_UNITS
    )
    assert len(found) == 1
    ledger = found[0]
    return {"opening": ledger.opening, "closing": ledger.closing,
            **{h.value: ledger[h] for h in Heading}}  # fmt: skip


# --- payment status and recording a payment ----------------------------------------------------


def test_a_statement_is_unpaid_until_its_payment_is_recorded_then_paid_with_date() -> None:
    statement = _statement(issued=TODAY - timedelta(days=3))
    assert statement.status is PaymentStatus.UNPAID
    payment = record_payment(
        statement, paid_on=TODAY - timedelta(days=1), reference=" WIRE-1 ", today=TODAY
    )
    assert payment == Payment(TODAY - timedelta(days=1), "WIRE-1", Decimal("100.00"))
    paid = Statement(**{**statement.__dict__, "payment": payment})
    assert paid.status is PaymentStatus.PAID


def test_a_statement_is_paid_once() -> None:
    paid = _statement(paid=TODAY)
    with pytest.raises(StatementAlreadyPaid):
        record_payment(paid, paid_on=TODAY, reference="again", today=TODAY)


def test_nothing_is_due_on_a_statement_with_no_positive_payable() -> None:
    taken_back = _statement(lines=((A, "-5.00", False),))
    assert taken_back.status is PaymentStatus.NOTHING_DUE
    with pytest.raises(NothingToPay):
        record_payment(taken_back, paid_on=TODAY, reference="x", today=TODAY)


@pytest.mark.parametrize(
    ("days", "reference", "field"),
    [
        (-1, "r", "paid_on"),
        (1, "r", "paid_on"),
        (0, "  ", "reference"),
        (0, "x" * 201, "reference"),
    ],
)
def test_a_payment_is_dated_between_issue_and_today_with_a_reference(
    days: int, reference: str, field: str
) -> None:
    issued = TODAY - timedelta(days=5)
    statement = _statement(issued=issued)
    day = issued + timedelta(days=days) if days <= 0 else TODAY + timedelta(days=days)
    with pytest.raises(InvalidPayment) as refused:
        record_payment(statement, paid_on=day, reference=reference, today=TODAY)
    assert refused.value.field == field


# --- the ledger --------------------------------------------------------------------------------


def test_the_ledger_sums_each_heading_and_closes_to_the_cent() -> None:
    day = TODAY - timedelta(days=30)
    statements = [
        _statement(
            kind="ADVANCE", issued=day, lines=((A, "500.00", False), (B, "500.00", False)), paid=day
        ),
        _statement(
            issued=day + timedelta(days=10),
            lines=((A, "33.33", False),),
            paid=day + timedelta(days=12),
        ),
        _statement(issued=day + timedelta(days=11), lines=((A, "10.01", True), (B, "5.00", False))),
        _statement(kind="TRUE_UP", issued=day + timedelta(days=20), lines=((A, "66.67", False),)),
        _statement(
            kind="RELEASE",
            issued=day + timedelta(days=21),
            lines=((A, "10.01", False),),
            paid=day + timedelta(days=22),
        ),
        _statement(issued=day + timedelta(days=22), lines=((A, "-3.00", False),)),
    ]
    assert _one(statements, A) == {
        "opening": Decimal("0.00"),
        "earnings": Decimal("40.34"),  # 33.33 + 10.01 held + -3.00
        "advances": Decimal("500.00"),
        "true_ups": Decimal("66.67"),
        "releases": Decimal("10.01"),
        "holds": Decimal("10.01"),
        "payments": Decimal("543.34"),  # 500.00 + 33.33 + 10.01 (the held line is not paid)
        "closing": Decimal("63.67"),  # the true-up 66.67 and the correction -3.00
    }


def test_the_opening_is_what_was_owed_before_the_period() -> None:
    day = TODAY - timedelta(days=30)
    statements = [
        _statement(issued=day, lines=((A, "100.00", False),), paid=day + timedelta(days=15)),
        _statement(issued=day + timedelta(days=5), lines=((A, "20.00", False),)),
    ]
    later = _one(statements, A, start=day + timedelta(days=10))
    assert later["opening"] == Decimal("120.00")
    assert later["earnings"] == Decimal("0.00")
    assert later["payments"] == Decimal("100.00")
    assert later["closing"] == Decimal("20.00")
    before = _one(statements, A, end=day + timedelta(days=9))
    assert before["closing"] == later["opening"]


def test_a_ledger_is_per_currency_and_a_line_without_a_party_is_nobodys() -> None:
    statements = [
        _statement(currency="EUR", lines=((A, "1.00", False), (None, "9.00", True))),
        _statement(currency="JPY", lines=((A, "150", False),)),
    ]
    moves = [m for s in statements for m in movements(s, A)]
    found = ledgers(moves, start=None, end=TODAY, exponents=MINOR_UNITS)
    assert [(g.currency, g.closing) for g in found] == [
        ("EUR", Decimal("1.00")), ("JPY", Decimal("150")),
    ]  # fmt: skip


def test_a_held_line_is_read_from_the_mark_suspense_writes() -> None:
    assert StatementLine.of({"party_id": str(A), "amount": "1.00", "held": True}).held
    assert not StatementLine.of({"party_id": str(A), "share": "50", "amount": "1.00"}).held
    # Only the mark the suspense rule writes counts: look-alikes are not a hold.
    assert not StatementLine.of({"party_id": str(A), "amount": "1.00", "held": "true"}).held
    assert not StatementLine.of({"party_id": str(A), "amount": "1.00", "status": "HELD"}).held
    assert StatementLine.of({"amount": "1.00"}).party_id is None


_amounts = st.integers(min_value=-50_000, max_value=500_000)
_statements = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.sampled_from(("EUR", "JPY", "KWD")),
        st.integers(min_value=0, max_value=60),  # issued, days ago
        st.lists(
            st.tuples(st.sampled_from((A, B)), _amounts, st.booleans()), min_size=1, max_size=3
        ),
        st.one_of(st.none(), st.integers(min_value=0, max_value=60)),  # paid, days after issue
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(_statements, st.integers(min_value=0, max_value=70), st.integers(min_value=0, max_value=70))
def test_the_ledger_identity_holds_to_the_cent_and_periods_chain(
    raw: list[tuple[str, str, int, list[tuple[UUID, int, bool]], int | None]],
    cut_days: int,
    end_days: int,
) -> None:
    statements = []
    for kind, currency, ago, lines, paid_after in raw:
        unit = Decimal(1).scaleb(-MINOR_UNITS[currency])
        issued = TODAY - timedelta(days=ago)
        statements.append(
            _statement(
                kind=kind,
                currency=currency,
                issued=issued,
                lines=tuple((p, str(Decimal(n) * unit), held) for p, n, held in lines),
                paid=None if paid_after is None else issued + timedelta(days=paid_after),
            )
        )
    end = TODAY - timedelta(days=end_days) + timedelta(days=70)
    cut = TODAY - timedelta(days=cut_days)
    moves = [m for s in statements for m in movements(s, A)]
    whole = {g.currency: g for g in ledgers(moves, start=None, end=end, exponents=MINOR_UNITS)}
    first = {g.currency: g for g in ledgers(moves, start=None, end=cut - timedelta(days=1),
                                            exponents=MINOR_UNITS)}  # fmt: skip
    second = {g.currency: g for g in ledgers(moves, start=cut, end=end, exponents=MINOR_UNITS)}
    for currency, ledger in whole.items():
        # The oracle: what A is owed, straight from the statements, minor unit by minor unit.
        owed = Decimal(0)
        for s in statements:
            if s.currency != currency or s.issued_on > end:
                continue
            for line in s.lines:
                if line.party_id != A:
                    continue
                if not line.held:
                    owed += line.amount
                    if s.payment is not None and s.payment.paid_on <= end:
                        owed -= line.amount
        assert ledger.closing == owed
        credits = sum(
            (
                ledger[h]
                for h in (Heading.EARNINGS, Heading.ADVANCES, Heading.TRUE_UPS, Heading.RELEASES)
            ),
            Decimal(0),
        )
        assert ledger.closing == ledger.opening + credits - ledger[Heading.HOLDS] - ledger[
            Heading.PAYMENTS]  # fmt: skip
        assert second[currency].opening == (
            first[currency].closing if currency in first else Decimal(0)
        )
        assert second[currency].closing == ledger.closing


# --- conversion --------------------------------------------------------------------------------


def _rate(base: str, quote: str, rate: str, days_ago: int) -> ExchangeRate:
    return ExchangeRate(
        base, quote, Decimal(rate), "ECB reference rate", TODAY - timedelta(days=days_ago)
    )


def test_conversion_rounds_half_up_to_the_target_minor_units() -> None:
    assert convert(Decimal("10.00"), Decimal("162.345"), 0) == Decimal("1623")
    assert convert(Decimal("0.05"), Decimal("0.5"), 2) == Decimal("0.03")  # 0.025: half up
    assert convert(Decimal("1.000"), Decimal("0.0125"), 3) == Decimal("0.013")  # not to even
    assert convert(Decimal("1234.56"), Decimal("0.30745"), 3) == Decimal("379.565")


def test_a_statement_converts_at_the_rate_in_effect_on_its_issue_date() -> None:
    rates = [_rate("EUR", "USD", "1.10", 20), _rate("EUR", "USD", "1.20", 5),
             _rate("EUR", "USD", "9.99", 0)]  # fmt: skip
    statement = _statement(issued=TODAY - timedelta(days=6))
    assert rate_on(rates, "EUR", "USD", statement.issued_on).rate == Decimal("1.10")
    conversion = convert_statement(statement, "USD", rates, 2)
    assert conversion.payable == Decimal("110.00")
    assert [line.amount for line in conversion.lines] == [Decimal("66.00"), Decimal("44.00")]
    assert conversion.rate is not None and conversion.rate.source == "ECB reference rate"


def test_no_rate_is_a_clear_error_naming_the_pair_never_a_guess() -> None:
    rates = [_rate("USD", "EUR", "0.9", 30), _rate("EUR", "USD", "1.1", 0)]
    with pytest.raises(NoExchangeRate) as refused:
        rate_on(rates, "EUR", "USD", TODAY - timedelta(days=1))
    assert "EUR->USD" in refused.value.message
    assert refused.value.field == "currency"


def test_a_paid_statement_leaves_nothing_owed_once_converted() -> None:
    rates = [_rate("JPY", "EUR", "0.006131", 10)]
    statement = _statement(
        currency="JPY",
        lines=((A, "3333", False), (B, "6667", False)),
        issued=TODAY - timedelta(days=3),
        paid=TODAY,
    )
    moves = converted_movements(statement, A, "EUR", rates, 2)
    (ledger,) = ledgers(moves, start=None, end=TODAY, exponents=MINOR_UNITS)
    assert ledger[Heading.EARNINGS] == Decimal("20.43")  # 3333 × 0.006131 = 20.4346...
    assert ledger[Heading.PAYMENTS] == Decimal("20.43")
    assert ledger.closing == Decimal("0.00")


@pytest.mark.parametrize("text", ["0", "-1.2", "1.0000000000001", "1000000000", "1E+40"])
def test_a_rate_is_positive_with_bounded_places(text: str) -> None:
    with pytest.raises(InvalidExchangeRate):
        check_rate(Decimal(text))
    assert check_rate(Decimal("0.000000000001")) == Decimal("0.000000000001")


def test_the_largest_amounts_convert_and_sum_exactly() -> None:
    """15 whole digits at a rate of 9 whole digits and 12 places: 36 digits of product and
    more of sums, beyond Decimal's default 28, still exact to the minor unit."""
    amount, rate = Decimal("999999999999999.999"), Decimal("999999999.999999999999")
    converted = convert(amount, rate, 3)
    assert converted == Decimal("999999999999999998999000.000")
    statements = [
        _statement(currency="KWD", issued=TODAY - timedelta(days=1),
                   lines=((A, "999999999999999.999", False),))
        for _ in range(20)
    ]  # fmt: skip
    moves = [m for s in statements
             for m in converted_movements(s, A, "BHD", [_rate("KWD", "BHD", str(rate), 5)], 3)]
    (ledger,) = ledgers(moves, start=None, end=TODAY, exponents=MINOR_UNITS)
    assert ledger[Heading.EARNINGS] == converted * 20
    assert ledger.closing == converted * 20
