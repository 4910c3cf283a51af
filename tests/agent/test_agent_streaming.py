"""`Agent.run_stream` with FunctionModel and TestModel: text whole and as deltas, partial structured results,
streams that turn into tool calls, debouncing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import BaseModel

from pydantic_ai import Agent, ModelRetry, UnexpectedModelBehavior, UsageLimitExceeded, UsageLimits, UserError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel

pytestmark = pytest.mark.asyncio


class Answer(BaseModel):
    city: str
    items: list[int]


def text_stream(*chunks: str) -> FunctionModel:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        for chunk in chunks:
            yield chunk

    return FunctionModel(stream_function=stream)


async def test_stream_text_whole_and_deltas() -> None:
    agent = Agent(text_stream('The ', 'cat ', 'sat.'))

    async with agent.run_stream('story') as result:
        assert not result.is_complete
        whole = [text async for text in result.stream_text(debounce_by=None)]
        assert result.is_complete
    assert whole == ['The ', 'The cat ', 'The cat sat.']

    async with agent.run_stream('story') as result:
        deltas = [text async for text in result.stream_text(delta=True, debounce_by=None)]
    assert deltas == ['The ', 'cat ', 'sat.']
    assert await result.get_data() == 'The cat sat.'
    last = result.all_messages()[-1]
    assert isinstance(last, ModelResponse)
    assert last.parts == [TextPart('The cat sat.')]
    assert last.finish_reason == 'stop'
    usage = result.usage()
    assert usage.requests == 1 and usage.response_tokens == 4  # 'sat.' counts two (a trailing separator)


async def test_debounce_groups_fast_chunks() -> None:
    agent = Agent(text_stream(*[f'{i} ' for i in range(50)]))
    async with agent.run_stream('x') as result:
        groups = [text async for text in result.stream_text(debounce_by=10)]
    # Everything arrives well within 10 s: the first group is what was there at the start, then the whole text.
    assert groups[-1] == ''.join(f'{i} ' for i in range(50))
    assert len(groups) <= 3


async def test_debounce_flushes_a_stalled_stream() -> None:
    release = asyncio.Event()

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        yield 'first '
        yield 'second '
        await asyncio.wait_for(release.wait(), 5)
        yield 'third'

    agent = Agent(FunctionModel(stream_function=stream))
    seen: list[str] = []
    async with agent.run_stream('x') as result:
        async for text in result.stream_text(debounce_by=0.05):
            seen.append(text)
            if text == 'first second ':
                release.set()
    assert seen[-1] == 'first second third'
    assert 'first second ' in seen  # shown while the stream was stalled


async def test_streamed_structured_partial_results_in_order() -> None:
    body = '{"city": "Lon' + 'don", "items": [1, ' + '2, 3]}'

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[DeltaToolCalls]:
        yield {0: DeltaToolCall(name='final_result', tool_call_id='r1')}
        for piece in ('{"city": "Lon', 'don", "items": [1, ', '2, 3]}'):
            yield {0: DeltaToolCall(json_args=piece)}

    assert body
    agent = Agent(FunctionModel(stream_function=stream), result_type=Answer)
    async with agent.run_stream('x') as result:
        partials = [answer async for answer in result.stream(debounce_by=None)]
    assert partials[0] == Answer(city='London', items=[1])
    assert partials[-1] == Answer(city='London', items=[1, 2, 3])
    assert [p.items for p in partials] == [[1], [1, 2, 3], [1, 2, 3]]
    final_request = result.all_messages()[-1]
    assert isinstance(final_request, ModelRequest)
    assert isinstance(final_request.parts[0], ToolReturnPart)
    assert final_request.parts[0].content == 'Final result processed.'


async def test_stream_counts_steps_only_once_the_result_has_arguments() -> None:
    # Steps before any argument (the name alone, an empty delta) show nothing: no leading empty partial value. Once
    # there are arguments, every step counts, one that adds nothing included (it repeats the value), as in the
    # original API; then the complete value, once more.
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[DeltaToolCalls]:
        yield {0: DeltaToolCall(name='final_result', tool_call_id='r1')}
        yield {0: DeltaToolCall()}
        for piece in ('{"city": "Lon', 'don", "items": [1, ', '2]}'):
            yield {0: DeltaToolCall(json_args=piece)}
        yield {0: DeltaToolCall()}

    agent = Agent(FunctionModel(stream_function=stream), result_type=Answer)
    async with agent.run_stream('x') as result:
        partials = [answer async for answer in result.stream(debounce_by=None)]
        assert result.is_complete
    # '{"city": "Lon' does not validate yet (`items` is required): skipped, as before.
    assert [(p.city, p.items) for p in partials] == [
        ('London', [1]),
        ('London', [1, 2]),
        ('London', [1, 2]),
        ('London', [1, 2]),
    ]


async def test_stream_structured_skips_steps_before_the_response_has_content() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[DeltaToolCalls]:
        yield {0: DeltaToolCall(name='final_', tool_call_id='r1')}
        yield {0: DeltaToolCall(name='result')}
        yield {0: DeltaToolCall()}
        yield {0: DeltaToolCall(json_args='{"city": "Rome", "items": []}')}

    agent = Agent(FunctionModel(stream_function=stream), result_type=Answer)
    async with agent.run_stream('x') as result:
        args = [response.parts[0].args async for response, _ in result.stream_structured(debounce_by=None)]
    assert args == ['{"city": "Rome", "items": []}'] * 2


async def test_stream_structured_yields_raw_responses_and_validate_structured_result() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[DeltaToolCalls]:
        yield {0: DeltaToolCall(name='final_result', json_args='{"city": "Ro')}
        yield {0: DeltaToolCall(json_args='me", "items": []}')}

    agent = Agent(FunctionModel(stream_function=stream), result_type=Answer)
    async with agent.run_stream('x') as result:
        pairs = [pair async for pair in result.stream_structured(debounce_by=None)]
        assert [last for _, last in pairs] == [False] * (len(pairs) - 1) + [True]
        final = await result.validate_structured_result(pairs[-1][0])
    assert final == Answer(city='Rome', items=[])
    with pytest.raises(UserError, match='stream_text'):
        async for _ in result.stream_text():
            pass


async def test_stream_that_calls_tools_runs_them_and_continues() -> None:
    calls: list[str] = []

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str | DeltaToolCalls]:
        if len(messages) == 1:
            yield {0: DeltaToolCall(name='get_city', json_args='{"hint": "uk"}', tool_call_id='t1')}
        else:
            last = messages[-1]
            assert isinstance(last, ModelRequest)
            yield f'It is {last.parts[0].content}'  # type: ignore[union-attr]

    agent = Agent(FunctionModel(stream_function=stream))

    @agent.tool_plain
    def get_city(hint: str) -> str:
        calls.append(hint)
        return 'London'

    async with agent.run_stream('where?') as result:
        assert await result.get_data() == 'It is London'
    assert calls == ['uk']
    kinds = [type(m).__name__ for m in result.all_messages()]
    assert kinds == ['ModelRequest', 'ModelResponse', 'ModelRequest', 'ModelResponse']
    assert isinstance(result.all_messages()[1].parts[0], ToolCallPart)  # type: ignore[union-attr]
    assert result.usage().requests == 2


async def test_test_model_streams_through_tools_to_a_structured_result() -> None:
    agent = Agent('test', result_type=Answer)

    @agent.tool_plain
    def helper(x: int) -> int:
        return x + 1

    async with agent.run_stream('x') as result:
        data = await result.get_data()
    assert data == Answer(city='a', items=[0])
    assert result.usage().requests == 2


async def test_empty_stream_is_an_unexpected_model_behavior() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        yield ''

    agent = Agent(FunctionModel(stream_function=stream))
    with pytest.raises(UnexpectedModelBehavior, match='Received empty model response'):
        async with agent.run_stream('x'):
            pass


async def test_result_validator_runs_on_the_complete_streamed_result() -> None:
    agent = Agent(text_stream('a', 'b'))

    @agent.result_validator
    def upper(data: str) -> str:
        return data.upper()

    async with agent.run_stream('x') as result:
        assert await result.get_data() == 'AB'

    refusing = Agent(text_stream('a'))

    @refusing.result_validator
    def refuse(data: str) -> str:
        raise ModelRetry('no')

    async with refusing.run_stream('x') as result:
        with pytest.raises(UnexpectedModelBehavior, match='cannot be retried: no'):
            await result.get_data()


async def test_native_mode_streams_partial_results_from_json_text() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        assert info.model_request_parameters is not None
        assert info.model_request_parameters.output_mode == 'native'
        for piece in ('{"city": "Os', 'lo", "items": [4', ', 5]}'):
            yield piece

    agent = Agent(FunctionModel(stream_function=stream), result_type=Answer, output_mode='native')
    async with agent.run_stream('x') as result:
        partials = [answer async for answer in result.stream(debounce_by=None)]
    # '{"city": "Os' misses the required items, so the first partial is skipped.
    assert [(p.city, p.items) for p in partials] == [('Oslo', [4]), ('Oslo', [4, 5]), ('Oslo', [4, 5])]


async def test_run_stream_infers_the_agent_name_from_the_callers_variable() -> None:
    streaming_agent = Agent(text_stream('x'))
    async with streaming_agent.run_stream('x') as result:
        await result.get_data()
    assert streaming_agent.name == 'streaming_agent'


@pytest.mark.parametrize('strategy', ['early', 'exhaustive'])
async def test_streamed_final_response_answers_its_other_tool_calls_per_end_strategy(strategy: Any) -> None:
    ran: list[str] = []

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[DeltaToolCalls]:
        yield {0: DeltaToolCall(name='final_result', json_args='{"city": "Oslo", "items": []}', tool_call_id='r')}
        yield {1: DeltaToolCall(name='log', json_args='{}', tool_call_id='l')}

    agent = Agent(FunctionModel(stream_function=stream), result_type=Answer, end_strategy=strategy)

    @agent.tool_plain
    def log() -> str:
        ran.append('log')
        return 'logged'

    async with agent.run_stream('x') as result:
        assert await result.get_data() == Answer(city='Oslo', items=[])

    last = result.all_messages()[-1]
    assert isinstance(last, ModelRequest)
    contents = [part.content for part in last.parts]  # type: ignore[union-attr]
    if strategy == 'early':
        assert contents == ['Final result processed.', 'Tool not executed - a final result was already processed.']
        assert ran == []
    else:
        assert contents == ['Final result processed.', 'logged']
        assert ran == ['log']


async def test_a_streamed_result_that_does_not_validate_is_an_unexpected_model_behavior() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[DeltaToolCalls]:
        yield {0: DeltaToolCall(name='final_result', json_args='{"city": "Oslo", "items": ["x"]}')}

    agent = Agent(FunctionModel(stream_function=stream), result_type=Answer)
    async with agent.run_stream('x') as result:
        with pytest.raises(UnexpectedModelBehavior, match='does not validate') as info:
            async for _ in result.stream(debounce_by=None):
                pass
    assert 'items.0' in str(info.value)


def _counted_words(pulled: list[str]) -> FunctionModel:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        for word in ('one ', 'two ', 'three ', 'four ', 'five ', 'six'):
            pulled.append(word)
            yield word

    return FunctionModel(stream_function=stream)


async def test_leaving_the_block_unread_checks_token_limits_on_the_rest_of_the_response() -> None:
    pulled: list[str] = []
    agent = Agent(_counted_words(pulled))
    limits = UsageLimits(response_tokens_limit=3)
    with pytest.raises(UsageLimitExceeded, match=r'Exceeded the response_tokens_limit of 3 \(response_tokens=4\)'):
        async with agent.run_stream('x', usage_limits=limits) as result:
            assert result.usage().response_tokens == 1 and not result.is_complete
    # The rest was read only until the limit was passed.
    assert pulled == ['one ', 'two ', 'three ', 'four ']


async def test_leaving_the_block_unread_without_token_limits_does_not_read_the_rest() -> None:
    pulled: list[str] = []
    async with Agent(_counted_words(pulled)).run_stream('x', usage_limits=UsageLimits(request_limit=5)) as result:
        assert not result.is_complete
    assert pulled == ['one ']


async def test_reading_a_streamed_result_checks_token_limits_up_to_its_last_tokens() -> None:
    pulled: list[str] = []
    agent = Agent(_counted_words(pulled))
    async with agent.run_stream('x', usage_limits=UsageLimits(response_tokens_limit=6)) as result:
        assert await result.get_data() == 'one two three four five six'
    # Caught while reading, the error is raised again when the block is left (the original API's order too).
    with pytest.raises(UsageLimitExceeded, match=r'response_tokens=6\)'):
        async with agent.run_stream('x', usage_limits=UsageLimits(response_tokens_limit=5)) as result:
            with pytest.raises(UsageLimitExceeded, match=r'response_tokens=6\)'):
                await result.get_data()


async def test_stream_repeats_the_complete_result_as_the_original_api_stream_output_yields_each_value_once() -> None:
    agent = Agent(text_stream('The cat ', 'sat.'))
    async with agent.run_stream('x') as result:
        repeated = [text async for text in result.stream()]
    async with agent.run_stream('x') as result:
        once = [text async for text in result.stream_output()]
        assert result.is_complete

    assert repeated == ['The cat sat.', 'The cat sat.']  # not-final, then final: the original API's contract
    assert once == ['The cat sat.']


async def test_stream_output_yields_growing_structured_values_once_and_ends_with_the_validated_result() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[DeltaToolCalls]:
        yield {0: DeltaToolCall(name='final_result', tool_call_id='r1')}
        for piece in ('{"city": "Lon', 'don", "items": [1, ', '2, 3]}'):
            yield {0: DeltaToolCall(json_args=piece)}

    agent = Agent(FunctionModel(stream_function=stream), result_type=Answer)
    async with agent.run_stream('x') as result:
        values = [answer async for answer in result.stream_output(debounce_by=None)]

    assert [v.items for v in values] == [[1], [1, 2, 3]]
    assert values[-1] == await result.get_data()


async def test_stream_output_yields_the_final_value_when_a_result_validator_changes_it() -> None:
    agent = Agent(text_stream('hello'))

    @agent.result_validator
    def shout(text: str) -> str:
        return text.upper()

    async with agent.run_stream('x') as result:
        values = [text async for text in result.stream_output(debounce_by=None)]

    assert values[-1] == 'HELLO'
    assert values.count('HELLO') == 1
