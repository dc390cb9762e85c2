"""What each field of the schema costs, and how many items each list field stands for.

The gateway refuses an operation whose cost is over `GATEWAY_MAX_QUERY_COST` before any
resolver runs (gateway/cost.py). A field costs its base cost plus, for a list, its size times
the cost of what is selected under it. A unit is about one object resolved and sent: objects
come from batched DataLoaders, so their service calls grow with a query's depth only; a field
that calls a service once per parent object costs far more (`Party.works`).

Fields not named here cost 1 when they return an object and 0 when they return a scalar or
enum (lists of those too: they multiply nothing).
Every list of objects must be named here with its size (test_query_limits.py in
tests/unit/gateway fails otherwise), so a new list field gets its bound in this one table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldCost:
    """`size_argument`: the list is as long as this argument asks (connections: `first`).
    `bound`: a plain list's size for costing. The services cap none of these lists; the bounds
    are what a work, licence or statement carries in practice, a little rounded up."""

    cost: int = 1
    size_argument: str | None = None
    bound: int | None = None


# A connection's `first` multiplies everything selected under it once, at the connection.
PAGE = FieldCost(cost=1, size_argument="first")
# Its edges are that page; the multiplication happened one level up.
EDGES = FieldCost(cost=0, bound=1)
FREE = FieldCost(cost=0)

FIELD_COSTS: dict[str, FieldCost] = {
    "Query.works": PAGE,
    "Query.licences": PAGE,
    "Query.notifications": PAGE,
    # One service search per party: DataLoaders cannot batch a page per holder, so a party's
    # works nested under a list of works is the amplification of issue 14 (hundreds of
    # searches). At the top (`me`, `party`) it is one search and well within the budget.
    "Party.works": FieldCost(cost=1000, size_argument="first"),
    # Every connection is common.Connection: the same two fields at the same cost.
    **{
        f"{node}Connection.{field}": cost
        for node in ("Work", "Licence", "Notification")
        for field, cost in (("edges", EDGES), ("pageInfo", FREE))
    },
    "Work.rightsHolders": FieldCost(bound=5),
    "Work.history": FieldCost(bound=10),
    # Co-owners' consent: a holding per co-owner; the caller's requests are capped at 100.
    "Work.consents": FieldCost(bound=5),
    "Query.myConsentRequests": FieldCost(cost=1, bound=100),
    # One filing call per work; a work is sent to a few societies.
    "Work.societyRegistrations": FieldCost(cost=1, bound=10),
    "RightsHolder.territoryShares": FieldCost(cost=0, bound=10),
    "Work.licences": FieldCost(bound=5),
    "Availability.conflicts": FieldCost(bound=5),
    "Licence.usageReports": FieldCost(bound=12),
    "Licence.statements": FieldCost(bound=12),
    # Five loaders (history, events, reports, statements, notifications) behind one field.
    "Licence.timeline": FieldCost(cost=5, bound=50),
    "RoyaltyStatement.lines": FieldCost(bound=5),
    # A line report's statement lists its chunk's lines of one licence (a chunk is at most
    # LICENSING_USAGE_CHUNK_LINES, 1,000 by default).
    "RoyaltyStatement.usageLines": FieldCost(bound=1000),
    # Suspense (DOMAIN.md): one batched licensing call per page; a work is held in a few
    # currencies; a release names the held statements of one licence.
    "Suspense.amounts": FieldCost(bound=5),
    "RoyaltyStatement.releases": FieldCost(cost=0, bound=12),
    "Query.usageLineQueue": PAGE,
    "UsageLineQueue.nodes": EDGES,
    "UsageFileResult.errors": FieldCost(bound=100),
    "Notification.deliveries": FieldCost(bound=3),
    # One search of the identity provider's accounts; a party has at most auth.MAX_MEMBERS.
    "Query.partyMembers": FieldCost(cost=20, bound=100),
    "PartyMembersPayload.members": FieldCost(bound=100),
    # A licence's versions of terms and its history (DOMAIN.md, "Licence history"): a deal
    # is amended or renewed a few times; each change is one history row of a few segments.
    "Licence.versions": FieldCost(bound=10),
    "Licence.history": FieldCost(bound=20),
    "LicenceHistoryEntry.segments": FieldCost(cost=0, bound=10),
    "LicenceVersionPayload.errors": FieldCost(bound=5),
    # Co-owners' consent and mandates (DOMAIN.md): a licence asks a work's few owners; a
    # party holds or grants a mandate per co-owner or per work, rarely more than a few dozen.
    "Licence.ownerConsents": FieldCost(bound=5),
    "Query.myMandates": FieldCost(cost=1, bound=50),
    "MandatePayload.errors": FieldCost(bound=5),
    # A command answers at most a few errors.
    **{
        f"{payload}Payload.errors": FieldCost(bound=5)
        for payload in (
            "RegisterParty", "Work", "Licence", "UsageReport", "Society", "PartyMembers",
            "Import", "UsageFile", "UsageLine", "CwrExport", "AckImport",
            "Statement",
        )
    },
    # The payee ledger (DOMAIN.md, "The payee ledger, payments and conversion").
    "Query.myStatements": PAGE,
    "LedgerStatementPage.nodes": EDGES,
    "LedgerStatement.lines": FieldCost(bound=5),
    "ConvertedStatement.lines": FieldCost(bound=5),
    # One ledger per currency the party is paid in.
    "Query.myBalances": FieldCost(bound=10),
    "Query.partyBalances": FieldCost(bound=10),
    "Query.exchangeRates": FieldCost(bound=100),
    "StatementPaymentPayload.errors": FieldCost(bound=5),
    "ExchangeRatePayload.errors": FieldCost(bound=5),
}
