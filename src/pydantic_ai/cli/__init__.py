"""`pai`: ask a model from the shell, with the answer streamed as it is generated.

```text
pai "Why is the sky blue?"                 one question, one streamed answer (Markdown on a terminal)
cat notes.md | pai "summarise this"        piped text is added after the prompt
pai                                        an interactive chat on a terminal: /exit, /clear, /model <name>
pai providers  /  pai models               installed providers; a provider's models (from its API if a key is set)
pai --replay cassettes/<...>.yaml          offline demo: replay a recorded conversation, no key, no network
pai batch prompts.jsonl -o results.jsonl   a JSONL file of prompts as a provider batch (see `_batch`), resumable
```

Options: `--model provider:name` (default: `$PAI_MODEL`, else the provider's `default_model`), `--provider`,
`--system`, `--temperature`, `--max-tokens`, `--timeout`, `--json` (the final `ModelResponse` and usage), `--quiet`
(no usage and timing line), `--plain` (no Markdown), `--interactive`, `--debug` (tracebacks). `pai --help` lists them.

Where it lives (decided): in the core, `pip install 'pydantic-ai-core[cli]'` (the extra adds rich for Markdown and
PyYAML for `--replay`; without them output is plain text). `python -m pydantic_ai` runs it too. It uses only the
core's public API and names no provider: which provider a command uses, its default model, the environment
variables its messages name and its model list all come from the provider, through the registry (see
`_providers` for the rules). `import pydantic_ai` does not import this package, nor rich.

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

from ._app import EXIT_BROKEN_PIPE, run

__all__ = ('main',)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `pai` command and return its exit status.

    Args:
        argv: The arguments, without the program name; `sys.argv[1:]` by default.
    """
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
