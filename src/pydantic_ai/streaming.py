"""The parts manager: assembles streamed text and tool-call deltas into response parts.

Provider plugins feed it what each chunk carries, keyed by the provider's own identifier for the part
(`vendor_part_id`: for example `'content'` for the text channel, or a tool call's `index`), and pass on the
events it returns. Every `handle_*` method returns an iterator of events, possibly empty, so a caller always
writes::

    for event in parts_manager.handle_text_delta(vendor_part_id='content', content=chunk_text):
        yield event

Fragments are kept in lists and joined once, when `get_parts()` is called, so assembling a response of `n`
fragments costs O(n) however finely it is split. Calling `get_parts()` after every event is therefore
O(n) each time; consumers that display partial output should apply the deltas instead.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterator
from typing import Any

from .exceptions import UnexpectedModelBehavior
from .messages import (
    ModelResponsePart,
    ModelResponseStreamEvent,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ToolCallPart,
    ToolCallPartDelta,
)

__all__ = ('ModelResponsePartsManager',)


def _joined(fragments: list[str]) -> str:
    """The fragments as one string, collapsing the list in place so later joins start from it."""
    if len(fragments) > 1:
        fragments[:] = [''.join(fragments)]
    return fragments[0] if fragments else ''


class _TextBuilder:
    __slots__ = ('fragments',)

    def __init__(self, first: str) -> None:
        self.fragments = [first]

    def build(self) -> TextPart:
        return TextPart(_joined(self.fragments))


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


class ModelResponsePartsManager:
    """Turns a provider's streamed deltas into `ModelResponse` parts and stream events.

    A new manager is empty; a `StreamedResponse` owns one for the life of the stream. The `index` of every event
    is the part's position in `get_parts()`.
    """

    __slots__ = ('_builders', '_index_by_vendor_id', '_pending')

    def __init__(self) -> None:
        self._builders: list[_TextBuilder | _ToolCallBuilder] = []
        """The parts so far, in order; a tool call joins only once its name is known."""
        self._index_by_vendor_id: dict[Hashable, int] = {}
        self._pending: dict[Hashable | None, _ToolCallBuilder] = {}
        """Tool calls whose fragments arrived before their name, by vendor part id; they have no index yet."""

    def get_parts(self) -> list[ModelResponsePart]:
        """The parts assembled so far, in order.

        A tool call whose name has not arrived yet is left out (no event announced it either); see
        `check_complete()`.
        """
        return [builder.build() for builder in self._builders]

    def check_complete(self) -> None:
        """Raise if the stream left a tool call that never received its name.

        Call this when the provider's stream has ended.

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

    def handle_text_delta(self, *, vendor_part_id: Hashable | None, content: str) -> Iterator[ModelResponseStreamEvent]:
        """Add text to the part for `vendor_part_id`, starting a new `TextPart` if there is none.

        With `vendor_part_id=None` the text extends the latest part when that is text, else starts a new one.
        Empty text produces no event.

        Raises:
            UnexpectedModelBehavior: `vendor_part_id` already names a part that is not text.
        """
        if not content:
            return
        builder: _TextBuilder | _ToolCallBuilder | None
        if vendor_part_id is None:
            index = len(self._builders) - 1
            builder = self._builders[index] if self._builders else None
            if not isinstance(builder, _TextBuilder):
                builder = None
        else:
            index = self._index_by_vendor_id.get(vendor_part_id, -1)
            builder = self._builders[index] if index >= 0 else None
            if (builder is not None and not isinstance(builder, _TextBuilder)) or vendor_part_id in self._pending:
                raise UnexpectedModelBehavior(
                    f'Text arrived for vendor part id {vendor_part_id!r}, which is a tool call, not text'
                )
        if builder is None:
            index = len(self._builders)
            self._builders.append(_TextBuilder(content))
            if vendor_part_id is not None:
                self._index_by_vendor_id[vendor_part_id] = index
            yield PartStartEvent(index=index, part=TextPart(content))
        else:
            builder.fragments.append(content)
            yield PartDeltaEvent(index=index, delta=TextPartDelta(content))

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
        is emitted once the name is known (carrying everything received so far), `PartDeltaEvent`s after that.
        With `vendor_part_id=None` the fragment extends the latest part when that is a tool call.

        Raises:
            UnexpectedModelBehavior: `vendor_part_id` names a text part, a second different id arrives, or
                string and dict arguments are mixed.
        """
        builder: _TextBuilder | _ToolCallBuilder | None
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
                    f'A tool call delta arrived for vendor part id {vendor_part_id!r}, which is text'
                )

        if builder is not None:
            if not (tool_name or args or (tool_call_id and tool_call_id != builder.tool_call_id)):
                return
            builder.add(tool_name, args, tool_call_id)
            delta = ToolCallPartDelta(
                tool_name_delta=tool_name or None, args_delta=args or None, tool_call_id=tool_call_id
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

    def _start_tool_call(self, vendor_part_id: Hashable | None, builder: _ToolCallBuilder) -> Iterator[PartStartEvent]:
        index = len(self._builders)
        self._builders.append(builder)
        if vendor_part_id is not None:
            self._index_by_vendor_id[vendor_part_id] = index
        yield PartStartEvent(index=index, part=builder.build())
