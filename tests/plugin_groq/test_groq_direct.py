"""The direct request API (`model_request`, `model_request_stream`, `model_request_sync`) with Groq end to end.

The core's own behaviour is tested with vendor-neutral models in `tests/core/test_direct.py`; this file checks what
only the Groq plugin shows: `'groq:...'` strings resolved by the installed plugin, Groq's wire form and usage through
the direct functions, its HTTP errors, the project's Groq cassettes replayed (vcrpy, record mode `none`), and the
local `GroqTestServer` (real sockets, for what only a real connection shows: that `model_request_sync` keeps its
connection from one call to the next, and that the shared HTTP client works across calls).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr

import pydantic_ai.models
from pydantic_ai._sync import _run_in_thread_loop
from pydantic_ai.direct import model_request, model_request_stream, model_request_sync
from pydantic_ai.exceptions import ModelHTTPError, UnknownProviderError, UserError
from pydantic_ai.messages import ModelRequest, PartDeltaEvent, PartStartEvent, TextPart
from pydantic_ai.models import ModelRequestParameters, infer_model
from pydantic_ai.tools import ToolDefinition
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqFake, GroqTestServer, raw_sse, text_completion, wire

from support.constants import CASSETTES_DIR, MODEL_NAME, user_prompt

CASSETTES = CASSETTES_DIR / 'test_groq_cassettes'


@pytest.fixture
def mock() -> Iterator[GroqFake]:
    groq_mock = GroqFake(
        responder=httpx.Response(
            200, json=wire.chat_completion('Hi there', model=MODEL_NAME, usage=wire.usage_body(5, 2, timings=False))
        )
    )
    yield groq_mock
    asyncio.run(groq_mock.aclose())


def _yaml(path: Path) -> Any:
    import yaml

    return yaml.safe_load(path.read_text())


# model_request


@pytest.mark.asyncio
async def test_model_request_sends_groq_wire_messages_and_reads_groq_usage(mock: GroqFake) -> None:
    response = await model_request(
        mock.model(MODEL_NAME),
        [ModelRequest.user_text_prompt('Hello', system_prompt='Be brief.')],
        model_settings={'temperature': 0.2},
    )

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
async def test_model_request_sends_request_parameters_as_groq_tools(mock: GroqFake) -> None:
    tool = ToolDefinition(name='get_time', description='The time.', parameters_json_schema={'type': 'object'})

    await model_request(
        mock.model(), user_prompt(), model_request_parameters=ModelRequestParameters(function_tools=[tool])
    )

    assert [t['function']['name'] for t in mock.body['tools']] == ['get_time']


@pytest.mark.asyncio
async def test_model_request_raises_groq_http_errors_as_model_http_error() -> None:
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
async def test_model_request_stream_sends_a_groq_stream_request_and_reads_x_groq_usage() -> None:
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


# model_request_sync


def test_model_request_sync_raises_groq_http_errors_with_their_headers() -> None:
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


# Model strings with the Groq plugin installed


def test_infer_model_errors_list_the_installed_groq_provider() -> None:
    """The core's messages list the registered providers (`tests/core`); the installed plugin is among them."""
    with pytest.raises(UserError) as no_prefix:
        infer_model('llama-3.3-70b-versatile')
    assert not isinstance(no_prefix.value, UnknownProviderError)
    assert "'groq'" in str(no_prefix.value)

    with pytest.raises(UnknownProviderError) as unknown:
        infer_model('nonexistent-provider-xyz:foo')
    assert 'groq' in unknown.value.available
    assert "'groq'" in str(unknown.value)
