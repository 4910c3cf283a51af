"""Response side: what `GroqModel` reads back from Groq's chat API today, streamed and not.

Metadata (finish reason, ids, provider, timestamp, usage with details and timings), reasoning (`reasoning` field and
`<think>` tags), compound models' `executed_tools`, `tool_use_failed` (HTTP 400 and mid-stream), and typed errors.
Everything goes through a real `AsyncGroq` on an `httpx.MockTransport` (`GroqFake`).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import pytest_asyncio

from pydantic_ai.exceptions import ModelAPIError, ModelConnectionError, ModelHTTPError, ModelTimeoutError
from pydantic_ai.messages import (
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    ModelResponseStreamEvent,
    PartStartEvent,
    RetryPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from pydantic_ai.models import ModelRequestParameters, StreamedResponse
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqFake, wire

from support.constants import CREATED, MODEL_NAME, user_prompt
from support.reliability import RecordingByteStream

pytestmark = pytest.mark.asyncio

NO_TOOLS = ModelRequestParameters()
CREATED_AT = datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
GENERATED_ID = re.compile(r'pyd_ai_[0-9a-f]{32}')
WEATHER_TOOL = ToolDefinition(
    name='get_weather',
    description='Get the weather.',
    parameters_json_schema={'type': 'object', 'properties': {'city': {'type': 'string'}}, 'required': ['city']},
)
WITH_TOOL = ModelRequestParameters(function_tools=[WEATHER_TOOL])

FULL_USAGE: dict[str, Any] = {
    'prompt_tokens': 100,
    'completion_tokens': 40,
    'total_tokens': 140,
    'prompt_tokens_details': {'cached_tokens': 64},
    'completion_tokens_details': {'reasoning_tokens': 25},
    'queue_time': 0.125,
    'prompt_time': 0.01,
    'completion_time': 0.2,
    'total_time': 0.21,
}
FULL_USAGE_PARSED = Usage(
    requests=1,
    request_tokens=100,
    response_tokens=40,
    total_tokens=140,
    details={'cached_tokens': 64, 'reasoning_tokens': 25},
    timings={'queue_time': 0.125, 'prompt_time': 0.01, 'completion_time': 0.2, 'total_time': 0.21},
    cache_read_tokens=64,
)


class GatewayProvider(GroqProvider):
    provider_name = 'groq-gateway'


@pytest_asyncio.fixture
async def groq_mock() -> AsyncIterator[GroqFake]:
    mock = GroqFake()
    yield mock
    await mock.aclose()


# --- Builders ---------------------------------------------------------------------------------------------------------


def completion(
    message: dict[str, Any],
    *,
    finish_reason: str | None = 'stop',
    usage: dict[str, Any] | None = None,
    response_id: str = 'chatcmpl-abc123',
    model: str = MODEL_NAME,
) -> dict[str, Any]:
    """A completion whose message has exactly the fields given (after `role`), built by the shared wire module."""
    choice = {'index': 0, 'message': {'role': 'assistant', **message}, 'logprobs': None, 'finish_reason': finish_reason}
    return wire.chat_completion(
        model=model,
        completion_id=response_id,
        request_id='req_01',
        created=CREATED,
        usage=usage if usage is not None else wire.usage_body(3, 2, timings=False),
        choices=[choice],
    )


def delta_chunk(
    delta: dict[str, Any] | None = None,
    *,
    finish_reason: str | None = None,
    x_groq_usage: dict[str, Any] | None = None,
    usage: dict[str, Any] | None = None,
    response_id: str = 'chatcmpl-stream1',
    model: str = MODEL_NAME,
) -> dict[str, Any]:
    return wire.chat_completion_chunk(
        delta or {},
        finish_reason=finish_reason,
        x_groq={'id': 'req_01', 'usage': x_groq_usage} if x_groq_usage is not None else None,
        usage=usage,
        completion_id=response_id,
        model=model,
        created=CREATED,
    )


def sse(chunks: Sequence[dict[str, Any]], *, done: bool = True, tail: bytes = b'') -> httpx.Response:
    body = b''.join(wire.sse_frames(chunks, done=False)) + tail + (wire.DONE_FRAME if done else b'')
    return httpx.Response(200, headers=wire.sse_headers('req_01'), content=body)


def tool_use_failed_error(failed_generation: str | None) -> dict[str, Any]:
    error: dict[str, Any] = {
        'message': 'Tool call validation failed: parameters for tool get_weather did not match schema',
        'type': 'invalid_request_error',
        'code': 'tool_use_failed',
    }
    if failed_generation is not None:
        error['failed_generation'] = failed_generation
    return error


async def request(
    mock: GroqFake, model: GroqModel | None = None, params: ModelRequestParameters = NO_TOOLS
) -> tuple[ModelResponse, Usage]:
    return await (model or mock.model(MODEL_NAME)).request(user_prompt(), None, params)


async def stream_all(
    mock: GroqFake, model: GroqModel | None = None, params: ModelRequestParameters = NO_TOOLS
) -> tuple[list[ModelResponseStreamEvent], StreamedResponse]:
    events: list[ModelResponseStreamEvent] = []
    async with (model or mock.model(MODEL_NAME)).request_stream(user_prompt(), None, params) as stream:
        async for event in stream:
            events.append(event)
    return events, stream


def shape(parts: Sequence[ModelResponsePart]) -> list[tuple[str, Any]]:
    """Parts as (kind, content) pairs: what the text/thinking split is about."""
    out: list[tuple[str, Any]] = []
    for part in parts:
        if isinstance(part, (TextPart, ThinkingPart)):
            out.append((part.part_kind, part.content))
        elif isinstance(part, ToolCallPart):
            out.append((part.part_kind, part.tool_name))
        else:
            out.append((part.part_kind, part.tool_name))
    return out


# --- Finish reason ----------------------------------------------------------------------------------------------------

FINISH_REASONS = [
    ('stop', 'stop'),
    ('length', 'length'),
    ('tool_calls', 'tool_call'),
    ('content_filter', 'content_filter'),
    ('something_new', None),
]


@pytest.mark.parametrize('raw, mapped', FINISH_REASONS)
async def test_finish_reason_is_mapped_and_raw_value_kept(groq_mock: GroqFake, raw: str, mapped: str | None) -> None:
    groq_mock.responder = httpx.Response(200, json=completion({'content': 'x'}, finish_reason=raw))
    response, _ = await request(groq_mock)
    assert response.finish_reason == mapped
    assert response.provider_details is not None
    assert response.provider_details['finish_reason'] == raw


@pytest.mark.parametrize('raw, mapped', FINISH_REASONS)
async def test_streamed_finish_reason_is_mapped_and_raw_value_kept(
    groq_mock: GroqFake, raw: str, mapped: str | None
) -> None:
    groq_mock.responder = sse([delta_chunk({'content': 'x'}), delta_chunk({}, finish_reason=raw)])
    _, stream = await stream_all(groq_mock)
    assert stream.finish_reason == mapped
    response = stream.get()
    assert response.finish_reason == mapped
    assert response.provider_details is not None
    assert response.provider_details['finish_reason'] == raw


# --- Metadata ---------------------------------------------------------------------------------------------------------


async def test_response_metadata(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        200, json=completion({'content': 'hi'}, response_id='chatcmpl-42', model='qwen/qwen3-32b')
    )
    response, _ = await request(groq_mock)
    assert response.provider_response_id == 'chatcmpl-42'
    assert response.provider_name == 'groq'
    assert response.model_name == 'qwen/qwen3-32b'
    assert response.timestamp == CREATED_AT


async def test_streamed_response_metadata(groq_mock: GroqFake) -> None:
    groq_mock.responder = sse(
        [delta_chunk({'content': 'h'}, response_id='chatcmpl-77'), delta_chunk({'content': 'i'}, finish_reason='stop')]
    )
    _, stream = await stream_all(groq_mock)
    response = stream.get()
    assert response.parts == [TextPart('hi')]
    assert response.provider_response_id == 'chatcmpl-77'
    assert response.provider_name == 'groq'
    assert response.model_name == MODEL_NAME
    assert response.timestamp == CREATED_AT


async def test_provider_name_is_the_providers_name(groq_mock: GroqFake) -> None:
    model = GroqModel(MODEL_NAME, provider=GatewayProvider(groq_client=groq_mock.client))
    groq_mock.responder = httpx.Response(200, json=completion({'content': 'hi', 'reasoning': 'think'}))
    response, _ = await request(groq_mock, model)
    assert response.provider_name == 'groq-gateway'
    assert response.parts[0] == ThinkingPart('think', provider_name='groq-gateway')

    groq_mock.responder = sse(
        [delta_chunk({'reasoning': 'think'}), delta_chunk({'content': 'hi'}, finish_reason='stop')]
    )
    _, stream = await stream_all(groq_mock, model)
    assert stream.get().provider_name == 'groq-gateway'
    assert stream.get().parts[0] == ThinkingPart('think', provider_name='groq-gateway')


# --- Usage ------------------------------------------------------------------------------------------------------------


async def test_usage_on_the_response_with_details_and_timings(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(200, json=completion({'content': 'hi'}, usage=FULL_USAGE))
    response, usage = await request(groq_mock)
    assert usage == FULL_USAGE_PARSED
    assert response.usage == usage


async def test_usage_without_details_or_timings_leaves_them_none(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        200, json=completion({'content': 'hi'}, usage={'prompt_tokens': 5, 'completion_tokens': 6, 'total_tokens': 11})
    )
    response, usage = await request(groq_mock)
    assert usage == Usage(requests=1, request_tokens=5, response_tokens=6, total_tokens=11)
    assert response.usage == usage
    assert usage.details is None
    assert usage.timings is None


async def test_streamed_usage_with_details_and_timings(groq_mock: GroqFake) -> None:
    # Recent streams carry the same usage twice on the last chunk: in `x_groq.usage` and at the top level.
    groq_mock.responder = sse(
        [
            delta_chunk({'content': 'hi'}),
            delta_chunk({}, finish_reason='stop', x_groq_usage=FULL_USAGE, usage=FULL_USAGE),
        ]
    )
    _, stream = await stream_all(groq_mock)
    assert stream.usage() == FULL_USAGE_PARSED
    assert stream.get().usage == FULL_USAGE_PARSED


async def test_streamed_usage_from_top_level_only(groq_mock: GroqFake) -> None:
    groq_mock.responder = sse([delta_chunk({'content': 'hi'}), delta_chunk({}, finish_reason='stop', usage=FULL_USAGE)])
    _, stream = await stream_all(groq_mock)
    assert stream.get().usage == FULL_USAGE_PARSED


# --- Reasoning field --------------------------------------------------------------------------------------------------


async def test_message_reasoning_becomes_a_thinking_part_before_the_text(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(200, json=completion({'content': '4', 'reasoning': 'Two plus two is four.'}))
    response, _ = await request(groq_mock)
    assert response.parts == [ThinkingPart('Two plus two is four.', provider_name='groq'), TextPart('4')]


async def test_message_reasoning_with_tool_calls(groq_mock: GroqFake) -> None:
    call = {'id': 'call_1', 'type': 'function', 'function': {'name': 'get_weather', 'arguments': '{"city":"Paris"}'}}
    groq_mock.responder = httpx.Response(
        200,
        json=completion(
            {'content': None, 'reasoning': 'Need weather.', 'tool_calls': [call]}, finish_reason='tool_calls'
        ),
    )
    response, _ = await request(groq_mock, params=WITH_TOOL)
    assert response.parts == [
        ThinkingPart('Need weather.', provider_name='groq'),
        ToolCallPart('get_weather', '{"city":"Paris"}', 'call_1'),
    ]
    assert response.finish_reason == 'tool_call'


async def test_delta_reasoning_becomes_a_thinking_part(groq_mock: GroqFake) -> None:
    groq_mock.responder = sse(
        [
            delta_chunk({'reasoning': 'Two plus'}),
            delta_chunk({'reasoning': ' two is four.'}),
            delta_chunk({'content': '4'}, finish_reason='stop'),
        ]
    )
    events, stream = await stream_all(groq_mock)
    assert stream.get().parts == [ThinkingPart('Two plus two is four.', provider_name='groq'), TextPart('4')]
    assert isinstance(events[0], PartStartEvent)
    assert isinstance(events[0].part, ThinkingPart)


# --- <think> tags in the content --------------------------------------------------------------------------------------

TAGGED = '<think>plan it</think>Answer.'
TAGGED_SHAPE = [('thinking', 'plan it'), ('text', 'Answer.')]
PREFIXED = 'Hi <think>plan</think>Bye'
PREFIXED_SHAPE = [('text', 'Hi '), ('thinking', 'plan'), ('text', 'Bye')]


@pytest.mark.parametrize(
    'content, expected',
    [
        (TAGGED, TAGGED_SHAPE),
        (PREFIXED, PREFIXED_SHAPE),
        ('<think>cut off mid-thought', [('thinking', 'cut off mid-thought')]),
        ('a < b and <thin', [('text', 'a < b and <thin')]),
        ('no tags at all', [('text', 'no tags at all')]),
    ],
)
async def test_think_tags_in_content_are_split(
    groq_mock: GroqFake, content: str, expected: list[tuple[str, str]]
) -> None:
    groq_mock.responder = httpx.Response(200, json=completion({'content': content}))
    response, _ = await request(groq_mock)
    assert shape(response.parts) == expected


@pytest.mark.parametrize('split_at', range(1, len(TAGGED)))
async def test_streamed_think_tags_split_at_every_position(groq_mock: GroqFake, split_at: int) -> None:
    groq_mock.responder = sse(
        [delta_chunk({'content': TAGGED[:split_at]}), delta_chunk({'content': TAGGED[split_at:]}, finish_reason='stop')]
    )
    events, stream = await stream_all(groq_mock)
    assert shape(stream.get().parts) == TAGGED_SHAPE
    for event in events:  # no literal tag fragment ever reaches a consumer
        text = event.part.content if isinstance(event, PartStartEvent) else event.delta.content_delta  # type: ignore[union-attr]
        assert '<' not in text and '>' not in text


@pytest.mark.parametrize('split_at', range(1, len(PREFIXED)))
async def test_streamed_text_before_think_tag_split_at_every_position(groq_mock: GroqFake, split_at: int) -> None:
    groq_mock.responder = sse(
        [
            delta_chunk({'content': PREFIXED[:split_at]}),
            delta_chunk({'content': PREFIXED[split_at:]}, finish_reason='stop'),
        ]
    )
    _, stream = await stream_all(groq_mock)
    assert shape(stream.get().parts) == PREFIXED_SHAPE


async def test_streamed_think_tags_one_character_per_chunk(groq_mock: GroqFake) -> None:
    groq_mock.responder = sse([delta_chunk({'content': c}) for c in PREFIXED] + [delta_chunk({}, finish_reason='stop')])
    _, stream = await stream_all(groq_mock)
    assert shape(stream.get().parts) == PREFIXED_SHAPE


async def test_streamed_unclosed_think_is_all_thinking(groq_mock: GroqFake) -> None:
    groq_mock.responder = sse(
        [
            delta_chunk({'content': '<think>still '}),
            delta_chunk({'content': 'thinking </thi'}),
            delta_chunk({}, finish_reason='length'),
        ]
    )
    _, stream = await stream_all(groq_mock)
    response = stream.get()
    assert shape(response.parts) == [('thinking', 'still thinking </thi')]
    assert response.finish_reason == 'length'


@pytest.mark.parametrize(
    'pieces, expected',
    [
        (['a <', ' b'], 'a < b'),
        (['x', ' <'], 'x <'),
        (['<'], '<'),
        (['1 <', '2'], '1 <2'),
        (['see <thin', 'gs>'], 'see <things>'),
        (['ends with <thin'], 'ends with <thin'),
    ],
)
async def test_streamed_lone_angle_bracket_is_kept_as_text(
    groq_mock: GroqFake, pieces: list[str], expected: str
) -> None:
    groq_mock.responder = sse([delta_chunk({'content': p}) for p in pieces] + [delta_chunk({}, finish_reason='stop')])
    _, stream = await stream_all(groq_mock)
    assert stream.get().parts == [TextPart(expected)]


async def test_streamed_and_non_streamed_think_tags_give_the_same_parts(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(200, json=completion({'content': TAGGED}))
    response, _ = await request(groq_mock)
    groq_mock.responder = sse(
        [delta_chunk({'content': TAGGED[:5]}), delta_chunk({'content': TAGGED[5:]}, finish_reason='stop')]
    )
    _, stream = await stream_all(groq_mock)
    assert stream.get().parts == response.parts


@pytest.mark.parametrize('streamed', [False, True])
async def test_think_tag_thinking_part_names_the_provider_like_the_reasoning_field_does(
    groq_mock: GroqFake, streamed: bool
) -> None:
    model = GroqModel(MODEL_NAME, provider=GatewayProvider(groq_client=groq_mock.client))
    if streamed:
        groq_mock.responder = sse([delta_chunk({'content': TAGGED}, finish_reason='stop')])
        _, stream = await stream_all(groq_mock, model)
        parts = stream.get().parts
    else:
        groq_mock.responder = httpx.Response(200, json=completion({'content': TAGGED}))
        parts = (await request(groq_mock, model))[0].parts
    assert parts[0] == ThinkingPart('plan it', provider_name='groq-gateway')


# --- Compound models: executed_tools ----------------------------------------------------------------------------------

SEARCH_RESULTS = {'results': [{'title': 'Python', 'url': 'https://www.python.org/', 'content': '3.14', 'score': 0.9}]}


def search_tool(
    index: int = 0, *, output: str | None = 'Title: Python', results: Any = SEARCH_RESULTS
) -> dict[str, Any]:
    tool: dict[str, Any] = {'index': index, 'type': 'search', 'arguments': '{"query": "latest python"}'}
    if output is not None:
        tool['output'] = output
    if results is not None:
        tool['search_results'] = results
    return tool


VISIT_TOOL = {'index': 1, 'type': 'visit', 'arguments': '{"url": "https://www.python.org/"}', 'output': 'page text'}


async def test_executed_search_becomes_builtin_call_and_return_parts(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        200,
        json=completion(
            {'content': 'Python 3.14.', 'reasoning': 'Search first.', 'executed_tools': [search_tool(), VISIT_TOOL]}
        ),
    )
    response, _ = await request(groq_mock)
    thinking, call, result, visit_call, visit_result, text = response.parts
    assert thinking == ThinkingPart('Search first.', provider_name='groq')
    assert text == TextPart('Python 3.14.')
    assert isinstance(call, BuiltinToolCallPart)
    assert isinstance(result, BuiltinToolReturnPart)
    assert call.tool_name == result.tool_name == 'web_search'
    assert call.tool_call_id is not None
    assert call.tool_call_id == result.tool_call_id
    assert call.args == {'query': 'latest python'}
    # The whole run, less the index and arguments that the call part holds: nothing dropped.
    assert result.content == {'type': 'search', 'output': 'Title: Python', 'search_results': SEARCH_RESULTS}
    assert call.provider_name == result.provider_name == 'groq'
    # A kind that is not one of the core's built-in tools is a pair too, under Groq's compound tool name.
    assert isinstance(visit_call, BuiltinToolCallPart) and isinstance(visit_result, BuiltinToolReturnPart)
    assert visit_call.tool_name == visit_result.tool_name == 'visit_website'
    assert visit_call.args == {'url': 'https://www.python.org/'}
    assert visit_result.content == {'type': 'visit', 'output': 'page text'}
    assert 'executed_tools' not in (response.provider_details or {})


async def test_executed_search_without_search_results_returns_its_output(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        200, json=completion({'content': 'ok', 'executed_tools': [search_tool(output='raw output', results=None)]})
    )
    response, _ = await request(groq_mock)
    result = response.parts[1]
    assert isinstance(result, BuiltinToolReturnPart)
    assert result.content == {'type': 'search', 'output': 'raw output'}


async def test_two_executed_searches_get_distinct_ids(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        200, json=completion({'content': 'ok', 'executed_tools': [search_tool(0), search_tool(1)]})
    )
    response, _ = await request(groq_mock)
    ids = [p.tool_call_id for p in response.parts if isinstance(p, (BuiltinToolCallPart, BuiltinToolReturnPart))]
    assert len(ids) == 4
    assert ids[0] == ids[1] != ids[2] == ids[3]


async def test_streamed_executed_search_announced_then_completed_gives_one_call_and_one_return(
    groq_mock: GroqFake,
) -> None:
    groq_mock.responder = sse(
        [
            delta_chunk({'reasoning': 'Search first.'}),
            delta_chunk({'executed_tools': [search_tool(output=None, results=None)]}),
            delta_chunk({'executed_tools': [search_tool()]}),
            delta_chunk({'content': 'Python 3.14.'}, finish_reason='stop'),
        ]
    )
    events, stream = await stream_all(groq_mock)
    parts = stream.get().parts
    assert shape(parts) == [
        ('thinking', 'Search first.'),
        ('builtin-tool-call', 'web_search'),
        ('builtin-tool-return', 'web_search'),
        ('text', 'Python 3.14.'),
    ]
    call, result = parts[1], parts[2]
    assert isinstance(call, BuiltinToolCallPart) and isinstance(result, BuiltinToolReturnPart)
    assert call.tool_call_id == result.tool_call_id
    assert result.content == {'type': 'search', 'output': 'Title: Python', 'search_results': SEARCH_RESULTS}
    starts = [e for e in events if isinstance(e, PartStartEvent)]
    assert [type(e.part).__name__ for e in starts] == [
        'ThinkingPart',
        'BuiltinToolCallPart',
        'BuiltinToolReturnPart',
        'TextPart',
    ]


async def test_streamed_non_search_executed_tool_is_one_call_and_one_return(groq_mock: GroqFake) -> None:
    announced = {k: v for k, v in VISIT_TOOL.items() if k != 'output'}
    groq_mock.responder = sse(
        [
            delta_chunk({'executed_tools': [announced]}),
            delta_chunk({'executed_tools': [VISIT_TOOL]}),
            delta_chunk({'content': 'ok'}, finish_reason='stop'),
        ]
    )
    _, stream = await stream_all(groq_mock)
    response = stream.get()
    # Like the non-streamed response: a call/return pair per run, with the run as last reported.
    assert shape(response.parts) == [
        ('builtin-tool-call', 'visit_website'),
        ('builtin-tool-return', 'visit_website'),
        ('text', 'ok'),
    ]
    assert response.parts[1] == BuiltinToolReturnPart(
        'visit_website',
        {'type': 'visit', 'output': 'page text'},
        'groq_executed_tool_1',
        'groq',
        timestamp=response.parts[1].timestamp,  # type: ignore[union-attr]
    )
    assert 'executed_tools' not in (response.provider_details or {})


# --- tool_use_failed --------------------------------------------------------------------------------------------------

FAILED_CALL = '{"name": "get_weather", "arguments": {"town": "Paris"}}'


async def test_tool_use_failed_becomes_a_tool_call_response(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(400, json={'error': tool_use_failed_error(FAILED_CALL)})
    response, usage = await request(groq_mock, params=WITH_TOOL)
    assert len(response.parts) == 1
    call = response.parts[0]
    assert isinstance(call, ToolCallPart)
    assert call.tool_name == 'get_weather'
    assert call.args_as_dict() == {'town': 'Paris'}
    assert call.tool_call_id is not None and GENERATED_ID.fullmatch(call.tool_call_id)
    assert response.finish_reason == 'error'
    assert response.model_name == MODEL_NAME
    assert response.provider_name == 'groq'
    assert response.usage == usage
    assert usage.requests == 1
    assert response.provider_details is not None
    assert response.provider_details['error']['code'] == 'tool_use_failed'


async def test_tool_use_failed_with_several_calls_gives_distinct_ids(groq_mock: GroqFake) -> None:
    generation = json.dumps(
        [{'name': 'get_weather', 'arguments': {'town': 'A'}}, {'name': 'get_weather', 'arguments': {}}]
    )
    groq_mock.responder = httpx.Response(400, json={'error': tool_use_failed_error(generation)})
    response, _ = await request(groq_mock, params=WITH_TOOL)
    ids = [p.tool_call_id for p in response.parts if isinstance(p, ToolCallPart)]
    assert len(ids) == 2
    assert all(i is not None and GENERATED_ID.fullmatch(i) for i in ids)
    assert ids[0] != ids[1]


async def test_tool_use_failed_with_plain_text_becomes_a_text_part(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(400, json={'error': tool_use_failed_error('I will call get_weather(Paris)')})
    response, _ = await request(groq_mock, params=WITH_TOOL)
    assert response.parts == [TextPart('I will call get_weather(Paris)')]
    assert response.finish_reason == 'error'


async def test_other_http_400_still_raises(groq_mock: GroqFake) -> None:
    body = {'error': {'message': 'bad', 'type': 'invalid_request_error', 'code': 'invalid_value'}}
    groq_mock.responder = httpx.Response(400, json=body)
    with pytest.raises(ModelHTTPError) as exc_info:
        await request(groq_mock, params=WITH_TOOL)
    assert exc_info.value.status_code == 400
    assert exc_info.value.body == body


async def test_streamed_http_400_tool_use_failed_becomes_a_stream_with_the_call(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(400, json={'error': tool_use_failed_error(FAILED_CALL)})
    events, stream = await stream_all(groq_mock, params=WITH_TOOL)
    response = stream.get()
    assert len(response.parts) == 1
    call = response.parts[0]
    assert isinstance(call, ToolCallPart)
    assert call.tool_name == 'get_weather'
    assert call.args_as_dict() == {'town': 'Paris'}
    assert call.tool_call_id is not None and GENERATED_ID.fullmatch(call.tool_call_id)
    assert response.finish_reason == 'error'
    assert response.model_name == MODEL_NAME
    assert [type(e).__name__ for e in events] == ['PartStartEvent']


async def test_streamed_http_400_tool_use_failed_plain_text(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(400, json={'error': tool_use_failed_error('not json at all')})
    _, stream = await stream_all(groq_mock, params=WITH_TOOL)
    assert stream.get().parts == [TextPart('not json at all')]
    assert stream.get().finish_reason == 'error'


async def test_mid_stream_tool_use_failed_keeps_parts_and_appends_the_call(groq_mock: GroqFake) -> None:
    groq_mock.responder = sse(
        [delta_chunk({'reasoning': 'Call the tool.'}), delta_chunk({'content': 'Checking.'})],
        done=False,
        tail=wire.encode_sse({'error': {**tool_use_failed_error(FAILED_CALL), 'status_code': 400}}, event='error'),
    )
    _, stream = await stream_all(groq_mock, params=WITH_TOOL)
    response = stream.get()
    assert shape(response.parts) == [
        ('thinking', 'Call the tool.'),
        ('text', 'Checking.'),
        ('tool-call', 'get_weather'),
    ]
    call = response.parts[2]
    assert isinstance(call, ToolCallPart)
    assert call.args_as_dict() == {'town': 'Paris'}
    assert call.tool_call_id is not None and GENERATED_ID.fullmatch(call.tool_call_id)
    assert response.finish_reason == 'error'
    assert response.provider_response_id == 'chatcmpl-stream1'
    assert response.provider_details is not None
    assert response.provider_details['error']['code'] == 'tool_use_failed'


async def test_mid_stream_other_error_raises_and_keeps_parts(groq_mock: GroqFake) -> None:
    error = {'message': 'Internal failure in generation', 'type': 'internal_server_error', 'code': 'internal_error'}
    groq_mock.responder = sse(
        [delta_chunk({'reasoning': 'Hmm.'}), delta_chunk({'content': 'Partial answer'})],
        done=False,
        tail=wire.encode_sse({'error': error}, event='error'),
    )
    seen: list[ModelResponseStreamEvent] = []
    with pytest.raises(ModelAPIError) as exc_info:
        async with groq_mock.model(MODEL_NAME).request_stream(user_prompt(), None, NO_TOOLS) as stream:
            async for event in stream:
                seen.append(event)
    assert 'Internal failure in generation' in str(exc_info.value)
    assert exc_info.value.model_name == MODEL_NAME
    assert shape(stream.get().parts) == [('thinking', 'Hmm.'), ('text', 'Partial answer')]
    assert len(seen) == 2


async def test_tool_use_failed_round_trip_retry_prompt_pairs_with_the_generated_id(groq_mock: GroqFake) -> None:
    groq_mock.enqueue(
        httpx.Response(400, json={'error': tool_use_failed_error(FAILED_CALL)}),
        httpx.Response(200, json=completion({'content': 'Sunny.'})),
    )
    model = groq_mock.model()
    first, _ = await model.request(user_prompt('Weather in Paris?'), None, WITH_TOOL)
    call = first.parts[0]
    assert isinstance(call, ToolCallPart) and call.tool_call_id is not None
    messages: list[ModelMessage] = [
        *user_prompt('Weather in Paris?'),
        first,
        ModelRequest([RetryPromptPart('Unknown argument `town`; use `city`.', 'get_weather', call.tool_call_id)]),
    ]
    second, _ = await model.request(messages, None, WITH_TOOL)
    assert second.parts == [TextPart('Sunny.')]
    sent = groq_mock.bodies[1]['messages']
    assert [m['role'] for m in sent] == ['user', 'assistant', 'tool']
    assistant, tool_message = sent[1], sent[2]
    assert assistant['tool_calls'] == [
        {
            'id': call.tool_call_id,
            'type': 'function',
            'function': {'name': 'get_weather', 'arguments': call.args_as_json_str()},
        }
    ]
    assert json.loads(assistant['tool_calls'][0]['function']['arguments']) == {'town': 'Paris'}
    assert assistant.get('content') in (None, '')
    assert tool_message['tool_call_id'] == call.tool_call_id
    assert 'use `city`' in tool_message['content']


# --- Errors -----------------------------------------------------------------------------------------------------------


async def test_model_not_found_suggests_the_closest_current_model(groq_mock: GroqFake) -> None:
    body = {
        'error': {
            'message': 'The model `llama-3.3-70b` does not exist or you do not have access to it.',
            'type': 'invalid_request_error',
            'code': 'model_not_found',
        }
    }
    groq_mock.responder = httpx.Response(404, json=body)
    with pytest.raises(ModelHTTPError) as exc_info:
        await request(groq_mock, groq_mock.model('llama-3.3-70b'))
    exc = exc_info.value
    assert exc.status_code == 404
    assert exc.body == body
    assert exc.model_name == 'llama-3.3-70b'
    assert "'llama-3.3-70b-versatile'" in str(exc)
    assert 'Did you mean' in str(exc)


async def test_model_not_found_streamed_also_suggests(groq_mock: GroqFake) -> None:
    body = {'error': {'message': 'no such model', 'type': 'invalid_request_error', 'code': 'model_not_found'}}
    groq_mock.responder = httpx.Response(404, json=body)
    with pytest.raises(ModelHTTPError) as exc_info:
        async with groq_mock.model('openai/gpt-oss-12b').request_stream(user_prompt(), None, NO_TOOLS):
            pass  # pragma: no cover
    assert 'openai/gpt-oss-120b' in str(exc_info.value) or 'openai/gpt-oss-20b' in str(exc_info.value)


async def test_other_404_has_no_model_suggestion(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(404, json={'error': {'message': 'Not found', 'type': 'not_found'}})
    with pytest.raises(ModelHTTPError) as exc_info:
        await request(groq_mock, groq_mock.model('llama-3.3-70b'))
    assert 'Did you mean' not in str(exc_info.value)


@pytest.mark.parametrize('header, seconds', [('7', 7.0), ('2.5', 2.5), ('0', 0.0)])
async def test_rate_limit_retry_after_is_available(groq_mock: GroqFake, header: str, seconds: float) -> None:
    groq_mock.responder = httpx.Response(
        429,
        json={'error': {'message': 'Rate limit reached', 'type': 'requests', 'code': 'rate_limit_exceeded'}},
        headers={'Retry-After': header},
    )
    with pytest.raises(ModelHTTPError) as exc_info:
        await request(groq_mock)
    exc = exc_info.value
    assert exc.status_code == 429
    assert exc.headers['retry-after'] == header
    assert isinstance(exc.retry_after, float)
    assert exc.retry_after == seconds


async def test_rate_limit_without_retry_after_has_none(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(429, json={'error': {'message': 'slow down'}})
    with pytest.raises(ModelHTTPError) as exc_info:
        await request(groq_mock)
    assert exc_info.value.retry_after is None


async def test_connection_failure_raises_model_connection_error(groq_mock: GroqFake) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError('connection refused')

    groq_mock.responder = refuse
    with pytest.raises(ModelConnectionError) as exc_info:
        await request(groq_mock)
    assert not isinstance(exc_info.value, ModelTimeoutError)
    assert 'ConnectError' in str(exc_info.value)


async def test_connection_lost_mid_stream_raises_model_connection_error_and_keeps_parts(groq_mock: GroqFake) -> None:
    body = RecordingByteStream(
        [wire.encode_sse(delta_chunk({'content': 'Hello'}))],
        raise_after=httpx.RemoteProtocolError('peer closed connection'),
    )
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), stream=body)
    with pytest.raises(ModelConnectionError):
        async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
            async for _ in stream:
                pass
    assert stream.get().parts == [TextPart('Hello')]


@pytest.mark.parametrize(
    'error, words',
    [
        (httpx.ReadTimeout('read timed out'), 'before the response started'),
        (httpx.ConnectTimeout('connect timed out'), 'while connecting'),
        (httpx.WriteTimeout('write timed out'), 'while sending'),
        (httpx.PoolTimeout('pool timed out'), 'free connection'),
    ],
)
async def test_timeout_raises_model_timeout_error_saying_what_timed_out(
    groq_mock: GroqFake, error: httpx.TimeoutException, words: str
) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise error

    groq_mock.responder = slow
    with pytest.raises(ModelTimeoutError) as exc_info:
        await request(groq_mock)
    message = str(exc_info.value)
    assert 'timed out' in message
    assert words in message
    assert type(error).__name__ in message
    assert exc_info.value.model_name == MODEL_NAME


async def test_read_timeout_mid_stream_raises_model_timeout_error(groq_mock: GroqFake) -> None:
    body = RecordingByteStream(
        [wire.encode_sse(delta_chunk({'content': 'Hel'}))], raise_after=httpx.ReadTimeout('slow')
    )
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), stream=body)
    with pytest.raises(ModelTimeoutError) as exc_info:
        async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
            async for _ in stream:
                pass
    assert 'ReadTimeout' in str(exc_info.value)
    assert stream.get().parts == [TextPart('Hel')]
