"""`python -m pydantic_ai_groq.testing serve`: the local Groq test server, run until Ctrl-C, to point `pai` at.

```text
$ python -m pydantic_ai_groq.testing serve
Groq test server at http://127.0.0.1:41231 (127.0.0.1 only; Ctrl-C stops it)
...
$ GROQ_BASE_URL=http://127.0.0.1:41231 GROQ_API_KEY=gsk-test pai -p groq "Hello"
Hello
```

The server is `GroqTestServer` with its defaults: each chat completion is answered with the request's last user
message (streamed when asked), and it serves the model list and the Files and Batches endpoints (so `pai models` and
`pai batch` work against it). The first line printed holds the base URL; the process stops cleanly (connections
closed, exit status 0) on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from types import FrameType

from .server import CHAT_COMPLETIONS_PATH, GroqTestServer

_KEY = 'gsk-test'


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='python -m pydantic_ai_groq.testing',
        description='Run the local Groq test server (127.0.0.1 only) until Ctrl-C, to point pai or your code at.',
    )
    commands = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    serve = commands.add_parser('serve', help='run the server and print its base URL')
    serve.add_argument('--port', type=int, default=0, help='the port to listen on (default: a free one)')
    serve.add_argument(
        '--chat-completions-path',
        default=CHAT_COMPLETIONS_PATH,
        metavar='PATH',
        help=f"where chat completions are served, for a gateway's path (default: {CHAT_COMPLETIONS_PATH})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 after Ctrl-C, 2 for a usage error, 1 if the port is taken)."""
    options = _parser().parse_args(argv)
    server = GroqTestServer(port=options.port, chat_completions_path=options.chat_completions_path)
    try:
        server.start()
    except OSError as exc:
        print(f'python -m pydantic_ai_groq.testing: cannot listen on 127.0.0.1:{options.port}: {exc}', file=sys.stderr)
        return 1
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        url = server.base_url
        print(f'Groq test server at {url} (127.0.0.1 only; Ctrl-C stops it)')
        print('It answers each chat completion with the last user message, and serves the model list and batches.')
        print('Point pai at it:')
        print(f'  GROQ_BASE_URL={url} GROQ_API_KEY={_KEY} pai -p groq "Hello"', flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
    print(f'Groq test server stopped ({server.request_count} requests served).', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
