"""`pai --trace console|otlp`: one OpenTelemetry span per model request, on stderr or sent to a collector."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pydantic_ai.cli import run
from pydantic_ai_groq import GroqProvider
from pydantic_ai_groq.testing import GroqTestServer, streamed_text

from support.constants import FAKE_GROQ_API_KEY

ROOT = Path(__file__).resolve().parents[2]


def test_trace_console_prints_the_request_span_on_stderr_and_the_answer_on_stdout(
    server: GroqTestServer, tmp_path: Path
) -> None:
    server.enqueue(streamed_text(['Hel', 'lo'], prompt_tokens=6, completion_tokens=2))
    dropped = ('GROQ_API_KEY', 'GROQ_BASE_URL', 'PYTHONPATH', 'PAI_HISTORY_FILE', 'PAI_MODEL')
    env = {k: v for k, v in os.environ.items() if k not in dropped and 'proxy' not in k.lower()}
    env.update(GROQ_API_KEY=FAKE_GROQ_API_KEY, GROQ_BASE_URL=server.base_url, HOME=str(tmp_path))

    result = subprocess.run(
        [sys.executable, '-m', 'pydantic_ai', '--trace', 'console', '-q', 'Say hello'],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'Hello'
    span = json.loads(result.stderr[result.stderr.index('{') : result.stderr.rindex('}') + 1])
    assert span['name'] == 'chat openai/gpt-oss-120b'  # Groq's default model
    attributes = span['attributes']
    assert attributes['gen_ai.provider.name'] == 'groq'
    assert attributes['gen_ai.request.stream'] is True
    assert (attributes['gen_ai.usage.input_tokens'], attributes['gen_ai.usage.output_tokens']) == (6, 2)
    assert span['resource']['attributes']['service.name'] == 'pai'
    assert FAKE_GROQ_API_KEY not in result.stderr + result.stdout


def test_trace_otlp_without_an_exporter_is_a_usage_error_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        'opentelemetry.exporter.otlp.proto.http.trace_exporter',
        'opentelemetry.exporter.otlp.proto.grpc.trace_exporter',
    ):
        monkeypatch.setitem(sys.modules, name, None)  # as when not installed
    out, err = io.StringIO(), io.StringIO()

    status = run(['--trace', 'otlp', 'hi'], stdout=out, stderr=err, provider=GroqProvider(api_key=FAKE_GROQ_API_KEY))

    assert status == 2
    assert 'opentelemetry-exporter-otlp-proto-http' in err.getvalue()
    assert out.getvalue() == ''


def test_an_unknown_trace_target_is_a_usage_error() -> None:
    out, err = io.StringIO(), io.StringIO()

    status = run(['--trace', 'jaeger', 'hi'], stdout=out, stderr=err)

    assert status == 2
    assert 'console' in err.getvalue() and 'otlp' in err.getvalue()
