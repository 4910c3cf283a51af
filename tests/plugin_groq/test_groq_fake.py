"""`pydantic_ai_groq.testing.GroqFake`: Groq in-process, serving the same scripted responses as the socket server."""

from __future__ import annotations

import httpx
import pytest

from pydantic_ai.exceptions import ModelConnectionError, ModelHTTPError
from pydantic_ai.messages import ModelRequest, TextPart, ToolCallPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai_groq.testing import (
    GroqFake,
    http_error,
    reset_connection,
    streamed_text,
    streamed_tool_call,
    text_completion,
    wire,
)

pytestmark = pytest.mark.asyncio

PARAMS = ModelRequestParameters()


def prompt(text: str = 'Hello') -> list[ModelRequest]:
    return [ModelRequest.user_text_prompt(text)]


async def test_queued_answers_are_served_in_order_then_the_prompt_is_echoed() -> None:
    async with GroqFake(text_completion('first'), text_completion('second')) as fake:
        model = fake.model()
        answers = [(await model.request(prompt(f'q{n}'), None, PARAMS))[0].parts for n in range(3)]
    assert answers == [[TextPart('first')], [TextPart('second')], [TextPart('q2')]]
    assert [body['messages'][-1]['content'] for body in fake.bodies] == ['q0', 'q1', 'q2']


async def test_a_streamed_script_is_streamed_through_the_real_sdk() -> None:
    async with GroqFake(streamed_text(['Hel', 'lo'], prompt_tokens=4, completion_tokens=2)) as fake:
        async with fake.model().request_stream(prompt(), None, PARAMS) as stream:
            events = [event async for event in stream]
    assert len(events) == 2
    response = stream.get()
    assert response.parts == [TextPart('Hello')]
    assert (response.usage.request_tokens, response.usage.response_tokens) == (4, 2)
    assert fake.body['stream'] is True
    assert fake.requests[0].headers['authorization'].startswith('Bearer gsk_fake')


async def test_scripted_http_errors_repeat_and_raise_typed_errors() -> None:
    async with GroqFake(http_error(429, retry_after=3).repeat(2), text_completion('ok')) as fake:
        model = fake.model()
        for _ in range(2):
            with pytest.raises(ModelHTTPError) as exc_info:
                await model.request(prompt(), None, PARAMS)
            assert exc_info.value.status_code == 429
            assert exc_info.value.retry_after == 3
        response, _ = await model.request(prompt(), None, PARAMS)
    assert response.parts == [TextPart('ok')]


async def test_sdk_retries_are_the_clients_when_asked_for() -> None:
    async with GroqFake(http_error(503), text_completion('after a retry'), max_retries=1) as fake:
        response, _ = await fake.model().request(prompt(), None, PARAMS)
    assert response.parts == [TextPart('after a retry')]
    assert len(fake.requests) == 2


async def test_streamed_tool_call_fragments_are_joined() -> None:
    async with GroqFake(streamed_tool_call('get_weather', {'city': 'Paris'}, fragments=4, call_id='call_7')) as fake:
        async with fake.model().request_stream(prompt(), None, PARAMS) as stream:
            async for _ in stream:
                pass
    assert stream.get().parts == [ToolCallPart('get_weather', '{"city":"Paris"}', 'call_7')]


async def test_a_reset_before_answering_is_a_connection_error() -> None:
    async with GroqFake(reset_connection()) as fake:
        with pytest.raises(ModelConnectionError):
            await fake.model().request(prompt(), None, PARAMS)


async def test_a_stream_cut_after_some_frames_keeps_the_parts_received() -> None:
    async with GroqFake(streamed_text(['a', 'b', 'c']).with_close_after(2)) as fake:
        async with fake.model().request_stream(prompt(), None, PARAMS) as stream:
            with pytest.raises(ModelConnectionError, match='mid-stream'):
                async for _ in stream:
                    pass
    assert stream.get().parts == [TextPart('a')]


async def test_responder_answers_every_request_once_the_queue_is_empty() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=wire.chat_completion(f'you sent {len(request.content)} bytes'))

    async with GroqFake(responder=answer) as fake:
        response, _ = await fake.model().request(prompt(), None, PARAMS)
    assert isinstance(response.parts[0], TextPart) and response.parts[0].content.startswith('you sent ')


async def test_tool_call_completion_is_parsed_from_the_shared_wire_builders() -> None:
    async with GroqFake() as fake:
        fake.enqueue(http_error(500), streamed_text(['x']))
        fake.responder = httpx.Response(
            200, json=wire.chat_completion(tool_calls=[wire.tool_call('call_1', 'f', '{}')], completion_id='chatcmpl-1')
        )
        with pytest.raises(ModelHTTPError):
            await fake.model().request(prompt(), None, PARAMS)
        async with fake.model().request_stream(prompt(), None, PARAMS) as stream:
            async for _ in stream:
                pass
        response, _ = await fake.model().request(prompt(), None, PARAMS)
    assert stream.get().parts == [TextPart('x')]
    assert response.parts == [ToolCallPart('f', '{}', 'call_1')]
    assert response.provider_response_id == 'chatcmpl-1'


async def test_body_refuses_to_guess_when_several_requests_were_sent() -> None:
    async with GroqFake(text_completion('a'), text_completion('b')) as fake:
        for _ in range(2):
            await fake.model().request(prompt(), None, PARAMS)
        with pytest.raises(ValueError, match='exactly one request'):
            _ = fake.body
