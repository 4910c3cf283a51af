"""Agent runs driven by FunctionModel and TestModel: tools, retries, results, usage, deps, override, capture."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from pydantic_ai import (
    Agent,
    ModelRetry,
    RunContext,
    Tool,
    UnexpectedModelBehavior,
    UsageLimitExceeded,
    UsageLimits,
    UserError,
    capture_run_messages,
)
from pydantic_ai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.test import TestModel
from pydantic_ai.usage import Usage


class City(BaseModel):
    """A city and its country."""

    name: str
    country: str


def script(*responses: ModelResponse | Any) -> FunctionModel:
    """A FunctionModel answering with the given responses in turn (a callable is called with messages and info)."""
    queue = list(responses)
    seen: list[list[ModelMessage]] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(messages)
        item = queue.pop(0)
        return item(messages, info) if callable(item) else item

    model = FunctionModel(answer)
    model.seen = seen  # type: ignore[attr-defined]
    return model


def call(name: str, args: Any, call_id: str | None = None) -> ToolCallPart:
    return ToolCallPart(name, args, call_id)


@pytest.mark.asyncio
async def test_simple_text_run_returns_text_and_usage_and_messages() -> None:
    agent = Agent(script(ModelResponse([TextPart('hello world')])), system_prompt='Be brief.')

    result = await agent.run('Say hello')

    assert result.data == 'hello world'
    assert result.output == 'hello world'
    usage = result.usage()
    assert usage.requests == 1
    assert usage.request_tokens == 50 + 3 + 2  # overhead, 'Be brief.' (a trailing separator counts), 'Say hello'
    assert usage.response_tokens == 2
    messages = result.all_messages()
    assert [type(m) for m in messages] == [ModelRequest, ModelResponse]
    assert isinstance(messages[0], ModelRequest)
    assert [type(p) for p in messages[0].parts] == [SystemPromptPart, UserPromptPart]
    assert result.new_messages() == messages
    assert ModelMessagesTypeAdapter.validate_json(result.all_messages_json()) == messages


@pytest.mark.asyncio
async def test_structured_result_through_result_tool_and_final_tool_return() -> None:
    model = script(ModelResponse([call('final_result', {'name': 'Paris', 'country': 'France'}, 'c1')]))
    agent = Agent(model, result_type=City)

    result = await agent.run('capital of France?')

    assert result.data == City(name='Paris', country='France')
    last = result.all_messages()[-1]
    assert isinstance(last, ModelRequest)
    assert last.parts == [
        ToolReturnPart('final_result', 'Final result processed.', 'c1', timestamp=last.parts[0].timestamp)
    ]


@pytest.mark.parametrize(
    ('result_type', 'args', 'expected'),
    [
        (list[int], {'response': [1, 2, 3]}, [1, 2, 3]),
        (int, '{"response": 7}', 7),
        (dict[str, float], {'response': {'a': 1.5}}, {'a': 1.5}),
    ],
)
@pytest.mark.asyncio
async def test_scalar_and_container_results_are_wrapped_in_an_object(
    result_type: Any, args: Any, expected: Any
) -> None:
    model = script(lambda messages, info: ModelResponse([call(info.result_tools[0].name, args)]))
    agent = Agent(model, result_type=result_type)

    result = await agent.run('numbers')

    assert result.data == expected
    info_schema = agent._result_schema.tools['final_result'].tool_def
    assert info_schema.outer_typed_dict_key == 'response'
    assert info_schema.parameters_json_schema['required'] == ['response']


@pytest.mark.asyncio
async def test_dataclass_and_typeddict_results_use_their_own_schema() -> None:
    @dataclass
    class Point:
        x: int
        y: int

    class Movie(TypedDict):
        title: str
        year: int

    point = await Agent(script(ModelResponse([call('final_result', {'x': 1, 'y': 2})])), result_type=Point).run('p')
    assert point.data == Point(1, 2)
    movie = await Agent(
        script(ModelResponse([call('final_result', {'title': 'Alien', 'year': 1979})])), result_type=Movie
    ).run('m')
    assert movie.data == {'title': 'Alien', 'year': 1979}


@pytest.mark.asyncio
async def test_union_result_offers_one_result_tool_per_member_and_text_when_str_is_a_member() -> None:
    offered: list[AgentInfo] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        offered.append(info)
        return ModelResponse([call('final_result_City', {'name': 'Rome', 'country': 'Italy'})])

    agent: Agent[None, City | int | str] = Agent(FunctionModel(answer), result_type=City | int | str)
    result = await agent.run('x')

    assert result.data == City(name='Rome', country='Italy')
    assert [t.name for t in offered[0].result_tools] == ['final_result_City', 'final_result_int']
    assert offered[0].allow_text_result is True


@pytest.mark.asyncio
async def test_text_is_refused_with_a_retry_prompt_when_the_result_is_structured() -> None:
    model = script(
        ModelResponse([TextPart('I think it is Paris')]),
        ModelResponse([call('final_result', {'name': 'Paris', 'country': 'France'})]),
    )
    result = await Agent(model, result_type=City).run('capital?')

    retry = result.all_messages()[2]
    assert isinstance(retry, ModelRequest)
    assert isinstance(retry.parts[0], RetryPromptPart)
    assert retry.parts[0].tool_name is None
    assert 'Plain text responses are not permitted' in retry.parts[0].content
    assert result.data.name == 'Paris'


@pytest.mark.asyncio
async def test_invalid_result_arguments_are_retried_with_validation_errors() -> None:
    model = script(
        ModelResponse([call('final_result', {'name': 'Paris'}, 'c1')]),
        ModelResponse([call('final_result', {'name': 'Paris', 'country': 'France'}, 'c2')]),
    )
    result = await Agent(model, result_type=City).run('capital?')

    retry = result.all_messages()[2]
    assert isinstance(retry, ModelRequest)
    part = retry.parts[0]
    assert isinstance(part, RetryPromptPart)
    assert part.tool_name == 'final_result' and part.tool_call_id == 'c1'
    assert isinstance(part.content, list) and part.content[0]['loc'] == ('country',)
    assert part.content[0]['type'] == 'missing'


@pytest.mark.asyncio
async def test_result_retries_exhausted_raise_unexpected_model_behavior_with_the_last_error() -> None:
    model = script(*[ModelResponse([call('final_result', {'name': 'Paris'})]) for _ in range(3)])
    agent = Agent(model, result_type=City, result_retries=1)

    with pytest.raises(UnexpectedModelBehavior, match=r'Exceeded maximum retries \(1\) for result validation') as info:
        await agent.run('capital?')
    assert 'country' in str(info.value)


@pytest.mark.asyncio
async def test_tool_raising_model_retry_then_succeeding() -> None:
    attempts: list[int] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        last = messages[-1]
        assert isinstance(last, ModelRequest)
        if isinstance(last.parts[-1], UserPromptPart) or isinstance(last.parts[-1], RetryPromptPart):
            return ModelResponse([call('lookup', {'key': 'a'}, f'id{len(attempts)}')])
        return ModelResponse([TextPart(f'value is {last.parts[0].content}')])

    agent = Agent(FunctionModel(answer), retries=2)

    @agent.tool
    def lookup(ctx: RunContext[None], key: str) -> str:
        attempts.append(ctx.retry)
        if len(attempts) < 3:
            raise ModelRetry(f'not ready (attempt {len(attempts)})')
        return key.upper()

    result = await agent.run('look it up')

    assert result.data == 'value is A'
    assert attempts == [0, 1, 2]
    retries = [
        p
        for m in result.all_messages()
        if isinstance(m, ModelRequest)
        for p in m.parts
        if isinstance(p, RetryPromptPart)
    ]
    assert [r.content for r in retries] == ['not ready (attempt 1)', 'not ready (attempt 2)']
    assert [r.tool_call_id for r in retries] == ['id0', 'id1']
    assert retries[0].model_response() == 'not ready (attempt 1)\n\nFix the errors and try again.'


@pytest.mark.asyncio
async def test_tool_retries_exhausted_name_the_tool_and_last_error() -> None:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse([call('flaky', {})])

    agent = Agent(FunctionModel(answer))

    @agent.tool_plain(retries=1)
    def flaky() -> str:
        raise ModelRetry('still broken')

    with pytest.raises(
        UnexpectedModelBehavior, match=r"Tool 'flaky' exceeded max retries count of 1; last error: still broken"
    ):
        await agent.run('go')


@pytest.mark.asyncio
async def test_invalid_tool_arguments_send_validation_errors_back() -> None:
    model = script(
        ModelResponse([call('double', {'x': 'not a number'}, 'c1')]),
        ModelResponse([call('double', {'x': 4}, 'c2')]),
        lambda messages, info: ModelResponse([TextPart(str(messages[-1].parts[0].content))]),
    )
    agent = Agent(model)

    @agent.tool_plain
    def double(x: int) -> int:
        return x * 2

    result = await agent.run('double 4')

    assert result.data == '8'
    retry = result.all_messages()[2].parts[0]  # type: ignore[union-attr]
    assert isinstance(retry, RetryPromptPart)
    assert retry.tool_name == 'double'
    assert retry.content[0]['type'] == 'int_parsing'  # type: ignore[index]


@pytest.mark.asyncio
async def test_unknown_tool_gets_a_retry_prompt_listing_the_available_tools() -> None:
    model = script(ModelResponse([call('nope', {}, 'c1')]), ModelResponse([TextPart('ok')]))
    agent = Agent(model)

    @agent.tool_plain
    def real() -> str:
        return 'r'

    result = await agent.run('x')

    retry = result.all_messages()[2].parts[0]  # type: ignore[union-attr]
    assert isinstance(retry, RetryPromptPart)
    assert retry.content == "Unknown tool name: 'nope'. Available tools: real"


@pytest.mark.asyncio
async def test_other_tool_exceptions_propagate_with_a_note_naming_the_tool() -> None:
    agent = Agent(script(ModelResponse([call('boom', {}, 'c9')])))

    @agent.tool_plain
    def boom() -> str:
        raise KeyError('inner')

    with pytest.raises(KeyError) as info:
        await agent.run('x')
    assert any("raised by tool 'boom'" in note for note in getattr(info.value, '__notes__', []))


@pytest.mark.asyncio
async def test_a_failing_concurrent_tool_raises_its_error_and_cancels_the_still_running_ones() -> None:
    cancelled: list[str] = []
    agent = Agent(script(ModelResponse([call('slow', {}, 'a'), call('broken', {}, 'b')])))

    @agent.tool_plain
    async def slow() -> str:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append('slow')
            raise
        return 'never'  # pragma: no cover

    @agent.tool_plain
    async def broken() -> str:
        await asyncio.sleep(0)
        raise LookupError('broken tool')

    # Not `asyncio.InvalidStateError` from asking a task that is still being cancelled for its exception.
    with pytest.raises(LookupError, match='broken tool'):
        await agent.run('x')
    assert cancelled == ['slow']


@pytest.mark.asyncio
async def test_concurrent_tool_calls_run_together_and_return_in_call_order() -> None:
    started: list[str] = []
    thread_ids: set[int] = set()

    agent = Agent(
        script(
            ModelResponse([call('slow_async', {'n': 1}, 'a'), call('slow_sync', {'n': 2}, 'b'), call('fast', {}, 'c')]),
            ModelResponse([TextPart('done')]),
        )
    )

    @agent.tool_plain
    async def slow_async(n: int) -> int:
        started.append('async')
        for _ in range(500):  # waits for the sync tool to start: only possible if both run at once
            if 'sync' in started:
                return n
            await asyncio.sleep(0.01)
        raise AssertionError('the sync tool did not start while the async one was running')

    @agent.tool_plain
    def slow_sync(n: int) -> int:
        thread_ids.add(threading.get_ident())
        started.append('sync')
        deadline = time.monotonic() + 5
        while 'async' not in started and time.monotonic() < deadline:
            time.sleep(0.01)
        return n * 10

    @agent.tool_plain
    def fast() -> str:
        return 'fast'

    result = await agent.run('x')

    returns = result.all_messages()[2].parts  # type: ignore[union-attr]
    assert [(p.tool_name, p.content, p.tool_call_id) for p in returns] == [  # type: ignore[union-attr]
        ('slow_async', 1, 'a'),
        ('slow_sync', 20, 'b'),
        ('fast', 'fast', 'c'),
    ]
    assert threading.get_ident() not in thread_ids  # the sync tool ran in a worker thread


@pytest.mark.parametrize('strategy', ['early', 'exhaustive'])
@pytest.mark.asyncio
async def test_end_strategy_decides_whether_other_tool_calls_run(strategy: Any) -> None:
    ran: list[str] = []
    model = script(
        ModelResponse(
            [
                call('final_result', {'name': 'Oslo', 'country': 'Norway'}, 'r'),
                call('side_effect', {}, 's'),
                call('final_result', {'name': 'Bergen', 'country': 'Norway'}, 'r2'),
            ]
        )
    )
    agent = Agent(model, result_type=City, end_strategy=strategy)

    @agent.tool_plain
    def side_effect() -> str:
        ran.append('yes')
        return 'did it'

    result = await agent.run('x')

    assert result.data.name == 'Oslo'
    returns = result.all_messages()[-1].parts  # type: ignore[union-attr]
    contents = [p.content for p in returns]  # type: ignore[union-attr]
    if strategy == 'early':
        assert ran == []
        assert contents == [
            'Final result processed.',
            'Tool not executed - a final result was already processed.',
            'Result tool not used - a final result was already processed.',
        ]
    else:
        # As the original API orders them: the answers that need no tool run, then the run tools' returns.
        assert ran == ['yes']
        assert contents == [
            'Final result processed.',
            'Result tool not used - a final result was already processed.',
            'did it',
        ]


@pytest.mark.asyncio
async def test_result_validator_can_retry_and_change_the_result() -> None:
    model = script(ModelResponse([TextPart('bad')]), ModelResponse([TextPart('good')]))
    agent = Agent(model, deps_type=str)
    seen: list[tuple[str, int]] = []

    @agent.result_validator
    async def check(ctx: RunContext[str], data: str) -> str:
        seen.append((data, ctx.retry))
        if data == 'bad':
            raise ModelRetry('say something good')
        return f'{data}{ctx.deps}'

    result = await agent.run('x', deps='!')

    assert result.data == 'good!'
    assert seen == [('bad', 0), ('good', 1)]
    retry = result.all_messages()[2].parts[0]  # type: ignore[union-attr]
    assert isinstance(retry, RetryPromptPart) and retry.content == 'say something good'


@pytest.mark.asyncio
async def test_deps_reach_tools_system_prompts_and_validators() -> None:
    @dataclass
    class Deps:
        greeting: str

    agent = Agent('test', deps_type=Deps)

    @agent.system_prompt
    def prompt(ctx: RunContext[Deps]) -> str:
        return f'Greet with {ctx.deps.greeting}'

    @agent.tool
    async def greet(ctx: RunContext[Deps], name: str) -> str:
        assert ctx.tool_name == 'greet' and ctx.run_step == 1
        return f'{ctx.deps.greeting} {name}'

    result = await agent.run('hi', deps=Deps('Ahoy'))

    first = result.all_messages()[0]
    assert isinstance(first, ModelRequest)
    assert first.parts[0] == SystemPromptPart('Greet with Ahoy')
    assert result.data == '{"greet":"Ahoy a"}'


@pytest.mark.asyncio
async def test_dynamic_system_prompt_is_recomputed_when_continuing_a_conversation() -> None:
    agent = Agent('test', deps_type=int)

    @agent.system_prompt(dynamic=True)
    async def counter(ctx: RunContext[int]) -> str:
        return f'count={ctx.deps}'

    first = await agent.run('a', deps=1)
    second = await agent.run('b', deps=2, message_history=first.all_messages())

    system = second.all_messages()[0].parts[0]  # type: ignore[union-attr]
    assert isinstance(system, SystemPromptPart) and system.content == 'count=2'
    assert len(second.new_messages()) == 2


@pytest.mark.asyncio
async def test_override_replaces_model_and_deps_within_the_block_only() -> None:
    agent = Agent(script(ModelResponse([TextPart('real')])), deps_type=str)

    @agent.system_prompt
    def prompt(ctx: RunContext[str]) -> str:
        return ctx.deps

    with agent.override(model=TestModel(custom_result_text='fake'), deps='overridden'):
        result = await agent.run('x', deps='given')
    assert result.data == 'fake'
    assert result.all_messages()[0].parts[0].content == 'overridden'  # type: ignore[union-attr]
    assert (await agent.run('x', deps='given')).data == 'real'


@pytest.mark.asyncio
async def test_capture_run_messages_sees_the_messages_of_a_failed_run() -> None:
    agent = Agent(script(ModelResponse([])))

    with capture_run_messages() as messages:
        with pytest.raises(UnexpectedModelBehavior, match='Received empty model response'):
            await agent.run('hello')

    assert len(messages) == 2
    assert isinstance(messages[0], ModelRequest) and isinstance(messages[1], ModelResponse)


@pytest.mark.asyncio
async def test_request_limit_is_checked_before_each_request() -> None:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse([call('again', {})])

    agent = Agent(FunctionModel(answer))

    @agent.tool_plain
    def again() -> str:
        return 'x'

    with capture_run_messages() as messages:
        with pytest.raises(UsageLimitExceeded, match='request_limit of 3'):
            await agent.run('loop', usage_limits=UsageLimits(request_limit=3))
    assert sum(isinstance(m, ModelResponse) for m in messages) == 3


@pytest.mark.asyncio
async def test_token_limits_are_checked_after_each_response() -> None:
    agent = Agent(script(ModelResponse([TextPart('one two three four five')])))

    with pytest.raises(UsageLimitExceeded, match=r'response_tokens_limit of 4 \(response_tokens=5\)'):
        await agent.run('x', usage_limits=UsageLimits(response_tokens_limit=4))
    agent = Agent(script(ModelResponse([TextPart('one two three four five')])))
    ok = await agent.run('x', usage_limits=UsageLimits(response_tokens_limit=5, total_tokens_limit=100))
    assert ok.usage().response_tokens == 5


@pytest.mark.asyncio
async def test_usage_is_summed_over_the_run_and_into_a_given_usage() -> None:
    agent = Agent('test')

    @agent.tool_plain
    def one() -> int:
        return 1

    total = Usage()
    first = await agent.run('x', usage=total)
    second = await agent.run('x', usage=total)

    assert first.usage() is total and second.usage() is total
    assert total.requests == 4
    per_response = [m.usage for m in second.new_messages() if isinstance(m, ModelResponse)]
    assert sum(u.request_tokens or 0 for u in per_response) * 2 == total.request_tokens


def test_run_sync_outside_an_event_loop() -> None:
    agent = Agent('test')
    assert agent.run_sync('x').data == 'success (no tool calls)'
    assert agent.run_sync('x').data == 'success (no tool calls)'


@pytest.mark.asyncio
async def test_run_sync_inside_a_running_event_loop() -> None:
    agent = Agent('test', result_type=int)
    assert agent.run_sync('x').data == 0
    assert agent.name == 'agent'


@pytest.mark.asyncio
async def test_prepare_can_hide_or_change_a_tool() -> None:
    async def only_on_first_step(ctx: RunContext[None], tool_def: Any) -> Any:
        if ctx.run_step > 1:
            return None
        tool_def.description = 'changed'
        return tool_def

    offered: list[list[str]] = []
    descriptions: list[str | None] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        offered.append([t.name for t in info.function_tools])
        descriptions.extend(t.description for t in info.function_tools)
        if len(offered) == 1:
            return ModelResponse([call('maybe', {})])
        return ModelResponse([TextPart('end')])

    def maybe() -> str:
        return 'm'

    agent = Agent(FunctionModel(answer), tools=[Tool(maybe, prepare=only_on_first_step)])
    await agent.run('x')

    assert offered == [['maybe'], []]
    assert descriptions == ['changed']


@pytest.mark.asyncio
async def test_native_output_mode_sends_the_schema_and_validates_json_text() -> None:
    seen: list[AgentInfo] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(info)
        return ModelResponse([TextPart('{"name": "Lima", "country": "Peru"}')])

    agent = Agent(FunctionModel(answer), result_type=City, output_mode='native')
    result = await agent.run('x')

    assert result.data == City(name='Lima', country='Peru')
    params = seen[0].model_request_parameters
    assert params is not None and params.output_mode == 'native'
    assert params.output_object is not None
    assert params.output_object.json_schema['required'] == ['name', 'country']
    assert params.output_object.description == 'A city and its country.'
    assert params.result_tools == []


def test_agent_configuration_errors_are_user_errors() -> None:
    with pytest.raises(UserError, match='end_strategy'):
        Agent('test', end_strategy='sometimes')  # type: ignore[arg-type]
    with pytest.raises(UserError, match='single structured result type'):
        Agent('test', result_type=City | int, output_mode='native')
    with pytest.raises(UserError, match='`model` must be set either when creating the agent or when calling it'):
        Agent().run_sync('x')
    agent = Agent('test')

    @agent.tool_plain
    def dup() -> None: ...

    with pytest.raises(UserError, match="Tool name conflicts with existing tool: 'dup'"):
        agent.tool_plain(dup)
    with pytest.raises(UserError, match='RunContext annotations can only be used with tools that take context'):

        @agent.tool_plain
        def wrong(ctx: RunContext[None]) -> None: ...


def test_model_string_is_resolved_through_the_registry_and_test_selects_test_model() -> None:
    assert isinstance(Agent('test').model, TestModel)
    deferred = Agent('nosuchprovider:model', defer_model_check=True)
    assert deferred.model == 'nosuchprovider:model'
    with pytest.raises(UserError, match='nosuchprovider'):
        deferred.run_sync('x')
