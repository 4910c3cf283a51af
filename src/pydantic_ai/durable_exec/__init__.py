"""Durable agent runs: a run killed mid-way resumes in another process without paying for a request twice.

Two engines, one subpackage each, each needing its extra:

- `pydantic_ai.durable_exec.temporal` (`pip install 'pydantic-ai-core[temporal]'`): `TemporalAgent`, used inside a
  Temporal workflow; each model request and each tool call is an activity, and the run loop is deterministic
  workflow code. `PydanticAIPlugin` configures the client and worker, `AgentPlugin` registers an agent's activities.
- `pydantic_ai.durable_exec.dbos` (`pip install 'pydantic-ai-core[dbos]'`): `DBOSAgent`, whose `run` is a DBOS
  workflow checkpointed in SQLite or Postgres; each model request and each tool call is a step.

Under both, a tool whose completion was recorded is never run again: its recorded return value is replayed. How it
works: the agent's run loop performs its model requests and tool calls through a `pydantic_ai.agent.RunExecutor`;
each engine installs one for the length of a durable run.

This package imports neither engine: importing `pydantic_ai` or `pydantic_ai.durable_exec` loads no SDK.
"""

from __future__ import annotations

__all__: tuple[str, ...] = ()
