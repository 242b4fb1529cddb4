"""Network verbs: `network ls|create|inspect|rm|connect|disconnect|prune`.

Each verb is two functions side by side (see rawdock.cli.verbs): `VERB_flags(parser)` declares
its flags, `VERB(ctx, args)` runs it through the endpoints of rawdock.api.networks.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import NotFound
from . import output
from .context import Context, confirm
from .flags import add_filter_flag, add_format_flag, add_prune_flags, parse_filters
from .template import Row

__all__ = [
    "network_ls",
    "network_create",
    "network_inspect",
    "network_rm",
    "network_connect",
    "network_disconnect",
    "network_prune",
    "NetworkRow",
]

JSON = Any


class NetworkRow(Row):
    """One network of GET /networks, with the fields of docker's networkContext."""

    HEADERS = {
        "ID": "NETWORK ID",
        "Name": "NAME",
        "Driver": "DRIVER",
        "Scope": "SCOPE",
        "IPv6": "IPV6",
        "Internal": "INTERNAL",
        "Labels": "LABELS",
        "Label": "LABEL",
        "CreatedAt": "CREATED AT",
    }
    GO_TYPE = "*network.networkContext"
    DEFAULT = "table {{.ID}}\\t{{.Name}}\\t{{.Driver}}\\t{{.Scope}}"

    def __init__(self, network: JSON, trunc: bool = True) -> None:
        self.n = network
        self.trunc = trunc

    def ID(self) -> str:  # noqa: N802 -- docker's field names
        return output.short_id(self.n["Id"]) if self.trunc else str(self.n["Id"])

    def Name(self) -> str:  # noqa: N802
        return str(self.n.get("Name") or "")

    def Driver(self) -> str:  # noqa: N802
        return str(self.n.get("Driver") or "")

    def Scope(self) -> str:  # noqa: N802
        return str(self.n.get("Scope") or "")

    def IPv6(self) -> str:  # noqa: N802
        return "true" if self.n.get("EnableIPv6") else "false"

    def Internal(self) -> str:  # noqa: N802
        return "true" if self.n.get("Internal") else "false"

    def Labels(self) -> str:  # noqa: N802
        labels = self.n.get("Labels") or {}
        return ",".join(f"{key}={value}" for key, value in sorted(labels.items()))

    def Label(self, name: str) -> str:  # noqa: N802
        return str((self.n.get("Labels") or {}).get(name, ""))

    def CreatedAt(self) -> str:  # noqa: N802
        return str(self.n.get("Created") or "")


# --- network ls -------------------------------------------------------------------------------


def network_ls_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    add_filter_flag(parser)
    add_format_flag(parser)
    parser.add_argument("--no-trunc", action="store_true", help="Do not truncate the output")
    parser.add_argument("-q", "--quiet", action="store_true", help="Only display network IDs")


def network_ls(ctx: Context, args: argparse.Namespace) -> int:
    """GET /networks?filters=..., sorted by name as docker sorts it."""
    found = ctx.client.networks(filters=parse_filters(args.filter) or None)
    rows = sorted((NetworkRow(n, not args.no_trunc) for n in found), key=NetworkRow.Name)
    if args.quiet:
        ctx.print_lines(row.ID() for row in rows)
        return 0
    ctx.print_lines(output.listing(rows, args.format or "", NetworkRow.DEFAULT, NetworkRow.HEADERS))
    return 0


# --- network create ---------------------------------------------------------------------------


def network_create_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] NETWORK"
    parser.add_argument(
        "-d", "--driver", default="bridge", metavar="string",
        help='Driver to manage the Network (default "bridge")',
    )  # fmt: skip
    parser.add_argument("--internal", action="store_true", help="Restrict external access")
    parser.add_argument("--attachable", action="store_true", help="Enable manual attachment")
    parser.add_argument("--ipv6", action="store_true", help="Enable IPv6 networking")
    parser.add_argument(
        "--label", action="append", default=[], metavar="list", help="Set metadata on a network"
    )
    parser.add_argument(
        "-o", "--opt", action="append", default=[], metavar="map",
        help="Set driver specific options",
    )  # fmt: skip
    parser.add_argument("--subnet", action="append", default=[], metavar="strings")
    parser.add_argument("--gateway", action="append", default=[], metavar="strings")
    parser.add_argument("--ip-range", action="append", default=[], metavar="strings")
    parser.add_argument("network", metavar="NETWORK")


def network_create(ctx: Context, args: argparse.Namespace) -> int:
    """POST /networks/create with the body docker builds from the flags; prints the id."""
    from ..config import parse_labels

    config: dict[str, Any] = {"Driver": args.driver, "CheckDuplicate": True}
    if args.internal:
        config["Internal"] = True
    if args.attachable:
        config["Attachable"] = True
    if args.ipv6:
        config["EnableIPv6"] = True
    if args.opt:
        config["Options"] = parse_labels(args.opt)
    if args.label:
        config["Labels"] = parse_labels(args.label)
    if args.subnet:
        pools = []
        for index, subnet in enumerate(args.subnet):
            pool = {"Subnet": subnet}
            if index < len(args.gateway):
                pool["Gateway"] = args.gateway[index]
            if index < len(args.ip_range):
                pool["IPRange"] = args.ip_range[index]
            pools.append(pool)
        config["IPAM"] = {"Driver": "default", "Config": pools}
    created = ctx.client.create_network(args.network, config)
    ctx.print(str(created["Id"]))
    return 0


# --- network inspect --------------------------------------------------------------------------


def network_inspect_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] NETWORK [NETWORK...]"
    add_format_flag(parser, "the output", short=True)
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="Verbose output for diagnostics"
    )
    parser.add_argument("name", nargs="+", metavar="NETWORK")


def network_inspect(ctx: Context, args: argparse.Namespace) -> int:
    """GET /networks/{id} for each, as a JSON array or through --format."""
    from .system import show_inspected

    def lookup(name: str) -> JSON:
        return ctx.client.inspect_network(name, verbose=args.verbose)

    return show_inspected(ctx, args, [lookup], "network", daemon_words=True)


# --- network rm -------------------------------------------------------------------------------


def network_rm_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s NETWORK [NETWORK...]"
    parser.add_argument(
        "-f", "--force", action="store_true", help="Do not error if the network does not exist"
    )
    parser.add_argument("network", nargs="+", metavar="NETWORK")


def network_rm(ctx: Context, args: argparse.Namespace) -> int:
    """DELETE /networks/{id} for each; prints each name. docker ends a failed rm with the line
    "exit status 1" (its error for the whole command), and so does rawdock."""
    from .containers import for_each

    def remove(name: str) -> None:
        try:
            ctx.client.remove_network(name)
        except NotFound:
            if not args.force:
                raise
        ctx.print(name)

    status = for_each(ctx, args.network, remove)
    if status:
        ctx.err.write("exit status 1\n")
    return status


# --- network connect / disconnect -------------------------------------------------------------


def network_connect_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] NETWORK CONTAINER"
    parser.add_argument(
        "--alias", action="append", default=[], metavar="strings",
        help="Add network-scoped alias for the container",
    )  # fmt: skip
    parser.add_argument("--ip", metavar="string", help='IPv4 address (e.g., "172.30.100.104")')
    parser.add_argument("--ip6", metavar="string", help='IPv6 address (e.g., "2001:db8::33")')
    parser.add_argument("network", metavar="NETWORK")
    parser.add_argument("container", metavar="CONTAINER")


def network_connect(ctx: Context, args: argparse.Namespace) -> int:
    """POST /networks/{id}/connect with {"Container", "EndpointConfig"}."""
    endpoint: dict[str, Any] = {}
    addresses = {
        key: value for key, value in (("IPv4Address", args.ip), ("IPv6Address", args.ip6)) if value
    }
    if addresses:
        endpoint["IPAMConfig"] = addresses
    ctx.client.connect_container_to_network(
        args.container, args.network, aliases=args.alias or None, endpoint_config=endpoint
    )
    return 0


def network_disconnect_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] NETWORK CONTAINER"
    parser.add_argument(
        "-f",
        "--force",
        action="store_true",
        help="Force the container to disconnect from a network",
    )
    parser.add_argument("network", metavar="NETWORK")
    parser.add_argument("container", metavar="CONTAINER")


def network_disconnect(ctx: Context, args: argparse.Namespace) -> int:
    """POST /networks/{id}/disconnect with {"Container", "Force"}."""
    ctx.client.disconnect_container_from_network(args.container, args.network, force=args.force)
    return 0


# --- network prune ----------------------------------------------------------------------------

PRUNE_WARNING = "WARNING! This will remove all custom networks not used by at least one container."


def network_prune_flags(parser: argparse.ArgumentParser) -> None:
    add_prune_flags(parser)


def network_prune(ctx: Context, args: argparse.Namespace) -> int:
    """POST /networks/prune?filters=...; prints what was deleted, as docker does."""
    if not args.force and not confirm(ctx, PRUNE_WARNING):
        return 0
    pruned = ctx.client.prune_networks(filters=parse_filters(args.filter) or None)
    deleted = pruned.get("NetworksDeleted") or []
    if deleted:  # no blank line after them: docker prints no reclaimed space for networks
        ctx.print_lines(["Deleted Networks:", *deleted])
    return 0
