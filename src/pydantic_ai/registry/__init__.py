"""The provider registry: finds providers by name, creates them, and builds models through them.

This package is the composition root of the core: it builds providers **and** models, so it sits above both, and
imports go one way only (tests/core/test_import_graph.py checks that the graph has no cycle). It is a package rather
than a module so that each concept keeps its own module, and so that this facade stays cheap to import (the modules
below it import pluggy and `importlib.metadata`, this one does not)::

    pydantic_ai.registry              this facade: infer_provider, infer_model, list/register/unregister,
      |                                 default_registry, use_registry, current_registry
      +- registry._registry             ProviderRegistry: entry points, loading, hook calls through pluggy
      +- registry._adapter              provider profiles; classes and factories adapted to the hooks
           |
    pydantic_ai.models.base           Model, ModelRequestParameters, StreamedResponse
    pydantic_ai.providers.base        the Provider protocol and ProviderProfile (a leaf: imports nothing of the core)
    pydantic_ai._entry_points         the one read of the plugin groups' entry points
    pydantic_ai.hookspecs             every hook a plugin implements, the `hookimpl` marker, the groups

`pydantic_ai.models` and `pydantic_ai.providers` are facades over those modules; their `infer_model`,
`infer_provider`, `list_providers`, `register_provider`, `unregister_provider`, `hookimpl`, `ProviderRegistry` and
`ProviderInfo` (and the modules `pydantic_ai.providers.hookspecs` and `pydantic_ai.providers.registry`) are
compatibility re-exports of the names here, so the original API's import paths keep working; so is
`pydantic_ai.registry.hookspecs`, whose hooks live in `pydantic_ai.hookspecs` now.

Which registry is used: the `registry=` argument when given; else the one made current for the block by `with
use_registry(reg):` (a context variable, so it follows tasks and threads started in the block the way contextvars
do); else the process-wide `default_registry()`. Tests and applications build their own `ProviderRegistry()` and
pass it in one of those two ways; nothing needs patching.

Importing this package is cheap: `importlib.metadata` and pluggy are imported on the first lookup.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from ..hookspecs import PROVIDERS_GROUP, hookimpl
    from ..models.base import Model
    from ..providers.base import Provider, ProviderFactory
    from ._registry import ENTRY_POINT_GROUP, ModelFactory, ProviderInfo, ProviderRegistry

__all__ = (
    'ENTRY_POINT_GROUP',
    'PROVIDERS_GROUP',
    'ModelFactory',
    'ProviderInfo',
    'ProviderRegistry',
    'current_registry',
    'default_registry',
    'hookimpl',
    'infer_model',
    'infer_provider',
    'list_providers',
    'register_provider',
    'unregister_provider',
    'use_registry',
)

_default: ProviderRegistry | None = None
_current: contextvars.ContextVar[ProviderRegistry | None] = contextvars.ContextVar('pydantic_ai_registry', default=None)


def default_registry() -> ProviderRegistry:
    """The process-wide registry, reading the installed distributions' entry points; created on first use.

    It reads them through the scan the process-wide lifecycle plugins share, so metadata is read once for both.
    """
    global _default
    if _default is None:
        from .._entry_points import process_scan
        from ._registry import ProviderRegistry

        _default = ProviderRegistry(entry_points=process_scan())
    return _default


def current_registry() -> ProviderRegistry:
    """The registry in force: the one made current by `use_registry()` in this context, else `default_registry()`."""
    registry = _current.get()
    return registry if registry is not None else default_registry()


@contextmanager
def use_registry(registry: ProviderRegistry) -> Iterator[ProviderRegistry]:
    """Make `registry` the current one within the block, for every name lookup that is not given `registry=`.

    ```python
    from pydantic_ai.registry import ProviderRegistry, infer_provider, use_registry

    with use_registry(ProviderRegistry()) as registry:
        registry.register('local', LocalProvider)
        provider = infer_provider('local')
    ```

    The registry is held in a context variable: concurrent tasks and threads outside the block are not affected.

    Raises:
        UserError: `registry` is not a `ProviderRegistry`.
    """
    from ._registry import ProviderRegistry

    if not isinstance(registry, ProviderRegistry):
        from ..exceptions import UserError  # type: ignore[unreachable]  # a run-time check for untyped callers

        raise UserError(f'use_registry() takes a `ProviderRegistry`, got {type(registry).__name__}.')
    token = _current.set(registry)
    try:
        yield registry
    finally:
        _current.reset(token)


def _resolve(registry: ProviderRegistry | None) -> ProviderRegistry:
    if registry is None:
        return current_registry()
    from ._registry import ProviderRegistry

    if not isinstance(registry, ProviderRegistry):
        from ..exceptions import UserError  # type: ignore[unreachable]  # a run-time check for untyped callers

        raise UserError(f'`registry` must be a `ProviderRegistry`, got {type(registry).__name__}.')
    return registry


def infer_provider(
    name: str,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    http_client: httpx.AsyncClient | None = None,
    registry: ProviderRegistry | None = None,
) -> Provider[Any]:
    """Create the provider registered under `name`, with its defaults (API key from the environment, and so on).

    Only the plugin that registered `name` is imported. Of `api_key`, `base_url` and `http_client`, those given are
    passed to the provider's factory as keyword arguments (and only those), so any provider can be configured by name.

    Args:
        name: The provider name, such as `'acme'`.
        api_key: The API key, instead of the provider's environment variable.
        base_url: The API's base URL, instead of the provider's default.
        http_client: The `httpx.AsyncClient` the provider's client sends requests with.
        registry: The registry to look `name` up in; by default `current_registry()`.

    Raises:
        UnknownProviderError: no provider is registered under `name`; the message lists the registered names.
        DuplicateProviderError: more than one installed distribution registers `name`.
        ProviderPluginError: the plugin fails to import, or does not provide a provider.
        UserError: the provider's own configuration is missing (for example its API key), or its factory does not
            accept one of the arguments given.
    """
    return _resolve(registry).infer_provider(name, api_key=api_key, base_url=base_url, http_client=http_client)


def infer_model(model: Model | str, *, registry: ProviderRegistry | None = None) -> Model:
    """A model from a `'provider:model-name'` string, through the provider registry; a `Model` is returned as-is.

    `infer_model('acme:large-1')` looks up the `acme` provider (loading only that plugin), creates it
    with its defaults (for example the API key from the environment) and asks its plugin for the model. The bare
    name `'test'` is the core's `TestModel()` (as in the original API), whatever the registry holds: it is no
    provider, so it works with no plugin installed.

    Args:
        model: A `Model`, `'test'`, or a `'provider:model-name'` string.
        registry: The registry to look the provider up in; by default `current_registry()`.

    Raises:
        UserError: the string has no `provider:` prefix, or the provider's plugin does not build models.
        UnknownProviderError: no provider is registered under that name.
        ProviderPluginError: the provider's plugin is broken.
    """
    from ..models.base import Model

    if isinstance(model, Model):
        return model
    if model == 'test':
        from ..models.test import TestModel

        return TestModel()
    resolved = _resolve(registry)
    provider_name, sep, model_name = model.partition(':') if isinstance(model, str) else ('', '', '')
    if not sep or not provider_name or not model_name:
        from ..exceptions import UserError

        names = ', '.join(repr(n) for n in resolved.names()) or 'none installed'
        raise UserError(
            f'Cannot infer a model from {model!r}: write it as "provider:model-name", a registered provider\'s '
            f'name, a colon and a model name it serves. Registered providers: {names}.'
        )
    return resolved.model(provider_name, model_name)


def list_providers(*, load: bool = False, registry: ProviderRegistry | None = None) -> list[ProviderInfo]:
    """Every registered provider: name, distribution, version and status, sorted by name.

    With `load=False` only package metadata is read and no plugin is imported. With `load=True` each plugin is
    loaded, and a broken one is reported in its row (`status='broken'`, `error=...`) rather than raised.
    """
    return _resolve(registry).providers(load=load)


def register_provider(
    name: str,
    factory: ProviderFactory,
    *,
    model_factory: ModelFactory | None = None,
    model_names: Sequence[str] | None = None,
    replace: bool = False,
    registry: ProviderRegistry | None = None,
) -> None:
    """Register a provider at run time, for applications and tests that do not package their provider.

    Runtime registrations go through the same pluggy hooks as entry points and take precedence over them when
    `replace=True`.

    Args:
        name: The provider name to register.
        factory: Creates the provider with its defaults (a provider class qualifies).
        model_factory: Creates a model for `infer_model('<name>:<model>')`; by default the `model_factory` of the
            factory's `ProviderProfile`, if any.
        model_names: The model names to list for the provider; by default its profile's `model_names`.
        replace: Allow replacing a provider already registered under `name` (at run time or by a distribution).
        registry: The registry to register in; by default `current_registry()`.

    Raises:
        UserError: `name` is already registered and `replace` is false, or `name` is empty or contains `:`.
    """
    _resolve(registry).register(name, factory, model_factory=model_factory, model_names=model_names, replace=replace)


def unregister_provider(name: str, *, registry: ProviderRegistry | None = None) -> None:
    """Remove a provider registered at run time with `register_provider()`.

    Raises:
        UserError: no provider was registered at run time under `name`.
    """
    _resolve(registry).unregister(name)


_LAZY = frozenset({'ProviderRegistry', 'ProviderInfo', 'ModelFactory', 'ENTRY_POINT_GROUP', 'PROVIDERS_GROUP'})


def __getattr__(name: str) -> Any:
    # These need pluggy (and importlib.metadata), which `import pydantic_ai` does not load.
    if name == 'hookimpl':
        from ..hookspecs import hookimpl

        return hookimpl
    if name in _LAZY:
        from . import _registry

        return getattr(_registry, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
