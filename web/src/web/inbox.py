"""The notifications inbox (WEB.md, "Inbox and contacts"): the party's own notifications,
newest first, with how each was delivered, and marking them read (`markNotificationsRead`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web import money_labels
from web.api import APIError
from web.money_queries import INBOX, MARK_READ
from web.queries import PAGE_SIZE
from web.session import safe_next
from web.signed_in import token_or_sign_in

if TYPE_CHECKING:
    from web.app import Pages

POSTED = {"/my/inbox/read"}


class InboxPages:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages

    async def inbox(self, request: Request) -> Response:
        token = await token_or_sign_in(self.pages, request)
        if not isinstance(token, str):
            return token
        unread_only = request.query_params.get("unread") == "1"
        variables = {"unreadOnly": unread_only, "first": PAGE_SIZE,
                     "after": request.query_params.get("after") or None}
        try:
            notifications = (await self.pages.ask(request, INBOX, variables,
                                                  token=token))["notifications"]
        except APIError as error:
            return self.pages.failed(request, error)
        return self.pages.render(request, "inbox.html", notifications=notifications,
                                 unread_only=unread_only, money_labels=money_labels,
                                 marked=request.query_params.get("marked"))

    async def mark_read(self, request: Request) -> Response:
        """Marks the chosen notifications (or every one the page listed) read, then back."""
        token = await token_or_sign_in(self.pages, request, "/my/inbox")
        if not isinstance(token, str):
            return token
        form = await request.form()
        ids = [str(value) for value in form.getlist("id")]
        try:
            marked = (await self.pages.ask(request, MARK_READ, {"ids": ids},
                                           token=token))["markNotificationsRead"]
        except APIError as error:
            return self.pages.failed(request, error)
        back = safe_next(str(form.get("next", "/my/inbox")))
        joiner = "&" if "?" in back else "?"
        return RedirectResponse(f"{back}{joiner}marked={int(marked)}", status_code=303)


def routes(pages: Pages) -> list[Route]:
    inbox = InboxPages(pages)
    return [
        Route("/my/inbox", inbox.inbox, name="inbox"),
        Route("/my/inbox/read", inbox.mark_read, methods=["POST"], name="inbox_read"),
    ]
