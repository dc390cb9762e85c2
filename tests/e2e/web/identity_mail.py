"""The identity provider's mail, received over real SMTP by the browser tests (WEB.md,
"Tests"): the project's SMTP server listening where the running realm sends, each mail an
`.eml` file in the folder `make run`'s SMTP server writes to, read by its recipient."""

from __future__ import annotations

import email
import email.policy
import errno
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from devstack.polling import eventually
from notifications.smtp_server import LocalSmtpServer

# Keycloak's action links (the verification email's): its `login-actions/action-token`.
ACTION_LINK = re.compile(r"https?://\S+/login-actions/action-token\?\S+")


@dataclass(frozen=True)
class IdentityMail:
    """Mail the realm sends to `host:port`, kept in `directory`."""

    host: str
    port: int
    directory: Path

    @asynccontextmanager
    async def receiving(self) -> AsyncIterator[None]:
        """Listens where the realm sends while the block runs, unless a sink listens there
        already (another test run's, or `make run`'s server: both keep their mail in the same
        folder). Only that long: the identity integration tests serve the port themselves."""
        try:
            server = await LocalSmtpServer(
                host=self.host, port=self.port, directory=self.directory
            ).start()
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            yield
            return
        try:
            yield
        finally:
            await server.stop()

    async def to(self, address: str, timeout: float = 30.0) -> EmailMessage:
        """The first mail to `address` (never "the last mail": tests run side by side),
        removed from the folder once read."""

        async def arrived() -> EmailMessage | None:
            for path in sorted(self.directory.glob("*.eml")):
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                to = message["To"]
                if to is not None and address.lower() in (
                    a.addr_spec.lower() for a in to.addresses
                ):
                    path.unlink(missing_ok=True)
                    return message  # type: ignore[return-value]
            return None

        found: EmailMessage = await eventually(
            arrived, timeout, what=f"a mail to {address} in {self.directory}", interval=0.2
        )
        return found


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"the mail {message['Subject']!r} has no text part"
    return str(part.get_content())


def action_link(message: EmailMessage) -> str:
    """The one Keycloak action link in the mail's text."""
    links = ACTION_LINK.findall(text_of(message))
    assert len(links) == 1, f"the mail {message['Subject']!r} has {len(links)} action links"
    return str(links[0])
