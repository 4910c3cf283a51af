"""Groq's Batch API behind the core's `pydantic_ai.batch.BatchAPI`: many chat completions as one job, run later.

A batch is a JSONL file, one request per line (`{"custom_id", "method": "POST", "url": "/v1/chat/completions",
"body"}`), uploaded with `purpose=batch`; a batch created from it moves through `validating`, `in_progress` and
`finalizing` to `completed` (or `failed`, `expired`, `cancelling`/`cancelled`), then has an output file (one line per
request that succeeded) and an error file (one line per request that failed or did not run), in no particular order.

Each line's body is built by `GroqModel`'s own request builder, so it is byte for byte what `request()` would send
(tools, output modes, settings and all), and each output line is parsed by the same code as a non-streamed
response. Results are joined to the items by `custom_id`. Settings that are about the HTTP call rather than the
request (`timeout`) have no effect on batch lines; `extra_headers` cannot be sent per line and is refused.

```python
from pydantic_ai.direct import model_request_batch

results = await model_request_batch(GroqModel('openai/gpt-oss-120b'), items, poll_interval=30)
```
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from pydantic_ai.batch import (
    BatchAPI,
    BatchItem,
    BatchItemError,
    BatchItemUnfinished,
    BatchProgress,
    BatchResult,
    BatchStatus,
)
from pydantic_ai.exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior, UserError
from pydantic_ai.messages import ModelResponse
from pydantic_ai.models import ModelRequestParameters, check_allow_model_requests
from pydantic_ai.usage import Usage

from ._errors import error_object, map_api_errors
from ._response import failed_generation_parts, map_completion

if TYPE_CHECKING:
    from groq import AsyncGroq

    from pydantic_ai.messages import ModelMessage
    from pydantic_ai.settings import ModelSettings

__all__ = ('GroqBatchAPI', 'BATCH_ENDPOINT', 'DEFAULT_COMPLETION_WINDOW')

BATCH_ENDPOINT: Literal['/v1/chat/completions'] = '/v1/chat/completions'
"""The endpoint every line of a Groq batch calls (the only one Groq's batches support)."""

DEFAULT_COMPLETION_WINDOW = '24h'
"""How long Groq may take to run a batch before it expires (Groq accepts `24h` to `7d`)."""

_STATUSES: frozenset[str] = frozenset(
    {'validating', 'in_progress', 'finalizing', 'completed', 'failed', 'expired', 'cancelling', 'cancelled'}
)
# Error codes Groq (like OpenAI) writes into the error file for lines that never ran.
_UNRUN_CODES = {'batch_expired': 'expired', 'batch_cancelled': 'cancelled', 'batch_failed': 'failed'}


class BatchedModel(Protocol):
    """What a batch needs of its model, a `GroqModel`.

    Declared here so that this module does not import the model's, which imports this one for `batch_api()`.
    """

    @property
    def client(self) -> AsyncGroq:
        """The authenticated client the batch endpoints are called with."""
        ...

    @property
    def model_name(self) -> str:
        """The model name."""
        ...

    @property
    def system(self) -> str:
        """The provider's name."""
        ...

    def _prepare(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        params: ModelRequestParameters,
        *,
        stream: bool,
    ) -> tuple[bytes, Any, int]:
        """The request body as wire bytes, the request options, and the estimated tokens: what `request()` sends."""
        ...


class GroqBatchAPI(BatchAPI):
    """Groq's Files and Batches endpoints, for one `GroqModel`; get it with `GroqModel.batch_api()`."""

    def __init__(self, model: BatchedModel, *, completion_window: str = DEFAULT_COMPLETION_WINDOW) -> None:
        """Batch endpoints for `model`, whose client (API key, base URL, retries) they use.

        Args:
            model: The model the batch requests are for.
            completion_window: How long Groq may take before the batch expires: `'24h'` (the default) to `'7d'`.
        """
        if not isinstance(completion_window, str) or not completion_window:
            raise UserError(f"`completion_window` must be a duration such as '24h' or '7d', got {completion_window!r}.")
        self._model = model
        self.completion_window = completion_window

    def __repr__(self) -> str:
        return f'GroqBatchAPI(model={self._model!r}, completion_window={self.completion_window!r})'

    @property
    def model_name(self) -> str:
        """The model the batch requests are for."""
        return self._model.model_name

    def prepare(self, items: Sequence[BatchItem]) -> bytes:
        """The batch's JSONL input file: one line per item, its body built exactly as `request()` builds it.

        Raises:
            BatchItemError: an item cannot become a request (the message names it and what to change).
        """
        lines: list[bytes] = []
        for index, item in enumerate(items):
            custom_id = item.custom_id
            if custom_id is None:
                raise BatchItemError(index, None, 'has no custom_id: pass items through `normalize_items()` first.')
            settings = item.model_settings
            if settings is not None and 'extra_headers' in settings:
                raise BatchItemError(
                    index,
                    custom_id,
                    'the `extra_headers` setting cannot be sent in a batch (its lines carry no headers): drop it, '
                    'or put headers on the provider.',
                )
            params = item.model_request_parameters or ModelRequestParameters()
            try:
                # The body is the first thing `_prepare` returns; the rest (request options) is per HTTP call.
                content = self._model._prepare(list(item.messages), settings, params, stream=False)[0]
            except UserError as exc:
                raise BatchItemError(index, custom_id, exc.message) from exc
            lines.append(
                b'{"custom_id":%b,"method":"POST","url":"%b","body":%b}'
                % (json.dumps(custom_id, ensure_ascii=False).encode(), BATCH_ENDPOINT.encode(), content)
            )
        return b'\n'.join(lines) + b'\n'

    async def submit(self, prepared: Any, *, metadata: dict[str, str] | None = None) -> BatchProgress:
        """Upload the input file (`purpose=batch`) and create the batch; returns its first status."""
        check_allow_model_requests()
        if not isinstance(prepared, bytes):
            raise UserError(f'`prepared` must be the bytes returned by `prepare()`, got {type(prepared).__name__}.')
        client = self._model.client
        with map_api_errors(self.model_name, provider_name=self._model.system):
            uploaded = await client.files.create(file=('batch.jsonl', prepared, 'application/jsonl'), purpose='batch')
            if not uploaded.id:
                raise UnexpectedModelBehavior('Groq accepted the batch input file without returning its id')
            batch = await client.batches.create(
                input_file_id=uploaded.id,
                endpoint=BATCH_ENDPOINT,
                completion_window=self.completion_window,
                metadata=metadata,
            )
        return _progress(batch.model_dump(mode='json'))

    async def status(self, batch_id: str) -> BatchProgress:
        """The batch's status and request counts."""
        return _progress(await self._batch(batch_id))

    async def cancel(self, batch_id: str) -> BatchProgress:
        """Ask Groq to cancel the batch (it goes through `cancelling` to `cancelled`); finished lines are kept."""
        with map_api_errors(self.model_name, provider_name=self._model.system):
            batch = await self._model.client.batches.cancel(batch_id)
        return _progress(batch.model_dump(mode='json'))

    async def custom_ids(self, batch_id: str) -> list[str]:
        """The custom ids of the batch's lines in input order, read back from its input file."""
        batch = await self._batch(batch_id)
        file_id = batch.get('input_file_id')
        if not isinstance(file_id, str) or not file_id:
            raise UnexpectedModelBehavior(f'Groq reported batch {batch_id} without an input file id')
        ids: list[str] = []
        for line in await self._lines(file_id):
            custom_id = line.get('custom_id')
            if isinstance(custom_id, str):
                ids.append(custom_id)
        return ids

    async def results(self, batch_id: str, custom_ids: Sequence[str]) -> list[BatchResult]:
        """One result per custom id, in the order given, from the output and error files (partial ones too)."""
        batch = await self._batch(batch_id)
        found: dict[str, BatchResult] = {}
        for key in ('output_file_id', 'error_file_id'):
            file_id = batch.get(key)
            if isinstance(file_id, str) and file_id:
                for line in await self._lines(file_id):
                    custom_id = line.get('custom_id')
                    if isinstance(custom_id, str):
                        found[custom_id] = self._result(custom_id, line, batch_id)
        status = str(batch.get('status'))
        line_errors = _line_errors(batch)
        results: list[BatchResult] = []
        for index, custom_id in enumerate(custom_ids):
            result = found.get(custom_id)
            if result is None:
                reason = status if status in ('expired', 'cancelled', 'failed') else 'missing'
                detail = line_errors.get(index + 1) or line_errors.get(0, '')
                result = BatchResult(
                    custom_id, error=BatchItemUnfinished(self.model_name, batch_id, reason, detail, batch.get('errors'))
                )
            results.append(result)
        return results

    async def _batch(self, batch_id: str) -> dict[str, Any]:
        if not isinstance(batch_id, str) or not batch_id:
            raise UserError(f'`batch_id` must be a non-empty string, got {batch_id!r}.')
        with map_api_errors(self.model_name, provider_name=self._model.system):
            batch = await self._model.client.batches.retrieve(batch_id)
        return batch.model_dump(mode='json')

    async def _lines(self, file_id: str) -> list[dict[str, Any]]:
        """A JSONL file's lines, parsed; a line that is not a JSON object is an `UnexpectedModelBehavior`."""
        with map_api_errors(self.model_name, provider_name=self._model.system):
            response = await self._model.client.files.content(file_id)
            data = await response.read()
        lines: list[dict[str, Any]] = []
        for number, raw in enumerate(data.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except ValueError as exc:
                raise UnexpectedModelBehavior(
                    f'Line {number} of Groq batch file {file_id} is not valid JSON ({exc})',
                    raw[:1000].decode('utf-8', 'replace'),
                ) from None
            if not isinstance(line, dict):
                raise UnexpectedModelBehavior(
                    f'Line {number} of Groq batch file {file_id} is not a JSON object',
                    raw[:1000].decode('utf-8', 'replace'),
                )
            lines.append(cast(dict[str, Any], line))
        return lines

    def _result(self, custom_id: str, line: dict[str, Any], batch_id: str) -> BatchResult:
        """One output or error line as a result: a response, an HTTP error, or an item the batch never ran."""
        response = line.get('response')
        if isinstance(response, dict):
            status = response.get('status_code')
            body = response.get('body')
            if isinstance(status, int) and 200 <= status < 300:
                try:
                    return BatchResult(custom_id, response=map_completion(body, self.model_name, self._model.system))
                except UnexpectedModelBehavior as exc:
                    return BatchResult(custom_id, error=exc)
            status_code = status if isinstance(status, int) else 500
            failed = self._tool_use_failed(body, status_code)
            if failed is not None:
                return BatchResult(custom_id, response=failed)
            request_id = response.get('request_id')
            headers = {'x-request-id': request_id} if isinstance(request_id, str) else None
            return BatchResult(custom_id, error=ModelHTTPError(status_code, self.model_name, body, headers))
        error = line.get('error')
        error = error if isinstance(error, dict) else {}
        code = error.get('code')
        message = error.get('message')
        detail = message if isinstance(message, str) else ''
        reason = _UNRUN_CODES.get(code) if isinstance(code, str) else None
        if reason is not None:
            return BatchResult(custom_id, error=BatchItemUnfinished(self.model_name, batch_id, reason, detail, error))
        return BatchResult(
            custom_id,
            error=ModelAPIError(
                self.model_name, f'Groq batch {batch_id} reported an error for this item: {detail or error}', error
            ),
        )

    def _tool_use_failed(self, body: Any, status_code: int) -> ModelResponse | None:
        """As in `request()`: a `tool_use_failed` error is a response holding what the model generated."""
        error = error_object(body)
        if error.get('code') != 'tool_use_failed':
            return None
        return ModelResponse(
            parts=failed_generation_parts(error),
            model_name=self.model_name,
            usage=Usage(requests=1, request_tokens=0, response_tokens=0, total_tokens=0),
            provider_name=self._model.system,
            finish_reason='error',
            provider_details={'finish_reason': None, 'error': error, 'status_code': status_code},
        )


def _progress(batch: dict[str, Any]) -> BatchProgress:
    status = batch.get('status')
    if status not in _STATUSES:
        raise UnexpectedModelBehavior(f'Groq reported batch {batch.get("id")!r} with an unknown status {status!r}')
    counts = batch.get('request_counts')
    counts = counts if isinstance(counts, dict) else {}
    return BatchProgress(
        batch_id=str(batch.get('id')),
        status=cast(BatchStatus, status),
        total=_count(counts.get('total')),
        completed=_count(counts.get('completed')),
        failed=_count(counts.get('failed')),
        details=batch,
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _line_errors(batch: dict[str, Any]) -> dict[int, str]:
    """The batch's own errors (a failed validation), by input line number; 0 for errors naming no line."""
    errors = batch.get('errors')
    data = errors.get('data') if isinstance(errors, dict) else None
    found: dict[int, str] = {}
    for entry in data if isinstance(data, list) else []:
        if not isinstance(entry, dict):
            continue
        line = entry.get('line')
        number = line if isinstance(line, int) else 0
        text = f'{entry.get("code") or "error"}: {entry.get("message") or ""}'.strip()
        found[number] = f'{found[number]}; {text}' if number in found else text
    return found
