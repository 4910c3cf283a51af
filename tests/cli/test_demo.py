"""The offline demo that `make install` runs works, and prints the recorded answer streamed through GroqModel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / 'examples' / 'replay_demo.py'
CASSETTE = (
    ROOT
    / 'cassettes'
    / 'test_groq_cassettes'
    / 'test_streamed_text_is_assembled_from_chunks_with_usage_from_x_groq.yaml'
)


def _recorded_answer_and_usage() -> tuple[str, dict[str, int]]:
    """Read the answer straight from the cassette's SSE frames, independently of the code under test."""
    body = yaml.safe_load(CASSETTE.read_text())['interactions'][0]['response']['body']['string']
    text, usage = [], {}
    for line in body.splitlines():
        if not line.startswith('data: ') or line == 'data: [DONE]':
            continue
        chunk = json.loads(line[len('data: ') :])
        for choice in chunk['choices']:
            text.append(choice['delta'].get('content') or '')
        usage = (chunk.get('x_groq') or {}).get('usage') or usage
    return ''.join(text), usage


def test_offline_demo_streams_the_recorded_answer_without_a_key_or_network() -> None:
    env = {'PATH': '', 'HOME': str(ROOT)}  # no GROQ_API_KEY, no proxies: the cassette must answer
    result = subprocess.run([sys.executable, str(DEMO)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    answer, usage = _recorded_answer_and_usage()
    assert answer and f'groq> {answer}\n' in result.stdout
    assert f'[{usage["prompt_tokens"]} prompt tokens, {usage["completion_tokens"]} completion tokens]' in result.stdout
    assert result.stderr == ''
