"""Step through a tutorial chapter against your own Docker daemon, one cell at a time.

    python tutorial/run.py --list        # the chapters
    python tutorial/run.py 2             # chapter 2: show a cell, Enter runs it, next...

The cells come from the chapter's Markdown itself, read with doctest's parser (the same parser
that checks the chapters in CI), so what you run is exactly what you read. Each cell shows the
prose before it, then its code; Enter runs it and prints the real output from your daemon.
Type q (then Enter) to stop; the chapter's cleanup is then yours (run the chapter again: each
one removes what an earlier, interrupted run left behind).
"""

from __future__ import annotations

import argparse
import builtins
import doctest
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parent
REPOSITORY = TUTORIAL.parent
CHAPTER_GLOB = "[0-9][0-9]-*.md"


@dataclass
class Cell:
    """A run of consecutive examples (one code block), with the prose that precedes it."""

    prose: str
    examples: list[doctest.Example] = field(default_factory=list)


def chapters() -> list[Path]:
    """Every chapter file, in order. Found by pattern: new chapters need no registration."""
    return sorted(TUTORIAL.glob(CHAPTER_GLOB))


def title(path: Path) -> str:
    """The chapter's heading, without its number ("# 2. Bytes..." -> "Bytes...")."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            heading = line[2:].strip()
            number, dot, rest = heading.partition(". ")
            return rest if dot and number.isdigit() else heading
    return path.stem


def find_chapter(wanted: str) -> Path:
    """The chapter numbered `wanted` ("2", "02") or whose file name starts with it."""
    for path in chapters():
        number = path.name[:2]
        if wanted.isdigit() and int(wanted) == int(number):
            return path
        if path.name.startswith(wanted):
            return path
    raise SystemExit(f"no chapter {wanted!r}; see: python tutorial/run.py --list")


def cells(path: Path) -> list[Cell]:
    """Split a chapter into cells with doctest's own parser."""
    parts = doctest.DocTestParser().parse(path.read_text(encoding="utf-8"), path.name)
    result: list[Cell] = []
    prose: list[str] = []
    current: Cell | None = None
    for part in parts:
        if isinstance(part, doctest.Example):
            if current is None:
                current = Cell(_clean(prose))
                result.append(current)
                prose = []
            current.examples.append(part)
        elif part.strip():  # text between examples ends the cell
            current = None
            prose.append(part)
    return result


def _clean(prose: list[str]) -> str:
    """The prose as a reader wants it in a terminal: no code-fence markers, and the HTML that
    folds the exercises' solutions on GitHub shown as a plain heading."""
    lines = "".join(prose).splitlines()
    lines = ["Solutions:" if line.startswith("<details>") else line for line in lines]
    kept = [line for line in lines if not line.startswith(("```", "</details>"))]
    return "\n".join(kept).strip()


def source_lines(example: doctest.Example) -> str:
    lines = example.source.rstrip("\n").split("\n")
    return "\n".join(("... " if i else ">>> ") + line for i, line in enumerate(lines))


def run_example(example: doctest.Example, namespace: dict[str, object], name: str) -> None:
    """Run one example as the interactive interpreter would: expression values are printed,
    and an exception is shown (not raised) so that the chapter can go on."""
    try:
        code = compile(example.source, name, "single")
        exec(code, namespace)
    except Exception as exc:  # the reader's daemon may say no: show it, as the REPL does
        print("Traceback (most recent call last):\n  ...")
        print("".join(traceback.format_exception_only(type(exc), exc)), end="")
    sys.stdout.flush()


def step_through(path: Path) -> int:
    print(f"Chapter {path.name[:2]}: {title(path)}")
    print("Each cell: read it, press Enter to run it against your daemon; q + Enter stops.\n")
    namespace: dict[str, object] = {"__name__": "__main__", "__builtins__": builtins}
    all_cells = cells(path)
    for number, cell in enumerate(all_cells, 1):
        if cell.prose:
            print(cell.prose, end="\n\n")
        print(f"--- cell {number}/{len(all_cells)} ---")
        print("\n".join(source_lines(example) for example in cell.examples))
        try:
            answer = input("[Enter: run, q: quit] ")
        except EOFError:
            print()
            return 0
        if not sys.stdin.isatty():
            print()  # piped input is not echoed: end the prompt's line ourselves
        if answer.strip().lower() in ("q", "quit"):
            return 0
        print(f"--- output {number}/{len(all_cells)} ---")
        for example in cell.examples:
            # Label each output with its line, as the chapter does; lines that print nothing
            # in the chapter are run quietly.
            if len(cell.examples) > 1 and (example.want or example.exc_msg):
                print(source_lines(example))
            run_example(example, namespace, f"<{path.name} cell {number}>")
        print()
    print(f"End of chapter {path.name[:2]}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("chapter", nargs="?", help="chapter number (e.g. 2) or file name")
    parser.add_argument("--list", action="store_true", help="list the chapters")
    args = parser.parse_args(argv)
    if args.list or not args.chapter:
        for path in chapters():
            print(f"{path.name[:2]}  {title(path)}  ({path.name})")
        return 0
    # The later chapters import rawdock: use the one in this repository.
    sys.path.insert(0, str(REPOSITORY))
    return step_through(find_chapter(args.chapter))


if __name__ == "__main__":
    sys.exit(main())
