"""What crosses a durable boundary: the inputs and outputs of model-request, tool-call and batch steps, as pydantic.

Both engines record these as JSON (Temporal through its pydantic payload converter, DBOS as the JSON text a step
returns), so a recorded step reads back the same in any process, and no user type is pickled. A tool's return value
is recorded in its JSON form; the run loop uses that form whether the step ran now or was replayed, so a run that
resumed after a crash builds exactly the messages the uninterrupted run would have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, TypeAdapter
from pydantic_core import PydanticSerializationError, to_jsonable_python

from ..batch import BatchItem, BatchItemUnfinished, BatchResult
from ..builtin_tools import AbstractBuiltinTool
from ..exceptions import (
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    PydanticAIError,
    UnexpectedModelBehavior,
    UserError,
)
from ..messages import ModelMessage, ModelResponse, UserContent
from ..models import ModelRequestParameters
from ..output import OutputMode, OutputObjectDefinition
from ..settings import ModelSettings
from ..tools import ToolDefinition
from ..usage import Usage, UsageLimits

__all__ = (
    'BatchItemPayload',
    'BatchJobPayload',
    'BatchResultPayload',
    'BatchResultsAdapter',
    'BatchWorkflowInput',
    'ModelRequestInput',
    'ModelRequestOutput',
    'RunInput',
    'RunOutput',
    'ToolCallInput',
    'ToolCallOutput',
    'jsonable_tool_value',
)

Messages = list[Annotated[ModelMessage, Discriminator('kind')]]


class _Payload(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=False, extra='forbid')


class RequestParametersPayload(_Payload):
    """`ModelRequestParameters`, with built-in tools as their JSON (rebuilt by their `kind`)."""

    function_tools: list[ToolDefinition]
    allow_text_result: bool
    result_tools: list[ToolDefinition]
    output_mode: OutputMode
    output_object: OutputObjectDefinition | None
    prompted_output_template: str | Literal[False] | None
    builtin_tools: list[dict[str, Any]]

    @classmethod
    def of(cls, parameters: ModelRequestParameters) -> RequestParametersPayload:
        """The payload of `parameters`."""
        return cls(
            function_tools=parameters.function_tools,
            allow_text_result=parameters.allow_text_result,
            result_tools=parameters.result_tools,
            output_mode=parameters.output_mode,
            output_object=parameters.output_object,
            prompted_output_template=parameters.prompted_output_template,
            builtin_tools=[asdict(tool) for tool in parameters.builtin_tools],
        )

    def parameters(self) -> ModelRequestParameters:
        """The `ModelRequestParameters` again."""
        return ModelRequestParameters(
            function_tools=list(self.function_tools),
            allow_text_result=self.allow_text_result,
            result_tools=list(self.result_tools),
            output_mode=self.output_mode,
            output_object=self.output_object,
            prompted_output_template=self.prompted_output_template,
            builtin_tools=[_builtin_tool(data) for data in self.builtin_tools],
        )


def _builtin_tool(data: dict[str, Any]) -> AbstractBuiltinTool:
    kinds = {getattr(cls, 'kind', None): cls for cls in _subclasses(AbstractBuiltinTool)}
    cls = kinds.get(data.get('kind'))
    if cls is None:
        raise UserError(
            f'Unknown built-in tool kind {data.get("kind")!r}: the worker runs another version of the code.'
        )
    return cls(**data)


def _subclasses(cls: type[AbstractBuiltinTool]) -> list[type[AbstractBuiltinTool]]:
    found: list[type[AbstractBuiltinTool]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


class ModelRequestInput(_Payload):
    """One model request: the conversation, the settings and the request parameters."""

    messages: Messages
    settings: dict[str, Any] | None
    parameters: RequestParametersPayload

    @classmethod
    def of(
        cls, messages: list[ModelMessage], settings: ModelSettings | None, parameters: ModelRequestParameters
    ) -> ModelRequestInput:
        """The payload of a request.

        Built without validation: the run loop's messages are typed already, and validating the whole conversation
        again before each request would cost time in proportion to its length. The payload is validated where it is
        read back (the activity's input).
        """
        return cls.model_construct(
            messages=messages,
            settings=dict(settings) if settings is not None else None,
            parameters=RequestParametersPayload.of(parameters),
        )

    def model_settings(self) -> ModelSettings | None:
        """The settings, typed again."""
        return ModelSettings(**self.settings) if self.settings is not None else None  # type: ignore[typeddict-item]


class ModelRequestOutput(_Payload):
    """What a model request step returns: the response, its usage, and when it arrived (the run's clock after it)."""

    response: ModelResponse
    usage: Usage
    received_at: datetime


class ToolCallInput(_Payload):
    """One tool call (the arguments as the model sent them) and the run context the tool sees, except `deps`."""

    tool_name: str
    args: str | dict[str, Any]
    tool_call_id: str | None
    retry: int
    run_step: int
    usage: Usage


class ToolCallOutput(_Payload):
    """What a tool call step returns: the tool's value (its JSON form), or the message of the `ModelRetry` it raised."""

    value: Any = None
    retry: str | None = None


def jsonable_tool_value(tool_name: str, value: Any) -> Any:
    """`value` in its JSON form, as recorded; a tool whose value has no JSON form is a `UserError` naming it."""
    try:
        return to_jsonable_python(value)
    except PydanticSerializationError as exc:
        raise UserError(
            f'Tool {tool_name!r} returned a {type(value).__name__}, which cannot be recorded by a durable run: return '
            'a value pydantic can serialize (str, numbers, lists, dicts, dataclasses, pydantic models).'
        ) from exc


class RunInput(_Payload):
    """A durable run's arguments (`deps` as its JSON; it is validated against the agent's `deps_type`)."""

    user_prompt: str | list[UserContent]
    message_history: Messages | None
    deps: Any
    model_settings: dict[str, Any] | None
    usage_limits: UsageLimits | None
    usage: Usage | None
    started_at: datetime


class RunOutput(_Payload):
    """A durable run's result (`data` as its JSON; it is validated against the agent's `result_type`)."""

    messages: Messages
    new_message_index: int
    data: Any
    result_tool_name: str | None
    usage: Usage


class BatchItemPayload(_Payload):
    """One `BatchItem`."""

    messages: Messages
    custom_id: str | None
    model_settings: dict[str, Any] | None
    parameters: RequestParametersPayload | None

    @classmethod
    def of(cls, item: BatchItem) -> BatchItemPayload:
        """The payload of `item`."""
        parameters = item.model_request_parameters
        return cls(
            messages=list(item.messages),
            custom_id=item.custom_id,
            model_settings=dict(item.model_settings) if item.model_settings is not None else None,
            parameters=RequestParametersPayload.of(parameters) if parameters is not None else None,
        )

    def item(self) -> BatchItem:
        """The `BatchItem` again."""
        settings = ModelSettings(**self.model_settings) if self.model_settings is not None else None  # type: ignore[typeddict-item]
        parameters = self.parameters.parameters() if self.parameters is not None else None
        return BatchItem(list(self.messages), self.custom_id, settings, parameters)


class BatchJobPayload(_Payload):
    """A submitted batch: what its wait step needs to follow and collect it."""

    batch_id: str
    custom_ids: list[str]


class BatchWorkflowInput(_Payload):
    """A durable batch's arguments."""

    items: list[BatchItemPayload]
    metadata: dict[str, str] | None
    poll_interval: float
    timeout: float | None


class _ErrorPayload(_Payload):
    """An error of this library, as its class name, `args` and attributes (what its pickle holds, in JSON)."""

    type: str
    args: list[Any]
    state: dict[str, Any]


class BatchResultPayload(_Payload):
    """One `BatchResult`, its error as the fields that rebuild it."""

    custom_id: str
    response: ModelResponse | None
    error: _ErrorPayload | None

    @classmethod
    def of(cls, result: BatchResult) -> BatchResultPayload:
        """The payload of `result`."""
        return cls(custom_id=result.custom_id, response=result.response, error=_error_payload(result.error))

    def result(self) -> BatchResult:
        """The `BatchResult` again."""
        return BatchResult(self.custom_id, self.response, _error(self.error) if self.error is not None else None)


# The errors a batch result can carry; anything else comes back as an `UnexpectedModelBehavior` with its text.
_BATCH_ERRORS: dict[str, type[PydanticAIError]] = {
    cls.__name__: cls
    for cls in (ModelHTTPError, ModelAPIError, ModelConnectionError, BatchItemUnfinished, UnexpectedModelBehavior)
}


def _error_payload(error: Exception | None) -> _ErrorPayload | None:
    if error is None:
        return None
    if type(error).__name__ in _BATCH_ERRORS and isinstance(error, PydanticAIError):
        return _ErrorPayload(
            type=type(error).__name__,
            args=to_jsonable_python(list(error.args), fallback=repr),
            state=to_jsonable_python(vars(error), fallback=repr),
        )
    return _ErrorPayload(type=UnexpectedModelBehavior.__name__, args=[str(error)], state={'message': str(error)})


def _error(payload: _ErrorPayload) -> Exception:
    cls = _BATCH_ERRORS.get(payload.type, UnexpectedModelBehavior)
    error = cls.__new__(cls)
    error.args = tuple(payload.args)
    vars(error).update(payload.state)
    return error


BatchResultsAdapter: TypeAdapter[list[BatchResultPayload]] = TypeAdapter(list[BatchResultPayload])


def batch_results(payloads: Sequence[BatchResultPayload]) -> list[BatchResult]:
    """The `BatchResult`s of recorded payloads."""
    return [payload.result() for payload in payloads]
