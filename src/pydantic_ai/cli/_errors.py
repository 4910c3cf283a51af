"""Exit statuses, and the one place where an exception becomes one friendly line for the terminal."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic_ai.exceptions import (
    CassetteExhaustedError,
    CliError,
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    ModelRetiredError,
    ModelTimeoutError,
    ProviderPluginError,
    UnexpectedModelBehavior,
    UserError,
)

__all__ = (
    'EXIT_OK',
    'EXIT_FAILURE',
    'EXIT_USAGE',
    'EXIT_INCOMPLETE',
    'EXIT_INTERRUPTED',
    'CliError',
    'ErrorContext',
    'describe',
)

EXIT_OK = 0
"""The answer was printed (or the listing, or the chat ended normally)."""
EXIT_FAILURE = 1
"""The model or its API failed: an HTTP error, a network error, an unusable answer, a broken plugin."""
EXIT_USAGE = 2
"""The command cannot work as given: a bad option, no prompt, a missing API key, an unknown provider or model
syntax, an unreadable recording. Nothing was sent."""
EXIT_INCOMPLETE = 3
"""The answer was printed but is incomplete: the model stopped at the token limit (`finish_reason='length'`)."""
EXIT_INTERRUPTED = 130
"""Interrupted with Ctrl-C (128 + SIGINT, as shells report it)."""

_API_KEY_VAR = re.compile(r'\b([A-Z][A-Z0-9_]*_API_KEY)\b')


@dataclass(frozen=True)
class ErrorContext:
    """What the error messages may mention: the provider in use and where its configuration comes from."""

    provider: str | None = None
    """The provider's name."""
    api_key_env_var: str | None = None
    """The environment variable of its API key."""
    api_key_url: str | None = None
    """Where a user creates an API key."""
    base_url_env_var: str | None = None
    """The environment variable overriding its base URL."""
    suggest_models: Callable[[str], Sequence[str]] = lambda name: ()
    """Known model names close to a name that was not found."""

    @property
    def api_key_hint(self) -> str:
        """Where the API key comes from, as a 401's message names it."""
        if self.api_key_env_var:
            return self.api_key_env_var
        return f'the API key of provider {self.provider!r}' if self.provider else 'the API key'

    @property
    def api_name(self) -> str:
        """The API, as messages name it."""
        return f'the API of provider {self.provider!r}' if self.provider else 'the API'


def describe(exc: BaseException, context: ErrorContext) -> tuple[str, int]:
    """One line saying what went wrong and what to do, and the exit status for it."""
    if isinstance(exc, CliError):
        return str(exc), exc.exit_code
    if isinstance(exc, UserError):
        return _describe_user_error(exc, context), EXIT_USAGE
    if isinstance(exc, ProviderPluginError):
        return exc.message, EXIT_FAILURE
    if isinstance(exc, ModelRetiredError):
        return _describe_retired(exc, context), EXIT_FAILURE
    if isinstance(exc, ModelHTTPError):
        return _describe_http_error(exc, context), EXIT_FAILURE
    if isinstance(exc, ModelConnectionError):
        return _describe_connection_error(exc, context), EXIT_FAILURE
    if isinstance(exc, ModelAPIError):
        return f'the API reported an error: {exc.message}', EXIT_FAILURE
    if isinstance(exc, UnexpectedModelBehavior):
        return f'the model answered with something unusable: {exc.message}', EXIT_FAILURE
    return f'unexpected error: {type(exc).__name__}: {exc} (run with --debug for the traceback)', EXIT_FAILURE


def _describe_user_error(exc: UserError, context: ErrorContext) -> str:
    match = _API_KEY_VAR.search(exc.message)
    if match and 'API key' in exc.message:
        var = match.group(1)
        where = (
            f' (create one at {context.api_key_url})' if context.api_key_url and var == context.api_key_env_var else ''
        )
        provider = f' for provider {context.provider!r}' if context.provider else ''
        return f'no API key{provider}: set the {var} environment variable{where}, e.g. `export {var}=...`'
    return exc.message


def _api_message(body: object) -> str | None:
    """The `error.message` of an OpenAI-style error body (given whole, or as its `error` object)."""
    if isinstance(body, Mapping):
        inner = body.get('error')
        if isinstance(inner, Mapping):
            body = inner
        message = body.get('message')
        if isinstance(message, str) and message:
            return message.rstrip('.')
    if isinstance(body, str) and body.strip():
        return body.strip()[:300]
    return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _error_code(body: object) -> str | None:
    """The `error.code` of an OpenAI-style error body (`{"error": {"code": ...}}` or the inner object)."""
    if isinstance(body, Mapping):
        inner = body.get('error')
        code = (inner if isinstance(inner, Mapping) else body).get('code')
        if isinstance(code, str):
            return code
    return None


def _requested_url(exc: BaseException) -> str | None:
    """The URL of the HTTP request behind `exc`, found on a cause that carries an `httpx`-style `request`."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        try:
            request = getattr(cause, 'request', None)
        except Exception:  # httpx raises RuntimeError for an exception created without its request
            request = None
        url = getattr(request, 'url', None)
        if url is not None:
            return str(url.copy_with(query=None)) if hasattr(url, 'copy_with') else str(url)
        cause = cause.__cause__ or cause.__context__
    return None


def _describe_not_found(exc: ModelHTTPError, said: str | None, context: ErrorContext) -> str:
    if _error_code(exc.body) == 'model_not_found':
        guesses = [g for g in context.suggest_models(exc.model_name) if g != exc.model_name]
        suggestion = f'; did you mean {" or ".join(repr(g) for g in guesses)}?' if guesses else ''
        return f'model {exc.model_name!r} was not found (HTTP 404){suggestion}; `pai models` lists known model names'
    url = _requested_url(exc)
    called = f' for {url}' if url else ''
    detail = f': {said}' if said else ''
    where = f'; check {context.base_url_env_var}, if set' if context.base_url_env_var else ''
    return f'{context.api_name} answered HTTP 404 (not found){called}{detail}{where}'


def _describe_retired(exc: ModelRetiredError, context: ErrorContext) -> str:
    """One line: the plugin's hint (what happened, what to use instead), and the `pai` option that uses it."""
    if exc.hint:
        said = ' '.join(exc.hint.split()).rstrip('.')
    else:
        when = f' since {exc.retired_on.isoformat()}' if exc.retired_on else ''
        instead = f'; use {exc.replacement!r} instead' if exc.replacement else ''
        said = f'model {exc.model_name!r} is retired: {context.api_name} no longer serves it{when}{instead}'
    if exc.replacement and context.provider:
        return f'{said} (HTTP {exc.status_code}): `pai -m {context.provider}:{exc.replacement} ...`'
    return f'{said} (HTTP {exc.status_code}); `pai models` lists the models it serves'


def _describe_http_error(exc: ModelHTTPError, context: ErrorContext) -> str:
    status = exc.status_code
    said = _api_message(exc.body)
    detail = f': {said}' if said else ''
    if status == 401:
        return f'the API key was rejected (HTTP 401{detail}); check {context.api_key_hint}'
    if status == 403:
        return f'access denied (HTTP 403{detail}); check that your API key may use model {exc.model_name!r}'
    if status == 404:
        return _describe_not_found(exc, said, context)
    if status == 429:
        retry_after = _header(exc.headers, 'retry-after')
        when = f'retry after {retry_after} s' if retry_after else 'wait a little and try again'
        return f'rate limited by the API (HTTP 429{detail}); {when}'
    if status >= 500:
        return f'the API failed (HTTP {status}{detail}); try again later'
    return f'the API refused the request (HTTP {status}{detail})'


def _describe_connection_error(exc: ModelConnectionError, context: ErrorContext) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, CassetteExhaustedError):
            return str(cause)
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, ModelTimeoutError):
        return f'the request timed out ({exc.message}); check your network connection, or raise --timeout'
    where = f' (and {context.base_url_env_var}, if set)' if context.base_url_env_var else ''
    return f'could not reach {context.api_name} ({exc.message}); check your network connection{where}'
