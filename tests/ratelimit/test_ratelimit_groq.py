"""Pacing GroqModel requests by Groq's rate-limit headers, over real sockets against the local test server."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import ClassVar

import groq
import httpx
import pytest
import pytest_asyncio

from pydantic_ai.exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior
from pydantic_ai.messages import ModelResponse
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.ratelimit import AttemptFailure, FixedRateLimits, RateLimiter
from pydantic_ai.settings import ModelSettings
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.ratelimits import GROQ_RATE_LIMIT_HEADERS, classify_error, estimate_tokens
from pydantic_ai_groq.testing import (
    GroqTestServer,
    RateLimits,
    ScriptedResponse,
    http_error,
    raw_sse,
    streamed_text,
    text_completion,
)

from support.constants import FAKE_GROQ_API_KEY
from support.reliability import loopback_http_client, prompt

pytestmark = [pytest.mark.asyncio]

NO_TOOLS = ModelRequestParameters()
# 1,000 characters = 250 prompt tokens, plus max_tokens 50: each request costs 300 tokens in the server's count.
PROMPT = 'x' * 1000
SETTINGS: ModelSettings = {'max_tokens': 50}
COST = 300


@pytest.fixture
def limited_server() -> Iterator[GroqTestServer]:
    """3,000 tokens per 0.5 s per key: ten requests of 300 tokens per window."""
    with GroqTestServer(rate_limits=RateLimits(tokens=3000, window=0.5)) as server:
        yield server


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback_http_client() as http_client:
        yield http_client


def make_provider(
    server: GroqTestServer,
    http_client: httpx.AsyncClient,
    *,
    provider_class: type[GroqProvider] = GroqProvider,
    api_key: str = FAKE_GROQ_API_KEY,
    **kwargs: object,
) -> GroqProvider:
    return provider_class(api_key=api_key, base_url=server.base_url, http_client=http_client, **kwargs)  # type: ignore[arg-type]


def make_model(server: GroqTestServer, http_client: httpx.AsyncClient, **kwargs: object) -> GroqModel:
    return GroqModel('llama-3.3-70b-versatile', provider=make_provider(server, http_client, **kwargs))  # type: ignore[arg-type]


async def ask(model: GroqModel, settings: ModelSettings | None = None) -> ModelResponse:
    response, _ = await model.request(prompt(PROMPT), SETTINGS if settings is None else settings, NO_TOOLS)
    return response


async def ask_streamed(model: GroqModel) -> ModelResponse:
    async with model.request_stream(prompt(PROMPT), SETTINGS, NO_TOOLS) as stream:
        async for _ in stream:
            pass
        return stream.get()


def without_rate_limit_headers(response: ScriptedResponse) -> ScriptedResponse:
    kept = tuple(item for item in response.headers if not item[0].startswith('x-ratelimit-'))
    return dataclasses.replace(response, headers=kept)


# -- pacing ---------------------------------------------------------------------------------------------------------


async def test_concurrent_requests_are_paced_without_a_single_429(
    limited_server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    model = make_model(limited_server, client)
    results = await asyncio.gather(*(ask(model) for _ in range(40)), return_exceptions=True)

    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    ledger = limited_server.rate_limit_ledger
    assert ledger.count(429) == 0
    assert ledger.count(200) == 40
    assert ledger.max_window_tokens() <= 3000
    # Paced, not serialized into a trickle: the 40 requests fill 4 windows (a busy machine may need one or two more).
    assert len(ledger.tokens_by_window()) <= 6


async def test_raw_sdk_defaults_collect_429s_on_the_same_load(limited_server: GroqTestServer) -> None:
    """The control for the test above: without a limiter the same load gets 429s (so the server is not lenient)."""
    async with loopback_http_client() as http_client:
        model = make_model(limited_server, http_client, rate_limit=False, max_retries=0)
        results = await asyncio.gather(*(ask(model) for _ in range(40)), return_exceptions=True)
    assert limited_server.rate_limit_ledger.count(429) > 0
    assert any(isinstance(r, ModelHTTPError) and r.status_code == 429 for r in results)


async def test_models_of_one_provider_share_its_limiter(
    limited_server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY, base_url=limited_server.base_url, http_client=client)
    first = GroqModel('llama-3.3-70b-versatile', provider=provider)
    second = GroqModel('llama-3.1-8b-instant', provider=provider)
    results = await asyncio.gather(*(ask(model) for model in [first, second] * 15), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert limited_server.rate_limit_ledger.count(429) == 0


async def test_streamed_requests_are_paced_too(limited_server: GroqTestServer, client: httpx.AsyncClient) -> None:
    model = make_model(limited_server, client)
    results = await asyncio.gather(*(ask_streamed(model) for _ in range(25)), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert limited_server.rate_limit_ledger.count(429) == 0
    assert limited_server.rate_limit_ledger.count(200) == 25
    last = results[-1]
    assert isinstance(last, ModelResponse) and last.provider_details is not None
    assert last.provider_details['rate_limits']['x-ratelimit-limit-tokens'] == '3000'
    assert last.provider_details['rate_limit_wait'] > 0
    assert last.provider_details['groq_request_id'].startswith('req_')


async def test_a_third_party_provider_sending_the_same_headers_is_paced(
    limited_server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    class AcmeProvider(GroqProvider):
        provider_name: ClassVar[str] = 'acme'
        api_key_env_var: ClassVar[str] = 'ACME_API_KEY'

    model = make_model(limited_server, client, provider_class=AcmeProvider)
    results = await asyncio.gather(*(ask(model) for _ in range(25)), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert limited_server.rate_limit_ledger.count(429) == 0
    assert model.system == 'acme'


async def test_each_api_key_has_its_own_budget_at_the_server(
    limited_server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    first = make_model(limited_server, client, api_key='gsk-first-key')
    second = make_model(limited_server, client, api_key='gsk-second-key')
    await asyncio.gather(*(ask(model) for model in [first, second] * 10))
    keys = {key for key, _ in limited_server.rate_limit_ledger.tokens_by_window()}
    assert len(keys) == 2
    assert limited_server.rate_limit_ledger.count(429) == 0


# -- observability --------------------------------------------------------------------------------------------------


async def test_waiting_time_and_rate_limit_headers_are_in_provider_details(
    limited_server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    model = make_model(limited_server, client)
    results = await asyncio.gather(*(ask(model) for _ in range(15)))
    waits = [r.provider_details['rate_limit_wait'] for r in results if r.provider_details]
    assert len(waits) == 15
    # The first ten fit the first window; the other five waited for the next one (0.5 s).
    assert sum(1 for wait in waits if wait >= 0.2) >= 5
    details = results[0].provider_details
    assert details is not None
    assert set(details['rate_limits']) == {
        'x-ratelimit-limit-requests',
        'x-ratelimit-remaining-requests',
        'x-ratelimit-reset-requests',
        'x-ratelimit-limit-tokens',
        'x-ratelimit-remaining-tokens',
        'x-ratelimit-reset-tokens',
    }


@pytest.mark.parametrize('streamed', [False, True], ids=['request', 'stream'])
async def test_rate_limit_headers_reach_provider_details_with_the_limiter_off(
    server: GroqTestServer, client: httpx.AsyncClient, streamed: bool
) -> None:
    server.set_default(text_completion('hi') if not streamed else None)
    model = make_model(server, client, rate_limit=False)
    response = await (ask_streamed(model) if streamed else ask(model))
    assert response.provider_details is not None
    assert response.provider_details['rate_limits']['x-ratelimit-limit-tokens'] == '6000'
    assert 'rate_limit_wait' not in response.provider_details


# -- 429 and 413 ----------------------------------------------------------------------------------------------------


async def test_a_429_pauses_every_caller_for_retry_after(server: GroqTestServer, client: httpx.AsyncClient) -> None:
    server.enqueue(http_error(429, retry_after=0.4))
    provider = make_provider(server, client, max_retries=2)
    model = GroqModel('llama-3.3-70b-versatile', provider=provider)
    first = asyncio.create_task(ask(model))
    await server.wait_for_async(lambda: server.request_count >= 1)
    await asyncio.sleep(0.05)
    # A caller arriving during the pause waits for it too, although its own request never saw a 429.
    late = await ask(model)
    await first
    assert late.provider_details is not None
    assert late.provider_details['rate_limit_wait'] >= 0.25
    assert provider.rate_limiter is not None and provider.rate_limiter.rate_limited == 1
    times = [request.headers.get('x-stainless-retry-count') for request in server.requests]
    assert times.count('1') == 1  # the retried request says it is a retry, as the SDK's own would


async def test_429s_are_retried_max_retries_times_in_all_not_doubled_with_the_sdk(
    server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    server.enqueue(http_error(429, retry_after=0.01).repeat(10))
    model = make_model(server, client, max_retries=2)
    with pytest.raises(ModelHTTPError) as caught:
        await ask(model)
    assert caught.value.status_code == 429
    assert server.request_count == 3  # 1 + max_retries; the SDK alone would also make 3, together not 9


async def test_a_429_asking_for_more_than_a_minute_fails_at_once(
    server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    server.enqueue(http_error(429, retry_after=3600))
    provider = make_provider(server, client, max_retries=2)
    with pytest.raises(ModelHTTPError) as caught:
        await ask(GroqModel('llama-3.3-70b-versatile', provider=provider))
    assert caught.value.status_code == 429
    assert caught.value.retry_after == 3600
    assert server.request_count == 1
    limiter = provider.rate_limiter
    assert limiter is not None and 59 <= (limiter.snapshot()['paused_for'] or 0) <= 66


async def test_5xx_retries_are_counted_once_with_the_limiter_on(
    server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    server.enqueue(http_error(503, retry_after=0.01).repeat(10))
    model = make_model(server, client, max_retries=1)
    with pytest.raises(ModelHTTPError) as caught:
        await ask(model)
    assert caught.value.status_code == 503
    assert server.request_count == 2


async def test_a_429_then_success_within_the_retry_count(server: GroqTestServer, client: httpx.AsyncClient) -> None:
    server.enqueue(http_error(429, retry_after=0.05), http_error(500), text_completion('done'))
    model = make_model(server, client, max_retries=2)
    response = await ask(model)
    assert response.parts[0].content == 'done'  # type: ignore[union-attr]
    assert server.request_count == 3


async def test_a_server_429_from_the_rate_limited_server_is_absorbed(client: httpx.AsyncClient) -> None:
    """Another client using the same key spends the budget: our limiter gets a real 429, pauses, and succeeds."""
    with GroqTestServer(rate_limits=RateLimits(tokens=3000, window=2.0)) as server:
        rival = make_model(server, client, rate_limit=False)
        await asyncio.gather(*(ask(rival) for _ in range(10)))
        model = make_model(server, client, max_retries=3)
        response = await ask(model)
    assert server.rate_limit_ledger.count(429) == 1
    assert response.provider_details is not None and response.provider_details['rate_limit_wait'] > 0


@pytest.mark.parametrize('streamed', [False, True], ids=['request', 'stream'])
async def test_a_413_fails_at_once_saying_the_size_and_the_limit(
    limited_server: GroqTestServer, client: httpx.AsyncClient, streamed: bool
) -> None:
    model = make_model(limited_server, client, max_retries=2)
    big = prompt('y' * 20_000)
    with pytest.raises(ModelHTTPError) as caught:
        if streamed:
            async with model.request_stream(big, SETTINGS, NO_TOOLS):
                pass
        else:
            await model.request(big, SETTINGS, NO_TOOLS)
    error = caught.value
    assert error.status_code == 413
    assert limited_server.request_count == 1
    assert 'needs 5050 tokens' in str(error)
    assert 'the limit is 3000 tokens' in str(error)
    assert 'No retry can fix this' in str(error)


# -- configuration --------------------------------------------------------------------------------------------------


async def test_fixed_limits_pace_a_gateway_that_sends_no_headers(client: httpx.AsyncClient) -> None:
    with GroqTestServer(default=without_rate_limit_headers(text_completion('ok'))) as server:
        limiter = RateLimiter(fixed_limits=FixedRateLimits(requests=4, period=0.3))
        model = make_model(server, client, rate_limit=limiter)
        started = asyncio.get_running_loop().time()
        results = await asyncio.gather(*(ask(model) for _ in range(9)))
        elapsed = asyncio.get_running_loop().time() - started
        times = [r.provider_details['rate_limit_wait'] for r in results if r.provider_details]
    # 4 + 4 + 1: the third window starts two periods after the first.
    assert elapsed >= 0.55
    assert sorted(times)[:4] == pytest.approx([0, 0, 0, 0], abs=0.1)
    assert sum(1 for wait in times if wait >= 0.5) == 1
    assert 'rate_limits' not in (results[0].provider_details or {})


async def test_a_concurrency_cap_bounds_requests_in_flight(client: httpx.AsyncClient) -> None:
    slow = dataclasses.replace(text_completion('ok'), stall_before_headers=0.1)
    with GroqTestServer(default=slow) as server:
        model = make_model(server, client, rate_limit=RateLimiter(headers=GROQ_RATE_LIMIT_HEADERS, max_concurrency=2))
        await asyncio.gather(*(ask(model) for _ in range(8)))
        assert server.peak_open_connections <= 2


async def test_the_off_switch_sends_everything_at_once(
    limited_server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    provider = make_provider(limited_server, client, rate_limit=False, max_retries=0)
    model = GroqModel('llama-3.3-70b-versatile', provider=provider)
    assert provider.rate_limiter is None
    results = await asyncio.gather(*(ask(model) for _ in range(15)), return_exceptions=True)
    assert any(isinstance(r, ModelHTTPError) and r.status_code == 429 for r in results)
    ok = [r for r in results if isinstance(r, ModelResponse)]
    assert all('rate_limit_wait' not in (r.provider_details or {}) for r in ok)


async def test_no_headers_means_no_pacing(client: httpx.AsyncClient) -> None:
    slow = dataclasses.replace(without_rate_limit_headers(text_completion('ok')), stall_before_headers=0.2)
    with GroqTestServer(default=slow) as server:
        provider = make_provider(server, client)
        model = GroqModel('llama-3.3-70b-versatile', provider=provider)
        await asyncio.gather(*(ask(model) for _ in range(10)))
        # After the first answer (which shows no limits), the other nine were all in flight together.
        assert server.peak_open_connections >= 9
    limiter = provider.rate_limiter
    assert limiter is not None
    assert limiter.snapshot()['tokens_limit'] is None
    assert limiter.is_idle


async def test_rate_limit_argument_is_checked() -> None:
    from pydantic_ai.exceptions import UserError

    with pytest.raises(UserError, match='`rate_limit` must be True, False or a RateLimiter'):
        GroqProvider(api_key=FAKE_GROQ_API_KEY, rate_limit='yes')  # type: ignore[arg-type]
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY)
    assert isinstance(provider.rate_limiter, RateLimiter)
    assert provider.rate_limiter.headers is GROQ_RATE_LIMIT_HEADERS
    assert FAKE_GROQ_API_KEY not in repr(provider.rate_limiter)


async def test_token_estimate_counts_prompt_text_tools_and_max_tokens() -> None:
    body = {
        'messages': [
            {'role': 'system', 'content': 'a' * 40},
            {'role': 'user', 'content': [{'type': 'text', 'text': 'b' * 40}, {'type': 'image_url', 'image_url': {}}]},
            {'role': 'assistant', 'tool_calls': [{'function': {'name': 'f', 'arguments': '{"x":1}' + ' ' * 33}}]},
        ],
        'max_completion_tokens': 100,
    }
    assert estimate_tokens(body) == 30 + 100
    with_tools = {**body, 'tools': [{'type': 'function', 'function': {'name': 'f'}}]}
    assert estimate_tokens(with_tools) > estimate_tokens(body)
    assert estimate_tokens({'messages': [{'role': 'user', 'content': 'hi'}], 'max_tokens': 7}) == 1 + 7


async def test_a_streamed_request_waits_out_a_429_and_streams(
    server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    server.enqueue(http_error(429, retry_after=0.1))
    model = make_model(server, client, max_retries=1)
    response = await ask_streamed(model)
    assert server.request_count == 2
    assert response.parts[0].content == PROMPT  # type: ignore[union-attr]
    assert response.provider_details is not None and response.provider_details['rate_limit_wait'] >= 0.1


async def test_a_stream_holds_its_concurrency_slot_until_it_is_closed(
    server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    limiter = RateLimiter(headers=GROQ_RATE_LIMIT_HEADERS, max_concurrency=1)
    model = make_model(server, client, rate_limit=limiter)
    async with model.request_stream(prompt('first'), None, NO_TOOLS):
        second = asyncio.create_task(ask(model))
        await asyncio.sleep(0.1)
        assert not second.done()
        assert server.request_count == 1
    await asyncio.wait_for(second, 5)
    assert server.request_count == 2
    assert limiter.is_idle


async def test_every_way_out_of_a_stream_releases_its_permit(server: GroqTestServer, client: httpx.AsyncClient) -> None:
    limiter = RateLimiter(headers=GROQ_RATE_LIMIT_HEADERS, max_concurrency=1)
    model = make_model(server, client, rate_limit=limiter, max_retries=0)
    server.enqueue(
        streamed_text(['a', 'b']),  # left before reading
        streamed_text(['a', 'b']),  # read to its end
        raw_sse(['data: nope'], done=True),  # fails when the first frame is read, entering the block
        http_error(400, code='tool_use_failed'),  # recovered: a stream of the failed generation
        streamed_text(['x']).with_reset_after(1),  # the connection lost while streaming
    )

    async with model.request_stream(prompt('one'), None, NO_TOOLS):
        pass
    assert limiter.is_idle
    assert (await ask_streamed(model)).parts[0].content == 'ab'  # type: ignore[union-attr]
    assert limiter.is_idle
    with pytest.raises(UnexpectedModelBehavior, match='not JSON'):
        async with model.request_stream(prompt('three'), None, NO_TOOLS):
            pass  # pragma: no cover
    assert limiter.is_idle
    async with model.request_stream(prompt('four'), None, NO_TOOLS) as stream:
        async for _ in stream:
            pass
    assert stream.get().finish_reason == 'error'
    assert limiter.is_idle
    with pytest.raises(ModelAPIError):
        await ask_streamed(model)
    assert limiter.is_idle
    assert server.request_count == 5


@pytest.mark.parametrize(
    ('status', 'kind'),
    [(429, 'rate_limited'), (408, 'transient'), (409, 'transient'), (500, 'transient'), (503, 'transient'),
     (400, 'final'), (401, 'final'), (404, 'final'), (413, 'final'), (422, 'final')],
)  # fmt: skip
async def test_groq_errors_are_classified_as_the_sdk_retries_them(status: int, kind: str) -> None:
    request = httpx.Request('POST', 'https://api.groq.com/openai/v1/chat/completions')
    answer = httpx.Response(status, request=request, headers={'x-ratelimit-remaining-tokens': '5', 'retry-after': '2'})
    error = groq.APIStatusError('refused', response=answer, body=None)

    failure = classify_error(error)

    assert failure.kind == kind
    assert failure.headers == {'x-ratelimit-remaining-tokens': '5', 'retry-after': '2'}


async def test_connection_errors_and_timeouts_are_transient_and_anything_else_final() -> None:
    request = httpx.Request('POST', 'https://api.groq.com/openai/v1/chat/completions')
    assert classify_error(groq.APIConnectionError(request=request)) == AttemptFailure('transient')
    assert classify_error(groq.APITimeoutError(request=request)) == AttemptFailure('transient')
    assert classify_error(ValueError('a bug')) == AttemptFailure('final')


async def test_a_request_limit_is_paced_as_well(client: httpx.AsyncClient) -> None:
    with GroqTestServer(rate_limits=RateLimits(requests=5, window=0.4)) as server:
        model = make_model(server, client)
        results = await asyncio.gather(*(ask(model) for _ in range(15)), return_exceptions=True)
        ledger = server.rate_limit_ledger
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert ledger.count(429) == 0
    assert ledger.count(200) == 15


async def test_waiting_time_reaches_lifecycle_hooks_and_spans(
    limited_server: GroqTestServer, client: httpx.AsyncClient
) -> None:
    from pydantic_ai import lifecycle
    from pydantic_ai.lifecycle import RequestInfo, hookimpl
    from pydantic_ai.otel import InstrumentedModel

    from support.otel import in_memory_telemetry

    seen: list[float] = []

    class Recorder:
        @hookimpl
        def pydantic_ai_request_end(self, request: RequestInfo, response: ModelResponse) -> None:
            seen.append((response.provider_details or {})['rate_limit_wait'])

    recorder = Recorder()
    lifecycle.register_plugin(recorder, name='rate-limit-recorder')
    try:
        telemetry = in_memory_telemetry()
        model = InstrumentedModel(make_model(limited_server, client), telemetry.settings())
        await asyncio.gather(*(model.request(prompt(PROMPT), SETTINGS, NO_TOOLS) for _ in range(13)))
    finally:
        lifecycle.unregister_plugin(recorder)
    assert len(seen) >= 13
    waits = [dict(span.attributes or {}).get('pydantic_ai.rate_limit.wait') for span in telemetry.spans()]
    assert len(waits) == 13
    # Ten fit the first window; the other three waited for the next, and their spans say for how long.
    assert sum(1 for wait in waits if wait is not None and wait >= 0.2) >= 3
