"""The payee ledger's HTTP routes (DOMAIN.md, "The payee ledger, payments and conversion"):
a statement's payment, exchange rates, a payee's statements and balances."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from runtime.auth import CurrentPrincipal
from runtime.idempotency import IdempotencyKey
from runtime.openapi import error_responses
from runtime.uow import UnitOfWorkFactory

from contracts import access
from licensing import ledger
from licensing.api import CallerDep, Service, Session, _columns, _plain, statement_json
from licensing.domain import ledger as rules
from licensing.models import ExchangeRateRow, StatementPaymentRow, StatementRow

router = APIRouter(responses=error_responses(403))

MAX_PAGE = 100


def rate_json(rate: rules.ExchangeRate | ExchangeRateRow) -> dict[str, Any]:
    return _columns(rate, "base", "quote", "rate", "source", "effective_on")


def conversion_json(conversion: rules.Conversion) -> dict[str, Any]:
    return {
        "currency": conversion.currency,
        "payable": _plain(conversion.payable),
        "lines": [
            {"party_id": _plain(line.party_id), "amount": _plain(line.amount), "held": line.held}
            for line in conversion.lines
        ],
        "rate": None if conversion.rate is None else rate_json(conversion.rate),
    }


def paid_statement_json(
    row: StatementRow,
    payment: StatementPaymentRow | None,
    conversion: rules.Conversion | None = None,
) -> dict[str, Any]:
    return {
        **statement_json(row, payment=payment),
        "converted": None if conversion is None else conversion_json(conversion),
    }


def ledger_json(found: rules.Ledger) -> dict[str, Any]:
    return {
        "currency": found.currency,
        "from": _plain(found.start),
        "to": _plain(found.end),
        "opening": _plain(found.opening),
        **{heading.value: _plain(found[heading]) for heading in rules.Heading},
        "closing": _plain(found.closing),
    }


# --- commands ----------------------------------------------------------------------------------


@router.post(
    "/statements/{statement_id}/payment",
    response_model=dict[str, Any],
    responses=error_responses(400, 404, 409),
)
async def record_payment(
    statement_id: UUID,
    command: ledger.RecordPayment,
    caller: CallerDep,
    licensing: Service,
    key: IdempotencyKey,
) -> Response:
    async def run(uow: UnitOfWorkFactory) -> ledger.PaidStatement:
        return await ledger.record_payment(
            uow=uow, caller=caller, statement_id=statement_id, command=command
        )

    def answer(paid: ledger.PaidStatement) -> dict[str, Any]:
        return paid_statement_json(paid.statement, paid.payment)

    found = await licensing.keyed.run_once(key, run, answer=answer, status=200)
    return found.response()


@router.post(
    "/exchange-rates",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 409),
)
async def record_exchange_rate(
    command: ledger.RecordExchangeRate, principal: CurrentPrincipal, licensing: Service
) -> dict[str, Any]:
    # An operator's account may act for no party: the roles decide, not `CallerDep`.
    recorder = access.Caller.of(principal.party_id, principal.roles)
    row = await ledger.record_exchange_rate(
        uow=licensing.uow, recorder=recorder, subject=principal.party_id, command=command
    )
    return rate_json(row)


# --- queries -----------------------------------------------------------------------------------


@router.get("/exchange-rates")
async def exchange_rates(
    _: CurrentPrincipal, session: Session, base: str | None = None, quote: str | None = None
) -> dict[str, Any]:
    rows = await ledger.exchange_rates(session, base=base, quote=quote)
    return {"items": [rate_json(r) for r in rows]}


@router.get("/payee-statements", responses=error_responses(400))
async def payee_statements(
    caller: CallerDep,
    session: Session,
    party_id: UUID | None = None,
    as_payer: bool = False,
    status: ledger.Status | None = None,
    currency: str | None = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    convert_to: str | None = None,
    first: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    after: str | None = None,
) -> dict[str, Any]:
    page = await ledger.payee_statements(
        session, caller, party_id=party_id, as_payer=as_payer, status=status,
        currency=currency, start=start, end=end, first=first, after=after,
    )  # fmt: skip
    conversions = {}
    if convert_to is not None:
        conversions = await ledger.conversions(
            session, [ledger.to_statement(s, p) for s, p in page.items], convert_to
        )
    return {
        "items": [paid_statement_json(s, p, conversions.get(s.id)) for s, p in page.items],
        "next_cursor": page.next_cursor,
        "total_count": page.total_count,
    }


@router.get("/balances", responses=error_responses(400))
async def balances(
    caller: CallerDep,
    session: Session,
    party_id: UUID | None = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    currency: str | None = None,
) -> dict[str, Any]:
    found = await ledger.balances(
        session, caller, party_id=party_id, start=start, end=end, currency=currency
    )
    return {
        "party_id": str(found.party_id),
        "ledgers": [ledger_json(one) for one in found.ledgers],
    }
