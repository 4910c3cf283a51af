"""Errors of the groq SDK and httpx, raised as `pydantic_ai.exceptions` types."""

from __future__ import annotations

from collections.abc import AsyncIterator

import groq
import httpx
import pytest
import pytest_asyncio

from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    ModelTimeoutError,
    PydanticAIError,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai_groq.testing import GroqFake, wire

from support.constants import FAKE_GROQ_API_KEY, MODEL_NAME, user_prompt

pytestmark = pytest.mark.asyncio

NO_TOOLS = ModelRequestParameters()


@pytest_asyncio.fixture
async def groq_mock() -> AsyncIterator[GroqFake]:
    mock = GroqFake()
    yield mock
    await mock.aclose()


def error_body(message: str, error_type: str, code: str | None = None) -> dict[str, object]:
    return {'error': {'message': message, 'type': error_type, 'code': code}}


STATUS_CASES = [
    (400, groq.BadRequestError, error_body('messages: must not be empty', 'invalid_request_error')),
    (401, groq.AuthenticationError, error_body('Invalid API Key', 'invalid_request_error', 'invalid_api_key')),
    (
        404,
        groq.NotFoundError,
        error_body('The model `nope` does not exist', 'invalid_request_error', 'model_not_found'),
    ),
    (429, groq.RateLimitError, error_body('Rate limit reached', 'requests', 'rate_limit_exceeded')),
    (500, groq.InternalServerError, error_body('Internal server error', 'internal_server_error')),
]


@pytest.mark.parametrize('status, groq_error, body', STATUS_CASES)
async def test_http_error_status_raises_model_http_error(
    groq_mock: GroqFake,
    status: int,
    groq_error: type[groq.APIStatusError],
    body: dict[str, object],
) -> None:
    groq_mock.responder = httpx.Response(status, json=body, headers={'x-request-id': 'req_123'})
    with pytest.raises(ModelHTTPError) as exc_info:
        await groq_mock.model(MODEL_NAME).request(user_prompt(), None, NO_TOOLS)
    exc = exc_info.value
    assert exc.status_code == status
    assert exc.model_name == MODEL_NAME
    assert exc.body == body
    assert exc.headers['x-request-id'] == 'req_123'
    assert isinstance(exc.__cause__, groq_error)
    assert FAKE_GROQ_API_KEY not in str(exc)
    assert FAKE_GROQ_API_KEY not in repr(exc)
    assert str(status) in str(exc)
    assert len(groq_mock.requests) == 1  # max_retries=0: no retry


async def test_model_http_error_is_in_the_library_tree(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(500, json=error_body('boom', 'internal_server_error'))
    with pytest.raises(ModelHTTPError) as exc_info:
        await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    assert isinstance(exc_info.value, ModelAPIError)
    assert isinstance(exc_info.value, PydanticAIError)


async def test_rate_limit_headers_are_readable(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        429,
        json=error_body('Rate limit reached for requests', 'requests', 'rate_limit_exceeded'),
        headers={'Retry-After': '7', 'X-RateLimit-Remaining-Requests': '0', 'x-ratelimit-reset-requests': '7.5s'},
    )
    with pytest.raises(ModelHTTPError) as exc_info:
        await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    headers = exc_info.value.headers
    assert headers['retry-after'] == '7'
    assert headers['x-ratelimit-remaining-requests'] == '0'
    assert headers['x-ratelimit-reset-requests'] == '7.5s'


async def test_http_error_headers_do_not_hold_request_credentials(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(401, json=error_body('Invalid API Key', 'invalid_request_error'))
    with pytest.raises(ModelHTTPError) as exc_info:
        await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    headers = exc_info.value.headers
    assert all(FAKE_GROQ_API_KEY not in value for value in headers.values())
    assert 'authorization' not in {k.lower() for k in headers}


async def test_non_json_error_body_is_kept_as_text(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(502, text='<html>Bad Gateway</html>')
    with pytest.raises(ModelHTTPError) as exc_info:
        await groq_mock.model().request(user_prompt(), None, NO_TOOLS)
    assert exc_info.value.status_code == 502
    assert exc_info.value.body == '<html>Bad Gateway</html>'


async def test_connection_error_raises_model_connection_error(groq_mock: GroqFake) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError('refused')

    groq_mock.responder = refuse
    with pytest.raises(ModelConnectionError) as exc_info:
        await groq_mock.model(MODEL_NAME).request(user_prompt(), None, NO_TOOLS)
    exc = exc_info.value
    assert not isinstance(exc, ModelTimeoutError)
    assert exc.model_name == MODEL_NAME
    assert 'refused' in str(exc)
    assert isinstance(exc.__cause__, groq.APIConnectionError)
    assert FAKE_GROQ_API_KEY not in str(exc)
    assert len(groq_mock.requests) == 1


async def test_read_timeout_raises_model_timeout_error(groq_mock: GroqFake) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout('slow')

    groq_mock.responder = slow
    with pytest.raises(ModelTimeoutError) as exc_info:
        await groq_mock.model(MODEL_NAME).request(user_prompt(), None, NO_TOOLS)
    exc = exc_info.value
    assert isinstance(exc, ModelConnectionError)
    assert exc.model_name == MODEL_NAME
    assert isinstance(exc.__cause__, groq.APITimeoutError)
    assert FAKE_GROQ_API_KEY not in str(exc)


@pytest.mark.parametrize('status', [429, 500])
async def test_streamed_http_error_raises_model_http_error_on_entering(groq_mock: GroqFake, status: int) -> None:
    body = error_body('Service unavailable', 'internal_server_error')
    groq_mock.responder = httpx.Response(status, json=body, headers={'retry-after': '3'})
    with pytest.raises(ModelHTTPError) as exc_info:
        async with groq_mock.model(MODEL_NAME).request_stream(user_prompt(), None, NO_TOOLS):
            pytest.fail('request_stream must not yield after an HTTP error')  # pragma: no cover
    exc = exc_info.value
    assert exc.status_code == status
    assert exc.body == body
    assert exc.model_name == MODEL_NAME
    assert exc.headers['retry-after'] == '3'
    assert isinstance(exc.__cause__, groq.APIStatusError)
    assert FAKE_GROQ_API_KEY not in str(exc)


async def test_streamed_http_error_with_sse_content_type_raises_model_http_error(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        503, headers=wire.sse_headers('req_test'), content=b'{"error": {"message": "down"}}'
    )
    with pytest.raises(ModelHTTPError) as exc_info:
        async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS):
            pytest.fail('request_stream must not yield after an HTTP error')  # pragma: no cover
    assert exc_info.value.status_code == 503


async def test_streamed_connection_error_raises_model_connection_error(groq_mock: GroqFake) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError('refused')

    groq_mock.responder = refuse
    with pytest.raises(ModelConnectionError):
        async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS):
            pytest.fail('request_stream must not yield after a connection error')  # pragma: no cover


async def test_streamed_timeout_raises_model_timeout_error(groq_mock: GroqFake) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout('slow')

    groq_mock.responder = slow
    with pytest.raises(ModelTimeoutError):
        async with groq_mock.model().request_stream(user_prompt(), None, NO_TOOLS):
            pytest.fail('request_stream must not yield after a timeout')  # pragma: no cover
