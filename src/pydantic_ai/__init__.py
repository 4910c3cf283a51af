"""pydantic-ai-core: a small, fast, strictly typed core for talking to LLMs, with providers as plugins.

The names below are the public API; `tests/test_public_api.py` pins the list. Provider-specific classes come
from plugin distributions (for example `pydantic_ai_groq.GroqModel` from `pydantic-ai-groq`).
"""

from __future__ import annotations

from . import _plugin_modules
from .exceptions import (
    DuplicateProviderError,
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    ModelTimeoutError,
    ProviderPluginError,
    PydanticAIError,
    UnexpectedModelBehavior,
    UnknownProviderError,
    UserError,
)
from .messages import (
    BinaryContent,
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
    ToolCallPart,
    ToolCallPartDelta,
    ToolReturnPart,
    UserPromptPart,
)
from .models import Model, ModelRequestParameters, StreamedResponse, infer_model
from .providers import Provider, infer_provider, list_providers, register_provider, unregister_provider
from .settings import ModelSettings
from .tools import ToolDefinition
from .usage import Usage

__version__ = '0.1.0'

__all__ = (
    '__version__',
    # exceptions
    'PydanticAIError',
    'UserError',
    'UnknownProviderError',
    'ProviderPluginError',
    'DuplicateProviderError',
    'UnexpectedModelBehavior',
    'ModelAPIError',
    'ModelHTTPError',
    'ModelConnectionError',
    'ModelTimeoutError',
    # messages
    'BinaryContent',
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
    'ToolCallPart',
    'ToolCallPartDelta',
    'ToolReturnPart',
    'UserPromptPart',
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
    # settings, tools, usage
    'ModelSettings',
    'ToolDefinition',
    'Usage',
)

_plugin_modules.install()
