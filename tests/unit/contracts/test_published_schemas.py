"""The committed contract files: fresh, compatible, and what an outside consumer validates with.

These tests read `contracts/schemas/*.json` from disk with the `jsonschema` library only, the
way a collecting society's consumer would, not through the models that generated them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from contracts.envelope import encode
from contracts.events import EVENT_TYPES, EventData
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from contracts import generate, topics

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"
SCHEMAS = CONTRACTS / "schemas"
SCHEMA_BASE = "https://schemas.aseanip.org/events/"


def committed_schema_for(dataschema_uri: str) -> dict[str, Any]:
    """Follow `ce_dataschema` to the committed file, as a consumer with a local mirror would."""
    assert dataschema_uri.startswith(SCHEMA_BASE)
    path = SCHEMAS / dataschema_uri.removeprefix(SCHEMA_BASE)
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def validator_for(record_headers: list[tuple[str, bytes]]) -> Draft202012Validator:
    uri = dict(record_headers)["ce_dataschema"].decode()
    schema = committed_schema_for(uri)
    assert schema["$id"] == uri
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_committed_files_are_not_stale() -> None:
    assert generate.stale_files(CONTRACTS) == [], "run `python -m contracts.generate`"


def test_committed_schemas_have_no_breaking_change() -> None:
    assert generate.breaking_against_committed(CONTRACTS) == []


def test_check_command_passes_on_the_committed_files() -> None:
    assert generate.main(["--check", "--root", str(CONTRACTS)]) == 0


def test_there_is_one_committed_schema_per_event_type_and_version() -> None:
    assert sorted(p.name for p in SCHEMAS.glob("*.json")) == sorted(
        f"{t}.json" for t in EVENT_TYPES
    )


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.json")), ids=lambda p: p.stem)
def test_committed_schema_is_valid_json_schema_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{SCHEMA_BASE}{path.name}"


@pytest.mark.parametrize("ce_type", sorted(EVENT_TYPES))
def test_every_record_validates_against_its_committed_schema(
    ce_type: str, samples: dict[str, EventData]
) -> None:
    record = encode(samples[ce_type])
    validator_for(record.headers).validate(json.loads(record.value))


def test_committed_schema_refuses_float_money(samples: dict[str, EventData]) -> None:
    record = encode(samples[topics.ROYALTY_STATEMENT_ISSUED])
    data = json.loads(record.value)
    data["statement"]["payable"] = 250.0
    with pytest.raises(SchemaError, match=r"250\.0 is not of type 'string'"):
        validator_for(record.headers).validate(data)


def test_committed_schema_refuses_a_missing_field_and_a_bad_enum(
    samples: dict[str, EventData],
) -> None:
    record = encode(samples[topics.WORK_REGISTERED])
    validator = validator_for(record.headers)
    data = json.loads(record.value)
    del data["work"]["rights_holders"]
    assert any("rights_holders" in e.message for e in validator.iter_errors(data))
    data = json.loads(record.value)
    data["work"]["kind"] = "PODCAST"
    assert any("PODCAST" in e.message for e in validator.iter_errors(data))
    data = json.loads(record.value)
    data["work"]["id"] = "not-a-uuid"
    assert any("uuid" in e.message for e in validator.iter_errors(data))


def test_committed_schema_accepts_fields_added_later(samples: dict[str, EventData]) -> None:
    record = encode(samples[topics.WORK_REGISTERED])
    data = json.loads(record.value) | {"added_in_a_later_version": True}
    validator_for(record.headers).validate(data)


# --- AsyncAPI ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def asyncapi() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CONTRACTS / "asyncapi.json").read_text("utf-8"))
    return document


def test_asyncapi_document_is_version_3(asyncapi: dict[str, Any]) -> None:
    assert asyncapi["asyncapi"] == "3.0.0"
    assert asyncapi["defaultContentType"] == "application/json"


def test_asyncapi_describes_every_topic_and_every_message(asyncapi: dict[str, Any]) -> None:
    addresses = {c["address"] for c in asyncapi["channels"].values()}
    assert addresses == set(topics.ALL_TOPICS)
    names = {m["name"] for m in asyncapi["components"]["messages"].values()}
    assert set(EVENT_TYPES) <= names
    for channel in asyncapi["channels"].values():
        topic = channel["address"]
        listed = {
            asyncapi["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]["name"]
            for ref in channel["messages"].values()
        }
        if topic in topics.TOPIC_EVENT_TYPES:
            assert listed == set(topics.TOPIC_EVENT_TYPES[topic])
        assert channel["bindings"]["kafka"]["partitions"] == topics.PARTITIONS[topic]


def test_asyncapi_payloads_point_at_the_committed_schema_files(asyncapi: dict[str, Any]) -> None:
    for message in asyncapi["components"]["messages"].values():
        if message["name"] not in EVENT_TYPES:
            continue
        ref = message["payload"]["schema"]["$ref"]
        assert (CONTRACTS / ref).is_file()
        assert json.loads((CONTRACTS / ref).read_text("utf-8"))["title"] == message["name"]


def test_asyncapi_operations_reference_existing_channels(asyncapi: dict[str, Any]) -> None:
    for operation in asyncapi["operations"].values():
        assert operation["action"] == "send"
        channel_id = operation["channel"]["$ref"].removeprefix("#/channels/")
        channel = asyncapi["channels"][channel_id]
        for ref in operation["messages"]:
            prefix = f"#/channels/{channel_id}/messages/"
            assert ref["$ref"].removeprefix(prefix) in channel["messages"]


# --- staleness is detected -----------------------------------------------------------------


@pytest.fixture
def copy_of_contracts(tmp_path: Path) -> Path:
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    shutil.copy(CONTRACTS / "asyncapi.json", tmp_path / "asyncapi.json")
    return tmp_path


def test_check_fails_when_a_committed_file_is_stale(copy_of_contracts: Path) -> None:
    path = copy_of_contracts / "schemas" / f"{topics.WORK_FILED}.json"
    schema = json.loads(path.read_text("utf-8"))
    schema["description"] = "edited by hand"
    path.write_text(json.dumps(schema), encoding="utf-8")
    assert generate.stale_files(copy_of_contracts) == [f"schemas/{topics.WORK_FILED}.json: stale"]
    assert generate.main(["--check", "--root", str(copy_of_contracts)]) == 1


def test_check_fails_when_a_committed_file_is_missing(copy_of_contracts: Path) -> None:
    (copy_of_contracts / "asyncapi.json").unlink()
    assert generate.stale_files(copy_of_contracts) == ["asyncapi.json: missing"]
    assert generate.main(["--check", "--root", str(copy_of_contracts)]) == 1


def test_generate_rewrites_stale_files_so_check_passes(copy_of_contracts: Path) -> None:
    (copy_of_contracts / "asyncapi.json").write_text("{}", encoding="utf-8")
    assert generate.main(["--root", str(copy_of_contracts)]) == 0
    assert generate.main(["--check", "--root", str(copy_of_contracts)]) == 0
