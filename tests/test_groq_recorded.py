"""Replay real Groq traffic through `GroqModel` and compare our parse with the reference parse.

The recordings live in `../shared/cassettes/groq-recorded/` (121 vcrpy cassettes recorded by public projects'
test suites against api.groq.com) with `EXPECTED.json`, the parse a correct integration produces from each
interaction. They are read in place, never copied; the module skips when the folder is absent.

Scope: the recordings whose interactions use only what this release reads: non-streamed and streamed text,
tool calls, usage, and HTTP errors. Recordings that also need reasoning (`thinking` parts), compound models'
built-in tools (`native_tool_*` parts) or `tool_use_failed` handling are listed in `OUT_OF_SCOPE` by reason and
are covered when those features land.

Request bodies are not matched by vcrpy's default matcher, so each interaction is replayed with a minimal
conversation; what we *send* is tested against hand-written cassettes in `test_groq_cassettes.py`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr
from groq import AsyncGroq

from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.messages import ModelRequest, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel

RECORDINGS_DIR = Path(__file__).resolve().parent.parent.parent / 'shared' / 'cassettes' / 'groq-recorded'
EXPECTED_FILE = RECORDINGS_DIR / 'EXPECTED.json'
FAKE_KEY = 'gsk-test-fake-key-0123456789'

IN_SCOPE_KINDS = {'response', 'stream', 'http_error'}
"""Interaction kinds this release parses (`non_groq` interactions, image downloads, are never requested)."""
IN_SCOPE_PARTS = {'text', 'tool_call'}
"""Part types this release produces."""


def _load_expected() -> dict[str, Any]:
    if not EXPECTED_FILE.exists():
        return {}
    data: dict[str, Any] = json.loads(EXPECTED_FILE.read_text())
    return data


EXPECTED = _load_expected()


def _scope(name: str) -> str | None:
    """`None` when the recording is in scope, else the reason it is not."""
    entries = EXPECTED[name]['expected']
    kinds = {e['kind'] for e in entries} - {'non_groq'}
    parts = {p['type'] for e in entries for p in e.get('parts') or ()}
    if kinds - IN_SCOPE_KINDS:
        return f'interaction kinds not handled yet: {sorted(kinds - IN_SCOPE_KINDS)}'
    if parts - IN_SCOPE_PARTS:
        return f'part types not produced yet: {sorted(parts - IN_SCOPE_PARTS)}'
    return None


IN_SCOPE = sorted(name for name in EXPECTED if _scope(name) is None)
OUT_OF_SCOPE = {name: reason for name in sorted(EXPECTED) if (reason := _scope(name)) is not None}

pytestmark = [
    pytest.mark.skipif(not EXPECTED_FILE.exists(), reason=f'real Groq recordings not found at {RECORDINGS_DIR}'),
]


def test_every_recording_is_either_replayed_or_excluded_for_a_stated_reason() -> None:
    assert len(IN_SCOPE) + len(OUT_OF_SCOPE) == len(EXPECTED)
    assert sorted(p.stem for p in RECORDINGS_DIR.glob('*.yaml')) == sorted(EXPECTED)
    # Every exclusion is for a feature this release does not have yet, never for a parse that came out wrong.
    reasons = Counter(OUT_OF_SCOPE.values())
    allowed = ('thinking', 'native_tool_call', 'native_tool_return', 'tool_use_failed_response')
    assert all(any(word in reason for word in allowed) for reason in reasons), reasons
    assert len(IN_SCOPE) >= 90


def _assert_parts(response: ModelResponse, expected_parts: list[dict[str, Any]]) -> None:
    actual: list[dict[str, Any]] = []
    for part in response.parts:
        if isinstance(part, TextPart):
            actual.append({'type': 'text', 'content': part.content})
        else:
            assert isinstance(part, ToolCallPart)
            actual.append(
                {
                    'type': 'tool_call',
                    'tool_name': part.tool_name,
                    'args': part.args,
                    'tool_call_id': part.tool_call_id,
                }
            )
    normalized_expected = [
        {**p, 'args': p['args'] if isinstance(p['args'], str) else json.dumps(p['args'])} if 'args' in p else p
        for p in expected_parts
    ]
    # Lengths may differ; the list comparison below reports that with both lists shown.
    for a, e in zip(actual, normalized_expected, strict=False):
        if a['type'] == 'tool_call' and a['args'] != e['args']:
            # Recorded JSON was re-serialized: compare argument JSON by value, everything else exactly.
            assert json.loads(a['args']) == json.loads(e['args'])
            a['args'] = e['args']
    assert actual == normalized_expected


def _assert_usage(usage: Usage, expected: dict[str, Any]) -> None:
    assert usage.request_tokens == expected['input_tokens']
    assert usage.response_tokens == expected['output_tokens']


async def _replay_interaction(model: GroqModel, entry: dict[str, Any]) -> None:
    messages = [ModelRequest.user_text_prompt('(replayed: the recorded answer is returned whatever is sent)')]
    params = ModelRequestParameters()
    if entry['kind'] == 'http_error':
        with pytest.raises(ModelHTTPError) as exc_info:
            if entry['request_stream']:
                async with model.request_stream(messages, None, params):
                    pass  # pragma: no cover - the error is raised on entering
            else:
                await model.request(messages, None, params)
        assert exc_info.value.status_code == entry['status_code']
        assert exc_info.value.body == entry['body']
        assert exc_info.value.model_name == entry['request_model']
        return

    if entry['kind'] == 'stream':
        async with model.request_stream(messages, None, params) as stream:
            async for _ in stream:
                pass
            response, usage = stream.get(), stream.usage()
    else:
        response, usage = await model.request(messages, None, params)

    _assert_parts(response, entry['parts'])
    _assert_usage(usage, entry['usage'])
    assert response.model_name == entry['model_name']
    assert response.timestamp.isoformat() == entry['timestamp']


@pytest.mark.asyncio
@pytest.mark.parametrize('name', IN_SCOPE)
async def test_recording_replays_to_the_expected_parse(name: str, allow_model_requests: None) -> None:
    entries = sorted((e for e in EXPECTED[name]['expected'] if e['kind'] != 'non_groq'), key=lambda e: e['interaction'])
    cassette = RECORDINGS_DIR / f'{name}.yaml'
    with vcr.use_cassette(str(cassette), record_mode='none', allow_playback_repeats=False):
        async with httpx.AsyncClient() as http_client:
            # No SDK retries: a recorded 429 or 5xx must reach us as the error it is, not be retried.
            client = AsyncGroq(api_key=FAKE_KEY, http_client=http_client, max_retries=0)
            for entry in entries:
                await _replay_interaction(GroqModel(entry['request_model'], groq_client=client), entry)
