"""Page steps of the money pages, each a function of a Playwright page (WEB.md, "Money",
"Inbox and contacts"), so a longer browser test (the whole deal) chains them: sign in,
report usage by the form, read the statement, download its CSV and PDF, see the chart,
the inbox, the contact settings. Each asserts what a person would see."""

from __future__ import annotations

import asyncio
import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from devstack.identity import CONFIG as KEYCLOAK
from devstack.polling import eventually
from playwright.async_api import Page, Request, Route, expect
from pypdf import PdfReader


def only_the_platform(site: str, elsewhere: list[str]) -> Any:
    """A route handler that lets through the gateway's and Keycloak's requests only, and
    keeps every other URL in `elsewhere` (the test asserts it stays empty)."""
    allowed = {urlsplit(site).netloc, urlsplit(KEYCLOAK.base_url).netloc}

    async def handle(route: Route, request: Request) -> None:
        if urlsplit(request.url).netloc in allowed or request.url.startswith("data:"):
            await route.continue_()
        else:
            elsewhere.append(request.url)
            await route.abort()

    return handle


async def sign_in(page: Page, site: str, person: Any, path: str) -> None:
    """Opens `path` signed out, signs in on Keycloak's own page, and is back at `path`."""
    await page.goto(site + path)
    await page.wait_for_selector("#kc-form-login")
    await page.fill("#username", person.account.username)
    if await page.locator("#password").count():
        await page.fill("#password", person.account.password)
        await page.click("#kc-login")
    else:  # passkeys on: the username first, the password on the next page
        await page.click("#kc-login")
        await page.fill("#password", person.account.password)
        await page.click("#kc-login")
    try:
        await page.wait_for_url(site + path)
    except Exception as exc:
        shown = (await page.inner_text("body"))[:300]
        raise AssertionError(f"sign-in ended at {page.url}, showing {shown!r}") from exc


async def report_usage_by_form(page: Page, site: str, licence_id: str, *, start: str, end: str,
                               units: str, gross: str) -> str:
    """The licensee reports one period on the usage form; answers the statement's id (the
    page it lands on names it in its address)."""
    await page.goto(f"{site}/my/licences/{licence_id}/usage")
    await page.locator("#periodStart").fill(start)
    await page.locator("#periodEnd").fill(end)
    await page.locator("#units").fill(units)
    await page.locator("#grossRevenue").fill(gross)
    await page.locator("form.usage button[type=submit]").click()
    await page.wait_for_url(f"{site}/my/licences/{licence_id}/statements#statement-*")
    return page.url.rsplit("#statement-", 1)[1]


async def read_statement(page: Page, statement_id: str) -> dict[str, str]:
    """The statement as the statements page shows it: its totals by their labels, and the
    text of its lines' table."""
    section = page.locator(f"#statement-{statement_id}")
    await expect(section).to_be_visible()
    labels = await section.locator("dl.facts dt").all_inner_texts()
    values = await section.locator("dl.facts dd").all_inner_texts()
    shown = dict(zip(labels, values, strict=True))
    shown["lines"] = await section.locator("table").inner_text()
    return shown


async def download_statement_csv(page: Page, statement_id: str) -> list[dict[str, str]]:
    """Clicks the statement's CSV link; its rows, read with the csv module."""
    section = page.locator(f"#statement-{statement_id}")
    async with page.expect_download() as info:
        await section.locator("a[href$='.csv']").click()
    download = await info.value
    text = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


async def download_statement_pdf(page: Page, statement_id: str) -> str:
    """Clicks the statement's PDF link; its text, read back with pypdf."""
    section = page.locator(f"#statement-{statement_id}")
    async with page.expect_download() as info:
        await section.locator("a[href$='.pdf']").click()
    download = await info.value
    content = await asyncio.to_thread(Path(await download.path()).read_bytes)
    assert content.startswith(b"%PDF-")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def lines_add_up(rows: list[dict[str, str]]) -> bool:
    """The CSV's lines add up to its statement's payable, to the cent."""
    payable = {Decimal(r["payable"]) for r in rows}
    return len(payable) == 1 and sum(Decimal(r["amount"]) for r in rows) == payable.pop()


async def see_royalties_chart(page: Page, site: str, work_title: str) -> None:
    """The chart page draws an accessible SVG with a point for the work."""
    await page.goto(f"{site}/my/royalties")
    chart = page.locator("svg.chart[role=img]")
    await expect(chart.first).to_be_visible()
    assert await chart.first.get_attribute("aria-labelledby")
    points = await page.locator("svg.chart g.series title").all_text_contents()
    assert any(text.startswith(f"{work_title}, ") for text in points), points
    await page.locator("section.royalties details summary").first.click()
    await expect(page.locator("section.royalties table").first).to_contain_text(work_title)


async def inbox_shows(page: Page, site: str, words: str) -> None:
    """The inbox lists a notification containing `words` (read again until it arrives: the
    notifications service hears of events through Kafka)."""

    async def listed() -> bool:
        await page.goto(f"{site}/my/inbox")
        return bool(await page.locator("ol.notifications li", has_text=words).count())

    await eventually(listed, timeout=30, what=f"{words!r} in the inbox", interval=0.5)


async def change_contacts(page: Page, site: str, *, email: str, webhook_url: str,
                          secret: str) -> None:
    """Saves an email and a webhook with a new secret; the page then says a secret is set and
    never shows it."""
    await page.goto(f"{site}/my/contacts")
    await page.locator("#email").fill(email)
    await page.locator("#webhookUrl").fill(webhook_url)
    await page.locator("#webhookSecret").fill(secret)
    await page.locator("form.contacts button[type=submit]").click()
    await page.wait_for_url(f"{site}/my/contacts?saved=1")
    await expect(page.get_by_role("status")).to_be_visible()
    await expect(page.locator("#email")).to_have_value(email)
    await expect(page.locator("#webhookSecret")).to_have_value("")
    assert secret not in await page.content()
