"""Another project's `pydantic_ai` package (pydantic-ai, pydantic-ai-slim) in the environment: one clear error.

Each case builds a site directory holding a foreign `pydantic_ai` package and the `.dist-info` of the distribution
that installed it, puts it first on `sys.path` of a fresh interpreter, and imports `pydantic_ai_groq` there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PLUGIN_SRC = Path(__file__).resolve().parents[2] / 'plugins' / 'groq' / 'src'


def foreign_site(root: Path, distribution: str, version: str, init: str) -> Path:
    """A site dir where `distribution` installed a `pydantic_ai` package whose `__init__.py` is `init`."""
    site = root / 'site'
    package = site / 'pydantic_ai'
    package.mkdir(parents=True)
    (package / '__init__.py').write_text(init)
    (package / 'usage.py').write_text('"""Not ours."""\n')
    info = site / f'{distribution.replace("-", "_")}-{version}.dist-info'
    info.mkdir()
    (info / 'METADATA').write_text(f'Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n')
    (info / 'RECORD').write_text('pydantic_ai/__init__.py,,\npydantic_ai/usage.py,,\n')
    return site


def import_plugin(site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(site), str(PLUGIN_SRC)])}
    return subprocess.run(
        [sys.executable, '-c', 'import pydantic_ai_groq'], capture_output=True, text=True, env=env, timeout=60
    )


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1]


def test_pydantic_ai_slim_owning_the_import_name_is_named_with_what_to_do(tmp_path: Path) -> None:
    site = foreign_site(tmp_path, 'pydantic-ai-slim', '1.20.0', "__version__ = '1.20.0'\n")
    result = import_plugin(site)
    assert result.returncode == 1
    line = last_line(result)
    assert line.startswith('ImportError: The `pydantic_ai` package Python imports (')
    assert str(site / 'pydantic_ai' / '__init__.py') in line
    assert 'pydantic-ai-slim 1.20.0 also installs the `pydantic_ai` import name' in line
    assert '`pip uninstall -y pydantic-ai-slim`' in line
    assert 'pip install --force-reinstall pydantic-ai-core' in line


def test_an_old_pydantic_ai_with_an_overlapping_version_number_is_still_detected(tmp_path: Path) -> None:
    # pydantic-ai 0.1.x existed too: the version alone cannot tell the two projects apart, the marker does.
    site = foreign_site(tmp_path, 'pydantic-ai', '0.1.0', "__version__ = '0.1.0'\n")
    line = last_line(import_plugin(site))
    assert 'pydantic-ai 0.1.0 also installs the `pydantic_ai` import name' in line


def test_a_foreign_package_that_fails_to_import_is_reported_the_same_way(tmp_path: Path) -> None:
    init = "raise ImportError('pydantic_ai.usage.Usage was removed, use RunUsage')\n"
    site = foreign_site(tmp_path, 'pydantic-ai-slim', '1.20.0', init)
    result = import_plugin(site)
    line = last_line(result)
    assert line.startswith('ImportError: The `pydantic_ai` package Python imports (it fails to import)')
    assert 'pydantic-ai-slim 1.20.0' in line
    assert 'pydantic_ai.usage.Usage was removed' in result.stderr  # the cause is chained, not lost


def test_a_core_of_an_unsupported_version_is_refused(tmp_path: Path) -> None:
    site = tmp_path / 'site'
    (site / 'pydantic_ai').mkdir(parents=True)
    (site / 'pydantic_ai' / '__init__.py').write_text("CORE_DISTRIBUTION = 'pydantic-ai-core'\n__version__ = '0.9.0'\n")
    line = last_line(import_plugin(site))
    assert 'version 0.9.0' in line
    assert 'pydantic-ai-core>=0.1.0,<0.2' in line


def test_the_real_core_passes_the_check() -> None:
    result = subprocess.run(
        [sys.executable, '-c', 'import pydantic_ai_groq, pydantic_ai; print(pydantic_ai.CORE_DISTRIBUTION)'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'pydantic-ai-core'
