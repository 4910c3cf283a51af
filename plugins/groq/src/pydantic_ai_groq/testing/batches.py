"""The test server's Files and Batches endpoints: Groq's Batch API, run locally, with scripted outcomes.

`GroqTestServer` routes `/openai/v1/files...` and `/openai/v1/batches...` here (its `batches` attribute). A batch
moves one status per poll (`GET /openai/v1/batches/{id}`), each status held at least `BatchBehaviour.stage_seconds`:
`validating`, `in_progress`, `finalizing`, then `completed`; or, when the behaviour says it fails or expires, from
`in_progress` straight to `failed` or `expired` (`finalizing` means every line ran); or `cancelling` then
`cancelled` after `POST .../cancel`. Its request counts never go down. Each line that runs is answered with an echo
of its last user message (or a scripted completion, or a scripted HTTP error that goes to the error file); output
lines are shuffled.

```python
from pydantic_ai_groq.testing import BatchBehaviour, GroqTestServer

with GroqTestServer() as server:
    server.batches.behaviour = BatchBehaviour(outcome='expired', finished_before_end=2, line_errors={'b': 400})
    ...
```

Input lines are validated as Groq does (JSON object, `custom_id` unique, `method` POST, `url`
`/v1/chat/completions`, a `body` with `model` and `messages`); a batch with a bad line fails in validation, with
`errors.data` naming the line (1-based).
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from . import wire
from ._http import RecordedRequest
from .responses import ScriptedResponse, json_response, raw_response

__all__ = ('BatchBehaviour', 'BatchService', 'FILES_PATH', 'BATCHES_PATH')

FILES_PATH = '/openai/v1/files'
"""Where files are uploaded, listed and read."""
BATCHES_PATH = '/openai/v1/batches'
"""Where batches are created, polled and cancelled."""

_ENDPOINT = '/v1/chat/completions'
_RUNNING = ('validating', 'in_progress', 'finalizing')


@dataclass
class BatchBehaviour:
    """How the server runs the batches created after it is set (`server.batches.behaviour = ...`)."""

    stage_seconds: float = 0.0
    """The least time a batch spends in each status before a poll moves it on (0: one status per poll)."""
    outcome: Literal['completed', 'failed', 'expired'] = 'completed'
    """How a batch that is not cancelled ends."""
    finished_before_end: int | None = None
    """For `failed` and `expired`: how many lines (in input order) ran before the end; by default half."""
    cancel_keeps: int | None = None
    """For a cancelled batch: how many lines (in input order) ran before the cancellation; by default half."""
    line_errors: Mapping[str, int | tuple[int, Mapping[str, Any]]] = field(
        default_factory=dict[str, 'int | tuple[int, Mapping[str, Any]]']
    )
    """Custom ids whose line fails with this HTTP status, or `(status, error body)` (it goes to the error file)."""
    answers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict[str, Mapping[str, Any]])
    """Custom ids answered with this chat-completion body instead of the echo."""
    shuffle: bool = True
    """Write output and error lines in a shuffled order (as Groq does not keep input order)."""
    seed: int = 0
    """The seed of the shuffle."""


@dataclass
class _File:
    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int

    def info(self) -> dict[str, Any]:
        return {
            'id': self.id,
            'object': 'file',
            'bytes': len(self.data),
            'created_at': self.created_at,
            'filename': self.filename,
            'purpose': self.purpose,
        }


@dataclass
class _Batch:
    obj: dict[str, Any]
    lines: list[dict[str, Any]]
    behaviour: BatchBehaviour
    invalid: list[dict[str, Any]]
    stage_started: float = field(default_factory=time.monotonic)
    cancel_requested: bool = False


class BatchService:
    """The Files and Batches endpoints of `GroqTestServer`, with their state; thread-safe."""

    def __init__(self) -> None:
        """An empty store; batches run with the default `BatchBehaviour` until `behaviour` is set."""
        self._lock = threading.Lock()
        self.behaviour = BatchBehaviour()
        """How batches created from now on run."""
        self._files: dict[str, _File] = {}
        self._batches: dict[str, _Batch] = {}

    def reset(self) -> None:
        """Forget every file and batch, and restore the default behaviour."""
        with self._lock:
            self._files.clear()
            self._batches.clear()
            self.behaviour = BatchBehaviour()

    @property
    def files(self) -> dict[str, bytes]:
        """Every stored file's content, by id (a copy)."""
        with self._lock:
            return {file_id: stored.data for file_id, stored in self._files.items()}

    @property
    def batch_ids(self) -> list[str]:
        """The ids of the batches created so far, in order."""
        with self._lock:
            return list(self._batches)

    def handles(self, path: str) -> bool:
        """Whether `path` is one of these endpoints."""
        return path.startswith((FILES_PATH, BATCHES_PATH))

    def handle(self, request: RecordedRequest) -> ScriptedResponse:
        """Answer a request to the Files or Batches endpoints."""
        with self._lock:
            try:
                return self._route(request)
            except _HTTPError as exc:
                return json_response(wire.error_body(exc.message, code=exc.code), status=exc.status)

    # -- routing ----------------------------------------------------------------------------------------------

    def _route(self, request: RecordedRequest) -> ScriptedResponse:
        method, path = request.method, request.path.rstrip('/')
        if path.startswith(FILES_PATH):
            rest = path[len(FILES_PATH) :].strip('/').split('/') if path != FILES_PATH else []
            if not rest and method == 'POST':
                return json_response(self._upload(request).info())
            if not rest and method == 'GET':
                return json_response({'object': 'list', 'data': [f.info() for f in self._files.values()]})
            if len(rest) == 1 and method == 'GET':
                return json_response(self._file(rest[0]).info())
            if len(rest) == 1 and method == 'DELETE':
                self._file(rest[0])
                del self._files[rest[0]]
                return json_response({'id': rest[0], 'object': 'file', 'deleted': True})
            if len(rest) == 2 and rest[1] == 'content' and method == 'GET':
                return raw_response(self._file(rest[0]).data, content_type='application/octet-stream')
        else:
            rest = path[len(BATCHES_PATH) :].strip('/').split('/') if path != BATCHES_PATH else []
            if not rest and method == 'POST':
                return json_response(self._create(request))
            if not rest and method == 'GET':
                return json_response({'object': 'list', 'data': [b.obj for b in self._batches.values()]})
            if len(rest) == 1 and method == 'GET':
                batch = self._batch(rest[0])
                self._advance(batch)
                return json_response(batch.obj)
            if len(rest) == 2 and rest[1] == 'cancel' and method == 'POST':
                return json_response(self._cancel(self._batch(rest[0])))
        raise _HTTPError(404, f'Unknown request URL: {method} {request.path}.', 'unknown_url')

    def _file(self, file_id: str) -> _File:
        stored = self._files.get(file_id)
        if stored is None:
            raise _HTTPError(404, f'file {file_id} not found', 'not_found')
        return stored

    def _batch(self, batch_id: str) -> _Batch:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise _HTTPError(404, f'batch {batch_id} not found', 'not_found')
        return batch

    # -- files --------------------------------------------------------------------------------------------------

    def _upload(self, request: RecordedRequest) -> _File:
        fields = _multipart(request)
        purpose = fields.get('purpose')
        upload = fields.get('file')
        if upload is None:
            raise _HTTPError(400, "the upload has no 'file' field", 'invalid_request')
        if purpose is None or purpose[1] != b'batch':
            raise _HTTPError(400, "'purpose' must be 'batch'", 'invalid_request')
        return self._store(upload[0] or 'upload.jsonl', 'batch', upload[1])

    def _store(self, filename: str, purpose: str, data: bytes) -> _File:
        stored = _File(f'file_{uuid.uuid4().hex[:24]}', filename, purpose, data, int(time.time()))
        self._files[stored.id] = stored
        return stored

    # -- batches ------------------------------------------------------------------------------------------------

    def _create(self, request: RecordedRequest) -> dict[str, Any]:
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            raise _HTTPError(400, 'the body must be a JSON object', 'invalid_request')
        if body.get('endpoint') != _ENDPOINT:
            raise _HTTPError(400, f"'endpoint' must be {_ENDPOINT!r}", 'invalid_request')
        window = body.get('completion_window')
        if not isinstance(window, str) or not window:
            raise _HTTPError(400, "'completion_window' is required, e.g. '24h'", 'invalid_request')
        input_file = self._file(str(body.get('input_file_id')))
        lines, invalid = _parse_input(input_file.data)
        now = int(time.time())
        obj: dict[str, Any] = {
            'id': f'batch_{uuid.uuid4().hex[:24]}',
            'object': 'batch',
            'endpoint': _ENDPOINT,
            'errors': None,
            'input_file_id': input_file.id,
            'completion_window': window,
            'status': 'validating',
            'output_file_id': None,
            'error_file_id': None,
            'created_at': now,
            'in_progress_at': None,
            'expires_at': now + 86400,
            'finalizing_at': None,
            'completed_at': None,
            'failed_at': None,
            'expired_at': None,
            'cancelling_at': None,
            'cancelled_at': None,
            'request_counts': {'total': 0, 'completed': 0, 'failed': 0},
            'metadata': body.get('metadata'),
        }
        self._batches[obj['id']] = _Batch(obj, lines, self.behaviour, invalid)
        return obj

    def _cancel(self, batch: _Batch) -> dict[str, Any]:
        status = batch.obj['status']
        if status not in _RUNNING:
            raise _HTTPError(400, f'batch {batch.obj["id"]} is {status} and cannot be cancelled', 'invalid_request')
        batch.cancel_requested = True
        batch.obj['status'] = 'cancelling'
        batch.obj['cancelling_at'] = int(time.time())
        batch.stage_started = time.monotonic()
        return batch.obj

    def _advance(self, batch: _Batch) -> None:
        """Move the batch on by one status, if it has spent `stage_seconds` in the current one."""
        obj, behaviour = batch.obj, batch.behaviour
        status = obj['status']
        if status in ('completed', 'failed', 'expired', 'cancelled'):
            return
        if time.monotonic() - batch.stage_started < behaviour.stage_seconds:
            return
        batch.stage_started = time.monotonic()
        now = int(time.time())
        total = len(batch.lines)
        if status == 'cancelling':
            keep = behaviour.cancel_keeps if behaviour.cancel_keeps is not None else total // 2
            self._finish(batch, 'cancelled', min(keep, total))
        elif status == 'validating':
            if batch.invalid:
                obj.update(status='failed', failed_at=now, errors={'object': 'list', 'data': batch.invalid})
                return
            obj.update(status='in_progress', in_progress_at=now)
            obj['request_counts'] = {'total': total, 'completed': 0, 'failed': 0}
        elif status == 'in_progress' and behaviour.outcome == 'completed':
            obj.update(status='finalizing', finalizing_at=now)
            failed = sum(1 for line in batch.lines if line['custom_id'] in behaviour.line_errors)
            obj['request_counts'] = {'total': total, 'completed': total - failed, 'failed': failed}
        elif status == 'in_progress':
            # A batch that fails or expires does so while running: `finalizing` means every line ran, so it never
            # shows it, and its counts grow only by the lines that did run (they never go back down).
            ran = behaviour.finished_before_end if behaviour.finished_before_end is not None else total // 2
            self._finish(batch, behaviour.outcome, min(ran, total))
        else:
            self._finish(batch, 'completed', total)

    def _finish(self, batch: _Batch, status: str, ran: int) -> None:
        """End the batch: the first `ran` lines ran (output or error file); for an expiry, the rest expired."""
        behaviour = batch.behaviour
        outputs: list[bytes] = []
        errors: list[bytes] = []
        for line in batch.lines[:ran]:
            custom_id = line['custom_id']
            scripted = behaviour.line_errors.get(custom_id)
            request_id = wire.new_request_id()
            if scripted is not None:
                status_code, body = (
                    scripted
                    if isinstance(scripted, tuple)
                    else (scripted, wire.error_body(f'scripted error for {custom_id}', code='scripted_error'))
                )
                errors.append(
                    _output_line(custom_id, {'status_code': status_code, 'request_id': request_id, 'body': body})
                )
            else:
                answer = behaviour.answers.get(custom_id)
                body = dict(answer) if answer is not None else _echo(line['body'])
                outputs.append(_output_line(custom_id, {'status_code': 200, 'request_id': request_id, 'body': body}))
        if status == 'expired':
            message = 'This request could not be executed before the completion window expired.'
            for line in batch.lines[ran:]:
                errors.append(_output_line(line['custom_id'], None, {'code': 'batch_expired', 'message': message}))
        if behaviour.shuffle:
            shuffler = random.Random(behaviour.seed)
            shuffler.shuffle(outputs)
            shuffler.shuffle(errors)
        obj = batch.obj
        batch_id = obj['id']
        if outputs:
            obj['output_file_id'] = self._store(f'{batch_id}_output.jsonl', 'batch_output', b''.join(outputs)).id
        if errors:
            obj['error_file_id'] = self._store(f'{batch_id}_errors.jsonl', 'batch_output', b''.join(errors)).id
        failed = len(errors) if status != 'expired' else len(errors) - (len(batch.lines) - ran)
        obj['request_counts'] = {'total': len(batch.lines), 'completed': len(outputs), 'failed': failed}
        obj['status'] = status
        obj[f'{status}_at'] = int(time.time())
        if status == 'failed':
            obj['errors'] = {
                'object': 'list',
                'data': [{'code': 'server_error', 'message': 'the batch failed while running', 'line': None}],
            }


class _HTTPError(Exception):
    def __init__(self, status: int, message: str, code: str) -> None:
        self.status = status
        self.message = message
        self.code = code
        super().__init__(message)


def _output_line(custom_id: str, response: dict[str, Any] | None, error: dict[str, Any] | None = None) -> bytes:
    line = {'id': f'batch_req_{uuid.uuid4().hex[:24]}', 'custom_id': custom_id, 'response': response, 'error': error}
    return wire.encode_json(line) + b'\n'


def _echo(body: dict[str, Any]) -> dict[str, Any]:
    """The echo answer: the text of the last user message, in the model the line asked for."""
    text = ''
    for message in reversed(body.get('messages') or []):
        if isinstance(message, dict) and message.get('role') == 'user':
            content = message.get('content')
            if isinstance(content, str):
                text = content
            elif isinstance(content, list):
                text = ' '.join(p.get('text', '') for p in content if isinstance(p, dict) and p.get('type') == 'text')
            break
    model = body.get('model')
    return wire.chat_completion(text or 'Hello from the Groq test server.', model=str(model or wire.DEFAULT_MODEL))


def _parse_input(data: bytes) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The input file's lines, and Groq-shaped errors for those that are not valid batch requests."""
    lines: list[dict[str, Any]] = []
    invalid: list[dict[str, Any]] = []
    seen: set[str] = set()

    def bad(number: int, message: str, param: str | None = None) -> None:
        invalid.append({'code': 'invalid_request', 'line': number, 'message': message, 'param': param})

    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            bad(number, 'the line is not valid JSON')
            continue
        if not isinstance(line, dict):
            bad(number, 'the line is not a JSON object')
            continue
        custom_id = line.get('custom_id')
        body = line.get('body')
        if not isinstance(custom_id, str) or not custom_id:
            bad(number, 'custom_id is required', 'custom_id')
        elif custom_id in seen:
            bad(number, f'custom_id {custom_id!r} is duplicated', 'custom_id')
        elif line.get('method') != 'POST' or line.get('url') != _ENDPOINT:
            bad(number, f"method must be 'POST' and url {_ENDPOINT!r}", 'url')
        elif not isinstance(body, dict) or not body.get('model') or not isinstance(body.get('messages'), list):
            bad(number, 'body must be a chat completion request with model and messages', 'body')
        else:
            seen.add(custom_id)
            lines.append(line)
    if not lines and not invalid:
        bad(0, 'the input file has no requests')
    return lines, invalid


def _multipart(request: RecordedRequest) -> dict[str, tuple[str | None, bytes]]:
    """The fields of a `multipart/form-data` body: name -> (filename, value)."""
    content_type = request.headers.get('content-type', '')
    boundary = None
    for param in content_type.split(';')[1:]:
        key, _, text = param.strip().partition('=')
        if key.lower() == 'boundary':
            boundary = text.strip('"')
    if not content_type.lower().startswith('multipart/form-data') or not boundary:
        raise _HTTPError(400, 'the upload must be multipart/form-data with a boundary', 'invalid_request')
    fields: dict[str, tuple[str | None, bytes]] = {}
    delimiter = b'--' + boundary.encode('latin-1')
    for chunk in request.body.split(delimiter)[1:]:
        if chunk.startswith(b'--'):
            break
        head, _, value = chunk.removeprefix(b'\r\n').partition(b'\r\n\r\n')
        value = value.removesuffix(b'\r\n')
        name = filename = None
        for header in head.decode('latin-1').split('\r\n'):
            if header.lower().startswith('content-disposition:'):
                for param in header.split(';')[1:]:
                    key, _, raw = param.strip().partition('=')
                    if key == 'name':
                        name = raw.strip('"')
                    elif key == 'filename':
                        filename = raw.strip('"')
        if name is not None:
            fields[name] = (filename, value)
    return fields
