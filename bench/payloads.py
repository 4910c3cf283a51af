"""What the benchmark sends and expects back: model names, the conversation history, the tool and its arguments.

Shared by the clients (in the benchmark process and in the W5 subprocesses) and by the server process, so it
imports only the standard library. The server picks its answer from the request's model name:

- `bench-text`: a short non-streamed completion (`TEXT`), for W2, W5 and W6;
- `bench-stream-<n>`: a stream of `n` text chunks, each `TOKEN`, for W3;
- `bench-tool-<n>`: a stream of one tool call whose arguments (`tool_arguments(n)`) arrive in `n` fragments, W4.
"""

from __future__ import annotations

from typing import Any

API_KEY = 'gsk-bench-not-a-real-key'
TEXT = 'Hello from the benchmark server.'
TOKEN = 'token '
TEXT_MODEL = 'bench-text'
AGENT_MODEL = 'bench-agent'
"""W7: answers by the number of tool results in the request (see `bench.server`)."""
TOOL_NAME = 'get_data'
TOOL_DESCRIPTION = 'Fetch the data set with the given values.'
TOOL_SCHEMA: dict[str, Any] = {
    'type': 'object',
    'properties': {'data': {'type': 'string'}},
    'required': ['data'],
}
SYSTEM_PROMPT = 'You are a helpful assistant. Answer briefly.'
USER_PROMPT = 'Say hello.'
# The characters of one tool-argument fragment: 4, like a typical streamed token of JSON.
FRAGMENT_CHARS = 4


def stream_model(chunks: int) -> str:
    """The model name that makes the server stream `chunks` text chunks."""
    return f'bench-stream-{chunks}'


def tool_model(fragments: int) -> str:
    """The model name that makes the server stream one tool call in `fragments` argument fragments."""
    return f'bench-tool-{fragments}'


def expected_text(chunks: int) -> str:
    """The text a `bench-stream-<chunks>` stream assembles to."""
    return TOKEN * chunks


def tool_arguments(fragments: int) -> str:
    """A JSON object of exactly `fragments * FRAGMENT_CHARS` characters, so each fragment is non-empty."""
    filler = fragments * FRAGMENT_CHARS - len('{"data":""}')
    if filler < 0:
        raise ValueError(f'fragments must be >= 3, got {fragments}')
    return '{"data":"' + 'abcdefghij' * (filler // 10) + 'x' * (filler % 10) + '"}'


def short_history() -> list[dict[str, Any]]:
    """The two wire messages of a small request: a system prompt and a user prompt (W2, W5)."""
    return [{'role': 'system', 'content': SYSTEM_PROMPT}, {'role': 'user', 'content': USER_PROMPT}]


def wire_history(messages: int) -> list[dict[str, Any]]:
    """A conversation of exactly `messages` Groq chat messages, in wire form (W6).

    A system prompt, then turns of four messages: a user question, an assistant tool call, the tool's result and
    the assistant's answer. Every message is one the project maps from exactly one part, so the project's
    `ModelMessage` form of this history translates back to these same dicts.
    """
    out: list[dict[str, Any]] = [{'role': 'system', 'content': SYSTEM_PROMPT}]
    turn = 0
    while len(out) < messages:
        call_id = f'call_{turn:06d}'
        out.append({'role': 'user', 'content': f'Question {turn}: what is the weather like in city number {turn}?'})
        out.append(
            {
                'role': 'assistant',
                'tool_calls': [
                    {
                        'id': call_id,
                        'type': 'function',
                        'function': {'name': 'get_weather', 'arguments': f'{{"city":"city-{turn}","unit":"c"}}'},
                    }
                ],
            }
        )
        out.append({'role': 'tool', 'tool_call_id': call_id, 'content': f'{{"city":"city-{turn}","temp_c":18}}'})
        out.append(
            {
                'role': 'assistant',
                'content': f'In city number {turn} it is 18 degrees Celsius and sunny, '
                'a pleasant day for a walk; take sunglasses and perhaps a light jacket for the evening.',
            }
        )
        turn += 1
    return out[:messages]
