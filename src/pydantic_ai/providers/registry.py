"""The original path of `ProviderRegistry`, whose home is `pydantic_ai.registry`; looked up lazily (see there)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..registry._registry import ENTRY_POINT_GROUP, ProviderInfo, ProviderRegistry

__all__ = ('ENTRY_POINT_GROUP', 'ProviderInfo', 'ProviderRegistry')


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ..registry import _registry

        return getattr(_registry, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
