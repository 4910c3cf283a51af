"""Per-key rate limits for `GroqTestServer`: Groq's `x-ratelimit-*` headers, 429 and 413 answers, and a ledger.

```python
from pydantic_ai_groq.testing import GroqTestServer, RateLimits

with GroqTestServer(rate_limits=RateLimits(tokens=6000, window=3.0)) as server:
    ...  # at most 6,000 tokens per 3 s per API key; then 429s with `retry-after`
    server.rate_limit_ledger.max_window_tokens()
```

How the server counts, so tests can reason about it:

- Limits apply per API key (the `Authorization` header), in fixed windows of `window` seconds that start with the
  key's first request. Groq itself refills a token bucket continuously; a fixed window is simpler to reason about in
  tests, and its headers read the same (`remaining` left, `reset` until the budget is whole again).
- A request costs its prompt tokens, counted as the characters of the messages' text (string contents, text parts,
  tool-call arguments) divided by 4 and rounded up, plus its `max_completion_tokens` (or `max_tokens`; 0 when
  neither is set): the most it may use, charged when it is admitted, as Groq does.
- A request costing more than the whole token limit gets a 413 (`"Request too large ..."`); a request that does not
  fit what is left of the window gets a 429 whose body says `"type": "tokens"` (or `"requests"`), with
  `retry-after` = seconds until the window ends. Both bodies follow Groq's recorded answers (code
  `rate_limit_exceeded`); like Groq's, they carry no `x-ratelimit-*` headers. `retry-after` is whole seconds, as
  Groq sends it, when the window is a minute or longer, and fractional (milliseconds) for the short windows tests
  use, so tests stay fast.
- Admitted requests are answered as usual (queue or default) with Groq's six `x-ratelimit-*` headers added, for the
  dimensions that are limited.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from . import wire
from ._http import RecordedRequest
from .responses import ScriptedResponse, json_response

__all__ = ('RateLimits', 'RateLimitLedger', 'RateLimitEvent', 'format_duration', 'count_request_tokens', 'stamp')

_UPGRADE = 'Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing'


@dataclass(frozen=True)
class RateLimits:
    """Limits the test server enforces per API key."""

    tokens: int | None = None
    """Tokens per window (prompt plus `max_tokens`); `None` for no token limit."""
    requests: int | None = None
    """Requests per window; `None` for no request limit."""
    window: float = 60.0
    """The window's length in seconds (Groq's token limits are per minute; tests use a few seconds)."""
    organization: str = 'org_test'
    """The organization named in 429 and 413 messages."""

    def __post_init__(self) -> None:
        for name in ('tokens', 'requests'):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
                raise ValueError(f'RateLimits.{name} must be a positive integer or None, got {value!r}')
        if isinstance(self.window, bool) or not isinstance(self.window, (int, float)) or not self.window > 0:
            raise ValueError(f'RateLimits.window must be a positive number of seconds, got {self.window!r}')


@dataclass(frozen=True)
class RateLimitEvent:
    """One decision of the server's rate limiter."""

    time: float
    """`time.monotonic()` when the request was judged."""
    key: str
    """Which API key (a short fingerprint, never the key itself)."""
    window: int
    """The index of the key's window (0 for the first)."""
    tokens: int
    """What the request costs (prompt tokens plus `max_tokens`)."""
    status: Literal[200, 413, 429]
    """200 admitted, 429 refused for now, 413 too large ever."""


def format_duration(seconds: float) -> str:
    """A duration the way Groq's `x-ratelimit-reset-*` headers write it: `'420ms'`, `'7.66s'`, `'2m59.56s'`."""
    seconds = max(seconds, 0.0)
    if seconds < 1:
        return f'{round(seconds * 1000)}ms'
    minutes, rest = divmod(round(seconds, 2), 60)
    text = f'{rest:.2f}'.rstrip('0').rstrip('.') + 's'
    return f'{int(minutes)}m{text}' if minutes else text


def count_request_tokens(body: Any) -> int:
    """What a chat-completions request costs in the test server: prompt characters / 4, plus `max_tokens`."""
    if not isinstance(body, dict):
        return 0
    characters = 0
    messages = body.get('messages')
    for message in messages if isinstance(messages, list) else ():
        if not isinstance(message, dict):
            continue
        content = message.get('content')
        if isinstance(content, str):
            characters += len(content)
        elif isinstance(content, list):
            characters += sum(len(p['text']) for p in content if isinstance(p, dict) and isinstance(p.get('text'), str))
        calls = message.get('tool_calls')
        for call in calls if isinstance(calls, list) else ():
            function = call.get('function') if isinstance(call, dict) else None
            arguments = function.get('arguments') if isinstance(function, dict) else None
            if isinstance(arguments, str):
                characters += len(arguments)
    most = body.get('max_completion_tokens', body.get('max_tokens'))
    completion = most if isinstance(most, int) and not isinstance(most, bool) and most > 0 else 0
    return math.ceil(characters / 4) + completion


@dataclass
class _KeyWindow:
    start: float
    index: int = 0
    tokens: int = 0
    requests: int = 0


@dataclass
class RateLimitLedger:
    """The server's per-key rate limiter and the record of its decisions (thread-safe)."""

    limits: RateLimits
    """The limits enforced."""
    clock: Callable[[], float] = time.monotonic
    """Monotonic seconds."""
    events: list[RateLimitEvent] = field(default_factory=list)
    """Every decision, in order."""
    _windows: dict[str, _KeyWindow] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def admit(self, request: RecordedRequest) -> tuple[ScriptedResponse | None, tuple[tuple[str, str], ...]]:
        """Judge a chat request: `(refusal, ())` when refused, else `(None, headers to add to the answer)`."""
        limits = self.limits
        cost = count_request_tokens(request.json)
        key = _fingerprint(request.headers.get('authorization', ''))
        with self._lock:
            now = self.clock()
            window = self._window(key, now)
            wait = window.start + limits.window - now
            status: Literal[200, 413, 429] = 200
            refusal: ScriptedResponse | None = None
            if limits.tokens is not None and cost > limits.tokens:
                status, refusal = 413, self._too_large(request, cost)
            elif limits.requests is not None and window.requests + 1 > limits.requests:
                status, refusal = 429, self._limited(request, 'requests', window.requests, 1, wait)
            elif limits.tokens is not None and window.tokens + cost > limits.tokens:
                status, refusal = 429, self._limited(request, 'tokens', window.tokens, cost, wait)
            else:
                window.tokens += cost
                window.requests += 1
            self.events.append(RateLimitEvent(now, key, window.index, cost, status))
            if refusal is not None:
                # Groq's recorded 429s and 413s carry no `x-ratelimit-*` headers.
                kept = tuple(item for item in refusal.headers if not item[0].startswith('x-ratelimit-'))
                return replace(refusal, headers=kept), ()
            return None, self._headers(window, wait)

    # -- figures for tests and the benchmark ---------------------------------------------------------------------

    def count(self, status: int) -> int:
        """How many requests got `status` (200 admitted, 429, 413)."""
        with self._lock:
            return sum(1 for event in self.events if event.status == status)

    def tokens_by_window(self) -> dict[tuple[str, int], int]:
        """Tokens admitted per `(key, window index)`."""
        totals: dict[tuple[str, int], int] = {}
        with self._lock:
            for event in self.events:
                if event.status == 200:
                    totals[(event.key, event.window)] = totals.get((event.key, event.window), 0) + event.tokens
        return totals

    def max_window_tokens(self) -> int:
        """The most tokens admitted in any one window of any key (never above the limit, by construction)."""
        return max(self.tokens_by_window().values(), default=0)

    def max_sliding_window_tokens(self) -> int:
        """The most tokens admitted in any interval of `window` seconds, wherever it starts (straddling windows)."""
        with self._lock:
            admitted = [(event.time, event.tokens) for event in self.events if event.status == 200]
        best = total = 0
        first = 0
        for when, tokens in admitted:
            total += tokens
            while admitted[first][0] <= when - self.limits.window:
                total -= admitted[first][1]
                first += 1
            best = max(best, total)
        return best

    # -- under the lock ------------------------------------------------------------------------------------------

    def _window(self, key: str, now: float) -> _KeyWindow:
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _KeyWindow(start=now)
        elapsed = int((now - window.start) // self.limits.window)
        if elapsed > 0:
            window.start += elapsed * self.limits.window
            window.index += elapsed
            window.tokens = window.requests = 0
        return window

    def _headers(self, window: _KeyWindow, wait: float) -> tuple[tuple[str, str], ...]:
        limits = self.limits
        reset = format_duration(wait)
        headers: list[tuple[str, str]] = []
        if limits.requests is not None:
            headers += [
                ('x-ratelimit-limit-requests', str(limits.requests)),
                ('x-ratelimit-remaining-requests', str(max(limits.requests - window.requests, 0))),
                ('x-ratelimit-reset-requests', reset if window.requests else '0s'),
            ]
        if limits.tokens is not None:
            headers += [
                ('x-ratelimit-limit-tokens', str(limits.tokens)),
                ('x-ratelimit-remaining-tokens', str(max(limits.tokens - window.tokens, 0))),
                ('x-ratelimit-reset-tokens', reset if window.tokens else '0s'),
            ]
        return tuple(headers)

    def _per(self, kind: str) -> str:
        short = 'TPM' if kind == 'tokens' else 'RPM'
        if self.limits.window == 60:
            return f'{kind} per minute ({short})'
        return f'{kind} per {self.limits.window:g}s window ({short})'

    def _where(self, request: RecordedRequest) -> str:
        model = request.json.get('model') if isinstance(request.json, dict) else None
        return (
            f'for model `{model if isinstance(model, str) else wire.DEFAULT_MODEL}` in organization '
            f'`{self.limits.organization}` service tier `on_demand`'
        )

    def _limited(
        self, request: RecordedRequest, kind: Literal['tokens', 'requests'], used: int, requested: int, wait: float
    ) -> ScriptedResponse:
        limit = self.limits.tokens if kind == 'tokens' else self.limits.requests
        message = (
            f'Rate limit reached {self._where(request)} on {self._per(kind)}: Limit {limit}, Used {used}, '
            f'Requested {requested}. Please try again in {format_duration(wait)}. {_UPGRADE}'
        )
        # Groq sends whole seconds; short test windows get milliseconds so tests stay fast.
        retry_after = str(math.ceil(wait)) if self.limits.window >= 60 else f'{max(wait, 0.001):.3f}'
        body = wire.error_body(message, error_type=kind, code='rate_limit_exceeded')
        return json_response(body, status=429, headers={'retry-after': retry_after})

    def _too_large(self, request: RecordedRequest, requested: int) -> ScriptedResponse:
        message = (
            f'Request too large {self._where(request)} on {self._per("tokens")}: Limit {self.limits.tokens}, '
            f'Requested {requested}, please reduce your message size and try again. {_UPGRADE}'
        )
        return json_response(wire.error_body(message, error_type='tokens', code='rate_limit_exceeded'), status=413)


def stamp(response: ScriptedResponse, headers: tuple[tuple[str, str], ...]) -> ScriptedResponse:
    """`response` with the rate-limit `headers` added (replacing any of the same name)."""
    if not headers:
        return response
    names = {name for name, _ in headers}
    kept = tuple(item for item in response.headers if item[0].lower() not in names)
    return replace(response, headers=kept + headers)


def _fingerprint(authorization: str) -> str:
    import hashlib

    return hashlib.sha256(authorization.encode()).hexdigest()[:12]
