"""The CloudEvents Kafka binary-mode envelope: round trips and refusal of malformed records."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest
from contracts.envelope import DecodedEvent, KafkaRecord, MalformedRecord, decode, encode
from contracts.errors import DomainError
from contracts.events import EVENT_TYPES, EventData, WorkRegistered

from contracts import topics

ALL_TYPES = sorted(EVENT_TYPES)
EVENT_ID = UUID("cccccccc-cccc-4ccc-8ccc-cccccccccccc")
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def headers_of(record: KafkaRecord) -> dict[str, bytes]:
    return dict(record.headers)


def with_header(record: KafkaRecord, name: str, value: bytes | None) -> list[tuple[str, bytes]]:
    kept = [(k, v) for k, v in record.headers if k != name]
    return kept if value is None else [*kept, (name, value)]


@pytest.mark.parametrize("ce_type", ALL_TYPES)
def test_every_event_type_round_trips_through_a_kafka_record(
    ce_type: str, samples: dict[str, EventData]
) -> None:
    event = samples[ce_type]
    record = encode(event, event_id=EVENT_ID, traceparent=TRACEPARENT, tracestate="aseanip=1")
    decoded = decode(record.value, record.headers, record.key)
    assert decoded == DecodedEvent(
        id=EVENT_ID,
        type=ce_type,
        source=event.source,
        time=event.occurred_at,
        subject=event.aggregate_id(),
        data=event,
        traceparent=TRACEPARENT,
        tracestate="aseanip=1",
    )
    assert type(decoded.data) is type(event)


@pytest.mark.parametrize("ce_type", ALL_TYPES)
def test_record_carries_cloudevents_binary_mode_headers(
    ce_type: str, samples: dict[str, EventData]
) -> None:
    event = samples[ce_type]
    record = encode(event, event_id=EVENT_ID, traceparent=TRACEPARENT)
    headers = headers_of(record)
    assert all(isinstance(v, bytes) for v in headers.values())
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_id"] == str(EVENT_ID).encode()
    assert headers["ce_type"] == ce_type.encode()
    assert headers["ce_source"] in (b"/filing", b"/licensing", b"/notifications")
    assert headers["ce_subject"] == record.key == event.aggregate_id().encode()
    assert headers["ce_dataschema"] == f"https://schemas.aseanip.org/events/{ce_type}.json".encode()
    assert headers["content-type"] == b"application/json"
    assert headers["traceparent"] == TRACEPARENT.encode()
    assert headers["ce_time"].endswith(b"Z")
    assert record.topic == event.topic
    assert ce_type in topics.TOPIC_EVENT_TYPES[record.topic]


def test_record_value_is_the_data_alone_as_deterministic_json(
    samples: dict[str, EventData],
) -> None:
    event = samples[topics.ROYALTY_STATEMENT_ISSUED]
    first, second = encode(event), encode(event)
    assert first.value == second.value
    data = json.loads(first.value)
    assert "specversion" not in data  # binary mode: attributes are headers, not body
    assert data["statement"]["payable"] == "250.00"
    assert data["statement"]["lines"][0]["amount"] == "150.00"
    assert b"250.0," not in first.value  # no JSON floats anywhere


def test_ce_time_defaults_to_occurred_at_and_is_utc_with_z(samples: dict[str, EventData]) -> None:
    event = samples[topics.WORK_REGISTERED]
    record = encode(event)
    assert headers_of(record)["ce_time"] == b"2026-11-24T20:31:05.123456Z"
    bangkok = timezone(timedelta(hours=7))
    later = encode(event, time=datetime(2026, 11, 25, 3, 0, tzinfo=bangkok))
    assert headers_of(later)["ce_time"] == b"2026-11-24T20:00:00Z"


def test_each_encode_gets_a_fresh_event_id(samples: dict[str, EventData]) -> None:
    event = samples[topics.WORK_REGISTERED]
    assert headers_of(encode(event))["ce_id"] != headers_of(encode(event))["ce_id"]


def test_record_without_trace_context_decodes_without_it(samples: dict[str, EventData]) -> None:
    record = encode(samples[topics.WORK_REGISTERED])
    assert "traceparent" not in headers_of(record)
    decoded = decode(record.value, record.headers, record.key)
    assert decoded.traceparent is None and decoded.tracestate is None


def test_invalid_traceparent_on_a_record_is_ignored(samples: dict[str, EventData]) -> None:
    record = encode(samples[topics.WORK_REGISTERED])
    decoded = decode(record.value, with_header(record, "traceparent", b"garbage"), record.key)
    assert decoded.traceparent is None


def test_encode_refuses_an_invalid_traceparent(samples: dict[str, EventData]) -> None:
    with pytest.raises(ValueError, match="traceparent"):
        encode(samples[topics.WORK_REGISTERED], traceparent="not-a-trace")


def test_decode_tolerates_unknown_fields_a_later_optional_addition_brings(
    samples: dict[str, EventData],
) -> None:
    record = encode(samples[topics.WORK_REGISTERED])
    data = json.loads(record.value) | {"added_in_a_later_version": "x"}
    decoded = decode(json.dumps(data).encode(), record.headers, record.key)
    assert decoded.data == samples[topics.WORK_REGISTERED]


def test_decode_accepts_string_header_values_and_content_type_parameters(
    samples: dict[str, EventData],
) -> None:
    record = encode(samples[topics.WORK_REGISTERED])
    headers = [(k, v.decode()) for k, v in with_header(record, "content-type", None)]
    headers.append(("content-type", "application/json; charset=utf-8"))
    assert decode(record.value, headers, record.key).data == samples[topics.WORK_REGISTERED]  # type: ignore[arg-type]


# --- malformed records ---------------------------------------------------------------------


@pytest.fixture
def record(samples: dict[str, EventData]) -> KafkaRecord:
    return encode(samples[topics.WORK_REGISTERED], event_id=EVENT_ID)


def assert_malformed(
    value: bytes | None, headers: list[tuple[str, bytes]], key: bytes | None, field: str, text: str
) -> None:
    with pytest.raises(MalformedRecord, match=text) as caught:
        decode(value, headers, key)
    assert caught.value.field == field
    assert isinstance(caught.value, DomainError)
    assert caught.value.code == "MALFORMED_RECORD"


@pytest.mark.parametrize(
    "name", ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject"]
)
def test_record_missing_a_required_header_is_malformed(record: KafkaRecord, name: str) -> None:
    headers = with_header(record, name, None)
    assert_malformed(record.value, headers, record.key, name, f"missing required .* {name}")


def test_record_with_no_headers_is_malformed(record: KafkaRecord) -> None:
    assert_malformed(record.value, [], record.key, "ce_specversion", "missing")


# One header replaced by a bad value: (header, value, what the error must say).
BAD_HEADERS = [
    pytest.param("ce_type", b"org.aseanip.filing.work.registered.v9", "unknown ce_type",
                 id="unknown-ce_type"),
    *(pytest.param("ce_specversion", version, "ce_specversion", id=f"specversion-{version!r}")
      for version in (b"0.3", b"2.0", b"")),
    pytest.param("ce_source", b"/licensing", "expected /filing", id="source-not-of-the-type"),
    pytest.param("ce_id", b"42", "not a UUID", id="non-uuid-id"),
    # time without a zone, or not RFC 3339 at all
    *(pytest.param("ce_time", time, "RFC 3339", id=f"time-{time!r}")
      for time in (b"2026-11-24", b"2026-11-24T20:31:05", b"yesterday")),
]


@pytest.mark.parametrize(("name", "value", "says"), BAD_HEADERS)
def test_header_with_a_bad_value_is_malformed_naming_it(
    record: KafkaRecord, name: str, value: bytes, says: str
) -> None:
    headers = with_header(record, name, value)
    assert_malformed(record.value, headers, record.key, name, says)


def test_key_that_differs_from_subject_is_malformed(record: KafkaRecord) -> None:
    assert_malformed(record.value, record.headers, b"another-key", "key", "does not match")


def test_subject_that_is_not_the_aggregate_id_is_malformed(record: KafkaRecord) -> None:
    other = b"00000000-0000-4000-8000-000000000000"
    headers = with_header(record, "ce_subject", other)
    assert_malformed(record.value, headers, other, "ce_subject", "aggregate id")


@pytest.mark.parametrize("value", [b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"'])
def test_value_that_is_not_a_json_object_is_malformed(record: KafkaRecord, value: bytes) -> None:
    assert_malformed(value, record.headers, record.key, "data", "JSON")


def test_tombstone_is_malformed(record: KafkaRecord) -> None:
    assert_malformed(None, record.headers, record.key, "data", "no value")


def test_payload_failing_the_model_is_malformed_naming_the_field(record: KafkaRecord) -> None:
    data = json.loads(record.value)
    data["work"]["rights_holders"][0]["share"] = "61.00"
    assert_malformed(json.dumps(data).encode(), record.headers, record.key, "data", "sum to 100.00")
    data = json.loads(record.value)
    del data["work"]["title"]
    assert_malformed(json.dumps(data).encode(), record.headers, record.key, "data", "work.title")


def test_float_money_on_the_wire_is_malformed(samples: dict[str, EventData]) -> None:
    record = encode(samples[topics.ROYALTY_STATEMENT_ISSUED])
    data = json.loads(record.value)
    data["statement"]["gross"] = 10000.0
    assert_malformed(
        json.dumps(data).encode(), record.headers, record.key, "data", "statement.gross"
    )


def test_payload_contradicting_its_type_is_malformed(record: KafkaRecord) -> None:
    data = json.loads(record.value)
    data["work"]["status"] = "REJECTED"
    assert_malformed(json.dumps(data).encode(), record.headers, record.key, "data", "REGISTERED")


@pytest.mark.parametrize("content_type", [b"application/xml", b"text/plain", None])
def test_content_type_other_than_json_is_malformed(
    record: KafkaRecord, content_type: bytes | None
) -> None:
    headers = with_header(record, "content-type", content_type)
    assert_malformed(record.value, headers, record.key, "content-type", "content-type")


def test_dataschema_of_another_type_is_malformed(record: KafkaRecord) -> None:
    headers = with_header(
        record,
        "ce_dataschema",
        topics.dataschema_uri(topics.WORK_REJECTED).encode(),
    )
    assert_malformed(record.value, headers, record.key, "ce_dataschema", "not the schema")


def test_duplicated_ce_header_is_malformed(record: KafkaRecord) -> None:
    headers = [*record.headers, ("ce_type", b"org.aseanip.filing.work.rejected.v1")]
    assert_malformed(record.value, headers, record.key, "ce_type", "more than once")


def test_non_utf8_header_is_malformed(record: KafkaRecord) -> None:
    headers = with_header(record, "ce_subject", b"\xff")
    assert_malformed(record.value, headers, record.key, "ce_subject", "UTF-8")


def test_encode_refuses_a_model_that_is_not_a_registered_event() -> None:
    class Unregistered(WorkRegistered):
        pass

    with pytest.raises(TypeError, match="not a registered event type"):
        encode(Unregistered.model_validate(_registered_payload()))


def _registered_payload() -> dict[str, object]:
    return {
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
        "work": {
            "id": "11111111-1111-4111-8111-111111111111",
            "filing_number": "F-2026-000001",
            "title": "T",
            "kind": "OTHER",
            "status": "REGISTERED",
            "country_of_origin": "TH",
            "rights_holders": [
                {
                    "party_id": "33333333-3333-4333-8333-333333333333",
                    "role": "AUTHOR",
                    "share": "100",
                }
            ],
            "filed_by": "33333333-3333-4333-8333-333333333333",
            "filed_at": datetime(2026, 1, 1, tzinfo=UTC),
        },
    }
