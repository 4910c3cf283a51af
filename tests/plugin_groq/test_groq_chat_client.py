"""A client with only `chat.completions.create` (`GroqChatClient`): the test double the original API's tests pass.

It gets the body built for the wire, and its SDK objects are read by the same translators as the wire's JSON: each
test here checks that against the HTTP path (`GroqFake`, a real `AsyncGroq` over `httpx.MockTransport`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from types import SimpleNamespace
from typing import Any, cast

import groq
import httpx
import pytest
from groq.types.chat import ChatCompletion, ChatCompletionChunk

from pydantic_ai import Agent
from pydantic_ai.exceptions import ModelConnectionError, ModelHTTPError, UserError
from pydantic_ai.messages import (
    ModelResponse,
    ModelResponseStreamEvent,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    ToolCallPart,
    ToolCallPartDelta,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.ratelimit import RateLimiter
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqFake, json_response, raw_sse, wire

from support.constants import CREATED, MODEL_NAME, user_prompt

WEATHER_TOOL = ToolDefinition(
    name='get_weather',
    description='The weather in a city.',
    parameters_json_schema={'type': 'object', 'properties': {'city': {'type': 'string'}}, 'required': ['city']},
)
PARAMS = ModelRequestParameters(function_tools=[WEATHER_TOOL], allow_text_result=True)
SETTINGS: ModelSettings = {'temperature': 0.25, 'max_tokens': 64, 'seed': 7}


class ChunkStream:
    """What `create(stream=True)` returns, as the SDK's `AsyncStream` is used: `async with`, then `async for`."""

    def __init__(self, items: Iterable[ChatCompletionChunk | BaseException]) -> None:
        self._items = list(items)
        self.entered = False
        self.exited = False

    async def __aenter__(self) -> ChunkStream:
        self.entered = True
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.exited = True

    def __aiter__(self) -> AsyncIterator[ChatCompletionChunk]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[ChatCompletionChunk]:
        for item in self._items:
            if isinstance(item, BaseException):
                raise item
            yield item


class ChatDouble:
    """A duck-typed client: `chat.completions.create(**body)` records the body and answers from a script."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    async def _create(self, **body: Any) -> object:
        self.calls.append(body)
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


def completion(body: dict[str, Any]) -> ChatCompletion:
    return ChatCompletion.model_validate(body)


def chunks(bodies: Sequence[dict[str, Any]]) -> ChunkStream:
    return ChunkStream(ChatCompletionChunk.model_validate(body) for body in bodies)


def status_error(status: int, body: object) -> groq.APIStatusError:
    request = httpx.Request('POST', 'https://api.groq.com/openai/v1/chat/completions')
    return groq.APIStatusError('error', response=httpx.Response(status, request=request), body=body)


def double_model(double: ChatDouble) -> GroqModel:
    return GroqModel(MODEL_NAME, provider=GroqProvider(groq_client=double))


async def stream_events(model: GroqModel) -> tuple[list[ModelResponseStreamEvent], ModelResponse]:
    async with model.request_stream(user_prompt(), SETTINGS, PARAMS) as stream:
        events = [event async for event in stream]
    return events, stream.get()


def without_rate_limits(response: ModelResponse) -> ModelResponse:
    """The response without what only an HTTP answer has (its rate-limit headers)."""
    details = {k: v for k, v in (response.provider_details or {}).items() if not k.startswith('rate_limit')}
    response.provider_details = details
    return response


# --- What is sent ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('stream', [False, True], ids=['request', 'stream'])
@pytest.mark.asyncio
async def test_double_is_sent_the_wire_body_as_keyword_arguments(stream: bool) -> None:
    text = wire.chat_completion('Hi', model=MODEL_NAME, created=CREATED)
    frames = [wire.chat_completion_chunk({'content': 'Hi'}, finish_reason='stop')]
    double = ChatDouble(chunks(frames) if stream else completion(text))
    async with GroqFake(raw_sse(frames, done=True) if stream else json_response(text)) as fake:
        for model in (fake.model(MODEL_NAME), double_model(double)):
            if stream:
                await stream_events(model)
            else:
                await model.request(user_prompt(), SETTINGS, PARAMS)
        assert double.calls == fake.bodies
    assert double.calls[0]['stream'] is stream
    assert double.calls[0]['tools'][0]['function']['name'] == 'get_weather'


@pytest.mark.asyncio
async def test_double_gets_no_http_options() -> None:
    double = ChatDouble(completion(wire.chat_completion('Hi')))
    settings: ModelSettings = {'timeout': 3.0, 'extra_headers': {'x-test': '1'}}
    await double_model(double).request(user_prompt(), settings, PARAMS)
    assert not {'timeout', 'extra_headers', 'headers'} & set(double.calls[0])


# --- What is read ---------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_completion_is_read_as_its_wire_json_is() -> None:
    body = wire.chat_completion(
        'Let me check.',
        tool_calls=[wire.tool_call('call_1', 'get_weather', '{"city": "Paris"}')],
        model='llama-3.3-70b-versatile-0201',
        created=CREATED,
        completion_id='chatcmpl-1',
        request_id='req_1',
        prompt_tokens=12,
        completion_tokens=5,
    )
    double = ChatDouble(completion(body))
    async with GroqFake(json_response(body)) as fake:
        over_http, _ = await fake.model(MODEL_NAME).request(user_prompt(), None, PARAMS)
    through_double, usage = await double_model(double).request(user_prompt(), None, PARAMS)
    assert through_double == without_rate_limits(over_http)
    assert through_double.parts == [
        TextPart('Let me check.'),
        ToolCallPart('get_weather', '{"city": "Paris"}', 'call_1'),
    ]
    assert through_double.provider_details == {
        'finish_reason': 'tool_calls',
        'groq_request_id': 'req_1',
        'system_fingerprint': body['system_fingerprint'],
        'timings': over_http.usage.timings,
    }
    assert (usage.request_tokens, usage.response_tokens, usage.requests) == (12, 5, 1)


@pytest.mark.asyncio
async def test_stream_is_read_as_its_wire_chunks_are() -> None:
    frames = [
        wire.chat_completion_chunk({'role': 'assistant', 'content': ''}, x_groq={'id': 'req_1'}),
        wire.chat_completion_chunk({'content': 'Sunny '}),
        wire.chat_completion_chunk({'content': 'today.'}),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, call_id='call_1', name='get_weather')]}),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, arguments='{"city": ')]}),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, arguments='"Paris"}')]}),
        wire.chat_completion_chunk(
            {}, finish_reason='tool_calls', x_groq={'id': 'req_1', 'usage': wire.usage_body(9, 4, timings=False)}
        ),
    ]
    double = ChatDouble(chunks(frames))
    async with GroqFake(raw_sse(frames, done=True)) as fake:
        http_events, over_http = await stream_events(fake.model(MODEL_NAME))
    events, through_double = await stream_events(double_model(double))
    assert events == http_events
    assert through_double == without_rate_limits(over_http)
    assert through_double.parts == [
        TextPart('Sunny today.'),
        ToolCallPart('get_weather', '{"city": "Paris"}', 'call_1'),
    ]
    assert through_double.usage == Usage(requests=1, request_tokens=9, response_tokens=4, total_tokens=13)


@pytest.mark.asyncio
async def test_sdk_chunks_with_empty_choices_and_null_fields_are_read() -> None:
    # Chunks as test doubles build them with the SDK's types: fields set to None explicitly, `x_groq=None`, and a
    # top-level usage on every chunk that a null `x_groq` says not to count.
    usage = {'prompt_tokens': 2, 'completion_tokens': 1, 'total_tokens': 3}

    def sdk_chunk(delta: dict[str, Any] | None, finish_reason: str | None = None) -> dict[str, Any]:
        choices = [] if delta is None else [{'index': 0, 'delta': delta, 'finish_reason': finish_reason}]
        return {
            'id': 'x',
            'object': 'chat.completion.chunk',
            'created': CREATED,
            'model': MODEL_NAME,
            'choices': choices,
            'x_groq': None,
            'usage': usage,
        }

    double = ChatDouble(
        chunks(
            [
                sdk_chunk({}),
                sdk_chunk({'tool_calls': []}),
                sdk_chunk({'tool_calls': [{'index': 0, 'function': None}]}),
                sdk_chunk({'tool_calls': [{'index': 0, 'function': {'name': 'get_weather', 'arguments': None}}]}),
                sdk_chunk({'tool_calls': [{'index': 0, 'function': {'name': None, 'arguments': '{"city": "Oslo"}'}}]}),
                sdk_chunk({'tool_calls': [{'index': 0, 'function': {'name': None, 'arguments': None}}]}, 'stop'),
                sdk_chunk(None),
            ]
        )
    )
    events, response = await stream_events(double_model(double))
    assert events == [
        PartStartEvent(index=0, part=ToolCallPart('get_weather', '')),
        PartDeltaEvent(index=0, delta=ToolCallPartDelta(args_delta='{"city": "Oslo"}')),
        PartDeltaEvent(index=0, delta=ToolCallPartDelta()),
    ]
    assert response.parts == [ToolCallPart('get_weather', '{"city": "Oslo"}')]
    assert response.usage == Usage(requests=1)
    assert response.finish_reason == 'stop'


@pytest.mark.asyncio
async def test_stream_without_async_with_is_read() -> None:
    async def generated() -> AsyncIterator[ChatCompletionChunk]:
        yield ChatCompletionChunk.model_validate(wire.chat_completion_chunk({'content': 'Hi'}, finish_reason='stop'))

    _, response = await stream_events(double_model(ChatDouble(generated())))
    assert response.parts == [TextPart('Hi')]


@pytest.mark.asyncio
async def test_stream_is_entered_and_left() -> None:
    stream = chunks([wire.chat_completion_chunk({'content': 'Hi'}, finish_reason='stop')])
    await stream_events(double_model(ChatDouble(stream)))
    assert stream.entered and stream.exited


@pytest.mark.asyncio
async def test_plain_dict_answers_are_read_as_json() -> None:
    body = wire.chat_completion('Hi', created=CREATED)
    response, _ = await double_model(ChatDouble(body)).request(user_prompt(), None, PARAMS)
    assert response.parts == [TextPart('Hi')]


@pytest.mark.parametrize('answer', ['not a completion', 42], ids=['str', 'int'])
@pytest.mark.asyncio
async def test_answer_that_is_not_a_completion_raises_user_error_saying_what_to_return(answer: object) -> None:
    with pytest.raises(UserError, match=r'chat.completions.create` must return a groq `ChatCompletion`'):
        await double_model(ChatDouble(answer)).request(user_prompt(), None, PARAMS)


@pytest.mark.asyncio
async def test_stream_that_is_not_async_iterable_raises_user_error() -> None:
    with pytest.raises(UserError, match='not an async iterable'):
        await stream_events(double_model(ChatDouble([1, 2])))


@pytest.mark.asyncio
async def test_chunk_that_is_not_a_chunk_raises_user_error() -> None:
    with pytest.raises(UserError, match=r"returned a str \('chunk'\)"):
        await stream_events(double_model(ChatDouble(ChunkStream([cast(Any, 'chunk')]))))


# --- Errors ---------------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_status_error_becomes_model_http_error_once_without_retry() -> None:
    error = status_error(500, {'error': 'test error'})
    double = ChatDouble(error, completion(wire.chat_completion('never read')))
    with pytest.raises(ModelHTTPError) as exc_info:
        await double_model(double).request(user_prompt(), None, PARAMS)
    assert str(exc_info.value) == "status_code: 500, model_name: llama-3.3-70b-versatile, body: {'error': 'test error'}"
    assert exc_info.value.__cause__ is error
    assert len(double.calls) == 1


@pytest.mark.asyncio
async def test_status_error_of_a_stream_raises_when_the_stream_is_opened() -> None:
    double = ChatDouble(status_error(503, {'error': {'message': 'over capacity'}}))
    with pytest.raises(ModelHTTPError) as exc_info:
        await stream_events(double_model(double))
    assert exc_info.value.status_code == 503


@pytest.mark.asyncio
async def test_error_while_streaming_is_mapped_and_the_parts_so_far_remain() -> None:
    request = httpx.Request('POST', 'https://api.groq.com/openai/v1/chat/completions')
    first = ChatCompletionChunk.model_validate(wire.chat_completion_chunk({'content': 'Half'}))
    double = ChatDouble(ChunkStream([first, groq.APIConnectionError(request=request)]))
    async with double_model(double).request_stream(user_prompt(), None, PARAMS) as stream:
        with pytest.raises(ModelConnectionError, match='mid-stream'):
            async for _ in stream:
                pass
    assert stream.get().parts == [TextPart('Half')]


@pytest.mark.asyncio
async def test_tool_use_failed_is_returned_as_a_failed_generation_as_on_the_wire() -> None:
    body = wire.error_body('Tool call validation failed', code='tool_use_failed')
    body['error']['failed_generation'] = '{"name": "get_weather", "arguments": {"town": "Rome"}}'
    response, _ = await double_model(ChatDouble(status_error(400, body))).request(user_prompt(), None, PARAMS)
    assert response.finish_reason == 'error'
    assert [(part.tool_name, part.args) for part in response.parts if isinstance(part, ToolCallPart)] == [
        ('get_weather', '{"town": "Rome"}')
    ]


# --- What does not apply, and what is refused ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_rate_limiter_does_not_pace_a_double() -> None:
    limiter = RateLimiter(max_concurrency=1)
    permit = await limiter.acquire(0)  # the only slot: a request paced by this limiter would wait forever
    try:
        double = ChatDouble(completion(wire.chat_completion('Hi')))
        model = GroqModel(MODEL_NAME, provider=GroqProvider(groq_client=double, rate_limit=limiter))
        response, _ = await asyncio.wait_for(model.request(user_prompt(), None, PARAMS), timeout=5)
    finally:
        limiter.release(permit)
    assert response.parts == [TextPart('Hi')]


@pytest.mark.forbid_model_requests
@pytest.mark.asyncio
async def test_model_requests_disabled_block_a_double_before_it_is_called() -> None:
    double = ChatDouble(completion(wire.chat_completion('Hi')))
    with pytest.raises(UserError, match='ALLOW_MODEL_REQUESTS'):
        await double_model(double).request(user_prompt(), None, PARAMS)
    assert double.calls == []


def test_provider_with_a_double_uses_it_as_is() -> None:
    double = ChatDouble()
    provider = GroqProvider(groq_client=double)
    assert provider.client is double
    assert provider.base_url == GroqProvider.default_base_url
    assert repr(provider) == "GroqProvider(name='groq', base_url='https://api.groq.com')"
    model = GroqModel(MODEL_NAME, groq_client=double)
    assert model.client is double
    assert model.base_url == 'https://api.groq.com'


@pytest.mark.parametrize(
    'client',
    [object(), SimpleNamespace(chat=SimpleNamespace(completions=SimpleNamespace(create='not callable')))],
    ids=['object', 'create not callable'],
)
def test_provider_refuses_a_client_without_chat_completions_create(client: object) -> None:
    with pytest.raises(UserError, match=r'groq.AsyncGroq.*chat.completions.create'):
        GroqProvider(groq_client=cast(Any, client))


def test_batch_api_needs_a_real_client() -> None:
    with pytest.raises(UserError, match='Batch API needs a groq.AsyncGroq'):
        double_model(ChatDouble()).batch_api()


@pytest.mark.asyncio
async def test_agent_runs_its_tool_loop_through_a_double() -> None:
    double = ChatDouble(
        completion(wire.chat_completion(tool_calls=[wire.tool_call('call_1', 'get_weather', '{"city": "Paris"}')])),
        completion(wire.chat_completion('Sunny in Paris.')),
    )
    agent = Agent(double_model(double))

    @agent.tool_plain
    def get_weather(city: str) -> str:
        return f'sunny in {city}'

    result = await agent.run('Weather in Paris?')
    assert result.output == 'Sunny in Paris.'
    assert double.calls[1]['messages'][-1] == {'role': 'tool', 'tool_call_id': 'call_1', 'content': 'sunny in Paris'}
