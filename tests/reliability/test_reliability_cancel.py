"""Reliability: a caller that stops early or is cancelled closes the HTTP response, and no connection stays open."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from pydantic_ai_groq import GroqModel
from pydantic_ai_groq.testing import GroqTestServer, streamed_text, text_completion

from support.reliability import (
    NO_TOOLS,
    describe,
    prompt,
    run_request,
    run_stream,
    server_model,
    text_of,
)

pytestmark = [pytest.mark.asyncio]

# A stream that would take 4 s to finish: long enough that only a disconnect can end it within the test.
SLOW_STREAM = streamed_text([f'w{i} ' for i in range(200)]).with_frame_delay(0.02)


async def assert_connection_released(server: GroqTestServer) -> None:
    """The server saw the client leave mid-response, and no connection is open (the client still exists)."""
    assert await server.wait_for_disconnect_async(timeout=3), 'the server never saw the client disconnect'
    assert await server.wait_for_no_connections_async(timeout=3), f'{server.open_connections} connection(s) left open'


async def assert_model_still_works(server: GroqTestServer, model: GroqModel) -> None:
    server.enqueue(text_completion('still here'))
    outcome = await run_request(model)
    assert outcome.error is None, describe(outcome.error)
    assert text_of(outcome.response) == 'still here'


async def test_breaking_out_of_the_stream_closes_the_response(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(SLOW_STREAM)
    model = server_model(server, http_client)

    received = 0
    async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
        async for _ in stream:
            received += 1
            if received == 2:
                break
        assert stream.get().parts  # what arrived is kept

    await assert_connection_released(server)
    await assert_model_still_works(server, model)


async def test_leaving_the_block_without_iterating_closes_the_response(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(SLOW_STREAM)
    model = server_model(server, http_client)

    async with model.request_stream(prompt(), None, NO_TOOLS):
        pass

    await assert_connection_released(server)


async def test_an_exception_in_the_block_closes_the_response(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(SLOW_STREAM)
    model = server_model(server, http_client)

    with pytest.raises(LookupError, match='caller bug'):
        async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
            async for _ in stream:
                raise LookupError('caller bug')

    await assert_connection_released(server)


async def test_cancelling_the_task_mid_stream_closes_the_response(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(SLOW_STREAM)
    model = server_model(server, http_client)
    streaming = asyncio.Event()

    async def consume() -> None:
        async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
            async for _ in stream:
                streaming.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(streaming.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await assert_connection_released(server)
    await assert_model_still_works(server, model)


async def test_timing_out_a_stream_with_wait_for_closes_the_response(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(SLOW_STREAM)
    model = server_model(server, http_client)

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(run_stream(model), timeout=0.2)

    await assert_connection_released(server)


async def test_cancelling_while_waiting_for_headers_closes_the_connection(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_text(['late']).with_stall(5))
    model = server_model(server, http_client)

    task = asyncio.create_task(run_stream(model))
    assert await server.wait_for_async(lambda: server.request_count == 1, timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await assert_connection_released(server)


async def test_cancelling_a_non_streamed_request_closes_the_connection(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(text_completion('late').with_stall(5))
    model = server_model(server, http_client)

    task = asyncio.create_task(model.request(prompt(), None, NO_TOOLS))
    assert await server.wait_for_async(lambda: server.request_count == 1, timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await assert_connection_released(server)
    await assert_model_still_works(server, model)


async def test_many_abandoned_streams_leave_no_connection_behind(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(SLOW_STREAM.repeat(20))
    model = server_model(server, http_client)

    async def take_one_event() -> None:
        async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
            async for _ in stream:
                break

    await asyncio.gather(*(take_one_event() for _ in range(20)))

    assert await server.wait_for_disconnect_async(timeout=5, count=20)
    assert await server.wait_for_no_connections_async(timeout=5), f'{server.open_connections} left open'


async def test_a_finished_stream_keeps_its_connection_for_reuse(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_text(['a', 'b']), streamed_text(['c']))
    model = server_model(server, http_client)

    first = await run_stream(model)
    second = await run_stream(model)

    assert (text_of(first.response), text_of(second.response)) == ('ab', 'c')
    assert server.connections_accepted == 1
    assert server.disconnects == 0
