"""Turning command-line values into API values, as the docker CLI does. Pure functions, no I/O.

parse_ports(["127.0.0.1:8080:80"])   # ExposedPorts and HostConfig.PortBindings
parse_reference("127.0.0.1:5000/probe:1")   # registry port, repository, tag
"""

from __future__ import annotations

import re

# The parsers of the flags that build a create body are public, in rawdock.config.
from ..config import PortBindings, parse_env, parse_labels, parse_ports
from ..wire.values import Value

__all__ = [
    "UsageError",
    "PortBindings",
    "parse_ports",
    "parse_env",
    "parse_labels",
    "Reference",
    "parse_reference",
    "parse_timestamp",
]


class UsageError(ValueError):
    """A flag or argument the user gave is malformed. Reported as one line, like a flag error."""


# --- Image references (distribution/reference grammar) ----------------------------------------

# name components are lowercase alphanumerics joined by separators: "." "_" "__" or dashes.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
# A registry host: a DNS name or an IP (IPv6 in brackets), with an optional port.
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}")
_PATH = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_DOMAIN_RE = re.compile(_DOMAIN)
#: A reference longer than this is refused by the daemon (distribution/reference NameTotalLength).
MAX_NAME_LENGTH = 255


class Reference(Value):
    """An image reference split as the registry sees it: `127.0.0.1:5000/probe:1` is registry
    "127.0.0.1:5000", path "probe", tag "1". `name` is what /images/create wants as fromImage.
    (A frozen value, written as every one in rawdock is: rawdock.wire.values.)"""

    registry: str
    path: str
    tag: str
    digest: str

    def __init__(self, registry: str, path: str, tag: str, digest: str) -> None:
        object.__setattr__(self, "registry", registry)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "tag", tag)
        object.__setattr__(self, "digest", digest)

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.path}" if self.registry else self.path

    @property
    def api_tag(self) -> str:
        """The `tag` query value of a pull: the digest when there is one (the docker CLI sends
        `tag=sha256:...`), else the tag, else "latest"."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        text = self.name
        if self.tag or not self.digest:
            text += f":{self.tag or 'latest'}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str) -> Reference:
    """`[REGISTRY[:PORT]/]PATH[:TAG][@DIGEST]`. The first component is a registry only when it
    looks like a host (has "." or ":", or is "localhost", or has capitals), as in
    distribution/reference; a ":" is a tag separator only after the last "/". Errors carry
    distribution/reference's words, as docker prints them."""
    invalid = "invalid reference format"
    rest, at, digest = text.partition("@")
    if at and not _DIGEST.fullmatch(digest):
        raise UsageError(invalid)
    tag = ""
    colon = rest.rfind(":")
    if colon > rest.rfind("/"):
        rest, tag = rest[:colon], rest[colon + 1 :]
        if not _TAG.fullmatch(tag):
            raise UsageError(invalid)
    registry = ""
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        registry, rest = first, remainder
        if not _DOMAIN_RE.fullmatch(registry):
            raise UsageError(invalid)
    if rest != rest.lower():
        # docker names the path as Docker Hub sees it: "busybox" is "library/busybox".
        shown = rest if registry or "/" in rest else f"library/{rest}"
        raise UsageError(f"{invalid}: repository name ({shown}) must be lowercase")
    if not _PATH.fullmatch(rest):
        raise UsageError(invalid)
    if len(registry) + len(rest) + 1 > MAX_NAME_LENGTH:
        raise UsageError("repository name must not be longer than 255 characters")
    return Reference(registry, rest, tag, digest)


# --- --since / --until (docker's api/types/time.GetTimestamp) ---------------------------------

# Go's time.ParseDuration: a sequence of decimal numbers, each with a unit, optionally signed.
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0,
                   "m": 60.0, "h": 3600.0}  # fmt: skip
_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)")
# The dates GetTimestamp reads: a date, then optionally T and the hour, minutes, seconds and a
# fraction, then optionally a zone: Z or ±hh:mm.
_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?"
    r"([zZ]|[+-]\d{2}:\d{2})?"
)


def go_duration(text: str) -> float | None:
    """Seconds in a Go duration ("42m", "1h30m", "1.5h", "-10s"), or None if it is not one."""
    sign, rest = 1.0, text
    if rest[:1] in ("+", "-"):
        sign, rest = (-1.0 if rest[0] == "-" else 1.0), rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        return None
    total, pos = 0.0, 0
    while pos < len(rest):
        match = _DURATION_PART.match(rest, pos)
        if match is None or match.group(1) in ("", "."):
            return None
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    return sign * total


def parse_timestamp(value: str, now: float) -> str:
    """What the docker CLI sends for `--since`/`--until` VALUE (GetTimestamp): a duration
    ("42m") is that long before `now`, in whole seconds; an RFC 3339 date or time (in the local
    zone when it has none) becomes "seconds.nanoseconds"; Unix seconds ("1700000000.5") go as
    they are. Raises UsageError for anything else."""
    duration = go_duration(value) if value != "0" else None
    if duration is not None:
        return str(int(now - duration))  # Go: reference.Add(-d).Unix(), whole seconds
    match = _DATE.fullmatch(value)
    if match is not None:
        import datetime  # only for a date given on the command line

        year, month, day, hour, minute, second, fraction, zone = match.groups()
        if zone is None:
            offset = time_offset(now)
        elif zone in ("Z", "z"):
            offset = 0
        else:
            offset = (int(zone[1:3]) * 60 + int(zone[4:6])) * 60 * (-1 if zone[0] == "-" else 1)
        try:
            moment = datetime.datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                int(second or 0),
                tzinfo=datetime.timezone(datetime.timedelta(seconds=offset)),
            )  # fmt: skip
        except ValueError as exc:
            # Go's time.Parse names the first field out of range.
            field = str(exc).split()[0]  # "month must be in 1..12", "day is out of range ..."
            raise UsageError(f'parsing time "{value}": {field} out of range') from None
        return f"{int(moment.timestamp())}.{(fraction or '').ljust(9, '0')}"
    if "-" in value:
        # Go's own message also names the layout and the element it could not parse.
        raise UsageError(f'parsing time "{value}": not an RFC 3339 date or time')
    whole, dot, fraction = value.partition(".")
    if not whole.isdigit() or (dot and not fraction.isdigit()):
        raise UsageError(f'failed to parse value as time or duration: "{value}"')
    return value


def time_flags(since: str | None, until: str | None, now: float) -> dict[str, str]:
    """`--since` and `--until` as the daemon takes them (see `parse_timestamp`), those given
    only: {"since": ..., "until": ...}. A value it cannot read is a UsageError that names the
    flag, in docker's words (`invalid value for "since": ...`)."""
    times: dict[str, str] = {}
    for flag, value in (("since", since), ("until", until)):
        if value:
            try:
                times[flag] = parse_timestamp(value, now)
            except UsageError as exc:
                raise UsageError(f'invalid value for "{flag}": {exc}') from None
    return times


def time_offset(now: float) -> int:
    """The local zone's offset from UTC at `now`, in seconds (Go's reference.Zone())."""
    import time

    return time.localtime(now).tm_gmtoff
