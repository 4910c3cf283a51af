"""Offline demo: a recorded Groq conversation replayed through the real `GroqModel` streaming code path.

No API key and no network are needed: vcrpy answers the HTTP request from a cassette in `cassettes/`, and
everything above the socket (the groq SDK, SSE parsing, `GroqModel`, the parts manager) runs for real.

    .venv/bin/python examples/replay_demo.py [path/to/cassette.yaml]
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx
import vcr
import yaml

from pydantic_ai.messages import ModelRequest, PartDeltaEvent, PartStartEvent, TextPart, TextPartDelta
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai_groq import GroqModel, GroqProvider

DEFAULT_CASSETTE = (
    Path(__file__).resolve().parent.parent
    / 'cassettes'
    / 'test_groq_cassettes'
    / 'test_streamed_text_is_assembled_from_chunks_with_usage_from_x_groq.yaml'
)


def recorded_prompt(cassette: Path) -> tuple[str, str, str | None]:
    """The model name, the last user prompt and the system prompt of the cassette's first streamed request."""
    interactions = yaml.safe_load(cassette.read_text())['interactions']
    body = json.loads(interactions[0]['request']['body'])
    system = next((m['content'] for m in body['messages'] if m['role'] == 'system'), None)
    user = [m['content'] for m in body['messages'] if m['role'] == 'user'][-1]
    return body['model'], user, system


async def main(cassette: Path) -> None:
    """Print the recorded prompt, then stream the recorded answer as it is parsed."""
    model_name, prompt, system_prompt = recorded_prompt(cassette)
    print(f'model: groq:{model_name}   (replayed from {cassette.name}, offline)\n')
    print(f'you> {prompt}\n')
    with vcr.use_cassette(str(cassette), record_mode='none'):
        async with httpx.AsyncClient() as http_client:
            # A placeholder key: the cassette answers, so no real key is needed and none is sent anywhere.
            provider = GroqProvider(api_key='offline-demo-no-key-needed', http_client=http_client)
            model = GroqModel(model_name, provider=provider)
            messages = [ModelRequest.user_text_prompt(prompt, system_prompt=system_prompt)]
            async with model.request_stream(messages, None, ModelRequestParameters()) as stream:
                print('groq> ', end='', flush=True)
                async for event in stream:
                    if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
                        print(event.part.content, end='', flush=True)
                    elif isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
                        print(event.delta.content_delta, end='', flush=True)
                usage = stream.usage()
    print(f'\n\n[{usage.request_tokens} prompt tokens, {usage.response_tokens} completion tokens]')


if __name__ == '__main__':
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CASSETTE))
