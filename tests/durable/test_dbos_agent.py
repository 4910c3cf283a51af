"""`DBOSAgent` in this process (SQLite in a temporary directory): a durable run behaves as a plain run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dbos import DBOS, SetWorkflowID
from inprocess_agents import Deps, RequestCounter, weather, without_timestamps

from pydantic_ai import Agent, UnexpectedModelBehavior, Usage, UsageLimitExceeded, UsageLimits, UserError
from pydantic_ai.durable_exec.dbos import DBOSAgent
from pydantic_ai.lifecycle import register_plugin, unregister_plugin
from pydantic_ai.models.test import TestModel

_agents: dict[str, DBOSAgent[Any, Any]] = {}
_workflows: dict[str, Any] = {}


class Opaque:
    """Not serializable by pydantic."""


odd = Agent(TestModel(), name='odd')


@odd.tool_plain
def opaque() -> Opaque:
    """Returns something that has no JSON form."""
    return Opaque()


@pytest.fixture(scope='module')
def dbos_weather(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DBOSAgent[Deps, Any]]:
    path: Path = tmp_path_factory.mktemp('dbos') / 'dbos.sqlite'
    DBOS(config={'name': 'inprocess', 'system_database_url': f'sqlite:///{path}', 'log_level': 'WARNING'})
    agent = DBOSAgent(weather)
    _agents['odd'] = DBOSAgent(odd)

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
