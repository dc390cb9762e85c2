"""The web app in a real browser against the whole platform (WEB.md, "Tests"): a visitor
searches the register signed out in two languages, opens a work and its holder, signs in
through Keycloak's own page and sees their works, then signs out; on a phone-sized screen,
with no request to any host but the gateway and the identity provider, and axe-core finding
no serious or critical violation on any page of the web app."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from contracts.identifiers import iswc_check_digit
from devstack.identity import CONFIG as KEYCLOAK
from devstack.polling import eventually
from playwright.async_api import Browser, Page, Request, Route, expect

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

FILE = """mutation($input: FileWorkInput!) {
  fileWork(input: $input) { work { id status } errors { code message field } } }"""
SEARCH = """query($text: String!) { works(filter: {text: $text}) { totalCount } }"""
WORK_STATUS = """query($id: ID!) { work(id: $id) { status } }"""
PHONE = {"width": 375, "height": 812}  # the narrowest common phone (CSS pixels)
BLOCKING = ("serious", "critical")


async def accessibility_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of the page as it is now."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=axe_source)
    found: dict[str, Any] = await page.evaluate(
        "async () => { const r = await axe.run(document); return {passes: r.passes.length,"
        " violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))}; }"
    )
    assert found["passes"] > 0, "axe-core checked nothing"
    return [v for v in found["violations"] if v["impact"] in BLOCKING]


async def check_page(page: Page, axe_source: str, checked: dict[str, list[Any]],
                     screenshot: str = "") -> None:
    """What every page of the web app must hold: axe's verdict, no sideways scrolling on a
    phone. With TEST_WEB_SCREENSHOTS set (a folder: docs/screenshots), the page is kept."""
    path = urlsplit(page.url).path
    folder = os.environ.get("TEST_WEB_SCREENSHOTS")
    if folder and screenshot:
        await page.screenshot(path=str(Path(folder) / f"{screenshot}.png"), full_page=True)
    checked[path] = await accessibility_violations(page, axe_source)
    assert await page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
    ), f"{path} scrolls sideways on a phone-sized screen"


async def choose_language(page: Page, name: str) -> None:
    await page.locator("form.language select").select_option(label=name)
    await page.locator("form.language button").click()
    await page.wait_for_load_state()


async def sign_in_at_keycloak(page: Page, person: Any) -> None:
    """On Keycloak's own sign-in page: the person's username and password."""
    await page.fill("#username", person.account.username)
    if await page.locator("#password").count():
        await page.fill("#password", person.account.password)
        await page.click("#kc-login")
    else:  # passkeys on: the username first, the password on the next page
        await page.click("#kc-login")
        await page.fill("#password", person.account.password)
        await page.click("#kc-login")


async def test_a_visitor_searches_in_two_languages_then_signs_in_to_see_their_works(
    platform: Any, chromium: Browser, axe_source: str,
) -> None:
    word = secrets.token_hex(4)
    title = f"แสงจันทร์ริมโขง {word}"
    somchai = await platform.sign_up("Somchai Kittisak", "TH")
    minh = await platform.sign_up("Nguyen Van Minh", "VN")
    filed = await platform.gql(FILE, {"input": {
        "title": title, "kind": "MUSICAL_WORK", "countryOfOrigin": "TH",
        "alternateTitles": [f"Moonlight on the Mekong {word}"],
        "rightsHolders": [{"partyId": somchai.party_id, "role": "COMPOSER", "share": "100"}]}},
        somchai.token)
    assert filed["fileWork"]["errors"] == [], filed["fileWork"]["errors"]

    async def in_register() -> bool:
        data = await platform.gql(SEARCH, {"text": word}, somchai.token)
        return bool(data["works"]["totalCount"] == 1)

    await eventually(in_register, timeout=60, what=f"{title} in the register")

    site = platform.config.gateway_url.removesuffix("/graphql")
    allowed = {urlsplit(site).netloc, urlsplit(KEYCLOAK.base_url).netloc}
    elsewhere: list[str] = []

    async def only_the_platform(route: Route, request: Request) -> None:
        if urlsplit(request.url).netloc in allowed or request.url.startswith("data:"):
            await route.continue_()
        else:
            elsewhere.append(request.url)
            await route.abort()

    checked: dict[str, list[Any]] = {}
    context = await chromium.new_context(viewport=PHONE, locale="en-GB")
    try:
        await context.route("**/*", only_the_platform)
        page = await context.new_page()

        # Signed out, in Thai: the switcher, then a search by the title's unique word.
        await page.goto(site + "/")
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await check_page(page, axe_source, checked)
        await choose_language(page, "ไทย")
        await expect(page.locator("html")).to_have_attribute("lang", "th")
        await expect(page.get_by_role("heading", level=1)).to_have_text("ค้นหาในทะเบียน")
        await page.get_by_label("ชื่อผลงาน ชื่อบุคคล หรือหมายเลข").fill(word)
        await page.get_by_label("ประเภท").select_option("MUSICAL_WORK")
        await page.get_by_role("button", name="ค้นหา", exact=True).click()
        await expect(page.get_by_role("status")).to_have_text("1 ผลงาน")
        await expect(page.get_by_role("link", name=title)).to_be_visible()
        assert "kind=MUSICAL_WORK" in page.url
        await check_page(page, axe_source, checked, "web-search-th")

        # In Vietnamese: the same search by the English alternate title's words.
        await choose_language(page, "Tiếng Việt")
        await expect(page.locator("html")).to_have_attribute("lang", "vi")
        await page.get_by_label("Tên tác phẩm, tên người hoặc số").fill(f"Moonlight Mekong {word}")
        await page.get_by_role("button", name="Tìm kiếm", exact=True).click()
        await expect(page.get_by_role("status")).to_have_text("1 tác phẩm")

        # The work's page: titles, status, holders and shares, history.
        await page.get_by_role("link", name=title).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(title)
        main = page.locator("main")
        await expect(main).to_contain_text(f"Moonlight on the Mekong {word}")
        await expect(main).to_contain_text("Thái Lan")
        await expect(page.locator("table")).to_contain_text("Somchai Kittisak")
        await expect(page.locator("table")).to_contain_text("Nhạc sĩ")
        await expect(page.locator("table")).to_contain_text("100%")
        await expect(page.locator("ol.history li").first).to_contain_text("Đã nộp")
        await check_page(page, axe_source, checked, "web-work-vi")

        # The holder's page lists the work.
        await page.locator("table").get_by_role("link", name="Somchai Kittisak").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Somchai Kittisak")
        await expect(page.get_by_role("link", name=title)).to_be_visible()
        await check_page(page, axe_source, checked)

        # An address with nothing behind it.
        await page.goto(site + "/works/00000000-0000-4000-8000-000000000000")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy")
        await check_page(page, axe_source, checked)

        # "My works" signed out asks to sign in, through Keycloak's own page (authorization
        # code + PKCE), and comes back to it.
        await page.goto(site + "/")
        await expect(page.get_by_role("link", name="Tác phẩm của tôi")).to_have_count(0)
        await page.goto(site + "/my/works")
        await page.wait_for_selector("#kc-form-login")
        assert urlsplit(page.url).netloc == urlsplit(KEYCLOAK.base_url).netloc
        await sign_in_at_keycloak(page, somchai)
        try:
            await page.wait_for_url(site + "/my/works")
        except Exception as exc:
            shown = (await page.inner_text("body"))[:300]
            raise AssertionError(f"sign-in ended at {page.url}, showing {shown!r}") from exc
        await expect(page.locator("html")).to_have_attribute("lang", "vi")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Tác phẩm của tôi")
        await expect(page.get_by_role("link", name=title)).to_be_visible()
        await expect(page.locator("main")).to_contain_text("Somchai Kittisak")
        await check_page(page, axe_source, checked, "web-my-works-vi")

        # Filing a work with a co-owner: the API's refusal is shown at its field, the form
        # keeps what was typed; corrected, the work is filed and listed in "my works".
        new_title = f"Đêm trăng Mê Kông {word}"
        nine = f"{secrets.randbelow(10**9):09d}"
        await page.locator('nav a[href="/my/works/new"]').click()
        await page.wait_for_url(site + "/my/works/new")
        await expect(page.locator("#holder-0-party")).to_have_value(somchai.party_id)
        await check_page(page, axe_source, checked, "web-file-work-vi")
        await page.locator("#title").fill(new_title)
        await page.locator("#alternateTitles").fill(f"Mekong moon night {word}")
        await page.locator("#kind").select_option("MUSICAL_WORK")
        await page.locator("#countryOfOrigin").select_option("VN")
        await page.locator("#iswc").fill("T-123")
        await page.locator("#holder-0-role").select_option("COMPOSER")
        await page.locator("#holder-0-share").fill("60")
        await page.locator("#holder-1-party").fill(minh.party_id)
        await page.locator("#holder-1-role").select_option("LYRICIST")
        await page.locator("#holder-1-share").fill("40")
        await page.locator("form.filing button[type=submit]").click()
        iswc = page.locator("#iswc")
        await expect(iswc).to_have_attribute("aria-invalid", "true")
        described = (await iswc.get_attribute("aria-describedby") or "").split()
        assert described, "the refused field names no error"
        await expect(page.locator(f"#{described[0]}")).to_have_text("Đây không phải là ISWC hợp lệ.")
        await expect(page.get_by_role("alert")).to_contain_text("Đây không phải là ISWC hợp lệ.")
        await expect(page.locator("#holder-1-party")).to_have_value(minh.party_id)
        await expect(page.locator("#title")).to_have_value(new_title)
        await check_page(page, axe_source, checked, "web-file-work-refused-vi")
        await iswc.fill(f"T-{nine[:3]}.{nine[3:6]}.{nine[6:]}-{iswc_check_digit(nine)}")
        await page.locator("form.filing button[type=submit]").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(new_title)
        await expect(page.locator("table")).to_contain_text("Nguyen Van Minh")
        new_work_id = urlsplit(page.url).path.rsplit("/", 1)[-1]

        async def in_my_works() -> bool:
            await page.goto(site + "/my/works")
            return await page.get_by_role("link", name=new_title).count() == 1

        await eventually(in_my_works, timeout=30, what=f"{new_title} in my works", interval=0.5)

        # Signing out ends the session here and at the identity provider.
        await page.get_by_role("button", name="Đăng xuất").click()
        await page.wait_for_url(site + "/")
        await expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()
        await page.goto(site + "/my/works")
        await page.wait_for_selector("#kc-form-login")  # asked to sign in again

        # The co-owner Minh signs in to his consent requests and confirms his holding: the
        # filing waited for him (DOMAIN.md, "Co-owners' consent"), and now it registers.
        await page.goto(site + "/my/consents")
        await page.wait_for_selector("#kc-form-login")
        await sign_in_at_keycloak(page, minh)
        await page.wait_for_url(site + "/my/consents")
        request = page.locator(f"section[aria-labelledby='consent-{new_work_id}']")
        await expect(request.get_by_role("link", name=new_title)).to_be_visible()
        await expect(request.locator("table")).to_contain_text("40%")
        await check_page(page, axe_source, checked, "web-consents-vi")
        await request.locator("form[action$='/reject'] button").click()  # no reason: refused
        await expect(page.get_by_role("alert")).to_contain_text("reason is required")
        await check_page(page, axe_source, checked, "web-consents-refused-vi")
        await page.locator(f"form[action='/my/consents/{new_work_id}/confirm'] button").click()
        await page.wait_for_url(site + "/my/consents?done=confirm")
        await expect(page.get_by_role("link", name=new_title)).to_have_count(0)
        registered = await platform.gql(WORK_STATUS, {"id": new_work_id}, minh.token)
        assert registered["work"]["status"] == "REGISTERED", registered
    finally:
        await context.close()

    assert {path: found for path, found in checked.items() if found} == {}
    assert elsewhere == []
    assert set(checked) >= {"/", f"/works/{filed['fileWork']['work']['id']}",
                            f"/parties/{somchai.party_id}", "/my/works", "/my/works/new",
                            "/my/consents"}
