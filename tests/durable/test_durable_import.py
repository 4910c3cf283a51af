"""Importing the core (and `pydantic_ai.durable_exec`) loads neither durable-execution engine."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
import pydantic_ai
import pydantic_ai.durable_exec
from pydantic_ai import Agent
Agent('test').run_sync('hi')
engines = sorted(name for name in ('temporalio', 'dbos', 'sqlalchemy') if name in sys.modules)
assert not engines, engines
print('ok')
"""


def test_import_pydantic_ai_and_a_plain_run_load_no_engine() -> None:
    completed = subprocess.run([sys.executable, '-c', CODE], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == 'ok'
