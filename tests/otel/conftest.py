"""Fixtures for the tracing and lifecycle-hook tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pydantic_ai import lifecycle
from pydantic_ai.otel import instrument_all

from support.otel import Telemetry, in_memory_telemetry


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    """Spans and metric points of one test, in memory."""
    found = in_memory_telemetry()
    yield found
    found.tracer_provider.shutdown()
    found.meter_provider.shutdown()


@pytest.fixture(autouse=True)
def _no_process_wide_plugins() -> Iterator[None]:
    """Each test starts and ends with no process-wide tracing and entry points read afresh."""
    instrument_all(False)
    lifecycle.refresh_plugins()
    yield
    instrument_all(False)
    lifecycle.refresh_plugins()
