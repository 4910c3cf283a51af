"""`GroqModel.request_stream`: SSE chunks through the real groq SDK, assembled into parts, events and usage."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import pytest_asyncio

from pydantic_ai.exceptions import ModelAPIError, ModelConnectionError, ModelHTTPError, UnexpectedModelBehavior
from pydantic_ai.messages import (
    ModelResponseStreamEvent,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ToolCallPart,
    ToolCallPartDelta,
)
from pydantic_ai.models import ModelRequestParameters, StreamedResponse
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqStreamedResponse
from pydantic_ai_groq.testing import GroqFake, raw_sse, wire

from support.constants import CREATED, MODEL_NAME, user_prompt
from support.reliability import RecordingByteStream

pytestmark = pytest.mark.asyncio

NO_TOOLS = ModelRequestParameters()
TEXT = 'Hi, Groq!'


@pytest_asyncio.fixture
async def groq_mock() -> AsyncIterator[GroqFake]:
    mock = GroqFake()
    yield mock
    await mock.aclose()


async def stream_all(
    mock: GroqFake, chunks: Sequence[dict[str, Any]]
) -> tuple[list[ModelResponseStreamEvent], StreamedResponse]:
    """Stream `chunks` through the model and return every event and the finished stream."""
    mock.responder = raw_sse(chunks, done=True)
    events: list[ModelResponseStreamEvent] = []
    async with mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
        async for event in stream:
            events.append(event)
    return events, stream


# --- Text ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('split_at', range(1, len(TEXT)))
async def test_text_split_at_any_position_assembles_exactly(groq_mock: GroqFake, split_at: int) -> None:
    events, stream = await stream_all(
        groq_mock,
        [
            wire.chat_completion_chunk({'content': TEXT[:split_at]}),
            wire.chat_completion_chunk({'content': TEXT[split_at:]}),
        ],
    )
    assert stream.get().parts == [TextPart(TEXT)]
    assert events == [
        PartStartEvent(index=0, part=TextPart(TEXT[:split_at])),
        PartDeltaEvent(index=0, delta=TextPartDelta(TEXT[split_at:])),
    ]


async def test_text_one_character_per_chunk_assembles_exactly(groq_mock: GroqFake) -> None:
    text = 'Ünïcödé, "quotes" & newlines\n\tdone.'
    events, stream = await stream_all(groq_mock, [wire.chat_completion_chunk({'content': c}) for c in text])
    assert stream.get().parts == [TextPart(text)]
    assert len(events) == len(text)


async def test_empty_content_deltas_produce_no_events(groq_mock: GroqFake) -> None:
    events, stream = await stream_all(
        groq_mock,
        [
            wire.chat_completion_chunk({'content': ''}),
            wire.chat_completion_chunk({'content': 'Hello'}),
            wire.chat_completion_chunk({'content': ''}),
            wire.chat_completion_chunk({'content': None}),
            wire.chat_completion_chunk({'content': ' world'}),
        ],
    )
    assert stream.get().parts == [TextPart('Hello world')]
    assert events == [
        PartStartEvent(index=0, part=TextPart('Hello')),
        PartDeltaEvent(index=0, delta=TextPartDelta(' world')),
    ]


async def test_stream_request_body_asks_for_a_stream(groq_mock: GroqFake) -> None:
    await stream_all(groq_mock, [wire.chat_completion_chunk({'content': 'x'})])
    body = groq_mock.body
    assert body['stream'] is True
    assert body['n'] == 1
    assert body['messages'] == [{'role': 'user', 'content': 'Hello'}]


async def test_stream_is_a_groq_streamed_response(groq_mock: GroqFake) -> None:
    _, stream = await stream_all(groq_mock, [wire.chat_completion_chunk({'content': 'x'})])
    assert isinstance(stream, GroqStreamedResponse)


# --- Tool calls -----------------------------------------------------------------------------------------------------


async def test_tool_call_arguments_in_many_fragments_assemble(groq_mock: GroqFake) -> None:
    arguments = json.dumps({'city': 'Paris', 'days': 3, 'detail': {'hourly': True}})
    chunks = [
        wire.chat_completion_chunk(
            {'tool_calls': [wire.tool_call_delta(0, call_id='call_1', name='get_weather', arguments='')]}
        )
    ]
    chunks += [wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, arguments=c)]}) for c in arguments]
    events, stream = await stream_all(groq_mock, chunks)
    assert stream.get().parts == [ToolCallPart('get_weather', arguments, tool_call_id='call_1')]
    assert stream.get().parts[0].args_as_dict() == json.loads(arguments)  # type: ignore[union-attr]
    assert isinstance(events[0], PartStartEvent)
    assert all(isinstance(e, PartDeltaEvent) for e in events[1:])
    assert len(events) == 1 + len(arguments)


async def test_tool_call_name_split_across_chunks(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, call_id='call_1', name='get_')]}),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, name='weather', arguments='{"city":')]}),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, arguments=' "Oslo"}')]}),
    ]
    _, stream = await stream_all(groq_mock, chunks)
    assert stream.get().parts == [ToolCallPart('get_weather', '{"city": "Oslo"}', tool_call_id='call_1')]


async def test_tool_call_entry_with_nothing_new_is_one_empty_delta_event(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, call_id='call_1', name='get_weather')]}),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, arguments='{"city": "Oslo"}')]}),
        # The entry that closes the call carries nothing new (the original API's tests stream such a chunk).
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0)]}, finish_reason='tool_calls'),
    ]
    events, stream = await stream_all(groq_mock, chunks)
    assert events == [
        PartStartEvent(index=0, part=ToolCallPart('get_weather', '', tool_call_id='call_1')),
        PartDeltaEvent(index=0, delta=ToolCallPartDelta(args_delta='{"city": "Oslo"}')),
        PartDeltaEvent(index=0, delta=ToolCallPartDelta()),
    ]
    assert stream.get().parts == [ToolCallPart('get_weather', '{"city": "Oslo"}', tool_call_id='call_1')]


async def test_two_tool_calls_interleaved_by_index_plus_text(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({'content': 'Let me '}),
        wire.chat_completion_chunk({'content': 'check both.'}),
        wire.chat_completion_chunk(
            {'tool_calls': [wire.tool_call_delta(0, call_id='call_a', name='get_weather', arguments='{"ci')]}
        ),
        wire.chat_completion_chunk(
            {'tool_calls': [wire.tool_call_delta(1, call_id='call_b', name='get_time', arguments='{"t')]}
        ),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, arguments='ty": "Paris"}')]}),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(1, arguments='z": "CET"}')]}),
    ]
    _, stream = await stream_all(groq_mock, chunks)
    assert stream.get().parts == [
        TextPart('Let me check both.'),
        ToolCallPart('get_weather', '{"city": "Paris"}', tool_call_id='call_a'),
        ToolCallPart('get_time', '{"tz": "CET"}', tool_call_id='call_b'),
    ]


async def test_two_tool_calls_in_one_chunk(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk(
            {
                'tool_calls': [
                    wire.tool_call_delta(0, call_id='call_a', name='a', arguments='{}'),
                    wire.tool_call_delta(1, call_id='call_b', name='b', arguments='{"x": 1}'),
                ]
            }
        )
    ]
    _, stream = await stream_all(groq_mock, chunks)
    assert stream.get().parts == [
        ToolCallPart('a', '{}', tool_call_id='call_a'),
        ToolCallPart('b', '{"x": 1}', tool_call_id='call_b'),
    ]


async def test_event_sequence_for_text_then_tool_call(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({'content': 'Hel'}),
        wire.chat_completion_chunk({'content': 'lo'}),
        wire.chat_completion_chunk(
            {'tool_calls': [wire.tool_call_delta(0, call_id='call_1', name='lookup', arguments='{"q":')]}
        ),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, arguments=' "x"}')]}),
    ]
    events, stream = await stream_all(groq_mock, chunks)
    assert events == [
        PartStartEvent(index=0, part=TextPart('Hel')),
        PartDeltaEvent(index=0, delta=TextPartDelta('lo')),
        PartStartEvent(index=1, part=ToolCallPart('lookup', '{"q":', tool_call_id='call_1')),
        PartDeltaEvent(index=1, delta=ToolCallPartDelta(args_delta=' "x"}')),
    ]
    assert stream.get().parts == [TextPart('Hello'), ToolCallPart('lookup', '{"q": "x"}', tool_call_id='call_1')]


async def test_tool_call_arguments_before_name_start_the_part_with_everything_so_far(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, call_id='call_1', arguments='{"a": ')]}),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, name='f')]}),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, arguments='1}')]}),
    ]
    events, stream = await stream_all(groq_mock, chunks)
    assert events == [
        PartStartEvent(index=0, part=ToolCallPart('f', '{"a": ', tool_call_id='call_1')),
        PartDeltaEvent(index=0, delta=ToolCallPartDelta(args_delta='1}')),
    ]
    assert stream.get().parts == [ToolCallPart('f', '{"a": 1}', tool_call_id='call_1')]


async def test_event_indices_are_part_positions_while_a_tool_name_is_pending(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({'content': 'Hi'}),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, call_id='call_a', arguments='{"x": 1}')]}),
        wire.chat_completion_chunk(
            {'tool_calls': [wire.tool_call_delta(1, call_id='call_b', name='b', arguments='{}')]}
        ),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, name='a')]}),
    ]
    events, stream = await stream_all(groq_mock, chunks)
    parts = stream.get().parts
    assert parts == [
        TextPart('Hi'),
        ToolCallPart('b', '{}', tool_call_id='call_b'),
        ToolCallPart('a', '{"x": 1}', tool_call_id='call_a'),
    ]
    assert events == [
        PartStartEvent(index=0, part=TextPart('Hi')),
        PartStartEvent(index=1, part=ToolCallPart('b', '{}', tool_call_id='call_b')),
        PartStartEvent(index=2, part=ToolCallPart('a', '{"x": 1}', tool_call_id='call_a')),
    ]


async def test_tool_call_delta_never_named_raises_unexpected_model_behavior(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({'content': 'text first'}),
        wire.chat_completion_chunk({'tool_calls': [wire.tool_call_delta(0, call_id='call_1', arguments='{"a": 1}')]}),
    ]
    groq_mock.responder = raw_sse(chunks, done=True)
    events: list[ModelResponseStreamEvent] = []
    async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
        with pytest.raises(UnexpectedModelBehavior, match='tool name'):
            async for event in stream:
                events.append(event)
    assert events == [PartStartEvent(index=0, part=TextPart('text first'))]
    assert stream.get().parts == [TextPart('text first')]


# --- Usage, model name, timestamp -----------------------------------------------------------------------------------


async def test_usage_from_x_groq(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({'content': 'a'}),
        wire.chat_completion_chunk(
            {'content': 'b'}, x_groq={'id': 'req_test', 'usage': wire.usage_body(12, 3, timings=False)}
        ),
    ]
    _, stream = await stream_all(groq_mock, chunks)
    assert stream.usage() == Usage(requests=1, request_tokens=12, response_tokens=3, total_tokens=15)


async def test_usage_is_the_latest_reported_not_a_sum(groq_mock: GroqFake) -> None:
    # Usage inside a response is its total so far: a server reporting it on several chunks is not double-counted.
    chunks = [
        wire.chat_completion_chunk(
            {'content': 'a'}, x_groq={'id': 'req_test', 'usage': wire.usage_body(10, 1, timings=False)}
        ),
        wire.chat_completion_chunk({'content': 'b'}),
        wire.chat_completion_chunk(
            {'content': 'c'}, x_groq={'id': 'req_test', 'usage': wire.usage_body(10, 4, timings=False)}
        ),
    ]
    _, stream = await stream_all(groq_mock, chunks)
    assert stream.usage() == Usage(requests=1, request_tokens=10, response_tokens=4, total_tokens=14)


async def test_usage_from_top_level_usage_without_x_groq(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({'content': 'a'}),
        wire.chat_completion_chunk({}, usage=wire.usage_body(8, 2, timings=False), choices=[]),
    ]
    _, stream = await stream_all(groq_mock, chunks)
    assert stream.usage() == Usage(requests=1, request_tokens=8, response_tokens=2, total_tokens=10)


async def test_usage_not_double_counted_when_chunk_has_both_x_groq_wins(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({'content': 'a'}),
        wire.chat_completion_chunk(
            {'content': 'b'},
            usage=wire.usage_body(999, 999, timings=False),
            x_groq={'id': 'req_test', 'usage': wire.usage_body(20, 5, timings=False)},
        ),
    ]
    _, stream = await stream_all(groq_mock, chunks)
    assert stream.usage() == Usage(requests=1, request_tokens=20, response_tokens=5, total_tokens=25)


async def test_usage_from_top_level_when_x_groq_has_no_usage(groq_mock: GroqFake) -> None:
    last = wire.chat_completion_chunk({'content': 'b'}, usage=wire.usage_body(6, 4, timings=False))
    last['x_groq'] = {'id': 'req_test'}
    _, stream = await stream_all(groq_mock, [wire.chat_completion_chunk({'content': 'a'}), last])
    assert stream.usage() == Usage(requests=1, request_tokens=6, response_tokens=4, total_tokens=10)


async def test_usage_not_read_from_top_level_beside_a_null_x_groq(groq_mock: GroqFake) -> None:
    # `x_groq: null` says the chunk has none of Groq's metadata, usage included (chunks built with the groq SDK's
    # `x_groq=None`, as in the original API's tests); Groq itself never sends it.
    chunks = [wire.chat_completion_chunk({'content': c}, usage=wire.usage_body(2, 1, timings=False)) for c in 'ab']
    for chunk in chunks:
        chunk['x_groq'] = None
    _, stream = await stream_all(groq_mock, chunks)
    assert stream.usage() == Usage(requests=1)


async def test_usage_from_x_groq_after_chunks_with_a_null_x_groq(groq_mock: GroqFake) -> None:
    first = wire.chat_completion_chunk({'content': 'a'}, usage=wire.usage_body(2, 1, timings=False))
    first['x_groq'] = None
    last = wire.chat_completion_chunk(
        {'content': 'b'},
        usage=wire.usage_body(7, 3, timings=False),
        x_groq={'id': 'req_test', 'usage': wire.usage_body(7, 3, timings=False)},
    )
    _, stream = await stream_all(groq_mock, [first, last])
    assert stream.usage() == Usage(requests=1, request_tokens=7, response_tokens=3, total_tokens=10)


async def test_usage_without_any_token_counts_is_one_request(groq_mock: GroqFake) -> None:
    _, stream = await stream_all(groq_mock, [wire.chat_completion_chunk({'content': 'a'})])
    assert stream.usage() == Usage(requests=1)


async def test_model_name_and_timestamp_from_first_chunk(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({'content': 'a'}, model='llama-3.3-70b-versatile-0201', created=CREATED),
        wire.chat_completion_chunk({'content': 'b'}, model='other-model', created=CREATED + 3600),
    ]
    _, stream = await stream_all(groq_mock, chunks)
    expected = datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    assert stream.model_name == 'llama-3.3-70b-versatile-0201'
    assert stream.timestamp == expected
    response = stream.get()
    assert response.model_name == 'llama-3.3-70b-versatile-0201'
    assert response.timestamp == expected


async def test_chunk_with_empty_choices_is_skipped(groq_mock: GroqFake) -> None:
    chunks = [
        wire.chat_completion_chunk({}, choices=[]),
        wire.chat_completion_chunk({'content': 'Hello'}),
        wire.chat_completion_chunk({}, choices=[]),
        wire.chat_completion_chunk({'content': ' there'}),
    ]
    events, stream = await stream_all(groq_mock, chunks)
    assert stream.get().parts == [TextPart('Hello there')]
    assert len(events) == 2


async def test_stream_without_chunks_raises_on_entering(groq_mock: GroqFake) -> None:
    body = RecordingByteStream([wire.DONE_FRAME])
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), stream=body)
    with pytest.raises(UnexpectedModelBehavior):
        async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS):
            pytest.fail('request_stream must not yield for an empty stream')  # pragma: no cover
    assert len(groq_mock.requests) == 1
    assert body.closed


# --- Errors during the stream ---------------------------------------------------------------------------------------


async def test_error_frame_raises_model_api_error_and_keeps_parts(groq_mock: GroqFake) -> None:
    error = {'message': 'The model is overloaded', 'type': 'server_error', 'code': 'overloaded'}
    frames = wire.sse_frames(
        [wire.chat_completion_chunk({'content': 'Partial '}), wire.chat_completion_chunk({'content': 'answer'})],
        done=False,
    )
    frames.append(wire.encode_sse({'error': error}, event='error'))
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), content=b''.join(frames))
    events: list[ModelResponseStreamEvent] = []
    async with groq_mock.model(MODEL_NAME).request_stream(user_prompt(), None, NO_TOOLS) as stream:
        with pytest.raises(ModelAPIError) as exc_info:
            async for event in stream:
                events.append(event)
    exc = exc_info.value
    assert not isinstance(exc, ModelHTTPError)
    assert exc.body == error
    assert exc.model_name == 'llama-3.3-70b-versatile'
    assert 'The model is overloaded' in str(exc)
    details = stream.get().provider_details
    assert details is not None and details['error'] == error
    assert len(events) == 2
    assert stream.get().parts == [TextPart('Partial answer')]


async def test_error_frame_before_any_chunk_raises_model_api_error_on_entering(groq_mock: GroqFake) -> None:
    error = {'message': 'Request blocked', 'type': 'invalid_request_error'}
    body = RecordingByteStream([wire.encode_sse({'error': error}, event='error')])
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), stream=body)
    with pytest.raises(ModelAPIError) as exc_info:
        async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS):
            pytest.fail('request_stream must not yield after an error frame')  # pragma: no cover
    assert exc_info.value.body == error
    assert body.closed


async def test_connection_lost_mid_stream_raises_model_connection_error_and_keeps_parts(groq_mock: GroqFake) -> None:
    body = RecordingByteStream(
        wire.sse_frames(
            [wire.chat_completion_chunk({'content': 'Hello'}), wire.chat_completion_chunk({'content': ' wor'})],
            done=False,
        ),
        raise_after=httpx.ReadError('connection reset'),
    )
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), stream=body)
    async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
        with pytest.raises(ModelConnectionError):
            async for _ in stream:
                pass
    assert stream.get().parts == [TextPart('Hello wor')]
    assert body.closed


async def test_invalid_json_frame_raises_unexpected_model_behavior(groq_mock: GroqFake) -> None:
    frames = wire.sse_frames([wire.chat_completion_chunk({'content': 'ok'})], done=False) + [
        b'data: {not json\n\n',
        wire.DONE_FRAME,
    ]
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), content=b''.join(frames))
    async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
        with pytest.raises(UnexpectedModelBehavior):
            async for _ in stream:
                pass
    assert stream.get().parts == [TextPart('ok')]


# --- Closing --------------------------------------------------------------------------------------------------------


async def test_leaving_the_block_early_closes_the_http_response(groq_mock: GroqFake) -> None:
    body = RecordingByteStream(
        wire.sse_frames([wire.chat_completion_chunk({'content': f'part {i} '}) for i in range(20)])
    )
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), stream=body)
    async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
        async for event in stream:
            assert event == PartStartEvent(index=0, part=TextPart('part 0 '))
            break
        assert not body.closed
    assert body.closed
    assert body.frames_sent < len(body.frames)


async def test_exception_in_the_block_closes_the_http_response(groq_mock: GroqFake) -> None:
    body = RecordingByteStream(
        wire.sse_frames([wire.chat_completion_chunk({'content': 'a'}), wire.chat_completion_chunk({'content': 'b'})])
    )
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), stream=body)
    with pytest.raises(KeyError):
        async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS):
            raise KeyError('caller failed')
    assert body.closed


async def test_reading_to_the_end_closes_the_http_response(groq_mock: GroqFake) -> None:
    body = RecordingByteStream(
        wire.sse_frames([wire.chat_completion_chunk({'content': 'a'}), wire.chat_completion_chunk({'content': 'b'})])
    )
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), stream=body)
    async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
        async for _ in stream:
            pass
    assert body.closed
    assert stream.get().parts == [TextPart('ab')]
