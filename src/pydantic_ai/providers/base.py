"""The `Provider` protocol: what a provider is, what creates one, and what it declares about itself (`ProviderProfile`).

A leaf module: it imports nothing of the core.

Import these names from `pydantic_ai.providers`, their public home. They live here, apart from the registry, so that
models, plugins and the registry can all depend on them without depending on each other (see `pydantic_ai.registry`
for the layering).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, TypeVar, runtime_checkable

__all__ = ('Provider', 'ProviderFactory', 'ProviderProfile')

ClientT_co = TypeVar('ClientT_co', covariant=True)


@runtime_checkable
class Provider(Protocol[ClientT_co]):
    """A source of authenticated clients for one API.

    Implement the three properties, directly or by subclassing this protocol. The API key, if any, must never
    appear in the provider's `repr()`.

    What a provider declares about itself for tools that do not know it (its key variable, default model, model list
    path, ...) is its `ProviderProfile`, read from the provider's factory (usually the class): a `profile` class
    attribute, or class attributes named as the profile's fields. `pai` passes `http_client` to the factory for
    `--timeout` and `--replay`, and `max_retries=0` to a factory that accepts it when replaying a recording.
    """

    @property
    def name(self) -> str:
        """The provider's name, such as `'acme'`."""
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


@dataclass(frozen=True, kw_only=True)
class ProviderProfile:
    """What a provider declares about itself, for tools that do not know it: `pai`, the cassette plugin, the registry.

    A provider declares it on its factory (usually the provider class), in one of two ways, each field optional:

    ```python
    class MyProvider:
        profile = ProviderProfile(api_key_env_var='MY_API_KEY', default_model='my-model')
    ```

    or, the shortest form, class attributes named as the fields (`api_key_env_var = 'MY_API_KEY'`), which is how
    subclasses of a provider class that declares them (such as a gateway's subclass) fill theirs. A `profile`
    attribute wins over the separate attributes. The registry reads and checks the profile once, when it registers
    the provider (a field of the wrong type makes the plugin broken), and hands it out as
    `ProviderRegistry.profile(name)`; nothing else reads these attributes.
    """

    api_key_env_var: str | None = None
    """The environment variable the provider reads its API key from, named by "no API key" messages."""
    api_key_url: str | None = None
    """Where a user creates an API key (a web page), for "no API key" messages."""
    base_url_env_var: str | None = None
    """The environment variable that overrides the base URL, named by connection error messages."""
    default_model: str | None = None
    """The model name to use when the user names none (`pai` without `--model`)."""
    models_path: str | None = None
    """The path, below the base URL, of an OpenAI-compatible model list (`GET`, bearer authentication, answering
    `{"data": [{"id": ...}, ...]}`), which `pai models` asks."""
    model_names: Sequence[str] = ()
    """Model names to list for the provider when it is registered as a class or factory; a pluggy plugin lists its
    own with the `pydantic_ai_model_names` hook instead."""
    model_factory: Callable[[str, Provider[Any]], object] | str | None = None
    """What builds a model for `infer_model('<provider name>:<model name>')` when the provider is registered as a
    class or factory (a pluggy plugin uses its `pydantic_ai_model` hook instead): a callable `(model_name, provider)
    -> Model`, or its import path `'package.module:attribute'`, imported when the first model is built (so a provider
    module need not import the model module that imports it)."""
