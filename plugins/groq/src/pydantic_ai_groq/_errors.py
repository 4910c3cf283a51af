"""The one place where errors of the groq SDK and httpx, and answers Groq should not have sent, become exceptions.

- `map_api_errors`: SDK and transport errors as the `pydantic_ai.exceptions` tree, chained with `from exc`.
- `retired_model_error`: the `ModelRetiredError` for an answer saying the model is retired (or not found, for a name
  the catalogue knows Groq retired), naming the model to use instead.
- `is_recoverable`: the one check deciding whether a failed generation is returned as a response, not raised.
- `is_retryable`: the one check deciding whether an HTTP error answer is worth retrying (408, 409, 429, 5xx), and
  `is_capacity_exceeded`: the flex tier's HTTP 498, which is not (it fails at once, with advice).
- `malformed`: the `UnexpectedModelBehavior` for an answer of the wrong shape, with an excerpt of it.
- `stream_error`: the `ModelAPIError` for an `event: error` frame that is not recoverable.

Messages about the API name the provider the user chose: "Groq" for the `groq` provider, else the provider's own
name (a Groq-compatible gateway registered under its name is not Groq), and only Groq's own name gets Groq's model
list and documentation as a hint.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, get_args

import groq
import httpx

from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    ModelRetiredError,
    ModelTimeoutError,
    UnexpectedModelBehavior,
)

from .model_names import (
    LatestGroqModelNames,
    PreviewGroqModelNames,
    ProductionGroqModelNames,
    groq_model_info,
    replacement_for,
    retired_model_hint,
)

__all__ = (
    'map_api_errors',
    'api_name',
    'error_object',
    'is_recoverable',
    'is_retryable',
    'is_capacity_exceeded',
    'malformed',
    'model_name_hint',
    'retired_model_error',
    'stream_error',
)

GROQ = 'groq'
"""The provider name Groq itself is registered under."""

_EXCERPT = 1000
"""How many characters of an offending payload an error carries."""

_DEPRECATIONS_URL = 'https://console.groq.com/docs/deprecations'


def api_name(provider_name: str) -> str:
    """The API as messages name it: `Groq` for the `groq` provider, else `provider '<name>'`."""
    return 'Groq' if provider_name == GROQ else f'provider {provider_name!r}'


def error_object(body: Any) -> dict[str, Any]:
    """Groq's `error` object from an error body (`{"error": {...}}`), or `{}`."""
    error = body.get('error') if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def is_recoverable(error: dict[str, Any]) -> bool:
    """Whether Groq's `error` object reports a failed generation the caller can recover from.

    That is `tool_use_failed`: the model produced a malformed tool call, and Groq sends what it generated. Such an
    error is returned as a response with `finish_reason='error'` (streamed or not, HTTP error or `event: error`
    frame) so the caller can answer with a retry prompt; every other error is raised.
    """
    return error.get('code') == 'tool_use_failed'


def is_capacity_exceeded(status_code: int, body: object) -> bool:
    """Whether an HTTP error is Groq's flex tier running out of capacity: HTTP 498, error code `capacity_exceeded`.

    Groq's flex tier fails fast by design when it has no capacity. Such an error is not retried (by our paced send
    path) and not paced as a rate limit: a retry storm would meet the same shortage. It raises `ModelHTTPError`
    saying to send with `groq_service_tier='auto'` (on-demand, then flex) or `'on_demand'`.
    """
    return status_code == 498 or error_object(body).get('code') == 'capacity_exceeded'


def is_retryable(status_code: int, body: object) -> bool:
    """Whether an HTTP error answer may succeed if sent again: 408, 409, 429 and 5xx, as the groq SDK retries them.

    A flex tier capacity error (`is_capacity_exceeded`) never is, whatever its status.
    """
    if is_capacity_exceeded(status_code, body):
        return False
    return status_code in (408, 409, 429) or status_code >= 500


_CAPACITY_HINT = (
    "Groq's flex tier has no capacity for this request right now (HTTP 498 capacity_exceeded); it was not retried. "
    "Send it with `groq_service_tier='auto'` (on-demand limits first, then flex) or `'on_demand'`, or retry later."
)


def malformed(
    model_name: str, problem: str, payload: object = None, *, provider_name: str, streamed: bool = False
) -> UnexpectedModelBehavior:
    """The error for an answer this library cannot use: `<API> answered with <problem> for model '<name>'`.

    Args:
        model_name: The model the request was for.
        problem: What is wrong, as a noun phrase (`'a choice that has no `message`'`).
        payload: The offending value; its first characters (as JSON when it is JSON, else its text) go in `body`.
        provider_name: The provider that answered (the model's `system`), named as `api_name` names it.
        streamed: Whether it arrived in a stream (the message then says `streamed`).
    """
    verb = 'streamed' if streamed else 'answered with'
    return UnexpectedModelBehavior(
        f'{api_name(provider_name)} {verb} {problem} for model {model_name!r}', _excerpt(payload)
    )


def _excerpt(payload: object) -> str | None:
    if payload is None:
        return None
    if isinstance(payload, bytes):
        return payload[:_EXCERPT].decode(errors='replace')
    if isinstance(payload, str):
        return payload[:_EXCERPT]
    try:
        text = json.dumps(payload, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(payload)
    return text[:_EXCERPT]


def stream_error(error: dict[str, Any], model_name: str, *, provider_name: str) -> ModelAPIError:
    """The exception for an `event: error` frame that is not recoverable (see `is_recoverable`)."""
    message = error.get('message') or json.dumps(error)
    return ModelAPIError(
        model_name, f'{api_name(provider_name)} reported an error for model {model_name!r}: {message}', error
    )


def model_name_hint(model_name: str, *, provider_name: str = GROQ) -> str:
    """A suggestion for a model name the API does not know: for Groq, the closest known names and where to find all.

    Another provider serves models of its own choosing: its hint names it, and suggests nothing of Groq's.
    """
    if provider_name != GROQ:
        return (
            f'{api_name(provider_name)} does not serve a model named {model_name!r} (or your key cannot use it); '
            f'`pai models --provider {provider_name}` lists the names it offers.'
        )
    import difflib  # only on this error path: it costs ~1 ms at import

    # Current models first; an earlier (likely retired) name only when no current one is close.
    current = get_args(ProductionGroqModelNames) + get_args(PreviewGroqModelNames)
    close = difflib.get_close_matches(model_name, current, n=3, cutoff=0.5) or difflib.get_close_matches(
        model_name, get_args(LatestGroqModelNames), n=3, cutoff=0.5
    )
    suggestion = f'Did you mean {" or ".join(repr(name) for name in close)}? ' if close else ''
    return (
        f'{suggestion}Groq does not serve a model named {model_name!r} (or your key cannot use it); '
        'see `pydantic_ai_groq.LatestGroqModelNames` or https://console.groq.com/docs/models.'
    )


def retired_model_error(exc: groq.APIStatusError, model_name: str) -> ModelRetiredError | None:
    """The error for an answer saying `model_name` is retired, or `None` when the answer says something else.

    Groq answers a retired model with HTTP 400 `model_decommissioned`, and (the 2026-08-16 retirements) with HTTP 404
    `model_not_found`; a 404 counts only for a name the catalogue knows is retired, since a typo gets it too.
    """
    code = error_object(exc.body).get('code')
    if code not in ('model_decommissioned', 'model_not_found'):
        return None
    hint = retired_model_hint(model_name)
    known_retired = exc.status_code == 404 and code == 'model_not_found' and hint is not None
    if code != 'model_decommissioned' and not known_retired:
        return None
    instead = replacement_for(model_name)
    if hint is None:
        # Groq retired a model the catalogue still lists as served, or does not know.
        use = f'use {instead!r} instead' if instead else f'{_DEPRECATIONS_URL} names the model to use instead'
        hint = f'Model {model_name!r} is retired: Groq no longer serves it; {use}.'
    info = groq_model_info(model_name)
    return ModelRetiredError(
        exc.status_code,
        model_name,
        exc.body,
        exc.response.headers,
        hint,
        retired_on=info.shutdown if info is not None else None,
        replacement=instead,
    )


@contextmanager
def map_api_errors(model_name: str, *, provider_name: str, streaming: bool = False) -> Iterator[None]:
    """Translate errors raised inside the block into the `pydantic_ai.exceptions` tree, chained with `from`.

    Covers the request itself (`streaming=False`: nothing of the response has arrived yet) and the iteration of a
    stream (`streaming=True`: the response had started), so a timeout says which phase it was in.

    Args:
        model_name: The model the request is for.
        provider_name: The provider the request went through (the model's `system`), named by the messages.
        streaming: Whether the block reads a stream that had started.
    """
    try:
        yield
    except groq.APIStatusError as exc:
        retired = retired_model_error(exc, model_name)
        if retired is not None:
            raise retired from exc
        hint = None
        if exc.status_code == 404 and error_object(exc.body).get('code') == 'model_not_found':
            hint = model_name_hint(model_name, provider_name=provider_name)
        elif is_capacity_exceeded(exc.status_code, exc.body):
            hint = _CAPACITY_HINT
        raise ModelHTTPError(
            status_code=exc.status_code, model_name=model_name, body=exc.body, headers=exc.response.headers, hint=hint
        ) from exc
    except (groq.APITimeoutError, httpx.TimeoutException) as exc:
        cause = exc.__cause__ if isinstance(exc, groq.APITimeoutError) and exc.__cause__ else exc
        kind = type(cause).__name__
        if streaming:
            which = 'mid-stream: the response had started, then no data arrived in time'
        else:
            which = {
                'ConnectTimeout': 'while connecting, before any response',
                'WriteTimeout': 'while sending the request, before any response',
                'PoolTimeout': 'waiting for a free connection in the pool, before any response',
            }.get(kind, 'before the response started: no response headers arrived in time')
        raise ModelTimeoutError(
            model_name,
            f'The request to {api_name(provider_name)} for model {model_name!r} timed out {which} ({kind}); raise the '
            "`timeout` setting or the provider's `timeout` if the model needs longer.",
        ) from exc
    except (groq.APIConnectionError, httpx.RequestError) as exc:
        cause = exc.__cause__ if isinstance(exc, groq.APIConnectionError) and exc.__cause__ else exc
        where = 'was lost mid-stream' if streaming else 'failed'
        raise ModelConnectionError(
            model_name,
            f'The connection to {api_name(provider_name)} for model {model_name!r} {where}: '
            f'{type(cause).__name__}: {cause}',
        ) from exc
