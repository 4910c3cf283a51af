"""`GroqModel`: Groq chat completions, streamed and not, behind the core's `Model` interface.

This module is also importable as `pydantic_ai.models.groq`, the original API's path.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, cast

import groq
import httpx
from groq import AsyncGroq

from pydantic_ai import __version__ as core_version
from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.providers import Provider
from pydantic_ai.ratelimit import RateLimiter, RetryPolicy, Sent
from pydantic_ai.registry import infer_provider
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import Usage

from ._chat_client import Created, GroqChatClient, completion_json, create, created_chunks, is_chat_client
from ._errors import error_object, is_recoverable, malformed, map_api_errors
from ._request import build_body, dumps, request_headers
from ._response import failed_generation_parts, map_completion, timestamp
from ._utils import check_exclusive
from ._version import __version__
from .model_names import GroqModelName, LatestGroqModelNames, warn_if_deprecated
from .provider import CHAT_COMPLETIONS_PATH, GroqProvider
from .ratelimits import classify_error, estimate_tokens, rate_limit_details, response_limits, too_large_error
from .settings import GroqModelSettings
from .streaming import GroqStreamedResponse, failed_chunks, iter_chunks, peek

if TYPE_CHECKING:
    from pydantic_ai.registry import ProviderRegistry

    from .batch import GroqBatchAPI

USER_AGENT = f'pydantic-ai-groq/{__version__} pydantic-ai-core/{core_version} groq-python/{groq.__version__}'
"""The `User-Agent` every request carries, naming this project and the versions in use."""

__all__ = ('GroqModel', 'GroqModelSettings', 'GroqStreamedResponse', 'GroqModelName', 'LatestGroqModelNames')


@dataclass(init=False, repr=False)
class GroqModel(Model):
    """A model that uses the Groq API.

    Requests go through the [Groq Python client](https://github.com/groq/groq-python)'s authenticated HTTP layer
    (base URL, API key, retries, timeouts and error statuses are the client's), but the request body is built here
    as Groq's wire JSON and sent as-is, and responses are parsed straight from JSON: the SDK's per-field
    re-validation and per-chunk models are skipped, which makes requests and streams several times cheaper.
    Apart from `__init__`, all methods are private or match those of the base class.

    A client that is not an `AsyncGroq` but has `chat.completions.create` (a `GroqChatClient`: a test double, as
    the original API's tests use) is sent the same body through that method instead, and its SDK objects are read
    by the same translators (see `pydantic_ai_groq._chat_client`); no rate limiter or retries apply to it.
    """

    client: AsyncGroq = field(repr=False)
    """The authenticated client requests are sent with (a `GroqChatClient` the provider was given, as it is)."""
    _model_name: GroqModelName = field(repr=False)
    _provider: Provider[AsyncGroq] = field(repr=False)
    _limiter: RateLimiter | None = field(repr=False)
    _retry_policy: RetryPolicy = field(repr=False)
    _path: str = field(repr=False)
    _stream_usage: bool = field(repr=False)
    _chat_client: GroqChatClient | None = field(repr=False)
    """The client when it is a `GroqChatClient` rather than an `AsyncGroq`: requests then go through its `create`."""

    def __init__(
        self,
        model_name: GroqModelName,
        *,
        provider: Literal['groq'] | str | Provider[AsyncGroq] | None = None,
        api_key: str | None = None,
        groq_client: AsyncGroq | GroqChatClient | None = None,
        http_client: httpx.AsyncClient | None = None,
        registry: ProviderRegistry | None = None,
    ) -> None:
        """Initialize a Groq model.

        Args:
            model_name: The name of the Groq model to use (see `LatestGroqModelNames`; any string Groq accepts).
            provider: Where the client comes from: `'groq'`, the name of any registered Groq-compatible provider,
                or a `Provider[AsyncGroq]` instance. When given, no other argument may be.
            api_key: The API key; defaults to the `GROQ_API_KEY` environment variable.
            groq_client: An existing `AsyncGroq` client to use as-is (or, for tests, a `GroqChatClient`: see
                `GroqProvider`); then `api_key` and `http_client` must be `None`.
            http_client: An existing `httpx.AsyncClient` to send requests with.
            registry: The provider registry a `provider` name is looked up in; by default the current one
                (`pydantic_ai.registry.current_registry()`).

        Raises:
            UserError: the model name is empty, arguments conflict, no API key is configured, or the provider's
                client is neither an `AsyncGroq` nor a `GroqChatClient`.
            UnknownProviderError: `provider` names no registered provider.
        """
        if not isinstance(model_name, str) or not model_name:
            raise UserError(
                f'`model_name` must be a non-empty string, such as "openai/gpt-oss-120b"; got {model_name!r}.'
            )
        if registry is not None and not isinstance(provider, str):
            raise UserError('`registry` is used to look up a provider by name: pass it with `provider="<name>"`.')
        if provider is not None:
            check_exclusive(
                'GroqModel',
                'provider',
                'the provider already holds the client.',
                api_key=api_key,
                groq_client=groq_client,
                http_client=http_client,
            )
            resolved: Provider[Any] = (
                infer_provider(provider, registry=registry) if isinstance(provider, str) else provider
            )
        else:
            resolved = GroqProvider(api_key=api_key, groq_client=groq_client, http_client=http_client)
        client = resolved.client
        self._chat_client = None
        if not isinstance(client, AsyncGroq):
            if not is_chat_client(client):
                raise UserError(
                    f'Provider {resolved.name!r} hands out a {type(client).__name__}, but GroqModel needs a '
                    'groq.AsyncGroq client: use a Groq-compatible provider.'
                )
            self._chat_client = client
        self.client = client
        self._model_name = model_name
        self._provider = resolved
        self._path, self._stream_usage = gateway_options(resolved)
        if self._chat_client is None:
            # While a limiter paces requests, it makes the retries the client would have made (see `ratelimits`).
            self._retry_policy = RetryPolicy(max_retries=client.max_retries)
            self._limiter = resolved.rate_limiter if isinstance(resolved, GroqProvider) else None
        else:
            # A chat client has no HTTP layer: no rate-limit headers to pace by, nothing to retry (`_chat_client`).
            self._retry_policy = RetryPolicy(max_retries=0)
            self._limiter = None
        warn_if_deprecated(model_name)

    def __repr__(self) -> str:
        return f'GroqModel(model_name={self._model_name!r}, provider={self._provider.name!r})'

    @property
    def model_name(self) -> GroqModelName:
        """The model name."""
        return self._model_name

    @property
    def system(self) -> str:
        """The provider's name: `'groq'`, or the name of the Groq-compatible provider in use."""
        return self._provider.name

    @property
    def base_url(self) -> str:
        """The base URL requests go to."""
        return self._provider.base_url

    async def _request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        """Send the conversation to Groq and return the response and its usage (also on `response.usage`).

        A `tool_use_failed` error (the model produced a malformed tool call) is returned as a response with
        `finish_reason='error'` holding what the model generated, rather than raised; see `GroqStreamedResponse`.
        """
        content, options, tokens = self._prepare(messages, model_settings, model_request_parameters, stream=False)
        sent = await self._send(content, options, stream=False, tokens=tokens)
        if isinstance(sent, _FailedGeneration):
            failed = self._failed_generation(sent.error, sent.status_code)
            return failed, failed.usage + Usage()
        extra: dict[str, Any] | None = None
        if isinstance(sent, Created):
            data = completion_json(sent)
        else:
            data, extra = self._json(sent.response), rate_limit_details(sent)
        response = map_completion(data, self._model_name, self.system)
        if extra:
            response.provider_details = {**(response.provider_details or {}), **extra}
        return response, response.usage + Usage()

    async def _request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> GroqStreamedResponse:
        """Send the conversation to Groq and return the streamed response; closing it closes the HTTP response.

        The request is sent, and its first chunk read (for the model name and timestamp), when the `request_stream`
        block is entered: an HTTP error raises there.
        """
        content, options, tokens = self._prepare(messages, model_settings, model_request_parameters, stream=True)
        sent = await self._send(content, options, stream=True, tokens=tokens)
        extra: dict[str, Any] = {}
        if isinstance(sent, _FailedGeneration):
            source = failed_chunks(sent.error)
        elif isinstance(sent, Created):
            source = created_chunks(sent, self._model_name, provider_name=self.system)
        else:
            source, extra = iter_chunks(sent, self._model_name, provider_name=self.system), rate_limit_details(sent)
        try:
            first, chunks = await peek(source)
            if first is None or chunks is None:
                raise malformed(
                    self._model_name, 'no chunk before the end of the stream', provider_name=self.system, streamed=True
                )
            model_name = first.get('model')
            streamed = GroqStreamedResponse(
                model_name=model_name if isinstance(model_name, str) and model_name else self._model_name,
                timestamp=timestamp(first.get('created')),
                provider_name=self.system,
                chunks=chunks,
            )
        except BaseException:
            await source.aclose()
            raise
        if extra:
            streamed.provider_details = {**(streamed.provider_details or {}), **extra}
        return streamed

    async def _send(
        self, content: bytes, options: Any, *, stream: bool, tokens: int
    ) -> Sent[httpx.Response] | Created | _FailedGeneration:
        """Post the request body, its errors mapped; what was sent (streamed: the response's body not read yet).

        The single place requests leave the model, streamed or not, and the request's phase of both paths: a
        stream's errors after this point are mapped where its bytes are read (`iter_chunks`). With a rate limiter,
        the request waits its turn and is retried by it (`RateLimiter.send()`, Groq's errors classified by
        `ratelimits.classify_error`); a stream's permit is then released when it is closed. A `GroqChatClient`
        is sent the body through its `create` instead (`_chat_client`). Returns what happened: what was sent
        (`Created`: what the chat client returned), or the failed generation of a recoverable HTTP error (see
        `is_recoverable`), which the caller returns as a response instead of raising it.

        Raises:
            ModelHTTPError: the request failed; with a rate limiter, also a 413 (larger than the token limit).
        """
        limiter = self._limiter
        with map_api_errors(self._model_name, provider_name=self.system):
            try:
                if self._chat_client is not None:
                    return await create(self._chat_client, content)
                if limiter is None:
                    response: httpx.Response = await self.client.post(
                        self._path, cast_to=httpx.Response, content=content, options=options, stream=stream
                    )
                    return Sent(response)
                return await limiter.send(
                    partial(self._attempt, content, options, stream),
                    tokens=tokens,
                    limits=response_limits,
                    classify=classify_error,
                    retry_policy=self._retry_policy,
                    hold=stream,
                )
            except groq.APIStatusError as exc:
                if limiter is not None and exc.status_code == 413:
                    raise too_large_error(exc, tokens, limiter, self._model_name) from exc
                error = error_object(exc.body)
                if not is_recoverable(error):
                    raise
                return _FailedGeneration(error, exc.status_code)

    def _attempt(self, content: bytes, options: Any, stream: bool, retries: int) -> Awaitable[httpx.Response]:
        """One attempt of a paced request: the SDK's retries off (the limiter retries), retries marked as the SDK's."""
        attempt = {**options, 'max_retries': 0}
        if retries:
            attempt['headers'] = {**options.get('headers', {}), 'x-stainless-retry-count': str(retries)}
        return self.client.post(
            self._path, cast_to=httpx.Response, content=content, options=cast(Any, attempt), stream=stream
        )

    def batch_api(self, *, completion_window: str = '24h') -> GroqBatchAPI:
        """Groq's Batch API for this model (see `pydantic_ai_groq.batch` and `pydantic_ai.direct.model_request_batch`).

        Args:
            completion_window: How long Groq may take before the batch expires: `'24h'` (the default) to `'7d'`.
        """
        from .batch import GroqBatchAPI

        if self._chat_client is not None:
            raise UserError(
                "Groq's Batch API needs a groq.AsyncGroq client (it uploads files); this model was given a "
                f'{type(self._chat_client).__name__}, which only answers `chat.completions.create`.'
            )
        return GroqBatchAPI(self, completion_window=completion_window)

    def _prepare(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        params: ModelRequestParameters,
        *,
        stream: bool,
    ) -> tuple[bytes, Any, int]:
        """The request body as wire bytes, the SDK request options (headers, timeout), and its estimated tokens.

        The estimate (see `ratelimits.estimate_tokens`) is made only when a rate limiter will use it, else 0.

        Raises:
            UserError: anything in the request Groq cannot take; nothing has been sent.
        """
        settings = cast(GroqModelSettings, model_settings if model_settings is not None else {})
        body = build_body(self._model_name, messages, settings, params, stream=stream, provider_name=self.system)
        if stream and self._stream_usage and 'stream_options' not in body:
            body['stream_options'] = {'include_usage': True}
        # The client's default header names matter only to respell the caller's; computing them costs a little.
        client_headers = (
            self.client.default_headers if 'extra_headers' in settings and self._chat_client is None else ()
        )
        options: dict[str, Any] = {'headers': request_headers(settings, USER_AGENT, client_headers)}
        if 'timeout' in settings:
            timeout = settings['timeout']
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float, httpx.Timeout)):
                raise UserError(f'Setting `timeout` must be seconds (a number) or an `httpx.Timeout`, got {timeout!r}.')
            options['timeout'] = timeout
        try:
            content = dumps(body)
        except (TypeError, ValueError) as exc:
            raise UserError(
                f'The request for model {self._model_name!r} holds a value that cannot be sent as JSON ({exc}); '
                'check tool schemas, `extra_body` and dict tool results.'
            ) from exc
        return content, options, estimate_tokens(body) if self._limiter is not None else 0

    def _json(self, http_response: httpx.Response) -> Any:
        try:
            return json.loads(http_response.content)
        except ValueError as exc:
            raise malformed(
                self._model_name,
                f'a body that is not valid JSON ({exc})',
                http_response.content,
                provider_name=self.system,
            ) from exc

    def _failed_generation(self, error: dict[str, Any], status_code: int) -> ModelResponse:
        """The response for a recoverable error: what the model generated, with `finish_reason='error'`."""
        return ModelResponse(
            parts=failed_generation_parts(error),
            model_name=self._model_name,
            usage=Usage(requests=1, request_tokens=0, response_tokens=0, total_tokens=0),
            provider_name=self.system,
            finish_reason='error',
            provider_details={'finish_reason': None, 'error': error, 'status_code': status_code},
        )


@dataclass(frozen=True)
class _FailedGeneration:
    """A recoverable failed generation Groq answered with an HTTP error (see `is_recoverable`)."""

    error: dict[str, Any]
    status_code: int


def gateway_options(provider: Provider[Any]) -> tuple[str, bool]:
    """A `GroqProvider`'s declared `chat_completions_path` and `stream_usage`; Groq's for any other provider.

    Raises:
        UserError: either attribute has the wrong type or shape.
    """
    if not isinstance(provider, GroqProvider):
        return CHAT_COMPLETIONS_PATH, False
    path: object = provider.chat_completions_path
    if not isinstance(path, str) or not path.startswith('/') or '://' in path:
        raise UserError(
            f'{type(provider).__name__}.chat_completions_path must be a path relative to the base URL starting with '
            f"'/', such as '/v1/chat/completions'; got {path!r}."
        )
    stream_usage: object = provider.stream_usage
    if not isinstance(stream_usage, bool):
        raise UserError(f'{type(provider).__name__}.stream_usage must be True or False, got {stream_usage!r}.')
    return path, stream_usage
