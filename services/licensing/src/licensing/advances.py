"""ADVANCE and TRUE_UP statements (DOMAIN.md, "Advances and minimum guarantees"): issued in
the unit of work of the command that owes them, with the events that say so."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from contracts.enums import StatementKind
from contracts.money import minor_units
from runtime.uow import UnitOfWork

from licensing import deals, suspense
from licensing import events as outgoing
from licensing import repository as repo
from licensing.domain.advances import true_up_shortfall
from licensing.domain.errors import AdvanceAlreadyPaid, UnknownWork
from licensing.domain.lifecycle import Licence
from licensing.domain.royalties import end_of_day, shares_at, split_payable
from licensing.domain.terms import Period
from licensing.models import AdvancePaymentRow, StatementPaymentRow, StatementRow


async def _statement(
    u: UnitOfWork,
    licence: Licence,
    *,
    kind: StatementKind,
    period: Period,
    payable: Decimal,
    now: datetime,
) -> StatementRow:
    """A statement of `payable` split by the owners' shares at the end of the period, held
    while the work is disputed (DOMAIN.md, "Suspense while a work is disputed")."""
    assert period.end is not None
    history = await repo.share_history(u.session, licence.work_id)
    if not history:  # pragma: no cover - a licensed work has known owners
        raise UnknownWork(f"no owners known for work {licence.work_id}", field="licence_id")
    exponent = minor_units(licence.terms.currency)
    shares = shares_at(history, end_of_day(period.end))
    zero = Decimal(0).quantize(Decimal(1).scaleb(-exponent))
    disputed = await suspense.disputed_works(u.session, [licence.work_id])
    row = StatementRow(
        id=uuid.uuid4(), licence_id=licence.id, work_id=licence.work_id, kind=kind.value,
        period_start=period.start, period_end=period.end, gross=zero, royalty=zero,
        recouped=zero, payable=payable, currency=licence.terms.currency,
        lines=repo.lines_json(
            split_payable(payable, shares, exponent), held=licence.work_id in disputed
        ),
        issued_at=now,
    )  # fmt: skip
    u.session.add(row)
    await u.session.flush()  # the payment's foreign key, and the unique index, see it now
    await suspense.hold(u.session, [row], disputed)
    return row


async def issue_advance(
    u: UnitOfWork,
    licence: Licence,
    *,
    paid_on: date,
    reference: str,
    actor: uuid.UUID,
    now: datetime,
) -> tuple[StatementRow, AdvancePaymentRow, StatementPaymentRow]:
    """The advance recorded as paid, its ADVANCE statement and that statement's payment; once
    per licence (the caller holds the licence's lock; the payment's primary key is the last
    word)."""
    if await u.session.get(AdvancePaymentRow, licence.id) is not None:
        raise AdvanceAlreadyPaid(
            f"the advance of licence {licence.id} is already recorded as paid",
            field="licence_id",
        )
    row = await _statement(
        u, licence, kind=StatementKind.ADVANCE, period=Period(paid_on, paid_on),
        payable=licence.terms.advance, now=now,
    )  # fmt: skip
    payment = AdvancePaymentRow(
        licence_id=licence.id, statement_id=row.id, paid_on=paid_on, reference=reference,
        recorded_by=actor, recorded_at=now,
    )  # fmt: skip
    u.session.add(payment)
    # The advance is paid as it is recorded: its statement is paid (DOMAIN.md, "The payee
    # ledger, payments and conversion"), so the payees' ledgers net it at once.
    paid = StatementPaymentRow(
        statement_id=row.id, paid_on=paid_on, reference=reference, amount=row.payable,
        currency=row.currency, recorded_by=actor, recorded_at=now,
    )  # fmt: skip
    u.session.add(paid)
    u.emit(outgoing.advance_paid(row, licence, paid_on=paid_on, reference=reference))
    return row, payment, paid


async def issue_true_up(
    u: UnitOfWork, licence: Licence, *, last_day: date, now: datetime
) -> StatementRow | None:
    """At the licence's end (in the unit of work that ends it, under its lock): the
    minimum guarantee's shortfall as a TRUE_UP statement, or None when there is none."""
    if not licence.terms.minimum_guarantee:
        return None
    await deals.lock_pools(u.session, [licence])  # the pool's credits grow
    royalties = await deals.royalties_of(u.session, licence.id)
    shortfall = true_up_shortfall(licence, royalties=royalties)
    if not shortfall:
        return None
    start = licence.terms.period.start
    row = await _statement(
        u, licence, kind=StatementKind.TRUE_UP, period=Period(min(start, last_day), last_day),
        payable=shortfall, now=now,
    )  # fmt: skip
    u.emit(outgoing.guarantee_trued_up(row, licence, royalties=royalties))
    return row
