"""The agent's names import from `pydantic_ai` without making `import pydantic_ai` heavy."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
import pydantic_ai
from pydantic_ai import ModelRetry, RunContext, Tool, UsageLimits
assert 'pydantic' not in sys.modules, 'import pydantic_ai (and its eager names) must not load pydantic'
assert 'pydantic_ai.agent' not in sys.modules
from pydantic_ai import Agent, capture_run_messages
assert Agent.__module__ == 'pydantic_ai.agent'
print(Agent('test').run_sync('hi').data)
"""


def test_agent_loads_on_first_use_and_import_pydantic_ai_stays_light() -> None:
    completed = subprocess.run([sys.executable, '-c', CODE], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == 'success (no tool calls)'
