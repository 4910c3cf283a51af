"""`GroqModel.request`: what is sent to Groq, and how the completion is read back (non-streamed)."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import pytest_asyncio

from pydantic_ai.exceptions import UnexpectedModelBehavior, UserError
from pydantic_ai.messages import (
    BinaryContent,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import Usage
from pydantic_ai_groq.testing import GroqFake, wire

from support.constants import CREATED, MODEL_NAME, user_prompt

pytestmark = pytest.mark.asyncio

NO_TOOLS = ModelRequestParameters()


@pytest_asyncio.fixture
async def groq_mock() -> AsyncIterator[GroqFake]:
    mock = GroqFake(responder=httpx.Response(200, json=wire.chat_completion('ok')))
    yield mock
    await mock.aclose()


async def send(
    mock: GroqFake,
    messages: list[ModelMessage],
    settings: ModelSettings | None = None,
    params: ModelRequestParameters = NO_TOOLS,
) -> dict[str, Any]:
    """Send `messages` and return the JSON body Groq received."""
    await mock.model(MODEL_NAME).request(messages, settings, params)
    return mock.body


def weather_tool(description: str | None = 'Get the weather for a city.') -> ToolDefinition:
    return ToolDefinition(
        name='get_weather',
        description=description,
        parameters_json_schema={
            'type': 'object',
            'properties': {'city': {'type': 'string'}},
            'required': ['city'],
        },
    )


# --- Request: messages ----------------------------------------------------------------------------------------------


async def test_system_and_user_parts_map_to_system_and_user_roles(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, [ModelRequest([SystemPromptPart('Be brief.'), UserPromptPart('Hi there')])])
    assert body['messages'] == [
        {'role': 'system', 'content': 'Be brief.'},
        {'role': 'user', 'content': 'Hi there'},
    ]
    assert body['model'] == MODEL_NAME


async def test_request_goes_to_chat_completions_with_bearer_key(groq_mock: GroqFake) -> None:
    await send(groq_mock, user_prompt())
    request = groq_mock.requests[0]
    assert request.method == 'POST'
    assert request.url == 'https://api.groq.com/openai/v1/chat/completions'
    assert request.headers['authorization'] == f'Bearer {groq_mock.client.api_key}'
    assert groq_mock.client.api_key.startswith('gsk_')


async def test_request_sends_n_1_and_no_stream(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, user_prompt())
    assert body['n'] == 1
    assert body['stream'] is False


async def test_model_response_in_history_becomes_assistant_message_with_tool_calls(groq_mock: GroqFake) -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart('Weather in Paris and Rome?')]),
        ModelResponse(
            [
                TextPart('Let me check.'),
                ToolCallPart('get_weather', '{"city": "Paris"}', tool_call_id='call_1'),
                ToolCallPart('get_weather', {'city': 'Rome'}, tool_call_id='call_2'),
            ]
        ),
        ModelRequest(
            [
                ToolReturnPart('get_weather', 'sunny', tool_call_id='call_1'),
                ToolReturnPart('get_weather', 'rainy', tool_call_id='call_2'),
            ]
        ),
    ]
    body = await send(groq_mock, messages)
    assistant = body['messages'][1]
    assert assistant['role'] == 'assistant'
    assert assistant['content'] == 'Let me check.'
    assert assistant['tool_calls'] == [
        {'id': 'call_1', 'type': 'function', 'function': {'name': 'get_weather', 'arguments': '{"city": "Paris"}'}},
        {'id': 'call_2', 'type': 'function', 'function': {'name': 'get_weather', 'arguments': '{"city": "Rome"}'}},
    ]
    assert body['messages'][2:] == [
        {'role': 'tool', 'tool_call_id': 'call_1', 'content': 'sunny'},
        {'role': 'tool', 'tool_call_id': 'call_2', 'content': 'rainy'},
    ]


async def test_dict_tool_call_args_are_sent_as_json_string(groq_mock: GroqFake) -> None:
    args = {'city': 'Zürich', 'days': 3, 'units': ['C', 'F']}
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart('x')]),
        ModelResponse([ToolCallPart('forecast', args, tool_call_id='c1')]),
        ModelRequest([ToolReturnPart('forecast', 'done', tool_call_id='c1')]),
    ]
    body = await send(groq_mock, messages)
    arguments = body['messages'][1]['tool_calls'][0]['function']['arguments']
    assert isinstance(arguments, str)
    assert json.loads(arguments) == args


async def test_empty_string_tool_call_args_are_sent_as_empty_object(groq_mock: GroqFake) -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart('x')]),
        ModelResponse([ToolCallPart('now', '', tool_call_id='c1')]),
        ModelRequest([ToolReturnPart('now', '12:00', tool_call_id='c1')]),
    ]
    body = await send(groq_mock, messages)
    assert body['messages'][1]['tool_calls'][0]['function']['arguments'] == '{}'


async def test_two_text_parts_in_history_are_joined_with_blank_line(groq_mock: GroqFake) -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart('x')]),
        ModelResponse([TextPart('First.'), TextPart('Second.')]),
        ModelRequest([UserPromptPart('y')]),
    ]
    body = await send(groq_mock, messages)
    assert body['messages'][1] == {'role': 'assistant', 'content': 'First.\n\nSecond.'}


async def test_text_only_assistant_message_has_no_tool_calls_key(groq_mock: GroqFake) -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart('x')]),
        ModelResponse([TextPart('Answer.')]),
        ModelRequest([UserPromptPart('y')]),
    ]
    body = await send(groq_mock, messages)
    assert 'tool_calls' not in body['messages'][1]


@pytest.mark.parametrize(
    'content',
    [
        {'temperature': 21, 'unit': 'C'},
        [1, 2, 3],
        42,
        None,
    ],
)
async def test_tool_return_with_non_str_content_is_sent_as_json(groq_mock: GroqFake, content: Any) -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart('x')]),
        ModelResponse([ToolCallPart('t', '{}', tool_call_id='c1')]),
        ModelRequest([ToolReturnPart('t', content, tool_call_id='c1')]),
    ]
    body = await send(groq_mock, messages)
    tool_message = body['messages'][2]
    assert tool_message['role'] == 'tool'
    assert tool_message['tool_call_id'] == 'c1'
    assert isinstance(tool_message['content'], str)
    assert json.loads(tool_message['content']) == content


async def test_tool_return_with_str_content_is_sent_unchanged(groq_mock: GroqFake) -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart('x')]),
        ModelResponse([ToolCallPart('t', '{}', tool_call_id='c1')]),
        ModelRequest([ToolReturnPart('t', '"already quoted"', tool_call_id='c1')]),
    ]
    body = await send(groq_mock, messages)
    assert body['messages'][2]['content'] == '"already quoted"'


async def test_retry_prompt_with_tool_name_becomes_tool_message(groq_mock: GroqFake) -> None:
    retry = RetryPromptPart('city must not be empty', tool_name='get_weather', tool_call_id='call_9')
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart('x')]),
        ModelResponse([ToolCallPart('get_weather', '{"city": ""}', tool_call_id='call_9')]),
        ModelRequest([retry]),
    ]
    body = await send(groq_mock, messages)
    assert body['messages'][2] == {'role': 'tool', 'tool_call_id': 'call_9', 'content': retry.model_response()}
    assert 'city must not be empty' in body['messages'][2]['content']


async def test_retry_prompt_without_tool_name_becomes_user_message(groq_mock: GroqFake) -> None:
    retry = RetryPromptPart(
        [{'type': 'missing', 'loc': ('answer',), 'msg': 'Field required', 'input': {}}],
    )
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart('x')]),
        ModelResponse([TextPart('bad')]),
        ModelRequest([retry]),
    ]
    body = await send(groq_mock, messages)
    assert body['messages'][2] == {'role': 'user', 'content': retry.model_response()}
    assert 'Field required' in body['messages'][2]['content']


async def test_user_prompt_with_image_url_and_binary_image(groq_mock: GroqFake) -> None:
    png = b'\x89PNG\r\n\x1a\nfake-image-bytes'
    prompt = UserPromptPart(
        ['What is in these images?', ImageUrl('https://example.com/cat.png'), BinaryContent(png, 'image/png')]
    )
    body = await send(groq_mock, [ModelRequest([prompt])])
    assert body['messages'] == [
        {
            'role': 'user',
            'content': [
                {'type': 'text', 'text': 'What is in these images?'},
                {'type': 'image_url', 'image_url': {'url': 'https://example.com/cat.png'}},
                {
                    'type': 'image_url',
                    'image_url': {'url': 'data:image/png;base64,' + base64.b64encode(png).decode()},
                },
            ],
        }
    ]


async def test_non_image_binary_content_raises_user_error_before_sending(groq_mock: GroqFake) -> None:
    prompt = UserPromptPart(['Transcribe this', BinaryContent(b'RIFF....WAVEfmt ', 'audio/wav')])
    with pytest.raises(UserError, match='audio/wav'):
        await groq_mock.model().request([ModelRequest([prompt])], None, NO_TOOLS)
    assert groq_mock.requests == []


async def test_tool_return_without_tool_call_id_raises_user_error_before_sending(groq_mock: GroqFake) -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart('x')]),
        ModelResponse([ToolCallPart('get_weather', '{}', tool_call_id='call_1')]),
        ModelRequest([ToolReturnPart('get_weather', 'sunny')]),
    ]
    with pytest.raises(UserError, match='tool_call_id') as exc_info:
        await groq_mock.model().request(messages, None, NO_TOOLS)
    assert 'get_weather' in str(exc_info.value)
    assert groq_mock.requests == []


async def test_tool_call_without_tool_call_id_raises_user_error_before_sending(groq_mock: GroqFake) -> None:
    messages: list[ModelMessage] = [
        ModelRequest([UserPromptPart('x')]),
        ModelResponse([ToolCallPart('get_weather', '{}')]),
        ModelRequest([ToolReturnPart('get_weather', 'sunny', tool_call_id='call_1')]),
    ]
    with pytest.raises(UserError, match='tool_call_id'):
        await groq_mock.model().request(messages, None, NO_TOOLS)
    assert groq_mock.requests == []


async def test_tool_retry_prompt_without_tool_call_id_raises_user_error_before_sending(groq_mock: GroqFake) -> None:
    messages: list[ModelMessage] = [ModelRequest([RetryPromptPart('bad', tool_name='get_weather')])]
    with pytest.raises(UserError, match='tool_call_id'):
        await groq_mock.model().request(messages, None, NO_TOOLS)
    assert groq_mock.requests == []


async def test_empty_message_list_raises_user_error_before_sending(groq_mock: GroqFake) -> None:
    with pytest.raises(UserError):
        await groq_mock.model().request([], None, NO_TOOLS)
    assert groq_mock.requests == []


async def test_caller_messages_and_settings_are_not_mutated(groq_mock: GroqFake) -> None:
    messages: list[ModelMessage] = [
        ModelRequest([SystemPromptPart('sys'), UserPromptPart(['look', ImageUrl('https://example.com/a.png')])]),
        ModelResponse([TextPart('a'), TextPart('b'), ToolCallPart('t', {'x': 1}, tool_call_id='c1')]),
        ModelRequest([ToolReturnPart('t', {'y': 2}, tool_call_id='c1'), RetryPromptPart('again')]),
    ]
    settings: ModelSettings = {'temperature': 0.5, 'timeout': 30.0, 'parallel_tool_calls': False}
    params = ModelRequestParameters(function_tools=[weather_tool()], allow_text_result=False)
    messages_before = copy.deepcopy(messages)
    settings_before = copy.deepcopy(settings)
    params_before = copy.deepcopy(params)
    await groq_mock.model().request(messages, settings, params)
    assert messages == messages_before
    assert settings == settings_before
    assert params == params_before


# --- Request: tools -------------------------------------------------------------------------------------------------


async def test_no_tools_means_no_tools_nor_tool_choice(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, user_prompt())
    assert 'tools' not in body
    assert 'tool_choice' not in body


async def test_tool_definitions_are_sent_as_functions(groq_mock: GroqFake) -> None:
    tool = weather_tool()
    body = await send(groq_mock, user_prompt(), params=ModelRequestParameters(function_tools=[tool]))
    assert body['tools'] == [
        {
            'type': 'function',
            'function': {
                'name': 'get_weather',
                'description': 'Get the weather for a city.',
                'parameters': tool.parameters_json_schema,
            },
        }
    ]


async def test_tool_without_description_is_sent_with_an_empty_one(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(function_tools=[weather_tool(description=None)])
    body = await send(groq_mock, user_prompt(), params=params)
    # Groq rejects `"description": null`; the recorded requests of real clients send an empty string.
    assert body['tools'][0]['function']['description'] == ''


async def test_tool_choice_is_auto_when_text_result_allowed(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(function_tools=[weather_tool()], allow_text_result=True)
    body = await send(groq_mock, user_prompt(), params=params)
    assert body['tool_choice'] == 'auto'


async def test_tool_choice_is_required_when_text_result_not_allowed(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(function_tools=[weather_tool()], allow_text_result=False)
    body = await send(groq_mock, user_prompt(), params=params)
    assert body['tool_choice'] == 'required'


async def test_result_tools_are_sent_after_function_tools(groq_mock: GroqFake) -> None:
    result_tool = ToolDefinition(
        'final_result',
        'The final answer.',
        {'type': 'object', 'properties': {'answer': {'type': 'string'}}},
    )
    params = ModelRequestParameters(
        function_tools=[weather_tool()], allow_text_result=False, result_tools=[result_tool]
    )
    body = await send(groq_mock, user_prompt(), params=params)
    assert [t['function']['name'] for t in body['tools']] == ['get_weather', 'final_result']
    assert body['tools'][1]['function']['parameters'] == result_tool.parameters_json_schema
    assert body['tool_choice'] == 'required'


async def test_result_tools_alone_are_sent_with_tool_choice(groq_mock: GroqFake) -> None:
    result_tool = ToolDefinition('final_result', None, {'type': 'object', 'properties': {}})
    params = ModelRequestParameters(allow_text_result=False, result_tools=[result_tool])
    body = await send(groq_mock, user_prompt(), params=params)
    assert [t['function']['name'] for t in body['tools']] == ['final_result']
    assert body['tool_choice'] == 'required'


# --- Request: settings ----------------------------------------------------------------------------------------------


async def test_every_body_setting_is_forwarded(groq_mock: GroqFake) -> None:
    settings: ModelSettings = {
        'max_tokens': 123,
        'temperature': 0.25,
        'top_p': 0.9,
        'seed': 42,
        'presence_penalty': 0.5,
        'frequency_penalty': -0.5,
        'logit_bias': {'1234': -100, '42': 5},
    }
    body = await send(groq_mock, user_prompt(), settings)
    for key, value in settings.items():
        assert body[key] == value, key


async def test_unset_settings_are_not_sent(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, user_prompt(), {})
    for key in ('max_tokens', 'temperature', 'top_p', 'seed', 'presence_penalty', 'frequency_penalty', 'logit_bias'):
        assert key not in body
    assert 'timeout' not in body


async def test_timeout_setting_is_the_request_timeout(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, user_prompt(), {'timeout': 7.5})
    assert 'timeout' not in body
    assert groq_mock.requests[0].extensions['timeout'] == {'connect': 7.5, 'read': 7.5, 'write': 7.5, 'pool': 7.5}


async def test_httpx_timeout_setting_is_the_request_timeout(groq_mock: GroqFake) -> None:
    await send(groq_mock, user_prompt(), {'timeout': httpx.Timeout(9.0, connect=1.5)})
    assert groq_mock.requests[0].extensions['timeout'] == {'connect': 1.5, 'read': 9.0, 'write': 9.0, 'pool': 9.0}


async def test_without_timeout_setting_the_client_default_applies(groq_mock: GroqFake) -> None:
    await send(groq_mock, user_prompt())
    assert groq_mock.requests[0].extensions['timeout']['read'] != 7.5


async def test_parallel_tool_calls_sent_when_tools_present(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(function_tools=[weather_tool()])
    body = await send(groq_mock, user_prompt(), {'parallel_tool_calls': False}, params)
    assert body['parallel_tool_calls'] is False


async def test_parallel_tool_calls_not_sent_without_tools(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, user_prompt(), {'parallel_tool_calls': True})
    assert 'parallel_tool_calls' not in body


async def test_non_dict_settings_raise_user_error_before_sending(groq_mock: GroqFake) -> None:
    with pytest.raises(UserError, match='model_settings'):
        await groq_mock.model().request(user_prompt(), ['temperature', 0.1], NO_TOOLS)  # type: ignore[arg-type]
    assert groq_mock.requests == []


# --- Response -------------------------------------------------------------------------------------------------------


async def test_text_response_becomes_text_part(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(200, json=wire.chat_completion('Hello from Groq'))
    response, _ = await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    assert response.parts == [TextPart('Hello from Groq')]


async def test_tool_calls_response_becomes_tool_call_parts(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        200,
        json=wire.chat_completion(
            None,
            tool_calls=[
                wire.tool_call('call_a', 'get_weather', '{"city": "Paris"}'),
                wire.tool_call('call_b', 'get_time', '{"tz": "CET"}'),
            ],
            finish_reason='tool_calls',
        ),
    )
    response, _ = await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    assert response.parts == [
        ToolCallPart('get_weather', '{"city": "Paris"}', tool_call_id='call_a'),
        ToolCallPart('get_time', '{"tz": "CET"}', tool_call_id='call_b'),
    ]
    assert response.parts[0].args_as_dict() == {'city': 'Paris'}  # type: ignore[union-attr]


async def test_text_and_tool_calls_response_keeps_order(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        200,
        json=wire.chat_completion(
            'Checking', tool_calls=[wire.tool_call('call_a', 'get_weather', '{}')], finish_reason='tool_calls'
        ),
    )
    response, _ = await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    assert response.parts == [TextPart('Checking'), ToolCallPart('get_weather', '{}', tool_call_id='call_a')]


async def test_response_model_name_and_timestamp_come_from_the_completion(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        200, json=wire.chat_completion('x', model='llama-3.3-70b-versatile-0201', created=CREATED)
    )
    response, _ = await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    assert response.model_name == 'llama-3.3-70b-versatile-0201'
    assert response.timestamp == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    assert response.timestamp.utcoffset() is not None
    assert response.timestamp.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


async def test_usage_comes_from_the_completion(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        200, json=wire.chat_completion('x', usage={'prompt_tokens': 57, 'completion_tokens': 13, 'total_tokens': 70})
    )
    _, usage = await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    assert usage == Usage(requests=1, request_tokens=57, response_tokens=13, total_tokens=70)


async def test_empty_choices_raise_unexpected_model_behavior(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(200, json=wire.chat_completion(choices=[]))
    with pytest.raises(UnexpectedModelBehavior):
        await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    assert len(groq_mock.requests) == 1


@pytest.mark.forbid_model_requests
async def test_request_without_allow_model_requests_raises_and_sends_nothing(groq_mock: GroqFake) -> None:
    with pytest.raises(UserError, match='Model requests are disabled'):
        await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    assert groq_mock.requests == []


@pytest.mark.forbid_model_requests
async def test_request_stream_without_allow_model_requests_raises_and_sends_nothing(groq_mock: GroqFake) -> None:
    with pytest.raises(UserError, match='Model requests are disabled'):
        async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS):
            pass  # pragma: no cover
    assert groq_mock.requests == []
