"""`GroqStreamedResponse`: Groq's streamed chat-completion chunks as core stream events."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic_ai.messages import ModelResponseStreamEvent
from pydantic_ai.models import StreamedResponse

from ._errors import map_api_errors
from ._translate import map_usage
from .model_names import GroqModelName

if TYPE_CHECKING:
    from groq.types.chat import ChatCompletionChunk

__all__ = ('GroqStreamedResponse',)


@dataclass
class GroqStreamedResponse(StreamedResponse):
    """Implementation of `StreamedResponse` for Groq models.

    Text arrives on the `'content'` channel; each tool call on the channel of its `index`, its name, id and
    argument fragments split in any way. Usage is read from each chunk's `x_groq.usage` (or its top-level `usage`
    when that is absent) and summed. Errors while iterating are raised as `pydantic_ai.exceptions` types; the
    parts received before the error stay available through `get()`.
    """

    _model_name: GroqModelName
    _response: AsyncIterable[ChatCompletionChunk]
    _timestamp: datetime

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        parts = self._parts_manager
        with map_api_errors(self._model_name):
            async for chunk in self._response:
                x_groq = chunk.x_groq
                usage = x_groq.usage if x_groq is not None and x_groq.usage is not None else chunk.usage
                if usage is not None:
                    self._usage.incr(map_usage(usage, requests=0))
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta
                if delta.content:
                    for event in parts.handle_text_delta(vendor_part_id='content', content=delta.content):
                        yield event
                for call in delta.tool_calls or ():
                    function = call.function
                    for event in parts.handle_tool_call_delta(
                        vendor_part_id=call.index,
                        tool_name=function.name if function is not None else None,
                        args=function.arguments if function is not None else None,
                        tool_call_id=call.id,
                    ):
                        yield event
        parts.check_complete()

    async def aclose(self) -> None:
        """Stop the event iterator and the chunk iterator beneath it."""
        await super().aclose()
        if isinstance(self._response, AsyncGenerator):
            await self._response.aclose()

    @property
    def model_name(self) -> GroqModelName:
        """The name of the model that is answering, as Groq reports it."""
        return self._model_name

    @property
    def timestamp(self) -> datetime:
        """When Groq created the response (its first chunk's `created`)."""
        return self._timestamp
