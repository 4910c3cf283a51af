"""`start_span_export`: tracing a whole program with spans on the console or sent over OTLP."""

from __future__ import annotations

import io
import json
import sys
import types
from typing import Any

import httpx
import pytest

from pydantic_ai.exceptions import UserError
from pydantic_ai.otel._export import start_span_export
from pydantic_ai_groq.testing import GroqTestServer, text_completion

from support.constants import FAKE_GROQ_API_KEY
from support.reliability import run_request, server_model, text_of


@pytest.mark.asyncio
async def test_console_export_writes_each_request_span_as_json_until_stopped(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    out = io.StringIO()
    stop = start_span_export('console', out=out)
    try:
        server.enqueue(text_completion('traced'), text_completion('not traced'))
        model = server_model(server, http_client)
        assert text_of((await run_request(model)).response) == 'traced'
    finally:
        stop()
    await run_request(model)

    text = out.getvalue()
    assert text.count('"name": "chat llama-3.3-70b-versatile"') == 1
    span = json.loads(text[text.index('{') : text.rindex('}') + 1])
    assert span['attributes']['gen_ai.provider.name'] == 'groq'
    assert span['resource']['attributes']['service.name'] == 'pai'
    assert FAKE_GROQ_API_KEY not in text


def test_an_unknown_target_is_a_user_error() -> None:
    with pytest.raises(UserError, match="Unknown span export target 'jaeger'.*console, otlp"):
        start_span_export('jaeger')


def test_otlp_without_an_exporter_installed_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        'opentelemetry.exporter.otlp.proto.http.trace_exporter',
        'opentelemetry.exporter.otlp.proto.grpc.trace_exporter',
    ):
        monkeypatch.setitem(sys.modules, name, None)  # makes the import fail, as when not installed

    with pytest.raises(UserError, match='pip install opentelemetry-exporter-otlp-proto-http'):
        start_span_export('otlp')


def test_otlp_uses_the_installed_exporter(monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    exported: list[Any] = []

    class FakeOTLPSpanExporter(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            exported.extend(spans)
            return SpanExportResult.SUCCESS

    module = types.ModuleType('fake_otlp')
    module.OTLPSpanExporter = FakeOTLPSpanExporter  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, 'opentelemetry.exporter.otlp.proto.http.trace_exporter', module)

    stop = start_span_export('otlp')
    from opentelemetry import trace as api

    from pydantic_ai.lifecycle import current_plugins
    from pydantic_ai.otel import OpenTelemetryPlugin

    plugin = current_plugins().get_plugin('opentelemetry')
    assert isinstance(plugin, OpenTelemetryPlugin)
    with plugin.settings.tracer.start_as_current_span('probe'):
        pass
    stop()  # flushes the batch processor
    assert [s.name for s in exported] == ['probe']
    assert api.get_current_span() is api.INVALID_SPAN
    assert current_plugins().get_plugin('opentelemetry') is None
