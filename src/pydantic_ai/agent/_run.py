"""One agent run: the loop of model requests, tool calls, retries and result validation.

A run alternates requests and responses. Each response is handled once: tool calls are run (concurrently, results
in call order), a result tool's call or a text answer is validated into the result, and failures go back to the
model as `RetryPromptPart`s until the tool's (or the result's) retries are used up. `Agent.run` and
`Agent.run_stream` drive the same `AgentRun`; only how a response is obtained differs.

The run's `RunExecutor` (see `pydantic_ai.agent._executor`) performs its model requests and tool calls and gives
the timestamps of the parts built here, so that a durable-execution engine can record them; the loop itself does no
I/O and reads no clock.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from .._output import ResultSchema, ResultTool, ResultValidator
from ..builtin_tools import AbstractBuiltinTool
from ..exceptions import ModelRetry, UnexpectedModelBehavior, UserError
from ..messages import (
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from ..models import Model, ModelRequestParameters
from ..result import FinalResult
from ..settings import ModelSettings
from ..tools import RunContext, Tool, ToolDefinition
from ..usage import Usage, UsageLimits
from ._executor import RunExecutor

__all__ = ('AgentRun', 'FinalResult', 'EndStrategy', 'SystemPromptRunner')

EndStrategy = Literal['early', 'exhaustive']
"""What happens to the other tool calls of the response that holds the final result: skipped, or run too."""

NOT_EXECUTED = 'Tool not executed - a final result was already processed.'
RESULT_PROCESSED = 'Final result processed.'
RESULT_NOT_USED = 'Result tool not used - a final result was already processed.'
RESULT_INVALID = 'Result tool not used - result failed validation.'
_TEXT_NOT_ALLOWED = 'Plain text responses are not permitted, please call one of the functions instead.'


@dataclass
class SystemPromptRunner:
    """A system prompt function, with or without `RunContext`, sync or async; `ref` is set for dynamic ones."""

    function: Callable[..., Any]
    ref: str | None

    def __post_init__(self) -> None:
        from .._function_schema import first_param_is_run_context

        self.takes_ctx = first_param_is_run_context(self.function)

    async def run(self, ctx: RunContext[Any]) -> str:
        """The prompt's text."""
        value = self.function(ctx) if self.takes_ctx else self.function()
        if inspect.isawaitable(value):
            value = await value
        if not isinstance(value, str):
            raise UserError(f'System prompt function {self.function.__name__!r} must return a str, got {value!r}.')
        return value


@dataclass
class AgentRun:
    """The state of one run: conversation, usage, retry counters, and the agent's configuration for it."""

    model: Model
    deps: Any
    prompt: str | Sequence[UserContent]
    settings: ModelSettings | None
    usage_limits: UsageLimits
    usage: Usage
    schema: ResultSchema
    tools: dict[str, Tool[Any]]
    validators: list[ResultValidator[Any]]
    default_retries: int
    result_retries: int
    end_strategy: EndStrategy
    messages: list[ModelMessage]
    run_step: int = 0
    result_retry: int = 0
    tool_retries: dict[str, int] = field(default_factory=dict)
    offered: dict[str, Tool[Any]] = field(default_factory=dict)
    """The function tools offered in the latest request, by the name they were offered under."""
    builtin_tools: Sequence[AbstractBuiltinTool] = ()
    """The built-in tools offered in every request (run by the provider)."""
    executor: RunExecutor = field(default_factory=RunExecutor)
    """Performs the run's model requests and tool calls, and gives the parts' timestamps."""

    def context(self, **changes: Any) -> RunContext[Any]:
        """The `RunContext` tools, prompts and validators receive."""
        return RunContext(
            deps=self.deps,
            model=self.model,
            usage=self.usage,
            prompt=self.prompt,
            messages=self.messages,
            run_step=self.run_step,
            **changes,
        )

    async def start(
        self, system_prompts: Sequence[str], prompt_functions: Sequence[SystemPromptRunner], has_history: bool
    ) -> None:
        """Append the first request: system prompts (unless continuing a conversation) and the user prompt."""
        ctx = self.context()
        parts: list[ModelRequestPart] = []
        if has_history:
            await self._refresh_dynamic_prompts(prompt_functions, ctx)
        else:
            parts.extend(SystemPromptPart(prompt) for prompt in system_prompts)
            for runner in prompt_functions:
                parts.append(SystemPromptPart(await runner.run(ctx), dynamic_ref=runner.ref))
        parts.append(UserPromptPart(self.prompt, timestamp=self.executor.now()))
        self.messages.append(ModelRequest(parts))

    async def _refresh_dynamic_prompts(
        self, prompt_functions: Sequence[SystemPromptRunner], ctx: RunContext[Any]
    ) -> None:
        dynamic = {runner.ref: runner for runner in prompt_functions if runner.ref is not None}
        if not dynamic:
            return
        for message in self.messages:
            if isinstance(message, ModelRequest):
                for index, part in enumerate(message.parts):
                    if isinstance(part, SystemPromptPart) and part.dynamic_ref in dynamic:
                        runner = dynamic[part.dynamic_ref]
                        message.parts[index] = SystemPromptPart(await runner.run(ctx), dynamic_ref=runner.ref)

    async def next_parameters(self) -> ModelRequestParameters:
        """Count the step, check the request limit and prepare the tools offered in the next request."""
        self.usage_limits.check_before_request(self.usage)
        self.run_step += 1
        ctx = self.context()
        offered: dict[str, Tool[Any]] = {}
        tool_defs: list[ToolDefinition] = []
        for tool in self.tools.values():
            if tool.prepare is None and type(tool).prepare_tool_def is Tool.prepare_tool_def:
                tool_def: ToolDefinition | None = tool.tool_def()
            else:
                tool_ctx = ctx.replace_with(tool_name=tool.name, retry=self.tool_retries.get(tool.name, 0))
                tool_def = await tool.prepare_tool_def(tool_ctx)
            if tool_def is not None:
                offered[tool_def.name] = tool
                tool_defs.append(tool_def)
        self.offered = offered
        parameters = self.schema.request_parameters(tool_defs)
        parameters.builtin_tools = list(self.builtin_tools)
        return parameters

    async def request(self, parameters: ModelRequestParameters) -> tuple[ModelResponse, Usage]:
        """Send the conversation through the run's executor; the response and this request's usage."""
        return await self.executor.request(self.model, self.messages, self.settings, parameters)

    def add_response(self, response: ModelResponse, usage: Usage) -> None:
        """Record a response and its usage, and check the token limits."""
        self.messages.append(response)
        self.usage.incr(usage)
        self.usage_limits.check_tokens(self.usage)

    async def handle_response(self, response: ModelResponse) -> FinalResult | None:
        """Handle the response's tool calls or text; append the next request; return the result if there is one.

        Raises:
            UnexpectedModelBehavior: the response is empty, or retries are used up.
        """
        calls = [part for part in response.parts if isinstance(part, ToolCallPart)]
        if calls:
            return await self._handle_calls(calls)
        text = ''.join(part.content for part in response.parts if isinstance(part, TextPart))
        if not text:
            raise UnexpectedModelBehavior('Received empty model response')
        if not (self.schema.allow_text or self.schema.native is not None):
            self._count_result_retry(_TEXT_NOT_ALLOWED)
            self.messages.append(ModelRequest([RetryPromptPart(_TEXT_NOT_ALLOWED, timestamp=self.executor.now())]))
            return None
        try:
            data = await self.validate_result(self.schema.validate_text(text), None, None)
        except (ValidationError, ModelRetry) as exc:
            self.messages.append(ModelRequest([self._result_retry_part(exc, None, None)]))
            return None
        return FinalResult(data)

    async def validate_result(self, data: Any, tool_name: str | None, tool_call_id: str | None) -> Any:
        """Run the result validators in order, each on the previous one's output."""
        if self.validators:
            ctx = self.context(tool_name=tool_name, tool_call_id=tool_call_id, retry=self.result_retry)
            for validator in self.validators:
                data = await validator.validate(data, ctx)
        return data

    async def _handle_calls(self, calls: list[ToolCallPart]) -> FinalResult | None:
        """The original API's order: result tool calls are validated in turn until one passes, then the rest."""
        final: FinalResult | None = None
        retry_parts: list[ModelRequestPart] = []
        for call in calls:
            result_tool = self.schema.tools.get(call.tool_name)
            if result_tool is None:
                continue
            final, retry_part = await self._validate_result_call(call, result_tool)
            if final is not None:
                break
            if retry_part is not None:
                retry_parts.append(retry_part)
        parts = await self.answer_calls(calls, final)
        if final is not None:
            if parts:
                self.messages.append(ModelRequest(parts))
            return final
        self.messages.append(ModelRequest([*retry_parts, *parts]))
        return None

    async def answer_calls(self, calls: list[ToolCallPart], final: FinalResult | None) -> list[ModelRequestPart]:
        """The parts answering `calls` given the final result (if any): stubs first, then the tools' returns.

        The result call that gave `final` is `'Final result processed.'`; other result calls are not used; function
        tools run (concurrently), unless a final result was found and `end_strategy` is `'early'`; unknown tools get
        a retry prompt. Parts that need no tool run come in call order, followed by the run tools' parts in call
        order, as the original API orders them.
        """
        stub_tools = final is not None and self.end_strategy == 'early'
        used_final = False
        parts: list[ModelRequestPart] = []
        to_run: list[ToolCallPart] = []
        for call in calls:
            name = call.tool_name
            if (
                final is not None
                and not used_final
                and name == final.tool_name
                and call.tool_call_id == final.tool_call_id
            ):
                used_final = True
                parts.append(ToolReturnPart(name, RESULT_PROCESSED, call.tool_call_id, self.executor.now()))
            elif name in self.offered:
                if stub_tools:
                    parts.append(ToolReturnPart(name, NOT_EXECUTED, call.tool_call_id, self.executor.now()))
                else:
                    to_run.append(call)
            elif name in self.schema.tools:
                if final is not None:
                    content = RESULT_NOT_USED if used_final else RESULT_INVALID
                    parts.append(ToolReturnPart(name, content, call.tool_call_id, self.executor.now()))
            else:
                parts.append(self._unknown_tool(call))
        parts.extend(await self.run_tools(to_run))
        return parts

    def _unknown_tool(self, call: ToolCallPart) -> RetryPromptPart:
        """The retry prompt answering a call of a tool that was not offered, worded as the original API words it.

        A call with an id is answered as a tool message for that id (`tool_name` and `tool_call_id` set): chat APIs
        reject a conversation in which a tool call with an id has no tool message answering it. The original API
        answered every such call with a plain retry prompt; a call without an id still gets one.
        """
        self._count_result_retry(f'Unknown tool name: {call.tool_name!r}')
        names = [*self.offered, *self.schema.tools]
        available = f'Available tools: {", ".join(names)}' if names else 'No tools available.'
        content = f'Unknown tool name: {call.tool_name!r}. {available}'
        if call.tool_call_id is None:
            return RetryPromptPart(content, timestamp=self.executor.now())
        return RetryPromptPart(
            content, tool_name=call.tool_name, tool_call_id=call.tool_call_id, timestamp=self.executor.now()
        )

    async def _validate_result_call(
        self, call: ToolCallPart, result_tool: ResultTool
    ) -> tuple[FinalResult | None, RetryPromptPart | None]:
        try:
            data = result_tool.validate(call.args)
            data = await self.validate_result(data, call.tool_name, call.tool_call_id)
        except (ValidationError, ModelRetry) as exc:
            return None, self._result_retry_part(exc, call.tool_name, call.tool_call_id)
        return FinalResult(data, call.tool_name, call.tool_call_id), None

    def _result_retry_part(
        self, exc: ValidationError | ModelRetry, tool_name: str | None, tool_call_id: str | None
    ) -> RetryPromptPart:
        content: Any = exc.message if isinstance(exc, ModelRetry) else _errors(exc)
        self._count_result_retry(str(exc), exc)
        return RetryPromptPart(content, tool_name=tool_name, tool_call_id=tool_call_id, timestamp=self.executor.now())

    def _count_result_retry(self, error: str, cause: BaseException | None = None) -> None:
        self.result_retry += 1
        if self.result_retry > self.result_retries:
            raise UnexpectedModelBehavior(
                f'Exceeded maximum retries ({self.result_retries}) for result validation; last error: {error}'
            ) from cause

    async def run_tools(self, calls: list[ToolCallPart]) -> list[ModelRequestPart]:
        """Run function tool calls concurrently; their return (or retry) parts in call order."""
        if not calls:
            return []
        if len(calls) == 1:
            return [await self._run_tool(calls[0])]
        tasks = [asyncio.ensure_future(self._run_tool(call)) for call in calls]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for task in tasks:
                if not task.done():
                    task.cancel()
        # Wait for the cancelled ones to finish, so every outcome is retrieved; the first failure in call order wins.
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError):
                raise outcome
        return [task.result() for task in tasks]

    async def _run_tool(self, call: ToolCallPart) -> ModelRequestPart:
        name = call.tool_name
        tool = self.offered[name]
        try:
            positional, keywords = tool.schema.validate(call.args)
        except ValidationError as exc:
            return self._tool_retry(tool, call, _errors(exc), exc)
        ctx = self.context(tool_name=name, tool_call_id=call.tool_call_id, retry=self.tool_retries.get(name, 0))
        try:
            value = await self.executor.call_tool(tool, call, ctx, positional, keywords)
        except ModelRetry as exc:
            return self._tool_retry(tool, call, exc.message, exc)
        except Exception as exc:
            _add_note(exc, f'raised by tool {name!r} (tool call id {call.tool_call_id!r})')
            raise
        self.tool_retries.pop(name, None)
        return ToolReturnPart(name, value, call.tool_call_id, self.executor.now())

    def _tool_retry(self, tool: Tool[Any], call: ToolCallPart, content: Any, cause: Exception) -> RetryPromptPart:
        count = self.tool_retries[tool.name] = self.tool_retries.get(tool.name, 0) + 1
        limit = tool.max_retries if tool.max_retries is not None else self.default_retries
        if count > limit:
            raise UnexpectedModelBehavior(
                f'Tool {tool.name!r} exceeded max retries count of {limit}; last error: {cause}'
            ) from cause
        return RetryPromptPart(
            content, tool_name=tool.name, tool_call_id=call.tool_call_id, timestamp=self.executor.now()
        )


def _errors(exc: ValidationError) -> Any:
    return exc.errors(include_url=False, include_context=False)


def _add_note(exc: BaseException, note: str) -> None:
    add_note = getattr(exc, 'add_note', None)
    if add_note is not None:
        add_note(note)
    else:  # Python 3.10: the attribute is read by tools that know it; the traceback shows it from 3.11
        notes = getattr(exc, '__notes__', None)
        if not isinstance(notes, list):
            notes = []
            exc.__notes__ = notes  # type: ignore[attr-defined]
        notes.append(note)
