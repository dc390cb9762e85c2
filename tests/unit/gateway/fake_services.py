"""A fast in-memory fake of the three services, answered through httpx.MockTransport.

The fake follows docs/service-apis.md: it verifies the forwarded token with the (fake)
identity provider's key, answers the provider's own calls through that provider,
enforces the command rules, and filters reads by visibility, unless `leaky_reads` is set, in
which case it answers every read in full so a test proves the gateway's own access checks.
"""

from __future__ import annotations

import datetime
import itertools
import json
import uuid
from decimal import Decimal
from typing import Any

import httpx
from runtime.auth import Principal, Unauthenticated

from contracts import access

from .fake_identity import FakeIdentityProvider

Json = dict[str, Any]


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


# Filing counts a search's matches exactly up to a bound (1,000); the fake's is smaller.
FAKE_EXACT_TOTAL_MAX = 100


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        self.status, self.code, self.message, self.field = status, code, message, field


class FakeServices:
    def __init__(self, idp: FakeIdentityProvider, *, leaky_reads: bool = False):
        self.idp = idp
        self.leaky_reads = leaky_reads
        self.parties: dict[str, Json] = {}
        self.contacts: dict[str, Json] = {}
        self.works: dict[str, Json] = {}
        self.history: dict[str, list[Json]] = {}
        self.society_registrations: dict[str, list[Json]] = {}  # by work id, as filing's
        self.licences: dict[str, Json] = {}
        self.licence_events: dict[str, list[Json]] = {}
        # Versions of each licence's terms (DOMAIN.md, "Amendments and renewals"), by number.
        self.licence_versions: dict[str, list[Json]] = {}
        # The answers to amendments the fake was asked for: (licence id, number, answer).
        self.amendment_answers: list[tuple[str, int, str]] = []
        # The query parameters of every availability question (as_of, known_at among them).
        self.availability_asked: list[dict[str, str]] = []
        self.reports: dict[str, list[Json]] = {}
        self.statements: dict[str, list[Json]] = {}
        self.notifications: list[Json] = []
        self.societies: set[str] = set()
        self.calls: list[tuple[str, str, str]] = []
        self.keyed_answers: dict[tuple[str | None, str], tuple[int, Any]] = {}
        self.bodies: list[Any] = []
        # (method, path prefix) -> remaining count of 503 answers, to simulate outages
        self.outages: dict[tuple[str, str], int] = {}
        self.crash_paths: set[str] = set()
        self._filing_numbers = itertools.count(1)
        # Issue 20's web pages: owners' consents by licence, the ledgers `/balances` answers,
        # the currencies `/payee-statements` converts into, mandates by id.
        self.owner_consents: dict[str, list[Json]] = {}
        self.ledgers: list[Json] = []
        self.rates: dict[str, str] = {}
        self.mandates: dict[str, Json] = {}

    # ---------- seeding ----------
    def add_party(self, name: str = "A Party", party_id: str | None = None) -> str:
        pid = party_id or str(uuid.uuid4())
        self.parties[pid] = {"id": pid, "name": name, "kind": "PERSON", "country": "TH",
                             "ipi_name_number": None, "isni": None,
                             "created_at": now(), "updated_at": now()}
        return pid

    def add_work(self, holders: list[tuple[str, str]], title: str = "Song",
                 status: str = "REGISTERED", country_of_origin: str = "TH") -> str:
        wid = str(uuid.uuid4())
        n = next(self._filing_numbers)
        self.works[wid] = {
            "id": wid, "filing_number": f"F-2026-{n:06d}",
            "registration_number": f"R-2026-{n:06d}" if status == "REGISTERED" else None,
            "title": title, "alternate_titles": [], "kind": "MUSICAL_WORK", "status": status,
            "status_reason": None, "identifiers": {"iswc": None, "isrc": None, "isbn": None},
            "country_of_origin": country_of_origin,
            "rights_holders": [{"party_id": p, "role": "COMPOSER", "share": s}
                               for p, s in holders],
            "filed_by": holders[0][0], "filed_at": now(), "updated_at": now(),
        }
        self.history[wid] = [{"work_id": wid, "at": "2026-01-01T00:00:00Z",
                              "actor_id": holders[0][0], "action": "work.filed",
                              "detail": "filed"},
                             {"work_id": wid, "at": "2026-01-01T00:00:01Z", "actor_id": None,
                              "action": "work.registered", "detail": "registered"}]
        return wid

    def add_licence(self, work_id: str, licensor: str, licensee: str,
                    status: str = "OFFERED", exclusive: bool = False) -> str:
        lid = str(uuid.uuid4())
        self.licences[lid] = {
            "id": lid, "work_id": work_id, "licensor_id": licensor, "licensee_id": licensee,
            "status": status, "status_reason": None,
            "terms": {"territories": ["TH", "VN"], "media": ["STREAMING"],
                      "exclusive": exclusive, "start": "2026-01-01", "end": "2026-12-31",
                      "royalty_rate": "10.00", "advance": "100.00", "currency": "USD"},
            "created_at": now(), "updated_at": now(),
        }
        self.licence_events[lid] = [{"licence_id": lid, "at": "2026-01-02T00:00:00Z",
                                     "type": "licence.offered", "summary": "offered"}]
        if status == "ACTIVE":
            self.licence_events[lid].append({"licence_id": lid, "at": "2026-01-03T00:00:00Z",
                                             "type": "licence.activated",
                                             "summary": "accepted"})
        self.licence_versions[lid] = [self._version(lid, 1, "ORIGINAL", "ACCEPTED", licensor)]
        return lid

    def _version(self, lid: str, number: int, kind: str, state: str, by: str) -> Json:
        terms = self.licences[lid]["terms"]
        return {"licence_id": lid, "number": number, "kind": kind, "state": state,
                "effective_from": terms["start"], "end": terms["end"],
                "territories": terms["territories"], "media": terms["media"],
                "exclusive": terms["exclusive"], "royalty_rate": terms["royalty_rate"],
                "proposed_by": by, "side": "LICENSEE" if by == self.licences[lid]["licensee_id"]
                else "LICENSOR", "proposed_at": now(), "decided_by": None, "decided_at": None}

    def propose_amendment(self, lid: str, by: str) -> int:
        """A pending amendment of the licence, proposed by `by`; its number."""
        number = len(self.licence_versions[lid]) + 1
        self.licence_versions[lid].append(self._version(lid, number, "AMENDMENT", "PENDING", by))
        return number

    def add_notification(self, recipient: str, subject: str,
                         event_type: str = "licence.offered") -> str:
        nid = str(uuid.uuid4())
        self.notifications.append({
            "id": nid, "recipient_id": recipient, "event_id": str(uuid.uuid4()),
            "event_type": event_type, "subject_id": subject, "title": None,
            "message": f"{event_type} {subject}", "created_at": "2026-01-02T00:00:01Z",
            "read_at": None,
            "deliveries": [{"id": str(uuid.uuid4()), "channel": "INBOX", "status": "DELIVERED",
                            "attempts": 1, "last_error": None}],
        })
        return nid

    # ---------- access ----------
    def owners(self, work_id: str) -> set[str]:
        work = self.works.get(work_id)
        return {h["party_id"] for h in work["rights_holders"]} if work else set()

    def sees_licence(self, who: Principal, licence: Json) -> bool:
        if self.leaky_reads:
            return True
        facts = access.LicenceFacts(
            licensor_id=uuid.UUID(licence["licensor_id"]),
            licensee_id=uuid.UUID(licence["licensee_id"]),
            owner_ids=frozenset(uuid.UUID(p) for p in self.owners(licence["work_id"])),
        )
        return access.may_see_licence(access.Caller.of(who.party_id, who.roles), facts)

    def count(self, service: str | None = None) -> int:
        return sum(1 for host, _, _ in self.calls if service is None or host == service)

    # ---------- transport ----------
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        host, method, path = request.url.host, request.method, request.url.path
        if request.url.port == 8080:  # the identity provider (IDENTITY_ISSUER's default)
            return self.idp.handle(request)
        self.calls.append((host, method, path))
        body = json.loads(request.content) if request.content else None
        self.bodies.append(body)
        for (m, prefix), remaining in list(self.outages.items()):
            if m == method and path.startswith(prefix) and remaining > 0:
                self.outages[(m, prefix)] = remaining - 1
                return httpx.Response(503, json={"code": "UNAVAILABLE", "message": "down"})
        if path in self.crash_paths:
            return httpx.Response(500, json={"detail": "psycopg.errors.UndefinedTable: SELECT *"})
        auth = request.headers.get("authorization", "")
        try:
            who = self.idp.principal(auth.removeprefix("Bearer "))
        except Unauthenticated:
            return httpx.Response(401, json={"code": "UNAUTHENTICATED", "message": "no"})
        params = dict(request.url.params)
        # A keyed command answered already: its first answer again, nothing applied twice.
        keyed = (who.party_id, request.headers["idempotency-key"]) \
            if "idempotency-key" in request.headers else None
        if keyed in self.keyed_answers:
            first_status, first_answer = self.keyed_answers[keyed]
            return httpx.Response(first_status, json=first_answer)
        try:
            status, answer = getattr(self, f"_{host}")(who, method, path.strip("/").split("/"),
                                                       params, body)
        except Refused as r:
            if r.code == "NO_ROUTE":  # what FastAPI answers for a path it does not serve
                return httpx.Response(404, json={"detail": "Not Found"})
            return httpx.Response(r.status, json={"code": r.code, "message": r.message,
                                                  "field": r.field})
        if keyed is not None:
            self.keyed_answers[keyed] = (status, answer)
        return httpx.Response(status, json=answer)

    @staticmethod
    def _ids(params: dict[str, str], key: str) -> list[str]:
        return [i for i in params.get(key, "").split(",") if i]

    @staticmethod
    def _page(items: list[Json], params: dict[str, str]) -> Json:
        first = int(params.get("first", "20"))
        if not 1 <= first <= 100:
            raise Refused(400, "INVALID_INPUT", "first out of range", "first")
        start = int(params["after"]) if params.get("after") else 0
        chunk = items[start:start + first]
        more = start + first < len(items)
        return {"items": chunk, "next_cursor": str(start + first) if more else None,
                "total_count": len(items)}

    def _filing(self, who: Principal, method: str, parts: list[str], params: dict[str, str],
                body: Any) -> tuple[int, Any]:
        match method, parts:
            case "PUT", ["parties", pid]:
                if not access.may_register_party(access.Caller.of(who.party_id, who.roles),
                                                 uuid.UUID(pid)):
                    raise Refused(403, "FORBIDDEN", "only the party itself")
                if pid not in self.parties:
                    self.add_party(body["name"], pid)
                    self.parties[pid].update(body)
                return 200, self.parties[pid]
            case "GET", ["parties"]:
                return 200, {"items": [self.parties[i] for i in self._ids(params, "ids")
                                       if i in self.parties]}
            case "GET", ["works", "search"]:
                items = list(self.works.values())
                if params.get("holder_id"):
                    items = [w for w in items if params["holder_id"] in self.owners(w["id"])]
                if params.get("status"):
                    items = [w for w in items if w["status"] == params["status"]]
                if params.get("country"):
                    items = [w for w in items if w["country_of_origin"] == params["country"]]
                # As filing: beyond its bound, the total is an estimate.
                exact = len(items) <= FAKE_EXACT_TOTAL_MAX
                return 200, {**self._page(items, params), "total_is_exact": exact}
            case "GET", ["works"]:
                return 200, {"items": [self.works[i] for i in self._ids(params, "ids")
                                       if i in self.works]}
            case "GET", ["works", wid, "society-registrations"]:
                return 200, self.society_registrations.get(wid, [])
            case "GET", ["history"]:
                return 200, {"items": {i: self.history.get(i, [])
                                       for i in self._ids(params, "work_ids") if i in self.works}}
            case "POST", ["works"]:
                holders = body["rights_holders"]
                if who.party_id not in {h["party_id"] for h in holders}:
                    raise Refused(403, "FILER_NOT_HOLDER", "the filer must be a rights holder",
                                  "rights_holders")
                if sum(Decimal(h["share"]) for h in holders) != Decimal("100"):
                    raise Refused(400, "SHARES_TOTAL", "shares must sum to 100.00",
                                  "rights_holders")
                for i, h in enumerate(holders):
                    if h["party_id"] not in self.parties:
                        raise Refused(400, "UNKNOWN_PARTY", "no such party",
                                      f"rights_holders[{i}].party_id")
                wid = self.add_work([(h["party_id"], h["share"]) for h in holders],
                                    title=body["title"])
                return 201, self.works[wid]
            case "POST", ["works", wid, "review"]:
                if not who.is_examiner:
                    raise Refused(403, "FORBIDDEN", "examiners only")
                if wid not in self.works:
                    raise Refused(404, "NOT_FOUND", "no such work")
                work = self.works[wid]
                if work["status"] != "UNDER_REVIEW":
                    raise Refused(409, "ILLEGAL_TRANSITION", "not under review")
                work["status"] = "REGISTERED" if body["decision"] == "REGISTER" else "REJECTED"
                return 200, work
            case "POST", ["works", wid, "disputes"]:
                if wid not in self.works:
                    raise Refused(404, "NOT_FOUND", "no such work")
                self.works[wid]["status"] = "DISPUTED"
                return 200, self.works[wid]
            case "POST", ["works", wid, "dispute-resolution"]:
                if not who.is_examiner:
                    raise Refused(403, "FORBIDDEN", "examiners only")
                self.works[wid]["status"] = "REGISTERED"
                return 200, self.works[wid]
            case "POST", ["works", wid, "transfers"]:
                if who.party_id not in self.owners(wid):
                    raise Refused(403, "NOT_OWNER", "only an owner may transfer")
                return 200, self.works[wid]
        raise Refused(404, "NO_ROUTE", f"{method} /{'/'.join(parts)}")

    def _licensing(self, who: Principal, method: str, parts: list[str],
                   params: dict[str, str], body: Any) -> tuple[int, Any]:
        visible = [lic for lic in self.licences.values() if self.sees_licence(who, lic)]
        by_id = {lic["id"]: lic for lic in visible}

        def grouped(store: dict[str, list[Json]]) -> Json:
            return {"items": {i: store.get(i, []) for i in self._ids(params, "licence_ids")
                              if i in by_id}}

        issue20 = self._issue20(who, method, parts, params, body, by_id)
        if issue20 is not None:
            return issue20
        match method, parts:
            case "GET", ["licences", "search"]:
                items = visible
                if params.get("work_id"):
                    items = [x for x in items if x["work_id"] == params["work_id"]]
                if params.get("as_licensee") == "true":
                    items = [x for x in items if x["licensee_id"] == who.party_id]
                return 200, self._page(items, params)
            case "GET", ["licences", "by-work"]:
                ids = self._ids(params, "work_ids")
                status = params.get("status")
                return 200, {"items": {w: [x for x in visible if x["work_id"] == w
                                           and (status is None or x["status"] == status)]
                                       for w in ids}}
            case "GET", ["licences"]:
                return 200, {"items": [by_id[i] for i in self._ids(params, "ids") if i in by_id]}
            case "GET", ["usage-reports"]:
                return 200, grouped(self.reports)
            case "GET", ["statements"]:
                return 200, grouped(self.statements)
            case "GET", ["licence-events"]:
                return 200, grouped(self.licence_events)
            case "GET", ["licence-versions"]:
                return 200, grouped(self.licence_versions)
            case "GET", ["licence-history"]:
                return 200, grouped({})
            case "POST", ["licences", lid, "amendments", number, answer] if lid in by_id:
                version = self.licence_versions[lid][int(number) - 1]
                self.amendment_answers.append((lid, int(number), answer))
                version["state"] = "ACCEPTED" if answer == "accept" else "DECLINED"
                return 200, by_id[lid] if answer == "accept" else version
            case "GET", ["works", wid, "availability"]:
                self.availability_asked.append(dict(params))
                return 200, self._availability(wid)
            case "GET", ["availability"]:
                self.availability_asked.append(dict(params))
                return 200, {"items": {w: self._availability(w)
                                       for w in self._ids(params, "work_ids") if w in self.works}}
            case "POST", ["licences"]:
                work = self.works.get(body["work_id"])
                if work is None:
                    raise Refused(404, "UNKNOWN_WORK", "no such work", "work_id")
                if who.party_id not in self.owners(work["id"]):
                    raise Refused(403, "NOT_OWNER", "only an owner may offer")
                lid = self.add_licence(work["id"], who.party_id, body["licensee_id"])
                self.licences[lid]["terms"].update(
                    {k: body[k] for k in ("territories", "media", "exclusive", "start", "end",
                                          "royalty_rate", "advance", "currency",
                                          "minimum_guarantee")})
                if body.get("deal_id") is not None:
                    self.licences[lid]["deal"] = {
                        "id": body["deal_id"],
                        "cross_collateralised": body["cross_collateralised"],
                    }
                return 201, self.licences[lid]
            case "POST", ["licences", lid, "usage-reports"]:
                lic = self.licences.get(lid)
                if lic is None or lic["id"] not in by_id:
                    raise Refused(404, "NOT_FOUND", "no such licence")
                if lic["licensee_id"] != who.party_id:
                    raise Refused(403, "NOT_LICENSEE", "only the licensee reports usage")
                if lic["status"] != "ACTIVE":
                    raise Refused(409, "LICENCE_NOT_ACTIVE", "the licence is not active")
                report = {"id": str(uuid.uuid4()), "licence_id": lid, **body,
                          "created_at": now()}
                gross = Decimal(body["gross_revenue"])
                royalty = (gross * Decimal(lic["terms"]["royalty_rate"]) / 100).quantize(
                    Decimal("0.01"))
                statement = {
                    "id": str(uuid.uuid4()), "licence_id": lid, "work_id": lic["work_id"],
                    "report_id": report["id"], "period_start": body["period_start"],
                    "period_end": body["period_end"], "gross": str(gross),
                    "royalty": str(royalty), "recouped": str(royalty), "payable": "0.00",
                    "currency": lic["terms"]["currency"],
                    "lines": [{"party_id": h["party_id"], "share": h["share"], "amount": "0.00"}
                              for h in self.works[lic["work_id"]]["rights_holders"]],
                    "issued_at": now(),
                }
                self.reports.setdefault(lid, []).append(report)
                self.statements.setdefault(lid, []).append(statement)
                return 201, {"report": report, "statement": statement}
            case "POST", ["licences", lid, "advance-payment"]:
                lic = self.licences.get(lid)
                if lic is None or lic["id"] not in by_id:
                    raise Refused(404, "NOT_FOUND", "no such licence")
                if lic["licensee_id"] != who.party_id:
                    raise Refused(403, "NOT_THE_LICENSEE", "only the licensee records it")
                advance = lic["terms"]["advance"]
                holders = self.works[lic["work_id"]]["rights_holders"]
                statement = {
                    "id": str(uuid.uuid4()), "licence_id": lid, "work_id": lic["work_id"],
                    "kind": "ADVANCE", "report_id": None, "period_start": body["paid_on"],
                    "period_end": body["paid_on"], "gross": "0.00", "royalty": "0.00",
                    "recouped": "0.00", "payable": advance, "currency": lic["terms"]["currency"],
                    "lines": [{"party_id": h["party_id"], "share": h["share"],
                               "amount": str(Decimal(advance) * Decimal(h["share"]) / 100)}
                              for h in holders],
                    "usage_lines": None, "issued_at": now(),
                    "advance_payment": {"paid_on": body["paid_on"],
                                        "reference": body["reference"].strip()},
                }
                self.statements.setdefault(lid, []).append(statement)
                return 201, statement
            case "POST", ["licences", lid, action]:
                lic = self.licences.get(lid)
                if lic is None or lic["id"] not in by_id:
                    raise Refused(404, "NOT_FOUND", "no such licence")
                allowed = {
                    "accept": who.party_id == lic["licensee_id"],
                    "decline": who.party_id == lic["licensee_id"],
                    "withdraw": who.party_id == lic["licensor_id"],
                    "terminate": who.party_id == lic["licensee_id"]
                    or who.party_id in self.owners(lic["work_id"]),
                }[action]
                if not allowed:
                    raise Refused(403, "FORBIDDEN", f"you may not {action} this licence")
                lic["status"] = {"accept": "ACTIVE", "decline": "DECLINED",
                                 "withdraw": "WITHDRAWN", "terminate": "TERMINATED"}[action]
                return 200, lic
        raise Refused(404, "NO_ROUTE", f"{method} /{'/'.join(parts)}")

    def _issue20(self, who: Principal, method: str, parts: list[str], params: dict[str, str],
                 body: Any, by_id: dict[str, Json]) -> tuple[int, Any] | None:
        """Owners' consent, statement payments, the ledger and mandates (issue 20)."""
        match method, parts:
            case "GET", ["owner-consents"]:
                return 200, {"items": {i: self.owner_consents.get(i, [])
                                       for i in self._ids(params, "licence_ids") if i in by_id}}
            case "POST", ["licences", lid, ("consent" | "refuse") as answer] if lid in by_id:
                mine = [c for c in self.owner_consents.get(lid, [])
                        if c["party_id"] == who.party_id and c["status"] == "PENDING"]
                if not mine:
                    raise Refused(403, "NOT_ASKED_TO_CONSENT", "you were not asked")
                mine[0].update(status="CONSENTED" if answer == "consent" else "REFUSED",
                               reason=(body or {}).get("reason"), decided_at=now())
                lic = by_id[lid]
                if answer == "refuse":
                    lic["status"] = "REFUSED_BY_OWNERS"
                elif all(c["status"] != "PENDING" for c in self.owner_consents[lid]):
                    lic["status"] = "OFFERED"
                return 200, lic
            case "POST", ["statements", sid, "payment"]:
                found = [(lid, s) for lid, ss in self.statements.items() for s in ss
                         if s["id"] == sid and lid in by_id]
                if not found:
                    raise Refused(404, "UNKNOWN_STATEMENT", "no such statement")
                lid, statement = found[0]
                if by_id[lid]["licensee_id"] != who.party_id:
                    raise Refused(403, "NOT_THE_LICENSEE", "only the licensee pays")
                if not body["reference"].strip():
                    raise Refused(400, "INVALID_PAYMENT", "a reference is required",
                                  "reference")
                if (statement.get("payment") or {}).get("status") == "PAID":
                    raise Refused(409, "STATEMENT_ALREADY_PAID", "paid already")
                statement["payment"] = {"status": "PAID", "paid_on": body["paid_on"],
                                        "reference": body["reference"],
                                        "amount": statement["payable"]}
                return 200, {**statement, "converted": None}
            case "GET", ["balances"]:
                return 200, {"ledgers": [{**ledger, "from": params.get("from"),
                                          "to": params.get("to") or ledger["to"]}
                                         for ledger in self.ledgers]}
            case "GET", ["payee-statements"]:
                target = params.get("convert_to")
                if target is not None and target not in self.rates:
                    raise Refused(409, "NO_EXCHANGE_RATE", f"no rate into {target}",
                                  "convertTo")
                mine = [{**s, "payment": s.get("payment") or {"status": "UNPAID", "paid_on": None,
                                                               "reference": None, "amount": None},
                         "converted": None if target is None else {
                             "currency": target, "lines": [], "rate": {
                                 "base": s["currency"], "quote": target,
                                 "rate": self.rates[target], "source": "ECB",
                                 "effective_on": s["issued_at"][:10]},
                             "payable": str(Decimal(s["payable"])
                                            * Decimal(self.rates[target]))}}
                        for lid, ss in self.statements.items() if lid in by_id for s in ss]
                return 200, self._page(mine, params)
            case "GET", ["mandates"]:
                return 200, {"items": [m for m in self.mandates.values()
                                       if who.party_id in (m["grantor_id"], m["agent_id"])]}
            case "POST", ["mandates"]:
                if body["agent_id"] == who.party_id:
                    raise Refused(400, "SELF_MANDATE", "not to yourself", "agent_id")
                mandate = {"id": str(uuid.uuid4()), "grantor_id": who.party_id,
                           **{k: body.get(k) for k in ("agent_id", "work_id", "valid_from",
                                                       "valid_until")},
                           "media": body.get("media") or [], "granted_at": now(),
                           "revoked_at": None}
                self.mandates[mandate["id"]] = mandate
                return 201, mandate
            case "POST", ["mandates", mid, "revoke"]:
                mandate = self.mandates.get(mid)
                if mandate is None or mandate["grantor_id"] != who.party_id:
                    raise Refused(403, "NOT_THE_GRANTOR", "only its grantor revokes it")
                mandate["revoked_at"] = now()
                return 200, mandate
        return None

    def _availability(self, work_id: str) -> Json:
        conflicts = [
            {"licence_id": x["id"], "territories": ["TH"], "media": ["STREAMING"],
             "start": "2026-01-01", "end": "2026-12-31", "exclusive": True}
            for x in self.licences.values()
            if x["work_id"] == work_id and x["status"] == "ACTIVE" and x["terms"]["exclusive"]
        ]
        return {"available": not conflicts, "conflicts": conflicts}

    def _notifications(self, who: Principal, method: str, parts: list[str],
                       params: dict[str, str], body: Any) -> tuple[int, Any]:
        caller = access.Caller.of(who.party_id, who.roles)

        def own(n: Json) -> bool:
            return self.leaky_reads or access.may_see_notification(caller, n["recipient_id"])

        match method, parts:
            case "PUT", ["contacts", pid]:
                if not access.may_register_party(caller, uuid.UUID(pid)):
                    raise Refused(403, "FORBIDDEN", "only the party itself")
                # A key that is present is a change; the others stay (as the service does).
                stored = self.contacts[pid] = {**self.contacts.get(pid, {}), **body}
                return 200, {"party_id": pid, "email": stored.get("email"),
                             "webhook_url": stored.get("webhook_url"),
                             "has_webhook_secret": bool(stored.get("webhook_secret"))}
            case "GET", ["contacts", pid]:
                if not access.may_manage_contacts(caller, uuid.UUID(pid)):
                    raise Refused(403, "FORBIDDEN", "only the party itself")
                stored = self.contacts.get(pid, {})
                return 200, {"party_id": pid, "email": stored.get("email"),
                             "webhook_url": stored.get("webhook_url"),
                             "has_webhook_secret": bool(stored.get("webhook_secret"))}
            case "GET", ["notifications"]:
                recipient = params.get("recipient_id", "")
                if not access.may_see_notification(caller, recipient) and not self.leaky_reads:
                    raise Refused(403, "FORBIDDEN", "your own notifications only")
                items = [n for n in self.notifications
                         if n["recipient_id"] == params.get("recipient_id") or self.leaky_reads]
                if params.get("unread_only") == "true":
                    items = [n for n in items if n["read_at"] is None]
                return 200, self._page(items, params)
            case "GET", ["notifications", "by-subject"]:
                ids = self._ids(params, "subject_ids")
                return 200, {"items": {s: [n for n in self.notifications
                                           if n["subject_id"] == s and own(n)] for s in ids}}
            case ("PUT" | "DELETE") as verb, ["societies", pid]:
                if not who.has("operator"):
                    raise Refused(403, "FORBIDDEN", "operators only")
                if verb == "PUT":
                    self.societies.add(pid)
                else:
                    self.societies.discard(pid)
                return 200, {"party_id": pid, "subscribed": verb == "PUT"}
            case "POST", ["notifications", "read"]:
                updated = 0
                for n in self.notifications:
                    if n["id"] in body["ids"] and n["recipient_id"] == who.party_id:
                        n["read_at"] = now()
                        updated += 1
                return 200, {"updated": updated}
        raise Refused(404, "NO_ROUTE", f"{method} /{'/'.join(parts)}")
