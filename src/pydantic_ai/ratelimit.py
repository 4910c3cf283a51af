"""`RateLimiter`: client-side pacing from a provider's rate-limit response headers, shared by every caller of one key.

Many APIs say in every response how much of the caller's rate limit is left (`remaining`), what it is (`limit`) and
when it comes back (`reset`), per request count and per token count. A `RateLimiter` reads those headers from
every answer, and before each request reserves the request's estimated tokens (and one request) from what is left:
a request that does not fit waits until the reset time instead of being sent to collect a 429. One limiter belongs to
one API key, so a provider plugin keeps one per provider instance and every model of that provider shares it.

This module is vendor-neutral: the header names are a `RateLimitHeaders` given by the plugin (the core names no
vendor), and the plugin decides how a request's tokens are estimated and which of its SDK's errors are worth a retry.
`RateLimiter.send()` is the paced send loop every provider can reuse: it waits its turn, sends, learns from the
answer, pauses everyone after a 429 and retries by a `RetryPolicy` this module owns (the SDK's own retries are then
off, so a request is never retried by both). Only the standard library is used; nothing here is imported by
`import pydantic_ai`.

How the budget is modelled (the same for tokens and for requests):

- The last answer's headers say `remaining` and `reset`. The limiter assumes that until the reset time only
  `remaining` is available, and that all of `limit` is available again at the reset time. This is exact for a
  fixed window, and cautious for a token bucket that refills continuously (as some providers keep): the limiter
  then sends a burst of up to `limit`, waits for the bucket to be full, and sends the next, which still uses the
  whole rate.
- The limiter keeps its own account: every request sent takes its estimate off what is left. Requests sent but
  not answered yet are "in flight", and the server may not have counted them yet, or counted them in another order
  than they were sent (they travel on different connections). So while others are in flight, an answer's headers
  can only lower the account (`remaining` minus what was sent after that request); when nothing else is in flight,
  the headers are exact and replace it. Only the headers of the most recently sent answered request are applied,
  so a late answer to an older request cannot restore a budget already spent.
- When the reset time passes, the budget is `limit` minus what is still in flight; answers to requests sent before
  that moment describe the previous window and no longer change the budget.
- A request larger than the whole limit is not held forever: it waits for a full window and is then sent, for the
  server to judge (it usually refuses it, e.g. with HTTP 413).
- A 429 that happens anyway pauses the whole limiter (every caller) for the server's `retry-after`, plus jitter so
  that the callers released together do not arrive in the same millisecond.

Waiting callers are served in arrival order (first come, first served), so a large request is not starved by small
ones. The limiter can be used from several event loops and threads at once (its state is guarded by a lock, and a
waiter is woken in its own loop).
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

__all__ = (
    'RateLimiter',
    'RateLimitHeaders',
    'FixedRateLimits',
    'RateLimitPermit',
    'RetryPolicy',
    'AttemptFailure',
    'Sent',
    'parse_duration',
)

ResponseT = TypeVar('ResponseT')

_DURATION = re.compile(r'(\d+(?:\.\d*)?|\.\d+)(ms|h|m|s)')
_UNITS = {'h': 3600.0, 'm': 60.0, 's': 1.0, 'ms': 0.001}


def parse_duration(value: str) -> float | None:
    """Seconds in a rate-limit duration: `'7.66s'`, `'2m59.56s'`, `'420ms'`, `'1h2m3s'`, or plain seconds (`'7'`).

    Returns:
        The duration in seconds, or `None` when `value` is not a duration (it is then ignored, not an error).
    """
    text = value.strip().lower()
    if not text:
        return None
    # Fast paths for the common one-unit forms ('7', '7.66s', '420ms'); every answer carries two durations.
    last = text[-1]
    number = text if last.isdigit() else text[:-2] if text.endswith('ms') else text[:-1] if last == 's' else ''
    if number and (number[0].isdigit() or number[0] == '.') and number.replace('.', '', 1).isdigit():
        seconds = float(number)
        return seconds / 1000 if text.endswith('ms') else seconds
    total = 0.0
    position = 0
    for match in _DURATION.finditer(text):
        if match.start() != position:
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    return total if position == len(text) and position > 0 else None


def _parse_count(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


@dataclass(frozen=True)
class RateLimitHeaders:
    """The names of the response headers a provider reports its rate limits in (a provider plugin supplies them).

    Any name may be `None` when the provider does not send that header. Names are matched case-insensitively.
    """

    limit_requests: str | None = None
    """The request limit of the window, e.g. `x-ratelimit-limit-requests`."""
    remaining_requests: str | None = None
    """Requests left in the window."""
    reset_requests: str | None = None
    """When the request budget is whole again: a duration such as `'2m59.56s'` (see `parse_duration`)."""
    limit_tokens: str | None = None
    """The token limit of the window, e.g. `x-ratelimit-limit-tokens`."""
    remaining_tokens: str | None = None
    """Tokens left in the window."""
    reset_tokens: str | None = None
    """When the token budget is whole again (a duration)."""
    retry_after: str | None = 'retry-after'
    """How long to wait after a 429 (seconds, or a duration)."""

    def pick(self, headers: Mapping[str, str]) -> dict[str, str]:
        """The rate-limit headers present in `headers`, by their (lowercased) names, for reporting."""
        found: dict[str, str] = {}
        for name in (
            self.limit_requests,
            self.remaining_requests,
            self.reset_requests,
            self.limit_tokens,
            self.remaining_tokens,
            self.reset_tokens,
        ):
            if name is not None:
                value = headers.get(name)
                if value is not None:
                    found[name.lower()] = value
        return found


@dataclass(frozen=True)
class FixedRateLimits:
    """Limits to pace by when the server sends no rate-limit headers (a gateway, a self-hosted endpoint).

    A limit given here replaces whatever headers say for that dimension; the window is counted by the client from
    the first request sent in it.
    """

    requests: int | None = None
    """At most this many requests per `period`."""
    tokens: int | None = None
    """At most this many (estimated) tokens per `period`."""
    period: float = 60.0
    """The window's length in seconds."""

    def __post_init__(self) -> None:
        from .exceptions import UserError

        for name in ('requests', 'tokens'):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise UserError(f'FixedRateLimits `{name}` must be a positive integer or None, got {value!r}.')
        if isinstance(self.period, bool) or not isinstance(self.period, (int, float)) or not self.period > 0:
            raise UserError(f'FixedRateLimits `period` must be a positive number of seconds, got {self.period!r}.')


@dataclass(eq=False)
class RateLimitPermit:
    """A request's reservation, from `RateLimiter.acquire()` until `RateLimiter.release()`."""

    tokens: int
    """The tokens reserved (the caller's estimate, capped at the known limit)."""
    waited: float = 0.0
    """Seconds this request spent waiting for the limiter, across every attempt (429 pauses included)."""
    sequence: int = 0
    """The send order: higher was sent later."""
    charged: bool = field(default=False, repr=False)
    """Whether the reservation is still counted as in flight."""
    holds_slot: bool = field(default=False, repr=False)
    """Whether it holds one of the `max_concurrency` slots."""


@dataclass(frozen=True)
class RetryPolicy:
    """How `RateLimiter.send()` retries a failed attempt: how many times, and how long it waits before each retry.

    The wait before retry `n` (0 for the first retry) is the server's `retry-after` when it sent one within
    (0, `max_retry_after`] seconds; else `initial_backoff * 2**n` capped at `max_backoff`, less a random fraction up
    to `jitter` of it, so that callers failing together do not come back together. The defaults (2 retries; 0.5 s,
    1 s, 2 s, ... up to 8 s, less up to 25 %; a `retry-after` honoured up to 60 s) are the usual defaults of
    the vendors' SDK clients. This policy is the one in force while a limiter paces requests; it is defined and
    tested here, not read from an SDK, so nothing drifts when an SDK changes its own.
    """

    max_retries: int = 2
    """Retries after the first attempt, at most (so `max_retries + 1` attempts); `0` for none."""
    initial_backoff: float = 0.5
    """Seconds before the first retry, doubled for each later one."""
    max_backoff: float = 8.0
    """The longest wait between two attempts when the server gave no `retry-after`."""
    jitter: float = 0.25
    """The largest fraction taken off a backoff at random."""
    max_retry_after: float = 60.0
    """The longest `retry-after` honoured: a 429 asking for more fails at once (see `RateLimiter.send()`)."""

    def __post_init__(self) -> None:
        from .exceptions import UserError

        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise UserError(f'RetryPolicy `max_retries` must be an integer >= 0, got {self.max_retries!r}.')
        for name in ('initial_backoff', 'max_backoff', 'max_retry_after'):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise UserError(f'RetryPolicy `{name}` must be a number of seconds >= 0, got {value!r}.')
        if isinstance(self.jitter, bool) or not isinstance(self.jitter, (int, float)) or not 0 <= self.jitter <= 1:
            raise UserError(f'RetryPolicy `jitter` must be a fraction between 0 and 1, got {self.jitter!r}.')

    def backoff(self, retries: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retries` (0 for the first), given the server's `retry-after`."""
        if retry_after is not None and 0 < retry_after <= self.max_retry_after:
            return retry_after
        return min(self.initial_backoff * 2.0**retries, self.max_backoff) * (1 - self.jitter * random.random())


@dataclass(frozen=True)
class AttemptFailure:
    """What an exception raised by one attempt of `RateLimiter.send()` means: a provider plugin's `classify` answer."""

    kind: Literal['rate_limited', 'transient', 'final']
    """`'rate_limited'`: the server refused for the rate limit (HTTP 429); pause every caller, then retry.
    `'transient'`: worth a retry after a backoff (a timeout, a lost connection, HTTP 408, 409, 5xx).
    `'final'`: raise at once (any other error answer, or anything that is not the API's)."""
    headers: Mapping[str, str] | None = None
    """The error answer's rate-limit headers (and `retry-after`), observed by the limiter; `None` when no answer
    arrived (a connection error, a timeout)."""


@dataclass(eq=False)
class Sent(Generic[ResponseT]):
    """What a send returns: the answer, and what the limiter pacing it knows of it."""

    response: ResponseT
    """The answer (for a stream: opened, its body not read yet)."""
    permit: RateLimitPermit | None = None
    """The request's reservation, `None` when no limiter paced it: already released for a plain request, held by a
    stream until `release()`."""
    limits: Mapping[str, str] | None = None
    """The answer's rate-limit headers as the limiter read them; `None` when no limiter paced the request."""
    limiter: RateLimiter | None = field(default=None, repr=False)
    """The limiter holding `permit`."""

    def release(self) -> None:
        """The request is over (a stream was closed): release its permit. Safe to call again, or without a permit."""
        if self.permit is not None and self.limiter is not None:
            self.limiter.release(self.permit)


@dataclass
class _Budget:
    """One dimension (tokens or requests): what the limiter believes is left, and until when."""

    limit: float | None = None
    remaining: float | None = None
    reset_at: float | None = None
    in_flight: float = 0.0
    # Answers to requests sent before this sequence number no longer change the budget.
    applied_sequence: int = -1
    fixed_period: float | None = None

    def roll(self, now: float, sequence: int) -> None:
        """Start a new window if the reset time has passed."""
        if self.reset_at is None or now < self.reset_at or self.limit is None:
            return
        if self.fixed_period is not None:
            self.remaining = self.limit
            self.reset_at = now + self.fixed_period
        else:
            self.remaining = self.limit - self.in_flight
            self.reset_at = None
        self.applied_sequence = sequence

    def shortfall(self, need: float, now: float) -> float:
        """0 if `need` fits now, else the seconds until it might (`math.inf`: until an answer changes things)."""
        if self.remaining is None or self.limit is None:
            return 0.0
        if self.fixed_period is not None and self.reset_at is None:
            self.remaining, self.reset_at = self.limit, now + self.fixed_period
        if self.remaining >= min(need, self.limit):
            return 0.0
        if self.reset_at is None:
            # Nothing says when the budget returns: wait for an answer in flight, else send one to learn from.
            return 0.0 if self.in_flight <= 0 else math.inf
        return max(self.reset_at - now, 0.0)

    def take(self, need: float) -> None:
        if self.remaining is not None:
            self.remaining -= need
        self.in_flight += need

    def apply(
        self, limit: float | None, remaining: float | None, reset: float | None, now: float, sent_later: float
    ) -> None:
        if limit is not None:
            self.limit = limit
        if remaining is not None:
            if self.in_flight <= 0 or self.remaining is None:
                # Nothing else in flight: the server has counted everything, its figure is exact.
                self.remaining = remaining
            else:
                # Others in flight may be uncounted yet, or counted in another order than sent: the figure can only
                # lower what the limiter's own accounting says is left, never raise it.
                self.remaining = min(self.remaining, remaining - sent_later)
            if self.limit is None:
                self.limit = remaining
        if reset is not None:
            self.reset_at = now + reset


@dataclass(eq=False)
class _Waiter:
    loop: asyncio.AbstractEventLoop
    tokens: float
    future: asyncio.Future[None] | None = None

    def wake(self) -> None:
        future = self.future
        if future is None or future.done():
            return
        try:
            self.loop.call_soon_threadsafe(_resolve, future)
        except RuntimeError:
            pass  # the waiter's loop is closed: nobody is waiting there any more


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class RateLimiter:
    """Paces requests sent with one API key by the rate-limit headers of the answers (see the module docstring).

    Usage, by a model's send function: `sent = await limiter.send(attempt, tokens=..., limits=..., classify=...)`
    (waits, sends, learns, retries; see `send()`), or by hand:

    ```python
    permit = await limiter.acquire(estimated_tokens)  # waits its turn
    try:
        response = await send()
        limiter.observe(permit, response.headers)  # any answer, errors included
    finally:
        limiter.release(permit)
    ```
    """

    def __init__(
        self,
        *,
        headers: RateLimitHeaders | None = None,
        max_concurrency: int | None = None,
        fixed_limits: FixedRateLimits | None = None,
        jitter: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create a limiter.

        Args:
            headers: The names of the rate-limit headers to read; `None` reads none (pace by `fixed_limits` and
                `max_concurrency` only).
            max_concurrency: At most this many requests at once (waiting for or reading an answer); `None` for no
                cap.
            fixed_limits: Limits to pace by when the server sends no headers; they replace the headers'.
            jitter: A 429's pause is lengthened by a random fraction up to this of it (0.1: up to 10 %).
            clock: Monotonic seconds; replaceable in tests.

        Raises:
            UserError: an argument is out of range.
        """
        from .exceptions import UserError

        if max_concurrency is not None and (
            isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) or max_concurrency < 1
        ):
            raise UserError(f'`max_concurrency` must be a positive integer or None, got {max_concurrency!r}.')
        if fixed_limits is not None and not isinstance(fixed_limits, FixedRateLimits):
            raise UserError(f'`fixed_limits` must be a FixedRateLimits, got {type(fixed_limits).__name__}.')
        if isinstance(jitter, bool) or not isinstance(jitter, (int, float)) or not 0 <= jitter <= 1:
            raise UserError(f'`jitter` must be a fraction between 0 and 1, got {jitter!r}.')
        self.headers = headers
        """The header names read from answers."""
        self.max_concurrency = max_concurrency
        """The cap on simultaneous requests, if any."""
        self.fixed_limits = fixed_limits
        """The fixed limits, if any."""
        self._jitter = float(jitter)
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = _Budget()
        self._requests = _Budget()
        if fixed_limits is not None:
            for budget, limit in ((self._tokens, fixed_limits.tokens), (self._requests, fixed_limits.requests)):
                if limit is not None:
                    budget.limit = budget.remaining = float(limit)
                    budget.fixed_period = float(fixed_limits.period)
        self._paused_until = 0.0
        self._active = 0
        self._sequence = 0
        self._waiters: deque[_Waiter] = deque()
        self._charged: dict[int, RateLimitPermit] = {}
        # Until the first answer says whether the server sends limits, one request at a time finds out.
        self._learned = headers is None
        self.rate_limited = 0
        """How many 429 answers paused this limiter."""

    def __repr__(self) -> str:
        return (
            f'RateLimiter(max_concurrency={self.max_concurrency!r}, fixed_limits={self.fixed_limits!r}, '
            f'tokens_remaining={self._tokens.remaining!r}, requests_remaining={self._requests.remaining!r})'
        )

    @property
    def is_idle(self) -> bool:
        """Whether no request holds a reservation or waits for one."""
        with self._lock:
            return self._active == 0 and not self._waiters and self._tokens.in_flight == 0

    def snapshot(self) -> dict[str, float | None]:
        """The limiter's current beliefs, for debugging and tests: limits, what is left, seconds until reset."""
        now = self._clock()
        with self._lock:
            return {
                'tokens_limit': self._tokens.limit,
                'tokens_remaining': self._tokens.remaining,
                'tokens_reset_in': None if self._tokens.reset_at is None else self._tokens.reset_at - now,
                'requests_limit': self._requests.limit,
                'requests_remaining': self._requests.remaining,
                'requests_reset_in': None if self._requests.reset_at is None else self._requests.reset_at - now,
                'paused_for': max(self._paused_until - now, 0.0),
            }

    async def acquire(self, tokens: int, permit: RateLimitPermit | None = None) -> RateLimitPermit:
        """Wait until a request of `tokens` estimated tokens may be sent, and reserve them.

        Args:
            tokens: The request's estimated size in tokens (prompt plus the most the answer may use).
            permit: A permit released earlier by the same request (a retry): its waiting time keeps adding up.

        Returns:
            The permit, to pass to `observe()` and `release()`.
        """
        if permit is None:
            permit = RateLimitPermit(tokens=max(int(tokens), 0))
        start = self._clock()
        with self._lock:
            if not self._waiters and self._try_take(permit, start) == 0.0:
                return permit
            waiter = _Waiter(asyncio.get_running_loop(), permit.tokens)
            self._waiters.append(waiter)
        try:
            while True:
                with self._lock:
                    now = self._clock()
                    delay = self._try_take(permit, now) if self._waiters[0] is waiter else math.inf
                    if delay == 0.0:
                        self._waiters.popleft()
                        self._wake_head()
                        break
                    future: asyncio.Future[None] = waiter.loop.create_future()
                    waiter.future = future
                try:
                    await asyncio.wait_for(future, None if math.isinf(delay) else delay)
                except asyncio.TimeoutError:
                    pass
        except BaseException:
            with self._lock:
                was_head = bool(self._waiters) and self._waiters[0] is waiter
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass
                if was_head:
                    self._wake_head()
            raise
        finally:
            permit.waited += self._clock() - start
        return permit

    def observe(self, permit: RateLimitPermit, headers: Mapping[str, str]) -> None:
        """Learn from an answer's headers (any status) to the request holding `permit`; ends its in-flight charge."""
        names = self.headers
        with self._lock:
            self._learned = True
            self._uncharge(permit)
            if names is not None and permit.sequence > min(
                self._tokens.applied_sequence, self._requests.applied_sequence
            ):
                now = self._clock()
                # Only requests sent after this one can be missing from the server's count. `_charged` is in
                # sequence order, so the few sent earlier are counted from its start and the rest is what is left
                # of the in-flight totals: linear in a burst, where scanning every later request was quadratic.
                earlier_tokens, earlier = 0.0, 0
                for sequence, other in self._charged.items():
                    if sequence > permit.sequence:
                        break
                    earlier_tokens += other.tokens
                    earlier += 1
                later_tokens = self._tokens.in_flight - earlier_tokens
                later = len(self._charged) - earlier
                self._apply(self._tokens, permit, headers, names.limit_tokens, names.remaining_tokens,
                            names.reset_tokens, now, later_tokens)  # fmt: skip
                self._apply(self._requests, permit, headers, names.limit_requests, names.remaining_requests,
                            names.reset_requests, now, later)  # fmt: skip
            self._wake_head()

    def pause(self, seconds: float | None, headers: Mapping[str, str] | None = None) -> float:
        """Hold every request for `seconds` (plus jitter), after a 429; returns the pause applied.

        Args:
            seconds: The server's `retry-after`; when `None`, the token reset time of `headers` if any, else 1 s.
            headers: The 429's headers, to read a reset time from when `retry-after` is missing.
        """
        if seconds is None and headers is not None and self.headers is not None:
            for name in (self.headers.reset_tokens, self.headers.reset_requests):
                value = headers.get(name) if name is not None else None
                seconds = parse_duration(value) if value is not None else None
                if seconds:
                    break
        base = seconds if seconds is not None and seconds > 0 else 1.0
        pause = base * (1.0 + random.uniform(0.0, self._jitter))
        with self._lock:
            self.rate_limited += 1
            self._paused_until = max(self._paused_until, self._clock() + pause)
            self._wake_head()
        return pause

    def retry_after(self, headers: Mapping[str, str]) -> float | None:
        """The `retry-after` of an answer, in seconds (a number or a duration), if it has one."""
        name = self.headers.retry_after if self.headers is not None else 'retry-after'
        value = headers.get(name) if name is not None else None
        return parse_duration(value) if value is not None else None

    async def send(
        self,
        attempt: Callable[[int], Awaitable[ResponseT]],
        *,
        tokens: int,
        limits: Callable[[ResponseT], Mapping[str, str]],
        classify: Callable[[Exception], AttemptFailure],
        retry_policy: RetryPolicy | None = None,
        hold: bool = False,
    ) -> Sent[ResponseT]:
        """Send one request through this limiter, with retries; the answer, the permit and the answer's limits.

        Each attempt waits its turn (`acquire()`), then `attempt(retries)` sends it; `retries` is the number of
        attempts before this one, for a plugin to mark retries as SDKs do (a retry-count header). The attempt must
        not retry by itself: turn the SDK's own retries off in it, or they multiply with these.

        - An answer: its rate-limit headers (`limits(response)`) are observed and returned as `Sent.limits`; the
          permit is released, unless `hold` (a stream keeps its concurrency slot until `Sent.release()`, when it
          is closed).
        - An exception (`Exception`; anything else, a cancellation say, releases the permit and is raised at once):
          `classify(exc)` says what it means. An error answer's headers are observed and the permit is released.
          A `'final'` failure, or any once `max_retries` retries were made, is raised as it is. A `'rate_limited'`
          one pauses the whole limiter, every caller, for the answer's `retry-after` plus jitter (`pause()`), and
          the request queues again; a `retry-after` above `max_retry_after` (a daily limit, say) pauses the limiter
          that long and raises at once rather than keep the caller for hours. A `'transient'` one is retried after
          `retry_policy.backoff()`.

        Args:
            attempt: Sends the request once and returns the answer; raises the SDK's errors.
            tokens: The request's estimated tokens (see `acquire()`).
            limits: The rate-limit headers of an answer, by lowercased name.
            classify: What an exception raised by `attempt` means.
            retry_policy: How often and after how long to retry; `RetryPolicy()` by default.
            hold: Keep the permit after the answer (a stream); release it with `Sent.release()`.

        Returns:
            The answer, its permit and its rate-limit headers.

        Raises:
            Exception: the last attempt's exception, as `attempt` raised it.
        """
        policy = retry_policy if retry_policy is not None else _DEFAULT_RETRY_POLICY
        permit: RateLimitPermit | None = None
        retries = 0
        while True:
            permit = await self.acquire(tokens, permit)
            try:
                response = await attempt(retries)
            except Exception as exc:
                try:
                    failure = classify(exc)
                    if failure.headers is not None:
                        self.observe(permit, failure.headers)
                finally:
                    self.release(permit)
                if failure.kind == 'final' or retries >= policy.max_retries:
                    raise
                retry_after = self.retry_after(failure.headers) if failure.headers is not None else None
                if failure.kind == 'rate_limited':
                    if retry_after is not None and retry_after > policy.max_retry_after:
                        # A daily limit, most likely: hold the others for a while, but do not keep this caller.
                        self.pause(policy.max_retry_after)
                        raise
                    self.pause(retry_after, failure.headers)
                else:
                    await asyncio.sleep(policy.backoff(retries, retry_after))
            except BaseException:
                self.release(permit)
                raise
            else:
                observed = limits(response)
                self.observe(permit, observed)
                if not hold:
                    self.release(permit)
                return Sent(response, permit, observed, self)
            retries += 1

    def release(self, permit: RateLimitPermit) -> None:
        """The request is over (or about to be retried): free its concurrency slot and any in-flight charge."""
        with self._lock:
            self._uncharge(permit)
            if permit.holds_slot:
                permit.holds_slot = False
                self._active -= 1
            self._wake_head()

    # -- under the lock ------------------------------------------------------------------------------------------

    def _try_take(self, permit: RateLimitPermit, now: float) -> float:
        if now < self._paused_until:
            return self._paused_until - now
        if self.max_concurrency is not None and self._active >= self.max_concurrency:
            return math.inf
        if not self._learned and self._charged:
            return math.inf
        sequence = self._sequence
        self._tokens.roll(now, sequence)
        self._requests.roll(now, sequence)
        wait = max(self._tokens.shortfall(permit.tokens, now), self._requests.shortfall(1, now))
        if wait > 0:
            return wait
        if self._tokens.limit is not None:
            permit.tokens = int(min(permit.tokens, self._tokens.limit))
        self._tokens.take(permit.tokens)
        self._requests.take(1)
        self._sequence += 1
        permit.sequence = self._sequence
        permit.charged = True
        self._charged[permit.sequence] = permit
        if self.max_concurrency is not None:
            permit.holds_slot = True
            self._active += 1
        return 0.0

    def _uncharge(self, permit: RateLimitPermit) -> None:
        if permit.charged:
            permit.charged = False
            self._charged.pop(permit.sequence, None)
            self._tokens.in_flight -= permit.tokens
            self._requests.in_flight -= 1

    def _apply(
        self,
        budget: _Budget,
        permit: RateLimitPermit,
        headers: Mapping[str, str],
        limit_name: str | None,
        remaining_name: str | None,
        reset_name: str | None,
        now: float,
        sent_later: float,
    ) -> None:
        if budget.fixed_period is not None or permit.sequence <= budget.applied_sequence:
            return
        remaining = _parse_count(headers.get(remaining_name)) if remaining_name is not None else None
        limit = _parse_count(headers.get(limit_name)) if limit_name is not None else None
        reset_value = headers.get(reset_name) if reset_name is not None else None
        reset = parse_duration(reset_value) if reset_value is not None else None
        if remaining is None and limit is None:
            return
        budget.applied_sequence = permit.sequence
        budget.apply(limit, remaining, reset, now, sent_later)

    def _wake_head(self) -> None:
        if self._waiters:
            self._waiters[0].wake()


_DEFAULT_RETRY_POLICY = RetryPolicy()
