"""Image verbs: images, pull, rmi, tag, image inspect (each `VERB_flags` beside `VERB`, as in
rawdock.cli.containers)."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from typing import Any

from . import output
from .context import CommandError, Context
from .flags import add_filter_flag, add_format_flag, add_prune_flags, parse_filters

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
    parser.add_argument(
        "-a", "--all-tags", action="store_true", help="Download all tagged images in the repository"
    )
    parser.add_argument("--platform", help="Set platform if server is multi-platform capable")
    parser.add_argument("-q", "--quiet", action="store_true", help="Suppress verbose output")
    parser.add_argument("image", metavar="NAME[:TAG|@DIGEST]")


def pull(ctx: Context, args: argparse.Namespace) -> int:
    """POST /images/create?fromImage=..&tag=..: the progress, then the reference pulled."""
    from .options import parse_reference  # its patterns compile at import: only where used

    reference = parse_reference(args.image)
    if args.all_tags:
        if reference.tag or reference.digest:
            raise CommandError("tag can't be used with --all-tags/-a")
        progress = output.PullProgress(ctx.out, ctx.is_terminal, ctx.terminal_width)
        for message in ctx.client.pull(reference.name, platform=args.platform, all_tags=True):
            if not args.quiet:
                progress.show(message)
        ctx.print(reference.name)
        return 0
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
    parser.add_argument(
        "-a", "--all", action="store_true", help="Remove all unused images, not just dangling ones"
    )
    add_prune_flags(parser)


def image_prune(ctx: Context, args: argparse.Namespace) -> int:
    """POST /images/prune?filters=... (dangling=false with -a): what was untagged and deleted,
    then the space reclaimed."""
    from .context import confirm, print_pruned
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


# --- push -------------------------------------------------------------------------------------


def push_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] NAME[:TAG]"
    parser.add_argument(
        "-a", "--all-tags", action="store_true", help="Push all tags of an image to the repository"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="Suppress verbose output")
    parser.add_argument("image", metavar="NAME[:TAG]")


def push(ctx: Context, args: argparse.Namespace) -> int:
    """POST /images/{name}/push?tag=..: the progress as docker draws it. Credentials come from
    config.json (`rawdock login`) or a credential helper, as for pull."""
    from .options import parse_reference

    reference = parse_reference(args.image)
    tag = None if args.all_tags else reference.api_tag
    if not args.all_tags and not reference.tag:
        ctx.print(f"Using default tag: {tag}")
    from ..errors import DockerError

    progress = output.PullProgress(ctx.out, ctx.is_terminal, ctx.terminal_width)
    try:
        for message in ctx.client.push(reference.name, tag):
            if not args.quiet and "aux" not in message:  # aux: the digest, for programs
                progress.show(message)
    except DockerError as exc:
        if exc.status:
            raise
        raise CommandError(exc.message) from None  # an error inside the stream, as docker words it
    if args.quiet:
        ctx.print(str(reference))
    return 0


# --- build ------------------------------------------------------------------------------------


def build_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] PATH"
    parser.add_argument(
        "-t",
        "--tag",
        action="append",
        default=[],
        metavar="list",
        help='Name and optionally a tag in the "name:tag" format',
    )
    parser.add_argument(
        "-f", "--file", metavar="string", help='Name of the Dockerfile (default: "PATH/Dockerfile")'
    )
    parser.add_argument(
        "--build-arg", action="append", default=[], metavar="list", help="Set build-time variables"
    )
    parser.add_argument(
        "--label", action="append", default=[], metavar="list", help="Set metadata for an image"
    )
    parser.add_argument("--target", metavar="string", help="Set the target build stage to build.")
    parser.add_argument(
        "--no-cache", action="store_true", help="Do not use cache when building the image"
    )
    parser.add_argument(
        "--pull", action="store_true", help="Always attempt to pull a newer version of the image"
    )
    parser.add_argument(
        "--platform", metavar="string", help="Set platform if server is multi-platform capable"
    )
    parser.add_argument(
        "--network",
        metavar="string",
        help="Set the networking mode for the RUN instructions during build",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="Suppress the build output and print image ID on success",
    )
    parser.add_argument("path", metavar="PATH")


class _Counted:
    """The build context's pieces, counted as they are sent: docker's "Sending build context
    to Docker daemon  2.048kB" line says how much went."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self.pieces = pieces
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            self.sent += len(piece)
            yield piece


def build(ctx: Context, args: argparse.Namespace) -> int:
    """POST /build with the directory PATH as a tar made as it is sent (less .dockerignore),
    printing the classic builder's output as it comes; the image id alone with -q."""
    import os

    from ..build import directory_context
    from ..config import parse_labels
    from ..errors import InvalidArgument

    dockerfile = args.file or "Dockerfile"
    if args.file and os.path.isabs(args.file):
        dockerfile = os.path.relpath(args.file, args.path)
    try:
        context = _Counted(directory_context(args.path, dockerfile))
    except InvalidArgument as exc:
        raise CommandError(f"unable to prepare context: {exc}") from None
    buildargs = dict(arg.partition("=")[::2] for arg in args.build_arg)
    stream = ctx.client.build(
        context,
        tag=args.tag[0] if args.tag else None,
        labels=parse_labels(args.label) or None,
        dockerfile=dockerfile,
        buildargs=buildargs or None,
        nocache=args.no_cache,
        pull=args.pull,
        target=args.target,
        platform=args.platform,
        network_mode=args.network,
        quiet=args.quiet,
    )
    image_id = ""
    for number, item in enumerate(stream):
        if number == 0 and not args.quiet:
            ctx.print(
                f"Sending build context to Docker daemon  {output.human_size(context.sent, 4)}"
            )
        image_id = (item.get("aux") or {}).get("ID", image_id)
        if "stream" in item and args.quiet:  # with q=1 the stream is the image id alone
            image_id = item["stream"].strip() or image_id
        elif "stream" in item:
            ctx.out.write(item["stream"])
            ctx.out.flush()
    for extra_tag in args.tag[1:]:  # the daemon takes one t= per request here; docker tags the rest
        from .options import parse_reference

        reference = parse_reference(extra_tag)
        ctx.client.tag_image(image_id, reference.name, reference.api_tag)
        if not args.quiet:
            ctx.print(f"Successfully tagged {extra_tag}")
    if args.quiet:
        ctx.print(image_id)
    return 0
