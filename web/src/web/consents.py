"""The co-owner's consent page (DOMAIN.md, "Co-owners' consent to a filing"; WEB.md,
"Consent requests"): the works filed naming the signed-in party that wait for its answer,
each with a Confirm form and a Reject form (reason required)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.api import APIError
from web.signed_in import token_or_sign_in

if TYPE_CHECKING:
    from web.app import Pages

_WORK = "id title filingNumber status consentDeadline"

CONSENT_REQUESTS = f"""
query ConsentRequests {{
  me {{ id name }}
  myConsentRequests {{
    {_WORK}
    consents {{ party {{ id name }} role share status }}
  }}
}}
"""

CONFIRM_HOLDING = """
mutation ConfirmHolding($workId: ID!) {
  confirmHolding(workId: $workId) { work { id status } errors { code message field } }
}
"""

REJECT_HOLDING = """
mutation RejectHolding($workId: ID!, $reason: String!) {
  rejectHolding(workId: $workId, reason: $reason) {
    work { id status } errors { code message field }
  }
}
"""

OPERATIONS = {"ConsentRequests": CONSENT_REQUESTS, "ConfirmHolding": CONFIRM_HOLDING,
              "RejectHolding": REJECT_HOLDING}

PAGE = "/my/consents"


class ConsentPages:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    async def _show(self, request: Request, token: str, *, status: int = 200,
                    errors: dict[str, list[dict[str, Any]]] | None = None,
                    reasons: dict[str, str] | None = None) -> Response:
        try:
            data = await self.pages.ask(request, CONSENT_REQUESTS, {}, token=token)
        except APIError as error:
            return self.pages.failed(request, error)
        return self.pages.render(request, "consents.html", status=status, me=data["me"],
                                 works=data["myConsentRequests"], errors=errors or {},
                                 reasons=reasons or {},
                                 done=request.query_params.get("done"))

    async def requests(self, request: Request) -> Response:
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        return await self._show(request, token)

    async def answer(self, request: Request) -> Response:
        """Confirm or reject (with its reason) one work's holdings, then back to the list."""
        token = await token_or_sign_in(self.pages, request, PAGE)
        if not isinstance(token, str):
            return token
        work_id = request.path_params["work_id"]
        action = request.path_params["action"]
        if action not in ("confirm", "reject"):
            return self.pages.failed(request, APIError(404, "NOT_FOUND", "no such page"))
        form = await request.form()
        reason = str(form.get("reason", "")).strip()
        if action == "reject" and not reason:
            # Refused here as the API would refuse it, naming the field; nothing is sent.
            problem = {"code": "INVALID_INPUT", "message": "reason is required",
                       "field": "reason"}
            return await self._show(request, token, status=400, errors={work_id: [problem]})
        if action == "confirm":
            operation, variables, name = CONFIRM_HOLDING, {"workId": work_id}, "confirmHolding"
        else:
            operation, name = REJECT_HOLDING, "rejectHolding"
            variables = {"workId": work_id, "reason": reason}
        try:
            answer = (await self.pages.ask(request, operation, variables, token=token))[name]
        except APIError as error:
            if error.status not in (400, 403, 404, 409):
                return self.pages.failed(request, error)
            answer = {"errors": [{"code": error.code, "message": error.message, "field": None}]}
        if answer["errors"]:
            return await self._show(request, token, status=400,
                                    errors={work_id: answer["errors"]},
                                    reasons={work_id: reason})
        return RedirectResponse(f"{PAGE}?done={action}", status_code=303)


def routes(pages: Pages) -> list[Route]:
    """The consent page and its two forms' POSTs (CSRF-checked like every form)."""
    consents = ConsentPages(pages)
    return [
        Route(PAGE, consents.requests, name="consents"),
        Route(PAGE + "/{work_id}/{action:str}", consents.answer, methods=["POST"],
              name="consent_answer"),
    ]
