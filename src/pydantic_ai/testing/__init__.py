"""Testing apps built on pydantic-ai: cassette regression tests (`pydantic_ai.testing.pytest_plugin`).

The pytest plugin is loaded by pytest through the `pytest11` entry point when the `testing` extra is installed
(`pip install 'pydantic-ai-core[testing]'`). The in-process test models (`pydantic_ai.models.test.TestModel`,
`pydantic_ai.models.function.FunctionModel`) need no extra.
"""
