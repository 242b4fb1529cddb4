"""Turning command-line values into API values, as the docker CLI does. Pure functions, no I/O.

parse_ports(["127.0.0.1:8080:80"])   # ExposedPorts and HostConfig.PortBindings
parse_reference("127.0.0.1:5000/probe:1")   # registry port, repository, tag
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "UsageError",
    "PortBindings",
    "parse_ports",
    "parse_env",
    "parse_labels",
    "parse_filters",
    "Reference",
    "parse_reference",
]

#: Protocols a published port may carry (docker's nat.ValidateProtocol).
PORT_PROTOCOLS = ("tcp", "udp", "sctp")
MAX_PORT = 65535


class UsageError(ValueError):
    """A flag or argument the user gave is malformed. Reported as one line, like a flag error."""


# --- -p / --publish ---------------------------------------------------------------------------


@dataclass
class PortBindings:
    """What `-p` flags become in the create body: `ExposedPorts` and `HostConfig.PortBindings`.
    HostPort is a string ("" for a random port), exactly as the docker CLI sends it."""

    exposed: dict[str, dict[str, Any]]
    bindings: dict[str, list[dict[str, str]]]


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


# --- -e / -l / --filter -----------------------------------------------------------------------


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


def parse_filters(values: Iterable[str]) -> dict[str, list[str]]:
    """`--filter K=V` (repeatable) -> {"K": ["V", ...]}: `label=a=b` filters on label a=b."""
    filters: dict[str, list[str]] = {}
    for value in values:
        key, eq, filter_value = value.partition("=")
        if not key or not eq:
            raise UsageError(f"bad format of filter {value!r}: expected name=value")
        filters.setdefault(key.strip().lower(), []).append(filter_value)
    return filters


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


@dataclass(frozen=True)
class Reference:
    """An image reference split as the registry sees it: `127.0.0.1:5000/probe:1` is registry
    "127.0.0.1:5000", path "probe", tag "1". `name` is what /images/create wants as fromImage."""

    registry: str
    path: str
    tag: str
    digest: str

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
