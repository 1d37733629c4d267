"""Settings precedence (flag > env > file > default), provenance, and secrets staying secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatpaper.errors import ConfigError
from chatpaper.settings import describe_settings, load_settings


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "chatpaper.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_nothing_is_set() -> None:
    loaded = load_settings(environ={})
    assert loaded.settings.model == "gpt-4o-mini"
    assert loaded.settings.workers == 4
    assert loaded.settings.resolved_backend() == "extractive"
    assert loaded.sources == {}


def test_arxiv_defaults_are_polite() -> None:
    settings = load_settings(environ={}).settings
    assert settings.arxiv_api_url == "https://export.arxiv.org/api/query"
    assert settings.arxiv_rss_url == "https://rss.arxiv.org/atom"
    assert settings.arxiv_delay == 3.0
    assert settings.download_workers == 2


def test_the_component_slices_carry_the_settings_users_set(tmp_path: Path) -> None:
    """The arXiv and LLM layers are handed slices; what a flag, the environment or the file set reaches them,
    under the names users know, and the key stays a secret in the slice too."""
    config = write_config(tmp_path, 'arxiv_rss_url = "http://127.0.0.1:8/atom"\nlong_paper = "truncate"\n')
    env = {"CHATPAPER_ARXIV_DELAY": "0.5", "OPENAI_API_KEY": "sk-slice-secret", "CHATPAPER_RPM": "30"}
    settings = load_settings({"model": "qwen2.5:7b", "arxiv_retries": 1}, config_path=config, environ=env).settings
    arxiv, llm = settings.arxiv, settings.llm
    assert (arxiv.api_url, arxiv.rss_url) == ("https://export.arxiv.org/api/query", "http://127.0.0.1:8/atom")
    assert (arxiv.delay, arxiv.retries, arxiv.download_workers) == (0.5, 1, 2)
    assert (llm.model, llm.rpm, llm.long_paper, llm.timeout) == ("qwen2.5:7b", 30, "truncate", 120.0)
    assert llm.has_llm_endpoint and llm.api_key is not None
    assert llm.api_key.get_secret_value() == "sk-slice-secret"
    assert "sk-slice-secret" not in repr(llm) and "sk-slice-secret" not in str(llm)
    assert not load_settings(environ={}).settings.llm.has_llm_endpoint


def test_more_than_two_downloads_at_once_is_refused() -> None:
    expected = r"'download_workers' from env CHATPAPER_DOWNLOAD_WORKERS .* less than or equal to 2"
    with pytest.raises(ConfigError, match=expected):
        load_settings(environ={"CHATPAPER_DOWNLOAD_WORKERS": "3"})


@pytest.mark.parametrize("name", ["ARXIV_API_URL", "ARXIV_RSS_URL"])
@pytest.mark.parametrize("value", ["export.arxiv.org/api/query", "ftp://export.arxiv.org/api", "https://"])
def test_arxiv_urls_must_be_http(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(environ={f"CHATPAPER_{name}": value})
    message = str(err.value)
    assert message.startswith(f"setting '{name.lower()}' from env CHATPAPER_{name} is invalid: ")
    assert "must be an http(s) URL with a host, like the default https://" in message and "\n" not in message


def test_flag_beats_env_beats_file_beats_default(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'model = "from-file"\nworkers = 2\nlanguage = "zh"\n')
    env = {"CHATPAPER_MODEL": "from-env", "CHATPAPER_WORKERS": "3"}
    loaded = load_settings({"model": "from-flag"}, config_path=config, environ=env)
    assert loaded.settings.model == "from-flag"
    assert loaded.settings.workers == 3
    assert loaded.settings.language == "zh"
    assert loaded.sources["model"] == "flag"
    assert loaded.sources["workers"] == "env CHATPAPER_WORKERS"
    assert loaded.sources["language"] == f"file {config}"


def test_nested_sections_merge_across_layers(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        '[digest]\ncategories = ["cs.CL"]\ntop = 7\n[[digest.topics]]\nname = "rag"\ninclude = ["retrieval"]\n',
    )
    loaded = load_settings({"digest.top": 3}, config_path=config, environ={"CHATPAPER_DIGEST_INCLUDE": "a, b c"})
    digest = loaded.settings.digest
    assert digest.categories == ["cs.CL"]
    assert digest.top == 3
    assert digest.include == ["a", "b c"]
    assert digest.topics[0].name == "rag"


def test_the_reading_budget_comes_from_the_file_and_the_environment(tmp_path: Path) -> None:
    defaults = load_settings(environ={}).settings.reader
    assert (defaults.memory_mb, defaults.cpu_seconds) == (1024, 120)
    config = tmp_path / "chatpaper.toml"
    config.write_text("[reader]\nmemory_mb = 4096\ncpu_seconds = 300\n", encoding="utf-8")
    loaded = load_settings(config_path=config, environ={"CHATPAPER_READER_CPU_SECONDS": "600"})
    assert (loaded.settings.reader.memory_mb, loaded.settings.reader.cpu_seconds) == (4096, 600)
    assert loaded.sources["reader.cpu_seconds"] == "env CHATPAPER_READER_CPU_SECONDS"
    with pytest.raises(ConfigError, match=r"'reader\.cpu_seconds' from env CHATPAPER_READER_CPU_SECONDS"):
        load_settings(environ={"CHATPAPER_READER_CPU_SECONDS": "0"})


def test_openai_sdk_variables_are_honoured_below_chatpaper_ones() -> None:
    loaded = load_settings(environ={"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"})
    assert loaded.settings.base_url == "http://127.0.0.1:1/v1"
    assert loaded.settings.resolved_backend() == "openai"  # a base URL alone suits keyless local servers
    loaded = load_settings(environ={"OPENAI_BASE_URL": "http://a/v1", "CHATPAPER_BASE_URL": "http://b/v1"})
    assert loaded.settings.base_url == "http://b/v1"


def test_config_output_redacts_the_key() -> None:
    secret = "sk-test-" + "x" * 30
    loaded = load_settings(environ={"OPENAI_API_KEY": secret})
    rows = {name: (value, source) for name, value, source in describe_settings(loaded)}
    assert rows["api_key"] == ("********", "env OPENAI_API_KEY")
    assert secret not in repr(loaded.settings)
    assert secret not in str(rows)


def test_bad_value_names_setting_and_source_but_not_the_value(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'workers = "many"\n')
    with pytest.raises(ConfigError, match=r"'workers' from file .*chatpaper.toml"):
        load_settings(config_path=config, environ={})
    with pytest.raises(ConfigError, match="CHATPAPER_LANGUAGE"):
        load_settings(environ={"CHATPAPER_LANGUAGE": "fr"})


def test_unknown_key_and_broken_toml_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="modle"):
        load_settings(config_path=write_config(tmp_path, 'modle = "x"\n'), environ={})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config_path=write_config(tmp_path, "model = \n"), environ={})
    with pytest.raises(ConfigError, match="not found"):
        load_settings(config_path=tmp_path / "missing.toml", environ={})
