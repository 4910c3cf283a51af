"""Direct requests: one call to send a conversation to a model, with no agent or graph around it.

```python
from pydantic_ai import ModelRequest, model_request_sync

response = model_request_sync('acme:large-1', [ModelRequest.user_text_prompt('Hello!')])
print(response.parts[0].content, response.usage.response_tokens)
```

`model` is a `Model` instance or a `'provider:model-name'` string, resolved with `pydantic_ai.registry.infer_model`
(in the registry passed as `registry=`, else the current one). Requests go through the model's own `request()` and
`request_stream()`, so `check_allow_model_requests()` applies exactly as it does to a direct call on the model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from ._sync import run_coroutine_sync
from .exceptions import UserError
from .messages import ModelMessage, ModelRequest, ModelResponse
from .models import Model, ModelRequestParameters, StreamedResponse
from .registry import infer_model
from .settings import ModelSettings

if TYPE_CHECKING:
    from .batch import BatchItemLike, BatchResult, ProgressCallback
    from .registry import ProviderRegistry

__all__ = ('model_request', 'model_request_batch', 'model_request_stream', 'model_request_sync')


async def model_request(
    model: Model | str,
    messages: Sequence[ModelMessage],
    *,
    model_settings: ModelSettings | None = None,
    model_request_parameters: ModelRequestParameters | None = None,
    registry: ProviderRegistry | None = None,
) -> ModelResponse:
    """Send a conversation to a model and return its response.

    Args:
        model: The model: a `Model`, or a `'provider:model-name'` string such as
            `'acme:large-1'`, resolved through the provider registry.
        messages: The conversation so far, usually ending with a `ModelRequest`.
        model_settings: Settings for this request (temperature, max tokens, ...).
        model_request_parameters: Tools and output options; by default none (plain text answers).
        registry: The provider registry a model string is resolved in; by default the current one.

    Returns:
        The model's response; its `usage` field holds the usage of this request.

    Raises:
        UserError: an argument has the wrong type or the model string cannot be resolved (the message says what
            to pass), or model requests are disabled (see `pydantic_ai.models.ALLOW_MODEL_REQUESTS`).
        ModelAPIError: the request failed (`ModelHTTPError`, `ModelConnectionError`, ...).
    """
    return await _send(*_prepare(model, messages, model_settings, model_request_parameters, registry))


async def _send(
    model: Model, messages: list[ModelMessage], settings: ModelSettings | None, parameters: ModelRequestParameters
) -> ModelResponse:
    """Send arguments `_prepare` has checked; the response (its `usage` is this request's)."""
    response, _usage = await model.request(messages, settings, parameters)
    return response


@asynccontextmanager
async def model_request_stream(
    model: Model | str,
    messages: Sequence[ModelMessage],
    *,
    model_settings: ModelSettings | None = None,
    model_request_parameters: ModelRequestParameters | None = None,
    registry: ProviderRegistry | None = None,
) -> AsyncIterator[StreamedResponse]:
    """Send a conversation to a model and stream its response.

    ```python
    async with model_request_stream('acme:large-1', messages) as stream:
        async for event in stream:
            print(event)
        response = stream.get()
    ```

    Leaving the block closes the HTTP response, whether or not the stream was read to the end.

    Args:
        model: The model: a `Model`, or a `'provider:model-name'` string resolved through the provider registry.
        messages: The conversation so far, usually ending with a `ModelRequest`.
        model_settings: Settings for this request.
        model_request_parameters: Tools and output options; by default none.
        registry: The provider registry a model string is resolved in; by default the current one.

    Yields:
        The `StreamedResponse`: iterate it for events; `get()` assembles the response so far.

    Raises:
        UserError: an argument has the wrong type, the model string cannot be resolved, or model requests are
            disabled.
        ModelAPIError: the request failed.
    """
    resolved, conversation, settings, parameters = _prepare(
        model, messages, model_settings, model_request_parameters, registry
    )
    async with resolved.request_stream(conversation, settings, parameters) as stream:
        yield stream


def model_request_sync(
    model: Model | str,
    messages: Sequence[ModelMessage],
    *,
    model_settings: ModelSettings | None = None,
    model_request_parameters: ModelRequestParameters | None = None,
    registry: ProviderRegistry | None = None,
) -> ModelResponse:
    """Send a conversation to a model and return its response, without `await`: for scripts and notebooks.

    Where it runs:

    - With no event loop running in this thread (a script), the request runs in an event loop this module keeps
      for the thread, created on first use and closed when the interpreter exits.
    - With a loop already running in this thread (a Jupyter notebook, an async framework), blocking that loop to
      run another in it is impossible, so the request runs in an event loop of its own in a worker thread, and this
      thread waits for it.

    Context variables (such as `override_allow_model_requests`) are carried over in both cases. The loop is kept
    rather than made afresh per call (as `asyncio.run` would) so that connections are reused from one call to the
    next. The HTTP client models share by default (`cached_async_http_client()`) pools connections per event loop,
    so it is safe with any loop; an `httpx.AsyncClient` of your own is bound to the loop it first ran in, so do not
    share it between these calls and your own event loop. In async code, use `await model_request(...)` instead.

    Args:
        model: The model: a `Model`, or a `'provider:model-name'` string resolved through the provider registry.
        messages: The conversation so far, usually ending with a `ModelRequest`.
        model_settings: Settings for this request.
        model_request_parameters: Tools and output options; by default none.
        registry: The provider registry a model string is resolved in; by default the current one.

    Returns:
        The model's response, with the usage of this request in its `usage` field.

    Raises:
        UserError: an argument has the wrong type, the model string cannot be resolved, or model requests are
            disabled.
        ModelAPIError: the request failed.
    """
    # Checked here, once, so that mistakes are raised in the caller's thread with the caller's traceback.
    prepared = _prepare(model, messages, model_settings, model_request_parameters, registry)
    return run_coroutine_sync(_send(*prepared))


async def model_request_batch(
    model: Model | str,
    items: Sequence[BatchItemLike],
    *,
    poll_interval: float = 10.0,
    on_progress: ProgressCallback | None = None,
    timeout: float | None = None,
    metadata: dict[str, str] | None = None,
    registry: ProviderRegistry | None = None,
) -> list[BatchResult]:
    """Send many conversations as one batch, wait for the provider to run it, and return one result per item.

    ```python
    results = await model_request_batch(
        'acme:large-1',
        [('hi', [ModelRequest.user_text_prompt('Hello!')]), ('bye', [ModelRequest.user_text_prompt('Bye!')])],
        on_progress=lambda progress: print(progress.status, progress.completed, '/', progress.total),
    )
    ```

    Every item's request is built (by the same code as `model.request()`) before anything is uploaded. The batch
    runs at the provider; this call polls it every `poll_interval` seconds until it completes, fails, expires or is
    cancelled, then collects the results. Cancelling this call does not cancel the batch: keep the id (from
    `on_progress`) and resume with `pydantic_ai.batch.get_batch(model, batch_id)`, or use
    `pydantic_ai.batch.submit_batch()` for the handle itself.

    Args:
        model: The model: a `Model` whose plugin supports batches, or a `'provider:model-name'` string.
        items: `BatchItem`s (with their own settings and `ModelRequestParameters`) or `(custom_id, messages)` pairs;
            a `None` custom id is assigned `item-<index>`.
        poll_interval: Seconds between status polls.
        on_progress: Called with the status right after submission (it carries the batch id), then with each
            `BatchProgress` polled (batch id, status, counts); may be async.
        timeout: Give up waiting after this many seconds (`TimeoutError`); the batch goes on and can be resumed.
        metadata: Key-value pairs stored with the batch at the provider.
        registry: The provider registry a model string is resolved in; by default the current one.

    Returns:
        One `BatchResult` per item, in input order, each with `.custom_id`, and `.response` (a `ModelResponse`) or
        `.error` (a `ModelHTTPError` with the item's status and body, or a `BatchItemUnfinished` when the batch
        ended before the item ran). Items that finished before a batch failed or expired keep their responses.

    Raises:
        UserError: the model does not support batches, or the arguments are wrong.
        BatchItemError: an item cannot become a request (its index is in the message); nothing was uploaded.
        ModelAPIError: uploading, creating, polling or downloading failed.
    """
    from .batch import notify, submit_batch

    job = await submit_batch(model, items, metadata=metadata, registry=registry)
    if job.last is not None:
        # The first report carries the batch id, so the caller can resume from another process.
        await notify(on_progress, job.last)
    await job.wait(poll_interval=poll_interval, on_progress=on_progress, timeout=timeout)
    return await job.results()


def _prepare(
    model: Model | str,
    messages: Sequence[ModelMessage],
    model_settings: ModelSettings | None,
    model_request_parameters: ModelRequestParameters | None,
    registry: ProviderRegistry | None,
) -> tuple[Model, list[ModelMessage], ModelSettings | None, ModelRequestParameters]:
    """Check the arguments of a direct request and resolve the model; raise `UserError` saying what to pass."""
    if not isinstance(model, (Model, str)):
        raise UserError(
            f'`model` must be a `Model` or a "provider:model-name" string (a registered provider\'s name, a colon '
            f'and a model name it serves), got {type(model).__name__}.'
        )
    if isinstance(messages, (str, ModelRequest, ModelResponse)) or not isinstance(messages, Sequence):
        hint = (
            ' For a single prompt, pass `[ModelRequest.user_text_prompt(...)]`.'
            if isinstance(messages, (str, ModelRequest))
            else ''
        )
        raise UserError(
            f'`messages` must be a list of `ModelRequest` and `ModelResponse` messages, got '
            f'{type(messages).__name__}.{hint}'
        )
    conversation = list(messages)
    if not conversation:
        raise UserError(
            '`messages` is empty: pass at least one `ModelRequest`, e.g. `ModelRequest.user_text_prompt()`.'
        )
    for index, message in enumerate(conversation):
        if not isinstance(message, (ModelRequest, ModelResponse)):
            raise UserError(
                f'`messages[{index}]` must be a `ModelRequest` or `ModelResponse`, got {type(message).__name__}.'
            )
    if model_settings is not None and not isinstance(model_settings, dict):
        raise UserError(
            f'`model_settings` must be a dict (`ModelSettings`), such as {{"temperature": 0.2}}, '
            f'got {type(model_settings).__name__}.'
        )
    if model_request_parameters is None:
        model_request_parameters = ModelRequestParameters()
    elif not isinstance(model_request_parameters, ModelRequestParameters):
        raise UserError(
            '`model_request_parameters` must be a `pydantic_ai.models.ModelRequestParameters`, got '
            f'{type(model_request_parameters).__name__}.'
        )
    return infer_model(model, registry=registry), conversation, model_settings, model_request_parameters
