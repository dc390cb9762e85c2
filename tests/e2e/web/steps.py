"""Steps a person takes in the web app, for any browser test (WEB.md, "Signing up").

`sign_up(page, …)` does what a new person does: "Sign up" in the web app's header, the
identity provider's own registration page (in the page's language), the email verification
(the provider's real mail, received over SMTP, its link opened in the page), back signed in
to register their party, and lands on "my works"."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from devstack.identity import Identities
from playwright.async_api import Page, expect

from .identity_mail import IdentityMail, action_link, text_of


@dataclass(frozen=True)
class SignedUp:
    """Who signed up, and what the identity provider's pages said on the way."""

    username: str
    password: str
    email: str
    party_id: str
    registration_title: str  # the heading of the provider's sign-up page
    registration_language: str  # its <html lang>
    verification_text: str  # what its email verification step said ("" if none)
    verification_language: str
    verification_subject: str  # the verification email's subject and text ("" if none)
    verification_mail: str


async def sign_up(
    page: Page, *, site: str, identities: Identities, mail: IdentityMail, name: str,
    country: str,
    kind: str = "PERSON", first_name: str = "", last_name: str = "", email: str = "",
    check: Callable[[Page], Awaitable[None]] | None = None,
) -> SignedUp:
    """Signs a new person up from the web app's home page in the page's current language and
    registers their party (`name`, `kind`, `country`: ISO 3166-1 alpha-2; `email`: the
    account's and the party's notices'); ends on "my works". The account is named
    `<identities.prefix>-…`, so the run's clean-up deletes it. `check` is called on the web
    app's registration page (axe, the phone's width). `mail`: where the provider's mail
    arrives (the `identity_mail` fixture)."""
    username = f"{identities.prefix}-web-{secrets.token_hex(4)}"
    password = f"{secrets.token_urlsafe(15)}-9a"
    email = email or f"{username}@example.org"
    first, _, last = name.partition(" ")
    await page.goto(site + "/")
    await page.locator('header a[href="/sign-up"]').click()
    form = page.locator("#kc-register-form")
    await form.wait_for()
    registration_title = (await page.locator("#kc-page-title").inner_text()).strip()
    registration_language = await page.locator("html").get_attribute("lang") or ""
    await page.fill("#username", username)
    await page.fill("#email", email)
    await page.fill("#firstName", first_name or first)
    await page.fill("#lastName", last_name or last or first)
    await page.fill("#password", password)
    await page.fill("#password-confirm", password)
    # The realm asks for a verified email before it lets the account back to the site.
    back = f"{site}/my/party"
    verification_text = verification_language = subject = text = link = ""
    async with mail.receiving():
        async with page.expect_navigation():
            await form.locator("[type=submit]").click()
        if urlsplit(page.url).netloc != urlsplit(site).netloc:
            if await form.count():
                shown = (await page.locator("body").inner_text())[:500]
                raise AssertionError(f"the provider refused the sign-up: {shown!r}")
            # "Verify your email": the step the account is held at until the email's link
            # is followed.
            verification_text = await page.locator("body").inner_text()
            verification_language = await page.locator("html").get_attribute("lang") or ""
            message = await mail.to(email)
            subject, text, link = str(message["Subject"]), text_of(message), action_link(message)
    if link:
        # The link, in the same browser: the provider marks the email verified and sends
        # the browser back to the site, signed in.
        await page.goto(link)
    await page.wait_for_url(back)
    if check is not None:
        await check(page)
    await page.fill("#name", name)
    await page.locator("#kind").select_option(kind)
    await page.locator("#country").select_option(country)
    await page.fill("#email", email)
    await page.locator("form.registration [type=submit]").click()
    await page.wait_for_url(f"{site}/my/works")
    public = page.locator('main a[href^="/parties/"]')
    await expect(public).to_have_count(1)
    party_id = (await public.get_attribute("href") or "").removeprefix("/parties/")
    return SignedUp(username, password, email, party_id, registration_title,
                    registration_language, verification_text, verification_language,
                    subject, text)
