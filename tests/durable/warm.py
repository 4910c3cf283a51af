"""A spare process for the durable tests: imports one engine and this library, then runs what it is told to.

`python warm.py dbos` (or `temporal`) imports what a DBOS (or Temporal) app of these tests imports, the slow part of
starting one (about a second on a loaded two-core machine), then reads one line of JSON from stdin and runs what it
says, `{"env": {...}, "module": "dbos_app", "args": [...]}`: sets the environment variables, imports the module and
calls its `main(*args)`. The app's own modules (`durable_agent`, which reads the environment) are imported only then.
An end of input before any command (the test session ended without needing this process) exits quietly.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

ENGINES = {
    'dbos': ('pydantic_ai.durable_exec.dbos',),
    'temporal': ('pydantic_ai.durable_exec.temporal', 'temporalio.client', 'temporalio.worker'),
}


def main(engine: str) -> None:
    for module in ('pydantic_ai_groq', *ENGINES[engine]):
        importlib.import_module(module)
    line = sys.stdin.readline()
    if not line:
        return
    command = json.loads(line)
    os.environ.update(command['env'])
    sys.argv = [f'{command["module"]}.py', *command['args']]
    importlib.import_module(command['module']).main(*command['args'])


if __name__ == '__main__':
    main(sys.argv[1])
