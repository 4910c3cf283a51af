"""The README's "Groq today" examples run as written against the local test server and print what the README shows.

Each python block of the section is followed by a text block holding its output; the test serves the answer the
example needs (in Groq's wire format, `pydantic_ai_groq.testing.features`), runs the block, and compares.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import pydantic_ai.models
from pydantic_ai._sync import _run_in_thread_loop
from pydantic_ai_groq.testing import (
    GroqTestServer,
    ScriptedResponse,
    browser_search_run,
    cited_completion,
    document_citation,
    python_run,
    tool_run_completion,
    usage_breakdown,
)

from support.constants import FAKE_GROQ_API_KEY

README = Path(__file__).resolve().parents[2] / 'README.md'
SECTION = '### Groq today: server-side tools, citations, service tiers, caching\n'

ANSWERS: list[ScriptedResponse] = [
    tool_run_completion(
        'The user asks what Groq announced this week. I should search.',
        browser_search_run(
            'Groq announcement this week',
            [('Groq this week', 'https://news.example.com/groq-week', 'Two new models and a faster Compound.')],
        ),
        content='This week Groq announced two new models on GroqCloud and a faster Compound system.',
        model='openai/gpt-oss-120b',
        markers=False,
    ),
    tool_run_completion(
        'I can use Python. ',
        python_run('import math; print(math.sqrt(2026))', '45.0111097397076\n'),
        content='The square root of 2026 is about 45.0111.',
        model='groq/compound-mini',
        breakdown=usage_breakdown(('llama-3.3-70b-versatile', 390, 1), ('openai/gpt-oss-120b', 299, 117)),
    ),
    cited_completion(
        'Staff may work remotely on Fridays.',
        document_citation('handbook', 0, 35),
    ),
]


def examples() -> list[tuple[str, str]]:
    """The section's (python block, text block) pairs."""
    section = README.read_text().split(SECTION, 1)[1].split('\n### ', 1)[0]
    return re.findall(r'```python\n(.*?)```\n\n```text\n(.*?)```', section, flags=re.DOTALL)


def test_the_section_has_the_three_examples() -> None:
    assert len(examples()) == len(ANSWERS) == 3


@pytest.mark.parametrize('number', range(3), ids=['gpt-oss-browser-search', 'compound-code', 'cited-answer'])
def test_readme_example_prints_what_the_readme_says(
    number: int, server: GroqTestServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv('GROQ_API_KEY', FAKE_GROQ_API_KEY)
    monkeypatch.setenv('GROQ_BASE_URL', server.base_url)
    server.enqueue(ANSWERS[number])
    code, output = examples()[number]
    namespace: dict[str, Any] = {'__name__': '__readme__'}
    try:
        exec(compile(code, 'README.md', 'exec'), namespace)
    finally:
        # `run_sync` ran in this thread's kept event loop, through the shared client: close its connections now.
        _run_in_thread_loop(pydantic_ai.models.cached_async_http_client().aclose())
    assert capsys.readouterr().out == output
    body = server.requests[0].json
    assert body is not None
    if number == 0:
        assert body['model'] == 'openai/gpt-oss-120b' and body['tools'] == [{'type': 'browser_search'}]
    elif number == 1:
        assert body['compound_custom'] == {'tools': {'enabled_tools': ['code_interpreter']}}
    else:
        assert body['documents'][0]['id'] == 'handbook'
