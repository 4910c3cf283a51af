"""`Agent`: Python functions as tools, a validated result, retries and usage limits, over any provider's model.

```python
from pydantic import BaseModel
from pydantic_ai import Agent

class City(BaseModel):
    name: str
    country: str

agent = Agent('acme:large-1', result_type=City, system_prompt='Be concise.')

@agent.tool_plain
def population(city: str) -> int:
    \"\"\"The population of a city.\"\"\"
    return 8_900_000

result = agent.run_sync('Which city is the capital of the UK?')
print(result.data, result.usage())
```

The run loop lives in `pydantic_ai.agent._run`, result handling in `pydantic_ai._output`, tool schemas in
`pydantic_ai._function_schema`, and what a run returns in `pydantic_ai.result`.
"""

from __future__ import annotations

import contextvars
import copy
import inspect
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, Generic, overload

from typing_extensions import TypeVar

from .._output import ResultSchema, ResultValidator, build_result_schema
from ..builtin_tools import AbstractBuiltinTool
from ..exceptions import UnexpectedModelBehavior, UserError
from ..messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    PartStartEvent,
    TextPart,
    ToolCallPart,
    UserContent,
)
from ..models import Model, infer_model
from ..output import OutputMode
from ..result import RunResult, StreamedRunResult, is_final_part
from ..settings import ModelSettings, merge_model_settings
from ..tools import Tool, ToolFuncEither, ToolPrepareFunc
from ..usage import Usage, UsageLimits
from ._executor import RunExecutor, current_executor, use_executor
from ._run import (
    AgentRun,
    EndStrategy,
    FinalResult,
    SystemPromptRunner,
)

# What users need: the agent and its run options, and the seam a durable-execution engine installs its executor at
# (`RunExecutor`, `use_executor`; see `pydantic_ai.durable_exec`). The run loop's own types stay in `_run`.
__all__ = ('Agent', 'capture_run_messages', 'EndStrategy', 'RunExecutor', 'use_executor')

AgentDepsT = TypeVar('AgentDepsT', default=None)
ResultDataT = TypeVar('ResultDataT', default=str)
FuncT = TypeVar('FuncT', bound=Callable[..., Any])


@dataclass
class _CapturedMessages:
    messages: list[ModelMessage]
    used: bool = False


_captured: contextvars.ContextVar[_CapturedMessages | None] = contextvars.ContextVar('captured_messages', default=None)


@contextmanager
def capture_run_messages() -> Iterator[list[ModelMessage]]:
    """Capture the messages of the first agent run in the block, also when it fails.

    ```python
    with capture_run_messages() as messages:
        try:
            agent.run_sync('hello')
        except UnexpectedModelBehavior:
            print(messages)
    ```

    Later runs in the block (and runs of other agents inside a tool of the first) are not captured. Nested blocks
    share the outer block's list.
    """
    current = _captured.get()
    if current is not None:
        yield current.messages
        return
    captured = _CapturedMessages([])
    token = _captured.set(captured)
    try:
        yield captured.messages
    finally:
        _captured.reset(token)


_UNSET: Any = object()
_NONE_TYPE: Any = type(None)


class Agent(Generic[AgentDepsT, ResultDataT]):
    """A model, instructions, tools and a result type: run it with a prompt to get a validated result."""

    def __init__(
        self,
        model: Model | str | None = None,
        *,
        result_type: type[ResultDataT] | Any = str,
        system_prompt: str | Sequence[str] = (),
        deps_type: type[AgentDepsT] = _NONE_TYPE,
        name: str | None = None,
        model_settings: ModelSettings | None = None,
        retries: int = 1,
        result_tool_name: str = 'final_result',
        result_tool_description: str | None = None,
        result_retries: int | None = None,
        tools: Sequence[Tool[AgentDepsT] | ToolFuncEither] = (),
        defer_model_check: bool = False,
        end_strategy: EndStrategy = 'early',
        output_mode: OutputMode = 'tool',
        builtin_tools: Sequence[AbstractBuiltinTool] = (),
    ) -> None:
        """Build an agent.

        Args:
            model: A `Model`, a `'provider:model-name'` string (resolved through the provider registry; `'test'`
                is `TestModel`), or `None` to give the model to each run.
            result_type: The result's type: `str` for text, or a pydantic model, dataclass, `TypedDict`, scalar,
                container or union of these.
            system_prompt: Static system prompts, sent first in every new conversation.
            deps_type: The type of `deps`, which type checkers infer the agent's deps type from (not checked at run
                time); with none, runs take no `deps`.
            name: A name for the agent (used in logs); inferred from the variable name on the first run if unset.
            model_settings: Default settings for every request; a run's settings are merged over them.
            retries: How many retries each tool gets by default.
            result_tool_name: The name of the result tool.
            result_tool_description: The result tool's description; the result type's docstring by default.
            result_retries: How many retries the result gets; `retries` by default.
            tools: Tools, as functions (a `RunContext` first parameter is detected) or `Tool`s.
            defer_model_check: Resolve a model string at the first run instead of now.
            end_strategy: `'early'` skips the other tool calls of the response with the final result;
                `'exhaustive'` runs them too.
            output_mode: `'tool'` (a result tool, the default), or `'native'`/`'json_object'` to have a model
                that supports it answer with JSON text (a single structured result type only).
            builtin_tools: Tools the provider runs itself, offered in every request (see
                `pydantic_ai.builtin_tools`); a model that cannot run one raises `UserError`.

        Raises:
            UserError: an argument cannot work (the message says which and why).
        """
        if end_strategy not in ('early', 'exhaustive'):
            raise UserError(f"`end_strategy` must be 'early' or 'exhaustive', got {end_strategy!r}.")
        if model is None or defer_model_check or isinstance(model, Model):
            self.model: Model | str | None = model
        else:
            self.model = infer_model(model)
        self.name = name
        self.result_type = result_type
        self.deps_type = deps_type
        self.model_settings = model_settings
        self.end_strategy: EndStrategy = end_strategy
        self._default_retries = retries
        self._result_retries = result_retries if result_retries is not None else retries
        self._result_tool_name = result_tool_name
        self._result_tool_description = result_tool_description
        self._run_schemas: dict[Any, ResultSchema] = {}
        self._result_schema: ResultSchema = build_result_schema(
            result_type, tool_name=result_tool_name, tool_description=result_tool_description, mode=output_mode
        )
        self._system_prompts: tuple[str, ...] = (
            (system_prompt,) if isinstance(system_prompt, str) else tuple(system_prompt)
        )
        self._system_prompt_functions: list[SystemPromptRunner] = []
        self._result_validators: list[ResultValidator[Any]] = []
        self._function_tools: dict[str, Tool[Any]] = {}
        for tool in tools:
            self._register(tool if isinstance(tool, Tool) else Tool(tool))
        if isinstance(builtin_tools, AbstractBuiltinTool) or not all(
            isinstance(tool, AbstractBuiltinTool) for tool in builtin_tools
        ):
            raise UserError(
                f'`builtin_tools` must be a list of built-in tools such as WebSearchTool(), got {builtin_tools!r}.'
            )
        self._builtin_tools = tuple(builtin_tools)
        self._override_deps: Any = _UNSET
        self._override_model: Any = _UNSET

    def __repr__(self) -> str:
        model = self.model.model_name if isinstance(self.model, Model) else self.model
        return f'Agent(name={self.name!r}, model={model!r}, result_type={self.result_type!r})'

    # -- registration ------------------------------------------------------------------------------------------------

    def _register(self, tool: Tool[Any]) -> None:
        if tool.max_retries is None:
            # A copy: the same `Tool` may be given to agents with different defaults.
            tool = copy.copy(tool)
            tool.max_retries = self._default_retries
        if tool.name in self._function_tools:
            raise UserError(f'Tool name conflicts with existing tool: {tool.name!r}')
        if tool.name in self._result_schema.tools:
            raise UserError(f'Tool name conflicts with result schema name: {tool.name!r}')
        self._function_tools[tool.name] = tool

    @property
    def last_run_messages(self) -> list[ModelMessage]:
        """Removed in the original API: use `capture_run_messages()`.

        Raises:
            AttributeError: always, saying what to use instead.
        """
        raise AttributeError('The `last_run_messages` attribute has been removed, use `capture_run_messages` instead.')

    @overload
    def system_prompt(self, func: FuncT, /) -> FuncT: ...

    @overload
    def system_prompt(self, /, *, dynamic: bool = False) -> Callable[[FuncT], FuncT]: ...

    def system_prompt(self, func: FuncT | None = None, /, *, dynamic: bool = False) -> Any:
        """Register a function computing a system prompt (with or without `RunContext`, sync or async).

        With `dynamic=True` the prompt is re-computed when a run continues a conversation that holds it.
        """

        def register(function: FuncT) -> FuncT:
            ref = function.__qualname__ if dynamic else None
            self._system_prompt_functions.append(SystemPromptRunner(function, ref))
            return function

        return register if func is None else register(func)

    @overload
    def tool(self, func: FuncT, /) -> FuncT: ...

    @overload
    def tool(
        self,
        /,
        *,
        name: str | None = None,
        retries: int | None = None,
        prepare: ToolPrepareFunc | None = None,
        docstring_format: Any = 'auto',
        require_parameter_descriptions: bool = False,
    ) -> Callable[[FuncT], FuncT]: ...

    def tool(
        self,
        func: FuncT | None = None,
        /,
        *,
        name: str | None = None,
        retries: int | None = None,
        prepare: ToolPrepareFunc | None = None,
        docstring_format: Any = 'auto',
        require_parameter_descriptions: bool = False,
    ) -> Any:
        """Register a tool whose first parameter is `RunContext[Deps]`."""
        return self._tool_decorator(
            func, True, name, retries, prepare, docstring_format, require_parameter_descriptions
        )

    @overload
    def tool_plain(self, func: FuncT, /) -> FuncT: ...

    @overload
    def tool_plain(
        self,
        /,
        *,
        name: str | None = None,
        retries: int | None = None,
        prepare: ToolPrepareFunc | None = None,
        docstring_format: Any = 'auto',
        require_parameter_descriptions: bool = False,
    ) -> Callable[[FuncT], FuncT]: ...

    def tool_plain(
        self,
        func: FuncT | None = None,
        /,
        *,
        name: str | None = None,
        retries: int | None = None,
        prepare: ToolPrepareFunc | None = None,
        docstring_format: Any = 'auto',
        require_parameter_descriptions: bool = False,
    ) -> Any:
        """Register a tool that does not take the `RunContext`."""
        return self._tool_decorator(
            func, False, name, retries, prepare, docstring_format, require_parameter_descriptions
        )

    def _tool_decorator(
        self,
        func: FuncT | None,
        takes_ctx: bool,
        name: str | None,
        retries: int | None,
        prepare: ToolPrepareFunc | None,
        docstring_format: Any,
        require_parameter_descriptions: bool,
    ) -> Any:
        """What `tool` and `tool_plain` return: `func` registered, or a decorator registering the function."""

        def register(function: FuncT) -> FuncT:
            self._register(
                Tool(
                    function,
                    takes_ctx=takes_ctx,
                    name=name,
                    max_retries=retries,
                    prepare=prepare,
                    docstring_format=docstring_format,
                    require_parameter_descriptions=require_parameter_descriptions,
                )
            )
            return function

        return register if func is None else register(func)

    def result_validator(self, func: FuncT, /) -> FuncT:
        """Register a result validator: `(result) -> result` or `(ctx, result) -> result`, sync or async.

        It may return a changed result, or raise `ModelRetry` to send the model back with a message.
        """
        self._result_validators.append(ResultValidator(func))
        return func

    # -- testing -----------------------------------------------------------------------------------------------------

    @contextmanager
    def override(self, *, deps: Any = _UNSET, model: Model | str | Any = _UNSET) -> Iterator[None]:
        """Within the block, runs use these `deps` and/or this `model`, whatever the caller passes (for tests)."""
        saved = (self._override_deps, self._override_model)
        if deps is not _UNSET:
            self._override_deps = deps
        if model is not _UNSET:
            self._override_model = infer_model(model)
        try:
            yield
        finally:
            self._override_deps, self._override_model = saved

    # -- runs --------------------------------------------------------------------------------------------------------
    # Each run method has two call shapes for type checkers: without `deps` (or `deps=None`) for an agent whose deps
    # type is `None`, and with `deps` of the agent's deps type otherwise (`tests/typechecked/agent_calls.py`).

    @overload
    async def run(
        self: Agent[None, ResultDataT],
        user_prompt: str | Sequence[UserContent],
        *,
        result_type: Any = None,
        message_history: list[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: None = None,
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: Usage | None = None,
        infer_name: bool = True,
    ) -> RunResult[ResultDataT]: ...

    @overload
    async def run(
        self,
        user_prompt: str | Sequence[UserContent],
        *,
        result_type: Any = None,
        message_history: list[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: AgentDepsT,
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: Usage | None = None,
        infer_name: bool = True,
    ) -> RunResult[ResultDataT]: ...

    async def run(
        self,
        user_prompt: str | Sequence[UserContent],
        *,
        result_type: Any = None,
        message_history: list[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: Any = None,
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: Usage | None = None,
        infer_name: bool = True,
    ) -> RunResult[ResultDataT]:
        """Run the agent on a prompt until the model gives a valid result.

        Args:
            user_prompt: The prompt: text, or a sequence of text, `ImageUrl` and `BinaryContent`.
            result_type: The result type of this run instead of the agent's (not with result validators, which
                expect the agent's type).
            message_history: An earlier conversation to continue (its system prompts are kept).
            model: The model for this run, instead of the agent's.
            deps: The dependencies tools, prompts and validators receive in `RunContext.deps`.
            model_settings: Settings merged over the agent's for this run.
            usage_limits: Limits on requests and tokens; `UsageLimits()` (50 requests) by default.
            usage: A usage to add this run's to (to account several runs together).
            infer_name: Set the agent's `name` from the caller's variable name if it has none.

        Raises:
            UnexpectedModelBehavior: the model's answers could not be used within the retries.
            UsageLimitExceeded: a usage limit would be exceeded.
            ModelAPIError: a request failed.
        """
        if infer_name and self.name is None:
            self._infer_name(inspect.currentframe())
        run, new_index = await self._start(
            user_prompt, result_type, message_history, model, deps, model_settings, usage_limits, usage
        )
        while True:
            parameters = await run.next_parameters()
            response, request_usage = await run.request(parameters)
            run.add_response(response, request_usage)
            final = await run.handle_response(response)
            if final is not None:
                return RunResult(run.messages, new_index, final.data, final.tool_name, run.usage)  # type: ignore[arg-type]

    @overload
    def run_sync(
        self: Agent[None, ResultDataT],
        user_prompt: str | Sequence[UserContent],
        *,
        result_type: Any = None,
        message_history: list[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: None = None,
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: Usage | None = None,
        infer_name: bool = True,
    ) -> RunResult[ResultDataT]: ...

    @overload
    def run_sync(
        self,
        user_prompt: str | Sequence[UserContent],
        *,
        result_type: Any = None,
        message_history: list[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: AgentDepsT,
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: Usage | None = None,
        infer_name: bool = True,
    ) -> RunResult[ResultDataT]: ...

    def run_sync(
        self,
        user_prompt: str | Sequence[UserContent],
        *,
        result_type: Any = None,
        message_history: list[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: Any = None,
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: Usage | None = None,
        infer_name: bool = True,
    ) -> RunResult[ResultDataT]:
        """`run()` without `await`, for scripts and notebooks; works with or without a running event loop.

        Runs as `pydantic_ai.direct.model_request_sync` does: in an event loop kept for this thread, or (when a
        loop is already running here) in a worker thread's loop while this thread waits.
        """
        if infer_name and self.name is None:
            self._infer_name(inspect.currentframe())
        from .._sync import run_coroutine_sync

        return run_coroutine_sync(
            self.run(
                user_prompt,
                result_type=result_type,
                message_history=message_history,
                model=model,
                deps=deps,
                model_settings=model_settings,
                usage_limits=usage_limits,
                usage=usage,
                infer_name=False,
            )
        )

    @overload
    def run_stream(
        self: Agent[None, ResultDataT],
        user_prompt: str | Sequence[UserContent],
        *,
        result_type: Any = None,
        message_history: list[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: None = None,
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: Usage | None = None,
        infer_name: bool = True,
    ) -> AbstractAsyncContextManager[StreamedRunResult[ResultDataT]]: ...

    @overload
    def run_stream(
        self,
        user_prompt: str | Sequence[UserContent],
        *,
        result_type: Any = None,
        message_history: list[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: AgentDepsT,
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: Usage | None = None,
        infer_name: bool = True,
    ) -> AbstractAsyncContextManager[StreamedRunResult[ResultDataT]]: ...

    @asynccontextmanager
    async def run_stream(
        self,
        user_prompt: str | Sequence[UserContent],
        *,
        result_type: Any = None,
        message_history: list[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: Any = None,
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: Usage | None = None,
        infer_name: bool = True,
    ) -> AsyncIterator[StreamedRunResult[ResultDataT]]:
        """Run the agent, streaming the final response: `async with agent.run_stream(...) as result:`.

        Responses that call function tools are read whole and their tools run; the block is entered once a
        response starts with the final result (text, or a call of the result tool), which then streams in through
        the `StreamedRunResult`. Arguments as for `run()`.

        Leaving the block before the final response is read to its end closes the stream, unless the run has token
        limits (`usage_limits` with `request_tokens_limit`, `response_tokens_limit` or `total_tokens_limit`): then
        the rest is read and the limits are checked on it, as in the original API, so `UsageLimitExceeded` may be
        raised when the block is left.
        """
        if infer_name and self.name is None:
            self._infer_name(inspect.currentframe())
        run, new_index = await self._start(
            user_prompt, result_type, message_history, model, deps, model_settings, usage_limits, usage
        )
        schema = run.schema
        allow_text = schema.allow_text or schema.native is not None
        result_names = frozenset(schema.tools)
        while True:
            parameters = await run.next_parameters()
            async with run.model.request_stream(run.messages, run.settings, parameters) as stream:
                async for event in stream:
                    if isinstance(event, PartStartEvent) and is_final_part(event.part, allow_text, result_names):
                        result = StreamedRunResult[Any](
                            messages=run.messages,
                            new_message_index=new_index,
                            stream=stream,
                            run_usage=run.usage,
                            is_text=schema.is_text,
                            allows_text=allow_text,
                            usage_limits=run.usage_limits,
                            validate=lambda response, partial: _validate_streamed(run, response, partial),
                            on_complete=lambda response: _complete_streamed(run, response, stream.usage()),
                        )
                        yield result
                        await result._read_rest_on_exit()
                        return
                response = stream.get()
                request_usage = stream.usage()
            run.add_response(response, request_usage)
            final = await run.handle_response(response)
            if final is not None:  # a final result that only validated once complete
                yield _finished_stream_result(run, new_index, final, stream)
                return

    async def _start(
        self,
        user_prompt: str | Sequence[UserContent],
        result_type: Any,
        message_history: list[ModelMessage] | None,
        model: Model | str | None,
        deps: Any,
        model_settings: ModelSettings | None,
        usage_limits: UsageLimits | None,
        usage: Usage | None,
    ) -> tuple[AgentRun, int]:
        if not isinstance(user_prompt, (str, Sequence)):
            raise UserError(f'`user_prompt` must be a str or a sequence of content, got {type(user_prompt).__name__}.')
        captured = _captured.get()
        messages: list[ModelMessage] = []
        if captured is not None and not captured.used:
            captured.used = True
            messages = captured.messages
        history = list(message_history or ())
        messages.extend(history)
        run = AgentRun(
            model=self._resolve_model(model),
            deps=deps if self._override_deps is _UNSET else self._override_deps,
            prompt=user_prompt,
            settings=merge_model_settings(self.model_settings, model_settings),
            usage_limits=usage_limits if usage_limits is not None else UsageLimits(),
            usage=usage if usage is not None else Usage(),
            schema=self._run_result_schema(result_type),
            tools=self._function_tools,
            validators=self._result_validators,
            default_retries=self._default_retries,
            result_retries=self._result_retries,
            end_strategy=self.end_strategy,
            messages=messages,
            builtin_tools=self._builtin_tools,
            executor=current_executor(),
        )
        await run.start(self._system_prompts, self._system_prompt_functions, bool(history))
        return run, len(history)

    def _run_result_schema(self, result_type: Any) -> ResultSchema:
        if result_type is None:
            return self._result_schema
        if self._result_validators:
            raise UserError('Cannot set a custom run `result_type` when the agent has result validators')
        try:
            cached = self._run_schemas.get(result_type)
        except TypeError:  # an unhashable type expression: build it each time
            cached = None
        if cached is None:
            cached = build_result_schema(
                result_type,
                tool_name=self._result_tool_name,
                tool_description=self._result_tool_description,
                mode=self._result_schema.mode,
            )
            try:
                self._run_schemas[result_type] = cached
            except TypeError:
                pass
        return cached

    def _resolve_model(self, model: Model | str | None) -> Model:
        if model is None and self.model is None:
            hint = ' (Even when `override(model=...)` is customizing the model that will actually be called)'
            raise UserError(
                '`model` must be set either when creating the agent or when calling it.'
                + (hint if self._override_model is not _UNSET else '')
                + ' Pass a Model, "test" or a "provider:model-name" string.'
            )
        if self._override_model is not _UNSET:
            chosen: Model | str | None = self._override_model
        elif model is not None:
            chosen = model
        else:
            chosen = self.model
        if chosen is None:
            raise UserError('`model` must be set either when creating the agent or when calling it.')
        resolved = infer_model(chosen)
        if chosen is self.model and isinstance(chosen, str):
            self.model = resolved
        return resolved

    def _infer_name(self, frame: FrameType | None) -> None:
        # The caller's frame, skipping the context-manager machinery `run_stream` runs under.
        caller = frame.f_back if frame is not None else None
        while caller is not None and caller.f_code.co_filename.endswith('contextlib.py'):
            caller = caller.f_back
        if caller is None:
            return
        for namespace in (caller.f_locals, caller.f_globals):
            for item_name, item in namespace.items():
                if item is self:
                    self.name = item_name
                    return


async def _validate_streamed(run: AgentRun, response: ModelResponse, allow_partial: bool) -> Any:
    """The result from a streamed response; partial: incomplete JSON allowed, no validators; else as `run()`.

    Raises:
        pydantic.ValidationError: (partial only) the arguments so far do not validate yet.
        UnexpectedModelBehavior: the complete result does not validate, or a validator asked for a retry; a
            streamed result cannot be retried, since the caller has already seen it.
    """
    from pydantic import ValidationError

    from ..exceptions import ModelRetry

    schema = run.schema
    found = schema.find_call(response.parts)
    name: str | None = None
    call_id: str | None = None
    try:
        if found is not None:
            call, result_tool = found
            data = result_tool.validate(call.args, allow_partial=allow_partial)
            name, call_id = call.tool_name, call.tool_call_id
        else:
            text = ''.join(part.content for part in response.parts if isinstance(part, TextPart))
            data = schema.validate_text(text, allow_partial=allow_partial)
        if allow_partial:
            return data
        return await run.validate_result(data, name, call_id)
    except ValidationError as exc:
        if allow_partial:
            raise
        raise UnexpectedModelBehavior(
            f'The streamed result does not validate, and a streamed result cannot be retried: {exc}'
        ) from exc
    except ModelRetry as exc:
        raise UnexpectedModelBehavior(
            f'A result validator asked for a retry of a streamed result, which cannot be retried: {exc.message}'
        ) from exc


async def _complete_streamed(run: AgentRun, response: ModelResponse, request_usage: Usage) -> None:
    """Record the streamed final response, and answer its tool calls as a non-streamed run would."""
    run.add_response(response, request_usage)
    found = run.schema.find_call(response.parts)
    if found is None:
        return
    result_call, _ = found
    calls = [part for part in response.parts if isinstance(part, ToolCallPart)]
    parts = await run.answer_calls(calls, FinalResult[Any](None, result_call.tool_name, result_call.tool_call_id))
    if parts:
        run.messages.append(ModelRequest(parts))


def _finished_stream_result(run: AgentRun, new_index: int, final: FinalResult, stream: Any) -> StreamedRunResult[Any]:
    async def validate(response: ModelResponse, allow_partial: bool) -> Any:
        return final.data

    async def complete(response: ModelResponse) -> None:
        return None

    result: StreamedRunResult[Any] = StreamedRunResult(
        messages=run.messages,
        new_message_index=new_index,
        stream=stream,
        run_usage=run.usage,
        is_text=run.schema.is_text,
        validate=validate,
        on_complete=complete,
    )
    result.is_complete = True
    return result
