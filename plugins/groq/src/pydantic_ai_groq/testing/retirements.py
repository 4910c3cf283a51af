"""Groq's answers for a retired model, so tests can show what code does when Groq stops serving its model.

Groq answers a request for a model it no longer serves with one of two errors (both `invalid_request_error`):

- HTTP 400 `model_decommissioned`: "The model `X` has been decommissioned and is no longer supported. Please refer to
  https://console.groq.com/docs/deprecations for a recommendation on which model to use instead." (every retirement
  from 2025 on);
- HTTP 404 `model_not_found`: "The model `X` does not exist or you do not have access to it." (what users reported
  for `llama-3.3-70b-versatile` after its 2026-08-16 shutdown).

`GroqModel` raises `pydantic_ai.exceptions.ModelRetiredError` for the first always, and for the second when the
catalogue (`pydantic_ai_groq.model_names`) knows the name was retired.

```python
from pydantic_ai_groq.testing import GroqTestServer, model_decommissioned, refuse_retired_models

with GroqTestServer() as server:
    server.enqueue(model_decommissioned('openai/gpt-oss-120b'))  # the next request, whatever its model
    ...

# Every request for a model the catalogue lists as retired (or for the names given) gets Groq's error;
# the others are answered as before.
with GroqTestServer(default=refuse_retired_models(models=['openai/gpt-oss-20b'])) as server:
    ...
```

`GroqFake` serves the same responses: `GroqFake(model_decommissioned('openai/gpt-oss-120b'))`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Literal

from . import wire
from ._http import RecordedRequest
from .echo import echo_response
from .responses import ScriptedResponse, json_response

__all__ = ('RetiredCode', 'model_decommissioned', 'model_not_found', 'refuse_retired_models')

RetiredCode = Literal['model_decommissioned', 'model_not_found']
"""The error code Groq answers a retired model with (see the module docs)."""


def model_decommissioned(model_name: str) -> ScriptedResponse:
    """Groq's HTTP 400 `model_decommissioned` error for `model_name`, body and headers as the API sends them."""
    message = (
        f'The model `{model_name}` has been decommissioned and is no longer supported. Please refer to '
        'https://console.groq.com/docs/deprecations for a recommendation on which model to use instead.'
    )
    body = wire.error_body(message, error_type='invalid_request_error', code='model_decommissioned')
    return json_response(body, status=400)


def model_not_found(model_name: str) -> ScriptedResponse:
    """Groq's HTTP 404 `model_not_found` error for `model_name` (a typo gets it too, as does a retired model)."""
    message = f'The model `{model_name}` does not exist or you do not have access to it.'
    body = wire.error_body(message, error_type='invalid_request_error', code='model_not_found')
    return json_response(body, status=404)


def refuse_retired_models(
    fallback: ScriptedResponse | Callable[[RecordedRequest], ScriptedResponse] = echo_response,
    *,
    models: Iterable[str] | None = None,
    code: RetiredCode = 'model_decommissioned',
    today: date | None = None,
) -> Callable[[RecordedRequest], ScriptedResponse]:
    """A `GroqTestServer` default that answers requests for retired models with Groq's error, and others as before.

    Args:
        fallback: The answer for a request whose model is not refused: a response, or a function of the request;
            by default the server's own echo.
        models: The model names to refuse; by default every model the catalogue lists as retired on `today`. Name
            a model Groq still serves to rehearse its retirement.
        code: Which of Groq's two answers to send (see the module docs); `model_decommissioned` by default.
        today: The day the catalogue is read for (default: the current date); ignored when `models` is given.
    """
    if models is not None:
        refused = frozenset(models)
    else:
        from ..model_names import GROQ_MODELS

        day = today or date.today()
        refused = frozenset(info.name for info in GROQ_MODELS if not info.is_served_on(day))
    refusal = model_decommissioned if code == 'model_decommissioned' else model_not_found

    def answer(request: RecordedRequest) -> ScriptedResponse:
        body = request.json if isinstance(request.json, dict) else {}
        model = body.get('model')
        if isinstance(model, str) and model in refused:
            return refusal(model)
        return fallback if isinstance(fallback, ScriptedResponse) else fallback(request)

    return answer
