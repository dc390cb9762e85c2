"""The deal page's history (WEB.md, "Deals"; DOMAIN.md, "Licence history" and "Amendments
and renewals") as the gateway serves it, over the fake services: availability as of a chosen
date and recorded time, the versions of the terms, and the other side's answer."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from starlette.datastructures import QueryParams
from web.deals_history import answerable, read_as_of

from .fake_services import FakeServices
from .test_web_deals import posting
from .test_web_pages import signed_in_as, site, text_of

__all__ = ["site"]


def test_the_as_of_form_is_read_as_utc_and_bad_values_are_named() -> None:
    chosen, errors = read_as_of(QueryParams("as_of=2026-03-01&known_at=2026-03-02T10:30"))
    assert errors == [] and chosen.chosen
    assert chosen.variables == {"asOf": "2026-03-01", "knownAt": "2026-03-02T10:30:00+00:00"}
    nothing, errors = read_as_of(QueryParams(""))
    assert not nothing.chosen and nothing.variables == {"asOf": None, "knownAt": None}
    bad, errors = read_as_of(QueryParams("as_of=March&known_at=soon"))
    assert [e.control for e in errors] == ["as_of", "known_at"] and bad.variables is None


@pytest.mark.parametrize(
    ("viewer", "side", "buttons"),
    [("licensee", "LICENSOR", ["accept", "decline"]), ("licensee", "LICENSEE", ["decline"]),
     ("licensor", "LICENSEE", ["accept", "decline"]), ("stranger", "LICENSEE", [])],
)  # fmt: skip
def test_only_the_other_side_is_offered_to_accept(viewer: str, side: str, buttons: list[str]) -> None:
    pending = {"state": "PENDING", "side": side}
    assert answerable(pending, viewer, "licensor", "licensee") == buttons
    assert answerable({**pending, "state": "ACCEPTED"}, viewer, "licensor", "licensee") == []


async def test_the_deal_page_asks_availability_as_of_the_chosen_date_and_time(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    deal = fake.add_licence(fake.add_work([(lan, "100")]), lan, minh, status="ACTIVE")
    me = {"cookie": signed_in_as(token(minh))}
    page = await site.get(f"/deals/{deal}?as_of=2026-03-01&known_at=2026-03-02T10:30", headers=me)
    assert page.status_code == 200
    assert fake.availability_asked[-1]["as_of"] == "2026-03-01"
    assert fake.availability_asked[-1]["known_at"] == "2026-03-02T10:30:00+00:00"
    words = text_of(page)
    assert "Licences in force on the chosen date" in words
    assert 'value="2026-03-01"' in page.text  # the form shows what was chosen
    # A value that is no date is named at its control; today's answer is shown instead.
    bad = await site.get(f"/deals/{deal}?as_of=March", headers=me)
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.text
    assert "as_of" not in fake.availability_asked[-1]


async def test_the_other_side_accepts_a_pending_amendment_from_the_deal_page(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, minh = fake.add_party("Lan"), fake.add_party("Minh")
    deal = fake.add_licence(fake.add_work([(lan, "100")]), lan, minh, status="ACTIVE")
    number = fake.propose_amendment(deal, minh)
    proposer = await site.get(f"/deals/{deal}", headers={"cookie": signed_in_as(token(minh))})
    assert "Versions of the terms" in text_of(proposer)
    assert "Waiting for the other side" in text_of(proposer)
    assert f'action="/deals/{deal}/versions/{number}/accept"' not in proposer.text
    assert f'action="/deals/{deal}/versions/{number}/decline"' in proposer.text
    cookies, csrf = await posting(site, signed_in_as(token(lan)), f"/deals/{deal}")
    accepted = await site.post(f"/deals/{deal}/versions/{number}/accept",
                               headers={"cookie": cookies}, data={"csrftoken": csrf})
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/deals/{deal}"
    assert fake.amendment_answers == [(deal, number, "accept")]
    assert fake.licence_versions[deal][-1]["state"] == "ACCEPTED"
