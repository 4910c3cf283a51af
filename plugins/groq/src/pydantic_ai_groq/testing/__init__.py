"""Test helpers for code that talks to Groq: an in-process fake and a local server, with scripted answers and faults.

- `GroqFake` (in-process, no socket): a real `AsyncGroq` whose requests an `httpx.MockTransport` answers. What most
  tests need.
- `GroqTestServer` (a real HTTP server on 127.0.0.1): for what only sockets show, such as timeouts, stalls,
  connection resets and load. It needs only the standard library.

Both serve the same `ScriptedResponse`s, built by the same functions (`text_completion()`, `streamed_text()`,
`http_error()`, ...; Groq's newer features in `features`: server-side tool runs, citations, usage per model, the
flex tier's 498), and `wire` builds Groq's JSON and SSE for both. `retirements` has Groq's answers for a retired
model (`model_decommissioned()`, `model_not_found()`, `refuse_retired_models()`). Import the package explicitly
(`import pydantic_ai_groq.testing`); `import pydantic_ai_groq` does not load it, and `GroqFake` (which needs the groq
SDK and httpx) is imported only when first used.

```python
from pydantic_ai_groq.testing import GroqFake, text_completion

async with GroqFake(text_completion('Hi')) as fake:
    response, _ = await fake.model('openai/gpt-oss-120b').request(messages, None, ModelRequestParameters())
```

```python
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqTestServer, http_error, streamed_text

with GroqTestServer() as server:
    server.enqueue(http_error(429, retry_after=0.1), streamed_text(['Hel', 'lo']))
    model = GroqModel('openai/gpt-oss-120b', provider=GroqProvider(api_key='gsk-test', base_url=server.base_url))
    ...
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import wire
from ._http import RecordedRequest
from .batches import BatchBehaviour, BatchService
from .echo import echo_response
from .features import (
    ToolRun,
    browser_automation_run,
    browser_search_run,
    capacity_exceeded,
    cited_completion,
    document_citation,
    function_citation,
    python_run,
    search_run,
    streamed_cited_text,
    streamed_tool_run_completion,
    tool_run_completion,
    usage_breakdown,
    visit_run,
    wolfram_run,
)
from .ratelimits import RateLimitEvent, RateLimitLedger, RateLimits
from .responses import (
    ScriptedResponse,
    ToolCall,
    close_connection,
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
from .retirements import RetiredCode, model_decommissioned, model_not_found, refuse_retired_models
from .server import CHAT_COMPLETIONS_PATH, MODELS_PATH, DefaultResponse, GroqTestServer

if TYPE_CHECKING:
    from .fake import GroqFake

__all__ = (
    'BatchBehaviour',
    'BatchService',
    'CHAT_COMPLETIONS_PATH',
    'DefaultResponse',
    'GroqFake',
    'GroqTestServer',
    'RateLimitEvent',
    'RateLimitLedger',
    'RateLimits',
    'MODELS_PATH',
    'RecordedRequest',
    'RetiredCode',
    'ScriptedResponse',
    'ToolCall',
    'close_connection',
    'echo_response',
    'http_error',
    'json_response',
    'model_decommissioned',
    'model_not_found',
    'raw_response',
    'raw_sse',
    'refuse_retired_models',
    'repeated_text_stream',
    'reset_connection',
    'streamed_error',
    'streamed_text',
    'streamed_tool_call',
    'streamed_tool_calls',
    'text_completion',
    'tool_call_completion',
    'wire',
    # Groq's newer features (`features`)
    'ToolRun',
    'browser_automation_run',
    'browser_search_run',
    'capacity_exceeded',
    'cited_completion',
    'document_citation',
    'function_citation',
    'python_run',
    'search_run',
    'streamed_cited_text',
    'streamed_tool_run_completion',
    'tool_run_completion',
    'usage_breakdown',
    'visit_run',
    'wolfram_run',
)


def __getattr__(name: str) -> Any:
    # `GroqFake` needs the groq SDK and httpx; the server needs neither, so the fake is imported when first used.
    if name == 'GroqFake':
        from .fake import GroqFake

        return GroqFake
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
