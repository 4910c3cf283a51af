"""`pydantic_ai.ratelimit`: duration parsing, configuration checks, and the limiter's bookkeeping."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest

from pydantic_ai.exceptions import UserError
from pydantic_ai.ratelimit import FixedRateLimits, RateLimiter, RateLimitHeaders, parse_duration

pytestmark = [pytest.mark.asyncio]

HEADERS = RateLimitHeaders(
    limit_tokens='x-limit-tokens', remaining_tokens='x-remaining-tokens', reset_tokens='x-reset-tokens'
)


@pytest.mark.parametrize(
    ('text', 'seconds'),
    [
        ('7.66s', 7.66),
        ('2m59.56s', 179.56),
        ('420ms', 0.42),
        ('30ms', 0.03),
        ('6s', 6.0),
        ('1m', 60.0),
        ('1h2m3s', 3723.0),
        ('6.239999999s', 6.239999999),
        ('7', 7.0),
        ('0.25', 0.25),
        (' 2S ', 2.0),
    ],
)
async def test_parse_duration_reads_every_form_groq_sends(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize('text', ['', 'soon', '5x', 's', '-3', '1m-2s', 'nan', 'inf', '3s5'])
async def test_parse_duration_ignores_what_is_not_a_duration(text: str) -> None:
    assert parse_duration(text) is None


async def test_bad_configuration_raises_user_errors() -> None:
    with pytest.raises(UserError, match='max_concurrency'):
        RateLimiter(max_concurrency=0)
    with pytest.raises(UserError, match='jitter'):
        RateLimiter(jitter=2)
    with pytest.raises(UserError, match='fixed_limits'):
        RateLimiter(fixed_limits={'tokens': 5})  # type: ignore[arg-type]
    with pytest.raises(UserError, match='tokens'):
        FixedRateLimits(tokens=-1)
    with pytest.raises(UserError, match='period'):
        FixedRateLimits(requests=3, period=0)


async def test_headers_set_the_budget_and_a_short_budget_waits_for_the_reset() -> None:
    limiter = RateLimiter(headers=HEADERS)
    probe = await limiter.acquire(100)
    limiter.observe(probe, {'x-limit-tokens': '1000', 'x-remaining-tokens': '150', 'x-reset-tokens': '200ms'})
    limiter.release(probe)
    assert limiter.snapshot()['tokens_remaining'] == 150
    fits = await limiter.acquire(150)
    assert fits.waited < 0.05
    waits = await limiter.acquire(100)  # nothing left until the reset, 0.2 s after the answer
    assert waits.waited >= 0.15
    assert limiter.snapshot()['tokens_remaining'] == pytest.approx(1000 - 150 - 100)


async def test_a_late_answer_to_an_older_request_cannot_raise_the_budget() -> None:
    limiter = RateLimiter(headers=HEADERS)
    probe = await limiter.acquire(10)
    limiter.observe(probe, {'x-limit-tokens': '1000', 'x-remaining-tokens': '990', 'x-reset-tokens': '10s'})
    older = await limiter.acquire(100)
    newer = await limiter.acquire(100)
    limiter.observe(newer, {'x-remaining-tokens': '700'})  # the server counted someone else's use too
    limiter.observe(older, {'x-remaining-tokens': '890'})  # stale: describes the moment before `newer`
    assert limiter.snapshot()['tokens_remaining'] == 700


async def test_headers_only_lower_the_account_while_others_are_in_flight() -> None:
    limiter = RateLimiter(headers=HEADERS)
    probe = await limiter.acquire(10)
    limiter.observe(probe, {'x-limit-tokens': '1000', 'x-remaining-tokens': '1000', 'x-reset-tokens': '10s'})
    first, second, third = [await limiter.acquire(100) for _ in range(3)]
    assert limiter.snapshot()['tokens_remaining'] == 700
    # The server admitted `third` before `second` (other connection): its figure for `second` is 800, not 900.
    limiter.observe(second, {'x-remaining-tokens': '800'})
    assert limiter.snapshot()['tokens_remaining'] == 700  # 800 - third's 100 = 700: not raised
    limiter.observe(first, {'x-remaining-tokens': '900'})
    limiter.observe(third, {'x-remaining-tokens': '650'})  # nothing else in flight: exact
    assert limiter.snapshot()['tokens_remaining'] == 650


async def test_a_request_larger_than_the_limit_is_sent_after_a_full_window_not_held_forever() -> None:
    limiter = RateLimiter(headers=HEADERS)
    probe = await limiter.acquire(10)
    limiter.observe(probe, {'x-limit-tokens': '100', 'x-remaining-tokens': '90', 'x-reset-tokens': '100ms'})
    permit = await asyncio.wait_for(limiter.acquire(10_000), 2)
    assert permit.tokens == 100
    assert permit.waited >= 0.05


async def test_pause_holds_every_caller_with_jitter() -> None:
    limiter = RateLimiter(jitter=0.5)
    applied = limiter.pause(0.2)
    assert 0.2 <= applied <= 0.3
    waited = await asyncio.gather(*(limiter.acquire(1) for _ in range(3)))
    assert all(permit.waited >= 0.15 for permit in waited)
    assert limiter.rate_limited == 1


async def test_until_the_first_answer_one_request_at_a_time_finds_out_the_limits() -> None:
    limiter = RateLimiter(headers=HEADERS)
    probe = await limiter.acquire(1)
    second = asyncio.create_task(limiter.acquire(1))
    await asyncio.sleep(0.05)
    assert not second.done()
    limiter.observe(probe, {})  # no rate-limit headers: nothing to pace by, everyone may go
    limiter.release(probe)
    third = await asyncio.wait_for(limiter.acquire(1), 1)
    assert (await asyncio.wait_for(second, 1)).waited >= 0.04
    assert third.waited < 0.05


async def test_pause_without_retry_after_uses_the_reset_header() -> None:
    limiter = RateLimiter(headers=HEADERS, jitter=0)
    assert limiter.pause(None, {'x-reset-tokens': '2m'}) == 120
    assert limiter.pause(None, {}) == 1.0
    assert limiter.retry_after({'retry-after': '7'}) == 7
    assert limiter.retry_after({'retry-after': '1.5s'}) == 1.5
    assert limiter.retry_after({}) is None


async def test_waiters_are_served_first_come_first_served() -> None:
    limiter = RateLimiter(max_concurrency=1)
    holder = await limiter.acquire(1)
    order: list[int] = []

    async def take(n: int) -> None:
        permit = await limiter.acquire(n)
        order.append(n)
        limiter.release(permit)

    tasks = [asyncio.create_task(take(n)) for n in (1, 2, 3)]
    await asyncio.sleep(0.01)
    limiter.release(holder)
    await asyncio.gather(*tasks)
    assert order == [1, 2, 3]
    assert limiter.is_idle


async def test_a_cancelled_waiter_leaves_the_queue_and_wakes_the_next() -> None:
    limiter = RateLimiter(max_concurrency=1)
    holder = await limiter.acquire(1)
    cancelled = asyncio.create_task(limiter.acquire(1))
    after = asyncio.create_task(limiter.acquire(1))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    limiter.release(holder)
    permit = await asyncio.wait_for(after, 1)
    limiter.release(permit)
    assert cancelled.cancelled()
    assert limiter.is_idle


async def test_one_limiter_serves_several_event_loops() -> None:
    limiter = RateLimiter(max_concurrency=1)
    holder = await limiter.acquire(1)
    done = threading.Event()

    def other_loop() -> None:
        async def run() -> None:
            permit = await limiter.acquire(1)
            limiter.release(permit)

        asyncio.run(run())
        done.set()

    thread = threading.Thread(target=other_loop)
    thread.start()
    await asyncio.sleep(0.05)
    assert not done.is_set()  # waiting, in its own loop, for the slot held here
    limiter.release(holder)
    await asyncio.to_thread(thread.join, 5)
    assert done.is_set()


async def test_fixed_limits_ignore_headers() -> None:
    limiter = RateLimiter(headers=HEADERS, fixed_limits=FixedRateLimits(tokens=100, period=0.2))
    first = await limiter.acquire(80)
    limiter.observe(first, {'x-limit-tokens': '1000000', 'x-remaining-tokens': '1000000', 'x-reset-tokens': '1s'})
    second = await limiter.acquire(80)
    assert second.waited >= 0.15


async def test_importing_the_ratelimit_module_loads_no_vendor_sdk_or_httpx() -> None:
    code = (
        'import sys, pydantic_ai.ratelimit; print(sorted(m for m in ("groq", "httpx", "pydantic") if m in sys.modules))'
    )
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == '[]'
