"""`DBOSAgent`: an agent whose `run` is a DBOS workflow and whose model requests and tool calls are DBOS steps."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any, Generic, Literal, cast

from dbos import DBOS, StepOptions
from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticSerializationError
from typing_extensions import TypedDict
from typing_extensions import TypeVar as DefaultTypeVar

from ...agent import Agent, RunExecutor, use_executor
from ...batch import BatchItemLike, BatchResult, get_batch, normalize_items, submit_batch
from ...exceptions import ModelRetry, UserError
from ...messages import ModelMessage, ModelResponse, ToolCallPart, UserContent
from ...models import Model, ModelRequestParameters
from ...result import RunResult, StreamedRunResult
from ...settings import ModelSettings
from ...tools import RunContext, Tool
from ...usage import Usage, UsageLimits
from .._common import (
    agent_tools,
    call_sync_tool_step,
    call_tool_step,
    check_run_model,
    durable_model,
    durable_name,
)
from .._payloads import (
    BatchItemPayload,
    BatchJobPayload,
    BatchResultPayload,
    BatchResultsAdapter,
    BatchWorkflowInput,
    ModelRequestOutput,
    RunInput,
    RunOutput,
    ToolCallOutput,
    batch_results,
)

__all__ = ('DBOSAgent', 'StepConfig')

AgentDepsT = DefaultTypeVar('AgentDepsT', default=None)
ResultDataT = DefaultTypeVar('ResultDataT', default=str)


class StepConfig(TypedDict, total=False):
    """DBOS's step options (`@DBOS.step(...)`): whether and how a failing step is retried."""

    retries_allowed: bool
    """Retry the step when it raises (default `False`: the error is recorded and raised)."""
    interval_seconds: float
    """The first wait between attempts."""
    max_attempts: int
    """The most attempts."""
    backoff_rate: float
    """How much the wait grows after each attempt."""


_STEP_KEYS = frozenset(StepConfig.__annotations__)


class DBOSAgent(Generic[AgentDepsT, ResultDataT]):
    """An agent whose runs are DBOS workflows, checkpointed step by step in DBOS's system database.

    `await dbos_agent.run(...)` starts a workflow (a child workflow when called from one; under `SetWorkflowID`
    when the caller sets one). Each model request and each function-tool call is a step, so a workflow recovered by
    `DBOS.launch()` in a new process resumes after its last completed step: completed requests are not sent again
    and completed tools are not run again (their recorded outcome is replayed). A step interrupted by the crash runs
    again.

    Create it before `DBOS.launch()` (recovery looks the workflow up by name), with the same name in every process.
    The run loop runs in the workflow, so system prompt functions, tools' `prepare` functions and result validators
    run again on recovery: keep them deterministic and free of side effects. Inside the workflow the loop's clock
    is the arrival time of the last model response (recorded), so a resumed run rebuilds identical messages.
    """

    def __init__(
        self,
        wrapped: Agent[AgentDepsT, ResultDataT],
        *,
        name: str | None = None,
        model_step_config: StepConfig | None = None,
        tool_step_config: Mapping[str, StepConfig | Literal[False]] | None = None,
    ) -> None:
        """Wrap `wrapped` for DBOS and register its workflow and steps; its model and tools are taken now.

        Args:
            wrapped: The agent; it needs a model (a `Model`, or a string resolved now) and a name.
            name: The name the workflow and steps are named after (`<name>.run`, `<name>.model_request`,
                `<name>.tool.<tool name>`); the agent's `name` by default. Keep it stable.
            model_step_config: DBOS step options for model requests; by default no retries (the model's own
                retries apply inside the step).
            tool_step_config: Step options per tool name; `False` runs that tool in the workflow, not as a step
                (it then runs again on recovery).

        Raises:
            UserError: the agent has no name or no model, a tool named in `tool_step_config` does not exist, or an
                option is not one of `StepConfig`'s.
        """
        if not isinstance(wrapped, Agent):
            raise UserError(f'DBOSAgent wraps an `Agent`, got {type(wrapped).__name__}.')
        self._wrapped = wrapped
        self._name = durable_name(wrapped, name, 'DBOS')
        self._model = durable_model(wrapped, 'DBOS')
        self._tools = agent_tools(wrapped)
        self._deps_adapter: TypeAdapter[Any] = TypeAdapter(wrapped.deps_type)
        self._result_adapter: TypeAdapter[Any] = TypeAdapter(wrapped.result_type)
        configs = dict(tool_step_config or {})
        for tool_name in configs:
            if tool_name not in self._tools:
                raise UserError(
                    f'`tool_step_config` names {tool_name!r}, which is not a tool of the agent; its tools: '
                    f'{", ".join(map(repr, self._tools)) or "none"}.'
                )
        model_step = _checked(model_step_config, 'model_step_config')
        self._request_step = DBOS.step(name=f'{self._name}.model_request', **model_step)(_function(self._model_request))
        self._tool_steps: dict[str, Callable[..., Awaitable[str]]] = {}
        for tool_name, tool in self._tools.items():
            config = configs.get(tool_name, {})
            if config is False:
                continue
            options = _checked(config, f'tool_step_config[{tool_name!r}]')
            step_name = f'{self._name}.tool.{tool_name}'
            if tool.schema.is_async:
                self._tool_steps[tool_name] = DBOS.step(name=step_name, **options)(_function(self._tool_step))
            else:
                # `StepConfig`'s keys are a subset of DBOS's `StepOptions`, with the same types.
                self._tool_steps[tool_name] = _sync_tool_step(cast(StepOptions, {'name': step_name, **options}))
        self._run_workflow = DBOS.workflow(name=f'{self._name}.run')(_function(self._workflow))
        self._batch_submit_step = DBOS.step(name=f'{self._name}.batch_submit')(_function(self._batch_submit))
        self._batch_wait_step = DBOS.step(name=f'{self._name}.batch_wait')(_function(self._batch_wait))
        self._batch_workflow = DBOS.workflow(name=f'{self._name}.model_request_batch')(_function(self._batch))

    def __repr__(self) -> str:
        return f'DBOSAgent(name={self._name!r}, model={self._model.model_name!r})'

    @property
    def name(self) -> str:
        """The name the workflow and steps are named after."""
        return self._name

    @property
    def wrapped(self) -> Agent[AgentDepsT, ResultDataT]:
        """The agent."""
        return self._wrapped

    @property
    def model(self) -> Model:
        """The agent's model, which every durable run uses."""
        return self._model

    # -- runs --------------------------------------------------------------------------------------------------------

    async def run(
        self,
        user_prompt: str | Sequence[UserContent],
        *,
        message_history: list[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: AgentDepsT = None,  # type: ignore[assignment]
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: Usage | None = None,
        infer_name: bool = True,
    ) -> RunResult[ResultDataT]:
        """Run the agent as a DBOS workflow; arguments and result as `Agent.run`.

        The arguments are recorded as the workflow's input (as JSON made by pydantic: `deps` must serialize and
        validate back as the agent's `deps_type`), and the result as its output (validated back as the agent's
        `result_type`). `usage`, when given, is updated with the run's usage, as a plain run does. `model` must be
        `None` or the agent's own model; `infer_name` is accepted for compatibility and ignored.

        Raises:
            UserError: `model` is another model, or `deps` cannot be serialized.
        """
        check_run_model(model, self._model, 'DBOS')
        if not isinstance(user_prompt, (str, Sequence)):
            raise UserError(f'`user_prompt` must be a str or a sequence of content, got {type(user_prompt).__name__}.')
        try:
            deps_json = self._deps_adapter.dump_python(deps, mode='json', warnings='error')
            self._deps_adapter.validate_python(deps_json)
        except (PydanticSerializationError, ValidationError) as exc:
            raise UserError(
                f'`deps` of a durable run must serialize with pydantic as {self._wrapped.deps_type!r}: {exc}'
            ) from exc
        run_input = RunInput(
            user_prompt=user_prompt if isinstance(user_prompt, str) else list(user_prompt),
            message_history=message_history,
            deps=deps_json,
            model_settings=dict(model_settings) if model_settings is not None else None,
            usage_limits=usage_limits,
            usage=usage,
            started_at=datetime.now(tz=timezone.utc),
        )
        recorded = RunOutput.model_validate_json(await self._run_workflow(run_input.model_dump_json()))
        if usage is not None:  # a plain run adds to the caller's `usage` in place
            for usage_field in dataclasses.fields(Usage):
                setattr(usage, usage_field.name, getattr(recorded.usage, usage_field.name))
        return RunResult(
            list(recorded.messages),
            recorded.new_message_index,
            self._result_adapter.validate_python(recorded.data),
            recorded.result_tool_name,
            usage if usage is not None else recorded.usage,
        )

    def run_sync(
        self,
        user_prompt: str | Sequence[UserContent],
        *,
        message_history: list[ModelMessage] | None = None,
        model: Model | str | None = None,
        deps: AgentDepsT = None,  # type: ignore[assignment]
        model_settings: ModelSettings | None = None,
        usage_limits: UsageLimits | None = None,
        usage: Usage | None = None,
        infer_name: bool = True,
    ) -> RunResult[ResultDataT]:
        """`run()` without `await`, outside a workflow.

        The run gets an event loop of its own (in a worker thread when this thread already runs one), rather than the
        loop `model_request_sync` and `Agent.run_sync` keep per thread: DBOS makes its executor the default executor
        of every loop its workflows run in, and that loop would break once DBOS is destroyed.

        Raises:
            UserError: called inside a DBOS workflow: `await dbos_agent.run(...)` there.
        """
        if DBOS.workflow_id is not None:
            raise UserError(
                '`run_sync` cannot be used inside a DBOS workflow: use `await dbos_agent.run(...)` in an async '
                'workflow.'
            )
        coroutine = self.run(
            user_prompt,
            message_history=message_history,
            model=model,
            deps=deps,
            model_settings=model_settings,
            usage_limits=usage_limits,
            usage=usage,
        )
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coroutine)
        context = contextvars.copy_context()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix='pydantic-ai-dbos-run-sync') as pool:
            return pool.submit(context.run, asyncio.run, coroutine).result()

    @asynccontextmanager
    async def run_stream(
        self, user_prompt: str | Sequence[UserContent], **kwargs: Any
    ) -> AsyncIterator[StreamedRunResult[ResultDataT]]:
        """Not supported: always raises.

        Raises:
            UserError: a streamed response cannot be recorded and replayed as one step, so a streamed run is not
                durable. Use `await dbos_agent.run(...)`, or the wrapped agent's `run_stream` for a run that is
                streamed but not durable.
        """
        raise UserError(
            '`run_stream` is not supported by DBOSAgent: a streamed response cannot be recorded and replayed as one '
            'step. Use `await dbos_agent.run(...)` (durable, each response recorded whole), or '
            '`dbos_agent.wrapped.run_stream(...)` (streamed, not durable).'
        )
        yield  # type: ignore[unreachable]  # makes this function an async generator; never reached

    async def model_request_batch(
        self,
        items: Sequence[BatchItemLike],
        *,
        poll_interval: float = 10.0,
        timeout: float | None = None,
        metadata: dict[str, str] | None = None,
    ) -> list[BatchResult]:
        """`pydantic_ai.direct.model_request_batch` with the agent's model, as a DBOS workflow of two steps.

        One step submits the batch (its id is recorded), the other polls it every `poll_interval` seconds until it
        ends and collects the results. A process that dies while the batch runs at the provider costs a re-poll
        after recovery, never a second submission. One dying *during* the upload can submit twice: the provider's
        API offers no idempotency key. Arguments as for `model_request_batch`.
        """
        payloads = [BatchItemPayload.of(item) for item in normalize_items(items)]
        recorded = await self._batch_workflow(
            BatchWorkflowInput(
                items=payloads, metadata=metadata, poll_interval=poll_interval, timeout=timeout
            ).model_dump_json()
        )
        return batch_results(BatchResultsAdapter.validate_json(recorded))

    # -- the workflows and steps -------------------------------------------------------------------------------------

    async def _workflow(self, run_input_json: str) -> str:
        run_input = RunInput.model_validate_json(run_input_json)
        executor = _DBOSExecutor(self, run_input.started_at)
        settings = ModelSettings(**run_input.model_settings) if run_input.model_settings is not None else None  # type: ignore[typeddict-item]
        with use_executor(executor):
            result = await self._wrapped.run(
                run_input.user_prompt,
                message_history=list(run_input.message_history) if run_input.message_history is not None else None,
                model=self._model,
                deps=self._deps_adapter.validate_python(run_input.deps),
                model_settings=settings,
                usage_limits=run_input.usage_limits,
                usage=run_input.usage,
                infer_name=False,
            )
        messages = result.all_messages()
        # Typed already: validated when `run` reads the recorded output back, not also here.
        return RunOutput.model_construct(
            messages=messages,
            new_message_index=len(messages) - len(result.new_messages()),
            data=self._result_adapter.dump_python(result.data, mode='json'),
            result_tool_name=result._result_tool_name,
            usage=result.usage(),
        ).model_dump_json()

    async def _model_request(
        self, messages: list[ModelMessage], settings: ModelSettings | None, parameters: ModelRequestParameters
    ) -> str:
        response, usage = await self._model.request(messages, settings, parameters)
        return ModelRequestOutput(
            response=response, usage=usage, received_at=datetime.now(tz=timezone.utc)
        ).model_dump_json()

    async def _tool_step(
        self, tool: Tool[Any], call: ToolCallPart, ctx: RunContext[Any], args: list[Any], kwargs: dict[str, Any]
    ) -> str:
        return (await call_tool_step(tool, call, ctx, args, kwargs)).model_dump_json()

    async def _batch(self, batch_input_json: str) -> str:
        batch_input = BatchWorkflowInput.model_validate_json(batch_input_json)
        job = BatchJobPayload.model_validate_json(await self._batch_submit_step(batch_input_json))
        return await self._batch_wait_step(job.model_dump_json(), batch_input.poll_interval, batch_input.timeout)

    async def _batch_submit(self, batch_input_json: str) -> str:
        batch_input = BatchWorkflowInput.model_validate_json(batch_input_json)
        items = [payload.item() for payload in batch_input.items]
        job = await submit_batch(self._model, items, metadata=batch_input.metadata)
        return BatchJobPayload(batch_id=job.batch_id, custom_ids=list(job.custom_ids or ())).model_dump_json()

    async def _batch_wait(self, job_json: str, poll_interval: float, timeout: float | None) -> str:
        recorded = BatchJobPayload.model_validate_json(job_json)
        job = get_batch(self._model, recorded.batch_id)
        job.custom_ids = list(recorded.custom_ids)
        await job.wait(poll_interval=poll_interval, timeout=timeout)
        results = [BatchResultPayload.of(result) for result in await job.results()]
        return BatchResultsAdapter.dump_json(results).decode()


class _DBOSExecutor(RunExecutor):
    """Inside the run workflow: requests and tool calls as steps; the clock as the last recorded response's."""

    def __init__(self, agent: DBOSAgent[Any, Any], started_at: datetime) -> None:
        self._agent = agent
        self._clock = started_at

    def now(self) -> datetime:
        return self._clock

    async def request(
        self,
        model: Model,
        messages: list[ModelMessage],
        settings: ModelSettings | None,
        parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        output = ModelRequestOutput.model_validate_json(
            await self._agent._request_step(list(messages), settings, parameters)
        )
        self._clock = max(self._clock, output.received_at)
        return output.response, output.usage

    async def call_tool(
        self, tool: Tool[Any], call: ToolCallPart, ctx: RunContext[Any], args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        step = self._agent._tool_steps.get(tool.name)
        if step is None:
            return await super().call_tool(tool, call, ctx, args, kwargs)
        output = ToolCallOutput.model_validate_json(await step(tool, call, ctx, args, kwargs))
        if output.retry is not None:
            raise ModelRetry(output.retry)
        return output.value


def _function(method: Callable[..., Awaitable[str]]) -> Callable[..., Awaitable[str]]:
    """A plain function calling a bound method: DBOS registers and marks functions, which a bound method is not."""

    async def call(*args: Any) -> str:
        return await method(*args)

    call.__name__ = call.__qualname__ = method.__name__.lstrip('_')
    return call


def _sync_tool_step(options: StepOptions) -> Callable[..., Awaitable[str]]:
    """A step for a tool whose function is not `async`: the step's check, call and record in one worker thread.

    An `async` step costs DBOS three hand-offs to its thread pool (check, record, and one between), and the sync
    function a fourth; this runs the whole step in one, as DBOS's `run_step_async` does for a sync function. The
    step's id is taken on the event loop before the hand-off, so concurrent tool calls keep their order on recovery.
    """

    def body(tool: Tool[Any], ctx: RunContext[Any], args: list[Any], kwargs: dict[str, Any], loop: Any) -> str:
        return call_sync_tool_step(tool, ctx, args, kwargs, loop).model_dump_json()

    async def call(
        tool: Tool[Any], call: ToolCallPart, ctx: RunContext[Any], args: list[Any], kwargs: dict[str, Any]
    ) -> str:
        return await DBOS.run_step_async(options, body, tool, ctx, args, kwargs, asyncio.get_running_loop())

    return call


def _checked(config: StepConfig | Literal[False] | None, argument: str) -> StepConfig:
    if config is None or config is False:
        return {}
    if not isinstance(config, dict):
        raise UserError(f'`{argument}` must be a `StepConfig` (a dict), got {config!r}.')
    unknown = sorted(set(config) - _STEP_KEYS)
    if unknown:
        raise UserError(
            f'`{argument}` has options DBOSAgent does not pass to DBOS: {", ".join(unknown)}; `StepConfig` takes '
            f'{", ".join(sorted(_STEP_KEYS))}.'
        )
    return config
