"""The README's "Tracing and hooks" examples work as written: the JSON-lines request log installed as a real
distribution in a fresh process, and the tracing set-up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from pydantic_ai_groq.testing import GroqTestServer, http_error, streamed_text, text_completion

from support.constants import FAKE_GROQ_API_KEY

README = Path(__file__).resolve().parents[2] / 'README.md'
TESTS = Path(__file__).resolve().parents[1]


def block_containing(language: str, marker: str) -> str:
    blocks = [b for b in re.findall(rf'```{language}\n(.*?)```', README.read_text(), flags=re.DOTALL) if marker in b]
    assert len(blocks) == 1, f'expected one {language} block containing {marker!r}, found {len(blocks)}'
    return blocks[0]


def install_request_log(root: Path) -> None:
    """Install the README's plugin into `root` as a distribution: its module and its dist-info metadata."""
    (root / 'request_log.py').write_text(block_containing('python', 'def pydantic_ai_request_end('))
    toml = block_containing('toml', '[project.entry-points."pydantic_ai.lifecycle"]')
    name, version = (re.findall(rf'^{key} = "(.+)"$', toml, flags=re.MULTILINE)[0] for key in ('name', 'version'))
    section = toml.split('[project.entry-points."pydantic_ai.lifecycle"]', 1)[1]
    entry_points = dict(re.findall(r'^([\w-]+) = "(.+)"$', section, flags=re.MULTILINE))
    assert entry_points == {'request-log': 'request_log'}
    dist_info = root / f'{name.replace("-", "_")}-{version}.dist-info'
    dist_info.mkdir()
    (dist_info / 'METADATA').write_text(f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n')
    (dist_info / 'entry_points.txt').write_text(
        '[pydantic_ai.lifecycle]\n' + ''.join(f'{k} = {v}\n' for k, v in entry_points.items())
    )


def test_the_readme_request_log_plugin_logs_every_request_once_installed(
    tmp_path: Path, server: GroqTestServer
) -> None:
    site = tmp_path / 'site'
    site.mkdir()
    install_request_log(site)
    log = tmp_path / 'requests.jsonl'
    server.enqueue(
        text_completion('one', prompt_tokens=9, completion_tokens=1),
        streamed_text(['t', 'wo'], prompt_tokens=4, completion_tokens=2),
        http_error(429, 'slow down'),
    )
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        sys.path.insert(0, {str(TESTS)!r})
        from support.reliability import NO_TOOLS, groq_model, loopback_http_client, prompt

        async def main():
            async with loopback_http_client() as client:
                model = groq_model({server.base_url!r}, client)  # a GroqModel built directly
                await model.request(prompt(), None, NO_TOOLS)
                async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
                    async for _ in stream:
                        pass
                try:
                    await model.request(prompt(), None, NO_TOOLS)
                except Exception as exc:
                    print(type(exc).__name__)

        asyncio.run(main())
        """
    )
    env = {**os.environ, 'PYTHONPATH': str(site), 'REQUEST_LOG': str(log), 'GROQ_API_KEY': FAKE_GROQ_API_KEY}

    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, env=env, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'ModelHTTPError'
    assert 'Lifecycle plugin' not in result.stderr, result.stderr  # loaded cleanly
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == 3
    first, streamed, failed = records
    assert {k: first[k] for k in ('provider', 'model', 'stream', 'cancelled', 'finish_reason')} == {
        'provider': 'groq',
        'model': 'llama-3.3-70b-versatile',
        'stream': False,
        'cancelled': False,
        'finish_reason': 'stop',
    }
    assert (first['input_tokens'], first['output_tokens']) == (9, 1)
    assert streamed['stream'] is True and (streamed['input_tokens'], streamed['output_tokens']) == (4, 2)
    assert failed['error'] == 'ModelHTTPError' and failed['stream'] is False
    assert all(r['seconds'] > 0 for r in records)
    assert FAKE_GROQ_API_KEY not in log.read_text()


def test_the_readme_tracing_setup_runs_and_prints_a_span_to_the_console(server: GroqTestServer) -> None:
    setup = block_containing('python', 'pydantic_ai.instrument_all()')
    script = setup + textwrap.dedent(
        f"""
        import asyncio, sys
        sys.path.insert(0, {str(TESTS)!r})
        from support.reliability import NO_TOOLS, groq_model, loopback_http_client, prompt

        async def main():
            async with loopback_http_client() as client:
                await groq_model({server.base_url!r}, client).request(prompt(), None, NO_TOOLS)

        asyncio.run(main())
        assert model.system == 'groq'
        """
    )
    server.enqueue(text_completion('traced'))
    env = {**os.environ, 'GROQ_API_KEY': FAKE_GROQ_API_KEY}

    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, env=env, timeout=60)

    assert result.returncode == 0, result.stderr
    assert '"name": "chat llama-3.3-70b-versatile"' in result.stdout
    assert '"gen_ai.provider.name": "groq"' in result.stdout
    assert FAKE_GROQ_API_KEY not in result.stdout
