"""`pydantic_ai.testing`'s cassette reader: `load_cassette()` reads vcrpy's YAML without vcrpy, `ReplayTransport`
answers an httpx client with the recorded responses in order, and every problem is a typed `CassetteError`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from pydantic_ai.exceptions import CassetteExhaustedError, CassetteReadError, UserError
from pydantic_ai.testing import Interaction, ReplayTransport, load_cassette

from support.constants import PROJECT_ROOT

STREAMED = (
    PROJECT_ROOT
    / 'cassettes'
    / 'test_groq_cassettes'
    / 'test_streamed_text_is_assembled_from_chunks_with_usage_from_x_groq.yaml'
)


def test_a_project_cassette_is_read_as_vcrpy_recorded_it() -> None:
    raw = yaml.safe_load(STREAMED.read_text())['interactions'][0]

    [interaction] = load_cassette(STREAMED)

    assert interaction.method == raw['request']['method'] == 'POST'
    assert interaction.url == raw['request']['uri'] == 'https://api.groq.com/openai/v1/chat/completions'
    assert interaction.request_body == json.loads(raw['request']['body'])
    assert interaction.is_stream
    assert interaction.status == 200
    assert interaction.body == raw['response']['body']['string'].encode()
    names = {name.lower() for name, _ in interaction.headers}
    assert 'content-type' in names and not names & {'content-encoding', 'content-length', 'transfer-encoding'}


def write(path: Path, document: object) -> Path:
    path.write_text(yaml.safe_dump(document))
    return path


def interaction(answer: str, *, stream: bool = False) -> dict[str, object]:
    return {
        'request': {
            'body': {'string': json.dumps({'model': 'm', 'stream': stream})},  # the nested form some versions write
            'headers': {},
            'method': 'POST',
            'uri': 'https://api.example.com/v1/answer',
        },
        'response': {
            'body': {'string': answer},
            'headers': {'content-type': ['text/plain'], 'content-length': ['999']},
            'status': {'code': 201, 'message': 'Created'},
        },
    }


@pytest.mark.asyncio
async def test_the_transport_answers_in_order_then_raises_exhausted(tmp_path: Path) -> None:
    cassette = write(tmp_path / 'two.yaml', {'interactions': [interaction('first'), interaction('second')]})
    transport = ReplayTransport(load_cassette(str(cassette)))

    async with httpx.AsyncClient(transport=transport) as client:
        first = await client.post('https://elsewhere.test/anything', json={'ignored': True})
        second = await client.get('https://elsewhere.test/')
        with pytest.raises(CassetteExhaustedError, match='it holds 2, all replayed already'):
            await client.get('https://elsewhere.test/')

    assert (first.status_code, first.text, second.text) == (201, 'first', 'second')
    assert first.headers['content-length'] == '5'  # computed from the body, not the recorded wire length
    assert [r.url.host for r in transport.requests] == ['elsewhere.test', 'elsewhere.test']


@pytest.mark.asyncio
async def test_a_streamed_answer_can_be_sent_an_event_at_a_time(tmp_path: Path) -> None:
    body = 'data: {"a": 1}\n\ndata: {"b": 2}\n\ndata: [DONE]\n\n'
    recorded = Interaction(
        'POST', 'https://x.test/', {'stream': True}, 200, (('content-type', 'text/event-stream'),), body.encode()
    )
    transport = ReplayTransport([recorded], frame_delay=0.001)
    assert transport.next_is_stream

    async with httpx.AsyncClient(transport=transport) as client:
        async with client.stream('POST', 'https://x.test/') as response:
            chunks = [chunk async for chunk in response.aiter_bytes()]

    assert b''.join(chunks) == body.encode()
    assert len(chunks) > 1
    assert not transport.next_is_stream


@pytest.mark.parametrize(
    ('text', 'words'),
    [
        ('interactions: [', 'is not valid YAML'),
        ('just: a mapping\n', 'is not a vcrpy cassette'),
        ('interactions: []\n', 'is not a vcrpy cassette'),
        ('interactions:\n- request: {}\n', 'holds an interaction vcrpy did not write'),
        ('interactions:\n- request: []\n  response: {}\n', 'holds an interaction vcrpy did not write'),
    ],
)
def test_what_is_not_a_cassette_is_a_read_error(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / 'bad.yaml'
    path.write_text(text)
    with pytest.raises(CassetteReadError, match=words):
        load_cassette(path)


def test_a_missing_file_is_a_read_error_chained_to_the_os_error(tmp_path: Path) -> None:
    with pytest.raises(CassetteReadError, match='cannot read the recording') as caught:
        load_cassette(tmp_path / 'missing.yaml')
    assert isinstance(caught.value.__cause__, FileNotFoundError)


def test_without_pyyaml_the_error_says_what_to_install() -> None:
    code = f"""
import sys
sys.modules['yaml'] = None
from pydantic_ai.exceptions import UserError
from pydantic_ai.testing import load_cassette
try:
    load_cassette({str(STREAMED)!r})
except UserError as exc:
    print(exc)
"""
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('Reading a vcrpy cassette needs PyYAML: pip install pyyaml')
    assert issubclass(CassetteReadError, Exception) and not issubclass(CassetteReadError, UserError)


def test_importing_the_package_loads_neither_the_reader_nor_httpx() -> None:
    code = (
        'import sys, pydantic_ai.testing, pydantic_ai.testing.pytest_plugin; '
        'print(sorted(m for m in ("httpx", "yaml", "pydantic_ai.testing._cassette") if m in sys.modules))'
    )
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == '[]\n'
