"""The payee ledger in GraphQL (DOMAIN.md, "The payee ledger, payments and conversion"): the
caller's statements and balances, a statement's payment, exchange rates and conversion."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Awaitable, Mapping
from typing import Annotated, Any, Self

import strawberry
from contracts.money import parse_currency

from gateway.access import load_visible_licence
from gateway.backends import Backends
from gateway.errors import UserError
from gateway.schema.common import FromReply, Info, UserErrorType, command, from_reply, require_id
from gateway.schema.inputs import idempotency_field, idempotency_key
from gateway.schema.licences import Licence
from gateway.schema.parties import Party, require_party
from gateway.schema.statements import PaymentStatus, StatementLine, StatementPayment

MAX_PAGE = 100
# `from` is a Python keyword: the argument is `from_` in Python, `from` in GraphQL.
FromDate = Annotated[datetime.date | None, strawberry.argument(name="from")]


@strawberry.type(description="A recorded exchange rate: 1 base = rate quote, from effectiveOn.")
class ExchangeRate(FromReply):
    base: str
    quote: str
    rate: decimal.Decimal
    source: str
    effective_on: datetime.date


@strawberry.type(description="One payee line of a converted statement.")
class ConvertedLine(FromReply):
    amount: decimal.Decimal
    held: bool
    party_id: strawberry.Private[str | None]

    @strawberry.field(graphql_type=Party | None)
    def party(self, info: Info) -> Party | Awaitable[Party] | None:
        return None if self.party_id is None else require_party(info, self.party_id)


@strawberry.type(
    description="A statement in another currency, at the rate in effect on its issue date "
    "(rate null: it is in that currency already), each amount rounded to its minor units."
)
class ConvertedStatement(FromReply):
    currency: str
    payable: decimal.Decimal
    lines: list[ConvertedLine]
    rate: ExchangeRate | None


@strawberry.type(description="A statement as its payee (or its payer) reads it in the ledger.")
class LedgerStatement(FromReply):
    id: strawberry.ID
    kind: str
    work_id: strawberry.ID
    period_start: datetime.date
    period_end: datetime.date
    payable: decimal.Decimal
    currency: str
    lines: list[StatementLine]
    issued_at: datetime.datetime
    payment: StatementPayment
    converted: ConvertedStatement | None
    licence_id: strawberry.Private[str]

    @strawberry.field(description="null when the caller no longer sees it (a former owner)")
    async def licence(self, info: Info) -> Licence | None:
        data = await load_visible_licence(info.context, self.licence_id)
        return None if data is None else Licence.of(data)


@strawberry.type
class LedgerStatementPage:
    nodes: list[LedgerStatement]
    next_cursor: str | None
    total_count: int


@strawberry.type(
    description="A party's account in one currency over [from, to]: closing = opening + "
    "earnings + advances + trueUps + releases - holds - payments, to the minor unit."
)
class Ledger(FromReply):
    currency: str
    from_: datetime.date | None = strawberry.field(name="from")
    to: datetime.date
    opening: decimal.Decimal
    earnings: decimal.Decimal
    advances: decimal.Decimal
    true_ups: decimal.Decimal
    releases: decimal.Decimal
    holds: decimal.Decimal
    payments: decimal.Decimal
    closing: decimal.Decimal

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Self:
        start = data.get("from")
        return from_reply(
            cls, data, from_=None if start is None else datetime.date.fromisoformat(str(start))
        )


def _currency(value: str | None, field: str) -> str | None:
    return None if value is None else parse_currency(value, field=field)


def _day(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


async def _balances(
    info: Info,
    party_id: str | None,
    start: datetime.date | None,
    end: datetime.date | None,
    currency: str | None,
) -> list[Ledger]:
    ctx = info.context
    ctx.require_principal()
    reply = await ctx.backends.licensing.balances(
        {"party_id": party_id, "from": _day(start), "to": _day(end),
         "currency": _currency(currency, "currency")}
    )  # fmt: skip
    return [Ledger.of(one) for one in reply["ledgers"]]


@strawberry.type
class LedgerQuery:
    @strawberry.field(
        description="The statements that pay the caller's party, newest first (with asPayer, "
        "those it pays as licensee); filters: payment status, currency, issue dates; with "
        "convertTo, each converted at its issue date's recorded rate."
    )
    async def my_statements(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: PaymentStatus | None = None,
        currency: str | None = None,
        from_: FromDate = None,
        to: datetime.date | None = None,
        as_payer: bool = False,
        convert_to: str | None = None,
    ) -> LedgerStatementPage:
        if not 1 <= first <= MAX_PAGE:
            raise UserError("INVALID_INPUT", f"first: 1 to {MAX_PAGE}", "first")
        ctx = info.context
        ctx.require_principal()
        reply = await ctx.backends.licensing.payee_statements(
            {
                "first": first, "after": after,
                "status": None if status is None else status.value,
                "currency": _currency(currency, "currency"),
                "from": _day(from_), "to": _day(to),
                "as_payer": "true" if as_payer else None,
                "convert_to": _currency(convert_to, "convertTo"),
            }
        )  # fmt: skip
        return LedgerStatementPage(
            nodes=[LedgerStatement.of(s) for s in reply["items"]],
            next_cursor=reply["next_cursor"],
            total_count=reply["total_count"],
        )

    @strawberry.field(
        description="The caller's party's ledger over [from, to] (UTC dates; from absent: "
        "since the beginning; to absent: today): one per currency, or one in `currency`."
    )
    async def my_balances(
        self,
        info: Info,
        from_: FromDate = None,
        to: datetime.date | None = None,
        currency: str | None = None,
    ) -> list[Ledger]:
        return await _balances(info, None, from_, to, currency)

    @strawberry.field(description="Any party's ledger: examiners and collecting societies.")
    async def party_balances(
        self,
        info: Info,
        party_id: strawberry.ID,
        from_: FromDate = None,
        to: datetime.date | None = None,
        currency: str | None = None,
    ) -> list[Ledger]:
        return await _balances(info, require_id(party_id, "partyId"), from_, to, currency)

    @strawberry.field(description="Recorded exchange rates, newest first per pair.")
    async def exchange_rates(
        self, info: Info, base: str | None = None, quote: str | None = None
    ) -> list[ExchangeRate]:
        ctx = info.context
        ctx.require_principal()
        rows = await ctx.backends.licensing.exchange_rates(
            _currency(base, "base"), _currency(quote, "quote")
        )
        return [ExchangeRate.of(r) for r in rows]


@strawberry.input
class RecordStatementPaymentInput:
    statement_id: strawberry.ID
    paid_on: datetime.date
    reference: str
    idempotency_key: str | None = idempotency_field()


@strawberry.input
class RecordExchangeRateInput:
    base: str
    quote: str
    rate: str = strawberry.field(
        description='decimal text, e.g. "1.0823" (at most 12 places; never a number)'
    )
    source: str
    effective_on: datetime.date


@strawberry.type
class StatementPaymentPayload:
    statement: LedgerStatement | None
    errors: list[UserErrorType]


@strawberry.type
class ExchangeRatePayload:
    rate: ExchangeRate | None
    errors: list[UserErrorType]


@strawberry.type
class LedgerMutation:
    @strawberry.mutation(
        description="The licensee records a statement paid, whole and once: the date and its "
        "reference. Answers with the statement and its payment."
    )
    async def record_statement_payment(
        self, info: Info, input: RecordStatementPaymentInput
    ) -> StatementPaymentPayload:
        async def send(backends: Backends) -> dict[str, Any]:
            statement_id = require_id(input.statement_id, "statementId")
            body = {"paid_on": input.paid_on.isoformat(), "reference": input.reference}
            key = idempotency_key(input.idempotency_key)
            return await backends.licensing.record_payment(statement_id, body, key)

        reply, errors = await command(info, send)
        statement = None if reply is None else LedgerStatement.of(reply)
        return StatementPaymentPayload(statement=statement, errors=errors)

    @strawberry.mutation(description="Records an exchange rate: examiners and operators.")
    async def record_exchange_rate(
        self, info: Info, input: RecordExchangeRateInput
    ) -> ExchangeRatePayload:
        async def send(backends: Backends) -> dict[str, Any]:
            body = {
                "base": parse_currency(input.base, field="base"),
                "quote": parse_currency(input.quote, field="quote"),
                "rate": input.rate,
                "source": input.source,
                "effective_on": input.effective_on.isoformat(),
            }
            return await backends.licensing.record_exchange_rate(body)

        reply, errors = await command(info, send)
        return ExchangeRatePayload(
            rate=None if reply is None else ExchangeRate.of(reply), errors=errors
        )
