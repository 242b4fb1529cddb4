"""System verbs: version, info, inspect (each `VERB_flags` beside `VERB`, as in
rawdock.cli.containers)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import NotFound, RawdockError
from . import output
from .context import Context
from .flags import add_format_flag

__all__ = ["version", "info", "inspect", "show_inspected"]

JSON = Any


def version_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS]"
    add_format_flag(parser, "the output")
    parser.add_argument("--json", action="store_true", help="Print the daemon's JSON")


def version(ctx: Context, args: argparse.Namespace) -> int:
    """GET /version: rawdock's block, then the engine's. With the daemon down the client block
    is printed all the same, then the error, as docker does."""
    try:
        server = ctx.client.version()
    except RawdockError:
        if not args.json:
            ctx.print_lines(output.version_lines(_client_version(ctx), None, args.format))
        raise
    if args.json:
        ctx.print(output.json_text(server))
    else:
        ctx.print_lines(output.version_lines(_client_version(ctx), server, args.format))
    return 0


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
    add_format_flag(parser, "the output")
    parser.add_argument("--json", action="store_true", help="Print the daemon's JSON")


def info(ctx: Context, args: argparse.Namespace) -> int:
    """GET /info, in docker's sections."""
    facts = ctx.client.info()
    if args.json:
        ctx.print(output.json_text(facts))
    elif args.format:
        ctx.print_lines(output.formatted([facts], args.format))
    else:
        ctx.print_lines(output.info_lines(facts))
    return 0


def inspect_flags(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [OPTIONS] NAME|ID [NAME|ID...]"
    add_format_flag(parser, "the output", short=True)
    parser.add_argument(
        "--type", choices=("container", "image"), help="Only inspect objects of the given type"
    )
    parser.add_argument("name", nargs="+", metavar="NAME|ID")


def inspect(ctx: Context, args: argparse.Namespace) -> int:
    """Containers first, then images, as `docker inspect` looks them up."""
    lookups: list[Callable[[str], JSON]] = []
    if args.type in (None, "container"):
        lookups.append(ctx.client.inspect_container)
    if args.type in (None, "image"):
        lookups.append(ctx.client.inspect_image)
    return show_inspected(ctx, args, lookups, args.type or "object")


def show_inspected(
    ctx: Context, args: argparse.Namespace, lookups: Sequence[Callable[[str], JSON]], kind: str
) -> int:
    """Each name through the first lookup that finds it: a JSON array of what was found (or
    each through --format), and "Error: No such KIND: NAME" for the rest."""
    found: list[JSON] = []
    missing: list[str] = []
    for name in args.name:
        for lookup in lookups:
            try:
                found.append(lookup(name))
                break
            except NotFound:
                continue
        else:
            missing.append(name)
    if args.format:
        ctx.print_lines(output.formatted(found, args.format) if found else [""])
    else:
        ctx.print(output.json_text(found))
    for name in missing:
        ctx.err.write(f"Error: No such {kind}: {name}\n")
    return 1 if missing else 0
