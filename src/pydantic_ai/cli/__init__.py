"""`pai`: ask a model from the shell, with the answer streamed as it is generated.

```text
pai "Why is the sky blue?"                 one question, one streamed answer (Markdown on a terminal)
cat notes.md | pai "summarise this"        piped text is added after the prompt
pai                                        an interactive chat on a terminal: /exit, /clear, /model <name>
pai providers  /  pai models               installed providers; a provider's models (from its API if a key is set)
pai --replay cassettes/<...>.yaml          offline demo: replay a recorded conversation, no key, no network
pai batch prompts.jsonl -o results.jsonl   a JSONL file of prompts as a provider batch (see `_batch`), resumable
pai COMMAND ...                            a command a plugin adds (`pai --help` lists them)
```

Options: `--model provider:name` (default: `$PAI_MODEL`, else the provider's `default_model`), `--provider`,
`--system`, `--temperature`, `--max-tokens`, `--timeout`, `--json` (the final `ModelResponse` and usage), `--quiet`
(no usage and timing line), `--plain` (no Markdown), `--interactive`, `--debug` (tracebacks). `pai --help` lists them.

Commands: one table (`Command`: a name, how it adds its arguments to its argparse parser, how it runs). The first
positional argument names the command (`pai models`, `pai --json providers`); any other command line answers a
prompt, the default command (so a prompt starting with a command's name is quoted: `pai "models compared"`).
Plugins add commands through the `pydantic_ai_cli_commands` hook (`pydantic_ai.hookspecs`), as llm's
`register_commands` does; a plugin whose commands are broken loses them, with one line on stderr, and `pai` goes on.

Where it lives: in the core, `pip install 'pydantic-ai-core[cli]'` (the extra adds rich for Markdown and PyYAML for
`--replay`; without them output is plain text). `python -m pydantic_ai` runs it too. It uses only the core's public
API and names no provider: which provider a command uses, its default model, the environment variables its messages
name and its model list all come from the provider, through the registry (see `_providers` for the rules).
`import pydantic_ai` does not import this package, and importing this package imports only `Command`: the command
line itself (and rich) loads when `run()` is called.

Exit status:

| status | meaning |
| --- | --- |
| 0 | done |
| 1 | the model or its API failed: HTTP or network error, unusable or failed answer (`finish_reason='error'`) |
| 2 | usage or configuration error, nothing was sent: bad option, no prompt, missing API key, unknown provider |
| 3 | the answer was printed but cut off at the token limit (`finish_reason='length'`); a line on stderr says so |
| 130 | interrupted (Ctrl-C) |
| 141 | stdout was closed before the answer was written (piped into `head`, say) |

Errors are one line on stderr, saying what to do; `--debug` adds the traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from ._command import Command, CommandContext

if TYPE_CHECKING:
    from ..providers.base import Provider

__all__ = ('Command', 'CommandContext', 'main', 'run')


def run(
    argv: Sequence[str],
    *,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    provider: Provider[Any] | None = None,
) -> int:
    """Run `pai` with `argv` (without the program name) and return its exit status; errors are lines on `stderr`.

    Args:
        argv: The arguments, such as `['models', '--json']` or `['Why is the sky blue?']`.
        stdin: Where piped prompts and chat lines come from; `sys.stdin` by default.
        stdout: Where answers go; `sys.stdout` by default.
        stderr: Where errors go; `sys.stderr` by default.
        provider: A provider to use instead of creating one by name (model names must be of its provider); for
            embedding and tests.
    """
    from ._app import run as run_app

    return run_app(argv, stdin=stdin, stdout=stdout, stderr=stderr, provider=provider)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `pai` command and return its exit status (the console script).

    Args:
        argv: The arguments, without the program name; `sys.argv[1:]` by default.
    """
    from ._app import EXIT_BROKEN_PIPE

    status = run(sys.argv[1:] if argv is None else argv)
    if status == EXIT_BROKEN_PIPE:
        # Python flushes stdout once more at exit; point it at /dev/null so that flush cannot fail noisily too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # stdout is not a file descriptor (embedded, or replaced by a caller)
            pass
        finally:
            os.close(devnull)
    return status
