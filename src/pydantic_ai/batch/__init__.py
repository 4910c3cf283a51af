"""Batches: many conversations sent to a model as one job, run by the provider later, often at a lower price.

```python
from pydantic_ai.batch import BatchItem
from pydantic_ai.direct import model_request_batch

results = await model_request_batch(
    'acme:large-1',
    [('q1', [ModelRequest.user_text_prompt('2+2?')]), BatchItem([ModelRequest.user_text_prompt('3+3?')])],
    poll_interval=30,
    on_progress=print,
)
for result in results:  # one per item, in input order
    print(result.custom_id, result.response or result.error)
```

This module is the vendor-neutral contract. A provider plugin adds batches to its model by implementing
`SupportsBatch.batch_api()`, returning a `BatchAPI`: submit (returns the batch id at once), status, cancel and
results, each given only the batch id, so a batch submitted in one process can be followed and collected in another.
`submit_batch()` and `get_batch()` return a `BatchJob`, the handle that polls, cancels and collects.

Items are checked and their custom ids settled (`normalize_items`) before the model builds any request; the model
then builds every request before uploading anything, so a bad item is reported (`BatchItemError`, with its index)
before anything is sent.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, runtime_checkable

# Defined in the exception tree (`pydantic_ai.exceptions`), re-exported here where batches are sent.
from ..exceptions import BatchItemError, BatchItemUnfinished, UserError
from ..messages import ModelMessage, ModelRequest, ModelResponse
from ..models import Model, ModelRequestParameters
from ..registry import infer_model
from ..settings import ModelSettings

if TYPE_CHECKING:
    from ..registry import ProviderRegistry

__all__ = (
    'BatchAPI',
    'BatchItem',
    'BatchItemError',
    'BatchItemLike',
    'BatchItemUnfinished',
    'BatchJob',
    'BatchProgress',
    'BatchResult',
    'BatchStatus',
    'ProgressCallback',
    'SupportsBatch',
    'TERMINAL_STATUSES',
    'batch_api',
    'get_batch',
    'normalize_items',
    'notify',
    'submit_batch',
)

BatchStatus: TypeAlias = Literal[
    'validating', 'in_progress', 'finalizing', 'completed', 'failed', 'expired', 'cancelling', 'cancelled'
]
"""Where a batch is: `validating`, `in_progress`, `finalizing`, then one of the terminal statuses."""

TERMINAL_STATUSES: frozenset[str] = frozenset({'completed', 'failed', 'expired', 'cancelled'})
"""The statuses after which a batch changes no more; its results can be collected."""


@dataclass(frozen=True)
class BatchItem:
    """One conversation of a batch, with its own settings and request parameters."""

    messages: Sequence[ModelMessage]
    """The conversation, usually ending with a `ModelRequest`."""
    custom_id: str | None = None
    """Your id for this item, unique within the batch; `None` assigns `item-<index>`."""
    model_settings: ModelSettings | None = None
    """Settings for this item's request (temperature, max tokens, ...)."""
    model_request_parameters: ModelRequestParameters | None = None
    """Tools and output options for this item's request; by default none."""


BatchItemLike: TypeAlias = 'BatchItem | tuple[str | None, Sequence[ModelMessage]]'
"""What `model_request_batch` takes per item: a `BatchItem`, or a `(custom_id, messages)` pair."""


@dataclass(frozen=True)
class BatchProgress:
    """A batch's status and request counts, as the provider last reported them."""

    batch_id: str
    """The provider's id of the batch."""
    status: BatchStatus
    """Where the batch is."""
    total: int = 0
    """How many requests the batch holds (0 until the provider has counted them)."""
    completed: int = 0
    """How many requests have succeeded so far."""
    failed: int = 0
    """How many requests have failed so far."""
    details: dict[str, Any] = field(default_factory=dict[str, Any])
    """The provider's batch object, as JSON, for whatever else it reports (file ids, timestamps, errors)."""

    @property
    def is_done(self) -> bool:
        """Whether the batch has reached a terminal status (`completed`, `failed`, `expired`, `cancelled`)."""
        return self.status in TERMINAL_STATUSES


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one item: a response, or the error that took its place."""

    custom_id: str
    """The item's custom id."""
    response: ModelResponse | None = None
    """The model's response, parsed as a non-batched response would be; `None` when the item failed."""
    error: Exception | None = None
    """Why there is no response: a `ModelHTTPError` (the item's status and body), a `BatchItemUnfinished`
    (the batch ended before the item ran), or an `UnexpectedModelBehavior`. `None` when there is a response."""


class BatchAPI(ABC):
    """A provider's batch endpoints, for one model: what a plugin implements to support batches.

    Every method but `submit` needs only the batch id, so another process (or a fresh model) can resume a batch.
    """

    @property
    @abstractmethod
    def model_name(self) -> str:
        """The model the batch requests are for."""
        raise NotImplementedError

    @abstractmethod
    def prepare(self, items: Sequence[BatchItem]) -> Any:
        """Build every item's request, before anything is sent; the result is what `submit` uploads.

        Raises:
            BatchItemError: an item cannot become a request; the message names the item and what to change.
        """
        raise NotImplementedError

    @abstractmethod
    async def submit(self, prepared: Any, *, metadata: dict[str, str] | None = None) -> BatchProgress:
        """Upload the prepared requests and create the batch; returns as soon as the provider has accepted it."""
        raise NotImplementedError

    @abstractmethod
    async def status(self, batch_id: str) -> BatchProgress:
        """The batch's current status and counts."""
        raise NotImplementedError

    @abstractmethod
    async def cancel(self, batch_id: str) -> BatchProgress:
        """Ask the provider to cancel the batch; results finished before the cancellation are kept."""
        raise NotImplementedError

    @abstractmethod
    async def custom_ids(self, batch_id: str) -> list[str]:
        """The custom ids of the batch's items, in input order (read back from the provider when resuming)."""
        raise NotImplementedError

    @abstractmethod
    async def results(self, batch_id: str, custom_ids: Sequence[str]) -> list[BatchResult]:
        """One result per custom id, in the order given: a response, or the error for that item.

        Call it once the batch has reached a terminal status; items the provider returned nothing for get a
        `BatchItemUnfinished` error saying why.
        """
        raise NotImplementedError


@runtime_checkable
class SupportsBatch(Protocol):
    """A model that can send batches: it hands out its `BatchAPI`.

    The declared capability: a model class implements `batch_api()` (with or without this protocol among its
    bases), and `pydantic_ai.batch.batch_api()` checks, in one place, that the model has it and that what it returns
    is a `BatchAPI`.
    """

    def batch_api(self) -> BatchAPI:
        """The batch endpoints for this model."""
        ...


ProgressCallback: TypeAlias = 'Callable[[BatchProgress], Awaitable[None] | None]'
"""Called with every status polled while waiting for a batch; may be a coroutine function."""


def batch_api(model: Model | str, *, registry: ProviderRegistry | None = None) -> BatchAPI:
    """The batch endpoints of `model`: a `Model`, or a `'provider:model-name'` string resolved in `registry`.

    Raises:
        UserError: the model does not support batches (or its `batch_api()` returns no `BatchAPI`), or the model
            string cannot be resolved.
    """
    if not isinstance(model, (Model, str)):
        raise UserError(f'`model` must be a `Model` or a "provider:model-name" string, got {type(model).__name__}.')
    resolved = infer_model(model, registry=registry)
    if not isinstance(resolved, SupportsBatch):
        raise UserError(
            f'{type(resolved).__name__} (provider {resolved.system!r}) does not support batches: use a model whose '
            'plugin implements `pydantic_ai.batch.SupportsBatch`, or send the requests one by one with '
            '`model_request`.'
        )
    api: object = resolved.batch_api()
    if not isinstance(api, BatchAPI):
        raise UserError(
            f'{type(resolved).__name__}.batch_api() returned {type(api).__name__}, not a `pydantic_ai.batch.BatchAPI`: '
            "the model's plugin is broken; send the requests one by one with `model_request`."
        )
    return api


def normalize_items(items: Sequence[BatchItemLike]) -> list[BatchItem]:
    """Check the items and give each a custom id: yours, or `item-<index>` for those without one.

    Raises:
        BatchItemError: an item is not a `BatchItem` or `(custom_id, messages)` pair, its messages are not a
            non-empty list of messages, or its custom id is not a non-empty string or repeats another item's.
        UserError: `items` is not a list, or is empty.
    """
    # A str is a Sequence too: refused here for callers without a type checker, which mypy deems impossible.
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):  # type: ignore[unreachable]
        raise UserError(
            f'`items` must be a list of `BatchItem`s or `(custom_id, messages)` pairs, got {type(items).__name__}.'
        )
    if not items:
        raise UserError('`items` is empty: a batch needs at least one item.')
    normalized: list[BatchItem] = []
    seen: dict[str, int] = {}
    given = {item.custom_id for item in items if isinstance(item, BatchItem)}
    given.update(item[0] for item in items if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str))
    for index, raw in enumerate(items):
        item = _as_item(index, raw)
        custom_id = item.custom_id
        if custom_id is None:
            custom_id = f'item-{index}'
            suffix = 0
            while custom_id in given:
                suffix += 1
                custom_id = f'item-{index}-{suffix}'
            item = BatchItem(list(item.messages), custom_id, item.model_settings, item.model_request_parameters)
        if custom_id in seen:
            raise BatchItemError(
                index,
                custom_id,
                f'custom_id {custom_id!r} is also used by item {seen[custom_id]}; custom ids must '
                'be unique within a batch.',
            )
        seen[custom_id] = index
        normalized.append(item)
    return normalized


def _as_item(index: int, raw: object) -> BatchItem:
    if isinstance(raw, BatchItem):
        item = raw
    elif isinstance(raw, tuple) and len(raw) == 2:
        custom_id, messages = raw
        item = BatchItem(messages, custom_id)
    else:
        raise BatchItemError(
            index, None, f'expected a `BatchItem` or a `(custom_id, messages)` pair, got {type(raw).__name__}.'
        )
    if item.custom_id is not None and (not isinstance(item.custom_id, str) or not item.custom_id):
        raise BatchItemError(index, None, f'custom_id must be a non-empty string or None, got {item.custom_id!r}.')
    messages = item.messages
    if isinstance(messages, (str, ModelRequest, ModelResponse)) or not isinstance(messages, Sequence) or not messages:
        raise BatchItemError(
            index,
            item.custom_id,
            'messages must be a non-empty list of `ModelRequest`/`ModelResponse`, such as '
            f'`[ModelRequest.user_text_prompt(...)]`; got {messages!r:.80}.',
        )
    for position, message in enumerate(messages):
        if not isinstance(message, (ModelRequest, ModelResponse)):
            raise BatchItemError(
                index,
                item.custom_id,
                f'messages[{position}] must be a `ModelRequest` or `ModelResponse`, got {type(message).__name__}.',
            )
    if item.model_settings is not None and not isinstance(item.model_settings, dict):
        raise BatchItemError(index, item.custom_id, f'model_settings must be a dict, got {item.model_settings!r:.80}.')
    params = item.model_request_parameters
    if params is not None and not isinstance(params, ModelRequestParameters):
        raise BatchItemError(
            index, item.custom_id, f'model_request_parameters must be a ModelRequestParameters, got {params!r:.80}.'
        )
    return item


@dataclass
class BatchJob:
    """A submitted batch: poll it, wait for it, cancel it, collect its results.

    Get one from `submit_batch()` (right after the upload) or `get_batch()` (from the batch id alone, in any
    process).
    """

    api: BatchAPI
    """The model's batch endpoints."""
    batch_id: str
    """The provider's id of the batch: keep it to resume later."""
    custom_ids: list[str] | None = None
    """The items' custom ids in input order; `None` when resumed (read back from the provider when needed)."""
    last: BatchProgress | None = None
    """The last status seen."""

    async def status(self) -> BatchProgress:
        """Ask the provider for the batch's status and counts."""
        self.last = await self.api.status(self.batch_id)
        return self.last

    async def wait(
        self, *, poll_interval: float = 10.0, on_progress: ProgressCallback | None = None, timeout: float | None = None
    ) -> BatchProgress:
        """Poll until the batch reaches a terminal status, calling `on_progress` with every status seen.

        Args:
            poll_interval: Seconds between polls.
            on_progress: Called with each `BatchProgress` (may be async).
            timeout: Give up after this many seconds (`TimeoutError`); the batch goes on and can be resumed.

        Returns:
            The terminal status.
        """
        if isinstance(poll_interval, bool) or not isinstance(poll_interval, (int, float)) or poll_interval < 0:
            raise UserError(f'`poll_interval` must be a number of seconds >= 0, got {poll_interval!r}.')
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            progress = await self.status()
            await notify(on_progress, progress)
            if progress.is_done:
                return progress
            if deadline is not None and time.monotonic() + poll_interval > deadline:
                raise TimeoutError(
                    f'Batch {self.batch_id} is still {progress.status} after {timeout} s; it goes on at the provider: '
                    'resume it later with `get_batch(model, batch_id)`.'
                )
            await asyncio.sleep(poll_interval)

    async def cancel(self) -> BatchProgress:
        """Ask the provider to cancel the batch; what finished before is kept and returned by `results()`."""
        self.last = await self.api.cancel(self.batch_id)
        return self.last

    async def results(self) -> list[BatchResult]:
        """One result per item, in input order (call once the batch is done: see `wait()`).

        Raises:
            UserError: the batch has not reached a terminal status yet.
        """
        progress = self.last if self.last is not None and self.last.is_done else await self.status()
        if not progress.is_done:
            raise UserError(
                f'Batch {self.batch_id} is still {progress.status}: wait for it (`await job.wait()`) before asking '
                'for results.'
            )
        if self.custom_ids is None:
            self.custom_ids = await self.api.custom_ids(self.batch_id)
        return await self.api.results(self.batch_id, self.custom_ids)


async def notify(on_progress: ProgressCallback | None, progress: BatchProgress) -> None:
    """Call `on_progress` (sync or async) with `progress`, if there is a callback."""
    if on_progress is not None:
        outcome = on_progress(progress)
        if inspect.isawaitable(outcome):
            await outcome


async def submit_batch(
    model: Model | str,
    items: Sequence[BatchItemLike],
    *,
    metadata: dict[str, str] | None = None,
    registry: ProviderRegistry | None = None,
) -> BatchJob:
    """Check and build every item's request, upload them as one batch, and return its handle at once.

    Raises:
        UserError: the model does not support batches, or `items` is not a non-empty list.
        BatchItemError: an item cannot become a request (nothing has been uploaded).
        ModelAPIError: the upload or the batch creation failed.
    """
    api = batch_api(model, registry=registry)
    normalized = normalize_items(items)
    prepared = api.prepare(normalized)
    progress = await api.submit(prepared, metadata=metadata)
    return BatchJob(api, progress.batch_id, [item.custom_id or '' for item in normalized], progress)


def get_batch(model: Model | str, batch_id: str, *, registry: ProviderRegistry | None = None) -> BatchJob:
    """The handle of a batch submitted earlier (perhaps by another process), from its id alone.

    Raises:
        UserError: the model does not support batches, or `batch_id` is not a non-empty string.
    """
    if not isinstance(batch_id, str) or not batch_id:
        raise UserError(f'`batch_id` must be the non-empty id returned when the batch was submitted, got {batch_id!r}.')
    return BatchJob(batch_api(model, registry=registry), batch_id)
