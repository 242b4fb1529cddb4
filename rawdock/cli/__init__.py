"""`rawdock`: a docker-like command line on rawdock's client.

    rawdock ps -a                          # GET /containers/json?all=1, as a table
    rawdock run --rm busybox echo hi       # create, start, logs follow, wait, rm
    rawdock --trace version                # every byte of each request and response on stderr
    rawdock --curl run -d -p 80:80 nginx   # the curl commands, nothing sent

`main(argv)` parses the arguments, builds a client (or a `CurlClient` under --curl) and runs the
verb from `rawdock.cli.commands`; this module turns whatever goes wrong into one line on stderr
and an exit status like docker's. Nothing here is imported by `import rawdock`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import __version__
from ..client import Client
from ..errors import DaemonUnreachable, DockerError, ProtocolError, RawdockError
from . import commands, swarm
from .context import CommandError, Context, daemon_error
from .options import UsageError
from .trace import DEFAULT_CURL_API_VERSION, CurlClient, TraceFormatter

if TYPE_CHECKING:
    from typing import NoReturn

__all__ = ["main", "build_parser", "EXIT_USAGE", "EXIT_INTERRUPTED"]

#: docker's status for a command line it cannot parse.
EXIT_USAGE = 125
#: 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
EXIT_INTERRUPTED = 130
_API_VERSION = re.compile(r"[0-9]+\.[0-9]+")


class _Parser(argparse.ArgumentParser):
    """argparse, exiting with docker's status for usage errors (125) instead of 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rawdock",
        description="A docker-like command line for the Docker Engine API, on rawdock.",
    )
    parser.add_argument(
        "-H",
        "--host",
        help="daemon socket to connect to: unix:///path or tcp://host:port "
        "(default: DOCKER_HOST, else unix:///var/run/docker.sock)",
    )
    parser.add_argument(
        "--api-version",
        help="API version to use, e.g. 1.41 (default: DOCKER_API_VERSION, else negotiated; "
        f"--curl uses {DEFAULT_CURL_API_VERSION})",
    )
    parser.add_argument(
        "--trace", action="store_true", help="print every request and response to stderr"
    )
    parser.add_argument(
        "--curl", action="store_true", help="print the equivalent curl commands; send nothing"
    )
    parser.add_argument("-D", "--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("-v", "--version", action="version", version=f"rawdock {__version__}")
    verbs = parser.add_subparsers(title="commands", metavar="COMMAND")
    commands.register(verbs)
    swarm.register(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `rawdock ARGV`; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "verb"):
        parser.print_help()
        return 0
    try:
        return _run(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`rawdock logs x | head`): stop quietly, and keep Python from
        # complaining when it flushes stdout at exit.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- lives until exit
        return 1
    except (RawdockError, CommandError, UsageError, ValueError) as exc:
        if args.debug:
            traceback.print_exc()
        message, status = _describe(exc, args)
        sys.stderr.write(message + "\n")
        return status
    except Exception:
        if args.debug:
            raise
        exc_type, exc_value = sys.exc_info()[:2]
        sys.stderr.write(
            f"rawdock: unexpected error: {exc_type.__name__ if exc_type else ''}: {exc_value} "
            f"(run with --debug for the traceback)\n"
        )
        return 1


def _run(args: argparse.Namespace) -> int:
    version = args.api_version or os.environ.get("DOCKER_API_VERSION") or None
    if version is not None and not _API_VERSION.fullmatch(version):
        raise UsageError(f"invalid API version {version!r}: expected MAJOR.MINOR, e.g. 1.41")
    terminal = sys.stdout.isatty()
    if args.curl:
        out, out_bytes = Context.sink()
        _, err_bytes = Context.sink()
        client: Client | CurlClient = CurlClient(
            args.host, version or DEFAULT_CURL_API_VERSION, sys.stdout
        )
        context = Context(client, out, out, out_bytes, err_bytes, curl=True)
    else:
        trace = TraceFormatter(sys.stderr) if args.trace else None
        client = Client(args.host, version, trace=trace)
        context = Context(
            client,
            sys.stdout,
            sys.stderr,
            sys.stdout.buffer,
            sys.stderr.buffer,
            is_terminal=terminal,
            stderr_is_terminal=sys.stderr.isatty(),
        )
    try:
        status: int = args.verb(context, args)
        return status
    finally:
        client.close()


def _describe(exc: BaseException, args: argparse.Namespace) -> tuple[str, int]:
    """One line saying what went wrong (and how to fix it, when we know), and the status."""
    if isinstance(exc, CommandError):
        return str(exc), exc.status
    if isinstance(exc, DockerError):
        return daemon_error(exc), 1
    if isinstance(exc, DaemonUnreachable):
        message = str(exc)
        if not args.host and os.environ.get("DOCKER_HOST"):
            message += (
                f" (the host comes from DOCKER_HOST={os.environ['DOCKER_HOST']}: fix or unset it)"
            )
        return message, 1
    if isinstance(exc, ProtocolError):
        return f"rawdock: the daemon's answer is not valid HTTP: {exc}", 1
    if isinstance(exc, RawdockError):
        return str(exc), 1
    return f"rawdock: {exc}", EXIT_USAGE
