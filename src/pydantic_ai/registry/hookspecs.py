"""The provider hooks' earlier home: they live in `pydantic_ai.hookspecs`, beside every other hook.

The names below are looked up there on first use (this module does not import pluggy until then).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..hookspecs import (
        PROJECT_NAME,
        hookimpl,
        hookspec,
        pydantic_ai_cli_commands,
        pydantic_ai_model,
        pydantic_ai_model_names,
        pydantic_ai_model_notes,
        pydantic_ai_provider,
    )

__all__ = (
    'PROJECT_NAME',
    'hookimpl',
    'hookspec',
    'pydantic_ai_provider',
    'pydantic_ai_model',
    'pydantic_ai_model_names',
    'pydantic_ai_model_notes',
    'pydantic_ai_cli_commands',
)


def __getattr__(name: str) -> Any:
    if name in __all__:
        from .. import hookspecs

        return getattr(hookspecs, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
