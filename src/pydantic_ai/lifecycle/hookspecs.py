"""The request lifecycle hooks' earlier home: they live in `pydantic_ai.hookspecs`, beside every other hook.

The names below are looked up there on first use (this module does not import pluggy until then).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..hookspecs import (
        PROJECT_NAME,
        hookimpl,
        hookspec,
        pydantic_ai_request_end,
        pydantic_ai_request_error,
        pydantic_ai_request_start,
    )

__all__ = (
    'PROJECT_NAME',
    'hookimpl',
    'hookspec',
    'pydantic_ai_request_start',
    'pydantic_ai_request_end',
    'pydantic_ai_request_error',
)


def __getattr__(name: str) -> Any:
    if name in __all__:
        from .. import hookspecs

        return getattr(hookspecs, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
