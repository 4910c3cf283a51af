"""The core's pieces for reasoning models: the `<think>` tag splitter of the parts manager, thinking deltas,
complete parts, `ThinkingPartDelta`, `Usage.timings`, and the message type adapter for the new parts and response
fields."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

import pytest

from pydantic_ai.exceptions import UnexpectedModelBehavior
from pydantic_ai.messages import (
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    ModelResponseStreamEvent,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ThinkingPartDelta,
    ToolCallPart,
)
from pydantic_ai.streaming import ModelResponsePartsManager
from pydantic_ai.usage import Usage

TAGS = ('<think>', '</think>')


def feed(
    pieces: Iterable[str], tags: tuple[str, str] = TAGS
) -> tuple[list[ModelResponseStreamEvent], list[ModelResponsePart]]:
    manager = ModelResponsePartsManager()
    events: list[ModelResponseStreamEvent] = []
    for piece in pieces:
        events.extend(manager.handle_text_delta(vendor_part_id='content', content=piece, thinking_tags=tags))
    events.extend(manager.finish())
    return events, manager.get_parts()


def replay(events: Sequence[ModelResponseStreamEvent]) -> list[ModelResponsePart]:
    """The parts a consumer rebuilds by applying the events in order."""
    parts: list[ModelResponsePart] = []
    for event in events:
        if isinstance(event, PartStartEvent):
            assert event.index == len(parts)
            parts.append(event.part)
        else:
            parts[event.index] = event.delta.apply(parts[event.index])
    return parts


def kinds(parts: Sequence[ModelResponsePart]) -> list[tuple[str, str]]:
    return [(p.part_kind, p.content) for p in parts]  # type: ignore[union-attr]


# --- Tag splitting ----------------------------------------------------------------------------------------------------

TEXT = 'Hi <think>plan a</think>Answer <think>more</think>End'
TEXT_PARTS = [('text', 'Hi '), ('thinking', 'plan a'), ('text', 'Answer '), ('thinking', 'more'), ('text', 'End')]


def test_whole_text_in_one_chunk() -> None:
    events, parts = feed([TEXT])
    assert kinds(parts) == TEXT_PARTS
    assert replay(events) == parts


@pytest.mark.parametrize('i', range(1, len(TEXT)))
def test_split_in_two_at_every_position(i: int) -> None:
    events, parts = feed([TEXT[:i], TEXT[i:]])
    assert kinds(parts) == TEXT_PARTS
    assert replay(events) == parts


SHORT = '<think>ab</think>cd'


@pytest.mark.parametrize('i, j', [(i, j) for i in range(1, len(SHORT)) for j in range(i + 1, len(SHORT))])
def test_split_in_three_at_every_pair_of_positions(i: int, j: int) -> None:
    events, parts = feed([SHORT[:i], SHORT[i:j], SHORT[j:]])
    assert kinds(parts) == [('thinking', 'ab'), ('text', 'cd')]
    assert replay(events) == parts


def test_one_character_per_chunk() -> None:
    events, parts = feed(list(TEXT))
    assert kinds(parts) == TEXT_PARTS
    assert replay(events) == parts


def test_no_event_carries_a_tag_fragment() -> None:
    for i in range(1, len(TEXT)):
        events, _ = feed([TEXT[:i], TEXT[i:]])
        for event in events:
            text = event.part.content if isinstance(event, PartStartEvent) else event.delta.content_delta  # type: ignore[union-attr]
            assert '<' not in text and '>' not in text, (i, event)


def test_unclosed_think_is_thinking_to_the_end() -> None:
    _, parts = feed(['<think>never ', 'closed'])
    assert kinds(parts) == [('thinking', 'never closed')]


def test_unclosed_think_with_partial_closing_tag_at_end_keeps_it_as_thinking() -> None:
    events, parts = feed(['<think>almost', ' </thi'])
    assert kinds(parts) == [('thinking', 'almost </thi')]
    assert replay(events) == parts


def test_text_before_the_tag_is_a_text_part() -> None:
    _, parts = feed(['Intro text. ', '<think>r</think>', 'Done'])
    assert kinds(parts) == [('text', 'Intro text. '), ('thinking', 'r'), ('text', 'Done')]


def test_whitespace_after_closing_tag_is_dropped_from_the_answer() -> None:
    _, parts = feed(['<think>r</think>', '\n', '\n\nAnswer', ' rest'])
    assert kinds(parts) == [('thinking', 'r'), ('text', 'Answer rest')]


@pytest.mark.parametrize(
    'pieces, expected',
    [
        (['a < b'], 'a < b'),
        (['a <', ' b'], 'a < b'),
        (['a <'], 'a <'),
        (['<'], '<'),
        (['x', '<'], 'x<'),
        (['<thin'], '<thin'),
        (['text <thin'], 'text <thin'),
        (['<thin', 'g>'], '<thing>'),
        (['</think> is not an opening tag'], '</think> is not an opening tag'),
    ],
)
def test_lone_angle_bracket_or_partial_tag_is_kept_as_text(pieces: list[str], expected: str) -> None:
    events, parts = feed(pieces)
    assert parts == [TextPart(expected)]
    assert replay(events) == parts


def test_held_back_text_is_emitted_only_by_finish() -> None:
    manager = ModelResponsePartsManager()
    events = list(manager.handle_text_delta(vendor_part_id='content', content='x <', thinking_tags=TAGS))
    assert events == [PartStartEvent(index=0, part=TextPart('x '))]
    assert manager.get_parts() == [TextPart('x ')]
    assert list(manager.finish()) == [PartDeltaEvent(index=0, delta=TextPartDelta('<'))]
    assert manager.get_parts() == [TextPart('x <')]


def test_events_for_a_split_block() -> None:
    manager = ModelResponsePartsManager()
    events = [
        *manager.handle_text_delta(vendor_part_id='c', content='<thi', thinking_tags=TAGS),
        *manager.handle_text_delta(vendor_part_id='c', content='nk>a', thinking_tags=TAGS),
        *manager.handle_text_delta(vendor_part_id='c', content='b</th', thinking_tags=TAGS),
        *manager.handle_text_delta(vendor_part_id='c', content='ink>ok', thinking_tags=TAGS),
        *manager.finish(),
    ]
    assert events == [
        PartStartEvent(index=0, part=ThinkingPart('a')),
        PartDeltaEvent(index=0, delta=ThinkingPartDelta('b')),
        PartStartEvent(index=1, part=TextPart('ok')),
    ]


def test_custom_tags() -> None:
    _, parts = feed(['<reason>why</re', 'ason>so'], tags=('<reason>', '</reason>'))
    assert kinds(parts) == [('thinking', 'why'), ('text', 'so')]


def test_tagged_channels_are_independent() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_text_delta(vendor_part_id='a', content='<think>x', thinking_tags=TAGS))
    list(manager.handle_text_delta(vendor_part_id='b', content='plain <', thinking_tags=TAGS))
    list(manager.finish())
    assert kinds(manager.get_parts()) == [('thinking', 'x'), ('text', 'plain <')]


def test_without_thinking_tags_the_tags_are_plain_text() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_text_delta(vendor_part_id='c', content='<think>x</think>y'))
    assert manager.get_parts() == [TextPart('<think>x</think>y')]


# --- handle_thinking_delta and handle_part ----------------------------------------------------------------------------


def test_handle_thinking_delta_starts_then_extends_a_part() -> None:
    manager = ModelResponsePartsManager()
    first = list(manager.handle_thinking_delta(vendor_part_id='r', content='Let ', provider_name='groq', id='t1'))
    second = list(manager.handle_thinking_delta(vendor_part_id='r', content='me think'))
    assert first == [PartStartEvent(index=0, part=ThinkingPart('Let ', id='t1', provider_name='groq'))]
    assert second == [PartDeltaEvent(index=0, delta=ThinkingPartDelta('me think'))]
    assert manager.get_parts() == [ThinkingPart('Let me think', id='t1', provider_name='groq')]


def test_handle_thinking_delta_empty_content_emits_nothing() -> None:
    manager = ModelResponsePartsManager()
    assert list(manager.handle_thinking_delta(vendor_part_id='r', content='')) == []
    assert list(manager.handle_thinking_delta(vendor_part_id='r', content=None)) == []
    assert manager.get_parts() == []


def test_handle_thinking_delta_with_none_vendor_id_extends_latest_thinking_only() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_thinking_delta(vendor_part_id=None, content='a'))
    list(manager.handle_thinking_delta(vendor_part_id=None, content='b'))
    list(manager.handle_text_delta(vendor_part_id=None, content='text'))
    events = list(manager.handle_thinking_delta(vendor_part_id=None, content='c'))
    assert events == [PartStartEvent(index=2, part=ThinkingPart('c'))]
    assert kinds(manager.get_parts()) == [('thinking', 'ab'), ('text', 'text'), ('thinking', 'c')]


def test_thinking_and_text_on_separate_channels_interleave() -> None:
    manager = ModelResponsePartsManager()
    events = [
        *manager.handle_thinking_delta(vendor_part_id='reasoning', content='r1'),
        *manager.handle_text_delta(vendor_part_id='content', content='t1'),
        *manager.handle_thinking_delta(vendor_part_id='reasoning', content='r2'),
        *manager.handle_text_delta(vendor_part_id='content', content='t2'),
    ]
    assert kinds(manager.get_parts()) == [('thinking', 'r1r2'), ('text', 't1t2')]
    assert replay(events) == manager.get_parts()


def test_thinking_on_a_text_vendor_id_raises() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_text_delta(vendor_part_id='x', content='text'))
    with pytest.raises(UnexpectedModelBehavior):
        list(manager.handle_thinking_delta(vendor_part_id='x', content='thought'))


def test_text_on_a_thinking_vendor_id_raises() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_thinking_delta(vendor_part_id='x', content='thought'))
    with pytest.raises(UnexpectedModelBehavior):
        list(manager.handle_text_delta(vendor_part_id='x', content='text'))


def test_handle_part_adds_complete_parts_in_order() -> None:
    manager = ModelResponsePartsManager()
    call = BuiltinToolCallPart('web_search', {'query': 'q'}, 'b1', 'groq')
    result = BuiltinToolReturnPart('web_search', {'results': []}, 'b1', 'groq')
    events = [
        *manager.handle_thinking_delta(vendor_part_id='r', content='search'),
        *manager.handle_part(vendor_part_id=None, part=call),
        *manager.handle_part(vendor_part_id='ret', part=result),
        *manager.handle_text_delta(vendor_part_id='c', content='done'),
    ]
    assert events[1] == PartStartEvent(index=1, part=call)
    assert events[2] == PartStartEvent(index=2, part=result)
    assert manager.get_parts() == [ThinkingPart('search'), call, result, TextPart('done')]


def test_text_on_a_complete_parts_vendor_id_raises() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_part(vendor_part_id='b', part=BuiltinToolCallPart('web_search')))
    with pytest.raises(UnexpectedModelBehavior):
        list(manager.handle_text_delta(vendor_part_id='b', content='x'))


# --- ThinkingPartDelta ------------------------------------------------------------------------------------------------


def test_thinking_part_delta_appends_and_keeps_metadata() -> None:
    part = ThinkingPart('abc', id='t1', signature='sig', provider_name='groq')
    assert ThinkingPartDelta('def').apply(part) == ThinkingPart(
        'abcdef', id='t1', signature='sig', provider_name='groq'
    )
    assert part.content == 'abc'


@pytest.mark.parametrize('part', [TextPart('x'), ToolCallPart('t', '{}'), BuiltinToolCallPart('web_search')])
def test_thinking_part_delta_on_another_part_raises(part: ModelResponsePart) -> None:
    with pytest.raises(UnexpectedModelBehavior):
        ThinkingPartDelta('x').apply(part)


def test_text_part_delta_on_thinking_raises() -> None:
    with pytest.raises(UnexpectedModelBehavior):
        TextPartDelta('x').apply(ThinkingPart('y'))


# --- Usage.timings ----------------------------------------------------------------------------------------------------


def test_usage_adds_timings_key_by_key() -> None:
    a = Usage(requests=1, timings={'queue_time': 0.5, 'total_time': 1.0})
    b = Usage(requests=1, timings={'total_time': 2.0, 'prompt_time': 0.25})
    total = a + b
    assert total.timings == {'queue_time': 0.5, 'total_time': 3.0, 'prompt_time': 0.25}
    assert total.requests == 2
    assert a.timings == {'queue_time': 0.5, 'total_time': 1.0}
    assert b.timings == {'total_time': 2.0, 'prompt_time': 0.25}


def test_usage_timings_none_plus_timings() -> None:
    assert (Usage() + Usage(timings={'total_time': 1.5})).timings == {'total_time': 1.5}
    assert (Usage(timings={'total_time': 1.5}) + Usage()).timings == {'total_time': 1.5}
    assert (Usage() + Usage()).timings is None


def test_usage_incr_does_not_share_the_others_timings() -> None:
    base = Usage()
    other = Usage(timings={'total_time': 1.0}, details={'cached_tokens': 3})
    base.incr(other)
    base.incr(Usage(timings={'total_time': 1.0}, details={'cached_tokens': 2}))
    assert base.timings == {'total_time': 2.0}
    assert base.details == {'cached_tokens': 5}
    assert other.timings == {'total_time': 1.0}
    assert other.details == {'cached_tokens': 3}


# --- Type adapter round trip ------------------------------------------------------------------------------------------

WHEN = datetime(2025, 9, 17, 21, 14, 13, tzinfo=timezone.utc)


def full_conversation() -> list[ModelMessage]:
    return [
        ModelRequest.user_text_prompt('Latest Python?'),
        ModelResponse(
            parts=[
                ThinkingPart('I should search.', id='r1', signature='sig==', provider_name='groq'),
                BuiltinToolCallPart('web_search', {'query': 'latest python'}, 'groq_executed_tool_0', 'groq'),
                BuiltinToolCallPart('web_search', '{"query": "x"}', 'groq_executed_tool_1', 'groq'),
                BuiltinToolReturnPart(
                    'web_search',
                    {'results': [{'url': 'https://python.org', 'score': 0.9, 'tags': ['a', None]}]},
                    'groq_executed_tool_0',
                    'groq',
                    timestamp=WHEN,
                ),
                BuiltinToolReturnPart('web_search', 'plain output', 'groq_executed_tool_1', None, timestamp=WHEN),
                TextPart('Python 3.14.'),
                ToolCallPart('get_weather', '{"city": "Paris"}', 'pyd_ai_' + '0' * 32),
            ],
            model_name='groq/compound',
            timestamp=WHEN,
            usage=Usage(
                requests=1,
                request_tokens=10,
                response_tokens=5,
                total_tokens=15,
                details={'cached_tokens': 2, 'reasoning_tokens': 3},
                timings={'queue_time': 0.1, 'total_time': 0.75},
            ),
            provider_name='groq',
            provider_response_id='chatcmpl-1',
            finish_reason='error',
            provider_details={
                'finish_reason': None,
                'error': {'code': 'tool_use_failed'},
                'executed_tools': [{'type': 'visit'}],
            },
        ),
    ]


@pytest.mark.parametrize('mode', ['json', 'python'])
def test_type_adapter_round_trips_new_parts_and_response_fields(mode: str) -> None:
    from pydantic_ai.messages import ModelMessagesTypeAdapter

    messages = full_conversation()
    if mode == 'json':
        restored = ModelMessagesTypeAdapter.validate_json(ModelMessagesTypeAdapter.dump_json(messages))
    else:
        restored = ModelMessagesTypeAdapter.validate_python(ModelMessagesTypeAdapter.dump_python(messages))
    assert restored == messages
    response = restored[1]
    assert isinstance(response, ModelResponse)
    assert isinstance(response.parts[0], ThinkingPart)
    assert isinstance(response.parts[1], BuiltinToolCallPart)
    assert isinstance(response.parts[3], BuiltinToolReturnPart)
    assert isinstance(response.usage, Usage)
    assert response.usage.timings == {'queue_time': 0.1, 'total_time': 0.75}
    assert response.timestamp == WHEN


def test_type_adapter_dumps_the_new_discriminators() -> None:
    from pydantic_ai.messages import ModelMessagesTypeAdapter

    dumped: Any = ModelMessagesTypeAdapter.dump_python(full_conversation(), mode='json')
    kinds_dumped = [p['part_kind'] for p in dumped[1]['parts']]
    assert kinds_dumped[:4] == ['thinking', 'builtin-tool-call', 'builtin-tool-call', 'builtin-tool-return']
    assert dumped[1]['finish_reason'] == 'error'
    assert dumped[1]['usage']['timings'] == {'queue_time': 0.1, 'total_time': 0.75}


def test_type_adapter_reads_a_response_without_the_new_fields() -> None:
    """A response saved before these fields existed (no usage, finish reason, provider fields) still loads."""
    from pydantic_ai.messages import ModelMessagesTypeAdapter

    old = [
        {
            'kind': 'response',
            'parts': [{'part_kind': 'text', 'content': 'hi'}],
            'model_name': 'm',
            'timestamp': '2025-01-01T00:00:00Z',
        }
    ]
    (restored,) = ModelMessagesTypeAdapter.validate_python(old)
    assert isinstance(restored, ModelResponse)
    assert restored.parts == [TextPart('hi')]
    assert restored.finish_reason is None
    assert restored.provider_name is None
    assert restored.usage == Usage()
