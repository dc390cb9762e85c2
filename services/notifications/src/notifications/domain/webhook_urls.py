"""Which webhook URLs a party may register, and which addresses a call may reach.

A webhook is a request the platform makes on a party's behalf, so a URL is a request-forgery
vector (SSRF): it must not reach the cloud metadata service (169.254.169.254 and friends) or
other link-local addresses, whatever the scheme tricks. Loopback is refused too unless
`allow_loopback` is set, and private, shared (CGNAT 100.64/10) and other non-public ranges
unless `allow_private` is set: local development and the tests run their receivers on
127.0.0.1, production must not reach the platform's own host or network (issue 14). The same
address rule is applied again to every resolved address at send time, and the call then goes
to the address that was checked, so a DNS name re-pointed in between (rebinding) gains nothing.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from contracts.errors import InvalidInput

MAX_URL_LENGTH = 2048
ALLOWED_SCHEMES = frozenset({"http", "https"})

# Host names of cloud metadata services (GCP, Azure's wireserver name, Alibaba, generic).
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.internal",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
# Metadata addresses that are not link-local: AWS's IPv6 endpoint, Alibaba's, Azure wireserver.
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("fd00:ec2::254"),
        ipaddress.ip_address("100.100.100.200"),
        ipaddress.ip_address("168.63.129.16"),
    }
)
LOCALHOST_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class WebhookUrlRefused(InvalidInput):
    code = "WEBHOOK_URL_REFUSED"


@dataclass(frozen=True)
class WebhookTarget:
    """A validated webhook URL, split into what the sender needs."""

    url: str
    scheme: str
    host: str
    port: int


def address_refusal(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    *,
    allow_loopback: bool,
    allow_private: bool = False,
) -> str | None:
    """Why a call may not go to `address`, or None when it may."""
    # An IPv4-mapped IPv6 address (::ffff:169.254.169.254) is the IPv4 address in disguise.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "points at a cloud metadata address"
    if address.is_link_local:
        return "points at a link-local address"
    if address.is_loopback:
        return None if allow_loopback else "points at a loopback address"
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return "points at an address that cannot receive webhooks"
    # is_global is False for every private, shared (100.64/10), documentation and
    # benchmarking range, and for unique-local IPv6 (fc00::/7).
    if not address.is_global:
        return None if allow_private else "points at a private address"
    return None


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # Decimal, octal and hex shorthands (http://2852039166/) that resolvers accept as IPv4.
    if host.isdigit() or host.lower().startswith("0x"):
        try:
            return ipaddress.IPv4Address(int(host, 0))
        except ValueError:
            return None
    return None


def parse_webhook_url(
    raw: str, *, allow_loopback: bool, allow_private: bool = False, field: str = "webhook_url"
) -> WebhookTarget:
    """Validate a webhook URL as a party registers it; raise `WebhookUrlRefused` naming `field`."""
    url = raw.strip()
    if not url:
        raise WebhookUrlRefused("a webhook URL cannot be empty", field=field)
    if len(url) > MAX_URL_LENGTH:
        raise WebhookUrlRefused(
            f"a webhook URL is at most {MAX_URL_LENGTH} characters", field=field
        )
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise WebhookUrlRefused(
            "a webhook URL cannot contain spaces or control characters", field=field
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookUrlRefused("not a valid URL", field=field) from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise WebhookUrlRefused("a webhook URL must use http or https", field=field)
    if parts.username is not None or parts.password is not None:
        # Credentials in the URL would be stored and shown back; the secret signs instead.
        raise WebhookUrlRefused("a webhook URL cannot carry a user name or password", field=field)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise WebhookUrlRefused("a webhook URL needs a host", field=field)
    if host in METADATA_HOSTS:
        raise WebhookUrlRefused("a webhook URL cannot point at a cloud metadata host", field=field)
    if host in LOCALHOST_NAMES or host.endswith(".localhost"):
        if not allow_loopback:
            raise WebhookUrlRefused("a webhook URL cannot point at a loopback address", field=field)
    address = _literal_address(host)
    if address is not None:
        refusal = address_refusal(
            address, allow_loopback=allow_loopback, allow_private=allow_private
        )
        if refusal is not None:
            raise WebhookUrlRefused(f"a webhook URL cannot be used: it {refusal}", field=field)
    elif not all(label and len(label) <= 63 for label in host.split(".")):
        raise WebhookUrlRefused("a webhook URL needs a valid host name", field=field)
    return WebhookTarget(
        url=url,
        scheme=scheme,
        host=host,
        port=port if port is not None else (443 if scheme == "https" else 80),
    )
