"""`GroqModel`: Groq chat completions, streamed and not, behind the core's `Model` interface.

This module is also importable as `pydantic_ai.models.groq`, the original API's path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

import httpx
from groq import AsyncGroq, AsyncStream

from pydantic_ai.exceptions import UnexpectedModelBehavior, UserError
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters, StreamedResponse, check_allow_model_requests
from pydantic_ai.providers import Provider, infer_provider
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import Usage

from ._errors import map_api_errors
from ._translate import map_messages, map_response, map_settings, map_tool_choice, map_tools, timestamp
from .model_names import GroqModelName, LatestGroqModelNames
from .provider import GroqProvider, check_exclusive
from .settings import GroqModelSettings
from .streaming import GroqStreamedResponse

if TYPE_CHECKING:
    # Annotations only: the SDK imports these modules itself on the first request (~20 ms saved at import).
    from groq.types.chat import ChatCompletion, ChatCompletionChunk

__all__ = ('GroqModel', 'GroqModelSettings', 'GroqStreamedResponse', 'GroqModelName', 'LatestGroqModelNames')


@dataclass(init=False, repr=False)
class GroqModel(Model):
    """A model that uses the Groq API.

    Internally, this uses the [Groq Python client](https://github.com/groq/groq-python) to interact with the API.
    Apart from `__init__`, all methods are private or match those of the base class.
    """

    client: AsyncGroq = field(repr=False)
    """The authenticated client requests are sent with."""
    _model_name: GroqModelName = field(repr=False)
    _provider: Provider[AsyncGroq] = field(repr=False)

    def __init__(
        self,
        model_name: GroqModelName,
        *,
        provider: Literal['groq'] | str | Provider[AsyncGroq] | None = None,
        api_key: str | None = None,
        groq_client: AsyncGroq | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        """Initialize a Groq model.

        Args:
            model_name: The name of the Groq model to use (see `LatestGroqModelNames`; any string Groq accepts).
            provider: Where the client comes from: `'groq'`, the name of any registered Groq-compatible provider,
                or a `Provider[AsyncGroq]` instance. When given, no other argument may be.
            api_key: The API key; defaults to the `GROQ_API_KEY` environment variable.
            groq_client: An existing `AsyncGroq` client to use as-is; then `api_key` and `http_client` must be `None`.
            http_client: An existing `httpx.AsyncClient` to send requests with.

        Raises:
            UserError: the model name is empty, arguments conflict, no API key is configured, or the provider's
                client is not an `AsyncGroq`.
            UnknownProviderError: `provider` names no registered provider.
        """
        if not isinstance(model_name, str) or not model_name:
            raise UserError(
                f'`model_name` must be a non-empty string, such as "llama-3.3-70b-versatile"; got {model_name!r}.'
            )
        if provider is not None:
            check_exclusive(
                'GroqModel',
                'provider',
                'the provider already holds the client.',
                api_key=api_key,
                groq_client=groq_client,
                http_client=http_client,
            )
            resolved: Provider[Any] = infer_provider(provider) if isinstance(provider, str) else provider
        else:
            resolved = GroqProvider(api_key=api_key, groq_client=groq_client, http_client=http_client)
        client = resolved.client
        if not isinstance(client, AsyncGroq):
            raise UserError(
                f'Provider {resolved.name!r} hands out a {type(client).__name__}, but GroqModel needs a groq.AsyncGroq '
                'client: use a Groq-compatible provider.'
            )
        self.client = client
        self._model_name = model_name
        self._provider = resolved

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

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        """Send the conversation to Groq and return the response and its usage."""
        check_allow_model_requests()
        completion = await self._completions_create(messages, False, model_settings or {}, model_request_parameters)
        return map_response(completion, self._model_name)

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        """Send the conversation to Groq and stream the response; leaving the block closes the HTTP response."""
        check_allow_model_requests()
        stream = await self._completions_create(messages, True, model_settings or {}, model_request_parameters)
        async with stream:
            streamed = await self._process_streamed_response(stream)
            try:
                yield streamed
            finally:
                await streamed.aclose()

    @overload
    async def _completions_create(
        self,
        messages: list[ModelMessage],
        stream: Literal[True],
        model_settings: ModelSettings,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncStream[ChatCompletionChunk]: ...

    @overload
    async def _completions_create(
        self,
        messages: list[ModelMessage],
        stream: Literal[False],
        model_settings: ModelSettings,
        model_request_parameters: ModelRequestParameters,
    ) -> ChatCompletion: ...

    async def _completions_create(
        self,
        messages: list[ModelMessage],
        stream: bool,
        model_settings: ModelSettings,
        model_request_parameters: ModelRequestParameters,
    ) -> ChatCompletion | AsyncStream[ChatCompletionChunk]:
        # The one place both paths build and send a request, so streamed and non-streamed requests cannot drift.
        kwargs = self._request_kwargs(messages, model_settings, model_request_parameters)
        with map_api_errors(self._model_name):
            if stream:
                chunks: AsyncStream[ChatCompletionChunk] = await self.client.chat.completions.create(
                    stream=True, **kwargs
                )
                return chunks
            completion: ChatCompletion = await self.client.chat.completions.create(stream=False, **kwargs)
            return completion

    def _request_kwargs(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings,
        model_request_parameters: ModelRequestParameters,
    ) -> dict[str, Any]:
        """The keyword arguments of `chat.completions.create` for this request (everything but `stream`)."""
        if not isinstance(model_settings, dict):
            raise UserError(f'`model_settings` must be a dict (ModelSettings), got {type(model_settings).__name__}.')
        tools = map_tools(model_request_parameters)
        kwargs: dict[str, Any] = {
            'model': self._model_name,
            'messages': map_messages(messages),
            'n': 1,
            **map_settings(model_settings, bool(tools)),
        }
        if tools:
            kwargs['tools'] = tools
            kwargs['tool_choice'] = map_tool_choice(model_request_parameters, True)
        return kwargs

    async def _process_streamed_response(self, stream: AsyncStream[ChatCompletionChunk]) -> GroqStreamedResponse:
        """Read the first chunk (for the model name and timestamp) and wrap the stream."""
        iterator = stream.__aiter__()
        with map_api_errors(self._model_name):
            try:
                first = await iterator.__anext__()
            except StopAsyncIteration:
                raise UnexpectedModelBehavior(
                    f'Groq ended the stream for model {self._model_name!r} without sending any chunk'
                ) from None
        return GroqStreamedResponse(
            _model_name=first.model or self._model_name,
            _response=_prepend(first, iterator),
            _timestamp=timestamp(first.created),
        )


async def _prepend(
    first: ChatCompletionChunk, rest: AsyncIterator[ChatCompletionChunk]
) -> AsyncIterator[ChatCompletionChunk]:
    yield first
    async for chunk in rest:
        yield chunk
