"""Reliability: HTTP 429/5xx from a real local server, retried per `max_retries`, then a `ModelHTTPError`."""

from __future__ import annotations

import time

import httpx
import pytest

from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai_groq.testing import GroqTestServer, http_error, streamed_text, text_completion

from support.reliability import describe, run_request, run_stream, server_model, text_of

pytestmark = [pytest.mark.asyncio]

# The groq SDK honours `retry-after` in (0, 60] seconds; a tiny one keeps the retry tests fast.
FAST_RETRY = 0.01


@pytest.mark.parametrize('max_retries', [0, 1, 2])
@pytest.mark.parametrize('status', [429, 500, 502, 503])
async def test_retryable_status_is_retried_max_retries_times_then_raises_model_http_error(
    server: GroqTestServer, http_client: httpx.AsyncClient, status: int, max_retries: int
) -> None:
    error = http_error(status, f'failure {status}', code=f'code_{status}', retry_after=FAST_RETRY)
    sentinel = text_completion('should not be reached')
    server.enqueue(error.repeat(max_retries + 1), sentinel)
    model = server_model(server, http_client, max_retries=max_retries)

    outcome = await run_request(model)

    exc = outcome.error
    assert isinstance(exc, ModelHTTPError), describe(exc)
    assert exc.status_code == status
    assert isinstance(exc.body, dict), f'body should be the parsed JSON, got {exc.body!r}'
    assert set(exc.body) == {'error'}
    assert exc.body['error']['message'] == f'failure {status}'
    assert exc.body['error']['code'] == f'code_{status}'
    assert exc.headers['retry-after'] == str(FAST_RETRY)
    assert exc.headers['content-type'] == 'application/json'
    assert exc.headers['x-request-id'].startswith('req_')
    assert exc.model_name == 'llama-3.3-70b-versatile'
    assert str(status) in str(exc)
    assert server.request_count == max_retries + 1
    assert server.pending == 1  # the success after the errors was never asked for


@pytest.mark.parametrize('status', [429, 503])
async def test_streamed_request_is_retried_then_raises_model_http_error(
    server: GroqTestServer, http_client: httpx.AsyncClient, status: int
) -> None:
    server.enqueue(http_error(status, retry_after=FAST_RETRY).repeat(3))
    model = server_model(server, http_client, max_retries=2)

    outcome = await run_stream(model)

    assert not outcome.entered
    assert isinstance(outcome.error, ModelHTTPError), describe(outcome.error)
    assert outcome.error.status_code == status
    assert server.request_count == 3


async def test_429_with_retry_after_is_honoured_then_succeeds(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(http_error(429, retry_after=0.3), text_completion('after the wait'))
    model = server_model(server, http_client, max_retries=2)

    started = time.monotonic()
    outcome = await run_request(model)
    elapsed = time.monotonic() - started

    assert outcome.error is None, describe(outcome.error)
    assert text_of(outcome.response) == 'after the wait'
    assert server.request_count == 2
    assert elapsed >= 0.3


async def test_503_twice_then_success_returns_the_success(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(http_error(503, retry_after=FAST_RETRY).repeat(2), text_completion('third time lucky'))
    model = server_model(server, http_client, max_retries=2)

    outcome = await run_request(model)

    assert outcome.error is None, describe(outcome.error)
    assert text_of(outcome.response) == 'third time lucky'
    assert server.request_count == 3


async def test_streamed_503_then_success_streams_the_success(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(http_error(503, retry_after=FAST_RETRY), streamed_text(['str', 'eamed']))
    model = server_model(server, http_client, max_retries=1)

    outcome = await run_stream(model)

    assert outcome.error is None, describe(outcome.error)
    assert text_of(outcome.response) == 'streamed'
    assert server.request_count == 2


async def test_5xx_without_retry_after_is_still_retried(server: GroqTestServer, http_client: httpx.AsyncClient) -> None:
    server.enqueue(http_error(500), text_completion('recovered'))
    model = server_model(server, http_client, max_retries=1)

    outcome = await run_request(model)

    assert outcome.error is None, describe(outcome.error)
    assert server.request_count == 2


@pytest.mark.parametrize('status', [400, 401, 404, 413])
async def test_client_errors_are_not_retried(
    server: GroqTestServer, http_client: httpx.AsyncClient, status: int
) -> None:
    server.enqueue(http_error(status, retry_after=FAST_RETRY).repeat(3))
    model = server_model(server, http_client, max_retries=2)

    outcome = await run_request(model)

    assert isinstance(outcome.error, ModelHTTPError), describe(outcome.error)
    assert outcome.error.status_code == status
    assert server.request_count == 1


async def test_retry_after_is_exposed_on_the_error(server: GroqTestServer, http_client: httpx.AsyncClient) -> None:
    server.enqueue(http_error(429, retry_after=7))
    model = server_model(server, http_client, max_retries=0)

    outcome = await run_request(model)

    assert isinstance(outcome.error, ModelHTTPError), describe(outcome.error)
    assert outcome.error.retry_after == 7.0
    assert outcome.error.body['error']['code'] == 'rate_limit_exceeded'  # type: ignore[index]
    assert server.request_count == 1


async def test_http_error_leaves_no_connection_behind(server: GroqTestServer, http_client: httpx.AsyncClient) -> None:
    server.enqueue(http_error(503, retry_after=FAST_RETRY).repeat(2))
    model = server_model(server, http_client, max_retries=1)

    outcome = await run_stream(model)

    assert isinstance(outcome.error, ModelHTTPError), describe(outcome.error)
    # The client may keep one idle connection for reuse, but nothing more.
    assert await server.wait_for_async(lambda: server.open_connections <= 1, timeout=5)
    assert server.disconnects == 0
    await http_client.aclose()
    assert await server.wait_for_no_connections_async(timeout=5)
