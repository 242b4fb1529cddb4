"""The tutorial as Jupyter notebooks: tutorial/notebooks/ holds one per chapter, made from the
Markdown by tutorial/notebooks.py, and each runs top to bottom in a real Jupyter kernel against
the engine, giving the outputs the chapter shows.

The kernel tests need the `docs` extra (nbclient, ipykernel): `pip install -e '.[test,docs]'`.
Without it they skip, except under RAWDOCK_REQUIRE_DAEMON=1 (CI), where they fail.
"""

from __future__ import annotations

import copy
import doctest
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from test_tutorial import (  # noqa: F401 -- tutorial_engine is a fixture
    CHAPTERS,
    REPOSITORY,
    TUTORIAL,
    new_run,
    remove_run,
    tutorial_engine,
)

NOTEBOOKS = TUTORIAL / "notebooks"
REGENERATE = "python tutorial/notebooks.py"
#: A chapter's notebook may take as long as its doctest (chapter 9 builds, pushes and pulls).
CELL_TIMEOUT = 300
#: The kernel the test declares for itself (see the test).
KERNEL = "rawdock-tutorial"
CHECKER = doctest.OutputChecker()
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tutorial_notebooks", TUTORIAL / "notebooks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(chapter: Path) -> dict[str, Any]:
    path = NOTEBOOKS / f"{chapter.stem}.ipynb"
    notebook: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return notebook


def _code(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def _text(outputs: list[dict[str, Any]]) -> str:
    """What a reader sees of a cell's outputs, as one text (errors as "Name: message")."""
    parts = []
    for output in outputs:
        if output["output_type"] == "stream":
            parts.append("".join(output["text"]))
        elif output["output_type"] in ("execute_result", "display_data"):
            parts.append("".join(output["data"].get("text/plain", "")) + "\n")
        elif output["output_type"] == "error":
            parts.append(f"{output['ename'].rsplit('.', 1)[-1]}: {output['evalue']}\n")
    return "".join(parts)


# --- Without an engine ------------------------------------------------------------------------


def test_every_chapter_has_its_notebook_in_sync() -> None:
    problems = _generator().stale()
    assert problems == [], (
        f"tutorial/notebooks/ is out of date ({', '.join(problems)}): run  {REGENERATE}"
    )


def test_check_command_agrees() -> None:
    result = subprocess.run(
        [sys.executable, "tutorial/notebooks.py", "--check"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_cells_are_code_without_prompts_and_outputs_are_the_chapters() -> None:
    for chapter in CHAPTERS:
        notebook = _load(chapter)
        assert notebook["nbformat"] == 4
        examples = doctest.DocTestParser().get_examples(chapter.read_text(encoding="utf-8"))
        code = _code(notebook)
        sources = "".join("".join(cell["source"]) for cell in code)
        assert ">>> " not in sources and "\n... " not in sources, chapter.name
        shows = [e for e in examples if e.want and e.exc_msg is None]
        wants = [e.want.replace("<BLANKLINE>", "") for e in shows]
        shown = [_text(cell["outputs"]) for cell in code if cell["outputs"]]
        # Every output the chapter shows is a cell's output, in order (exceptions aside).
        assert [w.strip() for w in wants] == [
            s.strip() for s, cell in zip(shown, (c for c in code if c["outputs"]), strict=True)
            if cell["outputs"][0]["output_type"] != "error"
        ], chapter.name


def test_asyncio_chapter_awaits_at_the_top_level() -> None:
    [chapter] = [path for path in CHAPTERS if "asyncio" in path.name]
    sources = ["".join(cell["source"]) for cell in _code(_load(chapter))]
    assert not any("asyncio.run(" in source for source in sources)
    assert any(source.splitlines()[-1].startswith("await ") for source in sources)


def test_a_new_chapter_gets_a_notebook(tmp_path: Path) -> None:
    generator = _generator()
    chapter = tmp_path / "99-new.md"
    chapter.write_text(
        "# 99. New\n\nProse.\n\n```python\n>>> x = 1\n>>> x + 1\n2\n>>> 1 / 0\n"
        "Traceback (most recent call last):\n...\nZeroDivisionError: division by zero\n\n```\n"
        "\n<details><summary>Solutions</summary>\n\n```python\n>>> print('a')\na\n\n```\n\n"
        "</details>\n",
        encoding="utf-8",
    )
    notebook = json.loads(generator.notebook(chapter))
    code = _code(notebook)
    assert ["".join(cell["source"]) for cell in code] == ["x = 1\nx + 1", "1 / 0", "print('a')"]
    assert code[0]["outputs"][0]["data"]["text/plain"] == ["2"]
    assert code[1]["metadata"]["tags"] == ["raises-exception"]
    assert code[2]["metadata"]["jupyter"]["source_hidden"] is True
    assert code[2]["outputs"][0] == {"output_type": "stream", "name": "stdout", "text": ["a\n"]}


# --- In a Jupyter kernel, against the engine --------------------------------------------------


def _nbclient() -> Any:
    try:
        import nbclient
    except ImportError:
        message = "nbclient is not installed: pip install -e '.[test,docs]'"
        if os.environ.get("RAWDOCK_REQUIRE_DAEMON") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return nbclient


@pytest.mark.engine
@pytest.mark.usefixtures("tutorial_engine")
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_notebook_runs_in_a_kernel_with_the_chapters_outputs(
    chapter: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    nbclient = _nbclient()
    import nbformat  # nbclient's own dependency

    expected = _load(chapter)
    with_setup = copy.deepcopy(expected)
    # Plain repr() for values, as doctest shows them (IPython would pretty-print long ones).
    with_setup["cells"].insert(0, {
        "cell_type": "code", "execution_count": None, "id": "test-setup", "metadata": {},
        "outputs": [], "source": ["%config PlainTextFormatter.pprint = False"],
    })
    notebook = nbformat.reads(json.dumps(with_setup), as_version=4)
    # A kernel on this very interpreter (the one with rawdock and the docs extra), whatever
    # "python3" kernel the machine may have installed elsewhere.
    spec = tmp_path / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "rawdock tutorial", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    run = new_run()
    monkeypatch.setenv("RAWDOCK_TUTORIAL_RUN", run)  # the kernel inherits it
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name=KERNEL,
        resources={"metadata": {"path": str(REPOSITORY)}},
    )
    try:
        client.execute()
    finally:
        left = remove_run(run)
    for want, got in zip(_code(expected), _code(notebook)[1:], strict=True):
        source = "".join(want["source"])
        if want["outputs"] and want["outputs"][0]["output_type"] == "error":
            [error] = [o for o in got["outputs"] if o["output_type"] == "error"]
            stored = want["outputs"][0]
            assert stored["ename"].endswith(error["ename"]), (chapter.name, source)
            assert CHECKER.check_output(stored["evalue"], error["evalue"], OPTIONS), (
                chapter.name, source, error["evalue"])
            continue
        expected_text, actual = _text(want["outputs"]), _text(got["outputs"])
        assert CHECKER.check_output(expected_text, actual, OPTIONS), (
            f"{chapter.name}: cell\n{source}\nshowed\n{actual}\ninstead of\n{expected_text}"
        )
    assert left == [], f"{chapter.name}'s notebook left containers behind"
