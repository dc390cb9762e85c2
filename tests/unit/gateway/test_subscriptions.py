"""Subscriptions over graphql-transport-ws: authenticated sockets, updates fanned out from the
hub, and only what the subscriber may see. (The Kafka feed itself is proven in
tests/integration/gateway.)"""

from __future__ import annotations

import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from gateway.app import build_state, create_app
from gateway.context import GatewayState
from gateway.settings import GatewaySettings
from gateway.subscriptions import Update, update_from_record

with warnings.catch_warnings():
    # starlette's TestClient warns about its httpx backend on import; nothing to act on here.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

PROTOCOL = "graphql-transport-ws"


@pytest.fixture
def settings(settings_for: Callable[..., Any]) -> GatewaySettings:
    return settings_for()


@pytest.fixture
def state(settings: GatewaySettings, fake: Any) -> GatewayState:
    """The gateway's parts, its hub among them, over the fake services."""
    return build_state(
        settings, http=httpx.AsyncClient(transport=fake.transport()), identity=fake.idp.verifier()
    )


@pytest.fixture
def client(settings: GatewaySettings, state: GatewayState) -> Iterator[TestClient]:
    with TestClient(create_app(settings, state=state)) as test_client:
        yield test_client


def connect(client: TestClient, token: str | None) -> Any:
    ws = client.websocket_connect("/graphql", subprotocols=[PROTOCOL])
    session: WebSocketTestSession = ws.__enter__()
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    session.send_json({"type": "connection_init", "payload": payload})
    return ws, session


def subscribe(
    client: TestClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> Any:
    """An acknowledged socket with one subscription (id "1") sent on it."""
    ws, session = connect(client, token)
    assert session.receive_json()["type"] == "connection_ack"
    session.send_json({"id": "1", "type": "subscribe",
                       "payload": {"query": query, "variables": variables or {}}})
    return ws, session


def wait_for_listeners(session: WebSocketTestSession, hub: Any, count: int) -> None:
    deadline = time.monotonic() + 5
    while session.portal.call(lambda: hub.listener_count) < count:
        assert time.monotonic() < deadline, "the subscription never started listening"
        time.sleep(0.01)


def test_a_socket_without_a_valid_token_is_closed(client: TestClient) -> None:
    ws, session = connect(client, "not-a-token")
    with pytest.raises(WebSocketDisconnect) as closed:
        session.receive_json()
    assert closed.value.code == 4403
    ws.__exit__(None, None, None)


def test_licence_updates_reach_a_subscriber_who_may_see_the_licence(
    client: TestClient, state: GatewayState, fake: Any, token: Callable[..., str]
) -> None:
    owner, licensee = fake.add_party("Owner"), fake.add_party("Licensee")
    work = fake.add_work([(owner, "100.00")])
    licence = fake.add_licence(work, owner, licensee)
    ws, session = subscribe(
        client, token(licensee),
        "subscription ($l: ID!) { licenceUpdated(licenceId: $l) { id status licensee { name } } }",
        {"l": licence})
    wait_for_listeners(session, state.hub, 1)

    fake.licences[licence]["status"] = "ACTIVE"  # what acceptLicence did in the service
    session.portal.call(state.hub.publish, Update("licence", licence, "licence.activated"))
    message = session.receive_json()
    assert message["type"] == "next", message
    assert message["payload"]["data"]["licenceUpdated"] == {
        "id": licence, "status": "ACTIVE", "licensee": {"name": "Licensee"}}
    session.send_json({"id": "1", "type": "complete"})
    ws.__exit__(None, None, None)


def test_a_licence_the_subscriber_may_not_see_cannot_be_subscribed_to(
    client: TestClient, fake: Any, anyone: str
) -> None:
    owner, licensee = fake.add_party(), fake.add_party()
    licence = fake.add_licence(fake.add_work([(owner, "100.00")]), owner, licensee)
    ws, session = subscribe(
        client, anyone,
        "subscription ($l: ID!) { licenceUpdated(licenceId: $l) { id } }", {"l": licence})
    message = session.receive_json()
    assert message["type"] in ("error", "next")
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    ws.__exit__(None, None, None)


def test_notifications_reach_their_recipient_only_and_once_per_notification(
    client: TestClient, state: GatewayState, fake: Any, token: Callable[..., str]
) -> None:
    alice, bob = fake.add_party("Alice"), fake.add_party("Bob")
    subject = str(uuid.uuid4())
    ws, session = subscribe(
        client, token(alice), "subscription { notificationReceived { id subjectId message } }")
    wait_for_listeners(session, state.hub, 1)

    bobs = fake.add_notification(bob, subject)
    session.portal.call(state.hub.publish, Update("notification", bob, "delivered",
                                                  {"notification_id": bobs,
                                                   "subject_id": subject}))
    alices = fake.add_notification(alice, subject)
    for channel in ("INBOX", "EMAIL"):  # one notification, two channel deliveries
        session.portal.call(state.hub.publish, Update(
            "notification", alice, "delivered",
            {"notification_id": alices, "subject_id": subject, "channel": channel}))
    first = session.receive_json()
    assert first["payload"]["data"]["notificationReceived"]["id"] == alices
    later = fake.add_notification(alice, subject)
    session.portal.call(state.hub.publish, Update(
        "notification", alice, "delivered", {"notification_id": later, "subject_id": subject}))
    # The next message is the later notification: the duplicate delivery was skipped.
    assert session.receive_json()["payload"]["data"]["notificationReceived"]["id"] == later
    ws.__exit__(None, None, None)


def test_kafka_records_become_updates_keyed_by_their_subject() -> None:
    headers = [("ce_type", b"org.aseanip.licensing.licence.activated.v1"),
               ("ce_subject", b"L1")]
    update = update_from_record("licensing.licences.v1", b"L1", b'{"status": "ACTIVE"}',
                                headers)
    assert update == Update("licence", "L1", "org.aseanip.licensing.licence.activated.v1",
                            {"status": "ACTIVE"})
    royalty = update_from_record("licensing.royalties.v1", b"L1", b"{}", [])
    assert royalty is not None and (royalty.kind, royalty.key) == ("licence", "L1")
    assert update_from_record("filing.parties.v1", b"P", b"{}", []) is None
    assert update_from_record("filing.works.v1", None, b"not json", []) is None
