"""The suite's root conftest: it only loads the shared fixtures plugin (`tests/support/fixtures.py`).

Tests are grouped by what they test: `core/`, `registry/`, `plugin_groq/`, `cli/`, `reliability/`, `docs/` (every
example of README.md and docs/ runs and prints what its page shows) and `project/` (the benchmark's quick mode).
Nothing reaches the internet: cassette tests replay with record mode `none`, and the rest use `httpx.MockTransport`,
fake clients or a local server on 127.0.0.1.
"""

pytest_plugins = ('support.fixtures',)
