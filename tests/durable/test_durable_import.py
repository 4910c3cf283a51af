"""Importing the core loads neither durable-execution engine; each engine loads only with its own subpackage."""

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
import pydantic_ai.durable_exec.temporal
assert 'temporalio' in sys.modules and 'dbos' not in sys.modules
import pydantic_ai.durable_exec.dbos
assert 'dbos' in sys.modules
print('ok')
"""


def test_import_pydantic_ai_and_a_plain_run_load_no_engine() -> None:
    completed = subprocess.run([sys.executable, '-c', CODE], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == 'ok'
