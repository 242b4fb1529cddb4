"""The tutorial: every chapter passes as a doctest against the real engine, and the step-by-step
runner (tutorial/run.py) shows the cells of a chapter and their real output.

Each chapter runs in a subprocess, from the repository root, with exactly the command a reader
uses:  python -m doctest -o ELLIPSIS -o NORMALIZE_WHITESPACE tutorial/NN-slug.md
Chapters are found by pattern, so a new chapter is tested without touching this file. The
exercises' solutions are doctest examples too (inside <details>), so they run with the chapter.

Each run of a chapter gets its own RAWDOCK_TUTORIAL_RUN, which the chapters put in every
container name ("rawdock-tutorial-{RUN}-..."): two runs at once never meet, and the test knows
exactly which containers are this run's, to check that the chapter removed them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
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
#: The image the chapters share (built by the first that needs it). Other runs may be using it
#: right now, so it is removed only when no tutorial container is left that could need it.
TUTORIAL_IMAGE = "rawdock-tutorial/busybox:latest"
#: Generous: chapter 9 builds, pushes and pulls; a loaded CI engine can be slow.
CHAPTER_TIMEOUT = 600


def new_run() -> str:
    """A RAWDOCK_TUTORIAL_RUN: letters and digits, as a container name allows."""
    return "t" + secrets.token_hex(4)


def _run(
    args: list[str], stdin: str | None = None, run: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RAWDOCK_TUTORIAL_RUN=run or new_run())
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPOSITORY,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CHAPTER_TIMEOUT,
        env=env,
    )


def containers_of(client: rawdock.Client, run: str) -> list[dict[str, Any]]:
    """The tutorial's containers named for `run`."""
    prefix = f"/rawdock-tutorial-{run}-"
    labelled = client.containers(all=True, filters=TUTORIAL_FILTER)
    return [c for c in labelled if c["Names"][0].startswith(prefix)]


def remove_run(run: str) -> list[list[str]]:
    """Remove what a chapter run left behind; return the names of what was there."""
    with rawdock.Client(timeout=60) as client:
        left = containers_of(client, run)
        for container in left:
            try:
                client.remove_container(container["Id"], force=True)
            except (rawdock.NotFound, rawdock.Conflict):
                pass  # gone already, or being removed ("removal ... already in progress")
    return [c["Names"] for c in left]


def remove_shared_image() -> None:
    """Remove the chapters' image unless a tutorial container (of any run) still exists."""
    with rawdock.Client(timeout=60) as client:
        if client.containers(all=True, filters=TUTORIAL_FILTER):
            return
        try:
            client.remove_image(TUTORIAL_IMAGE)
        except (rawdock.NotFound, rawdock.Conflict):
            pass  # gone, or just taken by a run that started meanwhile


@pytest.fixture(scope="module")
def tutorial_engine(engine: None) -> Iterator[None]:
    """The engine; the chapters' shared image is removed at the end when nothing needs it."""
    yield
    remove_shared_image()



def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tutorial_run", TUTORIAL / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while building classes
    spec.loader.exec_module(module)
    return module


# --- Without an engine ------------------------------------------------------------------------


def test_chapters_are_numbered_without_duplicates() -> None:
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
    run = new_run()
    try:
        result = _run([*DOCTEST, str(chapter.relative_to(REPOSITORY))], run=run)
    finally:
        left = remove_run(run)
    assert result.returncode == 0, (
        f"{chapter.name} failed as a doctest:\n{result.stdout}\n{result.stderr}"
    )
    assert left == [], f"{chapter.name} left containers behind"


@pytest.mark.engine
def test_two_runs_of_a_chapter_at_once_do_not_collide(tutorial_engine: None) -> None:
    # Chapter 8 creates a container, then creates it again to get a 409: with a fixed name, a
    # second run at the same time would get its 409 (or its 404) at the wrong moment.
    [chapter] = [path for path in CHAPTERS if path.name.startswith("08-")]
    runs = [new_run(), new_run()]
    processes = [
        subprocess.Popen(
            [sys.executable, *DOCTEST, str(chapter.relative_to(REPOSITORY))],
            cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, RAWDOCK_TUTORIAL_RUN=run),
        )
        for run in runs
    ]
    try:
        outputs = [process.communicate(timeout=CHAPTER_TIMEOUT)[0] for process in processes]
    finally:
        left = [remove_run(run) for run in runs]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert left == [[], []]


def test_every_chapter_ends_with_exercises_and_solutions() -> None:
    for path in CHAPTERS:
        text = path.read_text(encoding="utf-8")
        exercises = text.find("## Exercises")
        assert exercises > 0, f"{path.name} has no exercises"
        solutions = text[exercises:]
        assert "<details>" in solutions and "</details>" in solutions, path.name
        # The solutions are code the doctest runs, not prose only.
        assert ">>> " in solutions.split("<details>", 1)[1], path.name


def test_pictures_are_what_the_script_draws() -> None:
    spec = importlib.util.spec_from_file_location("draw", TUTORIAL / "pictures" / "draw.py")
    assert spec and spec.loader
    draw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(draw)
    for name, picture in draw.PICTURES.items():
        on_disk = (TUTORIAL / "pictures" / name).read_text(encoding="utf-8")
        assert on_disk == picture(), f"{name} is stale: python tutorial/pictures/draw.py"
    referenced = set(re.findall(r"\(pictures/([\w.-]+\.svg)\)", "".join(
        path.read_text(encoding="utf-8") for path in CHAPTERS)))
    assert referenced <= set(draw.PICTURES), referenced - set(draw.PICTURES)


def test_links_between_chapters_lead_somewhere() -> None:
    for path in [*CHAPTERS, TUTORIAL / "README.md"]:
        for target in re.findall(r"\]\((?!https?:|#|mailto:)([^)\s#]+)", path.read_text("utf-8")):
            assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


def test_curl_commands_in_the_docs_send_their_version() -> None:
    # "http:/v1.27/..." makes curl take "v1.27" for the host: the version is never sent.
    docs = [*CHAPTERS, REPOSITORY / "README.md", TUTORIAL / "README.md"]
    docs += sorted((REPOSITORY / "docs").glob("*.md"))
    for path in docs:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith(("curl ", "| `docker")) and "--unix-socket" in line:
                assert " http:/v" not in line and "'http:/v" not in line, (path.name, line)


@pytest.mark.engine
def test_runner_steps_through_a_chapter_with_real_output(tutorial_engine: None) -> None:
    result = _run(["tutorial/run.py", "2"], stdin="\n" * 100)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # The cells, as written in the chapter...
    assert ">>> sock.connect(SOCKET)" in out
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
