"""The breaking-change gate (EVENTS.md, Evolution): only new optional fields are compatible."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from contracts.compat import breaking_changes
from contracts.events import EVENT_TYPES, WorkRegistered
from contracts.generate import event_schema
from pydantic import Field

from contracts import generate, topics

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"


def published(ce_type: str) -> dict[str, Any]:
    path = CONTRACTS / "schemas" / f"{ce_type}.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def registered() -> dict[str, Any]:
    return published(topics.WORK_REGISTERED)


@pytest.mark.parametrize("ce_type", sorted(EVENT_TYPES))
def test_a_schema_is_compatible_with_itself(ce_type: str) -> None:
    assert breaking_changes(published(ce_type), published(ce_type)) == []


def test_a_new_optional_field_is_compatible() -> None:
    new = registered()
    new["properties"]["channel_hint"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    new["$defs"]["WorkState"]["properties"]["genre"] = {"type": "string"}
    assert breaking_changes(registered(), new) == []


def test_new_descriptions_and_titles_are_compatible() -> None:
    new = registered()
    new["description"] = "reworded"
    new["$defs"]["WorkState"]["properties"]["title"]["title"] = "Work title"
    assert breaking_changes(registered(), new) == []


def test_a_new_required_field_is_breaking() -> None:
    new = registered()
    new["properties"]["examiner_id"] = {"type": "string", "format": "uuid"}
    new["required"].append("examiner_id")
    assert breaking_changes(registered(), new) == [
        "$.examiner_id: new field is required (only optional fields may be added)"
    ]


def test_a_removed_field_is_breaking() -> None:
    new = registered()
    del new["$defs"]["WorkState"]["properties"]["filing_number"]
    new["$defs"]["WorkState"]["required"].remove("filing_number")
    assert breaking_changes(registered(), new) == ["$.work.filing_number: field removed"]


def test_a_changed_type_is_breaking_and_names_the_path() -> None:
    new = registered()
    new["$defs"]["RightsHolder"]["properties"]["share"] = {"type": "number"}
    problems = breaking_changes(registered(), new)
    assert problems
    assert all(p.startswith("$.work.rights_holders[items].share") for p in problems)


def test_an_optional_field_made_required_is_breaking() -> None:
    new = registered()
    new["$defs"]["WorkState"]["required"].append("registration_number")
    assert breaking_changes(registered(), new) == [
        "$.work.registration_number: field became required"
    ]


def test_a_required_field_made_optional_is_breaking() -> None:
    new = registered()
    new["$defs"]["WorkState"]["required"].remove("title")
    assert breaking_changes(registered(), new) == ["$.work.title: field is no longer required"]


def test_a_new_enum_value_is_breaking() -> None:
    new = registered()
    new["$defs"]["WorkKind"]["enum"].append("PODCAST")
    assert breaking_changes(registered(), new) == [
        "$.work.kind[enum]: changed from "
        + json.dumps(registered()["$defs"]["WorkKind"]["enum"])
        + " to "
        + json.dumps(new["$defs"]["WorkKind"]["enum"])
    ]


def test_a_tightened_pattern_is_breaking() -> None:
    new = registered()
    new["$defs"]["WorkState"]["properties"]["filing_number"]["pattern"] = r"^F-\d{4}-\d{7}$"
    assert len(breaking_changes(registered(), new)) == 1


def test_a_nullable_field_made_non_null_is_breaking() -> None:
    new = registered()
    new["properties"]["reason"] = {"type": "string"}
    assert breaking_changes(registered(), new)


def test_closing_the_object_to_new_fields_is_breaking() -> None:
    new = copy.deepcopy(registered())
    new["additionalProperties"] = False
    assert breaking_changes(registered(), new) == ["$[additionalProperties]: keyword added (false)"]


# The gate fed a real model change: a v1 type edited in place instead of published as v2.


class WorkRegisteredWithRequiredExaminer(WorkRegistered):
    examiner_id: str = Field(min_length=1)


class WorkRegisteredWithOptionalNote(WorkRegistered):
    note: str | None = None


def test_gate_rejects_a_model_change_that_adds_a_required_field() -> None:
    problems = breaking_changes(registered(), event_schema(WorkRegisteredWithRequiredExaminer))
    assert problems == ["$.examiner_id: new field is required (only optional fields may be added)"]


def test_gate_accepts_a_model_change_that_adds_an_optional_field() -> None:
    assert breaking_changes(registered(), event_schema(WorkRegisteredWithOptionalNote)) == []


def test_check_command_fails_when_the_models_break_a_published_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    generate.write(tmp_path)
    monkeypatch.setattr(
        generate,
        "ALL_EVENTS",
        tuple(
            WorkRegisteredWithRequiredExaminer if cls is WorkRegistered else cls
            for cls in generate.ALL_EVENTS
        ),
    )
    assert generate.main(["--check", "--root", str(tmp_path)]) == 1
    assert "breaking: org.aseanip.filing.work.registered.v1.json: $.examiner_id" in (
        capsys.readouterr().err
    )
    # Plain generation refuses to overwrite the published schema too.
    before = (tmp_path / "schemas" / f"{topics.WORK_REGISTERED}.json").read_text("utf-8")
    assert generate.main(["--root", str(tmp_path)]) == 1
    after = (tmp_path / "schemas" / f"{topics.WORK_REGISTERED}.json").read_text("utf-8")
    assert before == after


def test_removing_a_published_type_is_breaking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate.write(tmp_path)
    monkeypatch.setattr(
        generate, "ALL_EVENTS", tuple(c for c in generate.ALL_EVENTS if c is not WorkRegistered)
    )
    assert generate.breaking_against_committed(tmp_path) == [
        f"{topics.WORK_REGISTERED}.json: published type removed (keep it, add a new version)"
    ]
