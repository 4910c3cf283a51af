"""Scripted answers for Groq's newer features: server-side tool runs, citations, usage per model, flex capacity.

Every builder returns a `ScriptedResponse` that `GroqTestServer` and `GroqFake` both serve, in the wire format of
real Groq answers (see `cassettes/README.md` for where each shape comes from):

- `tool_run_completion()` / `streamed_tool_run_completion()`: a compound or gpt-oss answer that ran tools on Groq's
  side. The answer is told as steps, reasoning text and `ToolRun`s in the order they happened. The reasoning is
  written as Groq's compound systems write it, each run inline as `<tool>type(arguments)` then
  `</tool>` and `<output>...</output>`; a stream sends each run in Groq's two steps, at the point of the reasoning
  where it was called: first the run announced (type, arguments, an empty `search_results`), then the whole run
  again with its output. Both carry a compound answer's `usage_breakdown` when given.
- `cited_completion()` / `streamed_cited_text()`: an answer with `annotations` citing documents or tool calls
  (`document_citation()`, `function_citation()`).
- `capacity_exceeded()`: the flex tier's HTTP 498 `capacity_exceeded`.

```python
from pydantic_ai_groq.testing import GroqTestServer, python_run, streamed_tool_run_completion

server.enqueue(
    streamed_tool_run_completion(
        'I will compute it. ', python_run('print(2 ** 10)', '1024'), content='2 ** 10 is 1024.'
    )
)
```
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import wire
from .responses import ScriptedResponse, _stream, http_error, json_response

__all__ = (
    'ToolRun',
    'search_run',
    'python_run',
    'browser_search_run',
    'visit_run',
    'browser_automation_run',
    'wolfram_run',
    'tool_run_completion',
    'streamed_tool_run_completion',
    'document_citation',
    'function_citation',
    'cited_completion',
    'streamed_cited_text',
    'usage_breakdown',
    'capacity_exceeded',
    'CAPACITY_EXCEEDED_MESSAGE',
)

CAPACITY_EXCEEDED_MESSAGE = 'Flex tier capacity exceeded. Please try again later or use another service tier.'
"""The message of the scripted flex-tier 498 (Groq's own wording is not in any recording we have)."""


@dataclass(frozen=True)
class ToolRun:
    """One run of a tool Groq runs itself, as its `executed_tools` entry says it (build with `search_run()`, ...)."""

    type: str
    """Groq's kind of run: `search`, `python`, `visit`, `browser_automation`, `wolfram`, `browser.search`, ..."""
    arguments: Mapping[str, Any] | str
    """The run's arguments: a mapping (sent as a JSON string, as Groq does) or a string sent as is."""
    output: str | None = None
    """The run's output text; `None` for a run that never completes (a stream then never sends its second step)."""
    search_results: Mapping[str, Any] | None = None
    """`search_results` (`{"results": [...], "images": [...]}`); compound sends `{"results": []}` for every run."""
    code_results: Sequence[Mapping[str, Any]] | None = None
    """`code_results` (`[{"text", "png", "chart", "charts"}]`)."""
    browser_results: Sequence[Mapping[str, Any]] | None = None
    """`browser_results` (`[{"title", "url", "content", "live_view_url"}]`)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """More fields of the entry, for kinds or fields Groq may add."""

    def arguments_json(self) -> str:
        """The arguments as the JSON string Groq sends."""
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(dict(self.arguments), ensure_ascii=False)

    def entry(self, index: int, *, announced: bool = False) -> dict[str, Any]:
        """The `executed_tools` entry: whole, or (`announced`) as a stream's first step, before the run has finished.

        Field order is Groq's: `index`, `type`, `arguments`, `output`, `search_results`, then the others.
        """
        entry: dict[str, Any] = {'index': index, 'type': self.type, 'arguments': self.arguments_json()}
        if not announced and self.output is not None:
            entry['output'] = self.output
        if announced:
            entry['search_results'] = {'results': []}
            return entry
        entry['search_results'] = dict(self.search_results) if self.search_results is not None else {'results': []}
        if self.code_results is not None:
            entry['code_results'] = [dict(result) for result in self.code_results]
        if self.browser_results is not None:
            entry['browser_results'] = [dict(result) for result in self.browser_results]
        entry.update(self.extra)
        return entry

    def call_text(self) -> str:
        """How the reasoning shows the call, up to where Groq runs the tool: `<tool>type(arguments)`."""
        if isinstance(self.arguments, str):
            shown = self.arguments
        else:
            values = list(self.arguments.values())
            shown = str(values[0]) if len(values) == 1 else self.arguments_json()
        return f'<tool>{self.type}({shown})'

    def output_text(self) -> str:
        """How the reasoning shows the end of the call and its output: `</tool>` and `<output>...</output>`."""
        return f'\n</tool>\n<output>{self.output or ""}</output>\n'


def search_run(
    query: str,
    results: Iterable[tuple[str, str, str] | Mapping[str, Any]] = (),
    *,
    images: Sequence[str] | None = None,
    kind: str = 'search',
) -> ToolRun:
    """A web search: `results` as `(title, url, content)` or whole result objects; the output lists them as Groq does.

    Args:
        query: What was searched.
        results: The results, best first; each gets a score from 0.9 down.
        images: Image URLs found (`search_settings.include_images`).
        kind: Groq's type of the run: `'search'` (compound) or a gpt-oss browser action such as `'browser.search'`.
    """
    found: list[dict[str, Any]] = []
    for position, result in enumerate(results):
        if isinstance(result, Mapping):
            found.append(dict(result))
        else:
            title, url, content = result
            found.append({'title': title, 'url': url, 'content': content, 'score': round(0.9 - position * 0.05, 4)})
    output = ''.join(
        f'Title: {r.get("title")}\nURL: {r.get("url")}\nContent: {r.get("content")}\nScore: {r.get("score")}\n\n'
        for r in found
    )
    search_results: dict[str, Any] = {'results': found}
    if images is not None:
        search_results['images'] = list(images)
    return ToolRun(kind, {'query': query}, output=output, search_results=search_results)


def browser_search_run(query: str, results: Iterable[tuple[str, str, str] | Mapping[str, Any]] = ()) -> ToolRun:
    """A gpt-oss browser search (`browser.search`), shaped like a compound search."""
    return search_run(query, results, kind='browser.search')


def python_run(
    code: str,
    output: str | None,
    *,
    png: str | None = None,
    chart: Mapping[str, Any] | None = None,
    kind: str = 'python',
) -> ToolRun:
    """A code execution run: what `code` printed, and any image (base64 PNG) or chart it made (`code_results`)."""
    code_results: list[dict[str, Any]] | None = None
    if png is not None or chart is not None:
        result: dict[str, Any] = {'text': output}
        if png is not None:
            result['png'] = png
        if chart is not None:
            result['chart'] = dict(chart)
        code_results = [result]
    return ToolRun(kind, {'code': code}, output=output, code_results=code_results)


def visit_run(url: str, content: str) -> ToolRun:
    """A compound `visit` of a web page (`visit_website`)."""
    return ToolRun('visit', {'url': url}, output=f'Title: {url}\nURL: {url}\n\n{content}\n')


def browser_automation_run(query: str, pages: Iterable[tuple[str, str, str]]) -> ToolRun:
    """A compound browser automation run: the browsers' pages as `(title, url, content)`."""
    browser_results = [
        {'title': title, 'url': url, 'content': content, 'live_view_url': f'https://live.example.test/{n}'}
        for n, (title, url, content) in enumerate(pages)
    ]
    output = ''.join(f'Title: {r["title"]}\nURL: {r["url"]}\n{r["content"]}\n\n' for r in browser_results)
    return ToolRun('browser_automation', {'query': query}, output=output, browser_results=browser_results)


def wolfram_run(query: str, output: str) -> ToolRun:
    """A compound Wolfram Alpha query."""
    return ToolRun('wolfram', {'query': query}, output=output)


def usage_breakdown(*models: tuple[str, int, int]) -> dict[str, Any]:
    """A compound answer's `usage_breakdown`: one `(model, prompt_tokens, completion_tokens)` per model it used."""
    return {
        'models': [{'model': name, 'usage': wire.usage_body(prompt, completion)} for name, prompt, completion in models]
    }


def _usage(prompt_tokens: int, completion_tokens: int, cached_tokens: int | None) -> dict[str, Any]:
    usage = wire.usage_body(prompt_tokens, completion_tokens)
    if cached_tokens is not None:
        usage['prompt_tokens_details'] = {'cached_tokens': cached_tokens}
    return usage


def _reasoning_pieces(steps: Sequence[str | ToolRun], markers: bool) -> list[str | ToolRun]:
    """The steps with Groq's inline tool markers: reasoning text, and each run where it is called."""
    pieces: list[str | ToolRun] = []
    for step in steps:
        if isinstance(step, ToolRun):
            if markers:
                pieces.append(step.call_text())
            pieces.append(step)
            if markers and step.output is not None:
                pieces.append(step.output_text())
        elif isinstance(step, str):
            pieces.append(step)
        else:
            raise TypeError(f'steps must be reasoning strings and ToolRuns, got {type(step).__name__}')
    return pieces


def tool_run_completion(
    *steps: str | ToolRun,
    content: str,
    model: str = 'groq/compound',
    markers: bool = True,
    breakdown: Mapping[str, Any] | None = None,
    service_tier: str | None = 'on_demand',
    prompt_tokens: int = 1200,
    completion_tokens: int = 120,
    cached_tokens: int | None = None,
    annotations: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ScriptedResponse:
    """A non-streamed answer that ran tools on Groq's side: `reasoning` holding the steps, `executed_tools` the runs.

    Args:
        *steps: Reasoning text and `ToolRun`s, in the order they happened.
        content: The answer.
        model: The model reported.
        markers: Write each run into the reasoning as Groq's compound systems do (`<tool>...</tool>`,
            `<output>...</output>`); `False` leaves the reasoning as the steps' text alone.
        breakdown: The answer's `usage_breakdown` (see `usage_breakdown()`).
        service_tier: The tier reported as used.
        prompt_tokens: Reported in `usage`.
        completion_tokens: Reported in `usage`.
        cached_tokens: Reported as `prompt_tokens_details.cached_tokens`, when given.
        annotations: The message's citations.
        headers: Extra headers.
    """
    pieces = _reasoning_pieces(steps, markers)
    runs = [piece for piece in pieces if isinstance(piece, ToolRun)]
    reasoning = ''.join(piece for piece in pieces if isinstance(piece, str))
    body = wire.chat_completion(
        content,
        model=model,
        reasoning=reasoning or None,
        executed_tools=[run.entry(index) for index, run in enumerate(runs)],
        annotations=annotations,
        usage=_usage(prompt_tokens, completion_tokens, cached_tokens),
        usage_breakdown=breakdown,
        service_tier=service_tier,
    )
    return json_response(body, headers=headers)


def _words(text: str) -> list[str]:
    """`text` as deltas of a word each (with the space before it), joining back to exactly `text`."""
    deltas = [word if n == 0 else ' ' + word for n, word in enumerate(text.split(' '))]
    return [delta for delta in deltas if delta]


def streamed_tool_run_completion(
    *steps: str | ToolRun,
    content: str | Sequence[str],
    model: str = 'groq/compound',
    markers: bool = True,
    breakdown: Mapping[str, Any] | None = None,
    prompt_tokens: int = 1200,
    completion_tokens: int = 120,
    cached_tokens: int | None = None,
    annotations: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ScriptedResponse:
    """The streamed form of `tool_run_completion()`: reasoning word by word, each run in Groq's two steps.

    The two `executed_tools` frames of a run carry another chunk `id` than the rest, as a compound system's do when
    it switches models; `annotations` come in a frame of their own after the answer; the last frame carries the
    usage and the `usage_breakdown` in `x_groq`.

    Args:
        *steps: Reasoning text and `ToolRun`s, in the order they happened.
        content: The answer, or its deltas; a string is sent word by word.
        model: The model reported.
        markers: As in `tool_run_completion()`.
        breakdown: The answer's `usage_breakdown`.
        prompt_tokens: Reported in `x_groq.usage`.
        completion_tokens: Reported in `x_groq.usage`.
        cached_tokens: Reported as `prompt_tokens_details.cached_tokens`, when given.
        annotations: The answer's citations.
        headers: Extra headers.
    """
    encoder = wire.ChunkEncoder(model=model)
    tools = wire.ChunkEncoder(model=model, request_id=encoder.request_id, created=encoder.created)
    frames = [encoder.first()]
    index = 0
    for piece in _reasoning_pieces(steps, markers):
        if isinstance(piece, ToolRun):
            frames.append(tools.frame({'executed_tools': [piece.entry(index, announced=True)]}))
            if piece.output is not None:
                frames.append(tools.frame({'executed_tools': [piece.entry(index)]}))
            index += 1
            continue
        frames.extend(encoder.frame({'reasoning': word}) for word in _words(piece))
    deltas = _words(content) if isinstance(content, str) else list(content)
    frames.extend(encoder.contents(deltas))
    if annotations is not None:
        frames.append(encoder.frame({'annotations': [dict(a) for a in annotations]}))
    frames.append(
        encoder.last(
            'stop',
            prompt_tokens,
            completion_tokens,
            usage=_usage(prompt_tokens, completion_tokens, cached_tokens),
            usage_breakdown=breakdown,
        )
    )
    frames.append(wire.DONE_FRAME)
    return _stream(frames, encoder.request_id, headers=headers)


def document_citation(document_id: str, start_index: int, end_index: int) -> dict[str, Any]:
    """A `document_citation` annotation: characters `start_index` to `end_index` of the answer cite a document."""
    return {
        'type': 'document_citation',
        'document_citation': {'document_id': document_id, 'start_index': start_index, 'end_index': end_index},
    }


def function_citation(tool_call_id: str, start_index: int, end_index: int) -> dict[str, Any]:
    """A `function_citation` annotation: characters `start_index` to `end_index` cite a tool call's result."""
    return {
        'type': 'function_citation',
        'function_citation': {'tool_call_id': tool_call_id, 'start_index': start_index, 'end_index': end_index},
    }


def cited_completion(
    content: str,
    *annotations: Mapping[str, Any],
    model: str = wire.DEFAULT_MODEL,
    prompt_tokens: int = 300,
    headers: Mapping[str, str] | None = None,
) -> ScriptedResponse:
    """A non-streamed answer whose message carries `annotations` (citations of the request's documents)."""
    body = wire.chat_completion(
        content,
        model=model,
        annotations=list(annotations),
        prompt_tokens=prompt_tokens,
        service_tier='on_demand',
    )
    return json_response(body, headers=headers)


def streamed_cited_text(
    chunks: Iterable[str],
    *annotations: Mapping[str, Any],
    model: str = wire.DEFAULT_MODEL,
    prompt_tokens: int = 300,
    headers: Mapping[str, str] | None = None,
) -> ScriptedResponse:
    """A streamed answer: the text deltas, then a frame with `delta.annotations`, then the usage."""
    encoder = wire.ChunkEncoder(model=model)
    texts = list(chunks)
    frames = [encoder.first(), *encoder.contents(texts)]
    frames.append(encoder.frame({'annotations': [dict(a) for a in annotations]}))
    frames.append(encoder.last('stop', prompt_tokens, len(texts)))
    frames.append(wire.DONE_FRAME)
    return _stream(frames, encoder.request_id, headers=headers)


def capacity_exceeded(*, headers: Mapping[str, str] | None = None) -> ScriptedResponse:
    """The flex tier's answer when Groq has no capacity for it: HTTP 498, error code `capacity_exceeded`."""
    response = http_error(498, CAPACITY_EXCEEDED_MESSAGE, error_type='capacity_exceeded', code='capacity_exceeded')
    return response if headers is None else response.with_headers(headers)


def _runs_offered(body: Mapping[str, Any], text: str) -> list[ToolRun]:
    """One run of each server-side tool the request offers, on `text` (the server's default answer)."""
    runs: list[ToolRun] = []
    custom = body.get('compound_custom')
    tools = custom.get('tools') if isinstance(custom, Mapping) else None
    enabled = tools.get('enabled_tools') if isinstance(tools, Mapping) else None
    names = [*server_tool_types(body), *(enabled if isinstance(enabled, list) else ())]
    for name in names:
        if name in ('browser_search', 'web_search'):
            result = (f'About: {text}', 'https://search.example.test/1', text)
            runs.append(browser_search_run(text, [result]) if name == 'browser_search' else search_run(text, [result]))
        elif name == 'code_interpreter':
            runs.append(python_run(f'print({text!r})', f'{text}\n'))
        elif name == 'visit_website':
            runs.append(visit_run('https://example.test/', text))
        elif name == 'browser_automation':
            runs.append(browser_automation_run(text, [(f'About: {text}', 'https://example.test/', text)]))
        elif name == 'wolfram_alpha':
            runs.append(wolfram_run(text, text))
    return runs


def _first_document(body: Mapping[str, Any]) -> tuple[str, str] | None:
    documents = body.get('documents')
    if body.get('citation_options') == 'disabled' or not isinstance(documents, list) or not documents:
        return None
    first: Mapping[str, Any] = documents[0] if isinstance(documents[0], Mapping) else {}
    found = first.get('source')
    source: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    quote = source.get('text') if source.get('type') == 'text' else json.dumps(source.get('data'))
    document_id = first.get('id')
    return (document_id if isinstance(document_id, str) else '0'), str(quote)


def feature_echo(body: Mapping[str, Any], model: str, text: str, *, stream: bool) -> ScriptedResponse:
    """The default answer to a request using server-side tools or documents (see `echo.echo_response`)."""
    runs = _runs_offered(body, text)
    content = text
    annotations: list[dict[str, Any]] | None = None
    cited = _first_document(body)
    if cited is not None:
        document_id, quote = cited
        content = f'{text} The document says: {quote}'
        annotations = [document_citation(document_id, len(content) - len(quote), len(content))]
    if not runs:
        if stream:
            return streamed_cited_text(_words(content), *(annotations or ()), model=model)
        return cited_completion(content, *(annotations or ()), model=model)
    steps: list[str | ToolRun] = []
    for run in runs:
        steps += [f'I will use {run.type}. ', run]
    if stream:
        return streamed_tool_run_completion(*steps, content=content, model=model, annotations=annotations)
    return tool_run_completion(*steps, content=content, model=model, annotations=annotations)


def server_tool_types(body: Mapping[str, Any]) -> list[str]:
    tools = body.get('tools')
    if not isinstance(tools, list):
        return []
    return [t['type'] for t in tools if isinstance(t, dict) and t.get('type') in ('browser_search', 'code_interpreter')]
