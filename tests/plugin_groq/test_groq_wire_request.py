"""Request side: what `GroqModel` puts on the wire for the settings and parameters Groq's API has today.

Every test sends through a real `AsyncGroq` on an `httpx.MockTransport` (`GroqFake`) and inspects the recorded
HTTP request: its JSON body, its headers, its extensions.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import pytest
import pytest_asyncio

import pydantic_ai
import pydantic_ai_groq
from pydantic_ai.builtin_tools import AbstractBuiltinTool, WebSearchTool
from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import (
    BinaryContent,
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ThinkingPart,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.output import OutputObjectDefinition
from pydantic_ai.tools import ToolDefinition
from pydantic_ai_groq.testing import GroqFake, raw_sse, wire

from support.constants import MODEL_NAME, user_prompt

pytestmark = pytest.mark.asyncio

NO_TOOLS = ModelRequestParameters()
PNG = b'\x89PNG\r\n\x1a\nfake-png-bytes'


@pytest_asyncio.fixture
async def groq_mock() -> AsyncIterator[GroqFake]:
    mock = GroqFake(responder=httpx.Response(200, json=wire.chat_completion('ok')))
    yield mock
    await mock.aclose()


async def send(
    mock: GroqFake,
    settings: Any = None,
    params: ModelRequestParameters = NO_TOOLS,
    messages: list[ModelMessage] | None = None,
    model_name: str = MODEL_NAME,
) -> dict[str, Any]:
    """Send one request and return the JSON body Groq received."""
    await mock.model(model_name).request(messages if messages is not None else user_prompt(), settings, params)
    body: dict[str, Any] = mock.body
    return body


def tool(name: str = 'get_weather', description: str | None = 'Get the weather for a city.') -> ToolDefinition:
    return ToolDefinition(
        name=name,
        description=description,
        parameters_json_schema={'type': 'object', 'properties': {'city': {'type': 'string'}}, 'required': ['city']},
    )


def result_tool() -> ToolDefinition:
    return ToolDefinition(
        name='final_result',
        description='The final answer.',
        parameters_json_schema={'type': 'object', 'properties': {'answer': {'type': 'string'}}},
    )


TWO_TOOLS = ModelRequestParameters(function_tools=[tool('get_weather'), tool('get_time')])

CITY_SCHEMA: dict[str, Any] = {
    'type': 'object',
    'properties': {'city': {'type': 'string'}, 'country': {'type': 'string'}},
    'required': ['city', 'country'],
    'additionalProperties': False,
}


# --- Plain settings ---------------------------------------------------------------------------------------------------


async def test_stop_sequences_are_sent_as_stop(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, {'stop_sequences': ['END', '\n\n']})
    assert body['stop'] == ['END', '\n\n']
    assert 'stop_sequences' not in body


async def test_no_stop_sequences_sends_no_stop(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, {'temperature': 0.2})
    assert 'stop' not in body
    assert body['temperature'] == 0.2


@pytest.mark.parametrize(
    'setting, value, wire',
    [
        ('groq_service_tier', 'flex', 'service_tier'),
        ('groq_user', 'end-user-42', 'user'),
        ('groq_reasoning_format', 'parsed', 'reasoning_format'),
        ('groq_reasoning_format', 'raw', 'reasoning_format'),
        ('groq_reasoning_format', 'hidden', 'reasoning_format'),
        ('groq_reasoning_effort', 'low', 'reasoning_effort'),
        ('groq_reasoning_effort', 'none', 'reasoning_effort'),
    ],
)
async def test_groq_settings_are_sent_under_their_wire_names(
    groq_mock: GroqFake, setting: str, value: str, wire: str
) -> None:
    body = await send(groq_mock, {setting: value})
    assert body[wire] == value
    assert setting not in body


async def test_reasoning_format_and_effort_together(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, {'groq_reasoning_format': 'parsed', 'groq_reasoning_effort': 'high'})
    assert (body['reasoning_format'], body['reasoning_effort']) == ('parsed', 'high')


async def test_no_groq_settings_send_none_of_their_fields(groq_mock: GroqFake) -> None:
    body = await send(groq_mock)
    for field_name in ('service_tier', 'user', 'reasoning_format', 'reasoning_effort', 'stop', 'search_settings'):
        assert field_name not in body


# --- extra_body -------------------------------------------------------------------------------------------------------


async def test_extra_body_is_merged_into_the_body(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, {'extra_body': {'include_reasoning': False, 'metadata': {'a': [1, 2]}}})
    assert body['include_reasoning'] is False
    assert body['metadata'] == {'a': [1, 2]}
    assert body['messages'] == [{'role': 'user', 'content': 'Hello'}]


async def test_extra_body_overrides_fields_built_from_settings(groq_mock: GroqFake) -> None:
    body = await send(
        groq_mock,
        {'temperature': 0.1, 'groq_service_tier': 'flex', 'extra_body': {'temperature': 0.9, 'service_tier': 'auto'}},
    )
    assert body['temperature'] == 0.9
    assert body['service_tier'] == 'auto'


async def test_extra_body_is_not_mutated(groq_mock: GroqFake) -> None:
    extra = {'metadata': {'k': 'v'}}
    before = copy.deepcopy(extra)
    await send(groq_mock, {'extra_body': extra})
    assert extra == before


# --- Headers ----------------------------------------------------------------------------------------------------------


async def test_extra_headers_are_sent_and_the_callers_dict_is_never_mutated(groq_mock: GroqFake) -> None:
    extra = {'X-Trace-Id': 'trace-1', 'X-Tenant': 'acme'}
    settings: dict[str, Any] = {'extra_headers': extra, 'temperature': 0.0}
    before = copy.deepcopy(settings)
    model = groq_mock.model()
    await model.request(user_prompt(), settings, NO_TOOLS)
    assert settings == before
    assert extra == {'X-Trace-Id': 'trace-1', 'X-Tenant': 'acme'}
    await model.request(user_prompt('again'), settings, NO_TOOLS)
    assert settings == before
    assert extra == {'X-Trace-Id': 'trace-1', 'X-Tenant': 'acme'}
    assert len(groq_mock.requests) == 2
    for request in groq_mock.requests:
        assert request.headers['x-trace-id'] == 'trace-1'
        assert request.headers['x-tenant'] == 'acme'
        # Our own header is added to the request, not to the caller's dict.
        assert 'pydantic-ai-groq/' in request.headers['user-agent']
        assert request.headers['authorization'].startswith('Bearer ')


async def test_user_agent_names_both_distributions_and_their_versions(groq_mock: GroqFake) -> None:
    await send(groq_mock)
    user_agent = groq_mock.requests[0].headers['user-agent']
    assert f'pydantic-ai-groq/{pydantic_ai_groq.__version__}' in user_agent
    assert f'pydantic-ai-core/{pydantic_ai.__version__}' in user_agent
    assert user_agent.count(',') == 0, 'a single User-Agent value, not several joined'


async def test_user_agent_is_sent_on_streamed_requests_too(groq_mock: GroqFake) -> None:
    groq_mock.responder = raw_sse([wire.chat_completion_chunk({'content': 'hi'}, finish_reason='stop')], done=True)
    async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
        async for _ in stream:
            pass
    assert f'pydantic-ai-groq/{pydantic_ai_groq.__version__}' in groq_mock.requests[0].headers['user-agent']


@pytest.mark.parametrize('header_name', ['User-Agent', 'user-agent', 'USER-AGENT'])
async def test_extra_headers_can_override_the_user_agent(groq_mock: GroqFake, header_name: str) -> None:
    await send(groq_mock, {'extra_headers': {header_name: 'my-app/2.0'}})
    request = groq_mock.requests[0]
    assert request.headers.get_list('user-agent') == ['my-app/2.0']


# --- Images -----------------------------------------------------------------------------------------------------------


def image_prompt(item: ImageUrl | BinaryContent) -> list[ModelMessage]:
    return [ModelRequest([UserPromptPart(['What is in this image?', item])])]


@pytest.mark.parametrize('detail', ['low', 'high', 'auto'])
async def test_image_url_detail_is_sent(groq_mock: GroqFake, detail: str) -> None:
    image = ImageUrl('https://example.com/cat.png', vendor_metadata={'detail': detail})
    body = await send(groq_mock, messages=image_prompt(image))
    assert body['messages'][0]['content'][1] == {
        'type': 'image_url',
        'image_url': {'url': 'https://example.com/cat.png', 'detail': detail},
    }


async def test_binary_image_detail_is_sent_with_data_uri(groq_mock: GroqFake) -> None:
    image = BinaryContent(PNG, media_type='image/png', vendor_metadata={'detail': 'low'})
    body = await send(groq_mock, messages=image_prompt(image))
    item = body['messages'][0]['content'][1]
    assert item['type'] == 'image_url'
    assert item['image_url']['detail'] == 'low'
    assert item['image_url']['url'] == image.data_uri
    assert item['image_url']['url'].startswith('data:image/png;base64,')


@pytest.mark.parametrize(
    'image',
    [ImageUrl('https://example.com/cat.png'), BinaryContent(PNG, media_type='image/png')],
    ids=['url', 'binary'],
)
async def test_image_without_detail_sends_no_detail(groq_mock: GroqFake, image: ImageUrl | BinaryContent) -> None:
    body = await send(groq_mock, messages=image_prompt(image))
    assert 'detail' not in body['messages'][0]['content'][1]['image_url']


@pytest.mark.parametrize(
    'image',
    [
        ImageUrl('https://example.com/cat.png', vendor_metadata={'detail': 'ultra'}),
        BinaryContent(PNG, media_type='image/png', vendor_metadata={'detail': 'LOW'}),
    ],
    ids=['url', 'binary'],
)
async def test_invalid_image_detail_raises_user_error_before_sending(
    groq_mock: GroqFake, image: ImageUrl | BinaryContent
) -> None:
    with pytest.raises(UserError, match='detail'):
        await groq_mock.model().request(image_prompt(image), None, NO_TOOLS)
    assert groq_mock.requests == []


# --- tool_choice ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('choice', ['auto', 'none', 'required'])
async def test_tool_choice_string_setting_is_sent(groq_mock: GroqFake, choice: str) -> None:
    body = await send(groq_mock, {'tool_choice': choice}, TWO_TOOLS)
    assert body['tool_choice'] == choice
    assert [t['function']['name'] for t in body['tools']] == ['get_weather', 'get_time']


async def test_tool_choice_one_name_is_a_named_choice(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, {'tool_choice': ['get_time']}, TWO_TOOLS)
    assert body['tool_choice'] == {'type': 'function', 'function': {'name': 'get_time'}}
    # Every tool is still offered, so the model knows them.
    assert len(body['tools']) == 2


async def test_tool_choice_can_name_a_result_tool(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(function_tools=[tool()], result_tools=[result_tool()])
    body = await send(groq_mock, {'tool_choice': ['final_result']}, params)
    assert body['tool_choice'] == {'type': 'function', 'function': {'name': 'final_result'}}


async def test_tool_choice_several_names_falls_back_to_required(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, {'tool_choice': ['get_weather', 'get_time']}, TWO_TOOLS)
    assert body['tool_choice'] == 'required'


async def test_tool_choice_unknown_name_raises_user_error_before_sending(groq_mock: GroqFake) -> None:
    with pytest.raises(UserError, match='get_stock_price'):
        await groq_mock.model().request(user_prompt(), {'tool_choice': ['get_stock_price']}, TWO_TOOLS)
    assert groq_mock.requests == []


@pytest.mark.parametrize('choice', ['required', ['get_weather']])
async def test_tool_choice_forcing_a_tool_without_tools_raises_user_error(groq_mock: GroqFake, choice: Any) -> None:
    with pytest.raises(UserError, match='tool_choice'):
        await groq_mock.model().request(user_prompt(), {'tool_choice': choice}, NO_TOOLS)
    assert groq_mock.requests == []


async def test_tool_choice_auto_without_tools_sends_no_tool_fields(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, {'tool_choice': 'auto'})
    assert 'tools' not in body
    assert 'tool_choice' not in body


@pytest.mark.parametrize('choice', ['any', ''])
async def test_tool_choice_invalid_string_raises_user_error(groq_mock: GroqFake, choice: str) -> None:
    with pytest.raises(UserError, match='tool_choice'):
        await groq_mock.model().request(user_prompt(), {'tool_choice': choice}, TWO_TOOLS)
    assert groq_mock.requests == []


async def test_default_tool_choice_is_auto(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, None, ModelRequestParameters(function_tools=[tool()]))
    assert body['tool_choice'] == 'auto'


async def test_default_tool_choice_is_required_when_text_may_not_end_the_run(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(function_tools=[tool()], result_tools=[result_tool()], allow_text_result=False)
    body = await send(groq_mock, None, params)
    assert body['tool_choice'] == 'required'
    assert [t['function']['name'] for t in body['tools']] == ['get_weather', 'final_result']


# --- parallel_tool_calls and tool definitions -------------------------------------------------------------------------


@pytest.mark.parametrize('parallel', [True, False])
async def test_parallel_tool_calls_sent_when_tools_are_present(groq_mock: GroqFake, parallel: bool) -> None:
    body = await send(groq_mock, {'parallel_tool_calls': parallel}, TWO_TOOLS)
    assert body['parallel_tool_calls'] is parallel


async def test_parallel_tool_calls_not_sent_without_tools(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, {'parallel_tool_calls': False})
    assert 'parallel_tool_calls' not in body
    assert 'tools' not in body


async def test_parallel_tool_calls_not_sent_in_native_mode_without_function_tools(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(
        result_tools=[result_tool()], output_mode='native', output_object=OutputObjectDefinition(CITY_SCHEMA)
    )
    body = await send(groq_mock, {'parallel_tool_calls': True}, params)
    assert 'parallel_tool_calls' not in body


async def test_tool_description_none_is_sent_as_empty_string(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(function_tools=[tool('a', description=None), tool('b', description='')])
    body = await send(groq_mock, None, params)
    for sent in body['tools']:
        assert sent['function']['description'] == ''
    assert b'"description":null' not in groq_mock.requests[0].content.replace(b' ', b'')


async def test_tool_description_is_sent_as_given(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, None, ModelRequestParameters(function_tools=[tool()]))
    assert body['tools'][0] == {
        'type': 'function',
        'function': {
            'name': 'get_weather',
            'description': 'Get the weather for a city.',
            'parameters': tool().parameters_json_schema,
        },
    }


# --- Structured output ------------------------------------------------------------------------------------------------


async def test_native_output_sends_json_schema_response_format(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(
        output_mode='native',
        output_object=OutputObjectDefinition(CITY_SCHEMA, name='CityLocation', description='A city.', strict=True),
    )
    body = await send(groq_mock, None, params)
    assert body['response_format'] == {
        'type': 'json_schema',
        'json_schema': {'name': 'CityLocation', 'schema': CITY_SCHEMA, 'description': 'A city.', 'strict': True},
    }


async def test_native_output_name_defaults_to_final_result(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(output_mode='native', output_object=OutputObjectDefinition(CITY_SCHEMA))
    body = await send(groq_mock, None, params)
    json_schema = body['response_format']['json_schema']
    assert json_schema['name'] == 'final_result'
    assert json_schema['schema'] == CITY_SCHEMA
    assert 'strict' not in json_schema
    assert 'description' not in json_schema


async def test_native_output_strict_false_is_sent(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(
        output_mode='native', output_object=OutputObjectDefinition(CITY_SCHEMA, strict=False)
    )
    body = await send(groq_mock, None, params)
    assert body['response_format']['json_schema']['strict'] is False


async def test_native_output_without_output_object_raises_user_error(groq_mock: GroqFake) -> None:
    with pytest.raises(UserError, match='output_object'):
        await groq_mock.model().request(user_prompt(), None, ModelRequestParameters(output_mode='native'))
    assert groq_mock.requests == []


async def test_json_object_output_sends_json_object_response_format(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, None, ModelRequestParameters(output_mode='json_object'))
    assert body['response_format'] == {'type': 'json_object'}


async def test_tool_output_mode_sends_no_response_format(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, None, ModelRequestParameters(result_tools=[result_tool()]))
    assert 'response_format' not in body
    assert [t['function']['name'] for t in body['tools']] == ['final_result']


@pytest.mark.parametrize('mode', ['native', 'json_object'])
async def test_result_tools_are_not_sent_as_tools_in_native_modes(
    groq_mock: GroqFake, mode: Literal['native', 'json_object']
) -> None:
    params = ModelRequestParameters(
        function_tools=[tool()],
        result_tools=[result_tool()],
        output_mode=mode,
        output_object=OutputObjectDefinition(CITY_SCHEMA),
    )
    body = await send(groq_mock, None, params)
    assert [t['function']['name'] for t in body['tools']] == ['get_weather']


async def test_native_output_with_only_result_tools_sends_no_tools(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(
        result_tools=[result_tool()], output_mode='native', output_object=OutputObjectDefinition(CITY_SCHEMA)
    )
    body = await send(groq_mock, None, params)
    assert 'tools' not in body
    assert 'tool_choice' not in body
    assert body['response_format']['type'] == 'json_schema'


# --- Built-in tools ---------------------------------------------------------------------------------------------------


async def test_web_search_domains_become_search_settings(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(
        builtin_tools=[WebSearchTool(allowed_domains=['python.org'], blocked_domains=['w3schools.com', 'x.com'])]
    )
    body = await send(groq_mock, None, params, model_name='groq/compound')
    assert body['search_settings'] == {'include_domains': ['python.org'], 'exclude_domains': ['w3schools.com', 'x.com']}
    assert body['compound_custom'] == {'tools': {'enabled_tools': ['web_search']}}
    assert 'tools' not in body


async def test_web_search_only_blocked_domains(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(builtin_tools=[WebSearchTool(blocked_domains=['example.com'])])
    body = await send(groq_mock, None, params, model_name='groq/compound-mini')
    assert body['search_settings'] == {'exclude_domains': ['example.com']}


async def test_web_search_without_domains_sends_no_search_settings(groq_mock: GroqFake) -> None:
    body = await send(
        groq_mock, None, ModelRequestParameters(builtin_tools=[WebSearchTool()]), model_name='groq/compound'
    )
    assert 'search_settings' not in body
    assert 'tools' not in body


@dataclass(kw_only=True)
class ImageGenerationTool(AbstractBuiltinTool):
    kind: str = 'image_generation'


async def test_unsupported_builtin_tool_raises_user_error_before_sending(groq_mock: GroqFake) -> None:
    params = ModelRequestParameters(builtin_tools=[ImageGenerationTool()])
    with pytest.raises(UserError, match='ImageGenerationTool'):
        await groq_mock.model('groq/compound').request(user_prompt(), None, params)
    assert groq_mock.requests == []


# --- History: thinking and built-in tool parts ------------------------------------------------------------------------


def history_with_thinking() -> list[ModelMessage]:
    return [
        ModelRequest.user_text_prompt('What is 2+2?'),
        ModelResponse([ThinkingPart('Two plus two is four.', provider_name='groq'), TextPart('4')]),
        ModelRequest.user_text_prompt('And 3+3?'),
    ]


async def test_thinking_in_history_is_dropped_by_default(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, messages=history_with_thinking())
    assert body['messages'][1] == {'role': 'assistant', 'content': '4'}
    assert 'Two plus two' not in groq_mock.requests[0].content.decode()
    assert '<think>' not in groq_mock.requests[0].content.decode()


async def test_thinking_in_history_explicit_drop(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, {'groq_thinking_history': 'drop'}, messages=history_with_thinking())
    assert body['messages'][1] == {'role': 'assistant', 'content': '4'}


async def test_thinking_in_history_sent_as_tags_when_asked(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, {'groq_thinking_history': 'tags'}, messages=history_with_thinking())
    assistant = body['messages'][1]
    assert assistant['role'] == 'assistant'
    content = assistant['content']
    assert content.startswith('<think>')
    assert 'Two plus two is four.' in content
    assert content.index('</think>') < content.index('4', content.index('</think>'))
    assert content.rstrip().endswith('4')
    assert 'groq_thinking_history' not in body


async def test_thinking_only_response_in_history_becomes_empty_assistant_message(groq_mock: GroqFake) -> None:
    messages: list[ModelMessage] = [
        ModelRequest.user_text_prompt('Hi'),
        ModelResponse([ThinkingPart('hmm')]),
        ModelRequest.user_text_prompt('Hello?'),
    ]
    body = await send(groq_mock, messages=messages)
    assert body['messages'][1] == {'role': 'assistant', 'content': ''}


async def test_invalid_thinking_history_setting_raises_user_error(groq_mock: GroqFake) -> None:
    with pytest.raises(UserError, match='groq_thinking_history'):
        await groq_mock.model().request(history_with_thinking(), {'groq_thinking_history': 'keep'}, NO_TOOLS)
    assert groq_mock.requests == []


async def test_builtin_tool_parts_in_history_are_not_sent(groq_mock: GroqFake) -> None:
    messages: list[ModelMessage] = [
        ModelRequest.user_text_prompt('Latest Python?'),
        ModelResponse(
            [
                BuiltinToolCallPart('web_search', {'query': 'latest python'}, 'groq_executed_tool_0', 'groq'),
                BuiltinToolReturnPart(
                    'web_search', {'results': [{'url': 'https://python.org'}]}, 'groq_executed_tool_0'
                ),
                TextPart('Python 3.14.'),
            ]
        ),
        ModelRequest.user_text_prompt('Thanks'),
    ]
    body = await send(groq_mock, messages=messages)
    assert body['messages'][1] == {'role': 'assistant', 'content': 'Python 3.14.'}
    sent = groq_mock.requests[0].content.decode()
    assert 'groq_executed_tool_0' not in sent
    assert 'latest python' not in sent
    assert 'python.org' not in sent


# --- Settings validated before anything is sent ----------------------------------------------------------------------


@pytest.mark.parametrize(
    'settings, named',
    [
        ({'temperature': 'hot'}, 'temperature'),
        ({'max_tokens': 1.5}, 'max_tokens'),
        ({'max_tokens': True}, 'max_tokens'),
        ({'stop_sequences': 'x'}, 'stop_sequences'),
        ({'stop_sequences': ['ok', 3]}, 'stop_sequences'),
        ({'groq_reasoning_format': 'loud'}, 'groq_reasoning_format'),
        ({'groq_reasoning_effort': 3}, 'groq_reasoning_effort'),
        ({'groq_service_tier': 1}, 'groq_service_tier'),
        ({'groq_user': 42}, 'groq_user'),
        ({'timeout': 'soon'}, 'timeout'),
        ({'parallel_tool_calls': 'yes'}, 'parallel_tool_calls'),
        ({'extra_headers': {'X-Count': 3}}, 'extra_headers'),
        ({'extra_body': ['not', 'a', 'dict']}, 'extra_body'),
        ({'groq_reasoning_fromat': 'parsed'}, 'groq_reasoning_fromat'),
    ],
)
async def test_invalid_settings_raise_user_error_naming_the_setting_and_send_nothing(
    groq_mock: GroqFake, settings: dict[str, Any], named: str
) -> None:
    params = ModelRequestParameters(function_tools=[tool()])  # so parallel_tool_calls is read
    with pytest.raises(UserError) as exc_info:
        await groq_mock.model().request(user_prompt(), settings, params)
    assert named in str(exc_info.value)
    assert groq_mock.requests == []


async def test_another_providers_settings_are_ignored_not_sent(groq_mock: GroqFake) -> None:
    body = await send(groq_mock, {'temperature': 0.3, 'anthropic_thinking': {'type': 'enabled'}})
    assert body['temperature'] == 0.3
    assert 'anthropic_thinking' not in body
    assert 'thinking' not in body


async def test_invalid_settings_on_a_stream_send_nothing(groq_mock: GroqFake) -> None:
    with pytest.raises(UserError, match='temperature'):
        async with groq_mock.model().request_stream(user_prompt(), {'temperature': 'hot'}, NO_TOOLS):
            pass  # pragma: no cover
    assert groq_mock.requests == []


# --- timeout ----------------------------------------------------------------------------------------------------------


async def test_timeout_setting_reaches_the_http_request(groq_mock: GroqFake) -> None:
    await send(groq_mock, {'timeout': 12.5})
    timeout = groq_mock.requests[0].extensions['timeout']
    assert timeout == {'connect': 12.5, 'read': 12.5, 'write': 12.5, 'pool': 12.5}
    assert 'timeout' not in groq_mock.body


async def test_httpx_timeout_setting_reaches_the_http_request(groq_mock: GroqFake) -> None:
    await send(groq_mock, {'timeout': httpx.Timeout(30.0, connect=2.0)})
    timeout = groq_mock.requests[0].extensions['timeout']
    assert timeout['connect'] == 2.0
    assert timeout['read'] == 30.0


async def test_timeout_setting_reaches_a_streamed_request(groq_mock: GroqFake) -> None:
    groq_mock.responder = raw_sse([wire.chat_completion_chunk({'content': 'hi'}, finish_reason='stop')], done=True)
    async with groq_mock.model().request_stream(user_prompt(), {'timeout': 3}, NO_TOOLS) as stream:
        async for _ in stream:
            pass
    assert groq_mock.requests[0].extensions['timeout']['read'] == 3
