"""`python -m pydantic_ai`: the `pai` command line (see `pydantic_ai.cli`)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == '__main__':
    sys.exit(main())
