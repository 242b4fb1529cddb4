"""The verbs that talk to a process: `exec`, `attach`, and the attached path of `run -i/-t`
and `start -a`. Each verb is a pair, its flags right above the function that runs it.

They share one session loop (`_pump`): the container's output to our stdout and stderr as it
comes, our stdin to the container on a second thread (half-closed at EOF), and around it the
terminal and the signals, as the docker CLI handles them:

- `-it` with a terminal: the terminal goes to raw mode (keys reach the container as typed,
  Ctrl-C included) and is restored on every way out, errors and SIGTERM included; its size is
  sent at start and on every SIGWINCH; ctrl-p ctrl-q (or `--detach-keys`) detaches.
- without a TTY: SIGINT and SIGTERM are forwarded to the container with
  `POST /containers/{id}/kill?signal=...` (docker's `--sig-proxy`, on by default).
- `run --rm` attached: the daemon removes the container (AutoRemove) and rawdock waits with
  `condition=removed`; if rawdock itself is stopped first, it removes the container.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..api import API, result_of
from ..client import Client
from ..errors import RawdockError
from ..hijack import DEFAULT_DETACH_KEYS, WRITE_SIZE, DetachKeys
from .context import CommandError, Context

if TYPE_CHECKING:
    from types import FrameType

    from ..hijack import HijackedStream

__all__ = [
    "exec_command_flags",
    "exec_command",
    "attach_flags",
    "attach",
    "attach_options",
    "run_attached",
    "start_attached",
]

#: Signals the docker CLI never forwards to the container (cli/command/container/signals.go):
#: they are about this process and its terminal, not the container's.
_NOT_PROXIED = {signal.SIGCHLD, signal.SIGPIPE, signal.SIGURG, signal.SIGWINCH}
#: The signals rawdock forwards without a TTY: those a user sends to stop a command.
PROXIED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
#: The exec id the commands of `--curl exec` use for the exec they did not really create.
PLACEHOLDER_EXEC_ID = "EXEC_ID"
#: 128 + N: how a shell reports a command ended by signal N.
EXIT_SIGNAL_BASE = 128


class Terminated(BaseException):
    """This process got SIGTERM (or SIGHUP) while a session ran: unwind, restoring everything."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# --- exec -------------------------------------------------------------------------------------


def exec_command_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] CONTAINER COMMAND [ARG...]"
    parser.add_argument(
        "-d", "--detach", action="store_true", help="Detached mode: run command in the background"
    )
    parser.add_argument("-e", "--env", action="append", default=[], metavar="list",
                        help="Set environment variables")  # fmt: skip
    parser.add_argument("-w", "--workdir", help="Working directory inside the container")
    parser.add_argument("-u", "--user", help="Username or UID (format: <name|uid>[:<group|gid>])")
    parser.add_argument("--privileged", action="store_true", help="Give extended privileges")
    parser.add_argument("-t", "--tty", action="store_true", help="Allocate a pseudo-TTY")
    attach_options(parser, sig_proxy=False)
    parser.add_argument("container", metavar="CONTAINER")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND")


def require_terminal(ctx: Context, args: argparse.Namespace) -> None:
    """`-it` with a standard input that is no terminal (a pipe, a file): refused before
    anything is sent, as docker refuses it, since raw mode and the keys make no sense there."""
    if args.interactive and args.tty and not ctx.curl and not sys.stdin.isatty():
        raise CommandError("the input device is not a TTY", 1)


def exec_command(ctx: Context, args: argparse.Namespace) -> int:
    """`docker exec`: POST /containers/{id}/exec, POST /exec/{id}/start (hijacked), then
    GET /exec/{id}/json for the command's exit status, which is ours."""
    if not args.command:
        raise CommandError("rawdock: 'rawdock exec' requires at least 2 arguments", 1)
    require_terminal(ctx, args)
    env = None
    if args.env:
        from .options import parse_env  # compiles its patterns at import: only when needed

        env = parse_env(args.env)
    exec_id = ctx.client.exec_create(
        args.container,
        args.command,
        env=env,
        workdir=args.workdir,
        user=args.user,
        tty=args.tty,
        stdin=args.interactive and not args.detach,
        privileged=args.privileged,
        detach_keys=args.detach_keys,
    )
    if ctx.curl:
        exec_id = PLACEHOLDER_EXEC_ID  # nothing was created: the commands name it so
    if args.detach:
        ctx.client.exec_start(exec_id, tty=args.tty, detach=True).close()
        return 0
    session = ctx.client.exec_start(exec_id, tty=args.tty, stdin=args.interactive)
    if ctx.curl:
        ctx.client.exec_inspect(exec_id)
        return 0

    def resize(height: int, width: int) -> None:
        ctx.client.exec_resize(exec_id, height, width)

    try:
        _pump(ctx, session, args, resize=resize, forward=None)
    except Terminated as stopped:
        return EXIT_SIGNAL_BASE + stopped.signum
    code = ctx.client.exec_inspect(exec_id).get("ExitCode")
    return int(code) if code is not None else 0


# --- attach -----------------------------------------------------------------------------------


def attach_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] CONTAINER"
    parser.add_argument("--no-stdin", action="store_true", help="Do not attach STDIN")
    attach_options(parser, interactive=False)
    parser.add_argument("container", metavar="CONTAINER")


def attach(ctx: Context, args: argparse.Namespace) -> int:
    """`docker attach`: GET /containers/{id}/json (a TTY? stdin open? running?), then
    POST /containers/{id}/wait and POST /containers/{id}/attach (hijacked); exits with the
    container's status."""
    config = ctx.client.inspect_container(args.container)
    if not ctx.curl and not (config.get("State") or {}).get("Running"):
        raise CommandError("You cannot attach to a stopped container, start it first", 1)
    settings = config.get("Config") or {}
    args.tty = bool(settings.get("Tty"))
    args.interactive = bool(settings.get("OpenStdin")) and not args.no_stdin
    args.rm = False  # a running container: its next exit is the one to wait for
    return _attached(ctx, config.get("Id") or args.container, args, start=None)


# --- run -i/-t and start -a -------------------------------------------------------------------


def attach_options(
    parser: argparse.ArgumentParser, interactive: bool = True, sig_proxy: bool = True
) -> None:
    """The flags of an attached session that `run`, `start`, `exec` and `attach` share."""
    if interactive:
        parser.add_argument(
            "-i", "--interactive", action="store_true", help="Keep STDIN open even if not attached"
        )
    parser.add_argument(
        "--detach-keys",
        metavar="string",
        help=f"Override the key sequence for detaching a container (default {DEFAULT_DETACH_KEYS})",
    )
    if sig_proxy:
        parser.add_argument(
            "--sig-proxy",
            default="true",
            choices=("true", "false"),
            help="Proxy received signals to the process (without a TTY; default true)",
        )


def run_attached(
    ctx: Context, args: argparse.Namespace, container: str, start: Callable[[], None]
) -> int:
    """The rest of `docker run -i/-t` once the container is created, in docker's order:
    POST /containers/{id}/attach (101), POST /containers/{id}/wait?condition=next-exit (or
    `removed` with --rm: the daemon removes it), then `start()`. So no byte of output is
    missed, and the exit status cannot be. Returns the container's exit status."""
    try:
        return _attached(ctx, container, args, start)
    except BaseException:
        if args.rm:  # stopped before the container ended (SIGTERM, an error): clean up here
            from .containers import _remove_quietly

            _remove_quietly(ctx, container)
        raise


def start_attached(ctx: Context, args: argparse.Namespace) -> int:
    """`docker start -a [-i] CONTAINER`: as `run_attached`, for an existing container."""
    if len(args.container) != 1:
        raise CommandError("you cannot start and attach multiple containers at once", 1)
    config = ctx.client.inspect_container(args.container[0])
    settings = config.get("Config") or {}
    args.tty = bool(settings.get("Tty"))
    args.interactive = bool(args.interactive and settings.get("OpenStdin"))
    args.rm = bool((config.get("HostConfig") or {}).get("AutoRemove"))
    container = config.get("Id") or args.container[0]

    def start() -> None:
        ctx.client.start_container(container)

    return _attached(ctx, container, args, start)


def _attached(
    ctx: Context, container: str, args: argparse.Namespace, start: Callable[[], None] | None
) -> int:
    session = ctx.client.attach_container(
        container,
        stdin=args.interactive,
        stdout=True,
        stderr=True,
        stream=True,
        detach_keys=args.detach_keys,
        tty=bool(args.tty),
    )
    with session:
        exit_status = _wait_registered(ctx, container, "removed" if args.rm else "next-exit")
        if start is not None:
            start()
        if ctx.curl:
            return 0

        def resize(height: int, width: int) -> None:
            ctx.client.resize_container(container, height, width)

        def forward(signum: int) -> None:
            ctx.client.kill_container(container, signal.Signals(signum).name)

        proxy = not args.tty and getattr(args, "sig_proxy", "false") == "true"
        try:
            detached = _pump(ctx, session, args, resize=resize, forward=forward if proxy else None)
        except Terminated as stopped:
            if args.rm:
                from .containers import _remove_quietly

                _remove_quietly(ctx, container)
            return EXIT_SIGNAL_BASE + stopped.signum
    if detached:
        return 0
    return exit_status()


def _wait_registered(ctx: Context, container: str, condition: str) -> Callable[[], int]:
    """POST /containers/{id}/wait sent now, its answer read later. The daemon answers the head
    at once and the body when the condition is met, so once the head is here the wait is
    registered, and an exit right after start cannot be missed (docker run's order)."""
    call = API.wait_container.describe(container, condition=condition)
    if ctx.curl:
        ctx.client.wait_container(container, condition=condition)
        return lambda: 0
    assert isinstance(ctx.client, Client)
    exchange = ctx.client._open(call)

    def status() -> int:
        answer = result_of(call, exchange.head, exchange.read())
        return int(answer.get("StatusCode", 0))

    return status


# --- The session loop -------------------------------------------------------------------------


def _pump(
    ctx: Context,
    session: HijackedStream,
    args: argparse.Namespace,
    resize: Callable[[int, int], None],
    forward: Callable[[int], None] | None,
) -> bool:
    """Copy output out and stdin in until the process ends; True if the user detached."""
    tty, interactive = bool(args.tty), bool(args.interactive)
    stdin_fd = sys.stdin.fileno() if interactive else -1
    raw = tty and interactive and os.isatty(stdin_fd)
    keys = DetachKeys(args.detach_keys or DEFAULT_DETACH_KEYS) if raw else None
    with _Requests() as requests, _Terminal(stdin_fd if raw else -1):
        with _signal_handlers(requests, forward), _sizes(requests, resize, tty):
            detached: list[bool] = []
            if interactive:
                _copy_stdin(stdin_fd, session, keys, detached)
            for stream, data in session:
                sink = ctx.err_bytes if stream == "stderr" else ctx.out_bytes
                sink.write(data)
                sink.flush()
    if detached:
        ctx.err.write("\r\nread escape sequence\r\n" if raw else "read escape sequence\n")
    return bool(detached)


def _copy_stdin(
    fd: int, session: HijackedStream, keys: DetachKeys | None, detached: list[bool]
) -> None:
    """Our stdin to the process, on a thread of its own, half-closed at EOF. The thread may
    outlive the session blocked in read(): it is a daemon thread, and reads nothing after."""
    import threading

    def copy() -> None:
        try:
            while data := os.read(fd, WRITE_SIZE):
                detach = False
                if keys is not None:
                    data, detach = keys.feed(data)
                if data:  # typed before the detach keys, in the same read: still the process's
                    session.write(data)
                if detach:
                    detached.append(True)
                    session.close()  # wakes the reader: the session ends here
                    return
            session.close_write()
        except (OSError, RawdockError):
            pass  # the process exited first: what it did not read is dropped, as with a pipe

    threading.Thread(target=copy, name="rawdock-stdin", daemon=True).start()


class _Requests:
    """Requests a signal handler asks for (kill, resize), sent by a thread of their own: a
    handler interrupts the main thread anywhere, even inside the client, which must not be
    re-entered from there."""

    def __init__(self) -> None:
        import queue
        import threading

        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="rawdock-signals", daemon=True)

    def put(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            except RawdockError:
                pass  # the container is gone already: nothing left to tell it

    def __enter__(self) -> _Requests:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._jobs.put(None)
        self._thread.join(5)


class _Terminal:
    """The local terminal in raw mode for the session (fd -1: left as it is), restored on the
    way out whatever the way. Raw as the docker CLI makes it (moby/term MakeRaw, which is
    cfmakeraw): no echo, no line editing, no signals from keys, no output processing."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._saved: list[Any] | None = None

    def __enter__(self) -> _Terminal:
        if self.fd >= 0:
            import termios
            import tty

            self._saved = termios.tcgetattr(self.fd)
            tty.setraw(self.fd, termios.TCSANOW)  # TCSANOW: keys typed ahead are kept
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSANOW, self._saved)


@contextmanager
def _signal_handlers(requests: _Requests, forward: Callable[[int], None] | None) -> Iterator[None]:
    """With `forward` (sig-proxy): SIGINT, SIGTERM, SIGHUP, SIGQUIT go to the container.
    Without: SIGTERM and SIGHUP end the session here (Terminated), cleanly."""

    def proxy(signum: int, frame: FrameType | None) -> None:
        assert forward is not None
        requests.put(lambda: forward(signum))

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    if forward is not None:
        wanted = {signum: proxy for signum in PROXIED_SIGNALS if signum not in _NOT_PROXIED}
    else:
        wanted = {signal.SIGTERM: terminate, signal.SIGHUP: terminate}
    previous = {signum: signal.signal(signum, handler) for signum, handler in wanted.items()}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _sizes(requests: _Requests, resize: Callable[[int, int], None], tty: bool) -> Iterator[None]:
    """With a TTY and a terminal: the terminal's size now, and again at every SIGWINCH."""
    fd = sys.stdout.fileno() if tty else -1
    if fd < 0 or not os.isatty(fd):
        yield
        return

    def send_size() -> None:
        size = os.get_terminal_size(fd)
        resize(size.lines, size.columns)

    def changed(signum: int, frame: FrameType | None) -> None:
        requests.put(send_size)

    previous = signal.signal(signal.SIGWINCH, changed)
    requests.put(send_size)
    try:
        yield
    finally:
        signal.signal(signal.SIGWINCH, previous)
