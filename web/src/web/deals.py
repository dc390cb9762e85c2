"""The deal pages (WEB.md, "Deals"): offers received and made, offering a licence, the deal
page with its live timeline and its buttons, and a work's transfer, dispute and resolution
forms. Each page asks the gateway's public API with the person's own token; the API decides."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from web import deals_forms as forms
from web import deals_history as history
from web import deals_labels as deal_labels
from web import deals_queries as q
from web.api import APIError
from web.filing import FieldError
from web.queries import PAGE_SIZE
from web.signed_in import token_or_sign_in

# A page that carries the person's token to a script, or a licence's terms: never cached.
NO_STORE = {"cache-control": "no-store"}
# The deal page hands the access token to its script: only the web app's own files may run
# there, and the script may talk only to this origin (its socket included), so an injected
# script or markup can neither run nor send the token elsewhere.
DEAL_PAGE = {**NO_STORE, "content-security-policy": (
    "default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'")}
ACTIONS = {"accept": q.ACCEPT, "decline": q.DECLINE, "withdraw": q.WITHDRAW,
           "terminate": q.TERMINATE, "consent": q.CONSENT, "refuse": q.REFUSE,
           "advance": q.RECORD_ADVANCE}
# The mutation each action sends, where it is not `{action}Licence`.
MUTATION = {"consent": "consentToLicence", "refuse": "refuseLicence",
            "advance": "recordAdvancePayment"}
# The actions whose idempotency key is derived from the licence and the action.
KEYED = ("accept", "terminate", "advance")
WORK_ACTIONS = ("transfer", "dispute", "resolve")


class DealPages:
    def __init__(self, pages: Any) -> None:
        self.pages = pages  # web.app.Pages: render, ask, failed, sign_in

    def render(self, request: Request, template: str, **context: Any) -> Response:
        response: Response = self.pages.render(request, template, deal_labels=deal_labels,
                                                deal_forms=forms, wording=forms.wording,
                                                **context)
        return response

    def language(self, request: Request) -> str:
        return str(self.pages.language(request))

    async def send(self, request: Request, operation: str, variables: dict[str, Any],
                   token: str, name: str, controls: tuple[str, ...]) -> list[FieldError]:
        """A mutation; its refusal as errors at the form's controls (none: done)."""
        try:
            answer = (await self.pages.ask(request, operation, variables, token=token))[name]
        except APIError as error:
            if error.status not in (400, 403, 404, 409):
                raise
            return [FieldError(None, error.code, error.message)]
        return forms.field_errors(answer["errors"], controls)

    # --- offers -------------------------------------------------------------------------

    async def offers(self, request: Request) -> Response:
        """Offers received (the viewer is the licensee) and made (the viewer is the licensor)."""
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        made = request.query_params.get("made") == "1"
        variables = {"received": not made, "first": PAGE_SIZE,
                     "after": request.query_params.get("after") or None}
        try:
            data = await self.pages.ask(request, q.OFFERS, variables, token=token)
        except APIError as error:
            return self.pages.failed(request, error)
        me = data["me"]
        rows = [edge["node"] for edge in data["licences"]["edges"]]
        if made and me is not None:
            # The API filters by licensee only: "made" are the visible licences it granted.
            rows = [row for row in rows if row["licensor"]["id"] == me["id"]]
        page_info = data["licences"]["pageInfo"]
        next_query = {"after": page_info["endCursor"], **({"made": "1"} if made else {})} \
            if page_info["hasNextPage"] else None
        return self.render(request, "offers.html", me=me, rows=rows, made=made,
                                 next_query=next_query)

    async def new_offer(self, request: Request) -> Response:
        """The form offering a licence on a work (GET), and its submission: `offerLicence`."""
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        work_id = request.path_params["work_id"]
        try:
            data = await self.pages.ask(request, q.OFFER_WORK, {"id": work_id}, token=token)
        except APIError as error:
            return self.pages.failed(request, error)
        if data["work"] is None:
            return self.pages.failed(request, APIError(404, "NOT_FOUND", "no such work"))
        if request.method == "GET":
            form = forms.DealForm(values={"currency": "USD", "advance": "0",
                                          "key": str(uuid.uuid4())})
            return self.render(request, "offer_new.html", me=data["me"], work=data["work"],
                                     form=form, errors=[], headers=NO_STORE)
        typed = await request.form()
        form = forms.read_offer(typed)
        key = str(typed.get("key", "")) or str(uuid.uuid4())
        form.values["key"] = key
        payload, errors = forms.offer_input(work_id, form, self.language(request), key)
        if not errors:
            try:
                answer = (await self.pages.ask(request, q.OFFER_LICENCE, {"input": payload},
                                               token=token))["offerLicence"]
            except APIError as error:
                if error.status != 400:
                    return self.pages.failed(request, error)
                errors = [FieldError(None, error.code, error.message)]
            else:
                if answer["licence"] is not None and not answer["errors"]:
                    return RedirectResponse(f"/deals/{answer['licence']['id']}", status_code=303)
                errors = forms.field_errors(answer["errors"], forms.OFFER_CONTROLS)
        return self.render(request, "offer_new.html", status=400, me=data["me"],
                                 work=data["work"], form=form, errors=errors, headers=NO_STORE)

    # --- the deal page ------------------------------------------------------------------

    async def deal_data(self, request: Request, token: str) -> dict[str, Any]:
        """The licence, the viewer's party and the availability of the licence's terms."""
        licence_id = request.path_params["licence_id"]
        data = await self.pages.ask(request, q.DEAL, {"id": licence_id}, token=token)
        licence = data["licence"]
        if licence is None:
            raise APIError(404, "NOT_FOUND", "no such licence")
        terms = licence["terms"]
        as_of, as_of_errors = history.read_as_of(request.query_params)
        asked = {"workId": licence["work"]["id"], "territories": terms["territories"],
                 "media": terms["media"], "start": terms["start"], "end": terms["end"],
                 "exclusive": terms["exclusive"]}
        try:
            found = await self.pages.ask(request, q.AVAILABILITY,
                                         {**asked, **(as_of.variables or {})}, token=token)
        except APIError as error:
            if error.status != 400 or not as_of.chosen:
                raise
            # A recorded time in the future, say: shown at the form, today's answer instead.
            as_of_errors.append(FieldError("known_at", error.code, error.message))
            found = await self.pages.ask(request, q.AVAILABILITY, asked, token=token)
        availability = (found["work"] or {}).get("availability") or \
            {"available": True, "conflicts": []}
        # The licence itself is no conflict of its own terms.
        conflicts = [c for c in availability["conflicts"] if c["licence"]["id"] != licence["id"]]
        viewer = data["me"]["id"] if data["me"] else None
        actions = forms.allowed_actions(licence["status"], viewer, licence["licensor"]["id"],
                                        licence["licensee"]["id"], licence["ownerConsents"])
        # One intended action, one key: accepting or terminating this licence, or recording
        # its advance, twice (a double click, a retried form) applies once.
        keys = {action: str(uuid.uuid5(uuid.UUID(licence["id"]), action))
                for action in [*actions, "advance"]}
        # Not available with no conflict listed at all: licences the viewer may not see block it.
        hidden = not availability["available"] and not availability["conflicts"]
        answers = {v["number"]: history.answerable(v, viewer, licence["licensor"]["id"],
                                                   licence["licensee"]["id"])
                   for v in licence["versions"]}
        keys.update({f"version-{n}": str(uuid.uuid5(uuid.UUID(licence["id"]), f"accept-{n}"))
                     for n in answers})
        return {"licence": licence, "conflicts": conflicts, "hidden_conflicts": hidden,
                "actions": actions, "keys": keys, "as_of": as_of, "as_of_errors": as_of_errors,
                "answers": answers, "advance_due": forms.advance_due(licence, viewer),
                "advance_paid": forms.advance_paid(licence), "advance_form": forms.DealForm(),
                "waiting_until": forms.waiting_until(licence["ownerConsents"])
                if licence["status"] == "AWAITING_OWNERS" and viewer in
                (licence["licensor"]["id"], licence["licensee"]["id"]) else None,
                "viewer": viewer, "timeline": list(reversed(licence["timeline"]))}

    async def deal(self, request: Request) -> Response:
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        return await self.deal_page(request, token, [])

    async def deal_page(self, request: Request, token: str, errors: list[FieldError],
                        status: int = 200) -> Response:
        """The deal page, with a refused form's `errors` above it."""
        try:
            shown = await self.deal_data(request, token)
        except APIError as error:
            return self.pages.failed(request, error)
        return self.render(request, "deal.html", status=status, errors=errors,
                           headers=DEAL_PAGE, **shown)

    async def deal_live(self, request: Request) -> Response:
        """The deal page's live part alone (status, buttons, timeline): what the page's script
        puts in place after each update of the subscription."""
        token = await self.pages.sign_in.access_token(request)
        if token is None:
            return Response(status_code=401, headers=NO_STORE)
        try:
            shown = await self.deal_data(request, token)
        except APIError as error:
            return Response(status_code=error.status, headers=NO_STORE)
        return self.render(request, "deal_live.html", headers=NO_STORE, **shown)

    async def live_token(self, request: Request) -> Response:
        """The person's access token for the page's own subscription socket (WEB.md, "The
        live timeline"): a same-origin POST behind the CSRF check, never cached, never in a
        URL; refreshed first like any page's."""
        token = await self.pages.sign_in.access_token(request)
        if token is None:
            return JSONResponse({"error": "signed out"}, status_code=401, headers=NO_STORE)
        return JSONResponse({"token": token}, headers=NO_STORE)

    async def act(self, request: Request) -> Response:
        """Accept, decline, withdraw or terminate (a form's POST); back to the deal page."""
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        licence_id = request.path_params["licence_id"]
        action = request.path_params["action"]
        if action not in ACTIONS:
            return self.pages.failed(request, APIError(404, "NOT_FOUND", "no such action"))
        typed = await request.form()
        variables: dict[str, Any] = {"id": licence_id}
        if action in KEYED:
            variables["key"] = str(typed.get("key", "")) or None
        if action in ("decline", "terminate", "refuse"):
            variables["reason"] = str(typed.get("reason", "")).strip() or None
        controls: tuple[str, ...] = ()
        if action == "advance":
            variables["paidOn"] = str(typed.get("paidOn", "")).strip() or None
            variables["reference"] = str(typed.get("reference", "")).strip()
            controls = forms.PAYMENT_CONTROLS
        if action == "refuse" and variables["reason"] is None:
            # The API requires a reason: said at the field, nothing sent.
            errors = [FieldError("refuse-reason", "INVALID_INPUT", "")]
            return await self.act_refused(request, token, errors, action, typed)
        if action == "advance" and variables["paidOn"] is None:
            errors = [FieldError("paidOn", "INVALID_DATE", "")]
            return await self.act_refused(request, token, errors, action, typed)
        name = MUTATION.get(action, f"{action}Licence")
        try:
            # Shown above the buttons: the page has one reason field per button.
            errors = await self.send(request, ACTIONS[action], variables, token or "", name,
                                     controls)
        except APIError as error:
            return self.pages.failed(request, error)
        if not errors:
            return RedirectResponse(f"/deals/{licence_id}", status_code=303)
        return await self.act_refused(request, token, errors, action, typed)

    async def act_refused(self, request: Request, token: str, errors: list[FieldError],
                          action: str, typed: Any) -> Response:
        """The deal page again with a refused move's errors, what was typed kept."""
        try:
            shown = await self.deal_data(request, token)
        except APIError as error:
            return self.pages.failed(request, error)
        shown["advance_form"] = forms.read(typed, forms.PAYMENT_CONTROLS)
        return self.render(request, "deal.html", status=400, errors=errors,
                           failed_action=action, headers=DEAL_PAGE, **shown)

    # --- a work's transfer, dispute and resolution --------------------------------------

    async def work_action(self, request: Request) -> Response:
        """`/works/{id}/transfer`, `/dispute`, `/resolve`: the form (GET) and its submission."""
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        work_id = request.path_params["work_id"]
        kind = request.path_params["kind"]
        if kind not in WORK_ACTIONS:
            return self.pages.failed(request, APIError(404, "NOT_FOUND", "no such page"))
        try:
            data = await self.pages.ask(request, q.WORK_ACTIONS, {"id": work_id}, token=token)
        except APIError as error:
            return self.pages.failed(request, error)
        if data["work"] is None:
            return self.pages.failed(request, APIError(404, "NOT_FOUND", "no such work"))
        context = {"me": data["me"], "work": data["work"], "kind": kind}
        if request.method == "GET":
            form = forms.DealForm(values={"key": str(uuid.uuid4()), "keepOwners": "yes"})
            return self.render(request, "work_action.html", form=form, errors=[],
                                     **context)
        typed = await request.form()
        key = str(typed.get("key", "")) or str(uuid.uuid4())
        language = self.language(request)
        call: tuple[str, dict[str, Any], str, tuple[str, ...]]
        if kind == "transfer":
            form = forms.read(typed, forms.TRANSFER_CONTROLS)
            payload, errors = forms.transfer_input(work_id, form, language, key)
            call = (q.TRANSFER_SHARE, {"input": payload}, "transferShare", forms.TRANSFER_CONTROLS)
        elif kind == "dispute":
            form = forms.read(typed, forms.DISPUTE_CONTROLS)
            variables, errors = forms.dispute_variables(work_id, form, language)
            call = (q.DISPUTE_WORK, variables, "disputeWork", forms.DISPUTE_CONTROLS)
        else:
            form = forms.read(typed, forms.RESOLVE_CONTROLS)
            errors = []
            call = (q.RESOLVE_DISPUTE, {"input": forms.resolve_input(work_id, form, key)},
                    "resolveDispute", forms.RESOLVE_CONTROLS)
        form.values["key"] = key
        if not errors:
            operation, variables, name, controls = call
            try:
                errors = await self.send(request, operation, variables, token or "", name,
                                         controls)
            except APIError as error:
                return self.pages.failed(request, error)
            if not errors:
                return RedirectResponse(f"/works/{work_id}", status_code=303)
        return self.render(request, "work_action.html", status=400, form=form,
                                 errors=errors, **context)


def routes(pages: Any) -> list[Route]:
    """The deal pages' routes, for web.app's list. Their POSTs carry the CSRF field: a request
    with any cookie is checked by asgi-csrf; one without cookies has no session and is sent
    to sign in before anything is asked of the API."""
    deals = DealPages(pages)
    return [
        *history.routes(pages, deals),
        Route("/my/offers", deals.offers, name="offers"),
        Route("/works/{work_id}/offer", deals.new_offer, methods=["GET", "POST"],
              name="new_offer"),
        Route("/works/{work_id}/{kind:str}", deals.work_action, methods=["GET", "POST"],
              name="work_action"),
        Route("/deals/{licence_id}", deals.deal, name="deal"),
        Route("/deals/{licence_id}/live", deals.deal_live, name="deal_live"),
        Route("/deals/{licence_id}/token", deals.live_token, methods=["POST"],
              name="deal_token"),
        Route("/deals/{licence_id}/{action:str}", deals.act, methods=["POST"], name="deal_act"),
    ]
