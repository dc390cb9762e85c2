"""A new person signs up in the browser (WEB.md, "Signing up"): "Sign up" in the web app, the
identity provider's own registration page in the page's language (the project's login
theme's words), the email verification (the provider's real email, in the same language,
received over SMTP, its link followed), back signed in to register their party, then "my
works", which knows the party; in Thai and in Vietnamese, on a phone-sized screen."""

from __future__ import annotations

from typing import Any

import pytest
from devstack.identity import Identities
from playwright.async_api import Browser, expect

from .identity_mail import IdentityMail
from .steps import sign_up
from .test_web_app import PHONE, check_page

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

# language -> (browser locale, the theme's sign-up heading, what the email verification step
# says, the verification email's subject and the start of its text, the web app's "my works"
# heading, the party's country). The Vietnamese words are the project's theme's
# (infra/keycloak/themes/rights: login and email); the Thai ones of the verification step
# and email are Keycloak's own.
LANGUAGES = {
    "th": ("th-TH", "สมัครใช้งานทะเบียน", "การยืนยันอีเมล",
           ("ตรวจสอบอีเมล", "มีคนสร้างบัญชี"), "ผลงานของฉัน", "TH"),
    "vi": ("vi-VN", "Đăng ký sử dụng sổ đăng ký", "Xác minh email",
           ("Xác minh email", "Ai đó đã tạo một tài khoản"), "Tác phẩm của tôi", "VN"),
}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
async def test_a_new_person_signs_up_registers_their_party_and_sees_my_works(
    platform: Any, chromium: Browser, identities: Identities, identity_mail: IdentityMail,
    axe_source: str, language: str,
) -> None:
    locale, sign_up_title, verification, (subject, text), my_works, country = LANGUAGES[language]
    site = platform.config.gateway_url.removesuffix("/graphql")
    context = await chromium.new_context(viewport=PHONE, locale=locale)
    checked: dict[str, list[Any]] = {}
    try:
        page = await context.new_page()
        name = {"th": "สมชาย ใจดี", "vi": "Trần Thị Hoa"}[language]
        person = await sign_up(page, site=site, identities=identities, mail=identity_mail,
                               name=name, country=country,
                               check=lambda form: check_page(form, axe_source, checked))

        assert person.registration_title == sign_up_title
        assert person.registration_language == person.verification_language == language
        assert verification in person.verification_text, person.verification_text
        # Keycloak's real verification email, received over SMTP, in the page's language;
        # its link, followed in the page, brought the person back signed in.
        assert person.verification_subject == subject
        assert person.verification_mail.startswith(text), person.verification_mail
        await expect(page.locator("html")).to_have_attribute("lang", language)
        await expect(page.get_by_role("heading", level=1)).to_have_text(my_works)
        await expect(page.locator("main")).to_contain_text(name)
        await check_page(page, axe_source, checked)
        # The party is the register's, public, under the name given.
        await page.goto(f"{site}/parties/{person.party_id}")
        await expect(page.get_by_role("heading", level=1)).to_have_text(name)
        # Registered once: the registration page now leads to "my works".
        await page.goto(f"{site}/my/party")
        await page.wait_for_url(f"{site}/my/works")
    finally:
        await context.close()
    assert {path: found for path, found in checked.items() if found} == {}
    assert set(checked) == {"/my/party", "/my/works"}
