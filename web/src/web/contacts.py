"""The party's contact settings (WEB.md, "Inbox and contacts"): its email and webhook URL,
changed through the API's `registerParty` (the same account's party again: only the contacts
sent change), and the webhook secret, which is replaced, never shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.api import APIError
from web.form_errors import FieldError, Wording
from web.labels import N_
from web.money_queries import CONTACTS, SET_CONTACTS
from web.signed_in import token_or_sign_in

if TYPE_CHECKING:
    from web.app import Pages

POSTED = {"/my/contacts"}
CONTROLS = ("email", "webhookUrl", "webhookSecret")
ERROR_TEXT = {
    "INVALID_EMAIL": N_("This is not an email address."),
    "WEBHOOK_URL_REFUSED": N_("The register does not call this address."),
    "INVALID_WEBHOOK_SECRET": N_("A secret has 16 to 256 characters."),
    "WEBHOOK_SECRET_REQUIRED": N_("A new webhook address needs a new secret too."),
}
# The API's INVALID_INPUT, worded by the control it is shown at.
INVALID_AT = {
    "email": N_("This is not an email address."),
    "webhookUrl": N_("Write an address that starts with https:// or http://."),
    "webhookSecret": N_("A new webhook address needs a new secret of at least 16 characters."),
}


wording = Wording(ERROR_TEXT, INVALID_AT)


def to_input(me: dict[str, Any], current: dict[str, Any] | None, form: Any) -> dict[str, Any]:
    """`RegisterPartyInput` for the party as it is, with only what changed: the email or the
    webhook URL when they differ from the stored ones, the secret when one was typed (a new
    URL needs one: the API says so, at its field). A blank field keeps the stored value."""
    stored = current or {}
    payload: dict[str, Any] = {"name": me["name"], "kind": me["kind"], "country": me["country"],
                               "ipiNameNumber": me.get("ipiNameNumber"), "isni": me.get("isni")}
    email = str(form.get("email", "")).strip()
    url = str(form.get("webhookUrl", "")).strip()
    secret = str(form.get("webhookSecret", ""))
    if email and email != stored.get("email"):
        payload["email"] = email
    if url and url != stored.get("webhookUrl"):
        payload["webhookUrl"] = url
    if secret:
        payload["webhookSecret"] = secret
    return payload


def field_errors(errors: list[dict[str, Any]]) -> list[FieldError]:
    return [FieldError(error.get("field") if error.get("field") in CONTROLS else None,
                         str(error.get("code", "")), str(error.get("message", "")))
            for error in errors]


class ContactPages:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    async def _current(self, request: Request, token: str) -> dict[str, Any] | Response:
        try:
            return await self.pages.ask(request, CONTACTS, {}, token=token)
        except APIError as error:
            return self.pages.failed(request, error)

    def page(self, request: Request, data: dict[str, Any], *, typed: dict[str, str],
             errors: list[FieldError], status: int = 200) -> Response:
        return self.pages.render(request, "contacts.html", status=status, me=data["me"],
                                 current=data["myContacts"], typed=typed, errors=errors,
                                 wording=wording, saved=request.query_params.get("saved"))

    async def show(self, request: Request) -> Response:
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        data = await self._current(request, token)
        if isinstance(data, Response):
            return data
        current = data["myContacts"] or {}
        typed = {"email": current.get("email") or "", "webhookUrl": current.get("webhookUrl") or ""}
        return self.page(request, data, typed=typed, errors=[])

    async def change(self, request: Request) -> Response:
        token = await token_or_sign_in(self.pages, request, "/my/contacts")
        if not isinstance(token, str):
            return token
        data = await self._current(request, token)
        if isinstance(data, Response):
            return data
        form = await request.form()
        # The secret is never written back into the page, even refused.
        typed = {"email": str(form.get("email", "")).strip(),
                 "webhookUrl": str(form.get("webhookUrl", "")).strip()}
        if data["me"] is None:
            return self.page(request, data, typed=typed, errors=[], status=400)
        payload = to_input(data["me"], data["myContacts"], form)
        try:
            answer = (await self.pages.ask(request, SET_CONTACTS, {"input": payload},
                                           token=token))["registerParty"]
        except APIError as error:
            if error.status != 400:
                return self.pages.failed(request, error)
            errors = [FieldError(None, error.code, error.message)]
        else:
            if not answer["errors"]:
                return RedirectResponse("/my/contacts?saved=1", status_code=303)
            errors = field_errors(answer["errors"])
        return self.page(request, data, typed=typed, errors=errors, status=400)


def routes(pages: Pages) -> list[Route]:
    contacts = ContactPages(pages)
    return [Route("/my/contacts", contacts.show, name="contacts"),
            Route("/my/contacts", contacts.change, methods=["POST"], name="contacts_change")]
