"""Compatibility shim: `ProviderRegistry` moved to `pydantic_ai.registry`.

Kept so that `pydantic_ai.providers.registry` keeps working; new code imports from `pydantic_ai.registry`.
"""

from __future__ import annotations

from ..registry._registry import ENTRY_POINT_GROUP, ProviderInfo, ProviderRegistry

__all__ = ('ENTRY_POINT_GROUP', 'ProviderInfo', 'ProviderRegistry')
