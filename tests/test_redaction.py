"""The redactor: what it hides (secrets, their echoed starts, URL credentials), what it leaves, and
that it finds every secret the settings hold."""

from __future__ import annotations

import pytest

from chatpaper.redaction import MASK, Redactor, mask_url_credentials, url_secrets
from chatpaper.settings import Settings, describe_settings, load_settings

KEY = "sk-proj-Q7vX2mLr9TzK4hWc"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("cannot connect to http://relay:pw-77@10.0.0.2:8000/v1 (ConnectError)", "http://***@10.0.0.2:8000/v1"),
        ("https://TOKEN123@relay.example.org/v1/chat", "https://***@relay.example.org/v1/chat"),
        ("'http://u:p%40ss@h/x'", "'http://***@h/x'"),
        ("http://u:p@ss@h/x and more", "http://***@h/x and more"),  # an unescaped @ in the password
        ("socks5://proxy-user:proxy-pw@proxy:1080", "socks5://***@proxy:1080"),
    ],
)
def test_url_credentials_are_masked_wherever_a_url_is(text: str, shown: str) -> None:
    assert shown in mask_url_credentials(text)
    assert "pw" not in mask_url_credentials(text).replace("proxy:1080", "")
    assert "TOKEN123" not in mask_url_credentials(text)


@pytest.mark.parametrize(
    "text",
    [
        "https://api.openai.com/v1/chat/completions",
        "mail me at reader@example.org, see https://arxiv.org/abs/2501.00001",
        "HTTP 404 from http://127.0.0.1:9/v1: no route /v1/x",
    ],
)
def test_urls_without_credentials_and_addresses_are_left_alone(text: str) -> None:
    assert mask_url_credentials(text) == text


def test_the_key_and_any_echoed_start_of_it_are_hidden() -> None:
    redact = Redactor.of([KEY])
    assert redact(f"Incorrect API key provided: {KEY}.") == f"Incorrect API key provided: {MASK}."
    # Servers echo keys cut short, at any length from 6 characters on.
    for cut in (6, 9, len(KEY) - 1):
        assert redact(f"key {KEY[:cut]}... refused") == f"key {MASK}... refused"
    assert redact(f"{KEY[:8]}****{KEY[-4:]}") == f"{MASK}****{KEY[-4:]}"  # OpenAI's masked form
    # Five characters are every key of the provider ("sk-pr"): nothing to hide.
    assert redact(f"keys look like {KEY[:5]}...") == f"keys look like {KEY[:5]}..."


def test_placeholder_keys_are_not_masked_in_ordinary_text() -> None:
    redact = Redactor.of(["x", "no"])
    text = "no answer: the next request may succeed"
    assert redact(text) == text


def test_every_secret_the_settings_hold_is_found() -> None:
    settings = Settings(
        api_key=KEY,
        base_url="http://relay-user:relay%2Fpw@relay.local/v1",
        arxiv_api_url="https://tok-9f3a21@mirror.example.org/api/query",
        smtp={"user": "reader", "password": "smtp-Secret-9"},
    )
    redact = Redactor.from_settings(settings)
    text = (
        f"{KEY} relay/pw relay%2Fpw tok-9f3a21 smtp-Secret-9 reader "
        "http://relay-user:relay%2Fpw@relay.local/v1 https://tok-9f3a21@mirror.example.org/api/query"
    )
    shown = redact(text)
    for secret in (KEY, "relay/pw", "relay%2Fpw", "tok-9f3a21", "smtp-Secret-9"):
        assert secret not in shown
    assert "reader" in shown  # a login name beside a password is no secret
    assert "http://***@relay.local/v1" in shown and "https://***@mirror.example.org/api/query" in shown


def test_url_secrets_are_the_password_or_a_lone_token() -> None:
    assert url_secrets("http://user:pa%40ss@h/v1") == ["pa%40ss", "pa@ss"]
    assert url_secrets("https://tok-123@h/v1") == ["tok-123"]
    assert url_secrets("https://h/v1") == [] and url_secrets("not a url") == []


def test_config_shows_urls_without_their_credentials() -> None:
    loaded = load_settings(environ={"OPENAI_BASE_URL": "http://relay-user:relay-pw-77@relay.local/v1"})
    rows = {name: value for name, value, _ in describe_settings(loaded)}
    assert rows["base_url"] == "http://***@relay.local/v1"
    assert "relay-pw-77" not in str(describe_settings(loaded))
