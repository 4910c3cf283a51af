"""The README's "Agents" examples run as written: the Groq agent against the local server, then its test."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import pydantic_ai.models
from pydantic_ai._sync import _run_in_thread_loop
from pydantic_ai_groq.testing import GroqTestServer, ToolCall, tool_call_completion

from support.constants import FAKE_GROQ_API_KEY

README = Path(__file__).resolve().parents[2] / 'README.md'


def _agents_blocks() -> list[str]:
    text = README.read_text()
    section = text.split('## Agents\n', 1)[1].split('\n## ', 1)[0]
    return re.findall(r'```python\n(.*?)```', section, flags=re.DOTALL)


def test_agents_section_examples_run(
    server: GroqTestServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv('GROQ_API_KEY', FAKE_GROQ_API_KEY)
    monkeypatch.setenv('GROQ_BASE_URL', server.base_url)
    server.enqueue(
        tool_call_completion(ToolCall('get_weather', {'city': 'Paris'}, 'call_1')),
        tool_call_completion(
            ToolCall('final_result', {'city': 'Paris', 'temperature_c': 18, 'summary': 'Mild.'}, 'call_2')
        ),
    )
    first, testing = _agents_blocks()
    namespace: dict[str, Any] = {'__name__': '__readme__'}

    try:
        exec(compile(first, 'README.md', 'exec'), namespace)
    finally:
        # `run_sync` ran in the event loop kept for this thread, through the shared client: close that loop's
        # connections now, or they are left open until some later test replaces the shared client.
        _run_in_thread_loop(pydantic_ai.models.cached_async_http_client().aclose())

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "city='Paris' temperature_c=18.0 summary='Mild.'"
    assert out[1].startswith('Usage(requests=2,')
    first_request, second_request = (r.json for r in server.requests)
    assert first_request['messages'][0] == {'role': 'system', 'content': 'Answer with a short forecast.'}
    tools = {t['function']['name']: t['function'] for t in first_request['tools']}
    assert tools['get_weather']['description'] == 'Current weather in a city.'
    assert tools['get_weather']['parameters']['properties']['city'] == {
        'description': 'The city\'s name, such as "Paris".',
        'title': 'City',
        'type': 'string',
    }
    assert second_request['messages'][-1] == {
        'role': 'tool',
        'tool_call_id': 'call_1',
        'content': '{"temperature_c":18.0,"wind_kmh":12.0}',
    }

    exec(compile(testing, 'README.md', 'exec'), namespace)

    assert capsys.readouterr().out.splitlines() == ["city='a' temperature_c=0.0 summary='a'", '5']
    assert server.request_count == 2  # the test run made no request
