"""Volume verbs: `volume ls|create|inspect|rm|prune`.

Each verb is two functions side by side (see rawdock.cli.verbs): `VERB_flags(parser)` declares
its flags, `VERB(ctx, args)` runs it through the endpoints of rawdock.api.volumes.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import NotFound
from . import output
from .context import Context, confirm, print_pruned
from .flags import add_filter_flag, add_format_flag, parse_filters
from .template import Row

__all__ = [
    "volume_ls",
    "volume_create",
    "volume_inspect",
    "volume_rm",
    "volume_prune",
    "VolumeRow",
]

JSON = Any


class VolumeRow(Row):
    """One volume of GET /volumes, with the fields of docker's volumeContext."""

    HEADERS = {
        "Name": "VOLUME NAME",
        "Driver": "DRIVER",
        "Scope": "SCOPE",
        "Mountpoint": "MOUNTPOINT",
        "Labels": "LABELS",
        "Label": "LABEL",
        "Links": "LINKS",
        "Size": "SIZE",
    }
    GO_TYPE = "*formatter.volumeContext"
    DEFAULT = "table {{.Driver}}\\t{{.Name}}"

    def __init__(self, volume: JSON) -> None:
        self.v = volume

    def Name(self) -> str:  # noqa: N802 -- docker's field names
        return str(self.v.get("Name") or "")

    def Driver(self) -> str:  # noqa: N802
        return str(self.v.get("Driver") or "")

    def Scope(self) -> str:  # noqa: N802
        return str(self.v.get("Scope") or "")

    def Mountpoint(self) -> str:  # noqa: N802
        return str(self.v.get("Mountpoint") or "")

    def Labels(self) -> str:  # noqa: N802
        labels = self.v.get("Labels") or {}
        return ",".join(f"{key}={value}" for key, value in sorted(labels.items()))

    def Label(self, name: str) -> str:  # noqa: N802
        return str((self.v.get("Labels") or {}).get(name, ""))

    def Links(self) -> str:  # noqa: N802
        usage = self.v.get("UsageData") or {}
        return "N/A" if usage.get("RefCount", -1) == -1 else str(usage["RefCount"])

    def Size(self) -> str:  # noqa: N802
        usage = self.v.get("UsageData") or {}
        return "N/A" if usage.get("Size", -1) == -1 else output.human_size(usage["Size"])


# --- volume ls --------------------------------------------------------------------------------


def volume_ls_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    add_filter_flag(parser)
    add_format_flag(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="Only display volume names")


def volume_ls(ctx: Context, args: argparse.Namespace) -> int:
    """GET /volumes?filters=..., sorted by name as docker sorts it."""
    found = ctx.client.volumes(filters=parse_filters(args.filter) or None)
    rows = sorted((VolumeRow(v) for v in found.get("Volumes") or []), key=VolumeRow.Name)
    if args.quiet:
        ctx.print_lines(row.Name() for row in rows)
        return 0
    ctx.print_lines(output.listing(rows, args.format or "", VolumeRow.DEFAULT, VolumeRow.HEADERS))
    return 0


# --- volume create ----------------------------------------------------------------------------


def volume_create_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] [VOLUME]"
    parser.add_argument(
        "-d", "--driver", default="local", metavar="string",
        help='Specify volume driver name (default "local")',
    )  # fmt: skip
    parser.add_argument(
        "--label", action="append", default=[], metavar="list", help="Set metadata for a volume"
    )
    parser.add_argument(
        "-o", "--opt", action="append", default=[], metavar="map",
        help="Set driver specific options",
    )  # fmt: skip
    parser.add_argument("name", nargs="?", metavar="VOLUME")


def volume_create(ctx: Context, args: argparse.Namespace) -> int:
    """POST /volumes/create; prints the volume's name (made up by the daemon when not given)."""
    from ..config import parse_labels

    created = ctx.client.create_volume(
        args.name,
        driver=args.driver,
        driver_opts=parse_labels(args.opt),
        labels=parse_labels(args.label),
    )
    ctx.print(str(created["Name"]))
    return 0


# --- volume inspect ---------------------------------------------------------------------------


def volume_inspect_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] VOLUME [VOLUME...]"
    add_format_flag(parser, "the output", short=True)
    parser.add_argument("name", nargs="+", metavar="VOLUME")


def volume_inspect(ctx: Context, args: argparse.Namespace) -> int:
    """GET /volumes/{name} for each, as a JSON array or through --format."""
    from .system import show_inspected

    return show_inspected(ctx, args, [ctx.client.inspect_volume], "volume", daemon_words=True)


# --- volume rm --------------------------------------------------------------------------------


def volume_rm_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] VOLUME [VOLUME...]"
    parser.add_argument(
        "-f", "--force", action="store_true", help="Force the removal of one or more volumes"
    )
    parser.add_argument("volume", nargs="+", metavar="VOLUME")


def volume_rm(ctx: Context, args: argparse.Namespace) -> int:
    """DELETE /volumes/{name} for each; prints each name."""
    from .containers import for_each

    def remove(name: str) -> None:
        try:
            ctx.client.remove_volume(name, force=args.force)
        except NotFound:
            if not args.force:
                raise
        ctx.print(name)

    return for_each(ctx, args.volume, remove)


# --- volume prune -----------------------------------------------------------------------------

PRUNE_WARNING = "WARNING! This will remove {} local volumes not used by at least one container."


def volume_prune_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    parser.add_argument(
        "-a",
        "--all",
        action="store_true",
        help="Remove all unused volumes, not just anonymous ones",
    )
    parser.add_argument(
        "--filter", action="append", default=[], metavar="filter",
        help='Provide filter values (e.g. "label=<label>")',
    )  # fmt: skip
    parser.add_argument("-f", "--force", action="store_true", help="Do not prompt for confirmation")


def volume_prune(ctx: Context, args: argparse.Namespace) -> int:
    """POST /volumes/prune?filters=...; prints what was deleted and the space reclaimed."""
    # Before API 1.42 the daemon prunes named volumes too, and docker's question says so.
    from ..api.calls import version_tuple

    everything = args.all or version_tuple(ctx.client.api_version) < (1, 42)
    if not args.force and not confirm(
        ctx, PRUNE_WARNING.format("all" if everything else "anonymous")
    ):
        return 0
    filters = parse_filters(args.filter)
    if args.all:
        filters["all"] = ["true"]
    pruned = ctx.client.prune_volumes(filters=filters or None)
    print_pruned(ctx, "Deleted Volumes:", pruned.get("VolumesDeleted"))
    ctx.print(f"Total reclaimed space: {output.human_size(pruned.get('SpaceReclaimed') or 0)}")
    return 0
