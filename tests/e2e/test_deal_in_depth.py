"""A deal in depth, as its parties meet it (issue 20): a work co-owned 60/40 licensed
exclusively with an advance and a minimum guarantee, which waits for the co-owner's consent;
the advance paid and split; royalties recouping it; an amendment changing the rate and the
territories from a date, seen by availability as of a date and as known at a time; a dispute
holding a statement in suspense and its resolution releasing it to the owners it names; the
licensee paying; the termination truing the guarantee up. After every step each payee's
ledger (`myBalances`) is checked against an account the test keeps itself from the statements
and payments it saw, to the cent (DOMAIN.md, "Statements and the ledger").
Driven only through GraphQL, against the platform started as `make run` starts it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import pytest
from devstack.polling import eventually

from tests.co_owners import confirm_over_graphql

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

CENT = Decimal("0.01")
ERRORS = "errors { code message field }"
STATEMENT = """id kind held payable royalty recouped periodStart periodEnd releasedBy releases
  lines { party { id } share amount held } payment { status paidOn reference amount }"""

FILE = f"""mutation ($i: FileWorkInput!) {{ fileWork(input: $i) {{
  work {{ id status registrationNumber }} {ERRORS} }} }}"""
OFFER = f"""mutation ($i: OfferLicenceInput!) {{ offerLicence(input: $i) {{
  licence {{ id status terms {{ advance minimumGuarantee royaltyRate }}
    ownerConsents {{ party {{ id }} share status }} }} {ERRORS} }} }}"""
CONSENT = f"""mutation ($l: ID!) {{ consentToLicence(licenceId: $l) {{
  licence {{ status ownerConsents {{ party {{ id }} status }} }} {ERRORS} }} }}"""
ACCEPT = f"""mutation ($l: ID!) {{ acceptLicence(licenceId: $l) {{
  licence {{ status }} {ERRORS} }} }}"""
ADVANCE = f"""mutation ($l: ID!, $d: Date!, $r: String!) {{
  recordAdvancePayment(licenceId: $l, paidOn: $d, reference: $r) {{
    statement {{ {STATEMENT} advancePayment {{ paidOn reference }} }} {ERRORS} }} }}"""
USAGE = f"""mutation ($i: ReportUsageInput!) {{ reportUsage(input: $i) {{
  statement {{ {STATEMENT} }} {ERRORS} }} }}"""
PROPOSE = f"""mutation ($i: ProposeAmendmentInput!) {{ proposeAmendment(input: $i) {{
  version {{ number kind state side effectiveFrom royaltyRate territories }} {ERRORS} }} }}"""
ACCEPT_AMENDMENT = f"""mutation ($l: ID!, $v: Int!) {{ acceptAmendment(licenceId: $l, version: $v) {{
  licence {{ status terms {{ territories royaltyRate }} }} {ERRORS} }} }}"""
AVAILABILITY = """query ($w: ID!, $t: [String!]!, $s: Date!, $e: Date, $asOf: Date,
                        $knownAt: DateTime) {
  work(id: $w) { availability(territories: $t, media: [STREAMING], start: $s, end: $e,
                              exclusive: true, asOf: $asOf, knownAt: $knownAt) {
    available conflicts { licence { id } territories } } } }"""
DISPUTE = f"""mutation ($w: ID!) {{ disputeWork(workId: $w, reason: "I wrote the melody",
  claimedRole: COMPOSER, claimedShare: "25.00") {{ work {{ status }} {ERRORS} }} }}"""
SUSPENSE = """query ($w: ID!) { work(id: $w) {
  suspense { holding amounts { currency amount } } } }"""
RESOLVE = f"""mutation ($i: ResolveDisputeInput!) {{ resolveDispute(input: $i) {{
  work {{ status }} {ERRORS} }} }}"""
STATEMENTS = f"""query ($l: ID!) {{ licence(id: $l) {{ status statements {{ {STATEMENT} }} }} }}"""
PAY = f"""mutation ($i: RecordStatementPaymentInput!) {{ recordStatementPayment(input: $i) {{
  statement {{ id payment {{ status paidOn reference amount }} }} {ERRORS} }} }}"""
TERMINATE = f"""mutation ($l: ID!) {{ terminateLicence(licenceId: $l, reason: "service closes") {{
  licence {{ status }} {ERRORS} }} }}"""
BALANCES = """query { myBalances {
  currency opening earnings advances trueUps releases holds payments closing } }"""

HEADINGS = ("earnings", "advances", "trueUps", "releases", "holds", "payments")
HEADING_OF_KIND = {
    "ROYALTY": "earnings",
    "ADVANCE": "advances",
    "TRUE_UP": "trueUps",
    "RELEASE": "releases",
}


def split(amount: str, shares: dict[str, str]) -> dict[str, str]:
    """The oracle of a statement's lines: each share of `amount` floored to the cent, the
    cents left over to the largest remainders (DOMAIN.md, "Usage and royalties")."""
    total = Decimal(amount)
    exact = {p: total * Decimal(s) / 100 for p, s in shares.items()}
    floors = {p: v.quantize(CENT, ROUND_FLOOR) for p, v in exact.items()}
    spare = int((total - sum(floors.values())) / CENT)
    for party in sorted(exact, key=lambda p: exact[p] - floors[p], reverse=True)[:spare]:
        floors[party] += CENT
    return {p: str(v) for p, v in floors.items()}


@dataclass
class Books:
    """Each payee's account in the deal's currency, kept from what the test saw."""

    currency: str
    moves: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def _add(self, party: str, heading: str, amount: str) -> None:
        account = self.moves.setdefault(party, defaultdict(Decimal))
        account[heading] += Decimal(amount)

    def issued(self, statement: dict[str, Any]) -> None:
        for line in statement["lines"]:
            party = line["party"]["id"]
            self._add(party, HEADING_OF_KIND[statement["kind"]], line["amount"])
            if line["held"]:
                self._add(party, "holds", line["amount"])

    def paid(self, statement: dict[str, Any]) -> None:
        for line in statement["lines"]:
            if not line["held"]:
                self._add(line["party"]["id"], "payments", line["amount"])

    def ledger(self, party: str) -> list[dict[str, str]]:
        if party not in self.moves:
            return []
        account = self.moves[party]
        closing = sum(account[h] for h in HEADINGS[:4]) - account["holds"] - account["payments"]
        figures = {h: account[h] for h in HEADINGS} | {"opening": Decimal(0), "closing": closing}
        return [{"currency": self.currency} | {k: str(v.quantize(CENT)) for k, v in figures.items()}]


def lines(statement: dict[str, Any]) -> dict[str, str]:
    return {line["party"]["id"]: line["amount"] for line in statement["lines"]}


async def mutate(
    platform: Any, query: str, variables: dict[str, Any], token: str, name: str
) -> dict[str, Any]:
    payload: dict[str, Any] = (await platform.gql(query, variables, token))[name]
    assert payload["errors"] == [], payload["errors"]
    return payload


async def file_registered(
    platform: Any, filer: Any, co_owners: list[Any], holders: list[dict[str, str]], title: str
) -> dict[str, Any]:
    """The filer files a work naming its co-owners; it waits for their consent (DOMAIN.md,
    "Co-owners' consent to a filing"), each confirms, and it is registered."""
    work = (
        await mutate(
            platform,
            FILE,
            {"i": {"title": title, "kind": "MUSICAL_WORK", "countryOfOrigin": "TH",
                   "rightsHolders": holders}},
            filer.token,
            "fileWork",
        )
    )["work"]  # fmt: skip
    assert (work["status"], work["registrationNumber"]) == ("AWAITING_CONSENT", None), work
    work = await confirm_over_graphql(platform.gql, work["id"], [c.token for c in co_owners])
    assert work["status"] == "REGISTERED" and work["registrationNumber"].startswith("R-"), work
    return work


async def test_a_deal_in_depth(platform: Any) -> None:
    suda = await platform.sign_up("Suda Chaiyaporn", "TH")
    minh = await platform.sign_up("Trần Văn Minh", "VN")
    label = await platform.sign_up("Chao Phraya Streaming", "TH", kind="ORGANIZATION")
    claimant = await platform.sign_up("Niran Claimant", "TH")
    examiner = platform.token(str(uuid.uuid4()), "examiner")
    payees = {"Suda": suda, "Minh": minh, "the claimant": claimant}
    books = Books("THB")

    async def balances_agree(step: str) -> None:
        for who, person in payees.items():
            found = (await platform.gql(BALANCES, {}, person.token))["myBalances"]
            for ledger in found:
                figures = {k: Decimal(v) for k, v in ledger.items() if k != "currency"}
                assert figures["closing"] == (
                    figures["opening"] + figures["earnings"] + figures["advances"]
                    + figures["trueUps"] + figures["releases"] - figures["holds"]
                    - figures["payments"]
                ), (step, who, ledger)  # fmt: skip
            assert found == books.ledger(person.party_id), (step, who)

    async def ok(query: str, variables: dict[str, Any], token: str, name: str) -> dict[str, Any]:
        return await mutate(platform, query, variables, token, name)

    # File: Suda 60, Minh 40; Minh confirms, and it is registered.
    work = await file_registered(
        platform,
        suda,
        [minh],
        [{"partyId": suda.party_id, "role": "COMPOSER", "share": "60.00"},
         {"partyId": minh.party_id, "role": "LYRICIST", "share": "40.00"}],
        f"Fireflies over the Chao Phraya {uuid.uuid4().hex[:6]}",
    )  # fmt: skip
    work_id = work["id"]
    await balances_agree("registered")

    # Exclusive offer, advance 1,000.00 and guarantee 5,000.00, a licence that began four
    # months ago and runs eight more: it waits for Minh, who holds 40 of the rights it uses.
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=120), today + timedelta(days=240)
    offered = (
        await ok(OFFER, {"i": {
            "workId": work_id, "licenseeId": label.party_id, "territories": ["TH"],
            "media": ["STREAMING"], "exclusive": True, "start": start.isoformat(),
            "end": end.isoformat(), "royaltyRate": "10.00", "advance": "1000.00",
            "minimumGuarantee": "5000.00", "currency": "THB"}}, suda.token, "offerLicence")
    )["licence"]  # fmt: skip
    licence_id = offered["id"]
    assert offered["status"] == "AWAITING_OWNERS"
    assert offered["terms"] == {
        "advance": "1000.00", "minimumGuarantee": "5000.00", "royaltyRate": "10.00"}
    assert sorted((c["party"]["id"], c["share"], c["status"]) for c in offered["ownerConsents"]) == (
        sorted([(suda.party_id, "60.00", "OFFEROR"), (minh.party_id, "40.00", "PENDING")]))
    early = (await platform.gql(ACCEPT, {"l": licence_id}, label.token))["acceptLicence"]
    assert early["licence"] is None and early["errors"][0]["code"] == "ILLEGAL_TRANSITION", early
    consented = (await ok(CONSENT, {"l": licence_id}, minh.token, "consentToLicence"))["licence"]
    assert consented["status"] == "OFFERED"
    assert {c["party"]["id"]: c["status"] for c in consented["ownerConsents"]} == {
        suda.party_id: "OFFEROR", minh.party_id: "CONSENTED"}
    accepted = (await ok(ACCEPT, {"l": licence_id}, label.token, "acceptLicence"))["licence"]
    assert accepted["status"] == "ACTIVE"
    await balances_agree("accepted")

    # The advance paid: an ADVANCE statement split 60/40, paid as it is issued.
    advance = (
        await ok(ADVANCE, {"l": licence_id, "d": today.isoformat(), "r": "CPS-ADV-1"},
                 label.token, "recordAdvancePayment")
    )["statement"]  # fmt: skip
    assert (advance["kind"], advance["payable"], advance["held"]) == ("ADVANCE", "1000.00", False)
    assert lines(advance) == {suda.party_id: "600.00", minh.party_id: "400.00"}
    assert advance["advancePayment"] == {"paidOn": today.isoformat(), "reference": "CPS-ADV-1"}
    assert advance["payment"] == {
        "status": "PAID", "paidOn": today.isoformat(), "reference": "CPS-ADV-1",
        "amount": "1000.00"}  # fmt: skip
    books.issued(advance)
    books.paid(advance)
    await balances_agree("advance paid")

    # First quarter's usage: 10 % of 12,000.10 = 1,200.01; the advance recouped first, 200.01
    # payable, 120.006 and 80.004: 120.01 and 80.00.
    shares = {suda.party_id: "60.00", minh.party_id: "40.00"}

    async def report(first: date, last: date, gross: str) -> dict[str, Any]:
        statement: dict[str, Any] = (
            await ok(USAGE, {"i": {
                "licenceId": licence_id, "periodStart": first.isoformat(),
                "periodEnd": last.isoformat(), "units": 1000, "grossRevenue": gross}},
                label.token, "reportUsage")
        )["statement"]  # fmt: skip
        assert statement["kind"] == "ROYALTY"
        books.issued(statement)
        return statement

    first = await report(start, start + timedelta(days=29), "12000.10")
    assert (first["royalty"], first["recouped"], first["payable"]) == (
        "1200.01", "1000.00", "200.01")
    assert lines(first) == split("200.01", shares) == {
        suda.party_id: "120.01", minh.party_id: "80.00"}
    assert first["payment"]["status"] == "UNPAID"
    await balances_agree("first royalty")

    # An amendment proposed by the licensee: from two months ago, 12 % and Vietnam added;
    # accepted by the licensor.
    effective = today - timedelta(days=60)
    before_amendment = datetime.now(UTC)
    proposed = (
        await ok(PROPOSE, {"i": {
            "licenceId": licence_id, "effectiveFrom": effective.isoformat(),
            "end": end.isoformat(), "territories": ["TH", "VN"], "media": ["STREAMING"],
            "exclusive": True, "royaltyRate": "12.00"}}, label.token, "proposeAmendment")
    )["version"]  # fmt: skip
    assert proposed == {
        "number": 2, "kind": "AMENDMENT", "state": "PENDING", "side": "LICENSEE",
        "effectiveFrom": effective.isoformat(), "royaltyRate": "12.00",
        "territories": ["TH", "VN"]}  # fmt: skip
    amended = (
        await ok(ACCEPT_AMENDMENT, {"l": licence_id, "v": 2}, suda.token, "acceptAmendment")
    )["licence"]
    assert amended == {"status": "ACTIVE", "terms": {"territories": ["TH", "VN"],
                                                     "royaltyRate": "12.00"}}  # fmt: skip

    async def vietnam(first: date, last: date | None = None, **when: str) -> dict[str, Any]:
        variables = {"w": work_id, "t": ["VN"], "s": first.isoformat(),
                     "e": last.isoformat() if last else None, **when}  # fmt: skip
        found = await platform.gql(AVAILABILITY, variables, label.token)
        return dict(found["work"]["availability"])

    later = effective + timedelta(days=10)
    taken = await vietnam(later)
    assert taken["available"] is False
    assert [(c["licence"]["id"], c["territories"]) for c in taken["conflicts"]] == [
        (licence_id, ["VN"])]
    # In valid time, Vietnam is licensed only from the amendment's date.
    assert (await vietnam(start, effective - timedelta(days=1)))["available"] is True
    # In recorded time, before the amendment the register knew of no Vietnamese licence...
    assert (await vietnam(later, knownAt=before_amendment.isoformat()))["available"] is True
    assert (
        await vietnam(later, asOf=start.isoformat(), knownAt=before_amendment.isoformat())
    )["available"] is True
    # ... and as known now, the licence in force on its first day holds Vietnam later on.
    assert (await vietnam(later, asOf=start.isoformat()))["available"] is False
    await balances_agree("amended")

    # A report after the amendment is stated at the new rate: 12 % of 5,000.00 = 600.00, all
    # payable (the advance is recouped), 360.00 and 240.00.
    second = await report(effective, effective + timedelta(days=29), "5000.00")
    assert (second["royalty"], second["recouped"], second["payable"]) == (
        "600.00", "0.00", "600.00")
    assert lines(second) == split("600.00", shares) == {
        suda.party_id: "360.00", minh.party_id: "240.00"}
    await balances_agree("second royalty")

    # A dispute: once licensing hears of it, statements are held in suspense.
    disputed = (await ok(DISPUTE, {"w": work_id}, claimant.token, "disputeWork"))["work"]
    assert disputed["status"] == "DISPUTED"

    async def holding() -> bool:
        found = await platform.gql(SUSPENSE, {"w": work_id}, suda.token)
        return bool(found["work"]["suspense"]["holding"])

    await eventually(holding, timeout=60, what="licensing to hold the disputed work's money")
    # 12 % of 1,000.50 = 120.06: 72.036 and 48.024, so 72.04 and 48.02, every line held.
    held = await report(today - timedelta(days=30), today - timedelta(days=21), "1000.50")
    assert (held["royalty"], held["recouped"], held["payable"], held["held"]) == (
        "120.06", "0.00", "120.06", True)
    assert lines(held) == split("120.06", shares) == {
        suda.party_id: "72.04", minh.party_id: "48.02"}
    assert all(line["held"] for line in held["lines"])
    suspense = (await platform.gql(SUSPENSE, {"w": work_id}, suda.token))["work"]["suspense"]
    assert suspense == {"holding": True, "amounts": [{"currency": "THB", "amount": "120.06"}]}
    await balances_agree("held royalty")

    # The examiner upholds the claim and replaces the holders: Suda 45, Minh 30, claimant 25.
    # The held 120.06 is released to them: 54.027, 36.018, 30.015, so 54.03, 36.02, 30.01.
    resolved_shares = {suda.party_id: "45.00", minh.party_id: "30.00",
                       claimant.party_id: "25.00"}  # fmt: skip
    resolved = (
        await ok(RESOLVE, {"i": {
            "workId": work_id, "keepOwners": False, "reason": "the melody is the claimant's",
            "rightsHolders": [
                {"partyId": suda.party_id, "role": "COMPOSER", "share": "45.00"},
                {"partyId": minh.party_id, "role": "LYRICIST", "share": "30.00"},
                {"partyId": claimant.party_id, "role": "COMPOSER", "share": "25.00"}]}},
            examiner, "resolveDispute")
    )["work"]  # fmt: skip
    assert resolved["status"] == "REGISTERED"

    async def statements() -> dict[str, dict[str, Any]]:
        found = (await platform.gql(STATEMENTS, {"l": licence_id}, suda.token))["licence"]
        return {s["id"]: s for s in found["statements"]}

    async def released() -> dict[str, Any] | None:
        return next((s for s in (await statements()).values() if s["kind"] == "RELEASE"), None)

    release = await eventually(released, timeout=60, what="the held royalty's release")
    assert (release["payable"], release["held"], release["releases"]) == (
        "120.06", False, [held["id"]])
    assert lines(release) == split("120.06", resolved_shares) == {
        suda.party_id: "54.03", minh.party_id: "36.02", claimant.party_id: "30.01"}
    assert not any(line["held"] for line in release["lines"])
    assert (await statements())[held["id"]]["releasedBy"] == release["id"]
    suspense = (await platform.gql(SUSPENSE, {"w": work_id}, suda.token))["work"]["suspense"]
    assert suspense == {"holding": False, "amounts": []}
    books.issued(release)
    await balances_agree("released")

    # The licensee pays the first royalty statement.
    async def pay(statement: dict[str, Any], reference: str) -> None:
        paid = (
            await ok(PAY, {"i": {"statementId": statement["id"], "paidOn": today.isoformat(),
                                 "reference": reference}}, label.token, "recordStatementPayment")
        )["statement"]  # fmt: skip
        assert paid == {"id": statement["id"], "payment": {
            "status": "PAID", "paidOn": today.isoformat(), "reference": reference,
            "amount": statement["payable"]}}  # fmt: skip
        books.paid(statement)

    await pay(first, "CPS-2026-Q1")
    await balances_agree("first royalty paid")

    # Terminated by the licensee: the guarantee is trued up. 5,000.00 - max(1,000.00 advance,
    # 1,920.07 royalties (held ones count)) = 3,079.93, split by the shares at its end:
    # 1,385.9685, 923.979, 769.9825, so 1,385.97, 923.98, 769.98.
    ended = (await ok(TERMINATE, {"l": licence_id}, label.token, "terminateLicence"))["licence"]
    assert ended["status"] == "TERMINATED"
    [true_up] = [s for s in (await statements()).values() if s["kind"] == "TRUE_UP"]
    royalties = sum(Decimal(s["royalty"]) for s in (first, second, held))
    assert royalties == Decimal("1920.07")
    assert Decimal(true_up["payable"]) == Decimal("5000.00") - max(Decimal("1000.00"), royalties)
    assert (true_up["payable"], true_up["held"]) == ("3079.93", False)
    assert (true_up["periodStart"], true_up["periodEnd"]) == (start.isoformat(), today.isoformat())
    assert lines(true_up) == split("3079.93", resolved_shares) == {
        suda.party_id: "1385.97", minh.party_id: "923.98", claimant.party_id: "769.98"}
    books.issued(true_up)
    await balances_agree("trued up")

    # Everything payable paid: nobody is owed anything (the held lines were paid by their
    # release).
    for statement, reference in ((second, "CPS-2026-Q2"), (release, "CPS-REL-1"),
                                 (true_up, "CPS-MG-1")):  # fmt: skip
        await pay(statement, reference)
    await balances_agree("all paid")
    for person in payees.values():
        [ledger] = (await platform.gql(BALANCES, {}, person.token))["myBalances"]
        assert ledger["closing"] == "0.00"
