"""The cassette plugin's machinery (see `pydantic_ai.testing.pytest_plugin`): scrubbing, JSON matching, reports.

Imported only inside tests marked `vcr`, with vcrpy and pytest-recording installed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from ..exceptions import CassetteSecretError
from ..secrets import declared_secret_headers, declared_secrets

__all__ = (
    'CassetteMismatchError',
    'CassetteSecretError',
    'configure_vcr',
    'guard_cassette',
    'json_body_matcher',
    'json_differences',
)

MATCH_ON = ('method', 'scheme', 'host', 'port', 'path', 'query', 'json_body')
"""What a replayed request must match: method, URL, and the JSON body as parsed JSON."""
RESPONSE_SECRET_HEADERS = frozenset({'set-cookie'})
_MISSING = object()
_MAX_DIFFERENCES = 10


class CassetteMismatchError(pytest.fail.Exception):  # type: ignore[misc,name-defined]
    """A request has no recorded match in the cassette.

    Drawn in `pydantic_ai.exceptions`' tree but defined here, beside pytest, which that module does not import.

    It derives from pytest's failure outcome (a `BaseException`), so HTTP clients that retry on any `Exception`
    (as the provider SDKs do for connection errors) do not retry it: the test fails at once with the report.
    """


# -- configuration (pytest-recording's `pytest_recording_configure` hook) ------------------------------------------


def configure_vcr(vcr: Any) -> None:
    """Our defaults on the VCR instance (a `vcr_config` fixture overrides them) and the scrubbing persister."""
    vcr.register_matcher('json_body', json_body_matcher)
    vcr.match_on = MATCH_ON
    vcr.decode_compressed_response = True
    vcr.filter_headers = sorted(declared_secret_headers())
    vcr.register_persister(ScrubbingPersister(vcr.persister))


class ScrubbingPersister:
    """Wraps the persister pytest-recording set up: drops credential headers, refuses to save a remaining secret."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def load_cassette(self, cassette_path: str, serializer: Any) -> Any:
        return self.inner.load_cassette(cassette_path, serializer)

    def save_cassette(self, cassette_path: str, cassette_dict: dict[str, Any], serializer: Any) -> None:
        secret_headers = declared_secret_headers()
        for recorded in cassette_dict.get('requests', ()):
            for name in [n for n in recorded.headers if n.lower() in secret_headers]:
                del recorded.headers[name]
        for response in cassette_dict.get('responses', ()):
            headers = response.get('headers') or {}
            for name in [n for n in headers if n.lower() in secret_headers | RESPONSE_SECRET_HEADERS]:
                del headers[name]
        check_no_secrets(cassette_dict, cassette_path)
        self.inner.save_cassette(cassette_path, cassette_dict, serializer=serializer)


def check_no_secrets(cassette_dict: Mapping[str, Any], cassette_path: str) -> None:
    """Raise `CassetteSecretError` naming where a declared secret appears (never the secret itself).

    Raises:
        CassetteSecretError: a request URL, header or body, or a response header or body, holds a secret.
    """
    secrets = declared_secrets()
    if not secrets:
        return
    places: list[str] = []
    for number, (recorded, response) in enumerate(
        zip(cassette_dict.get('requests', ()), cassette_dict.get('responses', ()), strict=False), start=1
    ):
        texts = {
            'request URL': recorded.uri,
            'request headers': repr(dict(recorded.headers)),
            'request body': _text(recorded.body),
            'response headers': repr(response.get('headers')),
            'response body': _text((response.get('body') or {}).get('string')),
        }
        places += [f'interaction {number}: {where}' for where, text in texts.items() if any(s in text for s in secrets)]
    if places:
        raise CassetteSecretError(
            f'Not writing cassette {cassette_path}: it would hold a credential (an API key or a secret header '
            f'value) in {"; ".join(places)}. Keep keys out of URLs and bodies, or declare the header that carries '
            'it with `pydantic_ai.secrets.declare_secret_header`.'
        )


def _text(value: Any) -> str:
    if value is None:
        return ''
    if isinstance(value, bytes):
        return value.decode('utf-8', errors='replace')
    return str(value)


# -- matching ------------------------------------------------------------------------------------------------------


def _parsed(body: Any) -> Any:
    text = _text(body)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return _NotJson(text)


class _NotJson(str):
    """A body that is not JSON, compared as text."""


def json_body_matcher(r1: Any, r2: Any) -> None:
    """A vcrpy matcher: the two bodies are equal as parsed JSON (as text when either is not JSON).

    Raises:
        AssertionError: the bodies differ; the message names the first differing fields.
    """
    first, second = _parsed(r1.body), _parsed(r2.body)
    if _canonical(first) != _canonical(second):
        raise AssertionError('; '.join(_describe(d) for d in json_differences(first, second)[:3]))


def _canonical(value: Any) -> str:
    if isinstance(value, _NotJson):
        return 'text:' + value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def json_differences(recorded: Any, sent: Any, path: str = '') -> list[tuple[str, Any, Any]]:
    """Where two parsed JSON values differ: `(path, recorded, sent)` with paths like `messages[2].content`."""
    if isinstance(recorded, dict) and isinstance(sent, dict):
        out: list[tuple[str, Any, Any]] = []
        for key in [*recorded, *(k for k in sent if k not in recorded)]:
            child = f'{path}.{key}' if path else str(key)
            out += json_differences(recorded.get(key, _MISSING), sent.get(key, _MISSING), child)
        return out
    if isinstance(recorded, list) and isinstance(sent, list):
        out = []
        for index in range(max(len(recorded), len(sent))):
            out += json_differences(
                recorded[index] if index < len(recorded) else _MISSING,
                sent[index] if index < len(sent) else _MISSING,
                f'{path}[{index}]',
            )
        return out
    if type(recorded) is not type(sent) or recorded != sent:
        return [(path or '(the whole body)', recorded, sent)]
    return []


def _describe(difference: tuple[str, Any, Any]) -> str:
    path, recorded, sent = difference
    return f'{path}: recorded {_show(recorded)}, sent {_show(sent)}'


def _show(value: Any) -> str:
    if value is _MISSING:
        return '(absent)'
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, _NotJson) else repr(str(value))
    return text if len(text) <= 120 else text[:117] + '...'


# -- the guard around one test -----------------------------------------------------------------------------------


@contextmanager
def guard_cassette(cassette: Any, *, placeholder: str) -> Iterator[None]:
    """Fail unmatched requests at once with a report; during replay, give unset API key variables a placeholder."""
    original: Callable[[Any], bool] = cassette.can_play_response_for

    def can_play_response_for(request: Any) -> bool:
        if original(request):
            return True
        if cassette.write_protected and cassette.filter_request(request) is not None:
            raise CassetteMismatchError(mismatch_report(cassette, request), pytrace=False) from None
        return False

    cassette.can_play_response_for = can_play_response_for
    set_vars = _set_placeholder_keys(placeholder) if cassette.write_protected else []
    try:
        yield
    finally:
        for name in set_vars:
            if os.environ.get(name) == placeholder:
                del os.environ[name]
        cassette.can_play_response_for = original


def _set_placeholder_keys(placeholder: str) -> list[str]:
    """Set each registered provider's unset API key variable to `placeholder`; the names set."""
    set_vars: list[str] = []
    for name in _key_variables():
        if not os.environ.get(name):
            os.environ[name] = placeholder
            set_vars.append(name)
    return set_vars


def _key_variables() -> list[str]:
    """The `api_key_env_var` of every registered provider whose profile declares one."""
    from ..registry import current_registry

    registry = current_registry()
    names: list[str] = []
    for name in registry.names():
        try:
            variable = registry.profile(name).api_key_env_var
        except Exception:  # a broken plugin is reported by the test that uses it, not here
            continue
        if variable is not None and variable not in names:
            names.append(variable)
    return names


def mismatch_report(cassette: Any, request: Any) -> str:
    """Why `request` has no recorded match: the closest recorded request and the JSON fields that differ."""
    where = f'{request.method} {_scrub(request.uri)}'
    lines = [f'No recorded interaction in cassette {cassette._path} matches {where}.']
    recorded = list(cassette.requests)
    same_url = [(n, r) for n, r in enumerate(recorded, 1) if r.method == request.method and r.uri == request.uri]
    if not recorded:
        lines.append(
            'The cassette holds no interactions: record it first with `pytest --record-mode=once` (needs the real API '
            'key), and commit it.'
        )
        return '\n'.join(lines)
    elif not same_url:
        urls = sorted({f'{r.method} {_scrub(r.uri)}' for r in recorded})
        lines.append(f'No recorded request has that method and URL; recorded: {", ".join(urls)}.')
    else:
        sent = _parsed(request.body)
        scored = [(n, json_differences(_parsed(r.body), sent)) for n, r in same_url]
        number, differences = min(scored, key=lambda item: len(item[1]))
        if not differences:
            lines.append(
                f'Recorded request #{number} has the same body but was already replayed: each recorded interaction '
                'replays once, so the test now sends this request more often than when it was recorded.'
            )
        else:
            lines.append(f'The closest recorded request (#{number}, same method and URL) differs in its JSON body:')
            lines += [f'  {_scrub(_describe(d))}' for d in differences[:_MAX_DIFFERENCES]]
            if len(differences) > _MAX_DIFFERENCES:
                lines.append(f'  ... and {len(differences) - _MAX_DIFFERENCES} more differences')
    lines.append(
        'If the change is intended, re-record the cassette with `pytest --record-mode=rewrite` (needs the real API '
        'key).'
    )
    return '\n'.join(lines)


def _scrub(text: str) -> str:
    for secret in declared_secrets():
        text = text.replace(secret, '<secret>')
    return text
