"""`GroqModel` against recorded Groq traffic: what we send, and how we read what Groq answers.

Each test replays its own cassette from `cassettes/test_groq_cassettes/<test name>.yaml` (see
`cassettes/README.md`). The set-up is the project's own pytest plugin for cassette tests
(`pydantic_ai.testing.pytest_plugin`, the same one users get with `pydantic-ai-core[testing]`): record mode `none`
unless `--record-mode` is given (`make record` passes `rewrite`), credential headers dropped, and requests matched on
method, URL and the JSON body, so a cassette only replays for the exact request it was recorded for and a request
it does not hold fails at once, naming the JSON fields that differ. On top of that, every test captures the
requests our client really sent (an httpx request hook) and compares them with the recorded ones and with the
fields the test is about.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import groq
import httpx
import pytest
import pytest_asyncio
from groq import AsyncGroq
from vcr.cassette import Cassette

from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    SystemPromptPart,
    TextPart,
    TextPartDelta,
    ToolCallPart,
    ToolCallPartDelta,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.settings import ModelSettings
from pydantic_ai.testing._vcr import CassetteMismatchError
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel, GroqProvider

CASSETTES_DIR = Path(__file__).resolve().parents[2] / 'cassettes'
MODEL = 'llama-3.3-70b-versatile'
TEXT_ANSWER_CASSETTE = 'test_text_answer_is_parsed_with_model_usage_and_timestamp.yaml'

pytestmark = [pytest.mark.asyncio, pytest.mark.vcr]

# Cassettes that hold traffic the live API cannot be asked for on demand (a rate limit, a tool call streamed in
# fragments): `make record` must keep them as written, so their record mode is pinned to `none` by the marker,
# which pytest-recording gives priority over `--record-mode`.
KEEP_AS_WRITTEN = pytest.mark.vcr(record_mode='none')


def parts_only(response: ModelResponse) -> ModelResponse:
    """The response without the metadata `assert_metadata` checks, for comparing parts, model name and time."""
    return replace(
        response,
        usage=Usage(),
        provider_name=None,
        provider_response_id=None,
        finish_reason=None,
        provider_details=None,
    )


def assert_metadata(response: ModelResponse, usage: Usage, finish_reason: str) -> None:
    """The metadata every recorded response carries: provider, `chatcmpl-` id, finish reason, usage on the response."""
    assert response.provider_name == 'groq'
    assert response.provider_response_id is not None and response.provider_response_id.startswith('chatcmpl-')
    assert response.finish_reason == finish_reason
    assert response.provider_details is not None
    assert response.provider_details['finish_reason'] == ('tool_calls' if finish_reason == 'tool_call' else 'stop')
    assert response.usage == usage
    # Groq's timings ride along with the token counts.
    assert usage.timings is not None
    assert set(usage.timings) == {'queue_time', 'prompt_time', 'completion_time', 'total_time'}


@pytest.fixture(scope='module')
def vcr_cassette_dir() -> str:
    return str(CASSETTES_DIR / 'test_groq_cassettes')


@dataclass
class Wire:
    """An `httpx.AsyncClient` that remembers every request it sends."""

    client: httpx.AsyncClient
    sent: list[httpx.Request] = field(default_factory=list)

    def sent_bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.sent]


@pytest_asyncio.fixture
async def wire() -> AsyncIterator[Wire]:
    sent: list[httpx.Request] = []

    async def remember(request: httpx.Request) -> None:
        sent.append(request)

    async with httpx.AsyncClient(event_hooks={'request': [remember]}) as client:
        yield Wire(client, sent)
    assert client.is_closed


def groq_model(wire: Wire, api_key: str, model_name: str = MODEL, *, max_retries: int | None = None) -> GroqModel:
    if max_retries is None:
        provider = GroqProvider(api_key=api_key, http_client=wire.client)
    else:
        client = AsyncGroq(api_key=api_key, http_client=wire.client, max_retries=max_retries)
        provider = GroqProvider(groq_client=client)
    return GroqModel(model_name, provider=provider)


def recorded_bodies(cassette: Cassette) -> list[dict[str, Any]]:
    return [json.loads(request.body) for request in cassette.requests]


def assert_sent_what_was_recorded(wire: Wire, cassette: Cassette) -> list[dict[str, Any]]:
    """Every recorded request was sent, in order, with the same JSON body; returns the bodies."""
    sent = wire.sent_bodies()
    assert sent == recorded_bodies(cassette)
    if cassette.record_mode == 'none':  # when re-recording, the cassette holds just what was sent
        assert cassette.all_played
    return sent


def at(created: int) -> datetime:
    return datetime.fromtimestamp(created, tz=timezone.utc)


OPENING_HOURS_TOOL = ToolDefinition(
    name='get_opening_hours',
    description='Opening hours of a museum on a given weekday.',
    parameters_json_schema={
        'type': 'object',
        'properties': {'museum': {'type': 'string'}, 'weekday': {'type': 'string'}},
        'required': ['museum', 'weekday'],
        'additionalProperties': False,
    },
)
RECIPE_TOOL = ToolDefinition(
    name='search_recipes',
    description='Search recipes by ingredients and maximum preparation time.',
    parameters_json_schema={
        'type': 'object',
        'properties': {
            'ingredients': {'type': 'array', 'items': {'type': 'string'}},
            'max_minutes': {'type': 'integer'},
        },
        'required': ['ingredients', 'max_minutes'],
    },
)
WEATHER_TOOL = ToolDefinition(
    name='get_weather',
    description='Current weather in a city.',
    parameters_json_schema={
        'type': 'object',
        'properties': {'city': {'type': 'string'}},
        'required': ['city'],
    },
)


def groq_tool(tool: ToolDefinition) -> dict[str, Any]:
    return {
        'type': 'function',
        'function': {'name': tool.name, 'description': tool.description, 'parameters': tool.parameters_json_schema},
    }


CELLO_SYSTEM_PROMPT = 'You are a concise assistant. Answer in one sentence.'
CELLO_PROMPT = 'How many strings does a standard cello have?'
CELLO_SETTINGS: ModelSettings = {'temperature': 0.2, 'max_tokens': 80, 'timeout': 20}


def cello_conversation() -> list[ModelMessage]:
    return [ModelRequest.user_text_prompt(CELLO_PROMPT, system_prompt=CELLO_SYSTEM_PROMPT)]


async def test_text_answer_is_parsed_with_model_usage_and_timestamp(
    groq_api_key: str, wire: Wire, vcr: Cassette
) -> None:
    model = groq_model(wire, groq_api_key)

    response, usage = await model.request(cello_conversation(), CELLO_SETTINGS, ModelRequestParameters())

    assert parts_only(response) == ModelResponse(
        parts=[TextPart('A standard cello has four strings, tuned C, G, D and A.')],
        model_name=MODEL,
        timestamp=at(1795183921),
    )
    assert replace(usage, timings=None) == Usage(requests=1, request_tokens=58, response_tokens=17, total_tokens=75)
    assert_metadata(response, usage, 'stop')

    [body] = assert_sent_what_was_recorded(wire, vcr)
    assert body['model'] == MODEL
    assert body['messages'] == [
        {'role': 'system', 'content': CELLO_SYSTEM_PROMPT},
        {'role': 'user', 'content': CELLO_PROMPT},
    ]
    assert body['stream'] is False
    assert (body['n'], body['temperature'], body['max_tokens']) == (1, 0.2, 80)
    # `timeout` is a request option of the SDK, not a body field; no tools means no tool fields at all.
    assert not {'timeout', 'tools', 'tool_choice', 'parallel_tool_calls'} & body.keys()
    assert wire.sent[0].headers['authorization'] == f'Bearer {groq_api_key}'
    assert 'authorization' not in vcr.requests[0].headers


async def test_streamed_text_is_assembled_from_chunks_with_usage_from_x_groq(
    groq_api_key: str, wire: Wire, vcr: Cassette
) -> None:
    model = groq_model(wire, groq_api_key)
    prompt = 'Suggest a name for a cafe run by cats, and say why in one short sentence.'

    async with model.request_stream([ModelRequest.user_text_prompt(prompt)], None, ModelRequestParameters()) as stream:
        events = [event async for event in stream]
        response = stream.get()
        usage = stream.usage()

    text = 'How about "Whisker Beans"? It is playful, short and easy to remember.'
    assert parts_only(response) == ModelResponse(parts=[TextPart(text)], model_name=MODEL, timestamp=at(1795184507))
    assert_metadata(response, usage, 'stop')
    # Token counts come once, from the last chunk's `x_groq.usage`, and the request itself counts as one.
    assert replace(usage, timings=None) == Usage(requests=1, request_tokens=52, response_tokens=18, total_tokens=70)

    start, *deltas = events
    assert start == PartStartEvent(index=0, part=TextPart('How'))
    assert len(deltas) > 1
    assert all(isinstance(e, PartDeltaEvent) and e.index == 0 for e in deltas)
    assert 'How' + ''.join(e.delta.content_delta for e in deltas if isinstance(e.delta, TextPartDelta)) == text

    [body] = assert_sent_what_was_recorded(wire, vcr)
    assert body['stream'] is True
    assert body['messages'] == [{'role': 'user', 'content': prompt}]
    assert body['model'] == MODEL


async def test_tool_call_result_is_sent_back_and_final_answer_parsed(
    groq_api_key: str, wire: Wire, vcr: Cassette
) -> None:
    model = groq_model(wire, groq_api_key)
    params = ModelRequestParameters(function_tools=[OPENING_HOURS_TOOL])
    prompt = 'Is the Museum of Clocks open on Tuesday? If so, until what time?'
    messages: list[ModelMessage] = [ModelRequest([UserPromptPart(prompt)])]

    first, first_usage = await model.request(messages, None, params)

    call = ToolCallPart(
        tool_name='get_opening_hours',
        args='{"museum":"Museum of Clocks","weekday":"Tuesday"}',
        tool_call_id='k7w2m9xqa',
    )
    assert parts_only(first) == ModelResponse(parts=[call], model_name=MODEL, timestamp=at(1795185112))
    assert first.finish_reason == 'tool_call'
    assert replace(first_usage, timings=None) == Usage(
        requests=1, request_tokens=241, response_tokens=27, total_tokens=268
    )

    hours = {'open': True, 'from': '10:00', 'until': '18:30'}
    messages += [first, ModelRequest([ToolReturnPart('get_opening_hours', hours, tool_call_id='k7w2m9xqa')])]
    final, final_usage = await model.request(messages, None, params)

    assert parts_only(final) == ModelResponse(
        parts=[TextPart('Yes, the Museum of Clocks is open on Tuesday, from 10:00 until 18:30.')],
        model_name=MODEL,
        timestamp=at(1795185113),
    )
    assert replace(final_usage, timings=None) == Usage(
        requests=1, request_tokens=292, response_tokens=19, total_tokens=311
    )

    first_body, second_body = assert_sent_what_was_recorded(wire, vcr)
    for body in (first_body, second_body):
        assert body['tools'] == [groq_tool(OPENING_HOURS_TOOL)]
        assert body['tool_choice'] == 'auto'
        assert body['stream'] is False
    assert first_body['messages'] == [{'role': 'user', 'content': prompt}]
    assert second_body['messages'] == [
        {'role': 'user', 'content': prompt},
        {
            # Like Groq's own examples: no `content` key on an assistant message that only calls tools.
            'role': 'assistant',
            'tool_calls': [
                {
                    'id': 'k7w2m9xqa',
                    'type': 'function',
                    'function': {
                        'name': 'get_opening_hours',
                        'arguments': '{"museum":"Museum of Clocks","weekday":"Tuesday"}',
                    },
                }
            ],
        },
        {'role': 'tool', 'tool_call_id': 'k7w2m9xqa', 'content': '{"open":true,"from":"10:00","until":"18:30"}'},
    ]


@KEEP_AS_WRITTEN
async def test_streamed_tool_call_arguments_split_over_chunks_are_joined(
    groq_api_key: str, wire: Wire, vcr: Cassette
) -> None:
    model = groq_model(wire, groq_api_key)
    prompt = 'Find me a recipe with leeks and potatoes that takes under 40 minutes.'
    params = ModelRequestParameters(function_tools=[RECIPE_TOOL], allow_text_result=False)

    async with model.request_stream([ModelRequest([UserPromptPart(prompt)])], None, params) as stream:
        events = [event async for event in stream]
        response = stream.get()
        usage = stream.usage()

    args = '{"ingredients":["leeks","potatoes"],"max_minutes":40}'
    call = ToolCallPart(tool_name='search_recipes', args=args, tool_call_id='w8d3f6ynb')
    assert parts_only(response) == ModelResponse(parts=[call], model_name=MODEL, timestamp=at(1795185726))
    assert response.finish_reason == 'tool_call'
    assert call.args_as_dict() == {'ingredients': ['leeks', 'potatoes'], 'max_minutes': 40}
    # The last chunk carries the counts twice (`x_groq.usage` and the top-level `usage`): they are counted once.
    assert replace(usage, timings=None) == Usage(requests=1, request_tokens=263, response_tokens=31, total_tokens=294)

    assert events == [
        PartStartEvent(index=0, part=ToolCallPart(tool_name='search_recipes', args='', tool_call_id='w8d3f6ynb')),
        PartDeltaEvent(index=0, delta=ToolCallPartDelta(args_delta='{"ingredients":["leeks",')),
        PartDeltaEvent(index=0, delta=ToolCallPartDelta(args_delta='"potatoes"],')),
        PartDeltaEvent(index=0, delta=ToolCallPartDelta(args_delta='"max_minutes":40}')),
    ]

    [body] = assert_sent_what_was_recorded(wire, vcr)
    assert body['stream'] is True
    assert body['messages'] == [{'role': 'user', 'content': prompt}]
    assert body['tools'] == [groq_tool(RECIPE_TOOL)]
    # Text may not end this run, so the model must call a tool.
    assert body['tool_choice'] == 'required'


async def test_parallel_tool_calls_become_two_tool_call_parts_in_order(
    groq_api_key: str, wire: Wire, vcr: Cassette
) -> None:
    model = groq_model(wire, groq_api_key)
    prompt = 'What is the weather like in Lisbon and in Porto right now?'
    params = ModelRequestParameters(function_tools=[WEATHER_TOOL])

    response, usage = await model.request(
        [ModelRequest([UserPromptPart(prompt)])], {'parallel_tool_calls': True}, params
    )

    assert parts_only(response) == ModelResponse(
        parts=[
            ToolCallPart(tool_name='get_weather', args='{"city":"Lisbon"}', tool_call_id='p3c8n1vze'),
            ToolCallPart(tool_name='get_weather', args='{"city":"Porto"}', tool_call_id='r6t0b4hjm'),
        ],
        model_name=MODEL,
        timestamp=at(1795186380),
    )
    assert replace(usage, timings=None) == Usage(requests=1, request_tokens=236, response_tokens=38, total_tokens=274)

    [body] = assert_sent_what_was_recorded(wire, vcr)
    assert body['messages'] == [{'role': 'user', 'content': prompt}]
    assert body['tools'] == [groq_tool(WEATHER_TOOL)]
    assert body['tool_choice'] == 'auto'
    assert body['parallel_tool_calls'] is True


async def test_unknown_model_raises_model_http_error_404_with_groq_error_body(
    groq_api_key: str, wire: Wire, vcr: Cassette
) -> None:
    missing = 'llama-5-imaginary-405b'
    model = groq_model(wire, groq_api_key, missing)

    with pytest.raises(ModelHTTPError) as exc_info:
        await model.request([ModelRequest.user_text_prompt('Hello, are you there?')], None, ModelRequestParameters())

    error = exc_info.value
    assert error.status_code == 404
    assert error.model_name == missing
    assert error.body == {
        'error': {
            'message': f'The model `{missing}` does not exist or you do not have access to it.',
            'type': 'invalid_request_error',
            'code': 'model_not_found',
        }
    }
    assert error.headers['content-type'] == 'application/json'
    assert isinstance(error.__cause__, groq.NotFoundError)
    assert f'status_code: 404, model_name: {missing}' in str(error)

    [body] = assert_sent_what_was_recorded(wire, vcr)
    assert body['model'] == missing
    assert body['messages'] == [{'role': 'user', 'content': 'Hello, are you there?'}]


@KEEP_AS_WRITTEN
async def test_rate_limit_429_raises_model_http_error_with_retry_after_and_ratelimit_headers(
    groq_api_key: str, wire: Wire, vcr: Cassette
) -> None:
    model = groq_model(wire, groq_api_key, max_retries=0)
    prompt = 'Summarise the plot of Moby-Dick in one line.'

    with pytest.raises(ModelHTTPError) as exc_info:
        await model.request([ModelRequest.user_text_prompt(prompt)], None, ModelRequestParameters())

    error = exc_info.value
    assert error.status_code == 429
    assert error.model_name == MODEL
    assert isinstance(error.__cause__, groq.RateLimitError)
    assert error.headers['retry-after'] == '1'
    assert error.headers['x-ratelimit-limit-tokens'] == '12000'
    assert error.headers['x-ratelimit-remaining-tokens'] == '13'
    assert error.headers['x-ratelimit-reset-tokens'] == '225ms'
    assert error.headers['x-ratelimit-remaining-requests'] == '987'
    assert error.headers['x-request-id'].startswith('req_')
    assert isinstance(error.body, dict)
    assert error.body['error']['code'] == 'rate_limit_exceeded'
    assert error.body['error']['type'] == 'tokens'
    assert 'Please try again in 225ms' in error.body['error']['message']

    # One request only: with `max_retries=0` the SDK neither retries nor sleeps.
    [body] = assert_sent_what_was_recorded(wire, vcr)
    assert body['messages'] == [{'role': 'user', 'content': prompt}]


@pytest.mark.vcr(TEXT_ANSWER_CASSETTE, record_mode='none')
async def test_request_missing_from_cassette_fails_instead_of_reaching_the_network(
    groq_api_key: str, wire: Wire, vcr: Cassette
) -> None:
    # Replays the text-answer cassette (one interaction) in record mode `none`, whatever the command line says.
    model = groq_model(wire, groq_api_key, max_retries=0)
    other_question = [ModelRequest([SystemPromptPart(CELLO_SYSTEM_PROMPT), UserPromptPart('And a violin?')])]

    # A request whose body was never recorded does not replay the cassette's interaction: it fails at once (not
    # retried as a connection error), naming the JSON field that differs.
    with pytest.raises(CassetteMismatchError) as exc_info:
        await model.request(other_question, CELLO_SETTINGS, ModelRequestParameters())
    report = str(exc_info.value)
    assert (
        'messages[1].content: recorded "How many strings does a standard cello have?", sent "And a violin?"' in report
    )
    assert vcr.play_count == 0

    # The recorded request replays once ...
    response, _ = await model.request(cello_conversation(), CELLO_SETTINGS, ModelRequestParameters())
    assert response.parts == [TextPart('A standard cello has four strings, tuned C, G, D and A.')]
    assert vcr.play_count == 1

    # ... and only once: asking again fails rather than going to Groq.
    with pytest.raises(CassetteMismatchError, match='already replayed'):
        await model.request(cello_conversation(), CELLO_SETTINGS, ModelRequestParameters())
    assert vcr.play_count == 1
    assert len(wire.sent) == 3
    assert vcr.record_mode == 'none'
