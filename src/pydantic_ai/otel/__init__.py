"""Tracing: OpenTelemetry spans and metrics for model requests, following the GenAI semantic conventions.

- `instrument_all()` traces every request of the process (it registers `OpenTelemetryPlugin` as a lifecycle plugin);
- `InstrumentedModel(model, settings)` traces one model;
- `InstrumentationSettings` says where spans and metrics go and whether message content is recorded.

Needs `opentelemetry-api` (`pip install 'pydantic-ai-core[otel]'`). `pydantic_ai.otel` is imported only when asked
for: `import pydantic_ai` does not load OpenTelemetry.
"""

from __future__ import annotations

from ._instrumented import InstrumentationSettings, InstrumentedModel, OpenTelemetryPlugin, instrument_all

__all__ = ('InstrumentationSettings', 'InstrumentedModel', 'OpenTelemetryPlugin', 'instrument_all')
