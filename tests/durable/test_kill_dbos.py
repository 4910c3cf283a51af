"""DBOS: a process killed (SIGKILL) mid-run; a fresh process's `DBOS.launch()` resumes the run from its checkpoints.

The run's workflow is checkpointed in SQLite in a temporary directory; the agent (`durable_agent.py`) talks to the
local Groq test server, which counts the requests it sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pydantic_ai_groq.testing import BatchBehaviour, GroqTestServer, ToolCall, text_completion, tool_call_completion

from support.durable import DEADLINE, Processes, Side, chat_bodies, wait_until

pytestmark = pytest.mark.durable_processes(dbos=2)  # the killed process and the one that resumes its run


def test_a_process_killed_while_a_tool_runs_is_resumed_by_another_and_each_request_is_sent_once(
    tmp_path: Path, groq_server: GroqTestServer, processes: Processes, side: Side
) -> None:
    groq_server.enqueue(
        tool_call_completion(ToolCall('lookup', {'city': 'Rome'})), text_completion('Rome: walk a lot.')
    )
    side.block('lookup')
    database = str(tmp_path / 'dbos.sqlite')
    first = processes.start('dbos_app', database, 'trip-1', 'start', 'Plan Rome')

    wait_until(lambda: side.count('lookup start') == 1, 'the tool to start')
    processes.kill(first)
    result = processes.result(processes.start('dbos_app', database, 'trip-1', 'recover'))

    assert result == {'data': 'Rome: walk a lot.', 'requests': 2}
    assert len(chat_bodies(groq_server)) == 2  # each model request reached the server once
    assert (side.count('lookup start'), side.count('lookup end')) == (2, 1)  # the interrupted call ran again
    assert side.count('request end', 'hooks.log') == 2  # lifecycle hooks: once per real request


def test_a_process_killed_mid_request_after_a_tool_completed_resends_only_that_request(
    tmp_path: Path, groq_server: GroqTestServer, processes: Processes, side: Side
) -> None:
    groq_server.enqueue(
        tool_call_completion(ToolCall('lookup', {'city': 'Lima'})),
        text_completion('never sent').with_stall(DEADLINE),  # the killed process's attempt waits for this
        text_completion('Lima: try the ceviche.'),
    )
    database = str(tmp_path / 'dbos.sqlite')
    first = processes.start('dbos_app', database, 'trip-2', 'start', 'Plan Lima')

    wait_until(lambda: len(chat_bodies(groq_server)) == 2, 'the second request to arrive')
    processes.kill(first)
    result = processes.result(processes.start('dbos_app', database, 'trip-2', 'recover'))

    assert result == {'data': 'Lima: try the ceviche.', 'requests': 2}
    first_body, second, resent = chat_bodies(groq_server)
    assert resent == second  # only the interrupted request was sent again, the same conversation
    assert first_body['messages'] != second['messages']
    assert (side.count('lookup start'), side.count('lookup end')) == (1, 1)  # the completed tool did not run again
    assert side.count('request end', 'hooks.log') == 2


def test_a_batch_polled_by_a_killed_process_is_polled_to_completion_after_recovery_and_submitted_once(
    tmp_path: Path, groq_server: GroqTestServer, processes: Processes, side: Side
) -> None:
    groq_server.batches.behaviour = BatchBehaviour(stage_seconds=0.5)
    database = str(tmp_path / 'dbos.sqlite')
    first = processes.start('dbos_app', database, 'batch-1', 'batch', 'Hi,Bye')

    def polled() -> bool:
        return any(r.method == 'GET' and r.path.startswith('/openai/v1/batches/') for r in groq_server.requests)

    wait_until(polled, 'the batch to be polled')
    processes.kill(first)
    result = processes.result(processes.start('dbos_app', database, 'batch-1', 'recover'))

    assert result['data'] == ['Hi', 'Bye']  # the test server echoes each item's prompt
    creations = [r for r in groq_server.requests if r.method == 'POST' and r.path == '/openai/v1/batches']
    assert len(creations) == 1
