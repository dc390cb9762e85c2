"""The workload: uniquely identified operations (file, confirm a holding, transfer, offer,
accept, report usage) chosen by a seeded generator, sent through the gateway, each recorded
as invoked and then ok, fail (refused: certainly not applied) or unknown (no answer: may or
may not have been). A filing naming a co-owner waits for its consent (DOMAIN.md): the
co-owner's confirmation is an operation of its own, the last one registers the work."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from faults.identity import Accounts

KINDS = ("file", "confirm", "transfer", "offer", "accept", "usage")
# How often each kind is picked when it can run (file always can).
WEIGHTS = {"file": 3, "confirm": 3, "transfer": 2, "offer": 3, "accept": 3, "usage": 4}
CREATORS, LICENSEES = 12, 4
TERRITORIES = ("TH", "VN", "MY", "ID", "PH", "SG", "KH", "LA")
MEDIA = ("STREAMING", "DOWNLOAD", "BROADCAST", "PUBLIC_PERFORMANCE")
LICENCE_START, LICENCE_END = date(2020, 1, 1), date(2035, 12, 31)
USAGE_MONTHS = 60  # reports cover whole months from LICENCE_START on, all in the past


@dataclass
class Op:
    """One operation of the history: what was asked and how it ended."""

    n: int
    id: str
    kind: str
    actor: str
    args: dict[str, Any]
    result: str = "invoke"  # then ok | fail | unknown
    value: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    invoked_s: float = 0.0
    completed_s: float = 0.0


@dataclass
class Model:
    """What acknowledged operations say exists: the generator picks operations from it."""

    creators: list[str] = field(default_factory=list)
    licensees: list[str] = field(default_factory=list)
    shares: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # work -> party -> share
    # Works awaiting their co-owners' consent (DOMAIN.md): work -> holders, parties asked.
    awaiting: dict[str, dict[str, Any]] = field(default_factory=dict)
    offered: dict[str, dict[str, str]] = field(default_factory=dict)  # licence -> work, licensee
    active: dict[str, dict[str, Any]] = field(default_factory=dict)  # + next usage month


def month_period(index: int) -> tuple[date, date]:
    start = date(LICENCE_START.year + index // 12, index % 12 + 1, 1)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, following - timedelta(days=1)


class Generator:
    """Seeded choices over the model; run with the same seed, the same choices are made as
    long as the answers are the same (the faults' timing changes answers, not choices)."""

    def __init__(self, seed: int, run: str, model: Model) -> None:
        self.rng = random.Random(seed)
        self.run = run
        self.model = model
        self.count = 0

    def next(self) -> Op:
        self.count += 1
        n = self.count
        op_id = f"{self.run}-op{n:06d}"
        kinds = [k for k in KINDS if self._possible(k)]
        kind = self.rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        actor, args = getattr(self, f"_{kind}")(n, op_id)
        return Op(n=n, id=op_id, kind=kind, actor=actor, args=args)

    def _possible(self, kind: str) -> bool:
        m = self.model
        return {
            "file": True,
            "confirm": bool(m.awaiting),
            "transfer": any(self._transferable(w) for w in m.shares),
            "offer": bool(m.shares),
            "accept": bool(m.offered),
            "usage": any(a["month"] < USAGE_MONTHS for a in m.active.values()),
        }[kind]

    def _transferable(self, work: str) -> list[str]:
        return [p for p, s in self.model.shares[work].items() if s >= Decimal("2")]

    def _file(self, n: int, op_id: str) -> tuple[str, dict[str, Any]]:
        owners = self.rng.sample(self.model.creators, self.rng.choice((1, 2)))
        share = Decimal("100") / len(owners)
        holders = [{"partyId": p, "role": "COMPOSER", "share": f"{share:.2f}"} for p in owners]
        return owners[0], {"title": f"Fault song {op_id}", "holders": holders}

    def _confirm(self, n: int, op_id: str) -> tuple[str, dict[str, Any]]:
        work = self.rng.choice(sorted(self.model.awaiting))
        waiting = self.model.awaiting[work]
        party = waiting["asked"].pop(0)  # each co-owner asked confirms once, in order
        if not waiting["asked"]:
            del self.model.awaiting[work]
        return party, {"work": work, "holders": waiting["holders"]}

    def _transfer(self, n: int, op_id: str) -> tuple[str, dict[str, Any]]:
        work = self.rng.choice(sorted(w for w in self.model.shares if self._transferable(w)))
        actor = self.rng.choice(sorted(self._transferable(work)))
        to = self.rng.choice([c for c in self.model.creators if c != actor])
        return actor, {"work": work, "to": to, "share": "1.00"}

    def _offer(self, n: int, op_id: str) -> tuple[str, dict[str, Any]]:
        work = self.rng.choice(sorted(self.model.shares))
        owners = sorted(p for p, s in self.model.shares[work].items() if s > 0)
        territories = sorted(self.rng.sample(TERRITORIES, self.rng.randint(1, 3)))
        media = sorted(self.rng.sample(MEDIA, self.rng.randint(1, 2)))
        # The advance is unique to the operation: the checker finds a second licence by it.
        return self.rng.choice(owners), {
            "work": work, "licensee": self.rng.choice(self.model.licensees),
            "territories": territories, "media": media, "advance": f"{Decimal(n) / 100:.2f}",
        }

    def _accept(self, n: int, op_id: str) -> tuple[str, dict[str, Any]]:
        licence = self.rng.choice(sorted(self.model.offered))
        offer = self.model.offered.pop(licence)  # one acceptance per offer is ever sent
        return offer["licensee"], {"licence": licence, "work": offer["work"]}

    def _usage(self, n: int, op_id: str) -> tuple[str, dict[str, Any]]:
        licence = self.rng.choice(sorted(
            lid for lid, a in self.model.active.items() if a["month"] < USAGE_MONTHS))
        active = self.model.active[licence]
        month = active["month"]
        active["month"] += 1  # never two reports of one period, even if this one fails
        start, end = month_period(month)
        return active["licensee"], {
            "licence": licence, "start": start.isoformat(), "end": end.isoformat(),
            "units": 1000 + n, "gross": f"{Decimal(n) + Decimal('0.25')}",
        }


# --- GraphQL ---------------------------------------------------------------------------------

ERRORS = "errors { code message field }"
MUTATIONS = {
    "file": f"""mutation($input: FileWorkInput!) {{
      fileWork(input: $input) {{ work {{ id status }} {ERRORS} }} }}""",
    "confirm": f"""mutation($w: ID!) {{
      confirmHolding(workId: $w) {{ work {{ id status }} {ERRORS} }} }}""",
    "transfer": f"""mutation($input: TransferShareInput!) {{
      transferShare(input: $input) {{ work {{ id }} {ERRORS} }} }}""",
    "offer": f"""mutation($input: OfferLicenceInput!) {{
      offerLicence(input: $input) {{ licence {{ id status }} {ERRORS} }} }}""",
    "accept": f"""mutation($id: ID!, $key: String) {{
      acceptLicence(licenceId: $id, idempotencyKey: $key) {{
        licence {{ id status }} {ERRORS} }} }}""",
    "usage": f"""mutation($input: ReportUsageInput!) {{
      reportUsage(input: $input) {{ report {{ id }} statement {{ id }} {ERRORS} }} }}""",
}
FIELDS = {"file": "fileWork", "confirm": "confirmHolding", "transfer": "transferShare",
          "offer": "offerLicence", "accept": "acceptLicence", "usage": "reportUsage"}

def variables(op: Op) -> dict[str, Any]:
    a = op.args
    if op.kind == "file":
        return {"input": {"title": a["title"], "kind": "MUSICAL_WORK", "countryOfOrigin": "TH",
                          "rightsHolders": a["holders"]}}
    if op.kind == "confirm":
        return {"w": a["work"]}
    if op.kind == "transfer":
        return {"input": {"workId": a["work"], "toPartyId": a["to"], "share": a["share"],
                          "idempotencyKey": op.id}}
    if op.kind == "offer":
        return {"input": {
            "workId": a["work"], "licenseeId": a["licensee"], "territories": a["territories"],
            "media": a["media"], "exclusive": False, "start": LICENCE_START.isoformat(),
            "end": LICENCE_END.isoformat(), "royaltyRate": "10.00", "advance": a["advance"],
            "currency": "USD", "idempotencyKey": op.id}}
    if op.kind == "accept":
        return {"id": a["licence"], "key": op.id}
    return {"input": {"licenceId": a["licence"], "periodStart": a["start"],
                      "periodEnd": a["end"], "units": a["units"], "grossRevenue": a["gross"],
                      "idempotencyKey": op.id}}


# Top-level errors that are certainly refusals before anything was applied.
REFUSED_CODES = {"UNAUTHENTICATED", "FORBIDDEN", "RATE_LIMITED", "BAD_REQUEST"}


def classify(op: Op, status: int, body: dict[str, Any]) -> None:
    """ok, fail or unknown from the gateway's answer (see the module's first sentence)."""
    if body.get("errors"):
        codes = {str((e.get("extensions") or {}).get("code", "")) for e in body["errors"]}
        op.error = "; ".join(f"{','.join(sorted(codes))}: {str(e.get('message'))[:120]}"
                             for e in body["errors"])
        op.result = "fail" if codes and codes <= REFUSED_CODES else "unknown"
        return
    payload = (body.get("data") or {}).get(FIELDS[op.kind])
    if not payload:
        op.result, op.error = "unknown", f"HTTP {status}, no payload"
        return
    if payload["errors"]:
        op.result = "fail"
        op.error = "; ".join(f"{e['code']}: {e['message'][:120]}" for e in payload["errors"])
        return
    op.result = "ok"
    if op.kind in ("file", "confirm"):
        op.value = {"work": payload["work"]["id"], "status": payload["work"]["status"]}
    elif op.kind in ("offer", "accept"):
        op.value = {"licence": payload["licence"]["id"], "status": payload["licence"]["status"]}
    elif op.kind == "usage":
        op.value = {"report": payload["report"]["id"], "statement": payload["statement"]["id"]}


def learn(model: Model, op: Op) -> None:
    """What an acknowledged operation adds to the model."""
    if op.result != "ok":
        return
    a = op.args
    if op.kind in ("file", "confirm") and op.value["status"] == "REGISTERED":
        # Registered at once (the filer alone) or by the last co-owner's confirmation.
        model.shares[op.value["work"]] = {h["partyId"]: Decimal(h["share"]) for h in a["holders"]}
    elif op.kind == "file" and op.value["status"] == "AWAITING_CONSENT":
        asked = [h["partyId"] for h in a["holders"] if h["partyId"] != op.actor]
        model.awaiting[op.value["work"]] = {"holders": a["holders"], "asked": asked}
    elif op.kind == "transfer":
        holders = model.shares[a["work"]]
        holders[op.actor] -= Decimal(a["share"])
        holders[a["to"]] = holders.get(a["to"], Decimal(0)) + Decimal(a["share"])
    elif op.kind == "offer":
        model.offered[op.value["licence"]] = {"work": a["work"], "licensee": a["licensee"]}
    elif op.kind == "accept":
        model.active[a["licence"]] = {"licensee": op.actor, "month": 0}


@dataclass
class Client:
    """Sends operations through the gateway and records them in the history file."""

    gateway_url: str
    accounts: Accounts
    history_path: Path
    timeout: float = 10.0
    history: list[Op] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        self.http = httpx.AsyncClient(timeout=self.timeout, limits=limits)
        self._out = self.history_path.open("a", encoding="utf-8")

    async def close(self) -> None:
        await self.http.aclose()
        self._out.close()

    def _record(self, op: Op) -> None:
        self._out.write(json.dumps(asdict(op)) + "\n")

    async def register(self, name: str, *, email: str | None, webhook: str | None) -> str:
        fields: dict[str, Any] = {"name": name, "kind": "PERSON", "country": "TH"}
        if email:
            fields["email"] = email
        if webhook:
            fields |= {"webhookUrl": webhook, "webhookSecret": "fault-suite-webhook-secret"}
        async def call(query: str, variables: dict[str, Any], token: str | None
                       ) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await self.http.post(
                self.gateway_url, json={"query": query, "variables": variables},
                headers=headers)
            data: dict[str, Any] = response.json()["data"]
            return data

        return await self.accounts.sign_up(call, fields)

    async def invoke(self, op: Op) -> Op:
        token = await self.accounts.token(op.actor)
        op.invoked_s = round(time.monotonic() - self.started, 3)
        self._record(op)
        try:
            response = await self.http.post(
                self.gateway_url,
                json={"query": MUTATIONS[op.kind], "variables": variables(op)},
                headers={"Authorization": f"Bearer {token}"},
            )
            try:
                body = response.json()
            except ValueError:
                body = {"errors": [{"message": f"HTTP {response.status_code}, not JSON"}]}
            classify(op, response.status_code, body)
        except httpx.HTTPError as exc:
            op.result, op.error = "unknown", f"{type(exc).__name__}: {exc}"[:200]
        op.completed_s = round(time.monotonic() - self.started, 3)
        self._record(op)
        self.history.append(op)
        return op


async def set_up_parties(client: Client, model: Model, *, webhook_url: str) -> None:
    """Creators (some with an email, some with a webhook) and licensees, before any fault."""
    for i in range(CREATORS):
        model.creators.append(await client.register(
            f"Fault creator {i}",
            email=f"creator{i}@faults.example.org" if i % 3 == 0 else None,
            webhook=webhook_url if i % 3 == 1 else None,
        ))
    for i in range(LICENSEES):
        model.licensees.append(await client.register(
            f"Fault licensee {i}", email=f"licensee{i}@faults.example.org", webhook=None))


async def run_workload(
    client: Client, generator: Generator, *, operations: int, concurrency: int,
    on_progress: Callable[[int], Awaitable[None]] | None = None,
) -> None:
    """`operations` operations by `concurrency` workers, each waiting for its answer."""

    async def worker() -> None:
        while generator.count < operations:
            op = generator.next()
            await client.invoke(op)
            learn(generator.model, op)
            if on_progress is not None:
                await on_progress(len(client.history))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
