"""The original API's GroqModel scenarios, driven through `Agent` against the local Groq server (real sockets)."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import BaseModel

from pydantic_ai import Agent, ModelHTTPError, ModelRetry, UnexpectedModelBehavior
from pydantic_ai.messages import (
    BinaryContent,
    ImageUrl,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai_groq.testing import (
    GroqTestServer,
    ToolCall,
    http_error,
    streamed_text,
    streamed_tool_call,
    text_completion,
    tool_call_completion,
)

from support.reliability import server_model

pytestmark = pytest.mark.asyncio


class Weather(BaseModel):
    city: str
    temperature: int


async def test_simple_run_and_its_usage(server: GroqTestServer, http_client: httpx.AsyncClient) -> None:
    server.enqueue(text_completion('world', prompt_tokens=7, completion_tokens=2))
    agent = Agent(server_model(server, http_client))

    result = await agent.run('hello')

    assert result.data == 'world'
    usage = result.usage()
    assert (usage.requests, usage.request_tokens, usage.response_tokens, usage.total_tokens) == (1, 7, 2, 9)
    sent = server.last_request.json
    assert sent['messages'] == [{'role': 'user', 'content': 'hello'}]
    assert 'tools' not in sent
    response = result.all_messages()[-1]
    assert isinstance(response, ModelResponse)
    assert response.model_name == 'openai/gpt-oss-120b'  # what the server answered with: its default
    assert response.finish_reason == 'stop'


async def test_structured_list_of_int_result(server: GroqTestServer, http_client: httpx.AsyncClient) -> None:
    server.enqueue(tool_call_completion(ToolCall('final_result', {'response': [1, 2, 123]}, 'call_1')))
    agent = Agent(server_model(server, http_client), result_type=list[int])

    result = await agent.run('numbers please')

    assert result.data == [1, 2, 123]
    sent = server.last_request.json
    assert sent['tool_choice'] == 'required'
    (tool,) = sent['tools']
    assert tool['function']['name'] == 'final_result'
    assert tool['function']['parameters']['properties']['response'] == {
        'items': {'type': 'integer'},
        'title': 'Response',
        'type': 'array',
    }
    final = result.all_messages()[-1]
    assert isinstance(final, ModelRequest)
    assert isinstance(final.parts[0], ToolReturnPart) and final.parts[0].tool_call_id == 'call_1'


async def test_tool_retry_then_success_with_the_whole_history(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(
        tool_call_completion(ToolCall('get_location', {'loc_name': 'San Fransisco'}, 'call_1'), prompt_tokens=2),
        tool_call_completion(ToolCall('get_location', {'loc_name': 'London'}, 'call_2'), prompt_tokens=3),
        text_completion('final response', prompt_tokens=4, completion_tokens=2),
    )
    agent = Agent(server_model(server, http_client), system_prompt='this is the system prompt')

    @agent.tool_plain
    async def get_location(loc_name: str) -> str:
        if loc_name == 'London':
            return json.dumps({'lat': 51, 'lng': 0})
        raise ModelRetry('Wrong location, please try again')

    result = await agent.run('Hello')

    assert result.data == 'final response'
    messages = result.all_messages()
    assert [type(m) for m in messages] == [ModelRequest, ModelResponse] * 3
    first = messages[0]
    assert isinstance(first, ModelRequest)
    assert [type(p) for p in first.parts] == [SystemPromptPart, UserPromptPart]
    assert messages[1].parts == [ToolCallPart('get_location', '{"loc_name":"San Fransisco"}', 'call_1')]  # type: ignore[union-attr]
    retry = messages[2].parts[0]  # type: ignore[union-attr]
    assert isinstance(retry, RetryPromptPart)
    assert (retry.content, retry.tool_name, retry.tool_call_id) == (
        'Wrong location, please try again',
        'get_location',
        'call_1',
    )
    assert messages[3].parts == [ToolCallPart('get_location', '{"loc_name":"London"}', 'call_2')]  # type: ignore[union-attr]
    tool_return = messages[4].parts[0]  # type: ignore[union-attr]
    assert isinstance(tool_return, ToolReturnPart)
    assert (tool_return.content, tool_return.tool_call_id) == ('{"lat": 51, "lng": 0}', 'call_2')
    assert messages[5].parts == [TextPart('final response')]  # type: ignore[union-attr]
    assert result.usage().requests == 3
    assert result.usage().request_tokens == 9
    # What went over the wire on the second request: the retry as a tool message answering call_1.
    second = server.requests[1].json['messages']
    assert second[-1]['role'] == 'tool' and second[-1]['tool_call_id'] == 'call_1'
    assert 'Wrong location, please try again' in second[-1]['content']


@pytest.mark.parametrize('delta', [False, True])
async def test_streamed_text_whole_and_deltas_with_finish_reason(
    server: GroqTestServer, http_client: httpx.AsyncClient, delta: bool
) -> None:
    server.enqueue(streamed_text(['hello ', 'world', '!'], finish_reason='stop'))
    agent = Agent(server_model(server, http_client))

    async with agent.run_stream('hi') as result:
        chunks = [text async for text in result.stream_text(delta=delta, debounce_by=None)]
        assert result.is_complete

    if delta:
        assert chunks == ['hello ', 'world', '!']
    else:
        assert chunks == ['hello ', 'hello world', 'hello world!']
    response = result.all_messages()[-1]
    assert isinstance(response, ModelResponse)
    assert response.finish_reason == 'stop'
    assert response.parts == [TextPart('hello world!')]
    assert result.usage().requests == 1
    assert server.last_request.is_stream


async def test_streamed_structured_partial_results_in_order(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    class Forecast(BaseModel):
        city: str
        temperature: int = 0

    server.enqueue(streamed_tool_call('final_result', {'city': 'Paris', 'temperature': 21}, fragments=6))
    agent = Agent(server_model(server, http_client), result_type=Forecast)

    async with agent.run_stream('weather?') as result:
        partials = [(item.city, item.temperature) async for item in result.stream(debounce_by=None)]

    # Arguments arrive as '{"city', '{"city":"Par', ..., '{"city":"Paris","temperature":21}': a partial without
    # the required city is skipped, trailing incomplete strings are kept, an incomplete key is dropped.
    assert partials == [('Par', 0), ('Paris', 0), ('Paris', 0), ('Paris', 0), ('Paris', 21), ('Paris', 21)]
    assert await result.get_data() == Forecast(city='Paris', temperature=21)


async def test_streamed_structured_partials_skip_those_missing_required_fields(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_tool_call('final_result', {'city': 'Paris', 'temperature': 21}, fragments=6))
    agent = Agent(server_model(server, http_client), result_type=Weather)

    async with agent.run_stream('weather?') as result:
        partials = [item async for item in result.stream(debounce_by=None)]

    assert partials == [Weather(city='Paris', temperature=21)] * 2


async def test_answer_with_no_content_is_an_empty_response(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(text_completion(''))
    agent = Agent(server_model(server, http_client))
    with pytest.raises(UnexpectedModelBehavior, match='Received empty model response'):
        await agent.run('hi')

    server.enqueue(streamed_text([]))
    with pytest.raises(UnexpectedModelBehavior, match='Received empty model response'):
        async with agent.run_stream('hi'):
            pass


async def test_image_url_and_binary_image_input(server: GroqTestServer, http_client: httpx.AsyncClient) -> None:
    server.enqueue(text_completion('a potato'), text_completion('a kiwi'))
    agent = Agent(server_model(server, http_client))

    url_result = await agent.run(['What is this?', ImageUrl('https://example.com/potato.jpg')])
    binary_result = await agent.run(['And this?', BinaryContent(b'\x89PNG fake', media_type='image/png')])

    assert (url_result.data, binary_result.data) == ('a potato', 'a kiwi')
    url_content = server.requests[0].json['messages'][0]['content']
    assert url_content[0] == {'type': 'text', 'text': 'What is this?'}
    assert url_content[1]['type'] == 'image_url'
    assert url_content[1]['image_url']['url'] == 'https://example.com/potato.jpg'
    binary_content = server.requests[1].json['messages'][0]['content']
    assert binary_content[1]['image_url']['url'].startswith('data:image/png;base64,')


async def test_http_error_surfaces_as_model_http_error(server: GroqTestServer, http_client: httpx.AsyncClient) -> None:
    server.enqueue(http_error(400, 'bad things'))
    agent = Agent(server_model(server, http_client))

    with pytest.raises(ModelHTTPError) as info:
        await agent.run('hello')
    assert info.value.status_code == 400
    assert info.value.model_name == 'llama-3.3-70b-versatile'
    assert 'bad things' in str(info.value)


async def test_stream_that_calls_a_tool_runs_it_and_streams_the_next_response(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(
        streamed_tool_call('get_city', {'country': 'UK'}, fragments=3, call_id='call_c'),
        streamed_text(['It is ', 'London.']),
    )
    agent = Agent(server_model(server, http_client))

    @agent.tool_plain
    def get_city(country: str) -> str:
        return 'London'

    async with agent.run_stream('capital?') as result:
        texts = [text async for text in result.stream_text(debounce_by=None)]

    assert texts == ['It is ', 'It is London.']
    second = server.requests[1].json['messages']
    assert second[-1] == {'role': 'tool', 'tool_call_id': 'call_c', 'content': 'London'}
    assert result.usage().requests == 2


async def test_native_output_mode_sends_the_json_schema_response_format(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(text_completion('{"city": "Lima", "temperature": 19}'))
    agent = Agent(server_model(server, http_client), result_type=Weather, output_mode='native')

    result = await agent.run('weather in Lima?')

    assert result.data == Weather(city='Lima', temperature=19)
    sent = server.last_request.json
    assert sent['response_format']['type'] == 'json_schema'
    assert sent['response_format']['json_schema']['name'] == 'final_result'
    assert sent['response_format']['json_schema']['schema']['required'] == ['city', 'temperature']
    assert 'tools' not in sent
