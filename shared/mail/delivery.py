"""Hand a message to the configured mail server, or write it to the outbox folder when there is none.

smtplib is blocking, so a delivery runs in a worker thread and never stalls the event loop. The SMTP
password is only ever passed to the server's login; no message or error text that could hold it is logged.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import smtplib
import ssl
import time
from email.message import EmailMessage
from pathlib import Path

from shared.config.settings import Settings


class DeliveryFailed(Exception):
    """The mail server could not be reached or refused the message (the text names no secret)."""


def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    assert settings.smtp_host
    timeout = settings.smtp_timeout_seconds
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.smtp_tls == "tls":
        client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with client:
        if settings.smtp_tls == "starttls":
            client.starttls(context=context)
        if settings.smtp_username:
            client.login(settings.smtp_username, settings.smtp_password or "")
        client.send_message(message)


def write_outbox(folder: Path, message: EmailMessage) -> Path:
    """Write the message as a new `.eml` file readable by its owner only (it carries a reset link)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{secrets.token_hex(4)}"
    partial, path = folder / f".{name}.part", folder / f"{name}.eml"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(message.as_bytes())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, path)  # whole or absent: a reader never sees half a message
    return path


def _deliver(settings: Settings, message: EmailMessage) -> None:
    if not settings.smtp_host:
        write_outbox(settings.mail_outbox_dir, message)
        return
    try:
        _send_smtp(settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        # The class only: an SMTP error's text may echo what was sent, and a login error the account.
        raise DeliveryFailed(f"mail not delivered: {type(exc).__name__}") from None


async def deliver(settings: Settings, message: EmailMessage) -> None:
    await asyncio.to_thread(_deliver, settings, message)


def sender(settings: Settings) -> str:
    """The From address: SMTP_SENDER, or a local one for the outbox (which needs no real sender)."""
    return settings.smtp_sender or "noreply@localhost"
