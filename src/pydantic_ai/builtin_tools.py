"""Built-in tools: tools the provider runs itself (web search, code execution), offered through the request parameters.

Unlike function tools (`ToolDefinition`), the model's calls to these tools never reach your code: the provider
runs them and the response reports each call and its result as a `BuiltinToolCallPart` and a
`BuiltinToolReturnPart`, named by the tool's `kind`. Offer them with `ModelRequestParameters(builtin_tools=[...])`
or `Agent(builtin_tools=[...])`. A model that cannot run a built-in tool raises `UserError` before anything is
sent, rather than ignore it; which models run which tools is the provider plugin's to say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ('AbstractBuiltinTool', 'WebSearchTool', 'CodeExecutionTool')


@dataclass(kw_only=True)
class AbstractBuiltinTool:
    """The base of built-in tools; `kind` tells them apart."""

    kind: str = 'unknown_builtin_tool'
    """Discriminator for serialization, and the `tool_name` of the parts that report the tool's runs."""


@dataclass(kw_only=True)
class WebSearchTool(AbstractBuiltinTool):
    """Let the model search the web; its runs are reported as parts named `'web_search'`."""

    allowed_domains: list[str] | None = None
    """Search only these domains; `None` for no restriction. Not every provider's search can filter domains."""
    blocked_domains: list[str] | None = None
    """Never search these domains; `None` for no restriction."""
    kind: Literal['web_search'] = 'web_search'
    """Discriminator for serialization."""


@dataclass(kw_only=True)
class CodeExecutionTool(AbstractBuiltinTool):
    """Let the model run code (Python, in the provider's sandbox); its runs are parts named `'code_execution'`.

    The call's arguments hold the code, the result what it printed and any images or charts it made, as the provider
    reports them.
    """

    kind: Literal['code_execution'] = 'code_execution'
    """Discriminator for serialization."""
