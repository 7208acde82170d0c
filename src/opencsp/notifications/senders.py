"""How notification e-mail leaves, chosen by ``OPENCSP_EMAIL_SENDER``:

- ``file`` (default, the demo's): one RFC 5322 ``.eml`` file per message in
  ``OPENCSP_EMAIL_DIR`` (default ``<data dir>/mail``), named after the message key, written
  to a temporary name and renamed, so a message delivered twice (delivery is at least
  once) is one file and a reader never sees half of one;
- ``smtp``: through ``OPENCSP_SMTP_HOST``/``PORT`` (login with ``SMTP_USER``/``PASSWORD``
  when given, ``SMTP_STARTTLS`` to upgrade), stdlib ``smtplib``;
- ``none``: dropped (delivered, nothing sent).

Every message carries a ``Message-ID`` made from its key, so a receiver can drop a
duplicate. A sender raises ``DeliveryFailed`` (or ``OSError``) when the message did not
leave; the delivery job retries it.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from opencsp.core.config import settings


class DeliveryFailed(Exception):
    """The message did not leave (the reason is the text)."""


@dataclass(frozen=True, slots=True)
class Email:
    key: str
    to: str
    subject: str
    body: str
    sent_at: datetime
    language: str = "en"


Sender = Callable[[Email], None]


def message_id(key: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@opencsp.notifications>"


def build(email: Email, *, sender: str) -> EmailMessage:
    """The RFC 5322 message of ``email`` (UTF-8 text, the language in Content-Language)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = email.to
    msg["Subject"] = email.subject
    msg["Date"] = format_datetime(email.sent_at)
    msg["Message-ID"] = message_id(email.key)
    msg.set_content(email.body)
    msg["Content-Language"] = email.language  # after set_content, which clears Content-*
    return msg


def file_name(key: str) -> str:
    """A file name for a message key: its readable characters and a digest of all of it
    (two keys never share a name)."""
    readable = "".join(c if c.isalnum() or c in "-_" else "_" for c in key)[:80]
    return f"{readable}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.eml"


def file_sender(directory: Path, *, sender: str) -> Sender:
    def send(email: Email) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / file_name(email.key)
        if target.exists():
            return
        data = build(email, sender=sender).as_bytes()
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".sending-", suffix=".eml")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    return send


def smtp_sender(
    host: str,
    port: int,
    *,
    sender: str,
    user: str = "",
    password: str = "",
    starttls: bool = False,
    timeout: float = 10.0,
) -> Sender:
    def send(email: Email) -> None:
        try:
            with smtplib.SMTP(host, port, timeout=timeout) as smtp:
                if starttls:
                    smtp.starttls()
                if user:
                    smtp.login(user, password)
                smtp.send_message(build(email, sender=sender))
        except smtplib.SMTPException as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc

    return send


def null_sender(_email: Email) -> None:
    """``none``: nothing is sent."""


def mail_dir() -> Path:
    s = settings()
    return s.email_dir if s.email_dir is not None else s.data_dir / "mail"


def configured_sender() -> Sender:
    s = settings()
    if s.email_sender == "none":
        return null_sender
    if s.email_sender == "smtp":
        return smtp_sender(
            s.smtp_host,
            s.smtp_port,
            sender=s.email_from,
            user=s.smtp_user,
            password=s.smtp_password,
            starttls=s.smtp_starttls,
            timeout=s.smtp_timeout_seconds,
        )
    return file_sender(mail_dir(), sender=s.email_from)
