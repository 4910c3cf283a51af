"""Durable agent runs on Temporal: `TemporalAgent`, `PydanticAIPlugin`, `AgentPlugin`.

```python
from temporalio import workflow

from pydantic_ai.durable_exec.temporal import AgentPlugin, PydanticAIPlugin, TemporalAgent

temporal_agent = TemporalAgent(agent)  # the agent needs a name and a model


@workflow.defn
class AnswerWorkflow:
    @workflow.run
    async def run(self, prompt: str) -> str:
        return (await temporal_agent.run(prompt)).data


client = await Client.connect('localhost:7233', plugins=[PydanticAIPlugin()])
async with Worker(client, task_queue='q', workflows=[AnswerWorkflow], plugins=[AgentPlugin(temporal_agent)]):
    print(await client.execute_workflow(AnswerWorkflow.run, 'Hello?', id='answer-1', task_queue='q'))
```

Needs the `temporal` extra (`pip install 'pydantic-ai-core[temporal]'`). See `docs/durable-temporal.md`.
"""

from __future__ import annotations

try:
    import temporalio  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "pydantic_ai.durable_exec.temporal needs the Temporal SDK: pip install 'pydantic-ai-core[temporal]'"
    ) from exc

from .._common import StepRunContext
from ._agent import TemporalAgent
from ._plugin import AgentPlugin, PydanticAIPlugin

__all__ = ('AgentPlugin', 'PydanticAIPlugin', 'StepRunContext', 'TemporalAgent')
