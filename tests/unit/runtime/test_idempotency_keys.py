"""The pure parts of idempotency keys: which keys are accepted, and which requests count as
the same one (DOMAIN.md, "Retried commands")."""

from __future__ import annotations

import pytest
from contracts.errors import InvalidInput
from runtime.idempotency import Answer, fingerprint, parse_key


@pytest.mark.parametrize("key", ["a", "0f8c6c1e-6b5e-4a43-9f55-3c2a2a8e0c11", "~!x", "k" * 255])
def test_visible_ascii_keys_up_to_255_characters_are_accepted(key: str) -> None:
    assert parse_key(key) == key


@pytest.mark.parametrize("key", ["", " ", "a b", "tab\tkey", "k" * 256, "ключ", "line\n"])
def test_other_keys_are_refused_naming_the_field(key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_key(key, field="idempotencyKey")
    assert refused.value.field == "idempotencyKey"


def test_the_same_json_in_another_key_order_or_spacing_is_the_same_request() -> None:
    a = fingerprint("POST", "/works/1/transfers", b'{"share": "10.00", "to_party_id": "b"}')
    b = fingerprint("post", "/works/1/transfers", b'{"to_party_id":"b","share":"10.00"}')
    assert a == b


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/works/1/transfers", b'{"share":"20.00","to_party_id":"b"}'),
        ("POST", "/works/2/transfers", b'{"share":"10.00","to_party_id":"b"}'),
        ("PUT", "/works/1/transfers", b'{"share":"10.00","to_party_id":"b"}'),
        ("POST", "/works/1/transfers", b""),
    ],
)
def test_another_method_path_or_body_is_another_request(
    method: str, path: str, body: bytes
) -> None:
    first = fingerprint("POST", "/works/1/transfers", b'{"share":"10.00","to_party_id":"b"}')
    assert fingerprint(method, path, body) != first


def test_parts_cannot_run_into_each_other() -> None:
    assert fingerprint("POST", "/a", b"b") != fingerprint("POST", "/ab", b"")


def test_an_answer_is_rendered_as_the_routes_render_json() -> None:
    answer = Answer.of(201, {"name": "Malée", "share": "10.00"})
    assert answer.body == '{"name":"Malée","share":"10.00"}'
    assert answer.response().headers.get("Idempotent-Replayed") is None
    assert Answer(200, "{}", replayed=True).response().headers["Idempotent-Replayed"] == "true"
