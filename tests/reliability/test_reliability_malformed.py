"""Reliability: malformed answers give `UnexpectedModelBehavior` (or the documented error) naming what was wrong.

Never a raw `KeyError`/`AttributeError`/`IndexError`/`TypeError`/`pydantic.ValidationError`/`json` error.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pydantic_ai.exceptions import ModelAPIError, PydanticAIError, UnexpectedModelBehavior
from pydantic_ai.messages import ModelResponse, ToolCallPart
from pydantic_ai_groq.testing import (
    GroqTestServer,
    ToolCall,
    json_response,
    raw_response,
    raw_sse,
    streamed_error,
    streamed_text,
    streamed_tool_call,
    text_completion,
    tool_call_completion,
    wire,
)

from support.reliability import assert_error, describe, run_request, run_stream, server_model, text_of

pytestmark = [pytest.mark.asyncio]


def completion_without(*path: str | int) -> dict[str, Any]:
    """A valid completion body with the item at `path` removed."""
    body = wire.chat_completion('fine')
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


def completion_with(value: Any, *path: str | int) -> dict[str, Any]:
    """A valid completion body with the item at `path` replaced by `value`."""
    body = wire.chat_completion('fine')
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


def chunk(delta: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return wire.chat_completion_chunk(delta, **kwargs)


FIRST_CHUNK = chunk({'role': 'assistant', 'content': ''}, x_groq={'id': 'req_test'})


# -- non-streamed ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('body', 'named'),
    [
        pytest.param(b'{"id": "chatcmpl-1", "choices": [', 'json', id='truncated-json'),
        pytest.param(b'<html>Bad gateway</html>', 'json', id='html'),
        pytest.param(b'', 'json', id='empty-body'),
        pytest.param(b'\xff\xfe\x00\x01 not utf-8', '', id='non-utf8'),
        pytest.param(
            b'{"choices": [{"message": {"role": "assistant", "content": "\xff"}}]}', '', id='non-utf8-in-json'
        ),
    ],
)
async def test_body_that_is_not_json_raises_unexpected_model_behavior(
    server: GroqTestServer, http_client: httpx.AsyncClient, body: bytes, named: str
) -> None:
    server.enqueue(raw_response(body))
    outcome = await run_request(server_model(server, http_client))
    assert_error(outcome.error, UnexpectedModelBehavior, named)


async def test_non_utf8_body_message_says_so(server: GroqTestServer, http_client: httpx.AsyncClient) -> None:
    server.enqueue(raw_response(b'\xff\xfe\x00\x01 not utf-8'))
    outcome = await run_request(server_model(server, http_client))
    assert isinstance(outcome.error, UnexpectedModelBehavior), describe(outcome.error)
    message = str(outcome.error).lower()
    assert 'json' in message or 'utf-8' in message or 'utf8' in message, message


@pytest.mark.parametrize(
    ('body', 'named'),
    [
        pytest.param(completion_without('choices'), 'choices', id='missing-choices'),
        pytest.param(completion_with([], 'choices'), 'choice', id='empty-choices'),
        pytest.param(completion_with(None, 'choices'), 'choice', id='null-choices'),
        pytest.param(completion_with('text', 'choices'), 'choice', id='string-choices'),
        pytest.param(completion_without('choices', 0, 'message'), 'message', id='missing-message'),
        pytest.param(completion_with(None, 'choices', 0, 'message'), 'message', id='null-message'),
        pytest.param(completion_with('hello', 'choices', 0, 'message'), 'message', id='string-message'),
        pytest.param(completion_with(42, 'choices', 0, 'message', 'content'), 'content', id='numeric-content'),
        pytest.param(completion_with('x', 'choices', 0, 'message', 'tool_calls'), 'tool_calls', id='string-tool-calls'),
        pytest.param(
            completion_with([{'id': 'c', 'type': 'function'}], 'choices', 0, 'message', 'tool_calls'),
            'function',
            id='tool-call-without-function',
        ),
        pytest.param(
            completion_with(
                [{'id': 'c', 'type': 'function', 'function': {'arguments': '{}'}}],
                'choices',
                0,
                'message',
                'tool_calls',
            ),
            'name',
            id='tool-call-without-name',
        ),
        pytest.param([1, 2, 3], 'object', id='json-array'),
        pytest.param('just a string', 'object', id='json-string'),
    ],
)
async def test_body_of_the_wrong_shape_raises_unexpected_model_behavior_naming_the_field(
    server: GroqTestServer, http_client: httpx.AsyncClient, body: Any, named: str
) -> None:
    server.enqueue(json_response(body))
    outcome = await run_request(server_model(server, http_client))
    assert_error(outcome.error, UnexpectedModelBehavior, named)


async def test_unknown_finish_reason_is_reported_not_crashed_on(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(text_completion('odd ending', finish_reason='gremlins'))
    outcome = await run_request(server_model(server, http_client))
    assert_unknown_finish_reason_handled(outcome.response, outcome.error)


def assert_unknown_finish_reason_handled(response: ModelResponse | None, error: Exception | None) -> None:
    """Either `UnexpectedModelBehavior` naming the value, or a response that keeps the raw value for the caller."""
    if error is not None:
        assert_error(error, UnexpectedModelBehavior, 'finish_reason', 'gremlins')
        return
    assert response is not None
    assert response.finish_reason is None
    assert response.provider_details is not None
    assert response.provider_details.get('finish_reason') == 'gremlins'


async def test_tool_call_arguments_that_are_not_json_are_reported_with_the_tool_name(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(tool_call_completion(ToolCall('get_weather', '{"city": "Par', 'call_1')))
    outcome = await run_request(server_model(server, http_client))
    assert_invalid_arguments_handled(outcome.response, outcome.error, '{"city": "Par')


def assert_invalid_arguments_handled(response: ModelResponse | None, error: Exception | None, raw_args: str) -> None:
    """Either `UnexpectedModelBehavior` naming the tool, or the call kept verbatim with `args_as_dict()` naming it."""
    if error is not None:
        assert_error(error, UnexpectedModelBehavior, 'get_weather')
        return
    assert response is not None
    calls = [part for part in response.parts if isinstance(part, ToolCallPart)]
    assert len(calls) == 1
    assert calls[0].tool_name == 'get_weather'
    assert calls[0].args == raw_args
    with pytest.raises(UnexpectedModelBehavior, match='get_weather'):
        calls[0].args_as_dict()


# -- streamed -------------------------------------------------------------------------------------------------


async def test_frame_that_is_not_json_raises_unexpected_model_behavior(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(
        raw_sse([FIRST_CHUNK, chunk({'content': 'kept'}), 'data: {"choices": [{"delta"', chunk({})], done=True)
    )
    outcome = await run_stream(server_model(server, http_client))
    assert outcome.entered
    assert_error(outcome.error, UnexpectedModelBehavior, 'json')
    assert text_of(outcome.response) == 'kept'


async def test_first_frame_that_is_not_json_raises_unexpected_model_behavior(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(raw_sse(['data: <html>oops</html>'], done=True))
    outcome = await run_stream(server_model(server, http_client))
    assert_error(outcome.error, UnexpectedModelBehavior, 'json')


async def test_stream_without_done_raises_unexpected_model_behavior_and_keeps_the_parts(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_text(['Hel', 'lo'], done=False))
    outcome = await run_stream(server_model(server, http_client))
    assert outcome.entered
    assert_error(outcome.error, UnexpectedModelBehavior, '[DONE]')
    assert text_of(outcome.response) == 'Hello'


@pytest.mark.parametrize(
    'frames',
    [
        pytest.param(raw_sse([]), id='empty-body'),
        pytest.param(raw_sse([], done=True), id='only-done'),
        pytest.param(raw_sse([': keep-alive comment']), id='only-comment'),
    ],
)
async def test_stream_with_no_chunks_raises_unexpected_model_behavior(
    server: GroqTestServer, http_client: httpx.AsyncClient, frames: Any
) -> None:
    server.enqueue(frames)
    outcome = await run_stream(server_model(server, http_client))
    assert not outcome.entered
    assert isinstance(outcome.error, UnexpectedModelBehavior), describe(outcome.error)
    # Both describe an empty stream truthfully: no chunk arrived, and neither did `[DONE]`.
    message = str(outcome.error)
    assert 'chunk' in message or '[DONE]' in message, message


async def test_stream_answered_with_a_json_body_raises_unexpected_model_behavior(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    # A proxy that ignores `stream: true` and answers with a plain completion.
    server.enqueue(text_completion('not a stream'))
    outcome = await run_stream(server_model(server, http_client))
    assert isinstance(outcome.error, UnexpectedModelBehavior), describe(outcome.error)


async def test_error_event_raises_model_api_error_with_groqs_message_and_keeps_the_parts(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(
        streamed_error(
            'The model crashed while generating',
            code='internal_error',
            error_type='server_error',
            status_code=500,
            text_before=['Par', 'tial'],
        )
    )
    outcome = await run_stream(server_model(server, http_client))
    assert outcome.entered
    assert_error(outcome.error, ModelAPIError, 'The model crashed while generating')
    assert isinstance(outcome.error, ModelAPIError)
    assert isinstance(outcome.error.body, dict)
    assert 'internal_error' in str(outcome.error.body)
    assert text_of(outcome.response) == 'Partial'


async def test_error_event_as_the_first_frame_raises_model_api_error(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    error = wire.error_body('Over capacity', error_type='server_error', code='over_capacity')
    server.enqueue(raw_sse([wire.encode_sse(error, event='error')]))
    outcome = await run_stream(server_model(server, http_client))
    assert_error(outcome.error, ModelAPIError, 'Over capacity')


async def test_tool_use_failed_error_event_is_handled_as_documented(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_error(failed_generation='{"name": "get_weather", "arguments": {"town": "Paris"}}'))
    outcome = await run_stream(server_model(server, http_client))
    if outcome.error is not None:
        assert_error(outcome.error, ModelAPIError, 'Tool call validation failed')
        return
    assert outcome.response is not None
    assert outcome.response.finish_reason == 'error'
    assert outcome.response.provider_details is not None
    assert outcome.response.provider_details['error']['code'] == 'tool_use_failed'


async def test_tool_call_fragments_that_never_form_json_are_reported_with_the_tool_name(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_tool_call('get_weather', '{"city": "Par', fragments=3, call_id='call_1'))
    outcome = await run_stream(server_model(server, http_client))
    assert_invalid_arguments_handled(outcome.response, outcome.error, '{"city": "Par')


async def test_streamed_unknown_finish_reason_is_reported_not_crashed_on(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_text(['odd'], finish_reason='gremlins'))
    outcome = await run_stream(server_model(server, http_client))
    assert_unknown_finish_reason_handled(outcome.response, outcome.error)


async def test_non_utf8_frame_raises_unexpected_model_behavior(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(raw_sse([FIRST_CHUNK, b'data: {"choices": [{"delta": {"content": "\xff\xfe"}}]}\n\n'], done=True))
    outcome = await run_stream(server_model(server, http_client))
    assert isinstance(outcome.error, UnexpectedModelBehavior), describe(outcome.error)
    message = str(outcome.error).lower()
    assert 'utf-8' in message or 'utf8' in message or 'json' in message, message


@pytest.mark.parametrize(
    ('frame', 'named'),
    [
        pytest.param(chunk({}) | {'choices': 'x'}, 'choices', id='string-choices'),
        pytest.param(chunk({}) | {'choices': [{'index': 0, 'delta': None}]}, 'delta', id='null-delta'),
        pytest.param(chunk({}) | {'choices': [{'index': 0, 'delta': 'text'}]}, 'delta', id='string-delta'),
        pytest.param(chunk({'content': 42}), 'content', id='numeric-content'),
        pytest.param(chunk({'tool_calls': 'x'}), 'tool_calls', id='string-tool-calls'),
        pytest.param(chunk({'tool_calls': [{'index': {'a': 1}, 'id': 'c'}]}), 'index', id='dict-index'),
        pytest.param(chunk({'tool_calls': [{'index': 0, 'function': 'f'}]}), 'function', id='string-function'),
        pytest.param([1, 2], 'object', id='array-frame'),
    ],
)
async def test_chunk_of_the_wrong_shape_raises_unexpected_model_behavior_naming_the_field(
    server: GroqTestServer, http_client: httpx.AsyncClient, frame: Any, named: str
) -> None:
    frames: list[Any] = [FIRST_CHUNK, frame]
    server.enqueue(
        raw_sse([f if isinstance(f, dict) else f'data: {wire.encode_json(f).decode()}' for f in frames], done=True)
    )
    outcome = await run_stream(server_model(server, http_client))
    assert_error(outcome.error, UnexpectedModelBehavior, named)


async def test_malformed_answers_never_leak_internal_errors(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    """A sweep of odd but possible answers: each either works or raises a documented error."""
    odd: list[Any] = [
        json_response(completion_with(None, 'usage')),
        json_response(completion_with('many', 'usage')),
        json_response(completion_with({'prompt_tokens': 'ten'}, 'usage')),
        json_response(completion_with('yesterday', 'created')),
        json_response(completion_with(None, 'model')),
        json_response(completion_with(None, 'id')),
        json_response(completion_with(None, 'choices', 0, 'message', 'content')),
        raw_sse([FIRST_CHUNK, chunk({'content': 'x'}, x_groq={'usage': 'lots'})], done=True),
        raw_sse([FIRST_CHUNK | {'model': None, 'created': 'then'}, chunk({'content': 'x'})], done=True),
        raw_sse([FIRST_CHUNK, {'choices': []}, {'not': 'a chunk'}], done=True),
    ]
    model = server_model(server, http_client)
    for response in odd:
        server.enqueue(response)
        if response.is_stream:
            error = (await run_stream(model)).error
        else:
            error = (await run_request(model)).error
        assert error is None or isinstance(error, PydanticAIError), describe(error)


async def test_a_good_answer_after_bad_ones_still_works(server: GroqTestServer, http_client: httpx.AsyncClient) -> None:
    server.enqueue(raw_response(b'{'), raw_sse(['data: nope'], done=True), streamed_text(['fine']))
    model = server_model(server, http_client)
    await run_request(model)
    await run_stream(model)
    outcome = await run_stream(model)
    assert outcome.error is None, describe(outcome.error)
    assert text_of(outcome.response) == 'fine'
