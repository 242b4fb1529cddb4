"""The tutorial: every chapter passes as a doctest against the real engine, and the step-by-step
runner (tutorial/run.py) shows the cells of a chapter and their real output.

Each chapter runs in a subprocess, from the repository root, with exactly the command a reader
uses:  python -m doctest -o ELLIPSIS -o NORMALIZE_WHITESPACE tutorial/NN-slug.md
Chapters are found by pattern, so a new chapter is tested without touching this file.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import rawdock

REPOSITORY = Path(__file__).resolve().parent.parent
TUTORIAL = REPOSITORY / "tutorial"
CHAPTERS = sorted(TUTORIAL.glob("[0-9][0-9]-*.md"))
DOCTEST = ["-m", "doctest", "-o", "ELLIPSIS", "-o", "NORMALIZE_WHITESPACE"]
#: Everything the chapters create carries this label.
TUTORIAL_FILTER = {"label": ["rawdock.tutorial=1"]}
#: A container name as the chapters write it. Cleanup and checks take only labelled containers
#: whose names a chapter mentions, so that they never touch anything else on a shared engine
#: (such as another tutorial run's containers). A name written as a prefix (an f-string's
#: "rawdock-tutorial-aio-{n}" reads as "rawdock-tutorial-aio-") covers every name it starts.
CONTAINER_NAME = re.compile(r"rawdock-tutorial-[a-z0-9][a-z0-9_.-]*-?")
#: The images the chapters build (kept between chapters; removed before and after the run).
TUTORIAL_IMAGES = (
    "rawdock-tutorial/busybox:latest",
    "127.0.0.1:5000/rawdock-tutorial/hello:latest",
)
#: Generous: chapter 9 builds, pushes and pulls; a loaded CI engine can be slow.
CHAPTER_TIMEOUT = 600


def _run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPOSITORY,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CHAPTER_TIMEOUT,
    )


def _names_in(chapters: list[Path]) -> set[str]:
    """The container names these chapters use."""
    return {name for path in chapters for name in CONTAINER_NAME.findall(path.read_text())}


def _containers_named(client: rawdock.Client, names: set[str]) -> list[dict[str, Any]]:
    """The labelled containers whose name is in `names` (or starts with one ending in "-")."""

    def wanted(container: dict[str, Any]) -> bool:
        name = container["Names"][0].lstrip("/")
        return any(name == n or (n.endswith("-") and name.startswith(n)) for n in names)

    return [c for c in client.containers(all=True, filters=TUTORIAL_FILTER) if wanted(c)]


def _remove_tutorial_objects() -> None:
    """Remove what the chapters leave (the images) or what an interrupted run left behind."""
    with rawdock.Client(timeout=60) as client:
        for container in _containers_named(client, _names_in(CHAPTERS)):
            try:
                client.remove_container(container["Id"], force=True)
            except (rawdock.NotFound, rawdock.Conflict):
                pass  # gone already, or being removed ("removal ... already in progress")
        for image in TUTORIAL_IMAGES:
            try:
                client.remove_image(image, force=True)
            except rawdock.NotFound:
                pass


@pytest.fixture(scope="module")
def tutorial_engine(engine: None) -> Iterator[None]:
    """The engine, with no tutorial objects before the chapters run and none after."""
    _remove_tutorial_objects()
    yield
    _remove_tutorial_objects()


def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tutorial_run", TUTORIAL / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while building classes
    spec.loader.exec_module(module)
    return module


# --- Without an engine ------------------------------------------------------------------------


def test_the_ten_chapters_are_there_in_order() -> None:
    numbers = [int(path.name[:2]) for path in CHAPTERS]
    assert numbers[:10] == list(range(1, 11)), [path.name for path in CHAPTERS]
    assert len(set(numbers)) == len(numbers), "two chapters share a number"


def test_doctest_command_fails_on_a_wrong_output(tmp_path: Path) -> None:
    # The engine tests rely on the exit status: make sure a mismatch really is a failure.
    chapter = tmp_path / "99-broken.md"
    chapter.write_text("```python\n>>> 1 + 1\n3\n\n```\n", encoding="utf-8")
    result = _run([*DOCTEST, str(chapter)])
    assert result.returncode != 0
    assert "Expected:" in result.stdout and "3" in result.stdout


def test_runner_lists_every_chapter() -> None:
    result = _run(["tutorial/run.py", "--list"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(CHAPTERS)
    for line, path in zip(lines, CHAPTERS, strict=True):
        assert line.startswith(path.name[:2]) and path.name in line
    assert "Bytes on a Unix socket" in result.stdout


def test_runner_cells_hold_every_example_of_the_chapter() -> None:
    import doctest

    runner = _load_runner()
    for path in CHAPTERS:
        text = path.read_text(encoding="utf-8")
        examples = doctest.DocTestParser().get_examples(text)
        cells = runner.cells(path)
        assert [e.source for cell in cells for e in cell.examples] == [e.source for e in examples]
        assert all(cell.examples for cell in cells)


def test_runner_refuses_an_unknown_chapter() -> None:
    result = _run(["tutorial/run.py", "77"])
    assert result.returncode != 0
    assert "no chapter '77'" in result.stderr


# --- Against the engine -----------------------------------------------------------------------


@pytest.mark.engine
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_chapter_passes_as_doctest(tutorial_engine: None, chapter: Path) -> None:
    result = _run([*DOCTEST, str(chapter.relative_to(REPOSITORY))])
    assert result.returncode == 0, (
        f"{chapter.name} failed as a doctest:\n{result.stdout}\n{result.stderr}"
    )
    # Each chapter removes the containers it created.
    with rawdock.Client(timeout=60) as client:
        left = _containers_named(client, _names_in([chapter]))
    assert [c["Names"] for c in left] == [], f"{chapter.name} left containers behind"


@pytest.mark.engine
def test_runner_steps_through_a_chapter_with_real_output(tutorial_engine: None) -> None:
    result = _run(["tutorial/run.py", "2"], stdin="\n" * 100)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # The cells, as written in the chapter...
    assert '>>> sock.connect("/var/run/docker.sock")' in out
    assert ">>> response = sock.recv(65536)" in out
    # ...and the daemon's real answers, including values the chapter elides with "...".
    assert "b'HTTP/1.1 200 OK'" in out
    assert "b'Server: Docker/" in out
    assert "TimeoutError: timed out" in out  # the cell that shows the connection stays open
    assert out.index("--- cell 1/") < out.index("--- output 1/") < out.index("--- cell 2/")
    assert "End of chapter 02." in out


@pytest.mark.engine
def test_runner_stops_when_asked(tutorial_engine: None) -> None:
    result = _run(["tutorial/run.py", "01"], stdin="q\n")
    assert result.returncode == 0, result.stderr
    assert ">>> SOCKET = " in result.stdout
    assert "--- output" not in result.stdout
    assert "End of chapter" not in result.stdout
