"""The money pages of issue 20 (WEB.md, "Deals and money in depth"): a statement recorded as
paid by its licensee (`recordStatementPayment`) and the party's balances per currency over a
period (`myBalances`), with the period's statements converted into a chosen currency
(`myStatements(convertTo:)`). The API decides every rule; the pages place its refusals."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web import deals_forms, money_labels
from web.api import APIError
from web.form_errors import FieldError, Wording
from web.labels import N_
from web.money_queries import BALANCES, CONVERTED, RECORD_PAYMENT, STATEMENTS
from web.signed_in import token_or_sign_in

if TYPE_CHECKING:
    from web.app import Pages

# The balances form's own words, besides the deal forms' (a payment's codes are worded there).
BALANCE_ERROR_TEXT = {
    "NO_EXCHANGE_RATE": N_("No exchange rate is recorded for this currency on a statement's "
                           "date: choose another currency."),
    "INVALID_PERIOD": N_("The period ends before it starts."),
}
BALANCE_INVALID_AT = {
    "from": N_("This is not a valid date."),
    "to": N_("This is not a valid date."),
    "convertTo": N_("This is not a currency code such as THB or USD."),
}
balance_wording = Wording(BALANCE_ERROR_TEXT, BALANCE_INVALID_AT)
_CURRENCY = re.compile(r"[A-Z]{3}")
# The ledger's lines in the order closing = opening + … - …, with their words.
LEDGER_LINES = (
    ("opening", N_("Opening balance")),
    ("earnings", N_("Royalties earned")),
    ("advances", N_("Advances")),
    ("trueUps", N_("Minimum guarantee true-ups")),
    ("releases", N_("Released from suspense")),
    ("holds", N_("Held in suspense")),
    ("payments", N_("Payments received")),
    ("closing", N_("Closing balance")),
)


def payment_key(statement_id: str) -> str:
    """One intended payment per statement: a double click records it once."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"statement-payment:{statement_id}"))


def payment_context(licence: dict[str, Any], *, statement_id: str | None = None,
                    errors: list[FieldError] | None = None,
                    typed: deals_forms.DealForm | None = None) -> dict[str, Any]:
    """What the statements page's payment forms need: each statement's key, and a refused
    form's errors and values (for `statement_id` only)."""
    return {"payment_keys": {s["id"]: payment_key(s["id"]) for s in licence["statements"]},
            # a release names the held statements it pays, a held one its release
            "statements_by_id": {s["id"]: s for s in licence["statements"]},
            "payment_for": statement_id, "payment_errors": errors or [],
            "payment_form": typed or deals_forms.DealForm(),
            "empty_payment": deals_forms.DealForm(), "wording": deals_forms.wording}


def payment_errors(answer_errors: list[dict[str, Any]], statement_id: str) -> list[FieldError]:
    """The API's refusal at the statement's own form's controls."""
    prefix = f"payment-{statement_id}-"
    return [FieldError(None if control is None else prefix + control, code, message)
            for control, code, message in
            ((deals_forms.control_of(e.get("field"), deals_forms.PAYMENT_CONTROLS),
              str(e.get("code", "")), str(e.get("message", ""))) for e in answer_errors)]


def read_period(query: Any) -> tuple[dict[str, str | None], str | None, list[FieldError]]:
    """The balances form's GET: (from and to as the API's dates, the currency to convert
    into, the errors the page finds itself: a value that is no date or no currency code)."""
    errors: list[FieldError] = []
    period: dict[str, str | None] = {}
    for name in ("from", "to"):
        typed = str(query.get(name, "")).strip()
        period[name] = None
        if typed:
            try:
                period[name] = date.fromisoformat(typed).isoformat()
            except ValueError:
                errors.append(FieldError(name, "INVALID_DATE", ""))
    convert = str(query.get("convertTo", "")).strip().upper() or None
    if convert is not None and not _CURRENCY.fullmatch(convert):
        errors.append(FieldError("convertTo", "INVALID_CURRENCY", ""))
        convert = None
    return period, convert, errors


class LedgerPages:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    async def record_payment(self, request: Request) -> Response:
        """The licensee records a statement paid; back to the licence's statements (303), or
        the page again with the refusal at the statement's form."""
        statement_id = request.path_params["statement_id"]
        typed = await request.form()
        licence_id = str(typed.get("licenceId", ""))
        back = f"/my/licences/{licence_id}/statements"
        token = await token_or_sign_in(self.pages, request, back)
        if not isinstance(token, str):
            return token
        form = deals_forms.read(typed, deals_forms.PAYMENT_CONTROLS)
        errors: list[FieldError] = []
        if not form.get("paidOn"):
            errors.append(FieldError(f"payment-{statement_id}-paidOn", "INVALID_DATE", ""))
        else:
            payload = {"statementId": statement_id, "paidOn": form.get("paidOn"),
                       "reference": form.get("reference"),
                       "idempotencyKey": str(typed.get("key", "")) or payment_key(statement_id)}
            try:
                answer = (await self.pages.ask(request, RECORD_PAYMENT, {"input": payload},
                                               token=token))["recordStatementPayment"]
            except APIError as error:
                if error.status not in (400, 403, 404, 409):
                    return self.pages.failed(request, error)
                errors = [FieldError(None, error.code, error.message)]
            else:
                errors = payment_errors(answer["errors"], statement_id)
            if not errors:
                return RedirectResponse(f"{back}#statement-{statement_id}", status_code=303)
        try:
            data = await self.pages.ask(request, STATEMENTS, {"id": licence_id}, token=token)
        except APIError as error:
            return self.pages.failed(request, error)
        if data["licence"] is None:
            return self.pages.failed(request, APIError(404, "NOT_FOUND", "no such licence"))
        return self.pages.render(
            request, "money_statements.html", status=400, me=data["me"] or {},
            licence=data["licence"], money_labels=money_labels, errors=errors,
            **payment_context(data["licence"], statement_id=statement_id, errors=errors,
                              typed=form))

    async def balances(self, request: Request) -> Response:
        """`/my/balances`: the ledger per currency over the chosen period; with `convertTo`,
        the period's statements in that currency."""
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        period, convert, errors = read_period(request.query_params)
        asked = {"from": period["from"], "to": period["to"]}
        try:
            data = await self.pages.ask(request, BALANCES, asked, token=token)
        except APIError as error:
            if error.status != 400:
                return self.pages.failed(request, error)
            # A period the API refuses (it ends before it starts): said at the form.
            errors.append(FieldError(None, error.code, error.message))
            data = await self.pages.ask(request, BALANCES, {"from": None, "to": None},
                                        token=token)
        converted = None
        if convert is not None:
            try:
                converted = (await self.pages.ask(request, CONVERTED,
                                                  {**asked, "convertTo": convert},
                                                  token=token))["myStatements"]
            except APIError as error:
                if error.code in ("NO_EXCHANGE_RATE", "INVALID_CURRENCY") or \
                        error.status == 400:
                    errors.append(FieldError("convertTo", error.code, error.message))
                else:
                    return self.pages.failed(request, error)
        shown = {"from": str(request.query_params.get("from", "")),
                 "to": str(request.query_params.get("to", "")),
                 "convertTo": str(request.query_params.get("convertTo", ""))}
        return self.pages.render(
            request, "money_balances.html", status=400 if errors else 200, me=data["me"],
            ledgers=data["myBalances"], lines=LEDGER_LINES, converted=converted,
            convert=convert, form=deals_forms.DealForm(values=shown), errors=errors,
            wording=balance_wording, money_labels=money_labels)


def routes(pages: Pages) -> list[Route]:
    ledger = LedgerPages(pages)
    return [
        Route("/my/statements/{statement_id}/payment", ledger.record_payment, methods=["POST"],
              name="record_payment"),
        Route("/my/balances", ledger.balances, name="balances"),
    ]
