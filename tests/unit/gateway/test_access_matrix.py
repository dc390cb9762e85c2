"""DOMAIN.md "Access", role by role and object by object (OWASP API1/API5).

The fake services here answer every read in full (`leaky_reads`), so these tests prove the
gateway's own checks: no object of another party leaks through any field.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

READERS = ["owner", "co_owner", "licensee", "stranger", "examiner", "society", "operator"]
SEES_LICENCE = {"owner", "co_owner", "licensee", "examiner", "society"}


@dataclass
class World:
    fake: Any
    tokens: dict[str, str]
    parties: dict[str, str]
    work: str
    licence: str  # ACTIVE, exclusive, with usage and a statement
    offer: str  # OFFERED to the licensee
    notes: dict[str, str]  # reader -> id of a notification of theirs about `licence`
    other_licence: str  # on another work, between other parties


def build(make_fake: Callable[..., Any], token: Callable[..., str], leaky: bool = True) -> World:
    fake = make_fake(leaky_reads=leaky)
    parties = {name: fake.add_party(name) for name in ("owner", "co_owner", "licensee",
                                                        "stranger", "third")}
    for name in ("examiner", "society", "operator"):
        parties[name] = str(uuid.uuid4())
    tokens = {name: token(pid, "party" if name in ("owner", "co_owner", "licensee", "stranger",
                                                   "third") else name)
              for name, pid in parties.items()}
    work = fake.add_work([(parties["owner"], "70.00"), (parties["co_owner"], "30.00")])
    licence = fake.add_licence(work, parties["owner"], parties["licensee"], "ACTIVE",
                               exclusive=True)
    fake.reports[licence] = [{"id": str(uuid.uuid4()), "licence_id": licence,
                              "period_start": "2026-01-01", "period_end": "2026-01-31",
                              "units": 10, "gross_revenue": "100.00",
                              "created_at": "2026-02-01T00:00:00Z"}]
    fake.statements[licence] = [{
        "id": str(uuid.uuid4()), "licence_id": licence, "work_id": work,
        "report_id": fake.reports[licence][0]["id"], "period_start": "2026-01-01",
        "period_end": "2026-01-31", "gross": "100.00", "royalty": "10.00",
        "recouped": "10.00", "payable": "0.00", "currency": "USD",
        "lines": [{"party_id": parties["owner"], "share": "70.00", "amount": "0.00"},
                  {"party_id": parties["co_owner"], "share": "30.00", "amount": "0.00"}],
        "issued_at": "2026-02-01T00:00:01Z"}]
    offer = fake.add_licence(work, parties["owner"], parties["licensee"], "OFFERED")
    notes = {name: fake.add_notification(parties[name], licence)
             for name in ("owner", "licensee", "co_owner")}
    other_work = fake.add_work([(parties["stranger"], "100.00")])
    other_licence = fake.add_licence(other_work, parties["stranger"], parties["third"], "ACTIVE")
    return World(fake, tokens, parties, work, licence, offer, notes, other_licence)


# `ask(query, variables, reader)`: the query's data, asked with that reader's token.
Ask = Callable[[str, dict[str, Any] | None, str], Awaitable[dict[str, Any]]]


@pytest.fixture
def world(make_fake: Callable[..., Any], token: Callable[..., str]) -> World:
    return build(make_fake, token)


@pytest.fixture
def fake(world: World) -> Any:
    """The `gateway` fixture serves this module's world."""
    return world.fake


@pytest.fixture
def ask(world: World, gateway: Any) -> Ask:
    async def as_reader(query: str, variables: dict[str, Any] | None, reader: str) -> Any:
        return await gateway.data(query, variables, world.tokens[reader])

    return as_reader


@pytest.mark.parametrize("reader", READERS)
async def test_everyone_authenticated_reads_the_public_register(
    reader: str, world: World, ask: Ask
) -> None:
    data = await ask(
        """query ($w: ID!, $p: ID!) {
             work(id: $w) { id status rightsHolders { share party { name } }
                            history { action } }
             party(id: $p) { name works { totalCount } }
             works { totalCount } }""",
        {"w": world.work, "p": world.parties["owner"]}, reader)
    assert data["work"]["id"] == world.work
    assert len(data["work"]["rightsHolders"]) == 2
    assert data["party"]["works"]["totalCount"] == 1


@pytest.mark.parametrize("reader", READERS)
async def test_licence_and_its_usage_and_statements_are_visible_only_by_access_rule(
    reader: str, world: World, ask: Ask
) -> None:
    allowed = reader in SEES_LICENCE
    data = await ask(
        """query ($l: ID!, $w: ID!) {
             licence(id: $l) { id usageReports { units } statements { payable } }
             work(id: $w) {
               licences { id }
               availability(territories: ["TH"], media: [STREAMING], start: "2026-03-01") {
                 available conflicts { licence { id licensee { name } } } } }
             licences { totalCount edges { node { id } } } }""",
        {"l": world.licence, "w": world.work}, reader)
    listed = {e["node"]["id"] for e in data["licences"]["edges"]}
    by_work = {x["id"] for x in data["work"]["licences"]}
    conflicts = data["work"]["availability"]["conflicts"]
    # The exclusive active licence makes the work unavailable for everyone...
    assert data["work"]["availability"]["available"] is False
    # ...but only those who may see that licence learn which one it is, and with whom.
    if allowed:
        assert data["licence"]["id"] == world.licence
        assert data["licence"]["usageReports"] == [{"units": 10}]
        assert data["licence"]["statements"] == [{"payable": "0.00"}]
        assert world.licence in listed and world.licence in by_work
        assert [c["licence"]["id"] for c in conflicts] == [world.licence]
    else:
        assert data["licence"] is None
        assert world.licence not in listed and world.licence not in by_work
        assert conflicts == []
    # Nobody outside that deal sees the other work's licence (the stranger owns that work),
    # whatever the service answered.
    if reader not in ("examiner", "society", "stranger"):
        assert world.other_licence not in listed


@pytest.mark.parametrize("reader", READERS)
async def test_a_notification_is_visible_to_its_recipient_only(
    reader: str, world: World, ask: Ask
) -> None:
    data = await ask("{ notifications { edges { node { id } } } }", None, reader)
    seen = {e["node"]["id"] for e in data["notifications"]["edges"]}
    assert seen == ({world.notes[reader]} if reader in world.notes else set())
    if reader in SEES_LICENCE:
        timeline = await ask(
            "query ($l: ID!) { licence(id: $l) { timeline { source type summary } } }",
            {"l": world.licence}, reader)
        from_inbox = [t for t in timeline["licence"]["timeline"]
                      if t["source"] == "notifications"]
        assert len(from_inbox) == (1 if reader in world.notes else 0)


@pytest.mark.parametrize("reader", READERS)
async def test_only_examiners_decide_reviews_and_resolve_disputes(
    reader: str, world: World, ask: Ask
) -> None:
    world.fake.works[world.work]["status"] = "UNDER_REVIEW"
    review = await ask(
        """mutation ($w: ID!) { decideReview(workId: $w, decision: REGISTER, reason: "ok") {
             work { status } errors { code } } }""", {"w": world.work}, reader)
    world.fake.works[world.work]["status"] = "DISPUTED"
    resolve = await ask(
        """mutation ($w: ID!) { resolveDispute(input: {workId: $w, keepOwners: true,
             reason: "ok"}) { work { status } errors { code } } }""",
        {"w": world.work}, reader)
    if reader == "examiner":
        assert review["decideReview"] == {"work": {"status": "REGISTERED"}, "errors": []}
        assert resolve["resolveDispute"] == {"work": {"status": "REGISTERED"}, "errors": []}
    else:
        assert review["decideReview"] == {"work": None, "errors": [{"code": "FORBIDDEN"}]}
        assert resolve["resolveDispute"] == {"work": None, "errors": [{"code": "FORBIDDEN"}]}


# What each role gets from each licence command: None = it works; else the error code.
LICENCE_COMMANDS: dict[str, dict[str, str | None]] = {
    "acceptLicence": {"licensee": None, "owner": "FORBIDDEN", "co_owner": "FORBIDDEN",
                      "examiner": "FORBIDDEN", "society": "FORBIDDEN",
                      "stranger": "NOT_FOUND", "operator": "NOT_FOUND"},
    "declineLicence": {"licensee": None, "owner": "FORBIDDEN", "co_owner": "FORBIDDEN",
                       "examiner": "FORBIDDEN", "society": "FORBIDDEN",
                       "stranger": "NOT_FOUND", "operator": "NOT_FOUND"},
    "withdrawLicence": {"owner": None, "co_owner": "FORBIDDEN", "licensee": "FORBIDDEN",
                        "examiner": "FORBIDDEN", "society": "FORBIDDEN",
                        "stranger": "NOT_FOUND", "operator": "NOT_FOUND"},
}


@pytest.mark.parametrize("command", sorted(LICENCE_COMMANDS))
@pytest.mark.parametrize("reader", READERS)
async def test_licence_commands_follow_the_lifecycle_roles(
    command: str, reader: str, world: World, ask: Ask
) -> None:
    expected = LICENCE_COMMANDS[command][reader]
    data = await ask(
        f"mutation ($l: ID!) {{ {command}(licenceId: $l) {{ licence {{ id status }} "
        "errors { code field } } }",
        {"l": world.offer}, reader)
    payload = data[command]
    if expected is None:
        assert payload["errors"] == [] and payload["licence"]["id"] == world.offer
    else:
        assert payload["licence"] is None
        assert [e["code"] for e in payload["errors"]] == [expected]


@pytest.mark.parametrize("reader", READERS)
async def test_only_the_licensee_reports_usage_and_only_parties_to_the_deal_terminate(
    reader: str, world: World, ask: Ask
) -> None:
    usage = await ask(
        """mutation ($l: ID!) { reportUsage(input: {licenceId: $l, periodStart: "2026-02-01",
             periodEnd: "2026-02-28", units: 5, grossRevenue: "50.00"}) {
             report { units } statement { royalty } errors { code } } }""",
        {"l": world.licence}, reader)
    terminate = await ask(
        """mutation ($l: ID!) { terminateLicence(licenceId: $l, reason: "done") {
             licence { status } errors { code } } }""",
        {"l": world.licence}, reader)
    report = usage["reportUsage"]
    if reader == "licensee":
        assert report["errors"] == [] and report["statement"]["royalty"] == "5.00"
    else:
        assert report["report"] is None
        # A party to the deal is told it may not; anyone else learns nothing (not found).
        expected = {"NOT_LICENSEE"} if reader in SEES_LICENCE else {"NOT_FOUND"}
        assert {e["code"] for e in report["errors"]} == expected
    done = terminate["terminateLicence"]
    if reader in ("owner", "co_owner", "licensee"):
        assert done == {"licence": {"status": "TERMINATED"}, "errors": []}
    else:
        assert done["licence"] is None
        assert done["errors"][0]["code"] == ("FORBIDDEN" if reader in SEES_LICENCE
                                             else "NOT_FOUND")


@pytest.mark.parametrize("reader", READERS)
async def test_nobody_marks_another_partys_notifications_read(
    reader: str, world: World, ask: Ask
) -> None:
    data = await ask("mutation ($ids: [ID!]!) { markNotificationsRead(ids: $ids) }",
                         {"ids": list(world.notes.values())}, reader)
    assert data["markNotificationsRead"] == (1 if reader in world.notes else 0)


async def test_a_strangers_id_and_an_unknown_id_are_answered_alike(
    world: World, ask: Ask
) -> None:
    """No way to tell an existing licence of someone else from a licence that does not exist."""
    query = """mutation ($l: ID!) { acceptLicence(licenceId: $l) { errors { code message
                 field } } }"""
    theirs = await ask(query, {"l": world.offer}, "stranger")
    unknown = await ask(query, {"l": str(uuid.uuid4())}, "stranger")
    strip = [{k: v for k, v in e.items() if k != "message"}
             for e in theirs["acceptLicence"]["errors"]]
    assert strip == [{k: v for k, v in e.items() if k != "message"}
                     for e in unknown["acceptLicence"]["errors"]]
    assert strip == [{"code": "NOT_FOUND", "field": "licenceId"}]


async def test_the_same_rules_hold_when_the_services_filter_too(
    make_fake: Callable[..., Any], token: Callable[..., str], open_gateway: Callable[..., Any]
) -> None:
    honest = build(make_fake, token, leaky=False)
    async with open_gateway(honest.fake) as gw:
        for reader in READERS:
            data = await gw.data("query ($l: ID!) { licence(id: $l) { id } }",
                                 {"l": honest.licence}, honest.tokens[reader])
            assert (data["licence"] is not None) == (reader in SEES_LICENCE), reader


@pytest.mark.parametrize("reader", READERS)
async def test_only_owners_offer_licences_and_transfer_shares_and_anyone_may_dispute(
    reader: str, world: World, ask: Ask
) -> None:
    owner = reader in ("owner", "co_owner")
    offer = await ask(
        """mutation ($w: ID!, $l: ID!) { offerLicence(input: {workId: $w, licenseeId: $l,
             territories: ["SG"], media: [PRINT], exclusive: false, start: "2026-05-01",
             royaltyRate: "5.00", currency: "SGD"}) { licence { id } errors { code } } }""",
        {"w": world.work, "l": world.parties["licensee"]}, reader)
    transfer = await ask(
        """mutation ($w: ID!, $to: ID!) { transferShare(input: {workId: $w, toPartyId: $to,
             share: "10.00"}) { work { id } errors { code } } }""",
        {"w": world.work, "to": world.parties["third"]}, reader)
    dispute = await ask(
        """mutation ($w: ID!) { disputeWork(workId: $w, reason: "mine",
             claimedRole: COMPOSER, claimedShare: "10.00") {
             work { status } errors { code } } }""", {"w": world.work}, reader)
    for payload in (offer["offerLicence"], transfer["transferShare"]):
        assert [e["code"] for e in payload["errors"]] == ([] if owner else ["NOT_OWNER"])
    assert dispute["disputeWork"] == {"work": {"status": "DISPUTED"}, "errors": []}


@pytest.mark.parametrize("reader", READERS)
async def test_only_operators_name_collecting_societies(
    reader: str, world: World, ask: Ask
) -> None:
    data = await ask(
        """mutation ($p: ID!) { setCollectingSociety(partyId: $p, subscribed: true) {
             party { id } subscribed errors { code } } }""",
        {"p": world.parties["third"]}, reader)
    payload = data["setCollectingSociety"]
    if reader == "operator":
        assert payload == {"party": {"id": world.parties["third"]}, "subscribed": True,
                           "errors": []}
        assert world.fake.societies == {world.parties["third"]}
    else:
        assert payload == {"party": None, "subscribed": None, "errors": [{"code": "FORBIDDEN"}]}


@pytest.mark.parametrize("leaky", [True, False])
async def test_a_former_licensor_still_sees_the_licence_it_granted_and_a_former_owner_does_not(
    leaky: bool, make_fake: Callable[..., Any], token: Callable[..., str],
    open_gateway: Callable[..., Any],
) -> None:
    """DOMAIN.md Access: the licensor is a side of the contract, owner or not; a former owner
    that did not grant it loses sight of it with its share."""
    world = build(make_fake, token, leaky=leaky)
    # The owner (the licensor) and the third party sold out to the co-owner.
    world.fake.works[world.work]["rights_holders"] = [
        {"party_id": world.parties["co_owner"], "role": "COMPOSER", "share": "100.00"}]
    async with open_gateway(world.fake) as gw:
        seen = {}
        for reader in ("owner", "co_owner", "licensee", "stranger"):
            data = await gw.data("query ($l: ID!) { licence(id: $l) { id licensor { id } } }",
                                 {"l": world.licence}, world.tokens[reader])
            seen[reader] = data["licence"] is not None
    assert seen == {"owner": True, "co_owner": True, "licensee": True, "stranger": False}


PAGE = """query {
  works { edges { node { id ...deals
    active: licences(status: ACTIVE) { id statements { payable } } } } } }
fragment deals on Work { licences { id usageReports { units } statements { payable }
                                    licensee { name } work { id } } }"""


@pytest.mark.parametrize("reader", READERS)
async def test_a_page_of_works_shows_each_reader_the_licences_the_rule_allows(
    reader: str, world: World, ask: Ask
) -> None:
    # The page prefetches its licences and their statements, and its nested fields answer
    # from what was prefetched: the same rule holds there, per licence and per reader.
    nodes = {e["node"]["id"]: e["node"] for e in (await ask(PAGE, None, reader))["works"]["edges"]}
    deal, other = nodes[world.work], nodes[world.fake.licences[world.other_licence]["work_id"]]
    if reader in SEES_LICENCE:
        assert {x["id"] for x in deal["licences"]} == {world.licence, world.offer}
        seen = next(x for x in deal["licences"] if x["id"] == world.licence)
        assert seen["usageReports"] == [{"units": 10}]
        assert seen["statements"] == [{"payable": "0.00"}]
        assert seen["licensee"] == {"name": "licensee"} and seen["work"] == {"id": world.work}
        assert deal["active"] == [{"id": world.licence, "statements": [{"payable": "0.00"}]}]
    else:
        assert deal["licences"] == [] and deal["active"] == []
    sees_other = reader in ("stranger", "examiner", "society")
    assert [x["id"] for x in other["licences"]] == ([world.other_licence] if sees_other else [])
