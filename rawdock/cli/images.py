"""Image verbs: images, pull, rmi, tag, image inspect (each `VERB_flags` beside `VERB`, as in
rawdock.cli.containers)."""

from __future__ import annotations

import argparse
from typing import Any

from . import output
from .context import CommandError, Context
from .flags import add_filter_flag, add_format_flag, parse_filters

__all__ = ["images", "pull", "rmi", "tag", "image_inspect", "show_pull"]

JSON = Any


def images_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] [REPOSITORY[:TAG]]"
    parser.add_argument(
        "-a", "--all", action="store_true", help="Show all images (default hides intermediate)"
    )
    parser.add_argument("--digests", action="store_true", help="Show digests")
    add_filter_flag(parser)
    add_format_flag(parser)
    parser.add_argument("--no-trunc", action="store_true", help="Don't truncate output")
    parser.add_argument("-q", "--quiet", action="store_true", help="Only show image IDs")
    parser.add_argument("--json", action="store_true", help="Print the daemon's JSON")
    parser.add_argument("reference", nargs="?", metavar="REPOSITORY[:TAG]")


def images(ctx: Context, args: argparse.Namespace) -> int:
    """GET /images/json, one row per repository:tag, in docker's order."""
    filters = parse_filters(args.filter)
    if args.reference:
        filters.setdefault("reference", []).append(args.reference)
    found = ctx.client.images(all=args.all, filters=filters or None)
    if args.json:
        ctx.print(output.json_text(found))
    elif args.quiet and not args.format:
        ctx.print_lines(output.image_ids(found, args.no_trunc))
    else:
        ctx.print_lines(output.images_listing(found, args.format, args.no_trunc, args.digests))
    return 0


def pull_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] NAME[:TAG|@DIGEST]"
    parser.add_argument("--platform", help="Set platform if server is multi-platform capable")
    parser.add_argument("-q", "--quiet", action="store_true", help="Suppress verbose output")
    parser.add_argument("image", metavar="NAME[:TAG|@DIGEST]")


def pull(ctx: Context, args: argparse.Namespace) -> int:
    """POST /images/create?fromImage=..&tag=..: the progress, then the reference pulled."""
    from .options import parse_reference  # its patterns compile at import: only where used

    reference = parse_reference(args.image)
    if not reference.tag and not reference.digest:
        ctx.print("Using default tag: latest")
    show_pull(
        ctx, reference.name, reference.api_tag, args.quiet, to_stderr=False, platform=args.platform
    )
    ctx.print(str(reference))
    return 0


def show_pull(
    ctx: Context,
    name: str,
    tag: str,
    quiet: bool,
    to_stderr: bool,
    platform: str | None = None,
) -> None:
    """Pull and draw the progress (bars on a terminal, plain lines elsewhere)."""
    out, terminal = (ctx.err, ctx.stderr_is_terminal) if to_stderr else (ctx.out, ctx.is_terminal)
    progress = output.PullProgress(out, terminal, ctx.terminal_width)
    for message in ctx.client.pull(name, tag, platform=platform):
        if not quiet:
            progress.show(message)


def rmi_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] IMAGE [IMAGE...]"
    parser.add_argument("-f", "--force", action="store_true", help="Force removal of the image")
    parser.add_argument("--no-prune", action="store_true", help="Do not delete untagged parents")
    parser.add_argument("image", nargs="+", metavar="IMAGE")


def rmi(ctx: Context, args: argparse.Namespace) -> int:
    """DELETE /images/{name} for each: prints what was untagged and deleted."""
    from .containers import for_each

    def remove(name: str) -> None:
        for change in ctx.client.remove_image(name, force=args.force, noprune=args.no_prune):
            for kind in ("Untagged", "Deleted"):
                if kind in change:
                    ctx.print(f"{kind}: {change[kind]}")

    return for_each(ctx, args.image, remove)


def tag_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]"
    parser.add_argument("source", metavar="SOURCE_IMAGE[:TAG]")
    parser.add_argument("target", metavar="TARGET_IMAGE[:TAG]")


def tag(ctx: Context, args: argparse.Namespace) -> int:
    """POST /images/{source}/tag?repo=..&tag=.."""
    from .options import UsageError, parse_reference

    try:
        target = parse_reference(args.target)
    except UsageError as exc:
        raise CommandError(
            f'Error parsing reference: "{args.target}" is not a valid repository/tag: {exc}'
        ) from None
    if target.digest:
        raise CommandError("refusing to create a tag with a digest reference")
    ctx.client.tag_image(args.source, target.name, target.tag or "latest")
    return 0


def image_inspect_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] IMAGE [IMAGE...]"
    add_format_flag(parser, "the output", short=True)
    parser.add_argument("name", nargs="+", metavar="IMAGE")


def image_inspect(ctx: Context, args: argparse.Namespace) -> int:
    """GET /images/{name}/json for each: `docker image inspect`."""
    from .system import show_inspected

    return show_inspected(ctx, args, [ctx.client.inspect_image], "image")


# --- image prune ------------------------------------------------------------------------------


def image_prune_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    parser.add_argument(
        "-a", "--all", action="store_true", help="Remove all unused images, not just dangling ones"
    )
    parser.add_argument(
        "--filter", action="append", default=[], metavar="filter",
        help='Provide filter values (e.g. "until=<timestamp>")',
    )  # fmt: skip
    parser.add_argument("-f", "--force", action="store_true", help="Do not prompt for confirmation")


def image_prune(ctx: Context, args: argparse.Namespace) -> int:
    """POST /images/prune?filters=... (dangling=false with -a): what was untagged and deleted,
    then the space reclaimed."""
    from .containers import print_pruned
    from .flags import parse_filters
    from .networks import confirm
    from .system import _image_changes

    warning = (
        "WARNING! This will remove all images without at least one container associated to them."
        if args.all
        else "WARNING! This will remove all dangling images."
    )
    if not args.force and not confirm(ctx, warning):
        return 0
    filters = {**parse_filters(args.filter), "dangling": ["false" if args.all else "true"]}
    pruned = ctx.client.prune_images(filters=filters)
    print_pruned(ctx, "Deleted Images:", _image_changes(pruned.get("ImagesDeleted")))
    ctx.print(f"Total reclaimed space: {output.human_size(pruned.get('SpaceReclaimed') or 0)}")
    return 0
