"""Built-in tools: tools the provider runs itself (such as web search), offered through the request parameters.

Unlike function tools (`ToolDefinition`), the model's calls to these tools never reach your code: the provider
runs them and the response reports each call and its result as a `BuiltinToolCallPart` and a
`BuiltinToolReturnPart`. A model that cannot offer a built-in tool raises `UserError` rather than ignore it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ('AbstractBuiltinTool', 'WebSearchTool')


@dataclass(kw_only=True)
class AbstractBuiltinTool:
    """The base of built-in tools; `kind` tells them apart."""

    kind: str = 'unknown_builtin_tool'
    """Discriminator for serialization."""


@dataclass(kw_only=True)
class WebSearchTool(AbstractBuiltinTool):
    """Let the model search the web.

    On Groq this is the compound models' built-in search (`groq/compound`, `groq/compound-mini`); the domain
    filters become Groq's `search_settings`.
    """

    allowed_domains: list[str] | None = None
    """Search only these domains (Groq: `include_domains`)."""
    blocked_domains: list[str] | None = None
    """Never search these domains (Groq: `exclude_domains`)."""
    kind: Literal['web_search'] = 'web_search'
    """Discriminator for serialization."""
