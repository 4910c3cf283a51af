"""The `Provider` protocol: what a provider is, and what creates one. A leaf module: it imports nothing of the core.

Import these names from `pydantic_ai.providers`, their public home. They live here, apart from the registry, so that
models, plugins and the registry can all depend on them without depending on each other (see `pydantic_ai.registry`
for the layering).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeAlias, TypeVar, runtime_checkable

__all__ = ('Provider', 'ProviderFactory')

ClientT_co = TypeVar('ClientT_co', covariant=True)


@runtime_checkable
class Provider(Protocol[ClientT_co]):
    """A source of authenticated clients for one API.

    Implement the three properties, directly or by subclassing this protocol. The API key, if any, must never
    appear in the provider's `repr()`.

    Optional class attributes, read from the provider class (the factory the registry returns, `factory(name)`)
    by tools such as the `pai` command line, so that they need not know the provider; leave out any that do not
    apply:

    - `api_key_env_var: str`: the environment variable the provider reads its API key from (`'GROQ_API_KEY'`).
    - `api_key_url: str`: where a user creates an API key (a web page), for "no API key" messages.
    - `base_url_env_var: str`: the environment variable that overrides the base URL.
    - `default_model: str`: the model name to use when the user names none.
    - `models_path: str`: the path, below `base_url`, of an OpenAI-compatible model list (`GET`, bearer
      authentication, answering `{"data": [{"id": ...}, ...]}`), for `pai models`.

    `pai` passes `http_client` to the factory for `--timeout` and `--replay`, and `max_retries=0` to a factory that
    accepts it when replaying a recording.
    """

    @property
    def name(self) -> str:
        """The provider's name, such as `'groq'`."""
        ...

    @property
    def base_url(self) -> str:
        """The base URL of the API."""
        ...

    @property
    def client(self) -> ClientT_co:
        """The authenticated client that models use to make requests."""
        ...


ProviderFactory: TypeAlias = Callable[..., Provider[Any]]
"""Creates a provider; a provider class qualifies.

Called with no arguments it must return a provider configured from its defaults (environment variables and the like).
`infer_provider(name, api_key=..., base_url=..., http_client=...)` passes those of the three that are given as keyword
arguments, so a factory that accepts them can be configured by name.
"""
