"""Secrets out of every text that leaves the process: the one owner of what is hidden and how.

A `Redactor` is built from the settings: every secret field (the API key, the SMTP password) and
the credentials inside every configured URL (the OpenAI base URL, the arXiv API and feed URLs, any
URL setting added later). Text is redacted where an error message is made and again where text
leaves the process (the CLI's output and logs, outcome reasons stored in `index.md`, the digest
state and pages), so a secret that slips past the first reaches no one through the second.

Two shapes are hidden besides the exact secret: the user:password part of any URL in the text
(whatever URL it is: a proxy or a redirect may name one the settings do not), and any run of a
secret's first characters (servers echo a key cut short: "Incorrect API key provided: sk-SECRE...").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, SecretStr

MASK = "***"
# A configured secret shorter than this is a placeholder ("x", "no", "abc" for a keyless local
# server), and hiding it would mask ordinary letters of every message; URL credentials of any
# length are still hidden by their place in the URL.
MIN_SECRET_CHARS = 4
# Servers echo a secret cut short; a run of its first characters this long or longer is hidden.
# Shorter runs ("sk-") are shared by every key of a provider and give nothing away.
PREFIX_CHARS = 6

# scheme://userinfo@ : greedy up to the authority's last "@", as URL parsers read it (a password may
# hold an unescaped "@"), never past the end of the authority.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s@]*(?:@[^/?#\s@]*)*@")


def mask_url_credentials(text: str) -> str:
    """`text` with the user:password part of every URL in it replaced: http://***@host/v1."""
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)


def url_secrets(url: str) -> list[str]:
    """The secrets a URL carries: its password (as written and decoded), or a lone user name, which
    is then a token (https://TOKEN@host)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return []
    if not parts.scheme or "@" not in parts.netloc:
        return []
    userinfo = parts.netloc.rpartition("@")[0]
    user, has_password, password = userinfo.partition(":")
    secret = password if has_password else user
    return list(dict.fromkeys(s for s in (secret, unquote(secret)) if s))


def _settings_secrets(value: object) -> Iterator[str]:
    if isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, str):
        yield from url_secrets(value)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _settings_secrets(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _settings_secrets(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _settings_secrets(item)


@dataclass(frozen=True)
class Redactor:
    """Hides the given secrets (and URL credentials) in any text; callable, thread-safe."""

    secrets: tuple[str, ...] = ()

    @classmethod
    def of(cls, secrets: Iterable[str]) -> Redactor:
        """A redactor for these secrets; placeholders shorter than MIN_SECRET_CHARS are dropped."""
        kept = {s for s in secrets if len(s) >= MIN_SECRET_CHARS}
        return cls(tuple(sorted(kept, key=len, reverse=True)))

    @classmethod
    def from_settings(cls, settings: BaseModel) -> Redactor:
        """Every secret field and every configured URL's credentials, found by walking the settings."""
        return cls.of(_settings_secrets(settings))

    def __call__(self, text: str) -> str:
        text = mask_url_credentials(text)
        for secret in self.secrets:
            text = _hide_prefixes(text, secret)
        return text


def _hide_prefixes(text: str, secret: str) -> str:
    """`text` with every run of at least PREFIX_CHARS of the secret's first characters (the whole
    secret when it is shorter) replaced by MASK."""
    head = secret[: min(len(secret), PREFIX_CHARS)]
    start = text.find(head)
    if start < 0:
        return text
    pieces = []
    done = 0
    while start >= 0:
        end = start + len(head)
        while end < len(text) and end - start < len(secret) and text[end] == secret[end - start]:
            end += 1
        pieces += [text[done:start], MASK]
        done = end
        start = text.find(head, end)
    pieces.append(text[done:])
    return "".join(pieces)
