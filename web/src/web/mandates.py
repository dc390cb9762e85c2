"""`/my/mandates` (WEB.md, "Deals and money in depth"): the mandates the party granted or
holds (`myMandates`), granting one (`grantMandate`) and revoking one (`revokeMandate`). A
mandate is an owner's consent in advance to the exclusive licences its agent offers (DOMAIN.md,
"Co-owners' consent to licences, and mandates"); the API decides who may."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web import deals_forms, deals_labels
from web.api import APIError
from web.form_errors import FieldError, Wording
from web.labels import N_
from web.signed_in import token_or_sign_in

if TYPE_CHECKING:
    from web.app import Pages

# The path the grant form posts to (it needs the CSRF field: app.POSTED).
POSTED = {"/my/mandates"}
PAYLOAD_ERRORS = "errors { code message field }"
MANDATE = ("id media validFrom validUntil grantedAt revokedAt grantor { id name } "
           "agent { id name } work { id title }")
MY_MANDATES = f"""
query MyMandates {{
  me {{ id name }}
  myMandates {{ {MANDATE} }}
}}
"""
GRANT_MANDATE = f"""
mutation GrantMandate($input: GrantMandateInput!) {{
  grantMandate(input: $input) {{ mandate {{ id }} {PAYLOAD_ERRORS} }}
}}
"""
REVOKE_MANDATE = f"""
mutation RevokeMandate($id: ID!) {{
  revokeMandate(mandateId: $id) {{ mandate {{ id revokedAt }} {PAYLOAD_ERRORS} }}
}}
"""
OPERATIONS = {"MyMandates": MY_MANDATES, "GrantMandate": GRANT_MANDATE,
              "RevokeMandate": REVOKE_MANDATE}
CONTROLS = ("agentId", "workId", "media", "validFrom", "validUntil")
MANDATE_ERROR_TEXT = {
    **deals_forms.DEAL_ERROR_TEXT,
    "SELF_MANDATE": N_("A party cannot give a mandate to itself."),
    "NOT_THE_GRANTOR": N_("Only the owner who granted a mandate may revoke it."),
    "MANDATE_REVOKED": N_("This mandate is revoked already."),
    "UNKNOWN_MANDATE": N_("There is no such mandate."),
    "UNKNOWN_PARTY": N_("There is no party with this ID."),
    "UNKNOWN_WORK": N_("There is no work with this ID."),
}
MANDATE_INVALID_AT = {
    "agentId": N_("This is not a party ID."),
    "workId": N_("This is not a work ID: leave it empty for all your works."),
    "validFrom": N_("This is not a valid date."),
    "validUntil": N_("This is not a valid date, or it is before the start."),
    "media": N_("Choose at least one medium, or none for every medium."),
}
wording = Wording(MANDATE_ERROR_TEXT, MANDATE_INVALID_AT)


def grant_input(form: deals_forms.DealForm, key: str) -> dict[str, Any]:
    """The form as the API's `GrantMandateInput`: an empty work is all the grantor's works,
    no medium chosen is every medium, an empty end is open."""
    return {"agentId": form.get("agentId"), "workId": form.get("workId") or None,
            "media": form.chosen.get("media") or None, "validFrom": form.get("validFrom"),
            "validUntil": form.get("validUntil") or None, "idempotencyKey": key}


def field_errors(errors: list[dict[str, Any]]) -> list[FieldError]:
    return [FieldError(deals_forms.control_of(_api_name(e.get("field")), CONTROLS),
                       str(e.get("code", "")), str(e.get("message", ""))) for e in errors]


def _api_name(api_field: Any) -> str | None:
    """The API names snake_case fields at times (`agent_id`): the control's camelCase."""
    if not api_field:
        return None
    head, _, tail = str(api_field).removeprefix("input.").partition("_")
    return head + "".join(part.capitalize() for part in tail.split("_")) if tail else head


class MandatePages:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    async def page(self, request: Request, token: str, form: deals_forms.DealForm,
                   errors: list[FieldError], status: int = 200) -> Response:
        try:
            data = await self.pages.ask(request, MY_MANDATES, {}, token=token)
        except APIError as error:
            return self.pages.failed(request, error)
        me = data["me"]
        mandates = data["myMandates"]
        granted = [m for m in mandates if me and m["grantor"]["id"] == me["id"]]
        held = [m for m in mandates if not me or m["grantor"]["id"] != me["id"]]
        return self.pages.render(request, "mandates.html", status=status, me=me,
                                 granted=granted, held=held, form=form, errors=errors,
                                 wording=wording, deal_labels=deals_labels,
                                 deal_forms=deals_forms,
                                 headers={"cache-control": "no-store"})

    async def mandates(self, request: Request) -> Response:
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        if request.method == "GET":
            form = deals_forms.DealForm(values={"key": str(uuid.uuid4())})
            return await self.page(request, token, form, [])
        typed = await request.form()
        form = deals_forms.read(typed, ("agentId", "workId", "validFrom", "validUntil"),
                                ("media",))
        key = str(typed.get("key", "")) or str(uuid.uuid4())
        form.values["key"] = key
        try:
            answer = (await self.pages.ask(request, GRANT_MANDATE,
                                           {"input": grant_input(form, key)},
                                           token=token))["grantMandate"]
        except APIError as error:
            if error.status not in (400, 403, 404, 409):
                return self.pages.failed(request, error)
            errors = [FieldError(None, error.code, error.message)]
        else:
            errors = field_errors(answer["errors"])
        if not errors:
            return RedirectResponse("/my/mandates", status_code=303)
        return await self.page(request, token, form, errors, status=400)

    async def revoke(self, request: Request) -> Response:
        token = await token_or_sign_in(self.pages, request, "/my/mandates")
        if not isinstance(token, str):
            return token
        try:
            answer = (await self.pages.ask(request, REVOKE_MANDATE,
                                           {"id": request.path_params["mandate_id"]},
                                           token=token))["revokeMandate"]
        except APIError as error:
            if error.status not in (400, 403, 404, 409):
                return self.pages.failed(request, error)
            errors = [FieldError(None, error.code, error.message)]
        else:
            errors = field_errors(answer["errors"])
        if not errors:
            return RedirectResponse("/my/mandates", status_code=303)
        form = deals_forms.DealForm(values={"key": str(uuid.uuid4())})
        return await self.page(request, token, form, errors, status=400)


def routes(pages: Pages) -> list[Route]:
    mandates = MandatePages(pages)
    return [
        Route("/my/mandates", mandates.mandates, methods=["GET", "POST"], name="mandates"),
        Route("/my/mandates/{mandate_id}/revoke", mandates.revoke, methods=["POST"],
              name="revoke_mandate"),
    ]
