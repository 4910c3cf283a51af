"""`pai`: ask a model from the shell, with the answer streamed as it is generated.

```text
pai "Why is the sky blue?"                 one question, one streamed answer (Markdown on a terminal)
cat notes.md | pai "summarise this"        piped text is added after the prompt
pai                                        an interactive chat on a terminal: /exit, /clear, /model <name>
pai providers  /  pai models               installed providers; known Groq model names
pai --replay cassettes/<...>.yaml          offline demo: replay a recorded conversation, no key, no network
```

Options: `--model provider:name` (default `groq:llama-3.3-70b-versatile`), `--provider`, `--system`,
`--temperature`, `--max-tokens`, `--json` (the final `ModelResponse` and usage), `--quiet` (no usage and timing
line), `--plain` (no Markdown), `--interactive`, `--debug` (tracebacks). `pai --help` lists them all.

Where it lives (decided): the command ships with the Groq plugin distribution (`pydantic-ai-groq`, extra `cli`
for rich Markdown rendering and replay), not with the core, because its defaults are Groq's: the default model
`groq:llama-3.3-70b-versatile`, `pai models` (Groq's model names) and the `GROQ_API_KEY` hint. It uses only the
core's public API (`pydantic_ai.direct`, `infer_model`, `list_providers`, the messages) and `pydantic_ai_groq`, so
any registered provider works with `--provider`. `import pydantic_ai_groq` does not import this package, nor rich.

Exit status:

| status | meaning |
| --- | --- |
| 0 | done |
| 1 | the model or its API failed: HTTP error (401, 404, 429, 5xx), network error, unusable answer, broken plugin |
| 2 | usage or configuration error, nothing was sent: bad option, no prompt, missing API key, unknown provider |
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
