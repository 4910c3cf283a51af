"""Pacing Groq requests by Groq's `x-ratelimit-*` headers: the header names, the token estimate, the send loop.

The limiter itself is the core's vendor-neutral `pydantic_ai.ratelimit.RateLimiter`; this module gives it Groq's
header names (`GROQ_RATE_LIMIT_HEADERS`), estimates what a request will cost before it is sent, and sends a request
through it with 429s, 413s and the SDK's retries handled (`send_paced`).

How the SDK's retries and the limiter's combine: while a limiter is in use, every attempt goes out with the SDK's
own retries off (`max_retries=0` for that request) and `send_paced` makes the retries itself, at most the
provider's `max_retries` (the SDK's default 2) in all, whatever failed. A 429 pauses the whole limiter for the
server's `retry-after` (plus jitter) and the request queues again; a `retry-after` over a minute (a daily request
limit, say) pauses the limiter for a minute and fails the request at once, as the SDK would not wait that long
either. A 408, 409, 5xx, timeout or connection error is retried after the SDK's own backoff (its `retry-after` if
it sent one, else 0.5 s doubling up to 8 s, minus up to a quarter of jitter). So a request is attempted at most
`max_retries + 1` times, never the SDK's retries times ours, and each retry carries `x-stainless-retry-count` as the
SDK's would. A 413 is never retried.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
from dataclasses import dataclass
from typing import Any, cast

import groq
import httpx
from groq import AsyncGroq

from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.ratelimit import RateLimiter, RateLimitHeaders, RateLimitPermit

from ._errors import error_object, is_retryable

__all__ = (
    'SentRequest',
    'GROQ_RATE_LIMIT_HEADERS',
    'estimate_tokens',
    'send_paced',
    'rate_limit_details',
    'limit_headers',
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

MAX_PAUSE = 60.0
"""The longest `retry-after` a 429 is retried after (as the SDK's own cap); a longer one fails the request at once."""
_INITIAL_BACKOFF = 0.5
_MAX_BACKOFF = 8.0
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


@dataclass
class SentRequest:
    """What the model's send path reports back: the HTTP response, and the limiter's permit when there is one."""

    response: httpx.Response | None = None
    permit: RateLimitPermit | None = None
    limits: dict[str, str] | None = None
    """The answer's `x-ratelimit-*` and `retry-after` headers, when the limiter has read them (read once)."""


def rate_limit_details(sent: SentRequest) -> dict[str, Any]:
    """What a response's `provider_details` gain: `rate_limits` and `rate_limit_wait`, when there is something to say.

    `rate_limits` holds the answer's `x-ratelimit-*` headers as sent (limit, remaining and reset of requests and
    tokens), so a caller can pace itself; `rate_limit_wait` the seconds the request waited for the provider's limiter
    (429 pauses included), when the provider has one.
    """
    details: dict[str, Any] = {}
    limits = sent.limits
    if limits is None:
        limits = limit_headers(sent.response.headers) if sent.response is not None else {}
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


async def send_paced(
    client: AsyncGroq,
    limiter: RateLimiter,
    path: str,
    content: bytes,
    options: dict[str, Any],
    *,
    tokens: int,
    stream: bool,
    model_name: str,
) -> tuple[httpx.Response, RateLimitPermit, dict[str, str]]:
    """Send one request through `limiter` (see the module docstring); also returns the answer's limit headers.

    A non-streamed request's permit is released here (its body has been read); a streamed request's permit holds
    its concurrency slot until the caller releases it, when the stream is closed.

    Raises:
        groq.APIStatusError: the final error answer (the model maps it, as without a limiter).
        groq.APIConnectionError: the final connection failure or timeout.
        ModelHTTPError: a 413, the request being larger than the token limit; its message says both sizes.
    """
    max_retries = client.max_retries
    permit: RateLimitPermit | None = None
    retries = 0
    while True:
        permit = await limiter.acquire(tokens, permit)
        attempt = {**options, 'max_retries': 0}
        if retries:
            attempt['headers'] = {**options.get('headers', {}), 'x-stainless-retry-count': str(retries)}
        try:
            response = cast(
                httpx.Response,
                await client.post(
                    path, cast_to=httpx.Response, content=content, options=cast(Any, attempt), stream=stream
                ),
            )
        except groq.APIStatusError as exc:
            headers = limit_headers(exc.response.headers)
            limiter.observe(permit, headers)
            limiter.release(permit)
            status = exc.status_code
            if status == 413:
                raise _too_large(exc, tokens, limiter, model_name) from exc
            if retries >= max_retries or not is_retryable(status, exc.body):
                raise
            if status == 429:
                retry_after = limiter.retry_after(headers)
                if retry_after is not None and retry_after > MAX_PAUSE:
                    # A daily limit, most likely: hold the others for a while, but do not keep this caller for hours.
                    limiter.pause(MAX_PAUSE)
                    raise
                limiter.pause(retry_after, headers)
            else:
                await asyncio.sleep(_backoff(retries, limiter.retry_after(headers)))
        except groq.APIConnectionError:
            limiter.release(permit)
            if retries >= max_retries:
                raise
            await asyncio.sleep(_backoff(retries, None))
        except BaseException:
            limiter.release(permit)
            raise
        else:
            limits = limit_headers(response.headers)
            limiter.observe(permit, limits)
            if not stream:
                limiter.release(permit)
            return response, permit, limits
        retries += 1


def _backoff(retries: int, retry_after: float | None) -> float:
    """The SDK's delay before a retry: the server's `retry-after` when in (0, 60], else exponential with jitter."""
    if retry_after is not None and 0 < retry_after <= 60:
        return retry_after
    return min(_INITIAL_BACKOFF * 2.0**retries, _MAX_BACKOFF) * (1 - 0.25 * random.random())


def _too_large(exc: groq.APIStatusError, tokens: int, limiter: RateLimiter, model_name: str) -> Exception:
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
