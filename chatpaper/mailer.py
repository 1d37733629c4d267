"""E-mail a digest page: multipart/alternative with the Markdown as text and the HTML page (its figures as
related parts of the message).

Only the standard library talks SMTP. The password is read from the settings at login time and
never appears in a message, a log line or an error.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from chatpaper.errors import DeliveryError
from chatpaper.settings import SmtpSettings

TIMEOUT = 30.0


def split_addresses(value: str | Sequence[str]) -> list[str]:
    """'a@x, b@y' or ['a@x', 'b@y'] -> ['a@x', 'b@y']."""
    items = [value] if isinstance(value, str) else list(value)
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


def build_message(
    text: str,
    html: str,
    *,
    subject: str,
    to: Sequence[str],
    sender: str,
    images: Sequence[tuple[str, bytes]] = (),
) -> EmailMessage:
    """The message: plain-text Markdown first, HTML as the preferred alternative, with each (content id,
    PNG) of `images` as a part of the HTML that it shows through `cid:`."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(usegmt=True)
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if images:
        html_part = message.get_body(preferencelist=("html",))
        assert html_part is not None
        for content_id, png in images:
            html_part.add_related(png, maintype="image", subtype="png", cid=f"<{content_id}>")
    return message


def send_digest(
    text: str,
    *,
    html: str,
    subject: str,
    to: str | Sequence[str],
    smtp: SmtpSettings,
    images: Sequence[tuple[str, bytes]] = (),
) -> None:
    """Send the digest, its Markdown `text` and its `html` page (with `images` as related parts), to `to`
    over the configured SMTP server.

    Raises `DeliveryError` with a one-line reason (the server, what failed, the fix).
    """
    recipients = split_addresses(to)
    if not recipients:
        raise DeliveryError("no e-mail recipient given: pass --email you@example.org")
    if not smtp.host:
        raise DeliveryError("e-mail not sent: no SMTP server configured; set [smtp] host or CHATPAPER_SMTP_HOST")
    where = f"{smtp.host}:{smtp.port}"
    message = build_message(text, html, subject=subject, to=recipients, sender=smtp.sender, images=images)
    try:
        _deliver(message, recipients, smtp)
    except DeliveryError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"e-mail not sent: {where} refused the login for {smtp.user} ({exc.smtp_code}): "
            "check [smtp] user and CHATPAPER_SMTP_PASSWORD"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(exc.recipients)
        raise DeliveryError(f"e-mail not sent: {where} refused the recipient {refused}: check --email") from None
    except smtplib.SMTPResponseException as exc:
        reason = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        raise DeliveryError(
            f"e-mail not sent: {where} answered {exc.smtp_code} {_one_line(str(reason))}: check the [smtp] settings"
        ) from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise DeliveryError(f"e-mail not sent via {where}: {_one_line(str(exc))}: check the [smtp] settings") from None
    except TimeoutError:
        raise DeliveryError(
            f"e-mail not sent: {where} did not answer within {TIMEOUT:.0f}s: check [smtp] host/port"
        ) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DeliveryError(
            f"e-mail not sent: cannot reach {where} ({reason}): check [smtp] host/port or CHATPAPER_SMTP_HOST"
        ) from None


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _deliver(message: EmailMessage, recipients: list[str], smtp: SmtpSettings) -> None:
    context = ssl.create_default_context()
    host = smtp.host or ""
    client: smtplib.SMTP
    if smtp.ssl:
        client = smtplib.SMTP_SSL(host, smtp.port, timeout=TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(host, smtp.port, timeout=TIMEOUT)
    with client:
        client.ehlo()
        if smtp.starttls and not smtp.ssl:
            if not client.has_extn("starttls"):
                raise DeliveryError(
                    f"e-mail not sent: {smtp.host}:{smtp.port} does not offer STARTTLS: use its TLS port, or set "
                    "[smtp] starttls = false for a trusted local relay"
                )
            client.starttls(context=context)
            client.ehlo()
        if smtp.user:
            if smtp.password is None or not smtp.password.get_secret_value():
                raise DeliveryError(
                    f"e-mail not sent: [smtp] user {smtp.user} has no password: set CHATPAPER_SMTP_PASSWORD"
                )
            client.login(smtp.user, smtp.password.get_secret_value())
        client.send_message(message, to_addrs=recipients)
