"""`python -m pydantic_ai_groq`: the `pai` command line (see `pydantic_ai_groq.cli`)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == '__main__':
    sys.exit(main())
