"""`TemporalAgent`: inside a Temporal workflow, each model request and tool call of a run is an activity."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, Generic, Literal, TypeVar, get_type_hints

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError, to_jsonable_python
from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.workflow import ActivityConfig
from typing_extensions import TypeVar as DefaultTypeVar

from ...agent import Agent, RunExecutor, use_executor
from ...batch import BatchItemLike, BatchResult, normalize_items, submit_batch
from ...batch import get_batch as _get_batch
from ...direct import model_request_batch as _model_request_batch
from ...exceptions import ModelRetry, UserError
from ...messages import ModelMessage, ModelResponse, ToolCallPart, UserContent
from ...models import Model, ModelRequestParameters
from ...result import RunResult, StreamedRunResult
from ...settings import ModelSettings
from ...tools import RunContext, Tool
from ...usage import Usage, UsageLimits
from .._common import StepRunContext, agent_tools, check_run_model, durable_model, durable_name, run_tool_step
from .._payloads import (
    BatchItemPayload,
    BatchJobPayload,
    BatchResultPayload,
    ModelRequestInput,
    ModelRequestOutput,
    ToolCallInput,
    ToolCallOutput,
    batch_results,
)

__all__ = ('TemporalAgent',)

AgentDepsT = DefaultTypeVar('AgentDepsT', default=None)
ResultDataT = DefaultTypeVar('ResultDataT', default=str)
_T = TypeVar('_T')

_DEFAULT_TIMEOUT = timedelta(seconds=60)
# Errors that a retry cannot fix: the same input fails the same way. Temporal matches these by class name.
_NON_RETRYABLE = ('UserError', 'UnknownProviderError', 'UnexpectedModelBehavior', 'UsageLimitExceeded')


class _BatchSubmitInput(BaseModel):
    items: list[BatchItemPayload]
    metadata: dict[str, str] | None


class _BatchWaitInput(BaseModel):
    job: BatchJobPayload
    poll_interval: float
    timeout: float | None


class TemporalAgent(Generic[AgentDepsT, ResultDataT]):
    """An agent whose runs are durable inside a Temporal workflow.

    Inside a `@workflow.defn`, `await temporal_agent.run(...)` runs the agent's loop as workflow code (deterministic:
    no I/O, the clock is `workflow.now()`), and each model request and each function-tool call as an activity, so a
    worker that dies mid-run costs only the step it was in: completed requests and tools are replayed from the
    workflow's history, never sent or run again. Outside a workflow the methods behave as the wrapped agent's.

    Activities are named `agent__<name>__model_request` and `agent__<name>__tool__<tool name>` (and
    `agent__<name>__batch_submit`/`__batch_wait`); register them on the worker with `AgentPlugin(temporal_agent)`.

    What stays in the workflow, and so must be deterministic and free of I/O: system prompt functions, tools'
    `prepare` functions, result validators, and tools configured with `False` in `tool_activity_config`.
    """

    def __init__(
        self,
        wrapped: Agent[AgentDepsT, ResultDataT],
        *,
        name: str | None = None,
        activity_config: ActivityConfig | None = None,
        model_activity_config: ActivityConfig | None = None,
        tool_activity_config: Mapping[str, ActivityConfig | Literal[False]] | None = None,
    ) -> None:
        """Wrap `wrapped` for Temporal; its model and tools are taken now (later changes are not seen).

        Args:
            wrapped: The agent; it needs a model (a `Model`, or a string resolved now) and a name.
            name: The name activities are named after; the agent's `name` by default. Keep it stable: runs in
                flight find their activities by it.
            activity_config: Temporal's activity options for every activity (timeouts, retry policy). By default a
                60-second `start_to_close_timeout` and Temporal's retry policy, with this library's errors that a
                retry cannot fix (`UserError`, `UnexpectedModelBehavior`, ...) made non-retryable.
            model_activity_config: Options for model requests, merged over `activity_config`.
            tool_activity_config: Options per tool name, merged over `activity_config`; `False` runs that tool in
                the workflow itself (only for an `async` tool that does no I/O and is deterministic).

        Raises:
            UserError: the agent has no name or no model, a tool named in `tool_activity_config` does not exist, or
                an option is not one of `ActivityConfig`'s.
        """
        if not isinstance(wrapped, Agent):
            raise UserError(f'TemporalAgent wraps an `Agent`, got {type(wrapped).__name__}.')
        self._wrapped = wrapped
        self._name = durable_name(wrapped, name, 'Temporal')
        self._model = durable_model(wrapped, 'Temporal')
        base = _with_defaults(_checked_config(activity_config, 'activity_config'))
        self._model_config: ActivityConfig = {**base, **_checked_config(model_activity_config, 'model_activity_config')}
        tools = agent_tools(wrapped)
        self._tools = tools
        self._tool_configs: dict[str, ActivityConfig | Literal[False]] = {}
        for tool_name, config in (tool_activity_config or {}).items():
            if tool_name not in tools:
                raise UserError(
                    f'`tool_activity_config` names {tool_name!r}, which is not a tool of the agent; its tools: '
                    f'{", ".join(map(repr, tools)) or "none"}.'
                )
            if config is False and not tools[tool_name].schema.is_async:
                raise UserError(
                    f'Tool {tool_name!r} is configured to run in the workflow (`False`) but is not async: workflow '
                    'code cannot run a sync function in a thread. Make it `async def` (and free of I/O), or let it '
                    'run as an activity.'
                )
            self._tool_configs[tool_name] = (
                False
                if config is False
                else {**base, **_checked_config(config, f'tool_activity_config[{tool_name!r}]')}
            )
        self._base_config = base
        prefix = f'agent__{self._name}__'
        self._request_activity = activity.defn(name=f'{prefix}model_request')(_function(self._model_request))
        self._tool_activities: dict[str, Callable[..., Awaitable[ToolCallOutput]]] = {
            tool_name: activity.defn(name=f'{prefix}tool__{tool_name}')(self._tool_activity(tool_name))
            for tool_name, config in self._tool_configs_for_all().items()
            if config is not False
        }
        self._batch_submit_activity = activity.defn(name=f'{prefix}batch_submit')(_function(self._batch_submit))
        self._batch_wait_activity = activity.defn(name=f'{prefix}batch_wait')(_function(self._batch_wait))
        self._executor = _TemporalExecutor(self)

    def __repr__(self) -> str:
        return f'TemporalAgent(name={self._name!r}, model={self._model.model_name!r})'

    @property
    def name(self) -> str:
        """The name the activities are named after."""
        return self._name

    @property
    def wrapped(self) -> Agent[AgentDepsT, ResultDataT]:
        """The agent."""
        return self._wrapped

    @property
    def model(self) -> Model:
        """The agent's model, which every durable run uses."""
        return self._model

    @property
    def temporal_activities(self) -> list[Callable[..., Any]]:
        """The activities to register on a worker (what `AgentPlugin` adds)."""
        return [
            self._request_activity,
            *self._tool_activities.values(),
            self._batch_submit_activity,
            self._batch_wait_activity,
        ]

    def _tool_configs_for_all(self) -> dict[str, ActivityConfig | Literal[False]]:
        return {tool_name: self._tool_configs.get(tool_name, self._base_config) for tool_name in self._tools}

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
        """Run the agent: durably inside a workflow (see the class), as `Agent.run` elsewhere. Arguments as there.

        Inside a workflow, `deps` must serialize with pydantic (tools receive a copy in their activity) and `model`
        must be `None` or the agent's own model.
        """
        if not workflow.in_workflow():
            return await self._wrapped.run(
                user_prompt,
                message_history=message_history,
                model=model,
                deps=deps,
                model_settings=model_settings,
                usage_limits=usage_limits,
                usage=usage,
                infer_name=infer_name,
            )
        check_run_model(model, self._model, 'Temporal')
        with use_executor(self._executor):
            return await self._wrapped.run(
                user_prompt,
                message_history=message_history,
                model=self._model,
                deps=deps,
                model_settings=model_settings,
                usage_limits=usage_limits,
                usage=usage,
                infer_name=False,
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
        """`Agent.run_sync`, outside a workflow only.

        Raises:
            UserError: called inside a workflow, whose event loop cannot be blocked: `await temporal_agent.run(...)`.
        """
        if workflow.in_workflow():
            raise UserError(
                "`run_sync` cannot be used inside a Temporal workflow (it would block the workflow's event loop): "
                'use `await temporal_agent.run(...)`.'
            )
        return self._wrapped.run_sync(
            user_prompt,
            message_history=message_history,
            model=model,
            deps=deps,
            model_settings=model_settings,
            usage_limits=usage_limits,
            usage=usage,
            infer_name=infer_name,
        )

    @asynccontextmanager
    async def run_stream(
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
    ) -> AsyncIterator[StreamedRunResult[ResultDataT]]:
        """`Agent.run_stream`, outside a workflow only.

        Raises:
            UserError: called inside a workflow: a stream's chunks cannot be recorded as one activity result and
                replayed, so a streamed run is not durable; use `await temporal_agent.run(...)`.
        """
        if workflow.in_workflow():
            raise UserError(
                '`run_stream` is not supported inside a Temporal workflow: a streamed response cannot be recorded '
                'and replayed as one activity. Use `await temporal_agent.run(...)`, which records each response whole.'
            )
        async with self._wrapped.run_stream(
            user_prompt,
            message_history=message_history,
            model=model,
            deps=deps,
            model_settings=model_settings,
            usage_limits=usage_limits,
            usage=usage,
            infer_name=infer_name,
        ) as result:
            yield result

    async def model_request_batch(
        self,
        items: Sequence[BatchItemLike],
        *,
        poll_interval: float = 10.0,
        timeout: float | None = None,
        metadata: dict[str, str] | None = None,
        wait_activity_config: ActivityConfig | None = None,
    ) -> list[BatchResult]:
        """`pydantic_ai.direct.model_request_batch` with the agent's model, durable inside a workflow.

        Inside a workflow the batch is submitted by one activity and waited for and collected by another, which
        polls every `poll_interval` seconds and heartbeats. A worker that dies while the batch runs at the provider
        costs a re-poll on another worker, never a second submission (the batch id is in the workflow's history).
        A worker dying *during* the upload can submit twice: the provider's API offers no idempotency key.

        Args:
            items: The batch's items, as for `model_request_batch`.
            poll_interval: Seconds between status polls.
            timeout: Give up waiting after this many seconds (`TimeoutError`); the batch goes on at the provider.
            metadata: Key-value pairs stored with the batch.
            wait_activity_config: Options for the waiting activity, merged over the defaults: the agent's
                `activity_config`, with `start_to_close_timeout` of `timeout` plus a minute (25 hours without one)
                and `heartbeat_timeout` of three polls plus 30 seconds (how soon a dead worker's wait is retried).
        """
        if not workflow.in_workflow():
            return await _model_request_batch(
                self._model, items, poll_interval=poll_interval, timeout=timeout, metadata=metadata
            )
        payloads = [BatchItemPayload.of(item) for item in normalize_items(items)]
        job = await workflow.execute_activity(
            self._batch_submit_activity, _BatchSubmitInput(items=payloads, metadata=metadata), **self._base_config
        )
        wait_config: ActivityConfig = {
            **self._base_config,
            'start_to_close_timeout': timedelta(seconds=timeout + 60) if timeout is not None else timedelta(hours=25),
            'heartbeat_timeout': timedelta(seconds=3 * poll_interval + 30),
            **_checked_config(wait_activity_config, 'wait_activity_config'),
        }
        recorded = await workflow.execute_activity(
            self._batch_wait_activity,
            _BatchWaitInput(job=job, poll_interval=poll_interval, timeout=timeout),
            **wait_config,
        )
        return batch_results(recorded)

    # -- activities (they run on a worker, outside the workflow) -----------------------------------------------------

    async def _model_request(self, params: ModelRequestInput) -> ModelRequestOutput:
        response, usage = await _heartbeating(
            self._model.request(list(params.messages), params.model_settings(), params.parameters.parameters())
        )
        return ModelRequestOutput(response=response, usage=usage, received_at=datetime.now(tz=timezone.utc))

    def _tool_activity(self, tool_name: str) -> Callable[..., Awaitable[ToolCallOutput]]:
        tool = self._tools[tool_name]
        model = self._model

        async def call_tool(params: ToolCallInput, deps: Any) -> ToolCallOutput:
            ctx = StepRunContext(
                deps=deps,
                model=model,
                usage=params.usage,
                prompt=None,
                tool_name=params.tool_name,
                tool_call_id=params.tool_call_id,
                retry=params.retry,
                run_step=params.run_step,
            )
            call = ToolCallPart(params.tool_name, params.args, params.tool_call_id)
            return await _heartbeating(run_tool_step(tool, call, ctx))

        # Temporal builds the activity's arguments from its annotations: `deps` arrives as the agent's deps type.
        call_tool.__annotations__ = {
            'params': ToolCallInput,
            'deps': self._wrapped.deps_type,
            'return': ToolCallOutput,
        }
        call_tool.__qualname__ = call_tool.__name__ = f'call_tool_{tool_name}'
        return call_tool

    async def _batch_submit(self, params: _BatchSubmitInput) -> BatchJobPayload:
        job = await submit_batch(self._model, [payload.item() for payload in params.items], metadata=params.metadata)
        return BatchJobPayload(batch_id=job.batch_id, custom_ids=list(job.custom_ids or ()))

    async def _batch_wait(self, params: _BatchWaitInput) -> list[BatchResultPayload]:
        job = _get_batch(self._model, params.job.batch_id)
        job.custom_ids = list(params.job.custom_ids)
        await _heartbeating(job.wait(poll_interval=params.poll_interval, timeout=params.timeout))
        return [BatchResultPayload.of(result) for result in await job.results()]


class _TemporalExecutor(RunExecutor):
    """Inside a workflow: requests and tool calls as activities, the clock as the workflow's."""

    def __init__(self, agent: TemporalAgent[Any, Any]) -> None:
        self._agent = agent

    def now(self) -> datetime:
        return workflow.now()

    async def request(
        self,
        model: Model,
        messages: list[ModelMessage],
        settings: ModelSettings | None,
        parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        agent = self._agent
        output = await workflow.execute_activity(
            agent._request_activity, ModelRequestInput.of(messages, settings, parameters), **agent._model_config
        )
        return output.response, output.usage

    async def call_tool(
        self, tool: Tool[Any], call: ToolCallPart, ctx: RunContext[Any], args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        agent = self._agent
        config = agent._tool_configs.get(tool.name, agent._base_config)
        if config is False:
            return await super().call_tool(tool, call, ctx, args, kwargs)
        try:
            to_jsonable_python(ctx.deps)
        except PydanticSerializationError as exc:
            # Checked here: a payload that fails to convert would fail the workflow task, retried forever.
            raise UserError(
                f'`deps` of a durable run must serialize with pydantic (tools receive a copy in their activity); '
                f'got a {type(ctx.deps).__name__}: {exc}'
            ) from exc
        params = ToolCallInput(
            tool_name=tool.name,
            args=call.args,
            tool_call_id=call.tool_call_id,
            retry=ctx.retry,
            run_step=ctx.run_step,
            usage=ctx.usage,
        )
        output: ToolCallOutput = await workflow.execute_activity(
            agent._tool_activities[tool.name], args=[params, ctx.deps], **config
        )
        if output.retry is not None:
            raise ModelRetry(output.retry)
        return output.value


def _function(method: Callable[[Any], Awaitable[_T]]) -> Callable[[Any], Awaitable[_T]]:
    """A plain function calling a bound method, with the method's annotations (Temporal's argument types).

    Temporal marks its activities with an attribute, which a bound method cannot take.
    """

    async def call(params: Any) -> _T:
        return await method(params)

    hints = get_type_hints(method)
    call.__annotations__ = {'params': hints['params'], 'return': hints['return']}
    call.__name__ = call.__qualname__ = method.__name__.lstrip('_')
    return call


async def _heartbeating(awaitable: Awaitable[_T]) -> _T:
    """Await `awaitable`, heartbeating meanwhile when the activity has a heartbeat timeout.

    So a dead worker's activity is retried after that timeout rather than after its start-to-close timeout.
    """
    timeout = activity.info().heartbeat_timeout
    if not timeout:
        return await awaitable
    interval = max(timeout.total_seconds() / 3, 0.05)
    task = asyncio.ensure_future(awaitable)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=interval)
            if done:
                return task.result()
            activity.heartbeat()
    finally:
        if not task.done():
            task.cancel()


_CONFIG_KEYS = frozenset(ActivityConfig.__annotations__)


def _checked_config(config: ActivityConfig | None, argument: str) -> ActivityConfig:
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise UserError(f'`{argument}` must be a `temporalio.workflow.ActivityConfig` (a dict), got {config!r}.')
    unknown = sorted(set(config) - _CONFIG_KEYS)
    if unknown:
        raise UserError(
            f'`{argument}` has options Temporal does not know: {", ".join(unknown)}; `ActivityConfig` takes '
            f'{", ".join(sorted(_CONFIG_KEYS))}.'
        )
    return config


def _with_defaults(config: ActivityConfig) -> ActivityConfig:
    merged: ActivityConfig = {**config}
    if not merged.get('start_to_close_timeout') and not merged.get('schedule_to_close_timeout'):
        merged['start_to_close_timeout'] = _DEFAULT_TIMEOUT
    policy = merged.get('retry_policy') or RetryPolicy()
    merged['retry_policy'] = RetryPolicy(
        initial_interval=policy.initial_interval,
        backoff_coefficient=policy.backoff_coefficient,
        maximum_interval=policy.maximum_interval,
        maximum_attempts=policy.maximum_attempts,
        non_retryable_error_types=[*(policy.non_retryable_error_types or ()), *_NON_RETRYABLE],
    )
    return merged
