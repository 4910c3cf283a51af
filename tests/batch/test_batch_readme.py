"""The README's batch example runs as written against the local server (only its poll interval is shortened)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from pydantic_ai_groq.testing import GroqTestServer, wire
from pydantic_ai_groq.testing.batches import BatchBehaviour

from support.constants import FAKE_GROQ_API_KEY, PROJECT_ROOT


def test_readme_batch_example_runs_and_prints_results_in_input_order(server: GroqTestServer) -> None:
    readme = (PROJECT_ROOT / 'README.md').read_text()
    blocks = [b for b in re.findall(r'```python\n(.*?)```', readme, flags=re.DOTALL) if 'model_request_batch(' in b]
    assert len(blocks) == 1
    code = blocks[0].replace('poll_interval=30', 'poll_interval=0')
    assert code != blocks[0]
    call = {'id': 'call_1', 'type': 'function', 'function': {'name': 'get_weather', 'arguments': '{}'}}
    server.batches.behaviour = BatchBehaviour(answers={'weather': wire.chat_completion(tool_calls=[call])})
    env = dict(os.environ, GROQ_BASE_URL=server.base_url, GROQ_API_KEY=FAKE_GROQ_API_KEY)

    done = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, timeout=60, env=env, cwd=PROJECT_ROOT, check=False
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(r'batch_\w+ validating 0/0', lines[0])
    assert lines[-4].endswith('completed 3/3')
    assert lines[-3].startswith("capital [TextPart(content='Capital of France? One word.'")
    assert lines[-2].startswith("weather [ToolCallPart(tool_name='get_weather'")
    assert lines[-1] == "item-2 [TextPart(content='Say hi.', part_kind='text')]"
    body = next(r for r in server.requests if r.path == '/openai/v1/files').body
    assert b'"tools":[{"type":"function","function":{"name":"get_weather"' in body
