"""The services' faststream broker reaches every broker of a cluster's bootstrap list."""

from __future__ import annotations

from runtime.kafka import event_broker


def test_a_comma_separated_bootstrap_list_is_every_broker() -> None:
    broker = event_broker("127.0.0.1:21092, 127.0.0.1:22092,127.0.0.1:23092")
    # faststream takes one string as one address: the cluster's three must arrive as a list.
    assert broker._connection_kwargs["bootstrap_servers"] == [
        "127.0.0.1:21092", "127.0.0.1:22092", "127.0.0.1:23092"]


def test_a_single_broker_is_a_list_of_one() -> None:
    assert event_broker("127.0.0.1:9092")._connection_kwargs["bootstrap_servers"] == [
        "127.0.0.1:9092"]
