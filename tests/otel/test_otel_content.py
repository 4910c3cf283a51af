"""The tracing converter gives every message part its GenAI semantic-conventions form; none is dropped."""

from __future__ import annotations

import json

from pydantic_ai.messages import (
    AudioUrl,
    BinaryContent,
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    ImageUrl,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.otel._content import add_input_content, output_messages


def test_every_request_and_response_part_has_its_conventions_form() -> None:
    messages = [
        ModelRequest(
            parts=[
                SystemPromptPart('Be brief.'),
                UserPromptPart(
                    [
                        'Look:',
                        ImageUrl('https://example.com/a.png'),
                        AudioUrl('https://example.com/a.mp3'),
                        BinaryContent(b'\x89PNG', media_type='image/png'),
                    ]
                ),
            ]
        ),
        ModelResponse(
            parts=[
                ThinkingPart('hmm'),
                TextPart('Calling.'),
                ToolCallPart('lookup', '{"q": "x"}', tool_call_id='c1'),
                BuiltinToolCallPart('web_search', {'query': 'x'}, tool_call_id='b1'),
                BuiltinToolReturnPart('web_search', {'results': []}, tool_call_id='b1'),
            ]
        ),
        ModelRequest(
            parts=[
                ToolReturnPart('lookup', 'found', tool_call_id='c1'),
                RetryPromptPart('try again', tool_name='lookup', tool_call_id='c2'),
                RetryPromptPart('plain text please'),
            ]
        ),
    ]
    attributes: dict[str, object] = {}

    add_input_content(attributes, messages)

    assert json.loads(str(attributes['gen_ai.system_instructions'])) == [{'type': 'text', 'content': 'Be brief.'}]
    assert json.loads(str(attributes['gen_ai.input.messages'])) == [
        {
            'role': 'user',
            'parts': [
                {'type': 'text', 'content': 'Look:'},
                {'type': 'uri', 'modality': 'image', 'uri': 'https://example.com/a.png'},
                {'type': 'uri', 'modality': 'audio', 'uri': 'https://example.com/a.mp3'},
                {'type': 'blob', 'modality': 'image', 'mime_type': 'image/png'},
            ],
        },
        {
            'role': 'assistant',
            'parts': [
                {'type': 'reasoning', 'content': 'hmm'},
                {'type': 'text', 'content': 'Calling.'},
                {'type': 'tool_call', 'id': 'c1', 'name': 'lookup', 'arguments': {'q': 'x'}},
                {'type': 'tool_call', 'id': 'b1', 'name': 'web_search', 'arguments': {'query': 'x'}},
                {'type': 'tool_call_response', 'id': 'b1', 'response': {'results': []}},
            ],
        },
        {'role': 'tool', 'parts': [{'type': 'tool_call_response', 'id': 'c1', 'response': 'found'}]},
        {'role': 'tool', 'parts': [{'type': 'tool_call_response', 'id': 'c2', 'response': 'try again'}]},
        {'role': 'user', 'parts': [{'type': 'text', 'content': 'plain text please'}]},
    ]


def test_the_output_message_carries_the_finish_reason() -> None:
    response = ModelResponse(parts=[TextPart('hi')], finish_reason='stop')

    assert json.loads(output_messages(response)) == [
        {'role': 'assistant', 'parts': [{'type': 'text', 'content': 'hi'}], 'finish_reason': 'stop'}
    ]
