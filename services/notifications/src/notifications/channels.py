"""The two outside channels: email over SMTP (aiosmtplib) and signed webhook POSTs (httpx).

Each send answers an `Outcome` instead of raising, and its error text is written by us:
server replies and exception messages can echo the address or URL, which must never be
stored or logged.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib
import httpx

from notifications.domain.signing import signed_headers
from notifications.domain.webhook_urls import (
    WebhookTarget,
    WebhookUrlRefused,
    address_refusal,
    parse_webhook_url,
)
from notifications.settings import NotificationsSettings

USER_AGENT = "rights-notifications/1"

log = logging.getLogger(__name__)

# httpx logs every request's full URL at INFO; a webhook URL is a party's private contact detail.
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    error: str | None = None
    # A failure that no retry can fix (recipient refused, URL forbidden): give up at once.
    permanent: bool = False


DELIVERED = Outcome(delivered=True)


class EmailChannel:
    def __init__(self, settings: NotificationsSettings) -> None:
        self.settings = settings

    def message(self, *, to: str, subject: str, body: str, message_id: str) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.settings.smtp_from
        email["To"] = to
        email["Subject"] = subject
        email["Date"] = formatdate(usegmt=True)
        # A stable Message-ID per delivery lets mail systems drop a retried duplicate.
        email["Message-ID"] = f"<{message_id}@notifications.rights-register>"
        email.set_content(
            f"{body}\n\n--\nYou receive this because the Rights Register names you in this event."
            "\nManage your contact settings in the Rights Register.\n"
        )
        return email

    async def send(self, *, to: str, subject: str, body: str, message_id: str) -> Outcome:
        s = self.settings
        try:
            await aiosmtplib.send(
                self.message(to=to, subject=subject, body=body, message_id=message_id),
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password,
                use_tls=s.smtp_use_tls,
                start_tls=s.smtp_start_tls,
                timeout=s.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused:
            return Outcome(False, "SMTP: recipient refused", permanent=True)
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx replies are permanent by RFC 5321; 4xx ones are worth retrying.
            return Outcome(False, f"SMTP reply {exc.code}", permanent=exc.code >= 500)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return Outcome(False, f"SMTP server unreachable ({type(exc).__name__})")
        return DELIVERED


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# Resolves a host name to the addresses a call may go to; injectable so tests can point a
# name at an address without touching the machine's DNS.
Resolver = Callable[[str, int], Awaitable[list[Address]]]


async def system_resolver(host: str, port: int) -> list[Address]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # A scoped IPv6 address (fe80::1%eth0) carries its zone after "%".
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


# What a party sees as `lastError`: a short category of ours. Exception texts, resolved
# addresses and stack details go to the log only (issue 14).
ADDRESS_NOT_ALLOWED = "webhook address not allowed"
HOST_NOT_FOUND = "webhook host not found"
CONNECTION_REFUSED = "webhook connection refused"
CONNECTION_FAILED = "webhook connection failed"
TLS_FAILED = "webhook TLS handshake failed"
ANSWER_BROKEN = "webhook answer malformed"


def timed_out(seconds: float) -> str:
    return f"webhook timed out after {seconds:g} s"


def _connect_category(exc: BaseException) -> str:
    """The public category of a failed connection, from the OS error under httpx's wrapping."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return CONNECTION_REFUSED
        if isinstance(cause, ssl.SSLError):
            return TLS_FAILED
        cause = cause.__cause__ or cause.__context__
    return CONNECTION_FAILED


class WebhookChannel:
    """Signed webhook POSTs that resolve the host once, check every address it resolves to,
    and connect to the checked address (no second lookup a rebinding DNS could answer)."""

    def __init__(
        self,
        settings: NotificationsSettings,
        *,
        clock: Callable[[], float] = time.time,
        client: httpx.AsyncClient | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.resolve = resolver
        # Redirects are not followed: a 3xx to a metadata address would bypass the URL rule.
        # No kept-alive connections: a pooled connection is keyed by the pinned address, so
        # two host names on one address could otherwise share a TLS session of the other.
        # trust_env=False: a proxy from the environment would resolve the host itself.
        self.client = client or httpx.AsyncClient(
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
            trust_env=False,
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def _address(self, url: str, delivery_id: str) -> tuple[WebhookTarget, Address] | str:
        """The target and the one checked address to call, or the public reason why not."""
        allow_loopback = self.settings.loopback_webhooks_allowed
        allow_private = self.settings.private_webhooks_allowed
        try:
            target = parse_webhook_url(
                url, allow_loopback=allow_loopback, allow_private=allow_private
            )
        except WebhookUrlRefused as exc:
            log.warning("webhook delivery %s: URL refused (%s)", delivery_id, exc.message)
            return ADDRESS_NOT_ALLOWED
        try:
            addresses: list[Address] = [ipaddress.ip_address(target.host)]
        except ValueError:
            try:
                addresses = await self.resolve(target.host, target.port)
            except OSError as exc:
                log.warning(
                    "webhook delivery %s: host lookup failed (%s)", delivery_id, exc.strerror
                )
                return HOST_NOT_FOUND
        if not addresses:
            return HOST_NOT_FOUND
        # Every address, not only the first: a resolver may order them differently next time.
        for address in addresses:
            refusal = address_refusal(
                address, allow_loopback=allow_loopback, allow_private=allow_private
            )
            if refusal is not None:
                log.warning("webhook delivery %s: resolved host %s", delivery_id, refusal)
                return ADDRESS_NOT_ALLOWED
        return target, addresses[0]

    async def send(
        self, *, url: str, secret: str, body: bytes, delivery_id: str, event_id: str
    ) -> Outcome:
        deadline = self.settings.webhook_timeout_seconds
        try:
            # One deadline for the whole call: httpx's timeouts are per phase (connect, each
            # read), so a receiver trickling a byte at a time would never trip them.
            async with asyncio.timeout(deadline):
                return await self._call(
                    url=url, secret=secret, body=body, delivery_id=delivery_id, event_id=event_id
                )
        except (TimeoutError, httpx.TimeoutException):
            log.warning("webhook delivery %s: no complete answer within %gs", delivery_id, deadline)
            return Outcome(False, timed_out(deadline))

    async def _call(
        self, *, url: str, secret: str, body: bytes, delivery_id: str, event_id: str
    ) -> Outcome:
        checked = await self._address(url, delivery_id)
        if isinstance(checked, str):
            return Outcome(False, checked, permanent=checked == ADDRESS_NOT_ALLOWED)
        target, address = checked
        original = httpx.URL(url)
        # Signed at each attempt: the timestamp is the time of sending, so a receiver's
        # replay window measures the call, not the event.
        headers = signed_headers(secret, int(self.clock()), body) | {
            "Host": original.netloc.decode("ascii"),
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Rights-Delivery": delivery_id,
            "X-Rights-Event-Id": event_id,
        }
        # The connection goes to the checked address; the Host header and TLS (SNI and the
        # certificate's name check) still use the URL's host name.
        pinned = original.copy_with(host=str(address))
        cap = self.settings.webhook_max_response_bytes
        try:
            async with self.client.stream(
                "POST",
                pinned,
                content=body,
                headers=headers,
                extensions={"sni_hostname": target.host},
            ) as response:
                # Read at most `cap` bytes, undecoded (no decompression bomb), then close.
                received = 0
                async for chunk in response.aiter_raw():
                    received += len(chunk)
                    if received >= cap:
                        break
                status = response.status_code
        except httpx.TimeoutException:
            raise
        except httpx.ConnectError as exc:
            category = _connect_category(exc)
            log.warning("webhook delivery %s: %s (%r)", delivery_id, category, exc)
            return Outcome(False, category)
        except httpx.HTTPError as exc:
            log.warning("webhook delivery %s: broken answer (%r)", delivery_id, exc)
            return Outcome(False, ANSWER_BROKEN)
        if 200 <= status < 300:
            return DELIVERED
        return Outcome(False, f"webhook answered HTTP {status}")
