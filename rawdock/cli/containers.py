"""Container verbs: ps, create, run, start, stop, restart, kill, rm, wait, logs, container inspect.

Each verb is two functions side by side, as docker/cli keeps NewStopCommand and runStop in one
file: `VERB_flags(parser)` declares its flags and usage line, `VERB(ctx, args)` runs it and
returns the exit status. They make requests through `ctx.client`, hand the answers to
`rawdock.cli.output` to be formatted, and print only through `ctx`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..errors import DockerError, NotFound, RawdockError
from . import output
from .context import CommandError, Context, confirm, daemon_error, print_pruned
from .flags import add_filter_flag, add_format_flag, add_prune_flags, parse_filters
from .template import Row

__all__ = [
    "ps",
    "create",
    "run",
    "start",
    "stop",
    "restart",
    "kill",
    "rm",
    "wait",
    "logs",
    "container_inspect",
    "container_config",
    "follow_output",
    "copy_output",
    "for_each",
]

JSON = Any

#: docker run's own exit statuses (docs "docker run: exit status").
EXIT_DAEMON_ERROR = 125  # the daemon failed before the container ran
EXIT_CANNOT_INVOKE = 126  # the command exists but cannot be run
EXIT_NOT_FOUND = 127  # the command does not exist


# --- ps ---------------------------------------------------------------------------------------


def ps_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    parser.add_argument(
        "-a", "--all", action="store_true", help="Show all containers (default shows just running)"
    )
    add_filter_flag(parser)
    add_format_flag(parser)
    parser.add_argument(
        "-n", "--last", type=int, default=-1, metavar="int",
        help="Show n last created containers (includes all states)",
    )  # fmt: skip
    parser.add_argument(
        "-l", "--latest", action="store_true", help="Show the latest created container"
    )
    parser.add_argument("--no-trunc", action="store_true", help="Don't truncate output")
    parser.add_argument("-q", "--quiet", action="store_true", help="Only display container IDs")
    parser.add_argument("-s", "--size", action="store_true", help="Display total file sizes")
    parser.add_argument("--json", action="store_true", help="Print the daemon's JSON")


def ps(ctx: Context, args: argparse.Namespace) -> int:
    """GET /containers/json, as docker's table, ids, or a --format template."""
    limit = 1 if args.latest else args.last if args.last > 0 else None
    if args.quiet and args.format:
        ctx.err.write(
            "WARNING: Ignoring custom format, because both --format and --quiet are set.\n"
        )
        args.format = None
    # Sizes cost the daemon a walk of each container's files: asked for with -s, or when the
    # template shows them (as docker does).
    size = args.size or bool(args.format and output.uses_size(args.format))
    found = ctx.client.containers(
        all=args.all or limit is not None,
        filters=parse_filters(args.filter) or None,
        limit=limit,
        size=size,
    )
    if args.json:
        ctx.print(output.json_text(found))
    elif args.quiet:
        for container in found:
            ctx.print(container["Id"] if args.no_trunc else output.short_id(container["Id"]))
    else:
        ctx.print_lines(output.containers_listing(found, args.format, args.no_trunc, args.size))
    return 0


# --- create and run ---------------------------------------------------------------------------


def create_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] IMAGE [COMMAND] [ARG...]"
    container_flags(parser)


def container_flags(parser: argparse.ArgumentParser) -> None:
    """The flags `create` and `run` share, then IMAGE and the command (flags after IMAGE are
    the command's, as docker stops reading its own there)."""
    parser.add_argument("--name", help="Assign a name to the container")
    parser.add_argument(
        "-p",
        "--publish",
        action="append",
        default=[],
        metavar="list",
        help="Publish a container's port(s) to the host: [IP:][HOST:]CONTAINER[/PROTO]",
    )
    parser.add_argument(
        "-e", "--env", action="append", default=[], metavar="list", help="Set environment variables"
    )
    parser.add_argument(
        "-l", "--label", action="append", default=[], metavar="list", help="Set meta data"
    )
    parser.add_argument(
        "--rm", action="store_true", help="Automatically remove the container when it exits"
    )
    parser.add_argument("--entrypoint", help="Overwrite the default ENTRYPOINT of the image")
    parser.add_argument("-w", "--workdir", help="Working directory inside the container")
    parser.add_argument("-u", "--user", help="Username or UID (format: <name|uid>[:<group|gid>])")
    parser.add_argument("--hostname", help="Container host name")
    parser.add_argument("-t", "--tty", action="store_true", help="Allocate a pseudo-TTY")
    parser.add_argument(
        "-i", "--interactive", action="store_true", help="Keep STDIN open even if not attached"
    )
    parser.add_argument("--network", help="Connect a container to a network")
    for names, text in (
        (("-v", "--volume"), "Bind mount a volume"),
        (("--mount",), "Attach a filesystem mount to the container"),
        (("--expose",), "Expose a port or a range of ports"),
        (("--env-file",), "Read in a file of environment variables"),
        (("--label-file",), "Read in a line delimited file of labels"),
        (("--cap-add",), "Add Linux capabilities"),
        (("--cap-drop",), "Drop Linux capabilities"),
        (("--log-opt",), "Log driver options"),
        (("--add-host",), "Add a custom host-to-IP mapping (host:ip)"),
        (("--dns",), "Set custom DNS servers"),
        (("--tmpfs",), "Mount a tmpfs directory"),
        (("--ulimit",), "Ulimit options"),
    ):
        parser.add_argument(*names, action="append", default=[], metavar="list", help=text)
    for names, text in (
        (("-P", "--publish-all"), "Publish all exposed ports to random ports"),
        (("--init",), "Run an init inside the container that forwards signals and reaps processes"),
        (("--privileged",), "Give extended privileges to this container"),
        (("--read-only",), "Mount the container's root filesystem as read only"),
        (("--no-healthcheck",), "Disable any container-specified HEALTHCHECK"),
    ):
        parser.add_argument(*names, action="store_true", help=text)
    for names, metavar, text in (
        (("--restart",), "string", 'Restart policy to apply when a container exits (default "no")'),
        (("-m", "--memory"), "bytes", "Memory limit"),
        (("--cpus",), "decimal", "Number of CPUs"),
        (("--shm-size",), "bytes", "Size of /dev/shm"),
        (("--platform",), "string", "Set platform if server is multi-platform capable"),
        (("--log-driver",), "string", "Logging driver for the container"),
        (("--health-cmd",), "string", "Command to run to check health"),
        (("--health-interval",), "duration", "Time between running the check (ms|s|m|h)"),
        (("--health-timeout",), "duration", "Maximum time to allow one check to run (ms|s|m|h)"),
        (("--health-start-period",), "duration", "Start period for the container to initialize"),
        (("--stop-signal",), "string", "Signal to stop the container"),
        (("--cidfile",), "string", "Write the container ID to the file"),
    ):
        parser.add_argument(*names, metavar=metavar, help=text)
    for names, text in (
        (("--health-retries",), "Consecutive failures needed to report unhealthy"),
        (("--stop-timeout",), "Timeout (in seconds) to stop a container"),
    ):
        parser.add_argument(*names, type=int, metavar="int", help=text)
    parser.add_argument(
        "--pull",
        choices=("missing", "always", "never"),
        default="missing",
        help='Pull image before running ("always", "missing", "never") (default "missing")',
    )
    parser.add_argument("image", metavar="IMAGE")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND ...")


def container_config(args: argparse.Namespace) -> dict[str, Any]:
    """The body of POST /containers/create from `create`/`run` flags, as the docker CLI
    builds it (only the fields a flag set, so `--curl` shows a readable body). The flags the
    library's `rawdock.config.container` knows go through it; the rest are added here."""
    from .. import config as make  # only create and run build a body

    env = [*_lines_of(args.env_file), *args.env]
    # In a label file a line without "=" is dropped (docker reads it with no lookup for it).
    labels = [*(line for line in _lines_of(args.label_file) if "=" in line), *args.label]
    config = make.container(
        args.image,
        args.command or None,
        entrypoint=args.entrypoint,
        env=env,
        labels=labels,
        ports=args.publish,
        volumes=args.volume,
        mounts=args.mount,
        restart=args.restart,
        memory=args.memory,
        cpus=args.cpus,
        network=args.network,
        workdir=args.workdir,
        user=args.user,
        hostname=args.hostname,
        tty=args.tty,
    )
    if args.interactive:  # stdin open for an attach, closed when that attach half-closes
        config.update(AttachStdin=True, OpenStdin=True, StdinOnce=True)
    for port in args.expose:
        config.setdefault("ExposedPorts", {}).update(_exposed(port))
    if args.stop_signal:
        config["StopSignal"] = args.stop_signal
    if args.stop_timeout is not None:
        config["StopTimeout"] = args.stop_timeout
    if healthcheck := _healthcheck(args):
        config["Healthcheck"] = healthcheck
    host_config: dict[str, Any] = config.pop("HostConfig", {})
    for flag, field in (
        ("publish_all", "PublishAllPorts"),
        ("init", "Init"),
        ("privileged", "Privileged"),
        ("read_only", "ReadonlyRootfs"),
    ):
        if getattr(args, flag):
            host_config[field] = True
    for flag, field in (("cap_add", "CapAdd"), ("cap_drop", "CapDrop")):
        if getattr(args, flag):
            host_config[field] = [_capability(name) for name in getattr(args, flag)]
    for flag, field in (("add_host", "ExtraHosts"), ("dns", "Dns")):
        if getattr(args, flag):
            host_config[field] = [value.replace("=", ":", 1) for value in getattr(args, flag)]
    if args.log_driver or args.log_opt:
        host_config["LogConfig"] = {
            "Type": args.log_driver or "",
            "Config": make.parse_labels(args.log_opt),
        }
    if args.tmpfs:
        host_config["Tmpfs"] = dict(spec.partition(":")[::2] for spec in args.tmpfs)
    if args.shm_size:
        host_config["ShmSize"] = make.parse_bytes(args.shm_size)
    if args.ulimit:
        host_config["Ulimits"] = [_ulimit(spec) for spec in args.ulimit]
    if args.cidfile:
        host_config["ContainerIDFile"] = args.cidfile  # as the docker CLI records it
    if args.rm and (getattr(args, "detach", True) or args.interactive or args.tty):
        # The daemon removes it when it exits. An attached `run --rm` removes it itself after
        # reading the exit status, since it reads logs (not an attach stream opened before
        # start) and the daemon could remove the container before the logs are read; `run -i`
        # and `-t` attach before start, as docker does, and wait for the removal.
        host_config["AutoRemove"] = True
    if host_config:
        config["HostConfig"] = host_config
    return config


def _lines_of(paths: list[str]) -> list[str]:
    """`--env-file`/`--label-file`: one K=V (or K) a line; blank lines and `#` comments
    skipped, as docker's opts.ParseEnvFile reads them."""
    lines = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as file:
                for line in file:
                    text = line.strip()
                    if text and not text.startswith("#"):
                        lines.append(text)
        except OSError as exc:
            raise CommandError(f"open {path}: {(exc.strerror or str(exc)).lower()}", 125) from None
    return lines


def _exposed(spec: str) -> dict[str, dict[str, Any]]:
    """`--expose 80`, `--expose 8000-8010/udp` -> ExposedPorts keys, as nat.ParsePortRange."""
    ports, _, proto = spec.partition("/")
    first, _, last = ports.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        raise CommandError(f"invalid range format for --expose: {spec}", 125)
    numbers = range(int(first), int(last or first) + 1)
    return {f"{number}/{proto or 'tcp'}": {} for number in numbers}


def _capability(name: str) -> str:
    """docker 23+ sends capabilities upper-cased with their CAP_ prefix (opts.CapabilityMap);
    "ALL" stays as it is."""
    upper = name.upper()
    return upper if upper == "ALL" or upper.startswith("CAP_") else f"CAP_{upper}"


def _ulimit(spec: str) -> dict[str, Any]:
    """`--ulimit nofile=1024:2048` -> {"Name": "nofile", "Soft": 1024, "Hard": 2048}."""
    name, eq, limits = spec.partition("=")
    soft, colon, hard = limits.partition(":")
    try:
        return {"Name": name, "Soft": int(soft), "Hard": int(hard if colon else soft)}
    except ValueError:
        raise CommandError(f"invalid ulimit argument: {spec}", 125) from None


#: Go durations as --health-* take them ("30s", "1m30s", "500ms"), in nanoseconds.
_DURATION_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
                   "h": 3600 * 10**9}  # fmt: skip


def _duration(text: str) -> int:
    import re

    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise CommandError(f'invalid duration "{text}"', 125)
    return int(sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts))


def _healthcheck(args: argparse.Namespace) -> dict[str, Any] | None:
    """Config.Healthcheck from --health-* (docker's run opts), or {"Test": ["NONE"]}."""
    if args.no_healthcheck:
        return {"Test": ["NONE"]}
    check: dict[str, Any] = {}
    if args.health_cmd:
        check["Test"] = ["CMD-SHELL", args.health_cmd]
    for flag, field in (
        ("health_interval", "Interval"),
        ("health_timeout", "Timeout"),
        ("health_start_period", "StartPeriod"),
    ):
        if getattr(args, flag):
            check[field] = _duration(getattr(args, flag))
    if args.health_retries:
        check["Retries"] = args.health_retries
    return check or None


def create_container(ctx: Context, args: argparse.Namespace) -> JSON:
    """POST /containers/create, pulling the image first when it is missing (--pull missing, as
    docker does) or always."""
    from .images import show_pull  # only when an image must be pulled
    from .options import parse_reference

    config = container_config(args)
    if args.cidfile and os.path.exists(args.cidfile):
        raise CommandError(
            f"container ID file found, make sure the other container isn't running or delete "
            f"{args.cidfile}",
        )
    if args.pull == "always":
        reference = parse_reference(args.image)
        show_pull(ctx, reference.name, reference.api_tag, quiet=False, to_stderr=True)
    try:
        created = ctx.client.create_container(config, name=args.name, platform=args.platform)
    except NotFound as exc:
        if args.pull != "missing" or "image" not in exc.message.lower():
            raise
        reference = parse_reference(args.image)
        ctx.err.write(f"Unable to find image '{reference}' locally\n")
        show_pull(ctx, reference.name, reference.api_tag, quiet=False, to_stderr=True)
        created = ctx.client.create_container(config, name=args.name, platform=args.platform)
    for warning in created.get("Warnings") or []:
        ctx.err.write(f"WARNING: {warning}\n")
    if args.cidfile:
        with open(args.cidfile, "w", encoding="utf-8") as file:
            file.write(created["Id"])
    return created


def create(ctx: Context, args: argparse.Namespace) -> int:
    """POST /containers/create (pulling a missing image first); prints the new id."""
    ctx.print(create_container(ctx, args)["Id"])
    return 0


def run_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] IMAGE [COMMAND] [ARG...]"
    parser.add_argument(
        "-d", "--detach", action="store_true", help="Run container in background and print ID"
    )
    from .interactive import attach_options

    attach_options(parser, interactive=False)
    container_flags(parser)


def _start_failure_status(message: str) -> int:
    # docker run's mapping of runtime errors to shell-like statuses (cli/command/container/run.go)
    lowered = message.lower()
    if "executable file not found" in lowered or "no such file or directory" in lowered:
        return EXIT_NOT_FOUND
    if "permission denied" in lowered or "is a directory" in lowered:
        return EXIT_CANNOT_INVOKE
    return EXIT_DAEMON_ERROR


def _run_failure(exc: RawdockError, status: int) -> CommandError:
    # docker run prefixes what went wrong with its own name and points at its help.
    message = daemon_error(exc) if isinstance(exc, DockerError) else str(exc)
    return CommandError(
        f"rawdock: {message}\n\nRun 'rawdock run --help' for more information", status
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    """create + start; without -d, print the output as it comes (logs follow) and exit with the
    container's status, as `docker run` does."""
    from ..config import ConfigError

    if not args.detach and args.interactive and args.tty:
        from .interactive import require_terminal

        require_terminal(ctx, args)
    try:
        created = create_container(ctx, args)
    except ConfigError:  # a bad flag value: a usage error, as any other command's
        raise
    except RawdockError as exc:  # no such image, the daemon unreachable, ...
        raise _run_failure(exc, EXIT_DAEMON_ERROR) from exc
    # The article's requests start the container by name; either is the same container.
    container = args.name or created["Id"]

    def start() -> None:
        try:
            ctx.client.start_container(container)
        except DockerError as exc:
            if args.rm:
                _remove_quietly(ctx, container)
            raise _run_failure(exc, _start_failure_status(exc.message)) from exc

    if not args.detach and (args.interactive or args.tty):  # attach first, as docker run does
        from .interactive import run_attached

        return run_attached(ctx, args, container, start)
    start()
    if args.detach:
        ctx.print(created["Id"])
        return 0
    if ctx.curl:
        return 0  # --curl shows the requests that make the container; attaching only reads
    try:
        copy_output(ctx, follow_output(ctx, container, tty=bool(args.tty), follow=True))
        status: int = ctx.client.wait_container(container)["StatusCode"]
    finally:
        if args.rm:
            _remove_quietly(ctx, container)
    return status


def _remove_quietly(ctx: Context, container: str) -> None:
    try:
        ctx.client.remove_container(container, force=True)
    except DockerError:
        pass  # already gone (AutoRemove) or being removed


# --- Output -----------------------------------------------------------------------------------


def follow_output(
    ctx: Context, container: str, tty: bool | None = None, **options: Any
) -> Iterator[tuple[str, bytes]]:
    """GET /containers/{id}/logs as (stream, bytes). Like the docker CLI, it learns whether the
    container has a TTY (which decides the framing) before it asks for the logs, so the stream
    is never interleaved with a second request (which would also garble --trace)."""
    if tty is None:
        tty = bool((ctx.client.inspect_container(container).get("Config") or {}).get("Tty"))
    stream: Iterator[tuple[str, bytes]] = ctx.client.logs(container, tty=tty, **options)
    return stream


def copy_output(ctx: Context, stream: Iterable[tuple[str, bytes]]) -> None:
    """Container output to our stdout and stderr, byte for byte, as it arrives."""
    for name, data in stream:
        sink = ctx.err_bytes if name == "stderr" else ctx.out_bytes
        sink.write(data)
        sink.flush()


def logs_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] CONTAINER"
    parser.add_argument(
        "--details", action="store_true", help="Show extra details provided to logs"
    )
    parser.add_argument("-f", "--follow", action="store_true", help="Follow log output")
    parser.add_argument(
        "--since",
        metavar="string",
        help='Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" '
        "for 42 minutes)",
    )
    parser.add_argument(
        "-n", "--tail", default="all", metavar="string",
        help='Number of lines to show from the end of the logs (default "all")',
    )  # fmt: skip
    parser.add_argument("-t", "--timestamps", action="store_true", help="Show timestamps")
    parser.add_argument(
        "--until",
        metavar="string",
        help='Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. '
        '"42m" for 42 minutes)',
    )
    parser.add_argument("container", metavar="CONTAINER")


def logs(ctx: Context, args: argparse.Namespace) -> int:
    """GET /containers/{id}/logs, with --since/--until converted as the docker CLI converts
    them (relative durations and RFC 3339 dates become Unix seconds), after it has found the
    container (GET /containers/{id}/json), as docker does."""
    tty = bool((ctx.client.inspect_container(args.container).get("Config") or {}).get("Tty"))
    times: dict[str, str] = {}
    if args.since or args.until:
        import time

        from .options import UsageError, time_flags  # only logs with a time to convert

        try:
            times = time_flags(args.since, args.until, time.time())
        except UsageError as exc:
            raise CommandError(str(exc)) from None
    stream = follow_output(
        ctx,
        args.container,
        tty=tty,
        follow=args.follow,
        timestamps=args.timestamps,
        tail=args.tail,
        details=args.details,
        since=times.get("since"),
        until=times.get("until"),
    )
    copy_output(ctx, stream)
    return 0


# --- One action on each container -------------------------------------------------------------


def for_each(
    ctx: Context,
    names: Iterable[str],
    action: Callable[[str], object],
    failed: list[str] | None = None,
) -> int:
    """Run `action` on each name; a failure is reported and the others still run (docker's
    behaviour for stop, rm, ...), and its name added to `failed`. Status 1 when any failed."""
    failures = [] if failed is None else failed
    for name in names:
        try:
            action(name)
        except DockerError as exc:
            ctx.err.write(daemon_error(exc) + "\n")
            failures.append(name)
    return 1 if failures else 0


def _echoing(ctx: Context, action: Callable[[str], object]) -> Callable[[str], None]:
    def act(name: str) -> None:
        action(name)
        ctx.print(name)

    return act


def _containers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("container", nargs="+", metavar="CONTAINER")


def start_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] CONTAINER [CONTAINER...]"
    parser.add_argument(
        "-a", "--attach", action="store_true", help="Attach STDOUT/STDERR and forward signals"
    )
    from .interactive import attach_options

    attach_options(parser)
    _containers(parser)


def start(ctx: Context, args: argparse.Namespace) -> int:
    """POST /containers/{id}/start for each; prints each name. With -a: attached to one."""
    if args.attach:
        from .interactive import start_attached

        return start_attached(ctx, args)
    failed: list[str] = []
    status = for_each(ctx, args.container, _echoing(ctx, ctx.client.start_container), failed)
    if failed:
        ctx.err.write(f"Error: failed to start containers: {', '.join(failed)}\n")
    return status


def stop_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] CONTAINER [CONTAINER...]"
    parser.add_argument("-s", "--signal", help="Signal to send to the container")
    _timeout_flag(parser)
    _containers(parser)


def _timeout_flag(parser: argparse.ArgumentParser) -> None:
    # docker's -t/--timeout; --time is its older, deprecated spelling, still accepted.
    parser.add_argument(
        "-t", "--timeout", "--time", dest="time", type=int, metavar="int",
        help="Seconds to wait before killing the container",
    )  # fmt: skip


def stop(ctx: Context, args: argparse.Namespace) -> int:
    """POST /containers/{id}/stop?t=N&signal=S for each; prints each name. A long-running
    verb: each answer is awaited for --timeout plus the grace period (as long as it takes for
    a negative one, as docker's does)."""

    def action(name: str) -> None:
        ctx.client.stop_container(name, timeout=args.time, signal=args.signal)

    return for_each(ctx, args.container, _echoing(ctx, action))


def restart_flags(parser: argparse.ArgumentParser) -> None:
    stop_flags(parser)


def restart(ctx: Context, args: argparse.Namespace) -> int:
    """POST /containers/{id}/restart?t=N&signal=S for each; prints each name (awaited as
    stop's)."""

    def action(name: str) -> None:
        ctx.client.restart_container(name, timeout=args.time, signal=args.signal)

    return for_each(ctx, args.container, _echoing(ctx, action))


def kill_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] CONTAINER [CONTAINER...]"
    parser.add_argument("-s", "--signal", help="Signal to send to the container")
    _containers(parser)


def kill(ctx: Context, args: argparse.Namespace) -> int:
    """POST /containers/{id}/kill?signal=S for each; prints each name."""

    def action(name: str) -> None:
        ctx.client.kill_container(name, signal=args.signal)

    return for_each(ctx, args.container, _echoing(ctx, action))


def rm_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] CONTAINER [CONTAINER...]"
    parser.add_argument(
        "-f", "--force", action="store_true", help="Force the removal of a running container"
    )
    parser.add_argument(
        "-v", "--volumes", action="store_true", help="Remove anonymous volumes of the container"
    )
    _containers(parser)


def rm(ctx: Context, args: argparse.Namespace) -> int:
    """DELETE /containers/{id} for each; prints each name."""

    def action(name: str) -> None:
        ctx.client.remove_container(name, force=args.force, volumes=args.volumes)

    return for_each(ctx, args.container, _echoing(ctx, action))


def wait_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s CONTAINER [CONTAINER...]"
    _containers(parser)


def wait(ctx: Context, args: argparse.Namespace) -> int:
    """POST /containers/{id}/wait for each; prints each exit status."""

    def action(name: str) -> None:
        ctx.print(str(ctx.client.wait_container(name)["StatusCode"]))

    return for_each(ctx, args.container, action)


def container_inspect_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] CONTAINER [CONTAINER...]"
    add_format_flag(parser, "the output", short=True)
    parser.add_argument("name", nargs="+", metavar="CONTAINER")


def container_inspect(ctx: Context, args: argparse.Namespace) -> int:
    """GET /containers/{id}/json for each: `docker container inspect`."""
    from .system import show_inspected

    return show_inspected(ctx, args, [ctx.client.inspect_container], "container")


# --- top, port, diff --------------------------------------------------------------------------


def top_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s CONTAINER [ps OPTIONS]"
    parser.add_argument("container", metavar="CONTAINER")
    parser.add_argument("ps_args", nargs=argparse.REMAINDER, metavar="ps OPTIONS")


#: `docker top` writes its table with tabwriter.NewWriter(out, 20, 1, 3, ' ', 0).
TOP_COLUMN_WIDTH = 20


def top(ctx: Context, args: argparse.Namespace) -> int:
    """GET /containers/{id}/top?ps_args=...: the container's processes, as `ps` in it shows them."""
    found = ctx.client.top(args.container, ps_args=" ".join(args.ps_args) or None)
    lines = ["\t".join(found.get("Titles") or [])]
    lines += ["\t".join(process) for process in found.get("Processes") or []]
    ctx.print(output.tabwrite("\n".join(lines), min_width=TOP_COLUMN_WIDTH))
    return 0


def port_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s CONTAINER [PRIVATE_PORT[/PROTO]]"
    parser.add_argument("container", metavar="CONTAINER")
    parser.add_argument("port", nargs="?", metavar="PRIVATE_PORT[/PROTO]")


def _host_port(binding: JSON) -> str:
    # Go's net.JoinHostPort: an IPv6 address goes in brackets.
    host = binding.get("HostIp") or ""
    return f"[{host}]:{binding['HostPort']}" if ":" in host else f"{host}:{binding['HostPort']}"


def port(ctx: Context, args: argparse.Namespace) -> int:
    """The published ports from GET /containers/{id}/json (NetworkSettings.Ports), sorted by
    port then protocol as docker sorts them; with PRIVATE_PORT, only its host addresses."""
    ports = (ctx.client.inspect_container(args.container).get("NetworkSettings") or {}).get(
        "Ports"
    ) or {}
    if args.port:
        number, _, proto = args.port.partition("/")
        key = f"{number}/{proto or 'tcp'}"
        bindings = ports.get(key) or []
        if not bindings:
            raise CommandError(
                f"Error: No public port '{args.port}' published for {args.container}"
            )
        ctx.print_lines(_host_port(binding) for binding in bindings)
        return 0

    def order(key: str) -> tuple[int, str]:
        number, _, proto = key.partition("/")
        return (int(number) if number.isdigit() else 0, proto)

    for key in sorted(ports, key=order):
        ctx.print_lines(f"{key} -> {_host_port(binding)}" for binding in ports[key] or [])
    return 0


def diff_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s CONTAINER"
    parser.add_argument("container", metavar="CONTAINER")


#: The `Kind` of GET /containers/{id}/changes, as `docker diff` prints it.
CHANGE_KINDS = {0: "C", 1: "A", 2: "D"}


def diff(ctx: Context, args: argparse.Namespace) -> int:
    """GET /containers/{id}/changes: "A /new", "C /etc", "D /gone", in the daemon's order."""
    changes = ctx.client.diff(args.container) or []
    ctx.print_lines(f"{CHANGE_KINDS.get(c['Kind'], '?')} {c['Path']}" for c in changes)
    return 0


# --- pause, unpause, rename -------------------------------------------------------------------


def pause_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s CONTAINER [CONTAINER...]"
    _containers(parser)


def pause(ctx: Context, args: argparse.Namespace) -> int:
    """POST /containers/{id}/pause for each; prints each name."""
    return for_each(ctx, args.container, _echoing(ctx, ctx.client.pause_container))


def unpause_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s CONTAINER [CONTAINER...]"
    _containers(parser)


def unpause(ctx: Context, args: argparse.Namespace) -> int:
    """POST /containers/{id}/unpause for each; prints each name."""
    return for_each(ctx, args.container, _echoing(ctx, ctx.client.unpause_container))


def rename_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s CONTAINER NEW_NAME"
    parser.add_argument("container", metavar="CONTAINER")
    parser.add_argument("name", metavar="NEW_NAME")


def rename(ctx: Context, args: argparse.Namespace) -> int:
    """POST /containers/{id}/rename?name=NEW_NAME; prints nothing."""
    ctx.client.rename_container(args.container, args.name)
    return 0


# --- update -----------------------------------------------------------------------------------


def update_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] CONTAINER [CONTAINER...]"
    parser.add_argument("-m", "--memory", metavar="bytes", help="Memory limit")
    parser.add_argument(
        "--memory-swap", metavar="bytes",
        help="Swap limit equal to memory plus swap: -1 to enable unlimited swap",
    )  # fmt: skip
    parser.add_argument("--memory-reservation", metavar="bytes", help="Memory soft limit")
    parser.add_argument("--cpus", metavar="decimal", help="Number of CPUs")
    parser.add_argument("-c", "--cpu-shares", type=int, metavar="int", help="CPU shares")
    parser.add_argument("--cpuset-cpus", metavar="string", help="CPUs in which to allow execution")
    parser.add_argument("--pids-limit", type=int, metavar="int", help="Tune container pids limit")
    parser.add_argument("--restart", metavar="string", help="Restart policy to apply")
    _containers(parser)


def update(ctx: Context, args: argparse.Namespace) -> int:
    """POST /containers/{id}/update with the resources docker's flags set; prints each name."""
    from ..config import ConfigError, parse_bytes, parse_cpus, parse_restart

    body: dict[str, Any] = {}
    try:
        for flag, key in (
            ("memory", "Memory"),
            ("memory_swap", "MemorySwap"),
            ("memory_reservation", "MemoryReservation"),
        ):
            value = getattr(args, flag)
            if value is not None:
                body[key] = -1 if value == "-1" else parse_bytes(value)
        if args.cpus is not None:
            body["NanoCpus"] = parse_cpus(args.cpus)
        if args.restart is not None:
            body["RestartPolicy"] = parse_restart(args.restart)
    except ConfigError as exc:
        raise CommandError(str(exc), 125) from None
    for flag, key in (
        ("cpu_shares", "CpuShares"),
        ("cpuset_cpus", "CpusetCpus"),
        ("pids_limit", "PidsLimit"),
    ):
        if getattr(args, flag) is not None:
            body[key] = getattr(args, flag)
    if not body:
        raise CommandError("you must provide one or more flags when using this command", 1)

    def action(name: str) -> None:
        for warning in ctx.client.update_container(name, body).get("Warnings") or []:
            ctx.err.write(warning + "\n")

    return for_each(ctx, args.container, _echoing(ctx, action))


# --- container prune --------------------------------------------------------------------------

PRUNE_WARNING = "WARNING! This will remove all stopped containers."


def prune_flags(parser: argparse.ArgumentParser) -> None:
    add_prune_flags(parser)


def prune(ctx: Context, args: argparse.Namespace) -> int:
    """POST /containers/prune?filters=...; prints what was deleted and the space reclaimed."""
    if not args.force and not confirm(ctx, PRUNE_WARNING):
        return 0
    pruned = ctx.client.prune_containers(filters=parse_filters(args.filter) or None)
    print_pruned(ctx, "Deleted Containers:", pruned.get("ContainersDeleted"))
    ctx.print(f"Total reclaimed space: {output.human_size(pruned.get('SpaceReclaimed') or 0)}")
    return 0


# --- cp ---------------------------------------------------------------------------------------

#: Go's os.ModeDir, the directory bit of the mode in X-Docker-Container-Path-Stat.
GO_MODE_DIR = 1 << 31


def cp_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = (
        "%(prog)s [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
        "\t%(prog)s [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH"
    )
    parser.add_argument(
        "-a", "--archive", action="store_true", help="Archive mode (copy all uid/gid information)"
    )
    parser.add_argument(
        "-L", "--follow-link", action="store_true", help="Always follow symbol link in SRC_PATH"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="Suppress progress output during copy"
    )
    parser.add_argument("source", metavar="SRC_PATH")
    parser.add_argument("destination", metavar="DEST_PATH")


def _container_path(arg: str) -> tuple[str, str] | None:
    """docker's splitCpArg: "web:/etc" -> ("web", "/etc"); a local path is one that starts
    with "/" or ".", or has no ":" (so "./a:b" is a local file)."""
    if arg.startswith(("/", ".")) or ":" not in arg:
        return None
    container, _, path = arg.partition(":")
    return container, path


def cp(ctx: Context, args: argparse.Namespace) -> int:
    """`docker cp`: GET /containers/{id}/archive (out of a container) or PUT (into one),
    streaming the tar both ways; `-` is a tar on stdout or stdin."""
    from .. import archive

    source, destination = _container_path(args.source), _container_path(args.destination)
    if source and destination:
        raise CommandError("copying between containers is not supported")
    if not source and not destination:
        raise CommandError("must specify at least one container source")
    if source:
        container, path = source
        # Closed when read to its end, or when the process exits after an error.
        pieces = ctx.client.get_archive(container, path)
        if args.destination == "-":
            for piece in pieces:
                ctx.out_bytes.write(piece)
            ctx.out_bytes.flush()
            return 0
        parent = os.path.dirname(os.path.abspath(args.destination))
        if not os.path.isdir(parent):
            raise CommandError(f'destination directory "{parent}" must exist')
        archive.extract(pieces, args.destination)
        return 0
    assert destination is not None
    container, path = destination
    if args.source == "-":
        stat = ctx.client.archive_stat(container, path)
        if not stat["mode"] & GO_MODE_DIR:
            raise CommandError(f'destination "{container}:{path}" must be a directory')
        import sys

        stdin = sys.stdin.buffer
        chunks = iter(lambda: stdin.read(archive.CHUNK_SIZE), b"")
        ctx.client.put_archive(container, path, chunks, copy_uid_gid=args.archive)
        return 0
    source_path = args.source
    if not os.path.exists(source_path):
        raise CommandError(f"lstat {os.path.abspath(source_path)}: no such file or directory")
    if args.follow_link:
        source_path = os.path.realpath(source_path)
    # Into DEST when it is a directory in the container; else DEST is the copy's new name.
    try:
        stat = ctx.client.archive_stat(container, path)
        into_directory = bool(stat["mode"] & GO_MODE_DIR)
    except NotFound:
        into_directory = False
    if into_directory or path.endswith("/"):
        directory, name = path, None
    else:
        directory, name = os.path.dirname(path.rstrip("/")) or "/", os.path.basename(path)
    tar = archive.tar_stream(source_path, arcname=name)
    ctx.client.put_archive(container, directory, tar, copy_uid_gid=args.archive)
    return 0


# --- stats ------------------------------------------------------------------------------------


class StatsRow(Row):
    """One container's sample of GET /containers/{id}/stats, with the fields and arithmetic of
    docker's stats formatter (cli/command/container/stats_helpers.go)."""

    HEADERS = {
        "Container": "CONTAINER",
        "ID": "CONTAINER ID",
        "Name": "NAME",
        "CPUPerc": "CPU %",
        "MemUsage": "MEM USAGE / LIMIT",
        "MemPerc": "MEM %",
        "NetIO": "NET I/O",
        "BlockIO": "BLOCK I/O",
        "PIDs": "PIDS",
    }
    GO_TYPE = "*formatter.statsContext"
    DEFAULT = (
        "table {{.ID}}\\t{{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}\\t{{.MemPerc}}\\t{{.NetIO}}"
        "\\t{{.BlockIO}}\\t{{.PIDs}}"
    )

    def __init__(self, asked: str, sample: JSON) -> None:
        self.asked = asked
        self.s = sample

    def Container(self) -> str:  # noqa: N802 -- docker's field names
        return self.asked

    def ID(self) -> str:  # noqa: N802
        return output.short_id(self.s.get("id") or "")

    def Name(self) -> str:  # noqa: N802
        return str(self.s.get("name") or "").lstrip("/")

    def CPUPerc(self) -> str:  # noqa: N802
        cpu, before = self.s.get("cpu_stats") or {}, self.s.get("precpu_stats") or {}
        used = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - (
            before.get("cpu_usage") or {}
        ).get("total_usage", 0)
        system = (cpu.get("system_cpu_usage") or 0) - (before.get("system_cpu_usage") or 0)
        cpus = cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or [])
        percent = used / system * cpus * 100.0 if used > 0 and system > 0 else 0.0
        return f"{percent:.2f}%"

    def _memory(self) -> tuple[int, int]:
        memory = self.s.get("memory_stats") or {}
        usage, stats = memory.get("usage") or 0, memory.get("stats") or {}
        # The page cache is not the container's own use: cgroup v1 says total_inactive_file,
        # v2 inactive_file (docker's calculateMemUsageUnixNoCache).
        inactive = stats.get("total_inactive_file", stats.get("inactive_file", 0))
        return (usage - inactive if inactive < usage else usage), memory.get("limit") or 0

    def MemUsage(self) -> str:  # noqa: N802
        usage, limit = self._memory()
        return f"{output.binary_size(usage)} / {output.binary_size(limit)}"

    def MemPerc(self) -> str:  # noqa: N802
        usage, limit = self._memory()
        return f"{usage / limit * 100.0 if limit else 0.0:.2f}%"

    def NetIO(self) -> str:  # noqa: N802
        networks = (self.s.get("networks") or {}).values()
        received = sum(n.get("rx_bytes", 0) for n in networks)
        sent = sum(n.get("tx_bytes", 0) for n in networks)
        return f"{output.human_size(received)} / {output.human_size(sent)}"

    def BlockIO(self) -> str:  # noqa: N802
        entries = (self.s.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []
        read = sum(e.get("value", 0) for e in entries if str(e.get("op")).lower() == "read")
        write = sum(e.get("value", 0) for e in entries if str(e.get("op")).lower() == "write")
        return f"{output.human_size(read)} / {output.human_size(write)}"

    def PIDs(self) -> str:  # noqa: N802
        return str((self.s.get("pids_stats") or {}).get("current", 0))


def stats_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] [CONTAINER...]"
    parser.add_argument(
        "-a", "--all", action="store_true", help="Show all containers (default shows just running)"
    )
    add_format_flag(parser)
    parser.add_argument(
        "--no-stream",
        action="store_true",
        help="Disable streaming stats and only pull the first result",
    )
    parser.add_argument("--no-trunc", action="store_true", help="Do not truncate output")
    parser.add_argument("container", nargs="*", metavar="CONTAINER")


#: Seconds between two redraws of the live table, as docker's ticker.
STATS_INTERVAL = 1.0


def stats(ctx: Context, args: argparse.Namespace) -> int:
    """GET /containers/{id}/stats for each container (the running ones by default): one
    sample each with --no-stream (asked for all at once: the daemon takes a second to fill in
    the CPU delta), else a table redrawn every second from each container's stream."""
    import threading

    names = args.container or [c["Id"][:12] for c in ctx.client.containers(all=args.all)]
    samples: dict[str, JSON] = {}
    errors: list[str] = []

    def one(name: str) -> None:
        try:
            if args.no_stream:
                samples[name] = ctx.client.stats(name)
                return
            for sample in ctx.client.stream_stats(name):
                samples[name] = sample
        except DockerError as exc:
            errors.append(daemon_error(exc))

    workers = [threading.Thread(target=one, args=(name,), daemon=True) for name in names]
    for worker in workers:
        worker.start()
    if args.no_stream:
        for worker in workers:
            worker.join()
        for error in errors:
            ctx.err.write(error + "\n")
        if errors and not samples:
            return 1
        ctx.print_lines(_stats_table(names, samples, args.format))
        return 0
    import time

    while any(worker.is_alive() for worker in workers) or not samples:
        time.sleep(STATS_INTERVAL)
        if ctx.is_terminal:
            ctx.out.write("\033[2J\033[H")  # clear the screen, as docker does on a terminal
        ctx.print_lines(_stats_table(names, samples, args.format))
        ctx.out.flush()
        if errors and not samples:
            for error in errors:
                ctx.err.write(error + "\n")
            return 1
    return 0


def _stats_table(names: list[str], samples: dict[str, JSON], format_spec: str | None) -> list[str]:
    rows = [StatsRow(name, samples[name]) for name in names if name in samples]
    return output.listing(rows, format_spec or "", StatsRow.DEFAULT, StatsRow.HEADERS)
