"""Turning command-line values into API values, as the docker CLI does. Pure functions, no I/O.

parse_ports(["127.0.0.1:8080:80"])   # ExposedPorts and HostConfig.PortBindings
parse_reference("127.0.0.1:5000/probe:1")   # registry port, repository, tag
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

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

#: Protocols a published port may carry (docker's nat.ValidateProtocol).
PORT_PROTOCOLS = ("tcp", "udp", "sctp")
MAX_PORT = 65535


class UsageError(ValueError):
    """A flag or argument the user gave is malformed. Reported as one line, like a flag error."""


# --- -p / --publish ---------------------------------------------------------------------------


class PortBindings:
    """What `-p` flags become in the create body: `ExposedPorts` and `HostConfig.PortBindings`.
    HostPort is a string ("" for a random port), exactly as the docker CLI sends it."""

    def __init__(
        self, exposed: dict[str, dict[str, Any]], bindings: dict[str, list[dict[str, str]]]
    ) -> None:
        self.exposed = exposed
        self.bindings = bindings


def _port_range(text: str, spec: str) -> tuple[int, int]:
    """ "80" -> (80, 80); "8000-8010" -> (8000, 8010)."""
    low, dash, high = text.partition("-")
    if not low.isdigit() or (dash and not high.isdigit()):
        raise UsageError(f"invalid port spec {spec!r}: {text!r} is not a port or a port range")
    first, last = int(low), int(high) if dash else int(low)
    if not (0 < first <= last <= MAX_PORT):
        raise UsageError(f"invalid port spec {spec!r}: ports go from 1 to {MAX_PORT}")
    return first, last


def _split_port_spec(spec: str) -> tuple[str, str, str]:
    """[IP:][HOST:]CONTAINER -> (ip, host, container). An IPv6 address goes in brackets:
    "[::1]:8080:80" (docker's nat.ParsePortSpec)."""
    ip = ""
    rest = spec
    if spec.startswith("["):
        end = spec.find("]:")
        if end < 0:
            raise UsageError(f"invalid port spec {spec!r}: unclosed '[' around an IPv6 address")
        ip, rest = spec[1:end], spec[end + 2 :]
        host, sep, container = rest.rpartition(":")
        if not sep:
            raise UsageError(f"invalid port spec {spec!r}: no container port after the address")
        return ip, host, container
    parts = spec.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    raise UsageError(
        f"invalid port spec {spec!r}: expected [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]"
    )


def parse_ports(specs: Iterable[str]) -> PortBindings:
    """`-p` values -> ExposedPorts and PortBindings, as the docker CLI builds them:

    "80"                -> {"80/tcp": [{"HostIp": "", "HostPort": ""}]}  (a random host port)
    "8080:80"           -> {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}
    "127.0.0.1::80/udp" -> {"80/udp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}
    "8000-8001:80-81"   -> one binding per port of the range
    """
    exposed: dict[str, dict[str, Any]] = {}
    bindings: dict[str, list[dict[str, str]]] = {}
    for spec in specs:
        address, slash, proto = spec.rpartition("/")
        if not slash:
            address, proto = spec, "tcp"
        proto = proto.lower()
        if proto not in PORT_PROTOCOLS:
            raise UsageError(f"invalid port spec {spec!r}: unknown protocol {proto!r}")
        ip, host, container = _split_port_spec(address)
        if not container:
            raise UsageError(f"invalid port spec {spec!r}: no container port")
        first, last = _port_range(container, spec)
        count = last - first + 1
        host_ports: list[str]
        if not host:
            host_ports = [""] * count
        else:
            host_first, host_last = _port_range(host, spec)
            host_count = host_last - host_first + 1
            if host_count == count:
                host_ports = [str(port) for port in range(host_first, host_last + 1)]
            elif count == 1:
                # One container port and a host range: the daemon picks a free port in it.
                host_ports = [host]
            else:
                raise UsageError(
                    f"invalid port spec {spec!r}: the host range and the container range "
                    f"must be the same size"
                )
        for port, host_port in zip(range(first, last + 1), host_ports, strict=True):
            key = f"{port}/{proto}"
            exposed[key] = {}
            bindings.setdefault(key, []).append({"HostIp": ip, "HostPort": host_port})
    return PortBindings(exposed, bindings)


# --- -e / -l -----------------------------------------------------------------------------


def parse_env(values: Iterable[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """`-e K=V` -> "K=V"; `-e K` alone takes K from our environment, and is dropped when it is
    not set there (as the docker CLI does)."""
    environ = os.environ if environ is None else environ
    result = []
    for value in values:
        name, eq, _ = value.partition("=")
        if not name:
            raise UsageError(f"invalid environment variable {value!r}: no name before '='")
        if eq:
            result.append(value)
        elif name in environ:
            result.append(f"{name}={environ[name]}")
    return result


def parse_labels(values: Iterable[str]) -> dict[str, str]:
    """`-l K=V` -> {"K": "V"}; `-l K` alone is a label with an empty value."""
    labels = {}
    for value in values:
        key, _, label_value = value.partition("=")
        if not key:
            raise UsageError(f"invalid label {value!r}: no key before '='")
        labels[key] = label_value
    return labels


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
    looks like a host (has "." or ":", or is "localhost"), as in distribution/reference; a ":"
    is a tag separator only after the last "/"."""
    rest, at, digest = text.partition("@")
    if at and not _DIGEST.fullmatch(digest):
        raise UsageError(f"invalid reference format: {text!r} has a malformed digest")
    tag = ""
    colon = rest.rfind(":")
    if colon > rest.rfind("/"):
        rest, tag = rest[:colon], rest[colon + 1 :]
        if not _TAG.fullmatch(tag):
            raise UsageError(f"invalid reference format: {text!r} has a malformed tag")
    registry = ""
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        registry, rest = first, remainder
        if not _DOMAIN_RE.fullmatch(registry):
            raise UsageError(f"invalid reference format: {registry!r} is not a registry host")
    if not _PATH.fullmatch(rest):
        hint = " (repository names must be lowercase)" if rest != rest.lower() else ""
        raise UsageError(f"invalid reference format: {text!r}{hint}")
    if len(registry) + len(rest) + 1 > MAX_NAME_LENGTH:
        raise UsageError("invalid reference format: repository name must not be longer than 255")
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
            raise UsageError(f"parsing time {value!r}: {exc}") from None
        return f"{int(moment.timestamp())}.{(fraction or '').ljust(9, '0')}"
    if "-" in value:
        raise UsageError(f"parsing time {value!r}: not an RFC 3339 date or time")
    whole, dot, fraction = value.partition(".")
    if not whole.isdigit() or (dot and not fraction.isdigit()):
        raise UsageError(f"failed to parse value as time or duration: {value!r}")
    return value


def time_offset(now: float) -> int:
    """The local zone's offset from UTC at `now`, in seconds (Go's reference.Zone())."""
    import time

    return time.localtime(now).tm_gmtoff
