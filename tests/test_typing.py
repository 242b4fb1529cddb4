"""A user's program type-checks against rawdock's public types (`mypy --strict`), sync and
asyncio: streams are `Stream` / `AsyncStream`, with `with` and `close()`, not bare iterators."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROGRAM = Path(__file__).parent / "typed" / "user_program.py"


def test_a_users_program_passes_mypy_strict(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), str(PROGRAM)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
