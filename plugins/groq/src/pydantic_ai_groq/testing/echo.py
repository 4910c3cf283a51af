"""The test server's default answer: the last user message, echoed (see `echo_response`)."""

from __future__ import annotations

from . import wire
from ._http import RecordedRequest
from .features import feature_echo, server_tool_types
from .responses import ScriptedResponse, streamed_text, text_completion

__all__ = ('echo_response',)


def echo_response(request: RecordedRequest) -> ScriptedResponse:
    """The server's default answer: the last user message's text, streamed if the request asks for a stream.

    The model name is the request's. A stream sends the text word by word, and also reports usage in the last
    chunk's top-level `usage` when the request asks for it (`stream_options: {"include_usage": true}`).

    A request that offers server-side tools (gpt-oss `browser_search`/`code_interpreter` tools, or a compound
    system's `compound_custom.tools.enabled_tools`) gets an answer that ran each of them once on the text, and one
    that gives `documents` an answer quoting the first and citing it (unless `citation_options` is `'disabled'`);
    see `pydantic_ai_groq.testing.features`.
    """
    body = request.json if isinstance(request.json, dict) else {}
    model = body.get('model')
    model = model if isinstance(model, str) and model else wire.DEFAULT_MODEL
    text = _last_user_text(body.get('messages')) or 'Hello from the Groq test server.'
    if body.get('documents') or body.get('compound_custom') or server_tool_types(body):
        return feature_echo(body, model, text, stream=request.is_stream)
    if request.is_stream:
        words = text.split(' ')
        options = body.get('stream_options')
        include_usage = isinstance(options, dict) and options.get('include_usage') is True
        return streamed_text(
            [w if i == 0 else ' ' + w for i, w in enumerate(words)], model=model, include_usage=include_usage
        )
    return text_completion(text, model=model)


def _last_user_text(messages: object) -> str:
    if not isinstance(messages, list):
        return ''
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get('role') != 'user':
            continue
        content = message.get('content')
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            texts = [p.get('text') for p in content if isinstance(p, dict) and isinstance(p.get('text'), str)]
            return ' '.join(t for t in texts if t)
        return ''
    return ''
