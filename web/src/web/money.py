"""The money pages (WEB.md, "Money"): a party's licences with their statements, usage
reports by form and by CSV file (the API's `reportUsage`), each statement's lines with its CSV
and PDF, and the royalties chart."""

from __future__ import annotations

import logging
import uuid
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from babel import dates
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web import money_chart, money_labels, money_ledger, money_upload_csrf, money_usage
from web.api import APIError
from web.form_errors import FieldError
from web.i18n import Formats, translations
from web.money_files import FontsMissing, statement_csv, statement_pdf
from web.money_queries import (
    LICENCES_PAGE,
    MONEY,
    REPORT_USAGE,
    ROYALTIES,
    STATEMENTS,
    USAGE_LICENCE,
)
from web.signed_in import token_or_sign_in

if TYPE_CHECKING:
    from web.app import Pages

log = logging.getLogger("web")
# The paths the money pages' forms post to (each needs the CSRF field: app.POSTED).
POSTED = {"/my/usage", "/my/usage/file"}
# How many pages of licences the chart reads at most (LICENCES_PAGE each).
CHART_PAGES = 4


class MoneyPages:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    async def _licence(self, request: Request, operation: str, licence_id: str,
                       back: str | None = None
                       ) -> tuple[str, dict[str, Any], dict[str, Any]] | Response:
        """(the access token, me, the licence), or the page to answer instead: sign-in (back
        to `back`, else this page) when signed out, 404 when the caller may not see it."""
        token = await token_or_sign_in(self.pages, request, back)
        if not isinstance(token, str):
            return token
        try:
            data = await self.pages.ask(request, operation, {"id": licence_id}, token=token)
        except APIError as error:
            return self.pages.failed(request, error)
        if data["licence"] is None:
            return self.pages.failed(request, APIError(404, "NOT_FOUND", "no such licence"))
        return token, data["me"] or {}, data["licence"]

    async def overview(self, request: Request) -> Response:
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        variables = {"first": LICENCES_PAGE, "after": request.query_params.get("after") or None}
        try:
            data = await self.pages.ask(request, MONEY, variables, token=token)
        except APIError as error:
            return self.pages.failed(request, error)
        return self.pages.render(request, "money.html", me=data["me"],
                                 licences=data["licences"], money_labels=money_labels)

    # --- usage ------------------------------------------------------------------------

    async def usage_form(self, request: Request) -> Response:
        found = await self._licence(request, USAGE_LICENCE, request.path_params["licence_id"])
        if isinstance(found, Response):
            return found
        _, me, licence = found
        form = money_usage.UsageForm(idempotency_key=str(uuid.uuid4()))
        return self.usage_page(request, me, licence, form, [])

    def usage_page(self, request: Request, me: dict[str, Any], licence: dict[str, Any],
                   form: money_usage.UsageForm, errors: list[FieldError], *,
                   status: int = 200, outcome: money_usage.FileOutcome | None = None,
                   file_errors: list[FieldError] | None = None) -> Response:
        return self.pages.render(request, "money_usage.html", status=status, me=me,
                                 licence=licence, form=form, errors=errors, outcome=outcome,
                                 file_errors=file_errors or [], usage=money_usage,
                                 wording=money_usage.wording)

    async def report(self, request: Request) -> Response:
        """The form's POST: one `reportUsage`; reported, to the licence's statements (303)."""
        form_data = await request.form()
        licence_id = str(form_data.get("licenceId", ""))
        found = await self._licence(request, USAGE_LICENCE, licence_id,
                                    f"/my/licences/{licence_id}/usage")
        if isinstance(found, Response):
            return found
        token, me, licence = found
        typed = money_usage.read_form(form_data)
        typed.idempotency_key = typed.idempotency_key or str(uuid.uuid4())
        payload, errors = money_usage.to_input(licence_id, typed, self.pages.language(request))
        if not errors:
            try:
                answer = (await self.pages.ask(request, REPORT_USAGE, {"input": payload},
                                               token=token))["reportUsage"]
            except APIError as error:
                if error.status != 400:
                    return self.pages.failed(request, error)
                errors = [FieldError(None, error.code, error.message)]
            else:
                if answer["statement"] is not None and not answer["errors"]:
                    statement_id = answer["statement"]["id"]
                    return RedirectResponse(
                        f"/my/licences/{licence_id}/statements#statement-{statement_id}",
                        status_code=303)
                errors = money_usage.field_errors(answer["errors"])
        return self.usage_page(request, me, licence, typed, errors, status=400)

    async def report_file(self, request: Request) -> Response:
        """A CSV file's POST: every row read first (one bad row: nothing is sent), then one
        `reportUsage` a row; the page lists the statements issued and the rows refused."""
        form_data = await request.form()
        licence_id = str(form_data.get("licenceId", ""))
        found = await self._licence(request, USAGE_LICENCE, licence_id,
                                    f"/my/licences/{licence_id}/usage")
        if isinstance(found, Response):
            return found
        token, me, licence = found
        form_key = str(form_data.get("idempotencyKey", "")) or str(uuid.uuid4())
        upload = form_data.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        reports, problems = money_usage.read_file(content, licence_id, form_key)
        outcome = money_usage.FileOutcome()
        for row, payload in reports:
            try:
                answer = (await self.pages.ask(request, REPORT_USAGE, {"input": payload},
                                               token=token))["reportUsage"]
            except APIError as error:
                if error.status != 400:
                    return self.pages.failed(request, error)
                outcome.refused.append(FieldError(None, error.code, error.message,
                                                              row))
                continue
            if answer["errors"] or answer["statement"] is None:
                outcome.refused += money_usage.field_errors(answer["errors"], row)
            else:
                outcome.reported.append((row, answer["statement"]))
        form = money_usage.UsageForm(idempotency_key=form_key)
        refused = bool(problems or outcome.refused)
        return self.usage_page(request, me, licence, form, [], status=400 if refused else 200,
                               outcome=outcome if reports else None, file_errors=problems)

    # --- statements -------------------------------------------------------------------

    async def statements(self, request: Request) -> Response:
        found = await self._licence(request, STATEMENTS, request.path_params["licence_id"])
        if isinstance(found, Response):
            return found
        _, me, licence = found
        return self.pages.render(request, "money_statements.html", me=me, licence=licence,
                                 money_labels=money_labels,
                                 **money_ledger.payment_context(licence))

    async def _statement(self, request: Request
                         ) -> tuple[dict[str, Any], dict[str, Any]] | Response:
        found = await self._licence(request, STATEMENTS, request.path_params["licence_id"])
        if isinstance(found, Response):
            return found
        *_, licence = found
        wanted = request.path_params["statement_id"]
        statement = next((s for s in licence["statements"] if s["id"] == wanted), None)
        if statement is None:
            return self.pages.failed(request, APIError(404, "NOT_FOUND", "no such statement"))
        return licence, statement

    async def statement_csv(self, request: Request) -> Response:
        found = await self._statement(request)
        if isinstance(found, Response):
            return found
        licence, statement = found
        return Response(statement_csv(licence, statement), media_type="text/csv; charset=utf-8",
                        headers=_download(f"statement-{statement['id']}.csv"))

    async def statement_pdf(self, request: Request) -> Response:
        found = await self._statement(request)
        if isinstance(found, Response):
            return found
        licence, statement = found
        language = self.pages.language(request)
        try:
            content = statement_pdf(licence, statement, language=language,
                                    messages=translations(language),
                                    font_dir=self.pages.settings.pdf_font_dir)
        except FontsMissing as missing:
            log.error("the statement PDF's font is missing: %s", missing)
            return self.pages.failed(request, APIError(503, "PDF_UNAVAILABLE", ""))
        return Response(content, media_type="application/pdf",
                        headers=_download(f"statement-{statement['id']}.pdf"))

    # --- the chart --------------------------------------------------------------------

    async def royalties(self, request: Request) -> Response:
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        licences: list[dict[str, Any]] = []
        after: str | None = None
        for _ in range(CHART_PAGES):
            try:
                page = (await self.pages.ask(request, ROYALTIES,
                                             {"first": LICENCES_PAGE, "after": after},
                                             token=token))["licences"]
            except APIError as error:
                return self.pages.failed(request, error)
            licences += [edge["node"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        language = self.pages.language(request)
        fmt = Formats(language)
        _ = translations(language).gettext
        charts = []
        for number, chart in enumerate(money_chart.royalty_charts(licences), start=1):

            def money(value: Decimal, currency: str = chart.currency) -> str:
                return fmt.money(value, currency)

            def month(first_day: date) -> str:
                return dates.format_date(first_day, "MMM y", locale=fmt.locale)

            def point(title: str, first_day: date, value: Decimal,
                      currency: str = chart.currency) -> str:
                return f"{title}, {month(first_day)}: {fmt.money(value, currency)}"

            title = _("Royalties by month in %(currency)s") % {"currency": chart.currency}
            description = _("Each work's royalties, by the month its statement's period ends, "
                            "from %(first)s to %(last)s; the table below gives the same "
                            "figures.") % {"first": month(chart.months[0]),
                                           "last": month(chart.months[-1])}
            drawn = money_chart.svg(chart, chart_id=f"chart-{number}", title=title,
                                    description=description, money=money, month=month,
                                    point_label=point)
            charts.append({"chart": chart, "svg": drawn, "title": title, "month": month,
                           "swatch": money_chart.swatch})
        return self.pages.render(request, "money_royalties.html", charts=charts)


def _download(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"',
            "cache-control": "private, no-store"}


def routes(pages: Pages) -> list[Route]:
    money_upload_csrf.fit()  # the usage file's form is the web app's first multipart POST
    money = MoneyPages(pages)
    return [
        Route("/my/money", money.overview, name="money"),
        Route("/my/licences/{licence_id}/usage", money.usage_form, name="usage_form"),
        Route("/my/usage", money.report, methods=["POST"], name="report_usage"),
        Route("/my/usage/file", money.report_file, methods=["POST"], name="report_usage_file"),
        Route("/my/licences/{licence_id}/statements", money.statements, name="statements"),
        Route("/my/licences/{licence_id}/statements/{statement_id}.csv", money.statement_csv,
              name="statement_csv"),
        Route("/my/licences/{licence_id}/statements/{statement_id}.pdf", money.statement_pdf,
              name="statement_pdf"),
        Route("/my/royalties", money.royalties, name="royalties"),
    ]
