"""Issue 20's routes as strangers, fuzzers and racing clients use them (DOMAIN.md "Access",
"Co-owners' consent", "Amendments and renewals", "Advances", "The payee ledger"): the wrong
caller is refused with the documented code and learns nothing, bad input is a 400 naming its
field that changes nothing, and racing or retried commands apply once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from licensing.models import ExchangeRateRow, LicenceVersionRow, MandateRow, StatementPaymentRow
from sqlalchemy import func, select
from sqlmodel import col

from .conftest import THIS_YEAR, Deal, Register, Service, known_work, offer_body, today


async def _active(service: Service, deal: Deal, **overrides: Any) -> str:
    async with service.client(deal.owner) as owner:
        offered = await owner.post("/licences", json=offer_body(deal, **overrides))
    assert offered.status_code == 201, offered.text
    async with service.client(deal.licensee) as licensee:
        accepted = await licensee.post(f"/licences/{offered.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    licence_id: str = accepted.json()["id"]
    return licence_id


async def _statement(service: Service, deal: Deal, licence_id: str) -> dict[str, Any]:
    async with service.client(deal.licensee) as client:
        reported = await client.post(
            f"/licences/{licence_id}/usage-reports",
            json={"period_start": f"{THIS_YEAR}-01-01", "period_end": f"{THIS_YEAR}-01-31",
                  "units": 10, "gross_revenue": "1000.00"},
        )  # fmt: skip
    assert reported.status_code == 201, reported.text
    statement: dict[str, Any] = reported.json()["statement"]
    return statement


def _partyless(service: Service, *roles: str) -> httpx.AsyncClient:
    """A machine client acting for no party (a token whose subject is no party id)."""
    token = service.token_for(None, *roles)
    return httpx.AsyncClient(
        base_url=service.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


async def _count(service: Service, column: Any, *where: Any) -> int:
    async with service.licensing.sessions() as session:
        found = await session.execute(select(func.count(column)).where(*where))
        return int(found.scalar_one())


def _refused(response: httpx.Response, status: int, field: str | None = None) -> str:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    if field is not None:
        assert body["field"] == field, body
    code: str = body["code"]
    return code


# --- access ----------------------------------------------------------------------------------


async def test_a_stranger_reads_nothing_of_a_deal_and_records_nothing_on_it(
    service: Service, register: Register, deal: Deal
) -> None:
    licence_id = await _active(service, deal, territories=["KH"], media=["SYNC"])
    statement = await _statement(service, deal, licence_id)
    stranger = await register.party("Stranger")
    ids = {"licence_ids": licence_id}
    async with service.client(stranger) as client:
        for path in ("/licence-versions", "/licence-history", "/owner-consents", "/statements",
                     "/licence-events"):  # fmt: skip
            found = await client.get(path, params=ids)
            assert found.status_code == 200 and found.json()["items"] == {}, (path, found.text)
        for party in (deal.owner, deal.licensee):
            for path in ("/balances", "/payee-statements"):
                _refused(await client.get(path, params={"party_id": str(party)}), 403, "party_id")
        mine = await client.get("/payee-statements", params={"as_payer": "true"})
        assert mine.json()["items"] == []
        mandates = await client.get("/mandates")
        assert mandates.json()["items"] == []
        pay = {"paid_on": today().isoformat(), "reference": "X"}
        assert _refused(await client.post(f"/statements/{statement['id']}/payment", json=pay),
                        404) == "UNKNOWN_STATEMENT"  # fmt: skip
        for path, body in (
            (f"/licences/{licence_id}/advance-payment", pay),
            (f"/licences/{licence_id}/amendments",
             {"effective_from": f"{THIS_YEAR}-02-01", "territories": ["KH"], "media": ["SYNC"],
              "exclusive": True, "royalty_rate": "10.00"}),
            (f"/licences/{licence_id}/renewals", {"end": f"{THIS_YEAR + 1}-12-31"}),
            (f"/licences/{licence_id}/consent", None),
            (f"/licences/{licence_id}/refuse", {"reason": "no"}),
        ):  # fmt: skip
            _refused(await client.post(path, json=body), 404)
        grant = {"agent_id": str(deal.owner), "work_id": str(deal.work_id),
                 "valid_from": today().isoformat()}  # fmt: skip
        # A mandate for someone else's work: the stranger is no owner of it.
        _refused(await client.post("/mandates", json=grant), 403, "work_id")
        rate = {"base": "USD", "quote": "THB", "rate": "35.5", "source": "ECB",
                "effective_on": today().isoformat()}  # fmt: skip
        _refused(await client.post("/exchange-rates", json=rate), 403)
    # A society reads every ledger but records no rate and no payment.
    async with service.client(stranger, "society") as society:
        assert (await society.get("/balances", params={"party_id": str(deal.owner)})
                ).status_code == 200  # fmt: skip
        _refused(await society.post("/exchange-rates", json=rate), 403)
        _refused(await society.post(f"/statements/{statement['id']}/payment", json=pay), 403)
    # The other side of the contract: the owners pay nothing, the licensee amends and renews
    # only as a side of it.
    async with service.client(deal.co_owner) as owner:
        code = _refused(await owner.post(f"/statements/{statement['id']}/payment", json=pay), 403)
        assert code == "NOT_THE_LICENSEE"
        _refused(await owner.post(f"/licences/{licence_id}/advance-payment", json=pay), 403)
    # A caller acting for no party is no side of any deal: it sees and pays nothing.
    async with _partyless(service) as machine:
        assert (await machine.get("/balances")).json()["ledgers"] == []
        for path in ("/payee-statements", "/mandates"):
            assert (await machine.get(path)).json()["items"] == []
        _refused(await machine.get("/balances", params={"party_id": str(deal.owner)}), 403)
        _refused(await machine.post(f"/statements/{statement['id']}/payment", json=pay), 404)
    async with service.licensing.sessions() as session:
        assert await session.get(StatementPaymentRow, uuid.UUID(statement["id"])) is None
    assert await _count(service, MandateRow.id, col(MandateRow.agent_id) == stranger) == 0
    assert await _count(service, LicenceVersionRow.number,
                        col(LicenceVersionRow.licence_id) == uuid.UUID(licence_id)) == 1  # fmt: skip


async def test_a_society_or_examiner_without_standing_cannot_amend_or_consent(
    service: Service, register: Register, deal: Deal
) -> None:
    licence_id = await _active(service, deal, territories=["LA"], media=["SYNC"])
    watcher = await register.party("Watcher")
    body = {"effective_from": f"{THIS_YEAR}-02-01", "territories": ["LA"], "media": ["SYNC"],
            "exclusive": True, "royalty_rate": "10.00"}  # fmt: skip
    for role in ("society", "examiner"):
        async with service.client(watcher, role) as client:
            # It sees the licence, so the refusal is 403, not 404.
            assert (await client.get(f"/licences/{licence_id}")).status_code == 200
            _refused(await client.post(f"/licences/{licence_id}/amendments", json=body), 403)
            _refused(await client.post(f"/licences/{licence_id}/renewals",
                                       json={"end": f"{THIS_YEAR + 1}-12-31"}), 403)  # fmt: skip
            _refused(await client.post(f"/licences/{licence_id}/consent"), 403)
    assert await _count(service, LicenceVersionRow.number,
                        col(LicenceVersionRow.licence_id) == uuid.UUID(licence_id)) == 1  # fmt: skip


async def test_an_examiner_records_a_rate_and_a_machine_operator_too(
    service: Service, register: Register
) -> None:
    day = (today() - timedelta(days=3000 + uuid.uuid4().int % 5000)).isoformat()
    body = {"base": "JPY", "quote": "BHD", "rate": "0.002513", "source": "audit",
            "effective_on": day}  # fmt: skip
    async with _partyless(service, "operator") as operator:
        recorded = await operator.post("/exchange-rates", json=body)
        assert recorded.status_code == 201, recorded.text
        assert recorded.json()["rate"] == "0.002513"
        again = await operator.post("/exchange-rates", json=body | {"rate": "0.0026"})
        assert _refused(again, 409, "effective_on") == "RATE_ALREADY_RECORDED"
    async with _partyless(service) as machine:
        _refused(await machine.post("/exchange-rates", json=body | {"quote": "KWD"}), 403)


# --- bad input -------------------------------------------------------------------------------


async def test_bad_payments_name_their_field_and_pay_nothing(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active(service, deal, territories=["BN"], media=["SYNC"])
    statement = await _statement(service, deal, licence_id)
    path = f"/statements/{statement['id']}/payment"
    good = {"paid_on": today().isoformat(), "reference": "WIRE 1"}
    async with service.client(deal.licensee) as client:
        for body, field in (
            ({**good, "paid_on": "2026-02-30"}, "paid_on"),
            ({**good, "paid_on": 20260101}, "paid_on"),
            ({**good, "paid_on": "0001-01-01"}, "paid_on"),
            ({**good, "paid_on": "9999-12-31"}, "paid_on"),
            ({**good, "paid_on": (today() + timedelta(days=1)).isoformat()}, "paid_on"),
            ({**good, "reference": ""}, "reference"),
            ({**good, "reference": "   "}, "reference"),
            ({**good, "reference": "x" * 201}, "reference"),
            ({**good, "reference": 117}, "reference"),
            ({**good, "reference": "a\x00b"}, "reference"),
            ({**good, "amount": "100.00"}, "amount"),
            ({"reference": "WIRE 1"}, "paid_on"),
        ):
            _refused(await client.post(path, json=body), 400, field)
        _refused(await client.post("/statements/not-a-uuid/payment", json=good), 400)
    async with service.licensing.sessions() as session:
        assert await session.get(StatementPaymentRow, uuid.UUID(statement["id"])) is None


async def test_bad_rates_name_their_field_and_record_nothing(service: Service) -> None:
    day = (today() - timedelta(days=9000 + uuid.uuid4().int % 5000)).isoformat()
    good = {"base": "USD", "quote": "JPY", "rate": "151.25", "source": "ECB reference rate",
            "effective_on": day}  # fmt: skip
    async with _partyless(service, "examiner") as examiner:
        for body, field in (
            ({**good, "rate": 151.25}, "rate"),
            ({**good, "rate": 151}, "rate"),  # a JSON number, even a whole one
            ({**good, "rate": True}, "rate"),
            ({**good, "rate": "0"}, "rate"),
            ({**good, "rate": "-1.5"}, "rate"),
            ({**good, "rate": "NaN"}, "rate"),
            ({**good, "rate": "Infinity"}, "rate"),
            ({**good, "rate": "1e3"}, "rate"),
            ({**good, "rate": "0.0000000000001"}, "rate"),
            ({**good, "rate": "1" * 5000}, "rate"),
            ({**good, "base": "XAU"}, "base"),
            ({**good, "base": "usd1"}, "base"),
            ({**good, "quote": "USD"}, "quote"),
            ({**good, "quote": None}, "quote"),
            ({**good, "source": ""}, "source"),
            ({**good, "source": "s" * 201}, "source"),
            ({**good, "effective_on": "2026-13-01"}, "effective_on"),
            ({**good, "inverse": "0.0066"}, "inverse"),
        ):
            _refused(await examiner.post("/exchange-rates", json=body), 400, field)
        for params, field in (({"base": "XX"}, "base"), ({"quote": "gold"}, "quote")):
            _refused(await examiner.get("/exchange-rates", params=params), 400, field)
    assert await _count(service, ExchangeRateRow.rate,
                        col(ExchangeRateRow.effective_on) == datetime.fromisoformat(day).date(),
                        col(ExchangeRateRow.base) == "USD") == 0  # fmt: skip


async def test_bad_ledger_queries_name_their_field(service: Service, deal: Deal) -> None:
    async with service.client(deal.owner) as client:
        for path, params, field in (
            ("/balances", {"from": "2026-02-30"}, "from"),
            ("/balances", {"to": "yesterday"}, "to"),
            ("/balances", {"from": f"{THIS_YEAR}-05-01", "to": f"{THIS_YEAR}-04-30"}, "from"),
            ("/balances", {"currency": "XXX"}, "currency"),
            ("/balances", {"party_id": "me"}, "party_id"),
            ("/payee-statements", {"status": "OWED"}, "status"),
            ("/payee-statements", {"currency": "EURO"}, "currency"),
            ("/payee-statements", {"convert_to": "EURO"}, "convert_to"),
            ("/payee-statements", {"first": "0"}, "first"),
            ("/payee-statements", {"first": "101"}, "first"),
            ("/payee-statements", {"after": "bogus"}, "after"),
            ("/payee-statements", {"from": f"{THIS_YEAR}-05-01", "to": f"{THIS_YEAR}-04-30"},
             "from"),
        ):
            _refused(await client.get(path, params=params), 400, field)
        # The calendar's first and last days are plain answers, not errors.
        past = await client.get("/balances", params={"from": "0001-01-01", "to": "0001-12-31"})
        assert (past.status_code, past.json()["ledgers"]) == (200, []), past.text
        for path in ("/balances", "/payee-statements"):
            ahead = await client.get(path, params={"from": "0001-01-01", "to": "9999-12-31"})
            assert ahead.status_code == 200, ahead.text


async def test_bad_amendments_and_history_queries_name_their_field_and_change_nothing(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active(service, deal, territories=["MM"], media=["SYNC"])
    good = {"effective_from": f"{THIS_YEAR}-03-01", "end": f"{THIS_YEAR}-12-31",
            "territories": ["MM"], "media": ["SYNC"], "exclusive": True,
            "royalty_rate": "12.00"}  # fmt: skip
    path = f"/licences/{licence_id}/amendments"
    async with service.client(deal.licensee) as client:
        for body, field in (
            ({**good, "royalty_rate": 12.5}, "royalty_rate"),
            ({**good, "royalty_rate": "100.01"}, "royalty_rate"),
            ({**good, "royalty_rate": "-1"}, "royalty_rate"),
            ({**good, "royalty_rate": "12.345"}, "royalty_rate"),
            ({**good, "territories": []}, "territories"),
            ({**good, "territories": ["MM", "QQ"]}, "territories[1]"),
            ({**good, "media": ["RADIO"]}, "media[0]"),
            ({**good, "media": []}, "media"),
            ({**good, "effective_from": "0001-01-01"}, "effective_from"),
            ({**good, "effective_from": f"{THIS_YEAR + 1}-01-02", "end": f"{THIS_YEAR + 1}-12-31"},
             "effective_from"),
            ({**good, "end": f"{THIS_YEAR}-02-01"}, "end"),
            ({**good, "currency": "EUR"}, "currency"),
            ({**good, "advance": "5.00"}, "advance"),
        ):
            _refused(await client.post(path, json=body), 400, field)
        renew = f"/licences/{licence_id}/renewals"
        for body, field in (
            ({"end": f"{THIS_YEAR}-06-30"}, "end"),
            ({"end": "9999-99-99"}, "end"),
            ({"end": f"{THIS_YEAR + 2}-01-01", "royalty_rate": "1.00"}, "royalty_rate"),
            ({}, "end"),
        ):
            _refused(await client.post(renew, json=body), 400, field)
        # A version number that is no version is unknown; one no version can have is a 400.
        for number, status in (("2", 404), ("99999999999999999999", 400), ("0", 400)):
            for verb in ("accept", "decline"):
                answer = await client.post(f"/licences/{licence_id}/amendments/{number}/{verb}")
                assert answer.status_code == status, (number, answer.text)
        for params, field in (
            ({"licence_ids": "nope"}, "licence_ids"),
            ({"licence_ids": ",".join([licence_id] * 501)}, "licence_ids"),
        ):
            for route in ("/licence-versions", "/licence-history", "/owner-consents"):
                _refused(await client.get(route, params=params), 400, field)
    assert await _count(service, LicenceVersionRow.number,
                        col(LicenceVersionRow.licence_id) == uuid.UUID(licence_id)) == 1  # fmt: skip


async def test_bad_availability_instants_and_dates_name_their_field(
    service: Service, deal: Deal
) -> None:
    base = {"territories": "TH", "media": "STREAMING", "start": f"{THIS_YEAR}-01-01"}
    route = f"/works/{deal.work_id}/availability"
    async with service.client(deal.licensee) as client:
        for params, field in (
            ({"known_at": f"{THIS_YEAR}-01-01T00:00:00"}, "known_at"),
            ({"known_at": f"{THIS_YEAR + 5}-01-01T00:00:00Z"}, "known_at"),
            ({"known_at": "yesterday"}, "known_at"),
            ({"as_of": "2026-02-30"}, "as_of"),
            ({"as_of": "9999-12-31"}, None),
            ({"start": "9999-12-31"}, None),
        ):
            answer = await client.get(route, params={**base, **params})
            if field is None:  # an answer about the year 9999: valid, never a 500
                assert answer.status_code in (200, 400), (params, answer.text)
            else:
                _refused(answer, 400, field)
        far = await client.get(route, params={**base, "as_of": "0001-01-01",
                                               "known_at": "0001-01-01T00:00:00Z"})  # fmt: skip
        assert far.status_code == 200 and far.json()["available"] is True, far.text
        many = await client.get("/availability", params={**base, "work_ids": str(deal.work_id),
                                                          "known_at": "2026-01-01T00:00"})
        _refused(many, 400, "known_at")


async def test_bad_mandates_and_refusals_name_their_field_and_change_nothing(
    service: Service, register: Register, deal: Deal
) -> None:
    agent = await register.party("Agent")
    good = {"agent_id": str(agent), "work_id": str(deal.work_id),
            "valid_from": today().isoformat()}  # fmt: skip
    async with service.client(deal.owner) as client:
        for body, field in (
            ({**good, "agent_id": str(deal.owner)}, "agent_id"),
            ({**good, "agent_id": str(uuid.uuid4())}, "agent_id"),
            ({**good, "agent_id": "someone"}, "agent_id"),
            ({**good, "work_id": str(uuid.uuid4())}, "work_id"),
            ({**good, "media": ["RADIO"]}, "media[0]"),
            ({**good, "media": "SYNC"}, "media"),
            ({**good, "valid_from": "2026-02-30"}, "valid_from"),
            ({**good, "valid_until": (today() - timedelta(days=1)).isoformat()}, "valid_until"),
            ({**good, "scope": "all"}, "scope"),
        ):
            answer = await client.post("/mandates", json=body)
            assert answer.status_code in (400, 403, 404), (body, answer.text)
            assert answer.json()["field"] == field, (body, answer.text)
        _refused(await client.post(f"/mandates/{uuid.uuid4()}/revoke"), 404)
        _refused(await client.post("/mandates/nope/revoke"), 400)
    assert await _count(service, MandateRow.id, col(MandateRow.grantor_id) == deal.owner,
                        col(MandateRow.agent_id) == agent) == 0  # fmt: skip


# --- exactly once under races --------------------------------------------------------------


async def test_two_payments_of_one_statement_at_once_pay_it_once(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active(service, deal, territories=["TL"], media=["PRINT"])
    statement = await _statement(service, deal, licence_id)
    path = f"/statements/{statement['id']}/payment"
    body = {"paid_on": today().isoformat(), "reference": "RACE"}
    async with service.client(deal.licensee) as a, service.client(deal.licensee) as b:
        answers = await asyncio.gather(a.post(path, json=body), b.post(path, json=body))
    assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
    assert await _count(service, StatementPaymentRow.statement_id,
                        col(StatementPaymentRow.statement_id) == uuid.UUID(statement["id"])) == 1
    # Racing with one key: one payment, both answered by it.
    statement = await _statement_later(service, deal, licence_id)
    path = f"/statements/{statement['id']}/payment"
    key = {"Idempotency-Key": str(uuid.uuid4())}
    async with service.client(deal.licensee) as a, service.client(deal.licensee) as b:
        keyed = await asyncio.gather(a.post(path, json=body, headers=key),
                                     b.post(path, json=body, headers=key))  # fmt: skip
    assert [r.status_code for r in keyed] == [200, 200], [r.text for r in keyed]
    assert keyed[0].json() == keyed[1].json()


async def _statement_later(service: Service, deal: Deal, licence_id: str) -> dict[str, Any]:
    async with service.client(deal.licensee) as client:
        reported = await client.post(
            f"/licences/{licence_id}/usage-reports",
            json={"period_start": f"{THIS_YEAR}-02-01", "period_end": f"{THIS_YEAR}-02-28",
                  "units": 3, "gross_revenue": "300.00"},
        )  # fmt: skip
    assert reported.status_code == 201, reported.text
    statement: dict[str, Any] = reported.json()["statement"]
    return statement


async def test_two_advance_records_at_once_issue_one_advance(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active(service, deal, territories=["PH"], media=["SYNC"],
                               advance="500.00")  # fmt: skip
    path = f"/licences/{licence_id}/advance-payment"
    async with service.client(deal.licensee) as client:
        for body, field in (
            ({"paid_on": "9999-12-31", "reference": "A"}, "paid_on"),
            ({"paid_on": "0001-01-01", "reference": "A"}, "paid_on"),
            ({"paid_on": today().isoformat(), "reference": ""}, "reference"),
            ({"paid_on": today().isoformat(), "reference": "A", "amount": "500.00"}, "amount"),
        ):
            _refused(await client.post(path, json=body), 400, field)
    async with service.client(deal.licensee) as a, service.client(deal.licensee) as b:
        answers = await asyncio.gather(
            a.post(path, json={"paid_on": today().isoformat(), "reference": "A"}),
            b.post(path, json={"paid_on": today().isoformat(), "reference": "B"}),
        )
    assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
    async with service.client(deal.owner) as client:
        found = await client.get("/statements", params={"licence_ids": licence_id})
    kinds = [s["kind"] for s in found.json()["items"][licence_id]]
    assert kinds == ["ADVANCE"]


async def test_an_amendment_accepted_twice_at_once_applies_once(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active(service, deal, territories=["SG"], media=["MERCHANDISE"])
    async with service.client(deal.licensee) as client:
        proposed = await client.post(f"/licences/{licence_id}/renewals",
                                     json={"end": f"{THIS_YEAR + 1}-12-31"})  # fmt: skip
    assert proposed.status_code == 201, proposed.text
    number = proposed.json()["number"]
    accept = f"/licences/{licence_id}/amendments/{number}/accept"
    async with service.client(deal.owner) as a, service.client(deal.co_owner) as b:
        answers = await asyncio.gather(a.post(accept), b.post(accept))
    assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
    async with service.client(deal.owner) as client:
        history = await client.get("/licence-history", params={"licence_ids": licence_id})
        declined = await client.post(f"/licences/{licence_id}/amendments/{number}/decline")
    rows = history.json()["items"][licence_id]
    # offered, accepted, renewed: one row for the renewal however many accepted it.
    assert rows[-1]["segments"][-1]["end"] == f"{THIS_YEAR + 1}-12-31"
    assert len(rows) == 3, rows
    assert declined.status_code == 409, declined.text


async def test_consents_by_the_wrong_party_or_with_a_bad_reason_change_nothing(
    service: Service, register: Register
) -> None:
    owner, other, licensee = [await register.party(n) for n in ("O", "P", "L")]
    work_id = await known_work(service, register, {owner: "50.00", other: "50.00"})
    deal = Deal(work_id, owner, other, licensee, {})
    async with service.client(owner) as client:
        offered = await client.post("/licences", json=offer_body(deal, territories=["VN"]))
    assert offered.json()["status"] == "AWAITING_OWNERS", offered.text
    lid = offered.json()["id"]
    # The licensee is asked nothing, and accepts only once the owners agreed.
    async with service.client(licensee) as client:
        _refused(await client.post(f"/licences/{lid}/consent"), 403)
        _refused(await client.post(f"/licences/{lid}/accept"), 409)
    async with service.client(owner) as client:
        # The offeror was not asked: it agreed by offering.
        _refused(await client.post(f"/licences/{lid}/consent"), 403)
    async with service.client(other) as client:
        _refused(await client.post(f"/licences/{lid}/refuse", json={"reason": "  "}), 400,
                 "reason")  # fmt: skip
        _refused(await client.post(f"/licences/{lid}/refuse", json={"reason": 5}), 400)
        _refused(await client.post(f"/licences/{lid}/refuse", json={"reason": "x" * 2001}),
                 400, "reason")  # fmt: skip
        _refused(await client.post(f"/licences/{lid}/refuse", json={"reason": "no", "as": "x"}),
                 400, "as")  # fmt: skip
        still = await client.get(f"/licences/{lid}")
    assert still.json()["status"] == "AWAITING_OWNERS"


async def test_huge_amounts_are_refused_naming_their_field_never_a_server_error(
    service: Service, deal: Deal
) -> None:
    huge = "9" * 40
    async with service.client(deal.owner) as owner:
        for field in ("advance", "minimum_guarantee"):
            body = offer_body(deal, territories=["KH"], media=["DOWNLOAD"], **{field: huge})
            answer = await owner.post("/licences", json=body)
            assert answer.status_code == 400 and answer.json()["field"] == field, answer.text
    licence_id = await _active(service, deal, territories=["KH"], media=["DOWNLOAD"])
    async with service.client(deal.licensee) as client:
        answer = await client.post(
            f"/licences/{licence_id}/usage-reports",
            json={"period_start": f"{THIS_YEAR}-01-01", "period_end": f"{THIS_YEAR}-01-31",
                  "units": 1, "gross_revenue": huge},
        )  # fmt: skip
        assert answer.status_code == 400 and answer.json()["field"] == "gross_revenue", answer.text
    async with _partyless(service, "examiner") as examiner:
        day = (today() - timedelta(days=20000 + uuid.uuid4().int % 5000)).isoformat()
        answer = await examiner.post("/exchange-rates", json={
            "base": "USD", "quote": "VND", "rate": "1" + "0" * 13, "source": "audit",
            "effective_on": day})  # fmt: skip
        assert answer.status_code == 400 and answer.json()["field"] == "rate", answer.text


async def test_keyed_amendments_and_advances_retried_answer_the_first_answer(
    service: Service, deal: Deal
) -> None:
    licence_id = await _active(service, deal, territories=["ID"], media=["SYNC"],
                               advance="10.00")  # fmt: skip
    key = {"Idempotency-Key": str(uuid.uuid4())}
    renew = f"/licences/{licence_id}/renewals"
    body = {"end": f"{THIS_YEAR + 2}-12-31"}
    async with service.client(deal.licensee) as client:
        first = await client.post(renew, json=body, headers=key)
        again = await client.post(renew, json=body, headers=key)
        other = await client.post(renew, json={"end": f"{THIS_YEAR + 3}-12-31"}, headers=key)
        advance = f"/licences/{licence_id}/advance-payment"
        pay = {"paid_on": today().isoformat(), "reference": "ADV"}
        paid_key = {"Idempotency-Key": str(uuid.uuid4())}
        paid = await client.post(advance, json=pay, headers=paid_key)
        paid_again = await client.post(advance, json=pay, headers=paid_key)
    assert first.status_code == 201, first.text
    assert (again.json(), again.headers.get("Idempotent-Replayed")) == (first.json(), "true")
    assert _refused(other, 409, "Idempotency-Key") == "IDEMPOTENCY_KEY_REUSED"
    assert paid.status_code == 201 and paid_again.json() == paid.json(), paid_again.text
    accept = f"/licences/{licence_id}/amendments/{first.json()['number']}/accept"
    accept_key = {"Idempotency-Key": str(uuid.uuid4())}
    async with service.client(deal.owner) as client:
        accepted = await client.post(accept, headers=accept_key)
        replayed = await client.post(accept, headers=accept_key)
    assert accepted.status_code == 200, accepted.text
    assert replayed.json() == accepted.json()
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert await _count(service, LicenceVersionRow.number,
                        col(LicenceVersionRow.licence_id) == uuid.UUID(licence_id)) == 2  # fmt: skip
    async with service.client(deal.owner) as client:
        found = await client.get("/statements", params={"licence_ids": licence_id})
    assert [s["kind"] for s in found.json()["items"][licence_id]] == ["ADVANCE"]
