"""Secrets a provider holds (API keys, credential header values), declared so that test tooling can scrub them.

A provider calls `declare_secret(value)` for every credential it is given and `declare_secret_header(name)` for
every header that carries one. Nothing here prints or logs a value; the cassette plugin for pytest
(`pydantic_ai.testing.pytest_plugin`) reads these sets to keep credentials out of recorded cassettes, and fails a
test whose recording would still hold one.

Declaring is cheap (a set insertion) and happens when a provider is created, never per request.
"""

from __future__ import annotations

__all__ = (
    'declare_secret',
    'declare_secret_header',
    'declared_secrets',
    'declared_secret_headers',
    'MIN_SECRET_LENGTH',
)

MIN_SECRET_LENGTH = 8
"""Shorter values are not tracked: scrubbing them from recordings would mangle ordinary text."""

_secrets: set[str] = set()
_secret_headers: set[str] = {'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key'}


def declare_secret(value: object) -> None:
    """Remember `value` as a credential (an API key, a gateway token); non-strings and short values are ignored."""
    if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
        _secrets.add(value)
        # `Bearer <token>` is how most of them travel: the token alone is the secret too.
        scheme, _, token = value.partition(' ')
        if token and scheme.isalpha() and len(token) >= MIN_SECRET_LENGTH:
            _secrets.add(token)


def declare_secret_header(name: str) -> None:
    """Remember that the header `name` (case-insensitive) carries a credential."""
    if isinstance(name, str) and name:
        _secret_headers.add(name.lower())


def declared_secrets() -> frozenset[str]:
    """Every credential declared so far in this process."""
    return frozenset(_secrets)


def declared_secret_headers() -> frozenset[str]:
    """The lowercased names of headers that carry credentials: the usual ones and every declared one."""
    return frozenset(_secret_headers)
