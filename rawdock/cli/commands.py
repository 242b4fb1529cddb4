"""The verbs. Each is one function `verb(ctx, args) -> exit status` plus its lines in
`register()`, which declares its flags. Functions make requests through `ctx.client` and hand the
answers to `rawdock.cli.output` to be formatted; they print nothing themselves but through `ctx`.

Adding a verb (say `node ls`): write `def node_ls(ctx, args)`, then in `register()`:

    nodes = group(verbs, "node", "Manage swarm nodes")
    add(nodes, "ls", node_ls, "List nodes").add_argument("-q", "--quiet", action="store_true")
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .. import __version__
from ..api import API
from ..errors import DockerError, NotFound
from . import output
from .context import CommandError, Context, daemon_error
from .options import (
    UsageError,
    parse_env,
    parse_filters,
    parse_labels,
    parse_ports,
    parse_reference,
)

__all__ = ["register", "add", "group"]

JSON = Any
Verb = Callable[[Context, argparse.Namespace], int]

#: docker run's own exit statuses (docs "docker run: exit status").
EXIT_DAEMON_ERROR = 125  # the daemon failed before the container ran
EXIT_CANNOT_INVOKE = 126  # the command exists but cannot be run
EXIT_NOT_FOUND = 127  # the command does not exist


# --- System -----------------------------------------------------------------------------------


def version(ctx: Context, args: argparse.Namespace) -> int:
    server = ctx.client.version()
    if args.json:
        ctx.print(output.json_text(server))
    else:
        ctx.print(output.version_text(__version__, ctx.client.api_version, server))
    return 0


def info(ctx: Context, args: argparse.Namespace) -> int:
    facts = ctx.client.info()
    ctx.print(output.json_text(facts) if args.json else output.info_text(facts))
    return 0


# --- Images -----------------------------------------------------------------------------------


def images(ctx: Context, args: argparse.Namespace) -> int:
    filters = parse_filters(args.filter)
    if args.reference:
        filters.setdefault("reference", []).append(args.reference)
    found = ctx.client.images(all=args.all, filters=filters or None)
    if args.json:
        ctx.print(output.json_text(found))
    elif args.quiet:
        for _, _, image in output.image_rows(found):
            ctx.print(image["Id"] if args.no_trunc else output.short_id(image["Id"]))
    else:
        ctx.print(output.images_table(found, time.time(), args.no_trunc))
    return 0


def pull(ctx: Context, args: argparse.Namespace) -> int:
    reference = parse_reference(args.image)
    show_pull(ctx, reference.name, reference.api_tag, quiet=args.quiet, to_stderr=False)
    ctx.print(str(reference))
    return 0


def show_pull(ctx: Context, name: str, tag: str, quiet: bool, to_stderr: bool) -> None:
    """Pull and draw the progress (bars on a terminal, plain lines elsewhere)."""
    out, terminal = (ctx.err, ctx.stderr_is_terminal) if to_stderr else (ctx.out, ctx.is_terminal)
    progress = output.PullProgress(out, terminal, ctx.terminal_width)
    for message in ctx.client.pull(name, tag):
        if not quiet:
            progress.show(message)


def rmi(ctx: Context, args: argparse.Namespace) -> int:
    def remove(name: str) -> None:
        for change in ctx.client.remove_image(name, force=args.force, noprune=args.no_prune):
            for kind in ("Untagged", "Deleted"):
                if kind in change:
                    ctx.print(f"{kind}: {change[kind]}")

    return for_each(ctx, args.image, remove)


def tag(ctx: Context, args: argparse.Namespace) -> int:
    target = parse_reference(args.target)
    if target.digest:
        raise UsageError(f"refusing to create a tag with a digest reference: {args.target!r}")
    ctx.client.tag_image(args.source, target.name, target.tag or "latest")
    return 0


# --- Containers -------------------------------------------------------------------------------


def ps(ctx: Context, args: argparse.Namespace) -> int:
    limit = 1 if args.latest else args.last
    found = ctx.client.containers(
        all=args.all or limit is not None,
        filters=parse_filters(args.filter) or None,
        limit=limit,
    )
    if args.json:
        ctx.print(output.json_text(found))
    elif args.quiet:
        for container in found:
            ctx.print(container["Id"] if args.no_trunc else output.short_id(container["Id"]))
    else:
        ctx.print(output.ps_table(found, time.time(), args.no_trunc))
    return 0


def container_config(args: argparse.Namespace) -> dict[str, Any]:
    """The body of POST /containers/create from `create`/`run` flags, as the docker CLI
    builds it (only the fields a flag set, so `--curl` shows a readable body)."""
    config: dict[str, Any] = {"Image": args.image}
    if args.command:
        config["Cmd"] = args.command
    if args.entrypoint is not None:
        config["Entrypoint"] = [args.entrypoint]
    if args.env:
        config["Env"] = parse_env(args.env)
    if args.label:
        config["Labels"] = parse_labels(args.label)
    for flag, field in (("workdir", "WorkingDir"), ("user", "User"), ("hostname", "Hostname")):
        if getattr(args, flag):
            config[field] = getattr(args, flag)
    if args.tty:
        config["Tty"] = True
    ports = parse_ports(args.publish)
    host_config: dict[str, Any] = {}
    if ports.exposed:
        config["ExposedPorts"] = ports.exposed
        host_config["PortBindings"] = ports.bindings
    if args.network:
        host_config["NetworkMode"] = args.network
    if args.rm and getattr(args, "detach", True):
        # The daemon removes it when it exits. An attached `run --rm` removes it itself after
        # reading the exit status, since it reads logs (not an attach stream opened before
        # start) and the daemon could remove the container before the logs are read.
        host_config["AutoRemove"] = True
    if host_config:
        config["HostConfig"] = host_config
    return config


def create_container(ctx: Context, args: argparse.Namespace) -> JSON:
    """POST /containers/create, pulling the image first when it is missing (--pull missing, as
    docker does) or always."""
    config = container_config(args)
    if args.pull == "always":
        reference = parse_reference(args.image)
        show_pull(ctx, reference.name, reference.api_tag, quiet=False, to_stderr=True)
    try:
        created = ctx.client.create_container(config, name=args.name)
    except NotFound as exc:
        if args.pull != "missing" or "image" not in exc.message.lower():
            raise
        reference = parse_reference(args.image)
        ctx.err.write(f"Unable to find image '{reference}' locally\n")
        show_pull(ctx, reference.name, reference.api_tag, quiet=False, to_stderr=True)
        created = ctx.client.create_container(config, name=args.name)
    for warning in created.get("Warnings") or []:
        ctx.err.write(f"WARNING: {warning}\n")
    return created


def create(ctx: Context, args: argparse.Namespace) -> int:
    ctx.print(create_container(ctx, args)["Id"])
    return 0


def _start_failure_status(message: str) -> int:
    # docker run's mapping of runtime errors to shell-like statuses (cli/command/container/run.go)
    if re.search(r"executable file not found|no such file or directory", message):
        return EXIT_NOT_FOUND
    if re.search(r"permission denied|is a directory", message):
        return EXIT_CANNOT_INVOKE
    return EXIT_DAEMON_ERROR


def run(ctx: Context, args: argparse.Namespace) -> int:
    """create + start; without -d, print the output as it comes (logs follow) and exit with the
    container's status, as `docker run` does."""
    try:
        created = create_container(ctx, args)
    except DockerError as exc:
        raise CommandError(daemon_error(exc), EXIT_DAEMON_ERROR) from exc
    # The article's requests start the container by name; either is the same container.
    container = args.name or created["Id"]
    try:
        ctx.client.start_container(container)
    except DockerError as exc:
        if args.rm:
            _remove_quietly(ctx, container)
        raise CommandError(daemon_error(exc), _start_failure_status(exc.message)) from exc
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


def follow_output(
    ctx: Context, container: str, tty: bool | None = None, **options: Any
) -> Iterator[tuple[str, bytes]]:
    """GET /containers/{id}/logs as (stream, bytes). Like the docker CLI, it learns whether the
    container has a TTY (which decides the framing) before it asks for the logs, so the stream
    is never interleaved with a second request (which would also garble --trace)."""
    if tty is None:
        tty = bool((ctx.client.inspect_container(container).get("Config") or {}).get("Tty"))
    call = API.logs.describe(container, **options)
    known = call._replace(
        decoder=lambda headers, _unknown: call.decoder(headers, tty), tty_probe=None
    )
    return ctx.client._stream(known)


def copy_output(ctx: Context, stream: Iterable[tuple[str, bytes]]) -> None:
    """Container output to our stdout and stderr, byte for byte, as it arrives."""
    for name, data in stream:
        sink = ctx.err_bytes if name == "stderr" else ctx.out_bytes
        sink.write(data)
        sink.flush()


def logs(ctx: Context, args: argparse.Namespace) -> int:
    stream = follow_output(
        ctx,
        args.container,
        follow=args.follow,
        timestamps=args.timestamps,
        tail=args.tail,
        since=args.since,
        until=args.until,
    )
    copy_output(ctx, stream)
    return 0


def for_each(ctx: Context, names: Iterable[str], action: Callable[[str], object]) -> int:
    """Run `action` on each name; a failure is reported and the others still run (docker's
    behaviour for stop, rm, ...). Status 1 when any failed."""
    failed = False
    for name in names:
        try:
            action(name)
        except DockerError as exc:
            ctx.err.write(daemon_error(exc) + "\n")
            failed = True
    return 1 if failed else 0


def _echoing(ctx: Context, action: Callable[[str], object]) -> Callable[[str], None]:
    def act(name: str) -> None:
        action(name)
        ctx.print(name)

    return act


def start(ctx: Context, args: argparse.Namespace) -> int:
    return for_each(ctx, args.container, _echoing(ctx, ctx.client.start_container))


def stop(ctx: Context, args: argparse.Namespace) -> int:
    def action(name: str) -> None:
        ctx.client.stop_container(name, timeout=args.time)

    return for_each(ctx, args.container, _echoing(ctx, action))


def restart(ctx: Context, args: argparse.Namespace) -> int:
    def action(name: str) -> None:
        ctx.client.restart_container(name, timeout=args.time)

    return for_each(ctx, args.container, _echoing(ctx, action))


def kill(ctx: Context, args: argparse.Namespace) -> int:
    def action(name: str) -> None:
        ctx.client.kill_container(name, signal=args.signal)

    return for_each(ctx, args.container, _echoing(ctx, action))


def rm(ctx: Context, args: argparse.Namespace) -> int:
    def action(name: str) -> None:
        ctx.client.remove_container(name, force=args.force, volumes=args.volumes)

    return for_each(ctx, args.container, _echoing(ctx, action))


def wait(ctx: Context, args: argparse.Namespace) -> int:
    def action(name: str) -> None:
        ctx.print(str(ctx.client.wait_container(name)["StatusCode"]))

    return for_each(ctx, args.container, action)


def inspect(ctx: Context, args: argparse.Namespace) -> int:
    """Containers first, then images, as `docker inspect` looks them up: a JSON array of what
    was found, and "Error: No such object" for the rest."""
    found: list[JSON] = []
    missing: list[str] = []
    for name in args.name:
        result = None
        if args.type in (None, "container"):
            result = _found_or_none(ctx.client.inspect_container, name)
        if result is None and args.type in (None, "image"):
            result = _found_or_none(ctx.client.inspect_image, name)
        if result is None:
            missing.append(name)
        else:
            found.append(result)
    ctx.print(output.json_text(found))
    for name in missing:
        ctx.err.write(f"Error: No such {args.type or 'object'}: {name}\n")
    return 1 if missing else 0


def _found_or_none(lookup: Callable[[str], JSON], name: str) -> JSON | None:
    try:
        return lookup(name)
    except NotFound:
        return None


# --- The parser -------------------------------------------------------------------------------


def add(verbs: argparse._SubParsersAction[Any], name: str, verb: Verb, summary: str) -> Any:
    """Register `verb` as `rawdock NAME`; returns its parser, for its flags."""
    parser = verbs.add_parser(name, help=summary, description=summary)
    parser.set_defaults(verb=verb)
    return parser


def group(verbs: argparse._SubParsersAction[Any], name: str, summary: str) -> Any:
    """A verb with verbs of its own (`rawdock service ls`); returns their subparsers."""
    parser = verbs.add_parser(name, help=summary, description=summary)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    sub.required = True
    return sub


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the daemon's JSON")


def _list_flags(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("-a", "--all", action="store_true", help=f"show all {what}")
    parser.add_argument("-q", "--quiet", action="store_true", help="only show ids")
    parser.add_argument(
        "-f", "--filter", action="append", default=[], metavar="K=V", help="filter the list"
    )
    parser.add_argument("--no-trunc", action="store_true", help="don't truncate output")
    _json_flag(parser)


def _container_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", help="assign a name to the container")
    parser.add_argument(
        "-p",
        "--publish",
        action="append",
        default=[],
        metavar="[IP:][HOST:]CONT[/PROTO]",
        help="publish a container port on the host",
    )
    parser.add_argument(
        "-e", "--env", action="append", default=[], metavar="K=V", help="set a variable"
    )
    parser.add_argument(
        "-l", "--label", action="append", default=[], metavar="K=V", help="set a label"
    )
    parser.add_argument("--rm", action="store_true", help="remove the container when it exits")
    parser.add_argument("--entrypoint", help="override the image's entrypoint")
    parser.add_argument("-w", "--workdir", help="working directory inside the container")
    parser.add_argument("-u", "--user", help="user name or UID[:GID]")
    parser.add_argument("--hostname", help="container host name")
    parser.add_argument("-t", "--tty", action="store_true", help="allocate a pseudo-TTY")
    parser.add_argument("--network", help="connect the container to a network")
    parser.add_argument(
        "--pull",
        choices=("missing", "always", "never"),
        default="missing",
        help="pull the image before creating (default: when missing)",
    )
    parser.add_argument("image", metavar="IMAGE")
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND ...")


def _names(parser: argparse.ArgumentParser, dest: str = "container") -> None:
    parser.add_argument(dest, nargs="+", metavar=dest.upper())


def register(verbs: argparse._SubParsersAction[Any]) -> None:
    """Every verb and its flags, as the docker CLI spells them."""
    _json_flag(add(verbs, "version", version, "Show the rawdock and Docker versions"))
    _json_flag(add(verbs, "info", info, "Display system-wide information"))

    p = add(verbs, "images", images, "List images")
    _list_flags(p, "images (default hides intermediate images)")
    p.add_argument("reference", nargs="?", metavar="REPOSITORY[:TAG]")

    p = add(verbs, "pull", pull, "Download an image from a registry")
    p.add_argument("-q", "--quiet", action="store_true", help="suppress the progress output")
    p.add_argument("image", metavar="NAME[:TAG|@DIGEST]")

    p = add(verbs, "rmi", rmi, "Remove one or more images")
    p.add_argument("-f", "--force", action="store_true", help="force removal")
    p.add_argument("--no-prune", action="store_true", help="do not delete untagged parents")
    _names(p, "image")

    p = add(verbs, "tag", tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
    p.add_argument("source", metavar="SOURCE_IMAGE[:TAG]")
    p.add_argument("target", metavar="TARGET_IMAGE[:TAG]")

    p = add(verbs, "ps", ps, "List containers")
    _list_flags(p, "containers (default shows just running)")
    p.add_argument("-n", "--last", type=int, metavar="N", help="show the N last created")
    p.add_argument("-l", "--latest", action="store_true", help="show the latest created")

    _container_flags(add(verbs, "create", create, "Create a new container"))

    p = add(verbs, "run", run, "Create and start a container, and show its output")
    p.add_argument("-d", "--detach", action="store_true", help="run in the background")
    _container_flags(p)

    _names(add(verbs, "start", start, "Start one or more stopped containers"))

    for name, verb, summary in (
        ("stop", stop, "Stop one or more running containers"),
        ("restart", restart, "Restart one or more containers"),
    ):
        p = add(verbs, name, verb, summary)
        p.add_argument("-t", "--time", type=int, metavar="N", help="seconds to wait before kill")
        _names(p)

    p = add(verbs, "kill", kill, "Kill one or more running containers")
    p.add_argument("-s", "--signal", help="signal to send (default KILL)")
    _names(p)

    p = add(verbs, "rm", rm, "Remove one or more containers")
    p.add_argument("-f", "--force", action="store_true", help="remove even if running")
    p.add_argument("-v", "--volumes", action="store_true", help="remove anonymous volumes")
    _names(p)

    p = add(verbs, "logs", logs, "Fetch the logs of a container")
    p.add_argument("-f", "--follow", action="store_true", help="follow log output")
    p.add_argument("--tail", default="all", metavar="N", help="lines from the end (default all)")
    p.add_argument("-t", "--timestamps", action="store_true", help="show timestamps")
    p.add_argument("--since", help="logs since a timestamp or relative time (e.g. 42m)")
    p.add_argument("--until", help="logs before a timestamp or relative time")
    p.add_argument("container", metavar="CONTAINER")

    _names(add(verbs, "wait", wait, "Wait for containers to stop, print their exit codes"))

    p = add(verbs, "inspect", inspect, "Low-level information on containers or images")
    p.add_argument("--type", choices=("container", "image"), help="only look for this type")
    _names(p, "name")
