"""Write each tutorial chapter as a Jupyter notebook, with the standard library only.

    python tutorial/notebooks.py            # (re)write tutorial/notebooks/NN-slug.ipynb
    python tutorial/notebooks.py --check    # exit 1, naming them, if any is out of date

The Markdown chapters are the source; the notebooks are made from them, never edited by hand.
Every chapter file (`NN-slug.md`) gets one, so a new chapter needs no registration: run the
command above after writing it. tests/test_notebooks.py fails when a notebook is out of date.

How a chapter becomes a notebook (nbformat 4):
- prose becomes Markdown cells; links to files of the tutorial point one directory up;
- each ```python block of `>>>` examples becomes code cells, without the prompts. A cell ends
  after an example that shows output, because a notebook shows only a cell's last value;
- the output under each example becomes that cell's output, as the chapter shows it (`...`
  marks what differs between runs and daemons);
- an example that raises ends its cell, tagged `raises-exception`, so that a notebook run goes
  on past it as the doctest does;
- `asyncio.run(main())` becomes `await main()`: Jupyter's event loop is already running, and
  there `asyncio.run()` refuses to start another;
- the code inside `<details>` (the exercises' solutions) is folded.
"""

from __future__ import annotations

import ast
import doctest
import json
import re
import sys
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parent
NOTEBOOKS = TUTORIAL / "notebooks"
CHAPTER_GLOB = "[0-9][0-9]-*.md"
COMMAND = "python tutorial/notebooks.py"

_FENCE = re.compile(r"^```python\n(.*?)^```[ \t]*\n", re.MULTILINE | re.DOTALL)
_RELATIVE_LINK = re.compile(r"\]\((?!https?:|#|/|mailto:)([^)\s]+)\)")
_DETAILS_OPEN = re.compile(r"^<details>\s*(?:<summary>(.*?)</summary>)?\s*$", re.MULTILINE)
_DETAILS_CLOSE = re.compile(r"^</details>\s*$", re.MULTILINE)


def chapters() -> list[Path]:
    return sorted(TUTORIAL.glob(CHAPTER_GLOB))


def notebook_path(chapter: Path) -> Path:
    return NOTEBOOKS / f"{chapter.stem}.ipynb"


def _lines(text: str) -> list[str]:
    """Text as Jupyter stores it: a list of lines, each keeping its newline."""
    return text.splitlines(keepends=True)


def _awaited(source: str) -> str:
    """`asyncio.run(X)` -> `await X`, for a kernel whose event loop is already running."""
    out, start = [], 0
    while (found := source.find("asyncio.run(", start)) >= 0:
        opening = found + len("asyncio.run")
        depth, closing = 0, opening
        for closing in range(opening, len(source)):  # the parenthesis that closes the call
            depth += {"(": 1, ")": -1}.get(source[closing], 0)
            if depth == 0:
                break
        out += [source[start:found], "await ", source[opening + 1 : closing]]
        start = closing + 1
    return "".join(out) + source[start:]


def _is_shown_value(source: str) -> bool:
    """True when the example ends in an expression whose value the REPL shows (not a print)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:  # top-level await: the expression form of our rewrite
        return source.lstrip().startswith("await ")
    if not body or not isinstance(body[-1], ast.Expr):
        return False
    value = body[-1].value
    is_print = (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "print"
    )
    return not is_print


def _output(example: doctest.Example, source: str) -> dict[str, object] | None:
    if example.exc_msg is not None:
        name, _, value = example.exc_msg.strip().partition(":")
        return {
            "output_type": "error",
            "ename": name.strip(),
            "evalue": value.strip(),
            "traceback": ["Traceback (most recent call last):", "...", example.exc_msg.strip()],
        }
    want = example.want.replace("<BLANKLINE>", "")
    if not want:
        return None
    if _is_shown_value(source):
        return {
            "output_type": "execute_result",
            "execution_count": None,
            "data": {"text/plain": _lines(want.rstrip("\n"))},
            "metadata": {},
        }
    return {"output_type": "stream", "name": "stdout", "text": _lines(want)}


class _Builder:
    def __init__(self) -> None:
        self.cells: list[dict[str, object]] = []
        self.folded = False  # inside <details>: code cells are folded

    def markdown(self, text: str) -> None:
        text = _RELATIVE_LINK.sub(r"](../\1)", text)
        text = _DETAILS_OPEN.sub(
            lambda m: f"**{m.group(1) or 'Details'}** (folded below: open the cells to see)",
            text,
        )
        text = _DETAILS_CLOSE.sub("", text).strip("\n")
        if text.strip():
            self.cells.append({"cell_type": "markdown", "metadata": {}, "source": _lines(text)})

    def code(self, sources: list[str], output: dict[str, object] | None) -> None:
        metadata: dict[str, object] = {}
        if output is not None and output["output_type"] == "error":
            metadata["tags"] = ["raises-exception"]
        if self.folded:
            metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
        self.cells.append({
            "cell_type": "code",
            "execution_count": None,
            "metadata": metadata,
            "outputs": [output] if output is not None else [],
            "source": _lines("\n".join(source.rstrip("\n") for source in sources)),
        })

    def python_block(self, block: str, name: str) -> None:
        pending: list[str] = []
        for example in doctest.DocTestParser().get_examples(block, name):
            source = example.source
            if "asyncio.run(" in source:
                source = _awaited(source)
            pending.append(source)
            output = _output(example, source)
            if output is not None:
                self.code(pending, output)
                pending = []
        if pending:
            self.code(pending, None)


def notebook(chapter: Path) -> str:
    """The notebook of `chapter`, as the text of its .ipynb file."""
    text = chapter.read_text(encoding="utf-8")
    builder = _Builder()
    builder.markdown(
        f"*Made from [{chapter.name}]({chapter.name}) by `{COMMAND}`; edit the chapter, not this "
        "notebook. The outputs are the chapter's: `...` stands for what differs between runs "
        "and daemons. Chapters 5 and later import rawdock: `pip install -e .` in the "
        "repository first.*"
    )
    position = 0
    for fence in _FENCE.finditer(text):
        before = text[position : fence.start()]
        for part in re.split(r"(^</?details>.*$)", before, flags=re.MULTILINE):
            builder.markdown(part)
            if _DETAILS_OPEN.fullmatch(part.strip() or "-"):
                builder.folded = True
            elif _DETAILS_CLOSE.fullmatch(part.strip() or "-"):
                builder.folded = False
        if ">>> " in fence.group(1):
            builder.python_block(fence.group(1), chapter.name)
        else:
            builder.markdown(fence.group(0))
        position = fence.end()
    builder.markdown(text[position:])
    for number, cell in enumerate(builder.cells):
        cell["id"] = f"cell-{number}"
    document = {
        "cells": builder.cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def stale() -> list[str]:
    """What `write()` would change: notebooks missing, different, or without a chapter."""
    wanted = {notebook_path(chapter).name: chapter for chapter in chapters()}
    problems = [
        f"{name} (from {chapter.name})"
        for name, chapter in wanted.items()
        if not (NOTEBOOKS / name).exists()
        or (NOTEBOOKS / name).read_text(encoding="utf-8") != notebook(chapter)
    ]
    problems += [
        f"{path.name} (no chapter)"
        for path in sorted(NOTEBOOKS.glob("*.ipynb"))
        if path.name not in wanted
    ]
    return problems


def write() -> None:
    NOTEBOOKS.mkdir(exist_ok=True)
    wanted = set()
    for chapter in chapters():
        path = notebook_path(chapter)
        wanted.add(path.name)
        path.write_text(notebook(chapter), encoding="utf-8")
    for path in NOTEBOOKS.glob("*.ipynb"):
        if path.name not in wanted:
            path.unlink()
    print(f"wrote {len(wanted)} notebooks in tutorial/notebooks/")


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        problems = stale()
        for problem in problems:
            print(f"out of date: tutorial/notebooks/{problem}", file=sys.stderr)
        if problems:
            print(f"run: {COMMAND}", file=sys.stderr)
        return 1 if problems else 0
    if argv:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
