"""Every flag the docker CLI 28 has on a verb rawdock has is either taken by rawdock or named,
with its reason, in docs/cli.md's row for that verb: the table there stays true as either side
changes. docker's flags are read from `docker VERB --help`; rawdock's from the verb's parser.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import subprocess
from pathlib import Path

import pytest

from rawdock.cli.flags import VerbParser
from rawdock.cli.verbs import VERBS

DOCKER = "/usr/local/bin/docker"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
pytestmark = pytest.mark.skipif(
    not os.access(DOCKER, os.X_OK), reason=f"no docker CLI at {DOCKER} to compare with"
)
# "  -a, --all     Show all" or "      --format string  ..." in docker's "Options:" block.
_OPTION = re.compile(r"^\s+(?:-\w, )?\s*--(?P<name>[\w-]+)")


def docker_flags(words: str) -> set[str]:
    """The long names of the flags `docker WORDS --help` lists (without --help)."""
    text = subprocess.run(
        [DOCKER, *words.split(), "--help"], capture_output=True, text=True, timeout=30
    ).stdout
    options = text.partition("\nOptions:\n")[2]
    names = set()
    for line in options.splitlines():
        if line and not line.startswith(" "):
            break
        match = _OPTION.match(line)
        if match:
            names.add(match.group("name"))
    return names - {"help"}


def rawdock_flags(words: str) -> set[str]:
    module_name, function, summary = VERBS[words]
    parser = VerbParser(f"rawdock {words}", summary)
    getattr(importlib.import_module(f"rawdock.cli.{module_name}"), f"{function}_flags")(parser)
    return {
        option[2:]
        for action in parser._actions
        if action.help != argparse.SUPPRESS
        for option in action.option_strings
        if option.startswith("--")
    }


def docs_rows(words: str) -> str:
    """The rows of docs/cli.md's verb table that name this verb, or another name of it (the
    management forms run the same function: `container ls` is `ps`)."""
    names = {key for key, value in VERBS.items() if value[:2] == VERBS[words][:2]}
    rows = [line for line in DOCS.read_text().splitlines() if line.startswith("| `")]
    return "\n".join(
        row for row in rows if any(f"`{name}`" in row.split(" | ")[0] for name in names)
    )


@pytest.mark.parametrize("words", sorted(VERBS))
def test_every_docker_flag_is_taken_or_documented(words: str) -> None:
    missing = docker_flags(words) - rawdock_flags(words)
    rows = docs_rows(words)
    assert rows, f"docs/cli.md has no row for `{words}`"
    # Named as `--name`, or as `-n/--name`.
    undocumented = sorted(n for n in missing if not re.search(rf"[`/]--{re.escape(n)}`", rows))
    assert not undocumented, f"rawdock {words}: docker's flags neither taken nor in docs/cli.md"
