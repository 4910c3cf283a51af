"""`GroqTestServer(rate_limits=...)`: Groq's headers, 429 and 413 bodies, per-key windows, over real sockets."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from pydantic_ai_groq.testing import GroqTestServer, RateLimits
from pydantic_ai_groq.testing.ratelimits import count_request_tokens, format_duration

pytestmark = [pytest.mark.asyncio]


def body(characters: int, max_tokens: int | None = 50) -> dict[str, object]:
    payload: dict[str, object] = {
        'model': 'llama-3.3-70b-versatile',
        'messages': [{'role': 'user', 'content': 'x' * characters}],
    }
    if max_tokens is not None:
        payload['max_tokens'] = max_tokens
    return payload


def post(server: GroqTestServer, payload: dict[str, object], key: str = 'gsk-one') -> httpx.Response:
    return httpx.post(server.chat_completions_url, json=payload, headers={'authorization': f'Bearer {key}'})


@pytest.mark.parametrize(
    ('seconds', 'text'),
    [(0.42, '420ms'), (0.03, '30ms'), (7.66, '7.66s'), (6, '6s'), (179.56, '2m59.56s'), (60, '1m0s')],
)
async def test_durations_are_written_the_way_groq_writes_them(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


async def test_request_cost_is_prompt_characters_over_four_plus_max_tokens() -> None:
    assert count_request_tokens(body(1000)) == 300
    assert count_request_tokens(body(1001, max_tokens=None)) == 251
    assert count_request_tokens({'messages': [{'role': 'user', 'content': 'hi'}], 'max_completion_tokens': 9}) == 10


async def test_admitted_answers_carry_groq_headers_counting_down() -> None:
    with GroqTestServer(rate_limits=RateLimits(tokens=1000, requests=5, window=30)) as server:
        first = post(server, body(400))
        second = post(server, body(400))
    assert first.status_code == 200
    assert first.headers['x-ratelimit-limit-tokens'] == '1000'
    assert first.headers['x-ratelimit-remaining-tokens'] == '850'
    assert second.headers['x-ratelimit-remaining-tokens'] == '700'
    assert first.headers['x-ratelimit-limit-requests'] == '5'
    assert second.headers['x-ratelimit-remaining-requests'] == '3'
    assert second.headers['x-ratelimit-reset-tokens'].endswith('s')
    assert json.loads(first.content)['choices'][0]['message']['content'] == 'x' * 400


async def test_a_request_over_what_is_left_gets_groqs_429_tokens_body_with_retry_after() -> None:
    with GroqTestServer(rate_limits=RateLimits(tokens=1000, window=2)) as server:
        post(server, body(2800))  # 750 tokens
        refused = post(server, body(1000))  # 300 more do not fit
    assert refused.status_code == 429
    error = refused.json()['error']
    assert error['type'] == 'tokens'
    assert error['code'] == 'rate_limit_exceeded'
    assert error['message'].startswith('Rate limit reached for model `llama-3.3-70b-versatile` in organization')
    assert 'Limit 1000, Used 750, Requested 300. Please try again in' in error['message']
    assert 0 < float(refused.headers['retry-after']) <= 2
    assert not any(name.startswith('x-ratelimit-') for name in refused.headers)
    assert server.rate_limit_ledger.count(429) == 1


async def test_the_request_limit_gives_a_429_of_type_requests() -> None:
    with GroqTestServer(rate_limits=RateLimits(requests=2, window=60)) as server:
        statuses = [post(server, body(10)).status_code for _ in range(3)]
        refused = post(server, body(10))
    assert statuses == [200, 200, 429]
    assert refused.json()['error']['type'] == 'requests'
    assert 'requests per minute (RPM): Limit 2, Used 2, Requested 1' in refused.json()['error']['message']
    assert refused.headers['retry-after'].isdigit()  # whole seconds for a minute window, as Groq sends


async def test_a_request_larger_than_the_limit_gets_groqs_413() -> None:
    with GroqTestServer(rate_limits=RateLimits(tokens=1000, window=60)) as server:
        refused = post(server, body(8000))
    assert refused.status_code == 413
    error = refused.json()['error']
    assert error['type'] == 'tokens'
    assert error['message'].startswith('Request too large for model `llama-3.3-70b-versatile`')
    assert 'on tokens per minute (TPM): Limit 1000, Requested 2050, please reduce your message size' in error['message']


async def test_windows_reset_and_keys_are_counted_apart() -> None:
    with GroqTestServer(rate_limits=RateLimits(tokens=300, window=0.3)) as server:
        assert post(server, body(1000)).status_code == 200
        assert post(server, body(1000)).status_code == 429
        assert post(server, body(1000), key='gsk-two').status_code == 200
        time.sleep(0.35)
        assert post(server, body(1000)).status_code == 200
        ledger = server.rate_limit_ledger
    assert ledger.max_window_tokens() == 300
    assert len(ledger.tokens_by_window()) == 3
    assert 'gsk-one' not in repr(ledger.events)


async def test_the_ledger_is_refused_without_rate_limits(server: GroqTestServer) -> None:
    with pytest.raises(RuntimeError, match='without rate_limits'):
        _ = server.rate_limit_ledger
    with pytest.raises(ValueError, match='window'):
        RateLimits(tokens=10, window=0)
