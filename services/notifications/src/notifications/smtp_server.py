"""A small local SMTP server (aiosmtpd) that really receives mail and keeps it.

`make run` starts it as `python -m notifications.smtp_server` (NOTIFICATIONS_SMTP_HOST/PORT,
default 127.0.0.1:8025) and it writes each message as an .eml file under
`<state dir>/mail/`; tests start it in their own event loop on a free port and read
`LocalSmtpServer.store`. It only logs subjects: addresses are personal data.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger(__name__)
# aiosmtpd logs each envelope's addresses at INFO ("mail.log"); addresses are personal data.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def to(self) -> str:
        return str(self.message["To"] or "")

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


class MailStore:
    """What the server received, in order; awaitable for tests."""

    def __init__(self, directory: Path | None = None) -> None:
        self.messages: list[ReceivedMail] = []
        self.directory = directory
        self._changed = asyncio.Condition()

    async def add(self, mail: ReceivedMail, raw: bytes) -> None:
        self.messages.append(mail)
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            name = f"{time.time_ns()}-{len(self.messages)}.eml"
            # Written aside, then renamed: a reader of the folder (the browser tests, which
            # share it with other runs) never sees half a mail.
            partial = self.directory / f".{name}.partial"
            partial.write_bytes(raw)
            partial.replace(self.directory / name)
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(
        self, match: Callable[[ReceivedMail], bool], *, within: float = 10.0
    ) -> ReceivedMail:
        """The first received mail that matches, waiting up to `within` seconds for it."""

        def found() -> ReceivedMail | None:
            return next((m for m in self.messages if match(m)), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), within)
        mail = found()
        assert mail is not None
        return mail


class _StoringHandler:
    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        mail = ReceivedMail(
            mail_from=str(envelope.mail_from or ""),
            rcpt_tos=tuple(envelope.rcpt_tos),
            message=parsed,
        )
        await self.store.add(mail, raw)
        log.info("received mail: %s", mail.subject)
        return "250 Message accepted for delivery"


class LocalSmtpServer:
    """An SMTP server in the running event loop; `port=0` picks a free port."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, directory: Path | None = None):
        self.host = host
        self.requested_port = port
        self.store = MailStore(directory)
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> LocalSmtpServer:
        handler = _StoringHandler(self.store)
        loop = asyncio.get_running_loop()

        def protocol() -> Any:
            return SMTP(handler, hostname="rights-local-smtp", decode_data=False)

        self._server = await loop.create_server(protocol, self.host, self.requested_port)
        return self

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the server first"
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> LocalSmtpServer:
        return await self.start()

    async def __aexit__(self, *_: object) -> None:
        await self.stop()


async def serve_forever() -> None:
    from notifications.settings import NotificationsSettings

    settings = NotificationsSettings()
    directory = settings.platform.rights_state_dir / "mail"
    server = await LocalSmtpServer(
        host=settings.smtp_host, port=settings.smtp_port, directory=directory
    ).start()
    log.info(
        "local SMTP server on %s:%d, mail kept in %s", settings.smtp_host, server.port, directory
    )
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s smtp %(message)s")
    asyncio.run(serve_forever())


if __name__ == "__main__":
    main()
