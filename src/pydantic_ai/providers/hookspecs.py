"""The original path of the provider hook specifications, whose home is `pydantic_ai.registry.hookspecs`.

Looked up lazily, so that `pydantic_ai.providers` never imports the registry above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..registry.hookspecs import (
        PROJECT_NAME,
        hookimpl,
        hookspec,
        pydantic_ai_model,
        pydantic_ai_model_names,
        pydantic_ai_provider,
    )

__all__ = (
    'PROJECT_NAME',
    'hookimpl',
    'hookspec',
    'pydantic_ai_provider',
    'pydantic_ai_model',
    'pydantic_ai_model_names',
)


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ..registry import hookspecs

        return getattr(hookspecs, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
