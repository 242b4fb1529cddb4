"""`rawdock service ...` and `rawdock node ...`: Swarm verbs, in the same shape as the others
(`VERB_flags(parser)` beside `VERB(ctx, args) -> exit status`, listed in rawdock.cli.verbs):

    rawdock service create --name web --replicas 2 --label team=a IMAGE [COMMAND...]
    rawdock service ls [-q]
    rawdock service scale web=3 [api=1 ...]
    rawdock service rm web [api ...]
    rawdock node ls [-q]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from .context import CommandError, Context
from .output import short_id, table

__all__ = [
    "service_ls",
    "service_create",
    "service_scale",
    "service_rm",
    "node_ls",
    "format_services",
    "format_nodes",
    "service_spec",
]


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
        rows.append([short_id(service["ID"]), spec.get("Name", ""), mode, replicas, image])
    return table(["ID", "NAME", "MODE", "REPLICAS", "IMAGE"], rows)


def format_nodes(nodes: list[dict[str, Any]], self_id: str = "") -> str:
    """`docker node ls`'s table; the node the client talks to is marked with `*`."""
    rows = []
    for node in nodes:
        mark = " *" if node["ID"] == self_id else ""
        manager = node.get("ManagerStatus") or {}
        leader = "Leader" if manager.get("Leader") else manager.get("Reachability", "")
        rows.append(
            [
                short_id(node["ID"]) + mark,
                node.get("Description", {}).get("Hostname", ""),
                node.get("Status", {}).get("State", "").capitalize(),
                node.get("Spec", {}).get("Availability", "").capitalize(),
                leader.capitalize(),
            ]
        )
    return table(["ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS"], rows)


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


def service_ls_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    parser.add_argument("-q", "--quiet", action="store_true", help="Only display IDs")


def service_ls(ctx: Context, args: argparse.Namespace) -> int:
    """`service ls`: GET /services?status=1."""
    services = ctx.client.services(status=True)
    if getattr(args, "quiet", False):
        ctx.print("\n".join(service["ID"] for service in services))
    else:
        ctx.print(format_services(services))
    return 0


def service_create_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] IMAGE [COMMAND] [ARG...]"
    parser.add_argument("--name", help="Service name")
    parser.add_argument("--replicas", type=int, default=1, help="Number of tasks")
    parser.add_argument("--label", action="append", metavar="list", help="Service labels")
    parser.add_argument("-e", "--env", action="append", metavar="list", help="Set variables")
    parser.add_argument("image")
    parser.add_argument("command", nargs=argparse.REMAINDER)


def service_create(ctx: Context, args: argparse.Namespace) -> int:
    """`service create`: POST /services/create; prints the new service's id."""
    labels = dict(_key_value(item, "--label") for item in args.label or [])
    spec = service_spec(args.image, args.command, args.name, args.replicas, labels, args.env or [])
    created = ctx.client.create_service(spec)
    ctx.print(created["ID"])
    return 0


def service_scale_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s SERVICE=REPLICAS [SERVICE=REPLICAS...]"
    parser.add_argument("scales", nargs="+", metavar="SERVICE=REPLICAS")


def service_scale(ctx: Context, args: argparse.Namespace) -> int:
    """`service scale NAME=N ...`: for each, read the spec (GET /services/{id}) and write it
    back with the new replica count (POST /services/{id}/update?version=N)."""
    for item in args.scales:
        name, count = _key_value(item, "SERVICE=REPLICAS")
        if not count.isdigit():
            raise CommandError(f"rawdock: invalid replica count {count!r} in {item!r}")
        service = ctx.client.inspect_service(name)
        spec = service["Spec"]
        if "Replicated" not in spec.get("Mode", {}):
            raise CommandError(f"rawdock: {name}: scale works only on replicated services")
        spec["Mode"]["Replicated"]["Replicas"] = int(count)
        ctx.client.update_service(service["ID"], service["Version"]["Index"], spec)
        ctx.print(f"{name} scaled to {count}")
    return 0


def service_rm_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s SERVICE [SERVICE...]"
    parser.add_argument("services", nargs="+", metavar="SERVICE")


def service_rm(ctx: Context, args: argparse.Namespace) -> int:
    """`service rm NAME ...`: DELETE /services/{id}; prints each name removed."""
    for name in args.services:
        ctx.client.remove_service(name)
        ctx.print(name)
    return 0


def node_ls_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    parser.add_argument("-q", "--quiet", action="store_true", help="Only display IDs")


def node_ls(ctx: Context, args: argparse.Namespace) -> int:
    """`node ls`: GET /nodes; the node this engine is, from GET /info, marked with `*`."""
    nodes = ctx.client.nodes()
    if getattr(args, "quiet", False):
        ctx.print("\n".join(node["ID"] for node in nodes))
    else:
        self_id = ctx.client.info().get("Swarm", {}).get("NodeID", "")
        ctx.print(format_nodes(nodes, self_id))
    return 0


def _key_value(item: str, what: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise CommandError(f"rawdock: expected {what} as KEY=VALUE, got {item!r}")
    return key, value
