"""The parts manager: assembles streamed text, thinking and tool-call deltas into response parts.

(Also the public home of `iter_sse`, the server-sent events reader a provider plugin reads its chunks with; see
`pydantic_ai._sse`.)

Provider plugins feed it what each chunk carries, keyed by the provider's own identifier for the part
(`vendor_part_id`: for example `'content'` for the text channel, or a tool call's `index`), and pass on the
events it returns. Every `handle_*` method returns an iterator of events, possibly empty, so a caller always
writes::

    for event in parts_manager.handle_text_delta(vendor_part_id='content', content=chunk_text):
        yield event

Parts are in the order they start: a tool call takes its position when its name first arrives. Providers start
calls in index order, so that is index order; a stream that started a higher index first keeps start order,
because an event's `index` is a part's position when announced and must stay valid.

Empty fragments: text or thinking with no content emits nothing (servers send `""` as a placeholder of a channel).
A tool call's delta is addressed to that call (its vendor part id), so once the call has started every delta fed
for it is one `PartDeltaEvent`, even one that adds nothing (such as the entry of a chunk that only closes the call):
its `ToolCallPartDelta` is then empty, and applying it changes nothing. Consumers see every step the provider made
on a call, as pydantic-ai's own parts manager reports them, so `stream(debounce_by=None)` gives one value per step.

Fragments are kept in lists and joined once, when `get_parts()` is called, so assembling a response of `n`
fragments costs O(n) however finely it is split. Calling `get_parts()` after every event is therefore
O(n) each time; consumers that display partial output should apply the deltas instead.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterator, Sequence
from typing import Any, TypeVar

from typing_extensions import assert_never

from ._sse import iter_sse
from .exceptions import UnexpectedModelBehavior
from .messages import (
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    Citation,
    ModelResponsePart,
    ModelResponseStreamEvent,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ThinkingPartDelta,
    ToolCallPart,
    ToolCallPartDelta,
)

__all__ = ('ModelResponsePartsManager', 'iter_sse')


def _joined(fragments: list[str]) -> str:
    """The fragments as one string, collapsing the list in place so later joins start from it."""
    if len(fragments) > 1:
        fragments[:] = [''.join(fragments)]
    return fragments[0] if fragments else ''


class _TextBuilder:
    __slots__ = ('fragments', 'citations')

    def __init__(self, first: str) -> None:
        self.fragments = [first]
        self.citations: list[Citation] | None = None

    def build(self) -> TextPart:
        return TextPart(_joined(self.fragments), list(self.citations) if self.citations else None)


class _ThinkingBuilder:
    __slots__ = ('fragments', 'id', 'signature', 'provider_name')

    def __init__(self, first: str, id: str | None, signature: str | None, provider_name: str | None) -> None:
        self.fragments = [first]
        self.id = id
        self.signature = signature
        self.provider_name = provider_name

    def build(self) -> ThinkingPart:
        return ThinkingPart(_joined(self.fragments), self.id, self.signature, self.provider_name)


class _CompletePart:
    __slots__ = ('part',)

    def __init__(self, part: BuiltinToolCallPart | BuiltinToolReturnPart) -> None:
        self.part = part

    def build(self) -> BuiltinToolCallPart | BuiltinToolReturnPart:
        return self.part


class _TagSplitter:
    """Splits one text channel into text and thinking at `<think>`-style tags, even when a tag is split across chunks.

    Each stretch between tags gets its own fresh key, so the text after a thinking block is a new part.
    """

    __slots__ = ('start', 'end', 'thinking', 'carry', 'key', 'after_thinking', 'provider_name')

    def __init__(self, tags: tuple[str, str], provider_name: str | None) -> None:
        self.start, self.end = tags
        self.provider_name = provider_name
        self.thinking = False
        self.carry = ''
        self.key: object = object()
        self.after_thinking = False

    def split(self, content: str) -> Iterator[tuple[bool, object, str]]:
        """Yield `(is_thinking, key, text)` pieces of `carry + content`, holding back a possible partial tag."""
        if not self.carry and (self.end if self.thinking else self.start)[0] not in content:
            # The common case, once per chunk: no tag can start in this text.
            if content:
                yield self.thinking, self.key, content
            return
        text = self.carry + content
        self.carry = ''
        while text:
            tag = self.end if self.thinking else self.start
            found = text.find(tag)
            if found >= 0:
                if found:
                    yield self.thinking, self.key, text[:found]
                text = text[found + len(tag) :]
                self.after_thinking = self.thinking
                self.thinking = not self.thinking
                self.key = object()
                continue
            # Hold back the longest suffix that could be the start of the tag; it is decided by the next chunk.
            held = next((n for n in range(min(len(tag) - 1, len(text)), 0, -1) if tag.startswith(text[-n:])), 0)
            if held:
                self.carry = text[-held:]
                text = text[:-held]
            if text:
                yield self.thinking, self.key, text
            return

    def flush(self) -> Iterator[tuple[bool, object, str]]:
        """The held-back text, at the end of the stream: it was not a tag after all."""
        if self.carry:
            carry, self.carry = self.carry, ''
            yield self.thinking, self.key, carry


class _ToolCallBuilder:
    __slots__ = ('name_fragments', 'args_fragments', 'args_dict', 'tool_call_id')

    def __init__(self) -> None:
        self.name_fragments: list[str] = []
        self.args_fragments: list[str] = []
        self.args_dict: dict[str, Any] | None = None
        self.tool_call_id: str | None = None

    @property
    def name(self) -> str:
        return _joined(self.name_fragments)

    def args(self) -> str | dict[str, Any]:
        if self.args_dict is not None:
            return dict(self.args_dict)
        return _joined(self.args_fragments)

    def add(self, tool_name: str | None, args: str | dict[str, Any] | None, tool_call_id: str | None) -> None:
        if tool_name:
            self.name_fragments.append(tool_name)
        if args:
            is_str = isinstance(args, str)
            if (is_str and self.args_dict is not None) or (not is_str and self.args_fragments):
                raise UnexpectedModelBehavior(
                    f'Tool call {self.name or "(unnamed)"!r} mixes JSON-string and dict argument deltas'
                )
            if isinstance(args, str):
                self.args_fragments.append(args)
            else:
                self.args_dict = {**(self.args_dict or {}), **args}
        if tool_call_id:
            if self.tool_call_id is None:
                self.tool_call_id = tool_call_id
            elif tool_call_id != self.tool_call_id:
                raise UnexpectedModelBehavior(
                    f'Tool call {self.name or "(unnamed)"!r} received a second, different id: '
                    f'{self.tool_call_id!r} then {tool_call_id!r}'
                )

    def build(self) -> ToolCallPart:
        return ToolCallPart(tool_name=self.name, args=self.args(), tool_call_id=self.tool_call_id)


_Builder = _TextBuilder | _ThinkingBuilder | _ToolCallBuilder | _CompletePart
_FragmentsT = TypeVar('_FragmentsT', _TextBuilder, _ThinkingBuilder)


def _describe(builder: _Builder | None) -> str:
    """What a part is, in words, for error messages (`None`: a tool call still waiting for its name)."""
    if isinstance(builder, _TextBuilder):
        return 'text'
    if isinstance(builder, _ThinkingBuilder):
        return 'thinking'
    if isinstance(builder, _CompletePart):
        return 'a built-in tool part'
    if builder is None or isinstance(builder, _ToolCallBuilder):
        return 'a tool call'
    assert_never(builder)


class ModelResponsePartsManager:
    """Turns a provider's streamed deltas into `ModelResponse` parts and stream events.

    A new manager is empty; a `StreamedResponse` owns one for the life of the stream. The `index` of every event
    is the part's position in `get_parts()`.
    """

    __slots__ = ('_builders', '_index_by_vendor_id', '_pending', '_splitters')

    def __init__(self) -> None:
        self._builders: list[_Builder] = []
        """The parts so far, in order; a tool call joins only once its name is known."""
        self._index_by_vendor_id: dict[Hashable, int] = {}
        self._pending: dict[Hashable | None, _ToolCallBuilder] = {}
        """Tool calls whose fragments arrived before their name, by vendor part id; they have no index yet."""
        self._splitters: dict[Hashable | None, _TagSplitter] = {}
        """Text channels split at thinking tags, by vendor part id."""

    def get_parts(self) -> list[ModelResponsePart]:
        """The parts assembled so far, in order.

        A tool call whose name has not arrived yet is left out (no event announced it either); see
        `check_complete()`.
        """
        return [builder.build() for builder in self._builders]

    def finish(self) -> Iterator[ModelResponseStreamEvent]:
        """End the stream: emit text held back as a possible partial thinking tag, then `check_complete()`.

        Raises:
            UnexpectedModelBehavior: see `check_complete()`.
        """
        yield from self._flush_held_text()
        self.check_complete()

    def _flush_held_text(self) -> Iterator[ModelResponseStreamEvent]:
        """Emit the text the tag splitters hold back as a possible partial tag: it was not a tag after all.

        Called at the end of the stream, and before a part of another kind starts (a tool call, a built-in tool's
        part): a tag does not continue across another part, and the text goes where it arrived, before that part.
        """
        for splitter in self._splitters.values():
            for thinking, key, text in splitter.flush():
                if thinking:
                    yield from self.handle_thinking_delta(
                        vendor_part_id=key, content=text, provider_name=splitter.provider_name
                    )
                else:
                    yield from self.handle_text_delta(vendor_part_id=key, content=text)

    def check_complete(self) -> None:
        """Raise if the stream left a tool call that never received its name.

        `finish()` calls this; call it directly when no thinking tags were used.

        Raises:
            UnexpectedModelBehavior: a tool call delta arrived but no delta ever named the tool.
        """
        if self._pending:
            vendor_part_id, builder = next(iter(self._pending.items()))
            args = builder.args()
            raise UnexpectedModelBehavior(
                f'The stream ended with a tool call (vendor part id {vendor_part_id!r}) that never received '
                'a tool name',
                args if isinstance(args, str) else json.dumps(args),
            )

    def handle_text_delta(
        self,
        *,
        vendor_part_id: Hashable | None,
        content: str,
        thinking_tags: tuple[str, str] | None = None,
        provider_name: str | None = None,
    ) -> Iterator[ModelResponseStreamEvent]:
        """Add text to the part for `vendor_part_id`, starting a new `TextPart` if there is none.

        With `vendor_part_id=None` the text extends the latest part when that is text, else starts a new one.
        Empty text produces no event.

        With `thinking_tags` (for example `('<think>', '</think>')`), text between the tags becomes `ThinkingPart`s
        and the text around them `TextPart`s, also when a tag is split across chunks; call `finish()` at the end
        of the stream to emit text held back as a possible partial tag. Whitespace between a closing tag and the
        answer is dropped, so the answer does not start with blank lines. `provider_name` is recorded on those
        thinking parts.

        Raises:
            UnexpectedModelBehavior: `vendor_part_id` already names a part that is not text.
        """
        if thinking_tags is not None:
            yield from self._handle_tagged_text(vendor_part_id, content, thinking_tags, provider_name)
            return
        if not content:
            return
        index, builder = self._find(vendor_part_id, _TextBuilder, 'Text', 'text')
        if builder is None:
            yield self._start(vendor_part_id, _TextBuilder(content))
        else:
            builder.fragments.append(content)
            yield PartDeltaEvent(index=index, delta=TextPartDelta(content))

    def _find(
        self, vendor_part_id: Hashable | None, kind: type[_FragmentsT], what: str, expected: str
    ) -> tuple[int, _FragmentsT | None]:
        """The part that more fragments of `kind` for `vendor_part_id` extend, and its index; `None` for a new part.

        Raises:
            UnexpectedModelBehavior: `vendor_part_id` names a part of another kind.
        """
        if vendor_part_id is None:
            index = len(self._builders) - 1
            latest = self._builders[index] if self._builders else None
            return index, latest if isinstance(latest, kind) else None
        index = self._index_by_vendor_id.get(vendor_part_id, -1)
        builder = self._builders[index] if index >= 0 else None
        if isinstance(builder, kind) and vendor_part_id not in self._pending:
            return index, builder
        if builder is None and vendor_part_id not in self._pending:
            return index, None
        raise UnexpectedModelBehavior(
            f'{what} arrived for vendor part id {vendor_part_id!r}, which is {_describe(builder)}, not {expected}'
        )

    def _start(self, vendor_part_id: Hashable | None, builder: _Builder) -> PartStartEvent:
        """Append a new part (its position is its index) and announce it."""
        index = len(self._builders)
        self._builders.append(builder)
        if vendor_part_id is not None:
            self._index_by_vendor_id[vendor_part_id] = index
        return PartStartEvent(index=index, part=builder.build())

    def _handle_tagged_text(
        self, vendor_part_id: Hashable | None, content: str, tags: tuple[str, str], provider_name: str | None
    ) -> Iterator[ModelResponseStreamEvent]:
        splitter = self._splitters.get(vendor_part_id)
        if splitter is None:
            splitter = self._splitters[vendor_part_id] = _TagSplitter(tags, provider_name)
        for thinking, key, text in splitter.split(content):
            if thinking:
                yield from self.handle_thinking_delta(vendor_part_id=key, content=text, provider_name=provider_name)
                continue
            if splitter.after_thinking and key not in self._index_by_vendor_id:
                text = text.lstrip()
                if not text:
                    continue
            yield from self.handle_text_delta(vendor_part_id=key, content=text)

    def handle_thinking_delta(
        self,
        *,
        vendor_part_id: Hashable | None,
        content: str | None = None,
        id: str | None = None,
        signature: str | None = None,
        provider_name: str | None = None,
    ) -> Iterator[ModelResponseStreamEvent]:
        """Add reasoning to the `ThinkingPart` for `vendor_part_id`, starting one if there is none.

        With `vendor_part_id=None` the reasoning extends the latest part when that is thinking. Empty content
        produces no event.

        Raises:
            UnexpectedModelBehavior: `vendor_part_id` already names a part that is not thinking.
        """
        if not content:
            return
        index, builder = self._find(vendor_part_id, _ThinkingBuilder, 'Reasoning', 'thinking')
        if builder is None:
            yield self._start(vendor_part_id, _ThinkingBuilder(content, id, signature, provider_name))
        else:
            builder.fragments.append(content)
            yield PartDeltaEvent(index=index, delta=ThinkingPartDelta(content))

    def handle_part(
        self, *, vendor_part_id: Hashable | None, part: BuiltinToolCallPart | BuiltinToolReturnPart
    ) -> Iterator[ModelResponseStreamEvent]:
        """Add a complete part that does not stream in fragments (a built-in tool's call or its result)."""
        yield from self._flush_held_text()
        yield self._start(vendor_part_id, _CompletePart(part))

    def handle_citations(self, *, index: int, citations: Sequence[Citation]) -> Iterator[ModelResponseStreamEvent]:
        """Attach `citations` to the `TextPart` at `index` (its position in `get_parts()`).

        Providers that report citations separately from the text (often only once the text is complete) call this;
        the event is a `PartDeltaEvent` whose `TextPartDelta` has no text and carries the citations. No citations
        produce no event.

        Raises:
            UnexpectedModelBehavior: there is no part at `index`, or it is not text.
        """
        if not citations:
            return
        builder = self._builders[index] if 0 <= index < len(self._builders) else None
        if not isinstance(builder, _TextBuilder):
            raise UnexpectedModelBehavior(
                f'Citations arrived for part {index}, which is {_describe(builder) if builder else "missing"}, not text'
            )
        added = list(citations)
        builder.citations = [*(builder.citations or ()), *added]
        yield PartDeltaEvent(index=index, delta=TextPartDelta('', citations_delta=added))

    def handle_tool_call_delta(
        self,
        *,
        vendor_part_id: Hashable | None,
        tool_name: str | None,
        args: str | dict[str, Any] | None,
        tool_call_id: str | None,
    ) -> Iterator[ModelResponseStreamEvent]:
        """Add a fragment of a tool call: part of its name, part of its arguments, and/or its id.

        Fragments may arrive in any split and the name may come after argument fragments; the `PartStartEvent`
        is emitted once the name is known (carrying everything received so far), then one `PartDeltaEvent` per
        delta, also for a delta that adds nothing (an empty `ToolCallPartDelta`; see the module's docstring).
        With `vendor_part_id=None` the fragment extends the latest part when that is a tool call.

        Raises:
            UnexpectedModelBehavior: `vendor_part_id` names a text part, a second different id arrives, or
                string and dict arguments are mixed.
        """
        builder: _Builder | None
        if vendor_part_id is None:
            index = len(self._builders) - 1
            builder = self._builders[index] if self._builders else None
            if not isinstance(builder, _ToolCallBuilder) or None in self._pending:
                builder = None
        else:
            index = self._index_by_vendor_id.get(vendor_part_id, -1)
            builder = self._builders[index] if index >= 0 else None
            if builder is not None and not isinstance(builder, _ToolCallBuilder):
                raise UnexpectedModelBehavior(
                    f'A tool call delta arrived for vendor part id {vendor_part_id!r}, which is '
                    f'{_describe(builder)}, not a tool call'
                )

        if builder is not None:
            builder.add(tool_name, args, tool_call_id)
            delta = ToolCallPartDelta(
                tool_name_delta=tool_name or None, args_delta=args or None, tool_call_id=tool_call_id or None
            )
            yield PartDeltaEvent(index=index, delta=delta)
            return

        pending = self._pending.get(vendor_part_id)
        if pending is None:
            pending = _ToolCallBuilder()
        pending.add(tool_name, args, tool_call_id)
        if not pending.name_fragments:
            self._pending[vendor_part_id] = pending
            return
        self._pending.pop(vendor_part_id, None)
        yield from self._start_tool_call(vendor_part_id, pending)

    def handle_tool_call_part(
        self,
        *,
        vendor_part_id: Hashable | None,
        tool_name: str,
        args: str | dict[str, Any],
        tool_call_id: str | None = None,
    ) -> Iterator[ModelResponseStreamEvent]:
        """Add a complete tool call as a new part (for providers that send whole calls, not fragments)."""
        builder = _ToolCallBuilder()
        builder.add(tool_name, args, tool_call_id)
        yield from self._start_tool_call(vendor_part_id, builder)

    def _start_tool_call(
        self, vendor_part_id: Hashable | None, builder: _ToolCallBuilder
    ) -> Iterator[ModelResponseStreamEvent]:
        yield from self._flush_held_text()
        yield self._start(vendor_part_id, builder)
