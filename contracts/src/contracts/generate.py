"""Writes the published contract files: one JSON Schema per event type and an AsyncAPI 3
document of every topic and message (`python -m contracts.generate [--check]`).

`--check` writes nothing and exits 1 when the committed files are stale or when a committed
schema would change in a breaking way; plain generation also refuses a breaking change
unless `--allow-breaking` is given, so a published type cannot be rewritten by accident.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from contracts import topics
from contracts.compat import breaking_changes
from contracts.envelope import CONTENT_TYPE, SPECVERSION
from contracts.events import ALL_EVENTS, EventData

# contracts/src/contracts/generate.py → contracts/
CONTRACTS_DIR = Path(__file__).resolve().parents[2]
SCHEMA_DIRNAME = "schemas"
ASYNCAPI_FILENAME = "asyncapi.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
KAFKA_BINDING_VERSION = "0.5.0"


def schema_filename(event_type: str) -> str:
    """The committed file name; the same name ends the `ce_dataschema` URI."""
    return f"{event_type}.json"


def _summary(cls: type[EventData]) -> str:
    """The event class's own docstring (not an inherited one), for people reading schemas."""
    doc = cls.__dict__.get("__doc__") or cls.__name__
    return " ".join(doc.split())


def event_schema(cls: type[EventData]) -> dict[str, Any]:
    """The JSON Schema of one event type's `data`, as the record value carries it."""
    schema = cls.model_json_schema(mode="serialization")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": topics.dataschema_uri(cls.ce_type),
        **schema,
        "title": cls.ce_type,
        "description": (
            f"{_summary(cls)} Data of CloudEvents type {cls.ce_type} on Kafka topic "
            f"{cls.topic} (source {cls.source}, key = ce_subject = {topics.TOPIC_KEY[cls.topic]})."
        ),
    }


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_")


def _cloudevents_headers() -> dict[str, Any]:
    def text(description: str, **extra: Any) -> dict[str, Any]:
        return {"type": "string", "description": description, **extra}

    return {
        "type": "object",
        "description": "CloudEvents 1.0 Kafka protocol binding, binary content mode (UTF-8)",
        "required": [
            "ce_specversion",
            "ce_id",
            "ce_source",
            "ce_type",
            "ce_time",
            "ce_subject",
            "ce_dataschema",
            "content-type",
        ],
        "properties": {
            "ce_specversion": text("CloudEvents version", const=SPECVERSION),
            "ce_id": text("unique per event; the idempotency key", format="uuid"),
            "ce_source": text(
                "the writing service",
                enum=[topics.FILING_SOURCE, topics.LICENSING_SOURCE, topics.NOTIFICATIONS_SOURCE],
            ),
            "ce_type": text("org.aseanip.<service>.<event>.v<version>"),
            "ce_time": text("when it happened, RFC 3339 UTC", format="date-time"),
            "ce_subject": text("the aggregate id; equals the record key"),
            "ce_dataschema": text("URI of the JSON Schema of the data", format="uri"),
            "content-type": text("media type of the value", const=CONTENT_TYPE),
            "traceparent": text("W3C trace context"),
            "tracestate": text("W3C trace context"),
        },
    }


def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0 description of every topic, its messages and its writer."""
    by_type = {cls.ce_type: cls for cls in ALL_EVENTS}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic, event_types in topics.TOPIC_EVENT_TYPES.items():
        channel_id = _channel_id(topic)
        channel_messages: dict[str, Any] = {}
        for event_type in event_types:
            cls = by_type[event_type]
            name = cls.__name__
            messages[name] = {
                "name": event_type,
                "title": name,
                "summary": _summary(cls),
                "contentType": CONTENT_TYPE,
                "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
                "payload": {
                    "schemaFormat": "application/schema+json;version=draft-2020-12",
                    "schema": {"$ref": f"{SCHEMA_DIRNAME}/{schema_filename(event_type)}"},
                },
                "bindings": {
                    "kafka": {
                        "key": {"type": "string", "description": topics.TOPIC_KEY[topic]},
                        "bindingVersion": KAFKA_BINDING_VERSION,
                    }
                },
            }
            channel_messages[name] = {"$ref": f"#/components/messages/{name}"}
        channels[channel_id] = {
            "address": topic,
            "title": topic,
            "description": (
                f"written by {topics.TOPIC_SOURCE[topic]}; key: {topics.TOPIC_KEY[topic]}"
            ),
            "messages": channel_messages,
            "bindings": {
                "kafka": {
                    "topic": topic,
                    "partitions": topics.PARTITIONS[topic],
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
        }
        operations[f"send_{channel_id}"] = {
            "action": "send",
            "title": f"{topics.TOPIC_SOURCE[topic]} publishes to {topic}",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [
                {"$ref": f"#/channels/{channel_id}/messages/{name}"} for name in channel_messages
            ],
        }
    messages["DeadLetter"] = {
        "name": "dead-letter",
        "title": "DeadLetter",
        "summary": "a record a consumer group could not process, unchanged, with the error",
        "payload": {},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": topics.DLQ_KEY},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }
    for topic in topics.DLQ_TOPICS:
        channel_id = _channel_id(topic)
        channels[channel_id] = {
            "address": topic,
            "title": topic,
            "description": "dead letters of one consumer group; the original headers are kept",
            "messages": {"DeadLetter": {"$ref": "#/components/messages/DeadLetter"}},
            "bindings": {
                "kafka": {
                    "topic": topic,
                    "partitions": topics.PARTITIONS[topic],
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "ASEAN IP rights platform events",
            "version": "1.0.0",
            "description": (
                "Every event of the rights register and licensing exchange, as CloudEvents 1.0 "
                "in Kafka binary mode. Record key = aggregate id = ce_subject; record value = "
                "the event data as JSON (decimal strings for money, RFC 3339 UTC times)."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "single-node development broker",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": {"CloudEventHeaders": _cloudevents_headers()},
            "messages": messages,
        },
    }


def dump(document: dict[str, Any]) -> str:
    """Stable text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render(root: Path = CONTRACTS_DIR) -> dict[Path, str]:
    """Every generated file's path and text."""
    files = {
        root / SCHEMA_DIRNAME / schema_filename(cls.ce_type): dump(event_schema(cls))
        for cls in ALL_EVENTS
    }
    files[root / ASYNCAPI_FILENAME] = dump(asyncapi_document())
    return files


def stale_files(root: Path = CONTRACTS_DIR) -> list[str]:
    """Generated files that are missing, differ, or are left over from a type no longer made."""
    files = render(root)
    problems = [
        f"{path.relative_to(root)}: {'stale' if path.exists() else 'missing'}"
        for path, text in files.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    schema_dir = root / SCHEMA_DIRNAME
    if schema_dir.exists():
        problems += [
            f"{path.relative_to(root)}: no event type generates it any more"
            for path in sorted(schema_dir.glob("*.json"))
            if path not in files
        ]
    return problems


def breaking_against_committed(root: Path = CONTRACTS_DIR) -> list[str]:
    """Breaking changes from each committed (published) schema to the one the models give."""
    generated = {schema_filename(cls.ce_type): event_schema(cls) for cls in ALL_EVENTS}
    problems: list[str] = []
    schema_dir = root / SCHEMA_DIRNAME
    for path in sorted(schema_dir.glob("*.json")) if schema_dir.exists() else []:
        published = json.loads(path.read_text(encoding="utf-8"))
        if path.name not in generated:
            problems.append(f"{path.name}: published type removed (keep it, add a new version)")
            continue
        problems += [
            f"{path.name}: {change}" for change in breaking_changes(published, generated[path.name])
        ]
    return problems


def write(root: Path = CONTRACTS_DIR) -> list[Path]:
    """Write every generated file whose text changed; returns those written."""
    written = []
    for path, text in render(root).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; fail when stale")
    parser.add_argument(
        "--allow-breaking", action="store_true", help="overwrite published schemas anyway"
    )
    parser.add_argument("--root", type=Path, default=CONTRACTS_DIR, help="the contracts/ folder")
    args = parser.parse_args(argv)
    breaking = breaking_against_committed(args.root)
    for problem in breaking:
        print(f"breaking: {problem}", file=sys.stderr)
    if args.check:
        stale = stale_files(args.root)
        for problem in stale:
            print(f"stale: {problem}", file=sys.stderr)
        if stale and not breaking:
            print("run `python -m contracts.generate` and commit the result", file=sys.stderr)
        return 1 if stale or breaking else 0
    if breaking and not args.allow_breaking:
        print(
            "refusing to rewrite published schemas: add a new `...v2` type instead",
            file=sys.stderr,
        )
        return 1
    for path in write(args.root):
        print(f"wrote {path.relative_to(args.root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
