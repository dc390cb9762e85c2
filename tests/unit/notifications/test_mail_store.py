"""The local SMTP server's folder of mail (`make run`'s, shared with the browser tests, which
read it while it is written): each mail appears whole, under its final name, or not at all."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from notifications.smtp_server import MailStore, ReceivedMail


async def test_each_mail_appears_whole_as_one_eml_file(tmp_path: Path) -> None:
    message = EmailMessage()
    message["To"] = "suda@example.org"
    message["Subject"] = "ตรวจสอบอีเมล"
    message.set_content("x" * 100_000)
    raw = message.as_bytes()
    store = MailStore(tmp_path / "mail")

    await store.add(ReceivedMail("a@example.org", ("suda@example.org",), message), raw)
    await store.add(ReceivedMail("a@example.org", ("suda@example.org",), message), raw)

    files = sorted((tmp_path / "mail").iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]  # nothing half-written left aside
    for file in files:
        assert file.read_bytes() == raw
        read = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
        assert read["Subject"] == "ตรวจสอบอีเมล"
