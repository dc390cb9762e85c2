"""The checker: pure functions over the history and what was observed after the run.

- lost: an acknowledged operation whose effect is missing anywhere it must be (the owning
  service's database, its topic, the read models of the services that consume it, the
  delivery sinks);
- duplicated: an effect present twice (a work, co-owner's confirmation, licence, acceptance,
  usage report, statement, ownership change or notification), for any operation,
  acknowledged, failed or unknown;
- order violations: per aggregate, a topic whose versions regress or skip, a licence whose
  events break its lifecycle, a statement before its usage report, a read model whose version
  is not the source's.
An operation without an answer (unknown) is never lost: it may or may not have happened."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from contracts import topics as t
from faults.collect import Observed, Record

Op = dict[str, Any]  # one line of the history (workload.Op as a dict), its last state

LICENCE_NEXT = {
    None: {t.LICENCE_OFFERED, t.LICENCE_AWAITING_OWNERS},
    t.LICENCE_OFFERED: {t.LICENCE_ACTIVATED, t.LICENCE_DECLINED, t.LICENCE_WITHDRAWN},
    t.LICENCE_ACTIVATED: {t.LICENCE_TERMINATED, t.LICENCE_EXPIRED},
    # Co-owners' consent (DOMAIN.md); an owner's consent leaves the licence waiting.
    t.LICENCE_AWAITING_OWNERS: {
        t.LICENCE_OWNER_CONSENTED, t.LICENCE_OFFERED, t.LICENCE_REFUSED_BY_OWNERS,
        t.LICENCE_WITHDRAWN,
    },
    t.LICENCE_OWNER_CONSENTED: {
        t.LICENCE_OWNER_CONSENTED, t.LICENCE_OFFERED, t.LICENCE_REFUSED_BY_OWNERS,
        t.LICENCE_WITHDRAWN,
    },
}
# Mandate events share the licences' topic, keyed by the mandate: no licence lifecycle.
_MANDATE_TYPES = {t.MANDATE_GRANTED, t.MANDATE_REVOKED}


@dataclass
class Result:
    operations: int = 0
    acknowledged: int = 0
    results: dict[str, int] = field(default_factory=dict)  # ok / fail / unknown
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)  # "op id: what is missing"
    duplicated: list[str] = field(default_factory=list)
    order_violations: list[str] = field(default_factory=list)
    redelivered: int = 0  # one delivery sent twice to a sink (same id: the receiver drops it)
    undelivered: int = 0  # deliveries still pending after the drain

    def summary(self) -> dict[str, Any]:
        return {"operations": self.operations, "acknowledged": self.acknowledged,
                "results": self.results, "by_kind": self.by_kind, "lost": len(self.lost),
                "duplicated": len(self.duplicated),
                "order_violations": len(self.order_violations),
                "redelivered": self.redelivered, "undelivered": self.undelivered}


def final_ops(lines: Iterable[Op]) -> list[Op]:
    """Each operation's last line (its completion, or its invocation if it never ended)."""
    last: dict[str, Op] = {}
    for line in lines:
        last[line["id"]] = line
    return sorted(last.values(), key=lambda op: op["n"])


def check(ops: list[Op], seen: Observed) -> Result:
    result = Result(operations=len(ops))
    result.results = dict(Counter(op["result"] for op in ops))
    for op in ops:
        kind = result.by_kind.setdefault(op["kind"], {"ok": 0, "fail": 0, "unknown": 0})
        outcome = op["result"] if op["result"] in kind else "unknown"
        kind[outcome] += 1
    result.acknowledged = result.results.get("ok", 0)
    by_topic = records_by_topic(seen.records)
    result.lost = lost(ops, seen, by_topic)
    result.duplicated = duplicated(ops, seen, by_topic)
    result.order_violations = order_violations(seen, by_topic)
    sent = Counter(seen.mail_ids) + Counter(seen.webhook_ids)
    result.redelivered = sum(n - 1 for n in sent.values() if n > 1)
    result.undelivered = sum(1 for d in seen.deliveries if d["status"] == "PENDING")
    return result


def records_by_topic(records: Iterable[Record]) -> dict[str, list[Record]]:
    grouped: dict[str, list[Record]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.topic, r.partition, r.offset)):
        grouped[r.topic].append(r)
    return grouped


def _distinct(records: Iterable[Record]) -> list[Record]:
    """One record per CloudEvents id: a relay that died between publishing and marking its
    rows sends them again with the same ids, and consumers drop the copy."""
    seen: set[str] = set()
    out = []
    for r in records:
        if r.ce_id not in seen:
            seen.add(r.ce_id)
            out.append(r)
    return out


def _events(by_topic: dict[str, list[Record]], topic: str, ce_type: str) -> dict[str, int]:
    """Distinct events of `ce_type` per record key."""
    counted: Counter[str] = Counter()
    for r in _distinct(by_topic.get(topic, [])):
        if r.ce_type == ce_type:
            counted[r.key] += 1
    return dict(counted)


def applied_transfers(ops: list[Op], seen: Observed) -> dict[str, list[Op]]:
    """Transfers that took effect, per work: those whose key was stored with the answer,
    which commits with the change itself."""
    applied: dict[str, list[Op]] = defaultdict(list)
    for op in ops:
        if op["kind"] == "transfer" and op["id"] in seen.filing_keys:
            applied[op["args"]["work"]].append(op)
    return applied


def expected_shares(ops: list[Op], seen: Observed) -> dict[str, dict[str, Decimal]]:
    """Each transferred work's shares: its filing's, moved by every applied transfer."""
    filed = {op["value"]["work"]: op for op in ops
             if op["kind"] == "file" and op["result"] == "ok"}
    expected: dict[str, dict[str, Decimal]] = {}
    for work, transfers in applied_transfers(ops, seen).items():
        if work not in filed:
            continue
        shares: dict[str, Decimal] = defaultdict(Decimal)
        for h in filed[work]["args"]["holders"]:
            shares[h["partyId"]] += Decimal(h["share"])
        for op in transfers:
            shares[op["actor"]] -= Decimal(op["args"]["share"])
            shares[op["args"]["to"]] += Decimal(op["args"]["share"])
        expected[work] = {p: s for p, s in shares.items() if s != 0}
    return expected


def _confirmations(by_topic: dict[str, list[Record]]) -> Counter[tuple[str, str]]:
    """Distinct work.consent_given events per (work, party that confirmed)."""
    return Counter((r.key, str(r.data.get("party_id"))) for r in _distinct(
        by_topic.get(t.FILING_WORKS, [])) if r.ce_type == t.WORK_CONSENT_GIVEN)


def lost(ops: list[Op], seen: Observed, by_topic: dict[str, list[Record]]) -> list[str]:
    missing: list[str] = []
    filed = _events(by_topic, t.FILING_WORKS, t.WORK_FILED)
    confirmed = _confirmations(by_topic)
    offered = _events(by_topic, t.LICENSING_LICENCES, t.LICENCE_OFFERED)
    activated = _events(by_topic, t.LICENSING_LICENCES, t.LICENCE_ACTIVATED)
    issued = {r.data["statement"]["id"]: r.ce_id
              for r in _distinct(by_topic.get(t.LICENSING_ROYALTIES, []))
              if r.ce_type == t.ROYALTY_STATEMENT_ISSUED}
    reports = {r["id"] for r in seen.reports}
    statements = {s["id"] for s in seen.statements}
    notified = {n["event"] for n in seen.notifications}
    for op in ops:
        if op["result"] != "ok":
            continue
        kind, value = op["kind"], op["value"]
        found: dict[str, bool] = {}  # each place the effect must be in: is it there?
        if kind == "file":
            work = value["work"]
            found = {"filing's work": work in seen.works, "work.filed on the topic": work in filed,
                     "licensing's register": work in seen.register_works,
                     "notifications' known works": work in seen.known_works}
        elif kind == "confirm":
            work = value["work"]
            found = {"filing's consent": seen.consents.get(work, {}).get(op["actor"])
                     == "CONFIRMED",
                     "work.consent_given on the topic": (work, op["actor"]) in confirmed,
                     "filing's work status": seen.works.get(work, {}).get("status")
                     == value["status"]}
        elif kind == "transfer":
            found = {"filing's record of the transfer": op["id"] in seen.filing_keys}
        elif kind == "offer":
            licence = value["licence"]
            found = {"licensing's licence": licence in seen.licences,
                     "licence.offered on the topic": licence in offered,
                     "notifications' known licences": licence in seen.known_licences}
        elif kind == "accept":
            licence = value["licence"]
            status = seen.licences.get(licence, {}).get("status")
            found = {"licensing's licence status": status in ("ACTIVE", "TERMINATED", "EXPIRED"),
                     "licence.activated on the topic": licence in activated,
                     "notifications' licence status":
                         seen.known_licences.get(licence) == "ACTIVE"}
        elif kind == "usage":
            statement = value["statement"]
            found = {"licensing's usage report": value["report"] in reports,
                     "licensing's statement": statement in statements,
                     "royalty.statement_issued on the topic": statement in issued,
                     "notifications of the statement": issued.get(statement) in notified}
        if where := [place for place, there in found.items() if not there]:
            missing.append(f"{op['id']} ({kind}): missing from {', '.join(where)}")
    missing += _transfers_diverged(ops, seen, by_topic)
    missing += _deliveries_missing(seen)
    return missing


def _transfers_diverged(
    ops: list[Op], seen: Observed, by_topic: dict[str, list[Record]]
) -> list[str]:
    """An applied transfer whose ownership change is missing from the state, the topic or
    licensing's register (the duplicates are counted in `duplicated`)."""
    out = []
    moved = _events(by_topic, t.FILING_WORKS, t.WORK_OWNERSHIP_TRANSFERRED)
    for work, transfers in applied_transfers(ops, seen).items():
        ids = ", ".join(op["id"] for op in transfers)
        if seen.transfer_rows.get(work, 0) < len(transfers):
            out.append(f"{ids} (transfer): {len(transfers)} applied, "
                       f"{seen.transfer_rows.get(work, 0)} in filing's history of {work}")
        if moved.get(work, 0) < len(transfers):
            out.append(f"{ids} (transfer): {len(transfers)} applied, {moved.get(work, 0)} "
                       f"work.ownership_transferred on the topic for {work}")
    for work, shares in expected_shares(ops, seen).items():
        actual = seen.works.get(work, {}).get("holders", {})
        register = seen.register_works.get(work, {}).get("holders", {})
        if actual != shares:
            out.append(f"work {work}: filing's shares {actual} are not the applied "
                       f"transfers' {shares}")
        elif register != actual:
            out.append(f"work {work}: licensing's register shares {register} are not "
                       f"filing's {actual}")
    return out


def _deliveries_missing(seen: Observed) -> list[str]:
    """A delivery recorded as delivered that its sink never received."""
    received = set(seen.mail_ids) | set(seen.webhook_ids)
    return [f"delivery {d['id']} ({d['channel']}): DELIVERED but not at the sink"
            for d in seen.deliveries if d["status"] == "DELIVERED" and d["id"] not in received]


def duplicated(ops: list[Op], seen: Observed, by_topic: dict[str, list[Record]]) -> list[str]:
    twice: list[str] = []
    titles = Counter(w["title"] for w in seen.works.values())
    for op in ops:
        if op["kind"] == "file" and titles.get(op["args"]["title"], 0) > 1:
            twice.append(f"{op['id']} (file): {titles[op['args']['title']]} works")
    twice += [f"work {work}: {n} confirmations by {party} on the topic"
              for (work, party), n in _confirmations(by_topic).items() if n > 1]
    licences = Counter((lic["licensee"], Decimal(lic["advance"]))
                       for lic in seen.licences.values())
    for op in ops:
        if op["kind"] == "offer":
            n = licences.get((op["args"]["licensee"], Decimal(op["args"]["advance"])), 0)
            if n > 1:
                twice.append(f"{op['id']} (offer): {n} licences")
    for licence, n in _events(by_topic, t.LICENSING_LICENCES, t.LICENCE_ACTIVATED).items():
        if n > 1:
            twice.append(f"licence {licence}: activated {n} times on the topic")
    for licence, types in seen.licence_events.items():
        if types.get(t.LICENCE_ACTIVATED, 0) > 1:
            twice.append(f"licence {licence}: {types[t.LICENCE_ACTIVATED]} activations in its "
                         "timeline")
    periods = Counter((r["licence"], r["start"]) for r in seen.reports)
    twice += [f"licence {lic}: {n} usage reports for the period from {start}"
              for (lic, start), n in periods.items() if n > 1]
    per_report = Counter(s["report"] for s in seen.statements)
    twice += [f"report {rep}: {n} statements" for rep, n in per_report.items() if n > 1]
    statement_events = Counter(
        r.data["statement"]["id"] for r in _distinct(by_topic.get(t.LICENSING_ROYALTIES, []))
        if r.ce_type == t.ROYALTY_STATEMENT_ISSUED)
    twice += [f"statement {s}: issued {n} times on the topic"
              for s, n in statement_events.items() if n > 1]
    applied = applied_transfers(ops, seen)
    moved = _events(by_topic, t.FILING_WORKS, t.WORK_OWNERSHIP_TRANSFERRED)
    for work, rows in seen.transfer_rows.items():
        if rows > len(applied.get(work, [])):
            twice.append(f"work {work}: {rows} ownership changes in filing's history, "
                         f"{len(applied.get(work, []))} transfers applied")
    for work, n in moved.items():
        if n > len(applied.get(work, [])):
            twice.append(f"work {work}: {n} work.ownership_transferred on the topic, "
                         f"{len(applied.get(work, []))} transfers applied")
    inbox = Counter((n["event"], n["recipient"]) for n in seen.notifications)
    twice += [f"event {e}: {n} notifications to {r}" for (e, r), n in inbox.items() if n > 1]
    sends = Counter((d["event"], d["recipient"], d["channel"]) for d in seen.deliveries)
    twice += [f"event {e}: {n} {c} deliveries to {r}" for (e, r, c), n in sends.items() if n > 1]
    return twice


def order_violations(seen: Observed, by_topic: dict[str, list[Record]]) -> list[str]:
    bad: list[str] = []
    for topic in (t.FILING_WORKS, t.FILING_PARTIES):
        bad += versions_in_order(by_topic.get(topic, []))
    bad += licence_lifecycles(by_topic.get(t.LICENSING_LICENCES, []))
    bad += statements_after_reports(by_topic.get(t.LICENSING_ROYALTIES, []))
    topic_max: dict[str, int] = {}
    for r in by_topic.get(t.FILING_WORKS, []):
        version = r.data.get("version") or 0
        topic_max[r.key] = max(topic_max.get(r.key, 0), version)
    for work, row in seen.works.items():
        if topic_max.get(work, 0) != row["version"]:
            bad.append(f"work {work}: filing at version {row['version']}, its topic at "
                       f"{topic_max.get(work, 0)}")
        held = seen.register_works.get(work, {}).get("version")
        if held is not None and held != row["version"]:
            bad.append(f"work {work}: licensing's register at version {held}, filing at "
                       f"{row['version']}")
    return bad


def versions_in_order(records: list[Record]) -> list[str]:
    """Per key, in offset order: each new event one version above the last; a copy of an
    event already seen (same id) is allowed anywhere."""
    last: dict[str, int] = {}
    ids: set[str] = set()
    bad = []
    for r in records:
        if r.ce_id in ids:
            continue
        ids.add(r.ce_id)
        version = r.data.get("version")
        if version is None:
            bad.append(f"{r.topic} {r.key}@{r.offset}: no version")
            continue
        expected = last.get(r.key, 0) + 1
        if version != expected:
            bad.append(f"{r.topic} {r.key}@{r.offset}: version {version} after "
                       f"{last.get(r.key, 0)}")
        last[r.key] = max(last.get(r.key, 0), version)
    return bad


def licence_lifecycles(records: list[Record]) -> list[str]:
    """Per licence, in offset order, each event a transition its lifecycle allows."""
    state: dict[str, str | None] = {}
    bad = []
    for r in _distinct(records):
        if r.ce_type in _MANDATE_TYPES:
            continue
        now = state.get(r.key)
        if r.ce_type not in LICENCE_NEXT.get(now, set()):
            bad.append(f"licence {r.key}@{r.offset}: {r.ce_type.split('.')[-2]} after "
                       f"{now.split('.')[-2] if now else 'nothing'}")
        state[r.key] = r.ce_type
    return bad


def statements_after_reports(records: list[Record]) -> list[str]:
    """Per licence, a statement only after the usage report it is for."""
    reported: set[str] = set()
    bad = []
    for r in _distinct(records):
        if r.ce_type == t.USAGE_REPORTED:
            reported.add(r.data["report"]["id"])
        elif r.ce_type == t.ROYALTY_STATEMENT_ISSUED:
            report = r.data["statement"]["report_id"]
            if report not in reported:
                bad.append(f"licence {r.key}@{r.offset}: statement before its report {report}")
    return bad
