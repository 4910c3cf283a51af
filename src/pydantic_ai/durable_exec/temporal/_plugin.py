"""`PydanticAIPlugin` (client and worker) and `AgentPlugin` (one agent's activities on a worker)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from temporalio.contrib.pydantic import PydanticPayloadConverter
from temporalio.converter import DataConverter
from temporalio.plugin import SimplePlugin
from temporalio.worker import WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from ...exceptions import PydanticAIError
from ._agent import TemporalAgent

__all__ = ('AgentPlugin', 'PydanticAIPlugin')

# Imported once by the worker and shared with every workflow sandbox: they hold no workflow state, and re-importing
# them per workflow would be slow (and reach restricted calls at import time).
_PASSTHROUGH = (
    'pydantic_ai',
    'pydantic',
    'pydantic_core',
    'annotated_types',
    'typing_inspection',
    'typing_extensions',
    'docstring_parser',
    'pluggy',
    'httpx',
    'httpcore',
    'h11',
    'anyio',
    'sniffio',
    'idna',
    'certifi',
    'opentelemetry',
)
# Plugins of the core, found by the entry points they register: provider plugins and lifecycle plugins.
_PLUGIN_GROUPS = ('pydantic_ai.providers', 'pydantic_ai.plugins')


def _plugin_packages() -> list[str]:
    packages: set[str] = set()
    for group in _PLUGIN_GROUPS:
        for entry_point in metadata.entry_points(group=group):
            packages.add(entry_point.value.split(':', 1)[0].split('.', 1)[0])
    return sorted(packages)


def _data_converter(converter: DataConverter | None) -> DataConverter:
    if converter is None:
        return DataConverter(payload_converter_class=PydanticPayloadConverter)
    # Keep the caller's codec and failure converter; only the payload converter must be pydantic's.
    return dataclasses.replace(converter, payload_converter_class=PydanticPayloadConverter)


def _workflow_runner(runner: WorkflowRunner | None) -> WorkflowRunner:
    if runner is None:
        runner = SandboxedWorkflowRunner()
    if not isinstance(runner, SandboxedWorkflowRunner):
        return runner
    modules = (*_PASSTHROUGH, *_plugin_packages())
    return dataclasses.replace(runner, restrictions=runner.restrictions.with_passthrough_modules(*modules))


class PydanticAIPlugin(SimplePlugin):
    """The Temporal plugin for durable agent runs: pass it to `Client.connect(..., plugins=[PydanticAIPlugin()])`.

    On the client (and so on every worker built from it):

    - payloads are converted with pydantic (`temporalio.contrib.pydantic`), so messages, `deps`, results and the
      activities' inputs and outputs travel as typed JSON; a codec or failure converter of yours is kept;
    - this library, pydantic, httpx and the installed provider and lifecycle plugins are passed through the
      workflow sandbox (imported once by the worker, not per workflow);
    - this library's errors (`pydantic_ai.exceptions.PydanticAIError`) raised in workflow code fail the workflow,
      as they would fail a plain run, instead of failing the workflow task and retrying it forever.
    """

    def __init__(self) -> None:
        """The plugin; it takes no options."""
        super().__init__(
            'pydantic_ai.PydanticAIPlugin',
            data_converter=_data_converter,
            workflow_runner=_workflow_runner,
            workflow_failure_exception_types=[PydanticAIError],
        )


class AgentPlugin(SimplePlugin):
    """A worker plugin registering a `TemporalAgent`'s activities: `Worker(..., plugins=[AgentPlugin(agent)])`."""

    def __init__(self, agent: TemporalAgent[Any, Any]) -> None:
        """The plugin for `agent`.

        Raises:
            PydanticAIError: (a `UserError`) `agent` is not a `TemporalAgent`.
        """
        if not isinstance(agent, TemporalAgent):
            from ...exceptions import UserError  # type: ignore[unreachable]  # a run-time check for untyped callers

            raise UserError(f'AgentPlugin takes a `TemporalAgent`, got {type(agent).__name__}.')
        self.agent = agent
        activities: Sequence[Any] = agent.temporal_activities
        super().__init__(f'pydantic_ai.AgentPlugin.{agent.name}', activities=activities)
