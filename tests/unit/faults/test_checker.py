"""The fault suite's checker over made-up histories and observations (no servers)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from contracts import topics as t
from faults.checker import (
    check,
    final_ops,
    licence_lifecycles,
    statements_after_reports,
    versions_in_order,
)
from faults.collect import Observed, Record
from faults.nemesis import FAULT_KINDS, make_schedule
from faults.workload import Generator, Model, classify, learn

WORK, LICENCE, A, B, L = "w1", "l1", "pa", "pb", "pl"


def op(n: int, kind: str, result: str, *, actor: str = A, value: dict[str, Any] | None = None,
       **args: Any) -> dict[str, Any]:
    return {"n": n, "id": f"op{n}", "kind": kind, "actor": actor, "args": args,
            "result": result, "value": value or {}}


def record(topic: str, offset: int, key: str, ce_type: str, data: dict[str, Any],
           ce_id: str | None = None) -> Record:
    return Record(topic, 0, offset, key, ce_id or f"{topic}-{offset}", ce_type, data)


def filed_work() -> tuple[dict[str, Any], Observed]:
    """One work filed by A alone (ok), present everywhere it should be."""
    filing = op(1, "file", "ok", value={"work": WORK, "status": "REGISTERED"},
                title="Song op1", holders=[{"partyId": A, "role": "COMPOSER", "share": "100.00"}])
    seen = Observed()
    holders = {A: Decimal("100")}
    seen.works[WORK] = {"title": "Song op1", "status": "REGISTERED", "version": 2,
                        "holders": dict(holders)}
    seen.register_works[WORK] = {"status": "REGISTERED", "version": 2, "holders": dict(holders)}
    seen.known_works.add(WORK)
    seen.records += [record(t.FILING_WORKS, 0, WORK, t.WORK_FILED, {"version": 1}),
                     record(t.FILING_WORKS, 1, WORK, t.WORK_REGISTERED, {"version": 2})]
    return filing, seen


def transferred(seen: Observed, n: int, *, rows: int = 1) -> None:
    """Filing's state after one transfer of 1.00 from A to B, seen `rows` times."""
    seen.filing_keys[f"op{n}"] = {"status": 200, "answer": {}}
    seen.transfer_rows[WORK] += rows
    for holders in (seen.works[WORK]["holders"], seen.register_works[WORK]["holders"]):
        holders[A] = holders[A] - rows
        holders[B] = holders.get(B, Decimal(0)) + rows
    for _ in range(rows):
        version = seen.works[WORK]["version"] + 1
        seen.works[WORK]["version"] = seen.register_works[WORK]["version"] = version
        seen.records.append(record(t.FILING_WORKS, version - 1, WORK,
                                   t.WORK_OWNERSHIP_TRANSFERRED, {"version": version}))


def test_a_clean_history_has_nothing_lost_duplicated_or_out_of_order() -> None:
    filing, seen = filed_work()
    transfer = op(2, "transfer", "ok", work=WORK, to=B, share="1.00")
    transferred(seen, 2)
    result = check([filing, transfer], seen)
    assert (result.lost, result.duplicated, result.order_violations) == ([], [], [])
    assert result.acknowledged == 2


def test_an_acknowledged_filing_missing_from_a_read_model_is_lost() -> None:
    filing, seen = filed_work()
    seen.register_works.clear()
    result = check([filing], seen)
    assert len(result.lost) == 1
    assert "licensing's register" in result.lost[0]


def test_an_unknown_operation_that_never_happened_is_not_lost() -> None:
    filing, seen = filed_work()
    transfer = op(2, "transfer", "unknown", work=WORK, to=B, share="1.00")
    result = check([filing, transfer], seen)
    assert result.lost == []


def test_a_transfer_applied_twice_is_a_duplicated_ownership_change() -> None:
    filing, seen = filed_work()
    transfer = op(2, "transfer", "unknown", work=WORK, to=B, share="1.00")
    transferred(seen, 2, rows=2)
    result = check([filing, transfer], seen)
    assert any("2 ownership changes" in d for d in result.duplicated)


def test_a_second_licence_for_one_offer_is_duplicated() -> None:
    _, seen = filed_work()
    offer = op(3, "offer", "unknown", work=WORK, licensee=L, advance="0.03")
    for licence in ("l1", "l2"):
        seen.licences[licence] = {"work": WORK, "licensee": L, "status": "OFFERED",
                                  "advance": Decimal("0.03")}
    assert check([offer], seen).duplicated == ["op3 (offer): 2 licences"]


def test_a_delivery_sent_twice_under_its_own_id_is_a_redelivery_not_a_duplicate() -> None:
    _, seen = filed_work()
    seen.deliveries = [{"id": "d1", "event": "e1", "recipient": A, "channel": "EMAIL",
                        "status": "DELIVERED"}]
    seen.mail_ids = ["d1", "d1"]
    result = check([], seen)
    assert (result.redelivered, result.duplicated, result.lost) == (1, [], [])


def test_a_delivered_mail_the_sink_never_got_is_lost() -> None:
    _, seen = filed_work()
    seen.deliveries = [{"id": "d1", "event": "e1", "recipient": A, "channel": "EMAIL",
                        "status": "DELIVERED"}]
    assert check([], seen).lost == ["delivery d1 (EMAIL): DELIVERED but not at the sink"]


def test_versions_that_regress_or_skip_are_order_violations_but_a_copy_is_not() -> None:
    first = record(t.FILING_WORKS, 0, WORK, t.WORK_FILED, {"version": 1}, "e1")
    records = [first, record(t.FILING_WORKS, 1, WORK, t.WORK_REGISTERED, {"version": 2}, "e2"),
               record(t.FILING_WORKS, 2, WORK, t.WORK_FILED, {"version": 1}, "e1")]
    assert versions_in_order(records) == []
    records.append(record(t.FILING_WORKS, 3, WORK, t.WORK_DISPUTED, {"version": 4}, "e4"))
    records.append(record(t.FILING_WORKS, 4, WORK, t.WORK_REGISTERED, {"version": 3}, "e3"))
    assert len(versions_in_order(records)) == 2


def test_a_licence_activated_before_it_was_offered_breaks_its_lifecycle() -> None:
    records = [record(t.LICENSING_LICENCES, 0, LICENCE, t.LICENCE_ACTIVATED, {}),
               record(t.LICENSING_LICENCES, 1, LICENCE, t.LICENCE_OFFERED, {})]
    assert len(licence_lifecycles(records)) == 2
    assert licence_lifecycles(list(reversed(records))) == []


def test_an_offer_awaiting_owners_is_offered_after_their_consents_and_mandates_are_no_licences(
) -> None:
    types = [t.LICENCE_AWAITING_OWNERS, t.LICENCE_OWNER_CONSENTED, t.LICENCE_OWNER_CONSENTED,
             t.LICENCE_OFFERED, t.LICENCE_ACTIVATED]
    records = [record(t.LICENSING_LICENCES, i, LICENCE, ce_type, {})
               for i, ce_type in enumerate(types)]
    records.append(record(t.LICENSING_LICENCES, 9, "m1", t.MANDATE_GRANTED, {}))
    assert licence_lifecycles(records) == []
    # Accepted while the owners were still asked: a broken lifecycle.
    early = [records[0], record(t.LICENSING_LICENCES, 1, LICENCE, t.LICENCE_ACTIVATED, {})]
    assert len(licence_lifecycles(early)) == 1


def test_a_statement_before_its_usage_report_is_out_of_order() -> None:
    report = record(t.LICENSING_ROYALTIES, 0, LICENCE, t.USAGE_REPORTED, {"report": {"id": "r1"}})
    statement = record(t.LICENSING_ROYALTIES, 1, LICENCE, t.ROYALTY_STATEMENT_ISSUED,
                       {"statement": {"id": "s1", "report_id": "r1"}})
    assert statements_after_reports([report, statement]) == []
    assert len(statements_after_reports([statement, report])) == 1


def test_a_read_model_behind_its_source_is_an_order_violation() -> None:
    filing, seen = filed_work()
    seen.register_works[WORK]["version"] = 1
    assert any("licensing's register at version 1" in v
               for v in check([filing], seen).order_violations)


def test_the_last_line_of_each_operation_is_its_outcome() -> None:
    lines = [op(1, "file", "invoke"), op(2, "file", "invoke"), op(1, "file", "ok")]
    assert [(o["id"], o["result"]) for o in final_ops(lines)] == [("op1", "ok"), ("op2", "invoke")]


def test_answers_are_classified_ok_fail_or_unknown() -> None:
    from faults.workload import Op

    def outcome(body: dict[str, Any]) -> str:
        o = Op(n=1, id="op1", kind="accept", actor=L, args={"licence": LICENCE})
        classify(o, 200, body)
        return o.result

    ok = {"data": {"acceptLicence": {"licence": {"id": LICENCE, "status": "ACTIVE"},
                                     "errors": []}}}
    refused = {"data": {"acceptLicence": {"licence": None, "errors": [
        {"code": "CONFLICT", "message": "taken", "field": None}]}}}
    unreachable = {"errors": [{"message": "licensing unreachable",
                               "extensions": {"code": "SERVICE_UNAVAILABLE"}}]}
    unauthenticated = {"errors": [{"message": "no", "extensions": {"code": "UNAUTHENTICATED"}}]}
    assert [outcome(b) for b in (ok, refused, unreachable, unauthenticated)] == [
        "ok", "fail", "unknown", "fail"]


def test_the_same_seed_makes_the_same_choices_and_schedule() -> None:
    def choices(seed: int) -> list[tuple[str, str]]:
        model = Model(creators=[f"c{i}" for i in range(6)], licensees=["l0", "l1"])
        generator = Generator(seed, "run", model)
        made = []
        for n in range(40):
            o = generator.next()
            o.result = "ok"
            o.value = {"file": {"work": f"w{n}", "status": "REGISTERED" if len(
                           o.args.get("holders", [])) == 1 else "AWAITING_CONSENT"},
                       "confirm": {"work": o.args.get("work"), "status": "REGISTERED"},
                       "offer": {"licence": f"l{n}", "status": "OFFERED"},
                       "accept": {"licence": o.args.get("licence"), "status": "ACTIVE"},
                       "usage": {"report": f"r{n}", "statement": f"s{n}"},
                       "transfer": {}}[o.kind]
            learn(model, o)
            made.append((o.kind, o.actor))
        return made

    assert choices(7) == choices(7) != choices(8)
    assert "confirm" in {kind for kind, _ in choices(7)}
    assert make_schedule(7, 3) == make_schedule(7, 3)
    counted = Counter(f.kind for f in make_schedule(7, 3).faults)
    assert counted == dict.fromkeys(FAULT_KINDS, 3)


def confirmed_work(*, given: int = 1) -> tuple[list[dict[str, Any]], Observed]:
    """A work filed by A naming B (awaiting consent), then confirmed by B (`given` times on
    the topic): registered."""
    holders = [{"partyId": A, "role": "COMPOSER", "share": "50.00"},
               {"partyId": B, "role": "COMPOSER", "share": "50.00"}]
    filing = op(1, "file", "ok", value={"work": WORK, "status": "AWAITING_CONSENT"},
                title="Song op1", holders=holders)
    confirm = op(2, "confirm", "ok", actor=B, value={"work": WORK, "status": "REGISTERED"},
                 work=WORK, holders=holders)
    seen = Observed()
    shares = {A: Decimal("50"), B: Decimal("50")}
    version = 3 + given
    seen.works[WORK] = {"title": "Song op1", "status": "REGISTERED", "version": version,
                        "holders": dict(shares)}
    seen.register_works[WORK] = {"status": "REGISTERED", "version": version,
                                 "holders": dict(shares)}
    seen.known_works.add(WORK)
    seen.consents[WORK] = {B: "CONFIRMED"}
    types = [t.WORK_FILED, t.WORK_CONSENT_REQUESTED] + [t.WORK_CONSENT_GIVEN] * given + [
        t.WORK_REGISTERED]
    seen.records += [record(t.FILING_WORKS, i, WORK, ce_type,
                            {"version": i + 1, "party_id": B})
                     for i, ce_type in enumerate(types)]
    return [filing, confirm], seen


def test_a_co_owners_confirmation_is_checked_like_any_effect() -> None:
    ops, seen = confirmed_work()
    result = check(ops, seen)
    assert (result.lost, result.duplicated, result.order_violations) == ([], [], [])
    assert result.by_kind["confirm"] == {"ok": 1, "fail": 0, "unknown": 0}
    seen.consents[WORK][B] = "PENDING"
    seen.works[WORK]["status"] = "AWAITING_CONSENT"
    assert check(ops, seen).lost == [
        "op2 (confirm): missing from filing's consent, filing's work status"]


def test_a_confirmation_given_twice_on_the_topic_is_duplicated() -> None:
    ops, seen = confirmed_work(given=2)
    assert check(ops, seen).duplicated == [f"work {WORK}: 2 confirmations by {B} on the topic"]


def test_a_two_owner_filing_waits_for_the_co_owner_whose_confirmation_registers_it() -> None:
    model = Model(creators=[A, B], licensees=[L])
    filing = op(1, "file", "ok", value={"work": WORK, "status": "AWAITING_CONSENT"},
                holders=[{"partyId": A, "role": "COMPOSER", "share": "50.00"},
                         {"partyId": B, "role": "COMPOSER", "share": "50.00"}])
    from faults.workload import Op
    learn(model, Op(**{k: v for k, v in filing.items()}))
    assert WORK not in model.shares and model.awaiting[WORK]["asked"] == [B]
    generator = Generator(1, "run", model)
    confirm = generator._confirm(2, "run-op000002")  # the only awaiting work's co-owner
    assert confirm[0] == B and model.awaiting == {}
    answer = Op(n=2, id="run-op000002", kind="confirm", actor=B, args=confirm[1])
    classify(answer, 200, {"data": {"confirmHolding": {
        "work": {"id": WORK, "status": "REGISTERED"}, "errors": []}}})
    learn(model, answer)
    assert model.shares[WORK] == {A: Decimal("50.00"), B: Decimal("50.00")}
