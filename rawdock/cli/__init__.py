"""`rawdock`: a docker-like command line on rawdock's client.

    rawdock ps -a                          # GET /containers/json?all=1, as a table
    rawdock run --rm busybox echo hi       # create, start, logs follow, wait, rm
    rawdock --trace version                # every byte of each request and response on stderr
    rawdock --curl run -d -p 80:80 nginx   # the curl commands, nothing sent

`main(argv)` reads the global flags, finds the verb in `rawdock.cli.verbs.VERBS`, imports only
that verb's module and parses only its flags, builds a client (or a `CurlClient` under --curl)
and runs the verb. This module turns whatever goes wrong into docker's message on stderr and
docker's exit status. Nothing here is imported by `import rawdock`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..errors import DaemonUnreachable, DockerError, ProtocolError, RawdockError
from .context import CommandError, Context, daemon_error
from .flags import EXIT_FLAG_ERROR, VerbParser, usage_error
from .verbs import COMMON, GROUPS, LONG_RUNNING, VERBS

if TYPE_CHECKING:
    from typing import NoReturn

    from ..client import Client
    from .trace import CurlClient

__all__ = ["main", "parse_command", "Verb", "EXIT_USAGE", "EXIT_INTERRUPTED"]

#: What runs a verb: its context and its parsed flags in, the exit status out.
Verb = Callable[[Context, argparse.Namespace], int]
#: docker's status for a command line it cannot parse (a flag error).
EXIT_USAGE = EXIT_FLAG_ERROR
#: docker's status for an unknown command.
EXIT_UNKNOWN_COMMAND = 1
#: 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
EXIT_INTERRUPTED = 130
#: The usage line of `rawdock` itself.
USAGE = "rawdock [OPTIONS] COMMAND [ARG...]"
#: The API version `--curl` writes when none is given. It cannot ask the daemon (it sends
#: nothing), so it picks the version the most engines accept: 1.40 is understood by every engine
#: since 19.03 (2019) and is still accepted by the newest ones (Engine 29.3+ lowered its minimum
#: back to 1.40). 1.41 would leave out 19.03; 1.44 every engine before 25.0; and 1.24 or older
#: is refused by Engine 29.
DEFAULT_CURL_API_VERSION = "1.40"


class _GlobalParser(VerbParser):
    """The flags before the verb; the verb and its words are left in `words`."""

    def __init__(self) -> None:
        super().__init__(
            "rawdock", "A docker-like command line for the Docker Engine API.", add_help=False
        )
        self.usage = USAGE


def global_flags(parser: argparse.ArgumentParser) -> None:
    """The flags that come before the verb (`rawdock -H HOST ps`), then the verb's words."""
    parser.add_argument(
        "-H",
        "--host",
        help="daemon socket to connect to (unix:///path, tcp://host:port, ssh://host)",
    )
    parser.add_argument(
        "--api-version",
        help=f"API version, e.g. 1.41 (default: negotiated; --curl: {DEFAULT_CURL_API_VERSION})",
    )
    parser.add_argument(
        "--trace", action="store_true", help="print every request and response to stderr"
    )
    parser.add_argument(
        "--curl", action="store_true", help="print the equivalent curl commands; send nothing"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        default=os.environ.get("RAWDOCK_TIMEOUT") or 60,
        help="bound on each wait for the daemon, and on each request of a quick verb as a "
        "whole; pull, push, build, cp, run, logs, stop, prune and the like, whose run time "
        "grows with data or work, get no overall bound, as with docker "
        "(default: RAWDOCK_TIMEOUT, else 60)",
    )
    parser.add_argument("-D", "--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument(
        "-v", "--version", action="store_true", help="print version information and quit"
    )
    parser.add_argument("-h", "--help", action="store_true", help="print this help")
    parser.add_argument("words", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `rawdock ARGV`; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    debug, host = False, None
    try:
        parser = _GlobalParser()
        global_flags(parser)
        options = parser.parse_verb(argv)
        debug, host = options.debug, options.host
        if options.version:
            from .. import __version__

            sys.stdout.write(f"rawdock version {__version__}\n")
            return 0
        if options.help or not options.words or options.words[0] == "help":
            sys.stdout.write(help_text() + "\n")
            return 0
        return _run(options)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`rawdock logs x | head`): stop quietly, and keep Python from
        # complaining when it flushes stdout at exit.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- lives until exit
        return 1
    except (RawdockError, CommandError, ValueError) as exc:
        if debug:
            import traceback  # only here: its import (linecache, tokenize) costs milliseconds

            traceback.print_exc()
        message, status = _describe(exc, host)
        sys.stderr.write(message + "\n")
        return status
    except Exception:
        if debug:
            raise
        exc_type, exc_value = sys.exc_info()[:2]
        sys.stderr.write(
            f"rawdock: unexpected error: {exc_type.__name__ if exc_type else ''}: {exc_value} "
            f"(run with --debug for the traceback)\n"
        )
        return 1


def help_text() -> str:
    """`rawdock --help`: the verbs from the table, the common ones first, then the groups."""
    from .. import __version__

    def listing(words: Sequence[str]) -> list[str]:
        return [
            f"  {word:<11} {VERBS[word][2] if word in VERBS else GROUPS[word]}" for word in words
        ]

    others = sorted(word for word in VERBS if " " not in word and word not in COMMON)
    parser = _GlobalParser()
    global_flags(parser)
    return "\n".join(
        [
            f"Usage:  {USAGE}",
            "",
            f"A docker-like command line for the Docker Engine API (rawdock {__version__}).",
            "",
            "Common Commands:",
            *listing(COMMON),
            "",
            "Management Commands:",
            *listing(sorted(GROUPS)),
            "",
            "Commands:",
            *listing(others),
            "",
            "Global Options:",
            *parser.option_lines(),
            "",
            "Run 'rawdock COMMAND --help' for more information on a command.",
        ]
    )


def group_help(group: str) -> str:
    """`rawdock container`: the verbs of one group, as docker lists them."""
    verbs: dict[tuple[str, str], str] = {}  # the first word for each verb: aliases are not listed
    for words, (module, function, _) in VERBS.items():
        if words.startswith(group + " "):
            verbs.setdefault((module, function), words)
    lines = [f"Usage:  rawdock {group} COMMAND", "", GROUPS[group], "", "Commands:"]
    for words in sorted(verbs.values()):
        lines.append(f"  {words.partition(' ')[2]:<11} {VERBS[words][2]}")
    lines += ["", f"Run 'rawdock {group} COMMAND --help' for more information on a command."]
    return "\n".join(lines)


def _unknown(words: str, usage: str | None = None) -> NoReturn:
    message = f"rawdock: unknown command: rawdock {words}"
    if usage is None:
        raise CommandError(
            f"{message}\n\nRun 'rawdock --help' for more information", EXIT_UNKNOWN_COMMAND
        )
    group = words.partition(" ")[0]
    raise CommandError(usage_error(message, usage, f"rawdock {group}"), EXIT_UNKNOWN_COMMAND)


def parse_command(words: Sequence[str]) -> tuple[Verb, argparse.Namespace]:
    """The function that runs `rawdock WORDS...` and its parsed flags. Imports only that verb's
    module and builds only its parser; raises CommandError (docker's message and status) for an
    unknown verb or a bad command line. The parsed flags hold `long_running`: whether the verb
    runs as long as its data or the daemon's work takes (`LONG_RUNNING`)."""
    import importlib

    key, rest = words[0], list(words[1:])
    if key in GROUPS and rest:
        key, rest = f"{key} {rest[0]}", rest[1:]
        if key not in VERBS:
            _unknown(key, f"rawdock {words[0]}")
    elif key not in VERBS:
        _unknown(key)
    module_name, function, summary = VERBS[key]
    module = importlib.import_module(f"rawdock.cli.{module_name}")
    parser = VerbParser(f"rawdock {key}", summary)
    getattr(module, f"{function}_flags")(parser)
    verb: Verb = getattr(module, function)
    args = parser.parse_verb(rest)
    args.long_running = (module_name, function) in LONG_RUNNING
    return verb, args


def _run(options: argparse.Namespace) -> int:
    words: list[str] = options.words
    if words[0] in GROUPS and (len(words) == 1 or words[1] in ("-h", "--help")):
        sys.stdout.write(group_help(words[0]) + "\n")
        return 0
    verb, args = parse_command(words)

    version = options.api_version or os.environ.get("DOCKER_API_VERSION") or None
    if version is not None and not _is_api_version(version):
        raise CommandError(
            f"rawdock: invalid API version {version!r}: expected MAJOR.MINOR, e.g. 1.41",
            EXIT_USAGE,
        )
    client: Client | CurlClient
    if options.curl:
        from .trace import CurlClient

        out, out_bytes = Context.sink()
        _, err_bytes = Context.sink()
        client = CurlClient(options.host, version or DEFAULT_CURL_API_VERSION, sys.stdout)
        context = Context(client, out, out, out_bytes, err_bytes, curl=True)
    else:
        from ..client import Client

        trace = None
        if options.trace:
            from .trace import TraceFormatter

            trace = TraceFormatter(sys.stderr)
        # A long-running verb has no deadline: --timeout bounds each of its waits.
        deadline = None if args.long_running else options.timeout
        client = Client(options.host, version, options.timeout, trace=trace, deadline=deadline)
        context = Context(
            client,
            sys.stdout,
            sys.stderr,
            sys.stdout.buffer,
            sys.stderr.buffer,
            is_terminal=sys.stdout.isatty(),
            stderr_is_terminal=sys.stderr.isatty(),
        )
    try:
        return verb(context, args)
    finally:
        client.close()


def _is_api_version(text: str) -> bool:
    """MAJOR.MINOR, digits only: "1.41"."""
    major, dot, minor = text.partition(".")
    return bool(dot) and major.isdigit() and minor.isdigit() and major.isascii()


def _describe(exc: BaseException, host: str | None) -> tuple[str, int]:
    """What went wrong, in docker's words (and how to fix it, when we know), and the status."""
    if isinstance(exc, CommandError):
        return str(exc), exc.status
    if isinstance(exc, DockerError):
        return daemon_error(exc), 1
    if isinstance(exc, DaemonUnreachable):
        message = str(exc)
        if not host and os.environ.get("DOCKER_HOST"):
            message += (
                f" (the host comes from DOCKER_HOST={os.environ['DOCKER_HOST']}: fix or unset it)"
            )
        return message, 1
    if isinstance(exc, ProtocolError):
        return f"rawdock: the daemon's answer is not valid HTTP: {exc}", 1
    from ..config import ConfigError  # here, once something failed: a flag value is usage

    if isinstance(exc, RawdockError) and not isinstance(exc, ConfigError):
        return str(exc), 1
    return f"rawdock: {exc}", EXIT_USAGE
