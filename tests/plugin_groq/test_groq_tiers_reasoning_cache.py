"""Service tiers and the flex tier's 498, reasoning knobs, prompted output with no template, caching (issue 21)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import vcr
import yaml

from pydantic_ai.exceptions import ModelHTTPError, UserError
from pydantic_ai.messages import ModelRequest, SystemPromptPart, TextPart, ThinkingPart, UserPromptPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.output import OutputObjectDefinition
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq._errors import is_capacity_exceeded, is_retryable
from pydantic_ai_groq.testing import (
    GroqFake,
    GroqTestServer,
    capacity_exceeded,
    http_error,
    json_response,
    raw_sse,
    text_completion,
    wire,
)

from support.constants import FAKE_GROQ_API_KEY, SHARED_RECORDINGS_DIR
from support.reliability import loopback_http_client, prompt

pytestmark = pytest.mark.asyncio

NO_TOOLS = ModelRequestParameters()


@pytest_asyncio.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback_http_client() as client:
        yield client


def server_provider(
    server: GroqTestServer, http_client: httpx.AsyncClient, *, rate_limit: bool = True, max_retries: int = 2
) -> GroqProvider:
    return GroqProvider(
        api_key=FAKE_GROQ_API_KEY,
        base_url=server.base_url,
        http_client=http_client,
        max_retries=max_retries,
        rate_limit=rate_limit,
    )


# -- the flex tier's 498 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize('rate_limit', [True, False], ids=['paced', 'sdk-retries'])
@pytest.mark.parametrize('stream', [False, True], ids=['request', 'stream'])
async def test_flex_capacity_exceeded_fails_at_once_saying_what_to_use(
    http_client: httpx.AsyncClient, rate_limit: bool, stream: bool
) -> None:
    with GroqTestServer(flex_capacity=False) as server:
        provider = server_provider(server, http_client, rate_limit=rate_limit)
        model = GroqModel('llama-3.3-70b-versatile', provider=provider)
        with pytest.raises(ModelHTTPError) as exc_info:
            if stream:
                async with model.request_stream(prompt(), {'groq_service_tier': 'flex'}, NO_TOOLS) as response:
                    async for _ in response:
                        pass
            else:
                await model.request(prompt(), {'groq_service_tier': 'flex'}, NO_TOOLS)
        # Sent once: not retried (two retries were allowed), and not paced as a rate limit.
        assert server.request_count == 1
        error = exc_info.value
        assert error.status_code == 498
        assert isinstance(error.body, dict) and error.body['error']['code'] == 'capacity_exceeded'
        assert "groq_service_tier='auto'" in str(error) and "'on_demand'" in str(error)
        limiter = provider.rate_limiter
        if limiter is not None:
            assert limiter.snapshot()['paused_for'] == 0.0 and limiter.rate_limited == 0
        # The other tiers are served.
        response, _ = await model.request(prompt('ok'), {'groq_service_tier': 'auto'}, NO_TOOLS)
        assert response.parts == [TextPart('ok')]


async def test_other_errors_are_still_retried(http_client: httpx.AsyncClient) -> None:
    with GroqTestServer() as server:
        server.enqueue(http_error(503), capacity_exceeded(), text_completion('fine'))
        model = GroqModel('llama-3.3-70b-versatile', provider=server_provider(server, http_client, max_retries=1))
        with pytest.raises(ModelHTTPError, match='498'):
            await model.request(prompt(), {'groq_service_tier': 'flex'}, NO_TOOLS)
        assert server.request_count == 2  # the 503 was retried, the 498 was not


async def test_the_retry_classification() -> None:
    body = wire.error_body('no capacity', code='capacity_exceeded')
    assert is_capacity_exceeded(498, {}) and is_capacity_exceeded(503, body)
    assert not is_retryable(498, {}) and not is_retryable(503, body)
    assert all(is_retryable(status, {}) for status in (408, 409, 429, 500, 502, 503))
    assert not any(is_retryable(status, {}) for status in (400, 401, 404, 413, 422))


async def test_the_tier_groq_used_is_in_provider_details_streamed_and_not() -> None:
    chunk = wire.chat_completion_chunk({'content': 'hi'}, finish_reason='stop')
    async with GroqFake(
        json_response(wire.chat_completion('hi', service_tier='on_demand')),
        raw_sse([{**chunk, 'service_tier': 'flex'}], done=True),
    ) as fake:
        response, _ = await fake.model().request(prompt(), {'groq_service_tier': 'auto'}, NO_TOOLS)
        async with fake.model().request_stream(prompt(), {'groq_service_tier': 'auto'}, NO_TOOLS) as stream:
            async for _ in stream:
                pass
    assert response.provider_details is not None and response.provider_details['service_tier'] == 'on_demand'
    streamed = stream.get().provider_details
    assert streamed is not None and streamed['service_tier'] == 'flex'
    assert fake.bodies[0]['service_tier'] == 'auto'


async def test_an_unknown_service_tier_is_refused() -> None:
    async with GroqFake() as fake:
        with pytest.raises(UserError, match="'on_demand', 'flex', 'auto', 'performance'"):
            await fake.model().request(prompt(), {'groq_service_tier': 'turbo'}, NO_TOOLS)  # type: ignore[typeddict-item]


# -- reasoning knobs --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('model', 'effort', 'ok'),
    [
        ('openai/gpt-oss-120b', 'high', True),
        ('openai/gpt-oss-20b', 'low', True),
        ('openai/gpt-oss-120b', 'none', False),
        ('qwen/qwen3-32b', 'none', True),
        ('qwen/qwen3-32b', 'default', True),
        ('qwen/qwen3-32b', 'high', False),
        ('qwen/qwen3.8-27b', 'high', True),
        ('moonshotai/kimi-k2-instruct-0905', 'anything', True),  # a family Groq documents nothing for
    ],
)
async def test_reasoning_effort_is_checked_per_model_family(model: str, effort: str, ok: bool) -> None:
    async with GroqFake() as fake:
        if ok:
            await fake.model(model).request(prompt(), {'groq_reasoning_effort': effort}, NO_TOOLS)
            assert fake.body['reasoning_effort'] == effort
        else:
            with pytest.raises(UserError, match=f'takes `groq_reasoning_effort`.*got {effort!r}'):
                await fake.model(model).request(prompt(), {'groq_reasoning_effort': effort}, NO_TOOLS)
            assert fake.requests == []


async def test_include_reasoning_and_tool_validation_settings_are_sent() -> None:
    async with GroqFake() as fake:
        settings: Any = {'groq_include_reasoning': False, 'groq_disable_tool_validation': True}
        await fake.model('openai/gpt-oss-120b').request(prompt(), settings, NO_TOOLS)
        assert fake.body['include_reasoning'] is False and fake.body['disable_tool_validation'] is True
        with pytest.raises(UserError, match='cannot be used together'):
            both: Any = {'groq_include_reasoning': True, 'groq_reasoning_format': 'parsed'}
            await fake.model('openai/gpt-oss-120b').request(prompt(), both, NO_TOOLS)
        with pytest.raises(UserError, match='True or False'):
            await fake.model().request(prompt(), {'groq_include_reasoning': 'yes'}, NO_TOOLS)  # type: ignore[typeddict-item]
        assert len(fake.requests) == 1


# -- prompted output with the caller's own instructions ----------------------------------------------------------

SCHEMA = {'type': 'object', 'properties': {'city': {'type': 'string'}}, 'required': ['city']}


async def test_prompted_output_without_a_template_adds_no_instructions() -> None:
    params = ModelRequestParameters(
        output_mode='prompted', output_object=OutputObjectDefinition(SCHEMA), prompted_output_template=False
    )
    messages = [ModelRequest([SystemPromptPart('Reply as {"city": ...}.'), UserPromptPart('Capital of Peru?')])]
    async with GroqFake() as fake:
        await fake.model().request(messages, None, params)
        # No template, no schema either: the caller's own messages ask for the JSON.
        without_schema = ModelRequestParameters(output_mode='prompted', prompted_output_template=False)
        await fake.model().request(messages, None, without_schema)
    for body in fake.bodies:
        assert body['messages'] == [
            {'role': 'system', 'content': 'Reply as {"city": ...}.'},
            {'role': 'user', 'content': 'Capital of Peru?'},
        ]
        assert 'response_format' not in body


@pytest.mark.parametrize(
    'name',
    [
        'pydantic-ai__test_groq__test_groq_prompted_output',
        'pydantic-ai__test_groq__test_groq_prompted_output--2026-02-02-pr',
    ],
)
async def test_real_prompted_output_recordings_replay_with_the_callers_instructions(name: str) -> None:
    """pydantic-ai's prompted output as recorded: its instructions in the conversation, JSON mode, no template."""
    path = SHARED_RECORDINGS_DIR / f'{name}.yaml'
    if not path.exists():
        pytest.skip('the shared recordings are not on this machine')
    recorded = json.loads(yaml.safe_load(path.read_text())['interactions'][0]['request']['body'])
    system, user = recorded['messages']
    params = ModelRequestParameters(
        output_mode='prompted', output_object=OutputObjectDefinition(SCHEMA), prompted_output_template=False
    )
    settings: Any = {'extra_body': {'response_format': recorded['response_format']}}
    sent: list[Any] = []

    async def remember(request: httpx.Request) -> None:
        sent.append(json.loads(request.content))

    with vcr.use_cassette(str(path), record_mode='none', allow_playback_repeats=False):
        async with httpx.AsyncClient(event_hooks={'request': [remember]}) as client:
            model = GroqModel(recorded['model'], provider=GroqProvider(api_key=FAKE_GROQ_API_KEY, http_client=client))
            messages = [ModelRequest([SystemPromptPart(system['content']), UserPromptPart(user['content'])])]
            response, _ = await model.request(messages, settings, params)
    assert sent == [recorded]
    thinking, text = response.parts
    assert isinstance(thinking, ThinkingPart) and isinstance(text, TextPart)
    assert json.loads(text.content) == {'city': 'Mexico City', 'country': 'Mexico'}


# -- prompt caching ---------------------------------------------------------------------------------------------------

CACHED_USAGE = {**wire.usage_body(4000, 20), 'prompt_tokens_details': {'cached_tokens': 3800}}


async def test_cached_tokens_are_cache_read_tokens_with_groqs_finer_counters_in_details() -> None:
    body = wire.chat_completion(
        'hi', usage=CACHED_USAGE, x_groq_usage={'dram_cached_tokens': 3000, 'sram_cached_tokens': 800}
    )
    last = wire.chat_completion_chunk({}, finish_reason='stop', x_groq={'id': 'req_1', 'usage': CACHED_USAGE})
    async with GroqFake(
        json_response(body), raw_sse([wire.chat_completion_chunk({'content': 'hi'}), last], done=True)
    ) as fake:
        response, usage = await fake.model().request(prompt(), None, NO_TOOLS)
        async with fake.model().request_stream(prompt(), None, NO_TOOLS) as stream:
            async for _ in stream:
                pass
    assert usage.cache_read_tokens == 3800 and usage.request_tokens == 4000
    assert usage.details == {'cached_tokens': 3800, 'dram_cached_tokens': 3000, 'sram_cached_tokens': 800}
    assert response.usage == usage
    assert stream.usage().cache_read_tokens == 3800
    assert stream.usage().details == {'cached_tokens': 3800}
    assert (usage + stream.usage()).cache_read_tokens == 7600


async def test_the_rate_limiter_charges_what_groqs_headers_say_so_cached_tokens_cost_no_wait(
    http_client: httpx.AsyncClient,
) -> None:
    # A 16,000-character prompt is estimated at 4,000 tokens; Groq served 3,800 of them from its cache and charged
    # 200: its headers say 5,800 of the 6,000-token minute are left, so a second such request goes at once (by the
    # estimate alone, 2,000 would be left and it would wait for the minute to end).
    headers = {
        'x-ratelimit-limit-tokens': '6000',
        'x-ratelimit-remaining-tokens': '5800',
        'x-ratelimit-reset-tokens': '60s',
    }
    cached = json_response(wire.chat_completion('ok', usage=CACHED_USAGE), headers=headers)
    with GroqTestServer() as server:
        server.enqueue(cached, cached)
        provider = server_provider(server, http_client)
        model = GroqModel('llama-3.3-70b-versatile', provider=provider)
        long_prompt = prompt('x' * 16000)
        _, first = await model.request(long_prompt, None, NO_TOOLS)
        limiter = provider.rate_limiter
        assert limiter is not None and limiter.snapshot()['tokens_remaining'] == 5800
        start = time.monotonic()
        _, second = await model.request(long_prompt, None, NO_TOOLS)
        assert time.monotonic() - start < 5
        assert server.request_count == 2
    assert first.cache_read_tokens == second.cache_read_tokens == 3800
    assert (first + second) == Usage(
        requests=2,
        request_tokens=8000,
        response_tokens=40,
        total_tokens=8040,
        details={'cached_tokens': 7600},
        timings={k: 2 * v for k, v in (first.timings or {}).items()},
        cache_read_tokens=7600,
    )
