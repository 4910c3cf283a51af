"""The direct request API: `model_request`, `model_request_stream` and `model_request_sync`.

Requests reach a `GroqFake` (the real SDK over an `httpx.MockTransport`), the project's cassettes (vcrpy, record
mode `none`) or the local `GroqTestServer` (real sockets, for what only a real connection shows: that
`model_request_sync` keeps its connection from one call to the next).
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr

import pydantic_ai
import pydantic_ai.models
from pydantic_ai.direct import _run_in_thread_loop, model_request, model_request_stream, model_request_sync
from pydantic_ai.exceptions import ModelHTTPError, UnknownProviderError, UserError
from pydantic_ai.messages import ModelRequest, ModelResponse, PartDeltaEvent, PartStartEvent, TextPart
from pydantic_ai.models import ModelRequestParameters, override_allow_model_requests
from pydantic_ai.providers import register_provider, unregister_provider
from pydantic_ai.tools import ToolDefinition
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqFake, GroqTestServer, raw_sse, text_completion, wire

from support.constants import MODEL_NAME, user_prompt

CASSETTES = Path(__file__).resolve().parents[2] / 'cassettes' / 'test_groq_cassettes'


@pytest.fixture
def mock() -> Iterator[GroqFake]:
    groq_mock = GroqFake(
        responder=httpx.Response(200, json=wire.chat_completion('Hi there', usage=wire.usage_body(5, 2, timings=False)))
    )
    yield groq_mock
    asyncio.run(groq_mock.aclose())


@pytest.fixture
def registered(mock: GroqFake) -> Iterator[str]:
    """A provider registered at run time whose models use `mock`; returns its name."""
    register_provider(
        'direct-test',
        lambda: GroqProvider(groq_client=mock.client),
        model_factory=lambda name, provider: GroqModel(name, provider=provider),
    )
    yield 'direct-test'
    unregister_provider('direct-test')


# model_request


@pytest.mark.asyncio
async def test_model_request_returns_the_response_with_its_usage(mock: GroqFake) -> None:
    response = await model_request(
        mock.model(),
        [ModelRequest.user_text_prompt('Hello', system_prompt='Be brief.')],
        model_settings={'temperature': 0.2},
    )

    assert isinstance(response, ModelResponse)
    assert response.parts == [TextPart('Hi there')]
    assert response.model_name == MODEL_NAME
    assert (response.usage.request_tokens, response.usage.response_tokens) == (5, 2)
    assert mock.body['messages'] == [
        {'role': 'system', 'content': 'Be brief.'},
        {'role': 'user', 'content': 'Hello'},
    ]
    assert mock.body['temperature'] == 0.2
    assert 'tools' not in mock.body


@pytest.mark.asyncio
async def test_model_request_resolves_a_provider_model_string_through_the_registry(
    registered: str, mock: GroqFake
) -> None:
    response = await model_request(f'{registered}:llama-3.1-8b-instant', user_prompt())

    assert response.parts == [TextPart('Hi there')]
    assert mock.body['model'] == 'llama-3.1-8b-instant'


@pytest.mark.asyncio
async def test_model_request_passes_request_parameters_on(mock: GroqFake) -> None:
    tool = ToolDefinition(name='get_time', description='The time.', parameters_json_schema={'type': 'object'})

    await model_request(
        mock.model(), user_prompt(), model_request_parameters=ModelRequestParameters(function_tools=[tool])
    )

    assert [t['function']['name'] for t in mock.body['tools']] == ['get_time']


@pytest.mark.asyncio
async def test_model_request_does_not_modify_the_messages_passed(mock: GroqFake) -> None:
    messages = user_prompt()
    await model_request(mock.model(), messages)
    assert len(messages) == 1


@pytest.mark.asyncio
async def test_model_request_is_refused_when_model_requests_are_disabled(mock: GroqFake) -> None:
    with override_allow_model_requests(False), pytest.raises(UserError, match='Model requests are disabled'):
        await model_request(mock.model(), user_prompt())
    assert mock.requests == []


@pytest.mark.asyncio
async def test_model_request_raises_http_errors_as_model_http_error() -> None:
    groq_mock = GroqFake(
        responder=httpx.Response(404, json={'error': {'message': 'no such model', 'code': 'model_not_found'}})
    )
    try:
        with pytest.raises(ModelHTTPError) as info:
            await model_request(groq_mock.model('nope'), user_prompt())
    finally:
        await groq_mock.aclose()
    assert info.value.status_code == 404


@pytest.mark.asyncio
async def test_model_request_replays_a_recorded_text_answer() -> None:
    cassette = CASSETTES / 'test_text_answer_is_parsed_with_model_usage_and_timestamp.yaml'
    recorded = json.loads(_yaml(cassette)['interactions'][0]['request']['body'])
    with vcr.use_cassette(str(cassette), record_mode='none', match_on=['method', 'uri']):
        async with httpx.AsyncClient() as client:
            model = GroqModel(recorded['model'], provider=GroqProvider(api_key='gsk-offline', http_client=client))
            response = await model_request(model, [ModelRequest.user_text_prompt('How many strings?')])

    assert response.parts == [TextPart('A standard cello has four strings, tuned C, G, D and A.')]
    assert response.provider_name == 'groq'
    assert response.usage.requests == 1


# model_request_stream


@pytest.mark.asyncio
async def test_model_request_stream_yields_events_and_assembles_the_response() -> None:
    groq_mock = GroqFake(
        responder=raw_sse(
            [
                wire.chat_completion_chunk({'content': 'Hel'}),
                wire.chat_completion_chunk(
                    {'content': 'lo'},
                    finish_reason='stop',
                    x_groq={'id': 'req_test', 'usage': wire.usage_body(3, 2, timings=False)},
                ),
                wire.chat_completion_chunk({}),
            ],
            done=True,
        )
    )
    try:
        async with model_request_stream(groq_mock.model(), user_prompt(), model_settings={'max_tokens': 9}) as stream:
            events = [event async for event in stream]
            response = stream.get()
    finally:
        await groq_mock.aclose()

    assert isinstance(events[0], PartStartEvent)
    assert all(isinstance(e, PartDeltaEvent) for e in events[1:])
    assert response.parts == [TextPart('Hello')]
    assert (response.usage.request_tokens, response.usage.response_tokens) == (3, 2)
    assert groq_mock.body['stream'] is True
    assert groq_mock.body['max_tokens'] == 9


@pytest.mark.asyncio
async def test_model_request_stream_replays_a_recorded_stream() -> None:
    cassette = CASSETTES / 'test_streamed_text_is_assembled_from_chunks_with_usage_from_x_groq.yaml'
    with vcr.use_cassette(str(cassette), record_mode='none', match_on=['method', 'uri']):
        async with httpx.AsyncClient() as client:
            model = GroqModel(MODEL_NAME, provider=GroqProvider(api_key='gsk-offline', http_client=client))
            async with model_request_stream(model, user_prompt('A name for a cat cafe?')) as stream:
                events = [event async for event in stream]
                response = stream.get()
    text = ''.join(
        event.part.content if isinstance(event, PartStartEvent) else event.delta.content_delta  # type: ignore[union-attr]
        for event in events
    )

    assert text == 'How about "Whisker Beans"? It is playful, short and easy to remember.'
    assert response.parts == [TextPart(text)]
    assert response.usage.response_tokens is not None


@pytest.mark.forbid_model_requests
@pytest.mark.asyncio
async def test_model_request_stream_is_refused_when_model_requests_are_disabled(mock: GroqFake) -> None:
    with pytest.raises(UserError, match='Model requests are disabled'):
        async with model_request_stream(mock.model(), user_prompt()):
            pass  # pragma: no cover
    assert mock.requests == []


# model_request_sync


def test_model_request_sync_without_an_event_loop(mock: GroqFake) -> None:
    first = model_request_sync(mock.model(), user_prompt())
    second = model_request_sync(mock.model(), user_prompt('Again'))

    assert first.parts == second.parts == [TextPart('Hi there')]
    assert len(mock.requests) == 2


def test_model_request_sync_resolves_a_model_string(registered: str) -> None:
    response = model_request_sync(f'{registered}:{MODEL_NAME}', user_prompt())
    assert response.parts == [TextPart('Hi there')]


@pytest.mark.asyncio
async def test_model_request_sync_inside_a_running_loop_runs_in_a_worker_thread(mock: GroqFake) -> None:
    threads: list[str] = []

    def remember_thread(request: httpx.Request) -> httpx.Response:
        threads.append(threading.current_thread().name)
        return httpx.Response(200, json=wire.chat_completion('From a worker'))

    mock.responder = remember_thread
    response = model_request_sync(mock.model(), user_prompt())

    assert response.parts == [TextPart('From a worker')]
    assert threads and threads[0] != threading.current_thread().name


@pytest.mark.forbid_model_requests
@pytest.mark.asyncio
async def test_model_request_sync_inside_a_running_loop_keeps_the_callers_context(mock: GroqFake) -> None:
    # The suite disables requests; the override is a context variable, so it must reach the worker thread.
    with override_allow_model_requests(True):
        assert model_request_sync(mock.model(), user_prompt()).parts == [TextPart('Hi there')]
    with pytest.raises(UserError, match='Model requests are disabled'):
        model_request_sync(mock.model(), user_prompt())


def test_model_request_sync_raises_the_models_errors() -> None:
    groq_mock = GroqFake(
        responder=httpx.Response(429, json={'error': {'message': 'slow down'}}, headers={'retry-after': '3'})
    )
    with pytest.raises(ModelHTTPError) as info:
        model_request_sync(groq_mock.model(), user_prompt())
    asyncio.run(groq_mock.aclose())
    assert info.value.status_code == 429
    assert info.value.headers['retry-after'] == '3'


def test_model_request_sync_reuses_its_connection_from_one_call_to_the_next() -> None:
    """Each call with `asyncio.run` would strand pooled connections in a closed loop; the kept loop reuses them."""
    with GroqTestServer() as server:
        server.enqueue(text_completion('One'), text_completion('Two'))
        client = httpx.AsyncClient()
        model = GroqModel(
            MODEL_NAME, provider=GroqProvider(api_key='gsk-test', base_url=server.base_url, http_client=client)
        )
        try:
            first = model_request_sync(model, user_prompt())
            second = model_request_sync(model, user_prompt())
        finally:
            _run_in_thread_loop(client.aclose())

    assert [first.parts, second.parts] == [[TextPart('One')], [TextPart('Two')]]
    assert server.connections_accepted == 1


def test_model_request_sync_with_a_groq_model_string_and_the_shared_http_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with GroqTestServer() as server:
        server.enqueue(text_completion('Via infer_model'), text_completion('Again'))
        monkeypatch.setenv('GROQ_API_KEY', 'gsk-test')
        monkeypatch.setenv('GROQ_BASE_URL', server.base_url)
        try:
            first = model_request_sync('groq:llama-3.1-8b-instant', user_prompt())
            second = model_request_sync('groq:llama-3.1-8b-instant', user_prompt())
        finally:
            _run_in_thread_loop(pydantic_ai.models.cached_async_http_client().aclose())

    assert first.parts == [TextPart('Via infer_model')]
    assert second.parts == [TextPart('Again')]
    assert server.requests[0].json['model'] == 'llama-3.1-8b-instant'


# Arguments


def _yaml(path: Path) -> Any:
    import yaml

    return yaml.safe_load(path.read_text())


BAD_ARGUMENTS = [
    pytest.param({'model': 42}, '`model` must be a `Model` or a "provider:model-name" string', id='model-not-str'),
    pytest.param({'messages': 'Hello'}, r'pass `\[ModelRequest.user_text_prompt\(...\)\]`', id='messages-str'),
    pytest.param(
        {'messages': ModelRequest.user_text_prompt('Hi')}, 'must be a list of `ModelRequest`', id='one-message'
    ),
    pytest.param({'messages': []}, '`messages` is empty', id='messages-empty'),
    pytest.param({'messages': [{'role': 'user'}]}, r'`messages\[0\]` must be a `ModelRequest`', id='dict-message'),
    pytest.param({'model_settings': [('temperature', 1)]}, '`model_settings` must be a dict', id='settings-list'),
    pytest.param(
        {'model_request_parameters': {'function_tools': []}},
        '`model_request_parameters` must be a `pydantic_ai.models.ModelRequestParameters`',
        id='parameters-dict',
    ),
    pytest.param({'model': 'llama-3.3-70b-versatile'}, 'write it as "provider:model-name"', id='no-provider-prefix'),
]


@pytest.mark.parametrize(('overrides', 'message'), BAD_ARGUMENTS)
def test_bad_arguments_raise_user_error_saying_what_to_pass(
    mock: GroqFake, overrides: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {'model': mock.model(), 'messages': user_prompt(), **overrides}
    model = arguments.pop('model')
    messages = arguments.pop('messages')

    with pytest.raises(UserError, match=message):
        model_request_sync(model, messages, **arguments)
    with pytest.raises(UserError, match=message):
        asyncio.run(model_request(model, messages, **arguments))
    assert mock.requests == []


def test_unknown_provider_in_model_string_raises_unknown_provider_error() -> None:
    with pytest.raises(UnknownProviderError, match="Unknown provider 'nonexistent'"):
        model_request_sync('nonexistent:some-model', user_prompt())


# The public API


def test_direct_functions_are_exported_lazily_from_pydantic_ai() -> None:
    code = """
import sys
import pydantic_ai
before = {m: m in sys.modules for m in ('asyncio', 'pydantic_ai.direct')}
from pydantic_ai import model_request_sync
import pydantic_ai.direct
assert model_request_sync is pydantic_ai.direct.model_request_sync
print(before)
"""
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'asyncio': False, 'pydantic_ai.direct': False}"


def test_unknown_attribute_of_pydantic_ai_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match='no_such_name'):
        pydantic_ai.no_such_name  # noqa: B018


def test_readme_direct_requests_example_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).resolve().parents[2] / 'README.md').read_text()
    [code] = [
        block for block in re.findall(r'```python\n(.*?)```', readme, flags=re.DOTALL) if 'model_request_sync(' in block
    ]
    with GroqTestServer() as server:
        server.enqueue(text_completion('Voice assistants.', completion_tokens=3))
        monkeypatch.setenv('GROQ_API_KEY', 'gsk-test')
        monkeypatch.setenv('GROQ_BASE_URL', server.base_url)
        try:
            exec(compile(code, 'README.md', 'exec'), {'__name__': '__readme__'})
        finally:
            _run_in_thread_loop(pydantic_ai.models.cached_async_http_client().aclose())

    assert capsys.readouterr().out == 'Voice assistants. 3\n'
    assert server.last_request.json['max_tokens'] == 60
    assert server.last_request.json['model'] == 'llama-3.3-70b-versatile'
