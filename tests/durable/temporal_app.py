"""The Temporal side of the durable tests: the workflow, and (run as a script) a worker process.

`python temporal_app.py <server address> <task queue>` (or `main(address, task_queue)` in a spare process of the
tests' `WarmPool`) runs a worker until it is killed; it prints `ready` once it polls.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from durable_agent import TripDeps, agent

    from pydantic_ai import ModelMessage, ModelRequest, TextPart
    from pydantic_ai.durable_exec.temporal import TemporalAgent

# A killed worker's activity is retried once its heartbeats stop for HEARTBEAT_TIMEOUT. A live one heartbeats every
# third of it (`_heartbeating`), and the worker sends each heartbeat at once (`max_heartbeat_throttle_interval`
# below; by default the SDK holds them back up to 80 % of the timeout): a live worker may stall for over a second
# on a loaded machine before its activity is taken for dead.
HEARTBEAT_TIMEOUT = timedelta(seconds=2)
temporal_agent = TemporalAgent(
    agent,
    activity_config={
        'start_to_close_timeout': timedelta(seconds=120),
        'heartbeat_timeout': HEARTBEAT_TIMEOUT,
        'retry_policy': RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_attempts=5),
    },
)


class TripResult(BaseModel):
    data: str
    requests: int
    messages: list[ModelMessage]


@workflow.defn
class TripWorkflow:
    @workflow.run
    async def run(self, prompt: str, deps: TripDeps) -> TripResult:
        result = await temporal_agent.run(prompt, deps=deps)
        return TripResult(data=result.data, requests=result.usage().requests, messages=result.all_messages())


@workflow.defn
class BatchWorkflow:
    @workflow.run
    async def run(self, prompts: list[str]) -> list[str]:
        results = await temporal_agent.model_request_batch(
            [(None, [ModelRequest.user_text_prompt(prompt)]) for prompt in prompts],
            poll_interval=0.1,
            wait_activity_config={'heartbeat_timeout': HEARTBEAT_TIMEOUT},
        )
        texts: list[str] = []
        for result in results:
            assert result.response is not None, result.error
            part = result.response.parts[0]
            assert isinstance(part, TextPart)
            texts.append(part.content)
        return texts


async def _worker(address: str, task_queue: str) -> None:
    from temporalio.client import Client
    from temporalio.worker import Worker

    from pydantic_ai.durable_exec.temporal import AgentPlugin, PydanticAIPlugin

    client = await Client.connect(address, plugins=[PydanticAIPlugin()])
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[TripWorkflow, BatchWorkflow],
        plugins=[AgentPlugin(temporal_agent)],
        # No workflow cache, so no sticky queue: a killed worker's workflow tasks go to the shared queue at once
        # (with a cache they wait out the sticky queue's timeout first), and every workflow task replays the run's
        # history from the start, which the hooks' count (once per real request) then checks too.
        max_cached_workflows=0,
        max_heartbeat_throttle_interval=timedelta(milliseconds=300),
    )
    async with worker:
        print('ready', flush=True)
        await asyncio.Event().wait()


def main(address: str, task_queue: str) -> None:
    asyncio.run(_worker(address, task_queue))


if __name__ == '__main__':
    main(*sys.argv[1:])
