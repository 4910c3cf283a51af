"""`TemporalAgent` in a worker of this process: a durable run behaves as a plain run, and misuse is refused clearly."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from inprocess_agents import Deps, Forecast, RequestCounter, weather, without_timestamps
from temporal_workflows import MisuseWorkflow, WeatherWorkflow, temporal_weather
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.worker import Replayer, Worker

from pydantic_ai import Agent, UserError
from pydantic_ai.durable_exec.temporal import AgentPlugin, PydanticAIPlugin, TemporalAgent
from pydantic_ai.lifecycle import register_plugin, unregister_plugin
from pydantic_ai.models.instrumented import instrument_all
from pydantic_ai.models.test import TestModel

from support.otel import in_memory_telemetry


@pytest_asyncio.fixture(scope='module', loop_scope='module')
async def worker(temporal_address: str) -> AsyncIterator[tuple[Client, str]]:
    """One worker for the module's workflows (each test's workflows have ids of their own)."""
    client = await Client.connect(temporal_address, plugins=[PydanticAIPlugin()])
    queue = f'inprocess-{uuid.uuid4().hex[:8]}'
    async with Worker(
        client, task_queue=queue, workflows=[WeatherWorkflow, MisuseWorkflow], plugins=[AgentPlugin(temporal_weather)]
    ):
        yield client, queue


async def _execute(client: Client, queue: str, workflow: Any, *args: Any) -> Any:
    return await client.execute_workflow(
        workflow, args=list(args), id=f'wf-{uuid.uuid4().hex[:8]}', task_queue=queue, execution_timeout=timedelta(60)
    )


@pytest.mark.asyncio(loop_scope='module')
async def test_a_durable_run_builds_the_messages_and_result_of_a_plain_run(worker: tuple[Client, str]) -> None:
    client, queue = worker
    counter = RequestCounter()
    register_plugin(counter)
    try:
        durable = await _execute(client, queue, WeatherWorkflow.run, 'Weather?', Deps(unit='F'))
    finally:
        unregister_plugin(counter)
    plain = await weather.run('Weather?', deps=Deps(unit='F'))

    assert durable.forecast == plain.data  # deps and the typed result crossed the boundary with pydantic
    assert durable.forecast.summary == '21 F'
    assert durable.requests == plain.usage().requests == 3
    # The same conversation: two parallel tool calls, a ModelRetry answered with a retry prompt, the result tool.
    assert without_timestamps(durable.messages) == without_timestamps(plain.all_messages())
    assert counter.ended == 3


@pytest.mark.asyncio(loop_scope='module')
async def test_a_result_that_fails_validation_is_retried_as_in_a_plain_run(worker: tuple[Client, str]) -> None:
    client, queue = worker
    durable = await _execute(client, queue, WeatherWorkflow.run, 'fix the result', Deps(unit='C'))
    plain = await weather.run('fix the result', deps=Deps(unit='C'))
    assert durable.forecast == plain.data == Forecast(summary='warm', degrees=25)
    assert without_timestamps(durable.messages) == without_timestamps(plain.all_messages())


@pytest.mark.asyncio(loop_scope='module')
async def test_a_completed_workflow_replays_deterministically_without_repeating_requests(
    worker: tuple[Client, str],
) -> None:
    client, queue = worker
    handle = await client.start_workflow(
        WeatherWorkflow.run, args=['Weather?', Deps(unit='C')], id=f'wf-{uuid.uuid4().hex[:8]}', task_queue=queue
    )
    await handle.result()
    counter = RequestCounter()
    register_plugin(counter)
    try:
        replayer = Replayer(workflows=[WeatherWorkflow], plugins=[PydanticAIPlugin()])
        replayed = await replayer.replay_workflow(await handle.fetch_history())
    finally:
        unregister_plugin(counter)
    assert replayed.replay_failure is None  # no non-determinism: the loop reads no wall clock
    assert counter.ended == 0  # replay reads recorded responses; hooks and spans fire only for real requests


@pytest.mark.asyncio(loop_scope='module')
async def test_tracing_spans_of_a_durable_run_are_one_per_real_request_and_none_on_replay(
    worker: tuple[Client, str],
) -> None:
    telemetry = in_memory_telemetry()
    client, queue = worker
    instrument_all(telemetry.settings())
    try:
        handle = await client.start_workflow(
            WeatherWorkflow.run, args=['Weather?', Deps(unit='C')], id=f'wf-{uuid.uuid4().hex[:8]}', task_queue=queue
        )
        await handle.result()
        assert len(telemetry.spans()) == 3  # the three model requests, traced inside their activities
        replayed = await Replayer(workflows=[WeatherWorkflow], plugins=[PydanticAIPlugin()]).replay_workflow(
            await handle.fetch_history()
        )
        assert replayed.replay_failure is None
        assert len(telemetry.spans()) == 3
    finally:
        instrument_all(False)
        telemetry.tracer_provider.shutdown()
        telemetry.meter_provider.shutdown()


@pytest.mark.asyncio(loop_scope='module')
@pytest.mark.parametrize(
    ('kind', 'error_type', 'message'),
    [
        ('run_sync', 'UserError', 'use `await temporal_agent.run(...)`'),
        ('run_stream', 'UserError', '`run_stream` is not supported inside a Temporal workflow'),
        ('other_model', 'UserError', "A durable run uses the agent's own model"),
        ('limits', 'UsageLimitExceeded', 'request_limit of 1'),
        ('stubborn', 'UnexpectedModelBehavior', "Tool 'always_retry' exceeded max retries count of 1"),
        ('opaque_deps', 'UserError', '`deps` of a durable run must serialize with pydantic'),
    ],
)
async def test_errors_of_a_durable_run_fail_the_workflow_as_they_fail_a_plain_run(
    worker: tuple[Client, str], kind: str, error_type: str, message: str
) -> None:
    client, queue = worker
    with pytest.raises(WorkflowFailureError) as caught:
        await _execute(client, queue, MisuseWorkflow.run, kind)
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == error_type
    assert message in cause.message


@pytest.mark.asyncio(loop_scope='module')
async def test_outside_a_workflow_the_temporal_agent_runs_as_the_plain_agent() -> None:
    result = await temporal_weather.run('Weather?', deps=Deps(unit='K'))
    assert result.data.summary == '21 K'
    assert temporal_weather.run_sync('Weather?', deps=Deps(unit='K')).data == result.data


def test_a_temporal_agent_needs_a_name_a_model_and_known_options() -> None:
    with pytest.raises(UserError, match='needs a stable name'):
        TemporalAgent(Agent(TestModel()))
    with pytest.raises(UserError, match='needs its model'):
        TemporalAgent(Agent(name='no_model'))
    with pytest.raises(UserError, match='options Temporal does not know: start_to_close'):
        TemporalAgent(Agent(TestModel(), name='typo'), activity_config={'start_to_close': 5})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(UserError, match="names 'nope', which is not a tool"):
        TemporalAgent(Agent(TestModel(), name='tools'), tool_activity_config={'nope': False})
    with pytest.raises(UserError, match="Tool 'always_retry' is configured to run in the workflow .* but is not async"):
        TemporalAgent(weather, name='inline_sync', tool_activity_config={'always_retry': False})


def test_the_activities_are_named_after_the_agent_and_its_tools() -> None:
    names = sorted(activity.__temporal_activity_definition.name for activity in temporal_weather.temporal_activities)  # type: ignore[attr-defined]
    assert names == [
        'agent__weather__batch_submit',
        'agent__weather__batch_wait',
        'agent__weather__model_request',
        'agent__weather__tool__always_retry',
        'agent__weather__tool__flaky',
        'agent__weather__tool__temperature',
    ]
