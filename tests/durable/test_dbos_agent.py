"""`DBOSAgent` in this process (SQLite in a temporary directory): a durable run behaves as a plain run."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dbos import DBOS, SetWorkflowID
from inprocess_agents import Deps, Forecast, RequestCounter, weather, without_timestamps

from pydantic_ai import Agent, UnexpectedModelBehavior, Usage, UsageLimitExceeded, UsageLimits, UserError
from pydantic_ai.durable_exec.dbos import DBOSAgent, StepConfig, sqlite_config
from pydantic_ai.lifecycle import register_plugin, unregister_plugin
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.instrumented import instrument_all
from pydantic_ai.models.test import TestModel

from support.otel import in_memory_telemetry

_agents: dict[str, DBOSAgent[Any, Any]] = {}
_workflows: dict[str, Any] = {}


class Opaque:
    """Not serializable by pydantic."""


odd = Agent(TestModel(), name='odd')


@odd.tool_plain
def opaque() -> Opaque:
    """Returns something that has no JSON form."""
    return Opaque()


threads = Agent(TestModel(), name='threads')


async def _later(value: int) -> int:
    return value + 1


@threads.tool_plain
def in_a_thread(value: int) -> int:
    """A sync tool: it runs in a worker thread, away from the event loop."""
    assert threading.current_thread() is not threading.main_thread()
    return value * 2


@threads.tool_plain
def deferred(value: int) -> Awaitable[int]:
    """A sync function returning an awaitable, which the run awaits (as a plain run does)."""
    return _later(value)


class Hang:
    """What the hanging model saw: its request started, then was cancelled."""

    started: asyncio.Event  # set by the test, in its event loop
    cancelled = 0


async def _hang(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    Hang.started.set()
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        Hang.cancelled += 1
        raise
    raise AssertionError('the request was not cancelled')


hangs = Agent(FunctionModel(_hang), name='hangs')

attempts: dict[str, int] = {}


def _attempt(name: str) -> int:
    """Count an attempt of `name`; the first one fails."""
    attempts[name] = attempts.get(name, 0) + 1
    if attempts[name] == 1:
        raise ConnectionError(f'the first attempt of {name} fails')
    return attempts[name]


def _fails_once_then_calls_tools(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    _attempt('model')
    if len(messages) == 1:
        return ModelResponse([ToolCallPart('flaky_async', {}, 'a'), ToolCallPart('flaky_sync', {}, 's')])
    return ModelResponse([TextPart('done')])


retrying = Agent(FunctionModel(_fails_once_then_calls_tools), name='retrying')


@retrying.tool_plain
async def flaky_async() -> int:
    """Fails on its first call."""
    return _attempt('flaky_async')


@retrying.tool_plain
def flaky_sync() -> int:
    """Fails on its first call."""
    return _attempt('flaky_sync')


@pytest.fixture(scope='module')
def dbos_weather(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DBOSAgent[Deps, Any]]:
    path: Path = tmp_path_factory.mktemp('dbos') / 'dbos.sqlite'
    DBOS(config=sqlite_config(path, {'name': 'inprocess', 'log_level': 'WARNING'}))
    agent = DBOSAgent(weather)
    _agents['odd'] = DBOSAgent(odd)
    _agents['threads'] = DBOSAgent(threads)
    _agents['hangs'] = DBOSAgent(hangs)
    retry: StepConfig = {'retries_allowed': True, 'interval_seconds': 0.01, 'max_attempts': 2}
    _agents['retrying'] = DBOSAgent(
        retrying, model_step_config=retry, tool_step_config={'flaky_async': retry, 'flaky_sync': retry}
    )

    @DBOS.workflow(name='calls_run_sync')
    def calls_run_sync() -> str:
        return agent.run_sync('Weather?', deps=Deps(unit='C')).data.summary

    _workflows['calls_run_sync'] = calls_run_sync
    DBOS.launch()
    try:
        yield agent
    finally:
        DBOS.destroy(destroy_registry=True)


@pytest.mark.asyncio
async def test_a_durable_run_builds_the_messages_and_result_of_a_plain_run(dbos_weather: DBOSAgent[Deps, Any]) -> None:
    counter = RequestCounter()
    register_plugin(counter)
    try:
        total = Usage(requests=1)
        durable = await dbos_weather.run('Weather?', deps=Deps(unit='F'), usage=total)
    finally:
        unregister_plugin(counter)
    plain = await weather.run('Weather?', deps=Deps(unit='F'))

    assert durable.data == plain.data  # deps and the typed result crossed the boundary with pydantic
    assert durable.usage() is total  # the caller's usage is added to in place, as by a plain run
    assert total.requests == 1 + plain.usage().requests
    assert without_timestamps(durable.all_messages()) == without_timestamps(plain.all_messages())
    assert counter.ended == 3


@pytest.mark.asyncio
async def test_a_workflow_id_already_run_returns_the_recorded_result_without_a_request(
    dbos_weather: DBOSAgent[Deps, Any],
) -> None:
    workflow_id = f'weather-{uuid.uuid4().hex[:8]}'
    with SetWorkflowID(workflow_id):
        first = await dbos_weather.run('Weather?', deps=Deps(unit='C'))
    counter = RequestCounter()
    register_plugin(counter)
    try:
        with SetWorkflowID(workflow_id):
            again = await dbos_weather.run('Weather?', deps=Deps(unit='C'))
    finally:
        unregister_plugin(counter)
    assert again.data == first.data
    assert again.all_messages() == first.all_messages()  # timestamps included: the recorded run, not a new one
    assert counter.ended == 0


@pytest.mark.asyncio
async def test_tracing_spans_of_a_durable_run_are_one_per_real_request_and_none_for_a_recorded_run(
    dbos_weather: DBOSAgent[Deps, Any],
) -> None:
    telemetry = in_memory_telemetry()
    workflow_id = f'weather-{uuid.uuid4().hex[:8]}'
    instrument_all(telemetry.settings())
    try:
        with SetWorkflowID(workflow_id):
            await dbos_weather.run('Weather?', deps=Deps(unit='C'))
        assert len(telemetry.spans()) == 3  # the three model requests, traced inside their steps
        with SetWorkflowID(workflow_id):
            await dbos_weather.run('Weather?', deps=Deps(unit='C'))
        assert len(telemetry.spans()) == 3
    finally:
        instrument_all(False)
        telemetry.tracer_provider.shutdown()
        telemetry.meter_provider.shutdown()


@pytest.mark.asyncio
async def test_each_model_request_and_tool_call_is_recorded_once_as_a_step_in_call_order(
    dbos_weather: DBOSAgent[Deps, Any],
) -> None:
    workflow_id = f'weather-{uuid.uuid4().hex[:8]}'
    with SetWorkflowID(workflow_id):
        await dbos_weather.run('Weather?', deps=Deps(unit='C'))
    steps = await DBOS.list_workflow_steps_async(workflow_id)
    # Two concurrent tool calls (an async tool and a sync one), a ModelRetry recorded as the outcome, the result.
    assert [step['function_name'] for step in steps] == [
        'weather.model_request',
        'weather.tool.temperature',
        'weather.tool.flaky',
        'weather.model_request',
        'weather.tool.flaky',
        'weather.model_request',
    ]
    assert [step['function_id'] for step in steps] == list(range(1, 7))
    assert json.loads(steps[2]['output']) == {'value': None, 'retry': 'try again'}
    # The workflow's recorded input and output are JSON made by pydantic, not pickles of the user's types.
    status = await DBOS.get_workflow_status_async(workflow_id)
    assert status is not None and status.input is not None
    (recorded_input,) = status.input['args']
    assert json.loads(recorded_input)['deps'] == {'unit': 'C'}
    assert json.loads(status.output)['data'] == {'summary': '21 C', 'degrees': 21}


@pytest.mark.asyncio
async def test_sync_tools_run_in_a_worker_thread_and_an_awaitable_they_return_is_awaited(
    dbos_weather: DBOSAgent[Deps, Any],
) -> None:
    durable = await _agents['threads'].run('go')
    plain = await threads.run('go')
    assert durable.data == plain.data
    assert without_timestamps(durable.all_messages()) == without_timestamps(plain.all_messages())


@pytest.mark.asyncio
async def test_a_result_that_fails_validation_is_retried_as_in_a_plain_run(dbos_weather: DBOSAgent[Deps, Any]) -> None:
    durable = await dbos_weather.run('fix the result', deps=Deps(unit='C'))
    plain = await weather.run('fix the result', deps=Deps(unit='C'))
    assert durable.data == plain.data == Forecast(summary='warm', degrees=25)
    assert without_timestamps(durable.all_messages()) == without_timestamps(plain.all_messages())


@pytest.mark.asyncio
async def test_usage_limits_and_exhausted_retries_fail_a_durable_run_as_a_plain_one(
    dbos_weather: DBOSAgent[Deps, Any],
) -> None:
    with pytest.raises(UsageLimitExceeded, match='request_limit of 1'):
        await dbos_weather.run('Weather?', deps=Deps(unit='C'), usage_limits=UsageLimits(request_limit=1))
    with pytest.raises(UnexpectedModelBehavior, match="Tool 'always_retry' exceeded max retries count of 1"):
        await dbos_weather.run('stubborn', deps=Deps(unit='C'))


@pytest.mark.asyncio
async def test_streaming_another_model_and_unserializable_values_are_refused_with_a_user_error(
    dbos_weather: DBOSAgent[Deps, Any],
) -> None:
    with pytest.raises(UserError, match='`run_stream` is not supported by DBOSAgent'):
        async with dbos_weather.run_stream('Weather?'):
            pass
    with pytest.raises(UserError, match="A durable run uses the agent's own model"):
        await dbos_weather.run('Weather?', deps=Deps(unit='C'), model=TestModel())
    with pytest.raises(UserError, match='`deps` of a durable run must serialize'):
        await dbos_weather.run('Weather?', deps=Opaque())  # type: ignore[arg-type]
    with pytest.raises(UserError, match="Tool 'opaque' returned a Opaque, which cannot be recorded"):
        await _agents['odd'].run('go')


@pytest.mark.asyncio
async def test_cancelling_a_durable_run_cancels_the_request_in_flight_and_records_no_outcome_for_it(
    dbos_weather: DBOSAgent[Deps, Any],
) -> None:
    Hang.started = asyncio.Event()
    workflow_id = f'hangs-{uuid.uuid4().hex[:8]}'
    with SetWorkflowID(workflow_id):
        run = asyncio.ensure_future(_agents['hangs'].run('wait'))
    await asyncio.wait_for(Hang.started.wait(), 10)
    cancelled_before = Hang.cancelled
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(run, 10)
    assert Hang.cancelled == cancelled_before + 1  # the model's coroutine was cancelled, not left running
    assert await DBOS.list_workflow_steps_async(workflow_id) == []  # a cancelled request is no outcome to replay
    status = await DBOS.get_workflow_status_async(workflow_id)
    assert status is not None and status.status == 'PENDING'  # neither failed nor ended: recovery runs it again
    # The step's worker thread was freed: the next durable run goes through.
    assert (await dbos_weather.run('Weather?', deps=Deps(unit='C'))).data.summary == '21 C'


@pytest.mark.asyncio
async def test_step_options_retry_a_failing_request_and_failing_tools_inside_their_steps(
    dbos_weather: DBOSAgent[Deps, Any],
) -> None:
    attempts.clear()
    workflow_id = f'retrying-{uuid.uuid4().hex[:8]}'
    with SetWorkflowID(workflow_id):
        result = await _agents['retrying'].run('go')
    assert result.data == 'done'
    assert attempts == {'model': 3, 'flaky_async': 2, 'flaky_sync': 2}  # one failed attempt each, retried by DBOS
    steps = await DBOS.list_workflow_steps_async(workflow_id)
    assert [(step['function_name'], step['error']) for step in steps] == [
        ('retrying.model_request', None),
        ('retrying.tool.flaky_async', None),
        ('retrying.tool.flaky_sync', None),
        ('retrying.model_request', None),
    ]


def test_run_sync_works_outside_a_workflow_and_is_refused_inside_one(dbos_weather: DBOSAgent[Deps, Any]) -> None:
    assert dbos_weather.run_sync('Weather?', deps=Deps(unit='K')).data.summary == '21 K'
    with pytest.raises(UserError, match='use `await dbos_agent.run'):
        _workflows['calls_run_sync']()


def test_a_dbos_agent_needs_a_name_a_model_and_known_options() -> None:
    with pytest.raises(UserError, match='needs a stable name'):
        DBOSAgent(Agent(TestModel()))
    with pytest.raises(UserError, match='needs its model'):
        DBOSAgent(Agent(name='no_model'))
    with pytest.raises(UserError, match='options DBOSAgent does not pass to DBOS: retries'):
        DBOSAgent(Agent(TestModel(), name='typo'), model_step_config={'retries': 3})  # type: ignore[typeddict-unknown-key]
