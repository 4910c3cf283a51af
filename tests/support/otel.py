"""Telemetry for tests: an OpenTelemetry SDK tracer and meter provider with in-memory exporters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pydantic_ai.otel import InstrumentationSettings

__all__ = ('Telemetry', 'in_memory_telemetry')


@dataclass
class Telemetry:
    """Where the spans and metric points of one test go."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader

    def settings(self, *, include_content: bool = False) -> InstrumentationSettings:
        return InstrumentationSettings(
            tracer_provider=self.tracer_provider, meter_provider=self.meter_provider, include_content=include_content
        )

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def span(self) -> ReadableSpan:
        spans = self.spans()
        assert len(spans) == 1, [s.name for s in spans]
        return spans[0]

    def points(self, metric_name: str) -> list[Any]:
        """The data points of the metric `metric_name` (histogram points: `.count`, `.sum`, `.attributes`)."""
        data = self.reader.get_metrics_data()
        found: list[Any] = []
        if data is None:
            return found
        for resource_metrics in data.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    if metric.name == metric_name:
                        found.extend(metric.data.data_points)
        return found


def in_memory_telemetry() -> Telemetry:
    """A fresh tracer provider and meter provider exporting to memory."""
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    return Telemetry(tracer_provider, MeterProvider(metric_readers=[reader]), exporter, reader)
