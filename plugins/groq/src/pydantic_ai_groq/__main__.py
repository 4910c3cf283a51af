"""`python -m pydantic_ai_groq`: an alias of `python -m pydantic_ai`, the `pai` command line (`pydantic_ai.cli`).

Kept (decided) so that commands written when `pai` shipped with this plugin keep working; the command itself lives
in the core and knows nothing of Groq.
"""

from __future__ import annotations

import sys

from pydantic_ai.cli import main

if __name__ == '__main__':
    sys.exit(main())
