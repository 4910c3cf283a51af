"""`GroqProvider`: an authenticated `groq.AsyncGroq` client, configured from arguments or the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, cast

import httpx
from groq import AsyncGroq

from pydantic_ai.exceptions import UserError
from pydantic_ai.models import cached_async_http_client
from pydantic_ai.providers import Provider, ProviderProfile
from pydantic_ai.ratelimit import RateLimiter
from pydantic_ai.secrets import declare_secret, declare_secret_header

from ._chat_client import GroqChatClient, is_chat_client
from ._utils import check_exclusive

__all__ = ('GroqProvider', 'CHAT_COMPLETIONS_PATH')

CHAT_COMPLETIONS_PATH = '/openai/v1/chat/completions'
"""Where Groq takes chat completions, relative to the base URL (as the groq SDK posts them): the default of
`GroqProvider.chat_completions_path`, and the path `GroqModel` uses for a provider that is not a `GroqProvider`."""

MODEL_FACTORY = 'pydantic_ai_groq._plugin:groq_model'
"""The import path of what builds models for `GroqProvider` and its subclasses (see `GroqProvider.profile`)."""


def gateway_headers(provider: GroqProvider) -> dict[str, str]:
    """The provider's `default_headers`, checked, with each name and value declared secret.

    Raises:
        UserError: `default_headers` is not a mapping of header names to string values.
    """
    headers = provider.default_headers
    if not headers:
        return {}
    if not isinstance(headers, Mapping) or not all(
        isinstance(name, str) and name and isinstance(value, str) for name, value in headers.items()
    ):
        # The values are secrets: name the types, never the values.
        raise UserError(
            f'{type(provider).__name__}.default_headers must map header names to string values, got '
            f'{type(headers).__name__}'
            + (
                f' with value types {sorted({type(v).__name__ for v in headers.values()})}.'
                if isinstance(headers, Mapping)
                else '.'
            )
        )
    for name, value in headers.items():
        declare_secret_header(name)
        declare_secret(value)
    return dict(headers)


class _Profile:
    """The descriptor behind `GroqProvider.profile`: the profile of the class it is read on (or of the instance's)."""

    def __get__(self, instance: object, owner: type[GroqProvider]) -> ProviderProfile:
        return _derived_profile(owner)


class GroqProvider(Provider[AsyncGroq]):
    """Provides an authenticated `groq.AsyncGroq` client.

    Configuration comes from the arguments, else from the environment variables the groq SDK itself reads
    (`GROQ_API_KEY`, `GROQ_BASE_URL`). The API key is never shown in `repr()` or in error messages.

    Groq-compatible services (gateways, proxies, self-hosted endpoints) can subclass this and override the class
    attributes `provider_name`, `api_key_env_var`, `base_url_env_var` and `default_base_url`, and for gateways
    `chat_completions_path`, `default_headers` (a class attribute or a property) and `stream_usage`. The values of
    `default_headers` are treated like the key: declared as secrets (see `pydantic_ai.secrets`), never shown. An
    entry point in the `pydantic_ai.providers` group naming such a subclass is a complete provider plugin:
    its `profile` (derived from these class attributes) makes `infer_model('<name>:<model>')` build a `GroqModel`.
    """

    provider_name: ClassVar[str] = 'groq'
    """The provider's `name`."""
    api_key_env_var: ClassVar[str] = 'GROQ_API_KEY'
    """The environment variable holding the API key, read when `api_key` is not passed."""
    base_url_env_var: ClassVar[str] = 'GROQ_BASE_URL'
    """The environment variable holding the base URL, read when `base_url` is not passed."""
    default_base_url: ClassVar[str] = 'https://api.groq.com'
    """The base URL used when neither the argument nor the environment variable gives one."""
    chat_completions_path: ClassVar[str] = CHAT_COMPLETIONS_PATH
    """Where `GroqModel` posts chat completions, relative to the base URL (`'/v1/chat/completions'` for most
    self-hosted OpenAI-compatible servers)."""
    stream_usage: ClassVar[bool] = False
    """Whether streamed requests carry `stream_options: {"include_usage": true}`, which OpenAI-compatible servers
    need to report usage in a stream. Groq reports usage in `x_groq` without it."""
    default_model: ClassVar[str] = 'openai/gpt-oss-120b'
    """The model used when a caller names none (the `pai` command line without `--model`)."""
    api_key_url: ClassVar[str | None] = 'https://console.groq.com/keys'
    """Where a user creates an API key, for "no API key" messages. Groq's page is Groq's: a subclass that sets its
    own `provider_name` names no key page unless it sets `api_key_url` too."""
    models_path: ClassVar[str] = '/openai/v1/models'
    """The path, below the base URL, of the list of models the API key can use (`pai models` asks it)."""
    model_names: ClassVar[Sequence[str]] = ()
    """Model names listed for a subclass registered by its class (Groq's own are listed by the plugin's hook)."""

    profile = _Profile()
    """What the class declares for `pai`, the cassette plugin and the registry: a `ProviderProfile`, derived from the
    class attributes above of the class it is read on (a subclass sets those, not this)."""

    _client: AsyncGroq | GroqChatClient
    """The client: the `AsyncGroq` built or passed, or a `GroqChatClient` passed as `groq_client`."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        groq_client: AsyncGroq | GroqChatClient | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int | None = None,
        timeout: float | httpx.Timeout | None = None,
        rate_limit: bool | RateLimiter = True,
    ) -> None:
        """Create a provider.

        Args:
            api_key: The API key. Defaults to the `GROQ_API_KEY` environment variable.
            base_url: The API's base URL. Defaults to `GROQ_BASE_URL`, else `https://api.groq.com`.
            groq_client: An existing `AsyncGroq` client, used as-is; then no other argument may be given. Or, for
                tests, a `GroqChatClient`: any object with `chat.completions.create`, which gets the request body
                and answers with the SDK's objects, as the original API's tests do (see `_chat_client`); rate
                limits, retries and headers do not apply to it.
            http_client: An `httpx.AsyncClient` for the SDK to send requests with. Defaults to a client shared by
                all providers (`pydantic_ai.models.cached_async_http_client()`).
            max_retries: How many times the SDK retries a request that failed with a connection error, a timeout,
                HTTP 408, 409, 429 or 5xx (honouring `retry-after`); `0` turns retries off. Defaults to the SDK's 2.
            timeout: Seconds (or an `httpx.Timeout`) before a request times out; a per-request `timeout` setting
                overrides it. Defaults to the SDK's 60 s read and 5 s connect.
            rate_limit: Pace requests by the `x-ratelimit-*` headers of the answers, shared by every model using
                this provider (see the docs' "Rate limits" page): `True` (the default) for a limiter reading Groq's
                headers, `False` for none, or a `pydantic_ai.ratelimit.RateLimiter` of your own (a concurrency cap,
                fixed limits for a gateway that sends no headers, or one limiter shared by several providers).

        Raises:
            UserError: arguments conflict, have the wrong type, or no API key is configured.
        """
        self._rate_limiter = _rate_limiter(rate_limit)
        if groq_client is not None:
            check_exclusive(
                type(self).__name__,
                'groq_client',
                'a client you pass is used as it is.',
                api_key=api_key,
                base_url=base_url,
                http_client=http_client,
                max_retries=max_retries,
                timeout=timeout,
            )
            if not isinstance(groq_client, AsyncGroq):
                if not is_chat_client(groq_client):
                    raise UserError(
                        f'`groq_client` must be a `groq.AsyncGroq` (or, for tests, an object with '
                        f'`chat.completions.create`), got {type(groq_client).__name__}'
                        + ('; use AsyncGroq, the asynchronous client.' if type(groq_client).__name__ == 'Groq' else '.')
                    )
                # A test double: nothing to authenticate, and no HTTP layer for headers to go to.
                self._client = groq_client
                return
            declare_secret(groq_client.api_key)
            headers = gateway_headers(self)
            self._client = groq_client.copy(default_headers=headers) if headers else groq_client
            return

        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise UserError(f'`http_client` must be an `httpx.AsyncClient`, got {type(http_client).__name__}.')
        if api_key is None:
            api_key = os.environ.get(self.api_key_env_var)
            if not api_key:
                where = f'`{type(self).__name__}(api_key=...)`'
                if type(self) is GroqProvider:
                    where += ', or to `GroqModel(model_name, api_key=...)` when you pass no `provider`'
                raise UserError(
                    f'No API key for the {self.provider_name!r} provider: set the `{self.api_key_env_var}` '
                    f'environment variable, or pass it to {where}.'
                )
        elif not isinstance(api_key, str) or not api_key:
            got = 'an empty string' if api_key == '' else type(api_key).__name__
            raise UserError(f'`api_key` must be a non-empty string, got {got}.')
        if base_url is None:
            base_url = os.environ.get(self.base_url_env_var) or self.default_base_url
        options: dict[str, Any] = {}
        if max_retries is not None:
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
                raise UserError(f'`max_retries` must be an integer >= 0 (0 turns retries off), got {max_retries!r}.')
            options['max_retries'] = max_retries
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float, httpx.Timeout)):
                raise UserError(f'`timeout` must be seconds (a number) or an `httpx.Timeout`, got {timeout!r}.')
            options['timeout'] = timeout
        headers = gateway_headers(self)
        if headers:
            options['default_headers'] = headers
        declare_secret(api_key)
        self._client = AsyncGroq(
            api_key=api_key, base_url=base_url, http_client=http_client or cached_async_http_client(), **options
        )

    @property
    def default_headers(self) -> Mapping[str, str]:
        """Extra headers sent with every request, such as a gateway's own credential (`cf-aig-authorization`).

        None for Groq. Subclasses override it with a class attribute, or with a property that reads the provider's
        own environment variables (read once, when the provider is created). The values are secrets: declared with
        `pydantic_ai.secrets`, never shown in a repr, an error or a cassette.
        """
        return {}

    @property
    def name(self) -> str:
        """The provider's name: `'groq'` (or the subclass's `provider_name`)."""
        return self.provider_name

    @property
    def base_url(self) -> str:
        """The base URL requests go to; with a `GroqChatClient`, `default_base_url` (that client sends nothing)."""
        client = self._client
        return str(client.base_url) if isinstance(client, AsyncGroq) else self.default_base_url

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The limiter pacing this provider's requests, shared by its models; `None` when `rate_limit=False`."""
        return self._rate_limiter

    @property
    def client(self) -> AsyncGroq:
        """The authenticated `AsyncGroq` client; a `GroqChatClient` passed as `groq_client` is returned as it is.

        It is typed as the client it stands in for, as in the original API (whose tests cast their doubles so).
        """
        return cast(AsyncGroq, self._client)

    def __repr__(self) -> str:
        # Also called on a provider whose `__init__` failed part-way (tracebacks show it): no client yet then.
        base_url = self.base_url if hasattr(self, '_client') else None
        return f'{type(self).__name__}(name={self.provider_name!r}, base_url={base_url!r})'


def _derived_profile(cls: type[GroqProvider]) -> ProviderProfile:
    return ProviderProfile(
        api_key_env_var=cls.api_key_env_var,
        api_key_url=cls.api_key_url if _declared_by_the_named_provider(cls, 'api_key_url') else None,
        base_url_env_var=cls.base_url_env_var,
        default_model=cls.default_model,
        models_path=cls.models_path,
        model_names=cls.model_names,
        model_factory=MODEL_FACTORY,
    )


def _declared_by_the_named_provider(cls: type[GroqProvider], attribute: str) -> bool:
    """Whether `attribute` is set by the class that sets `provider_name`, or below it: else it is another provider's."""

    def owner(name: str) -> type:
        return next(klass for klass in cls.__mro__ if name in vars(klass))

    return issubclass(owner(attribute), owner('provider_name'))


def _rate_limiter(rate_limit: bool | RateLimiter) -> RateLimiter | None:
    if isinstance(rate_limit, RateLimiter):
        return rate_limit
    if not isinstance(rate_limit, bool):
        raise UserError(f'`rate_limit` must be True, False or a RateLimiter, got {type(rate_limit).__name__}.')
    if not rate_limit:
        return None
    from .ratelimits import GROQ_RATE_LIMIT_HEADERS

    return RateLimiter(headers=GROQ_RATE_LIMIT_HEADERS)
