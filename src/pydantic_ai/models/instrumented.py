"""The original API's import path for tracing; the code lives in `pydantic_ai.otel`.

Loaded lazily, so that `pydantic_ai.models` does not import OpenTelemetry (or anything above it) until asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..otel import InstrumentationSettings, InstrumentedModel, OpenTelemetryPlugin, instrument_all

__all__ = ('InstrumentationSettings', 'InstrumentedModel', 'OpenTelemetryPlugin', 'instrument_all')


def __getattr__(name: str) -> Any:
    if name in __all__:
        from .. import otel

        return getattr(otel, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
