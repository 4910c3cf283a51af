"""`RunContext`: what a tool, dynamic system prompt or result validator knows about the run it is part of.

A module of its own, below both `pydantic_ai.tools` (which re-exports it, the original API's path) and the schema
builder that recognises it in a signature, so neither has to import the other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

if TYPE_CHECKING:
    from .messages import ModelMessage, UserContent
    from .models.base import Model
    from .usage import Usage

__all__ = ('AgentDepsT', 'RunContext')

AgentDepsT = TypeVar('AgentDepsT', default=None, contravariant=True)
"""The type of the dependencies an agent's tools, prompts and validators receive in `RunContext.deps`."""


@dataclass
class RunContext(Generic[AgentDepsT]):
    """What a tool, dynamic system prompt or result validator knows about the run it is part of.

    Annotate a function's first parameter with `RunContext[YourDeps]` to receive it.
    """

    deps: AgentDepsT
    """The dependencies passed to `agent.run(..., deps=...)`."""
    model: Model
    """The model the run uses."""
    usage: Usage
    """The usage of the run so far."""
    prompt: str | Sequence[UserContent] | None
    """The user prompt the run started with."""
    messages: list[ModelMessage] = field(default_factory=list)
    """The conversation so far."""
    tool_name: str | None = None
    """The name of the tool being called, inside a tool (and its `prepare` function)."""
    tool_call_id: str | None = None
    """The id of the tool call being answered, inside a tool."""
    retry: int = 0
    """How many times this tool (or the result) has been retried so far in this run."""
    run_step: int = 0
    """The number of the current model request in the run, counted from 1."""

    def replace_with(self, **changes: Any) -> RunContext[AgentDepsT]:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)
