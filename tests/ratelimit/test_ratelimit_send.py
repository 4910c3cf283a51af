"""`RateLimiter.send()` and `RetryPolicy`: the paced send loop every provider plugin reuses, without any vendor SDK.

The plugin supplies the attempt, the answer's limit headers and what its errors mean (`AttemptFailure`); the loop
waits its turn, learns from every answer, pauses every caller after a 429 and retries by the policy.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from pydantic_ai.exceptions import UserError
from pydantic_ai.ratelimit import AttemptFailure, RateLimiter, RateLimitHeaders, RetryPolicy, Sent

pytestmark = [pytest.mark.asyncio]

HEADERS = RateLimitHeaders(
    limit_tokens='x-limit-tokens', remaining_tokens='x-remaining-tokens', reset_tokens='x-reset-tokens'
)
FAST = RetryPolicy(initial_backoff=0.001, max_backoff=0.002)


@dataclass
class Answer:
    text: str
    headers: dict[str, str] = field(default_factory=dict)


class Refused(Exception):
    """An error answer of a pretend SDK: its kind for `classify`, and its headers."""

    def __init__(self, kind: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.headers = headers


def classify(exc: Exception) -> AttemptFailure:
    if isinstance(exc, Refused):
        return AttemptFailure(exc.kind, exc.headers)  # type: ignore[arg-type]
    return AttemptFailure('final')


def limits(answer: Answer) -> Mapping[str, str]:
    return answer.headers


@dataclass
class Script:
    """Attempts that fail as scripted, then answer; records the `retries` each attempt was given."""

    failures: list[BaseException] = field(default_factory=list)
    answer: Answer = field(
        default_factory=lambda: Answer('ok', {'x-limit-tokens': '1000', 'x-remaining-tokens': '900'})
    )
    retries_seen: list[int] = field(default_factory=list)

    async def attempt(self, retries: int) -> Answer:
        self.retries_seen.append(retries)
        if self.failures:
            raise self.failures.pop(0)
        return self.answer


async def send(limiter: RateLimiter, script: Script, **kwargs: object) -> Sent[Answer]:
    return await limiter.send(script.attempt, tokens=10, limits=limits, classify=classify, **kwargs)  # type: ignore[arg-type]


async def test_an_answer_comes_back_with_its_permit_and_limits_and_the_permit_is_released() -> None:
    limiter = RateLimiter(headers=HEADERS)
    script = Script()

    sent = await send(limiter, script)

    assert sent.response is script.answer
    assert sent.limits == script.answer.headers
    assert sent.permit is not None and sent.permit.tokens == 10 and sent.limiter is limiter
    assert limiter.is_idle
    assert limiter.snapshot()['tokens_remaining'] == 900  # the answer's headers were observed
    assert script.retries_seen == [0]


async def test_a_held_permit_keeps_its_concurrency_slot_until_released() -> None:
    limiter = RateLimiter(max_concurrency=1)
    held = await send(limiter, Script(), hold=True)
    second = asyncio.create_task(send(limiter, Script()))
    await asyncio.sleep(0.05)
    assert not second.done() and not limiter.is_idle

    held.release()
    await asyncio.wait_for(second, 1)
    held.release()  # a second release is harmless
    assert limiter.is_idle


async def test_without_a_limiter_sent_has_no_permit_and_release_does_nothing() -> None:
    sent = Sent(Answer('plain'))
    sent.release()
    assert (sent.permit, sent.limits, sent.limiter) == (None, None, None)


async def test_transient_failures_are_retried_max_retries_times_each_attempt_told_its_retry_count() -> None:
    limiter = RateLimiter(headers=HEADERS)
    script = Script(failures=[Refused('transient') for _ in range(5)])

    with pytest.raises(Refused):
        await send(limiter, script, retry_policy=FAST)

    assert script.retries_seen == [0, 1, 2]  # 1 + max_retries attempts
    assert limiter.is_idle


async def test_a_transient_failure_then_an_answer() -> None:
    script = Script(failures=[Refused('transient'), Refused('transient')])

    sent = await send(RateLimiter(headers=HEADERS), script, retry_policy=FAST)

    assert sent.response.text == 'ok' and script.retries_seen == [0, 1, 2]


async def test_a_transient_answer_with_retry_after_waits_that_long_not_the_backoff() -> None:
    script = Script(failures=[Refused('transient', {'retry-after': '0.05'})])
    started = time.monotonic()

    await send(RateLimiter(headers=HEADERS), script, retry_policy=RetryPolicy(initial_backoff=5.0))

    assert 0.04 <= time.monotonic() - started < 2.0


async def test_a_final_failure_is_raised_at_once_after_its_headers_are_observed() -> None:
    limiter = RateLimiter(headers=HEADERS)
    failure = Refused('final', {'x-limit-tokens': '1000', 'x-remaining-tokens': '120'})
    script = Script(failures=[failure])

    with pytest.raises(Refused) as caught:
        await send(limiter, script)

    assert caught.value is failure
    assert script.retries_seen == [0]
    assert limiter.snapshot()['tokens_remaining'] == 120
    assert limiter.is_idle


async def test_a_rate_limited_failure_pauses_every_caller_then_the_request_queues_again() -> None:
    limiter = RateLimiter(headers=HEADERS, jitter=0.0)
    script = Script(failures=[Refused('rate_limited', {'retry-after': '0.2'})])

    first = asyncio.create_task(send(limiter, script))
    await asyncio.sleep(0.05)
    # A caller arriving during the pause waits for it too, although its own request never saw a 429.
    late = await send(limiter, Script())
    sent = await first

    assert limiter.rate_limited == 1
    assert script.retries_seen == [0, 1]
    assert sent.permit is not None and sent.permit.waited >= 0.15
    assert late.permit is not None and late.permit.waited >= 0.1


async def test_a_retry_after_beyond_max_retry_after_pauses_that_long_and_fails_at_once() -> None:
    limiter = RateLimiter(headers=HEADERS, jitter=0.1)
    script = Script(failures=[Refused('rate_limited', {'retry-after': '3600'})])

    with pytest.raises(Refused):
        await send(limiter, script)

    assert script.retries_seen == [0]
    assert 60 <= (limiter.snapshot()['paused_for'] or 0) <= 66


async def test_out_of_retries_a_rate_limited_failure_is_raised_without_pausing_anyone() -> None:
    limiter = RateLimiter(headers=HEADERS)

    with pytest.raises(Refused):
        await send(
            limiter,
            Script(failures=[Refused('rate_limited', {'retry-after': '1'})]),
            retry_policy=RetryPolicy(max_retries=0),
        )

    assert limiter.rate_limited == 0 and limiter.snapshot()['paused_for'] == 0


async def test_a_cancellation_releases_the_permit_and_is_not_classified() -> None:
    classified: list[BaseException] = []

    def spy(exc: Exception) -> AttemptFailure:
        classified.append(exc)
        return classify(exc)

    limiter = RateLimiter(max_concurrency=1)
    with pytest.raises(asyncio.CancelledError):
        await limiter.send(Script(failures=[asyncio.CancelledError()]).attempt, tokens=1, limits=limits, classify=spy)

    assert classified == [] and limiter.is_idle


async def test_a_classify_that_raises_still_releases_the_permit() -> None:
    def broken(exc: Exception) -> AttemptFailure:
        raise KeyError('bug in the plugin')

    limiter = RateLimiter(max_concurrency=1)
    with pytest.raises(KeyError):
        await limiter.send(Script(failures=[Refused('final')]).attempt, tokens=1, limits=limits, classify=broken)

    assert limiter.is_idle


# -- RetryPolicy -----------------------------------------------------------------------------------------------------


async def test_the_default_policy_is_the_documented_one() -> None:
    policy = RetryPolicy()
    assert (policy.max_retries, policy.initial_backoff, policy.max_backoff, policy.jitter, policy.max_retry_after) == (
        2,
        0.5,
        8.0,
        0.25,
        60.0,
    )


async def test_backoff_doubles_from_the_initial_wait_up_to_the_cap_less_up_to_the_jitter() -> None:
    policy = RetryPolicy()
    for retries, base in enumerate([0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]):
        waits = [policy.backoff(retries) for _ in range(200)]
        assert all(base * 0.75 <= wait <= base for wait in waits), (retries, min(waits), max(waits))
        assert max(waits) - min(waits) > 0  # jittered
    exact = RetryPolicy(jitter=0.0)
    assert [exact.backoff(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


async def test_backoff_honours_a_retry_after_within_the_cap_only() -> None:
    policy = RetryPolicy(jitter=0.0)
    assert policy.backoff(0, 3.0) == 3.0
    assert policy.backoff(3, 60.0) == 60.0
    assert policy.backoff(1, 61.0) == 1.0  # beyond max_retry_after: the exponential wait
    assert policy.backoff(2, 0.0) == 2.0  # no positive retry-after
    assert policy.backoff(0, None) == 0.5


@pytest.mark.parametrize(
    ('kwargs', 'named'),
    [
        ({'max_retries': -1}, 'max_retries'),
        ({'max_retries': True}, 'max_retries'),
        ({'max_retries': 1.5}, 'max_retries'),
        ({'initial_backoff': -0.1}, 'initial_backoff'),
        ({'max_backoff': 'soon'}, 'max_backoff'),
        ({'max_retry_after': float('nan')}, 'max_retry_after'),
        ({'jitter': 1.5}, 'jitter'),
        ({'jitter': -0.1}, 'jitter'),
    ],
)
async def test_retry_policy_arguments_are_checked(kwargs: dict[str, object], named: str) -> None:
    with pytest.raises(UserError, match=f'`{named}`'):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
