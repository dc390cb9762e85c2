"""Webhook URL validation: only http(s), never link-local or metadata, loopback only by setting."""

from __future__ import annotations

import ipaddress

import pytest
from notifications.domain.webhook_urls import (
    WebhookUrlRefused,
    address_refusal,
    parse_webhook_url,
)


def test_https_url_with_public_host_is_accepted() -> None:
    target = parse_webhook_url("https://hooks.example.com/rights", allow_loopback=False)
    assert (target.scheme, target.host, target.port) == ("https", "hooks.example.com", 443)


def test_private_network_receiver_is_accepted() -> None:
    assert (
        parse_webhook_url("http://10.1.2.3:8080/h", allow_loopback=False, allow_private=True).port
        == 8080
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3:8080/h",
        "http://192.168.0.10/h",
        "http://172.16.5.4/h",
        "http://100.64.0.1/h",  # shared address space (CGNAT)
        "http://[fd12:3456::1]/h",  # unique-local IPv6
        "http://[::ffff:10.0.0.1]/h",  # a private IPv4 address in IPv6 disguise
    ],
)
def test_private_and_shared_addresses_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(WebhookUrlRefused):
        parse_webhook_url(url, allow_loopback=True)
    assert parse_webhook_url(url, allow_loopback=False, allow_private=True).url == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "gopher://example.com",
        "javascript:alert(1)",
        "example.com/x",
    ],
)
def test_url_that_is_not_http_or_https_is_refused(url: str) -> None:
    with pytest.raises(WebhookUrlRefused) as caught:
        parse_webhook_url(url, allow_loopback=True)
    assert caught.value.field == "webhook_url"


# Refused even where loopback is allowed (as in development): cloud metadata and link-local
# addresses in every spelling, and URLs no call could use.
METADATA_AND_LINK_LOCAL = [
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.1.1/",
    "http://[fe80::1]/hook",
    "http://[::ffff:169.254.169.254]/",
    "http://2852039166/",  # 169.254.169.254 as one decimal number
    "http://0xA9FEA9FE/",  # and in hex
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://metadata/",
    "http://[fd00:ec2::254]/",
    "http://100.100.100.200/",
    "http://METADATA.GOOGLE.INTERNAL./",
]
UNUSABLE = [
    "http://user:pw@example.com/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http:///path",
    "",
    "http://exa mple.com/",
]


@pytest.mark.parametrize("url", METADATA_AND_LINK_LOCAL + UNUSABLE)
def test_metadata_link_local_and_unusable_urls_are_refused(url: str) -> None:
    with pytest.raises(WebhookUrlRefused):
        parse_webhook_url(url, allow_loopback=True)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000/h", "http://localhost/h", "http://[::1]/h"])
def test_loopback_is_refused_unless_allowed(url: str) -> None:
    with pytest.raises(WebhookUrlRefused):
        parse_webhook_url(url, allow_loopback=False)
    assert parse_webhook_url(url, allow_loopback=True).url == url


def test_overlong_url_is_refused() -> None:
    with pytest.raises(WebhookUrlRefused):
        parse_webhook_url("https://example.com/" + "a" * 3000, allow_loopback=False)


def test_resolved_address_rule_refuses_link_local_even_when_loopback_allowed() -> None:
    assert address_refusal(ipaddress.ip_address("169.254.169.254"), allow_loopback=True)
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), allow_loopback=False)
    assert address_refusal(ipaddress.ip_address("93.184.216.34"), allow_loopback=False) is None


def test_every_kind_of_internal_address_is_refused_in_production_terms() -> None:
    for raw in ("10.0.0.1", "100.64.0.1", "192.168.1.1", "fd00::1", "127.0.0.1", "::1"):
        address = ipaddress.ip_address(raw)
        assert address_refusal(address, allow_loopback=False, allow_private=False), raw
    assert address_refusal(
        ipaddress.ip_address("fd00:ec2::254"), allow_loopback=True, allow_private=True
    )
