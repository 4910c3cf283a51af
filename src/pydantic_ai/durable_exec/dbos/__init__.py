"""Durable agent runs on DBOS: `DBOSAgent`, checkpointed in SQLite or Postgres, with no server.

```python
from dbos import DBOS

from pydantic_ai.durable_exec.dbos import DBOSAgent, sqlite_config

DBOS(config=sqlite_config('answers.sqlite', {'name': 'answers'}))  # or a Postgres system_database_url
dbos_agent = DBOSAgent(agent)  # before DBOS.launch(); the agent needs a name and a model
DBOS.launch()  # also resumes the runs a dead process left unfinished
result = await dbos_agent.run('Hello?')
```

Needs the `dbos` extra (`pip install 'pydantic-ai-core[dbos]'`). See `docs/durable-dbos.md`.
"""

from __future__ import annotations

try:
    import dbos  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("pydantic_ai.durable_exec.dbos needs DBOS: pip install 'pydantic-ai-core[dbos]'") from exc

from ._agent import DBOSAgent, StepConfig
from ._sqlite import needs_unixepoch_subsec, sqlite_config

__all__ = ('DBOSAgent', 'StepConfig', 'needs_unixepoch_subsec', 'sqlite_config')
