"""`rawdock service ...` and `rawdock node ...`: Swarm commands for the command line.

Each command is a plain function `(client, args) -> exit status` that prints to stdout, so it
can be run (and tested) without argparse; `register(subparsers)` adds them to the CLI's parser
with `func` set, for `args.func(client, args)`:

    rawdock service create --name web --replicas 2 --label team=a IMAGE [COMMAND...]
    rawdock service ls [-q]
    rawdock service scale web=3 [api=1 ...]
    rawdock service rm web [api ...]
    rawdock node ls [-q]
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from typing import Any

from .client import Client

__all__ = [
    "register",
    "service_ls",
    "service_create",
    "service_scale",
    "service_rm",
    "node_ls",
    "format_services",
    "format_nodes",
    "service_spec",
]

#: Ids are shown shortened, as the docker CLI shows them.
SHORT_ID = 12


# --- Output -----------------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns padded to their widest cell, three spaces apart, like `docker ... ls`."""
    table = [list(headers), *map(list, rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = ["   ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(line.rstrip() for line in lines)


def _mode_and_replicas(service: dict[str, Any]) -> tuple[str, str]:
    mode = service.get("Spec", {}).get("Mode", {})
    status = service.get("ServiceStatus") or {}
    running = status.get("RunningTasks", "?")
    if "Replicated" in mode:
        return "replicated", f"{running}/{mode['Replicated'].get('Replicas', 0)}"
    if "Global" in mode:
        return "global", f"{running}/{status.get('DesiredTasks', '?')}"
    return next(iter(mode), "?").lower(), f"{running}/{status.get('DesiredTasks', '?')}"


def format_services(services: list[dict[str, Any]]) -> str:
    """`docker service ls`'s table: ID, NAME, MODE, REPLICAS (running/desired), IMAGE."""
    rows = []
    for service in services:
        spec = service.get("Spec", {})
        mode, replicas = _mode_and_replicas(service)
        image = spec.get("TaskTemplate", {}).get("ContainerSpec", {}).get("Image", "")
        rows.append([service["ID"][:SHORT_ID], spec.get("Name", ""), mode, replicas, image])
    return _table(["ID", "NAME", "MODE", "REPLICAS", "IMAGE"], rows)


def format_nodes(nodes: list[dict[str, Any]], self_id: str = "") -> str:
    """`docker node ls`'s table; the node the client talks to is marked with `*`."""
    rows = []
    for node in nodes:
        mark = " *" if node["ID"] == self_id else ""
        manager = node.get("ManagerStatus") or {}
        leader = "Leader" if manager.get("Leader") else manager.get("Reachability", "")
        rows.append(
            [
                node["ID"][:SHORT_ID] + mark,
                node.get("Description", {}).get("Hostname", ""),
                node.get("Status", {}).get("State", "").capitalize(),
                node.get("Spec", {}).get("Availability", "").capitalize(),
                leader.capitalize(),
            ]
        )
    return _table(["ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS"], rows)


# --- Commands ---------------------------------------------------------------------------------


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


def service_ls(client: Client, args: argparse.Namespace) -> int:
    """`service ls`: GET /services?status=1."""
    services = client.services(status=True)
    if getattr(args, "quiet", False):
        print("\n".join(service["ID"] for service in services))
    else:
        print(format_services(services))
    return 0


def service_create(client: Client, args: argparse.Namespace) -> int:
    """`service create`: POST /services/create; prints the new service's id."""
    labels = dict(_key_value(item, "--label") for item in args.label or [])
    spec = service_spec(args.image, args.command, args.name, args.replicas, labels, args.env or [])
    created = client.create_service(spec)
    print(created["ID"])
    return 0


def service_scale(client: Client, args: argparse.Namespace) -> int:
    """`service scale NAME=N ...`: for each, read the spec (GET /services/{id}) and write it
    back with the new replica count (POST /services/{id}/update?version=N)."""
    for item in args.scales:
        name, count = _key_value(item, "SERVICE=REPLICAS")
        if not count.isdigit():
            raise SystemExit(f"rawdock: invalid replica count {count!r} in {item!r}")
        service = client.inspect_service(name)
        spec = service["Spec"]
        if "Replicated" not in spec.get("Mode", {}):
            raise SystemExit(f"rawdock: {name}: scale works only on replicated services")
        spec["Mode"]["Replicated"]["Replicas"] = int(count)
        client.update_service(service["ID"], service["Version"]["Index"], spec)
        print(f"{name} scaled to {count}")
    return 0


def service_rm(client: Client, args: argparse.Namespace) -> int:
    """`service rm NAME ...`: DELETE /services/{id}; prints each name removed."""
    for name in args.services:
        client.remove_service(name)
        print(name)
    return 0


def node_ls(client: Client, args: argparse.Namespace) -> int:
    """`node ls`: GET /nodes; the node this engine is, from GET /info, marked with `*`."""
    nodes = client.nodes()
    if getattr(args, "quiet", False):
        print("\n".join(node["ID"] for node in nodes))
    else:
        self_id = client.info().get("Swarm", {}).get("NodeID", "")
        print(format_nodes(nodes, self_id))
    return 0


def _key_value(item: str, what: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise SystemExit(f"rawdock: expected {what} as KEY=VALUE, got {item!r}")
    return key, value


# --- Parser -----------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `service` and `node` to the CLI's subcommands; each leaf sets `func`."""
    service = subparsers.add_parser("service", help="manage Swarm services")
    service_commands = service.add_subparsers(dest="service_command", metavar="COMMAND")
    service_commands.required = True

    ls = service_commands.add_parser("ls", help="list services")
    ls.add_argument("-q", "--quiet", action="store_true", help="only the ids")
    ls.set_defaults(func=service_ls)

    create = service_commands.add_parser("create", help="create a replicated service")
    create.add_argument("--name")
    create.add_argument("--replicas", type=int, default=1)
    create.add_argument("--label", action="append", metavar="KEY=VALUE")
    create.add_argument("-e", "--env", action="append", metavar="NAME=VALUE")
    create.add_argument("image")
    create.add_argument("command", nargs=argparse.REMAINDER)
    create.set_defaults(func=service_create)

    scale = service_commands.add_parser("scale", help="set the replica count of services")
    scale.add_argument("scales", nargs="+", metavar="SERVICE=REPLICAS")
    scale.set_defaults(func=service_scale)

    rm = service_commands.add_parser("rm", help="remove services")
    rm.add_argument("services", nargs="+", metavar="SERVICE")
    rm.set_defaults(func=service_rm)

    node = subparsers.add_parser("node", help="list Swarm nodes")
    node_commands = node.add_subparsers(dest="node_command", metavar="COMMAND")
    node_commands.required = True
    node_ls_parser = node_commands.add_parser("ls", help="list nodes")
    node_ls_parser.add_argument("-q", "--quiet", action="store_true", help="only the ids")
    node_ls_parser.set_defaults(func=node_ls)
