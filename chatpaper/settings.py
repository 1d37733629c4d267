"""Settings: one pydantic model with described fields, loaded in layers.

Precedence, highest first: CLI flag > `CHATPAPER_*` environment > the project's `chatpaper.toml`
(the current folder's, or `--config`) > the user's `chatpaper.toml` (`$XDG_CONFIG_HOME/chatpaper/`,
~/.config/chatpaper/ by default) > defaults. Where files live by default (the cache, the digest
state, the user config) follows the platform's conventions through platformdirs: the XDG base
directories on Linux.
The openai SDK's own `OPENAI_API_KEY` / `OPENAI_BASE_URL` are honoured below their `CHATPAPER_`
twins. We load the layers ourselves (rather than through pydantic-settings) because
`chatpaper config` must say where each effective value came from.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, ValidationInfo, field_validator

from chatpaper.errors import ConfigError
from chatpaper.models import BackendName, Language
from chatpaper.redaction import mask_url_credentials

ENV_PREFIX = "CHATPAPER_"
DEFAULT_CONFIG_FILE = "chatpaper.toml"
APP_NAME = "chatpaper"


def user_config_file() -> Path:
    """The user's own settings, under every project's: $XDG_CONFIG_HOME/chatpaper/chatpaper.toml."""
    return platformdirs.user_config_path(APP_NAME) / DEFAULT_CONFIG_FILE


def user_cache_dir() -> Path:
    """Downloaded PDFs and the summary cache: $XDG_CACHE_HOME/chatpaper (~/.cache/chatpaper)."""
    return platformdirs.user_cache_path(APP_NAME)


def user_state_file() -> Path:
    """The digest's state: $XDG_STATE_HOME/chatpaper/state.db (~/.local/state/chatpaper/state.db)."""
    return platformdirs.user_state_path(APP_NAME) / "state.db"


def _split_list(value: Any) -> Any:
    """Accept "a, b" (flags, env) as well as ["a", "b"] (TOML)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class ModelPrice(BaseModel):
    """USD per million tokens."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0, description="USD per 1M prompt tokens")
    output: float = Field(ge=0, description="USD per 1M completion tokens")
    cached_input: float | None = Field(
        None, ge=0, description="USD per 1M prompt tokens served from the provider's prompt cache (default: input)"
    )


class DigestTopic(BaseModel):
    """A named group of categories and keywords with its own section in the digest."""

    model_config = ConfigDict(extra="forbid")

    name: str
    categories: list[str] = Field([], description="arXiv categories, e.g. cs.CL")
    include: list[str] = Field([], description="keywords or phrases that raise a paper's score")
    exclude: list[str] = Field([], description="keywords or phrases that drop a paper")

    @field_validator("categories", "include", "exclude", mode="before")
    @classmethod
    def split_lists(cls, value: Any) -> Any:
        return _split_list(value)


class DigestSettings(BaseModel):
    """The `[digest]` section."""

    model_config = ConfigDict(extra="forbid")

    categories: list[str] = Field([], description="arXiv categories to follow, e.g. cs.CL, cs.LG")
    cross_lists: bool = Field(False, description="also keep cross-listed announcements")
    include: list[str] = Field([], description="keywords/phrases to rank by (whole words)")
    exclude: list[str] = Field([], description="keywords/phrases that drop a paper")
    top: int = Field(20, ge=1, description="papers summarized per day, after ranking")
    state: Path = Field(default_factory=user_state_file, description="SQLite file with papers seen and runs")
    out: Path = Field(Path("digests"), description="folder for YYYY-MM-DD.md pages")
    email: str | None = Field(None, description="send the digest to this address")
    site_url: str | None = Field(
        None, description="where the digest folder is published (https://you.github.io/digests/): the feed's own links"
    )
    topics: list[DigestTopic] = Field([], description="named topics, each with categories and keywords")

    @field_validator("categories", "include", "exclude", mode="before")
    @classmethod
    def split_lists(cls, value: Any) -> Any:
        return _split_list(value)

    @field_validator("site_url")
    @classmethod
    def _site_url(cls, value: str | None) -> str | None:
        """An http(s) folder URL ending in "/", so page names resolve inside it."""
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL with a host, like https://you.github.io/digests/")
        return value.strip().rstrip("/") + "/"


class SmtpSettings(BaseModel):
    """The `[smtp]` section, for `digest --email`."""

    model_config = ConfigDict(extra="forbid")

    host: str | None = Field(None, description="SMTP server host")
    port: int = Field(587, description="SMTP port (587 with STARTTLS, 25 plain, 465 SSL)")
    user: str | None = Field(None, description="SMTP login")
    password: SecretStr | None = Field(None, description="SMTP password (secret)")
    starttls: bool = Field(True, description="upgrade the connection with STARTTLS")
    ssl: bool = Field(False, description="connect over SSL from the start (port 465)")
    sender: str = Field("chatpaper@localhost", description="From: address")


class ReaderSettings(BaseModel):
    """The `[reader]` section: what reading one PDF may cost (a hostile or broken file fails alone past it)."""

    model_config = ConfigDict(extra="forbid")

    memory_mb: int = Field(
        1024,
        ge=64,
        description="MiB of memory reading one PDF may take beyond the reader process itself (a 500-page thesis "
        "takes about 400)",
    )
    ocr_memory_mb: int = Field(
        2048,
        ge=0,
        description="MiB more a paper read by OCR may take: the OCR engine takes about 700 loaded and grows with "
        "the pages it reads (after the 30 pages of the corpus's scan, about 1,000)",
    )
    cpu_seconds: int = Field(
        120,
        ge=1,
        description="CPU seconds reading one PDF may take (a 500-page thesis takes about 5); a reader still busy "
        "after 4 times that in wall time (at least a minute) is stopped too",
    )


# How the JSON answer is requested, and what a paper too long for the window gets (one spelling each,
# for the setting and the LLM slice).
StructuredSetting = Literal["auto", "json_schema", "json_object", "prompt"]
LongPaperSetting = Literal["map-reduce", "truncate"]


def _has_endpoint(api_key: SecretStr | None, base_url: str | None) -> bool:
    """A key or a base URL is configured (a base URL alone suits keyless local servers)."""
    return bool(api_key and api_key.get_secret_value()) or bool(base_url)


class ArxivSettings(BaseModel):
    """What talking to arXiv needs (the API client, the announcement feed, PDF downloads): `Settings.arxiv`.

    A slice of the flat settings, built by the caller and handed down, so the sources layer sees
    only these; the names users set (arxiv_api_url, CHATPAPER_ARXIV_DELAY ...), their defaults
    and checks stay on `Settings`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_url: str  # arxiv_api_url
    rss_url: str  # arxiv_rss_url
    delay: float  # arxiv_delay
    retries: int  # arxiv_retries
    download_workers: int


class LlmSettings(BaseModel):
    """What the OpenAI-compatible client and backend need: `Settings.llm`.

    A slice of the flat settings (same names, defaults and checks on `Settings`), built by the
    caller and handed down, so the LLM layer sees only these. The key stays a `SecretStr`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    api_key: SecretStr | None
    base_url: str | None
    timeout: float
    max_attempts: int
    structured: StructuredSetting
    rpm: int | None
    tpm: int | None
    context_tokens: int | None
    prompt_tokens: int | None
    max_output_tokens: int
    long_paper: LongPaperSetting

    @property
    def has_llm_endpoint(self) -> bool:
        return _has_endpoint(self.api_key, self.base_url)


class Settings(BaseModel):
    """Everything a run can be configured with."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # --- what to produce
    out: Path = Field(Path("reports"), description="folder for the reports")
    language: Language = Field("en", description="language of the summaries: en or zh")
    force: bool = Field(False, description="redo papers already summarized")
    figures: bool = Field(True, description="render each paper's Figure 1 to a PNG beside its report and digest page")

    # --- which model
    backend: Literal["auto", BackendName] = Field(
        "auto",
        description="auto: the OpenAI-compatible server when a key or base URL is set, else extractive",
    )
    model: str = Field("gpt-4o-mini", description="model name on the OpenAI-compatible server")
    api_key: SecretStr | None = Field(None, description="API key (secret; OPENAI_API_KEY is honoured)")
    base_url: str | None = Field(None, description="OpenAI-compatible base URL (OPENAI_BASE_URL is honoured)")
    timeout: float = Field(
        120.0,
        gt=0,
        description="deadline in seconds for one LLM request, from connecting to the reply's last byte; "
        "a request past it is cut off and retried",
    )
    max_attempts: int = Field(
        5,
        ge=1,
        description="failed LLM requests (timeouts, 429, 5xx, lost connections) a paper may have over all its "
        "calls before it fails",
    )
    structured: StructuredSetting = Field(
        "auto", description="how the JSON answer is requested; auto falls back when the server refuses"
    )

    # --- speed and cost
    workers: int = Field(4, ge=1, le=64, description="papers in flight at once")
    rpm: int | None = Field(None, ge=1, description="client-side limit on LLM requests per minute")
    tpm: int | None = Field(None, ge=1, description="client-side limit on LLM tokens per minute")
    context_tokens: int | None = Field(
        None, ge=1024, description="the model's context window; known models have a default"
    )
    prompt_tokens: int | None = Field(
        None,
        ge=500,
        description="cap on one prompt's tokens (instructions, schema and paper text); default: the whole paper "
        "up to 16,000 tokens of text on a model window of 32k tokens or more, else 3,500 for the whole prompt",
    )
    max_output_tokens: int = Field(1500, ge=200, description="room reserved for the model's answer")
    long_paper: LongPaperSetting = Field(
        "map-reduce", description="when the key sections do not fit: summarize them in parts, or trim"
    )
    max_cost: float | None = Field(None, gt=0, description="stop starting new papers past this many USD")
    max_tokens_total: int | None = Field(None, gt=0, description="stop starting new papers past this many tokens")
    prices: dict[str, ModelPrice] = Field({}, description="USD per 1M tokens by model name, added to the defaults")

    # --- reading
    ocr: Literal["auto", "always", "never"] = Field(
        "auto",
        description="OCR (the chatpaper[ocr] extra): auto reads pages without a text layer and papers whose text "
        "layer is unreadable from their images; always reads every page so; never",
    )

    # --- where things live
    cache_dir: Path = Field(
        default_factory=user_cache_dir, description="downloaded PDFs and the summary cache live here"
    )

    # --- arXiv
    arxiv_api_url: str = Field(
        "https://export.arxiv.org/api/query", description="arXiv API endpoint (an http(s) URL; a mirror or test server)"
    )
    arxiv_rss_url: str = Field("https://rss.arxiv.org/atom", description="arXiv announcement feed base URL (http(s))")
    arxiv_delay: float = Field(
        3.0,
        ge=0,
        description="seconds between arXiv API requests; never under 3 on arxiv.org (its terms), shorter only for "
        "test servers",
    )
    arxiv_retries: int = Field(4, ge=0, description="retries on arXiv 429/5xx/connection errors/empty pages")
    download_workers: int = Field(
        2, ge=1, le=2, description="PDF downloads at once: at most 2, to be polite to arxiv.org"
    )

    digest: DigestSettings = Field(default_factory=DigestSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    reader: ReaderSettings = Field(default_factory=ReaderSettings)

    @field_validator("arxiv_api_url", "arxiv_rss_url")
    @classmethod
    def _http_url(cls, value: str, info: ValidationInfo) -> str:
        """A scheme and host up front: requests would otherwise fail on the first call with a traceback."""
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            example = cls.model_fields[str(info.field_name)].default
            raise ValueError(f"must be an http(s) URL with a host, like the default {example}")
        return value.strip()

    @property
    def cache_path(self) -> Path:
        return self.cache_dir.expanduser()

    @property
    def has_llm_endpoint(self) -> bool:
        """True when a key or a base URL is configured (a base URL alone suits keyless local servers)."""
        return _has_endpoint(self.api_key, self.base_url)

    @property
    def arxiv(self) -> ArxivSettings:
        """The arXiv slice, for `ArxivClient`, `download_pdf` and `fetch_announcement_feed`."""
        return ArxivSettings(
            api_url=self.arxiv_api_url,
            rss_url=self.arxiv_rss_url,
            delay=self.arxiv_delay,
            retries=self.arxiv_retries,
            download_workers=self.download_workers,
        )

    @property
    def llm(self) -> LlmSettings:
        """The LLM slice, for `ChatClient` and `OpenAIBackend` (its fields keep their names here)."""
        return LlmSettings.model_validate({name: getattr(self, name) for name in LlmSettings.model_fields})

    def resolved_backend(self) -> BackendName:
        if self.backend == "auto":
            return "openai" if self.has_llm_endpoint else "extractive"
        return self.backend


NESTED: dict[str, type[BaseModel]] = {"digest": DigestSettings, "smtp": SmtpSettings, "reader": ReaderSettings}
# The openai SDK's variables, honoured when no CHATPAPER_ twin is set.
SDK_ENV = {"api_key": "OPENAI_API_KEY", "base_url": "OPENAI_BASE_URL"}


class LoadedSettings(BaseModel):
    """Effective settings plus where each value came from ("default", "env CHATPAPER_X", ...) and
    the config files looked at, lowest first: (role, path, read)."""

    settings: Settings
    sources: dict[str, str]
    config_files: list[tuple[str, str, bool]] = []


def _env_layer(environ: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        if name in NESTED:
            for sub in NESTED[name].model_fields:
                var = f"{ENV_PREFIX}{name.upper()}_{sub.upper()}"
                if var in environ:
                    values.setdefault(name, {})[sub] = environ[var]
                    sources[f"{name}.{sub}"] = f"env {var}"
            continue
        if field.annotation is dict or name == "prices":
            continue  # prices only come from the config file
        var = f"{ENV_PREFIX}{name.upper()}"
        if var in environ:
            values[name] = environ[var]
            sources[name] = f"env {var}"
        elif name in SDK_ENV and environ.get(SDK_ENV[name]):
            values[name] = environ[SDK_ENV[name]]
            sources[name] = f"env {SDK_ENV[name]}"
    return values, sources


def _toml_layer(path: Path | None, *, user: bool = False) -> tuple[dict[str, Any], dict[str, str], str | None]:
    """A config file's values and their sources, and the file read (None when there is none).

    `path` None is the project's default, chatpaper.toml in the current folder, read when present;
    `user=True` reads the user's file, also only when present.
    """
    if path is None or user:
        default = path or Path(DEFAULT_CONFIG_FILE)
        if not default.is_file():
            return {}, {}, None
        path = default
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found: check the --config path") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        fix = "fix it or move it away" if user else "fix it or pass another --config"
        raise ConfigError(f"config file {path} is not valid TOML ({exc}): {fix}") from None
    label = f"user file {path}" if user else f"file {path}"
    sources: dict[str, str] = {}
    for key, value in data.items():
        if key in NESTED and isinstance(value, dict):
            for sub in value:
                sources[f"{key}.{sub}"] = label
        else:
            sources[key] = label
    return data, sources, str(path)


# Tables a higher layer adds to rather than replaces: a project's [digest] keeps the user's SMTP
# server, a project's [prices] the user's models.
MERGED_TABLES = (*NESTED, "prices")


def _merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if key in MERGED_TABLES and isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def load_settings(
    cli: Mapping[str, Any] | None = None,
    config_path: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
) -> LoadedSettings:
    """Build the effective settings from defaults, `chatpaper.toml`, the environment and CLI flags.

    `cli` holds only flags the user actually gave (None values are ignored); nested keys use dots
    (`{"digest.top": 5}`). Raises `ConfigError` naming the bad setting and its source.
    """
    environ = os.environ if environ is None else environ
    if config_path is None and environ.get(f"{ENV_PREFIX}CONFIG"):
        config_path = environ[f"{ENV_PREFIX}CONFIG"]
    user_path = user_config_file()
    user_values, user_sources, user_read = _toml_layer(user_path, user=True)
    toml_values, toml_sources, toml_read = _toml_layer(Path(config_path) if config_path else None)
    env_values, env_sources = _env_layer(environ)
    project_path = str(config_path) if config_path else DEFAULT_CONFIG_FILE
    config_files = [("user", str(user_path), user_read is not None), ("project", project_path, toml_read is not None)]

    cli_values: dict[str, Any] = {}
    cli_sources: dict[str, str] = {}
    for key, value in (cli or {}).items():
        if value is None:
            continue
        if "." in key:
            section, sub = key.split(".", 1)
            cli_values.setdefault(section, {})[sub] = value
        else:
            cli_values[key] = value
        cli_sources[key] = "flag"

    merged = _merge(_merge(_merge(user_values, toml_values), env_values), cli_values)
    sources = {**user_sources, **toml_sources, **env_sources, **cli_sources}
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        where = sources.get(key) or sources.get(key.split(".")[0], "settings")
        # Never echo the rejected value: it may be a secret.
        raise ConfigError(f"setting '{key}' from {where} is invalid: {err['msg']}") from None
    return LoadedSettings(settings=settings, sources=sources, config_files=config_files)


def describe_settings(loaded: LoadedSettings) -> list[tuple[str, str, str]]:
    """(name, shown value, source) for every setting; secrets and the credentials in URLs are redacted."""
    rows: list[tuple[str, str, str]] = []

    def shown(value: Any) -> str:
        return mask_url_credentials(plain(value))

    def plain(value: Any) -> str:
        if isinstance(value, SecretStr):
            return "********" if value.get_secret_value() else "(empty)"
        if isinstance(value, BaseModel):
            return repr(value.model_dump(mode="json"))
        if isinstance(value, list):
            return ", ".join(shown(v) for v in value) if value else "[]"
        if isinstance(value, dict):
            return repr({k: shown(v) for k, v in value.items()}) if value else "{}"
        return "(unset)" if value is None else str(value)

    settings = loaded.settings
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if name in NESTED:
            for sub in NESTED[name].model_fields:
                key = f"{name}.{sub}"
                rows.append((key, shown(getattr(value, sub)), loaded.sources.get(key, "default")))
        else:
            rows.append((name, shown(value), loaded.sources.get(name, "default")))
    return rows
