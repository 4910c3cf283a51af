from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from pydantic_ai.exceptions import UnexpectedModelBehavior
from pydantic_ai.messages import (
    BuiltinToolCallPart,
    ModelResponsePart,
    ModelResponseStreamEvent,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ToolCallPart,
    ToolCallPartDelta,
)
from pydantic_ai.streaming import ModelResponsePartsManager

TEXT = 'héllo wörld ✓ — ünïcode 日本語 and plain ascii!'

ARGS = json.dumps(
    {
        'city': 'Zürich',
        'country': 'CH',
        'days': [1, 2, 3, 7],
        'units': 'metric',
        'include': {'hourly': True, 'alerts': False, 'air_quality': None},
        'note': 'Quotes "inside", backslash \\ and unicode ✓ 日本',
        'threshold': -12.5e-3,
        'tags': ['rain', 'wind', 'snow', 'sun'],
    },
    ensure_ascii=False,
)


def _apply_events(events: list[ModelResponseStreamEvent]) -> list[ModelResponsePart]:
    """Rebuild the parts the way a consumer would: start parts, then apply deltas at their index."""
    parts: dict[int, ModelResponsePart] = {}
    for event in events:
        if isinstance(event, PartStartEvent):
            assert event.index not in parts
            parts[event.index] = event.part
        else:
            parts[event.index] = event.delta.apply(parts[event.index])
    return [parts[i] for i in sorted(parts)]


def _feed_text(manager: ModelResponsePartsManager, chunks: list[str], vendor_part_id: Any = 'content') -> list[Any]:
    events: list[ModelResponseStreamEvent] = []
    for chunk in chunks:
        events.extend(manager.handle_text_delta(vendor_part_id=vendor_part_id, content=chunk))
    return events


def _random_splits(text: str, rng: random.Random, max_len: int = 12) -> list[str]:
    chunks: list[str] = []
    i = 0
    while i < len(text):
        n = rng.randint(1, max_len)
        chunks.append(text[i : i + n])
        i += n
    return chunks


@pytest.mark.parametrize('i', range(len(TEXT) + 1))
def test_text_split_at_every_position_assembles_exact_text(i: int) -> None:
    manager = ModelResponsePartsManager()
    events = _feed_text(manager, [TEXT[:i], TEXT[i:]])
    assert manager.get_parts() == [TextPart(TEXT)]
    expected_event_count = 2 if 0 < i < len(TEXT) else 1
    assert len(events) == expected_event_count
    assert isinstance(events[0], PartStartEvent)
    assert events[0].index == 0
    assert all(isinstance(e, PartDeltaEvent) and isinstance(e.delta, TextPartDelta) for e in events[1:])
    assert all(e.index == 0 for e in events)
    assert _apply_events(events) == [TextPart(TEXT)]


def test_text_one_char_per_delta_assembles_exact_text() -> None:
    manager = ModelResponsePartsManager()
    events = _feed_text(manager, list(TEXT))
    assert manager.get_parts() == [TextPart(TEXT)]
    assert len(events) == len(TEXT)
    assert events[0] == PartStartEvent(index=0, part=TextPart(TEXT[0]))
    assert events[1:] == [PartDeltaEvent(index=0, delta=TextPartDelta(c)) for c in TEXT[1:]]
    assert _apply_events(events) == [TextPart(TEXT)]


def test_get_parts_mid_stream_reflects_text_so_far() -> None:
    manager = ModelResponsePartsManager()
    for n, char in enumerate(TEXT, start=1):
        list(manager.handle_text_delta(vendor_part_id='content', content=char))
        assert manager.get_parts() == [TextPart(TEXT[:n])]


def test_empty_text_delta_emits_nothing() -> None:
    manager = ModelResponsePartsManager()
    assert list(manager.handle_text_delta(vendor_part_id='content', content='')) == []
    assert manager.get_parts() == []
    events = _feed_text(manager, ['', 'a', '', 'b', ''])
    assert events == [PartStartEvent(index=0, part=TextPart('a')), PartDeltaEvent(index=0, delta=TextPartDelta('b'))]
    assert manager.get_parts() == [TextPart('ab')]


def _feed_tool_args(manager: ModelResponsePartsManager, chunks: list[str], tool_call_id: str = 'call_1') -> list[Any]:
    events: list[ModelResponseStreamEvent] = []
    events.extend(
        manager.handle_tool_call_delta(vendor_part_id=0, tool_name='get_weather', args=None, tool_call_id=tool_call_id)
    )
    for chunk in chunks:
        events.extend(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args=chunk, tool_call_id=None))
    return events


def _check_tool_args_assembled(manager: ModelResponsePartsManager, events: list[Any], chunks: list[str]) -> None:
    expected = ToolCallPart('get_weather', ARGS, tool_call_id='call_1')
    assert ''.join(chunks) == ARGS
    assert manager.get_parts() == [expected]
    assert isinstance(events[0], PartStartEvent)
    assert events[0].part == ToolCallPart('get_weather', '', tool_call_id='call_1')
    # One event per delta fed after the start, an empty fragment's included (its delta is empty).
    assert len(events) == 1 + len(chunks)
    assert all(isinstance(e, PartDeltaEvent) and isinstance(e.delta, ToolCallPartDelta) for e in events[1:])
    assert _apply_events(events) == [expected]
    assert manager.get_parts()[0].args_as_dict() == json.loads(ARGS)  # type: ignore[union-attr]
    manager.check_complete()


def test_tool_args_one_char_per_fragment_assemble_exactly() -> None:
    manager = ModelResponsePartsManager()
    chunks = list(ARGS)
    events = _feed_tool_args(manager, chunks)
    _check_tool_args_assembled(manager, events, chunks)


@pytest.mark.parametrize('seed', range(10))
def test_tool_args_random_splits_assemble_exactly(seed: int) -> None:
    rng = random.Random(seed)
    chunks = _random_splits(ARGS, rng)
    assert len(chunks) > 10
    manager = ModelResponsePartsManager()
    events = _feed_tool_args(manager, chunks)
    _check_tool_args_assembled(manager, events, chunks)


@pytest.mark.parametrize('i', range(0, len(ARGS) + 1, 7))
def test_tool_args_split_in_two_assemble_exactly(i: int) -> None:
    manager = ModelResponsePartsManager()
    chunks = [ARGS[:i], ARGS[i:]]
    events = _feed_tool_args(manager, chunks)
    _check_tool_args_assembled(manager, events, chunks)


def test_tool_call_id_on_every_fragment_is_kept_and_not_an_error() -> None:
    manager = ModelResponsePartsManager()
    events: list[Any] = []
    for n, chunk in enumerate(_random_splits(ARGS, random.Random(1))):
        events.extend(
            manager.handle_tool_call_delta(
                vendor_part_id='tc', tool_name='get_weather' if n == 0 else None, args=chunk, tool_call_id='call_x'
            )
        )
    assert manager.get_parts() == [ToolCallPart('get_weather', ARGS, tool_call_id='call_x')]
    assert _apply_events(events) == manager.get_parts()


def test_interleaved_tool_calls_and_text_come_out_in_order_of_first_appearance() -> None:
    rng = random.Random(42)
    args0 = json.dumps({'city': 'Paris', 'days': [1, 2, 3]})
    args1 = json.dumps({'query': 'weather in Zürich ✓', 'limit': 10}, ensure_ascii=False)
    chunks0 = _random_splits(args0, rng, 4)
    chunks1 = _random_splits(args1, rng, 4)
    text_chunks = ['Let me ', 'check ', 'both.']
    manager = ModelResponsePartsManager()
    events: list[Any] = []
    events.extend(manager.handle_text_delta(vendor_part_id='content', content=text_chunks[0]))
    events.extend(manager.handle_tool_call_delta(vendor_part_id=1, tool_name='search', args=None, tool_call_id='id_1'))
    events.extend(
        manager.handle_tool_call_delta(vendor_part_id=0, tool_name='get_weather', args=None, tool_call_id='id_0')
    )
    for n in range(max(len(chunks0), len(chunks1))):
        if n < len(chunks0):
            events.extend(
                manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args=chunks0[n], tool_call_id=None)
            )
        if n < len(chunks1):
            events.extend(
                manager.handle_tool_call_delta(vendor_part_id=1, tool_name=None, args=chunks1[n], tool_call_id=None)
            )
        if n + 1 < len(text_chunks):
            events.extend(manager.handle_text_delta(vendor_part_id='content', content=text_chunks[n + 1]))
    expected = [
        TextPart('Let me check both.'),
        ToolCallPart('search', args1, tool_call_id='id_1'),
        ToolCallPart('get_weather', args0, tool_call_id='id_0'),
    ]
    assert manager.get_parts() == expected
    assert _apply_events(events) == expected
    starts = [e for e in events if isinstance(e, PartStartEvent)]
    assert [e.index for e in starts] == [0, 1, 2]
    manager.check_complete()


def test_tool_name_after_args_emits_nothing_until_name_then_start_with_everything() -> None:
    manager = ModelResponsePartsManager()
    assert list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args='{"a":', tool_call_id=None)) == []
    assert list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args=' 1', tool_call_id='id1')) == []
    assert manager.get_parts() == []
    events = list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name='tool_x', args=None, tool_call_id=None))
    assert events == [PartStartEvent(index=0, part=ToolCallPart('tool_x', '{"a": 1', tool_call_id='id1'))]
    events = list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args='}', tool_call_id=None))
    assert events == [PartDeltaEvent(index=0, delta=ToolCallPartDelta(args_delta='}'))]
    assert manager.get_parts() == [ToolCallPart('tool_x', '{"a": 1}', tool_call_id='id1')]
    manager.check_complete()


def test_tool_name_split_into_fragments_concatenates() -> None:
    manager = ModelResponsePartsManager()
    events: list[Any] = []
    for fragment in ['get', '_wea', 'ther']:
        events.extend(
            manager.handle_tool_call_delta(vendor_part_id=0, tool_name=fragment, args=None, tool_call_id=None)
        )
    events.extend(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args='{}', tool_call_id=None))
    assert manager.get_parts() == [ToolCallPart('get_weather', '{}')]
    assert isinstance(events[0], PartStartEvent)
    assert events[0].part == ToolCallPart('get', '')
    assert _apply_events(events) == [ToolCallPart('get_weather', '{}')]


def test_same_tool_call_id_repeated_is_fine() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name='t', args=None, tool_call_id='id1'))
    list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args='{}', tool_call_id='id1'))
    events = list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args=None, tool_call_id='id1'))
    assert events == [PartDeltaEvent(index=0, delta=ToolCallPartDelta(tool_call_id='id1'))]
    assert manager.get_parts() == [ToolCallPart('t', '{}', tool_call_id='id1')]


def test_empty_tool_call_delta_after_start_is_one_empty_delta_event_that_changes_nothing() -> None:
    manager = ModelResponsePartsManager()
    events = list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name='t', args='{}', tool_call_id=None))
    for name, args in ((None, None), ('', '')):
        step = list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=name, args=args, tool_call_id=None))
        assert step == [PartDeltaEvent(index=0, delta=ToolCallPartDelta())]
        events += step
    assert manager.get_parts() == [ToolCallPart('t', '{}')]
    assert _apply_events(events) == manager.get_parts()


def test_empty_tool_call_delta_with_no_vendor_id_extends_the_latest_call() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_tool_call_delta(vendor_part_id=None, tool_name='t', args='{}', tool_call_id=None))
    events = list(manager.handle_tool_call_delta(vendor_part_id=None, tool_name=None, args=None, tool_call_id=None))
    assert events == [PartDeltaEvent(index=0, delta=ToolCallPartDelta())]
    assert manager.get_parts() == [ToolCallPart('t', '{}')]


def test_empty_tool_call_delta_before_the_name_emits_nothing() -> None:
    manager = ModelResponsePartsManager()
    assert list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args=None, tool_call_id=None)) == []
    assert manager.get_parts() == []
    events = list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name='t', args=None, tool_call_id=None))
    assert events == [PartStartEvent(index=0, part=ToolCallPart('t', ''))]


@pytest.mark.parametrize('started', [True, False], ids=['after_name', 'before_name'])
def test_second_different_tool_call_id_raises(started: bool) -> None:
    manager = ModelResponsePartsManager()
    list(
        manager.handle_tool_call_delta(
            vendor_part_id=0, tool_name='t' if started else None, args='{', tool_call_id='id1'
        )
    )
    with pytest.raises(UnexpectedModelBehavior, match='id2'):
        list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args=None, tool_call_id='id2'))


def test_mixing_str_then_dict_args_raises() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name='t', args='{"a"', tool_call_id=None))
    with pytest.raises(UnexpectedModelBehavior, match="'t'"):
        list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args={'b': 1}, tool_call_id=None))


def test_mixing_dict_then_str_args_raises() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name='t', args={'a': 1}, tool_call_id=None))
    with pytest.raises(UnexpectedModelBehavior, match='mixes'):
        list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args='"x"', tool_call_id=None))


def test_dict_args_fragments_merge() -> None:
    manager = ModelResponsePartsManager()
    events: list[Any] = []
    events.extend(manager.handle_tool_call_delta(vendor_part_id=0, tool_name='t', args={'a': 1}, tool_call_id=None))
    events.extend(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args={'b': 2}, tool_call_id=None))
    assert manager.get_parts() == [ToolCallPart('t', {'a': 1, 'b': 2})]
    assert _apply_events(events) == [ToolCallPart('t', {'a': 1, 'b': 2})]


def test_get_parts_returns_copy_of_dict_args() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name='t', args={'a': 1}, tool_call_id=None))
    part = manager.get_parts()[0]
    assert isinstance(part, ToolCallPart)
    assert isinstance(part.args, dict)
    part.args['mutated'] = True
    assert manager.get_parts() == [ToolCallPart('t', {'a': 1})]


def test_text_on_tool_call_vendor_id_raises() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name='t', args=None, tool_call_id=None))
    with pytest.raises(UnexpectedModelBehavior, match='tool call'):
        list(manager.handle_text_delta(vendor_part_id=0, content='hello'))


def test_tool_call_on_text_vendor_id_raises() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_text_delta(vendor_part_id='content', content='hello'))
    with pytest.raises(UnexpectedModelBehavior, match='text'):
        list(manager.handle_tool_call_delta(vendor_part_id='content', tool_name='t', args=None, tool_call_id=None))


def test_text_with_none_vendor_id_extends_latest_text_part() -> None:
    manager = ModelResponsePartsManager()
    events = _feed_text(manager, ['a', 'b', 'c'], vendor_part_id=None)
    assert manager.get_parts() == [TextPart('abc')]
    assert [type(e) for e in events] == [PartStartEvent, PartDeltaEvent, PartDeltaEvent]


def test_text_with_none_vendor_id_extends_latest_text_part_even_with_vendor_id() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_text_delta(vendor_part_id='content', content='a'))
    events = list(manager.handle_text_delta(vendor_part_id=None, content='b'))
    assert events == [PartDeltaEvent(index=0, delta=TextPartDelta('b'))]
    assert manager.get_parts() == [TextPart('ab')]


def test_text_with_none_vendor_id_after_tool_call_starts_new_part() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_text_delta(vendor_part_id=None, content='first'))
    list(manager.handle_tool_call_delta(vendor_part_id=None, tool_name='t', args='{}', tool_call_id=None))
    events = list(manager.handle_text_delta(vendor_part_id=None, content='second'))
    assert events == [PartStartEvent(index=2, part=TextPart('second'))]
    assert manager.get_parts() == [TextPart('first'), ToolCallPart('t', '{}'), TextPart('second')]


def test_tool_call_with_none_vendor_id_extends_latest_tool_call() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_tool_call_delta(vendor_part_id=None, tool_name='t', args='{"a"', tool_call_id='id1'))
    events = list(manager.handle_tool_call_delta(vendor_part_id=None, tool_name=None, args=': 1}', tool_call_id=None))
    assert events == [PartDeltaEvent(index=0, delta=ToolCallPartDelta(args_delta=': 1}'))]
    assert manager.get_parts() == [ToolCallPart('t', '{"a": 1}', tool_call_id='id1')]


def test_tool_call_with_none_vendor_id_after_text_starts_new_part() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_text_delta(vendor_part_id=None, content='hi'))
    events = list(manager.handle_tool_call_delta(vendor_part_id=None, tool_name='t', args='{}', tool_call_id=None))
    assert events == [PartStartEvent(index=1, part=ToolCallPart('t', '{}'))]
    assert manager.get_parts() == [TextPart('hi'), ToolCallPart('t', '{}')]


def test_tool_call_with_none_vendor_id_on_empty_manager_starts_new_part() -> None:
    manager = ModelResponsePartsManager()
    events = list(manager.handle_tool_call_delta(vendor_part_id=None, tool_name='t', args=None, tool_call_id=None))
    assert events == [PartStartEvent(index=0, part=ToolCallPart('t', ''))]


def test_get_parts_leaves_out_unnamed_tool_call_and_check_complete_raises() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_text_delta(vendor_part_id='content', content='hi'))
    list(manager.handle_tool_call_delta(vendor_part_id=3, tool_name=None, args='{"a": 1}', tool_call_id='id1'))
    list(manager.handle_text_delta(vendor_part_id='content', content=' there'))
    assert manager.get_parts() == [TextPart('hi there')]
    with pytest.raises(UnexpectedModelBehavior, match='never received a tool name') as exc_info:
        manager.check_complete()
    assert '3' in str(exc_info.value)
    assert exc_info.value.body == '{"a": 1}'


def test_check_complete_raises_for_unnamed_tool_call_with_dict_args() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args={'a': 1}, tool_call_id=None))
    assert manager.get_parts() == []
    with pytest.raises(UnexpectedModelBehavior) as exc_info:
        manager.check_complete()
    assert exc_info.value.body is not None
    assert json.loads(exc_info.value.body) == {'a': 1}


def test_check_complete_passes_for_complete_streams() -> None:
    manager = ModelResponsePartsManager()
    manager.check_complete()
    list(manager.handle_text_delta(vendor_part_id='content', content='hi'))
    list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args='{}', tool_call_id=None))
    list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name='t', args=None, tool_call_id=None))
    list(manager.handle_tool_call_part(vendor_part_id=None, tool_name='u', args={}))
    manager.check_complete()


def test_handle_tool_call_part_adds_complete_call() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_text_delta(vendor_part_id='content', content='hi'))
    events = list(manager.handle_tool_call_part(vendor_part_id='call', tool_name='t', args={'a': 1}, tool_call_id='x'))
    assert events == [PartStartEvent(index=1, part=ToolCallPart('t', {'a': 1}, tool_call_id='x'))]
    assert manager.get_parts() == [TextPart('hi'), ToolCallPart('t', {'a': 1}, tool_call_id='x')]
    more = list(manager.handle_tool_call_delta(vendor_part_id='call', tool_name=None, args={'b': 2}, tool_call_id=None))
    assert more == [PartDeltaEvent(index=1, delta=ToolCallPartDelta(args_delta={'b': 2}))]
    manager.check_complete()


def test_handle_tool_call_part_with_none_vendor_id_always_starts_new_part() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_tool_call_part(vendor_part_id=None, tool_name='a', args='{}'))
    list(manager.handle_tool_call_part(vendor_part_id=None, tool_name='b', args='{"x": 1}'))
    assert manager.get_parts() == [ToolCallPart('a', '{}'), ToolCallPart('b', '{"x": 1}')]


def test_every_handle_method_returns_an_iterator() -> None:
    manager = ModelResponsePartsManager()
    results = [
        manager.handle_text_delta(vendor_part_id='content', content='x'),
        manager.handle_text_delta(vendor_part_id='content', content=''),
        manager.handle_tool_call_delta(vendor_part_id=0, tool_name='t', args=None, tool_call_id=None),
        manager.handle_tool_call_delta(vendor_part_id=1, tool_name=None, args='{', tool_call_id=None),
        manager.handle_tool_call_part(vendor_part_id=None, tool_name='t', args={}),
    ]
    for result in results:
        assert isinstance(result, Iterator)
        for event in result:
            assert isinstance(event, (PartStartEvent, PartDeltaEvent))


def test_event_index_matches_position_in_get_parts_while_a_tool_name_is_pending() -> None:
    # PartStartEvent.index is documented as "the part's index in the response's parts"; a consumer that keeps
    # `stream.get()` alongside the events must find the started part at that index.
    manager = ModelResponsePartsManager()
    list(manager.handle_tool_call_delta(vendor_part_id=0, tool_name=None, args='{"a": 1}', tool_call_id='id1'))
    events = list(manager.handle_text_delta(vendor_part_id='content', content='hello'))
    assert len(events) == 1
    assert isinstance(events[0], PartStartEvent)
    parts = manager.get_parts()
    assert events[0].index < len(parts)
    assert parts[events[0].index] == TextPart('hello')


TAGS = ('<think>', '</think>')


def test_text_held_back_as_a_possible_tag_goes_before_a_tool_call_that_starts_next() -> None:
    manager = ModelResponsePartsManager()
    events = [
        *manager.handle_text_delta(vendor_part_id='content', content='Let me check <', thinking_tags=TAGS),
        *manager.handle_tool_call_delta(vendor_part_id=0, tool_name='lookup', args='{}', tool_call_id='c1'),
        *manager.finish(),
    ]

    assert manager.get_parts() == [TextPart('Let me check <'), ToolCallPart('lookup', '{}', tool_call_id='c1')]
    assert [type(e).__name__ for e in events] == ['PartStartEvent', 'PartDeltaEvent', 'PartStartEvent']


def test_text_held_back_as_a_possible_tag_goes_before_a_built_in_tool_part() -> None:
    manager = ModelResponsePartsManager()
    call = BuiltinToolCallPart('web_search', {'query': 'x'}, tool_call_id='b1')
    list(manager.handle_text_delta(vendor_part_id='content', content='<', thinking_tags=TAGS))
    list(manager.handle_part(vendor_part_id='run-0', part=call))
    list(manager.finish())

    assert manager.get_parts() == [TextPart('<'), call]


def test_a_tag_split_across_chunks_of_one_channel_is_still_found() -> None:
    manager = ModelResponsePartsManager()
    for chunk in ('<thi', 'nk>hmm</th', 'ink>answer'):
        list(manager.handle_text_delta(vendor_part_id='content', content=chunk, thinking_tags=TAGS))
    list(manager.finish())

    assert manager.get_parts() == [ThinkingPart('hmm'), TextPart('answer')]
