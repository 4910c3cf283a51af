"""The implementations compared: the raw groq SDK, bare httpx + json (the limit), and this project's `GroqModel`.

Each client does the same four things against the benchmark server, the way its users would:

- `complete(model, history)`: one non-streamed request, returning the answer's text;
- `stream_text(model)`: one streamed request, consumed to the end, returning the assembled text;
- `stream_tool_args(model)`: one streamed request offering a tool, returning the assembled tool-call arguments;
- `history(wire_messages)`: the conversation in the client's own form, built before timing starts.

All three send through an `httpx.AsyncClient` configured like the groq SDK's default one (100 connections, 20
kept alive, 60 s timeout, 5 s connect), so only the layers above httpx differ. The groq SDK and the project are
imported when their client is created, never at module import: the W5 subprocesses load only what they measure.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from bench import payloads

__all__ = ('CLIENTS', 'LABELS', 'Client', 'make_client')

CHAT_PATH = '/openai/v1/chat/completions'
TOOL_WIRE: dict[str, Any] = {
    'type': 'function',
    'function': {
        'name': payloads.TOOL_NAME,
        'description': payloads.TOOL_DESCRIPTION,
        'parameters': payloads.TOOL_SCHEMA,
    },
}

CLIENTS = ('sdk', 'httpx', 'project')
"""Client keys; `sdk` is the reference every ratio is taken to."""
LABELS = {'sdk': 'raw groq SDK', 'httpx': 'bare httpx + json', 'project': 'pydantic-ai-groq (this project)'}


def new_http_client() -> httpx.AsyncClient:
    """An httpx client with the groq SDK's default limits and timeouts."""
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        timeout=httpx.Timeout(60, connect=5.0),
    )


class Client:
    """The interface every compared implementation provides."""

    key = ''

    def history(self, wire_messages: list[dict[str, Any]]) -> Any:
        """The conversation in this client's own form (untimed)."""
        return wire_messages

    async def complete(self, model: str, history: Any) -> str:
        """One non-streamed request; the answer's text."""
        raise NotImplementedError

    async def stream_text(self, model: str) -> str:
        """One streamed request, consumed; the assembled text."""
        raise NotImplementedError

    async def stream_tool_args(self, model: str) -> str:
        """One streamed request offering a tool, consumed; the assembled arguments of the call."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close the HTTP client."""
        raise NotImplementedError


class SdkClient(Client):
    """The official groq SDK used directly: `AsyncGroq(...).chat.completions.create(...)`."""

    key = 'sdk'

    def __init__(self, base_url: str) -> None:
        import groq

        self._http = new_http_client()
        self._client = groq.AsyncGroq(api_key=payloads.API_KEY, base_url=base_url, http_client=self._http)
        self._prompt = payloads.short_history()

    async def complete(self, model: str, history: Any) -> str:
        completion = await self._client.chat.completions.create(model=model, messages=history)
        return completion.choices[0].message.content or ''

    async def stream_text(self, model: str) -> str:
        stream = await self._client.chat.completions.create(model=model, messages=self._prompt, stream=True)
        pieces: list[str] = []
        async for chunk in stream:
            if chunk.choices:
                content = chunk.choices[0].delta.content
                if content:
                    pieces.append(content)
        return ''.join(pieces)

    async def stream_tool_args(self, model: str) -> str:
        stream = await self._client.chat.completions.create(
            model=model,
            messages=self._prompt,
            tools=[TOOL_WIRE],  # type: ignore[list-item]
            stream=True,
        )
        pieces: list[str] = []
        async for chunk in stream:
            if chunk.choices:
                for call in chunk.choices[0].delta.tool_calls or ():
                    if call.function is not None and call.function.arguments:
                        pieces.append(call.function.arguments)
        return ''.join(pieces)

    async def aclose(self) -> None:
        await self._client.close()


class HttpxClient(Client):
    """Bare httpx and `json`: the body dumped by hand, the SSE split by hand. The limit for a Python client."""

    key = 'httpx'

    def __init__(self, base_url: str) -> None:
        self._http = new_http_client()
        self._url = base_url.rstrip('/') + CHAT_PATH
        self._headers = {'Authorization': f'Bearer {payloads.API_KEY}', 'Content-Type': 'application/json'}
        self._prompt = payloads.short_history()

    async def complete(self, model: str, history: Any) -> str:
        body = json.dumps({'model': model, 'messages': history}).encode()
        response = await self._http.post(self._url, content=body, headers=self._headers)
        response.raise_for_status()
        content: str | None = json.loads(response.content)['choices'][0]['message'].get('content')
        return content or ''

    async def _chunks(self, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        content = json.dumps(body).encode()
        async with self._http.stream('POST', self._url, content=content, headers=self._headers) as response:
            response.raise_for_status()
            buffer = b''
            async for data in response.aiter_bytes():
                buffer += data
                if b'\n\n' not in buffer:
                    continue
                *frames, buffer = buffer.split(b'\n\n')
                for frame in frames:
                    if frame.startswith(b'data: '):
                        if frame == b'data: [DONE]':
                            return
                        yield json.loads(frame[6:])
                    elif frame.startswith(b'event: error'):
                        raise RuntimeError(frame.decode())

    async def stream_text(self, model: str) -> str:
        pieces: list[str] = []
        async for chunk in self._chunks({'model': model, 'messages': self._prompt, 'stream': True}):
            choices = chunk['choices']
            if choices:
                content = choices[0]['delta'].get('content')
                if content:
                    pieces.append(content)
        return ''.join(pieces)

    async def stream_tool_args(self, model: str) -> str:
        pieces: list[str] = []
        body = {'model': model, 'messages': self._prompt, 'tools': [TOOL_WIRE], 'stream': True}
        async for chunk in self._chunks(body):
            choices = chunk['choices']
            if choices:
                for call in choices[0]['delta'].get('tool_calls') or ():
                    arguments = call.get('function', {}).get('arguments')
                    if arguments:
                        pieces.append(arguments)
        return ''.join(pieces)

    async def aclose(self) -> None:
        await self._http.aclose()


class ProjectClient(Client):
    """This project: `GroqModel` with a `GroqProvider` on the same kind of httpx client."""

    key = 'project'

    def __init__(self, base_url: str) -> None:
        from pydantic_ai.models import ModelRequestParameters
        from pydantic_ai.tools import ToolDefinition
        from pydantic_ai_groq import GroqProvider

        self._http = new_http_client()
        self._provider = GroqProvider(api_key=payloads.API_KEY, base_url=base_url, http_client=self._http)
        self._models: dict[str, Any] = {}
        self._params = ModelRequestParameters()
        tool = ToolDefinition(payloads.TOOL_NAME, payloads.TOOL_DESCRIPTION, payloads.TOOL_SCHEMA)
        self._tool_params = ModelRequestParameters(function_tools=[tool])
        self._prompt = self.history(payloads.short_history())

    def _model(self, name: str) -> Any:
        model = self._models.get(name)
        if model is None:
            from pydantic_ai_groq import GroqModel

            model = self._models[name] = GroqModel(name, provider=self._provider)
        return model

    def history(self, wire_messages: list[dict[str, Any]]) -> Any:
        return to_model_messages(wire_messages)

    async def complete(self, model: str, history: Any) -> str:
        response, _usage = await self._model(model).request(history, None, self._params)
        content: str = response.parts[0].content
        return content

    async def stream_text(self, model: str) -> str:
        async with self._model(model).request_stream(self._prompt, None, self._params) as stream:
            async for _ in stream:
                pass
            response = stream.get()
        content: str = response.parts[0].content
        return content

    async def stream_tool_args(self, model: str) -> str:
        async with self._model(model).request_stream(self._prompt, None, self._tool_params) as stream:
            async for _ in stream:
                pass
            response = stream.get()
        args: str = response.parts[0].args
        return args

    async def aclose(self) -> None:
        await self._http.aclose()


def to_model_messages(wire_messages: list[dict[str, Any]]) -> list[Any]:
    """Wire chat messages as the project's `ModelRequest`/`ModelResponse`s, one part per message.

    Only the shapes `bench.payloads` produces are handled; the project maps the result back to the same dicts.
    """
    from pydantic_ai.messages import (
        ModelRequest,
        ModelResponse,
        SystemPromptPart,
        TextPart,
        ToolCallPart,
        ToolReturnPart,
        UserPromptPart,
    )

    out: list[Any] = []
    tool_names: dict[str, str] = {}
    for message in wire_messages:
        role = message['role']
        if role == 'system':
            out.append(ModelRequest([SystemPromptPart(message['content'])]))
        elif role == 'user':
            out.append(ModelRequest([UserPromptPart(message['content'])]))
        elif role == 'tool':
            call_id = message['tool_call_id']
            out.append(ModelRequest([ToolReturnPart(tool_names[call_id], message['content'], call_id)]))
        elif 'tool_calls' in message:
            calls = []
            for call in message['tool_calls']:
                function = call['function']
                tool_names[call['id']] = function['name']
                calls.append(ToolCallPart(function['name'], function['arguments'], call['id']))
            out.append(ModelResponse(calls))
        else:
            out.append(ModelResponse([TextPart(message['content'])]))
    return out


def make_client(key: str, base_url: str) -> Client:
    """A new client of the kind `key` (`sdk`, `httpx` or `project`)."""
    factories: dict[str, type[Client]] = {'sdk': SdkClient, 'httpx': HttpxClient, 'project': ProjectClient}
    return factories[key](base_url)  # type: ignore[call-arg]
