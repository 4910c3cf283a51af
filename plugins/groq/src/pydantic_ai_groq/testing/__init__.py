"""Test helpers for code that talks to Groq: a local Groq-compatible server with scripted answers and faults.

Import it explicitly (`import pydantic_ai_groq.testing`); `import pydantic_ai_groq` does not load it. It needs only
the standard library.

```python
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqTestServer, http_error, streamed_text

with GroqTestServer() as server:
    server.enqueue(http_error(429, retry_after=0.1), streamed_text(['Hel', 'lo']))
    model = GroqModel('llama-3.3-70b-versatile', provider=GroqProvider(api_key='gsk-test', base_url=server.base_url))
    ...
```
"""

from __future__ import annotations

from . import wire
from ._http import RecordedRequest
from .ratelimits import RateLimitEvent, RateLimitLedger, RateLimits
from .responses import (
    ScriptedResponse,
    ToolCall,
    close_connection,
    echo_response,
    http_error,
    json_response,
    raw_response,
    raw_sse,
    repeated_text_stream,
    reset_connection,
    streamed_error,
    streamed_text,
    streamed_tool_call,
    streamed_tool_calls,
    text_completion,
    tool_call_completion,
)
from .server import CHAT_COMPLETIONS_PATH, MODELS_PATH, DefaultResponse, GroqTestServer

__all__ = (
    'CHAT_COMPLETIONS_PATH',
    'DefaultResponse',
    'GroqTestServer',
    'RateLimitEvent',
    'RateLimitLedger',
    'RateLimits',
    'MODELS_PATH',
    'RecordedRequest',
    'ScriptedResponse',
    'ToolCall',
    'close_connection',
    'echo_response',
    'http_error',
    'json_response',
    'raw_response',
    'raw_sse',
    'repeated_text_stream',
    'reset_connection',
    'streamed_error',
    'streamed_text',
    'streamed_tool_call',
    'streamed_tool_calls',
    'text_completion',
    'tool_call_completion',
    'wire',
)
