"""Every file under `cassettes/` is free of credentials and cookies, and every cassette is a loadable vcrpy file.

Cassettes are committed and re-recorded with a real key (`make record`), so this guards against a recording that
slipped past the filters, or a hand edit that pasted a key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from pydantic_ai.secrets import declared_secret_headers
from pydantic_ai.testing._vcr import RESPONSE_SECRET_HEADERS

CASSETTES_DIR = Path(__file__).resolve().parents[2] / 'cassettes'
FAKE_GROQ_API_KEY = 'gsk-test-fake-key-0123456789'  # the value conftest.py hands out; deliberately not `gsk_`-shaped
GROQ_KEY_PATTERN = re.compile(r'gsk_[A-Za-z0-9]{8,}')
# The headers the cassette plugin drops before writing (`pydantic_ai.testing.pytest_plugin`): the same list, not a copy.
FORBIDDEN_HEADERS = tuple(sorted(declared_secret_headers() | RESPONSE_SECRET_HEADERS))
# A header line in YAML (`authorization:`, `- Authorization:`), or a header name quoted in JSON or a Python repr.
FORBIDDEN_HEADER_PATTERN = re.compile(
    r"""(?im)(?:^[ \t]*(?:-[ \t]+)?|["'])(?:"""
    + '|'.join(re.escape(name) for name in FORBIDDEN_HEADERS)
    + r""")["']?[ \t]*:"""
)

ALL_FILES = sorted(p for p in CASSETTES_DIR.rglob('*') if p.is_file())
CASSETTE_FILES = [p for p in ALL_FILES if p.suffix in ('.yaml', '.yml')]


def _id(path: Path) -> str:
    return str(path.relative_to(CASSETTES_DIR))


def _headers_of(interaction: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for side in ('request', 'response'):
        names += [str(name).lower() for name in (interaction.get(side, {}).get('headers') or {})]
    return names


def test_the_project_has_cassettes_to_check() -> None:
    # Guards the parametrized tests below against passing vacuously on an empty or moved folder.
    assert CASSETTE_FILES, f'no cassettes found under {CASSETTES_DIR}'
    assert (CASSETTES_DIR / 'README.md').is_file()


@pytest.mark.parametrize('path', ALL_FILES, ids=_id)
def test_file_holds_no_api_key_and_no_credential_header(path: Path) -> None:
    text = path.read_text(encoding='utf-8')
    assert not GROQ_KEY_PATTERN.search(text), f'{_id(path)} contains a Groq API key'
    assert FAKE_GROQ_API_KEY not in text, f'{_id(path)} contains the test suite key'
    if path.suffix != '.md':  # recordings, whatever their format; the README may name the headers it explains
        match = FORBIDDEN_HEADER_PATTERN.search(text)
        assert match is None, f'{_id(path)} contains a credential header: {match.group(0) if match else ""!r}'


@pytest.mark.parametrize('path', CASSETTE_FILES, ids=_id)
def test_cassette_is_vcrpy_yaml_with_interactions_and_no_credential_headers(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    assert isinstance(data, dict)
    assert data.get('version') == 1
    interactions = data.get('interactions')
    assert isinstance(interactions, list) and interactions, f'{_id(path)} has no `interactions` list'
    for interaction in interactions:
        assert {'request', 'response'} <= interaction.keys()
        assert {'body', 'headers', 'method', 'uri'} <= interaction['request'].keys()
        assert {'body', 'headers', 'status'} <= interaction['response'].keys()
        leaked = set(_headers_of(interaction)) & set(FORBIDDEN_HEADERS)
        assert not leaked, f'{_id(path)} records {sorted(leaked)}'


@pytest.mark.parametrize(
    'text',
    [
        'headers:\n  authorization:\n  - Bearer x\n',
        'headers:\n  Set-Cookie:\n  - __cf_bm=abc\n',
        "{'cookie': 'a=b'}",
    ],
)
def test_the_header_check_catches_credential_headers(text: str) -> None:
    assert FORBIDDEN_HEADER_PATTERN.search(text)


@pytest.mark.parametrize(
    'text',
    [
        'x-ratelimit-remaining-tokens:\n  - "13"\n',
        '"content": "Send the authorization form: it needs a cookie jar."',
        '{"cookies":"none"}',
    ],
)
def test_the_header_check_ignores_ordinary_text(text: str) -> None:
    assert not FORBIDDEN_HEADER_PATTERN.search(text)


def test_the_header_check_covers_what_the_plugin_drops() -> None:
    assert {'authorization', 'cookie', 'set-cookie', 'x-api-key', 'proxy-authorization'} <= set(FORBIDDEN_HEADERS)
    assert FORBIDDEN_HEADER_PATTERN.search('headers:\n  X-Api-Key:\n  - k\n')


def test_the_key_pattern_matches_groq_keys_but_not_the_fake_key() -> None:
    assert GROQ_KEY_PATTERN.search('Bearer gsk_' + 'A1b2C3d4E5f6G7h8')
    assert not GROQ_KEY_PATTERN.search(FAKE_GROQ_API_KEY)
