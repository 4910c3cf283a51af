"""The cassette plugin's parts: JSON differences, the scrubbing persister, placeholder keys, a light start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from vcr.request import Request

from pydantic_ai.secrets import declare_secret, declare_secret_header, declared_secret_headers, declared_secrets
from pydantic_ai.testing._vcr import (
    CassetteMismatchError,
    CassetteSecretError,
    ScrubbingPersister,
    guard_cassette,
    json_body_matcher,
    json_differences,
)
from pydantic_ai.testing.pytest_plugin import REPLAY_PLACEHOLDER_KEY

SECRET = 'tok-plugin-unit-secret-55aa'


def test_json_differences_name_each_changed_field_by_path() -> None:
    recorded = {'model': 'm', 'messages': [{'role': 'user', 'content': 'a'}, {'role': 'tool', 'content': 'x'}], 'n': 1}
    sent = {'model': 'm', 'messages': [{'role': 'user', 'content': 'b'}], 'n': True, 'stream': False}

    assert json_differences(recorded, sent) == [
        ('messages[0].content', 'a', 'b'),
        ('messages[1]', {'role': 'tool', 'content': 'x'}, _missing()),
        ('n', 1, True),  # `1 == True` in Python, not in JSON
        ('stream', _missing(), False),
    ]
    assert json_differences({'a': [1, 2]}, {'a': [1, 2]}) == []


def _missing() -> Any:
    from pydantic_ai.testing import _vcr

    return _vcr._MISSING


def test_json_body_matcher_compares_parsed_json_and_explains_a_mismatch() -> None:
    first = Request('POST', 'http://x/y', b'{"a": 1, "b": [1, 2]}', {})
    same_reordered = Request('POST', 'http://x/y', b'{"b":[1,2],"a":1}', {})
    changed = Request('POST', 'http://x/y', b'{"b":[1,3],"a":1}', {})

    json_body_matcher(first, same_reordered)
    with pytest.raises(AssertionError, match=r'b\[1\]: recorded 2, sent 3'):
        json_body_matcher(first, changed)


class Inner:
    def __init__(self) -> None:
        self.saved: list[dict[str, Any]] = []

    def save_cassette(self, cassette_path: str, cassette_dict: dict[str, Any], serializer: Any) -> None:
        self.saved.append(cassette_dict)


def recording(body: bytes = b'{"q": 1}', uri: str = 'https://api.example.com/v1/chat') -> dict[str, Any]:
    request = Request(
        'POST',
        uri,
        body,
        {'Authorization': f'Bearer {SECRET}', 'X-Plugin-Unit-Token': SECRET, 'content-type': 'application/json'},
    )
    response = {
        'status': {'code': 200, 'message': 'OK'},
        'headers': {'Set-Cookie': ['s=1'], 'content-type': ['application/json']},
        'body': {'string': '{"ok": true}'},
    }
    return {'requests': [request], 'responses': [response]}


def test_persister_drops_credential_headers_whatever_the_vcr_config_said() -> None:
    declare_secret_header('X-Plugin-Unit-Token')
    declare_secret(SECRET)
    assert 'x-plugin-unit-token' in declared_secret_headers() and SECRET in declared_secrets()
    inner = Inner()

    ScrubbingPersister(inner).save_cassette('c.yaml', recording(), serializer=None)

    [saved] = inner.saved
    assert dict(saved['requests'][0].headers) == {'content-type': 'application/json'}
    assert saved['responses'][0]['headers'] == {'content-type': ['application/json']}


@pytest.mark.parametrize(
    ('body', 'uri', 'where'),
    [
        (f'{{"prompt": "key {SECRET}"}}'.encode(), 'https://api.example.com/v1/chat', 'interaction 1: request body'),
        (b'{}', f'https://api.example.com/v1/chat?key={SECRET}', 'interaction 1: request URL'),
    ],
)
def test_persister_refuses_a_cassette_that_would_hold_a_secret(body: bytes, uri: str, where: str) -> None:
    declare_secret(SECRET)
    inner = Inner()

    with pytest.raises(CassetteSecretError, match=where) as exc_info:
        ScrubbingPersister(inner).save_cassette('c.yaml', recording(body, uri), serializer=None)

    assert SECRET not in str(exc_info.value)
    assert inner.saved == []


class FakeCassette:
    write_protected = True
    _path = 'fake.yaml'

    def __init__(self, recorded: list[Request]) -> None:
        self.requests = recorded

    def can_play_response_for(self, request: Request) -> bool:
        return False

    def filter_request(self, request: Request) -> Request:
        return request


def test_guard_sets_placeholder_keys_during_replay_and_fails_an_unmatched_request_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv('GROQ_API_KEY', raising=False)
    cassette = FakeCassette([Request('POST', 'http://h/p', b'{"messages":[{"content":"old"}]}', {})])

    with guard_cassette(cassette, placeholder=REPLAY_PLACEHOLDER_KEY):
        assert os.environ['GROQ_API_KEY'] == REPLAY_PLACEHOLDER_KEY
        with pytest.raises(CassetteMismatchError) as exc_info:
            cassette.can_play_response_for(Request('POST', 'http://h/p', b'{"messages":[{"content":"new"}]}', {}))

    assert 'GROQ_API_KEY' not in os.environ
    assert 'messages[0].content: recorded "old", sent "new"' in str(exc_info.value)
    # A failure outcome, not an `Exception`: SDKs that retry any exception as a connection error let it through.
    assert not isinstance(exc_info.value, Exception)


def test_an_empty_cassette_says_to_record_it_first() -> None:
    cassette = FakeCassette([])
    with guard_cassette(cassette, placeholder=REPLAY_PLACEHOLDER_KEY):
        with pytest.raises(CassetteMismatchError, match='record it first with `pytest --record-mode=once`'):
            cassette.can_play_response_for(Request('GET', 'http://h/p', b'', {}))


def test_guard_keeps_a_key_that_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GROQ_API_KEY', 'gsk-already-set-key')
    with guard_cassette(FakeCassette([]), placeholder=REPLAY_PLACEHOLDER_KEY):
        assert os.environ['GROQ_API_KEY'] == 'gsk-already-set-key'
    assert os.environ['GROQ_API_KEY'] == 'gsk-already-set-key'


def test_the_plugin_module_imports_nothing_heavy() -> None:
    # pytest loads it in every run of every project where the core is installed (pytest itself brings pluggy).
    code = (
        'import sys, pydantic_ai.testing.pytest_plugin; '
        "print(sorted(m for m in ('vcr', 'yaml', 'httpx', 'pydantic', 'groq', 'pydantic_ai_groq') "
        'if m in sys.modules))'
    )
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout.strip()) == (0, '[]'), result.stderr
