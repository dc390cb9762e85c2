"""What every signed-in page starts with: the person's access token, or the way to sign in
(WEB.md, "Signing in"); every signed-in page of the deals, money, the society's view, the inbox
and contacts starts here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import RedirectResponse

if TYPE_CHECKING:
    from web.app import Pages


async def token_or_sign_in(pages: Pages, request: Request,
                           back_to: str | None = None) -> str | RedirectResponse:
    """The session's token; signed out, a redirect to sign in and come back to `back_to`
    (this page's path by default)."""
    token = await pages.sign_in.access_token(request)
    if token is None:
        return RedirectResponse(f"/sign-in?next={back_to or request.url.path}", status_code=303)
    return token
