"""System verbs: version, info, inspect, system df, system prune, events (each `VERB_flags`
beside `VERB`, as in rawdock.cli.containers)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import NotFound, RawdockError
from . import output
from .context import CommandError, Context, daemon_error
from .flags import add_filter_flag, add_format_flag, add_prune_flags
from .template import Row, Struct, TemplateError, parse, render

__all__ = ["version", "info", "inspect", "show_inspected", "df", "prune", "events", "event_line"]

JSON = Any
#: docker's status for a --format template it cannot parse (sysexits' EX_USAGE).
EXIT_TEMPLATE_PARSE = 64


def version_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    add_format_flag(parser, "the output", short=True)
    parser.add_argument("--json", action="store_true", help="Print the daemon's JSON")


def version(ctx: Context, args: argparse.Namespace) -> int:
    """GET /version: rawdock's block, then the engine's. With the daemon down the client block
    is printed all the same, then the error, as docker does."""
    try:
        server = ctx.client.version()
    except RawdockError:
        if not args.json:
            _print_template_lines(
                ctx, output.version_lines, _client_version(ctx), None, args.format
            )
        raise
    if args.json:
        ctx.print(output.json_text(server))
    else:
        _print_template_lines(ctx, output.version_lines, _client_version(ctx), server, args.format)
    return 0


def _print_template_lines(
    ctx: Context, lines: Callable[..., list[str]], *values: Any, prefix: str = ""
) -> None:
    """Print what `lines(*values)` returns. A --format template docker cannot parse is a usage
    error (64, EX_USAGE); one that fails on an object has begun a line: an empty line on
    stdout, then the error, status 1."""
    try:
        ctx.print_lines(lines(*values))
    except TemplateError as exc:
        if exc.parsing:
            raise CommandError(f"template parsing error: {exc}", EXIT_TEMPLATE_PARSE) from None
        ctx.print(exc.partial)
        raise CommandError(prefix + str(exc)) from None


def _client_version(ctx: Context) -> JSON:
    from .. import __version__
    from ..client import MAX_API_VERSION
    from ..context import current_context

    try:
        api_version = ctx.client.api_version
    except RawdockError:  # the daemon is down: the version rawdock would ask for
        api_version = MAX_API_VERSION
    try:
        context = current_context()
    except RawdockError:
        context = "default"
    return output.client_version(__version__, api_version, MAX_API_VERSION, context)


def info_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    add_format_flag(parser, "the output", short=True)
    parser.add_argument("--json", action="store_true", help="Print the daemon's JSON")


def info(ctx: Context, args: argparse.Namespace) -> int:
    """GET /info, in docker's sections; the daemon's warnings on stderr. With the daemon down,
    the client's section, then the error, as docker does."""
    try:
        facts = ctx.client.info()
    except RawdockError:
        if not args.json and not args.format:
            ctx.print_lines(_client_info())
        raise
    if args.json:
        ctx.print(output.json_text(facts))
    elif args.format:
        _print_template_lines(ctx, output.formatted, [output.info_struct(facts)], args.format)
    else:
        ctx.print_lines(_client_info())
        ctx.print_lines(output.info_lines(facts))
        for warning in output.info_warnings(facts):
            ctx.err.write(warning + "\n")
    return 0


def _client_info() -> list[str]:
    from .. import __version__
    from ..context import current_context

    return output.client_info_lines(__version__, current_context(), False)


def inspect_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] NAME|ID [NAME|ID...]"
    add_format_flag(parser, "the output", short=True)
    parser.add_argument(
        "--type",
        choices=INSPECT_TYPES,
        help="Only inspect objects of the given type",
    )
    parser.add_argument("name", nargs="+", metavar="NAME|ID")


#: What `docker inspect` looks a name up as, in its order (the swarm objects are left out:
#: on an engine outside a swarm each lookup of them is an error, not a miss).
INSPECT_TYPES = ("container", "image", "network", "volume")


def inspect(ctx: Context, args: argparse.Namespace) -> int:
    """Containers first, then images, networks and volumes, as `docker inspect` looks them up
    (GET /containers/{id}/json, /images/{name}/json, /networks/{id}, /volumes/{name})."""
    by_type: dict[str, Callable[[str], JSON]] = {
        "container": ctx.client.inspect_container,
        "image": ctx.client.inspect_image,
        "network": ctx.client.inspect_network,
        "volume": ctx.client.inspect_volume,
    }
    lookups = [by_type[kind] for kind in INSPECT_TYPES if args.type in (None, kind)]
    return show_inspected(ctx, args, lookups, args.type or "object")


def show_inspected(
    ctx: Context,
    args: argparse.Namespace,
    lookups: Sequence[Callable[[str], JSON]],
    kind: str,
    daemon_words: bool = False,
    no_such: str = "Error: No such {kind}: {name}",
) -> int:
    """Each name through the first lookup that finds it: a JSON array of what was found, or
    each through --format, then one error line per name not found (or failing the template),
    as docker's inspect writes them: "Error: No such container: x", or with `daemon_words` the
    daemon's own message, as `docker network inspect` and `docker volume inspect` print it, or
    `no_such` filled in ("Error: no such service: x", as `docker service inspect` words it)."""
    template = None
    if args.format:
        try:
            template = parse(args.format.replace("\\t", "\t").replace("\\n", "\n"))
        except TemplateError as exc:
            raise CommandError(f"template parsing error: {exc}", EXIT_TEMPLATE_PARSE) from None
    found: list[JSON] = []
    rendered: list[str] = []
    errors: list[str] = []
    for name in args.name:
        missing: NotFound | None = None
        for lookup in lookups:
            try:
                value = lookup(name)
                break
            except NotFound as exc:
                missing = exc
        else:
            if daemon_words and missing is not None:
                errors.append(daemon_error(missing))
            else:
                errors.append(no_such.format(kind=kind, name=name))
            continue
        found.append(value)
        if template is not None:
            try:
                rendered.append(render(template, value))
            except TemplateError as exc:
                errors.append(f"template parsing error: {exc}")
    if template is None:
        ctx.print(output.json_text(found))
    else:
        ctx.print_lines(rendered or [""])
    for error in errors:
        ctx.err.write(error + "\n")
    return 1 if errors else 0


# --- system df --------------------------------------------------------------------------------


def df_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    add_format_flag(parser)


def _reclaimable(size: int, reclaimable: int) -> str:
    # docker's diskUsage contexts: "1.2GB (45%)", the percentage an integer division.
    text = output.human_size(reclaimable, 4)
    return f"{text} ({reclaimable * 100 // size}%)" if size > 0 else text


def df_rows(usage: JSON) -> list[dict[str, str]]:
    """GET /system/df as docker's four rows: images, containers, local volumes, build cache."""
    images = usage.get("Images") or []
    layers = usage.get("LayersSize") or 0
    used = sum(
        i["Size"] - i["SharedSize"]
        for i in images
        if i.get("Containers") and i.get("Size", -1) != -1 and i.get("SharedSize", -1) != -1
    )
    containers = usage.get("Containers") or []
    active = [c for c in containers if c.get("State") in ("running", "paused", "restarting")]
    container_size = sum(c.get("SizeRw") or 0 for c in containers)
    volumes = usage.get("Volumes") or []
    in_use = [v for v in volumes if (v.get("UsageData") or {}).get("RefCount", 0) > 0]

    def volume_size(volume: JSON) -> int:
        size = (volume.get("UsageData") or {}).get("Size", -1)
        return size if size > 0 else 0

    volume_total = sum(volume_size(v) for v in volumes)
    caches = usage.get("BuildCache") or []
    cache_size = sum(c.get("Size") or 0 for c in caches if not c.get("Shared"))
    cache_free = sum(
        c.get("Size") or 0 for c in caches if not c.get("Shared") and not c.get("InUse")
    )
    return [
        {
            "Type": "Images",
            "TotalCount": str(len(images)),
            "Active": str(sum(1 for i in images if i.get("Containers"))),
            "Size": output.human_size(layers, 4),
            "Reclaimable": _reclaimable(layers, layers - used),
        },
        {
            "Type": "Containers",
            "TotalCount": str(len(containers)),
            "Active": str(len(active)),
            "Size": output.human_size(container_size, 4),
            "Reclaimable": _reclaimable(
                container_size,
                sum(c.get("SizeRw") or 0 for c in containers if c not in active),
            ),
        },
        {
            "Type": "Local Volumes",
            "TotalCount": str(len(volumes)),
            "Active": str(len(in_use)),
            "Size": output.human_size(volume_total, 4),
            "Reclaimable": _reclaimable(
                volume_total, sum(volume_size(v) for v in volumes if v not in in_use)
            ),
        },
        {
            "Type": "Build Cache",
            "TotalCount": str(len(caches)),
            "Active": str(sum(1 for c in caches if c.get("InUse"))),
            "Size": output.human_size(cache_size, 4),
            "Reclaimable": output.human_size(cache_free, 4),
        },
    ]


class DiskUsageRow(Row):
    """One line of `docker system df`, with the fields of docker's diskUsageContext."""

    HEADERS = {
        "Type": "TYPE",
        "TotalCount": "TOTAL",
        "Active": "ACTIVE",
        "Size": "SIZE",
        "Reclaimable": "RECLAIMABLE",
    }
    GO_TYPE = "*formatter.diskUsageImagesContext"
    DEFAULT = "table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}"

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def field(self, name: str, args: Sequence[Any]) -> Any:
        if args or name not in self.values:
            raise KeyError(name)
        return self.values[name]


def df(ctx: Context, args: argparse.Namespace) -> int:
    """GET /system/df, summed up as docker's four lines."""
    rows = [DiskUsageRow(values) for values in df_rows(ctx.client.df())]
    ctx.print_lines(
        output.listing(rows, args.format or "", DiskUsageRow.DEFAULT, DiskUsageRow.HEADERS)
    )
    return 0


# --- system prune -----------------------------------------------------------------------------


def prune_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-a", "--all", action="store_true", help="Remove all unused images not just dangling ones"
    )
    add_prune_flags(parser, "label=<key>=<value>")
    parser.add_argument("--volumes", action="store_true", help="Prune anonymous volumes")


def _prune_warning(args: argparse.Namespace) -> str:
    removed = [
        "all stopped containers",
        "all networks not used by at least one container",
        *(["all anonymous volumes not used by at least one container"] if args.volumes else []),
        "all images without at least one container associated to them"
        if args.all
        else "all dangling images",
        "unused build cache",
    ]
    warning = "WARNING! This will remove:\n" + "".join(f"  - {item}\n" for item in removed)
    if args.filter:
        warning += "\n  Items to be pruned will be filtered with:\n"
        warning += "".join(f"  - {value}\n" for value in args.filter)
    return warning


def prune(ctx: Context, args: argparse.Namespace) -> int:
    """`docker system prune`: POST /containers/prune, /networks/prune, (/volumes/prune),
    /images/prune and /build/prune in turn, then the total space reclaimed."""
    from .context import confirm, print_pruned
    from .flags import parse_filters

    if not args.force and not confirm(ctx, _prune_warning(args)):
        return 0
    filters = parse_filters(args.filter)
    reclaimed = 0
    pruned = ctx.client.prune_containers(filters=filters or None)
    print_pruned(ctx, "Deleted Containers:", pruned.get("ContainersDeleted"))
    reclaimed += pruned.get("SpaceReclaimed") or 0
    if args.volumes:
        pruned = ctx.client.prune_volumes(filters=filters or None)
        print_pruned(ctx, "Deleted Volumes:", pruned.get("VolumesDeleted"))
        reclaimed += pruned.get("SpaceReclaimed") or 0
    pruned = ctx.client.prune_networks(filters=filters or None)
    print_pruned(ctx, "Deleted Networks:", pruned.get("NetworksDeleted"))
    image_filters = {**filters, "dangling": ["false" if args.all else "true"]}
    pruned = ctx.client.prune_images(filters=image_filters)
    print_pruned(ctx, "Deleted Images:", _image_changes(pruned.get("ImagesDeleted")))
    reclaimed += pruned.get("SpaceReclaimed") or 0
    pruned = ctx.client.prune_builds(filters=filters or None, all=args.all)
    print_pruned(ctx, "Deleted build cache objects:", pruned.get("CachesDeleted"))
    reclaimed += pruned.get("SpaceReclaimed") or 0
    ctx.print(f"Total reclaimed space: {output.human_size(reclaimed)}")
    return 0


def _image_changes(changes: list[JSON] | None) -> list[str]:
    """ImagesDeleted as docker prints it: "untagged: NAME", "deleted: ID"."""
    lines = []
    for change in changes or []:
        for kind in ("Untagged", "Deleted"):
            if kind in change:
                lines.append(f"{kind.lower()}: {change[kind]}")
    return lines


# --- events -----------------------------------------------------------------------------------


def events_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    add_filter_flag(parser)
    add_format_flag(parser)
    parser.add_argument("--since", metavar="string", help="Show all events created since timestamp")
    parser.add_argument("--until", metavar="string", help="Stream events until this timestamp")


def event_line(event: JSON) -> str:
    """An event as docker prints it: the time (RFC 3339 with all nine digits of nanoseconds,
    jsonmessage.RFC3339NanoFixed, in the local zone), type, action, actor id, then the actor's
    attributes sorted by name."""
    import datetime

    nanos = event.get("timeNano") or int(event.get("time", 0)) * 10**9
    when = datetime.datetime.fromtimestamp(nanos // 10**9).astimezone()
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos % 10**9:09d}"
    offset = when.strftime("%z")
    stamp += "Z" if offset == "+0000" else f"{offset[:3]}:{offset[3:]}"
    actor = event.get("Actor") or {}
    line = f"{stamp} {event.get('Type', '')} {event.get('Action', '')} {actor.get('ID', '')}"
    attributes = actor.get("Attributes") or {}
    if attributes:
        line += " (" + ", ".join(f"{k}={v}" for k, v in sorted(attributes.items())) + ")"
    return line


#: The Go names of an event's fields whose JSON keys differ (events.Message).
EVENT_GO_NAMES = {"Status": "status", "ID": "id", "From": "from", "Scope": "scope",
                  "Time": "time", "TimeNano": "timeNano"}  # fmt: skip


def events(ctx: Context, args: argparse.Namespace) -> int:
    """GET /events, one line per event as it happens (or each through --format), until
    --until or Ctrl-C. --since and --until take what `logs` takes ("10m", RFC 3339, Unix)."""
    import time

    from .flags import parse_filters
    from .options import UsageError, time_flags

    try:
        times = time_flags(args.since, args.until, time.time())
    except UsageError as exc:
        raise CommandError(str(exc)) from None
    template = None
    if args.format:
        spec = "{{json .}}" if args.format == "json" else args.format
        try:
            template = parse(spec.replace("\\t", "\t").replace("\\n", "\n"))
        except TemplateError as exc:
            raise CommandError(f"template parsing error: {exc}") from None
    stream = ctx.client.events(
        since=times.get("since"),
        until=times.get("until"),
        filters=parse_filters(args.filter) or None,
    )
    for event in stream:  # the stream closes with the process, or at --until
        if template is None:
            ctx.print(event_line(event))
        else:
            try:
                ctx.print(render(template, Struct(event, "events.Message", EVENT_GO_NAMES)))
            except TemplateError as exc:
                raise CommandError(f"template parsing error: {exc}") from None
        ctx.out.flush()
    return 0


# --- login, logout ----------------------------------------------------------------------------


def login_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] [SERVER]"
    parser.add_argument("-u", "--username", metavar="string", help="Username")
    parser.add_argument(
        "-p", "--password", metavar="string", help="Password or Personal Access Token (PAT)"
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="Take the Password or Personal Access Token (PAT) from stdin",
    )
    parser.add_argument("server", nargs="?", metavar="SERVER")


def _save_config(config: dict[str, Any]) -> None:
    """config.json as the docker CLI writes it: tab-indented, private to its owner."""
    import json
    import os

    from ..auth import config_path

    path = config_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.tmp"
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
        json.dump(config, file, indent="\t")
    os.replace(temporary, path)


def _read_config() -> dict[str, Any]:
    import json

    from ..auth import config_path

    try:
        with open(config_path(), encoding="utf-8") as file:
            loaded = json.load(file)
    except FileNotFoundError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _credential_helper(config: dict[str, Any], server: str) -> str | None:
    helpers = config.get("credHelpers") or {}
    return str(helpers.get(server) or config.get("credsStore") or "") or None


def _run_helper(helper: str, action: str, data: str) -> None:
    """`docker-credential-HELPER store|erase`, the protocol's JSON or server on stdin."""
    import subprocess

    done = subprocess.run(
        [f"docker-credential-{helper}", action], input=data.encode(), capture_output=True
    )
    if done.returncode != 0:
        message = (done.stdout or done.stderr).decode(errors="replace").strip()
        raise CommandError(
            f"error {action.replace('store', 'storing')} credentials - err: {message}"
        )


def login(ctx: Context, args: argparse.Namespace) -> int:
    """POST /auth (the daemon asks the registry), then the credentials saved as the docker CLI
    saves them: a credential helper's `store` when config.json names one, else base64
    `user:password` under `auths` in config.json."""
    import base64
    import json
    import sys

    from ..auth import INDEX_SERVER, config_path

    if args.password and args.password_stdin:
        raise CommandError("--password and --password-stdin are mutually exclusive")
    if args.password_stdin:
        if not args.username:
            raise CommandError("Must provide --username with --password-stdin")
        args.password = sys.stdin.read().rstrip("\r\n")
    elif args.password:
        ctx.err.write("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n")
    if not args.username or not args.password:
        raise CommandError("rawdock login asks for no credentials on a terminal: give --username "
                           "and --password-stdin (or -p)")  # fmt: skip
    server = args.server or INDEX_SERVER
    answer = ctx.client.login(args.username, args.password, args.server)
    config = _read_config()
    helper = _credential_helper(config, server)
    if helper:
        secret = {"ServerURL": server, "Username": args.username, "Secret": args.password}
        _run_helper(helper, "store", json.dumps(secret))
    else:
        token = base64.b64encode(f"{args.username}:{args.password}".encode()).decode()
        config.setdefault("auths", {})[server] = {"auth": token}
        _save_config(config)
        ctx.err.write(
            f"\nWARNING! Your credentials are stored unencrypted in '{config_path()}'.\n"
            "Configure a credential helper to remove this warning. See\n"
            "https://docs.docker.com/go/credential-store/\n\n"
        )
    ctx.print(str(answer.get("Status") or "Login Succeeded"))
    return 0


def logout_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [SERVER]"
    parser.add_argument("server", nargs="?", metavar="SERVER")


def logout(ctx: Context, args: argparse.Namespace) -> int:
    """Forget a registry's credentials (config.json, or the credential helper's `erase`); no
    request is sent."""
    from ..auth import INDEX_SERVER

    server = args.server or INDEX_SERVER
    ctx.print(f"Removing login credentials for {server}")
    config = _read_config()
    helper = _credential_helper(config, server)
    if helper:
        _run_helper(helper, "erase", server)
    auths = config.get("auths") or {}
    if server in auths:
        del auths[server]
        _save_config(config)
    return 0
