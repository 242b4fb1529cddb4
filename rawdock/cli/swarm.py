"""`rawdock swarm ...`, `rawdock node ...` and `rawdock service ...`: the Swarm verbs, shaped
like docker's. Each verb is a pair, listed in rawdock.cli.verbs: `VERB_flags(parser)` declares
its flags, `VERB(ctx, args)` runs it and returns the exit status.

    rawdock swarm init --advertise-addr 10.99.0.1 --listen-addr 10.99.0.1:2377
    rawdock swarm join --token SWMTKN-... 10.99.0.1:2377
    rawdock node ls ; rawdock node update --availability drain node3 ; rawdock node ps node3
    rawdock service create --name web --replicas 3 --update-parallelism 1 IMAGE sleep 600
    rawdock service update --image IMAGE:2 web      # waits as docker does (-d does not)
    rawdock service rollback web ; rawdock service logs web

A request that only a manager can answer, sent to a worker, fails with the managers' addresses
(from the worker's own GET /info) in the message.
"""

from __future__ import annotations

import argparse
import copy
import functools
import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..errors import NotFound, NotSwarmManager, RawdockError
from .context import CommandError, Context
from .flags import add_filter_flag, add_format_flag, parse_filters
from .options import UsageError, parse_env, parse_labels
from .output import ellipsis, human_duration, listing, seconds_since, short_id
from .template import Row

__all__ = [
    "service_spec",
    "ServiceRow",
    "NodeRow",
    "TaskRow",
    "services_listing",
    "nodes_listing",
    "tasks_listing",
]

JSON = Any
Verb = Callable[[Context, argparse.Namespace], int]

#: How often a waiting `service create/update/scale/rollback` asks how its tasks are doing.
POLL_SECONDS = 0.5
#: docker's default listen address for swarm traffic.
DEFAULT_LISTEN_ADDR = "0.0.0.0:2377"
_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)")
_NS_PER_UNIT = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_MEMORY = re.compile(r"([0-9]*\.?[0-9]+)\s*([kmgtp]?)(i?b)?", re.I)


def _manager_only(verb: Verb) -> Verb:
    """Say where the managers are when a worker refuses a manager's request (503)."""

    @functools.wraps(verb)
    def run(ctx: Context, args: argparse.Namespace) -> int:
        try:
            return verb(ctx, args)
        except NotSwarmManager as exc:
            swarm = ctx.client.info().get("Swarm", {})
            managers = swarm.get("RemoteManagers") or []
            message = f"Error response from daemon: {exc.message}"
            if swarm.get("LocalNodeState") == "active" and managers:
                where = ", ".join(f"{m['Addr']} (node {m['NodeID']})" for m in managers)
                message += f"\nrawdock: this engine is a worker; the managers are at {where}"
            raise CommandError(message) from None

    return run


# --- Values from the command line -------------------------------------------------------------


def parse_duration(text: str) -> int:
    """A Go duration ("10s", "1m30s", "500ms") in nanoseconds, as the API takes it."""
    if text in ("0", ""):
        return 0
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise UsageError(f'invalid duration "{text}": expected e.g. 10s, 1m30s, 500ms')
    return int(sum(float(number) * _NS_PER_UNIT[unit] for number, unit in parts))


def parse_memory(text: str) -> int:
    """ "64m", "1g", "512MiB" in bytes, powers of 1024 as docker's RAMInBytes reads them."""
    match = _MEMORY.fullmatch(text.strip())
    if not match:
        raise UsageError(f"invalid size: '{text}'")
    power = " kmgtp".index(match.group(2).lower() or " ")
    return int(float(match.group(1)) * 1024**power)


def parse_cpus(text: str) -> int:
    """ "0.5" CPUs in NanoCPUs."""
    try:
        return int(float(text) * 1_000_000_000)
    except ValueError:
        raise UsageError(f"invalid CPU value {text!r}: expected a number such as 0.5") from None


def parse_publish(value: str) -> dict[str, Any]:
    """`-p 8080:80[/udp]` or `-p published=8080,target=80,mode=host` as an EndpointSpec port."""
    if "=" in value:
        fields = dict(item.partition("=")[::2] for item in value.split(","))
        port = {
            "Protocol": fields.get("protocol", "tcp"),
            "TargetPort": int(fields["target"]),
            "PublishMode": fields.get("mode", "ingress"),
        }
        if fields.get("published"):
            port["PublishedPort"] = int(fields["published"])
        return port
    ports, _, protocol = value.partition("/")
    published, colon, target = ports.rpartition(":")
    if not target.isdigit() or (colon and not published.isdigit()):
        raise UsageError(f"invalid publish value {value!r}: expected PUBLISHED:TARGET[/PROTOCOL]")
    port = {"Protocol": protocol or "tcp", "TargetPort": int(target), "PublishMode": "ingress"}
    if published:
        port["PublishedPort"] = int(published)
    return port


def parse_mount(value: str) -> dict[str, Any]:
    """`--mount type=bind,source=/a,target=/b,readonly` as a ContainerSpec mount."""
    mount: dict[str, Any] = {"Type": "volume"}
    for item in value.split(","):
        key, eq, field = item.partition("=")
        key = key.strip().lower()
        if key == "type":
            mount["Type"] = field
        elif key in ("source", "src"):
            mount["Source"] = field
        elif key in ("target", "destination", "dst"):
            mount["Target"] = field
        elif key in ("readonly", "ro"):
            mount["ReadOnly"] = not eq or field.lower() in ("1", "true")
        else:
            raise UsageError(f"unexpected key '{key}' in '{value}'")
    if "Target" not in mount:
        raise UsageError(f"target is required in --mount {value!r}")
    return mount


def _key_value(item: str, what: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise CommandError(f"rawdock: expected {what} as KEY=VALUE, got {item!r}")
    return key, value


# --- Tables: docker's service, node and task formatter contexts -------------------------------

# `--format raw` (docker's undocumented key) and `-q`, as each of docker's NewFormat picks them.
_QUIET_FORMAT = "{{.ID}}"


def _list_format(format_spec: str | None, quiet: bool, raw: str, raw_quiet: str) -> str:
    """What docker's formatter runs for `--format` and `-q` on the swarm lists: no format (or
    "table") is the default table, or only the IDs with -q; "raw" is docker's key-value form;
    any other format is used as it is, -q or not."""
    if not format_spec or format_spec == "table":
        return _QUIET_FORMAT if quiet else "table"
    if format_spec == "raw":
        return raw_quiet if quiet else raw
    return format_spec


def _natural_key(text: str) -> list[Any]:
    # docker sorts names "naturally" (sortorder.NaturalLess): node2 before node10.
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _image(image: str) -> str:
    """docker shows a tagged image without the digest it pinned ("busybox:1@sha256:..." is
    "busybox:1"), in its familiar form (no "docker.io/library/")."""
    name, at, _digest = image.partition("@")
    if not at or ":" not in name.rpartition("/")[2]:
        return image
    official = name.removeprefix("docker.io/library/")
    return official if "/" not in official else name.removeprefix("docker.io/")


def _port_ranges(ports: Iterable[JSON]) -> list[str]:
    """docker's serviceContext.Ports: ingress ports sorted by protocol and published port,
    consecutive ones joined as ranges ("*:80-81->80-81/tcp")."""
    ingress = sorted(
        (port for port in ports if port.get("PublishMode", "ingress") == "ingress"),
        key=lambda port: (port.get("Protocol", "tcp"), port.get("PublishedPort", 0)),
    )
    ranges: list[list[Any]] = []  # [published start, end, target start, end, protocol]
    for port in ingress:
        published, target = port.get("PublishedPort", 0), port.get("TargetPort", 0)
        protocol = port.get("Protocol", "tcp")
        last = ranges[-1] if ranges else None
        if (
            last is None
            or protocol != last[4]
            or published - last[1] > 1
            or target - last[3] > 1
            or (last[3] != last[2] and target <= last[3])
        ):
            ranges.append([published, published, target, target, protocol])
        else:
            last[1], last[3] = published, target
    texts = []
    for p_start, p_end, t_start, t_end, protocol in ranges:
        published = f"{p_start}-{p_end}" if p_end > p_start else str(p_start)
        target = f"{t_start}-{t_end}" if t_end > t_start else str(t_start)
        texts.append(f"*:{published}->{target}/{protocol}")
    return texts


class ServiceRow(Row):
    """One service of GET /services?status=1, with the fields of docker's serviceContext."""

    HEADERS = {
        "ID": "ID",
        "Name": "NAME",
        "Mode": "MODE",
        "Replicas": "REPLICAS",
        "Image": "IMAGE",
        "Ports": "PORTS",
    }
    GO_TYPE = "*service.serviceContext"
    DEFAULT = "table {{.ID}}\\t{{.Name}}\\t{{.Mode}}\\t{{.Replicas}}\\t{{.Image}}\\t{{.Ports}}"
    RAW = (
        "id: {{.ID}}\\nname: {{.Name}}\\nmode: {{.Mode}}\\nreplicas: {{.Replicas}}\\n"
        "image: {{.Image}}\\nports: {{.Ports}}\\n"
    )

    def __init__(self, service: JSON) -> None:
        self.s = service
        self.spec = service.get("Spec") or {}

    def ID(self) -> str:  # noqa: N802 -- docker's field names
        return short_id(str(self.s["ID"]))

    def Name(self) -> str:  # noqa: N802
        return str(self.spec.get("Name", ""))

    def Mode(self) -> str:  # noqa: N802
        mode = self.spec.get("Mode") or {}
        names = {"Global": "global", "Replicated": "replicated",
                 "ReplicatedJob": "replicated job", "GlobalJob": "global job"}  # fmt: skip
        return next((names[key] for key in names if key in mode), "")

    def Replicas(self) -> str:  # noqa: N802
        status = self.s.get("ServiceStatus") or {}
        running, desired = status.get("RunningTasks", 0), status.get("DesiredTasks", 0)
        completed = status.get("CompletedTasks", 0)
        mode = self.spec.get("Mode") or {}
        if "ReplicatedJob" in mode:
            total = mode["ReplicatedJob"].get("TotalCompletions", 0)
            return f"{running}/{desired} ({completed}/{total} completed)"
        if "GlobalJob" in mode:
            return f"{running}/{desired} ({completed}/{desired + completed} completed)"
        placement = (self.spec.get("TaskTemplate") or {}).get("Placement") or {}
        most = placement.get("MaxReplicas", 0) if "Replicated" in mode else 0
        return f"{running}/{desired} (max {most} per node)" if most else f"{running}/{desired}"

    def Image(self) -> str:  # noqa: N802
        container = (self.spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
        return _image(str(container.get("Image", "")))

    def Ports(self) -> str:  # noqa: N802
        return ", ".join(_port_ranges((self.s.get("Endpoint") or {}).get("Ports") or []))


def services_listing(services: Iterable[JSON], format_spec: str | None, quiet: bool) -> list[str]:
    """`docker service ls`, by name, as a table or through --format (-q: the IDs)."""
    rows = sorted((ServiceRow(s) for s in services), key=lambda row: _natural_key(row.Name()))
    spec = _list_format(format_spec, quiet, ServiceRow.RAW, "id: {{.ID}}")
    return listing(rows, spec, ServiceRow.DEFAULT, ServiceRow.HEADERS)


class NodeRow(Row):
    """One node of GET /nodes, with the fields of docker's nodeContext; `self_id` is the node
    of the engine asked (GET /info's Swarm.NodeID), `cluster_tls` its cluster's TLSInfo."""

    HEADERS = {
        "ID": "ID",
        "Self": "",
        "Hostname": "HOSTNAME",
        "Status": "STATUS",
        "Availability": "AVAILABILITY",
        "ManagerStatus": "MANAGER STATUS",
        "EngineVersion": "ENGINE VERSION",
        "TLSStatus": "TLS STATUS",
    }
    GO_TYPE = "*node.nodeContext"
    DEFAULT = (
        "table {{.ID}} {{if .Self}}*{{else}} {{ end }}\\t{{.Hostname}}\\t{{.Status}}"
        "\\t{{.Availability}}\\t{{.ManagerStatus}}\\t{{.EngineVersion}}"
    )
    RAW = (
        "node_id: {{.ID}}\\nhostname: {{.Hostname}}\\nstatus: {{.Status}}\\n"
        "availability: {{.Availability}}\\nmanager_status: {{.ManagerStatus}}\\n"
    )

    def __init__(self, node: JSON, self_id: str = "", cluster_tls: JSON = None) -> None:
        self.n = node
        self.self_id = self_id
        self.cluster_tls = cluster_tls

    def ID(self) -> str:  # noqa: N802
        return str(self.n["ID"])

    def Self(self) -> bool:  # noqa: N802
        return bool(self.self_id) and self.n["ID"] == self.self_id

    def Hostname(self) -> str:  # noqa: N802
        return str((self.n.get("Description") or {}).get("Hostname", ""))

    def Status(self) -> str:  # noqa: N802
        return str((self.n.get("Status") or {}).get("State", "")).capitalize()

    def Availability(self) -> str:  # noqa: N802
        return str((self.n.get("Spec") or {}).get("Availability", "")).capitalize()

    def ManagerStatus(self) -> str:  # noqa: N802
        manager = self.n.get("ManagerStatus") or {}
        reachability = "leader" if manager.get("Leader") else manager.get("Reachability", "")
        return str(reachability).capitalize()

    def EngineVersion(self) -> str:  # noqa: N802
        return str(((self.n.get("Description") or {}).get("Engine") or {}).get("EngineVersion", ""))

    def TLSStatus(self) -> str:  # noqa: N802
        own = (self.n.get("Description") or {}).get("TLSInfo") or {}
        if not self.cluster_tls or not own:
            return "Unknown"
        return "Ready" if own == self.cluster_tls else "Needs Rotation"


def nodes_listing(
    nodes: Iterable[JSON], format_spec: str | None, quiet: bool, info: JSON = None
) -> list[str]:
    """`docker node ls`, by hostname, as a table or through --format (-q: the IDs). `info` is
    GET /info's answer (docker asks for it only without -q): which node is `*`, and the
    cluster's TLS for .TLSStatus."""
    swarm = (info or {}).get("Swarm") or {}
    self_id = swarm.get("NodeID", "")
    cluster_tls = (swarm.get("Cluster") or {}).get("TLSInfo")
    rows = [NodeRow(node, self_id, cluster_tls) for node in nodes]
    rows.sort(key=lambda row: _natural_key(row.Hostname()))
    spec = _list_format(format_spec, quiet, NodeRow.RAW, "node_id: {{.ID}}")
    return listing(rows, spec, NodeRow.DEFAULT, NodeRow.HEADERS)


class TaskRow(Row):
    """One task of GET /tasks, with the fields of docker's taskContext. `name` (service.slot,
    or service.node for a global service) and `node` (the node's hostname) are resolved by
    the caller, as docker's task.Print resolves them."""

    HEADERS = {
        "ID": "ID",
        "Name": "NAME",
        "Image": "IMAGE",
        "Node": "NODE",
        "DesiredState": "DESIRED STATE",
        "CurrentState": "CURRENT STATE",
        "Error": "ERROR",
        "Ports": "PORTS",
    }
    GO_TYPE = "*task.taskContext"
    DEFAULT = (
        "table {{.ID}}\\t{{.Name}}\\t{{.Image}}\\t{{.Node}}\\t{{.DesiredState}}"
        "\\t{{.CurrentState}}\\t{{.Error}}\\t{{.Ports}}"
    )
    RAW = (
        "id: {{.ID}}\\nname: {{.Name}}\\nimage: {{.Image}}\\nnode: {{.Node}}\\n"
        "desired_state: {{.DesiredState}}\\ncurrent_state: {{.CurrentState}}\\n"
        "error: {{.Error}}\\nports: {{.Ports}}\\n"
    )
    #: docker's maxErrLength: a task's error is cut to this many characters unless --no-trunc.
    MAX_ERROR_LENGTH = 30

    def __init__(self, task: JSON, name: str, node: str, trunc: bool, now: float) -> None:
        self.t = task
        self.name, self.node = name, node
        self.trunc = trunc
        self.now = now

    def ID(self) -> str:  # noqa: N802
        return short_id(str(self.t["ID"])) if self.trunc else str(self.t["ID"])

    def Name(self) -> str:  # noqa: N802
        return self.name

    def Image(self) -> str:  # noqa: N802
        image = str(((self.t.get("Spec") or {}).get("ContainerSpec") or {}).get("Image", ""))
        return _image(image) if self.trunc else image

    def Node(self) -> str:  # noqa: N802
        return self.node

    def DesiredState(self) -> str:  # noqa: N802
        return str(self.t.get("DesiredState", "")).capitalize()

    def CurrentState(self) -> str:  # noqa: N802
        status = self.t.get("Status") or {}
        age = human_duration(seconds_since(status.get("Timestamp", ""), self.now)).lower()
        return f"{str(status.get('State', '')).capitalize()} {age} ago"

    def Error(self) -> str:  # noqa: N802
        error = str((self.t.get("Status") or {}).get("Err", ""))
        if self.trunc:
            error = ellipsis(error, self.MAX_ERROR_LENGTH)
        return f'"{error}"' if error else ""

    def Ports(self) -> str:  # noqa: N802
        ports = ((self.t.get("Status") or {}).get("PortStatus") or {}).get("Ports") or []
        # docker joins them with "," alone here (and repeats a port as the daemon repeats it).
        return ",".join(
            f"*:{port['PublishedPort']}->{port['TargetPort']}/{port.get('Protocol', 'tcp')}"
            for port in ports
        )


def tasks_listing(
    tasks: Iterable[JSON],
    service_names: dict[str, str],
    hostnames: dict[str, str],
    format_spec: str | None = None,
    quiet: bool = False,
    trunc: bool = True,
) -> list[str]:
    """`docker service ps` / `docker node ps`: by task name (service.slot, natural order), the
    newest first within a slot, older ones shown in a table as ` \\_ name`; through --format
    (-q: the IDs). `service_names` and `hostnames` map ids to what is shown: an id missing
    from them is shown as it is (docker's --no-resolve)."""
    named = []
    for task in tasks:
        service = service_names.get(task["ServiceID"], task["ServiceID"])
        slot = task.get("Slot") or task.get("NodeID", "")
        named.append((f"{service}.{slot}", task))
    named.sort(key=lambda pair: (_natural_key(pair[0]), _negated(pair[1].get("CreatedAt", ""))))
    spec = _list_format(format_spec, quiet, TaskRow.RAW, "id: {{.ID}}")
    indent = " \\_ " if spec.startswith("table") else ""
    rows, previous, now = [], None, time.time()
    for name, task in named:
        node = hostnames.get(task.get("NodeID", ""), task.get("NodeID", ""))
        shown = indent + name if name == previous else name
        rows.append(TaskRow(task, shown, node, trunc, now))
        previous = name
    return listing(rows, spec, TaskRow.DEFAULT, TaskRow.HEADERS)


def _negated(timestamp: str) -> list[int]:
    # Sorts the newest first: each character's code negated.
    return [-ord(char) for char in timestamp.ljust(35, "0")]


# --- swarm ------------------------------------------------------------------------------------


def swarm_init_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--advertise-addr", default="", help="Advertised address (ip[:port])")
    parser.add_argument("--listen-addr", default=DEFAULT_LISTEN_ADDR, help="Listen address")
    parser.add_argument("--data-path-addr", help="Address for data path traffic")
    parser.add_argument("--default-addr-pool", action="append", help="Address pools (CIDR)")
    parser.add_argument("--force-new-cluster", action="store_true", help="Force a new cluster")


def swarm_init(ctx: Context, args: argparse.Namespace) -> int:
    """POST /swarm/init; prints the node's id and the command a worker joins with."""
    node_id = ctx.client.swarm_init(
        args.advertise_addr,
        listen_addr=args.listen_addr,
        force_new_cluster=args.force_new_cluster,
        data_path_addr=args.data_path_addr,
        default_addr_pool=args.default_addr_pool,
    )
    ctx.print(f"Swarm initialized: current node ({node_id}) is now a manager.\n")
    ctx.print(_join_command(ctx, "worker"))
    ctx.print(
        "To add a manager to this swarm, run 'rawdock swarm join-token manager' and follow "
        "the instructions.\n"
    )
    return 0


def _join_command(ctx: Context, role: str) -> str:
    token = (ctx.client.swarm_inspect().get("JoinTokens") or {}).get(role.capitalize(), "")
    node_id = _resolve_node(ctx, "self")
    address = (ctx.client.inspect_node(node_id).get("ManagerStatus") or {}).get("Addr", "")
    return (
        f"To add a {role} to this swarm, run the following command:\n\n"
        f"    rawdock swarm join --token {token} {address}\n"
    )


def swarm_join_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] HOST:PORT"
    parser.add_argument("--token", required=True, help="Token for entry into the swarm")
    parser.add_argument("--advertise-addr", help="Advertised address (ip[:port])")
    parser.add_argument("--listen-addr", default=DEFAULT_LISTEN_ADDR, help="Listen address")
    parser.add_argument("--data-path-addr", help="Address for data path traffic")
    parser.add_argument("remote", metavar="HOST:PORT")


def swarm_join(ctx: Context, args: argparse.Namespace) -> int:
    """POST /swarm/join; says whether the engine joined as a worker or a manager."""
    ctx.client.swarm_join(
        [args.remote],
        args.token,
        advertise_addr=args.advertise_addr,
        listen_addr=args.listen_addr,
        data_path_addr=args.data_path_addr,
    )
    manager = ctx.client.info().get("Swarm", {}).get("ControlAvailable")
    ctx.print(f"This node joined a swarm as a {'manager' if manager else 'worker'}.")
    return 0


def swarm_leave_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--force", action="store_true", help="Force this node to leave")


def swarm_leave(ctx: Context, args: argparse.Namespace) -> int:
    """POST /swarm/leave."""
    ctx.client.swarm_leave(force=args.force)
    ctx.print("Node left the swarm.")
    return 0


def swarm_join_token_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] (worker|manager)"
    parser.add_argument("-q", "--quiet", action="store_true", help="Only display token")
    parser.add_argument("--rotate", action="store_true", help="Rotate join token")
    parser.add_argument("role", choices=("worker", "manager"))


@_manager_only
def swarm_join_token(ctx: Context, args: argparse.Namespace) -> int:
    """GET /swarm (and POST /swarm/update?rotate...Token=1 with --rotate)."""
    if args.rotate:
        swarm = ctx.client.swarm_inspect()
        worker, manager = args.role == "worker", args.role == "manager"
        ctx.client.swarm_update(
            swarm["Version"]["Index"],
            swarm["Spec"],
            rotate_worker_token=worker,
            rotate_manager_token=manager,
        )
        if not args.quiet:
            ctx.print(f"Successfully rotated {args.role} join token.\n")
    if args.quiet:
        tokens = ctx.client.swarm_inspect().get("JoinTokens") or {}
        ctx.print(tokens.get(args.role.capitalize(), ""))
    else:
        ctx.print(_join_command(ctx, args.role))
    return 0


# --- node -------------------------------------------------------------------------------------


def _resolve_node(ctx: Context, node: str) -> str:
    # "self" is the engine the client talks to, as in docker.
    if node != "self":
        return node
    return str((ctx.client.info().get("Swarm") or {}).get("NodeID") or node)


def node_ls_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    add_filter_flag(parser)
    add_format_flag(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="Only display IDs")


@_manager_only
def node_ls(ctx: Context, args: argparse.Namespace) -> int:
    """GET /nodes; then (without -q, as docker) GET /info, for the node marked with `*`."""
    nodes = ctx.client.nodes(filters=parse_filters(args.filter) or None)
    info = ctx.client.info() if nodes and not args.quiet else None
    ctx.print_lines(nodes_listing(nodes, args.format, args.quiet, info))
    return 0


def _inspect_flags(parser: argparse.ArgumentParser, what: str) -> None:
    add_format_flag(parser, "the output", short=True)
    parser.add_argument(
        "--pretty", action="store_true", help="Print the information in a human friendly format"
    )
    parser.add_argument("name", nargs="+", metavar=what)


def node_inspect_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] self|NODE [NODE...]"
    _inspect_flags(parser, "NODE")


def _pretty_format(args: argparse.Namespace, refusal: str) -> bool:
    """Whether docker would print the pretty form: --pretty (which wins over --format), or
    --format pretty; "pretty" with more after it is refused with `refusal`, as docker does."""
    if args.pretty or args.format == "pretty":
        return True
    if (args.format or "").startswith("pretty"):
        raise CommandError(f"{refusal} supply extra formatting options to the pretty template")
    return False


@_manager_only
def node_inspect(ctx: Context, args: argparse.Namespace) -> int:
    """GET /nodes/{id} for each: one JSON array, or each through --format, or --pretty."""
    from .system import show_inspected

    def lookup(node: str) -> JSON:
        return ctx.client.inspect_node(_resolve_node(ctx, node))

    if not _pretty_format(args, "cannot"):
        return show_inspected(ctx, args, [lookup], "node", daemon_words=True)
    from .pretty import node_pretty

    ctx.print_lines([node_pretty(lookup(node)) for node in args.name])  # all found, or none
    return 0


def node_update_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] NODE"
    parser.add_argument("--availability", choices=("active", "pause", "drain"))
    parser.add_argument("--role", choices=("worker", "manager"))
    parser.add_argument("--label-add", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--label-rm", action="append", default=[], metavar="KEY")
    parser.add_argument("node")


def _read(found: JSON, name: str) -> tuple[str, int, JSON]:
    """An inspected node or service as (id, Version.Index, Spec): what an update sends back.
    Under --curl nothing was read, and the update is printed with what little is known."""
    version = (found.get("Version") or {}).get("Index", 0)
    return str(found.get("ID") or name), int(version or 0), dict(found.get("Spec") or {})


def _update_node(ctx: Context, node: str, change: Callable[[JSON], None]) -> str:
    """Read the node, change its spec, write it back with the version read; returns its id."""
    node_id, version, spec = _read(ctx.client.inspect_node(_resolve_node(ctx, node)), node)
    change(spec)
    ctx.client.update_node(node_id, version, spec)
    return node_id


@_manager_only
def node_update(ctx: Context, args: argparse.Namespace) -> int:
    """GET /nodes/{id}, then POST /nodes/{id}/update?version=N with the changed spec."""

    def change(spec: JSON) -> None:
        if args.availability:
            spec["Availability"] = args.availability
        if args.role:
            spec["Role"] = args.role
        labels = spec.setdefault("Labels", {})
        labels.update(parse_labels(args.label_add))
        for key in args.label_rm:
            labels.pop(key, None)

    _update_node(ctx, args.node, change)
    ctx.print(args.node)
    return 0


def node_promote_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s NODE [NODE...]"
    parser.add_argument("nodes", nargs="+", metavar="NODE")


@_manager_only
def node_promote(ctx: Context, args: argparse.Namespace) -> int:
    """`node update --role manager` for each node."""
    for node in args.nodes:
        _update_node(ctx, node, lambda spec: spec.update(Role="manager"))
        ctx.print(f"Node {node} promoted to a manager in the swarm.")
    return 0


node_demote_flags = node_promote_flags


@_manager_only
def node_demote(ctx: Context, args: argparse.Namespace) -> int:
    """`node update --role worker` for each node."""
    for node in args.nodes:
        _update_node(ctx, node, lambda spec: spec.update(Role="worker"))
        ctx.print(f"Manager {node} demoted in the swarm.")
    return 0


def node_rm_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] NODE [NODE...]"
    parser.add_argument("-f", "--force", action="store_true", help="Force remove a node")
    parser.add_argument("nodes", nargs="+", metavar="NODE")


@_manager_only
def node_rm(ctx: Context, args: argparse.Namespace) -> int:
    """DELETE /nodes/{id} for each; a node that is still up needs --force."""
    for node in args.nodes:
        ctx.client.remove_node(node, force=args.force)
        ctx.print(node)
    return 0


def _tasks_flags(parser: argparse.ArgumentParser) -> None:
    add_filter_flag(parser)
    add_format_flag(parser)
    parser.add_argument("--no-resolve", action="store_true", help="Do not map IDs to Names")
    parser.add_argument("--no-trunc", action="store_true", help="Do not truncate output")
    parser.add_argument("-q", "--quiet", action="store_true", help="Only display task IDs")


def _print_tasks(
    ctx: Context, args: argparse.Namespace, filters: dict[str, list[str]], trunc: bool
) -> int:
    tasks = ctx.client.tasks(filters={**parse_filters(args.filter), **filters})
    services: dict[str, str] = {}
    hostnames: dict[str, str] = {}
    if not args.no_resolve and tasks:
        services = {s["ID"]: s["Spec"]["Name"] for s in ctx.client.services()}
        hostnames = {n["ID"]: n["Description"]["Hostname"] for n in ctx.client.nodes()}
    ctx.print_lines(tasks_listing(tasks, services, hostnames, args.format, args.quiet, trunc))
    return 0


def node_ps_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] [NODE...]"
    _tasks_flags(parser)
    parser.add_argument("nodes", nargs="*", metavar="NODE")


@_manager_only
def node_ps(ctx: Context, args: argparse.Namespace) -> int:
    """GET /tasks?filters={"node": [...]} (this engine's node by default)."""
    nodes = [_resolve_node(ctx, node) for node in args.nodes or ["self"]]
    ids = [ctx.client.inspect_node(node).get("ID") or node for node in nodes]
    return _print_tasks(ctx, args, {"node": ids}, trunc=not args.no_trunc)


# --- service ----------------------------------------------------------------------------------


def service_ls_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    add_filter_flag(parser)
    add_format_flag(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="Only display IDs")


@_manager_only
def service_ls(ctx: Context, args: argparse.Namespace) -> int:
    """GET /services?status=1 (without -q, as docker), sorted by name."""
    filters = parse_filters(args.filter) or None
    services = ctx.client.services(filters=filters, status=not args.quiet)
    ctx.print_lines(services_listing(services, args.format, args.quiet))
    return 0


def service_spec(
    image: str,
    command: Sequence[str] = (),
    name: str | None = None,
    replicas: int = 1,
    labels: dict[str, str] | None = None,
    env: Sequence[str] = (),
) -> dict[str, Any]:
    """The body of POST /services/create for a replicated service, as `docker service create`
    builds it from its flags (`labels` are the service's, as with --label)."""
    container: dict[str, Any] = {"Image": image}
    if command:
        container["Command"] = list(command)
    if env:
        container["Env"] = list(env)
    spec: dict[str, Any] = {
        "TaskTemplate": {"ContainerSpec": container},
        "Mode": {"Replicated": {"Replicas": replicas}},
        "Labels": dict(labels or {}),
    }
    if name:
        spec["Name"] = name
    return spec


def _update_config_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--update-parallelism", type=int, help="Tasks updated at once (0: all)")
    parser.add_argument("--update-delay", help="Delay between updates (ns|us|ms|s|m|h)")
    parser.add_argument("--update-order", choices=("start-first", "stop-first"))
    parser.add_argument("--update-failure-action", choices=("pause", "continue", "rollback"))
    parser.add_argument("--update-monitor", help="Time to watch each task for failure")
    parser.add_argument("-d", "--detach", action="store_true", help="Exit without waiting")
    parser.add_argument("-q", "--quiet", action="store_true", help="Suppress progress output")
    parser.add_argument(
        "--with-registry-auth", action="store_true", help="Send registry credentials to nodes"
    )


def _registry_auth(args: argparse.Namespace, image: str) -> dict[str, str] | None:
    """The credentials config.json has for the image's registry, with --with-registry-auth."""
    if not args.with_registry_auth:
        return None
    from ..auth import credentials, registry_of

    return credentials(registry_of(image)) or {}


def _apply_update_config(spec: JSON, args: argparse.Namespace) -> None:
    config = spec.setdefault("UpdateConfig", {})
    if args.update_parallelism is not None:
        config["Parallelism"] = args.update_parallelism
    if args.update_delay is not None:
        config["Delay"] = parse_duration(args.update_delay)
    if args.update_order:
        config["Order"] = args.update_order
    if args.update_failure_action:
        config["FailureAction"] = args.update_failure_action
    if args.update_monitor is not None:
        config["Monitor"] = parse_duration(args.update_monitor)
    if not config:
        del spec["UpdateConfig"]


def service_create_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] IMAGE [COMMAND] [ARG...]"
    parser.add_argument("--name", help="Service name")
    parser.add_argument("--mode", choices=("replicated", "global"), default="replicated")
    parser.add_argument("--replicas", type=int, help="Number of tasks")
    parser.add_argument(
        "--replicas-max-per-node", "--max-replicas", dest="max_replicas", type=int,
        help="Maximum number of tasks per node (default 0 = unlimited)",
    )  # fmt: skip
    parser.add_argument("-l", "--label", action="append", default=[], help="Service labels")
    parser.add_argument("--container-label", action="append", default=[])
    parser.add_argument("-e", "--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("-p", "--publish", action="append", default=[], help="Publish a port")
    parser.add_argument("--mount", action="append", default=[], help="Attach a filesystem")
    parser.add_argument("--constraint", action="append", default=[], help="Placement constraint")
    parser.add_argument("--placement-pref", action="append", default=[], help="spread=node.id")
    parser.add_argument("--hostname", help="Container hostname (templates allowed)")
    parser.add_argument("--network", action="append", default=[], help="Network attachments")
    parser.add_argument("--endpoint-mode", choices=("vip", "dnsrr"))
    parser.add_argument("--stop-grace-period", help="Time to wait before killing a task")
    parser.add_argument("--restart-condition", choices=("none", "on-failure", "any"))
    parser.add_argument("--restart-delay", help="Delay between restart attempts")
    parser.add_argument("--restart-max-attempts", type=int, help="Maximum restarts")
    parser.add_argument("--limit-cpu", help="Limit CPUs")
    parser.add_argument("--limit-memory", help="Limit memory")
    parser.add_argument("--reserve-cpu", help="Reserve CPUs")
    parser.add_argument("--reserve-memory", help="Reserve memory")
    _update_config_flags(parser)
    parser.add_argument("image")
    parser.add_argument("command", nargs=argparse.REMAINDER)


def _resources(cpu: str | None, memory: str | None) -> dict[str, int]:
    resources = {}
    if cpu:
        resources["NanoCPUs"] = parse_cpus(cpu)
    if memory:
        resources["MemoryBytes"] = parse_memory(memory)
    return resources


def service_create_spec(args: argparse.Namespace) -> dict[str, Any]:
    """The ServiceSpec `docker service create` sends for these flags."""
    spec = service_spec(
        args.image, args.command, args.name, 1, parse_labels(args.label), parse_env(args.env)
    )
    container = spec["TaskTemplate"]["ContainerSpec"]
    task = spec["TaskTemplate"]
    if args.mode == "global":
        if args.replicas is not None:
            raise UsageError("replicas can only be used with replicated mode")
        spec["Mode"] = {"Global": {}}
    elif args.replicas is not None:
        spec["Mode"]["Replicated"]["Replicas"] = args.replicas
    if args.container_label:
        container["Labels"] = parse_labels(args.container_label)
    if args.mount:
        container["Mounts"] = [parse_mount(value) for value in args.mount]
    if args.hostname:
        container["Hostname"] = args.hostname
    if args.stop_grace_period:
        container["StopGracePeriod"] = parse_duration(args.stop_grace_period)
    placement: dict[str, Any] = {}
    if args.constraint:
        placement["Constraints"] = list(args.constraint)
    if args.placement_pref:
        placement["Preferences"] = [_preference(value) for value in args.placement_pref]
    if args.max_replicas is not None:
        placement["MaxReplicas"] = args.max_replicas
    if placement:
        task["Placement"] = placement
    restart: dict[str, Any] = {}
    if args.restart_condition:
        restart["Condition"] = args.restart_condition
    if args.restart_delay:
        restart["Delay"] = parse_duration(args.restart_delay)
    if args.restart_max_attempts is not None:
        restart["MaxAttempts"] = args.restart_max_attempts
    if restart:
        task["RestartPolicy"] = restart
    limits = _resources(args.limit_cpu, args.limit_memory)
    reservations = _resources(args.reserve_cpu, args.reserve_memory)
    if limits or reservations:
        task["Resources"] = {"Limits": limits, "Reservations": reservations}
    if args.network:
        task["Networks"] = [{"Target": network} for network in args.network]
    endpoint: dict[str, Any] = {}
    if args.endpoint_mode:
        endpoint["Mode"] = args.endpoint_mode
    if args.publish:
        endpoint["Ports"] = [parse_publish(value) for value in args.publish]
    if endpoint:
        spec["EndpointSpec"] = endpoint
    _apply_update_config(spec, args)
    return spec


def _preference(value: str) -> dict[str, Any]:
    kind, eq, descriptor = value.partition("=")
    if kind != "spread" or not eq or not descriptor:
        raise UsageError(f"invalid placement preference {value!r}: expected spread=DESCRIPTOR")
    return {"Spread": {"SpreadDescriptor": descriptor}}


@_manager_only
def service_create(ctx: Context, args: argparse.Namespace) -> int:
    """POST /services/create; prints the new service's id, then (without -d) its tasks'
    progress until they run."""
    created = ctx.client.create_service(
        service_create_spec(args), auth=_registry_auth(args, args.image)
    )
    ctx.print(created["ID"])
    if not args.detach and not ctx.curl:
        _wait_for(ctx, created["ID"], rollback=False, quiet=args.quiet)
    return 0


def service_inspect_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] SERVICE [SERVICE...]"
    _inspect_flags(parser, "SERVICE")


@_manager_only
def service_inspect(ctx: Context, args: argparse.Namespace) -> int:
    """GET /services/{id}?insertDefaults=1 for each (the defaults filled in, as docker asks):
    one JSON array, or each through --format, or --pretty (GET /networks/{id} then names the
    service's networks)."""
    from .system import show_inspected

    def lookup(service: str) -> JSON:
        return ctx.client.inspect_service(service, insert_defaults=True)

    if args.pretty and args.format:
        raise CommandError("--format is incompatible with human friendly format")
    if not _pretty_format(args, "Cannot"):  # docker's capital, here only
        return show_inspected(
            ctx, args, [lookup], "service", no_such="Error: no such service: {name}"
        )
    from .pretty import service_pretty

    pages = []
    for name in args.name:  # all of them first: docker prints nothing if one is missing
        try:
            service = lookup(name)
        except NotFound:
            raise CommandError(f"Error: no such service: {name}") from None
        networks = {}
        for attached in service["Spec"].get("TaskTemplate", {}).get("Networks") or []:
            try:
                network = ctx.client.inspect_network(attached["Target"], scope="swarm")
            except RawdockError:
                continue  # docker shows the id of a network it cannot find
            networks[network["Id"]] = network["Name"]
        pages.append(service_pretty(service, networks, time.time()))
    ctx.print_lines(pages)
    return 0


def service_ps_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] SERVICE [SERVICE...]"
    _tasks_flags(parser)
    parser.add_argument("services", nargs="+", metavar="SERVICE")


@_manager_only
def service_ps(ctx: Context, args: argparse.Namespace) -> int:
    """GET /tasks?filters={"service": [...]}: every task of the services, past ones too."""
    ids = [ctx.client.inspect_service(name).get("ID") or name for name in args.services]
    # docker's service ps shows whole ids with -q (and node ps does not).
    return _print_tasks(ctx, args, {"service": ids}, trunc=not (args.no_trunc or args.quiet))


def service_update_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] SERVICE"
    parser.add_argument("--image", help="Service image tag")
    parser.add_argument("--replicas", type=int, help="Number of tasks")
    parser.add_argument("--constraint-add", action="append", default=[])
    parser.add_argument("--constraint-rm", action="append", default=[])
    parser.add_argument("--env-add", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--env-rm", action="append", default=[], metavar="NAME")
    parser.add_argument("--label-add", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--label-rm", action="append", default=[], metavar="KEY")
    parser.add_argument("--force", action="store_true", help="Update even if nothing changed")
    parser.add_argument("--rollback", action="store_true", help="Rollback to previous spec")
    _update_config_flags(parser)
    parser.add_argument("service")


def _changed_spec(spec: JSON, args: argparse.Namespace) -> None:
    task = spec.setdefault("TaskTemplate", {})
    container = task.setdefault("ContainerSpec", {})
    if args.image:
        container["Image"] = args.image
    if args.replicas is not None:
        if "Replicated" not in spec.get("Mode", {}):
            raise UsageError("replicas can only be used with replicated mode")
        spec["Mode"]["Replicated"]["Replicas"] = args.replicas
    if args.constraint_add or args.constraint_rm:
        placement = task.setdefault("Placement", {})
        constraints = [c for c in placement.get("Constraints") or [] if c not in args.constraint_rm]
        placement["Constraints"] = constraints + [
            c for c in args.constraint_add if c not in constraints
        ]
    if args.env_add or args.env_rm:
        added = parse_env(args.env_add)
        dropped = set(args.env_rm) | {item.partition("=")[0] for item in added}
        kept = [e for e in container.get("Env") or [] if e.partition("=")[0] not in dropped]
        container["Env"] = kept + added
    if args.label_add or args.label_rm:
        labels = spec.setdefault("Labels", {})
        labels.update(parse_labels(args.label_add))
        for key in args.label_rm:
            labels.pop(key, None)
    if args.force:
        task["ForceUpdate"] = task.get("ForceUpdate", 0) + 1
    _apply_update_config(spec, args)


@_manager_only
def service_update(ctx: Context, args: argparse.Namespace) -> int:
    """GET /services/{id}, then POST /services/{id}/update?version=N with the changed spec;
    then (without -d) the tasks' progress until the update completes."""
    found = ctx.client.inspect_service(args.service)
    service_id, version, spec = _read(found, args.service)
    before = copy.deepcopy(spec.get("TaskTemplate"))
    if not args.rollback:
        _changed_spec(spec, args)
    rollback = "previous" if args.rollback else None
    image = spec["TaskTemplate"]["ContainerSpec"].get("Image", "")
    response = ctx.client.update_service(
        service_id, version, spec, rollback=rollback, auth=_registry_auth(args, image)
    )
    for warning in response.get("Warnings") or []:
        ctx.err.write(warning + "\n")
    ctx.print(args.service)
    if not args.detach and not ctx.curl:
        rolling = args.rollback or spec.get("TaskTemplate") != before
        after = _update_started(found) if rolling else None
        _wait_for(ctx, service_id, rollback=args.rollback, quiet=args.quiet, after=after)
    return 0


def service_rollback_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] SERVICE"
    parser.add_argument("-d", "--detach", action="store_true", help="Exit without waiting")
    parser.add_argument("-q", "--quiet", action="store_true", help="Suppress progress output")
    parser.add_argument("service")


@_manager_only
def service_rollback(ctx: Context, args: argparse.Namespace) -> int:
    """POST /services/{id}/update?version=N&rollback=previous with the current spec."""
    found = ctx.client.inspect_service(args.service)
    service_id, version, spec = _read(found, args.service)
    ctx.client.update_service(service_id, version, spec, rollback="previous")
    ctx.print(args.service)
    if not args.detach and not ctx.curl:
        _wait_for(ctx, service_id, rollback=True, quiet=args.quiet, after=_update_started(found))
    return 0


def service_scale_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s SERVICE=REPLICAS [SERVICE=REPLICAS...]"
    parser.add_argument("-d", "--detach", action="store_true", help="Exit without waiting")
    parser.add_argument("scales", nargs="+", metavar="SERVICE=REPLICAS")


@_manager_only
def service_scale(ctx: Context, args: argparse.Namespace) -> int:
    """For each, GET /services/{id} and POST it back with the new replica count; then (without
    -d) wait until that many tasks run, as docker does."""
    scaled = []
    for item in args.scales:
        name, count = _key_value(item, "SERVICE=REPLICAS")
        if not count.isdigit():
            raise CommandError(f"rawdock: invalid replica count {count!r} in {item!r}")
        service_id, version, spec = _read(ctx.client.inspect_service(name), name)
        if ctx.curl:  # nothing was read: show the update of a replicated service
            spec.setdefault("Mode", {"Replicated": {}})
        if "Replicated" not in spec.get("Mode", {}):
            raise CommandError(f"rawdock: scale can only be used with replicated mode: {name}")
        spec["Mode"]["Replicated"]["Replicas"] = int(count)
        ctx.client.update_service(service_id, version, spec)
        ctx.print(f"{name} scaled to {count}")
        scaled.append(service_id)
    if not args.detach and not ctx.curl:
        for service_id in scaled:
            _wait_for(ctx, service_id, rollback=False)
    return 0


def service_rm_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s SERVICE [SERVICE...]"
    parser.add_argument("services", nargs="+", metavar="SERVICE")


@_manager_only
def service_rm(ctx: Context, args: argparse.Namespace) -> int:
    """DELETE /services/{id} for each; prints each name removed."""
    for name in args.services:
        ctx.client.remove_service(name)
        ctx.print(name)
    return 0


def service_logs_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] SERVICE|TASK"
    parser.add_argument("-f", "--follow", action="store_true", help="Follow log output")
    parser.add_argument("-n", "--tail", default="all", help="Number of lines from the end")
    parser.add_argument("-t", "--timestamps", action="store_true", help="Show timestamps")
    parser.add_argument("--no-task-ids", action="store_true", help="Do not include task IDs")
    parser.add_argument("--no-resolve", action="store_true", help="Do not map IDs to names")
    parser.add_argument("--no-trunc", action="store_true", help="Do not truncate output")
    parser.add_argument("--raw", action="store_true", help="Do not neatly format logs")
    parser.add_argument("--since", help="Logs since a Unix time")
    parser.add_argument("target", metavar="SERVICE|TASK")


_CONTEXT_KEYS = (
    "com.docker.swarm.node.id",
    "com.docker.swarm.service.id",
    "com.docker.swarm.task.id",
)


@_manager_only
def service_logs(ctx: Context, args: argparse.Namespace) -> int:
    """GET /services/{id}/logs?details=1 (or /tasks/{id}/logs): every task's lines, from every
    node, each prefixed as docker prefixes it: `service.slot.task@node    | line`."""
    kwargs = {
        "follow": args.follow,
        "tail": args.tail,
        "timestamps": args.timestamps,
        "since": args.since,
        "details": True,  # each line then names its node, service and task
    }
    try:
        service_id = ctx.client.inspect_service(args.target).get("ID") or args.target
    except NotFound:  # not a service: a task, as docker also accepts
        stream = ctx.client.task_logs(args.target, **kwargs)
    else:
        stream = ctx.client.service_logs(service_id, **kwargs)
    prefixes = _LogPrefixes(ctx, args)
    pending = {"stdout": b"", "stderr": b""}
    for name, data in stream:
        lines = (pending[name] + data).split(b"\n")
        pending[name] = lines.pop()
        sink = ctx.out_bytes if name == "stdout" else ctx.err_bytes
        for line in lines:
            sink.write(prefixes.line(line) + b"\n")
        sink.flush()
    for name, rest in pending.items():
        if rest:
            (ctx.out_bytes if name == "stdout" else ctx.err_bytes).write(prefixes.line(rest))
    return 0


class _LogPrefixes:
    """Turns a details line ("com.docker.swarm.node.id=..,... text") into docker's
    "name.slot.task@host    | text", looking each id up once."""

    def __init__(self, ctx: Context, args: argparse.Namespace) -> None:
        self.ctx, self.args = ctx, args
        self.known: dict[bytes, bytes] = {}

    def line(self, line: bytes) -> bytes:
        details, _, text = line.partition(b" ")
        if self.args.raw:
            return text
        if details not in self.known:
            self.known[details] = self._prefix(details)
        return self.known[details] + b"    | " + text

    def _prefix(self, details: bytes) -> bytes:
        context = dict(item.partition("=")[::2] for item in details.decode().split(","))
        node, service, task = (context.get(key, "") for key in _CONTEXT_KEYS)
        if not self.args.no_resolve:
            found = self.ctx.client.inspect_task(task)
            name = self.ctx.client.inspect_service(service)["Spec"]["Name"]
            service = f"{name}.{found['Slot']}" if found.get("Slot") else f"{name}.{node}"
            node = self.ctx.client.inspect_node(node)["Description"]["Hostname"]
        task_id = task if self.args.no_trunc else task[:12]
        prefix = service if self.args.no_task_ids else f"{service}.{task_id}"
        return f"{prefix}@{node}".encode()


# --- Waiting for a service, as docker's progress does -----------------------------------------


def _update_started(service: JSON) -> str:
    return str((service.get("UpdateStatus") or {}).get("StartedAt", ""))


def _wait_for(
    ctx: Context, service_id: str, rollback: bool, quiet: bool = False, after: str | None = None
) -> None:
    """Print the tasks' progress until the service has converged: its update (or rollback)
    completed, as its UpdateStatus says, and as many tasks running the current spec as it
    wants. Docker's non-terminal form, each line printed when it changes. `after`: the
    UpdateStatus.StartedAt seen before a change of the task template, which starts a new
    rolling update; until that one has started, an older completed one does not count."""
    say = (lambda text: None) if quiet else ctx.print
    what = "rolling back update: " if rollback else ""
    if rollback:
        say("rollback: manually requested rollback")
    last = None
    while True:
        service = ctx.client.inspect_service(service_id)
        update = service.get("UpdateStatus") or {}
        state = update.get("State", "")
        if state in ("paused", "rollback_paused"):
            raise CommandError(f"rawdock: update {state}: {update.get('Message', '')}")
        done, wanted, settled = _progress(ctx, service)
        if last is None:
            say(f"overall progress: {what}{done} out of {wanted} tasks")
            for slot in range(1, wanted + 1):
                say(f"{slot}/{wanted}:  ")
        elif (done, wanted) != last:
            say(f"overall progress: {what}{done} out of {wanted} tasks")
        last = (done, wanted)
        started = update.get("StartedAt", "")
        finished = state in ("", "completed", "rollback_completed") and (
            after is None or started != after
        )
        if finished and settled and done == wanted:
            say(f"verify: Service {service['Spec'].get('Name', service_id)} converged")
            return
        time.sleep(POLL_SECONDS)


def _version_of(spec: JSON) -> JSON:
    return {key: value for key, value in spec.items() if key not in ("Runtime", "Placement")}


def _progress(ctx: Context, service: JSON) -> tuple[int, int, bool]:
    """(tasks running the current spec, tasks wanted, whether no other task should run)."""
    tasks = ctx.client.tasks(filters={"service": [service["ID"]], "desired-state": ["running"]})
    template = service["Spec"].get("TaskTemplate", {})
    mode = service["Spec"].get("Mode", {})
    wanted = mode["Replicated"].get("Replicas", 0) if "Replicated" in mode else len(tasks)
    # A task runs the current spec when its Spec is the service's TaskTemplate, but for
    # Runtime, which the daemon shows on the template only, and Placement: a task whose node
    # still meets the new placement keeps running with the old one (swarmkit's IsTaskDirty).
    current_spec = _version_of(template)
    current = [
        task
        for task in tasks
        if task["Status"]["State"] == "running"
        and _version_of(task.get("Spec") or {}) == current_spec
    ]
    # Not settled while tasks are still to start, or to stop after a scale down.
    return len(current), wanted, len(tasks) == wanted
