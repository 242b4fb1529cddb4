"""What every verb gets: the client, where output goes, and the errors a verb may raise."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import DockerError

if TYPE_CHECKING:
    from typing import BinaryIO, TextIO

    from ..client import Client
    from .trace import CurlClient

__all__ = ["Context", "CommandError", "daemon_error", "confirm", "print_pruned"]

#: The width assumed when the output is no terminal (shutil.get_terminal_size's fallback).
DEFAULT_TERMINAL_WIDTH = 80


class CommandError(Exception):
    """A failure a verb reports as one line with its own exit status (e.g. 125 from `run`)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


# Compiled by re when an error needs them, not at every start.
_VERSION_RANGE = r"client version \S+ is too (new|old)\. (Maximum|Minimum) supported"
_SUPPORTED = r"supported API version is (\d+\.\d+)"


def daemon_error(exc: DockerError) -> str:
    """The daemon's message as the docker CLI shows it, with the fix when there is one."""
    message = f"Error response from daemon: {exc.message}"
    if re.search(_VERSION_RANGE, exc.message):
        supported = re.search(_SUPPORTED, exc.message)
        pin = f"--api-version {supported.group(1)}" if supported else "another --api-version"
        message += f" (use {pin}, or leave --api-version and DOCKER_API_VERSION unset to negotiate)"
    return message


class Context:
    """The client a verb runs on and where its output goes. `out` takes formatted text and
    `out_bytes`/`err_bytes` a container's output byte for byte; under --curl both are sinks, so
    only the curl commands reach the terminal. (A plain class: dataclasses would import
    inspect and ast, a few milliseconds on every command.)"""

    def __init__(
        self,
        client: Client | CurlClient,
        out: TextIO,
        err: TextIO,
        out_bytes: BinaryIO,
        err_bytes: BinaryIO,
        curl: bool = False,
        is_terminal: bool = False,
        stderr_is_terminal: bool = False,
    ) -> None:
        self.client = client
        self.out = out
        self.err = err
        self.out_bytes = out_bytes
        self.err_bytes = err_bytes
        self.curl = curl
        self.is_terminal = is_terminal
        self.stderr_is_terminal = stderr_is_terminal

    @property
    def terminal_width(self) -> int:
        """Columns of the terminal: COLUMNS, else the terminal's, else 80 (as
        shutil.get_terminal_size decides, without importing shutil)."""
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        for stream in (self.out, self.err):
            try:
                return os.get_terminal_size(stream.fileno()).columns or DEFAULT_TERMINAL_WIDTH
            except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
                continue
        return DEFAULT_TERMINAL_WIDTH

    def print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def print_lines(self, lines: Iterable[str]) -> None:
        """Each line, then a newline (nothing at all for no lines)."""
        for line in lines:
            self.out.write(line + "\n")
        self.out.flush()

    @staticmethod
    def sink() -> tuple[TextIO, BinaryIO]:
        """Where output goes when it must not be shown (--curl)."""
        return io.StringIO(), io.BytesIO()


def confirm(ctx: Context, warning: str) -> bool:
    """docker's question before a prune: the warning, then "[y/N]", answered on stdin."""
    import sys

    ctx.out.write(f"{warning}\nAre you sure you want to continue? [y/N] ")
    ctx.out.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def print_pruned(ctx: Context, title: str, deleted: list[str] | None) -> None:
    """A prune's list as docker prints it: a title, the names, a blank line; nothing if none."""
    if deleted:
        ctx.print_lines([title, *deleted, ""])
