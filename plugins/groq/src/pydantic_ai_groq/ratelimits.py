"""Pacing Groq requests by Groq's `x-ratelimit-*` headers: the header names, the token estimate, what errors mean.

The limiter and its send loop are the core's vendor-neutral `pydantic_ai.ratelimit.RateLimiter` (`send()`, with a
`RetryPolicy`); this module gives them Groq's header names (`GROQ_RATE_LIMIT_HEADERS`), estimates what a request
will cost before it is sent (`estimate_tokens`), and says what each groq SDK error means (`classify_error`).
Groq's limits are token buckets that refill continuously, which the core's limiter models cautiously (a burst of
up to `limit`, then a wait for the bucket to refill; see `pydantic_ai.ratelimit`).

How the SDK's retries and the limiter's combine: while a limiter is in use, every attempt goes out with the SDK's
own retries off (`max_retries=0` for that request) and the limiter makes the retries, at most the provider's
`max_retries` (the SDK's default 2) in all, whatever failed. A 429 pauses the whole limiter for the server's
`retry-after` (plus jitter) and the request queues again; a `retry-after` over a minute (a daily request limit, say)
pauses the limiter for a minute and fails the request at once. A 408, 409, 5xx, timeout or connection error is
retried after the core's `RetryPolicy` backoff (the server's `retry-after` if it sent one, else 0.5 s doubling up to
8 s, less up to a quarter of jitter). So a request is attempted at most `max_retries + 1` times, never the SDK's
retries times ours, and each retry carries `x-stainless-retry-count` as the SDK's would. A 413 is never retried: it
fails at once saying the request's size and the limit (`too_large_error`).
"""

from __future__ import annotations

import math
import re
from typing import Any

import groq
import httpx

from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.ratelimit import AttemptFailure, RateLimiter, RateLimitHeaders, Sent

from ._errors import error_object, is_retryable

__all__ = (
    'GROQ_RATE_LIMIT_HEADERS',
    'estimate_tokens',
    'classify_error',
    'too_large_error',
    'rate_limit_details',
    'limit_headers',
    'response_limits',
)

GROQ_RATE_LIMIT_HEADERS = RateLimitHeaders(
    limit_requests='x-ratelimit-limit-requests',
    remaining_requests='x-ratelimit-remaining-requests',
    reset_requests='x-ratelimit-reset-requests',
    limit_tokens='x-ratelimit-limit-tokens',
    remaining_tokens='x-ratelimit-remaining-tokens',
    reset_tokens='x-ratelimit-reset-tokens',
    retry_after='retry-after',
)
"""The headers Groq reports its rate limits in (also sent by OpenAI-compatible gateways)."""

_SIZE = re.compile(r'Limit (\d+), (?:Used \d+, )?Requested (\d+)')


def estimate_tokens(body: dict[str, Any]) -> int:
    """What a request will cost against a token limit, estimated before it is sent.

    The prompt is counted as ~4 characters per token (the usual rule for English text with Llama-family and GPT
    tokenizers): the characters of every message's text (string contents and text parts), of tool-call arguments and
    tool results, plus the characters of the tool definitions' JSON, divided by 4 and rounded up. Images and other
    non-text parts are not counted. To that comes the most the answer may use, `max_completion_tokens` or
    `max_tokens` (Groq reserves it when the request is admitted); nothing when neither is set. The estimate only
    decides when to send: the answer's headers then say what the server really counted.
    """
    characters = 0
    for message in body.get('messages', ()):
        content = message.get('content')
        if isinstance(content, str):
            characters += len(content)
        elif isinstance(content, list):
            for part in content:
                text = part.get('text') if isinstance(part, dict) else None
                if isinstance(text, str):
                    characters += len(text)
        for call in message.get('tool_calls') or ():
            arguments = call.get('function', {}).get('arguments') if isinstance(call, dict) else None
            if isinstance(arguments, str):
                characters += len(arguments)
    tools = body.get('tools')
    if tools:
        from ._request import dumps

        characters += len(dumps(tools))
    most = body.get('max_completion_tokens', body.get('max_tokens'))
    completion = most if isinstance(most, int) and not isinstance(most, bool) and most > 0 else 0
    return math.ceil(characters / 4) + completion


def rate_limit_details(sent: Sent[httpx.Response]) -> dict[str, Any]:
    """What a response's `provider_details` gain: `rate_limits` and `rate_limit_wait`, when there is something to say.

    `rate_limits` holds the answer's `x-ratelimit-*` headers as sent (limit, remaining and reset of requests and
    tokens), so a caller can pace itself; `rate_limit_wait` the seconds the request waited for the provider's limiter
    (429 pauses included), when the provider has one.
    """
    details: dict[str, Any] = {}
    limits = sent.limits
    if limits is None:
        limits = limit_headers(sent.response.headers)
    found = {name: value for name, value in limits.items() if name != 'retry-after'}
    if found:
        details['rate_limits'] = found
    if sent.permit is not None:
        details['rate_limit_wait'] = sent.permit.waited
    return details


def limit_headers(headers: httpx.Headers) -> dict[str, str]:
    """An answer's `x-ratelimit-*` and `retry-after` headers, names lowercased, in one pass over the raw headers.

    Cheaper than looking each name up in `httpx.Headers` (every lookup scans them all); the limiter then reads a dict.
    """
    return {
        name.decode('latin-1').lower(): value.decode('latin-1')
        for name, value in headers.raw
        if name[:12].lower() == b'x-ratelimit-' or name.lower() == b'retry-after'
    }


def response_limits(response: httpx.Response) -> dict[str, str]:
    """An answer's rate-limit headers (see `limit_headers`): what `RateLimiter.send()` observes of a success."""
    return limit_headers(response.headers)


def classify_error(exc: Exception) -> AttemptFailure:
    """What an error of the groq SDK means to `RateLimiter.send()`; the headers of an error answer come along.

    A 429 is `'rate_limited'`; a 408, 409 or 5xx, a timeout or a connection error is `'transient'`, as the SDK
    itself retries, except the flex tier's capacity error (`is_retryable`), which fails at once; anything else (a
    413 included, see `too_large_error`) is `'final'`.
    """
    if isinstance(exc, groq.APIStatusError):
        status = exc.status_code
        headers = limit_headers(exc.response.headers)
        if status == 429:
            return AttemptFailure('rate_limited', headers)
        if is_retryable(status, exc.body):
            return AttemptFailure('transient', headers)
        return AttemptFailure('final', headers)
    if isinstance(exc, groq.APIConnectionError):
        return AttemptFailure('transient')
    return AttemptFailure('final')


def too_large_error(exc: groq.APIStatusError, tokens: int, limiter: RateLimiter, model_name: str) -> ModelHTTPError:
    """The `ModelHTTPError` for a 413: the request's size and the limit, from Groq's message or our own figures."""
    message = error_object(exc.body).get('message')
    found = _SIZE.search(message) if isinstance(message, str) else None
    if found is not None:
        limit, requested = found.group(1), found.group(2)
        size = f'{requested} tokens (estimated here before sending: {tokens})'
    else:
        known = limiter.snapshot()['tokens_limit']
        limit = f'{known:.0f}' if known is not None else 'unknown'
        size = f'about {tokens} tokens (estimated before sending)'
    hint = (
        f'The request is too large for the rate limit: it needs {size}, and the limit is {limit} tokens per window. '
        'No retry can fix this: shorten the conversation, or lower `max_tokens`.'
    )
    return ModelHTTPError(
        status_code=exc.status_code, model_name=model_name, body=exc.body, headers=exc.response.headers, hint=hint
    )
