"""The streamed path as one loop: errors mapped where the bytes are read, the first chunk read ahead and put back,
one recoverability check, chained causes, and `GroqStreamedResponse` built through the public subclass contract."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import pytest_asyncio

from pydantic_ai.exceptions import ModelAPIError, UnexpectedModelBehavior
from pydantic_ai.messages import PartStartEvent, TextPart, ToolCallPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai_groq import GroqStreamedResponse
from pydantic_ai_groq.testing import GroqFake, wire

from support.constants import user_prompt
from support.reliability import RecordingByteStream

pytestmark = pytest.mark.asyncio

NO_TOOLS = ModelRequestParameters()
TS = datetime(2025, 1, 2, tzinfo=timezone.utc)


@pytest_asyncio.fixture
async def groq_mock() -> AsyncIterator[GroqFake]:
    mock = GroqFake()
    yield mock
    await mock.aclose()


async def _chunks(*items: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    for item in items:
        yield item


async def test_groq_streamed_response_is_built_by_keyword_over_any_chunk_iterator() -> None:
    stream = GroqStreamedResponse(
        model_name='llama-3.3-70b-versatile',
        timestamp=TS,
        chunks=_chunks(
            wire.chat_completion_chunk({'content': 'Hel'}),
            wire.chat_completion_chunk({'content': 'lo'}, finish_reason='stop'),
        ),
    )
    events = [event async for event in stream]
    assert events[0] == PartStartEvent(index=0, part=TextPart('Hel'))
    response = stream.get()
    assert response.parts == [TextPart('Hello')]
    assert (response.model_name, response.timestamp, response.provider_name) == ('llama-3.3-70b-versatile', TS, 'groq')
    assert response.finish_reason == 'stop'


async def test_first_chunk_is_read_ahead_on_entering_and_handled_once(groq_mock: GroqFake) -> None:
    body = RecordingByteStream(
        wire.sse_frames(
            [
                wire.chat_completion_chunk({'content': 'one'}, model='reported-model'),
                wire.chat_completion_chunk({'content': ' two'}),
            ]
        )
    )
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), stream=body)
    async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
        # Entering read the first frame only: the model name comes from it.
        assert body.frames_sent == 1
        assert stream.model_name == 'reported-model'
        events = [event async for event in stream]
    assert [type(e).__name__ for e in events] == ['PartStartEvent', 'PartDeltaEvent']
    assert stream.get().parts == [TextPart('one two')]
    assert body.closed


async def test_leaving_the_block_after_the_read_ahead_closes_the_response(groq_mock: GroqFake) -> None:
    body = RecordingByteStream(
        wire.sse_frames(
            [
                wire.chat_completion_chunk({'content': 'a'}),
                wire.chat_completion_chunk({'content': 'b'}),
                wire.chat_completion_chunk({'content': 'c'}),
            ]
        )
    )
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), stream=body)
    async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS):
        pass
    assert body.closed
    assert body.frames_sent == 1


async def test_frame_that_is_not_json_is_chained_to_the_decode_error(groq_mock: GroqFake) -> None:
    frames = [*wire.sse_frames([wire.chat_completion_chunk({'content': 'ok'})], done=False), b'data: {not json\n\n']
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), content=b''.join(frames))
    async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
        with pytest.raises(UnexpectedModelBehavior, match='not JSON') as exc_info:
            async for _ in stream:
                pass
    assert isinstance(exc_info.value.__cause__, json.JSONDecodeError)
    assert exc_info.value.body == '{not json'
    assert stream.get().parts == [TextPart('ok')]


async def test_non_streamed_body_that_is_not_json_is_chained_to_the_decode_error(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(200, headers={'content-type': 'application/json'}, content=b'<html>')
    with pytest.raises(UnexpectedModelBehavior, match='not valid JSON') as exc_info:
        await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    assert isinstance(exc_info.value.__cause__, json.JSONDecodeError)
    assert exc_info.value.body == '<html>'


async def test_stream_bytes_that_are_not_utf8_are_chained_to_the_decode_error(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), content=b'data: \xff\xfe\n\n')
    with pytest.raises(UnexpectedModelBehavior, match='not UTF-8') as exc_info:
        async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS):
            pass  # pragma: no cover
    assert isinstance(exc_info.value.__cause__, UnicodeDecodeError)


@pytest.mark.parametrize('code', ['tool_use_failed', 'json_validate_failed', None])
async def test_one_check_decides_recoverability_on_every_path(groq_mock: GroqFake, code: str | None) -> None:
    """An error object is recovered (or raised) the same way whether it comes as HTTP 400 or an error frame."""
    error: dict[str, Any] = {'message': 'failed', 'type': 'invalid_request_error', 'failed_generation': 'text'}
    if code is not None:
        error['code'] = code
    recoverable = code == 'tool_use_failed'
    outcomes: list[Any] = []
    groq_mock.responder = httpx.Response(400, json={'error': error})
    try:
        outcomes.append((await groq_mock.model().request(user_prompt(), None, NO_TOOLS))[0].parts)
    except ModelAPIError as exc:
        outcomes.append(type(exc))
    for responder in (
        httpx.Response(400, json={'error': error}),
        httpx.Response(
            200, headers=wire.sse_headers('req_test'), content=wire.encode_sse({'error': error}, event='error')
        ),
    ):
        groq_mock.responder = responder
        try:
            async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
                async for _ in stream:
                    pass
            outcomes.append(stream.get().parts)
        except ModelAPIError as exc:
            outcomes.append(type(exc))
    if recoverable:
        assert outcomes == [[TextPart('text')]] * 3
    else:
        assert all(isinstance(o, type) and issubclass(o, ModelAPIError) for o in outcomes)


async def test_recovered_tool_call_from_an_error_frame_after_text_keeps_both(groq_mock: GroqFake) -> None:
    error = {'message': 'bad call', 'code': 'tool_use_failed', 'failed_generation': '{"name": "f", "arguments": {}}'}
    frames = [
        *wire.sse_frames([wire.chat_completion_chunk({'content': 'Let me check.'})], done=False),
        wire.encode_sse({'error': error}, event='error'),
    ]
    groq_mock.responder = httpx.Response(200, headers=wire.sse_headers('req_test'), content=b''.join(frames))
    async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
        async for _ in stream:
            pass
    parts = stream.get().parts
    assert parts[0] == TextPart('Let me check.')
    assert isinstance(parts[1], ToolCallPart) and parts[1].tool_name == 'f'
    assert stream.get().finish_reason == 'error'
