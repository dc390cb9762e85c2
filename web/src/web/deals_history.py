"""The deal page's history (WEB.md, "Deals"; DOMAIN.md, "Licence history" and "Amendments
and renewals"): availability as of a chosen date and recorded time (a small GET form), the
versions of the terms, and the other side's answer to a pending amendment or renewal.
Reading the form is plain data; the API decides every rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web import deals_queries as q
from web.api import APIError
from web.filing import FieldError
from web.signed_in import token_or_sign_in


@dataclass(frozen=True)
class AsOf:
    """The as-of form: the date (valid time) and the recorded time, as typed and as sent."""

    as_of: str = ""
    known_at: str = ""
    variables: dict[str, str | None] | None = None

    @property
    def chosen(self) -> bool:
        return bool(self.as_of or self.known_at)


def read_as_of(query: QueryParams) -> tuple[AsOf, list[FieldError]]:
    """`?as_of=YYYY-MM-DD&known_at=YYYY-MM-DDTHH:MM` (a datetime-local control, read as UTC);
    a value that is no date or time is an error at its control and the query is not sent."""
    as_of = query.get("as_of", "").strip()
    known_at = query.get("known_at", "").strip()
    errors: list[FieldError] = []
    variables: dict[str, str | None] = {"asOf": None, "knownAt": None}
    if as_of:
        try:
            variables["asOf"] = date.fromisoformat(as_of).isoformat()
        except ValueError:
            errors.append(FieldError("as_of", "INVALID_DATE", "not a date"))
    if known_at:
        try:
            moment = datetime.fromisoformat(known_at)
        except ValueError:
            errors.append(FieldError("known_at", "INVALID_DATE", "not a time"))
        else:
            # The page shows times in UTC (WEB.md), so what is typed is UTC too.
            variables["knownAt"] = moment.replace(tzinfo=moment.tzinfo or UTC).isoformat()
    return AsOf(as_of, known_at, None if errors else variables), errors


def answerable(
    version: dict[str, Any], viewer: str | None, licensor: str, licensee: str
) -> list[str]:
    """The buttons on a pending version: the other side accepts; either side may decline
    (the proposer's side withdraws it). The API decides again."""
    if viewer is None or version["state"] != "PENDING" or viewer not in (licensor, licensee):
        return []
    viewer_side = "LICENSEE" if viewer == licensee else "LICENSOR"
    return ["decline"] if viewer_side == version["side"] else ["accept", "decline"]


class HistoryPages:
    def __init__(self, pages: Any, deals: Any) -> None:
        self.pages = pages
        self.deals = deals  # web.deals.DealPages: send, deal_data, render

    async def answer(self, request: Request) -> Response:
        """Accept or decline a pending version (a form's POST); back to the deal page."""
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        licence_id = request.path_params["licence_id"]
        answer = request.path_params["answer"]
        if answer not in ("accept", "decline"):
            return self.pages.failed(request, APIError(404, "NOT_FOUND", "no such action"))
        typed = await request.form()
        variables = {"id": licence_id, "version": request.path_params["number"],
                     "accept": answer == "accept", "key": str(typed.get("key", "")) or None}
        name = f"{answer}Amendment"
        try:
            errors = await self.deals.send(request, q.ANSWER_AMENDMENT, variables, token, name, ())
        except APIError as error:
            return self.pages.failed(request, error)
        if not errors:
            return RedirectResponse(f"/deals/{licence_id}", status_code=303)
        return await self.deals.deal_page(request, token, errors, status=400)


def routes(pages: Any, deals: Any) -> list[Route]:
    history = HistoryPages(pages, deals)
    return [
        Route("/deals/{licence_id}/versions/{number:int}/{answer:str}", history.answer,
              methods=["POST"], name="deal_version_answer"),
    ]
