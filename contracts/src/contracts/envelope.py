"""CloudEvents 1.0 over Kafka in binary mode: an event ↔ a Kafka record.

The key is the aggregate id (UTF-8), the value is the event's `data` as JSON, and the context
attributes travel as `ce_*` headers (CloudEvents Kafka protocol binding, binary content
mode), with `content-type` and the W3C `traceparent`/`tracestate` beside them. The
CloudEvents SDK is not a dependency; this follows the binding's spec directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from pydantic import ValidationError

from contracts.errors import DomainError
from contracts.events import EVENT_TYPES, EventData
from contracts.times import format_rfc3339, parse_rfc3339
from contracts.topics import dataschema_uri

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
REQUIRED_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject")

_TRACEPARENT = re.compile(r"[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")


class MalformedRecord(DomainError):
    """A Kafka record that is not a well-formed event of a known type and version."""

    code = "MALFORMED_RECORD"


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class DecodedEvent:
    id: UUID
    type: str
    source: str
    time: datetime
    subject: str
    data: EventData
    traceparent: str | None = None
    tracestate: str | None = None


def dump_data(event: EventData) -> bytes:
    """Deterministic JSON of the payload: sorted keys, no spaces, decimals as strings."""
    return json.dumps(
        event.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def encode(
    event: EventData,
    *,
    event_id: UUID | None = None,
    time: datetime | None = None,
    traceparent: str | None = None,
    tracestate: str | None = None,
) -> KafkaRecord:
    """The Kafka record of `event`; `time` defaults to the event's `occurred_at`."""
    if type(event).ce_type not in EVENT_TYPES or EVENT_TYPES[type(event).ce_type] is not type(
        event
    ):
        raise TypeError(f"{type(event).__name__} is not a registered event type")
    if traceparent is not None and not _TRACEPARENT.fullmatch(traceparent):
        raise ValueError(f"traceparent {traceparent!r} is not a W3C trace context header")
    subject = event.aggregate_id()
    headers: list[tuple[str, bytes]] = [
        ("ce_specversion", SPECVERSION.encode()),
        ("ce_id", str(event_id or uuid4()).encode()),
        ("ce_source", event.source.encode()),
        ("ce_type", event.ce_type.encode()),
        ("ce_time", format_rfc3339(time or event.occurred_at).encode()),
        ("ce_subject", subject.encode()),
        ("ce_dataschema", dataschema_uri(event.ce_type).encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if traceparent is not None:
        headers.append(("traceparent", traceparent.encode()))
        if tracestate:
            headers.append(("tracestate", tracestate.encode()))
    return KafkaRecord(
        topic=event.topic, key=subject.encode("utf-8"), value=dump_data(event), headers=headers
    )


def _header_map(headers: Iterable[tuple[str, bytes | None]] | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, raw in headers or ():
        lowered = name.lower()
        if lowered in found and (lowered.startswith("ce_") or lowered == "content-type"):
            raise MalformedRecord(f"header {name} appears more than once", field=name)
        if raw is None:
            continue
        try:
            # `type(...) is bytes` first: every header a broker hands over is bytes.
            found[lowered] = (
                raw.decode("utf-8")
                if type(raw) is bytes or isinstance(raw, bytes | bytearray)
                else raw
            )
        except UnicodeDecodeError:
            raise MalformedRecord(f"header {name} is not UTF-8", field=name) from None
    return found


def _validation_summary(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        location = ".".join(str(p) for p in error["loc"]) or "data"
        parts.append(f"{location}: {error['msg']}")
    return "; ".join(parts)


def _data_error(exc: ValidationError, value: bytes, event_type: str) -> MalformedRecord:
    """Why a value is not the data of `event_type`: not JSON, not an object, or not valid."""
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        try:
            json.loads(value)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return MalformedRecord(f"record value is not JSON: {error}", field="data")
        return MalformedRecord(f"record value is not JSON: {first['msg']}", field="data")
    if first["type"] == "model_type" and not first["loc"]:
        return MalformedRecord("record value is not a JSON object", field="data")
    return MalformedRecord(
        f"data does not match {event_type}: {_validation_summary(exc)}", field="data"
    )


def decode(
    value: bytes | None,
    headers: Sequence[tuple[str, bytes | None]] | None,
    key: bytes | None = None,
) -> DecodedEvent:
    """The typed event of a record; a record that is not one raises `MalformedRecord`."""
    attrs = _header_map(headers)
    for name in REQUIRED_HEADERS:
        if not attrs.get(name):
            raise MalformedRecord(f"missing required CloudEvents header {name}", field=name)
    if attrs["ce_specversion"] != SPECVERSION:
        raise MalformedRecord(
            f"ce_specversion {attrs['ce_specversion']!r} is not supported (expected 1.0)",
            field="ce_specversion",
        )
    event_type = attrs["ce_type"]
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        raise MalformedRecord(f"unknown ce_type {event_type!r}", field="ce_type")
    if attrs["ce_source"] != cls.source:
        raise MalformedRecord(
            f"ce_source {attrs['ce_source']!r} does not write {event_type} (expected {cls.source})",
            field="ce_source",
        )
    dataschema = attrs.get("ce_dataschema")
    if dataschema is not None and dataschema != dataschema_uri(event_type):
        raise MalformedRecord(
            f"ce_dataschema {dataschema!r} is not the schema of {event_type}",
            field="ce_dataschema",
        )
    content_type = attrs.get("content-type")
    if content_type is None or content_type.split(";")[0].strip().lower() != CONTENT_TYPE:
        raise MalformedRecord(
            f"content-type {content_type!r} is not {CONTENT_TYPE}", field="content-type"
        )
    try:
        event_id = UUID(attrs["ce_id"])
    except ValueError:
        raise MalformedRecord(f"ce_id {attrs['ce_id']!r} is not a UUID", field="ce_id") from None
    try:
        time = parse_rfc3339(attrs["ce_time"])
    except ValueError as exc:
        raise MalformedRecord(f"ce_time: {exc}", field="ce_time") from None
    subject = attrs["ce_subject"]
    if key is not None and key != subject.encode("utf-8"):
        raise MalformedRecord(
            f"record key {key!r} does not match ce_subject {subject!r}", field="key"
        )
    if value is None:
        raise MalformedRecord("record has no value (a tombstone is not an event)", field="data")
    try:
        # Straight from the bytes: one pass, no intermediate dicts (a third faster than
        # json.loads + model_validate, under the same model and rules).
        data = cls.model_validate_json(value)
    except ValidationError as exc:
        raise _data_error(exc, value, event_type) from None
    if data.aggregate_id() != subject:
        raise MalformedRecord(
            f"ce_subject {subject!r} is not the event's aggregate id {data.aggregate_id()!r}",
            field="ce_subject",
        )
    traceparent = attrs.get("traceparent")
    if traceparent is not None and not _TRACEPARENT.fullmatch(traceparent):
        # W3C trace context: an invalid traceparent is ignored, not fatal.
        traceparent = None
    return DecodedEvent(
        id=event_id,
        type=event_type,
        source=attrs["ce_source"],
        time=time,
        subject=subject,
        data=data,
        traceparent=traceparent,
        tracestate=attrs.get("tracestate") if traceparent else None,
    )
