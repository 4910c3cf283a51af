"""The original API's path of the provider hook specifications, whose home is `pydantic_ai.hookspecs`.

Looked up lazily, so that `pydantic_ai.providers` imports neither pluggy nor anything above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..hookspecs import (
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
        from .. import hookspecs

        return getattr(hookspecs, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
