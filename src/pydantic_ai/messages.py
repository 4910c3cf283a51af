"""The conversation: request and response messages, their parts, and the deltas and events of a stream.

A conversation is a list of `ModelMessage`s, alternating `ModelRequest` (what we send: system prompt, user
prompt, tool returns, retry prompts) and `ModelResponse` (what the model answered: text and tool calls).
Every class here is a plain dataclass with a `*_kind` literal field, so a conversation survives a JSON round
trip through `ModelMessagesTypeAdapter` unchanged. Fields added after the original API (pydantic-ai v0.0.40) with a
`None` default (`vendor_metadata`, a response's `provider_name`, `provider_response_id`, `finish_reason`,
`provider_details`) are left out of the JSON while `None` (lossless: reading it back gives `None`).

While a response streams in, the parts manager (`pydantic_ai.streaming`) turns provider chunks into
`PartStartEvent`s (a new part) and `PartDeltaEvent`s (a `TextPartDelta` or `ToolCallPartDelta` applied to the
part at that index).
"""

from __future__ import annotations

import base64
import json
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias

# pydantic needs typing_extensions' TypedDict, not typing's, on Python < 3.12 to build the type adapter.
from typing_extensions import (
    NotRequired,
    TypedDict,  # noqa: UP035
)

from ._serialization import schema_omitting_none
from .exceptions import UnexpectedModelBehavior
from .usage import Usage

if TYPE_CHECKING:
    from pydantic import TypeAdapter

__all__ = (
    'ErrorDetails',
    'ImageUrl',
    'AudioUrl',
    'BinaryContent',
    'UserContent',
    'SystemPromptPart',
    'UserPromptPart',
    'ToolReturnPart',
    'RetryPromptPart',
    'ModelRequestPart',
    'ModelRequest',
    'DocumentCitation',
    'ToolResultCitation',
    'Citation',
    'TextPart',
    'ThinkingPart',
    'ToolCallPart',
    'BuiltinToolCallPart',
    'BuiltinToolReturnPart',
    'ModelResponsePart',
    'FinishReason',
    'ModelResponse',
    'ModelMessage',
    'ModelMessagesTypeAdapter',
    'TextPartDelta',
    'ThinkingPartDelta',
    'ToolCallPartDelta',
    'ModelResponsePartDelta',
    'PartStartEvent',
    'PartDeltaEvent',
    'ModelResponseStreamEvent',
)


def _now_utc() -> datetime:
    return datetime.now(tz=timezone.utc)


class ErrorDetails(TypedDict):
    """One validation error, in the shape `pydantic.ValidationError.errors()` returns."""

    type: str
    loc: tuple[int | str, ...]
    msg: str
    input: Any
    ctx: NotRequired[dict[str, Any]]
    url: NotRequired[str]


@dataclass
class ImageUrl:
    """An image the model should fetch from a URL."""

    url: str
    """The image's URL (`https://...`)."""
    vendor_metadata: dict[str, Any] | None = None
    """Provider-specific options for this image, for example `{'detail': 'high'}` (each provider documents the keys
    it reads)."""
    kind: Literal['image-url'] = 'image-url'
    """Discriminator for serialization."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        return schema_omitting_none(handler(source), 'vendor_metadata')

    @property
    def media_type(self) -> str:
        """The media type guessed from the URL's extension, `image/*` when unknown."""
        guessed, _ = mimetypes.guess_type(self.url.split('?', 1)[0])
        return guessed if guessed and guessed.startswith('image/') else 'image/*'


@dataclass
class AudioUrl:
    """An audio file the model should fetch from a URL (the original API's name; no provider here reads it yet)."""

    url: str
    """The audio file's URL (`https://...`)."""
    kind: Literal['audio-url'] = 'audio-url'
    """Discriminator for serialization."""

    @property
    def media_type(self) -> str:
        """The media type guessed from the URL's extension, `audio/*` when unknown."""
        guessed, _ = mimetypes.guess_type(self.url.split('?', 1)[0])
        return guessed if guessed and guessed.startswith('audio/') else 'audio/*'


@dataclass(repr=False)
class BinaryContent:
    """Inline binary content (an image, audio clip or document) sent as bytes."""

    data: bytes
    """The raw bytes."""
    media_type: str
    """The media type, such as `image/png` or `audio/wav`."""
    vendor_metadata: dict[str, Any] | None = None
    """Provider-specific options for this content, for example `{'detail': 'low'}` for an image (each provider
    documents the keys it reads)."""
    kind: Literal['binary'] = 'binary'
    """Discriminator for serialization."""

    # Bytes go through JSON as base64, so any content survives a round trip.
    __pydantic_config__: ClassVar[dict[str, str]] = {'ser_json_bytes': 'base64', 'val_json_bytes': 'base64'}

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        return schema_omitting_none(handler(source), 'vendor_metadata')

    @property
    def is_image(self) -> bool:
        """Whether the content is an image."""
        return self.media_type.startswith('image/')

    @property
    def is_audio(self) -> bool:
        """Whether the content is audio."""
        return self.media_type.startswith('audio/')

    @property
    def data_uri(self) -> str:
        """The content as a `data:` URI (base64)."""
        return f'data:{self.media_type};base64,{base64.b64encode(self.data).decode("ascii")}'

    def __repr__(self) -> str:
        return f'BinaryContent(media_type={self.media_type!r}, data=<{len(self.data)} bytes>)'


UserContent: TypeAlias = str | ImageUrl | AudioUrl | BinaryContent
"""One item of a user prompt: text, an image or audio URL, or inline binary content."""


@dataclass
class SystemPromptPart:
    """Instructions for the model, sent with the `system` role."""

    content: str
    """The instructions."""
    dynamic_ref: str | None = None
    """An identifier for prompts that are re-computed each run; unused by models."""
    part_kind: Literal['system-prompt'] = 'system-prompt'
    """Discriminator for serialization."""


@dataclass
class UserPromptPart:
    """What the user said: text, or a sequence of text, images and other content."""

    content: str | Sequence[UserContent]
    """The prompt."""
    timestamp: datetime = field(default_factory=_now_utc)
    """When the prompt was made."""
    part_kind: Literal['user-prompt'] = 'user-prompt'
    """Discriminator for serialization."""


@dataclass
class ToolReturnPart:
    """The result of a tool call, sent back to the model."""

    tool_name: str
    """The name of the tool that was called."""
    content: Any
    """What the tool returned: a string is sent as-is, anything else as JSON."""
    tool_call_id: str | None = None
    """The id of the tool call this answers; most APIs require it."""
    timestamp: datetime = field(default_factory=_now_utc)
    """When the tool returned."""
    part_kind: Literal['tool-return'] = 'tool-return'
    """Discriminator for serialization."""

    def model_response_str(self) -> str:
        """The content as the string sent to the model: strings unchanged, anything else as JSON."""
        if isinstance(self.content, str):
            return self.content
        from pydantic_core import to_json

        return to_json(self.content).decode()

    def model_response_object(self) -> dict[str, Any]:
        """The content as a JSON object: a dict unchanged, anything else wrapped as `{'return_value': ...}`."""
        if isinstance(self.content, dict):
            return self.content
        return {'return_value': self.content}


@dataclass
class RetryPromptPart:
    """A request for the model to try again: its tool call or answer failed validation, or a tool asked to retry.

    Sent as a tool message when `tool_name` is set (the failed call is identified by `tool_call_id`), otherwise as
    a user message.
    """

    content: list[ErrorDetails] | str
    """The validation errors, or a plain explanation."""
    tool_name: str | None = None
    """The tool whose call is being retried; `None` when the plain answer is being retried."""
    tool_call_id: str | None = None
    """The id of the tool call being retried."""
    timestamp: datetime = field(default_factory=_now_utc)
    """When the retry was requested."""
    part_kind: Literal['retry-prompt'] = 'retry-prompt'
    """Discriminator for serialization."""

    def model_response(self) -> str:
        """The text sent to the model: the explanation or the errors, and a request to fix them."""
        if isinstance(self.content, str):
            description = self.content
        else:
            errors = [{k: v for k, v in error.items() if k != 'url'} for error in self.content]
            # Worded as the original API words it ('1 validation errors'): models and users' tests see this text.
            description = f'{len(errors)} validation errors: {json.dumps(errors, indent=2, default=str)}'
        return f'{description}\n\nFix the errors and try again.'


ModelRequestPart: TypeAlias = SystemPromptPart | UserPromptPart | ToolReturnPart | RetryPromptPart
"""A part of a request to the model."""


@dataclass
class ModelRequest:
    """A message we send to the model."""

    parts: list[ModelRequestPart]
    """The parts, sent in order."""
    kind: Literal['request'] = 'request'
    """Discriminator for serialization."""

    @classmethod
    def user_text_prompt(cls, prompt: str, *, system_prompt: str | None = None) -> ModelRequest:
        """A request holding one user prompt, preceded by a system prompt when given."""
        parts: list[ModelRequestPart] = [SystemPromptPart(system_prompt)] if system_prompt is not None else []
        parts.append(UserPromptPart(prompt))
        return cls(parts)


@dataclass
class DocumentCitation:
    """A span of a `TextPart` that cites a document sent with the request.

    `start_index` and `end_index` are character offsets in the cited `TextPart`'s `content` (end exclusive).
    """

    document_id: str
    """The id of the cited document, as it was given in the request."""
    start_index: int
    """Where the cited span starts in the text part's content."""
    end_index: int
    """Where the cited span ends in the text part's content (exclusive)."""
    citation_kind: Literal['document'] = 'document'
    """Discriminator for serialization."""


@dataclass
class ToolResultCitation:
    """A span of a `TextPart` that cites the result of a tool call made in the conversation.

    `start_index` and `end_index` are character offsets in the cited `TextPart`'s `content` (end exclusive).
    """

    tool_call_id: str
    """The id of the tool call whose result is cited (a `ToolCallPart`'s or a `BuiltinToolCallPart`'s)."""
    start_index: int
    """Where the cited span starts in the text part's content."""
    end_index: int
    """Where the cited span ends in the text part's content (exclusive)."""
    citation_kind: Literal['tool_result'] = 'tool_result'
    """Discriminator for serialization."""


Citation: TypeAlias = DocumentCitation | ToolResultCitation
"""Where a span of the model's text comes from; `citation_kind` tells the kinds apart."""


@dataclass(repr=False)
class TextPart:
    """Text the model answered, with the citations the provider attached to it, if any."""

    content: str
    """The text."""
    citations: list[Citation] | None = None
    """Spans of `content` backed by a source (a document of the request, a tool result); `None` when the provider
    cited nothing."""
    part_kind: Literal['text'] = 'text'
    """Discriminator for serialization."""

    def has_content(self) -> bool:
        """Whether the text is non-empty."""
        return bool(self.content)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        return schema_omitting_none(handler(source), 'citations')

    def __repr__(self) -> str:
        # Citations are shown only when there are some, so uncited text reads as it always has.
        cited = f', citations={self.citations!r}' if self.citations is not None else ''
        return f'TextPart(content={self.content!r}{cited}, part_kind={self.part_kind!r})'


@dataclass
class ToolCallPart:
    """A call the model asked us to make to one of the tools it was given."""

    tool_name: str
    """The tool to call."""
    args: str | dict[str, Any]
    """The arguments: a JSON string as the model produced it, or an already-parsed dict."""
    tool_call_id: str | None = None
    """The provider's id for this call; a `ToolReturnPart` answering it carries the same id."""
    part_kind: Literal['tool-call'] = 'tool-call'
    """Discriminator for serialization."""

    def args_as_dict(self) -> dict[str, Any]:
        """The arguments as a dict, parsing the JSON string if needed.

        Raises:
            UnexpectedModelBehavior: the arguments are not a JSON object.
        """
        if isinstance(self.args, dict):
            return self.args
        if not self.args:
            return {}
        try:
            parsed = json.loads(self.args)
        except ValueError as exc:
            raise UnexpectedModelBehavior(
                f'Arguments of the call to tool {self.tool_name!r} are not valid JSON: {exc}', self.args
            ) from exc
        if not isinstance(parsed, dict):
            raise UnexpectedModelBehavior(
                f'Arguments of the call to tool {self.tool_name!r} are JSON but not an object', self.args
            )
        return parsed

    def args_as_json_str(self) -> str:
        """The arguments as a JSON string, serializing the dict if needed."""
        if isinstance(self.args, str):
            return self.args or '{}'
        return json.dumps(self.args, ensure_ascii=False)

    def has_content(self) -> bool:
        """Whether there are any arguments."""
        return bool(self.args)


@dataclass
class ThinkingPart:
    """The model's reasoning before it answered, as the provider returned it.

    Reasoning comes from a separate field of the response (a `reasoning` field, say) or from `<think>...</think>` tags
    inside the text, which are split out into this part.
    """

    content: str
    """The reasoning text."""
    id: str | None = None
    """The provider's id for this reasoning, when it gives one."""
    signature: str | None = None
    """A provider signature that must accompany the reasoning when it is sent back, when there is one."""
    provider_name: str | None = None
    """The provider that produced the reasoning; only that provider may be sent it back verbatim."""
    part_kind: Literal['thinking'] = 'thinking'
    """Discriminator for serialization."""

    def has_content(self) -> bool:
        """Whether the reasoning is non-empty."""
        return bool(self.content)


@dataclass
class BuiltinToolCallPart:
    """A call the provider made itself to one of its built-in tools (for example web search), not ours to run."""

    tool_name: str
    """The built-in tool, such as `'web_search'`."""
    args: str | dict[str, Any] | None = None
    """The arguments the provider called it with: a JSON string or a dict."""
    tool_call_id: str | None = None
    """The provider's id for this call; the matching `BuiltinToolReturnPart` carries the same id."""
    provider_name: str | None = None
    """The provider that ran the tool."""
    part_kind: Literal['builtin-tool-call'] = 'builtin-tool-call'
    """Discriminator for serialization."""


@dataclass
class BuiltinToolReturnPart:
    """What one of the provider's built-in tools returned (for example web search results)."""

    tool_name: str
    """The built-in tool, such as `'web_search'`."""
    content: Any
    """The tool's output, as the provider reported it (JSON-like data)."""
    tool_call_id: str | None = None
    """The id of the `BuiltinToolCallPart` this answers."""
    provider_name: str | None = None
    """The provider that ran the tool."""
    timestamp: datetime = field(default_factory=_now_utc)
    """When the result was received."""
    part_kind: Literal['builtin-tool-return'] = 'builtin-tool-return'
    """Discriminator for serialization."""


ModelResponsePart: TypeAlias = TextPart | ThinkingPart | ToolCallPart | BuiltinToolCallPart | BuiltinToolReturnPart
"""A part of the model's response."""

FinishReason: TypeAlias = Literal['stop', 'length', 'content_filter', 'tool_call', 'error']
"""Why the model stopped, normalised across providers; the provider's own value is kept in `provider_details`.

`stop`: a natural end or a stop sequence. `length`: the token limit. `content_filter`: the provider's filter.
`tool_call`: the model called tools. `error`: the provider reported an error in the generation (for example a
malformed tool call) and the parts are what could be recovered.
"""


@dataclass(eq=False)
class ModelResponse:
    """A message the model answered with.

    Equality compares the parts, model name and timestamp, as the original API's `ModelResponse` had only those;
    each of the newer fields (`usage`, `provider_name`, `provider_response_id`, `finish_reason`,
    `provider_details`) is compared only when both responses have it set (not its default). So an expected response
    written without them, as code and tests for the original API write it, equals a response that carries them,
    while two responses that both report, say, a usage must report the same one. The price: equality is not
    transitive (a bare response equals two responses that differ from each other in a newer field), and responses
    are unhashable. To compare everything, compare `vars(a) == vars(b)`.
    """

    parts: list[ModelResponsePart]
    """The parts, in the order the model produced them."""
    model_name: str | None = None
    """The name of the model that answered, as the provider reports it."""
    timestamp: datetime = field(default_factory=_now_utc)
    """When the response was made: the provider's timestamp where it gives one."""
    usage: Usage = field(default_factory=Usage)
    """The usage of the request that produced this response (the same counts `Model.request` returns)."""
    provider_name: str | None = None
    """The provider that answered (the model's `system`), such as `'acme'`, or a gateway's own name."""
    provider_response_id: str | None = None
    """The provider's id for this response (such as `chatcmpl-...`), for support requests and tracing."""
    finish_reason: FinishReason | None = None
    """Why the model stopped, normalised; `None` when the provider did not say."""
    provider_details: dict[str, Any] | None = None
    """Provider-specific information: the raw finish reason (`'finish_reason'`), request ids, error details."""
    kind: Literal['response'] = 'response'
    """Discriminator for serialization."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelResponse):
            return NotImplemented
        if (self.parts, self.model_name, self.timestamp, self.kind) != (
            other.parts,
            other.model_name,
            other.timestamp,
            other.kind,
        ):
            return False
        for name in _RESPONSE_METADATA:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != _UNSET_METADATA[name] and theirs != _UNSET_METADATA[name] and mine != theirs:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        return schema_omitting_none(handler(source), *_OMITTED_WHEN_NONE)


_RESPONSE_METADATA = ('usage', 'provider_name', 'provider_response_id', 'finish_reason', 'provider_details')
# Serialized only when set (see `pydantic_ai._serialization`); `usage` is always kept: it is the run's record.
_OMITTED_WHEN_NONE = ('provider_name', 'provider_response_id', 'finish_reason', 'provider_details')
_UNSET_METADATA: dict[str, Any] = {
    'usage': Usage(),
    'provider_name': None,
    'provider_response_id': None,
    'finish_reason': None,
    'provider_details': None,
}


ModelMessage: TypeAlias = ModelRequest | ModelResponse
"""A message of the conversation: a request or a response. `kind` tells them apart."""


@dataclass
class TextPartDelta:
    """More text, or more citations, for the `TextPart` at the event's index."""

    content_delta: str
    """The text to append (empty when the delta only brings citations)."""
    citations_delta: list[Citation] | None = None
    """Citations to add to the part, when the delta brings any."""
    part_delta_kind: Literal['text'] = 'text'
    """Discriminator for serialization."""

    def apply(self, part: ModelResponsePart) -> TextPart:
        """Return `part` with this delta applied.

        Raises:
            UnexpectedModelBehavior: `part` is not a `TextPart`.
        """
        if not isinstance(part, TextPart):
            raise UnexpectedModelBehavior(f'Cannot apply a text delta to {type(part).__name__}')
        citations = part.citations
        if self.citations_delta:
            citations = [*(citations or ()), *self.citations_delta]
        return TextPart(part.content + self.content_delta, citations)


@dataclass
class ToolCallPartDelta:
    """More of the `ToolCallPart` at the event's index: name and argument fragments, and its id."""

    tool_name_delta: str | None = None
    """Text to append to the tool name."""
    args_delta: str | dict[str, Any] | None = None
    """A JSON fragment to append to the arguments, or a dict to merge into them."""
    tool_call_id: str | None = None
    """The call's id, when this delta carries it."""
    part_delta_kind: Literal['tool_call'] = 'tool_call'
    """Discriminator for serialization."""

    def apply(self, part: ModelResponsePart) -> ToolCallPart:
        """Return `part` with this delta applied.

        Raises:
            UnexpectedModelBehavior: `part` is not a `ToolCallPart`, or string and dict arguments are mixed.
        """
        if not isinstance(part, ToolCallPart):
            raise UnexpectedModelBehavior(f'Cannot apply a tool call delta to {type(part).__name__}')
        args = part.args
        if self.args_delta is not None:
            if isinstance(args, str) and isinstance(self.args_delta, str):
                args = args + self.args_delta
            elif isinstance(args, dict) and isinstance(self.args_delta, dict):
                args = {**args, **self.args_delta}
            elif not args:
                args = self.args_delta
            else:
                raise UnexpectedModelBehavior(
                    f'Cannot mix JSON-string and dict arguments in the call to tool {part.tool_name!r}'
                )
        return ToolCallPart(
            tool_name=part.tool_name + (self.tool_name_delta or ''),
            args=args,
            tool_call_id=self.tool_call_id or part.tool_call_id,
        )


@dataclass
class ThinkingPartDelta:
    """More reasoning for the `ThinkingPart` at the event's index."""

    content_delta: str
    """The reasoning text to append."""
    part_delta_kind: Literal['thinking'] = 'thinking'
    """Discriminator for serialization."""

    def apply(self, part: ModelResponsePart) -> ThinkingPart:
        """Return `part` with this delta applied.

        Raises:
            UnexpectedModelBehavior: `part` is not a `ThinkingPart`.
        """
        if not isinstance(part, ThinkingPart):
            raise UnexpectedModelBehavior(f'Cannot apply a thinking delta to {type(part).__name__}')
        return ThinkingPart(part.content + self.content_delta, part.id, part.signature, part.provider_name)


ModelResponsePartDelta: TypeAlias = TextPartDelta | ThinkingPartDelta | ToolCallPartDelta
"""A change to a part of a streamed response."""


@dataclass
class PartStartEvent:
    """A new part starts at `index` of the streamed response."""

    index: int
    """The part's index in the response's parts."""
    part: ModelResponsePart
    """The part as first seen."""
    event_kind: Literal['part_start'] = 'part_start'
    """Discriminator for serialization."""


@dataclass
class PartDeltaEvent:
    """The part at `index` of the streamed response grew."""

    index: int
    """The index of the part the delta applies to."""
    delta: ModelResponsePartDelta
    """The change."""
    event_kind: Literal['part_delta'] = 'part_delta'
    """Discriminator for serialization."""


ModelResponseStreamEvent: TypeAlias = PartStartEvent | PartDeltaEvent
"""An event of a streamed response."""


_type_adapter: TypeAdapter[list[ModelMessage]] | None = None


def _messages_type_adapter() -> TypeAdapter[list[ModelMessage]]:
    # Built on first use: importing pydantic and building the schema costs more than the rest of this package.
    global _type_adapter
    if _type_adapter is None:
        from typing import Annotated

        from pydantic import Discriminator, TypeAdapter

        _type_adapter = TypeAdapter(list[Annotated[ModelMessage, Discriminator('kind')]])
    return _type_adapter


def __getattr__(name: str) -> Any:
    if name == 'ModelMessagesTypeAdapter':
        return _messages_type_adapter()
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


if TYPE_CHECKING:
    ModelMessagesTypeAdapter: TypeAdapter[list[ModelMessage]]
    """Validates and serializes a conversation (`list[ModelMessage]`) to and from JSON or Python objects.

    `ModelMessagesTypeAdapter.dump_json(messages)` and `ModelMessagesTypeAdapter.validate_json(data)` round-trip a
    conversation unchanged. The adapter is built on first access.
    """
