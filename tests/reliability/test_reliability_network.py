"""Reliability: timeouts, refused and reset connections, truncated bodies, against a real local server."""

from __future__ import annotations

import time

import httpx
import pytest

from pydantic_ai.exceptions import ModelConnectionError, ModelTimeoutError
from pydantic_ai_groq.testing import (
    GroqTestServer,
    close_connection,
    reset_connection,
    streamed_text,
    text_completion,
)

from support.reliability import (
    BEFORE_RESPONSE,
    MID_STREAM,
    describe,
    groq_model,
    run_request,
    run_stream,
    server_model,
    text_of,
    unused_port,
)

pytestmark = [pytest.mark.asyncio]

TIMEOUT = 0.2
STALL = 3.0


def assert_says_before_response(error: BaseException | None) -> None:
    assert isinstance(error, ModelTimeoutError), describe(error)
    message = str(error)
    assert BEFORE_RESPONSE.search(message), f'the message should say no response had started: {message!r}'
    assert not MID_STREAM.search(message), f'the message should not claim a mid-stream timeout: {message!r}'


def assert_says_mid_stream(error: BaseException | None) -> None:
    assert isinstance(error, ModelTimeoutError), describe(error)
    message = str(error)
    assert MID_STREAM.search(message), f'the message should say the stream stalled mid-way: {message!r}'
    assert not BEFORE_RESPONSE.search(message), f'the message should not claim no response started: {message!r}'


# -- timeouts -------------------------------------------------------------------------------------------------


async def test_timeout_before_headers_raises_model_timeout_error_saying_so(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(text_completion().with_stall(STALL))
    model = server_model(server, http_client, timeout=TIMEOUT)

    started = time.monotonic()
    outcome = await run_request(model)

    assert time.monotonic() - started < STALL - 1
    assert_says_before_response(outcome.error)
    assert outcome.error is not None and outcome.error.__cause__ is not None
    assert server.request_count == 1
    assert await server.wait_for_disconnect_async(timeout=5)


async def test_streamed_timeout_before_headers_raises_model_timeout_error_saying_so(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_text(['never', 'sent']).with_stall(STALL))
    model = server_model(server, http_client, timeout=TIMEOUT)

    outcome = await run_stream(model)

    assert not outcome.entered
    assert_says_before_response(outcome.error)


async def test_timeout_mid_stream_raises_model_timeout_error_saying_so_and_keeps_the_parts(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    # Frames: role, 'Hel', 'lo', then silence.
    server.enqueue(streamed_text(['Hel', 'lo', ' never']).with_stall_after(3, STALL))
    model = server_model(server, http_client, timeout=TIMEOUT)

    started = time.monotonic()
    outcome = await run_stream(model)

    assert time.monotonic() - started < STALL - 1
    assert outcome.entered
    assert_says_mid_stream(outcome.error)
    assert text_of(outcome.response) == 'Hello'
    assert await server.wait_for_disconnect_async(timeout=5)
    assert await server.wait_for_no_connections_async(timeout=5)


async def test_timeout_setting_overrides_the_providers_timeout(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(text_completion().with_stall(STALL))
    model = server_model(server, http_client, timeout=30)

    started = time.monotonic()
    outcome = await run_request(model, settings={'timeout': TIMEOUT})

    assert time.monotonic() - started < STALL - 1
    assert isinstance(outcome.error, ModelTimeoutError), describe(outcome.error)


async def test_timeouts_are_retried_per_max_retries(server: GroqTestServer, http_client: httpx.AsyncClient) -> None:
    server.enqueue(text_completion().with_stall(STALL).repeat(2), text_completion('unused'))
    model = server_model(server, http_client, max_retries=1, timeout=TIMEOUT)

    outcome = await run_request(model)

    assert isinstance(outcome.error, ModelTimeoutError), describe(outcome.error)
    assert server.request_count == 2


async def test_a_stall_shorter_than_the_timeout_is_not_an_error(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_text(['a', 'b']).with_stall(0.05).with_stall_after(2, 0.05))
    model = server_model(server, http_client, timeout=2)

    outcome = await run_stream(model)

    assert outcome.error is None, describe(outcome.error)
    assert text_of(outcome.response) == 'ab'


# -- refused, reset and closed connections --------------------------------------------------------------------


async def test_connection_refused_raises_model_connection_error(http_client: httpx.AsyncClient) -> None:
    model = groq_model(f'http://127.0.0.1:{unused_port()}', http_client, max_retries=0)

    outcome = await run_request(model)

    error = outcome.error
    assert type(error) is ModelConnectionError, describe(error)
    assert 'connect' in str(error).lower()
    assert error.__cause__ is not None


async def test_streamed_connection_refused_raises_model_connection_error(http_client: httpx.AsyncClient) -> None:
    model = groq_model(f'http://127.0.0.1:{unused_port()}', http_client, max_retries=0)

    outcome = await run_stream(model)

    assert not outcome.entered
    assert type(outcome.error) is ModelConnectionError, describe(outcome.error)


async def test_connection_refused_is_retried_then_raises(http_client: httpx.AsyncClient) -> None:
    model = groq_model(f'http://127.0.0.1:{unused_port()}', http_client, max_retries=1)

    started = time.monotonic()
    outcome = await run_request(model)

    assert type(outcome.error) is ModelConnectionError, describe(outcome.error)
    assert time.monotonic() - started < 5


async def test_reset_mid_stream_raises_model_connection_error_and_keeps_the_parts(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    # Frames: role, 'Hel', 'lo', then a TCP reset.
    server.enqueue(streamed_text(['Hel', 'lo', ' wor', 'ld']).with_reset_after(3))
    model = server_model(server, http_client)

    outcome = await run_stream(model)

    assert outcome.entered
    assert type(outcome.error) is ModelConnectionError, describe(outcome.error)
    assert outcome.error.__cause__ is not None
    assert text_of(outcome.response) == 'Hello'
    assert len(outcome.events) >= 1
    assert await server.wait_for_no_connections_async(timeout=5)


async def test_stream_cut_short_raises_model_connection_error_and_keeps_the_parts(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    # The server closes the connection in the middle of the chunked body.
    server.enqueue(streamed_text(['Hel', 'lo', ' wor', 'ld']).with_close_after(3))
    model = server_model(server, http_client)

    outcome = await run_stream(model)

    assert outcome.entered
    assert isinstance(outcome.error, ModelConnectionError), describe(outcome.error)
    assert text_of(outcome.response) == 'Hello'


@pytest.mark.parametrize('fault', [reset_connection, close_connection], ids=['reset', 'closed'])
async def test_connection_lost_before_any_response_raises_model_connection_error(
    server: GroqTestServer, http_client: httpx.AsyncClient, fault: object
) -> None:
    assert callable(fault)
    server.enqueue(fault())
    model = server_model(server, http_client, max_retries=0)

    outcome = await run_request(model)

    assert type(outcome.error) is ModelConnectionError, describe(outcome.error)
    assert server.request_count == 1


async def test_connection_lost_before_any_response_is_retried(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(reset_connection(), close_connection(), text_completion('finally'))
    model = server_model(server, http_client, max_retries=2)

    outcome = await run_request(model)

    assert outcome.error is None, describe(outcome.error)
    assert text_of(outcome.response) == 'finally'
    assert server.request_count == 3


async def test_truncated_non_streamed_body_raises_model_connection_error(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(text_completion('cut').with_close_after(0))
    model = server_model(server, http_client, max_retries=0)

    outcome = await run_request(model)

    assert isinstance(outcome.error, ModelConnectionError), describe(outcome.error)


async def test_streamed_reset_before_response_raises_model_connection_error(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(reset_connection())
    model = server_model(server, http_client, max_retries=0)

    outcome = await run_stream(model)

    assert not outcome.entered
    assert type(outcome.error) is ModelConnectionError, describe(outcome.error)
