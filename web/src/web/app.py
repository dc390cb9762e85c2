"""The web app's wiring and pages: `create_app(settings, api=)` and `mount(gateway_app)`, the
few lines the gateway calls to serve the pages at "/" (WEB.md)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from asgi_csrf import asgi_csrf
from authlib.integrations.starlette_client import OAuthError
from jinja2 import Environment, PackageLoader, select_autoescape
from runtime.identity import IdentitySettings
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Scope, Send

from web import (
    consents,
    contacts,
    deals,
    filing,
    inbox,
    labels,
    mandates,
    money,
    money_ledger,
    registration,
    society,
    territory_labels,
)
from web.api import LOCAL_GATEWAY, APIError, GatewayAPI
from web.i18n import LANGUAGES, Formats, negotiate, translations
from web.queries import FILE_WORK, ME, MY_WORKS, PAGE_SIZE, PARTY, REGISTER_PARTY, SEARCH, WORK
from web.session import ReaderToken, SignIn, safe_next
from web.settings import WebSettings

log = logging.getLogger("web")
LANGUAGE_COOKIE = "lang"
FILTERS = ("status", "kind", "country", "iswc", "isrc", "isbn")
# Every path a form posts to: each needs the CSRF field, even from a request without cookies.
POSTED = {"/sign-out", "/language", "/my/works/new", "/my/party"}
POSTED |= money.POSTED | inbox.POSTED | contacts.POSTED | mandates.POSTED
# The country a new party's form suggests, from the page's language.
COUNTRY_OF_LANGUAGE = {"th": "TH", "vi": "VN", "id": "ID", "ms": "MY"}


class Pages:
    """Every page: read the request, ask the gateway, render a template."""

    def __init__(self, settings: WebSettings, api: GatewayAPI, sign_in: SignIn,
                 reader: ReaderToken) -> None:
        self.settings = settings
        self.api = api
        self.sign_in = sign_in
        self.reader = reader
        self.templates = Environment(
            loader=PackageLoader("web", "templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # --- shared parts -------------------------------------------------------------------

    def language(self, request: Request) -> str:
        return negotiate(request.cookies.get(LANGUAGE_COOKIE),
                         request.headers.get("accept-language"))

    def render(self, request: Request, template: str, *, status: int = 200,
               headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
        language = self.language(request)
        messages = translations(language)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        csrf = request.scope.get("csrftoken")
        page = self.templates.get_template(template).render(
            _=messages.gettext,
            ngettext=messages.ngettext,
            lang=language,
            languages=LANGUAGES,
            fmt=Formats(language),
            labels=labels,
            filing=filing,
            territory_labels=territory_labels,
            signed_in=bool(request.session.get("tokens")),
            here=here,
            csrftoken=csrf() if csrf else "",
            **{"wording": filing.wording, **context},
        )
        answer = HTMLResponse(page, status_code=status, headers=headers)
        answer.headers["content-language"] = language
        return answer

    async def ask(self, request: Request, operation: str, variables: dict[str, Any],
                  *, token: str | None = None) -> dict[str, Any]:
        """The operation sent with the person's token, or signed out with the web app's own
        reader token (the public register only)."""
        client = request.client.host if request.client else "127.0.0.1"
        if token is None:
            try:
                token = await self.reader.token()
            except (OAuthError, httpx.HTTPError, KeyError) as exc:
                raise APIError(502, "BAD_GATEWAY", f"no reader token: {exc!r}") from exc
        return await self.api.run(operation, variables, token=token, client_address=client)

    def failed(self, request: Request, error: APIError) -> HTMLResponse:
        headers = {"retry-after": error.retry_after} if error.retry_after else None
        if error.status >= 500:
            log.warning("gateway call failed: %s", error)
        return self.render(request, "error.html", status=error.status, headers=headers,
                           error=error)

    # --- the public register ------------------------------------------------------------

    async def search(self, request: Request) -> Response:
        params = request.query_params
        text = params.get("q", "").strip()
        chosen = {name: params.get(name, "").strip() for name in FILTERS}
        work_filter: dict[str, str] = {"text": text} if text else {}
        work_filter.update({name: value for name, value in chosen.items() if value})
        variables: dict[str, Any] = {"filter": work_filter, "first": PAGE_SIZE,
                                     "after": params.get("after") or None}
        token = await self.sign_in.access_token(request)
        problem: APIError | None = None
        works: dict[str, Any] | None = None
        try:
            works = (await self.ask(request, SEARCH, variables, token=token))["works"]
        except APIError as error:
            if error.status != 400:
                return self.failed(request, error)
            problem = error  # a filter the register refuses: shown beside the form
        next_query = None
        if works and works["pageInfo"]["hasNextPage"]:
            kept = {"q": text, **{k: v for k, v in chosen.items() if v}}
            next_query = {**kept, "after": works["pageInfo"]["endCursor"]}
        return self.render(request, "search.html", status=400 if problem else 200,
                           text=text, chosen=chosen, works=works, problem=problem,
                           next_query=next_query, searched=bool(work_filter))

    async def one(self, request: Request, operation: str, variables: dict[str, Any],
                  name: str) -> Response:
        """A page of one object of the register (`name`: its query field and template):
        404 when the API has none."""
        token = await self.sign_in.access_token(request)
        try:
            found = (await self.ask(request, operation, variables, token=token))[name]
        except APIError as error:
            return self.failed(request, error)
        if found is None:
            return self.failed(request, APIError(404, "NOT_FOUND", f"no such {name}"))
        return self.render(request, f"{name}.html", **{name: found})

    async def work(self, request: Request) -> Response:
        return await self.one(request, WORK, {"id": request.path_params["work_id"]}, "work")

    async def party(self, request: Request) -> Response:
        variables = {"id": request.path_params["party_id"], "first": PAGE_SIZE,
                     "after": request.query_params.get("after") or None}
        return await self.one(request, PARTY, variables, "party")

    # --- signed in ----------------------------------------------------------------------

    async def my_works(self, request: Request) -> Response:
        token = await self.sign_in.access_token(request)
        if token is None:
            return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
        variables = {"first": PAGE_SIZE, "after": request.query_params.get("after") or None}
        try:
            me = (await self.ask(request, MY_WORKS, variables, token=token))["me"]
        except APIError as error:
            return self.failed(request, error)
        return self.render(request, "my_works.html", me=me)

    async def new_work(self, request: Request) -> Response:
        """The "file a work" form (GET), and its submission (POST): the API's `fileWork`."""
        token = await self.sign_in.access_token(request)
        if token is None:
            return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
        try:
            me = (await self.ask(request, ME, {}, token=token))["me"]
        except APIError as error:
            return self.failed(request, error)
        if me is None or request.method == "GET":
            form = filing.WorkForm(holders=[filing.Holder(me["id"] if me else "", "", "100")])
            return self.render(request, "new_work.html", me=me, form=self.padded(form), errors=[])
        form = filing.read_form(await request.form())
        payload, rows, errors = filing.to_input(form, self.language(request))
        if not errors:
            try:
                answer = (await self.ask(request, FILE_WORK, {"input": payload},
                                         token=token))["fileWork"]
            except APIError as error:
                if error.status != 400:
                    return self.failed(request, error)
                errors = [filing.FieldError(None, error.code, error.message)]
            else:
                if answer["work"] is not None and not answer["errors"]:
                    return RedirectResponse(f"/works/{answer['work']['id']}", status_code=303)
                errors = filing.field_errors(answer["errors"], rows)
        form.key = filing.new_key()  # nothing was filed: the form shown again is a new one
        return self.render(request, "new_work.html", status=400, me=me,
                           form=self.padded(form), errors=errors)

    async def register_party(self, request: Request) -> Response:
        """A signed-in account without a party registers one (GET: the form, POST: the API's
        `registerParty`); then its tokens are refreshed at once, so that every page knows the
        party (the new token's `party_id`), and it goes to "my works"."""
        token = await self.sign_in.access_token(request)
        if token is None:
            return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
        try:
            me = (await self.ask(request, ME, {}, token=token))["me"]
        except APIError as error:
            return self.failed(request, error)
        if me is not None:  # registered already (a second tab, the back button)
            return RedirectResponse("/my/works", status_code=303)
        errors: list[filing.FieldError] = []
        if request.method == "GET":
            form = registration.PartyForm(
                country=COUNTRY_OF_LANGUAGE.get(self.language(request), ""))
        else:
            form, secret = registration.read_form(await request.form())
            try:
                answer = (await self.ask(request, REGISTER_PARTY,
                                         {"input": registration.to_input(form, secret)},
                                         token=token))["registerParty"]
            except APIError as error:
                if error.status != 400:
                    return self.failed(request, error)
                errors = [filing.FieldError(None, error.code, error.message)]
            else:
                if answer["party"] is not None and not answer["errors"]:
                    if await self.sign_in.refresh(request) is None:
                        return RedirectResponse("/sign-in?next=/my/works", status_code=303)
                    return RedirectResponse("/my/works", status_code=303)
                errors = registration.field_errors(answer["errors"])
        return self.render(request, "register_party.html", status=400 if errors else 200,
                           form=form, errors=errors, wording=registration.wording)

    @staticmethod
    def padded(form: filing.WorkForm) -> filing.WorkForm:
        form.holders += [filing.Holder() for _ in range(filing.HOLDER_ROWS - len(form.holders))]
        return form

    async def csrf_failed(self, scope: Scope, send: Send, reason: Any) -> None:
        """A POST without the form's CSRF field: refused before any route runs."""
        log.info("CSRF check refused a %s to %s: %s", scope["method"], scope["path"], reason)
        request = Request(scope)
        answer = self.render(request, "error.html", status=403,
                             error=APIError(403, "CSRF", ""))

        async def nothing() -> Any:
            return {"type": "http.disconnect"}

        await answer(scope, nothing, send)

    async def start_sign_in(self, request: Request) -> Response:
        return await self.sign_in.start(request, language=self.language(request),
                                        next_path=request.query_params.get("next", "/my/works"))

    async def start_sign_up(self, request: Request) -> Response:
        """The identity provider's own sign-up page, in the page's language; back signed in,
        the new account registers its party."""
        return await self.sign_in.start(request, language=self.language(request),
                                        next_path="/my/party", sign_up=True)

    async def signed_in(self, request: Request) -> Response:
        try:
            back_to = await self.sign_in.finish(request)
        except OAuthError as error:
            log.info("sign-in refused: %s", error.error)
            return self.failed(request, APIError(400, "SIGN_IN_FAILED", error.error or ""))
        return RedirectResponse(back_to, status_code=303)

    async def sign_out(self, request: Request) -> Response:
        home = (self.settings.public_url.rstrip("/") + "/") if self.settings.public_url \
            else str(request.url_for("search"))
        return await self.sign_in.end(request, back_to=home)

    async def choose_language(self, request: Request) -> Response:
        form = await request.form()
        language = str(form.get("lang", ""))
        answer = RedirectResponse(safe_next(str(form.get("next", "/"))), status_code=303)
        if language in LANGUAGES:
            answer.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax",
                              httponly=True, secure=self.settings.public_url.startswith("https:"))
        return answer


def create_app(settings: WebSettings | None = None, *, api: GatewayAPI | None = None,
               sign_in: SignIn | None = None) -> Starlette:
    settings = settings or WebSettings()
    api = api or GatewayAPI(url=settings.gateway_url or LOCAL_GATEWAY,
                            timeout=settings.timeout_seconds)
    identity = IdentitySettings()
    sign_in = sign_in or SignIn(settings, identity.issuer, leeway_seconds=identity.leeway_seconds)
    pages = Pages(settings, api, sign_in, ReaderToken(settings, sign_in))
    routes = [
        Route("/", pages.search, name="search"),
        Route("/works/{work_id}", pages.work, name="work"),
        Route("/parties/{party_id}", pages.party, name="party"),
        Route("/my/works", pages.my_works, name="my_works"),
        Route("/my/works/new", pages.new_work, methods=["GET", "POST"], name="new_work"),
        Route("/my/party", pages.register_party, methods=["GET", "POST"], name="register_party"),
        Route("/sign-in", pages.start_sign_in, name="sign_in"),
        Route("/sign-up", pages.start_sign_up, name="sign_up"),
        Route("/signed-in", pages.signed_in, name="signed_in"),
        Route("/sign-out", pages.sign_out, methods=["POST"], name="sign_out"),
        Route("/language", pages.choose_language, methods=["POST"], name="language"),
        *deals.routes(pages),
        *money.routes(pages), *society.routes(pages), *inbox.routes(pages),
        *contacts.routes(pages), *consents.routes(pages),
        *money_ledger.routes(pages), *mandates.routes(pages),
        Mount("/static", StaticFiles(packages=[("web", "static")]), name="static"),
    ]
    secure = settings.public_url.startswith("https:")
    middleware = [
        Middleware(
            SessionMiddleware,
            secret_key=settings.session_secret.get_secret_value(),
            session_cookie="rights_web",
            max_age=settings.session_max_age_seconds,
            same_site="lax",
            https_only=secure,
        ),
        # Inside the session's middleware, so its refusal page can read the session.
        Middleware(
            asgi_csrf,
            signing_secret=settings.session_secret.get_secret_value(),
            signing_namespace="rights-web-csrf",
            always_protect=POSTED,
            cookie_secure=secure,
            send_csrf_failed=pages.csrf_failed,
        ),
    ]
    return Starlette(routes=routes, middleware=middleware)


def mount(gateway: Any) -> None:
    """Serves the pages at "/" of the gateway (after its own routes), calling its /graphql
    in process; nothing when `WEB_ENABLED` is false."""
    settings = WebSettings()
    if not settings.enabled:
        return
    target: ASGIApp = gateway
    api = GatewayAPI(url=settings.gateway_url, timeout=settings.timeout_seconds) \
        if settings.gateway_url else GatewayAPI(app=target)
    gateway.mount("/", create_app(settings, api=api))
