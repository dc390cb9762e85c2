"""A licence's countries shown in words on the pages (DOMAIN.md, Territories: "Shown to
people"; WEB.md, "Territories in words"), over the fake services: the statements page, the
offers and the deal page name a group and what it leaves out, in the page's language (country
names from CLDR, the oracle), never every country of a worldwide licence; the statement's PDF says it the same way."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import httpx
import pycountry
import pytest
from babel import Locale
from pypdf import PdfReader

from .fake_services import FakeServices
from .test_web_money_pages import active_licence
from .test_web_pages import signed_in_as, site, text_of

__all__ = ["site"]

# ASEAN before Timor-Leste joined on 2025-10-26 (ASEAN Secretariat): ten countries.
ASEAN_2024 = ["BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "VN"]
WORLD_BUT_JAPAN = sorted(c.alpha_2 for c in pycountry.countries if c.alpha_2 != "JP")


def licence_over(fake: FakeServices, territories: list[str], start: str) -> tuple[str, str, str]:
    owner, licensee, licence = active_licence(fake)
    fake.licences[licence]["terms"].update(territories=territories, start=start, end=None)
    return owner, licensee, licence


def territory_of(page: httpx.Response) -> str:
    """The statements page's territory, as a person reads it."""
    found = re.search(r'<dd class="territory">(.*?)</dd>', page.text, re.S)
    assert found, page.text
    return " ".join(found.group(1).split())


@pytest.mark.parametrize(("language", "words"), [("en", "ASEAN"), ("th", "อาเซียน")])
async def test_the_statements_page_names_the_group_a_licence_covers_on_its_first_day(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str], language: str,
    words: str,
) -> None:
    owner, _, licence = licence_over(fake, ASEAN_2024, "2024-01-01")
    page = await site.get(f"/my/licences/{licence}/statements",
                          headers={"cookie": f"{signed_in_as(token(owner))}; lang={language}"})
    assert page.status_code == 200
    assert territory_of(page) == words
    assert Locale.parse(language).territories["KH"] not in text_of(page)  # not one by one


async def test_the_same_ten_countries_after_timor_leste_joined_are_asean_without_it(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    owner, _, licence = licence_over(fake, ASEAN_2024, "2026-01-01")
    page = await site.get(f"/my/licences/{licence}/statements",
                          headers={"cookie": f"{signed_in_as(token(owner))}; lang=en"})
    timor = Locale.parse("en").territories["TL"]
    assert territory_of(page) == f"ASEAN excluding {timor}"


async def test_a_worldwide_licence_without_japan_is_the_world_excluding_japan_everywhere(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    owner, licensee, licence = licence_over(fake, WORLD_BUT_JAPAN, "2026-01-01")
    english = Locale.parse("en").territories
    for path, who in ((f"/my/licences/{licence}/statements", owner), ("/my/offers", licensee),
                      (f"/deals/{licence}", owner)):
        page = await site.get(path, headers={"cookie": f"{signed_in_as(token(who))}; lang=en"})
        assert page.status_code == 200, path
        shown = text_of(page)
        assert f"The world excluding {english['JP']}" in shown, path
        assert english["ZW"] not in shown, path


async def test_a_few_countries_are_named_one_by_one(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    owner, _, licence = active_licence(fake)  # Thailand and Viet Nam
    page = await site.get(f"/my/licences/{licence}/statements",
                          headers={"cookie": f"{signed_in_as(token(owner))}; lang=vi"})
    names = Locale.parse("vi").territories
    assert territory_of(page) == f"{names['TH']}, {names['VN']}"


async def test_the_statements_pdf_says_the_territory_as_the_page_does(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    owner, _, licence = licence_over(fake, WORLD_BUT_JAPAN, "2026-01-01")
    work = fake.licences[licence]["work_id"]
    fake.statements[licence] = [{
        "id": "55555555-0000-4000-8000-000000000005", "licence_id": licence, "work_id": work,
        "report_id": "r", "period_start": "2026-01-01", "period_end": "2026-03-31",
        "gross": "100.00", "royalty": "10.00", "recouped": "0.00", "payable": "10.00",
        "currency": "USD", "issued_at": "2026-04-01T00:00:00Z",
        "lines": [{"party_id": owner, "share": "100.00", "amount": "10.00"}]}]
    path = f"/my/licences/{licence}/statements/55555555-0000-4000-8000-000000000005.pdf"
    as_pdf = await site.get(path, headers={"cookie": f"{signed_in_as(token(owner))}; lang=id"})
    assert as_pdf.headers["content-type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(as_pdf.content)).pages[0].extract_text().split())
    assert f"Seluruh dunia kecuali {Locale.parse('id').territories['JP']}" in text
