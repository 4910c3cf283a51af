"""Providers: who serves a model, and how to get an authenticated client for it.

A `Provider[Client]` hands out an authenticated client of some SDK (`client`), and says what it is called (`name`)
and where its API lives (`base_url`). Providers are plugins: each installed distribution registers its providers
under the `pydantic_ai.providers` entry-point group, and `infer_provider(name)` finds them. The core names no provider
itself.

`Provider`, `ProviderFactory` and `ProviderProfile` (what a provider declares about itself for tools such as `pai`)
are defined in the leaf module `pydantic_ai.providers.base`. The registry lives in
`pydantic_ai.registry` (see it for the rules of discovery and the hooks a plugin implements).

Importing this module is cheap: the registry, `importlib.metadata` and pluggy are imported on first lookup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Provider, ProviderFactory, ProviderProfile

if TYPE_CHECKING:
    from ..registry import (
        ModelFactory,
        ProviderInfo,
        ProviderRegistry,
        default_registry,
        hookimpl,
        infer_provider,
        list_providers,
        register_provider,
        unregister_provider,
    )

__all__ = (
    'Provider',
    'ProviderFactory',
    'ProviderProfile',
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


_REGISTRY_NAMES = frozenset(__all__) - {'Provider', 'ProviderFactory', 'ProviderProfile'}


def __getattr__(name: str) -> Any:
    # The original API's `pydantic_ai.providers.<name>` paths: names of `pydantic_ai.registry`, their home now, looked
    # up on first use so that this package never imports the registry above it (see `tests/core/test_import_graph.py`).
    if name in _REGISTRY_NAMES:
        from .. import registry

        return getattr(registry, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
