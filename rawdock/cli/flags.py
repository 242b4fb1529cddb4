"""The parser of one verb's flags, with docker's usage errors, and the flags many verbs share.

A verb declares its flags in `VERB_flags(parser)` with plain argparse calls, and docker's usage
line as the parser's usage:

    def stop_flags(parser: argparse.ArgumentParser) -> None:
        parser.usage = "%(prog)s [OPTIONS] CONTAINER [CONTAINER...]"
        parser.add_argument("-t", "--time", type=int, help="Seconds to wait before killing it")
        parser.add_argument("container", nargs="+")

`VerbParser` reports a bad command line as docker (cobra and pflag) does, word for word: a flag
error exits 125, a wrong number of arguments exits 1, and both end with the usage line.

    $ rawdock ps --bogus                    $ rawdock stop
    unknown flag: --bogus                   rawdock: 'rawdock stop' requires at least 1 argument

    Usage:  rawdock ps [OPTIONS]            Usage:  rawdock stop [OPTIONS] CONTAINER [CONTAINER...]

    Run 'rawdock ps --help' for more ...    See 'rawdock stop --help' for more information
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .context import CommandError

if TYPE_CHECKING:
    from typing import NoReturn

__all__ = [
    "VerbParser",
    "EXIT_FLAG_ERROR",
    "EXIT_ARGUMENT_ERROR",
    "add_format_flag",
    "add_filter_flag",
    "add_prune_flags",
    "parse_filters",
    "usage_error",
]

#: docker's status for a flag it cannot parse (pflag errors reach cobra as status 125).
EXIT_FLAG_ERROR = 125
#: docker's status for the wrong number of arguments (cobra's Args check).
EXIT_ARGUMENT_ERROR = 1
_UNLIMITED = 1 << 30

# argparse's messages (stable from 3.10 to 3.13) and what they are about. Patterns as text:
# re compiles them when an error needs them, not at every start.
_ARGUMENT_MESSAGE = r"(?s)argument (?P<flags>\S+): (?P<problem>.*)"
_INVALID_INT = r"(?s)invalid int value: '(?P<value>.*)'"
_IGNORED_EXPLICIT = r"(?s)ignored explicit argument '(?P<value>.*)'"
_INVALID_CHOICE = r"(?s)invalid choice: '(?P<value>.*?)'"


def usage_error(message: str, usage: str, prog: str, see: str = "Run") -> str:
    """The text docker prints for a command line it refuses."""
    return f"{message}\n\nUsage:  {usage}\n\n{see} '{prog} --help' for more information"


def _help_formatter(prog: str) -> argparse.HelpFormatter:
    # argparse makes a formatter for every add_argument, and its default one asks
    # shutil.get_terminal_size (importing shutil, a few milliseconds) each time.
    return argparse.HelpFormatter(prog, width=_help_width())


def _help_width() -> int:
    try:
        return max(os.get_terminal_size(1).columns - 2, 40)
    except OSError:
        return 78


class VerbParser(argparse.ArgumentParser):
    """argparse for one verb, failing as docker fails (see the module docstring). It parses the
    words after the verb; `prog` is "rawdock VERB" (or "rawdock GROUP VERB")."""

    def __init__(self, prog: str, description: str, add_help: bool = True) -> None:
        super().__init__(
            prog=prog,
            description=description,
            allow_abbrev=False,
            add_help=add_help,
            formatter_class=_help_formatter,
        )
        self._argv: Sequence[str] = ()

    @property
    def usage_line(self) -> str:
        return (self.usage or "%(prog)s [OPTIONS]") % {"prog": self.prog}

    def parse_verb(self, argv: Sequence[str]) -> argparse.Namespace:
        """The namespace of `argv`, or CommandError with docker's message and status."""
        self._argv = argv
        args, extra = self.parse_known_args(argv)
        for word in extra:
            if word.startswith("-") and word != "-":
                self._flag_error(self._unknown_flag(self._typed_word(word)))
        if extra:
            self._argument_error()
        return args

    def error(self, message: str) -> NoReturn:
        # argparse's own complaint: translate the ones docker words differently.
        if message.startswith("the following arguments are required"):
            self._argument_error()
        match = re.fullmatch(_ARGUMENT_MESSAGE, message)
        if match is None:
            self._flag_error(message)
        flags, problem = match.group("flags").split("/"), match.group("problem")
        if problem.startswith("expected one argument"):
            typed = next((word for word in self._argv if word in flags), flags[-1])
            if typed.startswith("--"):
                self._flag_error(f"flag needs an argument: {typed}")
            self._flag_error(f"flag needs an argument: '{typed[1:]}' in {typed}")
        explicit = re.fullmatch(_IGNORED_EXPLICIT, problem)
        if explicit is not None:  # "-ax" with -a a switch: x is read as the next letter
            text = explicit.group("value")
            for word in self._argv:
                if word.startswith("--") and word.endswith("=" + text):
                    names = ", ".join(flags)
                    self._flag_error(
                        f'invalid argument "{text}" for "{names}" flag: strconv.ParseBool: '
                        f'parsing "{text}": invalid syntax'
                    )
                if word.startswith("-") and word.endswith(text):
                    self._flag_error(self._unknown_flag(word))
        value = re.fullmatch(_INVALID_INT, problem) or re.match(_INVALID_CHOICE, problem)
        if value is not None:
            text = value.group("value")
            reason = (
                f'strconv.ParseInt: parsing "{text}": invalid syntax'
                if problem.startswith("invalid int")
                else problem
            )
            names = ", ".join(flags)
            self._flag_error(f'invalid argument "{text}" for "{names}" flag: {reason}')
        if problem.startswith("invalid argument"):  # a type= function worded it already
            self._flag_error(problem)
        self._flag_error(f"{', '.join(flags)}: {problem}")

    def option_lines(self) -> list[str]:
        """One line per flag, as docker's help lists them: "  -n, --last int   Show n ..."."""
        names = []
        for action in self._actions:
            if not action.option_strings or action.help == argparse.SUPPRESS:
                continue
            short = next((o for o in action.option_strings if not o.startswith("--")), "")
            long = next((o for o in action.option_strings if o.startswith("--")), "")
            value = ""
            if action.nargs != 0:  # a flag that takes a value shows its type, as pflag does
                value = " " + (action.metavar if isinstance(action.metavar, str) else "string")
            text = f"{short}, {long}" if short and long else short or f"    {long}"
            names.append((f"{text}{value}", action.help or ""))
        width = max((len(name) for name, _ in names), default=0) + 3
        return [f"  {name:<{width}}{text}".rstrip() for name, text in names]

    def format_help(self) -> str:
        """docker's layout: usage, summary, then the flags."""
        lines = [f"Usage:  {self.usage_line}", "", self.description or "", "", "Options:"]
        return "\n".join([*lines, *self.option_lines()]) + "\n"

    def _typed_word(self, word: str) -> str:
        """The argument `word` came from. For "-ax" with -a a switch, Python 3.13's argparse
        sets -a and leaves "-x" over, where 3.10-3.12 complain about the whole "-ax"."""
        if word in self._argv or word.startswith("--"):
            return word
        typed = (w for w in self._argv if w.startswith("-") and not w.startswith("--"))
        return next((w for w in typed if len(w) > len(word) and w.endswith(word[1:])), word)

    def _unknown_flag(self, word: str) -> str:
        if word.startswith("--"):
            return f"unknown flag: {word.partition('=')[0]}"
        known = {option for action in self._actions for option in action.option_strings}
        for letter in word[1:]:
            if f"-{letter}" not in known:
                return f"unknown shorthand flag: '{letter}' in {word}"
        return f"unknown shorthand flag: '{word[1:2]}' in {word}"

    def _flag_error(self, message: str) -> NoReturn:
        raise CommandError(
            usage_error(message, self.usage_line, self.prog),
            EXIT_FLAG_ERROR,
        )

    def _argument_error(self) -> NoReturn:
        """docker's Args checks (cli/required.go): the message depends on the verb's rule."""
        low = high = 0
        for action in self._actions:
            if action.option_strings:
                continue
            nargs = action.nargs
            if nargs is None:
                low, high = low + 1, high + 1
            elif isinstance(nargs, int):
                low, high = low + nargs, high + nargs
            elif nargs == "?":
                high += 1
            elif nargs == "+":
                low, high = low + 1, _UNLIMITED
            else:  # "*" or REMAINDER
                high = _UNLIMITED
        plural = "argument" if (high if low == 0 else low) == 1 else "arguments"
        see = "Run"
        if high == 0:
            rule = "accepts no arguments"
        elif low == high:
            rule = f"requires {low} {plural}"
        elif high == _UNLIMITED:
            rule, see = f"requires at least {low} {plural}", "See"
        elif low == 0:
            rule = f"requires at most {high} {plural}"  # docker prints "SRun" here: a typo
        else:
            rule, see = f"requires at least {low} and at most {high} arguments", "See"
        message = f"rawdock: '{self.prog}' {rule}"
        raise CommandError(
            usage_error(message, self.usage_line, self.prog, see),
            EXIT_ARGUMENT_ERROR,
        )


# --- Flags several verbs share ----------------------------------------------------------------


def add_format_flag(
    parser: argparse.ArgumentParser, what: str = "output", short: bool = False
) -> None:
    """`--format` (and `-f` with `short`, as `inspect` has it): docker's Go template subset
    (rawdock.cli.template), or "json", "table", "table TEMPLATE"."""
    parser.add_argument(
        *(("-f", "--format") if short else ("--format",)),
        metavar="string",
        help=f"Format {what} using a custom template: 'table', 'table TEMPLATE', 'json' or "
        "'TEMPLATE' (Go template syntax: see docs/cli.md)",
    )


def add_prune_flags(parser: argparse.ArgumentParser, example: str = "until=<timestamp>") -> None:
    """What every prune verb takes: `--filter` (repeatable; `parse_filters` makes the query
    value) and `-f/--force` (no question asked)."""
    parser.usage = "%(prog)s [OPTIONS]"
    parser.add_argument(
        "--filter", action="append", default=[], metavar="filter",
        help=f'Provide filter values (e.g. "{example}")',
    )  # fmt: skip
    parser.add_argument("-f", "--force", action="store_true", help="Do not prompt for confirmation")


def add_filter_flag(parser: argparse.ArgumentParser) -> None:
    """`-f`/`--filter name=value`, repeatable; `parse_filters` makes the query value."""
    parser.add_argument(
        "-f",
        "--filter",
        action="append",
        default=[],
        type=_filter_value,
        metavar="filter",
        help="Filter output based on conditions provided",
    )


def _filter_value(text: str) -> str:
    if "=" not in text:
        raise argparse.ArgumentTypeError(
            f'invalid argument "{text}" for "-f, --filter" flag: bad format of filter '
            "(expected name=value)"
        )
    return text


def parse_filters(values: Iterable[str]) -> dict[str, list[str]]:
    """`--filter K=V` (repeatable) -> {"K": ["V", ...]}: `label=a=b` filters on label a=b."""
    filters: dict[str, list[str]] = {}
    for value in values:
        key, eq, filter_value = value.partition("=")
        if not key or not eq:
            raise ValueError(f"bad format of filter {value!r}: expected name=value")
        filters.setdefault(key.strip().lower(), []).append(filter_value)
    return filters
