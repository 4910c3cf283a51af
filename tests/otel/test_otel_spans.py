"""OpenTelemetry GenAI spans and metrics for real requests to the local Groq server."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from pydantic_ai.exceptions import ModelConnectionError, ModelHTTPError, ModelTimeoutError
from pydantic_ai.messages import ModelRequest, ModelResponse, SystemPromptPart, TextPart, ToolCallPart, UserPromptPart
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.otel import InstrumentedModel, instrument_all
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import (
    GroqTestServer,
    ToolCall,
    http_error,
    raw_sse,
    streamed_text,
    text_completion,
    tool_call_completion,
    wire,
)

from support.constants import FAKE_GROQ_API_KEY
from support.otel import Telemetry
from support.reliability import MODEL_NAME, NO_TOOLS, describe, prompt, run_request, run_stream, server_model

pytestmark = [pytest.mark.asyncio]

SLOW_STREAM = streamed_text([f'w{i} ' for i in range(200)]).with_frame_delay(0.02)


def attributes(span: Any) -> dict[str, Any]:
    return dict(span.attributes or {})


async def test_text_request_span_has_the_conventions_attributes(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(text_completion('hello there', model=MODEL_NAME, prompt_tokens=12, completion_tokens=2))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())
    settings: ModelSettings = {
        'temperature': 0.25,
        'max_tokens': 64,
        'top_p': 0.9,
        'seed': 7,
        'stop_sequences': ['END'],
        'presence_penalty': 0.5,
        'frequency_penalty': -0.5,
    }

    response, _ = await model.request(prompt(), settings, NO_TOOLS)

    span = telemetry.span()
    assert span.name == f'chat {MODEL_NAME}'
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    port = int(server.base_url.rsplit(':', 1)[1].strip('/'))
    assert attributes(span) == {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'groq',
        'gen_ai.system': 'groq',
        'gen_ai.request.model': MODEL_NAME,
        'gen_ai.request.temperature': 0.25,
        'gen_ai.request.max_tokens': 64,
        'gen_ai.request.top_p': 0.9,
        'gen_ai.request.seed': 7,
        'gen_ai.request.stop_sequences': ('END',),
        'gen_ai.request.presence_penalty': 0.5,
        'gen_ai.request.frequency_penalty': -0.5,
        'server.address': '127.0.0.1',
        'server.port': port,
        'gen_ai.response.model': MODEL_NAME,
        'gen_ai.response.id': response.provider_response_id,
        'gen_ai.response.finish_reasons': ('stop',),
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 2,
    }
    assert response.provider_response_id


async def test_only_the_settings_that_were_set_are_recorded(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(text_completion('hi'))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())

    await model.request(prompt(), {'temperature': 0.0}, NO_TOOLS)

    recorded = {k for k in attributes(telemetry.span()) if k.startswith('gen_ai.request.')}
    assert recorded == {'gen_ai.request.model', 'gen_ai.request.temperature'}


async def test_streamed_span_lasts_until_the_last_chunk_and_records_time_to_first_chunk(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(streamed_text(['Hel', 'lo', '!'], prompt_tokens=5, completion_tokens=3))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())

    async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
        assert telemetry.spans() == []  # open while the stream is
        texts = [event async for event in stream]
        assert texts
        assert telemetry.spans() == []  # still open: the block has not been left
    span = telemetry.span()
    attrs = attributes(span)
    assert attrs['gen_ai.request.stream'] is True
    assert attrs['gen_ai.usage.input_tokens'] == 5
    assert attrs['gen_ai.usage.output_tokens'] == 3
    assert attrs['gen_ai.response.finish_reasons'] == ('stop',)
    assert 'pydantic_ai.request.cancelled' not in attrs
    ttfc = attrs['gen_ai.response.time_to_first_chunk']
    assert span.end_time is not None and span.start_time is not None
    assert 0 < ttfc <= (span.end_time - span.start_time) / 1e9
    assert span.status.status_code is StatusCode.UNSET


async def test_tool_call_response_records_finish_reason_and_content_in_conventions_form(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(tool_call_completion(ToolCall('get_weather', {'city': 'Paris'}, id='call_1')))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings(include_content=True))
    tool = ToolDefinition(name='get_weather', description='Weather', parameters_json_schema={'type': 'object'})
    messages = [ModelRequest(parts=[SystemPromptPart('Be brief.'), UserPromptPart('Weather in Paris?')])]

    await model.request(messages, None, ModelRequestParameters(function_tools=[tool]))

    attrs = attributes(telemetry.span())
    assert attrs['gen_ai.response.finish_reasons'] == ('tool_call',)
    assert json.loads(attrs['gen_ai.system_instructions']) == [{'type': 'text', 'content': 'Be brief.'}]
    assert json.loads(attrs['gen_ai.input.messages']) == [
        {'role': 'user', 'parts': [{'type': 'text', 'content': 'Weather in Paris?'}]}
    ]
    assert json.loads(attrs['gen_ai.output.messages']) == [
        {
            'role': 'assistant',
            'parts': [{'type': 'tool_call', 'id': 'call_1', 'name': 'get_weather', 'arguments': {'city': 'Paris'}}],
            'finish_reason': 'tool_call',
        }
    ]


async def test_tool_results_are_recorded_as_tool_call_responses_with_content_on(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    from pydantic_ai.messages import ToolReturnPart

    server.enqueue(text_completion('It is sunny.'))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings(include_content=True))
    messages = [
        ModelRequest(parts=[UserPromptPart('Weather?')]),
        ModelResponse(parts=[ToolCallPart('get_weather', '{"city": "Paris"}', 'call_1')]),
        ModelRequest(parts=[ToolReturnPart('get_weather', {'sky': 'sunny'}, 'call_1')]),
    ]

    await model.request(messages, None, NO_TOOLS)

    recorded = json.loads(attributes(telemetry.span())['gen_ai.input.messages'])
    assert recorded[1] == {
        'role': 'assistant',
        'parts': [{'type': 'tool_call', 'id': 'call_1', 'name': 'get_weather', 'arguments': {'city': 'Paris'}}],
    }
    assert recorded[2] == {
        'role': 'tool',
        'parts': [{'type': 'tool_call_response', 'id': 'call_1', 'response': {'sky': 'sunny'}}],
    }


async def test_content_is_off_by_default(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(text_completion('secret answer'))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())

    await model.request(prompt('secret question'), None, NO_TOOLS)

    dumped = telemetry.span().to_json()
    assert 'secret' not in dumped
    assert not {'gen_ai.input.messages', 'gen_ai.output.messages'} & set(attributes(telemetry.span()))


async def test_streamed_content_is_the_assembled_answer_when_on(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(streamed_text(['Hel', 'lo']))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings(include_content=True))

    outcome = await run_stream(model)

    assert outcome.error is None, describe(outcome.error)
    output = json.loads(attributes(telemetry.span())['gen_ai.output.messages'])
    assert output == [{'role': 'assistant', 'parts': [{'type': 'text', 'content': 'Hello'}], 'finish_reason': 'stop'}]


async def test_429_sets_error_status_error_type_status_code_and_records_the_exception(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(http_error(429, 'slow down', code='rate_limit_exceeded'))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())

    outcome = await run_request(model)

    assert isinstance(outcome.error, ModelHTTPError), describe(outcome.error)
    span = telemetry.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description is not None and '429' in span.status.description
    attrs = attributes(span)
    assert attrs['error.type'] == 'ModelHTTPError'
    assert attrs['http.response.status_code'] == 429
    assert 'gen_ai.response.model' not in attrs
    [event] = [e for e in span.events if e.name == 'exception']
    event_attrs = dict(event.attributes or {})
    assert event_attrs['exception.type'].endswith('ModelHTTPError')
    assert '429' in event_attrs['exception.message']
    [point] = telemetry.points('gen_ai.client.operation.duration')
    assert point.count == 1
    assert point.attributes['error.type'] == 'ModelHTTPError'


async def test_timeout_is_an_error_span_with_the_timeout_type(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(text_completion().with_stall(3.0))
    model = InstrumentedModel(server_model(server, http_client, timeout=0.2), telemetry.settings())

    outcome = await run_request(model)

    assert isinstance(outcome.error, ModelTimeoutError), describe(outcome.error)
    span = telemetry.span()
    assert span.status.status_code is StatusCode.ERROR
    assert attributes(span)['error.type'] == 'ModelTimeoutError'
    assert 'http.response.status_code' not in attributes(span)


async def test_stream_cut_mid_way_ends_the_span_as_an_error(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(streamed_text(['Hel', 'lo', ' wor', 'ld']).with_reset_after(3))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())

    outcome = await run_stream(model)

    assert outcome.entered
    assert isinstance(outcome.error, ModelConnectionError), describe(outcome.error)
    span = telemetry.span()
    assert span.status.status_code is StatusCode.ERROR
    assert attributes(span)['error.type'] == 'ModelConnectionError'
    assert 'pydantic_ai.request.cancelled' not in attributes(span)
    assert any(e.name == 'exception' for e in span.events)


async def test_consumer_leaving_a_stream_early_ends_the_span_marked_cancelled(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(SLOW_STREAM)
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())

    async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
        received = 0
        async for _ in stream:
            received += 1
            if received == 2:
                break

    span = telemetry.span()
    attrs = attributes(span)
    assert attrs['pydantic_ai.request.cancelled'] is True
    assert span.status.status_code is StatusCode.UNSET
    assert 'error.type' not in attrs
    assert attrs['gen_ai.response.time_to_first_chunk'] > 0


async def test_an_exception_in_the_consumers_block_ends_the_span_cancelled_not_failed(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(SLOW_STREAM)
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())

    with pytest.raises(LookupError):
        async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
            async for _ in stream:
                raise LookupError('caller bug')

    span = telemetry.span()
    assert attributes(span)['pydantic_ai.request.cancelled'] is True
    assert span.status.status_code is StatusCode.UNSET


class _GatewayProvider(GroqProvider):
    provider_name: ClassVar[str] = 'mygateway'


async def test_a_third_party_providers_name_is_the_system(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(text_completion('via the gateway'))
    provider = _GatewayProvider(api_key=FAKE_GROQ_API_KEY, base_url=server.base_url, http_client=http_client)
    model = InstrumentedModel(GroqModel(MODEL_NAME, provider=provider), telemetry.settings())

    await model.request(prompt(), None, NO_TOOLS)

    attrs = attributes(telemetry.span())
    assert attrs['gen_ai.provider.name'] == 'mygateway'
    assert attrs['gen_ai.system'] == 'mygateway'
    [point, *_] = telemetry.points('gen_ai.client.operation.duration')
    assert point.attributes['gen_ai.provider.name'] == 'mygateway'


async def test_the_callers_span_is_the_parent(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(text_completion('one'), streamed_text(['two']))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())
    tracer = telemetry.tracer_provider.get_tracer('test')

    with tracer.start_as_current_span('caller') as caller:
        await model.request(prompt(), None, NO_TOOLS)
        async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
            async for _ in stream:
                pass

    spans = {s.name: s for s in telemetry.spans()}
    chats = [s for s in telemetry.spans() if s.name.startswith('chat ')]
    assert len(chats) == 2
    caller_context = caller.get_span_context()
    for chat in chats:
        assert chat.parent is not None
        assert chat.parent.span_id == caller_context.span_id
        assert chat.context is not None and chat.context.trace_id == caller_context.trace_id
    assert spans['caller'].parent is None
    assert trace.get_current_span() is trace.INVALID_SPAN  # nothing left attached


async def test_metrics_record_duration_token_usage_and_time_to_first_chunk(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(
        text_completion('a b', prompt_tokens=10, completion_tokens=2),
        streamed_text(['x', 'y', 'z'], prompt_tokens=7, completion_tokens=3),
    )
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())

    await model.request(prompt(), None, NO_TOOLS)
    async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
        async for _ in stream:
            pass

    tokens = {p.attributes['gen_ai.token.type']: p for p in telemetry.points('gen_ai.client.token.usage')}
    assert set(tokens) == {'input', 'output'}
    assert (tokens['input'].count, tokens['input'].sum) == (2, 17)
    assert (tokens['output'].count, tokens['output'].sum) == (2, 5)
    assert tokens['input'].attributes['gen_ai.provider.name'] == 'groq'
    assert tokens['input'].attributes['gen_ai.request.model'] == MODEL_NAME
    assert tokens['input'].attributes['gen_ai.operation.name'] == 'chat'
    [duration] = telemetry.points('gen_ai.client.operation.duration')
    assert duration.count == 2
    assert 0 < duration.sum < 10
    assert 'error.type' not in duration.attributes
    [ttfc] = telemetry.points('gen_ai.client.operation.time_to_first_chunk')
    assert ttfc.count == 1
    assert 0 < ttfc.sum <= duration.sum


async def test_no_api_key_in_spans_events_or_metrics(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(text_completion('ok'), http_error(401, 'Invalid API Key', code='invalid_api_key'))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings(include_content=True))

    await run_request(model)
    await run_request(model)

    assert len(telemetry.spans()) == 2
    dumped = ''.join(span.to_json() for span in telemetry.spans())
    metrics = telemetry.reader.get_metrics_data()
    assert metrics is not None
    dumped += metrics.to_json()
    assert FAKE_GROQ_API_KEY not in dumped
    assert FAKE_GROQ_API_KEY[4:20] not in dumped
    assert 'authorization' not in dumped.lower()


async def test_instrument_all_traces_a_directly_constructed_groq_model_until_turned_off(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    server.enqueue(text_completion('one'), streamed_text(['two']), text_completion('three'))
    model = server_model(server, http_client)

    instrument_all(telemetry.settings())
    await model.request(prompt(), None, NO_TOOLS)
    async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
        async for _ in stream:
            pass
    instrument_all(False)
    await model.request(prompt(), None, NO_TOOLS)

    spans = telemetry.spans()
    assert [s.name for s in spans] == [f'chat {MODEL_NAME}'] * 2
    assert [attributes(s).get('gen_ai.request.stream', False) for s in spans] == [False, True]


async def test_instrument_all_is_reachable_from_the_package() -> None:
    import pydantic_ai

    assert pydantic_ai.instrument_all is instrument_all


class _EchoModel(Model):
    """A model of no provider plugin, not reporting to the lifecycle hooks itself."""

    async def request(
        self,
        messages: list[Any],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        usage = Usage(requests=1, request_tokens=3, response_tokens=1)
        return ModelResponse(parts=[TextPart('echo')], model_name='echo-1', usage=usage, finish_reason='stop'), usage

    @property
    def model_name(self) -> str:
        return 'echo'

    @property
    def system(self) -> str:
        return 'echo-provider'


async def test_instrumented_model_wraps_any_model(telemetry: Telemetry) -> None:
    model = InstrumentedModel(_EchoModel(), telemetry.settings())

    response, usage = await model.request(prompt(), None, NO_TOOLS)

    assert usage.request_tokens == 3
    assert model.model_name == 'echo' and model.system == 'echo-provider'
    attrs = attributes(telemetry.span())
    assert telemetry.span().name == 'chat echo'
    assert attrs['gen_ai.provider.name'] == 'echo-provider'
    assert attrs['gen_ai.response.model'] == 'echo-1'
    assert 'server.address' not in attrs
    assert response.parts == [TextPart('echo')]


async def test_a_cancelled_task_ends_the_span_marked_cancelled(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    import asyncio

    server.enqueue(text_completion().with_stall(3.0))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())

    task = asyncio.create_task(model.request(prompt(), None, NO_TOOLS))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    span = telemetry.span()
    assert attributes(span)['pydantic_ai.request.cancelled'] is True
    assert span.status.status_code is StatusCode.UNSET
    assert 'error.type' not in attributes(span)


async def test_instrument_all_traces_each_request_of_an_agent_run_with_test_and_function_models(
    telemetry: Telemetry,
) -> None:
    from pydantic_ai import Agent
    from pydantic_ai.messages import ModelMessage
    from pydantic_ai.models.function import AgentInfo, FunctionModel
    from pydantic_ai.models.test import TestModel

    agent = Agent(TestModel())

    @agent.tool_plain
    def get_city() -> str:
        return 'Paris'

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart('done')])

    instrument_all(telemetry.settings())
    result = await agent.run('Where?')
    await Agent(FunctionModel(answer)).run('hi')

    assert result.data
    spans = telemetry.spans()
    providers = [attributes(s)['gen_ai.provider.name'] for s in spans]
    assert providers == ['test', 'test', 'function']  # the tool call, the answer, then the function model
    assert all(s.status.status_code is StatusCode.UNSET for s in spans)


class _UsageModel(Model):
    """A local model answering with a given usage."""

    is_local = True

    def __init__(self, usage: Usage) -> None:
        self._usage = usage

    async def _request(
        self,
        messages: list[Any],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        response = ModelResponse(parts=[TextPart('ok')], model_name='usage-1', usage=self._usage, finish_reason='stop')
        return response, self._usage.copy()

    @property
    def model_name(self) -> str:
        return 'usage-1'

    @property
    def system(self) -> str:
        return 'usage-provider'


@pytest.mark.parametrize(
    ('usage', 'recorded'),
    [
        pytest.param(Usage(requests=1, request_tokens=10, cache_read_tokens=7), 7, id='typed-field'),
        pytest.param(Usage(requests=1, request_tokens=10, details={'cached_tokens': 4}), 4, id='details-only'),
        pytest.param(
            Usage(requests=1, request_tokens=10, cache_read_tokens=7, details={'cached_tokens': 4}),
            7,
            id='typed-field-wins',
        ),
        pytest.param(Usage(requests=1, request_tokens=10, cache_read_tokens=0), 0, id='zero-is-recorded'),
        pytest.param(Usage(requests=1, request_tokens=10), None, id='none-reported'),
    ],
)
async def test_cache_reads_are_recorded_as_the_conventions_cache_read_attribute(
    telemetry: Telemetry, usage: Usage, recorded: int | None
) -> None:
    model = InstrumentedModel(_UsageModel(usage), telemetry.settings())

    await model.request(prompt(), None, NO_TOOLS)

    assert attributes(telemetry.span()).get('gen_ai.usage.cache_read.input_tokens') == recorded


async def test_a_streamed_answers_cache_reads_are_recorded(
    server: GroqTestServer, http_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    usage = {'prompt_tokens': 20, 'completion_tokens': 2, 'total_tokens': 22}
    chunks = [
        wire.chat_completion_chunk({'content': 'Hi'}),
        wire.chat_completion_chunk(
            {}, finish_reason='stop', x_groq={'usage': {**usage, 'prompt_tokens_details': {'cached_tokens': 16}}}
        ),
    ]
    server.enqueue(raw_sse(chunks, done=True))
    model = InstrumentedModel(server_model(server, http_client), telemetry.settings())

    async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
        async for _ in stream:
            pass

    assert stream.usage().cache_read_tokens == 16
    attrs = attributes(telemetry.span())
    assert attrs['gen_ai.usage.cache_read.input_tokens'] == 16
    assert attrs['gen_ai.usage.input_tokens'] == 20
