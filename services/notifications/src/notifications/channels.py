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
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib
import httpx

from notifications.domain.signing import signed_headers
from notifications.domain.webhook_urls import (
    WebhookUrlRefused,
    address_refusal,
    parse_webhook_url,
)
from notifications.settings import NotificationsSettings

USER_AGENT = "rights-notifications/1"

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


class WebhookChannel:
    def __init__(
        self,
        settings: NotificationsSettings,
        *,
        clock: Callable[[], float] = time.time,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        # Redirects are not followed: a 3xx to a metadata address would bypass the URL rule.
        self.client = client or httpx.AsyncClient(
            timeout=settings.webhook_timeout_seconds, follow_redirects=False
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def _refusal(self, url: str) -> str | None:
        """Why `url` may not be called now: the rule at registration, and again on the
        addresses its host resolves to (a DNS name can be re-pointed after registration)."""
        allow_loopback = self.settings.loopback_webhooks_allowed
        try:
            target = parse_webhook_url(url, allow_loopback=allow_loopback)
        except WebhookUrlRefused as exc:
            return exc.message
        try:
            ipaddress.ip_address(target.host)
            return None  # a literal address was checked by the URL rule
        except ValueError:
            pass
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except OSError:
            return None  # the POST fails and is retried: a DNS hiccup is not permanent
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            refusal = address_refusal(address, allow_loopback=allow_loopback)
            if refusal is not None:
                return f"the webhook host {refusal}"
        return None

    async def send(
        self, *, url: str, secret: str, body: bytes, delivery_id: str, event_id: str
    ) -> Outcome:
        refusal = await self._refusal(url)
        if refusal is not None:
            return Outcome(False, f"webhook URL refused: {refusal}", permanent=True)
        # Signed at each attempt: the timestamp is the time of sending, so a receiver's
        # replay window measures the call, not the event.
        headers = signed_headers(secret, int(self.clock()), body) | {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Rights-Delivery": delivery_id,
            "X-Rights-Event-Id": event_id,
        }
        try:
            response = await self.client.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            return Outcome(False, "webhook timed out")
        except httpx.HTTPError as exc:
            return Outcome(False, f"webhook unreachable ({type(exc).__name__})")
        if 200 <= response.status_code < 300:
            return DELIVERED
        return Outcome(False, f"webhook answered HTTP {response.status_code}")
