"""What every verb gets: the client, where output goes, and the errors a verb may raise."""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..client import Client
from ..errors import DockerError
from .trace import CurlClient

if TYPE_CHECKING:
    from typing import BinaryIO, TextIO

__all__ = ["Context", "CommandError", "daemon_error"]


class CommandError(Exception):
    """A failure a verb reports as one line with its own exit status (e.g. 125 from `run`)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


_VERSION_RANGE = re.compile(r"client version \S+ is too (new|old)\. (Maximum|Minimum) supported")
_SUPPORTED = re.compile(r"supported API version is (\d+\.\d+)")


def daemon_error(exc: DockerError) -> str:
    """The daemon's message as the docker CLI shows it, with the fix when there is one."""
    message = f"Error response from daemon: {exc.message}"
    if _VERSION_RANGE.search(exc.message):
        supported = _SUPPORTED.search(exc.message)
        pin = f"--api-version {supported.group(1)}" if supported else "another --api-version"
        message += f" (use {pin}, or leave --api-version and DOCKER_API_VERSION unset to negotiate)"
    return message


@dataclass
class Context:
    """The client a verb runs on and where its output goes. `out` takes formatted text and
    `out_bytes`/`err_bytes` a container's output byte for byte; under --curl both are sinks, so
    only the curl commands reach the terminal."""

    client: Client | CurlClient
    out: TextIO
    err: TextIO
    out_bytes: BinaryIO
    err_bytes: BinaryIO
    curl: bool = False
    is_terminal: bool = False
    stderr_is_terminal: bool = False
    terminal_width: int = field(default_factory=lambda: shutil.get_terminal_size().columns)

    def print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    @staticmethod
    def sink() -> tuple[TextIO, BinaryIO]:
        """Where output goes when it must not be shown (--curl)."""
        return io.StringIO(), io.BytesIO()
