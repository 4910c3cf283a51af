"""Properties (hypothesis): streamed parts assemble exactly, garbage fails only in documented ways, history round-trips.

Each streaming property is checked twice: at the core level, feeding `ModelResponsePartsManager` directly, and end
to end, serving SSE chunks through `GroqFake` (the real groq SDK and httpx over `httpx.MockTransport`) into
`GroqModel.request_stream`. End-to-end examples run their own event loop (`asyncio.run`), so the hypothesis tests
are plain functions and use no function-scoped fixtures.

The message strategies are built from `FIELD_STRATEGIES`, one entry per message dataclass and one strategy per
field; tests below fail when `pydantic_ai.messages` gains a part class or a field that has no strategy yet, so a
new part kind (say `ThinkingPart`) or field (say `ModelResponse.provider_name`) is one line here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import string
import typing
from collections.abc import Hashable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pydantic_ai.messages as messages_module
from pydantic_ai.exceptions import PydanticAIError
from pydantic_ai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    ModelResponseStreamEvent,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    ToolCallPart,
)
from pydantic_ai.models import ModelRequestParameters, override_allow_model_requests
from pydantic_ai.streaming import ModelResponsePartsManager
from pydantic_ai.usage import Usage
from pydantic_ai_groq.testing import GroqFake, wire

from support.constants import user_prompt

NO_TOOLS = ModelRequestParameters()

# No example database: failures are shrunk and printed, and nothing is written into the working tree.
CORE = settings(max_examples=100, deadline=None, database=None)
END_TO_END = settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


# --- shared helpers ---------------------------------------------------------------------------------------------------


def replay(events: Sequence[ModelResponseStreamEvent]) -> list[ModelResponsePart]:
    """The parts a consumer rebuilds by applying the events in order; must equal the stream's own parts."""
    parts: list[ModelResponsePart] = []
    for event in events:
        if isinstance(event, PartStartEvent):
            assert event.index == len(parts), f'PartStartEvent index {event.index}, expected {len(parts)}'
            parts.append(event.part)
        else:
            assert isinstance(event, PartDeltaEvent)
            assert 0 <= event.index < len(parts), f'PartDeltaEvent index {event.index} out of {len(parts)} parts'
            parts[event.index] = event.delta.apply(parts[event.index])
    return parts


async def stream_frames(frames: Sequence[bytes]) -> tuple[list[ModelResponseStreamEvent], ModelResponse]:
    """Serve `frames` as one SSE response body to `GroqModel.request_stream`; return the events and the response."""
    mock = GroqFake(responder=httpx.Response(200, headers=wire.sse_headers('req_test'), content=b''.join(frames)))
    try:
        with override_allow_model_requests(True):
            async with mock.model().request_stream(user_prompt(), None, NO_TOOLS) as stream:
                events = [event async for event in stream]
            return events, stream.get()
    finally:
        await mock.aclose()


def run_stream(frames: Sequence[bytes]) -> tuple[list[ModelResponseStreamEvent], ModelResponse]:
    return asyncio.run(stream_frames(frames))


FINAL_CHUNK = wire.chat_completion_chunk(
    {}, finish_reason='stop', x_groq={'id': 'req_test', 'usage': wire.usage_body(3, 5, timings=False)}
)
"""What Groq sends last: no delta content, the finish reason and the usage."""


@st.composite
def splits(draw: st.DrawFn, text: str, *, max_pieces: int = 12) -> list[str]:
    """`text` cut at arbitrary positions; repeated cuts give empty pieces. Joining the pieces gives `text`."""
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=max_pieces)))
    bounds = [0, *cuts, len(text)]
    return [text[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]


@st.composite
def interleavings(draw: st.DrawFn, queues: Sequence[Sequence[Any]]) -> list[tuple[int, Any]]:
    """One arbitrary merge of `queues` that keeps each queue's own order, as (queue number, item) pairs."""
    remaining = [list(queue) for queue in queues]
    merged: list[tuple[int, Any]] = []
    while any(remaining):
        k = draw(st.sampled_from([k for k, queue in enumerate(remaining) if queue]))
        merged.append((k, remaining[k].pop(0)))
    return merged


@st.composite
def groupings(draw: st.DrawFn, items: Sequence[Any]) -> list[list[Any]]:
    """`items` in order, grouped into consecutive non-empty runs (one run per stream chunk)."""
    groups: list[list[Any]] = []
    i = 0
    while i < len(items):
        size = draw(st.integers(1, 3))
        groups.append(list(items[i : i + size]))
        i += size
    return groups


# JSON values as any API could send them (no NaN or infinities: they are not JSON).
json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=10), json_values, max_size=5)


# --- 1. text: any split assembles to the text -------------------------------------------------------------------------


THINK_START, THINK_END = '<think>', '</think>'
"""The tags reasoning models put around reasoning inside the content; the Groq stream splits them out."""

# Any text, and text made mostly of the tags' characters, so that chunks often end in a partial tag.
texts = st.text(max_size=200) | st.text(alphabet='<>/thinkTHINK \n', max_size=60)
untagged_texts = texts.filter(lambda t: THINK_START not in t and THINK_END not in t)


@st.composite
def text_and_pieces(draw: st.DrawFn, text_strategy: st.SearchStrategy[str] = texts) -> tuple[str, list[str]]:
    text = draw(text_strategy)
    return text, draw(splits(text))


@CORE
@given(text_and_pieces(), st.sampled_from(['content', None, 0]))
def test_parts_manager_assembles_any_split_of_text_into_the_text(
    case: tuple[str, list[str]], vendor_part_id: Hashable | None
) -> None:
    text, pieces = case
    manager = ModelResponsePartsManager()

    events = [e for piece in pieces for e in manager.handle_text_delta(vendor_part_id=vendor_part_id, content=piece)]

    expected = [TextPart(text)] if text else []
    assert manager.get_parts() == expected
    assert replay(events) == expected
    manager.check_complete()


@END_TO_END
@given(text_and_pieces(untagged_texts))
def test_groq_stream_assembles_any_split_of_text_into_the_text(case: tuple[str, list[str]]) -> None:
    """Any text without a complete `<think>`/`</think>` tag (those are split into thinking, as documented)."""
    text, pieces = case

    events, response = run_stream(
        wire.sse_frames([*(wire.chat_completion_chunk({'content': piece}) for piece in pieces), FINAL_CHUNK])
    )

    expected = [TextPart(text)] if text else []
    assert response.parts == expected
    assert replay(events) == expected


@st.composite
def tagged_text_and_pieces(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]], list[str]]:
    """`before<think>reasoning</think>answer`, cut anywhere (tags included); the parts it must give, as (kind, text).

    Documented: the reasoning becomes a `ThinkingPart`, the text around it `TextPart`s, and whitespace between the
    closing tag and the answer is dropped.
    """
    before, reasoning, answer = (draw(untagged_texts) for _ in range(3))
    expected = [('text', before), ('thinking', reasoning), ('text', answer.lstrip())]
    text = f'{before}{THINK_START}{reasoning}{THINK_END}{answer}'
    return text, [(kind, content) for kind, content in expected if content], draw(splits(text))


def kinds_and_contents(parts: Sequence[ModelResponsePart]) -> list[tuple[str, str]]:
    return [(part.part_kind, part.content) for part in parts]  # type: ignore[union-attr]


@CORE
@given(tagged_text_and_pieces())
def test_parts_manager_splits_think_tags_out_of_any_split_of_text(
    case: tuple[str, list[tuple[str, str]], list[str]],
) -> None:
    _, expected, pieces = case
    manager = ModelResponsePartsManager()

    events: list[ModelResponseStreamEvent] = []
    for piece in pieces:
        events += manager.handle_text_delta(
            vendor_part_id='content', content=piece, thinking_tags=(THINK_START, THINK_END)
        )
    events += manager.finish()

    assert kinds_and_contents(manager.get_parts()) == expected
    assert replay(events) == manager.get_parts()


@END_TO_END
@given(tagged_text_and_pieces())
def test_groq_stream_splits_think_tags_out_of_any_split_of_text(
    case: tuple[str, list[tuple[str, str]], list[str]],
) -> None:
    _, expected, pieces = case

    events, response = run_stream(
        wire.sse_frames([*(wire.chat_completion_chunk({'content': piece}) for piece in pieces), FINAL_CHUNK])
    )

    assert kinds_and_contents(response.parts) == expected
    assert replay(events) == response.parts


# --- 2. tool calls: any fragmentation and interleaving assembles to the calls -----------------------------------------

tool_names = st.text(alphabet=string.ascii_letters + string.digits + '_-', min_size=1, max_size=24)
call_ids = st.text(alphabet=string.ascii_letters + string.digits + '_', min_size=1, max_size=16)


@dataclasses.dataclass
class ToolDelta:
    """One fragment of one tool call, as a stream carries it."""

    index: int
    """The call's `index` on the wire (its vendor part id)."""
    name: str | None
    args: str | None
    call_id: str | None


@dataclasses.dataclass
class ToolCallStream:
    calls: list[ToolCallPart]
    """The calls, in index order: call `i` has wire index `i`."""
    deltas: list[ToolDelta]
    """Every fragment of every call, interleaved."""

    def order_of_first_name(self) -> list[int]:
        """Wire indices in the order of their first non-empty name fragment (when the parts manager starts them)."""
        seen: list[int] = []
        for delta in self.deltas:
            if delta.name and delta.index not in seen:
                seen.append(delta.index)
        return seen


@st.composite
def tool_call_streams(draw: st.DrawFn, *, groq_shaped: bool, starts_in_index_order: bool = True) -> ToolCallStream:
    """Tool calls with arbitrary JSON-object arguments, each call fragmented, all fragments interleaved.

    `groq_shaped`: each call's first fragment carries its id and whole name, then only argument fragments follow
    (what Groq and OpenAI-compatible APIs send). Otherwise the name is fragmented too, may arrive after argument
    fragments, and the id rides on one arbitrary fragment or on all of them.

    `starts_in_index_order`: wire indices are numbered in the order calls first appear (as on the wire); otherwise
    the numbering is an arbitrary permutation.
    """
    n = draw(st.integers(1, 4))
    names = draw(st.lists(tool_names, min_size=n, max_size=n))
    ids = draw(st.lists(call_ids, min_size=n, max_size=n, unique=True))
    args = [json.dumps(draw(json_objects), ensure_ascii=draw(st.booleans())) for _ in range(n)]

    per_call: list[list[tuple[str | None, str | None, str | None]]] = []
    for k in range(n):
        arg_pieces = draw(splits(args[k]))
        if groq_shaped:
            first_args = draw(st.sampled_from(['', None]))
            fragments = [(names[k], first_args, ids[k])] + [(None, piece, None) for piece in arg_pieces]
        else:
            name_pieces = draw(splits(names[k], max_pieces=3))
            merged = draw(interleavings([[('name', p) for p in name_pieces], [('args', p) for p in arg_pieces]]))
            fragments = [(p, None, None) if kind == 'name' else (None, p, None) for _, (kind, p) in merged]
            if draw(st.booleans()):
                fragments = [(name, a, ids[k]) for name, a, _ in fragments]
            else:
                at = draw(st.integers(0, len(fragments) - 1))
                name, a, _ = fragments[at]
                fragments[at] = (name, a, ids[k])
        per_call.append(fragments)

    interleaved = draw(interleavings(per_call))
    if starts_in_index_order:
        first_seen: list[int] = []
        for k, _ in interleaved:
            if k not in first_seen:
                first_seen.append(k)
        index_of = {k: i for i, k in enumerate(first_seen)}
    else:
        index_of = dict(enumerate(draw(st.permutations(range(n)))))
    call_of_index = {i: k for k, i in index_of.items()}
    calls = [ToolCallPart(names[k], args[k], tool_call_id=ids[k]) for k in (call_of_index[i] for i in range(n))]
    deltas = [ToolDelta(index_of[k], name, a, call_id) for k, (name, a, call_id) in interleaved]
    return ToolCallStream(calls, deltas)


def feed_tool_deltas(stream: ToolCallStream) -> tuple[ModelResponsePartsManager, list[ModelResponseStreamEvent]]:
    manager = ModelResponsePartsManager()
    events: list[ModelResponseStreamEvent] = []
    for d in stream.deltas:
        events += manager.handle_tool_call_delta(
            vendor_part_id=d.index, tool_name=d.name, args=d.args, tool_call_id=d.call_id
        )
    return manager, events


def assert_same_calls(parts: Sequence[ModelResponsePart], expected: Sequence[ToolCallPart]) -> None:
    assert list(parts) == list(expected)
    for part, call in zip(parts, expected, strict=True):
        assert isinstance(part, ToolCallPart)
        assert part.args_as_dict() == json.loads(call.args_as_json_str())


@CORE
@given(tool_call_streams(groq_shaped=True))
def test_parts_manager_assembles_groq_shaped_tool_call_fragments_in_index_order(stream: ToolCallStream) -> None:
    manager, events = feed_tool_deltas(stream)

    manager.check_complete()
    assert_same_calls(manager.get_parts(), stream.calls)
    assert replay(events) == stream.calls


@CORE
@given(tool_call_streams(groq_shaped=False))
def test_parts_manager_assembles_any_tool_call_fragments_in_order_of_their_names(stream: ToolCallStream) -> None:
    """Names may be split and arrive after arguments; a call's part starts when its name does (documented)."""
    manager, events = feed_tool_deltas(stream)

    manager.check_complete()
    expected = [stream.calls[i] for i in stream.order_of_first_name()]
    assert_same_calls(manager.get_parts(), expected)
    assert replay(events) == expected


def tool_call_frames(stream: ToolCallStream, groups: Sequence[Sequence[ToolDelta]], text: str) -> list[bytes]:
    chunks = [wire.chat_completion_chunk({'content': text})] if text else []
    for group in groups:
        deltas = [wire.tool_call_delta(d.index, call_id=d.call_id, name=d.name, arguments=d.args) for d in group]
        chunks.append(wire.chat_completion_chunk({'tool_calls': deltas}))
    chunks.append(
        wire.chat_completion_chunk(
            {}, finish_reason='tool_calls', x_groq={'id': 'req_test', 'usage': wire.usage_body(3, 5, timings=False)}
        )
    )
    return wire.sse_frames(chunks)


@st.composite
def groq_tool_call_bodies(
    draw: st.DrawFn, *, groq_shaped: bool, starts_in_index_order: bool = True
) -> tuple[ToolCallStream, list[bytes], str]:
    stream = draw(tool_call_streams(groq_shaped=groq_shaped, starts_in_index_order=starts_in_index_order))
    text = draw(st.text(max_size=20))
    return stream, tool_call_frames(stream, draw(groupings(stream.deltas)), text), text


@END_TO_END
@given(groq_tool_call_bodies(groq_shaped=True))
def test_groq_stream_assembles_fragmented_interleaved_tool_calls_in_index_order(
    case: tuple[ToolCallStream, list[bytes], str],
) -> None:
    stream, frames, text = case

    events, response = run_stream(frames)

    leading: list[ModelResponsePart] = [TextPart(text)] if text else []
    assert response.parts[: len(leading)] == leading
    assert_same_calls(response.parts[len(leading) :], stream.calls)
    assert replay(events) == response.parts


@END_TO_END
@given(groq_tool_call_bodies(groq_shaped=False))
def test_groq_stream_assembles_tool_calls_whose_names_are_split_or_late(
    case: tuple[ToolCallStream, list[bytes], str],
) -> None:
    stream, frames, text = case

    events, response = run_stream(frames)

    leading: list[ModelResponsePart] = [TextPart(text)] if text else []
    expected = [stream.calls[i] for i in stream.order_of_first_name()]
    assert response.parts[: len(leading)] == leading
    assert_same_calls(response.parts[len(leading) :], expected)
    assert replay(events) == response.parts


@END_TO_END
@given(groq_tool_call_bodies(groq_shaped=True, starts_in_index_order=False))
def test_groq_stream_keeps_calls_in_start_order_when_a_higher_index_starts_first(
    case: tuple[ToolCallStream, list[bytes], str],
) -> None:
    """Groq (like every OpenAI-style stream) starts calls in index order, and then "index order" is start order.

    A stream that starts a higher index first still assembles every call exactly; its parts are in the order the
    calls started (named), because an event's index is the part's position the moment it is announced and must
    stay valid. Decision recorded in `pydantic_ai.streaming`'s module docstring.
    """
    stream, frames, text = case

    _, response = run_stream(frames)

    leading: list[ModelResponsePart] = [TextPart(text)] if text else []
    started = [stream.calls[index] for index in stream.order_of_first_name()]
    assert_same_calls(response.parts[len(leading) :], started)


# --- 3. garbage: assembles, or raises a documented exception ----------------------------------------------------------


def raised_only_documented(exc: BaseException) -> None:
    if not isinstance(exc, PydanticAIError):
        raise AssertionError(
            f'undocumented exception escaped: {type(exc).__module__}.{type(exc).__qualname__}: {exc}'
        ) from exc


vendor_ids = st.sampled_from([None, 'content', 0, 1, 2, 'x'])
small_text = st.text(alphabet='ab{}":, ', max_size=6)
text_ops = st.tuples(st.just('text'), vendor_ids, small_text)
tool_delta_ops = st.tuples(
    st.just('tool_delta'),
    vendor_ids,
    st.none() | small_text,
    st.none() | small_text | st.dictionaries(st.sampled_from('abc'), json_scalars, max_size=2),
    st.none() | st.sampled_from(['id1', 'id2', '']),
)
tool_part_ops = st.tuples(
    st.just('tool_part'),
    vendor_ids,
    small_text,
    small_text | st.dictionaries(st.sampled_from('abc'), json_scalars, max_size=2),
    st.none() | st.sampled_from(['id1', 'id2']),
)
tagged_text_ops = st.tuples(st.just('tagged_text'), vendor_ids, st.text(alphabet='<>/think a', max_size=9))
thinking_ops = st.tuples(st.just('thinking'), vendor_ids, small_text)
check_ops = st.tuples(st.sampled_from(['get_parts', 'check_complete', 'finish']))
manager_ops = st.lists(
    text_ops | tagged_text_ops | thinking_ops | tool_delta_ops | tool_part_ops | check_ops, max_size=25
)


def apply_op(manager: ModelResponsePartsManager, op: tuple[Any, ...]) -> list[ModelResponseStreamEvent]:
    kind = op[0]
    if kind == 'text':
        return list(manager.handle_text_delta(vendor_part_id=op[1], content=op[2]))
    if kind == 'tagged_text':
        return list(
            manager.handle_text_delta(vendor_part_id=op[1], content=op[2], thinking_tags=(THINK_START, THINK_END))
        )
    if kind == 'thinking':
        return list(manager.handle_thinking_delta(vendor_part_id=op[1], content=op[2]))
    if kind == 'finish':
        return list(manager.finish())
    if kind == 'tool_delta':
        return list(
            manager.handle_tool_call_delta(vendor_part_id=op[1], tool_name=op[2], args=op[3], tool_call_id=op[4])
        )
    if kind == 'tool_part':
        return list(
            manager.handle_tool_call_part(vendor_part_id=op[1], tool_name=op[2], args=op[3], tool_call_id=op[4])
        )
    if kind == 'get_parts':
        manager.get_parts()
    else:
        manager.check_complete()
    return []


@CORE
@given(manager_ops)
def test_parts_manager_under_arbitrary_calls_raises_only_documented_errors_and_events_match_parts(
    ops: list[tuple[Any, ...]],
) -> None:
    manager = ModelResponsePartsManager()
    events: list[ModelResponseStreamEvent] = []
    for op in ops:
        try:
            events += apply_op(manager, op)
        except Exception as exc:
            raised_only_documented(exc)
            return  # a stream that raised is over
        assert replay(events) == manager.get_parts()


def mutate(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """`value` with one arbitrary spot deleted, replaced by arbitrary JSON, or mutated further down."""
    containers = isinstance(value, (dict, list)) and value
    action = draw(st.sampled_from(['replace', 'delete', 'descend'] if containers else ['replace']))
    if action == 'replace' or depth > 6:
        return draw(json_values)
    if isinstance(value, dict):
        key = draw(st.sampled_from(sorted(value)))
        rest = {k: v for k, v in value.items() if k != key}
        return rest if action == 'delete' else {**rest, key: mutate(draw, value[key], depth + 1)}
    assert isinstance(value, list)
    at = draw(st.integers(0, len(value) - 1))
    if action == 'delete':
        return value[:at] + value[at + 1 :]
    return [*value[:at], mutate(draw, value[at], depth + 1), *value[at + 1 :]]


@st.composite
def plausible_chunks(draw: st.DrawFn) -> dict[str, Any]:
    """A well-formed chunk: text, tool call fragments (any index, id, name, arguments), usage, finish reason."""
    deltas = draw(
        st.lists(
            st.builds(
                wire.tool_call_delta,
                st.integers(0, 2),
                call_id=st.none() | st.sampled_from(['call_a', 'call_b']),
                name=st.none() | st.sampled_from(['f', 'g', '']),
                arguments=st.none() | small_text,
            ),
            max_size=2,
        )
    )
    return wire.chat_completion_chunk(
        {'content': draw(st.none() | small_text), 'tool_calls': deltas or None},
        finish_reason=draw(st.none() | st.sampled_from(['stop', 'tool_calls', 'length', 'weird'])),
        x_groq={'id': 'req_test', 'usage': draw(st.none() | st.just(wire.usage_body(1, 2, timings=False)))},
    )


@st.composite
def garbage_frames(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(['plausible', 'mutated', 'json', 'text', 'error_event', 'done', 'not_utf8', 'comment']))
    if kind == 'plausible':
        return wire.encode_sse(draw(plausible_chunks()))
    if kind == 'mutated':
        return wire.encode_sse(json.dumps(mutate(draw, draw(plausible_chunks()))))
    if kind == 'json':
        return wire.encode_sse(json.dumps(draw(json_values)))
    if kind == 'text':
        return wire.encode_sse(
            draw(st.text(alphabet=string.printable.replace('\n', '').replace('\r', ''), max_size=30))
        )
    if kind == 'error_event':
        return wire.encode_sse(json.dumps(draw(json_values)), event='error')
    if kind == 'done':
        return wire.DONE_FRAME
    if kind == 'not_utf8':
        return b'data: {"choices": [{"delta": {"content": "\xff\xfe"}}]}\n\n'
    return b': keep-alive\n\n'


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(garbage_frames(), max_size=8), st.booleans())
def test_groq_stream_of_garbage_chunks_assembles_or_raises_only_documented_errors(
    frames: list[bytes], done: bool
) -> None:
    try:
        events, response = run_stream([*frames, wire.DONE_FRAME] if done else frames)
    except Exception as exc:
        raised_only_documented(exc)
    else:
        assert replay(events) == response.parts


# --- 4. message history survives a JSON round trip --------------------------------------------------------------------

aware_or_naive_datetimes = st.datetimes(
    min_value=datetime(2, 1, 1),
    max_value=datetime(9998, 12, 31),
    timezones=st.none()
    | st.just(timezone.utc)
    | st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda minutes: timezone(timedelta(minutes=minutes))),
)
optional_text = st.none() | st.text(max_size=20)
media_types = st.sampled_from(['image/png', 'image/jpeg', 'audio/wav', 'application/pdf']) | st.text(max_size=15)
error_details = st.fixed_dictionaries(
    {
        'type': st.text(max_size=10),
        'loc': st.lists(st.integers() | st.text(max_size=6), max_size=3).map(tuple),
        'msg': st.text(max_size=20),
        'input': json_values,
    },
    optional={'ctx': json_objects, 'url': st.text(max_size=20)},
)


def strategy_for(tp: Any) -> st.SearchStrategy[Any]:
    """A strategy for `tp`: a message dataclass (from `FIELD_STRATEGIES`), `str`, or a union of those."""
    if typing.get_args(tp) and typing.get_origin(tp) is not None and not isinstance(tp, type):
        return st.one_of(*(strategy_for(arg) for arg in typing.get_args(tp)))
    if tp is str:
        return st.text(max_size=20)
    return st.deferred(lambda: st.builds(tp, **FIELD_STRATEGIES[tp.__name__]))


user_content = st.deferred(lambda: strategy_for(messages_module.UserContent))
request_parts = st.deferred(lambda: strategy_for(messages_module.ModelRequestPart))
response_parts = st.deferred(lambda: strategy_for(messages_module.ModelResponsePart))

FIELD_STRATEGIES: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    # Every field but the `kind`/`*_kind` discriminators. A new part class or field needs one entry/line here.
    'ImageUrl': {'url': st.text(max_size=40), 'vendor_metadata': st.none() | json_objects},
    'AudioUrl': {'url': st.text(max_size=40)},
    'BinaryContent': {
        'data': st.binary(max_size=64),
        'media_type': media_types,
        'vendor_metadata': st.none() | json_objects,
    },
    'SystemPromptPart': {'content': st.text(), 'dynamic_ref': optional_text},
    'UserPromptPart': {
        'content': st.text() | st.lists(user_content, max_size=4),
        'timestamp': aware_or_naive_datetimes,
    },
    'ToolReturnPart': {
        'tool_name': st.text(max_size=20),
        'content': json_values,
        'tool_call_id': optional_text,
        'timestamp': aware_or_naive_datetimes,
    },
    'RetryPromptPart': {
        'content': st.text() | st.lists(error_details, max_size=3),
        'tool_name': optional_text,
        'tool_call_id': optional_text,
        'timestamp': aware_or_naive_datetimes,
    },
    'ModelRequest': {'parts': st.lists(request_parts, max_size=4)},
    'DocumentCitation': {
        'document_id': st.text(max_size=20),
        'start_index': st.integers(0, 10**6),
        'end_index': st.integers(0, 10**6),
    },
    'ToolResultCitation': {
        'tool_call_id': st.text(max_size=20),
        'start_index': st.integers(0, 10**6),
        'end_index': st.integers(0, 10**6),
    },
    'TextPart': {
        'content': st.text(),
        'citations': st.none() | st.lists(st.deferred(lambda: strategy_for(messages_module.Citation)), max_size=3),
    },
    'ToolCallPart': {
        'tool_name': st.text(max_size=20),
        'args': st.text() | json_objects,
        'tool_call_id': optional_text,
    },
    'ThinkingPart': {
        'content': st.text(),
        'id': optional_text,
        'signature': optional_text,
        'provider_name': optional_text,
    },
    'BuiltinToolCallPart': {
        'tool_name': st.text(max_size=20),
        'args': st.none() | st.text() | json_objects,
        'tool_call_id': optional_text,
        'provider_name': optional_text,
    },
    'BuiltinToolReturnPart': {
        'tool_name': st.text(max_size=20),
        'content': json_values,
        'tool_call_id': optional_text,
        'provider_name': optional_text,
        'timestamp': aware_or_naive_datetimes,
    },
    'ModelResponse': {
        'parts': st.lists(response_parts, max_size=4),
        'model_name': optional_text,
        'timestamp': aware_or_naive_datetimes,
        'usage': st.deferred(lambda: strategy_for(Usage)),
        'provider_name': optional_text,
        'provider_response_id': optional_text,
        'finish_reason': st.none() | st.sampled_from(typing.get_args(messages_module.FinishReason)),
        'provider_details': st.none() | json_objects,
    },
    'Usage': {
        'requests': st.integers(0, 10**6),
        'request_tokens': st.none() | st.integers(0, 10**9),
        'response_tokens': st.none() | st.integers(0, 10**9),
        'total_tokens': st.none() | st.integers(0, 10**9),
        'details': st.none() | st.dictionaries(st.text(max_size=12), st.integers(0, 10**9), max_size=3),
        'timings': st.none()
        | st.dictionaries(st.text(max_size=12), st.floats(0, 1e6, allow_nan=False, allow_infinity=False), max_size=3),
        'cache_read_tokens': st.none() | st.integers(0, 10**9),
    },
}

DISCRIMINATORS = ('kind', 'part_kind', 'citation_kind')


def message_dataclasses() -> dict[str, type]:
    """The dataclasses a conversation is made of: the public ones of `pydantic_ai.messages` (stream deltas and
    events are not stored in a history) and the ones its fields hold (`Usage`)."""
    found: dict[str, type] = {'Usage': Usage}
    for name in messages_module.__all__:
        obj = getattr(messages_module, name)
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and not name.endswith(('Delta', 'Event')):
            found[name] = obj
    return found


def part_classes_defined_in_module() -> dict[str, type]:
    return {
        name: obj
        for name, obj in vars(messages_module).items()
        if isinstance(obj, type) and obj.__module__ == messages_module.__name__ and name.endswith('Part')
    }


def test_every_message_dataclass_has_a_strategy() -> None:
    missing = sorted(set(message_dataclasses()) - set(FIELD_STRATEGIES))
    assert not missing, f'add a FIELD_STRATEGIES entry for {missing} so the round-trip property covers them'
    assert set(FIELD_STRATEGIES) == set(message_dataclasses()), 'FIELD_STRATEGIES names a class that is gone'


def test_every_field_of_every_message_dataclass_has_a_strategy() -> None:
    for name, cls in message_dataclasses().items():
        fields = {f.name for f in dataclasses.fields(cls) if f.name not in DISCRIMINATORS}
        assert fields == set(FIELD_STRATEGIES[name]), f'{name}: fields {sorted(fields)}'


def test_every_part_class_is_exported_and_in_a_part_union() -> None:
    """A `*Part` class the unions leave out could not be stored in a history at all."""
    in_unions = set(typing.get_args(messages_module.ModelRequestPart)) | set(
        typing.get_args(messages_module.ModelResponsePart)
    )
    for name, cls in part_classes_defined_in_module().items():
        assert name in messages_module.__all__, f'{name} is not in pydantic_ai.messages.__all__'
        assert cls in in_unions, f'{name} is in neither ModelRequestPart nor ModelResponsePart'


def strategy_of_every_kind(union: Any) -> st.SearchStrategy[list[Any]]:
    """At least one part of each class of `union`, in any order."""
    return st.tuples(*(strategy_for(cls) for cls in typing.get_args(union))).flatmap(
        lambda parts: st.permutations(list(parts))
    )


conversations = st.lists(strategy_for(ModelMessage), max_size=4)
conversations_with_every_part_kind = st.tuples(
    strategy_of_every_kind(messages_module.ModelRequestPart), strategy_of_every_kind(messages_module.ModelResponsePart)
).map(lambda parts: [ModelRequest(parts[0]), ModelResponse(parts[1])])


def assert_round_trips(history: list[ModelMessage]) -> None:
    dumped = ModelMessagesTypeAdapter.dump_json(history)
    restored = ModelMessagesTypeAdapter.validate_json(dumped)
    assert restored == history
    assert [type(m) for m in restored] == [type(m) for m in history]
    for before, after in zip(history, restored, strict=True):
        assert [type(p) for p in before.parts] == [type(p) for p in after.parts]
        # Field by field: `ModelResponse.__eq__` skips a newer field one side leaves unset, which would hide a loss.
        assert vars(after) == vars(before)


@settings(max_examples=100, deadline=None, database=None)
@given(conversations)
def test_any_message_history_survives_a_json_round_trip_unchanged(history: list[ModelMessage]) -> None:
    assert_round_trips(history)


@settings(max_examples=50, deadline=None, database=None)
@given(conversations_with_every_part_kind)
def test_history_holding_every_part_kind_survives_a_json_round_trip(history: list[ModelMessage]) -> None:
    assert {type(p) for m in history for p in m.parts} == set(part_classes_defined_in_module().values())
    assert_round_trips(history)


@pytest.mark.parametrize('cls_name', sorted(FIELD_STRATEGIES))
def test_strategy_builds_instances_of_its_class(cls_name: str) -> None:
    cls = message_dataclasses()[cls_name]

    @settings(max_examples=5, deadline=None, database=None)
    @given(strategy_for(cls))
    def check(instance: Any) -> None:
        assert type(instance) is cls

    check()
