"""The deal timeline merges the five sources in time order; every edge's cursor resumes the
list right after it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from gateway.timeline import merge_timeline


def test_timeline_merges_filing_licence_usage_statements_and_notifications_in_time_order() -> None:
    entries = merge_timeline(
        history=[{"at": "2026-01-01T10:00:00Z", "action": "work.filed", "detail": "filed"},
                 {"at": "2026-01-01T10:00:01Z", "action": "work.registered", "detail": None}],
        licence_events=[{"at": "2026-01-02T09:00:00Z", "type": "licence.offered",
                         "summary": "offered"},
                        {"at": "2026-01-03T09:00:00Z", "type": "licence.activated",
                         "summary": "accepted"}],
        usage_reports=[{"created_at": "2026-02-01T00:00:00Z", "period_start": "2026-01-01",
                        "period_end": "2026-01-31", "units": 7, "gross_revenue": "70.00"}],
        statements=[{"issued_at": "2026-02-01T00:00:00Z", "period_start": "2026-01-01",
                     "period_end": "2026-01-31", "royalty": "7.00", "recouped": "7.00",
                     "payable": "0.00", "currency": "USD"}],
        notifications=[{"created_at": "2026-01-02T09:00:00Z", "event_type": "licence.offered",
                        "message": "You have an offer"}],
        currency="USD",
    )
    assert [(e.source, e.type) for e in entries] == [
        ("filing", "work.filed"),
        ("filing", "work.registered"),
        ("licensing", "licence.offered"),
        ("notifications", "licence.offered"),  # same instant: the cause comes first
        ("licensing", "licence.activated"),
        ("licensing", "usage.reported"),
        ("licensing", "royalty.statement_issued"),
    ]
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert entries[5].summary == "Usage for 2026-01-01 to 2026-01-31: 7 units, gross 70.00 USD"
    assert "payable 0.00 USD" in entries[6].summary


def test_usage_and_statements_appear_once_though_the_licence_log_lists_them_too() -> None:
    entries = merge_timeline(
        history=[],
        licence_events=[
            {"at": "2026-01-02T09:00:00Z", "type": "org.aseanip.licensing.licence.offered.v1",
             "summary": "offered"},
            {"at": "2026-02-01T00:00:00Z", "type": "org.aseanip.licensing.usage.reported.v1",
             "summary": "usage"},
            {"at": "2026-02-01T00:00:00Z",
             "type": "org.aseanip.licensing.royalty.statement_issued.v1", "summary": "paid"},
        ],
        usage_reports=[{"created_at": "2026-02-01T00:00:00Z", "period_start": "2026-01-01",
                        "period_end": "2026-01-31", "units": 7, "gross_revenue": "70.00"}],
        statements=[{"issued_at": "2026-02-01T00:00:00Z", "period_start": "2026-01-01",
                     "period_end": "2026-01-31", "royalty": "7.00", "recouped": "7.00",
                     "payable": "0.00", "currency": "USD"}],
        notifications=[{"created_at": "2026-01-02T09:00:01Z",
                        "event_type": "org.aseanip.licensing.licence.offered.v1",
                        "message": "You have an offer"}],
        currency="USD",
    )
    assert [e.type for e in entries] == [
        "licence.offered", "licence.offered", "usage.reported", "royalty.statement_issued"]
    assert [e.source for e in entries] == ["licensing", "notifications", "licensing",
                                           "licensing"]


def test_a_held_statement_and_its_release_say_so_once_each() -> None:
    common = {"period_start": "2026-01-01", "period_end": "2026-01-31", "currency": "USD",
              "royalty": "0", "recouped": "0"}
    entries = merge_timeline(
        history=[], usage_reports=[], notifications=[], currency="USD",
        licence_events=[{"at": "2026-03-01T00:00:00Z",
                         "type": "org.aseanip.licensing.royalty.statement_released.v1",
                         "summary": "released from suspense"}],
        statements=[
            {**common, "issued_at": "2026-02-01T00:00:00Z", "kind": "ROYALTY", "held": True,
             "royalty": "5.00", "payable": "5.00"},
            {**common, "issued_at": "2026-03-01T00:00:00Z", "kind": "RELEASE", "held": False,
             "payable": "5.00"},
        ],
    )  # fmt: skip
    assert [(e.type, e.summary) for e in entries] == [
        ("royalty.statement_issued", "Statement for 2026-01-01 to 2026-01-31: royalty 5.00, "
         "recouped 0, payable 5.00 USD (held in suspense while the work is disputed)"),
        ("royalty.statement_released",
         "Released from suspense for 2026-01-01 to 2026-01-31: payable 5.00 USD"),
    ]


async def test_every_edge_cursor_resumes_right_after_its_edge(
    gateway: Any, fake: Any, token: Callable[..., str]
) -> None:
    holder = fake.add_party()
    titles = [f"Song {i:03d}" for i in range(130)]
    for title in titles:
        fake.add_work([(holder, "100.00")], title=title)
    me = token(str(uuid.uuid4()))
    query = """query ($f: Int!, $a: String) { works(first: $f, after: $a) {
                 totalCount totalIsExact pageInfo { hasNextPage endCursor }
                 edges { cursor node { title } } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = (await gateway.data(query, {"f": 40, "a": after}, me))["works"]
        seen += [e["node"]["title"] for e in page["edges"]]
        assert page["totalCount"] == 130
        assert page["totalIsExact"] is False  # beyond the (fake) service's exact bound
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == titles

    first = (await gateway.data(query, {"f": 100, "a": None}, me))["works"]
    middle = first["edges"][57]["cursor"]
    resumed = (await gateway.data(query, {"f": 100, "a": middle}, me))["works"]
    assert [e["node"]["title"] for e in resumed["edges"]] == titles[58:]
    last_of_page = first["edges"][99]["cursor"]
    tail = (await gateway.data(query, {"f": 10, "a": last_of_page}, me))["works"]
    assert [e["node"]["title"] for e in tail["edges"]] == titles[100:110]


async def test_the_register_search_filters_by_country_and_says_when_its_total_is_exact(
    gateway: Any, fake: Any, token: Callable[..., str]
) -> None:
    holder = fake.add_party()
    for country in ("TH", "TH", "LA"):
        fake.add_work([(holder, "100.00")], country_of_origin=country)
    query = """query ($c: String) { works(filter: {country: $c}) {
                 totalCount totalIsExact edges { node { countryOfOrigin } } } }"""
    found = (await gateway.data(query, {"c": "TH"}, token(str(uuid.uuid4()))))["works"]
    assert (found["totalCount"], found["totalIsExact"]) == (2, True)
    assert {e["node"]["countryOfOrigin"] for e in found["edges"]} == {"TH"}
