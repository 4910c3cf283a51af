"""Turning tracing on for a whole program with one call, exporting spans to the console or to OTLP.

Meant for command lines and scripts (`pai --trace console`): `start_span_export('console')` or
`start_span_export('otlp')` sets up an OpenTelemetry SDK tracer provider with that exporter, turns on
`instrument_all()` with it, and returns a function that flushes and stops the export. Applications that configure
OpenTelemetry themselves call `instrument_all()` instead.

Needs `opentelemetry-sdk` (and for `otlp` an OTLP exporter package: `opentelemetry-exporter-otlp-proto-http` or
`-grpc`, configured by the standard `OTEL_EXPORTER_OTLP_*` variables); a missing one is a `UserError` saying what to
install.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import IO, Any, Literal

from ..exceptions import UserError

__all__ = ('ExportTarget', 'EXPORT_TARGETS', 'start_span_export')

ExportTarget = Literal['console', 'otlp']
"""Where spans go: `console` (JSON, one span at a time, on stderr by default) or `otlp` (a collector)."""

EXPORT_TARGETS: tuple[ExportTarget, ...] = ('console', 'otlp')
"""The accepted targets, for command-line choices."""

# The OTLP span exporters, preferred first: (module, distribution to install).
_OTLP_EXPORTERS = (
    ('opentelemetry.exporter.otlp.proto.http.trace_exporter', 'opentelemetry-exporter-otlp-proto-http'),
    ('opentelemetry.exporter.otlp.proto.grpc.trace_exporter', 'opentelemetry-exporter-otlp-proto-grpc'),
)


def _import(module: str, install: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise UserError(f'Exporting spans needs {install}: pip install {install}') from exc


def _otlp_exporter() -> Any:
    for module, _ in _OTLP_EXPORTERS:
        try:
            found = importlib.import_module(module)
        except ImportError:
            continue
        return found.OTLPSpanExporter()
    raise UserError(
        'Exporting spans over OTLP needs an OTLP exporter: pip install opentelemetry-exporter-otlp-proto-http '
        '(then set OTEL_EXPORTER_OTLP_ENDPOINT if the collector is not at http://localhost:4318).'
    )


def start_span_export(target: str, *, out: IO[str] | None = None, service_name: str = 'pai') -> Callable[[], None]:
    """Trace every model request of this process and export the spans to `target`.

    Args:
        target: `'console'` or `'otlp'`.
        out: Where console spans are written; by default `sys.stderr` (so they never mix with an answer on stdout).
        service_name: The `service.name` resource attribute of the spans.

    Returns:
        A function that flushes the spans still pending, stops the export and turns `instrument_all()` off.

    Raises:
        UserError: an unknown target, or the SDK or exporter package is not installed.
    """
    if target not in EXPORT_TARGETS:
        raise UserError(f'Unknown span export target {target!r}: use one of {", ".join(EXPORT_TARGETS)}.')
    sdk_trace = _import('opentelemetry.sdk.trace', 'opentelemetry-sdk')
    sdk_export = _import('opentelemetry.sdk.trace.export', 'opentelemetry-sdk')
    sdk_resources = _import('opentelemetry.sdk.resources', 'opentelemetry-sdk')
    from ._instrumented import InstrumentationSettings, instrument_all

    if target == 'console':
        stream = out if out is not None else sys.stderr
        processor = sdk_export.SimpleSpanProcessor(sdk_export.ConsoleSpanExporter(out=stream))
    else:
        processor = sdk_export.BatchSpanProcessor(_otlp_exporter())
    resource = sdk_resources.Resource.create({'service.name': service_name})
    tracer_provider = sdk_trace.TracerProvider(resource=resource)
    tracer_provider.add_span_processor(processor)
    instrument_all(InstrumentationSettings(tracer_provider=tracer_provider))

    def stop() -> None:
        instrument_all(False)
        tracer_provider.shutdown()

    return stop
