"""pydantic-ai-core: a small, fast, strictly typed core for talking to LLMs, with providers as plugins.

The names below are the public API; `tests/core/test_public_api.py` pins the list. Provider-specific classes come
from plugin distributions (a provider's `Model` subclass from its `pydantic-ai-<provider>` distribution).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _plugin_modules
from .builtin_tools import CodeExecutionTool, WebSearchTool
from .exceptions import (
    DuplicateProviderError,
    EmptyStreamError,
    InvalidArgumentsError,
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    ModelRetiredError,
    ModelRetry,
    ModelTimeoutError,
    ProviderPluginError,
    PydanticAIError,
    TestSetupError,
    UnexpectedModelBehavior,
    UnknownProviderError,
    UsageLimitExceeded,
    UserError,
)
from .messages import (
    BinaryContent,
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    Citation,
    DocumentCitation,
    FinishReason,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ThinkingPartDelta,
    ToolCallPart,
    ToolCallPartDelta,
    ToolResultCitation,
    ToolReturnPart,
    UserPromptPart,
)
from .models import Model, ModelRequestParameters, StreamedResponse
from .output import OutputMode, OutputObjectDefinition
from .providers import Provider
from .registry import infer_model, infer_provider, list_providers, register_provider, unregister_provider
from .settings import ModelSettings
from .tools import RunContext, Tool, ToolDefinition
from .usage import Usage, UsageLimits

if TYPE_CHECKING:
    from .agent import Agent, EndStrategy, capture_run_messages
    from .direct import model_request, model_request_stream, model_request_sync
    from .otel import instrument_all

__version__ = '0.1.0'

CORE_DISTRIBUTION = 'pydantic-ai-core'
"""The distribution this `pydantic_ai` package belongs to; plugins check it to detect another project's package
(`pydantic-ai` and `pydantic-ai-slim` install the same import name)."""

__all__ = (
    '__version__',
    'CORE_DISTRIBUTION',
    # exceptions
    'PydanticAIError',
    'UserError',
    'UnknownProviderError',
    'InvalidArgumentsError',
    'EmptyStreamError',
    'TestSetupError',
    'ProviderPluginError',
    'DuplicateProviderError',
    'UnexpectedModelBehavior',
    'ModelAPIError',
    'ModelHTTPError',
    'ModelRetiredError',
    'ModelConnectionError',
    'ModelTimeoutError',
    'UsageLimitExceeded',
    'ModelRetry',
    # agent
    'Agent',
    'EndStrategy',
    'RunContext',
    'Tool',
    'UsageLimits',
    'capture_run_messages',
    # messages
    'BinaryContent',
    'BuiltinToolCallPart',
    'BuiltinToolReturnPart',
    'Citation',
    'DocumentCitation',
    'FinishReason',
    'ImageUrl',
    'ModelMessage',
    'ModelRequest',
    'ModelResponse',
    'PartDeltaEvent',
    'PartStartEvent',
    'RetryPromptPart',
    'SystemPromptPart',
    'TextPart',
    'TextPartDelta',
    'ThinkingPart',
    'ThinkingPartDelta',
    'ToolCallPart',
    'ToolCallPartDelta',
    'ToolResultCitation',
    'ToolReturnPart',
    'UserPromptPart',
    # structured output and built-in tools
    'OutputMode',
    'OutputObjectDefinition',
    'WebSearchTool',
    'CodeExecutionTool',
    # models and providers
    'Model',
    'ModelRequestParameters',
    'StreamedResponse',
    'infer_model',
    'Provider',
    'infer_provider',
    'list_providers',
    'register_provider',
    'unregister_provider',
    # direct requests
    'model_request',
    'model_request_stream',
    'model_request_sync',
    # tracing
    'instrument_all',
    # settings, tools, usage
    'ModelSettings',
    'ToolDefinition',
    'Usage',
)

_plugin_modules.install()

_DIRECT_NAMES = frozenset({'model_request', 'model_request_stream', 'model_request_sync'})
_AGENT_NAMES = frozenset({'Agent', 'EndStrategy', 'capture_run_messages'})


def __getattr__(name: str) -> Any:
    # The direct request functions need asyncio and threading, and the agent needs pydantic: `import pydantic_ai`
    # loads neither, so they load on first use.
    if name in _DIRECT_NAMES:
        from . import direct

        return getattr(direct, name)
    if name in _AGENT_NAMES:
        from . import agent

        return getattr(agent, name)
    if name == 'instrument_all':
        # Needs opentelemetry-api (the `otel` extra); imported only when asked for.
        from .otel import instrument_all

        return instrument_all
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
