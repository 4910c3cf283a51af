"""The vendor-neutral batch contract: any model implementing `SupportsBatch` works with `model_request_batch`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from pydantic_ai.batch import (
    BatchAPI,
    BatchItem,
    BatchItemError,
    BatchItemUnfinished,
    BatchProgress,
    BatchResult,
    BatchStatus,
    SupportsBatch,
    get_batch,
    normalize_items,
)
from pydantic_ai.direct import model_request_batch
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import Usage

pytestmark = [pytest.mark.asyncio]


class FakeBatchAPI(BatchAPI):
    """A provider whose batches advance one status per poll and answer each prompt in upper case."""

    def __init__(self, end: BatchStatus = 'completed') -> None:
        self.end = end
        self.batches: dict[str, tuple[list[BatchItem], list[BatchStatus]]] = {}
        self.prepared: list[list[str]] = []

    @property
    def model_name(self) -> str:
        return 'fake-model'

    def prepare(self, items: Sequence[BatchItem]) -> Any:
        for index, item in enumerate(items):
            settings = item.model_settings or {}
            if 'max_tokens' in settings and not isinstance(settings['max_tokens'], int):
                raise BatchItemError(index, item.custom_id, 'max_tokens must be an integer.')
        self.prepared.append([item.custom_id or '' for item in items])
        return list(items)

    async def submit(self, prepared: Any, *, metadata: dict[str, str] | None = None) -> BatchProgress:
        batch_id = f'fb-{len(self.batches)}'
        self.batches[batch_id] = (prepared, ['validating', 'in_progress', self.end])
        return BatchProgress(batch_id, 'validating', total=len(prepared))

    async def status(self, batch_id: str) -> BatchProgress:
        items, statuses = self.batches[batch_id]
        if len(statuses) > 1:
            statuses.pop(0)
        return BatchProgress(batch_id, statuses[0], total=len(items), completed=len(items) // 2)

    async def cancel(self, batch_id: str) -> BatchProgress:
        self.batches[batch_id][1][:] = ['cancelled']
        return await self.status(batch_id)

    async def custom_ids(self, batch_id: str) -> list[str]:
        return [item.custom_id or '' for item in self.batches[batch_id][0]]

    async def results(self, batch_id: str, custom_ids: Sequence[str]) -> list[BatchResult]:
        items = {item.custom_id: item for item in self.batches[batch_id][0]}
        status = self.batches[batch_id][1][0]
        results = []
        for position, custom_id in enumerate(reversed(custom_ids)):  # answered out of order on purpose
            if status != 'completed' and position % 2:
                results.append(BatchResult(custom_id, error=BatchItemUnfinished('fake-model', batch_id, status)))
                continue
            request = items[custom_id].messages[-1]
            assert isinstance(request, ModelRequest)
            part = request.parts[-1]
            assert isinstance(part, UserPromptPart) and isinstance(part.content, str)
            results.append(BatchResult(custom_id, response=ModelResponse([TextPart(part.content.upper())])))
        order = {custom_id: index for index, custom_id in enumerate(custom_ids)}
        return sorted(results, key=lambda result: order[result.custom_id])


class FakeBatchModel(Model):
    def __init__(self, api: FakeBatchAPI) -> None:
        self.api = api

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        raise NotImplementedError

    @property
    def model_name(self) -> str:
        return 'fake-model'

    @property
    def system(self) -> str:
        return 'fake'

    def batch_api(self) -> BatchAPI:
        return self.api


def prompt(text: str) -> list[ModelMessage]:
    return [ModelRequest.user_text_prompt(text)]


async def test_a_third_party_model_implementing_supports_batch_works_with_model_request_batch() -> None:
    api = FakeBatchAPI()
    model = FakeBatchModel(api)
    assert isinstance(model, SupportsBatch)
    seen: list[str] = []

    results = await model_request_batch(
        model,
        [('a', prompt('one')), ('b', prompt('two'))],
        poll_interval=0,
        on_progress=lambda p: seen.append(p.status),
    )

    assert [(r.custom_id, r.response.parts if r.response else None) for r in results] == [
        ('a', [TextPart('ONE')]),
        ('b', [TextPart('TWO')]),
    ]
    assert seen == ['validating', 'in_progress', 'completed']


async def test_a_plugin_item_error_carries_the_index_and_nothing_is_submitted() -> None:
    api = FakeBatchAPI()
    items = [BatchItem(prompt('x'), 'ok'), BatchItem(prompt('y'), 'bad', {'max_tokens': 'many'})]  # type: ignore[typeddict-item]
    with pytest.raises(BatchItemError) as caught:
        await model_request_batch(FakeBatchModel(api), items)
    assert (caught.value.index, caught.value.custom_id) == (1, 'bad')
    assert str(caught.value) == "Batch item 1 (custom_id 'bad'): max_tokens must be an integer."
    assert api.batches == {}


async def test_an_expired_batch_returns_finished_items_and_unfinished_errors_in_input_order() -> None:
    api = FakeBatchAPI(end='expired')
    results = await model_request_batch(FakeBatchModel(api), [(c, prompt(c)) for c in 'pqrs'], poll_interval=0)
    assert [r.custom_id for r in results] == list('pqrs')
    errors = [r.error for r in results if r.error is not None]
    assert errors and all(isinstance(e, BatchItemUnfinished) and e.reason == 'expired' for e in errors)
    assert all(r.response is not None for r in results if r.error is None)
    assert 'expired before this item ran' in str(errors[0])


async def test_get_batch_resumes_and_reads_the_item_order_from_the_provider() -> None:
    api = FakeBatchAPI()
    model = FakeBatchModel(api)
    await api.submit(normalize_items([('k', prompt('kay')), ('j', prompt('jay'))]))
    job = get_batch(model, 'fb-0')
    await job.wait(poll_interval=0)
    assert [r.custom_id for r in await job.results()] == ['k', 'j']
    assert job.custom_ids == ['k', 'j']


async def test_normalize_items_assigns_ids_and_refuses_duplicates_and_bad_items() -> None:
    params = ModelRequestParameters()
    items = normalize_items([(None, prompt('a')), BatchItem(prompt('b'), 'item-0', None, params)])
    assert [item.custom_id for item in items] == ['item-0-1', 'item-0']
    assert items[1].model_request_parameters is params
    bad: list[tuple[list[Any], str]] = [
        ([('a', prompt('x')), ('a', prompt('y'))], "custom_id 'a' is also used by item 0"),
        ([('a', [ModelRequest.user_text_prompt('x'), 'oops'])], 'messages[1] must be a `ModelRequest`'),
        ([BatchItem(prompt('x'), 'a', 'hot')], 'model_settings must be a dict'),  # type: ignore[arg-type]
        ([BatchItem(prompt('x'), 'a', None, 'tools')], 'model_request_parameters must be'),  # type: ignore[arg-type]
        ([(1, prompt('x'))], 'custom_id must be a non-empty string'),
    ]
    for raw, words in bad:
        with pytest.raises(BatchItemError) as caught:
            normalize_items(raw)
        assert words in str(caught.value), str(caught.value)


async def test_a_model_whose_batch_api_returns_no_batch_api_is_a_user_error() -> None:
    from pydantic_ai.batch import batch_api
    from pydantic_ai.exceptions import UserError

    model = FakeBatchModel(object())  # type: ignore[arg-type]  # a broken plugin's model

    with pytest.raises(
        UserError, match=r'FakeBatchModel.batch_api\(\) returned object, not a `pydantic_ai.batch.BatchAPI`'
    ):
        batch_api(model)
