"""Documents a request gives Groq, and the citations of an answer (`annotations`) as the core's typed citations.

Groq's `annotations` (on the message, or `delta.annotations` in a stream) are `document_citation`s (a document id
and a character span) and `function_citation`s (a tool call id and a span); they become `DocumentCitation`s and
`ToolResultCitation`s on the `TextPart` they cite. Groq counts the span in the message content; the citation is
attached to the text part the span starts in, with its offsets counted from that part's start (the same part in
the normal case of one text part per answer) and its end kept within the part. An annotation of a kind we do not
know, or one that cites no text of the answer, is kept as Groq sent it in `provider_details['annotations']`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import Citation, DocumentCitation, ModelResponsePart, TextPart, ToolResultCitation

from ._errors import malformed

__all__ = ('map_documents', 'map_citation_options', 'place_citations', 'apply_citations')

from ._utils import JSON

_CITATION_OPTIONS = ('enabled', 'disabled')


def map_documents(value: object) -> list[JSON]:
    """The `groq_documents` setting as Groq's `documents`, checked.

    Raises:
        UserError: not a list of `{'id'?: str, 'source': {'type': 'text', 'text': str} | {'type': 'json', 'data':
            dict}}`.
    """
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise UserError(f'Setting `groq_documents` must be a list of documents (GroqDocument), got {value!r}.')
    documents: list[JSON] = []
    for position, document in enumerate(value):
        where = f'`groq_documents[{position}]`'
        if not isinstance(document, Mapping) or 'source' not in document or not set(document) <= {'id', 'source'}:
            raise UserError(f"{where} must be a dict with 'source' and an optional 'id', got {document!r}.")
        document_id = document.get('id')
        if document_id is not None and (not isinstance(document_id, str) or not document_id):
            raise UserError(f"{where}['id'] must be a non-empty string, got {document_id!r}.")
        source = document['source']
        kind = source.get('type') if isinstance(source, Mapping) else None
        valid = (kind == 'text' and isinstance(source.get('text'), str)) or (
            kind == 'json' and isinstance(source.get('data'), Mapping)
        )
        if not valid or set(source) != {'type', 'text' if kind == 'text' else 'data'}:
            raise UserError(
                f"{where}['source'] must be {{'type': 'text', 'text': str}} or {{'type': 'json', 'data': dict}}, "
                f'got {source!r}.'
            )
        documents.append({**document, 'source': dict(source)})
    return documents


def map_citation_options(value: object) -> str:
    """The `groq_citation_options` setting, checked.

    Raises:
        UserError: not `'enabled'` or `'disabled'`.
    """
    if value not in _CITATION_OPTIONS:
        raise UserError(f"Setting `groq_citation_options` must be 'enabled' or 'disabled', got {value!r}.")
    return str(value)


def _citation(annotation: Any, model_name: str, provider_name: str, streamed: bool) -> Citation | None:
    """One annotation as a citation with Groq's offsets; `None` for a kind we do not know.

    Raises:
        UnexpectedModelBehavior: a known kind of the wrong shape.
    """
    if not isinstance(annotation, Mapping):
        raise malformed(
            model_name,
            'an annotation that is not an object',
            annotation,
            provider_name=provider_name,
            streamed=streamed,
        )
    kind = annotation.get('type')
    if kind not in ('document_citation', 'function_citation'):
        return None
    body = annotation.get(kind)
    key = 'document_id' if kind == 'document_citation' else 'tool_call_id'
    source = body.get(key) if isinstance(body, Mapping) else None
    start = body.get('start_index') if isinstance(body, Mapping) else None
    end = body.get('end_index') if isinstance(body, Mapping) else None
    if not (isinstance(source, str) and isinstance(start, int) and isinstance(end, int) and _is_index(start, end)):
        raise malformed(
            model_name,
            f'a `{kind}` annotation without `{key}`, `start_index` and `end_index`',
            annotation,
            provider_name=provider_name,
            streamed=streamed,
        )
    if kind == 'document_citation':
        return DocumentCitation(source, start, end)
    return ToolResultCitation(source, start, end)


def _is_index(*values: int) -> bool:
    return all(not isinstance(value, bool) and value >= 0 for value in values)


def place_citations(
    parts: Sequence[ModelResponsePart],
    annotations: Sequence[Any],
    model_name: str,
    *,
    provider_name: str,
    streamed: bool = False,
) -> tuple[dict[int, list[Citation]], list[Any]]:
    """Where each annotation goes: citations by the index of the text part they cite, and the annotations left over.

    `model_name` and `provider_name` (the model's `system`) are for the error an annotation of the wrong shape raises.

    Raises:
        UnexpectedModelBehavior: an annotation of a known kind has the wrong shape.
    """
    spans: list[tuple[int, int, int]] = []  # (part index, offset of the part in the content, its length)
    offset = 0
    for index, part in enumerate(parts):
        if isinstance(part, TextPart):
            spans.append((index, offset, len(part.content)))
            offset += len(part.content)
    placed: dict[int, list[Citation]] = {}
    left: list[Any] = []
    for annotation in annotations:
        citation = _citation(annotation, model_name, provider_name, streamed)
        span = next((s for s in spans if citation is not None and s[1] <= citation.start_index < s[1] + s[2]), None)
        if citation is None or span is None:
            left.append(annotation)
            continue
        index, start, length = span
        citation.start_index -= start
        citation.end_index = min(max(citation.end_index - start, citation.start_index), length)
        placed.setdefault(index, []).append(citation)
    return placed, left


def apply_citations(parts: list[ModelResponsePart], placed: Mapping[int, list[Citation]]) -> None:
    """Attach placed citations to their text parts, in place."""
    for index, citations in placed.items():
        part = parts[index]
        if isinstance(part, TextPart):
            parts[index] = TextPart(part.content, [*(part.citations or ()), *citations])
