"""The account recovery email: plain text with the one-time link, nothing else of the account."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid


def recovery_message(sender: str, recipient: str, title_id: str, link: str, minutes: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = "Reset your password"
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="playfab.invalid")
    message.set_content(
        f"Someone asked to reset the password of your account in {title_id}.\n"
        "\n"
        "To choose a new password, open this link:\n"
        "\n"
        f"{link}\n"
        "\n"
        f"The link works once, for {minutes} minutes. If you did not ask for it, ignore this email:\n"
        "your password stays as it is.\n"
    )
    return message
