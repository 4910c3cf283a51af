"""A spare process for the durable tests: imports the engines and this library, then runs the app it is told to.

`python warm.py` imports what `dbos_app.py` and `temporal_app.py` import (the slow part of starting either: about a
second and a half on a loaded two-core machine), then reads one line of JSON from stdin and
runs what it says, with the environment variables of `"env"` set:

- `{"env": {...}, "module": "dbos_app", "args": [...]}`: imports the module and calls its `main(*args)`; the app's
  own modules (`durable_agent`, which reads the environment) are imported only then;
- `{"env": {...}, "script": "/path/example.py"}`: runs the script as `python example.py` would (as `__main__`, from
  its directory), for the documentation's examples.

An end of input before any command (the test session ended without needing this process) exits quietly.
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import sys

import dbos  # noqa: F401
import temporalio.client  # noqa: F401
import temporalio.worker  # noqa: F401

import pydantic_ai.durable_exec.dbos  # noqa: F401
import pydantic_ai.durable_exec.temporal  # noqa: F401
import pydantic_ai_groq  # noqa: F401


def main() -> None:
    line = sys.stdin.readline()
    if not line:
        return
    command = json.loads(line)
    os.environ.update(command['env'])
    if 'script' in command:
        script = command['script']
        os.chdir(os.path.dirname(script))
        sys.path[0] = os.path.dirname(script)
        sys.argv = [script]
        runpy.run_path(script, run_name='__main__')
        return
    sys.argv = [f'{command["module"]}.py', *command['args']]
    importlib.import_module(command['module']).main(*command['args'])


if __name__ == '__main__':
    main()
