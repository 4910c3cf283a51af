"""Reliability: bad input from the caller is a `UserError` saying what to change, raised before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import (
    BinaryContent,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai_groq.testing import GroqTestServer

from support.reliability import assert_error, prompt, run_request, run_stream, server_model

pytestmark = [pytest.mark.asyncio]


@dataclass
class MysteryPart:
    """A part type no model knows."""

    content: str = 'what am I?'
    part_kind: str = 'mystery'


def conversation(*messages: Any) -> list[ModelMessage]:
    return [*prompt('Weather in Paris?'), *messages]


CALL_WITHOUT_ID = ModelResponse(parts=[ToolCallPart('get_weather', '{"city": "Paris"}', tool_call_id=None)])
CALL_WITH_ID = ModelResponse(parts=[ToolCallPart('get_weather', '{"city": "Paris"}', tool_call_id='call_1')])

BAD_MESSAGES: list[Any] = [
    pytest.param([], 'empty', id='empty-message-list'),
    pytest.param([ModelRequest(parts=[MysteryPart()])], 'MysteryPart', id='unknown-request-part'),  # type: ignore[list-item]
    pytest.param(
        conversation(ModelResponse(parts=[MysteryPart()]), *prompt('again')),  # type: ignore[list-item]
        'MysteryPart',
        id='unknown-response-part',
    ),
    pytest.param([*prompt(), {'role': 'user', 'content': 'a dict'}], 'dict', id='unknown-message-type'),
    pytest.param([ModelRequest(parts=[UserPromptPart(['text', 42])])], 'int', id='unknown-user-content'),  # type: ignore[list-item]
    pytest.param(
        conversation(CALL_WITHOUT_ID, ModelRequest(parts=[ToolReturnPart('get_weather', 'sunny', tool_call_id=None)])),
        'tool_call_id',
        id='tool-call-and-return-without-id',
    ),
    pytest.param(
        conversation(CALL_WITH_ID, ModelRequest(parts=[ToolReturnPart('get_weather', 'sunny', tool_call_id=None)])),
        'tool_call_id',
        id='tool-return-without-id',
    ),
    pytest.param(
        conversation(CALL_WITH_ID, ModelRequest(parts=[RetryPromptPart('bad args', tool_name='get_weather')])),
        'tool_call_id',
        id='tool-retry-without-id',
    ),
    pytest.param(
        [ModelRequest(parts=[UserPromptPart(['Transcribe this', BinaryContent(b'RIFF0000WAVE', 'audio/wav')])])],
        'audio/wav',
        id='audio-binary-content',
    ),
    pytest.param(
        [ModelRequest(parts=[UserPromptPart(['Summarise', BinaryContent(b'%PDF-1.7', 'application/pdf')])])],
        'application/pdf',
        id='pdf-binary-content',
    ),
]

BAD_SETTINGS: list[Any] = [
    pytest.param({'temperature': 'hot'}, 'temperature', id='temperature-string'),
    pytest.param({'max_tokens': '100'}, 'max_tokens', id='max-tokens-string'),
    pytest.param({'max_tokens': 1.5}, 'max_tokens', id='max-tokens-float'),
    pytest.param({'top_p': True}, 'top_p', id='top-p-bool'),
    pytest.param({'seed': 'lucky'}, 'seed', id='seed-string'),
    pytest.param({'timeout': 'soon'}, 'timeout', id='timeout-string'),
    pytest.param({'parallel_tool_calls': 'yes'}, 'parallel_tool_calls', id='parallel-tool-calls-string'),
    pytest.param(['temperature', 0.2], 'model_settings', id='settings-not-a-dict'),
]


def assert_nothing_sent(server: GroqTestServer) -> None:
    assert server.request_count == 0
    assert server.connections_accepted == 0


@pytest.mark.parametrize(('messages', 'named'), BAD_MESSAGES)
async def test_bad_messages_raise_user_error_before_sending(
    server: GroqTestServer, http_client: httpx.AsyncClient, messages: list[ModelMessage], named: str
) -> None:
    model = server_model(server, http_client)
    assert_error((await run_request(model, messages)).error, UserError, named)
    assert_error((await run_stream(model, messages)).error, UserError, named)
    assert_nothing_sent(server)


@pytest.mark.parametrize(('settings', 'named'), BAD_SETTINGS)
async def test_settings_of_the_wrong_type_raise_user_error_before_sending(
    server: GroqTestServer, http_client: httpx.AsyncClient, settings: Any, named: str
) -> None:
    model = server_model(server, http_client)
    assert_error((await run_request(model, settings=settings)).error, UserError, named)
    assert_error((await run_stream(model, settings=settings)).error, UserError, named)
    assert_nothing_sent(server)


async def test_messages_that_are_not_a_list_raise_user_error(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    model = server_model(server, http_client)
    outcome = await run_request(model, 'hello')  # type: ignore[arg-type]
    assert_error(outcome.error, UserError, 'messages')
    assert_nothing_sent(server)


async def test_the_same_conversation_without_the_mistake_is_sent(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    """The bad-input tests are not passing for an unrelated reason: the fixed conversation does go out."""
    model = server_model(server, http_client)
    fixed = conversation(
        CALL_WITH_ID, ModelRequest(parts=[ToolReturnPart('get_weather', 'sunny', tool_call_id='call_1')])
    )
    outcome = await run_request(model, fixed, {'temperature': 0.2, 'max_tokens': 100})
    assert outcome.error is None
    assert server.request_count == 1
    body = server.last_request.json
    assert body['temperature'] == 0.2
    assert body['messages'][-1] == {'role': 'tool', 'tool_call_id': 'call_1', 'content': 'sunny'}
    assert isinstance(outcome.response, ModelResponse)
    assert [type(p) for p in outcome.response.parts] == [TextPart]
