"""W1: the cold import of each entry module, in fresh interpreters.

Each run times `python -c "<import>"` for every statement, in an order rotated every run, and subtracts the same
run's `python -c pass` (interpreter start-up). One untimed run first writes any missing byte-code and warms the
file-system cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

__all__ = ('STATEMENTS', 'measure_imports', 'core_import_check')

STATEMENTS: dict[str, str] = {
    'sdk': 'import groq',
    'httpx': 'import httpx, json',
    'core': 'import pydantic_ai',
    'project': 'import pydantic_ai.models.groq',
    'plugin': 'import pydantic_ai_groq',
}
"""What each column imports: the SDK, the limit's modules, the core alone, the project's entry module."""

_BASELINE = 'pass'
_HEAVY = ('groq', 'pydantic', 'pydantic_core', 'httpx', 'pluggy', 'pydantic_ai_groq')


def _environment() -> dict[str, str]:
    # No PYTHON* variables (PYTHONPROFILEIMPORTTIME, PYTHONDONTWRITEBYTECODE, ...) from the caller's shell.
    return {k: v for k, v in os.environ.items() if not k.startswith('PYTHON')}


def _time(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, '-c', code], check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure_imports(runs: int) -> dict[str, list[float]]:
    """Seconds each statement adds to a bare interpreter's start-up, one value per run."""
    env = _environment()
    keys = [*STATEMENTS, _BASELINE]
    codes = {**STATEMENTS, _BASELINE: _BASELINE}
    for key in keys:  # warm the byte-code and file-system caches
        _time(codes[key], env)
    out: dict[str, list[float]] = {key: [] for key in STATEMENTS}
    for run in range(runs):
        shift = run % len(keys)
        order = keys[shift:] + keys[:shift]
        seconds = {key: _time(codes[key], env) for key in order}
        for key in STATEMENTS:
            out[key].append(seconds[key] - seconds[_BASELINE])
    return out


def core_import_check() -> list[str]:
    """The heavy top-level modules (vendor SDK, pydantic, httpx, pluggy) `import pydantic_ai` loads; ideally none."""
    code = (
        'import json, sys\n'
        'import pydantic_ai\n'
        f'heavy = {_HEAVY!r}\n'
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy})))\n"
    )
    completed = subprocess.run(
        [sys.executable, '-c', code], check=True, env=_environment(), capture_output=True, text=True
    )
    loaded: list[str] = json.loads(completed.stdout)
    return loaded
