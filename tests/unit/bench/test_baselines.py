"""The pure parts of issue 17's baselines: the open-loop ramp's verdicts and capacity, the
level sizes, the ratios to the floor and to the two-hop probe, the floor's one row per
subject, and the report's key figures (a missing one reads "not measured")."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from bench.e2e_latency import (
    RampRules,
    Step,
    achieved_rate,
    capacity,
    rates,
    ratio_at,
    samples_count,
    shortfall,
)
from bench.floor import Decoded, latest_per_subject
from bench.loadgen import schedule
from bench.pipeline import ratios
from bench.report import key_figures

RULES = RampRules(min_achieved_share=0.95, max_mutation_p99_ms=1000, max_effects_lag_s=2)


def step(offered: float, **changes: object) -> Step:
    fields: dict[str, object] = {"offered": offered, "achieved": offered,
                                 "mutation_p99_ms": 50.0, "errors": 0, "effects_lag_s": 0.1}
    return Step(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_rung_answered_in_time_with_its_effects_is_sustained() -> None:
    assert shortfall(step(20), RULES) is None


@pytest.mark.parametrize(("changes", "reason"), [
    ({"errors": 2}, "2 failed mutations"),
    ({"achieved": 18.0}, "answered 18.0/s of 20.0/s"),
    ({"mutation_p99_ms": 1500.0}, "mutation p99 1500 ms"),
    ({"effects_lag_s": 3.0}, "consumers falling behind"),
    ({"effects_lag_s": None}, "not within the drain limit"),
])
def test_a_rung_fails_for_the_first_reason_found(changes: dict[str, object], reason: str) -> None:
    found = shortfall(step(20, **changes), RULES)
    assert found is not None and reason in found


def test_capacity_is_the_last_sustained_rung_before_the_first_failure() -> None:
    steps = [step(10), step(13), step(16.9), step(22, achieved=15.0), step(28.6)]
    found, reason = capacity(steps, RULES)
    assert found == 16.9 and "command path" in reason


def test_a_ramp_failing_at_once_takes_most_of_what_it_achieved() -> None:
    found, _ = capacity([step(10, achieved=5.0)], RULES)
    assert found == pytest.approx(4.0)


def test_a_ramp_never_failing_is_a_lower_bound() -> None:
    found, reason = capacity([step(5), step(6.5)], RULES)
    assert found == 6.5 and "lower bound" in reason


def test_the_ramp_is_geometric() -> None:
    assert rates(5, 2, 4) == [5, 10, 20, 40]


def test_achieved_rate_spans_first_intended_send_to_last_answer() -> None:
    answers = [("a", 0.0, 0.05), ("b", 0.5, 0.55), (None, 1.0, 2.0)]
    assert achieved_rate(answers) == pytest.approx(1.5)
    assert achieved_rate([]) == 0.0


def test_every_level_has_at_least_the_samples_a_p99_needs() -> None:
    assert samples_count(rate=6, seconds=20, samples=1000) == 1000
    assert samples_count(rate=100, seconds=20, samples=1000) == 2000


def test_the_schedule_is_fixed_in_advance() -> None:
    assert schedule(3, 4, 10.0) == [10.0, 10.25, 10.5]


def _level(name: str, read_model: float, notification: float, hop: float | None) -> dict:
    return {"level": name, "answer_to_licensing_read_model": {"p99_ms": read_model},
            "answer_to_notification": {"p99_ms": notification},
            "two_hop": {"latency": {"p99_ms": hop}} if hop is not None else {}}


def test_the_p99_ratio_is_taken_at_half_capacity_against_the_two_hop_probe() -> None:
    levels = [_level("20 %", 10, 10, 1), _level("50 %", 60, 120, 20), _level("80 %", 9, 9, 1)]
    assert ratio_at(levels) == {"read_model": 3.0, "notification": 6.0}


def test_no_probe_at_half_capacity_means_no_ratio() -> None:
    assert ratio_at([_level("50 %", 60, 120, None)]) == {"read_model": None,
                                                          "notification": None}


def test_ratios_to_the_floor() -> None:
    figures = {"licensing": {"per_s": 7000}, "notifications": {"per_s": 2500}}
    assert ratios(figures, 10_000) == {"licensing": 0.7, "notifications": 0.25}
    assert ratios(figures, None) == {"licensing": None, "notifications": None}
    assert ratios({"licensing": {"per_s": 1}}, 10) == {"licensing": 0.1, "notifications": None}


def _record(subject: str, at: str) -> Decoded:
    headers = [("ce_id", str(uuid.uuid4()).encode()), ("ce_type", b"rights.filing.work.filed"),
               ("ce_subject", subject.encode()), ("ce_time", at.encode())]
    return Decoded(headers, json.dumps({"work": {"title": "T", "status": "FILED"}}).encode())


def test_the_floor_upserts_the_last_fresh_event_of_each_subject() -> None:
    first, second, other = (_record("w1", "2026-01-01T00:00:00Z"),
                            _record("w1", "2026-01-01T00:00:01Z"),
                            _record("w2", "2026-01-01T00:00:00Z"))
    chosen = latest_per_subject([first, second, other], {first.id, second.id, other.id})
    assert chosen == [second, other]
    assert second.time == datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)
    assert latest_per_subject([first, second], {first.id}) == [first]


def test_key_figures_say_what_was_not_measured() -> None:
    doc = {"pipeline": {"ratio_to_floor": {"licensing": 0.75, "notifications": 0.3}},
           "replay": {"per_s": 25_000}, "write_path": {"relay_ratio": 0.5}}
    rows = "\n".join(key_figures(doc))
    assert "| `pipeline.ratio_to_floor.licensing` | licensing consumer / exactly-once floor | 0.75 | >= 0.7 | yes |" in rows
    assert "| `pipeline.ratio_to_floor.notifications` |" in rows and "| 0.30 | >= 0.5 | no |" in rows
    assert "| `replay.per_s` | replay of the register's topics, events/s | 25,000 | >= 20,000 | yes |" in rows
    assert "`write_path.filework_gateway_per_s`" in rows
    assert rows.count("not measured") == 4  # gateway, filework, and both e2e ratios
