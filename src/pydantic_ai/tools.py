"""Tools: Python functions an agent offers the model, the context they receive, and what the model is told.

`ToolDefinition` is what a model sees (name, description, JSON schema of the arguments). `Tool` wraps a Python
function into one: its arguments' schema comes from the signature (validated by pydantic) and its descriptions
from the docstring. A tool whose first parameter is annotated `RunContext[...]` receives the run's context.

Importing this module loads no pydantic: a `Tool` builds its schema when it is created.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeAlias

from ._run_context import AgentDepsT, RunContext
from ._tool_definition import ToolDefinition
from .exceptions import UserError

if TYPE_CHECKING:
    from ._function_schema import FunctionSchema

__all__ = ('ToolDefinition', 'RunContext', 'Tool', 'ToolFuncEither', 'ToolPrepareFunc', 'DocstringFormat')

DocstringFormat: TypeAlias = Literal['google', 'numpy', 'sphinx', 'auto']
"""The docstring style a tool's descriptions are read in; `'auto'` detects it."""


ToolFuncEither: TypeAlias = Callable[..., Any]
"""A tool function: with a `RunContext` first parameter or without, sync or async."""

ToolPrepareFunc: TypeAlias = Callable[[RunContext[Any], ToolDefinition], Awaitable[ToolDefinition | None]]
"""Called before each request with the tool's definition: return it (changed or not), or `None` to hide the tool."""


class Tool(Generic[AgentDepsT]):
    """A Python function offered to the model as a tool.

    ```python
    def roll_die(sides: int = 6) -> int:
        # The docstring's summary becomes the description, its `Args:` section the parameters' descriptions.
        return random.randint(1, sides)

    agent = Agent('acme:large-1', tools=[Tool(roll_die, max_retries=2)])
    ```
    """

    function: ToolFuncEither
    """The function called when the model calls the tool."""
    takes_ctx: bool
    """Whether the function's first argument is the `RunContext`."""
    max_retries: int | None
    """How many times the model may retry a failing call; `None` takes the agent's `retries`."""
    name: str
    """The name the model calls the tool by."""
    description: str | None
    """What the tool does, for the model: the docstring's description by default (`''` without a docstring)."""
    prepare: ToolPrepareFunc | None
    """Adjusts or hides the tool's definition before each request."""

    def __init__(
        self,
        function: ToolFuncEither,
        *,
        takes_ctx: bool | None = None,
        max_retries: int | None = None,
        name: str | None = None,
        description: str | None = None,
        prepare: ToolPrepareFunc | None = None,
        docstring_format: DocstringFormat = 'auto',
        require_parameter_descriptions: bool = False,
    ) -> None:
        """Wrap `function` as a tool.

        Args:
            function: The function, sync or async.
            takes_ctx: Whether its first parameter is the `RunContext`; detected from its annotation when `None`.
            max_retries: How many retries the model gets for this tool; the agent's `retries` when `None`.
            name: The tool's name; the function's `__name__` by default.
            description: The tool's description; the docstring's summary by default.
            prepare: An async function called before each request to adjust or hide the tool's definition.
            docstring_format: The docstring style: `'google'`, `'numpy'`, `'sphinx'` or `'auto'`.
            require_parameter_descriptions: Raise `UserError` if a parameter has no description in the docstring
                (the `RunContext` parameter needs none: the model never sees it).

        Raises:
            UserError: the function cannot be a tool (see the message), or `takes_ctx` contradicts its signature.
        """
        if not callable(function):
            raise UserError(f'A tool must be a function, got {type(function).__name__}.')
        from ._function_schema import build_function_schema

        self.function = function
        self.schema: FunctionSchema = build_function_schema(
            function,
            takes_ctx=takes_ctx,
            docstring_format=docstring_format,
            require_parameter_descriptions=require_parameter_descriptions,
        )
        self.takes_ctx = self.schema.takes_ctx
        self.max_retries = max_retries
        self.name = name or getattr(function, '__name__', None) or type(function).__name__
        self.description = description if description is not None else self.schema.description
        self.prepare = prepare

    def __repr__(self) -> str:
        return f'Tool(name={self.name!r}, takes_ctx={self.takes_ctx!r}, max_retries={self.max_retries!r})'

    @property
    def is_async(self) -> bool:
        """Whether the function is a coroutine function."""
        return inspect.iscoroutinefunction(self.function)

    def tool_def(self) -> ToolDefinition:
        """The definition sent to the model, before `prepare`."""
        return ToolDefinition(
            name=self.name,
            description=self.description,
            parameters_json_schema=self.schema.json_schema,
        )

    async def prepare_tool_def(self, ctx: RunContext[Any]) -> ToolDefinition | None:
        """The definition for this request: `prepare`'s answer, or `tool_def()` when there is no `prepare`.

        The agent calls this before every request; a subclass may override it to change or hide the tool.
        """
        tool_def = self.tool_def()
        if self.prepare is None:
            return tool_def
        return await self.prepare(ctx.replace_with(tool_name=self.name), tool_def)
