"""Providers: who serves a model, and how to get an authenticated client for it.

A `Provider[Client]` hands out an authenticated client of some SDK (`client`), and says what it is called (`name`)
and where its API lives (`base_url`). Providers are plugins: each installed distribution registers its providers
under the `pydantic_ai.providers` entry-point group, and `infer_provider(name)` finds them (see
`pydantic_ai.providers.hookspecs` for what a plugin implements, and `pydantic_ai.providers.registry` for the
rules of discovery). The core names no provider itself.

Importing this module is cheap: the registry, `importlib.metadata` and pluggy are imported on first lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from ..models import Model
    from .hookspecs import hookimpl
    from .registry import ProviderInfo, ProviderRegistry

__all__ = (
    'Provider',
    'ProviderFactory',
    'ModelFactory',
    'ProviderInfo',
    'ProviderRegistry',
    'hookimpl',
    'infer_provider',
    'list_providers',
    'register_provider',
    'unregister_provider',
    'default_registry',
)

ClientT_co = TypeVar('ClientT_co', covariant=True)


@runtime_checkable
class Provider(Protocol[ClientT_co]):
    """A source of authenticated clients for one API.

    Implement the three properties, directly or by subclassing this protocol. The API key, if any, must never
    appear in the provider's `repr()`.

    Optional class attributes, read from the provider class (the factory the registry returns) by tools such as
    the `pai` command line, so that they need not know the provider; leave out any that do not apply:

    - `api_key_env_var: str`: the environment variable the provider reads its API key from (`'GROQ_API_KEY'`).
    - `api_key_url: str`: where a user creates an API key (a web page), for "no API key" messages.
    - `base_url_env_var: str`: the environment variable that overrides the base URL.
    - `default_model: str`: the model name to use when the user names none.
    - `models_path: str`: the path, below `base_url`, of an OpenAI-compatible model list (`GET`, bearer
      authentication, answering `{"data": [{"id": ...}, ...]}`), for `pai models`.

    The provider's factory (its class, usually) should accept the keyword arguments `api_key`, `base_url` and
    `http_client` (an `httpx.AsyncClient`), each optional, so that callers can configure it by name; `pai`
    passes `http_client` for `--timeout` and `--replay`, and `max_retries=0` to a factory that accepts it when
    replaying a recording.
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


ProviderFactory: TypeAlias = Callable[[], Provider[Any]]
"""Creates a provider from its defaults; a provider class with only optional arguments is one."""

ModelFactory: TypeAlias = Callable[[str, Provider[Any]], 'Model']
"""Creates a model from a model name and a provider (see `register_provider(..., model_factory=...)`)."""


_default_registry: ProviderRegistry | None = None


def default_registry() -> ProviderRegistry:
    """The process-wide registry that `infer_provider()`, `infer_model()` and the module functions here use."""
    global _default_registry
    if _default_registry is None:
        from .registry import ProviderRegistry

        _default_registry = ProviderRegistry()
    return _default_registry


def infer_provider(name: str) -> Provider[Any]:
    """Create the provider registered under `name`, with its defaults (API key from the environment, and so on).

    Only the plugin that registered `name` is imported.

    Raises:
        UnknownProviderError: no provider is registered under `name`; the message lists the registered names.
        DuplicateProviderError: more than one installed distribution registers `name`.
        ProviderPluginError: the plugin fails to import, or does not provide a provider.
        UserError: the provider's own configuration is missing (for example its API key).
    """
    return default_registry().infer_provider(name)


def list_providers(*, load: bool = False) -> list[ProviderInfo]:
    """Every registered provider: name, distribution, version and status, sorted by name.

    With `load=False` only package metadata is read and no plugin is imported. With `load=True` each plugin is
    loaded, and a broken one is reported in its row (`status='broken'`, `error=...`) rather than raised.
    """
    return default_registry().list(load=load)


def register_provider(
    name: str,
    factory: ProviderFactory,
    *,
    model_factory: ModelFactory | None = None,
    replace: bool = False,
) -> None:
    """Register a provider at run time, for applications and tests that do not package their provider.

    Runtime registrations go through the same pluggy hooks as entry points and take precedence over them when
    `replace=True`.

    Args:
        name: The provider name to register.
        factory: Creates the provider with its defaults (a provider class qualifies).
        model_factory: Creates a model for `infer_model('<name>:<model>')`; optional.
        replace: Allow replacing a provider already registered under `name` (at run time or by a distribution).

    Raises:
        UserError: `name` is already registered and `replace` is false, or `name` is empty or contains `:`.
    """
    default_registry().register(name, factory, model_factory=model_factory, replace=replace)


def unregister_provider(name: str) -> None:
    """Remove a provider registered at run time with `register_provider()`.

    Raises:
        UserError: no provider was registered at run time under `name`.
    """
    default_registry().unregister(name)


def __getattr__(name: str) -> Any:
    if name in ('ProviderRegistry', 'ProviderInfo'):
        from . import registry

        return getattr(registry, name)
    if name == 'hookimpl':
        from .hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
