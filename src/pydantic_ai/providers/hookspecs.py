"""Compatibility shim: the hook specifications moved to `pydantic_ai.registry.hookspecs`.

Kept so that `pydantic_ai.providers.hookspecs` (and `from pydantic_ai.providers.hookspecs import hookimpl`) keep
working; new code imports `pydantic_ai.registry.hookspecs`, or `hookimpl` from `pydantic_ai.providers`.
"""

from __future__ import annotations

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
