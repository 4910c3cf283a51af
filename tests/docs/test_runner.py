"""The example runner fails an example that does nothing, prints something else than its page shows, or breaks.

Each test writes a small page of its own (the bugs the README had: a `main()` never run, a comment showing another
output than `print()` gives) and runs it as the real pages run.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pydantic_ai_groq.testing import text_completion

from docs_blocks import blocks, expected_output, output_matches
from docs_runner import Example, Page, run_page

FENCE = '```'


def _page(tmp_path: Path, *blocks_: tuple[str, str]) -> Page:
    text = '\n'.join(f'{FENCE}{language}\n{textwrap.dedent(body).strip()}\n{FENCE}\n' for language, body in blocks_)
    path = tmp_path / 'page.md'
    path.write_text(f'# A page\n\n{text}')
    return Page(str(path))


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: Page, *examples: Example) -> None:
    work = tmp_path / 'work'
    work.mkdir()
    run_page(page, examples, work, monkeypatch)


def test_an_example_that_defines_main_and_never_runs_it_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(
        tmp_path,
        (
            'python',
            """
            async def main() -> None:
                print('30 answers')
            # > 30 answers
            """,
        ),
    )
    with pytest.raises(AssertionError, match='printed something else than its # > lines say'):
        _run(tmp_path, monkeypatch, page)


def test_an_example_printing_something_else_than_its_page_shows_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(tmp_path, ('python', "print(\"city='Paris'\")\n# > Forecast(city='Paris')"))
    with pytest.raises(AssertionError, match=r"(?s)-Forecast\(city='Paris'\).*\+city='Paris'"):
        _run(tmp_path, monkeypatch, page)


def test_an_example_printing_what_its_page_does_not_show_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(tmp_path, ('python', "print('surprise')"))
    with pytest.raises(AssertionError, match='prints what the page does not show'):
        _run(tmp_path, monkeypatch, page)


def test_an_example_that_raises_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(tmp_path, ('python', "raise RuntimeError('broken example')"))
    with pytest.raises(RuntimeError, match='broken example'):
        _run(tmp_path, monkeypatch, page)


def test_a_bash_example_that_exits_non_zero_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(tmp_path, ('bash', 'echo before\nfalse\necho after\n# > before\n# > after'))
    with pytest.raises(AssertionError, match=r'failed \(exit status 1\)'):
        _run(tmp_path, monkeypatch, page)


def test_examples_left_out_are_not_run_and_files_are_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(
        tmp_path,
        ('bash', '# (not run by the test suite: installs packages)\nexit 1'),
        ('python', "# helper.py\nGREETING = 'hi'"),
        ('python', 'from helper import GREETING\n\nprint(GREETING)\n# > hi'),
    )
    _run(tmp_path, monkeypatch, page)


def test_examples_share_a_namespace_and_reach_the_test_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(
        tmp_path,
        ('python', "from pydantic_ai import ModelRequest, model_request_sync\n\nprompt = 'Ping'"),
        (
            'python',
            """
            response = model_request_sync('groq:openai/gpt-oss-120b', [ModelRequest.user_text_prompt(prompt)])
            print(response.parts[0].content)
            # > Pong
            """,
        ),
    )
    _run(tmp_path, monkeypatch, page, Example(page.page, 'model_request_sync(', answers=(text_completion('Pong'),)))


def test_a_scripted_example_must_name_one_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(tmp_path, ('python', "print('a')\n# > a"))
    with pytest.raises(AssertionError, match='0 examples contain'):
        _run(tmp_path, monkeypatch, page, Example(page.page, 'no such text'))


def test_output_lines_match_with_wildcards() -> None:
    assert output_matches(['chatcmpl-...', '...', 'done'], 'chatcmpl-42\nline\nline\ndone\n')
    assert output_matches(['a', '...', 'b'], 'a\nb\n')
    assert not output_matches(['a'], 'a\nb\n')
    assert not output_matches([], 'a\n')
    assert output_matches([], '')
    assert output_matches(['x  y'], 'x  y   \n')  # trailing spaces are not compared


def test_output_lines_are_read_from_the_block(tmp_path: Path) -> None:
    page = _page(tmp_path, ('python', "print('a')\n# > a\n# >\n    # > indented"))
    (block,) = blocks(Path(page.page))
    assert expected_output(block) == ['a', '', 'indented']
