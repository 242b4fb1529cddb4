"""System verbs: version, info, inspect (each `VERB_flags` beside `VERB`, as in
rawdock.cli.containers)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import NotFound, RawdockError
from . import output
from .context import CommandError, Context
from .flags import add_format_flag
from .template import TemplateError, parse, render

__all__ = ["version", "info", "inspect", "show_inspected"]

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
    """Each name through the first lookup that finds it: a JSON array of what was found, or
    each through --format, then one error line per name not found (or failing the template),
    as docker's inspect writes them."""
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
        for lookup in lookups:
            try:
                value = lookup(name)
                break
            except NotFound:
                continue
        else:
            errors.append(f"Error: No such {kind}: {name}")
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
