"""The digest e-mail: a real SMTP exchange with a local aiosmtpd server, and failures as DeliveryError."""

from __future__ import annotations

import email
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from chatpaper.errors import DeliveryError
from chatpaper.mailer import send_digest, split_addresses
from chatpaper.settings import SmtpSettings

PAGE = """# arXiv digest · 2025-08-20

**cs.CL** · 3 new announcements · 1 matched · 1 summarized

| a | b |
|---|---|
| 1 | 2 |

<details><summary><b>Method.</b> We do it.</summary>

We do it with p < 0.05 and *care*.

</details>
"""


HTML = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>arXiv digest</title></head><body>'
    '<h1>arXiv digest · 2025-08-20</h1><p>We do it with p &lt; 0.05.</p><img src="cid:fig1.2025-08-20@chatpaper">'
    "</body></html>\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"not really a picture"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

        self.encrypted: list[bool] = []  # per message: whether it came over TLS

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)  # type: ignore[attr-defined]
        self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[attr-defined]
        self.encrypted.append(getattr(session, "ssl", None) is not None)
        return "250 OK"


def _authenticate(server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"reader", b"s3cret-pw")
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 235 or 535 itself


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_require_tls=False,  # the test server has no certificate; login in the clear on loopback only
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def smtp(port: int, **kwargs: object) -> SmtpSettings:
    return SmtpSettings.model_validate(
        {"host": "127.0.0.1", "port": port, "starttls": False, "sender": "digest@example.org", **kwargs}
    )


def test_digest_arrives_as_text_and_html_with_its_figures(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    to = "a@example.org, b@example.org"
    images = [("fig1.2025-08-20@chatpaper", PNG)]
    send_digest(PAGE, html=HTML, images=images, subject="arXiv digest 2025-08-20", to=to, smtp=smtp(port))
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["a@example.org", "b@example.org"]
    assert message["Subject"] == "arXiv digest 2025-08-20"
    assert message["From"] == "digest@example.org"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html_part = message.get_body(preferencelist=("related", "html"))
    assert "# arXiv digest · 2025-08-20" in text
    assert html_part.get_content_type() == "multipart/related"  # the page and the pictures it shows
    page, picture = list(html_part.iter_parts())
    assert page.get_content().replace("\r\n", "\n") == HTML  # as sent, with SMTP line ends
    assert picture.get_content_type() == "image/png" and picture["Content-ID"] == "<fig1.2025-08-20@chatpaper>"
    assert picture.get_content() == PNG


def test_without_figures_the_html_is_the_alternative_itself(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    send_digest(PAGE, html=HTML, subject="s", to="a@example.org", smtp=smtp(port))
    ((_, message),) = inbox.messages
    assert message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n") == HTML


def test_login_with_the_password(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    send_digest(PAGE, html=HTML, subject="s", to="a@example.org", smtp=smtp(port, user="reader", password="s3cret-pw"))
    assert len(inbox.messages) == 1


def test_refused_login_never_shows_the_password(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    with pytest.raises(DeliveryError) as info:
        send_digest(
            PAGE, html=HTML, subject="s", to="a@example.org", smtp=smtp(port, user="reader", password="wrong-pw-123")
        )
    assert "refused the login" in str(info.value)
    assert "wrong-pw-123" not in str(info.value)
    assert "\n" not in str(info.value)
    assert inbox.messages == []


def test_starttls_required_but_not_offered(smtp_server: tuple[Inbox, int]) -> None:
    _, port = smtp_server
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send_digest(PAGE, html=HTML, subject="s", to="a@example.org", smtp=smtp(port, starttls=True))


def test_unreachable_server_and_missing_host() -> None:
    with pytest.raises(DeliveryError, match=r"cannot reach 127\.0\.0\.1"):
        send_digest(PAGE, html=HTML, subject="s", to="a@example.org", smtp=smtp(free_port()))
    with pytest.raises(DeliveryError, match="CHATPAPER_SMTP_HOST"):
        send_digest(PAGE, html=HTML, subject="s", to="a@example.org", smtp=SmtpSettings())


def test_helpers() -> None:
    assert split_addresses(["a@x, b@y", " c@z "]) == ["a@x", "b@y", "c@z"]


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 made with the openssl command (skips without it)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate for STARTTLS")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = [
        *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
        *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
        *("-addext", "subjectAltName=IP:127.0.0.1"),
    ]
    made = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if made.returncode != 0:
        pytest.skip(f"openssl could not make a test certificate: {made.stderr.strip()[:200]}")
    return cert, key


def test_starttls_then_login_then_delivery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = _self_signed_certificate(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    inbox, port = Inbox(), free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_tls,
        require_starttls=True,  # nothing but EHLO and STARTTLS before the upgrade
        authenticator=_authenticate,
        auth_require_tls=True,  # the password only over TLS
    )
    controller.start()
    # The client verifies the server as usual (certificate chain and host name), trusting our test CA.
    default_context = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: default_context(cafile=str(cert)))
    try:
        settings = smtp(port, starttls=True, user="reader", password="s3cret-pw")
        send_digest(PAGE, html=HTML, subject="arXiv digest 2025-08-20", to="a@example.org", smtp=settings)
    finally:
        controller.stop()
    assert inbox.encrypted == [True]
    ((recipients, message),) = inbox.messages
    assert recipients == ["a@example.org"] and message["Subject"] == "arXiv digest 2025-08-20"


def test_starttls_with_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    cert, key = _self_signed_certificate(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True)
    controller.start()
    try:
        with pytest.raises(DeliveryError, match=r"e-mail not sent via 127\.0\.0\.1:\d+: .*certificate"):
            send_digest(PAGE, html=HTML, subject="s", to="a@example.org", smtp=smtp(port, starttls=True))
    finally:
        controller.stop()
    assert inbox.messages == []
