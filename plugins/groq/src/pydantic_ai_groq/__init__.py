"""The Groq provider plugin for pydantic-ai-core.

`GroqProvider` hands out an authenticated `groq.AsyncGroq` client; `GroqModel` translates conversations to and
from Groq chat completions, streamed and not. The plugin registers itself as the `groq` provider, so a
`'groq:<model>'` string works wherever the core takes a model:

```python
from pydantic_ai import Agent, ModelRequest, model_request_sync

agent = Agent('groq:openai/gpt-oss-120b', system_prompt='Be concise.')
response = model_request_sync('groq:openai/gpt-oss-120b', [ModelRequest.user_text_prompt('Hello!')])
```
"""

from __future__ import annotations

from . import _core_check  # noqa: F401  first: fail clearly if `pydantic_ai` is not pydantic-ai-core (another project's)
from ._chat_client import GroqChatClient
from ._version import __version__
from .model import GroqModel
from .model_names import GroqModelName, LatestGroqModelNames
from .provider import GroqProvider
from .settings import GroqModelSettings
from .streaming import GroqStreamedResponse

__all__ = (
    '__version__',
    'GroqChatClient',
    'GroqModel',
    'GroqModelName',
    'GroqModelSettings',
    'GroqProvider',
    'GroqStreamedResponse',
    'LatestGroqModelNames',
)
