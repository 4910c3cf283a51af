"""The examples of `docs/durable-temporal.md` and `docs/durable-dbos.md` run as written, offline.

Each page's program runs in a subprocess with `GROQ_BASE_URL` pointing at the local Groq test server, which answers
with a tool call, then the answer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pydantic_ai_groq.testing import GroqTestServer, ToolCall, text_completion, tool_call_completion

from support.durable import DEADLINE

DOCS = Path(__file__).resolve().parents[2] / 'docs'
ANSWER = 'About 2.1 million people live in Paris.'


def _blocks(page: str) -> list[str]:
    return re.findall(r'```python\n(.*?)```', (DOCS / page).read_text(), flags=re.DOTALL)


def _run(code: str, directory: Path, server: GroqTestServer) -> str:
    script = directory / 'example.py'
    script.write_text(code)
    env = dict(os.environ, GROQ_API_KEY='gsk-test', GROQ_BASE_URL=server.base_url)
    completed = subprocess.run(
        [sys.executable, str(script)], cwd=directory, env=env, capture_output=True, text=True, timeout=DEADLINE
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


@pytest.fixture
def answering_server(groq_server: GroqTestServer) -> GroqTestServer:
    groq_server.enqueue(tool_call_completion(ToolCall('population', {'city': 'Paris'})), text_completion(ANSWER))
    return groq_server


def test_the_temporal_page_example_runs_a_workflow_on_a_local_dev_server(
    tmp_path: Path, answering_server: GroqTestServer
) -> None:
    (example,) = _blocks('durable-temporal.md')
    out = _run(example, tmp_path, answering_server)
    assert out.splitlines()[-1] == ANSWER
    assert answering_server.request_count == 2


def test_the_dbos_page_example_runs_and_a_second_run_returns_the_recorded_result(
    tmp_path: Path, answering_server: GroqTestServer
) -> None:
    example, wal = _blocks('durable-dbos.md')
    _run(wal, tmp_path, answering_server)
    assert _run(example, tmp_path, answering_server).splitlines()[-1] == ANSWER
    assert answering_server.request_count == 2
    assert _run(example, tmp_path, answering_server).splitlines()[-1] == ANSWER
    assert answering_server.request_count == 2  # the workflow id had finished: nothing was sent again
