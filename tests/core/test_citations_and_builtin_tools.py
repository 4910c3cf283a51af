"""The core's vocabulary for provider-run tools and cited text: built-in tools, citations, cache-read usage."""

from __future__ import annotations

import pytest

from pydantic_ai import Agent, CodeExecutionTool, UserError, WebSearchTool
from pydantic_ai.exceptions import UnexpectedModelBehavior
from pydantic_ai.messages import (
    BuiltinToolCallPart,
    Citation,
    DocumentCitation,
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ToolResultCitation,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.streaming import ModelResponsePartsManager
from pydantic_ai.usage import Usage


def test_built_in_tools_are_named_by_their_kind() -> None:
    assert WebSearchTool().kind == 'web_search'
    assert CodeExecutionTool().kind == 'code_execution'
    assert ModelRequestParameters(builtin_tools=[CodeExecutionTool()]).builtin_tools == [CodeExecutionTool()]


def test_cited_text_survives_a_json_round_trip_with_its_citation_kinds() -> None:
    citations: list[Citation] = [DocumentCitation('doc-1', 0, 5), ToolResultCitation('call_1', 6, 11)]
    history: list[ModelMessage] = [
        ModelRequest.user_text_prompt('hi'),
        ModelResponse([TextPart('hello world', citations)]),
    ]
    dumped = ModelMessagesTypeAdapter.dump_python(history, mode='json')
    assert dumped[1]['parts'][0]['citations'] == [
        {'document_id': 'doc-1', 'start_index': 0, 'end_index': 5, 'citation_kind': 'document'},
        {'tool_call_id': 'call_1', 'start_index': 6, 'end_index': 11, 'citation_kind': 'tool_result'},
    ]
    restored = ModelMessagesTypeAdapter.validate_python(dumped)
    assert restored == history
    assert [type(c) for c in restored[1].parts[0].citations or ()] == [DocumentCitation, ToolResultCitation]


def test_uncited_text_keeps_its_repr_and_a_cited_one_shows_the_citations() -> None:
    assert repr(TextPart('hi')) == "TextPart(content='hi', part_kind='text')"
    assert repr(TextPart('hi', [DocumentCitation('d', 0, 2)])) == (
        "TextPart(content='hi', citations=[DocumentCitation(document_id='d', start_index=0, end_index=2, "
        "citation_kind='document')], part_kind='text')"
    )


def test_a_text_delta_adds_text_and_citations_to_the_part() -> None:
    part = TextPart('The sky', [DocumentCitation('a', 0, 3)])
    grown = TextPartDelta(' is blue', citations_delta=[DocumentCitation('b', 4, 15)]).apply(part)
    assert grown == TextPart('The sky is blue', [DocumentCitation('a', 0, 3), DocumentCitation('b', 4, 15)])
    assert part.citations == [DocumentCitation('a', 0, 3)]  # the original part is not changed
    assert TextPartDelta('!').apply(grown).citations == grown.citations


def test_the_parts_manager_attaches_citations_to_a_text_part_by_index() -> None:
    manager = ModelResponsePartsManager()
    list(manager.handle_text_delta(vendor_part_id='content', content='The sky is blue.'))
    events = list(manager.handle_citations(index=0, citations=[DocumentCitation('sky', 4, 15)]))
    assert events == [PartDeltaEvent(0, TextPartDelta('', citations_delta=[DocumentCitation('sky', 4, 15)]))]
    list(manager.handle_text_delta(vendor_part_id='content', content=' Yes.'))
    assert manager.get_parts() == [TextPart('The sky is blue. Yes.', [DocumentCitation('sky', 4, 15)])]
    assert list(manager.handle_citations(index=0, citations=[])) == []


def test_citations_for_a_part_that_is_not_text_are_a_stream_error() -> None:
    manager = ModelResponsePartsManager()
    start = list(manager.handle_part(vendor_part_id=None, part=BuiltinToolCallPart('web_search', {'q': 'x'}, 'c1')))
    assert isinstance(start[0], PartStartEvent)
    with pytest.raises(UnexpectedModelBehavior, match='not text'):
        list(manager.handle_citations(index=0, citations=[DocumentCitation('d', 0, 1)]))
    with pytest.raises(UnexpectedModelBehavior, match='missing'):
        list(manager.handle_citations(index=5, citations=[DocumentCitation('d', 0, 1)]))


def test_cache_read_tokens_add_up_and_unknown_stays_unknown() -> None:
    total = Usage(requests=1, request_tokens=100, cache_read_tokens=60) + Usage(requests=1, request_tokens=50)
    assert total.cache_read_tokens == 60
    total.incr(Usage(requests=1, request_tokens=80, cache_read_tokens=80))
    assert (total.requests, total.request_tokens, total.cache_read_tokens) == (3, 230, 140)
    assert (Usage() + Usage()).cache_read_tokens is None


@pytest.mark.asyncio
async def test_agent_offers_its_built_in_tools_in_every_request() -> None:
    seen: list[ModelRequestParameters] = []

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(info.model_request_parameters)
        return ModelResponse([TextPart('done')])

    agent = Agent(FunctionModel(answer), builtin_tools=[WebSearchTool(), CodeExecutionTool()])
    result = await agent.run('search and compute')
    assert result.data == 'done'
    assert [p.builtin_tools for p in seen] == [[WebSearchTool(), CodeExecutionTool()]]


def test_agent_refuses_something_that_is_not_a_built_in_tool() -> None:
    with pytest.raises(UserError, match='builtin_tools'):
        Agent('test', builtin_tools=['web_search'])  # type: ignore[list-item]
    with pytest.raises(UserError, match='builtin_tools'):
        Agent('test', builtin_tools=WebSearchTool())  # type: ignore[arg-type]
