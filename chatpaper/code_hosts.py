"""Where code lives: the hosts whose links are repositories, defined once for the reader and the LLM side."""

from __future__ import annotations

import re

# Hosts whose URL path starts with owner/name: a repository (huggingface.co: a model; datasets/ and
# spaces/ add one part).
REPOSITORY_HOSTS = ("github.com", "gitlab.com", "huggingface.co", "bitbucket.org", "codeberg.org", "gitee.com")
# Project pages served from a repository: <owner>.github.io
PAGES_HOSTS = ("github.io", "gitlab.io")
# Code sites whose paths are not owner/name
OTHER_CODE_HOSTS = ("sourceforge.net",)

# The host names as a regex alternation, for patterns that find them in printed text.
REPOSITORY_HOST_PATTERN = "|".join(re.escape(h) for h in REPOSITORY_HOSTS)
CODE_HOST_PATTERN = "|".join(
    [*(re.escape(h) for h in REPOSITORY_HOSTS + OTHER_CODE_HOSTS), *(rf"[\w-]+\.{re.escape(h)}" for h in PAGES_HOSTS)]
)


def is_repository_host(host: str) -> bool:
    """Whether `host` (a URL's lower-case netloc) is one of `REPOSITORY_HOSTS` or a subdomain of one."""
    return any(host == h or host.endswith("." + h) for h in REPOSITORY_HOSTS)


def is_pages_host(host: str) -> bool:
    """Whether `host` is a project page served from a repository (`PAGES_HOSTS`)."""
    return host.endswith(tuple("." + h for h in PAGES_HOSTS))
