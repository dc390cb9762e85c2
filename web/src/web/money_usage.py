"""Usage reports as the web app takes them (WEB.md, "Money"): the form, and a CSV file of
many reports, each read into the API's `ReportUsageInput`; the API's field errors placed at
the form's controls, and a file's refusals by row and field. The web app checks only that
what it must send is there and is a number or a date; the API's answer decides the rest."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal

from web.form_errors import FieldError, Wording
from web.labels import N_

# The form's controls, by the API's field names.
CONTROLS = ("periodStart", "periodEnd", "units", "grossRevenue")
# A file's columns (its first row), in the API's words and without the page's number format:
# files come from other systems, so dates are ISO 8601 and amounts use a full stop.
FILE_COLUMNS = ("period_start", "period_end", "units", "gross_revenue")
COLUMN_OF = dict(zip(CONTROLS, FILE_COLUMNS, strict=True))
MAX_FILE_ROWS = 200
MAX_FILE_BYTES = 256 * 1024
ERROR_TEXT = {
    "REQUIRED": N_("This is required."),
    "NOT_A_DATE": N_("Write a date as YYYY-MM-DD."),
    "NOT_A_WHOLE_NUMBER": N_("Write a whole number, such as 1200."),
    "NOT_AN_AMOUNT": N_("Write an amount, such as 5000.00."),
    "NOT_A_PLAIN_AMOUNT": N_("Write the amount with a full stop, such as 5000.00."),
    "INVALID_PERIOD": N_("The period must not end before it starts."),
    "USAGE_OUTSIDE_LICENCE": N_("The period is outside the licence's term."),
    "USAGE_OVERLAP": N_("Usage for this period, or part of it, was already reported."),
    "ILLEGAL_TRANSITION": N_("The licence is not in force: no usage can be reported on it."),
    "NOT_THE_LICENSEE": N_("Only the licensee reports usage on this licence."),
    "WRONG_CURRENCY": N_("The currency is not the licence's."),
    "IDEMPOTENCY_KEY_REUSED": N_("This form was already sent with other values: open it again."),
    "NO_COLUMNS": N_("The file's first row must name its columns: period_start, period_end, "
                     "units, gross_revenue."),
    "TOO_MANY_ROWS": N_("The file has too many rows: at most 200 reports a file."),
    "TOO_LARGE": N_("The file is too large: at most 256 KB."),
    "NOT_CSV": N_("The file is not a CSV file in UTF-8."),
    "EMPTY_FILE": N_("The file has no report."),
}


@dataclass
class UsageForm:
    """What was typed, kept to show the form again."""

    period_start: str = ""
    period_end: str = ""
    units: str = ""
    gross_revenue: str = ""
    idempotency_key: str = ""


@dataclass
class FileOutcome:
    """What became of a file's rows: the statements issued and the rows refused."""

    reported: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    refused: list[FieldError] = field(default_factory=list)


wording = Wording(ERROR_TEXT)


def read_form(form: Any) -> UsageForm:
    def text(name: str) -> str:
        return str(form.get(name, "")).strip()

    return UsageForm(text("periodStart"), text("periodEnd"), text("units"),
                     text("grossRevenue"), text("idempotencyKey"))


def _date(value: str, control: str, errors: list[FieldError], row: int | None) -> str:
    if not value:
        errors.append(FieldError(control, "REQUIRED", row=row))
        return value
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        errors.append(FieldError(control, "NOT_A_DATE", row=row))
        return value


def _number(value: str, control: str, code: str, locale: Locale | None,
            errors: list[FieldError], row: int | None) -> Decimal | None:
    """A number as the page's locale writes it (strictly), or as a file does (a full stop)."""
    if not value:
        errors.append(FieldError(control, "REQUIRED", row=row))
        return None
    try:
        number = parse_decimal(value, locale=locale, strict=True) if locale else Decimal(value)
    except (NumberFormatError, ArithmeticError):
        number = None
    if number is None or not number.is_finite() or (
            code == "NOT_A_WHOLE_NUMBER" and number != number.to_integral_value()):
        if locale is None and code == "NOT_AN_AMOUNT":
            code = "NOT_A_PLAIN_AMOUNT"  # a file's amounts are plain whatever the page's locale
        errors.append(FieldError(control, code, row=row))
        return None
    return number


def to_input(licence_id: str, typed: UsageForm, language: str | None, *,
             row: int | None = None) -> tuple[dict[str, Any], list[FieldError]]:
    """The API's `ReportUsageInput` and the errors the page finds itself. `language`: the
    page's locale for numbers; None for a file's plain numbers."""
    errors: list[FieldError] = []
    locale = Locale.parse(language) if language else None
    start = _date(typed.period_start, "periodStart", errors, row)
    end = _date(typed.period_end, "periodEnd", errors, row)
    units = _number(typed.units, "units", "NOT_A_WHOLE_NUMBER", locale, errors, row)
    gross = _number(typed.gross_revenue, "grossRevenue", "NOT_AN_AMOUNT", locale, errors, row)
    payload: dict[str, Any] = {
        "licenceId": licence_id,
        "periodStart": start,
        "periodEnd": end,
        "units": int(units) if units is not None else 0,
        "grossRevenue": str(gross) if gross is not None else "",
    }
    if typed.idempotency_key:
        payload["idempotencyKey"] = typed.idempotency_key
    return payload, errors


def field_errors(errors: list[dict[str, Any]], row: int | None = None) -> list[FieldError]:
    """The payload's `errors`, each at the control its field names (None: above the form)."""
    return [
        FieldError(error.get("field") if error.get("field") in CONTROLS else None,
                   str(error.get("code", "")), str(error.get("message", "")), row)
        for error in errors
    ]


def read_file(content: bytes, licence_id: str, form_key: str
              ) -> tuple[list[tuple[int, dict[str, Any]]], list[FieldError]]:
    """A CSV file's reports as `(row, ReportUsageInput)`, or the errors of every bad row (then
    none is sent: a file is reported whole or not at all, as far as the page can tell).

    Each row's idempotency key is the form's key and a digest of the row's values (the n-th
    identical row counted apart): sending the same file again from the same form reports
    nothing twice, and a file corrected and sent again reports only the rows that changed."""
    if len(content) > MAX_FILE_BYTES:
        return [], [FieldError(None, "TOO_LARGE")]
    try:
        text = content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
    except (UnicodeDecodeError, csv.Error):
        return [], [FieldError(None, "NOT_CSV")]
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        return [], [FieldError(None, "EMPTY_FILE")]
    columns = [name.strip().lower() for name in rows[0]]
    if not set(FILE_COLUMNS) <= set(columns):
        return [], [FieldError(None, "NO_COLUMNS", row=1)]
    if len(rows) == 1:
        return [], [FieldError(None, "EMPTY_FILE")]
    if len(rows) - 1 > MAX_FILE_ROWS:
        return [], [FieldError(None, "TOO_MANY_ROWS")]
    reports: list[tuple[int, dict[str, Any]]] = []
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        values = dict(zip(columns, (cell.strip() for cell in cells), strict=False))
        typed = UsageForm(*(values.get(name, "") for name in FILE_COLUMNS))
        payload, found = to_input(licence_id, typed, None, row=number)
        errors += found
        digest = "|".join(str(payload[name]) for name in CONTROLS)
        seen[digest] = seen.get(digest, 0) + 1
        row_key = hashlib.sha256(f"{digest}#{seen[digest]}".encode()).hexdigest()[:32]
        payload["idempotencyKey"] = f"{form_key}:{row_key}"
        reports.append((number, payload))
    return ([], errors) if errors else (reports, [])


def file_column(error: FieldError) -> str | None:
    """The file's column an error names (its control's), None for the row as a whole."""
    return COLUMN_OF.get(error.control or "")
