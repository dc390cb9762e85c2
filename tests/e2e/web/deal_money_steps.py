"""Page steps of issue 20's deal and money pages (WEB.md, "Deals and money in depth"), each a
function of a Playwright page, for longer browser tests to chain: a co-owner's consent, the
advance recorded paid, a statement recorded paid, the balances read. Each asserts what a
person would see."""

from __future__ import annotations

from playwright.async_api import Page, expect


async def consent_on_the_deal_page(page: Page, site: str, licence_id: str) -> None:
    """A co-owner asked opens the deal page and consents; the page shows its answer."""
    await page.goto(f"{site}/deals/{licence_id}")
    await page.locator(f'form[action="/deals/{licence_id}/consent"] button').click()
    await page.wait_for_url(f"{site}/deals/{licence_id}")


async def record_the_advance(page: Page, site: str, licence_id: str, *, paid_on: str,
                             reference: str) -> None:
    """The licensee records the licence's advance paid on the deal page."""
    await page.goto(f"{site}/deals/{licence_id}")
    await page.locator("#paidOn").fill(paid_on)
    await page.locator("#reference").fill(reference)
    await page.locator(f'form[action="/deals/{licence_id}/advance"] button').click()
    await expect(page.locator(".advance-paid")).to_contain_text(reference)


async def record_a_statement_paid(page: Page, site: str, licence_id: str, statement_id: str,
                                  *, paid_on: str, reference: str) -> None:
    """The licensee records a statement paid on the licence's statements page."""
    await page.goto(f"{site}/my/licences/{licence_id}/statements")
    prefix = f"#payment-{statement_id}-"
    await page.locator(f"{prefix}paidOn").fill(paid_on)
    await page.locator(f"{prefix}reference").fill(reference)
    await page.locator(f'form[action="/my/statements/{statement_id}/payment"] button').click()
    await page.wait_for_url(f"{site}/my/licences/{licence_id}/statements#statement-*")
    payment = page.locator(f"#statement-{statement_id} dd.payment")
    await expect(payment).to_have_attribute("data-payment", "PAID")
    await expect(payment).to_contain_text(reference)


async def read_balances(page: Page, site: str, query: str = "") -> dict[str, dict[str, str]]:
    """The balances page's ledgers: currency -> line name -> the amount as shown."""
    await page.goto(f"{site}/my/balances{query}")
    ledgers: dict[str, dict[str, str]] = {}
    for table in await page.locator("table.ledger").all():
        currency = await table.get_attribute("data-currency") or ""
        ledgers[currency] = {}
        for row in await table.locator("tr[data-line]").all():
            name = await row.get_attribute("data-line") or ""
            ledgers[currency][name] = (await row.locator("td").inner_text()).strip()
    return ledgers
