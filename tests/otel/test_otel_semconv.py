"""The convention names copied into `pydantic_ai.otel._semconv` match the installed conventions package, and
`import pydantic_ai` stays free of OpenTelemetry and of the hook machinery."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from opentelemetry.semconv import schemas
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics
from opentelemetry.semconv.attributes import error_attributes, http_attributes, server_attributes

from pydantic_ai.otel import _semconv as ours

# Our constant -> the conventions package's value.
EXPECTED = {
    'GEN_AI_OPERATION_NAME': gen_ai.GEN_AI_OPERATION_NAME,
    'GEN_AI_PROVIDER_NAME': gen_ai.GEN_AI_PROVIDER_NAME,
    'GEN_AI_SYSTEM': gen_ai.GEN_AI_SYSTEM,
    'GEN_AI_REQUEST_MODEL': gen_ai.GEN_AI_REQUEST_MODEL,
    'GEN_AI_REQUEST_TEMPERATURE': gen_ai.GEN_AI_REQUEST_TEMPERATURE,
    'GEN_AI_REQUEST_MAX_TOKENS': gen_ai.GEN_AI_REQUEST_MAX_TOKENS,
    'GEN_AI_REQUEST_TOP_P': gen_ai.GEN_AI_REQUEST_TOP_P,
    'GEN_AI_REQUEST_SEED': gen_ai.GEN_AI_REQUEST_SEED,
    'GEN_AI_REQUEST_STOP_SEQUENCES': gen_ai.GEN_AI_REQUEST_STOP_SEQUENCES,
    'GEN_AI_REQUEST_PRESENCE_PENALTY': gen_ai.GEN_AI_REQUEST_PRESENCE_PENALTY,
    'GEN_AI_REQUEST_FREQUENCY_PENALTY': gen_ai.GEN_AI_REQUEST_FREQUENCY_PENALTY,
    'GEN_AI_REQUEST_STREAM': gen_ai.GEN_AI_REQUEST_STREAM,
    'GEN_AI_RESPONSE_MODEL': gen_ai.GEN_AI_RESPONSE_MODEL,
    'GEN_AI_RESPONSE_ID': gen_ai.GEN_AI_RESPONSE_ID,
    'GEN_AI_RESPONSE_FINISH_REASONS': gen_ai.GEN_AI_RESPONSE_FINISH_REASONS,
    'GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK': gen_ai.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
    'GEN_AI_USAGE_INPUT_TOKENS': gen_ai.GEN_AI_USAGE_INPUT_TOKENS,
    'GEN_AI_USAGE_OUTPUT_TOKENS': gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS,
    'GEN_AI_USAGE_REASONING_OUTPUT_TOKENS': gen_ai.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    'GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS': gen_ai.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    'GEN_AI_INPUT_MESSAGES': gen_ai.GEN_AI_INPUT_MESSAGES,
    'GEN_AI_OUTPUT_MESSAGES': gen_ai.GEN_AI_OUTPUT_MESSAGES,
    'GEN_AI_SYSTEM_INSTRUCTIONS': gen_ai.GEN_AI_SYSTEM_INSTRUCTIONS,
    'GEN_AI_TOKEN_TYPE': gen_ai.GEN_AI_TOKEN_TYPE,
    'SERVER_ADDRESS': server_attributes.SERVER_ADDRESS,
    'SERVER_PORT': server_attributes.SERVER_PORT,
    'ERROR_TYPE': error_attributes.ERROR_TYPE,
    'HTTP_RESPONSE_STATUS_CODE': http_attributes.HTTP_RESPONSE_STATUS_CODE,
    'OPERATION_CHAT': gen_ai.GenAiOperationNameValues.CHAT.value,
    'TOKEN_TYPE_INPUT': gen_ai.GenAiTokenTypeValues.INPUT.value,
    'TOKEN_TYPE_OUTPUT': gen_ai.GenAiTokenTypeValues.OUTPUT.value,
    'GEN_AI_CLIENT_TOKEN_USAGE': gen_ai_metrics.GEN_AI_CLIENT_TOKEN_USAGE,
    'GEN_AI_CLIENT_OPERATION_DURATION': gen_ai_metrics.GEN_AI_CLIENT_OPERATION_DURATION,
    'GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK': gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
    'SCHEMA_URL': schemas.Schemas.V1_44_0.value,
}


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_copied_name_matches_the_conventions_package(name: str) -> None:
    assert getattr(ours, name) == EXPECTED[name]


def test_every_copied_name_is_checked() -> None:
    copied = {n for n in vars(ours) if n.isupper() and not n.startswith('PYDANTIC_AI_')}
    assert copied == set(EXPECTED)


def test_our_own_attribute_is_outside_the_conventions_namespaces() -> None:
    assert ours.PYDANTIC_AI_CANCELLED.startswith('pydantic_ai.')


def test_import_pydantic_ai_loads_no_opentelemetry_and_no_hook_machinery() -> None:
    code = (
        'import sys, json, pydantic_ai, pydantic_ai.lifecycle, pydantic_ai_groq\n'
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('opentelemetry', 'pluggy'))))"
    )
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_a_request_with_no_plugin_installed_loads_no_opentelemetry() -> None:
    code = f"""
import asyncio, json, sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai_groq.testing import GroqTestServer, text_completion
from support.reliability import loopback_http_client, prompt, server_model

async def main():
    with GroqTestServer() as server:
        server.enqueue(text_completion('ok'))
        async with loopback_http_client() as client:
            await server_model(server, client).request(prompt(), None, ModelRequestParameters())

asyncio.run(main())
print(json.dumps(sorted(m for m in sys.modules if m.startswith('opentelemetry'))))
"""
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
